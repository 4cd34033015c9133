/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The agent's protocol logic (wire format: protocol.h). Plain C without libc: it builds for
 * the watch (ARM Thumb, arm/) and into the simulator, talking only through struct agent_hal.
 * Every length from the host is checked before use; the only buffers are two small ones on
 * the stack. */
#include "../agent_hal.h"
#include "mtkbak/crc32.h"
#include "mtkbak/agent_wire.h"
#include "lz4_enc.h"
#include "mtkbak/nor.h"

#ifdef AGENT_CRC_SMALL
#define CRC32 mtk_crc32_small
#else
#define CRC32 mtk_crc32
#endif

/* Staging buffer for flash data on the stack: small on the watch (-DAGENT_STAGE_BYTES=1024),
 * larger in the simulator, where every send costs a lock. Never above AGENT_IO_CHUNK_MAX. */
#ifndef AGENT_STAGE_BYTES
#define AGENT_STAGE_BYTES 16384u
#endif
_Static_assert(AGENT_STAGE_BYTES >= 256u && AGENT_STAGE_BYTES <= AGENT_IO_CHUNK_MAX,
	       "agent staging buffer size");

struct agent {
	const struct agent_hal *hal;
	uint32_t reply;	 /* bytes sent since the last flush (AGENT_PAD rule) */
	int err;	 /* first link error: every later call is a no-op */
	uint8_t session; /* enum agent_session: AGENT_SESSION_READ unless WSESSION opened one */
};

/* ---- the session gate: the one place that decides what may change the flash ---- */

static int overlaps(uint32_t addr, uint32_t len, uint32_t base, uint32_t size)
{
	return addr < base + size && base < addr + len;
}

/* A read session never writes into the flash controller or the flash window (boot-ROM
 * style WRITE16/WRITE32). */
static int write_allowed(const struct agent *a, uint32_t addr, uint32_t bytes)
{
	if (a->session == AGENT_SESSION_WRITE)
		return 1;
	if (bytes == 0 || addr + bytes < addr)
		return 0;
	return !overlaps(addr, bytes, AGENT_RO_SFC_BASE, AGENT_RO_SFC_LEN) &&
	       !overlaps(addr, bytes, AGENT_RO_FLASH_BASE, AGENT_RO_FLASH_LEN) &&
	       !overlaps(addr, bytes, AGENT_RO_FLASH_ALT, AGENT_RO_FLASH_LEN);
}

/* Every serial-flash transaction goes through here: a read session sends the read opcodes
 * only (agent_spi_read_op), a write session those and the write opcodes (nor_op_writes). */
static int spi(struct agent *a, const uint8_t *txb, uint32_t txlen, uint8_t *rxb, uint32_t rxlen)
{
	if (!a->hal->spi || !txlen)
		return -1;
	if (!agent_spi_read_op(txb[0]) &&
	    (a->session != AGENT_SESSION_WRITE || !nor_op_writes(txb[0])))
		return -1;
	return a->hal->spi(a->hal->ctx, txb, txlen, rxb, rxlen);
}

/* ---- link ---- */

/* The dead man's switch stays armed while the agent works (agent_hal.h wdt_kick). */
static void kick(struct agent *a)
{
	if (a->hal->wdt_kick)
		a->hal->wdt_kick(a->hal->ctx);
}

static int tx(struct agent *a, const void *buf, uint32_t len)
{
	int r;

	if (a->err)
		return a->err;
	r = a->hal->send(a->hal->ctx, buf, len);
	if (r < 0) {
		a->err = r;
		return r;
	}
	a->reply += len;
	return 0;
}

static int tx8(struct agent *a, uint8_t v)
{
	return tx(a, &v, 1);
}

static int tx16(struct agent *a, uint16_t v)
{
	uint8_t b[2];

	mtk_put_be16(b, v);
	return tx(a, b, 2);
}

static int tx32(struct agent *a, uint32_t v)
{
	uint8_t b[4];

	mtk_put_be32(b, v);
	return tx(a, b, 4);
}

static int rx(struct agent *a, void *buf, uint32_t len)
{
	int r;

	if (a->err)
		return a->err;
	r = a->hal->recv(a->hal->ctx, buf, len);
	if (r < 0)
		a->err = r;
	return r < 0 ? r : 0;
}

static int rx32(struct agent *a, uint32_t *v)
{
	uint8_t b[4];
	int r = rx(a, b, 4);

	*v = r ? 0 : mtk_get_be32(b);
	return r;
}

static int rx16(struct agent *a, uint16_t *v)
{
	uint8_t b[2];
	int r = rx(a, b, 2);

	*v = r ? 0 : mtk_get_be16(b);
	return r;
}

/* Data followed by its CRC-32. */
static void tx_checked(struct agent *a, const uint8_t *buf, uint32_t len)
{
	tx(a, buf, len);
	tx32(a, CRC32(0, buf, len));
}

/* Boot-ROM style: every echo and status goes out on its own. */
static void flush_piece(struct agent *a)
{
	if (a->hal->flush)
		a->hal->flush(a->hal->ctx);
	a->reply = 0;
}

/* End of an agent reply: make sure USB ends it with a short packet. */
static void end_reply(struct agent *a)
{
	if (agent_reply_padded(a->reply))
		tx8(a, AGENT_PAD);
	flush_piece(a);
}

/* ---- boot-ROM compatible commands (doc/brom-protocol.md section 3.2) ---- */

/* cmd echo, addr and count received and echoed one by one */
static int compat_params(struct agent *a, uint8_t cmd, uint32_t *addr, uint32_t *count)
{
	tx8(a, cmd);
	flush_piece(a);
	if (rx32(a, addr))
		return a->err;
	tx32(a, *addr);
	flush_piece(a);
	if (rx32(a, count))
		return a->err;
	tx32(a, *count);
	flush_piece(a);
	return a->err;
}

static void compat_legacy_read16(struct agent *a)
{
	uint32_t addr, count;

	if (compat_params(a, BROM_CMD_LEGACY_READ16, &addr, &count))
		return;
	/* no status words: on a bad request the BROM sends nothing more */
	if ((addr & 1u) || count >= BROM_MAX_COUNT)
		return;
	for (uint32_t i = 0; i < count && !a->err; i++) {
		tx16(a, a->hal->read16(a->hal->ctx, addr + 2u * i));
		flush_piece(a);
	}
}

static void compat_read(struct agent *a, uint8_t cmd)
{
	uint32_t addr, count, size = cmd == BROM_CMD_READ32 ? 4u : 2u;
	uint16_t st = BROM_ST_OK;

	if (compat_params(a, cmd, &addr, &count))
		return;
	if (addr & (size - 1u))
		st = size == 4u ? BROM_ST_R_ODD32 : BROM_ST_R_ODD16;
	else if (count == 0)
		st = BROM_ST_R_COUNT0;
	else if (count >= BROM_MAX_COUNT)
		st = BROM_ST_R_COUNT;
	tx16(a, st);
	flush_piece(a);
	if (st != BROM_ST_OK)
		return;
	for (uint32_t i = 0; i < count && !a->err; i++) {
		if (size == 4u)
			tx32(a, a->hal->read32(a->hal->ctx, addr + 4u * i));
		else
			tx16(a, a->hal->read16(a->hal->ctx, addr + 2u * i));
	}
	/* data + status is 2 mod 4 bytes: never a multiple of 64, so this flush ends it */
	tx16(a, BROM_ST_OK);
	flush_piece(a);
}

static void compat_write(struct agent *a, uint8_t cmd)
{
	uint32_t addr, count, size = cmd == BROM_CMD_WRITE32 ? 4u : 2u;
	uint16_t st = BROM_ST_WRITE_OK;

	if (compat_params(a, cmd, &addr, &count))
		return;
	if (count == 0)
		st = BROM_ST_W_COUNT0;
	else if (addr & (size - 1u))
		st = size == 4u ? BROM_ST_W_ODD32 : BROM_ST_W_ODD16;
	else if (count >= BROM_MAX_COUNT)
		st = BROM_ST_R_COUNT;
	else if (!write_allowed(a, addr, count * size))
		st = AGENT_ST_READ_ONLY;
	tx16(a, st);
	flush_piece(a);
	if (st != BROM_ST_WRITE_OK)
		return;
	for (uint32_t i = 0; i < count && !a->err; i++) {
		if (size == 4u) {
			uint32_t v;

			if (rx32(a, &v))
				return;
			tx32(a, v);
			flush_piece(a);
			a->hal->write32(a->hal->ctx, addr + 4u * i, v);
		} else {
			uint16_t v;

			if (rx16(a, &v))
				return;
			if (cmd == BROM_CMD_WRITE16) {
				tx16(a, v);
				flush_piece(a);
			}
			a->hal->write16(a->hal->ctx, addr + 2u * i, v);
		}
	}
	tx16(a, BROM_ST_WRITE_OK);
	flush_piece(a);
}

/* D8: echo, config32, status. The ROM took our unsigned code: no SLA, no DAA. */
static void compat_target_config(struct agent *a)
{
	tx8(a, BROM_CMD_TARGET_CONFIG);
	flush_piece(a);
	tx32(a, 0);
	flush_piece(a);
	tx16(a, BROM_ST_OK);
	flush_piece(a);
}

/* E1: echo, len32 (16), the ROM's ME ID, status; or a lone error status */
static void compat_get_me_id(struct agent *a)
{
	uint8_t id[AGENT_ME_ID_LEN];

	tx8(a, BROM_CMD_GET_ME_ID);
	flush_piece(a);
	if (!a->hal->me_id || a->hal->me_id(a->hal->ctx, id) < 0) {
		tx16(a, AGENT_ST_NO_ME_ID);
		flush_piece(a);
		return;
	}
	tx32(a, AGENT_ME_ID_LEN);
	flush_piece(a);
	tx(a, id, sizeof(id));
	flush_piece(a);
	tx16(a, BROM_ST_OK);
	flush_piece(a);
}

/* ---- agent commands ---- */

static void send_hello(struct agent *a)
{
	uint8_t h[AGENT_HELLO_LEN];

	for (uint32_t i = 0; i < 4u; i++)
		h[i] = (uint8_t)AGENT_HELLO_MAGIC[i];
	mtk_put_be16(h + 4, AGENT_PROTO_VERSION);
	mtk_put_be16(h + 6, (uint16_t)((a->hal->spi ? AGENT_HELLO_F_SPI : 0u) |
				       (a->hal->flash_map ? AGENT_HELLO_F_ZREAD : 0u)));
	mtk_put_be32(h + 8, AGENT_MAX_PACKET);
	mtk_put_be32(h + 12, CRC32(0, h, 12));
	tx(a, h, sizeof(h));
}

static int window_ok(uint32_t off, uint32_t len)
{
	return off < AGENT_FLASH_WINDOW && len <= AGENT_FLASH_WINDOW - off;
}

static void cmd_flash_id(struct agent *a)
{
	const uint8_t op = 0x9F; /* READ JEDEC ID */
	uint8_t id[3] = {0, 0, 0};

	tx8(a, AGENT_CMD_FLASH_ID);
	if (!a->hal->spi) {
		tx16(a, AGENT_ST_NO_SPI);
	} else if (spi(a, &op, 1, id, sizeof(id)) < 0) {
		tx16(a, AGENT_ST_SPI);
	} else {
		tx16(a, AGENT_ST_OK);
		tx_checked(a, id, sizeof(id));
	}
	end_reply(a);
}

static void cmd_sfdp(struct agent *a)
{
	uint8_t buf[AGENT_SFDP_MAX];
	uint32_t addr, len;
	uint16_t st = AGENT_ST_OK;

	if (rx32(a, &addr) || rx32(a, &len))
		return;
	if (len == 0 || len > AGENT_SFDP_MAX)
		st = AGENT_ST_BAD_LEN;
	else if (addr > 0xFFFFFFu || len > 0x1000000u - addr)
		st = AGENT_ST_RANGE;
	else if (!a->hal->spi)
		st = AGENT_ST_NO_SPI;
	for (uint32_t done = 0; st == AGENT_ST_OK && done < len; done += AGENT_SPI_CHUNK) {
		uint32_t n = len - done < AGENT_SPI_CHUNK ? len - done : AGENT_SPI_CHUNK;
		uint32_t at = addr + done;
		/* READ SFDP: opcode, 24-bit address, one dummy byte */
		const uint8_t op[5] = {0x5A, (uint8_t)(at >> 16), (uint8_t)(at >> 8), (uint8_t)at,
				       0};

		if (spi(a, op, sizeof(op), buf + done, n) < 0)
			st = AGENT_ST_SPI;
	}
	tx8(a, AGENT_CMD_SFDP);
	tx16(a, st);
	if (st == AGENT_ST_OK)
		tx_checked(a, buf, len);
	end_reply(a);
}

/* One READ packet: header, data in staging-buffer pieces, CRC. On a flash error the rest of
 * the packet is zeros and the CRC is inverted so the host cannot take it as good. */
static int send_packet(struct agent *a, uint8_t *buf, uint32_t off, uint32_t len)
{
	uint8_t hdr[8];
	uint32_t crc;
	int bad = 0;

	mtk_put_be32(hdr, off);
	mtk_put_be32(hdr + 4, len);
	crc = CRC32(0, hdr, sizeof(hdr));
	kick(a);
	tx(a, hdr, sizeof(hdr));
	for (uint32_t done = 0; done < len && !a->err;) {
		uint32_t n = len - done < AGENT_STAGE_BYTES ? len - done : AGENT_STAGE_BYTES;

		if (!bad && a->hal->flash_read(a->hal->ctx, off + done, buf, n) < 0)
			bad = 1;
		if (bad)
			for (uint32_t i = 0; i < n; i++)
				buf[i] = 0;
		crc = CRC32(crc, buf, n);
		tx(a, buf, n);
		done += n;
	}
	tx32(a, bad ? ~crc : crc);
	return bad ? -1 : 0;
}

/* ---- compressed READ (AGENT_READ_F_Z; doc/agent.md section 3.4) ---- */

struct zwork {
	uint8_t out[AGENT_ZBLOCK_MAX];
	uint16_t tab[AGENT_LZ4_TAB];
};

/* One packet of a compressed READ: erased marker, LZ4 block, or raw bytes, whichever is
 * shortest; the CRC covers the header and the flash bytes themselves. The encoder reads the
 * flash in place (flash_map); a range the hardware layer cannot map (across a small part's
 * end in the simulator) is read into the buffer and sent erased or raw. On a flash error the
 * packet is zeros with an inverted CRC, like send_packet, so the host cannot take it as good. */
static int send_zpacket(struct agent *a, struct zwork *w, uint32_t off, uint32_t len)
{
	uint8_t hdr[AGENT_ZPKT_HDR];
	const uint8_t *src = w->out;
	uint32_t crc, z = 0, i = 0;
	uint8_t kind = AGENT_ZK_RAW;
	int mapped = a->hal->flash_map(a->hal->ctx, off, len, &src) == 0, bad = 0;

	kick(a);
	if (!mapped) {
		src = w->out;
		bad = a->hal->flash_read(a->hal->ctx, off, w->out, len) < 0;
		for (i = 0; bad && i < len; i++)
			w->out[i] = 0;
	}
	for (i = 0; !bad && i < len && src[i] == 0xFFu;)
		i++;
	if (!bad && i == len) {
		kind = AGENT_ZK_ERASED;
	} else if (mapped) {
		z = agent_lz4_block(src, len, w->out, len - 1u, w->tab);
		if (z)
			kind = AGENT_ZK_LZ4;
	}
	mtk_put_be32(hdr, off);
	mtk_put_be32(hdr + 4, len);
	hdr[8] = kind;
	mtk_put_be16(hdr + 9, (uint16_t)z);
	crc = CRC32(CRC32(0, hdr, sizeof(hdr)), src, len);
	tx(a, hdr, sizeof(hdr));
	if (kind == AGENT_ZK_LZ4) {
		tx(a, w->out, z);
	} else if (kind == AGENT_ZK_RAW) {
		/* through RAM, not straight from the flash window, to the USB routine */
		for (i = 0; mapped && i < len; i++)
			w->out[i] = src[i];
		tx(a, w->out, len);
	}
	tx32(a, bad ? ~crc : crc);
	return bad ? -1 : 0;
}

/* The packets of a READ; returns the status and where the stream stopped (*done). Each mode
 * has its own buffers, so the stack holds only one of them at a time. */
static __attribute__((noinline)) uint16_t read_z(struct agent *a, uint32_t off, uint32_t len,
						 uint32_t pkt, uint32_t *done)
{
	struct zwork w;

	for (*done = 0; *done < len && !a->err;) {
		uint32_t n = len - *done < pkt ? len - *done : pkt;

		if (send_zpacket(a, &w, off + *done, n) < 0)
			return AGENT_ST_FLASH;
		*done += n;
	}
	return AGENT_ST_OK;
}

static __attribute__((noinline)) uint16_t read_raw(struct agent *a, uint32_t off, uint32_t len,
						   uint32_t pkt, uint32_t *done)
{
	uint8_t buf[AGENT_STAGE_BYTES];

	for (*done = 0; *done < len && !a->err;) {
		uint32_t n = len - *done < pkt ? len - *done : pkt;

		if (send_packet(a, buf, off + *done, n) < 0)
			return AGENT_ST_FLASH;
		*done += n;
	}
	return AGENT_ST_OK;
}

static void cmd_flash_read(struct agent *a)
{
	uint8_t end[8];
	uint32_t off, len, pkt, done = 0;
	uint16_t st = AGENT_ST_OK;
	int z;

	if (rx32(a, &off) || rx32(a, &len) || rx32(a, &pkt))
		return;
	z = (pkt & AGENT_READ_F_Z) != 0;
	pkt &= ~AGENT_READ_F_Z;
	if (len == 0)
		st = AGENT_ST_BAD_LEN;
	else if (!window_ok(off, len))
		st = AGENT_ST_RANGE;
	else if (pkt == 0 || pkt > (z ? AGENT_ZBLOCK_MAX : AGENT_MAX_PACKET) ||
		 (z && !a->hal->flash_map))
		st = AGENT_ST_BAD_PACKET;
	tx8(a, AGENT_CMD_READ);
	tx16(a, st);
	if (st != AGENT_ST_OK) {
		end_reply(a);
		return;
	}
	st = z ? read_z(a, off, len, pkt, &done) : read_raw(a, off, len, pkt, &done);
	mtk_put_be32(end, off + done);
	mtk_put_be32(end + 4, 0);
	tx(a, end, sizeof(end));
	tx32(a, CRC32(0, end, sizeof(end)));
	tx16(a, st);
	end_reply(a);
}

static void cmd_crc32(struct agent *a)
{
	uint8_t buf[AGENT_STAGE_BYTES];
	uint32_t off, len, crc = 0;
	uint16_t st = AGENT_ST_OK;

	if (rx32(a, &off) || rx32(a, &len))
		return;
	if (len == 0)
		st = AGENT_ST_BAD_LEN;
	else if (!window_ok(off, len))
		st = AGENT_ST_RANGE;
	for (uint32_t done = 0; st == AGENT_ST_OK && done < len;) {
		uint32_t n = len - done < AGENT_STAGE_BYTES ? len - done : AGENT_STAGE_BYTES;

		kick(a);
		if (a->hal->flash_read(a->hal->ctx, off + done, buf, n) < 0)
			st = AGENT_ST_FLASH;
		else
			crc = CRC32(crc, buf, n);
		done += n;
	}
	tx8(a, AGENT_CMD_CRC32);
	tx16(a, st);
	if (st == AGENT_ST_OK) {
		uint8_t v[4];

		mtk_put_be32(v, crc);
		tx_checked(a, v, sizeof(v));
	}
	end_reply(a);
}

/* ---- the write path (WSESSION, SECTOR_CRCS, ERASE, PROGRAM, STATUS, WRSR) ---- */

static int read_sr(struct agent *a, uint8_t op, uint8_t *v)
{
	return spi(a, &op, 1, v, 1);
}

/* Polls the busy bit: at most ms * AGENT_POLLS_PER_MS status reads (each takes at least a
 * microsecond on the bus), so it never gives up before the deadline and always ends. */
static uint16_t wait_idle(struct agent *a, uint32_t ms, uint8_t *sr)
{
	uint32_t polls = (ms > AGENT_MAX_WAIT_MS ? AGENT_MAX_WAIT_MS : ms) * AGENT_POLLS_PER_MS;

	for (uint32_t i = 0; i <= polls; i++) {
		if (read_sr(a, NOR_OP_RDSR, sr) < 0)
			return AGENT_ST_SPI;
		if (!(*sr & NOR_SR_WIP))
			return AGENT_ST_OK;
	}
	return AGENT_ST_TIMEOUT;
}

/* Write enable, checked: the latch must read back set. */
static uint16_t write_enable(struct agent *a)
{
	const uint8_t op = NOR_OP_WREN;
	uint8_t sr = 0;

	if (spi(a, &op, 1, 0, 0) < 0 || read_sr(a, NOR_OP_RDSR, &sr) < 0)
		return AGENT_ST_SPI;
	return (sr & NOR_SR_WEL) ? AGENT_ST_OK : AGENT_ST_WEL;
}

static uint16_t write_check(const struct agent *a)
{
	if (a->session != AGENT_SESSION_WRITE)
		return AGENT_ST_READ_ONLY;
	if (!a->hal->spi)
		return AGENT_ST_NO_SPI;
	return AGENT_ST_OK;
}

static void reply_status(struct agent *a, uint8_t cmd, uint16_t st)
{
	tx8(a, cmd);
	tx16(a, st);
	end_reply(a);
}

static void cmd_wsession(struct agent *a)
{
	uint32_t key;
	uint8_t open;
	uint16_t st;

	if (rx32(a, &key))
		return;
	st = key == AGENT_WRITE_KEY || key == 0 ? AGENT_ST_OK : AGENT_ST_BAD_ARG;
	/* 0 closes; any other key closes too and is refused */
	a->session = key == AGENT_WRITE_KEY ? AGENT_SESSION_WRITE : AGENT_SESSION_READ;
	open = a->session == AGENT_SESSION_WRITE;
	tx8(a, AGENT_CMD_WSESSION);
	tx16(a, st);
	if (st == AGENT_ST_OK)
		tx_checked(a, &open, 1);
	end_reply(a);
}

/* Reads flash through the serial flash controller (no cache in the way). */
static int sfc_read(struct agent *a, uint32_t addr, uint8_t *buf, uint32_t len)
{
	for (uint32_t done = 0; done < len;) {
		uint32_t n = len - done < AGENT_SPI_CHUNK ? len - done : AGENT_SPI_CHUNK;
		uint32_t at = addr + done;
		const uint8_t op[4] = {NOR_OP_READ, (uint8_t)(at >> 16), (uint8_t)(at >> 8),
				       (uint8_t)at};

		if (spi(a, op, sizeof(op), buf + done, n) < 0)
			return -1;
		done += n;
	}
	return 0;
}

static int sector_crc(struct agent *a, uint32_t off, uint32_t via, uint32_t *crc)
{
	uint8_t buf[AGENT_SPI_CHUNK];

	*crc = 0;
	for (uint32_t done = 0; done < AGENT_SECTOR; done += sizeof(buf)) {
		int r = via ? sfc_read(a, off + done, buf, sizeof(buf))
			    : a->hal->flash_read(a->hal->ctx, off + done, buf, sizeof(buf));

		if (r < 0)
			return -1;
		*crc = CRC32(*crc, buf, sizeof(buf));
	}
	return 0;
}

static void cmd_sector_crcs(struct agent *a)
{
	uint32_t off, count, list = 0;
	uint8_t via;
	uint16_t st = AGENT_ST_OK;
	int bad = 0;

	if (rx32(a, &off) || rx32(a, &count) || rx(a, &via, 1))
		return;
	if (count == 0 || count > AGENT_CRC_LIST_MAX)
		st = AGENT_ST_BAD_LEN;
	else if ((off & (AGENT_SECTOR - 1u)) || via > 1u)
		st = AGENT_ST_BAD_ARG;
	else if (!window_ok(off, count * AGENT_SECTOR))
		st = AGENT_ST_RANGE;
	else if (via && !a->hal->spi)
		st = AGENT_ST_NO_SPI;
	tx8(a, AGENT_CMD_SECTOR_CRCS);
	tx16(a, st);
	if (st != AGENT_ST_OK) {
		end_reply(a);
		return;
	}
	for (uint32_t i = 0; i < count && !a->err; i++) {
		uint32_t crc = 0;
		uint8_t v[4];

		if (!bad && sector_crc(a, off + i * AGENT_SECTOR, via, &crc) < 0)
			bad = 1;
		mtk_put_be32(v, bad ? 0 : crc);
		list = CRC32(list, v, 4);
		tx(a, v, 4);
	}
	tx32(a, bad ? ~list : list);
	end_reply(a);
}

static void cmd_erase(struct agent *a)
{
	uint8_t op, sr = 0, b[4];
	uint32_t addr, ms, size;
	uint16_t st;

	if (rx(a, &op, 1) || rx32(a, &addr) || rx32(a, &ms))
		return;
	size = op == NOR_OP_SE ? 0x1000u : op == NOR_OP_BE32 ? 0x8000u : 0x10000u;
	st = write_check(a);
	if (st == AGENT_ST_OK &&
	    ((op != NOR_OP_SE && op != NOR_OP_BE32 && op != NOR_OP_BE64) || (addr & (size - 1u))))
		st = AGENT_ST_BAD_ARG;
	else if (st == AGENT_ST_OK && !window_ok(addr, size))
		st = AGENT_ST_RANGE;
	if (st == AGENT_ST_OK)
		st = wait_idle(a, ms, &sr);
	if (st == AGENT_ST_OK)
		st = write_enable(a);
	if (st == AGENT_ST_OK) {
		b[0] = op;
		b[1] = (uint8_t)(addr >> 16);
		b[2] = (uint8_t)(addr >> 8);
		b[3] = (uint8_t)addr;
		st = spi(a, b, 4, 0, 0) < 0 ? AGENT_ST_SPI : wait_idle(a, ms, &sr);
	}
	tx8(a, AGENT_CMD_ERASE);
	tx16(a, st);
	if (st == AGENT_ST_OK)
		tx_checked(a, &sr, 1);
	end_reply(a);
}

static int all_ff(const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i] != 0xFFu)
			return 0;
	return 1;
}

/* Page program of data[0:len] at addr: pieces that fit the SFC buffer and one page. */
static uint16_t program_pieces(struct agent *a, uint32_t addr, const uint8_t *data, uint32_t len,
			       uint32_t ms)
{
	uint8_t cmd[4 + AGENT_SPI_CHUNK], sr = 0;
	uint16_t st = AGENT_ST_OK;

	for (uint32_t done = 0; done < len && st == AGENT_ST_OK;) {
		uint32_t at = addr + done, n = len - done;
		uint32_t page_left = NOR_PAGE - (at & (NOR_PAGE - 1u));

		if (n > AGENT_SPI_CHUNK)
			n = AGENT_SPI_CHUNK;
		if (n > page_left)
			n = page_left;
		if (!all_ff(data + done, n)) {
			cmd[0] = NOR_OP_PP;
			cmd[1] = (uint8_t)(at >> 16);
			cmd[2] = (uint8_t)(at >> 8);
			cmd[3] = (uint8_t)at;
			for (uint32_t i = 0; i < n; i++)
				cmd[4 + i] = data[done + i];
			st = write_enable(a);
			if (st == AGENT_ST_OK)
				st = spi(a, cmd, 4 + n, 0, 0) < 0 ? AGENT_ST_SPI
								  : wait_idle(a, ms, &sr);
		}
		done += n;
	}
	return st;
}

static void cmd_program(struct agent *a)
{
	/* on the stack: the compressed READ's frame is larger, so the stack reserve covers it */
	uint8_t hdr[12], crcb[4], buf[AGENT_WBUF_LEN];
	uint32_t addr, len, ms, crc;
	uint16_t st;

	if (rx(a, hdr, sizeof(hdr)))
		return;
	addr = mtk_get_be32(hdr);
	len = mtk_get_be32(hdr + 4);
	ms = mtk_get_be32(hdr + 8);
	st = write_check(a);
	if (st == AGENT_ST_OK && (len == 0 || len > AGENT_WBUF_LEN)) {
		a->session = AGENT_SESSION_READ; /* the bytes that follow are data, not commands:
						    stay safe */
		st = AGENT_ST_BAD_LEN;
	} else if (st == AGENT_ST_OK &&
		   (!window_ok(addr, len) ||
		    (addr & ~(AGENT_SECTOR - 1u)) != ((addr + len - 1u) & ~(AGENT_SECTOR - 1u)))) {
		st = AGENT_ST_RANGE;
	}
	if (st != AGENT_ST_OK) {
		/* the data that follows is drained (when its length is sane) so the stream
		 * stays in step; nothing is programmed */
		if (st != AGENT_ST_BAD_LEN && len && len <= AGENT_WBUF_LEN) {
			if (rx(a, buf, len) || rx(a, crcb, 4))
				return;
		} else if (st != AGENT_ST_BAD_LEN) {
			a->session = AGENT_SESSION_READ;
		}
		reply_status(a, AGENT_CMD_PROGRAM, st);
		return;
	}
	if (rx(a, buf, len) || rx(a, crcb, 4))
		return;
	crc = CRC32(CRC32(0, hdr, sizeof(hdr)), buf, len);
	if (crc != mtk_get_be32(crcb))
		st = AGENT_ST_BAD_CRC;
	if (st == AGENT_ST_OK)
		st = program_pieces(a, addr, buf, len, ms);
	/* read back through the controller: the memory window may serve a stale copy */
	if (st == AGENT_ST_OK && sfc_read(a, addr, buf, len) < 0)
		st = AGENT_ST_SPI;
	tx8(a, AGENT_CMD_PROGRAM);
	tx16(a, st);
	if (st == AGENT_ST_OK) {
		mtk_put_be32(crcb, CRC32(0, buf, len));
		tx_checked(a, crcb, 4);
	}
	end_reply(a);
}

static void cmd_status(struct agent *a)
{
	uint8_t v[2] = {0, 0};
	uint16_t st = AGENT_ST_OK;

	if (!a->hal->spi)
		st = AGENT_ST_NO_SPI;
	else if (read_sr(a, NOR_OP_RDSR, &v[0]) < 0 || read_sr(a, NOR_OP_RDSR2, &v[1]) < 0)
		st = AGENT_ST_SPI;
	tx8(a, AGENT_CMD_STATUS);
	tx16(a, st);
	if (st == AGENT_ST_OK)
		tx_checked(a, v, 2);
	end_reply(a);
}

static void cmd_wrsr(struct agent *a)
{
	uint8_t req[3], b[3], v[2] = {0, 0}, sr = 0;
	uint32_t ms;
	uint16_t st;

	if (rx(a, req, sizeof(req)) || rx32(a, &ms))
		return;
	st = write_check(a);
	if (st == AGENT_ST_OK && req[2] != 1u && req[2] != 2u)
		st = AGENT_ST_BAD_ARG;
	if (st == AGENT_ST_OK)
		st = wait_idle(a, ms, &sr);
	if (st == AGENT_ST_OK)
		st = write_enable(a);
	if (st == AGENT_ST_OK) {
		b[0] = NOR_OP_WRSR;
		b[1] = req[0];
		b[2] = req[1];
		st = spi(a, b, 1u + req[2], 0, 0) < 0 ? AGENT_ST_SPI : wait_idle(a, ms, &sr);
	}
	if (st == AGENT_ST_OK &&
	    (read_sr(a, NOR_OP_RDSR, &v[0]) < 0 || read_sr(a, NOR_OP_RDSR2, &v[1]) < 0))
		st = AGENT_ST_SPI;
	tx8(a, AGENT_CMD_WRSR);
	tx16(a, st);
	if (st == AGENT_ST_OK)
		tx_checked(a, v, 2);
	end_reply(a);
}

int agent_main(const struct agent_hal *hal)
{
	struct agent ag = {hal, 0, 0, AGENT_SESSION_READ};
	struct agent *a = &ag;

	kick(a);
	send_hello(a);
	end_reply(a);
	while (!a->err) {
		uint8_t cmd;

		if (rx(a, &cmd, 1))
			break;
		kick(a);
		switch (cmd) {
		case BROM_CMD_GET_VERSION:
			tx8(a, BROM_VERSION);
			flush_piece(a);
			break;
		case BROM_CMD_LEGACY_READ16:
			compat_legacy_read16(a);
			break;
		case BROM_CMD_READ16:
		case BROM_CMD_READ32:
			compat_read(a, cmd);
			break;
		case BROM_CMD_WRITE16:
		case BROM_CMD_WRITE16_NE:
		case BROM_CMD_WRITE32:
			compat_write(a, cmd);
			break;
		case BROM_CMD_TARGET_CONFIG:
			compat_target_config(a);
			break;
		case BROM_CMD_GET_ME_ID:
			compat_get_me_id(a);
			break;
		case AGENT_CMD_PING:
			tx8(a, AGENT_CMD_PING);
			send_hello(a);
			end_reply(a);
			break;
		case AGENT_CMD_SYNC: {
			uint8_t token[4];

			if (rx(a, token, sizeof(token)))
				break;
			tx8(a, AGENT_CMD_SYNC);
			tx(a, token, sizeof(token));
			send_hello(a);
			end_reply(a);
			break;
		}
		case AGENT_CMD_FLASH_ID:
			cmd_flash_id(a);
			break;
		case AGENT_CMD_SFDP:
			cmd_sfdp(a);
			break;
		case AGENT_CMD_READ:
			cmd_flash_read(a);
			break;
		case AGENT_CMD_CRC32:
			cmd_crc32(a);
			break;
		case AGENT_CMD_WSESSION:
			cmd_wsession(a);
			break;
		case AGENT_CMD_SECTOR_CRCS:
			cmd_sector_crcs(a);
			break;
		case AGENT_CMD_ERASE:
			cmd_erase(a);
			break;
		case AGENT_CMD_PROGRAM:
			cmd_program(a);
			break;
		case AGENT_CMD_STATUS:
			cmd_status(a);
			break;
		case AGENT_CMD_WRSR:
			cmd_wrsr(a);
			break;
		case AGENT_CMD_REBOOT:
			tx8(a, AGENT_CMD_REBOOT);
			tx16(a, AGENT_ST_OK);
			end_reply(a);
			if (a->err)
				return a->err;
			a->hal->reset(a->hal->ctx);
			return 0;
		default:
			/* like the boot ROM: an unknown byte is echoed */
			tx8(a, cmd);
			flush_piece(a);
			break;
		}
	}
	return a->err;
}
