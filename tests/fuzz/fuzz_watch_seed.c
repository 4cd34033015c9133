/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Writes a seed for fuzz_watch: what the simulated watch really sends during fuzz_watch's
 * sequence, in fuzz_watch's framing (each piece: one length byte n-1, then n bytes), so the
 * fuzzer starts from a complete, valid conversation and mutates it from there.
 *   fuzz_watch_seed OUT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtkbak/errors.h"
#include "mtkbak/fwgen.h"
#include "mtkbak/sim.h"
#include "mtkbak/transport.h"
#include "fuzz_watch_seq.h"

struct rec_tp {
	struct mtk_transport tp;
	struct mtk_transport *inner;
	FILE *out;
};

static int r_read(struct mtk_transport *t, uint8_t *buf, size_t len, int timeout_ms)
{
	struct rec_tp *r = (struct rec_tp *)t;
	int n = r->inner->ops->read(r->inner, buf, len, timeout_ms);

	for (int done = 0; done < n;) {
		int k = n - done > 256 ? 256 : n - done;

		fputc(k - 1, r->out);
		fwrite(buf + done, 1, (size_t)k, r->out);
		done += k;
	}
	return n;
}

static int r_write(struct mtk_transport *t, const uint8_t *buf, size_t len, int timeout_ms)
{
	struct rec_tp *r = (struct rec_tp *)t;

	return r->inner->ops->write(r->inner, buf, len, timeout_ms);
}

static void r_close(struct mtk_transport *t)
{
	(void)t;
}

static const struct mtk_transport_ops rec_ops = {"rec", r_read, r_write, r_close};

static int sink(void *ctx, uint32_t off, const uint8_t *d, size_t len)
{
	(void)ctx;
	(void)off;
	(void)d;
	(void)len;
	return 0;
}

int main(int argc, char **argv)
{
	struct sim_opts o;
	struct sim_watch *w;
	struct rec_tp r;
	uint8_t *img;
	size_t len;

	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_watch_seed OUT\n");
		return 2;
	}
	if (fwgen_demo(4u << 20, &img, &len) < 0)
		return 1;
	sim_opts_default(&o);
	w = sim_new(&o, img, len);
	free(img);
	memset(&r, 0, sizeof(r));
	if (!w || sim_wait_present(w, 2000) < 0 || sim_transport_new(w, "sim", &r.inner) < 0)
		return 1;
	r.tp.ops = &rec_ops;
	strcpy(r.tp.name, "rec");
	r.out = fopen(argv[1], "wb");
	if (!r.out)
		return 1;
	fuzz_watch_seq(&r.tp, 2000, sink, NULL);
	fclose(r.out);
	mtk_tp_close(r.inner);
	sim_free(w);
	return 0;
}
