/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Mirror test: a serial NOR smaller than the address window answers reads past its end with its
 * start again (doc/firmware-layout.md section 2.5). Comparing a few samples at k and S+k for each
 * power of two S tells the real size without trusting any ID. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtkbak/errors.h"
#include "mtkbak/text.h"
#include "readback/rb_internal.h"

#define MAX_CANDIDATES 12 /* 64 KiB .. 128 MiB */
#define SAMPLES	       3

struct sample_cache {
	rb_read_fn read;
	void *ctx;
	unsigned reads;
	unsigned n;
	uint32_t off[RB_MIRROR_MAX_READ];
	uint8_t *data[RB_MIRROR_MAX_READ];
};

/* A block at off, read once per probe. */
static int cached_block(struct sample_cache *c, uint32_t off, const uint8_t **out)
{
	for (unsigned i = 0; i < c->n; i++)
		if (c->off[i] == off) {
			*out = c->data[i];
			return 0;
		}
	if (c->n >= RB_MIRROR_MAX_READ)
		return -E2BIG;
	uint8_t *b = malloc(RB_MIRROR_BLOCK);
	if (!b)
		return -ENOMEM;
	int ret = c->read(c->ctx, off, RB_MIRROR_BLOCK, b);
	c->reads++;
	if (ret < 0) {
		free(b);
		return ret;
	}
	c->off[c->n] = off;
	c->data[c->n++] = b;
	*out = b;
	return 0;
}

static bool uniform(const uint8_t *b, size_t len)
{
	for (size_t i = 1; i < len; i++)
		if (b[i] != b[0])
			return false;
	return true;
}

int rb_mirror_probe(rb_read_fn read, void *ctx, uint32_t window, struct rb_mirror *m)
{
	struct sample_cache c = {.read = read, .ctx = ctx};
	bool mirrored[MAX_CANDIDATES] = {0}, distinctive[MAX_CANDIDATES] = {0};
	uint32_t cand[MAX_CANDIDATES];
	unsigned ncand = 0;
	int ret = 0;

	memset(m, 0, sizeof(*m));
	for (uint32_t s = RB_MIRROR_MIN; s <= window / 2 && ncand < MAX_CANDIDATES; s *= 2)
		cand[ncand++] = s;
	if (!ncand) {
		m->verdict = RB_MIRROR_INCONCLUSIVE;
		snprintf(m->note, sizeof(m->note), "window too small for the mirror test");
		return 0;
	}

	/* From the largest S down: a chip of size R mirrors at every S >= R, so the large
	 * candidates are the cheap and decisive ones; stop once the repeat is broken. */
	int last = -1;
	for (int i = (int)ncand - 1; i >= 0; i--) {
		uint32_t s = cand[i];
		const uint32_t ks[SAMPLES] = {0, s / 2, s - RB_MIRROR_BLOCK};

		mirrored[i] = true;
		for (int k = 0; k < SAMPLES; k++) {
			const uint8_t *lo, *hi;

			ret = cached_block(&c, ks[k], &lo);
			if (ret < 0)
				goto out;
			ret = cached_block(&c, s + ks[k], &hi);
			if (ret < 0)
				goto out;
			if (!uniform(lo, RB_MIRROR_BLOCK))
				distinctive[i] = true;
			if (memcmp(lo, hi, RB_MIRROR_BLOCK) != 0) {
				mirrored[i] = false;
				break;
			}
		}
		last = i;
		if (!mirrored[i]) {
			/* Past S every sample reads 0xFF: an erased upper part, or a chip that
			 * answers 0xFF past its end. Neither says how large the chip is. */
			bool ff = true;

			for (int k = 0; k < SAMPLES && ff; k++) {
				const uint8_t *hi;

				ret = cached_block(&c, s + ks[k], &hi);
				if (ret < 0)
					goto out;
				ff = hi[0] == 0xFF && uniform(hi, RB_MIRROR_BLOCK);
			}
			if (ff && i == (int)ncand - 1) {
				char at[32];

				m->verdict = RB_MIRROR_INCONCLUSIVE;
				m->ff_above = true;
				mtk_size_text(s, at, sizeof(at));
				snprintf(m->note, sizeof(m->note),
					 "the flash reads 0xFF from %s up (erased, or a chip that "
					 "answers 0xFF past its end), so the mirror test proves "
					 "nothing",
					 at);
				goto out;
			}
			break;
		}
	}

	char a[32], b[32];
	/* The largest candidate does not repeat: the chip fills the window. */
	if (!mirrored[ncand - 1]) {
		m->verdict = RB_MIRROR_NONE;
		m->period = window;
		mtk_size_text(cand[ncand - 1], a, sizeof(a));
		snprintf(m->note, sizeof(m->note),
			 "the data does not repeat at %s, so the chip fills the %u MiB window", a,
			 window >> 20);
		goto out;
	}
	/* Smallest S in the unbroken run [last+(broken?1:0) .. ncand-1] with distinctive data. */
	int first = mirrored[last] ? last : last + 1;
	int found = -1;
	for (int i = first; i < (int)ncand; i++)
		if (distinctive[i]) {
			found = i;
			break;
		}
	if (found < 0) {
		m->verdict = RB_MIRROR_INCONCLUSIVE;
		snprintf(
		    m->note, sizeof(m->note),
		    "the sampled flash is uniform (blank?), so the mirror test proves nothing");
		goto out;
	}
	/* A blank-looking stretch can hide a smaller period below `found`: only report the
	 * period if every smaller candidate in the run is distinctive or the run starts at the
	 * smallest candidate's break point. */
	if (found != first) {
		m->verdict = RB_MIRROR_INCONCLUSIVE;
		mtk_size_text(cand[found], a, sizeof(a));
		mtk_size_text(cand[first], b, sizeof(b));
		snprintf(m->note, sizeof(m->note),
			 "the data repeats at %s but the samples near %s are uniform", a, b);
		goto out;
	}
	m->verdict = RB_MIRROR_FOUND;
	m->period = cand[found];
	mtk_size_text(m->period, a, sizeof(a));
	if (found > 0) {
		mtk_size_text(cand[found - 1], b, sizeof(b));
		snprintf(m->note, sizeof(m->note), "the data repeats every %s (not at %s)", a, b);
	} else {
		snprintf(m->note, sizeof(m->note), "the data repeats every %s", a);
	}
out:
	for (unsigned i = 0; i < c.n; i++)
		free(c.data[i]);
	return ret;
}
