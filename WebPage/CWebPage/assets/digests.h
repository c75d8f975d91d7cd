// Written by WebPage/build/digests.sh (make web): the page files' SHA-256, so that a changed file
// rebuilds web_page.c. Not used at run time (handoffd hashes what it embeds).
#define HV_DIGEST_INDEX_HTML "80261abdc288476f667e8586b86436a39be06e017aead1a2a94987e7bccd0bfb"
#define HV_DIGEST_PAGE_JS "779a1be20442d0e5eed52ff0eebed9fe95b58ab45b6a1cbaa8019af98723efde"
#define HV_DIGEST_PAGE_CSS "ff4d2cbf7b291e64f8a53ecc0c5b3971655e138d5a09f30f810d2ae139204450"
#define HV_DIGEST_HANDOFF_WASM "5e3cb066275a47c56d683555b85d601d23bab6496fd5e146733b2ca6564dae83"
#define HV_DIGEST_SIGNIN_JS "88a35fb2e7cc669bc2f99d756eb1f6accf21c084698e4ba6fc3eb18cdba3daad"
#define HV_DIGEST_AUDIT_HTML "d97618b5db7a8da5e93669dc27213f4f803306cbf30ea26c537257b225b61dfd"
#define HV_DIGEST_AUDIT_JS "eb6b7680adf15cb8b21a9baea8302e8fec9668d196157efd47ed46f1ef73c9b7"
