/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The readback engine's pieces on plain data: CRC-32, --length, the progress record, the
 * firmware's flash tables, the mirror test and the size decision. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtkbak/errors.h"
#include "mtkbak/byteorder.h"
#include "readback/rb_internal.h"
#include "readback_fake.h"

#define MiB (1024u * 1024u)
#define KiB 1024u

/* ---- CRC-32 ---- */

static uint32_t crc_bitwise(const uint8_t *p, size_t len)
{
	uint32_t c = 0xFFFFFFFFu;

	for (size_t i = 0; i < len; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
	}
	return ~c;
}

static void test_crc32(void **state)
{
	uint8_t buf[1000];

	(void)state;
	assert_int_equal(rb_crc32_self_check(), 0);
	assert_int_equal(rb_crc32(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(rb_crc32(0, "", 0), 0);
	rb_fake_fill(buf, sizeof(buf), 7);
	/* every alignment and length around the 8-byte fast path, and chaining */
	for (size_t start = 0; start < 9; start++)
		for (size_t len = 0; len + start <= 200; len += 7) {
			uint32_t whole = rb_crc32(0, buf + start, len);

			assert_int_equal(whole, crc_bitwise(buf + start, len));
			for (size_t cut = 0; cut <= len; cut += 13)
				assert_int_equal(rb_crc32(rb_crc32(0, buf + start, cut),
							  buf + start + cut, len - cut),
						 whole);
		}
}

/* ---- --length ---- */

static void test_parse_length(void **state)
{
	uint32_t n;
	char err[160];

	(void)state;
	assert_int_equal(readback_parse_length("auto", &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(readback_parse_length("4M", &n, err, sizeof(err)), 0);
	assert_int_equal(n, 4 * MiB);
	assert_int_equal(readback_parse_length("16M", &n, err, sizeof(err)), 0);
	assert_int_equal(n, 16 * MiB);
	assert_int_equal(readback_parse_length("8MiB", &n, err, sizeof(err)), 0);
	assert_int_equal(n, 8 * MiB);
	assert_int_equal(readback_parse_length("512K", &n, err, sizeof(err)), 0);
	assert_int_equal(n, 512 * KiB);
	assert_int_equal(readback_parse_length("0x400000", &n, err, sizeof(err)), 0);
	assert_int_equal(n, 4 * MiB);
	assert_int_equal(readback_parse_length("4194304", &n, err, sizeof(err)), 0);
	assert_int_equal(n, 4 * MiB);
	assert_int_equal(readback_parse_length("32M", &n, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "16M"));
	assert_int_equal(readback_parse_length("0", &n, err, sizeof(err)), -EINVAL);
	assert_int_equal(readback_parse_length("4G", &n, err, sizeof(err)), -EINVAL);
	assert_int_equal(readback_parse_length("4097", &n, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "multiple of 4"));
	assert_int_equal(readback_parse_length("-4M", &n, err, sizeof(err)), -EINVAL);
	assert_int_equal(readback_parse_length("99999999999999999999999", &n, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(readback_parse_length("", &n, err, sizeof(err)), -EINVAL);
}

/* ---- progress record ---- */

static void test_state_roundtrip(void **state)
{
	struct rb_state s = {.size = 4 * MiB,
			     .have_jedec = true,
			     .jedec = {0xC8, 0x40, 0x16},
			     .verified = 3 * MiB,
			     .verified_crc = 0xDEADBEEF};
	struct rb_state t;
	char buf[RB_STATE_MAX], why[160];
	int n;

	(void)state;
	for (int i = 0; i < 16; i++)
		s.me_id[i] = (uint8_t)(0xA0 + i);
	n = rb_state_format(&s, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(rb_state_parse(buf, (size_t)n, &t, why, sizeof(why)), 0);
	assert_memory_equal(&s, &t, sizeof(s));
	assert_non_null(strstr(buf, "me_id a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n"));

	s.have_jedec = false;
	n = rb_state_format(&s, buf, sizeof(buf));
	assert_non_null(strstr(buf, "jedec none\n"));
	assert_int_equal(rb_state_parse(buf, (size_t)n, &t, why, sizeof(why)), 0);
	assert_false(t.have_jedec);
	assert_int_equal(rb_state_format(&s, buf, 20), -ENOSPC);
}

static void expect_bad_state(const char *text, const char *why_part)
{
	struct rb_state t;
	char why[160] = "";

	assert_int_equal(rb_state_parse(text, strlen(text), &t, why, sizeof(why)), -EINVAL);
	if (!strstr(why, why_part))
		fail_msg("'%s' does not say '%s'", why, why_part);
}

static void test_state_rejects(void **state)
{
	const char *good_tail = "me_id 000102030405060708090a0b0c0d0e0f\n"
				"jedec c84016\nverified 4096\nverified_crc32 0000abcd\n";
	char buf[512];
	struct rb_state t;
	char why[160];

	(void)state;
	snprintf(buf, sizeof(buf), "mtkbak-readback-state 1\nsize 8192\n%s", good_tail);
	assert_int_equal(rb_state_parse(buf, strlen(buf), &t, why, sizeof(why)), 0);
	assert_int_equal(t.verified, 4096);
	assert_int_equal(t.verified_crc, 0xabcd);

	expect_bad_state("something else\n", "not a progress record");
	snprintf(buf, sizeof(buf), "mtkbak-readback-state 1\nsize 2048\n%s", good_tail);
	expect_bad_state(buf, "beyond its size");
	snprintf(buf, sizeof(buf), "mtkbak-readback-state 1\nsize 99999999\n%s", good_tail);
	expect_bad_state(buf, "bad size");
	snprintf(buf, sizeof(buf), "mtkbak-readback-state 1\nsize 8192\nsize 8192\n%s", good_tail);
	expect_bad_state(buf, "twice");
	expect_bad_state("mtkbak-readback-state 1\nsize 8192\n", "incomplete");
	snprintf(buf, sizeof(buf), "mtkbak-readback-state 1\nsize 8192\nfoo bar\n%s", good_tail);
	expect_bad_state(buf, "unknown key");
	expect_bad_state("mtkbak-readback-state 1\nsize 8192\nme_id 00zz\n", "bad me_id");
	expect_bad_state("mtkbak-readback-state 1\nsize 8192\nverified_crc32 123\n",
			 "bad verified_crc32");
	expect_bad_state("mtkbak-readback-state 1\nsize -1\n", "bad size");
	expect_bad_state("mtkbak-readback-state 1\nnospace\n", "bad line");
	/* NUL inside */
	assert_int_equal(rb_state_parse("mtkbak-readback-state 1\n\0x", 26, &t, why, sizeof(why)),
			 -EINVAL);
	/* far too long */
	char *big = malloc(RB_STATE_MAX * 2);
	memset(big, 'a', RB_STATE_MAX * 2);
	assert_int_equal(rb_state_parse(big, RB_STATE_MAX * 2, &t, why, sizeof(why)), -EINVAL);
	free(big);
}

/* ---- firmware flash tables ---- */

/* A CMEM_ID_INFO at p with the given 3-byte IDs; returns its size. */
static size_t put_cmem_ids(uint8_t *p, const uint8_t (*ids)[3], unsigned n)
{
	size_t size = (16 + 10 * n + 3) & ~3u;

	memset(p, 0, size);
	memcpy(p, "MMM\x01", 4);
	p[4] = (uint8_t)size;
	p[5] = (uint8_t)(size >> 8);
	p[6] = 0x02;
	p[7] = 0x01;
	mtk_put_le32(p + 8, 1);
	mtk_put_le32(p + 12, n);
	for (unsigned i = 0; i < n; i++) {
		p[16 + 10 * i] = 3;
		p[17 + 10 * i] = 3;
		memcpy(p + 18 + 10 * i, ids[i], 3);
	}
	return size;
}

static size_t put_cmem_nor(uint8_t *p, const uint32_t *bank_sizes, unsigned n)
{
	size_t size = 16 + 136 * n;

	memset(p, 0, size);
	memcpy(p, "MMM\x01", 4);
	p[4] = (uint8_t)size;
	p[5] = (uint8_t)(size >> 8);
	p[6] = 0x03;
	p[7] = 0x01;
	mtk_put_le32(p + 8, 2);
	mtk_put_le32(p + 12, n);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *e = p + 16 + 136 * i;

		e[2] = 64;
		mtk_put_le32(e + 4, 0x64);
		mtk_put_le32(e + 8, 0);
		mtk_put_le32(e + 12, 0x10000);
		mtk_put_le32(e + 72, bank_sizes[i]);
		mtk_put_le32(e + 76, 1);
	}
	return size;
}

static void test_cmem_scan(void **state)
{
	static const uint8_t ids[2][3] = {{0xC2, 0x25, 0x38}, {0xEF, 0x60, 0x18}};
	static const uint32_t banks[2] = {16 * MiB, 16 * MiB};
	size_t len = 64 * KiB;
	uint8_t *buf = calloc(1, len + 64); /* room for a table that runs past the scanned part */
	struct rb_cmem c;
	char text[64];

	(void)state;
	rb_cmem_scan(buf, len, &c);
	assert_false(c.have_ids);
	assert_false(c.have_nor);
	assert_int_equal(rb_cmem_size(&c), 0);

	put_cmem_ids(buf + 0x2224, ids, 2);
	rb_cmem_scan(buf, len, &c);
	assert_true(c.have_ids);
	assert_int_equal(c.ids_offset, 0x2224);
	assert_int_equal(c.nids, 2);
	assert_int_equal(rb_cmem_size(&c), 16 * MiB); /* both IDs say 2^0x18 */
	assert_int_equal(rb_cmem_find_jedec(&c, (const uint8_t[]){0xEF, 0x60, 0x18}), 1);
	assert_int_equal(rb_cmem_find_jedec(&c, (const uint8_t[]){0xC8, 0x40, 0x16}), -1);
	rb_cmem_list_text(&c, text, sizeof(text));
	assert_string_equal(text, "C2 25 38, EF 60 18");

	put_cmem_nor(buf + 0x2300, banks, 2);
	rb_cmem_scan(buf, len, &c);
	assert_true(c.have_nor);
	assert_int_equal(c.nor_size[0], 16 * MiB);
	assert_int_equal(rb_cmem_size(&c), 16 * MiB);
	assert_false(c.copies_differ);

	/* a second, different copy is noticed */
	static const uint8_t other[1][3] = {{0xC8, 0x40, 0x16}};
	put_cmem_ids(buf + 0x8000, other, 1);
	rb_cmem_scan(buf, len, &c);
	assert_true(c.copies_differ);
	assert_int_equal(c.nids, 2); /* the first copy is kept */

	/* combo of different sizes: no single answer */
	memset(buf, 0, len);
	static const uint8_t mixed[2][3] = {{0xC2, 0x25, 0x36}, {0xEF, 0x60, 0x17}};
	put_cmem_ids(buf + 0x100, mixed, 2);
	rb_cmem_scan(buf, len, &c);
	assert_true(c.have_ids);
	assert_int_equal(rb_cmem_size(&c), 0);

	/* malformed candidates are ignored: wrong size field, bad type, count 0, truncated */
	memset(buf, 0, len);
	put_cmem_ids(buf + 0x100, ids, 2);
	buf[0x104] = 0x28;
	put_cmem_ids(buf + 0x200, ids, 2);
	buf[0x200 + 16] = 9; /* DeviceType 9 */
	put_cmem_ids(buf + 0x300, ids, 2);
	mtk_put_le32(buf + 0x300 + 12, 0);
	put_cmem_ids(buf + 0x400, ids, 2);
	buf[0x400 + 18 + 5] = 1; /* ID byte beyond IDLength */
	uint32_t huge[1] = {0x80000000u};
	put_cmem_nor(buf + 0x800, huge, 1);
	mtk_put_le32(buf + 0x800 + 16 + 76, 100); /* 100 banks of 2 GiB */
	put_cmem_ids(buf + len - 20, ids, 2);	  /* runs past the end */
	rb_cmem_scan(buf, len, &c);
	assert_false(c.have_ids);
	assert_false(c.have_nor);
	free(buf);
}

/* ---- mirror test ---- */

struct alias {
	const uint8_t *flash;
	uint32_t len;
	unsigned reads;
};

static int alias_read(void *ctx, uint32_t off, uint32_t len, uint8_t *buf)
{
	struct alias *a = ctx;

	a->reads++;
	for (uint32_t i = 0; i < len; i++)
		buf[i] = a->flash[(off + i) & (a->len - 1)];
	return 0;
}

static int failing_read(void *ctx, uint32_t off, uint32_t len, uint8_t *buf)
{
	(void)ctx;
	(void)off;
	(void)len;
	(void)buf;
	return -ENODEV;
}

static void test_mirror(void **state)
{
	uint8_t *flash = malloc(16 * MiB);
	struct rb_mirror m;

	(void)state;
	rb_fake_fill(flash, 16 * MiB, 3);
	for (uint32_t size = 64 * KiB; size <= 16 * MiB; size *= 2) {
		struct alias a = {flash, size, 0};

		assert_int_equal(rb_mirror_probe(alias_read, &a, 16 * MiB, &m), 0);
		if (size == 16 * MiB) {
			assert_int_equal(m.verdict, RB_MIRROR_NONE);
			assert_int_equal(m.period, 16 * MiB);
		} else {
			assert_int_equal(m.verdict, RB_MIRROR_FOUND);
			assert_int_equal(m.period, size);
		}
		assert_true(a.reads <= RB_MIRROR_MAX_READ);
	}

	/* blank flash: no evidence either way */
	memset(flash, 0xFF, 16 * MiB);
	struct alias blank = {flash, 4 * MiB, 0};
	assert_int_equal(rb_mirror_probe(alias_read, &blank, 16 * MiB, &m), 0);
	assert_int_equal(m.verdict, RB_MIRROR_INCONCLUSIVE);

	/* a header at 0 and blank elsewhere still tells a 4 MiB chip from an 8 MiB one */
	memcpy(flash, "SF_BOOT\0\x01\0\0\0", 12);
	struct alias hdr = {flash, 4 * MiB, 0};
	assert_int_equal(rb_mirror_probe(alias_read, &hdr, 16 * MiB, &m), 0);
	assert_int_equal(m.verdict, RB_MIRROR_FOUND);
	assert_int_equal(m.period, 4 * MiB);
	assert_non_null(strstr(m.note, "4 MiB"));

	/* read errors come back */
	assert_int_equal(rb_mirror_probe(failing_read, NULL, 16 * MiB, &m), -ENODEV);
	free(flash);
}

/* A chip that answers 0xFF past its end (sim past_end=ff) shows no mirror: that is no
 * evidence of a larger chip (issue 12). */
static int ff_read(void *ctx, uint32_t off, uint32_t len, uint8_t *buf)
{
	struct alias *a = ctx;

	a->reads++;
	for (uint32_t i = 0; i < len; i++)
		buf[i] = off + i < a->len ? a->flash[off + i] : 0xFF;
	return 0;
}

static void test_mirror_ff_past_end(void **state)
{
	uint8_t *flash = malloc(16 * MiB);
	struct rb_mirror m;

	(void)state;
	rb_fake_fill(flash, 16 * MiB, 5);
	for (uint32_t size = 4 * MiB; size <= 8 * MiB; size *= 2) {
		struct alias a = {flash, size, 0};

		assert_int_equal(rb_mirror_probe(ff_read, &a, 16 * MiB, &m), 0);
		assert_int_equal(m.verdict, RB_MIRROR_INCONCLUSIVE);
		assert_true(m.ff_above);
		assert_non_null(strstr(m.note, "reads 0xFF"));
	}
	/* a full 16 MiB chip is still NONE (it fills the window), not ff_above */
	struct alias full = {flash, 16 * MiB, 0};
	assert_int_equal(rb_mirror_probe(ff_read, &full, 16 * MiB, &m), 0);
	assert_int_equal(m.verdict, RB_MIRROR_NONE);
	assert_false(m.ff_above);
	free(flash);
}

/* ---- size decision ---- */

static void evidence(struct rb_size_evidence *e, uint32_t jedec_size, uint32_t sfdp,
		     enum rb_mirror_verdict v, uint32_t period)
{
	memset(e, 0, sizeof(*e));
	e->window = 16 * MiB;
	if (jedec_size) {
		uint8_t cap = 0;

		for (uint32_t s = jedec_size; s > 1; s >>= 1)
			cap++;
		e->have_jedec = true;
		e->jedec[0] = 0xC8;
		e->jedec[1] = 0x40;
		e->jedec[2] = cap;
		e->jedec_size = jedec_size;
	}
	e->sfdp_size = sfdp;
	e->mirror.verdict = v;
	e->mirror.period = period;
	snprintf(e->mirror.note, sizeof(e->mirror.note), "test note");
}

static bool any_warn(const struct rb_size_decision *d, const char *part)
{
	for (unsigned i = 0; i < d->nwarn; i++)
		if (strstr(d->warn[i], part))
			return true;
	return false;
}

static void test_decide_agreeing(void **state)
{
	struct rb_size_evidence e;
	struct rb_size_decision d;

	(void)state;
	evidence(&e, 4 * MiB, 4 * MiB, RB_MIRROR_FOUND, 4 * MiB);
	assert_int_equal(rb_decide_size(&e, &d), 0);
	assert_int_equal(d.size, 4 * MiB);
	assert_int_equal(d.source, READBACK_SIZE_JEDEC);
	assert_false(d.conflict);
	assert_int_equal(d.nwarn, 0);
	assert_non_null(strstr(d.evidence, "JEDEC ID C8 40 16 (4 MiB)"));
	assert_non_null(strstr(d.evidence, "SFDP and the mirror test"));

	evidence(&e, 16 * MiB, 16 * MiB, RB_MIRROR_NONE, 16 * MiB);
	assert_int_equal(rb_decide_size(&e, &d), 0);
	assert_int_equal(d.size, 16 * MiB);
	assert_int_equal(d.source, READBACK_SIZE_JEDEC);
	assert_int_equal(d.nwarn, 0);

	/* 0xFF past the end: JEDEC decides, and with no evidence at all the whole window */
	evidence(&e, 4 * MiB, 4 * MiB, RB_MIRROR_INCONCLUSIVE, 0);
	e.mirror.ff_above = true;
	assert_int_equal(rb_decide_size(&e, &d), 0);
	assert_int_equal(d.size, 4 * MiB);
	assert_int_equal(d.source, READBACK_SIZE_JEDEC);
	evidence(&e, 0, 0, RB_MIRROR_INCONCLUSIVE, 0);
	e.mirror.ff_above = true;
	assert_int_equal(rb_decide_size(&e, &d), 0);
	assert_int_equal(d.size, 16 * MiB);
	assert_true(any_warn(&d, "could not tell the flash size"));
	e.mirror.ff_above = false; /* uniform data, no 0xFF tail: still no decision */
	assert_int_equal(rb_decide_size(&e, &d), -EINVAL);

	/* blank flash: JEDEC alone */
	evidence(&e, 8 * MiB, 0, RB_MIRROR_INCONCLUSIVE, 0);
	assert_int_equal(rb_decide_size(&e, &d), 0);
	assert_int_equal(d.size, 8 * MiB);
	assert_int_equal(d.source, READBACK_SIZE_JEDEC);
	assert_non_null(strstr(d.evidence, "test note"));
}

static void test_decide_conflicts(void **state)
{
	struct rb_size_evidence e;
	struct rb_size_decision d;

	(void)state;
	/* JEDEC says 16 MiB but the data repeats every 4 MiB: the repeat wins */
	evidence(&e, 16 * MiB, 0, RB_MIRROR_FOUND, 4 * MiB);
	assert_int_equal(rb_decide_size(&e, &d), 0);
	assert_int_equal(d.size, 4 * MiB);
	assert_int_equal(d.source, READBACK_SIZE_MIRROR);
	assert_true(d.conflict);
	assert_true(any_warn(&d, "JEDEC ID C8 40 18"));

	/* JEDEC says 4 MiB but nothing repeats: the chip holds more */
	evidence(&e, 4 * MiB, 0, RB_MIRROR_NONE, 16 * MiB);
	assert_int_equal(rb_decide_size(&e, &d), 0);
	assert_int_equal(d.size, 16 * MiB);
	assert_int_equal(d.source, READBACK_SIZE_MIRROR);
	assert_true(any_warn(&d, "holds more"));

	/* a 32 MiB part: only 16 MiB reachable */
	evidence(&e, 32 * MiB, 0, RB_MIRROR_NONE, 16 * MiB);
	assert_int_equal(rb_decide_size(&e, &d), 0);
	assert_int_equal(d.size, 16 * MiB);
	assert_true(any_warn(&d, "3-byte addresses"));

	/* JEDEC and SFDP disagree on blank flash: SFDP */
	evidence(&e, 8 * MiB, 4 * MiB, RB_MIRROR_INCONCLUSIVE, 0);
	assert_int_equal(rb_decide_size(&e, &d), 0);
	assert_int_equal(d.size, 4 * MiB);
	assert_int_equal(d.source, READBACK_SIZE_SFDP);
	assert_true(any_warn(&d, "SFDP"));

	/* --length wins but a repeating tail is pointed out */
	evidence(&e, 4 * MiB, 0, RB_MIRROR_FOUND, 4 * MiB);
	e.user_length = 16 * MiB;
	assert_int_equal(rb_decide_size(&e, &d), 0);
	assert_int_equal(d.size, 16 * MiB);
	assert_int_equal(d.source, READBACK_SIZE_USER);
	assert_true(any_warn(&d, "copies of the start"));
}

static void test_decide_firmware(void **state)
{
	static const uint8_t ids[1][3] = {{0xC2, 0x25, 0x36}};
	uint8_t *buf = calloc(1, 4096);
	struct rb_size_evidence e;
	struct rb_size_decision d;
	struct rb_cmem c;

	(void)state;
	put_cmem_ids(buf + 0x40, ids, 1);
	rb_cmem_scan(buf, 4096, &c);
	assert_int_equal(rb_cmem_size(&c), 4 * MiB);

	/* BROM-only: mirror decides, the firmware's tables confirm */
	evidence(&e, 0, 0, RB_MIRROR_FOUND, 4 * MiB);
	e.cmem = &c;
	assert_int_equal(rb_decide_size(&e, &d), 0);
	assert_int_equal(d.size, 4 * MiB);
	assert_int_equal(d.source, READBACK_SIZE_MIRROR);
	assert_non_null(strstr(d.evidence, "firmware's flash tables"));
	assert_int_equal(d.nwarn, 0);

	/* BROM-only on blank-looking flash: the firmware's tables */
	evidence(&e, 0, 0, RB_MIRROR_INCONCLUSIVE, 0);
	e.cmem = &c;
	assert_int_equal(rb_decide_size(&e, &d), 0);
	assert_int_equal(d.size, 4 * MiB);
	assert_int_equal(d.source, READBACK_SIZE_FIRMWARE);

	/* a JEDEC ID the firmware does not list */
	evidence(&e, 16 * MiB, 0, RB_MIRROR_FOUND, 4 * MiB);
	e.cmem = &c;
	assert_int_equal(rb_decide_size(&e, &d), 0);
	assert_int_equal(d.size, 4 * MiB);
	assert_true(any_warn(&d, "firmware's flash list (C2 25 36)"));
	assert_non_null(strstr(d.evidence, "firmware's flash tables"));

	/* nothing at all */
	evidence(&e, 0, 0, RB_MIRROR_INCONCLUSIVE, 0);
	assert_int_equal(rb_decide_size(&e, &d), -EINVAL);
	assert_non_null(strstr(d.evidence, "nothing tells the flash size"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crc32),
	    cmocka_unit_test(test_parse_length),
	    cmocka_unit_test(test_state_roundtrip),
	    cmocka_unit_test(test_state_rejects),
	    cmocka_unit_test(test_cmem_scan),
	    cmocka_unit_test(test_mirror),
	    cmocka_unit_test(test_mirror_ff_past_end),
	    cmocka_unit_test(test_decide_agreeing),
	    cmocka_unit_test(test_decide_conflicts),
	    cmocka_unit_test(test_decide_firmware),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
