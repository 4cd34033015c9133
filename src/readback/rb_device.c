/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The readback engine's device operations on a real (or simulated) watch: port_open through
 * brom_connect, the boot ROM's housekeeping, then either mtkbak's agent (da_*) or BROM-only
 * READ32 with every block read twice. Also readback_run(), the public entry point. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mtkbak/clock.h"

#include "mtkbak/da.h"
#include "mtkbak/brom_wire.h"
#include "mtkbak/errors.h"
#include "mtkbak/text.h"
#include "readback/rb_internal.h"

/* BROM-only: words per READ32 command. Large counts amortise the three echo round trips
 * (each at least one 1 ms USB frame); the boot ROM streams any count below 2^30. */
#define BROM_BLOCK_WORDS 16384u
#define BROM_BLOCK	 (BROM_BLOCK_WORDS * 4u)
#define BROM_READS_MAX	 4 /* per block: until two reads agree */

struct rb_real_dev {
	const struct readback_opts *o;
	struct brom brom;
	struct da da;
	struct brom_id id;
	bool open, da_running;
	bool announce; /* say "waiting for the watch" once, on the first connect */
	bool connected_before;
	bool brom_only; /* the agent failed once: the boot ROM alone from now on */
	bool warned_keepalive;
	char fallback_why[256];		/* why brom_only was set, "" if it was not */
	bool gave_up;			/* the agent failed under --no-fallback: final */
	bool stream_bad;		/* the agent's READ stream fails, its small commands work */
	unsigned packet_retries;	/* of closed agent sessions */
	struct readback_wire wire;	/* of closed agent sessions */
	struct mtk_transport *first_tp; /* opts->tp, used by the first connect */
	uint32_t *words;
	uint8_t *copy[2];
	char detail[256];
};

static int wait_tick(void *ctx, int waited_ms)
{
	struct rb_real_dev *d = ctx;

	if (d->o->cancelled && d->o->cancelled(d->o->cb_ctx))
		return -EINTR;
	if (d->announce && waited_ms >= 300) {
		d->announce = false;
		if (d->o->state)
			d->o->state(d->o->cb_ctx,
				    "Waiting for the watch: switch it off, then connect USB while "
				    "holding its boot key (if it has one)");
	}
	return 0;
}

static void state(struct rb_real_dev *d, const char *msg)
{
	if (d->o->state)
		d->o->state(d->o->cb_ctx, msg);
}

static void keep_detail(struct rb_real_dev *d, const char *what)
{
	if (!d->o->no_da && d->da.detail[0])
		snprintf(d->detail, sizeof(d->detail), "%s", d->da.detail);
	else if (d->brom.detail[0])
		snprintf(d->detail, sizeof(d->detail), "%s", d->brom.detail);
	else
		snprintf(d->detail, sizeof(d->detail), "%s", what);
}

/* The first connection may use a port the caller already opened (pull after identify). */
static int connect_given_port(struct rb_real_dev *d, struct brom_id *id)
{
	int ret;

	brom_init(&d->brom, d->first_tp, d->o->log);
	d->first_tp = NULL;
	if ((ret = brom_handshake(&d->brom, 2000)) < 0 || (ret = brom_identify(&d->brom, id)) < 0)
		return ret;
	if (!id->chip) {
		snprintf(d->brom.detail, sizeof(d->brom.detail), "unknown chip: hw code 0x%04X",
			 id->hw_code);
		return -ENOTSUP;
	}
	if ((ret = brom_disable_watchdog(&d->brom, id->chip)) < 0 ||
	    (ret = brom_keep_alive_id(&d->brom, id)) < 0)
		return ret;
	return 0;
}

static void warn_dev(struct rb_real_dev *d, const char *msg)
{
	if (d->o->warn)
		d->o->warn(d->o->cb_ctx, msg);
	else
		mtk_logf(d->o->log, MTK_LOG_INFO, "readback: warning: %s", msg);
}

static void add_wire(struct readback_wire *w, const struct da *da)
{
	w->wire_bytes += da->wire_bytes;
	for (int k = 0; k < 3; k++)
		w->kind_bytes[k] += da->zbytes[k];
	w->zchunks += da->zchunks;
	w->rawchunks += da->rawchunks;
	w->offered |= da_can_compress(da);
}

static void close_dev(void *dev)
{
	struct rb_real_dev *d = dev;

	if (d->open && d->da_running && d->da.wdt_armed && d->o->no_reboot) {
		/* --no-reboot leaves the agent running: the dead man's switch must not reset
		 * the watch behind the user's back (the agent takes the boot ROM's D2) */
		uint16_t off = d->id.chip ? d->id.chip->wdt_disable_value : 0x2200;

		if (d->id.chip)
			brom_write16(&d->brom, d->id.chip->wdt_mode_reg, &off, 1);
	}
	if (d->open)
		brom_disconnect(&d->brom);
	if (d->da_running) {
		d->packet_retries += d->da.retries;
		add_wire(&d->wire, &d->da);
	}
	d->open = false;
	d->da_running = false;
}

/* ---- falling back to the boot ROM alone ---- */

/* An agent failure the boot ROM path can cure: not a secure part, not Ctrl-C, not a cable
 * that is gone (that one reconnects as before), and not turned off by --no-fallback. */
static bool agent_silent(struct rb_real_dev *d, int err)
{
	if (err == -ENODEV || err == -EIO)
		return d->da.jumped && d->da.wdt_armed && mtk_now_ms() - d->da.last_rx_ms >= 1000;
	return err == -ETIMEDOUT || err == -EPROTO;
}

static bool fallback_allowed(struct rb_real_dev *d, int err)
{
	if (d->o->no_fallback && d->da_running && agent_silent(d, err)) {
		size_t n = strlen(d->detail);

		d->gave_up = true;
		snprintf(d->detail + n, sizeof(d->detail) - n,
			 "%smtkbak's agent stopped answering; --no-fallback: not continuing "
			 "through the boot ROM alone (rerun without it, or with --no-da)",
			 n ? "; " : "");
		return false;
	}
	if (d->o->no_fallback || d->o->no_da || d->brom_only)
		return false;
	if (err == -EPERM || err == -EINTR || err == -EACCES || err == -EBUSY || err == -ENOMEM)
		return false;
	/* The watch left the bus: a cable pull (the agent talked until then: reconnect as
	 * before) or the watchdog's reset of an agent that had been silent for a while. */
	if (err == -ENODEV || err == -EIO)
		return agent_silent(d, err);
	return true;
}

/* The watch after the watchdog's reset: a fresh boot ROM on the bus (its window is short, so
 * mtkbak keeps trying a handshake), the same watch. Bounded by the watchdog time + grace. */
static int wait_brom_again(struct rb_real_dev *d, struct brom_id *id)
{
	struct brom_connect_opts copts = {.handshake_ms = 600};
	int64_t deadline =
	    mtk_now_ms() + (d->da.wdt_armed ? RB_AGENT_WDT_MS : 0) + RB_FALLBACK_GRACE_MS;
	int ret = -ETIMEDOUT;

	for (unsigned attempt = 0; attempt < 400; attempt++) {
		int64_t left = deadline - mtk_now_ms();
		struct port_wait w = {
		    .timeout_ms = left > 0 ? (int)left : 0, .tick = wait_tick, .ctx = d};

		if (left <= 0)
			break;
		ret = brom_connect(&d->brom, d->o->env, d->o->port, &w, &copts, id, d->o->log);
		if (ret == 0)
			return 0;
		if (ret == -EINTR || ret == -EPERM || ret == -EACCES || ret == -EBUSY ||
		    ret == -ENOTSUP)
			return ret;
		/* still the dead agent (no handshake answer), or nothing on the bus yet */
		usleep(50 * 1000);
	}
	snprintf(d->detail, sizeof(d->detail),
		 "the agent stopped answering and the watch did not come back in boot-ROM mode "
		 "within %d s (it may have started its firmware): plug it in again holding the "
		 "boot key; a running mtkbak continues through the boot ROM alone, a new run needs "
		 "--no-da",
		 (int)((RB_AGENT_WDT_MS + RB_FALLBACK_GRACE_MS) / 1000));
	return ret == -ENODEV ? -ETIMEDOUT : ret;
}

/* The agent failed with err: from now on this run reads through the boot ROM alone. When
 * the agent never ran (D7 refused) the boot ROM is still in command mode; otherwise the watch
 * is waited for until the watchdog has reset it. One line says why. */
static int fall_back(struct rb_real_dev *d, int err, const char *why, struct brom_id *id)
{
	char msg[400];
	struct brom_id nid;
	int ret;

	d->brom_only = true;
	snprintf(d->fallback_why, sizeof(d->fallback_why), "%s", why);
	if (d->da_running)
		d->packet_retries += d->da.retries;
	d->da_running = false;
	if (!d->da.jumped && !d->da.reused &&
	    !(err == -ENODEV || err == -EIO || err == -ETIMEDOUT)) {
		/* the upload was refused: the boot ROM still answers on this connection */
		snprintf(msg, sizeof(msg),
			 "mtkbak's agent could not be started (%s): continuing through the boot "
			 "ROM alone (slower)",
			 d->fallback_why);
		warn_dev(d, msg);
		return 0;
	}
	snprintf(msg, sizeof(msg),
		 "mtkbak's agent stopped answering (%s): %s, then continuing through the boot "
		 "ROM alone (slower)",
		 d->fallback_why,
		 d->da.wdt_armed ? "waiting for the watchdog to reset the watch"
				 : "waiting for the watch to come back");
	warn_dev(d, msg);
	close_dev(d);
	if ((ret = wait_brom_again(d, &nid)) < 0)
		return ret;
	if (memcmp(nid.me_id, d->id.me_id, 16)) {
		snprintf(d->detail, sizeof(d->detail),
			 "a different watch came back after the reset (another ME ID)");
		brom_disconnect(&d->brom);
		return -ENODEV;
	}
	d->open = true;
	d->id = nid;
	if (id)
		*id = nid;
	if ((ret = brom_remap_flash(&d->brom, nid.chip)) < 0) {
		keep_detail(d, "mapping the flash");
		close_dev(d);
		return ret;
	}
	state(d, "The watch is back in boot-ROM mode; continuing through the boot ROM alone");
	return 0;
}

static int connect_dev(void *dev, int timeout_ms, struct brom_id *id)
{
	struct rb_real_dev *d = dev;
	struct port_wait w = {.timeout_ms = timeout_ms, .tick = wait_tick, .ctx = d};
	const struct brom_connect_opts copts = {0};
	int ret;

	close_dev(d);
	d->detail[0] = '\0';
	if (d->first_tp) {
		ret = connect_given_port(d, id);
	} else if (!d->o->env || !d->o->port) {
		/* only an open port was given: nothing to wait for after a cable drop */
		snprintf(d->detail, sizeof(d->detail), "no port to reconnect to");
		return -ENODEV;
	} else {
		ret = brom_connect(&d->brom, d->o->env, d->o->port, &w, &copts, id, d->o->log);
	}
	if (ret < 0) {
		keep_detail(d, "");
		brom_disconnect(&d->brom);
		return ret;
	}
	d->open = true;
	d->id = *id;
	memset(&d->da, 0, sizeof(d->da));
	if (!d->connected_before) {
		char msg[400], me[33];

		mtk_hex(id->me_id, 16, me);
		snprintf(
		    msg, sizeof(msg), "Connected to %s: %s (hw code 0x%04X), ME ID %s%s",
		    d->brom.tp ? d->brom.tp->name : "the watch",
		    id->variant ? id->variant : id->chip->name, id->hw_code, me,
		    d->o->no_da
			? "; reading through the boot ROM alone (--no-da, which cannot compress)"
			: "");
		state(d, msg);
		d->connected_before = true;
		d->announce = false;
	}
	if ((ret = brom_remap_flash(&d->brom, id->chip)) < 0) {
		keep_detail(d, "mapping the flash");
		close_dev(d);
		return ret;
	}
	if (d->brom.keepalive_skipped && !d->warned_keepalive) {
		char msg[200];

		d->warned_keepalive = true;
		snprintf(msg, sizeof(msg),
			 "%s: mtkbak does not know this part's keep-alive writes (MT6261's are "
			 "not for it) and writes none: a long read may power the watch off; keep "
			 "it charged",
			 id->variant ? id->variant : id->chip->name);
		warn_dev(d, msg);
	}
	if (d->o->no_da || d->brom_only)
		return 0;
	state(d, "Starting mtkbak's agent on the watch");
	/* armed with or without --no-fallback: a dead agent must not leave the watch hung */
	ret = da_start_wdt(&d->da, &d->brom, id->chip, RB_AGENT_WDT_MS);
	if (ret < 0) {
		keep_detail(d, "starting the agent");
		if (ret == -EPERM)
			snprintf(d->detail, sizeof(d->detail),
				 "the watch is a secure part: its boot ROM refused mtkbak's agent "
				 "(status 0x%04X, signed code required)",
				 d->brom.last_status ? d->brom.last_status : BROM_ST_SECURE);
		if (fallback_allowed(d, ret)) {
			char why[300];

			if (d->da.jumped && ret == -ETIMEDOUT)
				snprintf(why, sizeof(why), "no hello within %d s after the jump",
					 DA_HELLO_TIMEOUT_MS / 1000);
			else
				snprintf(why, sizeof(why), "%s", d->detail);
			return fall_back(d, ret, why, id);
		}
		if (d->o->no_fallback && ret != -EPERM && ret != -EINTR)
			snprintf(d->detail + strlen(d->detail),
				 sizeof(d->detail) - strlen(d->detail),
				 "; --no-fallback: not continuing through the boot ROM alone "
				 "(rerun without it, or with --no-da)");
		close_dev(d);
		return ret;
	}
	d->da_running = true;
	d->da.compress = d->o->no_compress ? DA_COMPRESS_OFF : DA_COMPRESS_AUTO;
	/* A serial port may be a 115200-baud UART: keep each READ small, so that recovering from
	 * a lost byte (draining the rest of the chunk) takes seconds, not minutes. */
	if (d->brom.tp && d->brom.tp->ops && !strcmp(d->brom.tp->ops->kind, "serial"))
		d->da.chunk_size = 64u * 1024u;
	return 0;
}

static int flash_info_dev(void *dev, struct da_flash_info *fi)
{
	struct rb_real_dev *d = dev;
	int ret;

	if (!d->da_running)
		return -ENOTSUP;
	ret = da_flash_info(&d->da, fi);
	if (ret < 0)
		keep_detail(d, "reading the flash ID");
	if (ret < 0 && ret != -EREMOTEIO && ret != -EBADMSG && fallback_allowed(d, ret)) {
		if ((ret = fall_back(d, ret, "it went silent reading the flash ID", NULL)) < 0)
			return ret;
		return -ENOTSUP; /* no JEDEC ID through the boot ROM */
	}
	return d->gave_up ? -ETIMEDOUT : ret;
}

struct sink_ctx {
	uint32_t base, len, got;
	uint8_t *buf;
	rb_data_fn on_data;
	void *cb_ctx;
};

static int sink(void *ctx, uint32_t off, const uint8_t *data, size_t len)
{
	struct sink_ctx *s = ctx;

	/* The agent layer checked each packet's CRC; still never write outside the buffer,
	 * and insist on an in-order stream. */
	if (off != s->base + s->got || len > s->len - s->got)
		return -EPROTO;
	memcpy(s->buf + s->got, data, len);
	s->got += (uint32_t)len;
	return s->on_data ? s->on_data(s->cb_ctx, s->got) : 0;
}

static void words_to_flash_bytes(const uint32_t *w, uint32_t n, uint8_t *out)
{
	/* READ32 returns CPU words; the CPU reads the flash little-endian (spec section 3.3) */
	for (uint32_t i = 0; i < n; i++) {
		out[4 * i + 0] = (uint8_t)w[i];
		out[4 * i + 1] = (uint8_t)(w[i] >> 8);
		out[4 * i + 2] = (uint8_t)(w[i] >> 16);
		out[4 * i + 3] = (uint8_t)(w[i] >> 24);
	}
}

/* One copy of a block in a given shape. Shape 0 is one READ32 of the whole block; shape k > 0
 * reads the second part first, then the first part, split at a point that moves with k. So two
 * copies never share a stream position, a split or a start: a fault tied to where a byte is
 * in the stream (or to one command) cannot hit both the same way. */
static int brom_read_shape(struct rb_real_dev *d, uint32_t off, uint32_t len, uint8_t *dst,
			   unsigned shape)
{
	uint32_t n = len / 4, base = d->id.chip->flash_window + off;
	int ret;

	if (shape == 0 || n < 2) {
		ret = brom_read32(&d->brom, base, d->words, n);
		if (ret == 0)
			words_to_flash_bytes(d->words, n, dst);
		return ret;
	}
	/* split word: about the middle, moved by 3 words per shape, inside [1, n-1] */
	uint32_t h = n / 2 + 3u * (shape - 1u);

	h = 1u + h % (n - 1u);
	if ((ret = brom_read32(&d->brom, base + 4u * h, d->words, n - h)) < 0)
		return ret;
	words_to_flash_bytes(d->words, n - h, dst + 4u * h);
	if ((ret = brom_read32(&d->brom, base, d->words, h)) < 0)
		return ret;
	words_to_flash_bytes(d->words, h, dst);
	return 0;
}

/* BROM-only: each block is read until two copies in different shapes agree (at most
 * BROM_READS_MAX reads). This is a check of the link, not of the watch's own view of its
 * flash: the boot ROM has no checksum to compare with. */
static int brom_read_block(struct rb_real_dev *d, uint32_t off, uint32_t len, uint8_t *out)
{
	int ret;

	for (int attempt = 0; attempt < BROM_READS_MAX; attempt++) {
		uint8_t *dst = d->copy[attempt & 1];

		ret = brom_read_shape(d, off, len, dst, (unsigned)attempt);
		if (ret < 0) {
			keep_detail(d, "READ32");
			return ret;
		}
		if (attempt == 0)
			continue;
		if (!memcmp(d->copy[0], d->copy[1], len)) {
			memcpy(out, dst, len);
			return 0;
		}
		mtk_logf(d->o->log, MTK_LOG_INFO,
			 "readback: two READ32 reads of 0x%06X+0x%X differ: reading again", off,
			 len);
	}
	snprintf(d->detail, sizeof(d->detail),
		 "READ32 of 0x%06X+0x%X never gave the same bytes twice in %d reads", off, len,
		 BROM_READS_MAX);
	return -EBADMSG;
}

/* The agent answers small commands but its READ stream keeps failing its CRCs: READ32 (the
 * agent serves it like the boot ROM) once per block, proven by the agent's CRC-32 of the same
 * range instead of a second read: about half the link time of reading every block twice. */
static int crc_read_block(struct rb_real_dev *d, uint32_t off, uint32_t len, uint8_t *out)
{
	uint32_t n = len / 4, crc;
	int ret;

	for (int attempt = 0; attempt < BROM_READS_MAX; attempt++) {
		ret = brom_read32(&d->brom, d->id.chip->flash_window + off, d->words, n);
		if (ret < 0) {
			keep_detail(d, "READ32");
			return ret;
		}
		words_to_flash_bytes(d->words, n, out);
		if ((ret = da_crc32(&d->da, off, len, &crc)) < 0) {
			keep_detail(d, "CRC-32 on the watch");
			return ret;
		}
		if (rb_crc32(0, out, len) == crc)
			return 0;
		mtk_logf(d->o->log, MTK_LOG_INFO,
			 "readback: READ32 of 0x%06X+0x%X differs from the watch's CRC-32: again",
			 off, len);
	}
	snprintf(d->detail, sizeof(d->detail),
		 "READ32 of 0x%06X+0x%X never matched the watch's CRC-32 in %d reads", off, len,
		 BROM_READS_MAX);
	return -EBADMSG;
}

static int read_dev(void *dev, uint32_t off, uint32_t len, uint8_t *buf, rb_data_fn on_data,
		    void *cb_ctx)
{
	struct rb_real_dev *d = dev;
	int ret;

	if (!d->open)
		return -ENODEV;
	if (d->da_running && !d->stream_bad) {
		struct sink_ctx s = {off, len, 0, buf, on_data, cb_ctx};

		ret = da_read(&d->da, off, len, sink, &s);
		if (ret == 0 && s.got != len) {
			snprintf(d->detail, sizeof(d->detail),
				 "the agent sent 0x%X of 0x%X bytes at 0x%06X", s.got, len, off);
			ret = -EPROTO;
		} else if (ret < 0 && ret != -EINTR) {
			keep_detail(d, "reading through the agent");
		}
		if (ret == -EBADMSG && !d->o->no_fallback) {
			/* packets stay bad after every re-request: the stream does not work on this
			 * watch, but the agent answers: READ32 + its CRC-32 below */
			char msg[400];

			d->stream_bad = true;
			snprintf(d->fallback_why, sizeof(d->fallback_why),
				 "its READ stream kept failing its CRCs at 0x%06X (%.150s)", off,
				 d->detail);
			snprintf(
			    msg, sizeof(msg),
			    "mtkbak's agent answers, but %s: reading with READ32 once per block, "
			    "each proven by the agent's CRC-32",
			    d->fallback_why);
			warn_dev(d, msg);
		} else if (ret == 0 || ret == -EBADMSG || ret == -EREMOTEIO ||
			   !fallback_allowed(d, ret)) {
			return d->gave_up ? -ETIMEDOUT : ret; /* --no-fallback: exit 75 */
		} else {
			/* the agent went silent mid-read: the same range through the boot ROM */
			char why[300];

			snprintf(why, sizeof(why), "it went silent reading 0x%06X..0x%06X: %s", off,
				 off + len, mtk_strerror(ret));
			if ((ret = fall_back(d, ret, why, NULL)) < 0)
				return ret;
		}
	}
	if (off % 4 || len % 4)
		return -EINVAL;
	for (uint32_t done = 0; done < len;) {
		uint32_t n = len - done < BROM_BLOCK ? len - done : BROM_BLOCK;

		ret = d->da_running ? crc_read_block(d, off + done, n, buf + done)
				    : brom_read_block(d, off + done, n, buf + done);
		if (ret < 0 && d->da_running && ret != -EINTR && fallback_allowed(d, ret)) {
			/* the agent stopped answering even small commands */
			if ((ret = fall_back(d, ret, "it went silent in READ32/CRC-32 reads",
					     NULL)) < 0)
				return ret;
			continue;
		}
		if (ret < 0)
			return d->gave_up ? -ETIMEDOUT : ret;
		done += n;
		if (on_data && (ret = on_data(cb_ctx, done)) < 0)
			return ret;
	}
	return 0;
}

static int crc32_dev(void *dev, uint32_t off, uint32_t len, uint32_t *crc)
{
	struct rb_real_dev *d = dev;
	int ret;

	if (!d->da_running)
		return d->open || d->o->no_da || d->brom_only ? -ENOTSUP : -ENODEV;
	ret = da_crc32(&d->da, off, len, crc);
	if (ret < 0)
		keep_detail(d, "CRC-32 on the watch");
	if (ret < 0 && ret != -EREMOTEIO && ret != -EBADMSG && fallback_allowed(d, ret)) {
		if ((ret = fall_back(d, ret, "it went silent computing the image's CRC-32", NULL)) <
		    0)
			return ret;
		return -ENOTSUP; /* every chunk was checked on the way in */
	}
	return d->gave_up ? -ETIMEDOUT : ret;
}

static void finish_dev(void *dev, bool done)
{
	struct rb_real_dev *d = dev;
	int ret;

	if (!d->open || (!done && !d->da_running))
		return;
	if (d->da_running) {
		/* the watch may reset before its answer gets out: do not wait long for it */
		d->da.timeout_ms = 200;
		ret = da_reboot(&d->da);
	} else
		ret = brom_reboot(&d->brom, d->id.chip);
	if (ret < 0)
		mtk_logf(d->o->log, MTK_LOG_INFO, "readback: reset: %s",
			 d->da_running ? d->da.detail : d->brom.detail);
}

static const char *detail_dev(void *dev)
{
	struct rb_real_dev *d = dev;

	return d->detail;
}

static unsigned packet_retries_dev(void *dev)
{
	struct rb_real_dev *d = dev;

	return d->packet_retries + (d->da_running ? d->da.retries : 0);
}

static bool gave_up_dev(void *dev)
{
	return ((struct rb_real_dev *)dev)->gave_up;
}

static const char *fallback_dev(void *dev)
{
	struct rb_real_dev *d = dev;

	return d->brom_only || d->stream_bad ? d->fallback_why : NULL;
}

static void wire_dev(void *dev, struct readback_wire *w)
{
	struct rb_real_dev *d = dev;

	*w = d->wire;
	if (d->da_running)
		add_wire(w, &d->da);
}

const struct rb_dev_ops rb_real_dev_ops = {
    .fallback = fallback_dev,
    .gave_up = gave_up_dev,
    .packet_retries = packet_retries_dev,
    .wire = wire_dev,
    .connect = connect_dev,
    .flash_info = flash_info_dev,
    .read = read_dev,
    .crc32 = crc32_dev,
    .finish = finish_dev,
    .close = close_dev,
    .detail = detail_dev,
};

struct rb_real_dev *rb_real_dev_new(const struct readback_opts *o)
{
	struct rb_real_dev *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->o = o;
	d->first_tp = o->tp;
	d->announce = !o->tp;
	d->connected_before = o->tp != NULL; /* the caller already said who is connected */
	d->words = malloc(BROM_BLOCK);
	d->copy[0] = malloc(BROM_BLOCK);
	d->copy[1] = malloc(BROM_BLOCK);
	if (!d->words || !d->copy[0] || !d->copy[1]) {
		rb_real_dev_free(d);
		return NULL;
	}
	return d;
}

void rb_real_dev_free(struct rb_real_dev *d)
{
	if (!d)
		return;
	close_dev(d);
	if (d->first_tp)
		mtk_tp_close(d->first_tp);
	free(d->words);
	free(d->copy[0]);
	free(d->copy[1]);
	free(d);
}

int readback_run(const struct readback_opts *o, struct readback_result *r)
{
	struct rb_real_dev *d;
	int ret;

	if (!o->tp && (!o->env || !o->port)) {
		memset(r, 0, sizeof(*r));
		snprintf(r->error_context, sizeof(r->error_context), "no port to read from");
		return -EINVAL;
	}
	d = rb_real_dev_new(o);
	if (!d) {
		memset(r, 0, sizeof(*r));
		if (o->tp)
			mtk_tp_close(o->tp);
		return -ENOMEM;
	}
	ret = rb_engine_run(o, &rb_real_dev_ops, d, r);
	rb_real_dev_free(d);
	return ret;
}
