/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The compressed READ (issue 16): the agent core (agent/core/agent.c + lz4_enc.c) in a thread
 * on a fake hardware layer with a mapped flash, against the host side (src/da/da.c and the
 * decoder src/wire/lz4_block.c). The fake's send hook can damage exactly the compressed
 * packets (their payload, their length, their kind), so the tests show that a damaged
 * packet is requested again and never decoded into wrong bytes. Where Debian's liblz4 is
 * installed (dlopen, else those checks are skipped), the agent's blocks must decode with it
 * too, and the host decoder must agree with it on liblz4's own blocks. */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent_hal.h"
#include "core/lz4_enc.h"
#include "mtkbak/agent_wire.h"
#include "mtkbak/brom.h"
#include "mtkbak/crc32.h"
#include "mtkbak/da.h"
#include "mtkbak/errors.h"
#include "mtkbak/lz4_block.h"
#include "test_link.h"

enum tamper {
	T_NONE,
	T_LZ4_PAYLOAD, /* flip a bit in the payload of an LZ4 packet */
	T_LZ4_ZLEN,    /* make an LZ4 packet's zlen one smaller (the stream loses step) */
	T_KIND_ERASED, /* call an LZ4 packet erased (payload still follows) */
	T_RAW_AS_LZ4,  /* call a raw packet an LZ4 one with zlen 1 */
};

struct fake {
	struct test_link *link;
	uint8_t *flash;
	uint32_t flash_len;
	bool no_map; /* an agent without flash_map: an "old" agent, no compressed READ */
	pthread_t thread;
	struct agent_hal hal;
	struct brom brom;
	struct da da;
	/* tamper state (device thread only until joined) */
	enum tamper tamper;
	unsigned tamper_left, tampered;
	int next_is_payload; /* the last send was a compressed header that we decided to hit */
};

static int f_recv(void *ctx, uint8_t *buf, uint32_t len)
{
	return test_link_dev_recv(((struct fake *)ctx)->link, buf, len);
}

/* The agent sends a compressed packet as header (11 bytes), payload, CRC (4): each its own
 * send call, so the hook can find them. */
static int f_send(void *ctx, const uint8_t *buf, uint32_t len)
{
	struct fake *f = ctx;
	uint8_t tmp[AGENT_ZBLOCK_MAX + 16];

	if (f->tamper == T_NONE || f->tamper_left == 0 || len > sizeof(tmp))
		return test_link_dev_send(f->link, buf, len);
	memcpy(tmp, buf, len);
	if (f->next_is_payload) {
		f->next_is_payload = 0;
		if (f->tamper == T_LZ4_PAYLOAD) {
			tmp[len / 2] ^= 0x10;
			f->tamper_left--;
			f->tampered++;
		}
	} else if (len == AGENT_ZPKT_HDR && mtk_get_be32(buf + 4) >= 13u) {
		uint8_t kind = buf[8];
		uint16_t zlen = mtk_get_be16(buf + 9);

		if (kind == AGENT_ZK_LZ4 && f->tamper == T_LZ4_PAYLOAD) {
			f->next_is_payload = 1;
		} else if (kind == AGENT_ZK_LZ4 && f->tamper == T_LZ4_ZLEN && zlen > 1) {
			mtk_put_be16(tmp + 9, (uint16_t)(zlen - 1));
			f->tamper_left--;
			f->tampered++;
		} else if (kind == AGENT_ZK_LZ4 && f->tamper == T_KIND_ERASED) {
			tmp[8] = AGENT_ZK_ERASED;
			mtk_put_be16(tmp + 9, 0);
			f->tamper_left--;
			f->tampered++;
		} else if (kind == AGENT_ZK_RAW && f->tamper == T_RAW_AS_LZ4) {
			tmp[8] = AGENT_ZK_LZ4;
			mtk_put_be16(tmp + 9, 1);
			f->tamper_left--;
			f->tampered++;
		}
	}
	return test_link_dev_send(f->link, tmp, len);
}

static void f_flush(void *ctx)
{
	test_link_dev_flush(((struct fake *)ctx)->link);
}

static int f_flash_read(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
	struct fake *f = ctx;

	for (uint32_t i = 0; i < len; i++)
		buf[i] = f->flash[(off + i) & (f->flash_len - 1u)];
	return 0;
}

static int f_flash_map(void *ctx, uint32_t off, uint32_t len, const uint8_t **p)
{
	struct fake *f = ctx;
	uint32_t o = off & (f->flash_len - 1u);

	if (len > f->flash_len - o)
		return -1; /* across the end of a small part: the agent copies instead */
	*p = f->flash + o;
	return 0;
}

static uint32_t f_read32(void *ctx, uint32_t addr)
{
	(void)ctx;
	(void)addr;
	return 0;
}

static void f_write32(void *ctx, uint32_t addr, uint32_t v)
{
	(void)ctx;
	(void)addr;
	(void)v;
}

static uint16_t f_read16(void *ctx, uint32_t addr)
{
	(void)ctx;
	(void)addr;
	return 0;
}

static void f_write16(void *ctx, uint32_t addr, uint16_t v)
{
	(void)ctx;
	(void)addr;
	(void)v;
}

static void f_reset(void *ctx)
{
	(void)ctx;
}

static void *agent_thread(void *arg)
{
	struct fake *f = arg;

	agent_main(&f->hal);
	return NULL;
}

/* A flash like a watch's: code-like text that compresses, random bytes that do not, and
 * erased blocks, in 64 KiB stretches. */
static void fill_flash(uint8_t *p, uint32_t len, uint32_t seed)
{
	static const char words[] =
	    "MOV R0, R1; BL _memcpy; LDR R3, =0x10004400; PUSH {R4-R7,LR}; ";
	uint32_t x = seed;

	for (uint32_t i = 0; i < len; i++) {
		uint32_t kind = (i >> 16) % 3u;

		x = x * 1103515245u + 12345u;
		if (kind == 0)
			p[i] = (uint8_t)words[(i + (x >> 28)) % (sizeof(words) - 1)];
		else if (kind == 1)
			p[i] = (uint8_t)(x >> 16);
		else
			p[i] = 0xFF;
	}
}

static struct fake *fake_start(uint32_t flash_len, bool no_map)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->link = test_link_new(256 * 1024);
	assert_non_null(f->link);
	f->flash_len = flash_len;
	f->flash = malloc(flash_len);
	assert_non_null(f->flash);
	fill_flash(f->flash, flash_len, 0x2545F491u);
	f->no_map = no_map;
	f->hal = (struct agent_hal){
	    .ctx = f,
	    .recv = f_recv,
	    .send = f_send,
	    .flush = f_flush,
	    .flash_read = f_flash_read,
	    .read32 = f_read32,
	    .write32 = f_write32,
	    .read16 = f_read16,
	    .write16 = f_write16,
	    .reset = f_reset,
	    .flash_map = no_map ? NULL : f_flash_map,
	};
	brom_init(&f->brom, &f->link->tp, NULL);
	f->brom.timeout_ms = 1000;
	assert_int_equal(pthread_create(&f->thread, NULL, agent_thread, f), 0);
	da_init(&f->da, &f->brom);
	f->da.timeout_ms = 1000;
	assert_int_equal(da_wait_hello(&f->da, 2000), 0);
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
	uint32_t base, len, next;
};

static int collect_sink(void *ctx, uint32_t off, const uint8_t *data, size_t len)
{
	struct collect *c = ctx;

	assert_int_equal(off, c->next);
	assert_true(off >= c->base && off - c->base + len <= c->len);
	memcpy(c->buf + (off - c->base), data, len);
	c->next = off + (uint32_t)len;
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

/* ---- liblz4, when installed ---- */

struct lz4_api {
	int (*compress)(const char *src, char *dst, int srclen, int cap);
	int (*decompress)(const char *src, char *dst, int srclen, int cap);
};

static bool load_lz4(struct lz4_api *a)
{
	void *lib = dlopen("liblz4.so.1", RTLD_NOW);

	if (!lib)
		return false;
	*(void **)&a->compress = dlsym(lib, "LZ4_compress_default");
	*(void **)&a->decompress = dlsym(lib, "LZ4_decompress_safe");
	return a->compress && a->decompress;
}

/* ---- tests ---- */

static void test_zread_exact(void **state)
{
	struct fake *f = fake_start(1u << 20, false);

	(void)state;
	assert_true(da_can_compress(&f->da));
	expect_read(f, 0, 1u << 20);
	assert_true(f->da.zchunks > 0);
	assert_true(f->da.zbytes[AGENT_ZK_RAW] > 0);
	assert_true(f->da.zbytes[AGENT_ZK_ERASED] > 0);
	assert_true(f->da.zbytes[AGENT_ZK_LZ4] > 0);
	assert_int_equal(f->da.zbytes[0] + f->da.zbytes[1] + f->da.zbytes[2], 1u << 20);
	/* a third erased, a third compressible: well under the flash size on the wire */
	assert_true(f->da.wire_bytes < (1u << 20) * 3u / 4u);
	assert_int_equal(f->da.retries, 0);
	/* odd offsets and lengths, a short tail, tiny packets (< 13 bytes: always raw) */
	expect_read(f, 3, 100001);
	expect_read(f, 0xFFFFF, 1);
	expect_read(f, 77, 35);
	/* through the 16 MiB window: a 1 MiB part mirrors, a packet across its end is copied */
	expect_read(f, (1u << 20) - 100, 300);
	expect_read(f, 0xFFF000, 0x1000);
	f->da.packet_size = 100;
	f->da.chunk_size = 1000;
	expect_read(f, 5, 12345);
	/* packets above the compressed limit are clamped to it */
	f->da.packet_size = AGENT_MAX_PACKET;
	f->da.chunk_size = 256u * 1024u;
	expect_read(f, 0, 1u << 20);
	assert_int_equal(f->da.retries, 0);
	assert_int_equal(f->da.resyncs, 0);
	assert_int_equal(da_ping(&f->da), 0);
	fake_stop(f);
}

static void test_zread_off_and_old_agent(void **state)
{
	struct fake *f = fake_start(1u << 20, false);

	(void)state;
	f->da.compress = DA_COMPRESS_OFF;
	expect_read(f, 0, 1u << 20);
	assert_int_equal(f->da.zchunks, 0);
	assert_true(f->da.wire_bytes > 1u << 20);
	fake_stop(f);

	/* an agent without the capability: auto reads plain */
	f = fake_start(1u << 20, true);
	assert_false(da_can_compress(&f->da));
	expect_read(f, 0, 1u << 20);
	assert_int_equal(f->da.zchunks, 0);
	assert_true(f->da.rawchunks > 0);
	fake_stop(f);
}

static void test_zread_auto_gives_up_on_random(void **state)
{
	struct fake *f = fake_start(1u << 20, false);
	uint32_t x = 1;

	(void)state;
	for (uint32_t i = 0; i < f->flash_len; i++) {
		x = x * 1103515245u + 12345u;
		f->flash[i] = (uint8_t)(x >> 16);
	}
	f->da.chunk_size = 64u * 1024u;
	expect_read(f, 0, 1u << 20);
	/* 16 chunks: compressed, 3 plain, compressed again, ... */
	assert_int_equal(f->da.zchunks, 4);
	assert_int_equal(f->da.rawchunks, 12);
	fake_stop(f);
}

static void run_tamper(enum tamper t, unsigned n, bool expect_resync)
{
	struct fake *f = fake_start(1u << 20, false);

	f->tamper = t;
	f->tamper_left = n;
	expect_read(f, 0, 1u << 20);
	assert_int_equal(f->tampered, n);
	assert_true(f->da.retries >= n || f->da.resyncs > 0);
	if (expect_resync)
		assert_true(f->da.resyncs > 0);
	fake_stop(f);
}

static void test_zread_damaged_payload(void **state)
{
	(void)state;
	/* the block still decodes (or not) but the CRC over the result does not match */
	run_tamper(T_LZ4_PAYLOAD, 5, false);
}

static void test_zread_damaged_header(void **state)
{
	(void)state;
	run_tamper(T_LZ4_ZLEN, 3, true);
	run_tamper(T_KIND_ERASED, 3, true);
	run_tamper(T_RAW_AS_LZ4, 3, true);
}

static void test_zread_link_faults(void **state)
{
	struct fake *f = fake_start(1u << 20, false);

	(void)state;
	f->link->corrupt_every = 20011;
	expect_read(f, 0, 1u << 20);
	assert_true(f->da.retries > 0);
	f->link->corrupt_every = 0;
	f->link->drop_at = f->link->d2h_count + 50000;
	expect_read(f, 0, 1u << 20);
	assert_true(f->da.resyncs > 0);
	f->link->extra_at = f->link->d2h_count + 70000;
	expect_read(f, 0, 1u << 20);
	fake_stop(f);
}

static void test_zread_agent_checks(void **state)
{
	struct fake *f = fake_start(1u << 20, false);
	uint8_t req[13], ans[3];

	(void)state;
	/* a compressed READ with packets above AGENT_ZBLOCK_MAX is refused */
	req[0] = AGENT_CMD_READ;
	mtk_put_be32(req + 1, 0);
	mtk_put_be32(req + 5, 0x10000);
	mtk_put_be32(req + 9, (AGENT_ZBLOCK_MAX + 1u) | AGENT_READ_F_Z);
	assert_int_equal(mtk_tp_write(&f->link->tp, req, sizeof(req), 1000), 0);
	assert_int_equal(mtk_tp_read_exact(&f->link->tp, ans, sizeof(ans), 1000), 0);
	assert_int_equal(ans[0], AGENT_CMD_READ);
	assert_int_equal(mtk_get_be16(ans + 1), AGENT_ST_BAD_PACKET);
	assert_int_equal(da_ping(&f->da), 0);
	fake_stop(f);

	/* an agent without flash_map refuses it too */
	f = fake_start(1u << 20, true);
	mtk_put_be32(req + 9, 4096u | AGENT_READ_F_Z);
	assert_int_equal(mtk_tp_write(&f->link->tp, req, sizeof(req), 1000), 0);
	assert_int_equal(mtk_tp_read_exact(&f->link->tp, ans, sizeof(ans), 1000), 0);
	assert_int_equal(mtk_get_be16(ans + 1), AGENT_ST_BAD_PACKET);
	fake_stop(f);
}

/* The encoder on its own: round trips through both decoders, the cap is respected, and the
 * end-of-block rules hold (liblz4 checks them). */
static void test_encoder(void **state)
{
	static uint8_t src[AGENT_ZBLOCK_MAX], dst[AGENT_ZBLOCK_MAX + 64], back[AGENT_ZBLOCK_MAX];
	uint16_t tab[AGENT_LZ4_TAB];
	struct lz4_api lz;
	bool have = load_lz4(&lz);
	uint32_t x = 7;
	unsigned compressed = 0;

	(void)state;
	for (unsigned trial = 0; trial < 3000; trial++) {
		uint32_t n = 1u + (trial * 2654435761u >> 20) % AGENT_ZBLOCK_MAX;
		uint32_t alpha = 1u + trial % 7u, cap = trial % 5u == 0 ? n / 2u : n - 1u;
		uint32_t z;

		for (uint32_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			src[i] = trial % 11u == 0   ? (uint8_t)(x >> 16)
				 : trial % 13u == 0 ? 0
						    : (uint8_t)('a' + (x >> 16) % alpha);
		}
		memset(dst, 0xA5, sizeof(dst));
		z = agent_lz4_block(src, n, dst, cap, tab);
		for (uint32_t i = z ? z : 0; i < sizeof(dst); i++)
			if (i >= cap && dst[i] != 0xA5)
				fail_msg("trial %u: the encoder wrote past its cap %u", trial, cap);
		if (n < 13u) {
			assert_int_equal(z, 0);
			continue;
		}
		if (!z)
			continue;
		compressed++;
		assert_true(z <= cap);
		memset(back, 0, sizeof(back));
		assert_int_equal(mtk_lz4_decode(dst, z, back, n), 0);
		assert_memory_equal(back, src, n);
		/* one byte short or long is an error, never a silent success */
		if (n > 1)
			assert_int_equal(mtk_lz4_decode(dst, z, back, n - 1), -EBADMSG);
		assert_int_equal(
		    mtk_lz4_decode(dst, z, back, n + 1 <= sizeof(back) ? n + 1 : n - 1), -EBADMSG);
		if (have) {
			memset(back, 0, sizeof(back));
			assert_int_equal(
			    lz.decompress((const char *)dst, (char *)back, (int)z, (int)n), (int)n);
			assert_memory_equal(back, src, n);
		}
	}
	assert_true(compressed > 1000);
	if (!have)
		fprintf(stderr, "liblz4.so.1 not found: the cross-check with liblz4 was skipped\n");
}

/* The host decoder on liblz4's blocks (its encoder makes choices ours does not). */
static void test_decoder_vs_liblz4(void **state)
{
	static uint8_t src[8192], dst[8192 + 64], back[8192];
	struct lz4_api lz;
	uint32_t x = 99;

	(void)state;
	if (!load_lz4(&lz))
		skip();
	for (unsigned trial = 0; trial < 2000; trial++) {
		int n = 1 + (int)((trial * 2654435761u >> 19) % sizeof(src)), z;
		uint32_t alpha = 1u + trial % 9u;

		for (int i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			src[i] = trial % 10u == 0 ? (uint8_t)(x >> 16)
						  : (uint8_t)('A' + (x >> 16) % alpha);
		}
		z = lz.compress((const char *)src, (char *)dst, n, (int)sizeof(dst));
		assert_true(z > 0);
		assert_int_equal(mtk_lz4_decode(dst, (size_t)z, back, (size_t)n), 0);
		assert_memory_equal(back, src, (size_t)n);
		/* cut short: never accepted */
		if (z > 1)
			assert_int_equal(mtk_lz4_decode(dst, (size_t)z - 1, back, (size_t)n),
					 -EBADMSG);
	}
}

static void test_decoder_hostile(void **state)
{
	uint8_t out[64];

	(void)state;
	/* a match before the start of the output */
	assert_int_equal(mtk_lz4_decode((const uint8_t *)"\x14"
							 "a\x02\x00",
					4, out, 10),
			 -EBADMSG);
	/* distance 0 */
	assert_int_equal(mtk_lz4_decode((const uint8_t *)"\x14"
							 "a\x00\x00",
					4, out, 10),
			 -EBADMSG);
	/* literals beyond the input */
	assert_int_equal(mtk_lz4_decode((const uint8_t *)"\x50"
							 "ab",
					3, out, 5),
			 -EBADMSG);
	/* output beyond its size: 15 + 255 + 255 ... literals asked for 8 bytes */
	assert_int_equal(mtk_lz4_decode((const uint8_t *)"\xF0\xFF\xFF", 3, out, 8), -EBADMSG);
	/* a long match that would run past the output */
	assert_int_equal(mtk_lz4_decode((const uint8_t *)"\x1F"
							 "a\x01\x00\xFF\x00",
					6, out, 64),
			 -EBADMSG);
	/* ends with a match */
	assert_int_equal(mtk_lz4_decode((const uint8_t *)"\x10"
							 "a\x01\x00",
					4, out, 5),
			 -EBADMSG);
	/* a good block: "a" then 4 more "a"s by overlap, then literal "b" */
	assert_int_equal(mtk_lz4_decode((const uint8_t *)"\x10"
							 "a\x01\x00\x10"
							 "b",
					6, out, 6),
			 0);
	assert_memory_equal(out, "aaaaab", 6);
	assert_int_equal(mtk_lz4_decode(NULL, 0, out, 6), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_zread_exact),
	    cmocka_unit_test(test_zread_off_and_old_agent),
	    cmocka_unit_test(test_zread_auto_gives_up_on_random),
	    cmocka_unit_test(test_zread_damaged_payload),
	    cmocka_unit_test(test_zread_damaged_header),
	    cmocka_unit_test(test_zread_link_faults),
	    cmocka_unit_test(test_zread_agent_checks),
	    cmocka_unit_test(test_encoder),
	    cmocka_unit_test(test_decoder_vs_liblz4),
	    cmocka_unit_test(test_decoder_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
