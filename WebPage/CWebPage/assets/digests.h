// Written by WebPage/build/digests.sh (make web): the page files' SHA-256, so that a changed file
// rebuilds web_page.c. Not used at run time (handoffd hashes what it embeds).
#define HV_DIGEST_INDEX_HTML "a85e02306a81397b7ed0dacc09da928363092ef71f6c7acfd46260556bd710e5"
#define HV_DIGEST_PAGE_JS "e3f9f73468bb938c37d9fbcc421f6dab7fff2b8e0958b505c76730266c1ca5bd"
#define HV_DIGEST_PAGE_CSS "c882a543abbef8d792f28d83ad9cb612a492498f140514166a830dfcef3f55c3"
#define HV_DIGEST_HANDOFF_WASM "32856c56a5d4dbccc1a1cbdb472480a97eee4ca3550db667e3649924b965be1d"
#define HV_DIGEST_SIGNIN_JS "88a35fb2e7cc669bc2f99d756eb1f6accf21c084698e4ba6fc3eb18cdba3daad"
#define HV_DIGEST_AUDIT_HTML "d97618b5db7a8da5e93669dc27213f4f803306cbf30ea26c537257b225b61dfd"
#define HV_DIGEST_AUDIT_JS "eb6b7680adf15cb8b21a9baea8302e8fec9668d196157efd47ed46f1ef73c9b7"
