/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared inside src/extract (not part of the public API). */
#ifndef MTKBAK_EXTRACT_INTERNAL_H
#define MTKBAK_EXTRACT_INTERNAL_H

#include <stdint.h>

#include "mtkbak/hash.h"

/* SHA-256 and size of a file, streamed (64 KiB at a time). */
int fw_hash_file(const char *path, uint8_t sha[MTK_SHA256_LEN], uint64_t *size);

#endif
