// Written by WebPage/build/digests.sh (make web): the page files' SHA-256, so that a changed file
// rebuilds web_page.c. Not used at run time (handoffd hashes what it embeds).
#define HV_DIGEST_INDEX_HTML "747489fbbbffe4ec6d8303b661165a1881833952bfe8cb01b52676427b0d53bd"
#define HV_DIGEST_PAGE_JS "c7c84655978a4c5700162c26138a9e271e3d32b61d254a2cbb83abd9c8be843f"
#define HV_DIGEST_PAGE_CSS "a0eaadf8fe770d5a8b0f52b683bc1cf5eafc4d9afeb025957d67ffd09a43ba47"
#define HV_DIGEST_HANDOFF_WASM "f30d72e8f20930e6e14fbc2797297c3d296abb51bf87d66ce32bcffa7795dd21"
#define HV_DIGEST_SIGNIN_JS "88a35fb2e7cc669bc2f99d756eb1f6accf21c084698e4ba6fc3eb18cdba3daad"
#define HV_DIGEST_AUDIT_HTML "d97618b5db7a8da5e93669dc27213f4f803306cbf30ea26c537257b225b61dfd"
#define HV_DIGEST_AUDIT_JS "eb6b7680adf15cb8b21a9baea8302e8fec9668d196157efd47ed46f1ef73c9b7"
