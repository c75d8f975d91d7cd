// Written by WebPage/build/digests.sh (make web): the page files' SHA-256, so that a changed file
// rebuilds web_page.c. Not used at run time (handoffd hashes what it embeds).
#define HV_DIGEST_INDEX_HTML "023b61c4db885b56fbad994df073cace3d72b06130a069b58ddb5cce7c997eb9"
#define HV_DIGEST_PAGE_JS "e95804414f09e90ea05480d3f355e82a7954e69f5df752e18ac96cabbffa48c4"
#define HV_DIGEST_PAGE_CSS "00490b4bbf514e260b4d54b0a48aab38f4c96944d73aa15b769b5b468ef078fd"
#define HV_DIGEST_HANDOFF_WASM "a52963443fcfa415040c15c84073a85d583be5c693a2f887ea0c9c697a15e72c"
#define HV_DIGEST_SIGNIN_JS "88a35fb2e7cc669bc2f99d756eb1f6accf21c084698e4ba6fc3eb18cdba3daad"
