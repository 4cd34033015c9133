/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The host side of the agent protocol (src/da/da.c) against the agent core
 * (src/da/agent/core/agent.c) running in a thread on a fake hardware layer: an in-memory link
 * with faults, a flash buffer and a few registers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "agent_hal.h"
#include "mtkbak/crc32.h"
#include "mtkbak/agent_wire.h"
#include "mtkbak/brom.h"
#include "mtkbak/da.h"
#include "mtkbak/errors.h"
#include "mtkbak/clock.h"
#include "test_link.h"

#define NREGS 64

/* checks in the device thread: cmocka's asserts must stay in the test's own thread */
#define DEV_CHECK(cond)                                                                            \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "device-side check failed: %s\n", #cond);                  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

struct fake {
	struct test_link *link;
	uint8_t *flash;
	uint32_t flash_len; /* power of two: reads alias like a 24-bit NOR */
	uint8_t jedec[3];
	bool no_spi;
	bool spi_fails;
	uint32_t regs_addr[NREGS], regs_val[NREGS];
	unsigned nregs;
	bool reset;
	int agent_ret;
	pthread_t thread;
	struct agent_hal hal;
	struct brom brom;
	struct da da;
};

static int f_recv(void *ctx, uint8_t *buf, uint32_t len)
{
	struct fake *f = ctx;

	return test_link_dev_recv(f->link, buf, len);
}

static int f_send(void *ctx, const uint8_t *buf, uint32_t len)
{
	struct fake *f = ctx;

	return test_link_dev_send(f->link, buf, len);
}

static void f_flush(void *ctx)
{
	struct fake *f = ctx;

	test_link_dev_flush(f->link);
}

static void sfdp_table(const struct fake *f, uint8_t out[256])
{
	memset(out, 0xFF, 256);
	memcpy(out, "SFDP", 4);
	out[4] = 6;
	out[5] = 1;
	out[6] = 0;
	out[8] = 0;
	out[9] = 6;
	out[10] = 1;
	out[11] = 16;
	out[12] = 0x30;
	out[13] = 0;
	out[14] = 0;
	/* BFPT dword 2 = density in bits - 1, little-endian */
	uint32_t bits = f->flash_len * 8u - 1u;
	out[0x34] = (uint8_t)bits;
	out[0x35] = (uint8_t)(bits >> 8);
	out[0x36] = (uint8_t)(bits >> 16);
	out[0x37] = (uint8_t)(bits >> 24);
}

static int f_spi(void *ctx, const uint8_t *tx, uint32_t txlen, uint8_t *rx, uint32_t rxlen)
{
	struct fake *f = ctx;

	if (f->spi_fails || txlen == 0)
		return -1;
	DEV_CHECK(rxlen <= AGENT_SPI_CHUNK);
	if (tx[0] == 0x9F) {
		for (uint32_t i = 0; i < rxlen; i++)
			rx[i] = i < 3 ? f->jedec[i] : 0xFF;
		return 0;
	}
	if (tx[0] == 0x5A && txlen == 5) {
		uint8_t t[256];
		uint32_t a = (uint32_t)tx[1] << 16 | (uint32_t)tx[2] << 8 | tx[3];

		sfdp_table(f, t);
		for (uint32_t i = 0; i < rxlen; i++)
			rx[i] = a + i < 256 ? t[a + i] : 0xFF;
		return 0;
	}
	return -1;
}

static int f_flash_read(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
	struct fake *f = ctx;

	DEV_CHECK(len <= AGENT_IO_CHUNK_MAX);
	for (uint32_t i = 0; i < len; i++)
		buf[i] = f->flash[(off + i) & (f->flash_len - 1u)];
	return 0;
}

static uint32_t *reg(struct fake *f, uint32_t addr)
{
	for (unsigned i = 0; i < f->nregs; i++)
		if (f->regs_addr[i] == addr)
			return &f->regs_val[i];
	DEV_CHECK(f->nregs < NREGS);
	f->regs_addr[f->nregs] = addr;
	f->regs_val[f->nregs] = 0;
	return &f->regs_val[f->nregs++];
}

static uint32_t f_read32(void *ctx, uint32_t addr)
{
	return *reg(ctx, addr);
}

static void f_write32(void *ctx, uint32_t addr, uint32_t v)
{
	*reg(ctx, addr) = v;
}

static uint16_t f_read16(void *ctx, uint32_t addr)
{
	return (uint16_t)(*reg(ctx, addr & ~3u) >> (addr & 2u ? 16 : 0));
}

static void f_write16(void *ctx, uint32_t addr, uint16_t v)
{
	uint32_t *r = reg(ctx, addr & ~3u);

	if (addr & 2u)
		*r = (*r & 0xFFFFu) | (uint32_t)v << 16;
	else
		*r = (*r & 0xFFFF0000u) | v;
}

static int f_me_id(void *ctx, uint8_t out[16])
{
	(void)ctx;
	memcpy(out, "0123456789ABCDEF", 16);
	return 0;
}

static void f_reset(void *ctx)
{
	struct fake *f = ctx;

	f->reset = true;
}

static void *agent_thread(void *arg)
{
	struct fake *f = arg;

	f->agent_ret = agent_main(&f->hal);
	return NULL;
}

static struct fake *fake_start(uint32_t flash_len, bool start_da)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->link = test_link_new(256 * 1024);
	assert_non_null(f->link);
	f->flash_len = flash_len;
	f->flash = malloc(flash_len);
	assert_non_null(f->flash);
	/* deterministic, position-dependent content */
	uint32_t x = 0x12345678u;
	for (uint32_t i = 0; i < flash_len; i++) {
		x = x * 1103515245u + 12345u;
		f->flash[i] = (uint8_t)(x >> 16);
	}
	f->jedec[0] = 0xC8;
	f->jedec[1] = 0x40;
	f->jedec[2] = 0;
	for (uint32_t s = flash_len; s > 1; s >>= 1)
		f->jedec[2]++;
	f->hal = (struct agent_hal){
	    .ctx = f,
	    .recv = f_recv,
	    .send = f_send,
	    .flush = f_flush,
	    .spi = f_spi,
	    .flash_read = f_flash_read,
	    .read32 = f_read32,
	    .write32 = f_write32,
	    .read16 = f_read16,
	    .write16 = f_write16,
	    .reset = f_reset,
	    .me_id = f_me_id,
	};
	brom_init(&f->brom, &f->link->tp, NULL);
	f->brom.timeout_ms = 1000;
	if (start_da) {
		assert_int_equal(pthread_create(&f->thread, NULL, agent_thread, f), 0);
		da_init(&f->da, &f->brom);
		f->da.timeout_ms = 1000;
		assert_int_equal(da_wait_hello(&f->da, 2000), 0);
		assert_int_equal(f->da.version, AGENT_PROTO_VERSION);
	}
	return f;
}

static void fake_stop(struct fake *f)
{
	test_link_shutdown(f->link);
	pthread_join(f->thread, NULL);
	test_link_free(f->link);
	free(f->flash);
	free(f);
}

struct collect {
	uint8_t *buf;
	uint32_t base, len;
	uint32_t next; /* the sink must see increasing, gap-free offsets */
	uint32_t calls;
	uint32_t fail_at; /* return -ENOSPC when reaching this offset (0 = never) */
};

static int collect_sink(void *ctx, uint32_t off, const uint8_t *data, size_t len)
{
	struct collect *c = ctx;

	if (c->fail_at && off >= c->fail_at)
		return -ENOSPC;
	assert_int_equal(off, c->next);
	assert_true(off >= c->base && off - c->base + len <= c->len);
	memcpy(c->buf + (off - c->base), data, len);
	c->next = off + (uint32_t)len;
	c->calls++;
	return 0;
}

static void expect_read(struct fake *f, uint32_t off, uint32_t len)
{
	struct collect c = {.base = off, .len = len, .next = off};

	c.buf = malloc(len);
	assert_non_null(c.buf);
	assert_int_equal(da_read(&f->da, off, len, collect_sink, &c), 0);
	assert_int_equal(c.next, off + len);
	for (uint32_t i = 0; i < len; i++)
		if (c.buf[i] != f->flash[(off + i) & (f->flash_len - 1u)])
			fail_msg("byte at 0x%X differs", off + i);
	free(c.buf);
}

/* ---- raw protocol helpers ---- */

static void raw_send(struct fake *f, const uint8_t *p, size_t n)
{
	assert_int_equal(mtk_tp_write(&f->link->tp, p, n, 1000), 0);
}

static void raw_expect(struct fake *f, const uint8_t *p, size_t n)
{
	uint8_t got[64];

	assert_true(n <= sizeof(got));
	assert_int_equal(mtk_tp_read_exact(&f->link->tp, got, n, 1000), 0);
	assert_memory_equal(got, p, n);
}

static void raw_cmd_status(struct fake *f, const uint8_t *req, size_t n, uint16_t st)
{
	uint8_t exp[3] = {req[0], (uint8_t)(st >> 8), (uint8_t)st};

	raw_send(f, req, n);
	raw_expect(f, exp, 3);
}

/* ---- tests ---- */

static void test_crc32_variants(void **state)
{
	uint8_t buf[1000];

	(void)state;
	assert_int_equal(mtk_crc32(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(mtk_crc32_small(0, "123456789", 9), 0xCBF43926u);
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(mtk_crc32(0, buf, sizeof(buf)), mtk_crc32_small(0, buf, sizeof(buf)));
	assert_int_equal(mtk_crc32(mtk_crc32(0, buf, 333), buf + 333, 667),
			 mtk_crc32(0, buf, sizeof(buf)));
	assert_int_equal(da_crc32_update(0, buf, sizeof(buf)), mtk_crc32(0, buf, sizeof(buf)));
}

static void test_blob_header(void **state)
{
	struct da_blob_info bi;
	uint8_t bad[64];

	(void)state;
	if (mtkbak_agent_blob_len == 0)
		skip();
	assert_int_equal(da_blob_parse(mtkbak_agent_blob, mtkbak_agent_blob_len, &bi), 0);
	assert_int_equal(bi.version, AGENT_PROTO_VERSION);
	assert_int_equal(bi.size, mtkbak_agent_blob_len);
	assert_true(bi.footprint >= bi.size && bi.footprint <= 0x4000);
	assert_true(bi.size <= 8192);
	memcpy(bad, mtkbak_agent_blob, sizeof(bad));
	assert_int_equal(da_blob_parse(bad, sizeof(bad), NULL), -EINVAL); /* size mismatch */
	bad[5] ^= 1;
	assert_int_equal(da_blob_parse(bad, mtkbak_agent_blob_len, NULL), -EINVAL);
	assert_int_equal(da_blob_parse(NULL, 0, NULL), -EINVAL);
}

static void test_hello_ping_probe(void **state)
{
	struct fake *f = fake_start(1u << 20, true);

	(void)state;
	assert_int_equal(f->da.max_packet, AGENT_MAX_PACKET);
	assert_true(f->da.flags & AGENT_HELLO_F_SPI);
	assert_int_equal(da_ping(&f->da), 0);
	assert_int_equal(da_probe(&f->brom, 1000), 1);
	/* unknown bytes are echoed, like the boot ROM does */
	raw_send(f, (const uint8_t *)"\x42", 1);
	raw_expect(f, (const uint8_t *)"\x42", 1);
	assert_int_equal(da_ping(&f->da), 0);
	fake_stop(f);
}

static void test_flash_info(void **state)
{
	struct fake *f = fake_start(4u << 20, true);
	struct da_flash_info fi;
	uint8_t sfdp[57];

	(void)state;
	assert_int_equal(da_flash_info(&f->da, &fi), 0);
	assert_memory_equal(fi.jedec, "\xC8\x40\x16", 3);
	assert_int_equal(fi.jedec_size, 4u << 20);
	assert_true(fi.has_sfdp);
	assert_int_equal(fi.sfdp_major, 1);
	assert_int_equal(fi.sfdp_size, 4u << 20);
	/* 3 + 57 + 4 = 64 bytes: the agent pads, the host stays in step */
	assert_int_equal(da_read_sfdp(&f->da, 0, sfdp, sizeof(sfdp)), 0);
	assert_memory_equal(sfdp, "SFDP", 4);
	assert_int_equal(da_ping(&f->da), 0);
	assert_int_equal(f->da.retries, 0);
	assert_int_equal(da_read_sfdp(&f->da, 0, sfdp, 0), -EINVAL);
	fake_stop(f);
}

static void test_flash_info_errors(void **state)
{
	struct fake *f = fake_start(1u << 20, true);
	struct da_flash_info fi;

	(void)state;
	f->spi_fails = true;
	assert_int_equal(da_flash_info(&f->da, &fi), -EREMOTEIO);
	assert_int_equal(f->da.last_status, AGENT_ST_SPI);
	assert_string_equal(da_status_text(AGENT_ST_SPI),
			    "the serial flash controller did not complete the transaction");
	assert_int_equal(da_ping(&f->da), 0);
	fake_stop(f);
}

static void test_read_exact(void **state)
{
	struct fake *f = fake_start(1u << 20, true);

	(void)state;
	expect_read(f, 0, 1u << 20);
	/* odd offsets and lengths; a 4 KiB-packet stream with a short tail */
	expect_read(f, 3, 100001);
	/* one byte; and 35 bytes: reply 3 + 47 + 12 + 2 = 64 -> padded */
	expect_read(f, 0xFFFFF, 1);
	expect_read(f, 77, 35);
	assert_int_equal(da_ping(&f->da), 0);
	/* reads beyond the flash size alias, like a 24-bit NOR */
	expect_read(f, (1u << 20) - 100, 300);
	expect_read(f, 0xFFF000, 0x1000);
	assert_int_equal(f->da.retries, 0);
	assert_int_equal(f->da.resyncs, 0);
	/* small packets and chunks: many READ commands */
	f->da.packet_size = 100;
	f->da.chunk_size = 1000;
	expect_read(f, 5, 12345);
	f->da.packet_size = AGENT_MAX_PACKET;
	f->da.chunk_size = 3u << 20;
	expect_read(f, 0, 1u << 20);
	fake_stop(f);
}

static void test_read_bounds(void **state)
{
	struct fake *f = fake_start(1u << 20, true);
	uint8_t req[13];

	(void)state;
	assert_int_equal(da_read(&f->da, 0, 0, collect_sink, NULL), 0);
	assert_int_equal(da_read(&f->da, AGENT_FLASH_WINDOW, 1, collect_sink, NULL), -EINVAL);
	assert_int_equal(da_read(&f->da, AGENT_FLASH_WINDOW - 4, 5, collect_sink, NULL), -EINVAL);
	assert_int_equal(da_read(&f->da, 0xFFFFFFFFu, 2, collect_sink, NULL), -EINVAL);

	/* the agent checks on its own too */
	req[0] = AGENT_CMD_READ;
	mtk_put_be32(req + 1, 0);
	mtk_put_be32(req + 5, 0);
	mtk_put_be32(req + 9, 4096);
	raw_cmd_status(f, req, sizeof(req), AGENT_ST_BAD_LEN);
	mtk_put_be32(req + 1, AGENT_FLASH_WINDOW - 10);
	mtk_put_be32(req + 5, 11);
	raw_cmd_status(f, req, sizeof(req), AGENT_ST_RANGE);
	mtk_put_be32(req + 1, 0xFFFFFFF0u);
	mtk_put_be32(req + 5, 0x20);
	raw_cmd_status(f, req, sizeof(req), AGENT_ST_RANGE);
	mtk_put_be32(req + 1, 0);
	mtk_put_be32(req + 5, 16);
	mtk_put_be32(req + 9, 0);
	raw_cmd_status(f, req, sizeof(req), AGENT_ST_BAD_PACKET);
	mtk_put_be32(req + 9, AGENT_MAX_PACKET + 1);
	raw_cmd_status(f, req, sizeof(req), AGENT_ST_BAD_PACKET);
	req[0] = AGENT_CMD_SFDP;
	mtk_put_be32(req + 1, 0);
	mtk_put_be32(req + 5, AGENT_SFDP_MAX + 1);
	raw_cmd_status(f, req, 9, AGENT_ST_BAD_LEN);
	mtk_put_be32(req + 1, 0xFFFFFF);
	mtk_put_be32(req + 5, 2);
	raw_cmd_status(f, req, 9, AGENT_ST_RANGE);
	req[0] = AGENT_CMD_CRC32;
	mtk_put_be32(req + 1, 0x00FFFFFF);
	mtk_put_be32(req + 5, 2);
	raw_cmd_status(f, req, 9, AGENT_ST_RANGE);
	mtk_put_be32(req + 5, 0);
	raw_cmd_status(f, req, 9, AGENT_ST_BAD_LEN);
	/* still in step */
	assert_int_equal(da_ping(&f->da), 0);
	expect_read(f, 0, 5000);
	fake_stop(f);
}

static void test_crc32_on_device(void **state)
{
	struct fake *f = fake_start(1u << 20, true);
	uint32_t crc = 0;

	(void)state;
	assert_int_equal(da_crc32(&f->da, 0, 1u << 20, &crc), 0);
	assert_int_equal(crc, mtk_crc32(0, f->flash, 1u << 20));
	assert_int_equal(da_crc32(&f->da, 1000, 1, &crc), 0);
	assert_int_equal(crc, mtk_crc32(0, f->flash + 1000, 1));
	/* aliased: 2 MiB of a 1 MiB part is the part twice */
	assert_int_equal(da_crc32(&f->da, 0, 2u << 20, &crc), 0);
	assert_int_equal(crc, mtk_crc32(mtk_crc32(0, f->flash, 1u << 20), f->flash, 1u << 20));
	assert_int_equal(da_crc32(&f->da, 0, 0, &crc), -EINVAL);
	assert_int_equal(da_crc32(&f->da, AGENT_FLASH_WINDOW - 1, 2, &crc), -EINVAL);
	fake_stop(f);
}

static void test_read_corrupted_packets(void **state)
{
	struct fake *f = fake_start(1u << 20, true);

	(void)state;
	/* a bit flip every 50001 bytes: ~20 bad packets (and the odd bad header) */
	f->link->corrupt_every = 50001;
	expect_read(f, 0, 1u << 20);
	assert_true(f->link->corrupted >= 20);
	assert_true(f->da.retries >= 10);
	f->link->corrupt_every = 0;
	assert_int_equal(da_ping(&f->da), 0);
	fake_stop(f);
}

static void test_read_dropped_and_extra_bytes(void **state)
{
	struct fake *f = fake_start(1u << 20, true);

	(void)state;
	/* a lost byte shifts the stream: the host resyncs and re-requests */
	f->link->drop_at = f->link->d2h_count + 300000;
	expect_read(f, 0, 1u << 20);
	assert_true(f->da.resyncs >= 1);
	f->link->extra_at = f->link->d2h_count + 123456;
	expect_read(f, 0, 1u << 20);
	assert_true(f->da.resyncs >= 2);
	fake_stop(f);
}

static void test_small_commands_retry(void **state)
{
	struct fake *f = fake_start(1u << 20, true);
	struct da_flash_info fi;
	uint32_t crc;

	(void)state;
	/* corrupt the next few answers once each: FLASH_ID/SFDP/CRC32 retry after a resync */
	for (unsigned k = 1; k <= 8; k++) {
		f->link->corrupt_every = k;
		f->link->corrupt_limit = f->link->corrupted + 1;
		assert_int_equal(da_flash_info(&f->da, &fi), 0);
		assert_memory_equal(fi.jedec, "\xC8\x40\x14", 3);
		f->link->corrupt_limit = f->link->corrupted + 1;
		assert_int_equal(da_crc32(&f->da, 0, 4096, &crc), 0);
		assert_int_equal(crc, mtk_crc32(0, f->flash, 4096));
	}
	assert_true(f->da.retries > 0);
	fake_stop(f);
}

static void test_read_hopeless_link(void **state)
{
	struct fake *f = fake_start(1u << 20, true);
	struct collect c = {.base = 0, .len = 1u << 20, .next = 0};

	(void)state;
	c.buf = malloc(c.len);
	f->da.chunk_size = 64 * 1024;
	f->da.max_retries = 2;
	f->link->corrupt_every = 3000; /* every 4 KiB packet is hit, every time */
	assert_int_equal(da_read(&f->da, 0, c.len, collect_sink, &c), -EBADMSG);
	assert_true(strstr(f->da.detail, "still bad") != NULL);
	/* nothing unverified reached the sink: what it got is exact */
	for (uint32_t i = 0; i < c.next; i++)
		assert_int_equal(c.buf[i], f->flash[i]);
	free(c.buf);
	f->link->corrupt_every = 0;
	fake_stop(f);
}

static void test_sink_stops(void **state)
{
	struct fake *f = fake_start(1u << 20, true);
	struct collect c = {.base = 0, .len = 1u << 20, .next = 0, .fail_at = 300000};

	(void)state;
	c.buf = malloc(c.len);
	assert_int_equal(da_read(&f->da, 0, c.len, collect_sink, &c), -ENOSPC);
	free(c.buf);
	/* the rest of the stream was skipped: the next command works */
	assert_int_equal(da_ping(&f->da), 0);
	expect_read(f, 0, 8192);
	fake_stop(f);
}

static void test_device_gone(void **state)
{
	struct fake *f = fake_start(1u << 20, true);
	struct collect c = {.base = 0, .len = 1u << 20, .next = 0};
	int ret;

	(void)state;
	c.buf = malloc(c.len);
	f->link->close_at = f->link->d2h_count + 500000;
	ret = da_read(&f->da, 0, c.len, collect_sink, &c);
	assert_int_equal(ret, -ENODEV);
	assert_true(c.next > 0 && c.next < 500000);
	for (uint32_t i = 0; i < c.next; i++)
		assert_int_equal(c.buf[i], f->flash[i]);
	free(c.buf);
	fake_stop(f);
}

static void test_brom_compatible(void **state)
{
	struct fake *f = fake_start(1u << 20, true);
	uint32_t v32[2] = {0x11223344u, 0xA5A5F00Fu}, r32[2];
	uint16_t v16 = 0x1209, r16[2];
	uint8_t ver = 0;

	(void)state;
	assert_int_equal(brom_get_version(&f->brom, &ver), 0);
	assert_int_equal(ver, 5);
	assert_int_equal(brom_write32(&f->brom, 0xA0510000u, v32, 2), 0);
	assert_int_equal(brom_read32(&f->brom, 0xA0510000u, r32, 2), 0);
	assert_memory_equal(r32, v32, sizeof(v32));
	assert_int_equal(brom_write16(&f->brom, 0xA003001Cu, &v16, 1), 0);
	assert_int_equal(brom_read16(&f->brom, 0xA003001Cu, r16, 1), 0);
	assert_int_equal(r16[0], 0x1209);
	assert_int_equal(brom_write16_noecho(&f->brom, 0xA0030002u, &v16, 1), 0);
	assert_int_equal(brom_legacy_read16(&f->brom, 0xA0030000u, r16, 2), 0);
	assert_int_equal(r16[0], 0x0000);
	assert_int_equal(r16[1], 0x1209);
	/* errors answer like the boot ROM: one status, no data */
	assert_int_equal(brom_read32(&f->brom, 0xA0510002u, r32, 1), -EREMOTEIO);
	assert_int_equal(f->brom.last_status, BROM_ST_R_ODD32);
	assert_int_equal(brom_write32(&f->brom, 0xA0510001u, v32, 1), -EREMOTEIO);
	assert_int_equal(f->brom.last_status, BROM_ST_W_ODD32);
	/* what brom_identify asks besides reads: E1 and D8 */
	uint8_t me[16];
	uint32_t cfg = 1;
	assert_int_equal(brom_get_me_id(&f->brom, me), 0);
	assert_memory_equal(me, "0123456789ABCDEF", 16);
	assert_int_equal(brom_get_target_config(&f->brom, &cfg), 0);
	assert_int_equal(cfg, 0);
	f->hal.me_id = NULL; /* read by the agent thread only when E1 comes */
	assert_int_equal(brom_get_me_id(&f->brom, me), -EREMOTEIO);
	assert_int_equal(f->brom.last_status, AGENT_ST_NO_ME_ID);
	/* a D1 of 16 dwords: data + status = 66 bytes, no stall */
	uint32_t many[16];
	assert_int_equal(brom_read32(&f->brom, 0xA0510000u, many, 16), 0);
	assert_int_equal(da_ping(&f->da), 0);
	fake_stop(f);
}

/* A read session never writes the flash: WRITE16/WRITE32 into the flash window (either
 * remap) or the serial flash controller are refused before any value is taken, and the SPI
 * layer sends read opcodes only. */
static void test_read_session_refuses_writes(void **state)
{
	struct fake *f = fake_start(1u << 20, true);
	static const uint32_t bad32[] = {0x00000000u, 0x00FFFFFCu, 0x10000100u,
					 0xA0140000u, 0xA0140800u, 0xA014FFFCu};
	uint32_t v32 = 0xDEADBEEFu, ok[2] = {1, 2};
	uint16_t v16 = 0x0606;

	(void)state;
	for (size_t i = 0; i < sizeof(bad32) / sizeof(bad32[0]); i++) {
		assert_int_equal(brom_write32(&f->brom, bad32[i], &v32, 1), -EREMOTEIO);
		assert_int_equal(f->brom.last_status, AGENT_ST_READ_ONLY);
		assert_int_equal(brom_write16(&f->brom, bad32[i], &v16, 1), -EREMOTEIO);
		assert_int_equal(f->brom.last_status, AGENT_ST_READ_ONLY);
	}
	/* a range that starts below the SFC and runs into it */
	assert_int_equal(brom_write32(&f->brom, 0xA013FFFCu, ok, 2), -EREMOTEIO);
	assert_int_equal(f->brom.last_status, AGENT_ST_READ_ONLY);
	assert_int_equal(f->nregs, 0); /* nothing reached the hardware layer */
	/* other registers are still writable (the watchdog, the remap register) */
	assert_int_equal(brom_write32(&f->brom, 0xA0510000u, ok, 1), 0);
	assert_int_equal(brom_write16(&f->brom, 0xA0030000u, &v16, 1), 0);
	assert_int_equal(da_ping(&f->da), 0);
	fake_stop(f);
}

static void test_spi_read_ops_only(void **state)
{
	(void)state;
	for (unsigned op = 0; op < 256; op++) {
		/* 35 (read status 2): restore's plan reads both status registers before it opens
		 * a write session */
		int want = op == 0x9F || op == 0x5A || op == 0x03 || op == 0x0B || op == 0x05 ||
			   op == 0x35;

		assert_int_equal(agent_spi_read_op((uint8_t)op), want);
	}
}

static void test_reboot(void **state)
{
	struct fake *f = fake_start(1u << 20, true);

	(void)state;
	assert_int_equal(da_reboot(&f->da), 0);
	pthread_join(f->thread, NULL);
	assert_int_equal(f->agent_ret, 0);
	assert_true(f->reset);
	/* fake_stop joins again: give it a thread that has nothing to do */
	assert_int_equal(pthread_create(&f->thread, NULL, agent_thread, f), 0);
	fake_stop(f);
}

static void test_no_spi(void **state)
{
	struct fake *f = fake_start(1u << 20, false);
	struct da_flash_info fi;

	(void)state;
	f->hal.spi = NULL;
	assert_int_equal(pthread_create(&f->thread, NULL, agent_thread, f), 0);
	da_init(&f->da, &f->brom);
	assert_int_equal(da_wait_hello(&f->da, 2000), 0);
	assert_false(f->da.flags & AGENT_HELLO_F_SPI);
	assert_int_equal(da_flash_info(&f->da, &fi), -EREMOTEIO);
	assert_int_equal(f->da.last_status, AGENT_ST_NO_SPI);
	fake_stop(f);
}

static void test_hello_timeout(void **state)
{
	struct fake *f = fake_start(1u << 20, false);

	(void)state;
	da_init(&f->da, &f->brom);
	assert_int_equal(da_wait_hello(&f->da, 100), -ETIMEDOUT);
	assert_true(strstr(f->da.detail, "hello") != NULL);
	/* fake_stop joins a thread: start one that exits at once */
	test_link_shutdown(f->link);
	assert_int_equal(pthread_create(&f->thread, NULL, agent_thread, f), 0);
	fake_stop(f);
}

static void test_throughput(void **state)
{
	struct fake *f = fake_start(16u << 20, true);
	double s;

	(void)state;
	double t0 = mtk_now_s();
	assert_int_equal(da_read(&f->da, 0, 16u << 20, NULL, NULL), 0);
	double t1 = mtk_now_s();
	s = t1 - t0;
	printf("# host<->agent core, in-process link: 16 MiB in %.3f s = %.1f MB/s\n", s,
	       16.0 * 1048576.0 / s / 1e6);
	assert_int_equal(f->da.bytes_read, 16u << 20);
	fake_stop(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crc32_variants),
	    cmocka_unit_test(test_blob_header),
	    cmocka_unit_test(test_hello_ping_probe),
	    cmocka_unit_test(test_flash_info),
	    cmocka_unit_test(test_flash_info_errors),
	    cmocka_unit_test(test_read_exact),
	    cmocka_unit_test(test_read_bounds),
	    cmocka_unit_test(test_crc32_on_device),
	    cmocka_unit_test(test_read_corrupted_packets),
	    cmocka_unit_test(test_read_dropped_and_extra_bytes),
	    cmocka_unit_test(test_small_commands_retry),
	    cmocka_unit_test(test_read_hopeless_link),
	    cmocka_unit_test(test_sink_stops),
	    cmocka_unit_test(test_device_gone),
	    cmocka_unit_test(test_brom_compatible),
	    cmocka_unit_test(test_read_session_refuses_writes),
	    cmocka_unit_test(test_spi_read_ops_only),
	    cmocka_unit_test(test_reboot),
	    cmocka_unit_test(test_no_spi),
	    cmocka_unit_test(test_hello_timeout),
	    cmocka_unit_test(test_throughput),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
