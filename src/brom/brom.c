/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Boot ROM commands (doc/brom-protocol.md sections 2-4): each checks every echo and status. */
#include "mtkbak/brom.h"
#include "mtkbak/errors.h"
#include "mtkbak/brom_wire.h"
#include "mtkbak/byteorder.h"
#include "mtkbak/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_ITEMS (1u << 22) /* a sane bound on one command's count */

static int fail(struct brom *b, int err, const char *fmt, ...) MTK_PRINTF(3, 4);

static int fail(struct brom *b, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->detail, sizeof(b->detail), fmt, ap);
	va_end(ap);
	mtk_logf(b->log, MTK_LOG_DEBUG, "brom: %s (%s)", b->detail, mtk_strerror(err));
	return err;
}

static const char *gone_or_silent(int err)
{
	return err == -ENODEV	   ? "the watch went away (disconnected or reset)"
	       : err == -ETIMEDOUT ? "no answer"
				   : "transfer failed";
}

void brom_init(struct brom *b, struct mtk_transport *tp, const struct mtk_log *log)
{
	memset(b, 0, sizeof(*b));
	b->tp = tp;
	b->log = log;
	b->timeout_ms = 1000;
	b->handshake_byte_ms = 100;
}

static void trace(struct brom *b, const char *dir, const uint8_t *p, size_t n)
{
	char hex[3 * 32 + 8];
	size_t k = 0;

	if (!b->log || !b->log->fn)
		return;
	for (size_t i = 0; i < n && i < 32; i++)
		k += (size_t)snprintf(hex + k, sizeof(hex) - k, "%02x ", p[i]);
	if (n > 32)
		snprintf(hex + k, sizeof(hex) - k, "...");
	mtk_logf(b->log, MTK_LOG_TRACE, "%s %s(%zu)", dir, hex, n);
}

static int send(struct brom *b, const void *p, size_t n, const char *what)
{
	int ret;

	trace(b, ">", p, n);
	ret = mtk_tp_write(b->tp, p, n, b->timeout_ms + (int)(n / 32));
	if (ret < 0)
		return fail(b, ret, "sending %s: %s", what, gone_or_silent(ret));
	return 0;
}

static int recv(struct brom *b, void *p, size_t n, const char *what)
{
	/* long data phases get time for the bytes themselves (>= 64 KB/s) */
	int ret = mtk_tp_read_exact(b->tp, p, n, b->timeout_ms + (int)(n / 64));

	if (ret < 0)
		return fail(b, ret, "waiting for %s: %s", what, gone_or_silent(ret));
	trace(b, "<", p, n);
	return 0;
}

/* Sends bytes and checks that the ROM echoes them back unchanged. */
static int send_echo(struct brom *b, const uint8_t *p, size_t n, const char *what)
{
	uint8_t got[4];
	int ret;

	if ((ret = send(b, p, n, what)) < 0 || (ret = recv(b, got, n, what)) < 0)
		return ret;
	if (memcmp(got, p, n)) {
		char s[16] = "", g[16] = "";

		for (size_t i = 0; i < n; i++) {
			snprintf(s + 2 * i, 3, "%02X", p[i]);
			snprintf(g + 2 * i, 3, "%02X", got[i]);
		}
		return fail(b, -EPROTO, "wrong echo of %s: sent %s, got %s", what, s, g);
	}
	return 0;
}

static int cmd(struct brom *b, uint8_t c, const char *name)
{
	b->detail[0] = 0;
	b->last_status = 0;
	mtk_logf(b->log, MTK_LOG_DEBUG, "brom: %02X %s", c, name);
	return send_echo(b, &c, 1, name);
}

static int param32(struct brom *b, uint32_t v, const char *what)
{
	uint8_t p[4];

	mtk_put_be32(p, v);
	return send_echo(b, p, 4, what);
}

/* Reads a status word; statuses >= 0x100 are the ROM refusing. */
static int status(struct brom *b, const char *what)
{
	uint8_t s[2];
	uint16_t st;
	int ret = recv(b, s, 2, what);

	if (ret < 0)
		return ret;
	st = (uint16_t)(s[0] << 8 | s[1]);
	if (st >= BROM_ST_ERROR) {
		b->last_status = st;
		return fail(b, st == BROM_ST_SECURE ? -EPERM : -EREMOTEIO, "%s: status 0x%04X (%s)",
			    what, st, brom_status_text(st));
	}
	return 0;
}

uint16_t brom_checksum(const uint8_t *data, uint32_t len)
{
	uint16_t chk = 0;

	for (uint32_t i = 0; i + 1 < len; i += 2)
		chk ^= (uint16_t)(data[i] | data[i + 1] << 8);
	if (len & 1)
		chk ^= data[len - 1];
	return chk;
}

/* ---- handshake ---- */

int brom_handshake(struct brom *b, int deadline_ms)
{
	static const uint8_t start_cmd[4] = {BROM_START_0, BROM_START_1, BROM_START_2,
					     BROM_START_3};
	int64_t end = mtk_now_ms() + deadline_ms;
	unsigned replies = 0, silent = 0;
	size_t idx = 0;
	uint8_t last_bad = 0;
	bool got_bad = false;

	b->detail[0] = 0;
	b->already_synced = false;
	/* bounded: by the deadline, and by a generous count of answers that were not it */
	while (mtk_now_ms() < end && replies < 400) {
		uint8_t r;
		int ret;

		ret = mtk_tp_write(b->tp, &start_cmd[idx], 1, b->handshake_byte_ms);
		if (ret == -ETIMEDOUT)
			continue;
		if (ret < 0)
			return fail(b, ret, "handshake: %s", gone_or_silent(ret));
		ret = mtk_tp_read_exact(b->tp, &r, 1, b->handshake_byte_ms);
		if (ret == -ETIMEDOUT) {
			silent++;
			idx = 0;
			continue;
		}
		if (ret < 0)
			return fail(b, ret, "handshake: %s", gone_or_silent(ret));
		replies++;
		if ((int)r == 0xFF - (int)start_cmd[idx]) { /* the ROM answers the complement */
			if (++idx == sizeof(start_cmd)) {
				mtk_logf(b->log, MTK_LOG_INFO, "brom: handshake done");
				return 0;
			}
			continue;
		}
		if (idx == 0 && r == start_cmd[0]) {
			/* The command loop echoes unknown bytes: the ROM is already synced (a
			 * previous run). Confirm with GET_VERSION, which is never echoed. */
			uint8_t v = 0, bl = 0;

			mtk_tp_drain(b->tp, 20);
			/* FF is answered with the version (5 on every known ROM; in handshake
			 * mode it would come back as 00), and FE is echoed (else FF) */
			if (brom_get_version(b, &v) == 0 && v == BROM_VERSION &&
			    brom_get_bl_version(b, &bl) == 0 && bl == BROM_BL_VERSION) {
				mtk_tp_drain(b->tp, 20);
				b->already_synced = true;
				mtk_logf(b->log, MTK_LOG_INFO,
					 "brom: already in command mode (a previous run?)");
				return 0;
			}
			b->detail[0] = 0;
		}
		/* byte+1 (the ROM's "not that") or garbage: start over */
		last_bad = r;
		got_bad = true;
		mtk_logf(b->log, MTK_LOG_DEBUG, "brom: handshake byte %02X got %02X, restarting",
			 start_cmd[idx], r);
		idx = 0;
		mtk_tp_drain(b->tp, 5);
	}
	if (got_bad)
		return fail(b, -EPROTO,
			    "handshake: the device answers, but not like a MediaTek boot ROM "
			    "(last answer 0x%02X to 0x%02X)",
			    last_bad, start_cmd[idx]);
	return fail(b, -ETIMEDOUT, "handshake: no answer to the start bytes within %d ms",
		    deadline_ms);
}

/* ---- simple commands ---- */

int brom_get_version(struct brom *b, uint8_t *ver)
{
	uint8_t c = BROM_CMD_GET_VERSION;
	int ret;

	b->detail[0] = 0;
	if ((ret = send(b, &c, 1, "GET_VERSION (FF)")) < 0 ||
	    (ret = recv(b, ver, 1, "the boot ROM version")) < 0)
		return ret;
	return 0;
}

int brom_get_bl_version(struct brom *b, uint8_t *ver)
{
	uint8_t c = BROM_CMD_GET_BL_VERSION;
	int ret;

	b->detail[0] = 0;
	if ((ret = send(b, &c, 1, "GET_BL_VER (FE)")) < 0 ||
	    (ret = recv(b, ver, 1, "the bootloader version")) < 0)
		return ret;
	return 0;
}

int brom_get_target_config(struct brom *b, uint32_t *cfg)
{
	uint8_t p[4];
	int ret;

	if ((ret = cmd(b, BROM_CMD_TARGET_CONFIG, "GET_TARGET_CONFIG (D8)")) < 0)
		return ret;
	/* an error answer is a lone status word: read 2 bytes first */
	if ((ret = recv(b, p, 2, "the target config")) < 0)
		return ret;
	if (mtk_get_be16(p) >= BROM_ST_ERROR) {
		b->last_status = mtk_get_be16(p);
		return fail(b, b->last_status == BROM_ST_SECURE ? -EPERM : -EREMOTEIO,
			    "GET_TARGET_CONFIG: status 0x%04X (%s)", b->last_status,
			    brom_status_text(b->last_status));
	}
	if ((ret = recv(b, p + 2, 2, "the target config")) < 0)
		return ret;
	*cfg = mtk_get_be32(p);
	return status(b, "GET_TARGET_CONFIG");
}

int brom_get_me_id(struct brom *b, uint8_t me_id[16])
{
	uint8_t p[4], buf[64];
	uint32_t len;
	int ret;

	if ((ret = cmd(b, BROM_CMD_GET_ME_ID, "GET_ME_ID (E1)")) < 0)
		return ret;
	if ((ret = recv(b, p, 2, "the ME ID length")) < 0)
		return ret;
	if (mtk_get_be16(p) >= BROM_ST_ERROR) {
		b->last_status = mtk_get_be16(p);
		return fail(b, -EREMOTEIO, "GET_ME_ID: status 0x%04X (%s)", b->last_status,
			    brom_status_text(b->last_status));
	}
	if ((ret = recv(b, p + 2, 2, "the ME ID length")) < 0)
		return ret;
	len = mtk_get_be32(p);
	if (len == 0 || len > sizeof(buf))
		return fail(b, -EPROTO, "GET_ME_ID: impossible length %u", len);
	if ((ret = recv(b, buf, len, "the ME ID")) < 0)
		return ret;
	memset(me_id, 0, 16);
	memcpy(me_id, buf, len < 16 ? len : 16);
	return status(b, "GET_ME_ID");
}

int brom_set_uart_baud(struct brom *b, uint32_t baud)
{
	int ret;

	if ((ret = cmd(b, BROM_CMD_UART1_SET_BAUD, "UART1_SET_BAUDRATE (DC)")) < 0 ||
	    (ret = param32(b, baud, "the baud rate")) < 0)
		return ret;
	return status(b, "UART1_SET_BAUDRATE");
}

/* ---- reads ---- */

static int read_common(struct brom *b, uint8_t c, const char *name, uint32_t addr, void *out,
		       uint32_t count, uint32_t unit)
{
	uint8_t buf[4096];
	char what[64];
	int ret;

	if (count == 0 || count > MAX_ITEMS)
		return fail(b, -EINVAL, "%s: count %u out of range", name, count);
	if ((ret = cmd(b, c, name)) < 0)
		return ret;
	snprintf(what, sizeof(what), "%s address", name);
	if ((ret = param32(b, addr, what)) < 0)
		return ret;
	snprintf(what, sizeof(what), "%s count", name);
	if ((ret = param32(b, count, what)) < 0)
		return ret;
	if (c != BROM_CMD_LEGACY_READ16 && (ret = status(b, name)) < 0)
		return ret;
	for (uint32_t i = 0; i < count;) {
		uint32_t n = count - i;

		if (n > sizeof(buf) / unit)
			n = (uint32_t)(sizeof(buf) / unit);
		snprintf(what, sizeof(what), "%s data at 0x%08X", name, addr + i * unit);
		if ((ret = recv(b, buf, (size_t)n * unit, what)) < 0)
			return ret;
		for (uint32_t k = 0; k < n; k++) {
			const uint8_t *p = buf + k * unit;

			if (unit == 4)
				((uint32_t *)out)[i + k] = mtk_get_be32(p);
			else
				((uint16_t *)out)[i + k] = (uint16_t)(p[0] << 8 | p[1]);
		}
		i += n;
	}
	if (c != BROM_CMD_LEGACY_READ16 && (ret = status(b, name)) < 0)
		return ret;
	return 0;
}

int brom_legacy_read16(struct brom *b, uint32_t addr, uint16_t *out, uint32_t count)
{
	return read_common(b, BROM_CMD_LEGACY_READ16, "READ16 (A2)", addr, out, count, 2);
}

int brom_read16(struct brom *b, uint32_t addr, uint16_t *out, uint32_t count)
{
	return read_common(b, BROM_CMD_READ16, "READ16 (D0)", addr, out, count, 2);
}

int brom_read32(struct brom *b, uint32_t addr, uint32_t *out, uint32_t count)
{
	return read_common(b, BROM_CMD_READ32, "READ32 (D1)", addr, out, count, 4);
}

/* ---- writes ---- */

static int write_common(struct brom *b, uint8_t c, const char *name, uint32_t addr,
			const void *vals, uint32_t count, uint32_t unit, bool echo)
{
	char what[64];
	int ret;

	if (count == 0 || count > MAX_ITEMS)
		return fail(b, -EINVAL, "%s: count %u out of range", name, count);
	if ((ret = cmd(b, c, name)) < 0)
		return ret;
	snprintf(what, sizeof(what), "%s address", name);
	if ((ret = param32(b, addr, what)) < 0)
		return ret;
	snprintf(what, sizeof(what), "%s count", name);
	if ((ret = param32(b, count, what)) < 0)
		return ret;
	if ((ret = status(b, name)) < 0)
		return ret;
	for (uint32_t i = 0; i < count; i++) {
		uint8_t p[4];

		if (unit == 4) {
			mtk_put_be32(p, ((const uint32_t *)vals)[i]);
		} else {
			uint16_t v = ((const uint16_t *)vals)[i];

			p[0] = (uint8_t)(v >> 8);
			p[1] = (uint8_t)v;
		}
		snprintf(what, sizeof(what), "%s value for 0x%08X", name, addr + i * unit);
		ret = echo ? send_echo(b, p, unit, what) : send(b, p, unit, what);
		if (ret < 0)
			return ret;
	}
	return status(b, name);
}

int brom_write16(struct brom *b, uint32_t addr, const uint16_t *v, uint32_t count)
{
	return write_common(b, BROM_CMD_WRITE16, "WRITE16 (D2)", addr, v, count, 2, true);
}

int brom_write16_noecho(struct brom *b, uint32_t addr, const uint16_t *v, uint32_t count)
{
	return write_common(b, BROM_CMD_WRITE16_NE, "WRITE16 (D3)", addr, v, count, 2, false);
}

int brom_write32(struct brom *b, uint32_t addr, const uint32_t *v, uint32_t count)
{
	return write_common(b, BROM_CMD_WRITE32, "WRITE32 (D4)", addr, v, count, 4, true);
}

/* ---- code upload ---- */

int brom_send_da(struct brom *b, uint32_t addr, const uint8_t *data, uint32_t len, uint32_t sig_len)
{
	uint8_t p[2];
	uint16_t mine = brom_checksum(data, len), theirs;
	int ret, saved_timeout = b->timeout_ms;

	if (len == 0)
		return fail(b, -EINVAL, "SEND_DA: nothing to upload");
	if ((ret = cmd(b, BROM_CMD_SEND_DA, "SEND_DA (D7)")) < 0 ||
	    (ret = param32(b, addr, "SEND_DA address")) < 0 ||
	    (ret = param32(b, len, "SEND_DA size")) < 0 ||
	    (ret = param32(b, sig_len, "SEND_DA signature length")) < 0 ||
	    (ret = status(b, "SEND_DA")) < 0)
		return ret;
	for (uint32_t done = 0; done < len;) {
		uint32_t n = len - done > 4096 ? 4096 : len - done;

		if ((ret = send(b, data + done, n, "the code")) < 0)
			return ret;
		done += n;
	}
	/* the ROM checksums as it stores: allow it time after the last byte */
	b->timeout_ms = saved_timeout + 2000;
	ret = recv(b, p, 2, "the SEND_DA checksum");
	b->timeout_ms = saved_timeout;
	if (ret < 0)
		return ret;
	theirs = (uint16_t)(p[0] << 8 | p[1]);
	if ((ret = status(b, "SEND_DA")) < 0)
		return ret;
	if (theirs != mine)
		return fail(b, -EBADMSG,
			    "SEND_DA: the watch received different bytes (checksum 0x%04X, "
			    "expected 0x%04X)",
			    theirs, mine);
	return 0;
}

int brom_jump_da(struct brom *b, uint32_t addr)
{
	int ret;

	if ((ret = cmd(b, BROM_CMD_JUMP_DA, "JUMP_DA (D5)")) < 0 ||
	    (ret = param32(b, addr, "JUMP_DA address")) < 0)
		return ret;
	return status(b, "JUMP_DA");
}

/* ---- identification and housekeeping ---- */

int brom_identify(struct brom *b, struct brom_id *id)
{
	uint16_t v;
	int ret;

	memset(id, 0, sizeof(*id));
	if ((ret = brom_legacy_read16(b, 0x80000000u, &v, 1)) < 0)
		return ret;
	id->hw_ver = v;
	if ((ret = brom_legacy_read16(b, 0x80000004u, &v, 1)) < 0)
		return ret;
	id->sw_ver = v;
	if ((ret = brom_legacy_read16(b, 0x80000008u, &v, 1)) < 0)
		return ret;
	id->hw_code = v;
	if ((ret = brom_legacy_read16(b, 0x8000000Cu, &v, 1)) < 0)
		return ret;
	id->hw_subcode = v;
	id->chip = chip_find(id->hw_code);
	if ((ret = brom_get_version(b, &id->brom_version)) < 0)
		return ret;
	if ((ret = brom_get_me_id(b, id->me_id)) < 0)
		return ret;
	if (id->chip && id->chip->efuse_swver_reg) {
		if ((ret = brom_read32(b, id->chip->efuse_swver_reg, &id->efuse_swver, 1)) < 0)
			return ret;
		id->variant = chip_variant_name(id->chip, id->efuse_swver);
	}
	if ((ret = brom_get_target_config(b, &id->target_config)) < 0)
		return ret;
	id->secure = (id->target_config & (BROM_CFG_SLA | BROM_CFG_DAA)) != 0;
	mtk_logf(b->log, MTK_LOG_INFO, "brom: hw code 0x%04X hw ver 0x%04X sw ver 0x%04X",
		 id->hw_code, id->hw_ver, id->sw_ver);
	return 0;
}

int brom_disable_watchdog(struct brom *b, const struct chip_info *c)
{
	uint16_t mode;
	int ret;

	ret = brom_read16(b, c->wdt_mode_reg, &mode, 1);
	if (ret == 0) {
		b->wdt_mode_saved = mode;
		b->wdt_mode_saved_valid = true;
	} else if (ret != -EREMOTEIO) {
		return ret; /* the link broke; a refused read only costs the saved mode */
	}
	ret = brom_write16(b, c->wdt_mode_reg, &c->wdt_disable_value, 1);
	if (ret == 0)
		mtk_logf(b->log, MTK_LOG_INFO, "brom: watchdog off");
	return ret;
}

int brom_rearm_watchdog(struct brom *b, const struct chip_info *c)
{
	uint16_t mode = (uint16_t)(c->wdt_disable_value & 0xFF00);
	int ret;

	mode |= b->wdt_mode_saved_valid ? (uint16_t)(b->wdt_mode_saved & 0x00FF) : 0;
	mode |= c->wdt_enable_bit;
	if ((ret = brom_write16(b, c->wdt_mode_reg, &mode, 1)) < 0)
		return ret;
	ret = brom_write16(b, c->wdt_restart_reg, &c->wdt_restart_value, 1);
	if (ret == 0)
		mtk_logf(b->log, MTK_LOG_INFO, "brom: watchdog armed again (mode 0x%04X)", mode);
	return ret;
}

int brom_keep_alive(struct brom *b, const struct chip_info *c)
{
	for (size_t i = 0; i < c->keepalive_count && i < CHIP_MAX_KEEPALIVE; i++) {
		int ret = brom_write16(b, c->keepalive[i].addr, &c->keepalive[i].value, 1);

		if (ret < 0)
			return ret;
	}
	return 0;
}

int brom_keep_alive_id(struct brom *b, const struct brom_id *id)
{
	size_t n = 0;
	const struct reg_write *w = chip_keepalive(id->chip, id->efuse_swver, &n);

	b->keepalive_skipped = id->chip && id->chip->keepalive_count && !n;
	if (b->keepalive_skipped)
		mtk_logf(b->log, MTK_LOG_INFO,
			 "brom: no keep-alive writes on %s (MT6261's values are not this part's)",
			 id->variant ? id->variant : id->chip->name);
	for (size_t i = 0; i < n; i++) {
		int ret = brom_write16(b, w[i].addr, &w[i].value, 1);

		if (ret < 0)
			return ret;
	}
	return 0;
}

int brom_arm_watchdog(struct brom *b, const struct chip_info *c, int timeout_ms)
{
	/* 512 ticks of 32768 Hz = 15.625 ms per unit, 11 bits */
	uint32_t units = (uint32_t)(timeout_ms > 0 ? timeout_ms : 1) * 64u / 1000u;
	uint16_t len, mode = (uint16_t)((c->wdt_disable_value & 0xFF00) | c->wdt_enable_bit);
	int ret;

	if (!c->wdt_length_reg)
		return fail(b, -ENOTSUP, "no watchdog length register for %s", c->name);
	if (units < 1)
		units = 1;
	if (units > 0x7FF)
		units = 0x7FF;
	len = (uint16_t)(units << 5 | (c->wdt_length_key & 0x1Fu));
	if ((ret = brom_write16(b, c->wdt_length_reg, &len, 1)) < 0 ||
	    (ret = brom_write16(b, c->wdt_mode_reg, &mode, 1)) < 0 ||
	    (ret = brom_write16(b, c->wdt_restart_reg, &c->wdt_restart_value, 1)) < 0)
		return ret;
	mtk_logf(b->log, MTK_LOG_INFO, "brom: watchdog armed: reset in %u ms unless kicked",
		 (unsigned)(units * 1000u / 64u));
	return 0;
}

int brom_remap_flash(struct brom *b, const struct chip_info *c)
{
	uint32_t v, want, back;
	int ret;

	if ((ret = brom_read32(b, c->remap_reg, &v, 1)) < 0)
		return ret;
	want = (v & ~3u) | c->remap_flash_at_0;
	if ((ret = brom_write32(b, c->remap_reg, &want, 1)) < 0)
		return ret;
	if ((ret = brom_read32(b, c->remap_reg, &back, 1)) < 0)
		return ret;
	if (back != want)
		return fail(b, -EPROTO, "remap register 0x%08X reads 0x%08X after writing 0x%08X",
			    c->remap_reg, back, want);
	return 0;
}

int brom_reboot(struct brom *b, const struct chip_info *c)
{
	uint8_t p[2] = {(uint8_t)(c->wdt_swrst_value >> 8), (uint8_t)c->wdt_swrst_value};
	uint8_t tail[4];
	int ret;

	if ((ret = cmd(b, BROM_CMD_WRITE16, "WRITE16 (D2)")) < 0 ||
	    (ret = param32(b, c->wdt_swrst_reg, "WRITE16 address")) < 0 ||
	    (ret = param32(b, 1, "WRITE16 count")) < 0 || (ret = status(b, "WRITE16")) < 0 ||
	    (ret = send(b, p, 2, "the reset value")) < 0)
		return ret;
	/* echo + status, if the chip gets to send them before it resets */
	ret = mtk_tp_read_exact(b->tp, tail, sizeof(tail), 300);
	if (ret < 0 && ret != -ETIMEDOUT && ret != -ENODEV)
		return fail(b, ret, "reboot: %s", gone_or_silent(ret));
	mtk_logf(b->log, MTK_LOG_INFO, "brom: watch reset");
	b->detail[0] = 0;
	return 0;
}

const char *brom_status_text(uint16_t st)
{
#define BROM_ST_TEXT_(name, value, text) {value, text},
	static const struct {
		uint16_t st;
		const char *text;
	} texts[] = {BROM_STATUS_LIST(BROM_ST_TEXT_)};
#undef BROM_ST_TEXT_

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i].st == st)
			return texts[i].text;
	return st < BROM_ST_ERROR ? "ok" : "unknown boot ROM status";
}
