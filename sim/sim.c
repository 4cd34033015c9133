/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The simulated watch: bus presence, byte pipes, link model and faults. The device side
 * (boot ROM model and agent) runs in its own thread and reads byte-wise, like the ROM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "mtkbak/errors.h"
#include "mtkbak/clock.h"
#include "sim_internal.h"

#define NS_PER_MS     1000000ll
#define LINK_FS_BPS   1216000ll /* 19 x 64-byte packets per 1 ms frame */
#define LINK_FS_CHUNK 1216	/* bytes per frame */

static void wait_until(struct sim_watch *w, int64_t when_ns)
{
	struct timespec ts;

	if (when_ns == INT64_MAX) {
		pthread_cond_wait(&w->cv, &w->mu);
		return;
	}
#ifdef __APPLE__
	/* macOS has no pthread_condattr_setclock: wait for the time left instead */
	int64_t left = when_ns - sim_now_ns();

	if (left < 0)
		left = 0;
	ts.tv_sec = (time_t)(left / 1000000000ll);
	ts.tv_nsec = (long)(left % 1000000000ll);
	pthread_cond_timedwait_relative_np(&w->cv, &w->mu, &ts);
#else
	ts.tv_sec = (time_t)(when_ns / 1000000000ll);
	ts.tv_nsec = (long)(when_ns % 1000000000ll);
	pthread_cond_timedwait(&w->cv, &w->mu, &ts);
#endif
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* ---- byte rings ---- */

static size_t pipe_push(struct sim_pipe *p, const uint8_t *buf, size_t n)
{
	size_t done = 0;

	while (done < n && p->len < p->cap) {
		size_t tail = (p->head + p->len) % p->cap;
		size_t run = p->cap - tail;

		if (run > p->cap - p->len)
			run = p->cap - p->len;
		if (run > n - done)
			run = n - done;
		memcpy(p->buf + tail, buf + done, run);
		p->len += run;
		done += run;
	}
	return done;
}

static size_t pipe_pop(struct sim_pipe *p, uint8_t *buf, size_t n)
{
	size_t done = 0;

	while (done < n && p->len) {
		size_t run = p->cap - p->head;

		if (run > p->len)
			run = p->len;
		if (run > n - done)
			run = n - done;
		memcpy(buf + done, p->buf + p->head, run);
		p->head = (p->head + run) % p->cap;
		p->len -= run;
		done += run;
	}
	return done;
}

/* ---- bus presence (all under mu) ---- */

static void bus_flush(struct sim_watch *w)
{
	w->h2d.head = w->h2d.len = 0;
	w->d2h.head = w->d2h.len = 0;
	w->d2h_pushed = w->d2h_popped = w->d2h_sent = 0;
	memset(w->d2h_ends, 0, SIM_PIPE_CAP / 8);
	w->host_dtr = w->host_coding = false;
	w->seg_head = w->seg_count = 0;
	w->link_free_ns = 0;
	w->reply_pending = false;
}

static void bus_enumerate(struct sim_watch *w, int64_t now)
{
	w->present = true;
	w->generation++;
	w->epoch++;
	w->enum_ns = now;
	w->handshaken = false;
	w->plug_at_ns = -1;
	bus_flush(w);
	pthread_cond_broadcast(&w->cv);
}

static void bus_leave(struct sim_watch *w, int64_t now, int replug_ms)
{
	w->present = false;
	w->epoch++;
	bus_flush(w);
	w->plug_at_ns = replug_ms >= 0 ? now + replug_ms * NS_PER_MS : -1;
	pthread_cond_broadcast(&w->cv);
}

/* Applies timed bus events: a pending plug, and the enumeration window running out
 * (the watch then leaves the bus and enumerates again). */
static void bus_update(struct sim_watch *w, int64_t now)
{
	if (!w->present && w->plug_at_ns >= 0 && now >= w->plug_at_ns)
		bus_enumerate(w, now);
	if (w->present && w->o.window_ms > 0 && !w->handshaken &&
	    now >= w->enum_ns + w->o.window_ms * NS_PER_MS)
		bus_enumerate(w, now);
}

static int64_t bus_next_event(const struct sim_watch *w)
{
	if (!w->present && w->plug_at_ns >= 0)
		return w->plug_at_ns;
	if (w->present && w->o.window_ms > 0 && !w->handshaken)
		return w->enum_ns + w->o.window_ms * NS_PER_MS;
	return INT64_MAX;
}

/* ---- link model ---- */

static void link_account(struct sim_watch *w, size_t n, int64_t now)
{
	int64_t start, ready;

	if (!w->o.link_fs)
		return;
	start = w->link_free_ns > now ? w->link_free_ns : now;
	if (w->reply_pending) {
		/* the host waits for this reply: at least one 1 ms frame */
		if (start < w->host_wrote_ns + NS_PER_MS)
			start = w->host_wrote_ns + NS_PER_MS;
		w->reply_pending = false;
	}
	ready = start + (int64_t)n * 1000000000ll / LINK_FS_BPS;
	w->link_free_ns = ready;
	if (w->seg_count == SIM_SEG_MAX) {
		struct sim_seg *last = &w->segs[(w->seg_head + w->seg_count - 1) % SIM_SEG_MAX];

		last->end = w->d2h_pushed;
		last->ready_ns = ready;
		return;
	}
	w->segs[(w->seg_head + w->seg_count) % SIM_SEG_MAX] =
	    (struct sim_seg){.end = w->d2h_pushed, .ready_ns = ready};
	w->seg_count++;
}

/* Bytes the host may read now; *next_ns = when more become visible. */
static size_t host_visible(struct sim_watch *w, int64_t now, int64_t *next_ns)
{
	uint64_t end = w->d2h_popped;

	*next_ns = INT64_MAX;
	if (!w->o.link_fs)
		return (size_t)(w->d2h_sent - w->d2h_popped);
	while (w->seg_count) {
		struct sim_seg *s = &w->segs[w->seg_head];

		if (s->end <= w->d2h_popped) {
			w->seg_head = (w->seg_head + 1) % SIM_SEG_MAX;
			w->seg_count--;
			continue;
		}
		break;
	}
	for (size_t i = 0; i < w->seg_count; i++) {
		struct sim_seg *s = &w->segs[(w->seg_head + i) % SIM_SEG_MAX];

		if (s->ready_ns > now) {
			*next_ns = s->ready_ns;
			break;
		}
		end = s->end;
	}
	if (end > w->d2h_sent) /* the packet being filled is not on the wire yet */
		end = w->d2h_sent;
	return (size_t)(end - w->d2h_popped);
}

/* ---- device side ---- */

static bool dev_over(struct sim_watch *w)
{
	return w->shutdown || w->epoch != w->dev.epoch || w->dev.mem.reset_req ||
	       w->dev.agent_reset;
}

/* Device-thread wait that also fires the simulated watchdog. */
static void dev_wait(struct sim_watch *w, int64_t until)
{
	int64_t now;

	until = min64(until, bus_next_event(w));
	if (w->dev.wdt_deadline_ns >= 0)
		until = min64(until, w->dev.wdt_deadline_ns);
	wait_until(w, until);
	now = mtk_now_ns();
	bus_update(w, now);
	if (w->dev.wdt_deadline_ns >= 0 && now >= w->dev.wdt_deadline_ns) {
		w->dev.mem.reset_req = true; /* the watchdog bites: the chip resets */
		w->dev.wdt_deadline_ns = -1;
		w->wdt_resets++;
	}
}

int sim_dev_recv(struct sim_watch *w, uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&w->mu);
	while (len) {
		size_t n;

		bus_update(w, mtk_now_ns());
		if (dev_over(w)) {
			pthread_mutex_unlock(&w->mu);
			return -1;
		}
		n = pipe_pop(&w->h2d, buf, len);
		if (n) {
			buf += n;
			len -= n;
			pthread_cond_broadcast(&w->cv);
			continue;
		}
		dev_wait(w, INT64_MAX);
	}
	pthread_mutex_unlock(&w->mu);
	return 0;
}

int sim_dev_recv_some(struct sim_watch *w, uint8_t *buf, size_t max, bool wait)
{
	int ret = -1;

	pthread_mutex_lock(&w->mu);
	while (max) {
		size_t n;

		bus_update(w, mtk_now_ns());
		if (dev_over(w))
			break;
		n = pipe_pop(&w->h2d, buf, max);
		if (n || !wait) {
			if (n)
				pthread_cond_broadcast(&w->cv);
			ret = (int)n;
			break;
		}
		dev_wait(w, INT64_MAX);
	}
	pthread_mutex_unlock(&w->mu);
	return ret;
}

bool sim_dev_check(struct sim_watch *w)
{
	bool over;
	int64_t now;

	pthread_mutex_lock(&w->mu);
	now = mtk_now_ns();
	bus_update(w, now);
	if (w->dev.wdt_deadline_ns >= 0 && now >= w->dev.wdt_deadline_ns)
		w->dev.mem.reset_req = true; /* the watchdog bites: the chip resets */
	over = dev_over(w);
	pthread_mutex_unlock(&w->mu);
	return over;
}

static int dev_push(struct sim_watch *w, const uint8_t *buf, size_t n)
{
	while (n) {
		size_t chunk = n, done;

		if (dev_over(w))
			return -1;
		if (w->o.link_fs && chunk > LINK_FS_CHUNK)
			chunk = LINK_FS_CHUNK;
		done = pipe_push(&w->d2h, buf, chunk);
		if (!done) {
			dev_wait(w, INT64_MAX);
			continue;
		}
		w->d2h_pushed += done;
		/* every full 64-byte packet goes out at once (the ROM's putc) */
		w->d2h_sent += (w->d2h_pushed - w->d2h_sent) / SIM_USB_MPS * SIM_USB_MPS;
		link_account(w, done, mtk_now_ns());
		pthread_cond_broadcast(&w->cv);
		buf += done;
		n -= done;
	}
	return 0;
}

/* The position of the next byte-positioned fault after `sent` bytes, 0 if none. */
static uint64_t next_fault(const struct sim_watch *w, uint64_t sent)
{
	uint64_t best = 0;
	const uint64_t at[3] = {w->o.drop_at, w->o.stall_at,
				w->disconnect_done ? 0 : w->o.disconnect_at};

	for (int i = 0; i < 3; i++)
		if (at[i] > sent && (!best || at[i] < best))
			best = at[i];
	return best;
}

static bool corrupting(const struct sim_watch *w)
{
	return w->o.corrupt_every && (!w->o.corrupt_count || w->corrupted < w->o.corrupt_count);
}

static uint32_t rng_next(struct sim_watch *w)
{
	uint32_t x = w->rng ? w->rng : 0x9E3779B9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	w->rng = x;
	return x;
}

/* One byte with the byte-positioned faults applied. */
static int dev_send_faulty_byte(struct sim_watch *w, uint8_t b)
{
	uint64_t k = ++w->bytes_sent;

	if (w->o.stall_at == k) {
		int64_t until = mtk_now_ns() + w->o.stall_ms * NS_PER_MS;

		while (!dev_over(w) && mtk_now_ns() < until)
			dev_wait(w, until);
	}
	if (w->o.drop_at == k)
		return 0;
	if (corrupting(w) && k % w->o.corrupt_every == 0) {
		b ^= (uint8_t)(1u << (rng_next(w) % 8));
		w->corrupted++;
	}
	if (dev_push(w, &b, 1) < 0)
		return -1;
	if (w->o.disconnect_at == k && !w->disconnect_done) {
		w->disconnect_done = true;
		bus_leave(w, mtk_now_ns(), w->o.replug_ms);
		return -1;
	}
	return 0;
}

/* dtr=required: the host has not opened the line yet, so the watch ignores it. */
static bool host_ignored(const struct sim_watch *w)
{
	return w->o.dtr_required && !(w->host_dtr && w->host_coding);
}

int sim_dev_send(struct sim_watch *w, const uint8_t *buf, size_t len)
{
	int ret = 0;

	pthread_mutex_lock(&w->mu);
	if (host_ignored(w))
		len = 0; /* the ROM's putc drops bytes while the USB state is not "open" */
	while (len && ret == 0) {
		uint64_t fault = next_fault(w, w->bytes_sent);
		size_t clean = len;

		if (dev_over(w)) {
			ret = -1;
			break;
		}
		if (corrupting(w))
			clean = 0;
		else if (fault && fault - w->bytes_sent - 1 < clean)
			clean = (size_t)(fault - w->bytes_sent - 1);
		if (clean) {
			ret = dev_push(w, buf, clean);
			w->bytes_sent += clean;
			buf += clean;
			len -= clean;
			continue;
		}
		ret = dev_send_faulty_byte(w, *buf);
		buf++;
		len--;
	}
	pthread_mutex_unlock(&w->mu);
	return ret;
}

/* Ring position of the not yet popped byte with lifetime index k. */
static size_t d2h_pos(const struct sim_watch *w, uint64_t k)
{
	return (size_t)((w->d2h.head + (k - w->d2h_popped)) % w->d2h.cap);
}

int sim_dev_flush(struct sim_watch *w)
{
	int ret = 0;

	pthread_mutex_lock(&w->mu);
	if (dev_over(w)) {
		ret = -1;
	} else if (w->d2h_pushed > w->d2h_sent) {
		size_t pos = d2h_pos(w, w->d2h_pushed - 1);

		w->d2h_ends[pos / 8] |= (uint8_t)(1u << (pos % 8));
		w->d2h_sent = w->d2h_pushed;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return ret;
}

void sim_dev_idle(struct sim_watch *w)
{
	pthread_mutex_lock(&w->mu);
	while (!dev_over(w))
		dev_wait(w, INT64_MAX);
	pthread_mutex_unlock(&w->mu);
}

bool sim_dev_alive(struct sim_watch *w)
{
	bool alive;

	pthread_mutex_lock(&w->mu);
	alive = !dev_over(w);
	pthread_mutex_unlock(&w->mu);
	return alive;
}

void sim_dev_power_cut(struct sim_watch *w)
{
	pthread_mutex_lock(&w->mu);
	bus_leave(w, mtk_now_ns(), w->o.replug_ms);
	pthread_mutex_unlock(&w->mu);
}

void sim_dev_handshaken(struct sim_watch *w)
{
	pthread_mutex_lock(&w->mu);
	w->handshaken = true;
	pthread_mutex_unlock(&w->mu);
}

static void *dev_main(void *arg)
{
	struct sim_watch *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->shutdown && !w->present) {
			bus_update(w, mtk_now_ns());
			if (!w->present)
				wait_until(w, bus_next_event(w));
		}
		if (w->shutdown)
			break;
		w->dev.epoch = w->epoch;
		pthread_mutex_unlock(&w->mu);

		sim_mem_reset(w);
		sim_nor_boot(w);
		sim_brom_run(w);

		pthread_mutex_lock(&w->mu);
		if (w->shutdown)
			break;
		/* Ended by the watch itself (watchdog or software reset): it re-enumerates in
		 * boot-ROM mode, or (reset=off) boots its firmware and leaves the bus. */
		if (w->epoch == w->dev.epoch) {
			/* what the watch sent before resetting (e.g. the REBOOT reply) still
			 * reaches the host, as a real USB flush completes before the reset; a
			 * packet it had not sent yet is lost with the chip's state */
			int64_t until = mtk_now_ns() + 200 * NS_PER_MS;

			w->d2h.len -= (size_t)(w->d2h_pushed - w->d2h_sent);
			w->d2h_pushed = w->d2h_sent;
			while (w->d2h.len && !w->shutdown && w->epoch == w->dev.epoch &&
			       mtk_now_ns() < until)
				wait_until(w, mtk_now_ns() + NS_PER_MS);
			if (w->shutdown)
				break;
			if (w->epoch != w->dev.epoch)
				continue;
			if (w->o.reset_leaves)
				bus_leave(w, mtk_now_ns(), -1);
			else
				bus_enumerate(w, mtk_now_ns());
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* ---- public API ---- */

int sim_image_size_check(size_t len, char *err, size_t errlen)
{
	if (len < 64 * 1024 || len > 16u * 1024 * 1024 || (len & (len - 1))) {
		snprintf(err, errlen,
			 "a flash image must be a power of two between 64 KiB and 16 MiB "
			 "(a whole serial NOR chip), this one has %zu bytes",
			 len);
		return -EINVAL;
	}
	return 0;
}

struct sim_watch *sim_new(const struct sim_opts *o, const uint8_t *flash, size_t len)
{
	struct sim_watch *w;
	pthread_condattr_t ca;
	char err[160];

	if (!o || !flash || sim_image_size_check(len, err, sizeof(err)) < 0)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->o = *o;
	w->flash = malloc(len);
	w->h2d.buf = malloc(SIM_PIPE_CAP);
	w->d2h.buf = malloc(SIM_PIPE_CAP);
	w->d2h_ends = calloc(1, SIM_PIPE_CAP / 8);
	if (!w->flash || !w->h2d.buf || !w->d2h.buf || !w->d2h_ends || sim_rom_load(w) < 0) {
		free(w->flash);
		free(w->h2d.buf);
		free(w->d2h.buf);
		free(w->d2h_ends);
		free(w->rom);
		free(w);
		return NULL;
	}
	memcpy(w->flash, flash, len);
	w->flash_len = len;
	if (sim_nor_init(w) < 0) {
		sim_nor_fini(w);
		free(w->flash);
		free(w->h2d.buf);
		free(w->d2h.buf);
		free(w);
		return NULL;
	}
	w->h2d.cap = w->d2h.cap = SIM_PIPE_CAP;
	w->rng = o->seed * 2654435761u + 1;
	if (o->me_id_set) {
		memcpy(w->me_id, o->me_id, 16);
	} else {
		uint32_t x = o->seed * 0x01000193u ^ 0x811C9DC5u;

		for (int i = 0; i < 16; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			w->me_id[i] = (uint8_t)(x >> 11);
		}
	}
	if (sim_norlog_open(w) < 0) {
		free(w->flash);
		free(w->h2d.buf);
		free(w->d2h.buf);
		free(w);
		return NULL;
	}
	w->plug_at_ns = mtk_now_ns() + (int64_t)o->plug_ms * NS_PER_MS;
	w->dev.wdt_deadline_ns = -1;
	if (sim_engine_new(w) < 0) {
		sim_engine_free(w);
		sim_nor_fini(w);
		free(w->flash);
		free(w->h2d.buf);
		free(w->d2h.buf);
		free(w->d2h_ends);
		free(w->rom);
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
#ifndef __APPLE__
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
#endif
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&w->thread, NULL, dev_main, w) != 0) {
		sim_free(w);
		return NULL;
	}
	w->thread_started = true;
	return w;
}

void sim_free(struct sim_watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->shutdown = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (w->thread_started)
		pthread_join(w->thread, NULL);
	sim_mem_free(w);
	sim_norlog_close(w);
	sim_engine_free(w);
	sim_nor_fini(w);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w->flash);
	free(w->h2d.buf);
	free(w->d2h.buf);
	free(w->d2h_ends);
	free(w->rom);
	free(w);
}

/* Takes up to n visible bytes, stopping after the last byte of a short packet (*ended). */
static size_t host_take(struct sim_watch *w, uint8_t *buf, size_t n, bool *ended)
{
	size_t k = 0, got;

	*ended = false;
	while (k < n) {
		size_t pos = (w->d2h.head + k) % w->d2h.cap;
		uint8_t bits = w->d2h_ends[pos / 8];

		if (!bits && pos % 8 == 0 && n - k >= 8 && w->d2h.cap - pos >= 8) {
			k += 8; /* no packet end among these 8 */
			continue;
		}
		k++;
		if (bits & (1u << (pos % 8))) {
			w->d2h_ends[pos / 8] = (uint8_t)(bits & ~(1u << (pos % 8)));
			*ended = true;
			break;
		}
	}
	got = pipe_pop(&w->d2h, buf, k);
	w->d2h_popped += got;
	return got;
}

int sim_host_read(struct sim_watch *w, uint8_t *buf, size_t len, int timeout_ms)
{
	int64_t deadline = mtk_now_ns() + (int64_t)(timeout_ms > 0 ? timeout_ms : 0) * NS_PER_MS;
	size_t got = 0;
	int ret;

	if (!len)
		return 0;
	pthread_mutex_lock(&w->mu);
	/* one bulk IN transfer: until a short packet, a full buffer or the timeout */
	for (;;) {
		int64_t now = mtk_now_ns(), next;
		size_t avail;

		bus_update(w, now);
		if (!w->present || w->shutdown) {
			ret = got ? (int)got : -ENODEV;
			break;
		}
		avail = host_visible(w, now, &next);
		if (avail) {
			bool ended;

			got +=
			    host_take(w, buf + got, avail < len - got ? avail : len - got, &ended);
			pthread_cond_broadcast(&w->cv);
			if (ended || got == len) {
				ret = (int)got;
				break;
			}
			continue;
		}
		if (now >= deadline) {
			ret = got ? (int)got : -ETIMEDOUT;
			break;
		}
		wait_until(w, min64(min64(deadline, next), bus_next_event(w)));
	}
	pthread_mutex_unlock(&w->mu);
	return ret;
}

int sim_host_write(struct sim_watch *w, const uint8_t *buf, size_t len, int timeout_ms)
{
	int64_t deadline = mtk_now_ns() + (int64_t)(timeout_ms > 0 ? timeout_ms : 0) * NS_PER_MS;
	uint64_t epoch;
	size_t done = 0;
	int ret;

	pthread_mutex_lock(&w->mu);
	bus_update(w, mtk_now_ns());
	epoch = w->epoch;
	for (;;) {
		int64_t now = mtk_now_ns();

		bus_update(w, now);
		if (!w->present || w->shutdown || w->epoch != epoch) {
			ret = -ENODEV;
			break;
		}
		if (host_ignored(w))
			done = len; /* taken off the bus, ignored by the ROM */
		else
			done += pipe_push(&w->h2d, buf + done, len - done);
		if (done == len) {
			w->host_wrote_ns = now;
			w->reply_pending = true;
			pthread_cond_broadcast(&w->cv);
			ret = (int)len;
			break;
		}
		pthread_cond_broadcast(&w->cv);
		if (now >= deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		wait_until(w, min64(deadline, bus_next_event(w)));
	}
	pthread_mutex_unlock(&w->mu);
	return ret;
}

int sim_host_set_control_line(struct sim_watch *w, bool dtr, bool rts)
{
	int ret = 0;

	(void)rts; /* the ROM only cares about DTR */
	pthread_mutex_lock(&w->mu);
	bus_update(w, mtk_now_ns());
	if (!w->present || w->shutdown)
		ret = -ENODEV;
	else
		w->host_dtr = dtr;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return ret;
}

int sim_host_set_line_coding(struct sim_watch *w, uint32_t baud, uint8_t stop_bits, uint8_t parity,
			     uint8_t data_bits)
{
	int ret = 0;

	(void)baud; /* USB: any rate does; the ROM only needs to see the request */
	(void)stop_bits;
	(void)parity;
	(void)data_bits;
	pthread_mutex_lock(&w->mu);
	bus_update(w, mtk_now_ns());
	if (!w->present || w->shutdown)
		ret = -ENODEV;
	else
		w->host_coding = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return ret;
}

bool sim_present(const struct sim_watch *cw)
{
	struct sim_watch *w = (struct sim_watch *)cw; /* locking needs a mutable handle */
	bool p;

	pthread_mutex_lock(&w->mu);
	bus_update(w, mtk_now_ns());
	p = w->present;
	pthread_mutex_unlock(&w->mu);
	return p;
}

int sim_wait_present(struct sim_watch *w, int timeout_ms)
{
	int64_t deadline = mtk_now_ns() + (int64_t)(timeout_ms > 0 ? timeout_ms : 0) * NS_PER_MS;
	int ret;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		int64_t now = mtk_now_ns();

		bus_update(w, now);
		if (w->present) {
			ret = 0;
			break;
		}
		if (now >= deadline || w->shutdown) {
			ret = -ENODEV;
			break;
		}
		wait_until(w, min64(deadline, bus_next_event(w)));
	}
	pthread_mutex_unlock(&w->mu);
	return ret;
}

uint64_t sim_generation(const struct sim_watch *cw)
{
	struct sim_watch *w = (struct sim_watch *)cw;
	uint64_t g;

	pthread_mutex_lock(&w->mu);
	bus_update(w, mtk_now_ns());
	g = w->generation;
	pthread_mutex_unlock(&w->mu);
	return g;
}

void sim_unplug(struct sim_watch *w)
{
	pthread_mutex_lock(&w->mu);
	if (w->present || w->plug_at_ns >= 0)
		bus_leave(w, mtk_now_ns(), -1);
	pthread_mutex_unlock(&w->mu);
}

void sim_plug(struct sim_watch *w)
{
	pthread_mutex_lock(&w->mu);
	if (!w->present) {
		w->plug_at_ns = mtk_now_ns();
		bus_update(w, w->plug_at_ns);
	}
	pthread_mutex_unlock(&w->mu);
}

const uint8_t *sim_flash(const struct sim_watch *w, size_t *len)
{
	if (len)
		*len = w->flash_len;
	return w->flash;
}

unsigned sim_wdt_resets(const struct sim_watch *cw)
{
	struct sim_watch *w = (struct sim_watch *)cw;
	unsigned n;

	pthread_mutex_lock(&w->mu);
	n = w->wdt_resets;
	pthread_mutex_unlock(&w->mu);
	return n;
}

uint64_t sim_bytes_sent(const struct sim_watch *cw)
{
	struct sim_watch *w = (struct sim_watch *)cw;
	uint64_t n;

	pthread_mutex_lock(&w->mu);
	n = w->bytes_sent;
	pthread_mutex_unlock(&w->mu);
	return n;
}
