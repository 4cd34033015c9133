/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hil_probe: the foreign payload (tests/payloads/probe) from inside the QEMU guest. Through
 * mtkbak's own port layer (libusb or cdc_acm: the guest's real USB stack) it does the boot ROM
 * handshake, uploads the payload with D7 to 0x70008000, starts it with D5 and checks its
 * answers: "PROB", the JEDEC ID ('I'), 100 flash bytes at 0x1234 read with SPI command 0x03
 * ('R'), 4 KiB of the memory window at 0x20000 ('M'), then the watchdog reset ('Z') and a new
 * handshake once the watch is back (through libusb: its tty may come back under another
 * name). The expected flash bytes come from files the host cut
 * from the watch's image.
 * usage: hil_probe PORT PROBE.BIN JEDEC-HEX EXPECT-R.BIN EXPECT-M.BIN
 * Exit 0 when every answer matches, 1 otherwise (the first difference on stderr). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mtkbak/brom.h"
#include "mtkbak/byteorder.h"
#include "mtkbak/errors.h"
#include "mtkbak/port.h"
#include "mtkbak/transport.h"

#define PROBE_ADDR 0x70008000u
#define R_ADDR	   0x1234u
#define R_LEN	   100u
#define M_ADDR	   0x20000u
#define M_LEN	   4096u

static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hil_probe: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static long read_file(const char *path, uint8_t *buf, size_t max)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, max, f);
	fclose(f);
	return (long)n;
}

static int open_port(struct port_env *env, const char *text, struct mtk_transport **tp)
{
	struct port_spec spec;
	struct port_wait wait = {.timeout_ms = 20000};
	char err[256];
	int rc = port_spec_parse(text, &spec, err, sizeof(err));

	if (rc < 0)
		return fail("port %s: %s", text, err);
	rc = port_open(env, &spec, &wait, tp);
	if (rc < 0)
		return fail("cannot open %s: %s %s", text, mtk_strerror(rc),
			    port_env_last_error(env));
	return 0;
}

/* sends tx, reads exactly rxlen bytes */
static int xfer(struct mtk_transport *tp, const uint8_t *tx, size_t txlen, uint8_t *rx,
		size_t rxlen)
{
	int rc = 0;

	if (txlen)
		rc = mtk_tp_write(tp, tx, txlen, 5000);
	if (rc == 0)
		rc = mtk_tp_read_exact(tp, rx, rxlen, 10000);
	return rc;
}

int main(int argc, char **argv)
{
	static uint8_t blob[65536], want_r[R_LEN], want_m[M_LEN], rx[M_LEN + 1];
	uint8_t tx[9], jedec[3];
	struct port_env *env;
	struct mtk_transport *tp = NULL;
	struct brom b;
	long blen;
	int rc;

	if (argc != 6)
		return fail("usage: hil_probe PORT PROBE.BIN JEDEC-HEX EXPECT-R.BIN EXPECT-M.BIN");
	blen = read_file(argv[2], blob, sizeof(blob));
	if (blen <= 0)
		return fail("cannot read the payload %s", argv[2]);
	if (strlen(argv[3]) != 6 ||
	    sscanf(argv[3], "%2hhx%2hhx%2hhx", &jedec[0], &jedec[1], &jedec[2]) != 3)
		return fail("JEDEC-HEX must be 6 hex digits");
	if (read_file(argv[4], want_r, sizeof(want_r)) != (long)R_LEN ||
	    read_file(argv[5], want_m, sizeof(want_m)) != (long)M_LEN)
		return fail("cannot read the expected flash bytes");
	env = port_env_new(NULL);
	if (!env)
		return fail("out of memory");
	if (open_port(env, argv[1], &tp)) {
		port_env_free(env);
		return 1;
	}
	brom_init(&b, tp, NULL);
	rc = brom_handshake(&b, 10000);
	if (rc == 0)
		rc = brom_send_da(&b, PROBE_ADDR, blob, (uint32_t)blen, 0);
	if (rc == 0)
		rc = brom_jump_da(&b, PROBE_ADDR);
	if (rc < 0) {
		rc = fail("boot ROM: %s (%s)", mtk_strerror(rc), b.detail);
		goto out;
	}
	printf("uploaded %ld bytes with D7 to 0x%08X, started with D5 through %s\n", blen,
	       PROBE_ADDR, tp->name);
	if ((rc = xfer(tp, NULL, 0, rx, 4)) < 0 || memcmp(rx, "PROB", 4)) {
		rc = fail("no PROB greeting (%s)", rc < 0 ? mtk_strerror(rc) : "other bytes");
		goto out;
	}
	if ((rc = xfer(tp, (const uint8_t *)"I", 1, rx, 4)) < 0 || rx[0] != 'I' ||
	    memcmp(rx + 1, jedec, 3)) {
		rc = fail("JEDEC ID: %s, got %02X %02X %02X", rc < 0 ? mtk_strerror(rc) : "differs",
			  rx[1], rx[2], rx[3]);
		goto out;
	}
	printf("JEDEC ID %02X %02X %02X\n", rx[1], rx[2], rx[3]);
	tx[0] = 'R';
	mtk_put_be32(tx + 1, R_ADDR);
	mtk_put_be32(tx + 5, R_LEN);
	if ((rc = xfer(tp, tx, 9, rx, R_LEN + 1)) < 0 || rx[0] != 'R' ||
	    memcmp(rx + 1, want_r, R_LEN)) {
		rc = fail("PIO read at 0x%X: %s", R_ADDR,
			  rc < 0 ? mtk_strerror(rc) : "bytes differ");
		goto out;
	}
	printf("PIO read of %u bytes at 0x%X exact\n", R_LEN, R_ADDR);
	tx[0] = 'M';
	mtk_put_be32(tx + 1, M_ADDR);
	mtk_put_be32(tx + 5, M_LEN);
	if ((rc = xfer(tp, tx, 9, rx, M_LEN + 1)) < 0 || rx[0] != 'M' ||
	    memcmp(rx + 1, want_m, M_LEN)) {
		rc = fail("window read at 0x%X: %s", M_ADDR,
			  rc < 0 ? mtk_strerror(rc) : "bytes differ");
		goto out;
	}
	printf("memory window read of %u bytes at 0x%X exact\n", M_LEN, M_ADDR);
	/* The echo races the reset: the watch may leave the bus before the host has fetched
	 * the packet (seen through cdc_acm), so a missing echo is allowed; the proof is that
	 * the watch comes back in boot-ROM mode. Another byte is a failure. */
	rx[0] = 0;
	rc = xfer(tp, (const uint8_t *)"Z", 1, rx, 1);
	if (rc == 0 && rx[0] != 'Z') {
		rc = fail("watchdog reset: 0x%02X instead of its echo", rx[0]);
		goto out;
	}
	printf("watchdog reset requested (%s)\n", rc == 0 ? "echoed" : "echo lost in the reset");
	/* the watch resets and enumerates again in boot-ROM mode */
	mtk_tp_close(tp);
	tp = NULL;
	sleep(2); /* the old device leaves the bus first */
	/* through libusb: a new tty may get another name than the old one */
	if (open_port(env, "usb", &tp)) {
		rc = 1;
		goto out;
	}
	brom_init(&b, tp, NULL);
	rc = brom_handshake(&b, 10000);
	if (rc < 0) {
		rc = fail("no handshake after the reset: %s", mtk_strerror(rc));
		goto out;
	}
	printf("watchdog reset: back in boot-ROM mode, handshake ok\n");
	rc = 0;
out:
	if (tp)
		mtk_tp_close(tp);
	port_env_free(env);
	return rc ? 1 : 0;
}
