// Written by scripts/wasm/digests.sh (make web): the page files' SHA-256, so that a changed file
// rebuilds web_page.c. Not used at run time (handoffd hashes what it embeds).
#define HV_DIGEST_INDEX_HTML "41b20574f072512d059ad92834d5dcf0f2c685c8ec69d4149241fe8cfe1b2012"
#define HV_DIGEST_PAGE_JS "9d0da32042e8bf058ec47eb0f4cc0531cf50a5095ff37cbff800c72438cf0e23"
#define HV_DIGEST_PAGE_CSS "fc394c7dd7cef932466109ddac6a783dc2b03812de1c0bbb821b13e11cb80463"
#define HV_DIGEST_HANDOFF_WASM "6dc4bbc656cf81dae51be56cf2d62092bb68b124c2fb3adae5fdfe012da0344e"
