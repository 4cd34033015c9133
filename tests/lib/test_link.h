/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An in-memory byte pipe between a host-side struct mtk_transport and a device thread
 * (the agent core with a fake hardware layer, or an emulated ARM CPU), with fault injection on
 * the device-to-host direction. Used by the agent/DA tests. */
#ifndef MTKBAK_TEST_LINK_H
#define MTKBAK_TEST_LINK_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mtkbak/transport.h"

struct test_link_ring {
	uint8_t *buf;
	size_t cap, head, len;
};

struct test_link {
	struct mtk_transport tp; /* host side; first member */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct test_link_ring h2d, d2h;
	bool closed;   /* the device is gone: host I/O fails with -ENODEV */
	bool shutdown; /* the device side must stop: its I/O fails with -1 */
	/* faults on device-to-host bytes (positions are 1-based lifetime counts) */
	uint64_t d2h_count;
	uint32_t corrupt_every; /* flip a bit in every Nth byte */
	uint32_t corrupt_limit; /* ... at most this many times (0 = no limit) */
	uint32_t corrupted;
	uint64_t drop_at;  /* lose this byte */
	uint64_t extra_at; /* insert a stray 0x5A before this byte */
	uint64_t close_at; /* the device vanishes before this byte */
	uint64_t flushes;  /* device flush calls */
};

struct test_link *test_link_new(size_t cap);
void test_link_free(struct test_link *l);
/* Device side: blocking; 0, or -1 once the link is shut down. */
int test_link_dev_recv(struct test_link *l, uint8_t *buf, size_t len);
int test_link_dev_send(struct test_link *l, const uint8_t *buf, size_t len);
void test_link_dev_flush(struct test_link *l);
/* Makes every device call fail (the device thread then returns). */
void test_link_shutdown(struct test_link *l);

#endif
