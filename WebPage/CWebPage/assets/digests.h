// Written by WebPage/build/digests.sh (make web): the page files' SHA-256, so that a changed file
// rebuilds web_page.c. Not used at run time (handoffd hashes what it embeds).
#define HV_DIGEST_INDEX_HTML "b127a9448c94bec1bd12cd356ca3fda5b3851b7dc5a818a0fb4e5b64f525275a"
#define HV_DIGEST_PAGE_JS "21b5583d4bff3ff17eea70482e296ddf80cf50a9961f95709ddc75aace5c98b1"
#define HV_DIGEST_PAGE_CSS "a305e0439c152ffcad8edea8e71b22af67ec7caae9f149acd331a441656b6d89"
#define HV_DIGEST_HANDOFF_WASM "b316880db185d5c44178d66b23881c0ff269421f4eca88ada10d6da539d10454"
#define HV_DIGEST_SIGNIN_JS "88a35fb2e7cc669bc2f99d756eb1f6accf21c084698e4ba6fc3eb18cdba3daad"
