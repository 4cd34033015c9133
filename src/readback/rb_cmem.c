/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The firmware's own list of the flash chips it supports (GFH CMEM_ID_INFO, type 0x0102) and
 * their geometry (CMEM_NOR_INFO, type 0x0103), doc/firmware-layout.md section 5. A small bounded
 * scan of the flash start (before the size is known, so not the full layout scan); each
 * candidate goes through the extraction core's strict parsers, and anything odd counts as
 * absent: the readback uses the tables only as size evidence. */
#include <stdio.h>
#include <string.h>

#include "mtkbak/extract.h"
#include "mtkbak/byteorder.h"
#include "readback/rb_internal.h"

#define RB_CMEM_MAX_CHIP (256u * 1024u * 1024u) /* anything larger is not a serial NOR */

/* The extraction core's strict parsers (include/mtkbak/extract.h) validate each candidate. */
static bool parse_ids(const uint8_t *p, size_t avail, struct rb_cmem_id *ids, unsigned *n)
{
	struct fw_cmem_ids t;

	if (gfh_cmem_ids_parse(p, avail, &t) < 0)
		return false;
	*n = 0;
	for (uint32_t i = 0; i < t.count && *n < RB_CMEM_MAX; i++, (*n)++) {
		ids[*n].type = t.e[i].dev_type;
		ids[*n].len = t.e[i].id_len;
		memcpy(ids[*n].id, t.e[i].id, 8);
	}
	return true;
}

static bool parse_nor(const uint8_t *p, size_t avail, uint32_t *sizes, unsigned *n)
{
	struct fw_cmem_nor t;

	if (gfh_cmem_nor_parse(p, avail, &t) < 0)
		return false;
	*n = 0;
	for (uint32_t i = 0; i < t.count; i++) {
		if (t.chip_size[i] == 0 || t.chip_size[i] > RB_CMEM_MAX_CHIP)
			return false;
		if (*n < RB_CMEM_MAX)
			sizes[(*n)++] = (uint32_t)t.chip_size[i];
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
		uint16_t type = mtk_get_le16(p + 6);
		if (type == GFH_BLK_CMEM_ID_INFO) {
			struct rb_cmem_id ids[RB_CMEM_MAX];
			unsigned n;

			memset(ids, 0, sizeof(ids));
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
		} else if (type == GFH_BLK_CMEM_NOR_INFO) {
			uint32_t sizes[RB_CMEM_MAX] = {0};
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
	/* the extraction core's table: 2^n, and Macronix's 1.8 V coding (C2 25 36 = 4 MiB) */
	struct fw_flash_id id = {.dev_type = 3, .id_len = 3, .id = {0, 0, capacity}};
	uint64_t size = fw_jedec_capacity(&id);

	return size >= 64u * 1024u && size <= RB_CMEM_MAX_CHIP ? (uint32_t)size : 0;
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
