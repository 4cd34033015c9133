/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SHA-1 / SHA-256 come from nettle; this header keeps its types out of the rest of the code. */
#ifndef MTKBAK_HASH_H
#define MTKBAK_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "mtkbak/text.h" /* mtk_hex */

#define MTK_SHA1_LEN   20
#define MTK_SHA256_LEN 32

void mtk_sha1(const void *data, size_t len, uint8_t out[MTK_SHA1_LEN]);
void mtk_sha256(const void *data, size_t len, uint8_t out[MTK_SHA256_LEN]);

struct mtk_sha256_ctx {
	/* big enough for nettle's sha256_ctx; checked by a static assert in hash.c */
	uint64_t opaque[16];
};
void mtk_sha256_init(struct mtk_sha256_ctx *c);
void mtk_sha256_update(struct mtk_sha256_ctx *c, const void *data, size_t len);
void mtk_sha256_final(struct mtk_sha256_ctx *c, uint8_t out[MTK_SHA256_LEN]);

#endif
