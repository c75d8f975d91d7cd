// Written by WebPage/build/digests.sh (make web): the page files' SHA-256, so that a changed file
// rebuilds web_page.c. Not used at run time (handoffd hashes what it embeds).
#define HV_DIGEST_INDEX_HTML "80261abdc288476f667e8586b86436a39be06e017aead1a2a94987e7bccd0bfb"
#define HV_DIGEST_PAGE_JS "779a1be20442d0e5eed52ff0eebed9fe95b58ab45b6a1cbaa8019af98723efde"
#define HV_DIGEST_PAGE_CSS "3fd329b17586ba4da5e381e01ad2ab20ddbd9046750ad06e1cd550d8b64a5a9b"
#define HV_DIGEST_HANDOFF_WASM "4712a331fc7e76541b1c356ccc99d47e7e117894c6010202992c014d75dd02c7"
#define HV_DIGEST_SIGNIN_JS "88a35fb2e7cc669bc2f99d756eb1f6accf21c084698e4ba6fc3eb18cdba3daad"
