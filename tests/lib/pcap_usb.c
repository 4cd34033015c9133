/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "pcap_usb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/byteorder.h"

#define PCAP_MAGIC   0xA1B2C3D4u
#define LINK_USBPCAP 249
#define USBPCAP_HDR  27 /* fixed part of USBPCAP_BUFFER_PACKET_HEADER */

int usbpcap_load(const char *path, struct usbpcap *p)
{
	size_t off = 24, cap = 0;
	double t0 = -1;
	int ret;

	memset(p, 0, sizeof(*p));
	if ((ret = read_whole_file(path, &p->buf, &p->len, 64u << 20)) < 0)
		return ret;
	if (p->len < 24 || mtk_get_le32(p->buf) != PCAP_MAGIC ||
	    mtk_get_le32(p->buf + 20) != LINK_USBPCAP) {
		usbpcap_free(p);
		return -EBADMSG;
	}
	while (off < p->len) {
		const uint8_t *r, *h;
		uint32_t incl, hlen, dlen;
		struct usbpcap_rec *rec;

		if (p->len - off < 16)
			goto bad;
		r = p->buf + off;
		incl = mtk_get_le32(r + 8);
		if (incl > p->len - off - 16 || incl < USBPCAP_HDR)
			goto bad;
		h = r + 16;
		hlen = mtk_get_le16(h);
		dlen = mtk_get_le32(h + 23);
		if (hlen < USBPCAP_HDR || hlen > incl || dlen > incl - hlen)
			goto bad;
		if (p->count == cap) {
			struct usbpcap_rec *n;

			cap = cap ? cap * 2 : 256;
			n = realloc(p->recs, cap * sizeof(*n));
			if (!n) {
				usbpcap_free(p);
				return -ENOMEM;
			}
			p->recs = n;
		}
		rec = &p->recs[p->count++];
		rec->ts = mtk_get_le32(r) + mtk_get_le32(r + 4) / 1e6;
		if (t0 < 0)
			t0 = rec->ts;
		rec->ts -= t0;
		rec->function = mtk_get_le16(h + 14);
		rec->in = h[16] & 1;
		rec->endpoint = h[21];
		rec->transfer = h[22];
		rec->data = h + hlen;
		rec->len = dlen;
		off += 16 + incl;
	}
	return 0;
bad:
	usbpcap_free(p);
	return -EBADMSG;
}

void usbpcap_free(struct usbpcap *p)
{
	free(p->buf);
	free(p->recs);
	memset(p, 0, sizeof(*p));
}

bool usbpcap_is_bulk_data(const struct usbpcap_rec *r)
{
	return r->transfer == 3 && r->len > 0;
}

bool usbpcap_me_id(const struct usbpcap *p, char hex[33])
{
	for (size_t i = 0; i + 3 < p->count; i++) {
		const struct usbpcap_rec *r = &p->recs[i];
		size_t k;
		int ins = 0;

		if (!usbpcap_is_bulk_data(r) || r->in || r->len != 1 || r->data[0] != 0xE1)
			continue;
		for (k = i + 1; k < p->count; k++)
			if (usbpcap_is_bulk_data(&p->recs[k]) && p->recs[k].in && ++ins == 3)
				break;
		if (k == p->count || p->recs[k].len != 16)
			return false;
		for (int j = 0; j < 16; j++)
			snprintf(hex + 2 * j, 3, "%02x", p->recs[k].data[j]);
		return true;
	}
	return false;
}
