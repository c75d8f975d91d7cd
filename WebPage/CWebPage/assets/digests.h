// Written by WebPage/build/digests.sh (make web): the page files' SHA-256, so that a changed file
// rebuilds web_page.c. Not used at run time (handoffd hashes what it embeds).
#define HV_DIGEST_INDEX_HTML "8b97565c74cb848740630eebf2f36d2ed74a090d8afa42555d1b3788171cf24c"
#define HV_DIGEST_PAGE_JS "415a544b7fed0dba733257d2123417a40223017dfb76518b36ca7a84ab6ad6be"
#define HV_DIGEST_PAGE_CSS "00490b4bbf514e260b4d54b0a48aab38f4c96944d73aa15b769b5b468ef078fd"
#define HV_DIGEST_HANDOFF_WASM "7372ff3e13dbc149815b35fe5d41183ff4c9325b234099c85f2ff3af63e255b9"
