/* The firmware's own list of the flash chips it supports (GFH CMEM_ID_INFO, type 0x0102) and
 * their geometry (CMEM_NOR_INFO, type 0x0103), firmware-layout.md section 5. A small bounded
 * scan of the flash start: the readback uses them only as size evidence, so every field is
 * validated and anything odd makes the candidate count as absent. */
#include <stdio.h>
#include <string.h>

#include "readback/rb_internal.h"

#define GFH_TYPE_CMEM_ID  0x0102
#define GFH_TYPE_CMEM_NOR 0x0103
#define CMEM_ID_ENTRY	  10
#define CMEM_NOR_ENTRY	  136
#define CMEM_MAX_COUNT	  32
#define NOR_BANKS_OFF	  (2 + 2 + 4 + 8 * 8) /* FDMType, PageBuffer, UniformBlocks, layout[8] */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A CMEM_ID_INFO at p (avail bytes readable); fills ids/n, false when anything is off. */
static bool parse_ids(const uint8_t *p, size_t avail, struct rb_cmem_id *ids, unsigned *n)
{
	uint16_t size = le16(p + 4);
	uint32_t ver = le32(p + 8), count = le32(p + 12);

	if (avail < 16 || (ver != 1 && ver != 2) || count < 1 || count > CMEM_MAX_COUNT)
		return false;
	if (size != ((16 + CMEM_ID_ENTRY * count + 3) & ~3u) || size > avail)
		return false;
	*n = 0;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = p + 16 + CMEM_ID_ENTRY * i;
		uint8_t type = e[0], len = e[1];

		if (type < 1 || type > 5 || len < 1 || len > 8)
			return false;
		for (unsigned k = len; k < 8; k++)
			if (e[2 + k])
				return false;
		if (*n < RB_CMEM_MAX) {
			ids[*n].type = type;
			ids[*n].len = len;
			memcpy(ids[*n].id, e + 2, 8);
			(*n)++;
		}
	}
	return true;
}

/* A CMEM_NOR_INFO at p; per entry the total of its banks. */
static bool parse_nor(const uint8_t *p, size_t avail, uint32_t *sizes, unsigned *n)
{
	uint16_t size = le16(p + 4);
	uint32_t ver = le32(p + 8), count = le32(p + 12);

	if (avail < 16 || (ver != 1 && ver != 2) || count < 1 || count > CMEM_MAX_COUNT)
		return false;
	if (size != 16 + CMEM_NOR_ENTRY * count || size > avail)
		return false;
	*n = 0;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *banks = p + 16 + CMEM_NOR_ENTRY * i + NOR_BANKS_OFF;
		uint64_t total = 0;

		for (unsigned b = 0; b < 8; b++) {
			uint32_t bank_size = le32(banks + 8 * b), nbanks = le32(banks + 8 * b + 4);

			if (bank_size == 0)
				break;
			if (nbanks > 256)
				return false;
			total += (uint64_t)bank_size * nbanks;
		}
		if (total == 0 || total > 256u * 1024u * 1024u)
			return false;
		if (*n < RB_CMEM_MAX)
			sizes[(*n)++] = (uint32_t)total;
	}
	return true;
}

void rb_cmem_scan(const uint8_t *buf, size_t len, struct rb_cmem *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t off = 0; off + 16 <= len; off += 4) {
		const uint8_t *p = buf + off;

		if (p[0] != 'M' || p[1] != 'M' || p[2] != 'M' || p[3] != 1)
			continue;
		uint16_t type = le16(p + 6);
		if (type == GFH_TYPE_CMEM_ID) {
			struct rb_cmem_id ids[RB_CMEM_MAX];
			unsigned n;

			if (!parse_ids(p, len - off, ids, &n))
				continue;
			if (!out->have_ids) {
				out->have_ids = true;
				out->ids_offset = (uint32_t)off;
				out->nids = n;
				memcpy(out->ids, ids, sizeof(ids));
			} else if (n != out->nids || memcmp(ids, out->ids, n * sizeof(ids[0]))) {
				out->copies_differ = true;
			}
		} else if (type == GFH_TYPE_CMEM_NOR) {
			uint32_t sizes[RB_CMEM_MAX];
			unsigned n;

			if (!parse_nor(p, len - off, sizes, &n))
				continue;
			if (!out->have_nor) {
				out->have_nor = true;
				out->nor_offset = (uint32_t)off;
				out->nnor = n;
				memcpy(out->nor_size, sizes, sizeof(sizes));
			} else if (n != out->nnor ||
				   memcmp(sizes, out->nor_size, n * sizeof(sizes[0]))) {
				out->copies_differ = true;
			}
		}
	}
}

uint32_t rb_jedec_capacity_size(uint8_t capacity)
{
	/* 0x10 = 64 KiB .. 0x19 = 32 MiB (2^n); Macronix's 1.8 V parts count from 0x20 (C2 25 36 =
	 * 4 MiB, C2 25 38 = 16 MiB); anything else is not understood. */
	if (capacity >= 0x10 && capacity <= 0x19)
		return 1u << capacity;
	if (capacity >= 0x30 && capacity <= 0x39)
		return 1u << (capacity - 0x20);
	return 0;
}

uint32_t rb_cmem_size(const struct rb_cmem *c)
{
	uint32_t size = 0;

	if (c->have_nor && c->nnor) {
		for (unsigned i = 0; i < c->nnor; i++) {
			if (size && c->nor_size[i] != size)
				return 0;
			size = c->nor_size[i];
		}
		return size;
	}
	if (c->have_ids) {
		for (unsigned i = 0; i < c->nids; i++) {
			uint32_t s;

			if (c->ids[i].type != 3 || c->ids[i].len < 3)
				return 0;
			s = rb_jedec_capacity_size(c->ids[i].id[2]);
			if (!s || (size && s != size))
				return 0;
			size = s;
		}
	}
	return size;
}

int rb_cmem_find_jedec(const struct rb_cmem *c, const uint8_t jedec[3])
{
	if (!c->have_ids)
		return -1;
	for (unsigned i = 0; i < c->nids; i++)
		if (c->ids[i].len >= 3 && !memcmp(c->ids[i].id, jedec, 3))
			return (int)i;
	return -1;
}

void rb_cmem_list_text(const struct rb_cmem *c, char *out, size_t len)
{
	size_t pos = 0;

	if (len)
		out[0] = '\0';
	for (unsigned i = 0; i < c->nids && pos < len; i++) {
		int n = snprintf(out + pos, len - pos, "%s", i ? ", " : "");

		if (n < 0)
			return;
		pos += (size_t)n;
		for (unsigned k = 0; k < c->ids[i].len && k < 3 && pos < len; k++) {
			n = snprintf(out + pos, len - pos, "%s%02X", k ? " " : "", c->ids[i].id[k]);
			if (n < 0)
				return;
			pos += (size_t)n;
		}
	}
}
