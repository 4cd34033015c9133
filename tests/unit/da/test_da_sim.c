/* SPDX-License-Identifier: GPL-3.0-or-later */
/* da_start and the agent protocol against the simulated watch (sim/): the boot ROM model
 * takes the embedded agent with D7, D5 runs the agent's own core on the simulated hardware,
 * and the host reads the flash through it. Also prints the speed with and without the USB
 * full-speed link model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mtkbak/crc32.h"
#include "mtkbak/agent_wire.h"
#include "mtkbak/brom.h"
#include "mtkbak/da.h"
#include "mtkbak/errors.h"
#include "mtkbak/sim.h"
#include "mtkbak/clock.h"

/* Like a USB handle: dead once the watch re-enumerated. */
struct simtp {
	struct mtk_transport base;
	struct sim_watch *w;
	uint64_t generation;
};

static int stp_read(struct mtk_transport *t, uint8_t *buf, size_t len, int timeout_ms)
{
	struct simtp *s = (struct simtp *)t;

	/* in slices, so a re-enumeration during the wait is seen */
	for (int waited = 0;; waited += 20) {
		int n;

		if (sim_generation(s->w) != s->generation)
			return -ENODEV;
		n = sim_host_read(s->w, buf, len,
				  timeout_ms - waited < 20 ? timeout_ms - waited : 20);
		if (n != -ETIMEDOUT || waited + 20 >= timeout_ms)
			return n;
	}
}

static int stp_write(struct mtk_transport *t, const uint8_t *buf, size_t len, int timeout_ms)
{
	struct simtp *s = (struct simtp *)t;

	if (sim_generation(s->w) != s->generation)
		return -ENODEV;
	return sim_host_write(s->w, buf, len, timeout_ms);
}

static void stp_close(struct mtk_transport *t)
{
	(void)t;
}

static const struct mtk_transport_ops stp_ops = {"sim", stp_read, stp_write, stp_close};

struct rig {
	struct sim_watch *w;
	struct simtp tp;
	struct brom b;
	struct brom_id id;
	struct da d;
	uint8_t *flash;
	uint32_t len;
};

static uint8_t *make_flash(uint32_t len, uint32_t seed)
{
	uint8_t *p = malloc(len);

	assert_non_null(p);
	for (uint32_t i = 0; i < len; i++) {
		seed = seed * 1664525u + 1013904223u;
		p[i] = (uint8_t)(seed >> 24);
	}
	memcpy(p, "SF_BOOT", 7);
	return p;
}

/* erased_from < len: the flash is 0xFF from there on (a watch's mostly erased flash) */
static void rig_open_erased(struct rig *r, const char *opts, uint32_t len, uint32_t erased_from)
{
	struct sim_opts o;
	char err[200];

	memset(r, 0, sizeof(*r));
	sim_opts_default(&o);
	if (opts)
		assert_int_equal(sim_opts_parse(opts, &o, err, sizeof(err)), 0);
	r->len = len;
	r->flash = make_flash(len, 7);
	if (erased_from < len)
		memset(r->flash + erased_from, 0xFF, len - erased_from);
	r->w = sim_new(&o, r->flash, len);
	assert_non_null(r->w);
	assert_int_equal(sim_wait_present(r->w, 2000), 0);
	r->tp.base.ops = &stp_ops;
	strcpy(r->tp.base.name, "sim:test");
	r->tp.w = r->w;
	r->tp.generation = sim_generation(r->w);
	brom_init(&r->b, &r->tp.base, NULL);
	assert_int_equal(brom_handshake(&r->b, 3000), 0);
	assert_int_equal(brom_identify(&r->b, &r->id), 0);
	assert_non_null(r->id.chip);
	assert_int_equal(brom_disable_watchdog(&r->b, r->id.chip), 0);
}

static void rig_open(struct rig *r, const char *opts, uint32_t len)
{
	rig_open_erased(r, opts, len, len);
}

static void rig_close(struct rig *r)
{
	sim_free(r->w);
	free(r->flash);
}

struct cmp {
	const uint8_t *want;
	uint32_t mask, next;
};

static int cmp_sink(void *ctx, uint32_t off, const uint8_t *data, size_t len)
{
	struct cmp *c = ctx;

	if (off != c->next)
		return -EPROTO;
	for (size_t i = 0; i < len; i++)
		if (data[i] != c->want[(off + i) & c->mask])
			return -EBADMSG;
	c->next = off + (uint32_t)len;
	return 0;
}

static double since(double t0)
{
	return mtk_now_s() - t0;
}

static void test_start_read_reboot(void **state)
{
	struct rig r;
	struct da_flash_info fi;
	struct cmp c;
	uint32_t crc, v;
	uint64_t gen;

	(void)state;
	rig_open(&r, NULL, 4u << 20);
	assert_int_equal(da_start(&r.d, &r.b, r.id.chip), 0);
	assert_false(r.d.reused);
	assert_int_equal(r.d.version, AGENT_PROTO_VERSION);

	assert_int_equal(da_flash_info(&r.d, &fi), 0);
	assert_int_equal(fi.jedec_size, 4u << 20);
	assert_int_equal(fi.sfdp_size, 4u << 20);

	c = (struct cmp){r.flash, r.len - 1, 0};
	assert_int_equal(da_read(&r.d, 0, r.len, cmp_sink, &c), 0);
	assert_int_equal(c.next, r.len);
	/* a 16 MiB window over a 4 MiB part: the tail mirrors the start */
	c = (struct cmp){r.flash, r.len - 1, 12u << 20};
	assert_int_equal(da_read(&r.d, 12u << 20, 65536, cmp_sink, &c), 0);

	assert_int_equal(da_crc32(&r.d, 0, r.len, &crc), 0);
	assert_int_equal(crc, mtk_crc32(0, r.flash, r.len));

	/* the boot ROM commands keep working through the agent */
	if (brom_read32(&r.b, 0x80000008u, &v, 1) != 0)
		fail_msg("READ32 through the agent: %s", r.b.detail);
	assert_int_equal(v & 0xFFFF, 0x6261);

	gen = sim_generation(r.w);
	assert_int_equal(da_reboot(&r.d), 0);
	assert_int_equal(sim_wait_present(r.w, 3000), 0);
	for (int i = 0; i < 300 && sim_generation(r.w) == gen; i++) {
		struct timespec ts = {0, 10 * 1000000L};
		nanosleep(&ts, NULL);
	}
	assert_true(sim_generation(r.w) != gen);
	rig_close(&r);
}

static void test_reuse_running_agent(void **state)
{
	struct rig r;
	struct brom b2;
	struct da d2;

	(void)state;
	rig_open(&r, NULL, 1u << 20);
	assert_int_equal(da_start(&r.d, &r.b, r.id.chip), 0);
	/* a second mtkbak run (after Ctrl-C): the handshake meets the agent's echo */
	brom_init(&b2, &r.tp.base, NULL);
	assert_int_equal(brom_handshake(&b2, 3000), 0);
	assert_int_equal(da_probe(&b2, 1000), 1);
	assert_int_equal(da_start(&d2, &b2, r.id.chip), 0);
	assert_true(d2.reused);
	assert_int_equal(da_read(&d2, 0, 8192, NULL, NULL), 0);
	rig_close(&r);
}

static void test_probe_on_brom(void **state)
{
	struct rig r;

	(void)state;
	rig_open(&r, NULL, 1u << 20);
	assert_int_equal(da_probe(&r.b, 1000), 0);
	/* the boot ROM is still in step */
	uint8_t ver = 0;
	assert_int_equal(brom_get_version(&r.b, &ver), 0);
	assert_int_equal(ver, 5);
	rig_close(&r);
}

static void test_corrupted_link(void **state)
{
	struct rig r;
	struct cmp c;

	(void)state;
	rig_open(&r, NULL, 2u << 20);
	assert_int_equal(da_start(&r.d, &r.b, r.id.chip), 0);
	r.d.max_retries = 8;
	/* now flip a bit in every 40000th byte the watch sends */
	rig_close(&r);
	rig_open(&r, "corrupt=40000,seed=3", 2u << 20);
	assert_int_equal(da_start(&r.d, &r.b, r.id.chip), 0);
	r.d.max_retries = 8;
	c = (struct cmp){r.flash, r.len - 1, 0};
	assert_int_equal(da_read(&r.d, 0, r.len, cmp_sink, &c), 0);
	assert_int_equal(c.next, r.len);
	assert_true(r.d.retries > 0);
	rig_close(&r);
}

static void test_secure_part(void **state)
{
	struct rig r;

	(void)state;
	rig_open(&r, "secure", 1u << 20);
	assert_int_equal(da_start(&r.d, &r.b, r.id.chip), -EPERM);
	assert_true(strstr(r.d.detail, "secure") != NULL);
	rig_close(&r);
}

static void test_window_too_small(void **state)
{
	struct rig r;
	struct chip_info small;

	(void)state;
	rig_open(&r, NULL, 1u << 20);
	small = *r.id.chip;
	small.agent_max_size = 1024;
	assert_int_equal(da_start(&r.d, &r.b, &small), -EINVAL);
	assert_true(strstr(r.d.detail, "SRAM") != NULL);
	rig_close(&r);
}

static void test_speed(void **state)
{
	struct rig r;
	double t0;
	double s, limit;
	uint32_t n = 16u << 20;

	(void)state;
	rig_open(&r, NULL, n);
	assert_int_equal(da_start(&r.d, &r.b, r.id.chip), 0);
	t0 = mtk_now_s();
	assert_int_equal(da_read(&r.d, 0, n, NULL, NULL), 0);
	s = since(t0);
	printf("# sim, no link model: 16 MiB in %.3f s = %.1f MB/s\n", s, n / s / 1e6);
	rig_close(&r);

	n = 2u << 20;
	rig_open(&r, "link=fs", n);
	assert_int_equal(da_start(&r.d, &r.b, r.id.chip), 0);
	t0 = mtk_now_s();
	assert_int_equal(da_read(&r.d, 0, n, NULL, NULL), 0);
	s = since(t0);
	limit = n / 1216000.0;
	printf("# sim, link=fs: 2 MiB in %.3f s; link limit %.3f s; %.1f%% above the limit\n", s,
	       limit, (s / limit - 1.0) * 100.0);
	rig_close(&r);
}

/* The link model paces every byte that crosses the wire, and no other: a compressed READ of a
 * mostly erased flash sends exactly the reply bytes the host counts, and takes the time those
 * bytes take at 1,216,000 B/s, not the time of the flash's size. */
static void test_link_counts_compressed_bytes(void **state)
{
	struct rig r;
	struct cmp c;
	uint32_t n = 2u << 20;
	uint64_t sent0;
	double t0, s, wire_s;

	(void)state;
	rig_open_erased(&r, "link=fs", n, 256u * 1024u);
	assert_int_equal(da_start(&r.d, &r.b, r.id.chip), 0);
	assert_true(da_can_compress(&r.d));
	sent0 = sim_bytes_sent(r.w);
	c = (struct cmp){r.flash, n - 1u, 0};
	t0 = mtk_now_s();
	assert_int_equal(da_read(&r.d, 0, n, cmp_sink, &c), 0);
	s = since(t0);
	assert_int_equal(c.next, n);
	assert_int_equal(sim_bytes_sent(r.w) - sent0, r.d.wire_bytes);
	assert_int_equal(r.d.zbytes[AGENT_ZK_ERASED], n - 256u * 1024u);
	wire_s = (double)r.d.wire_bytes / 1216000.0;
	printf("# sim, link=fs, compressed: 2 MiB (7/8 erased) in %.3f s; %llu bytes on the wire "
	       "= %.3f s at the link limit; the raw bytes would take %.3f s\n",
	       s, (unsigned long long)r.d.wire_bytes, wire_s, n / 1216000.0);
	assert_true(s >= wire_s * 0.95);
	assert_true(s < n / 1216000.0 / 2.0);
	rig_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_link_counts_compressed_bytes),
	    cmocka_unit_test(test_start_read_reboot),
	    cmocka_unit_test(test_reuse_running_agent),
	    cmocka_unit_test(test_probe_on_brom),
	    cmocka_unit_test(test_corrupted_link),
	    cmocka_unit_test(test_secure_part),
	    cmocka_unit_test(test_window_too_small),
	    cmocka_unit_test(test_speed),
	};

	if (mtkbak_agent_blob_len == 0) {
		printf("skip: the embedded agent image is empty\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
