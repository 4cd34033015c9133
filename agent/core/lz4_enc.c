/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LZ4 block encoder (greedy, one 4-byte hash probe per position, skipping ahead faster on
 * data that does not match, like lz4's own fast mode). Output follows the block format's end
 * rules: the last match starts at least 12 bytes before the end and the last 5 bytes are
 * literals, so any conforming decoder (LZ4_decompress_safe) accepts it. */
#include "lz4_enc.h"

#define MINMATCH     4u
#define MFLIMIT	     12u
#define LASTLITERALS 5u
#define MAX_DISTANCE 65535u

static uint32_t rd32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t hash4(uint32_t v)
{
	return (v * 2654435761u) >> (32u - AGENT_LZ4_HBITS);
}

/* At least the bytes a length field needs beyond its 4-bit nibble ((len - 15) / 255 + 1),
 * without a division (no libgcc call in the position-independent agent). */
static uint32_t ext_len(uint32_t len)
{
	return len < 15u ? 0u : ((len - 15u) >> 8) + 2u;
}

static uint8_t *put_ext(uint8_t *op, uint32_t len)
{
	if (len < 15u)
		return op;
	len -= 15u;
	while (len >= 255u) {
		*op++ = 255u;
		len -= 255u;
	}
	*op++ = (uint8_t)len;
	return op;
}

/* One sequence: literals src[anchor:ip], then (unless mlen == 0) a match of mlen bytes at
 * distance dist. Returns the new output position, or 0 when it would pass end. */
static uint8_t *put_seq(uint8_t *op, const uint8_t *end, const uint8_t *lit, uint32_t litlen,
			uint32_t dist, uint32_t mlen)
{
	uint32_t ml = mlen ? mlen - MINMATCH : 0u;
	uint32_t need = 1u + ext_len(litlen) + litlen + (mlen ? 2u + ext_len(ml) : 0u);
	uint8_t *tok = op;

	if (need > (uint32_t)(end - op))
		return 0;
	*op++ = (uint8_t)((litlen < 15u ? litlen : 15u) << 4 | (ml < 15u ? ml : 15u));
	op = put_ext(op, litlen);
	for (uint32_t i = 0; i < litlen; i++)
		*op++ = lit[i];
	if (!mlen) {
		*tok &= 0xF0u;
		return op;
	}
	*op++ = (uint8_t)dist;
	*op++ = (uint8_t)(dist >> 8);
	return put_ext(op, ml);
}

uint32_t agent_lz4_block(const uint8_t *src, uint32_t n, uint8_t *dst, uint32_t cap, uint16_t *tab)
{
	const uint8_t *end = dst + cap;
	uint8_t *op = dst;
	uint32_t ip = 0, anchor = 0, misses = 0;

	if (n < MFLIMIT + 1u || n > 65536u || cap == 0)
		return 0;
	for (uint32_t i = 0; i < AGENT_LZ4_TAB; i++)
		tab[i] = 0;
	/* a match may start at ip <= n - MFLIMIT and end at most at n - LASTLITERALS */
	while (ip <= n - MFLIMIT) {
		uint32_t seq = rd32le(src + ip), h = hash4(seq), cand = tab[h], mlen;

		tab[h] = (uint16_t)ip;
		if (cand >= ip || ip - cand > MAX_DISTANCE || rd32le(src + cand) != seq) {
			ip += 1u + (misses++ >> 5);
			continue;
		}
		misses = 0;
		while (ip > anchor && cand > 0 && src[ip - 1u] == src[cand - 1u]) {
			ip--;
			cand--;
		}
		mlen = MINMATCH;
		while (ip + mlen < n - LASTLITERALS && src[cand + mlen] == src[ip + mlen])
			mlen++;
		op = put_seq(op, end, src + anchor, ip - anchor, ip - cand, mlen);
		if (!op)
			return 0;
		ip += mlen;
		anchor = ip;
		if (ip >= 2u && ip <= n - MFLIMIT)
			tab[hash4(rd32le(src + ip - 2u))] = (uint16_t)(ip - 2u);
	}
	op = put_seq(op, end, src + anchor, n - anchor, 0, 0);
	return op ? (uint32_t)(op - dst) : 0u;
}
