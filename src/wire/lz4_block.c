/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LZ4 block decoder: every length from the stream is checked against what is left of the
 * input and of the output before it is used (see include/mtkbak/lz4_block.h). */
#include "mtkbak/lz4_block.h"

#include "mtkbak/errors.h"

/* Adds the 255-run extension of a length field; -1 when the input ends first. */
static int ext_len(const uint8_t *src, size_t srclen, size_t *ip, size_t *len)
{
	uint8_t b;

	do {
		if (*ip >= srclen)
			return -1;
		b = src[(*ip)++];
		*len += b;
		if (*len > ((size_t)1 << 30)) /* far beyond any block: stop adding */
			return -1;
	} while (b == 255u);
	return 0;
}

int mtk_lz4_decode(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen)
{
	size_t ip = 0, op = 0;

	if (!src || !dst || srclen == 0)
		return -EBADMSG;
	for (;;) {
		uint8_t tok = src[ip++];
		size_t lit = tok >> 4, mlen = tok & 15u, dist;

		if (lit == 15u && ext_len(src, srclen, &ip, &lit) < 0)
			return -EBADMSG;
		if (lit > srclen - ip || lit > dstlen - op)
			return -EBADMSG;
		for (size_t i = 0; i < lit; i++)
			dst[op + i] = src[ip + i];
		ip += lit;
		op += lit;
		if (ip == srclen) /* the last sequence has literals only */
			return op == dstlen ? 0 : -EBADMSG;
		if (srclen - ip < 2u)
			return -EBADMSG;
		dist = (size_t)src[ip] | (size_t)src[ip + 1] << 8;
		ip += 2;
		if (dist == 0 || dist > op)
			return -EBADMSG;
		if (mlen == 15u && ext_len(src, srclen, &ip, &mlen) < 0)
			return -EBADMSG;
		mlen += 4u;
		if (mlen > dstlen - op)
			return -EBADMSG;
		/* byte by byte: an overlapping match (dist < mlen) repeats what it just wrote */
		for (size_t i = 0; i < mlen; i++)
			dst[op + i] = dst[op - dist + i];
		op += mlen;
		if (ip >= srclen)
			return -EBADMSG; /* a block ends with literals, never with a match */
	}
}
