/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mtkbak/hash.h"

#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <string.h>

_Static_assert(sizeof(struct sha256_ctx) <= sizeof(struct mtk_sha256_ctx),
	       "mtk_sha256_ctx too small for nettle's sha256_ctx");

void mtk_sha1(const void *data, size_t len, uint8_t out[MTK_SHA1_LEN])
{
	struct sha1_ctx c;

	sha1_init(&c);
	sha1_update(&c, len, data);
	sha1_digest(&c, MTK_SHA1_LEN, out);
}

void mtk_sha256(const void *data, size_t len, uint8_t out[MTK_SHA256_LEN])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, len, data);
	sha256_digest(&c, MTK_SHA256_LEN, out);
}

void mtk_sha256_init(struct mtk_sha256_ctx *c)
{
	sha256_init((struct sha256_ctx *)(void *)c);
}

void mtk_sha256_update(struct mtk_sha256_ctx *c, const void *data, size_t len)
{
	sha256_update((struct sha256_ctx *)(void *)c, len, data);
}

void mtk_sha256_final(struct mtk_sha256_ctx *c, uint8_t out[MTK_SHA256_LEN])
{
	sha256_digest((struct sha256_ctx *)(void *)c, MTK_SHA256_LEN, out);
}
