#include "web_page.h"
// Rebuilt whenever an asset changes: make web writes each asset's digest here.
#include "digests.h"

#if defined(__APPLE__)
#define HV_SECTION ".const_data"
#define HV_SYMBOL(name) "_" #name
#else
#define HV_SECTION ".section .rodata"
#define HV_SYMBOL(name) #name
#endif

#define HV_EMBED(name, file)                                                   \
    extern const unsigned char hv_bytes_##name[];                              \
    extern const unsigned char hv_bytes_##name##_end[];                        \
    __asm__(HV_SECTION "\n"                                                    \
            ".balign 16\n"                                                     \
            ".globl " HV_SYMBOL(hv_bytes_##name) "\n"                          \
            HV_SYMBOL(hv_bytes_##name) ":\n"                                   \
            ".incbin \"" file "\"\n"                                           \
            ".globl " HV_SYMBOL(hv_bytes_##name##_end) "\n"                    \
            HV_SYMBOL(hv_bytes_##name##_end) ":\n"                             \
            ".byte 0\n"                                                        \
            ".text\n");                                                        \
    hv_asset hv_asset_##name(void) {                                           \
        return (hv_asset){ hv_bytes_##name, (size_t)(hv_bytes_##name##_end - hv_bytes_##name) }; \
    }

HV_EMBED(index_html, HV_ASSETS "/index.html")
HV_EMBED(page_js, HV_ASSETS "/page.js")
HV_EMBED(page_css, HV_ASSETS "/page.css")
HV_EMBED(handoff_wasm, HV_ASSETS "/handoff.wasm")
HV_EMBED(signin_js, HV_ASSETS "/signin.js")
HV_EMBED(audit_html, HV_ASSETS "/audit.html")
HV_EMBED(audit_js, HV_ASSETS "/audit.js")
