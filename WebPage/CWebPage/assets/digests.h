// Written by WebPage/build/digests.sh (make web): the page files' SHA-256, so that a changed file
// rebuilds web_page.c. Not used at run time (handoffd hashes what it embeds).
#define HV_DIGEST_INDEX_HTML "54dfc0290698aac9232c4cf9a6fcb404b0f4162d9642f1d4a2d57a39bf2c14e2"
#define HV_DIGEST_PAGE_JS "360a2c118d38142d13ac98dfac2803d6bb80fa0a4653708598c9a8dfe4d572aa"
#define HV_DIGEST_PAGE_CSS "00490b4bbf514e260b4d54b0a48aab38f4c96944d73aa15b769b5b468ef078fd"
#define HV_DIGEST_HANDOFF_WASM "b316880db185d5c44178d66b23881c0ff269421f4eca88ada10d6da539d10454"
#define HV_DIGEST_SIGNIN_JS "88a35fb2e7cc669bc2f99d756eb1f6accf21c084698e4ba6fc3eb18cdba3daad"
