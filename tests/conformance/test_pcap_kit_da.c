/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mtkbak/brom.h"
#include "mtkbak/byteorder.h"
#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/sim.h"
#include "pcap_usb.h"
#include "simlib.h"

/* MediaTek's download agent from the corpus's SP Flash Tool kit (da-mt6261: INT_SYSRAM, the
 * first stage, and EXT_RAM, the second), a different build from the capture's, driven by the
 * capture's host stream with the capture's two D7 payloads replaced by the kit's (the D7
 * length field rewritten, the signature length kept). Between the first D7 and D5 the device
 * bytes are read but not compared (the length echo and the checksums differ by design; the
 * checksums are checked against our own XOR-16 of the kit's payloads instead); from D5 on
 * every device byte is compared with the capture's, and the test prints where the kit's DA
 * first answers differently and the engine log's list of unmodelled accesses. It fails if
 * either upload is refused or damaged, or if the DA falls behind the point it reached when
 * this test was written: 11 device bytes after D5 (D5's echoes and status, then the kit
 * DA's first bytes), after which its second stage faults (doc/simulator.md). */
#define DA_MATCHED_AT_LEAST 11u

static char g_pcap[4096], g_rom[4096], g_log[4096], g_da1[4096], g_da2[4096];

static void print_hex(const char *what, const uint8_t *p, size_t n)
{
	char line[3 * 16 + 1] = "";

	for (size_t k = 0; k < n && k < 16; k++)
		snprintf(line + 3 * k, 4, "%02x ", p[k]);
	print_message("  %s %s\n", what, line);
}

static void print_log(void)
{
	uint8_t *log = NULL;
	size_t len = 0;

	if (read_whole_file(g_log, &log, &len, 1u << 20) != 0)
		return;
	log = realloc(log, len + 1);
	assert_non_null(log);
	log[len] = 0;
	print_message("engine log:\n");
	for (char *line = (char *)log, *end; *line; line = end + 1) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		print_message("  %.*s\n", (int)(end - line), line);
		if (!*end)
			break;
	}
	free(log);
}

static void replay_kit(const char *extra)
{
	struct usbpcap p;
	struct simlib s;
	char opts[9000], me[33];
	uint8_t *da[2] = {NULL, NULL};
	size_t da_len[2], in_bytes = 0, after_d5 = 0, stop_rec = 0;
	int nd7 = 0, hdr = -1;	/* hdr: bytes of the current D7's 12-byte header seen, -1 none */
	uint32_t data_left = 0; /* capture's payload bytes still to skip */
	bool compare = true, d5 = false, mismatch = false, stalled = false;
	uint32_t cap_len[2] = {0, 0};
	uint8_t hbuf[12];
	int sum_at = 0, sums_ok = 0;
	uint16_t sum = 0;

	assert_int_equal(read_whole_file(g_da1, &da[0], &da_len[0], 1u << 20), 0);
	assert_int_equal(read_whole_file(g_da2, &da[1], &da_len[1], 1u << 20), 0);
	assert_int_equal(usbpcap_load(g_pcap, &p), 0);
	assert_true(usbpcap_me_id(&p, me));
	unlink(g_log);
	snprintf(opts, sizeof(opts), "chip=mt6261,jedec=C22016,meid=%s,rom=%s,engine_log=%s%s", me,
		 g_rom, g_log, extra);
	assert_int_equal(simlib_open(&s, opts, 4u << 20), 0);

	for (size_t i = 0; i < p.count && !mismatch && !stalled; i++) {
		const struct usbpcap_rec *r = &p.recs[i];
		uint8_t got[65536], buf[64];

		if (!usbpcap_is_bulk_data(r))
			continue;
		stop_rec = i;
		if (!r->in) {
			const uint8_t *out = r->data;

			if (data_left) { /* the capture's payload: the kit's goes instead */
				assert_true(r->len <= data_left);
				if (data_left == cap_len[nd7 - 1]) {
					for (size_t o = 0; o < da_len[nd7 - 1]; o += 4096) {
						size_t n = da_len[nd7 - 1] - o > 4096
							       ? 4096
							       : da_len[nd7 - 1] - o;

						if (sim_host_write(s.w, da[nd7 - 1] + o, n, 5000) !=
						    (int)n) {
							stalled = true;
							break;
						}
					}
					sum_at = 2; /* the next two device bytes: its checksum */
				}
				data_left -= (uint32_t)r->len;
				continue;
			}
			if (hdr >= 0) { /* the D7 header: address, length, signature length */
				assert_true(hdr + r->len <= 12);
				memcpy(hbuf + hdr, r->data, r->len);
				memcpy(buf, r->data, r->len);
				for (size_t k = 0; k < r->len; k++) {
					size_t at = (size_t)hdr + k;

					if (at >= 4 && at < 8)
						buf[k] =
						    (uint8_t)(da_len[nd7 - 1] >> (8 * (7 - at)));
				}
				hdr += (int)r->len;
				out = buf;
				if (hdr == 12) {
					cap_len[nd7 - 1] = mtk_get_be32(hbuf + 4);
					print_message(
					    "D7 #%d: address 0x%08X, capture's payload %u "
					    "bytes, the kit's %zu, signature length %u\n",
					    nd7, mtk_get_be32(hbuf), cap_len[nd7 - 1],
					    da_len[nd7 - 1], mtk_get_be32(hbuf + 8));
					data_left = cap_len[nd7 - 1];
					hdr = -1;
				}
			} else if (r->len == 1 && r->data[0] == 0xD7 && !d5) {
				assert_true(nd7 < 2);
				nd7++;
				hdr = 0;
				compare = false;
			} else if (r->len == 1 && r->data[0] == 0xD5 && !d5 && nd7 == 2) {
				d5 = true;
				after_d5 = in_bytes + 1; /* D5's echo is still the ROM's */
			}
			if (sim_host_write(s.w, out, r->len, 2000) != (int)r->len) {
				stalled = true;
				break;
			}
			continue;
		}
		assert_true(r->len <= sizeof(got));
		for (uint32_t k = 0; k < r->len; k++) {
			if (mtk_tp_read_exact(s.tp, got + k, 1, 3000) != 0) {
				print_message(
				    "record %zu (t=%.4f): the watch sent nothing after %zu "
				    "device bytes; the MT6261 sent:\n",
				    i, r->ts, in_bytes);
				print_hex("capture:", r->data + k, r->len - k);
				stalled = true;
				break;
			}
			if ((compare || d5) && got[k] != r->data[k]) {
				print_message(
				    "record %zu (t=%.4f) byte %u: after %zu matching device "
				    "bytes (%zu after D5)\n",
				    i, r->ts, k, in_bytes, d5 ? in_bytes - after_d5 : 0);
				print_hex("capture:", r->data + k, r->len - k);
				print_hex("kit DA: ", got + k, r->len - k);
				mismatch = true;
				break;
			}
			if (sum_at) { /* the ROM's XOR-16 of what it stored, big-endian */
				sum = (uint16_t)(sum << 8 | got[k]);
				if (--sum_at == 0) {
					uint16_t mine =
					    brom_checksum(da[nd7 - 1], (uint32_t)da_len[nd7 - 1]);

					print_message("D7 #%d: the ROM's checksum 0x%04X, the kit "
						      "payload's 0x%04X\n",
						      nd7, sum, mine);
					assert_int_equal(sum, mine);
					sums_ok++;
					sum = 0;
				}
			}
			in_bytes++;
		}
	}
	simlib_close(&s);
	print_message("kit DA (%zu + %zu bytes): %zu device bytes read, %s D5, %zu matched after "
		      "D5; stopped at record %zu of %zu\n",
		      da_len[0], da_len[1], in_bytes, d5 ? "reached" : "did not reach",
		      d5 ? in_bytes - after_d5 : 0, stop_rec, p.count);
	print_log();
	assert_int_equal(sums_ok, 2);
	assert_true(d5);
	assert_true(in_bytes - after_d5 >= DA_MATCHED_AT_LEAST);
	usbpcap_free(&p);
	free(da[0]);
	free(da[1]);
}

static void test_kit_da(void **state)
{
	(void)state;
	replay_kit("");
}

int main(void)
{
	const char *corpus = getenv("MTKBAK_CORPUS");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kit_da),
	};
	char tmpl[] = "/tmp/mtkbak-pcapeng-XXXXXX";
	int ret;

	snprintf(g_pcap, sizeof(g_pcap), "%s/captures/mt6261-spflashtool.pcap",
		 corpus ? corpus : "");
	snprintf(g_rom, sizeof(g_rom), "%s/brom/MT6261-bootrom.bin", corpus ? corpus : "");
	snprintf(g_da1, sizeof(g_da1), "%s/da-mt6261/INT_SYSRAM", corpus ? corpus : "");
	snprintf(g_da2, sizeof(g_da2), "%s/da-mt6261/EXT_RAM", corpus ? corpus : "");
	if (!corpus || access(g_pcap, R_OK) != 0 || access(g_rom, R_OK) != 0 ||
	    access(g_da1, R_OK) != 0 || access(g_da2, R_OK) != 0) {
		printf("SKIP: the capture, the MT6261 boot ROM or da-mt6261 is not here "
		       "(MTKBAK_CORPUS=%s)\n",
		       corpus ? corpus : "(unset)");
		return 77;
	}
	{
		struct sim_opts o;
		char err[256], opt[4200];

		sim_opts_default(&o);
		snprintf(opt, sizeof(opt), "rom=%s", g_rom);
		if (sim_opts_parse(opt, &o, err, sizeof(err)) < 0) {
			printf("SKIP: %s\n", err); /* e.g. no execution engine in this build */
			return 77;
		}
	}
	if (!mkdtemp(tmpl))
		return 1;
	snprintf(g_log, sizeof(g_log), "%s/engine.log", tmpl);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(g_log);
	rmdir(tmpl);
	return ret;
}
