/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Host side of mtkbak's agent protocol (src/da/agent/core/protocol.h).
 *
 * Speed: one READ command asks for a whole chunk and the agent streams it in packets with
 * a CRC each, so the host never waits for a reply per packet. Integrity: lengths are known in
 * advance (never taken from the wire); a packet whose header or CRC is wrong is re-requested;
 * a broken stream is re-synchronised with SYNC and a fresh token. Every read has a deadline. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mtkbak/crc32.h"
#include "mtkbak/agent_wire.h"
#include "mtkbak/da.h"
#include "mtkbak/errors.h"
#include "mtkbak/lz4_block.h"
#include "mtkbak/transport.h"
#include "mtkbak/clock.h"
#include "da_internal.h"

#define DA_PROBE_TAIL_MS 250
#define DA_DRAIN_MS	 10000 /* bounded drain of a stream still in flight */
#define DA_SYNC_TRIES	 3
#define DA_Z_SKIP	 3u /* raw chunks after one that did not pay compressed */

static int fail(struct da *d, int err, const char *fmt, ...) MTK_PRINTF(3, 4);

static int fail(struct da *d, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->detail, sizeof(d->detail), fmt, ap);
	va_end(ap);
	mtk_logf(d->log, MTK_LOG_DEBUG, "da: %s (%s)", d->detail, mtk_strerror(err));
	return err;
}

static struct mtk_transport *tp(struct da *d)
{
	return d->brom->tp;
}

static int wr(struct da *d, const void *p, size_t n)
{
	return mtk_tp_write(tp(d), p, n, d->timeout_ms);
}

static int rd(struct da *d, void *p, size_t n, int timeout_ms)
{
	int ret = mtk_tp_read_exact(tp(d), p, n, timeout_ms);

	if (ret >= 0)
		d->last_rx_ms = mtk_now_ms();
	return ret;
}

/* A link error ends the exchange for good; anything else may be cured by a resync. */
static int link_gone(int err)
{
	return err == -ENODEV || err == -EIO || err == -EINTR;
}

const char *da_status_text(uint16_t status)
{
	switch (status) {
	case AGENT_ST_OK:
		return "ok";
	case AGENT_ST_BAD_LEN:
		return "length is zero or too large";
	case AGENT_ST_RANGE:
		return "range outside the flash window";
	case AGENT_ST_BAD_PACKET:
		return "packet size is zero or too large";
	case AGENT_ST_SPI:
		return "the serial flash controller did not complete the transaction";
	case AGENT_ST_FLASH:
		return "reading the flash window failed";
	case AGENT_ST_NO_SPI:
		return "no serial flash access on this device";
	case AGENT_ST_NO_ME_ID:
		return "the agent does not know this watch's ME ID";
	case AGENT_ST_READ_ONLY:
		return "refused in a read session: only restore opens a write session";
	case AGENT_ST_WEL:
		return "the flash did not set its write-enable latch (write-protect pin?)";
	case AGENT_ST_TIMEOUT:
		return "the flash stayed busy past the deadline";
	case AGENT_ST_BAD_CRC:
		return "the data arrived damaged (CRC mismatch; nothing was programmed)";
	case AGENT_ST_BAD_ARG:
		return "opcode, alignment or key not accepted";
	default:
		return "unknown agent status";
	}
}

static int known_status(uint16_t st)
{
	return st >= AGENT_ST_BAD_LEN && st <= AGENT_ST_LAST;
}

uint32_t da_crc32_update(uint32_t crc, const uint8_t *data, size_t len)
{
	while (len > 0x40000000u) {
		crc = mtk_crc32(crc, data, 0x40000000u);
		data += 0x40000000u;
		len -= 0x40000000u;
	}
	return mtk_crc32(crc, data, (uint32_t)len);
}

int da_blob_parse(const uint8_t *blob, size_t len, struct da_blob_info *out)
{
	struct da_blob_info bi;

	if (!blob || len < AGENT_IMG_HEADER_LEN || blob[3] != 0xEA /* ARM "b" */ ||
	    memcmp(blob + AGENT_IMG_MAGIC_OFF, AGENT_IMG_MAGIC, 8) != 0)
		return -EINVAL;
	bi.version = mtk_get_le32(blob + AGENT_IMG_VERSION_OFF);
	bi.size = mtk_get_le32(blob + AGENT_IMG_SIZE_OFF);
	bi.footprint = mtk_get_le32(blob + AGENT_IMG_FOOTPRINT_OFF);
	if (bi.size != len || bi.footprint < bi.size || bi.footprint > 0x100000u)
		return -EINVAL;
	if (out)
		*out = bi;
	return 0;
}

void da_init(struct da *d, struct brom *b)
{
	memset(d, 0, sizeof(*d));
	d->brom = b;
	d->log = b ? b->log : NULL;
	d->timeout_ms = DA_DEFAULT_TIMEOUT_MS;
	d->packet_size = DA_DEFAULT_PACKET;
	d->chunk_size = DA_DEFAULT_CHUNK;
	d->max_retries = DA_DEFAULT_RETRIES;
	d->max_packet = AGENT_MAX_PACKET;
	d->compress = DA_COMPRESS_AUTO;
}

bool da_can_compress(const struct da *d)
{
	return (d->flags & AGENT_HELLO_F_ZREAD) != 0;
}

/* ---- hello, probe, resync ---- */

static int hello_parse(struct da *d, const uint8_t h[AGENT_HELLO_LEN])
{
	uint32_t ver, maxp;

	if (memcmp(h, AGENT_HELLO_MAGIC, 4) != 0 || mtk_crc32(0, h, 12) != mtk_get_be32(h + 12))
		return fail(d, -EPROTO, "the agent's hello is garbled");
	ver = mtk_get_be16(h + 4);
	maxp = mtk_get_be32(h + 8);
	if (ver != AGENT_PROTO_VERSION)
		return fail(d, -EPROTO,
			    "the agent speaks protocol version %u, this mtkbak speaks %u: use the "
			    "agent built into this mtkbak (reconnect the watch to reload it)",
			    (unsigned)ver, AGENT_PROTO_VERSION);
	if (maxp == 0 || maxp > AGENT_MAX_PACKET)
		return fail(d, -EPROTO, "the agent announces an impossible packet limit %u",
			    (unsigned)maxp);
	d->version = ver;
	d->flags = mtk_get_be16(h + 6);
	d->max_packet = maxp;
	return 0;
}

int da_wait_hello(struct da *d, int timeout_ms)
{
	uint8_t h[AGENT_HELLO_LEN];
	int ret = rd(d, h, sizeof(h), timeout_ms);

	if (ret == -ETIMEDOUT)
		return fail(d, ret,
			    "the agent did not say hello within %d ms after the jump (it may not "
			    "have found the boot ROM's USB routines; try --no-da)",
			    timeout_ms);
	if (ret < 0)
		return fail(d, ret, "waiting for the agent's hello: %s", mtk_strerror(ret));
	if ((ret = hello_parse(d, h)) < 0)
		return ret;
	mtk_logf(d->log, MTK_LOG_INFO, "da: agent protocol %u, packets up to %u bytes",
		 (unsigned)d->version, (unsigned)d->max_packet);
	return 0;
}

int da_probe(struct brom *b, int timeout_ms)
{
	uint8_t c = AGENT_CMD_PING, h[AGENT_HELLO_LEN];
	struct da tmp;
	int ret;

	da_init(&tmp, b);
	if ((ret = mtk_tp_write(b->tp, &c, 1, timeout_ms)) < 0)
		return ret;
	if ((ret = mtk_tp_read_exact(b->tp, &c, 1, timeout_ms)) < 0)
		return ret;
	if (c != AGENT_CMD_PING)
		return -EPROTO;
	/* the boot ROM only echoes; the agent follows the echo with its hello at once */
	ret = mtk_tp_read_exact(b->tp, h, sizeof(h), DA_PROBE_TAIL_MS);
	if (ret == -ETIMEDOUT)
		return 0;
	if (ret < 0)
		return ret;
	return hello_parse(&tmp, h) == 0 ? 1 : -EPROTO;
}

int da_ping(struct da *d)
{
	uint8_t c = AGENT_CMD_PING, r[1 + AGENT_HELLO_LEN];
	int ret;

	if ((ret = wr(d, &c, 1)) < 0 || (ret = rd(d, r, sizeof(r), d->timeout_ms)) < 0)
		return fail(d, ret, "PING: %s", mtk_strerror(ret));
	if (r[0] != AGENT_CMD_PING)
		return fail(d, -EPROTO, "PING: echo 0x%02X instead of 0x70", r[0]);
	return hello_parse(d, r + 1);
}

/* Skips whatever is in flight (the rest of a broken stream, stale replies) and finds the
 * reply to a SYNC carrying a fresh token. */
static int resync(struct da *d)
{
	int ret = -EPROTO;

	for (int attempt = 0; attempt < DA_SYNC_TRIES; attempt++) {
		uint8_t req[5], win[5] = {0}, h[AGENT_HELLO_LEN];
		uint32_t token =
		    (uint32_t)mtk_now_ms() * 2654435761u ^ (uint32_t)(d->resyncs + attempt);
		int64_t end;
		uint64_t skipped = 0, limit = (uint64_t)d->chunk_size + 4u * AGENT_MAX_PACKET;

		mtk_tp_drain(tp(d), DA_DRAIN_MS);
		req[0] = AGENT_CMD_SYNC;
		mtk_put_be32(req + 1, token);
		if ((ret = wr(d, req, sizeof(req))) < 0)
			return fail(d, ret, "SYNC: %s", mtk_strerror(ret));
		end = mtk_now_ms() + 2 * d->timeout_ms;
		/* bounded by the deadline and by the bytes a stream can still hold */
		for (;;) {
			uint8_t c;
			int64_t left = end - mtk_now_ms();

			if (left <= 0 || skipped > limit) {
				ret = -ETIMEDOUT;
				break;
			}
			if ((ret = rd(d, &c, 1, (int)left)) < 0)
				break;
			memmove(win, win + 1, 4);
			win[4] = c;
			skipped++;
			if (memcmp(win, req, sizeof(req)) != 0)
				continue;
			if ((ret = rd(d, h, sizeof(h), d->timeout_ms)) < 0)
				break;
			if ((ret = hello_parse(d, h)) == 0) {
				d->resyncs++;
				mtk_logf(d->log, MTK_LOG_DEBUG,
					 "da: resynchronised (skipped %llu bytes)",
					 (unsigned long long)skipped - sizeof(req));
				return 0;
			}
			break; /* a damaged hello: ask again */
		}
		if (link_gone(ret))
			break;
	}
	return fail(d, ret, "the agent stopped answering in step (%s)", mtk_strerror(ret));
}

/* ---- start ---- */

static int start_blob(struct da *d, struct brom *b, const struct chip_info *chip,
		      const uint8_t *blob, size_t len, int wdt_ms)
{
	struct da_blob_info bi;
	int ret;

	da_init(d, b);
	if (da_blob_parse(blob, len, &bi) < 0)
		return fail(d, -EINVAL, "the embedded agent image is damaged (rebuild mtkbak)");
	if (!chip || !chip->agent_load_addr || (chip->agent_load_addr & 3u))
		return fail(d, -EINVAL, "no agent load address is known for this chip");
	if (bi.footprint > chip->agent_max_size)
		return fail(d, -EINVAL,
			    "the agent needs %u bytes of SRAM, the %s table allows %u at 0x%08X",
			    (unsigned)bi.footprint, chip->name, (unsigned)chip->agent_max_size,
			    (unsigned)chip->agent_load_addr);

	/* A boot ROM that just answered the handshake afresh cannot be running an agent: only
	 * probe (250 ms) when it was already in command mode. */
	ret = b->already_synced ? da_probe(b, d->timeout_ms) : 0;
	if (ret == 1) {
		d->reused = true;
		mtk_logf(d->log, MTK_LOG_INFO,
			 "da: an mtkbak agent is already running: reusing it");
		return da_ping(d);
	}
	if (ret < 0)
		return fail(d, ret, "probing for a running agent: %s", mtk_strerror(ret));

	mtk_logf(d->log, MTK_LOG_INFO, "da: uploading the agent (%u bytes) to 0x%08X",
		 (unsigned)len, (unsigned)chip->agent_load_addr);
	ret = brom_send_da(b, chip->agent_load_addr, blob, (uint32_t)len, 0);
	if (ret < 0)
		return fail(d, ret, "uploading the agent (D7): %s%s%s",
			    b->detail[0] ? b->detail : "", b->detail[0] ? "; " : "",
			    ret == -EPERM ? "this watch is a secure part that only runs signed code"
					  : mtk_strerror(ret));
	if (wdt_ms > 0) {
		/* the dead man's switch: an agent that never runs (or hangs) resets the watch */
		ret = brom_arm_watchdog(b, chip, wdt_ms);
		if (ret < 0 && ret != -EREMOTEIO && ret != -ENOTSUP)
			return fail(d, ret, "arming the watchdog: %s",
				    b->detail[0] ? b->detail : mtk_strerror(ret));
		d->wdt_armed = ret == 0;
	}
	d->jumped = true;
	d->last_rx_ms = mtk_now_ms();
	ret = brom_jump_da(b, chip->agent_load_addr);
	if (ret < 0)
		return fail(d, ret, "starting the agent (D5): %s",
			    b->detail[0] ? b->detail : mtk_strerror(ret));
	return da_wait_hello(d, DA_HELLO_TIMEOUT_MS);
}

int da_start_blob(struct da *d, struct brom *b, const struct chip_info *chip, const uint8_t *blob,
		  size_t len)
{
	return start_blob(d, b, chip, blob, len, 0);
}

int da_start(struct da *d, struct brom *b, const struct chip_info *chip)
{
	return start_blob(d, b, chip, mtkbak_agent_blob, mtkbak_agent_blob_len, 0);
}

int da_start_wdt(struct da *d, struct brom *b, const struct chip_info *chip, int wdt_ms)
{
	return start_blob(d, b, chip, mtkbak_agent_blob, mtkbak_agent_blob_len, wdt_ms);
}

/* ---- small commands: echo, status, [payload crc32] ---- */

static int small_cmd(struct da *d, const uint8_t *req, size_t reqlen, uint8_t *payload,
		     uint32_t plen, int timeout_ms, const char *name)
{
	int ret = -EPROTO;

	for (unsigned attempt = 0; attempt <= d->max_retries; attempt++) {
		uint8_t head[3], crc[4], pad;
		uint16_t st;

		if (attempt) {
			d->retries++;
			if ((ret = resync(d)) < 0)
				return ret;
		}
		if ((ret = wr(d, req, reqlen)) < 0)
			return fail(d, ret, "%s: %s", name, mtk_strerror(ret));
		if ((ret = rd(d, head, sizeof(head), timeout_ms)) < 0) {
			if (link_gone(ret))
				return fail(d, ret, "%s: %s", name, mtk_strerror(ret));
			fail(d, ret, "%s: no answer", name);
			continue;
		}
		st = mtk_get_be16(head + 1);
		if (head[0] != req[0] || (st != AGENT_ST_OK && !known_status(st))) {
			ret = fail(d, -EPROTO, "%s: garbled answer %02X %04X", name, head[0], st);
			continue;
		}
		if (st != AGENT_ST_OK) {
			d->last_status = st;
			return fail(d, -EREMOTEIO, "%s: the agent says 0x%04X (%s)", name, st,
				    da_status_text(st));
		}
		if ((ret = rd(d, payload, plen, d->timeout_ms)) < 0 ||
		    (ret = rd(d, crc, sizeof(crc), d->timeout_ms)) < 0 ||
		    (agent_reply_padded(sizeof(head) + plen + 4u) &&
		     (ret = rd(d, &pad, 1, d->timeout_ms)) < 0)) {
			if (link_gone(ret))
				return fail(d, ret, "%s: %s", name, mtk_strerror(ret));
			fail(d, ret, "%s: answer cut short", name);
			continue;
		}
		if (mtk_crc32(0, payload, plen) != mtk_get_be32(crc)) {
			ret = fail(d, -EBADMSG, "%s: CRC mismatch in the answer", name);
			continue;
		}
		d->detail[0] = 0;
		return 0;
	}
	return fail(d, ret == -EPROTO || ret == -EBADMSG ? -EBADMSG : ret,
		    "%s: no intact answer after %u tries", name, d->max_retries + 1);
}

/* for da_write.c (da_internal.h) */
int da_small_cmd(struct da *d, const uint8_t *req, size_t reqlen, uint8_t *payload, uint32_t plen,
		 int timeout_ms, const char *name)
{
	return small_cmd(d, req, reqlen, payload, plen, timeout_ms, name);
}

int da_fail(struct da *d, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->detail, sizeof(d->detail), fmt, ap);
	va_end(ap);
	mtk_logf(d->log, MTK_LOG_DEBUG, "da: %s (%s)", d->detail, mtk_strerror(err));
	return err;
}

static uint32_t density_bytes(uint32_t dw2)
{
	/* JESD216 BFPT dword 2: bit 31 clear = bits - 1; set = 2^N bits */
	if (!(dw2 & 0x80000000u))
		return dw2 >= 0xFFFFFFF7u ? 0 : (dw2 + 1u) / 8u;
	dw2 &= 0x7FFFFFFFu;
	return dw2 >= 3u && dw2 < 35u ? (uint32_t)(1ull << (dw2 - 3u)) : 0;
}

int da_read_sfdp(struct da *d, uint32_t addr, uint8_t *buf, uint32_t len)
{
	uint8_t req[9];

	if (!len || len > AGENT_SFDP_MAX)
		return fail(d, -EINVAL, "SFDP: %u bytes asked, 1..%u allowed", (unsigned)len,
			    AGENT_SFDP_MAX);
	req[0] = AGENT_CMD_SFDP;
	mtk_put_be32(req + 1, addr);
	mtk_put_be32(req + 5, len);
	return small_cmd(d, req, sizeof(req), buf, len, d->timeout_ms, "SFDP");
}

int da_flash_info(struct da *d, struct da_flash_info *fi)
{
	uint8_t req = AGENT_CMD_FLASH_ID, sfdp[AGENT_SFDP_MAX];
	int ret;

	memset(fi, 0, sizeof(*fi));
	if ((ret = small_cmd(d, &req, 1, fi->jedec, 3, d->timeout_ms, "FLASH_ID")) < 0)
		return ret;
	if (fi->jedec[2] >= 0x10 && fi->jedec[2] <= 0x1F)
		fi->jedec_size = 1u << fi->jedec[2];
	mtk_logf(d->log, MTK_LOG_INFO, "da: JEDEC ID %02X %02X %02X", fi->jedec[0], fi->jedec[1],
		 fi->jedec[2]);

	/* SFDP header (8 bytes) + first parameter header (8 bytes); a controller that fails
	 * here (agent status 0x2D04) still leaves the JEDEC ID: no SFDP, not an error */
	if ((ret = da_read_sfdp(d, 0, sfdp, 16)) == -EREMOTEIO) {
		mtk_logf(d->log, MTK_LOG_INFO, "da: no SFDP (%s)", d->detail);
		d->detail[0] = 0;
		return 0;
	}
	if (ret < 0)
		return ret;
	if (memcmp(sfdp, "SFDP", 4) == 0) {
		uint32_t ptr = sfdp[12] | (uint32_t)sfdp[13] << 8 | (uint32_t)sfdp[14] << 16;
		uint8_t bfpt[8];

		fi->has_sfdp = true;
		fi->sfdp_minor = sfdp[4];
		fi->sfdp_major = sfdp[5];
		/* parameter header 0 is the basic flash parameter table (id 0x00/0xFF) */
		if (sfdp[8] == 0x00 && sfdp[11] >= 2 && ptr < 0xFFFFF8u &&
		    (ret = da_read_sfdp(d, ptr, bfpt, sizeof(bfpt))) == 0)
			fi->sfdp_size = density_bytes(mtk_get_le32(bfpt + 4));
		else if (ret < 0 && ret != -EREMOTEIO)
			return ret;
	}
	mtk_logf(d->log, MTK_LOG_INFO, "da: size from JEDEC %u, from SFDP %u",
		 (unsigned)fi->jedec_size, (unsigned)fi->sfdp_size);
	return 0;
}

int da_crc32(struct da *d, uint32_t off, uint32_t len, uint32_t *crc)
{
	uint8_t req[9], v[4];
	int ret;

	if (!len || off >= AGENT_FLASH_WINDOW || len > AGENT_FLASH_WINDOW - off)
		return fail(d, -EINVAL, "CRC32: range 0x%X+0x%X outside the 16 MiB flash window",
			    (unsigned)off, (unsigned)len);
	req[0] = AGENT_CMD_CRC32;
	mtk_put_be32(req + 1, off);
	mtk_put_be32(req + 5, len);
	/* the device reads the whole range first: allow >= 512 KB/s on top of the deadline */
	ret = small_cmd(d, req, sizeof(req), v, sizeof(v), d->timeout_ms + (int)(len / 512u),
			"CRC32");
	if (ret == 0)
		*crc = mtk_get_be32(v);
	return ret;
}

int da_reboot(struct da *d)
{
	uint8_t req = AGENT_CMD_REBOOT, r[3];
	int ret;

	if ((ret = wr(d, &req, 1)) < 0)
		return fail(d, ret, "REBOOT: %s", mtk_strerror(ret));
	ret = rd(d, r, sizeof(r), d->timeout_ms);
	if (ret == -ENODEV) {
		/* it reset before its answer reached us: the watch left the bus, as asked */
		mtk_logf(d->log, MTK_LOG_INFO, "da: the watch left the bus (reset)");
		return 0;
	}
	if (ret < 0)
		return fail(d, ret, "REBOOT: no answer (%s); the watch may not have reset",
			    mtk_strerror(ret));
	if (r[0] != AGENT_CMD_REBOOT || mtk_get_be16(r + 1) != AGENT_ST_OK)
		return fail(d, -EPROTO, "REBOOT: unexpected answer %02X %02X %02X", r[0], r[1],
			    r[2]);
	mtk_logf(d->log, MTK_LOG_INFO, "da: the watch is resetting");
	return 0;
}

/* ---- READ ---- */

struct chunk {
	uint32_t pos, len, pkt, npk;
	bool z;	       /* compressed READ */
	uint8_t *zbuf; /* one compressed payload (pkt bytes) */
	uint64_t wire; /* reply bytes of this chunk */
	uint8_t *buf;
	uint8_t *good;	    /* per packet */
	uint32_t delivered; /* packets handed to the sink */
	da_sink_fn sink;
	void *ctx;
};

static uint32_t pkt_len(const struct chunk *c, uint32_t k)
{
	uint32_t start = k * c->pkt;

	return c->len - start < c->pkt ? c->len - start : c->pkt;
}

static int deliver(struct da *d, struct chunk *c)
{
	while (c->delivered < c->npk && c->good[c->delivered]) {
		uint32_t k = c->delivered, n = pkt_len(c, k);
		int ret =
		    c->sink ? c->sink(c->ctx, c->pos + k * c->pkt, c->buf + k * c->pkt, n) : 0;

		if (ret < 0)
			return ret;
		d->bytes_read += n;
		c->delivered++;
	}
	return 0;
}

/* One packet of a compressed READ into its place in the chunk. Lengths: the packet's own
 * length is known in advance (pkt_len); the payload length on the wire is only accepted
 * below it (an LZ4 block) or as zero (raw, erased), and the decoder never writes past the
 * packet. 0: good; -EBADMSG: damaged but the stream is still in step (re-request it);
 * -EPROTO: out of step (resync); or a link error. */
static int read_zpacket(struct da *d, struct chunk *c, uint32_t k, uint64_t *reply)
{
	uint32_t n = pkt_len(c, k), at = c->pos + k * c->pkt, zlen;
	uint8_t hdr[AGENT_ZPKT_HDR], crc[4], kind, *data = c->buf + k * c->pkt;
	int ret, bad = 0;

	if ((ret = rd(d, hdr, sizeof(hdr), d->timeout_ms)) < 0)
		return fail(d, ret, "READ: packet at 0x%X: %s", (unsigned)at, mtk_strerror(ret));
	kind = hdr[8];
	zlen = mtk_get_be16(hdr + 9);
	if (mtk_get_be32(hdr) != at || mtk_get_be32(hdr + 4) != n ||
	    (kind == AGENT_ZK_LZ4 ? zlen == 0 || zlen >= n : kind > AGENT_ZK_LZ4 || zlen != 0))
		return fail(d, -EPROTO,
			    "READ: compressed packet header %08X+%X kind %u length %u where "
			    "0x%X+0x%X was due",
			    (unsigned)mtk_get_be32(hdr), (unsigned)mtk_get_be32(hdr + 4),
			    (unsigned)kind, (unsigned)zlen, (unsigned)at, (unsigned)n);
	if (kind == AGENT_ZK_RAW) {
		ret = rd(d, data, n, d->timeout_ms);
		zlen = n;
	} else if (kind == AGENT_ZK_LZ4) {
		ret = rd(d, c->zbuf, zlen, d->timeout_ms);
	} else {
		memset(data, 0xFF, n);
	}
	if (ret < 0 || (ret = rd(d, crc, sizeof(crc), d->timeout_ms)) < 0)
		return fail(d, ret, "READ: packet at 0x%X: %s", (unsigned)at, mtk_strerror(ret));
	*reply += sizeof(hdr) + zlen + sizeof(crc);
	c->wire += sizeof(hdr) + zlen + sizeof(crc);
	if (kind == AGENT_ZK_LZ4 && mtk_lz4_decode(c->zbuf, zlen, data, n) < 0)
		bad = 1;
	if (bad || mtk_crc32(mtk_crc32(0, hdr, sizeof(hdr)), data, n) != mtk_get_be32(crc)) {
		mtk_logf(d->log, MTK_LOG_DEBUG, "da: %s in the %s packet at 0x%X",
			 bad ? "undecodable LZ4 block" : "CRC mismatch",
			 kind == AGENT_ZK_LZ4 ? "compressed"
			 : kind		      ? "erased"
					      : "raw",
			 (unsigned)at);
		return -EBADMSG;
	}
	d->zbytes[kind] += n;
	return 0;
}

/* One READ command for packets [k0, k1) of the chunk. Returns 0 when the stream ended in
 * step (bad CRCs only leave packets unmarked), -EPROTO/-ETIMEDOUT when it broke (the caller
 * resyncs), or a final error. */
static int read_run(struct da *d, struct chunk *c, uint32_t k0, uint32_t k1, unsigned *crc_bad)
{
	uint32_t off = c->pos + k0 * c->pkt;
	uint32_t len = (k1 == c->npk ? c->len : k1 * c->pkt) - k0 * c->pkt;
	uint8_t req[13], head[3], hdr[8], crc[4], tail[14], pad;
	uint64_t reply = sizeof(head);
	uint16_t st;
	int ret;

	req[0] = AGENT_CMD_READ;
	mtk_put_be32(req + 1, off);
	mtk_put_be32(req + 5, len);
	mtk_put_be32(req + 9, c->pkt | (c->z ? AGENT_READ_F_Z : 0u));
	if ((ret = wr(d, req, sizeof(req))) < 0)
		return ret;
	if ((ret = rd(d, head, sizeof(head), d->timeout_ms)) < 0)
		return ret;
	c->wire += sizeof(head);
	st = mtk_get_be16(head + 1);
	if (head[0] != AGENT_CMD_READ || (st != AGENT_ST_OK && !known_status(st)))
		return fail(d, -EPROTO, "READ: garbled answer %02X %04X", head[0], st);
	if (st != AGENT_ST_OK) {
		d->last_status = st;
		return fail(d, -EREMOTEIO, "READ 0x%X+0x%X: the agent says 0x%04X (%s)",
			    (unsigned)off, (unsigned)len, st, da_status_text(st));
	}
	for (uint32_t k = k0; k < k1; k++) {
		uint32_t n = pkt_len(c, k), at = c->pos + k * c->pkt;
		uint8_t *data = c->buf + k * c->pkt;

		if (c->z) {
			ret = read_zpacket(d, c, k, &reply);
			if (ret == -EBADMSG) {
				(*crc_bad)++;
				continue;
			}
			if (ret == -EPROTO)
				(*crc_bad)++;
			if (ret < 0)
				return ret;
			c->good[k] = 1;
			if ((ret = deliver(d, c)) < 0)
				return ret;
			continue;
		}
		if ((ret = rd(d, hdr, sizeof(hdr), d->timeout_ms)) < 0 ||
		    (ret = rd(d, data, n, d->timeout_ms)) < 0 ||
		    (ret = rd(d, crc, sizeof(crc), d->timeout_ms)) < 0)
			return fail(d, ret, "READ: packet at 0x%X: %s", (unsigned)at,
				    mtk_strerror(ret));
		reply += sizeof(hdr) + n + sizeof(crc);
		c->wire += sizeof(hdr) + n + sizeof(crc);
		if (mtk_get_be32(hdr) != at || mtk_get_be32(hdr + 4) != n) {
			/* a lost or extra byte shifted the stream: only a resync helps */
			(*crc_bad)++;
			return fail(d, -EPROTO,
				    "READ: packet header %08X+%X where 0x%X+0x%X was due",
				    (unsigned)mtk_get_be32(hdr), (unsigned)mtk_get_be32(hdr + 4),
				    (unsigned)at, (unsigned)n);
		}
		if (mtk_crc32(mtk_crc32(0, hdr, sizeof(hdr)), data, n) != mtk_get_be32(crc)) {
			(*crc_bad)++;
			mtk_logf(d->log, MTK_LOG_DEBUG, "da: CRC mismatch in the packet at 0x%X",
				 (unsigned)at);
			continue;
		}
		c->good[k] = 1;
		if ((ret = deliver(d, c)) < 0)
			return ret;
	}
	/* end packet off32 0 crc32, then the final status */
	if ((ret = rd(d, tail, sizeof(tail), d->timeout_ms)) < 0)
		return fail(d, ret, "READ: end of stream: %s", mtk_strerror(ret));
	reply += sizeof(tail);
	c->wire += sizeof(tail);
	st = mtk_get_be16(tail + 12);
	if (mtk_get_be32(tail) != off + len || mtk_get_be32(tail + 4) != 0 ||
	    mtk_crc32(0, tail, 8) != mtk_get_be32(tail + 8) ||
	    (st != AGENT_ST_OK && !known_status(st)))
		return fail(d, -EPROTO, "READ: garbled end of stream");
	if (agent_reply_padded(reply) && (ret = rd(d, &pad, 1, d->timeout_ms)) < 0)
		return fail(d, ret, "READ: end of stream: %s", mtk_strerror(ret));
	c->wire += agent_reply_padded(reply);
	if (st != AGENT_ST_OK) {
		d->last_status = st;
		return fail(d, -EREMOTEIO, "READ 0x%X+0x%X: the agent says 0x%04X (%s)",
			    (unsigned)off, (unsigned)len, st, da_status_text(st));
	}
	return 0;
}

static int read_chunk(struct da *d, struct chunk *c)
{
	int last = 0;

	memset(c->good, 0, c->npk);
	c->delivered = 0;
	for (unsigned pass = 0;; pass++) {
		unsigned crc_bad = 0, bad = 0;
		int broke = 0;

		/* every maximal run of packets still missing, in order */
		for (uint32_t k = c->delivered; k < c->npk && !broke;) {
			uint32_t k1;
			int ret;

			if (c->good[k]) {
				k++;
				continue;
			}
			for (k1 = k; k1 < c->npk && !c->good[k1]; k1++)
				;
			ret = read_run(d, c, k, k1, &crc_bad);
			if (ret == -EPROTO || ret == -ETIMEDOUT) {
				last = ret;
				broke = 1;
				if ((ret = resync(d)) < 0)
					return ret;
			} else if (ret < 0) {
				if (!link_gone(ret) && ret != -EREMOTEIO)
					resync(d); /* the sink stopped us mid-stream */
				return ret;
			}
			k = k1;
		}
		for (uint32_t k = c->delivered; k < c->npk; k++)
			bad += !c->good[k];
		if (!bad)
			return 0;
		if (!broke)
			last = -EBADMSG;
		if (pass >= d->max_retries)
			return fail(d, last == -EBADMSG || last == -EPROTO ? -EBADMSG : last,
				    "READ: %u packet(s) from 0x%X still bad after %u re-requests",
				    bad, (unsigned)(c->pos + c->delivered * c->pkt),
				    d->max_retries);
		d->retries += bad;
		mtk_logf(d->log, MTK_LOG_DEBUG, "da: re-requesting %u packet(s) (%u CRC errors)",
			 bad, crc_bad);
	}
}

int da_read(struct da *d, uint32_t off, uint32_t len, da_sink_fn sink, void *ctx)
{
	struct chunk c;
	uint32_t pkt, chunk;
	unsigned skip = 0;
	bool zcap;
	int ret = 0;

	if (!len)
		return 0;
	if (off >= AGENT_FLASH_WINDOW || len > AGENT_FLASH_WINDOW - off)
		return fail(d, -EINVAL, "READ: range 0x%X+0x%X outside the 16 MiB flash window",
			    (unsigned)off, (unsigned)len);
	pkt = d->packet_size ? d->packet_size : DA_DEFAULT_PACKET;
	if (pkt > d->max_packet)
		pkt = d->max_packet;
	zcap = d->compress != DA_COMPRESS_OFF && da_can_compress(d);
	if (zcap && pkt > AGENT_ZBLOCK_MAX)
		pkt = AGENT_ZBLOCK_MAX;
	chunk = d->chunk_size < pkt ? pkt : d->chunk_size - d->chunk_size % pkt;
	if (chunk > AGENT_FLASH_WINDOW)
		chunk = AGENT_FLASH_WINDOW - AGENT_FLASH_WINDOW % pkt;

	memset(&c, 0, sizeof(c));
	c.pkt = pkt;
	c.sink = sink;
	c.ctx = ctx;
	c.buf = malloc(chunk);
	c.good = malloc(chunk / pkt + 1u);
	c.zbuf = zcap ? malloc(pkt) : NULL;
	if (!c.buf || !c.good || (zcap && !c.zbuf)) {
		free(c.buf);
		free(c.good);
		free(c.zbuf);
		return fail(d, -ENOMEM, "READ: out of memory for a %u-byte chunk", (unsigned)chunk);
	}
	/* auto: the first chunk is read compressed; a chunk that saves less than 1/32 of its
	 * bytes sends the next DA_Z_SKIP chunks raw, then compression is tried again */
	for (uint32_t done = 0; done < len && ret == 0;) {
		c.pos = off + done;
		c.len = len - done < chunk ? len - done : chunk;
		c.npk = (c.len + pkt - 1u) / pkt;
		c.z = zcap && skip == 0;
		c.wire = 0;
		ret = read_chunk(d, &c);
		d->wire_bytes += c.wire;
		if (c.z) {
			d->zchunks++;
			skip = c.wire > (uint64_t)c.len - c.len / 32u ? DA_Z_SKIP : 0u;
		} else {
			d->rawchunks++;
			skip -= skip > 0;
		}
		done += c.len;
	}
	free(c.buf);
	free(c.good);
	free(c.zbuf);
	if (ret == 0)
		d->detail[0] = 0;
	return ret;
}
