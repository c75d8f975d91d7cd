// Written by scripts/wasm/digests.sh (make web): the page files' SHA-256, so that a changed file
// rebuilds web_page.c. Not used at run time (handoffd hashes what it embeds).
#define HV_DIGEST_INDEX_HTML "089269eacf9bce76ed80ec59db9837a2248583f709bde89cc8696b662c09be7b"
#define HV_DIGEST_PAGE_JS "49d52feddf198d3579f2e341b4e9774337c62f04c724602bb5ee2a9c63b10801"
#define HV_DIGEST_PAGE_CSS "00490b4bbf514e260b4d54b0a48aab38f4c96944d73aa15b769b5b468ef078fd"
#define HV_DIGEST_HANDOFF_WASM "7a245c04f8595dc74eeb41e368c5da0890e49e348442a136b7fc30eb7ed9dc0b"
