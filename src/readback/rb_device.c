/* The readback engine's device operations on a real (or simulated) watch: port_open through
 * brom_connect, the boot ROM's housekeeping, then either mtkbak's agent (da_*) or BROM-only
 * READ32 with every block read twice. Also readback_run(), the public entry point. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	    (ret = brom_keep_alive(&d->brom, id->chip)) < 0)
		return ret;
	return 0;
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

	if (d->open)
		brom_disconnect(&d->brom);
	if (d->da_running) {
		d->packet_retries += d->da.retries;
		add_wire(&d->wire, &d->da);
	}
	d->open = false;
	d->da_running = false;
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
	if (d->o->no_da)
		return 0;
	state(d, "Starting mtkbak's agent on the watch");
	ret = da_start(&d->da, &d->brom, id->chip);
	if (ret < 0) {
		keep_detail(d, "starting the agent");
		if (ret == -EPERM)
			snprintf(d->detail, sizeof(d->detail),
				 "the watch is a secure part: its boot ROM refused mtkbak's agent "
				 "(status 0x%04X, signed code required)",
				 d->brom.last_status ? d->brom.last_status : BROM_ST_SECURE);
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
	return ret;
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

/* BROM-only: each block is read until two reads agree (at most BROM_READS_MAX). */
static int brom_read_block(struct rb_real_dev *d, uint32_t off, uint32_t len, uint8_t *out)
{
	uint32_t n = len / 4;
	int ret;

	for (int attempt = 0; attempt < BROM_READS_MAX; attempt++) {
		uint8_t *dst = d->copy[attempt & 1];

		ret = brom_read32(&d->brom, d->id.chip->flash_window + off, d->words, n);
		if (ret < 0) {
			keep_detail(d, "READ32");
			return ret;
		}
		words_to_flash_bytes(d->words, n, dst);
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

static int read_dev(void *dev, uint32_t off, uint32_t len, uint8_t *buf, rb_data_fn on_data,
		    void *cb_ctx)
{
	struct rb_real_dev *d = dev;
	int ret;

	if (!d->open)
		return -ENODEV;
	if (d->da_running) {
		struct sink_ctx s = {off, len, 0, buf, on_data, cb_ctx};

		ret = da_read(&d->da, off, len, sink, &s);
		if (ret == 0 && s.got != len) {
			snprintf(d->detail, sizeof(d->detail),
				 "the agent sent 0x%X of 0x%X bytes at 0x%06X", s.got, len, off);
			ret = -EPROTO;
		} else if (ret < 0 && ret != -EINTR) {
			keep_detail(d, "reading through the agent");
		}
		return ret;
	}
	if (off % 4 || len % 4)
		return -EINVAL;
	for (uint32_t done = 0; done < len;) {
		uint32_t n = len - done < BROM_BLOCK ? len - done : BROM_BLOCK;

		if ((ret = brom_read_block(d, off + done, n, buf + done)) < 0)
			return ret;
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
		return d->open || d->o->no_da ? -ENOTSUP : -ENODEV;
	ret = da_crc32(&d->da, off, len, crc);
	if (ret < 0)
		keep_detail(d, "CRC-32 on the watch");
	return ret;
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

static void wire_dev(void *dev, struct readback_wire *w)
{
	struct rb_real_dev *d = dev;

	*w = d->wire;
	if (d->da_running)
		add_wire(w, &d->da);
}

const struct rb_dev_ops rb_real_dev_ops = {
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
