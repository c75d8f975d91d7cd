// Written by scripts/wasm/digests.sh (make web): the page files' SHA-256, so that a changed file
// rebuilds web_page.c. Not used at run time (handoffd hashes what it embeds).
#define HV_DIGEST_INDEX_HTML "41b20574f072512d059ad92834d5dcf0f2c685c8ec69d4149241fe8cfe1b2012"
#define HV_DIGEST_PAGE_JS "b41aa25311aed560f1293bae006215f9504e0479f9914e9f2cc049487a91c336"
#define HV_DIGEST_PAGE_CSS "fc394c7dd7cef932466109ddac6a783dc2b03812de1c0bbb821b13e11cb80463"
#define HV_DIGEST_HANDOFF_WASM "7a245c04f8595dc74eeb41e368c5da0890e49e348442a136b7fc30eb7ed9dc0b"
