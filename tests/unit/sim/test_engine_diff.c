/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Differential test: the same byte streams go to the simulator's C model of the boot ROM
 * and to the real boot ROM's own command loop running on the execution engine (sim options
 * rom=PATH,brom=engine), each to a fresh watch after the handshake, and every answer byte is
 * compared. Every case must agree byte for byte; a case may be marked with the reason the C
 * model is known to differ (it is then printed, and reported once it agrees). None is marked
 * now: the ones that differed before the C model's fixes of issue 11 part B (READ32 of the ROM
 * and its SRAM data, the echo before the store of a watchdog reset, D7 to 0x7000B000 on
 * MT6261) agree. MT6261 and MT6260. Skips (77) without the corpus or the engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine.h"
#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/sim.h"
#include "pcap_usb.h"
#include "simlib.h"

#define QUIET_MS   150	/* an answer is over after this much silence */
#define FIRST_MS   1500 /* or this much, when nothing came at all */
#define MAX_ANSWER 8192

static char g_rom[2][4096], g_pcap[4096];

struct diff_case {
	const char *name;
	const uint8_t *bytes;
	size_t len;
	const char *known; /* why the C model differs (issue 11 part B), NULL: must agree */
};

/* Everything both watches send until each was silent for QUIET_MS (after a first answer,
 * or FIRST_MS without one), read side by side: a watch that resets after its answer keeps
 * what it sent only for a moment. */
static void collect2(struct simlib *m, uint8_t *a, size_t *na, struct simlib *e, uint8_t *b,
		     size_t *nb)
{
	int quiet[2] = {0, 0}, limit[2] = {FIRST_MS, FIRST_MS};
	struct simlib *s[2] = {m, e};
	uint8_t *out[2] = {a, b};
	size_t *n[2] = {na, nb};

	*na = *nb = 0;
	while (quiet[0] < limit[0] || quiet[1] < limit[1]) {
		for (int k = 0; k < 2; k++) {
			int r;

			if (quiet[k] >= limit[k] || *n[k] >= MAX_ANSWER)
				continue;
			r = sim_host_read(s[k]->w, out[k] + *n[k], MAX_ANSWER - *n[k], 5);
			if (r > 0) {
				*n[k] += (size_t)r;
				quiet[k] = 0;
				limit[k] = QUIET_MS;
			} else {
				quiet[k] += 5;
			}
		}
	}
}

static void hex(char *dst, size_t cap, const uint8_t *p, size_t n)
{
	size_t k = 0;

	dst[0] = 0;
	for (size_t i = 0; i < n && k + 4 < cap; i++)
		k += (size_t)snprintf(dst + k, cap - k, "%02x ", p[i]);
	if (n * 3 + 4 > cap && cap > 4)
		snprintf(dst + cap - 5, 5, "...");
}

/* 0 = agree, 1 = differ */
static int run_case(int chip, const struct diff_case *c)
{
	static uint8_t a[MAX_ANSWER], b[MAX_ANSWER];
	struct simlib m, e;
	char opts[5000];
	size_t na, nb;
	const char *name = chip ? "mt6260" : "mt6261";

	snprintf(opts, sizeof(opts), "chip=%s,meid=000102030405060708090a0b0c0d0e0f", name);
	assert_int_equal(simlib_open_synced(&m, opts, 1u << 20), 0);
	snprintf(opts, sizeof(opts),
		 "chip=%s,meid=000102030405060708090a0b0c0d0e0f,rom=%s,brom=engine", name,
		 g_rom[chip]);
	assert_int_equal(simlib_open_synced(&e, opts, 1u << 20), 0);
	assert_int_equal(sim_host_write(m.w, c->bytes, c->len, 2000), (int)c->len);
	assert_int_equal(sim_host_write(e.w, c->bytes, c->len, 2000), (int)c->len);
	collect2(&m, a, &na, &e, b, &nb);
	simlib_close(&m);
	simlib_close(&e);
	if (na == nb && memcmp(a, b, na) == 0) {
		if (c->known)
			print_message("%s %-34s now agrees (%zu bytes): drop its mark (%s)\n", name,
				      c->name, na, c->known);
		return 0;
	}
	{
		char ha[200], hb[200];
		size_t at = 0;

		while (at < na && at < nb && a[at] == b[at])
			at++;
		hex(ha, sizeof(ha), a + at, na - at < 16 ? na - at : 16);
		hex(hb, sizeof(hb), b + at, nb - at < 16 ? nb - at : 16);
		print_message("%s %-34s %s: model %zu bytes, ROM %zu bytes, first difference at "
			      "%zu\n    model: %s\n    ROM:   %s\n",
			      name, c->name, c->known ? "differs as known" : "DIFFERS", na, nb, at,
			      ha, hb);
	}
	return c->known ? 0 : 1;
}

/* ---- the streams ---- */

#define B(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static const struct diff_case cases[] = {
    {"GET_VERSION FF", B(0xFF), NULL},
    {"FE FD FC A0 A1 00 42 (echo only)", B(0xFE, 0xFD, 0xFC, 0xA0, 0xA1, 0x00, 0x42), NULL},
    {"A2 legacy read16 hw code", B(0xA2, 0x80, 0, 0, 0x08, 0, 0, 0, 1), NULL},
    {"D0 read16 ID block x4", B(0xD0, 0x80, 0, 0, 0, 0, 0, 0, 4), NULL},
    {"D1 read32 ID block x4", B(0xD1, 0x80, 0, 0, 0, 0, 0, 0, 4), NULL},
    {"D1 read32 efuse 0xA01C0108", B(0xD1, 0xA0, 0x1C, 0x01, 0x08, 0, 0, 0, 1), NULL},
    {"D1 read32 PMU 0xA0700A00 x16", B(0xD1, 0xA0, 0x70, 0x0A, 0x00, 0, 0, 0, 16), NULL},
    {"D1 read32 remap + watchdog", B(0xD1, 0xA0, 0x51, 0, 0, 0, 0, 0, 1), NULL},
    {"D0 read16 odd address", B(0xD0, 0x80, 0, 0, 1, 0, 0, 0, 1), NULL},
    {"D1 read32 address % 4 = 2", B(0xD1, 0x80, 0, 0, 2, 0, 0, 0, 1), NULL},
    {"D1 read32 count 0", B(0xD1, 0x80, 0, 0, 0, 0, 0, 0, 0), NULL},
    {"D1 read32 count 2^30", B(0xD1, 0x80, 0, 0, 0, 0x40, 0, 0, 0), NULL},
    {"D1 read32 flash at 0 (remap 0)", B(0xD1, 0, 0, 0, 0, 0, 0, 0, 4), NULL},
    {"D1 read32 boot ROM 0xFFF00000 x4", B(0xD1, 0xFF, 0xF0, 0, 0, 0, 0, 0, 4), NULL},
    {"D1 read32 SRAM ME ID copy (MT6261)", B(0xD1, 0x70, 0x00, 0x44, 0x98, 0, 0, 0, 4), NULL},
    {"D1 read32 SRAM ME ID copy (MT6260)", B(0xD1, 0x70, 0x00, 0x45, 0x48, 0, 0, 0, 4), NULL},
    {"D4 write32 + read back PMU",
     B(0xD4, 0xA0, 0x70, 0x0A, 0x28, 0, 0, 0, 1, 0, 0, 0x80, 0, 0xD1, 0xA0, 0x70, 0x0A, 0x28, 0, 0,
       0, 1),
     NULL},
    {"D2 write16 RTC + D0 read back",
     B(0xD2, 0xA0, 0x71, 0, 0x50, 0, 0, 0, 1, 0x12, 0x34, 0xD0, 0xA0, 0x71, 0, 0x50, 0, 0, 0, 1),
     NULL},
    {"D3 write16 no echo", B(0xD3, 0xA0, 0x70, 0x0A, 0x24, 0, 0, 0, 1, 0, 2), NULL},
    {"D2 write16 odd address", B(0xD2, 0xA0, 0x70, 0x0A, 0x25, 0, 0, 0, 1), NULL},
    {"D4 write32 count 0", B(0xD4, 0xA0, 0x70, 0x0A, 0x28, 0, 0, 0, 0), NULL},
    {"D2 watchdog software reset 0x1209", B(0xD2, 0xA0, 0x03, 0x00, 0x1C, 0, 0, 0, 1, 0x12, 0x09),
     NULL},
    {"D8 target config", B(0xD8), NULL},
    {"E1 ME ID", B(0xE1), NULL},
    {"DC UART baud 921600", B(0xDC, 0, 0x0E, 0x10, 0), NULL},
    {"D5 jump with nothing loaded", B(0xD5, 0x70, 0x00, 0x70, 0x00), NULL},
    {"D7 to 0x70002000 (ROM data)", B(0xD7, 0x70, 0, 0x20, 0, 0, 0, 0, 4, 0, 0, 0, 0), NULL},
    {"D7 to 0x7000B000", B(0xD7, 0x70, 0, 0xB0, 0, 0, 0, 0, 4, 0, 0, 0, 0), NULL},
    {"D7 size <= sig_len", B(0xD7, 0x70, 0, 0x80, 0, 0, 0, 0, 4, 0, 0, 0, 4), NULL},
    {"D7 odd address", B(0xD7, 0x70, 0, 0x80, 1, 0, 0, 0, 4, 0, 0, 0, 0), NULL},
    {"D7 4 bytes to 0x70008000 + checksum",
     B(0xD7, 0x70, 0, 0x80, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44), NULL},
    {"D7 then D5 outside the load",
     B(0xD7, 0x70, 0, 0x80, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0xD5, 0x70, 0, 0x90,
       0),
     NULL},
};

static void diff_chip(int chip)
{
	int bad = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		bad += run_case(chip, &cases[i]);
	/* a seeded random sequence of register reads, writes and unknown bytes */
	{
		uint8_t buf[600];
		size_t n = 0;
		uint32_t x = 12345u + (uint32_t)chip;

		while (n + 24 < sizeof(buf)) {
			x = x * 1103515245u + 12345u;
			switch ((x >> 16) % 5) {
			case 0: /* an unknown byte */
				buf[n++] = (uint8_t)(0x10 + (x >> 8) % 0x80);
				break;
			case 1: { /* READ32 of the ID block or PMU */
				const uint8_t r[] = {0xD1,
						     0x80,
						     0,
						     0,
						     (uint8_t)(4 * ((x >> 4) % 4)),
						     0,
						     0,
						     0,
						     (uint8_t)(1 + (x >> 9) % 3)};
				memcpy(buf + n, r, sizeof(r));
				n += sizeof(r);
				break;
			}
			case 2: { /* WRITE16 of a PMU register */
				const uint8_t w[] = {0xD2,
						     0xA0,
						     0x70,
						     0x0A,
						     0x28,
						     0,
						     0,
						     0,
						     1,
						     (uint8_t)(x >> 3),
						     (uint8_t)(x >> 11)};
				memcpy(buf + n, w, sizeof(w));
				n += sizeof(w);
				break;
			}
			case 3:
				buf[n++] = 0xFF;
				break;
			default: { /* READ16 of the PMU block */
				const uint8_t r[] = {
				    0xD0, 0xA0, 0x70, 0x0A, (uint8_t)(4 * ((x >> 5) % 11)),
				    0,	  0,	0,    2};
				memcpy(buf + n, r, sizeof(r));
				n += sizeof(r);
				break;
			}
			}
		}
		{
			const struct diff_case rnd = {"seeded random sequence", buf, n, NULL};

			bad += run_case(chip, &rnd);
		}
	}
	/* the SP Flash Tool session's boot-ROM phase, up to its first D7 */
	if (g_pcap[0]) {
		struct usbpcap p;
		uint8_t *buf = malloc(1 << 16);
		size_t n = 0;

		assert_non_null(buf);
		assert_int_equal(usbpcap_load(g_pcap, &p), 0);
		/* skip the handshake (the four start bytes), stop before D7 */
		for (size_t i = 0, hs = 0; i < p.count; i++) {
			const struct usbpcap_rec *r = &p.recs[i];

			if (r->transfer != 3 || !r->len || r->in)
				continue;
			if (hs < 4) {
				hs += r->len;
				continue;
			}
			if (r->len == 1 && r->data[0] == 0xD7)
				break;
			if (n + r->len > (1u << 16))
				break;
			memcpy(buf + n, r->data, r->len);
			n += r->len;
		}
		if (chip == 0) {
			const struct diff_case cap = {"the capture's commands before D7", buf, n,
						      NULL};

			bad += run_case(chip, &cap);
		}
		usbpcap_free(&p);
		free(buf);
	}
	assert_int_equal(bad, 0);
}

static void test_diff_mt6261(void **state)
{
	(void)state;
	diff_chip(0);
}

static void test_diff_mt6260(void **state)
{
	(void)state;
	diff_chip(1);
}

int main(void)
{
	const char *corpus = getenv("MTKBAK_CORPUS");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_diff_mt6261),
	    cmocka_unit_test(test_diff_mt6260),
	};

	if (!sim_engine_built()) {
		printf("skip: this build has no execution engine (libunicorn-dev missing)\n");
		return 77;
	}
	snprintf(g_rom[0], sizeof(g_rom[0]), "%s/brom/MT6261-bootrom.bin", corpus ? corpus : "");
	snprintf(g_rom[1], sizeof(g_rom[1]), "%s/brom/MT6260-bootrom.bin", corpus ? corpus : "");
	if (!corpus || access(g_rom[0], R_OK) || access(g_rom[1], R_OK)) {
		printf("skip: no MT6261/MT6260 boot ROM dumps (MTKBAK_CORPUS=%s)\n",
		       corpus ? corpus : "(unset)");
		return 77;
	}
	snprintf(g_pcap, sizeof(g_pcap), "%s/captures/mt6261-spflashtool.pcap", corpus);
	if (access(g_pcap, R_OK))
		g_pcap[0] = 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
