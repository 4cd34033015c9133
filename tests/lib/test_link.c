/* SPDX-License-Identifier: GPL-3.0-or-later */
/* In-memory link for the agent tests: see test_link.h. */
#include "test_link.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mtkbak/errors.h"

static void ring_put(struct test_link_ring *r, uint8_t c)
{
	r->buf[(r->head + r->len) % r->cap] = c;
	r->len++;
}

static uint8_t ring_get(struct test_link_ring *r)
{
	uint8_t c = r->buf[r->head];

	r->head = (r->head + 1) % r->cap;
	r->len--;
	return c;
}

static void deadline_after(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static int host_read(struct mtk_transport *t, uint8_t *buf, size_t len, int timeout_ms)
{
	struct test_link *l = (struct test_link *)t;
	struct timespec ts;
	size_t n = 0;

	deadline_after(&ts, timeout_ms > 0 ? timeout_ms : 0);
	pthread_mutex_lock(&l->mu);
	while (l->d2h.len == 0 && !l->closed) {
		if (pthread_cond_timedwait(&l->cv, &l->mu, &ts) == ETIMEDOUT)
			break;
	}
	if (l->d2h.len == 0) {
		int ret = l->closed ? -ENODEV : -ETIMEDOUT;

		pthread_mutex_unlock(&l->mu);
		return ret;
	}
	while (n < len && l->d2h.len) {
		size_t run = l->d2h.cap - l->d2h.head;

		if (run > l->d2h.len)
			run = l->d2h.len;
		if (run > len - n)
			run = len - n;
		memcpy(buf + n, l->d2h.buf + l->d2h.head, run);
		l->d2h.head = (l->d2h.head + run) % l->d2h.cap;
		l->d2h.len -= run;
		n += run;
	}
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	return (int)n;
}

static int host_write(struct mtk_transport *t, const uint8_t *buf, size_t len, int timeout_ms)
{
	struct test_link *l = (struct test_link *)t;
	struct timespec ts;
	size_t n = 0;

	deadline_after(&ts, timeout_ms > 0 ? timeout_ms : 1);
	pthread_mutex_lock(&l->mu);
	while (n < len) {
		if (l->closed) {
			pthread_mutex_unlock(&l->mu);
			return -ENODEV;
		}
		if (l->h2d.len == l->h2d.cap) {
			if (pthread_cond_timedwait(&l->cv, &l->mu, &ts) == ETIMEDOUT)
				break;
			continue;
		}
		ring_put(&l->h2d, buf[n++]);
		pthread_cond_broadcast(&l->cv);
	}
	pthread_mutex_unlock(&l->mu);
	return n ? (int)n : -ETIMEDOUT;
}

static void host_close(struct mtk_transport *t)
{
	(void)t; /* freed by test_link_free */
}

static const struct mtk_transport_ops link_ops = {
    .kind = "test",
    .read = host_read,
    .write = host_write,
    .close = host_close,
};

struct test_link *test_link_new(size_t cap)
{
	struct test_link *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->tp.ops = &link_ops;
	strcpy(l->tp.name, "test:link");
	l->h2d.cap = l->d2h.cap = cap;
	l->h2d.buf = malloc(cap);
	l->d2h.buf = malloc(cap);
	if (!l->h2d.buf || !l->d2h.buf) {
		free(l->h2d.buf);
		free(l->d2h.buf);
		free(l);
		return NULL;
	}
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	return l;
}

void test_link_free(struct test_link *l)
{
	if (!l)
		return;
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l->h2d.buf);
	free(l->d2h.buf);
	free(l);
}

void test_link_shutdown(struct test_link *l)
{
	pthread_mutex_lock(&l->mu);
	l->shutdown = true;
	l->closed = true;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

int test_link_dev_recv(struct test_link *l, uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&l->mu);
	while (n < len) {
		if (l->shutdown) {
			pthread_mutex_unlock(&l->mu);
			return -1;
		}
		if (l->h2d.len == 0) {
			pthread_cond_wait(&l->cv, &l->mu);
			continue;
		}
		while (n < len && l->h2d.len)
			buf[n++] = ring_get(&l->h2d);
		pthread_cond_broadcast(&l->cv);
	}
	pthread_mutex_unlock(&l->mu);
	return 0;
}

static int put_byte(struct test_link *l, uint8_t c)
{
	while (l->d2h.len + 2 > l->d2h.cap) {
		if (l->shutdown)
			return -1;
		pthread_cond_wait(&l->cv, &l->mu);
	}
	l->d2h_count++;
	if (l->close_at && l->d2h_count == l->close_at) {
		l->closed = true;
		l->shutdown = true;
		return -1;
	}
	if (l->drop_at && l->d2h_count == l->drop_at)
		return 0;
	if (l->extra_at && l->d2h_count == l->extra_at)
		ring_put(&l->d2h, 0x5A);
	if (l->corrupt_every && l->d2h_count % l->corrupt_every == 0 &&
	    (!l->corrupt_limit || l->corrupted < l->corrupt_limit)) {
		c ^= (uint8_t)(1u << (l->d2h_count / l->corrupt_every % 8));
		l->corrupted++;
	}
	ring_put(&l->d2h, c);
	return 0;
}

static bool faults_armed(const struct test_link *l)
{
	return l->corrupt_every || l->drop_at || l->extra_at || l->close_at;
}

int test_link_dev_send(struct test_link *l, const uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&l->mu);
	/* fast path without faults: copy in runs */
	while (len && !faults_armed(l)) {
		size_t room, tail, n;

		while (l->d2h.len == l->d2h.cap) {
			if (l->shutdown) {
				pthread_mutex_unlock(&l->mu);
				return -1;
			}
			pthread_cond_wait(&l->cv, &l->mu);
		}
		if (l->shutdown)
			break;
		room = l->d2h.cap - l->d2h.len;
		tail = (l->d2h.head + l->d2h.len) % l->d2h.cap;
		n = len < room ? len : room;
		if (n > l->d2h.cap - tail)
			n = l->d2h.cap - tail;
		memcpy(l->d2h.buf + tail, buf, n);
		l->d2h.len += n;
		l->d2h_count += n;
		buf += n;
		len -= n;
		pthread_cond_broadcast(&l->cv);
	}
	for (size_t i = 0; i < len; i++) {
		if (l->shutdown || put_byte(l, buf[i]) < 0) {
			pthread_cond_broadcast(&l->cv);
			pthread_mutex_unlock(&l->mu);
			return -1;
		}
		if ((i & 1023u) == 1023u)
			pthread_cond_broadcast(&l->cv);
	}
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	return 0;
}

void test_link_dev_flush(struct test_link *l)
{
	pthread_mutex_lock(&l->mu);
	l->flushes++;
	pthread_mutex_unlock(&l->mu);
}
