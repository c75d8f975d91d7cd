#ifndef HANDOFF_WEB_PAGE_H
#define HANDOFF_WEB_PAGE_H
#include <stddef.h>

/// The customer's web page, built into the handoffd binary (no files to install beside it): the
/// bytes of each file in WebPage/CWebPage/assets, included by the assembler.
typedef struct {
    const unsigned char *bytes;
    size_t size;
} hv_asset;

hv_asset hv_asset_index_html(void);
hv_asset hv_asset_page_js(void);
hv_asset hv_asset_page_css(void);
hv_asset hv_asset_handoff_wasm(void);
hv_asset hv_asset_signin_js(void);
hv_asset hv_asset_audit_html(void);
hv_asset hv_asset_audit_js(void);

#endif
