#ifndef HANDOFF_WEB_SHIM_H
#define HANDOFF_WEB_SHIM_H
// libsodium for VaultCrypto, and the C allocator the page's buffers come from.
#include <sodium.h>
#include <stdlib.h>
#endif
