/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Conformance: replay SP Flash Tool's side of a real MT6261 capture against the simulated
 * watch and compare every byte the watch answers, for the whole boot-ROM phase (up to the
 * status of D5; after it SP Flash Tool's DA speaks, which is not the boot ROM). */
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
#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/sim.h"
#include "pcap_usb.h"
#include "simlib.h"

static char g_pcap[4096];

/* Index of the last record of the boot-ROM phase: the IN status after D5's address echo. */
static size_t brom_phase_end(const struct usbpcap *p)
{
	for (size_t i = 0; i < p->count; i++) {
		const struct usbpcap_rec *r = &p->recs[i];
		int ins = 0;

		if (!usbpcap_is_bulk_data(r) || r->in || r->len != 1 || r->data[0] != 0xD5)
			continue;
		for (size_t k = i + 1; k < p->count; k++) {
			if (!usbpcap_is_bulk_data(&p->recs[k]) || !p->recs[k].in)
				continue;
			if (++ins == 3) /* echo D5, address echo, status */
				return k;
		}
	}
	return 0;
}

static void test_replay_brom_phase(void **state)
{
	struct usbpcap p;
	struct simlib s;
	char opts[96], me[33];
	size_t end, in_bytes = 0, out_bytes = 0;

	(void)state;
	assert_int_equal(usbpcap_load(g_pcap, &p), 0);
	end = brom_phase_end(&p);
	assert_true(end > 0);
	assert_true(usbpcap_me_id(&p, me));
	snprintf(opts, sizeof(opts), "chip=mt6261,meid=%s", me);
	assert_int_equal(simlib_open(&s, opts, 4u << 20), 0);

	for (size_t i = 0; i <= end; i++) {
		const struct usbpcap_rec *r = &p.recs[i];
		uint8_t got[4096];

		if (!usbpcap_is_bulk_data(r))
			continue;
		if (!r->in) {
			assert_int_equal(sim_host_write(s.w, r->data, r->len, 2000), (int)r->len);
			out_bytes += r->len;
			continue;
		}
		assert_true(r->len <= sizeof(got));
		if (mtk_tp_read_exact(s.tp, got, r->len, 2000) != 0) {
			fail_msg("record %zu (t=%.4f): the simulator sent nothing where the MT6261 "
				 "sent %u bytes",
				 i, r->ts, r->len);
		}
		if (memcmp(got, r->data, r->len)) {
			char a[64] = "", b[64] = "";

			for (uint32_t k = 0; k < r->len && k < 16; k++) {
				snprintf(a + 3 * k, 4, "%02x ", r->data[k]);
				snprintf(b + 3 * k, 4, "%02x ", got[k]);
			}
			fail_msg("record %zu (t=%.4f): MT6261 sent %s, the simulator %s", i, r->ts,
				 a, b);
		}
		in_bytes += r->len;
	}
	/* the whole phase, and nothing more from the boot ROM */
	{
		uint8_t extra;

		assert_int_equal(mtk_tp_read_exact(s.tp, &extra, 1, 100), -ETIMEDOUT);
	}
	print_message("replayed %zu host bytes, %zu device bytes matched\n", out_bytes, in_bytes);
	assert_true(in_bytes > 700);
	assert_true(out_bytes > 100000); /* both DA uploads */
	simlib_close(&s);
	usbpcap_free(&p);
}

/* D7's checksum as computed by brom_checksum() equals what the real ROM returned. */
static void test_checksum_matches_capture(void **state)
{
	struct usbpcap p;
	int checked = 0;

	(void)state;
	assert_int_equal(usbpcap_load(g_pcap, &p), 0);
	for (size_t i = 0; i < p.count; i++) {
		const struct usbpcap_rec *r = &p.recs[i];
		uint32_t size = 0, got = 0;
		uint8_t *data;
		size_t k;
		int ins = 0;

		if (!usbpcap_is_bulk_data(r) || r->in || r->len != 1 || r->data[0] != 0xD7)
			continue;
		/* OUT: addr, size, sig_len, then data records until size bytes */
		for (k = i + 1; k < p.count && ins < 2; k++)
			if (usbpcap_is_bulk_data(&p.recs[k]) && !p.recs[k].in &&
			    p.recs[k].len == 4 && ++ins == 2)
				size = (uint32_t)p.recs[k].data[0] << 24 | p.recs[k].data[1] << 16 |
				       p.recs[k].data[2] << 8 | p.recs[k].data[3];
		assert_true(size > 0 && size < (1u << 20));
		data = malloc(size);
		assert_non_null(data);
		for (ins = 0; k < p.count && got < size; k++) {
			const struct usbpcap_rec *d = &p.recs[k];

			if (!usbpcap_is_bulk_data(d) || d->in)
				continue;
			if (++ins == 1)
				continue; /* sig_len */
			assert_true(d->len <= size - got);
			memcpy(data + got, d->data, d->len);
			got += d->len;
		}
		for (; k < p.count; k++) {
			const struct usbpcap_rec *d = &p.recs[k];

			if (usbpcap_is_bulk_data(d) && d->in && d->len == 2) {
				uint16_t chk = (uint16_t)(d->data[0] << 8 | d->data[1]);

				assert_int_equal(brom_checksum(data, size), chk);
				checked++;
				break;
			}
		}
		free(data);
	}
	assert_int_equal(checked, 2); /* DA1 (0xD614) and DA2 (0x3D14) */
	usbpcap_free(&p);
}

static void test_parser_rejects_damage(void **state)
{
	struct usbpcap p;
	uint8_t *buf;
	size_t len;
	char path[] = "/tmp/mtkbak-pcap-XXXXXX";
	int fd;

	(void)state;
	assert_int_equal(read_whole_file(g_pcap, &buf, &len, 64u << 20), 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	/* cut inside a record, and a record length pointing past the end */
	assert_int_equal(atomic_write_file(path, buf, len - 7, true), 0);
	assert_int_equal(usbpcap_load(path, &p), -EBADMSG);
	buf[24 + 8] = 0xFF;
	buf[24 + 9] = 0xFF;
	assert_int_equal(atomic_write_file(path, buf, len, true), 0);
	assert_int_equal(usbpcap_load(path, &p), -EBADMSG);
	assert_int_equal(atomic_write_file(path, buf, 10, true), 0);
	assert_int_equal(usbpcap_load(path, &p), -EBADMSG);
	unlink(path);
	free(buf);
}

int main(void)
{
	const char *corpus = getenv("MTKBAK_CORPUS");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_replay_brom_phase),
	    cmocka_unit_test(test_checksum_matches_capture),
	    cmocka_unit_test(test_parser_rejects_damage),
	};

	snprintf(g_pcap, sizeof(g_pcap), "%s/captures/mt6261-spflashtool.pcap",
		 corpus ? corpus : "");
	if (!corpus || access(g_pcap, R_OK) != 0) {
		printf("SKIP: the capture %s is not here (set MTKBAK_CORPUS to ../shared/corpus)\n",
		       g_pcap);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
