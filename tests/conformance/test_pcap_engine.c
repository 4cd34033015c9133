/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MediaTek's own download agent as the oracle past D5: SP Flash Tool's side of the real
 * MT6261 capture is replayed against the simulated watch with the real boot ROM (rom=), so
 * the capture's own DA (the payloads of its two D7 commands) runs on the execution engine.
 * Every device byte is compared with the capture's, in order, as far as the replay goes;
 * the test prints how far that is and the engine log's list of peripheral accesses the model
 * cannot answer (the map of what the model still lacks), and fails if the replay falls
 * behind the point it reached when this test was written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/sim.h"
#include "pcap_usb.h"
#include "simlib.h"

/* Device bytes the replay matched when this test was written: the boot-ROM phase (744
 * with D5's status), then 54 of the DA's own (sync, its report, the NOR descriptor search
 * that finds the capture's Macronix C2 20 16, the start of the flash report); it must not
 * fall behind (raise it as the model grows). */
#define MATCHED_AT_LEAST 798u

static char g_pcap[4096], g_rom[4096], g_log[4096];

static void print_hex(const char *what, const uint8_t *p, size_t n)
{
	char line[3 * 16 + 1] = "";

	for (size_t k = 0; k < n && k < 16; k++)
		snprintf(line + 3 * k, 4, "%02x ", p[k]);
	print_message("  %s %s\n", what, line);
}

static void replay(const char *extra, size_t at_least)
{
	struct usbpcap p;
	struct simlib s;
	char opts[9000], me[33];
	size_t in_bytes = 0, out_bytes = 0, d5 = 0, stop_rec = 0;
	bool mismatch = false, stalled = false;

	assert_int_equal(usbpcap_load(g_pcap, &p), 0);
	assert_true(usbpcap_me_id(&p, me));
	unlink(g_log);
	snprintf(opts, sizeof(opts), "chip=mt6261,jedec=C22016,meid=%s,rom=%s,engine_log=%s%s", me,
		 g_rom, g_log, extra);
	assert_int_equal(simlib_open(&s, opts, 4u << 20), 0);

	for (size_t i = 0; i < p.count && !mismatch && !stalled; i++) {
		const struct usbpcap_rec *r = &p.recs[i];
		uint8_t got[65536];

		if (!usbpcap_is_bulk_data(r))
			continue;
		if (!r->in) {
			if (r->len == 1 && r->data[0] == 0xD5 && !d5)
				d5 = in_bytes;
			if (sim_host_write(s.w, r->data, r->len, 2000) != (int)r->len) {
				stalled = true;
				stop_rec = i;
				break;
			}
			out_bytes += r->len;
			continue;
		}
		assert_true(r->len <= sizeof(got));
		for (uint32_t k = 0; k < r->len; k++) {
			if (mtk_tp_read_exact(s.tp, got + k, 1, 3000) != 0) {
				print_message(
				    "record %zu (t=%.4f): the simulated watch sent nothing "
				    "after %zu matching device bytes; the MT6261 sent:\n",
				    i, r->ts, in_bytes);
				print_hex("capture:", r->data + k, r->len - k);
				stalled = true;
				break;
			}
			if (got[k] != r->data[k]) {
				print_message(
				    "record %zu (t=%.4f) byte %u: after %zu matching device "
				    "bytes\n",
				    i, r->ts, k, in_bytes);
				print_hex("capture:", r->data + k, r->len - k);
				print_hex("engine: ", got + k, 1);
				mismatch = true;
				break;
			}
			in_bytes++;
		}
		stop_rec = i;
	}
	simlib_close(&s); /* ends the engine's run: its last line says where the core was */
	print_message("replayed %zu host bytes; %zu device bytes matched (%zu in the boot-ROM "
		      "phase, %zu after D5); stopped at record %zu of %zu\n",
		      out_bytes, in_bytes, d5, in_bytes - d5, stop_rec, p.count);
	{
		uint8_t *log = NULL;
		size_t len = 0;

		if (read_whole_file(g_log, &log, &len, 1u << 20) == 0) {
			char *line = (char *)log, *end;

			log = realloc(log, len + 1);
			assert_non_null(log);
			log[len] = 0;
			line = (char *)log;
			print_message("engine log:\n");
			for (; *line; line = end + 1) {
				end = strchr(line, '\n');
				if (!end)
					end = line + strlen(line);
				print_message("  %.*s\n", (int)(end - line), line);
				if (!*end)
					break;
			}
			free(log);
		}
	}
	assert_true(in_bytes >= at_least);
	usbpcap_free(&p);
}

/* The C model answers the boot-ROM phase, the DA runs on the engine. */
static void test_replay_with_mediatek_da(void **state)
{
	(void)state;
	replay("", MATCHED_AT_LEAST);
}

/* The boot ROM's own command loop answers the boot-ROM phase (brom=engine) on the engine:
 * both uploads, the jump, then the same DA. */
static void test_replay_rom_code_and_da(void **state)
{
	(void)state;
	replay(",brom=engine", MATCHED_AT_LEAST);
}

int main(void)
{
	const char *corpus = getenv("MTKBAK_CORPUS");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_replay_with_mediatek_da),
	    cmocka_unit_test(test_replay_rom_code_and_da),
	};
	char tmpl[] = "/tmp/mtkbak-pcapeng-XXXXXX";
	int ret;

	snprintf(g_pcap, sizeof(g_pcap), "%s/captures/mt6261-spflashtool.pcap",
		 corpus ? corpus : "");
	snprintf(g_rom, sizeof(g_rom), "%s/brom/MT6261-bootrom.bin", corpus ? corpus : "");
	if (!corpus || access(g_pcap, R_OK) != 0 || access(g_rom, R_OK) != 0) {
		printf("SKIP: the capture or the MT6261 boot ROM is not here (MTKBAK_CORPUS=%s)\n",
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
