/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Which size to read. The JEDEC capacity byte is the first answer; SFDP and the firmware's own
 * flash tables cross-check it; the mirror test is physical evidence and wins a disagreement:
 * data that repeats every P bytes proves the chip holds P bytes (reading more would only write
 * copies of the start), and data that does not repeat proves it holds more. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mtkbak/errors.h"
#include "mtkbak/text.h"
#include "readback/rb_internal.h"

static void add_warn(struct rb_size_decision *d, const char *fmt, ...) MTK_PRINTF(2, 3);
static void add_warn(struct rb_size_decision *d, const char *fmt, ...)
{
	va_list ap;

	d->conflict = true;
	if (d->nwarn >= RB_SIZE_MAX_WARN)
		return;
	va_start(ap, fmt);
	vsnprintf(d->warn[d->nwarn++], sizeof(d->warn[0]), fmt, ap);
	va_end(ap);
}

static void set_evidence(struct rb_size_decision *d, enum readback_size_source src, const char *fmt,
			 ...) MTK_PRINTF(3, 4);
static void set_evidence(struct rb_size_decision *d, enum readback_size_source src, const char *fmt,
			 ...)
{
	va_list ap;

	d->source = src;
	va_start(ap, fmt);
	vsnprintf(d->evidence, sizeof(d->evidence), fmt, ap);
	va_end(ap);
}

/* " and SFDP" / ", and the firmware's flash tables" style confirmations. */
static void confirmations(const struct rb_size_evidence *e, uint32_t size, uint32_t cm_size,
			  bool mirror_used, char *out, size_t len)
{
	const char *parts[3];
	int n = 0;

	if (e->sfdp_size == size)
		parts[n++] = "SFDP";
	if (mirror_used)
		parts[n++] = "the mirror test";
	if (cm_size == size)
		parts[n++] = "the firmware's flash tables";
	if (n == 0)
		snprintf(out, len, "%s", "");
	else if (n == 1)
		snprintf(out, len, ", confirmed by %s", parts[0]);
	else if (n == 2)
		snprintf(out, len, ", confirmed by %s and %s", parts[0], parts[1]);
	else
		snprintf(out, len, ", confirmed by %s, %s and %s", parts[0], parts[1], parts[2]);
}

int rb_decide_size(const struct rb_size_evidence *e, struct rb_size_decision *d)
{
	char js[16] = "", jid[16] = "", ps[16], ws[16], cs[16], ss[16], conf[96];
	uint32_t window = e->window ? e->window : READBACK_MAX_SIZE;
	uint32_t jsize = e->have_jedec ? e->jedec_size : 0;
	uint32_t cm_size = e->cmem ? rb_cmem_size(e->cmem) : 0;
	const struct rb_mirror *m = &e->mirror;

	memset(d, 0, sizeof(*d));
	mtk_size_text(window, ws, sizeof(ws));
	mtk_size_text(cm_size, cs, sizeof(cs));
	mtk_size_text(e->sfdp_size, ss, sizeof(ss));
	if (e->have_jedec) {
		snprintf(jid, sizeof(jid), "%02X %02X %02X", e->jedec[0], e->jedec[1], e->jedec[2]);
		mtk_size_text(jsize, js, sizeof(js));
	}

	if (e->user_length) {
		char us[16];

		d->size = e->user_length;
		mtk_size_text(d->size, us, sizeof(us));
		set_evidence(d, READBACK_SIZE_USER, "--length %s", us);
		if (m->verdict == RB_MIRROR_FOUND && m->period < d->size) {
			mtk_size_text(m->period, ps, sizeof(ps));
			add_warn(
			    d,
			    "the data repeats every %s, so the chip holds %s: bytes %s to %s "
			    "of the file will be copies of the start (use --length auto to read "
			    "the real size)",
			    ps, ps, ps, us);
		} else if (jsize && jsize < d->size && m->verdict != RB_MIRROR_NONE) {
			add_warn(d,
				 "the flash says it holds %s (JEDEC ID %s), less than --length %s: "
				 "the rest of the file will be copies of the start",
				 js, jid, us);
		}
		return 0;
	}

	if (m->verdict == RB_MIRROR_FOUND) {
		d->size = m->period;
		mtk_size_text(m->period, ps, sizeof(ps));
		if (jsize == m->period) {
			confirmations(e, d->size, cm_size, true, conf, sizeof(conf));
			set_evidence(d, READBACK_SIZE_JEDEC, "JEDEC ID %s (%s)%s", jid, js, conf);
		} else {
			confirmations(e, d->size, cm_size, false, conf, sizeof(conf));
			set_evidence(d, READBACK_SIZE_MIRROR, "mirror test: %s%s", m->note, conf);
			if (jsize)
				add_warn(
				    d,
				    "the flash answers JEDEC ID %s, which stands for %s, but the "
				    "data repeats every %s: such a chip would not repeat, so it "
				    "holds %s and mtkbak reads %s (a wrong or counterfeit ID?)",
				    jid, js, ps, ps, ps);
			else if (e->have_jedec)
				add_warn(
				    d,
				    "the flash's JEDEC ID %s has a capacity byte mtkbak does not "
				    "understand; the mirror test decided the size (%s)",
				    jid, ps);
		}
		if (e->sfdp_size && e->sfdp_size != d->size)
			add_warn(d, "the flash's SFDP table says %s, but the data repeats every %s",
				 ss, ps);
	} else if (m->verdict == RB_MIRROR_NONE) {
		d->size = window;
		if (jsize == window) {
			confirmations(e, d->size, cm_size, true, conf, sizeof(conf));
			set_evidence(d, READBACK_SIZE_JEDEC, "JEDEC ID %s (%s)%s", jid, js, conf);
		} else if (jsize > window) {
			set_evidence(d, READBACK_SIZE_JEDEC,
				     "JEDEC ID %s (%s), limited to the %s reachable with 3-byte "
				     "addresses",
				     jid, js, ws);
			add_warn(
			    d,
			    "the flash holds %s (JEDEC ID %s) but only its first %s can be read "
			    "with 3-byte addresses; the rest is not in the backup",
			    js, jid, ws);
		} else {
			confirmations(e, d->size, cm_size, false, conf, sizeof(conf));
			set_evidence(d, READBACK_SIZE_MIRROR, "mirror test: %s%s", m->note, conf);
			if (jsize)
				add_warn(
				    d,
				    "the flash answers JEDEC ID %s, which stands for %s, but the "
				    "data beyond %s differs from the start, so the chip holds "
				    "more: "
				    "mtkbak reads %s (a wrong or counterfeit ID?)",
				    jid, js, js, ws);
		}
		if (e->sfdp_size && e->sfdp_size != d->size && e->sfdp_size < window)
			add_warn(d,
				 "the flash's SFDP table says %s, but the data does not repeat "
				 "below %s",
				 ss, ws);
	} else if (jsize) {
		const char *why = m->verdict == RB_MIRROR_INCONCLUSIVE ? m->note : "";

		if (e->sfdp_size && e->sfdp_size != jsize) {
			bool take_sfdp =
			    cm_size != jsize; /* SFDP unless the firmware sides with JEDEC */

			d->size = take_sfdp ? e->sfdp_size : jsize;
			if (take_sfdp)
				set_evidence(d, READBACK_SIZE_SFDP, "SFDP density (%s)%s", ss,
					     cm_size == e->sfdp_size
						 ? ", confirmed by the firmware's flash tables"
						 : "");
			else
				set_evidence(d, READBACK_SIZE_JEDEC,
					     "JEDEC ID %s (%s), confirmed by the firmware's flash "
					     "tables",
					     jid, js);
			add_warn(d,
				 "the flash's JEDEC ID %s says %s but its SFDP table says %s%s%s; "
				 "mtkbak reads %s",
				 jid, js, ss, *why ? " and " : "", why, take_sfdp ? ss : js);
		} else {
			d->size = jsize;
			confirmations(e, d->size, cm_size, false, conf, sizeof(conf));
			set_evidence(d, READBACK_SIZE_JEDEC, "JEDEC ID %s (%s)%s%s%s", jid, js,
				     conf, *why ? "; " : "", why);
		}
	} else if (e->sfdp_size) {
		d->size = e->sfdp_size;
		set_evidence(d, READBACK_SIZE_SFDP, "SFDP density (%s)", ss);
	} else if (cm_size) {
		d->size = cm_size;
		set_evidence(d, READBACK_SIZE_FIRMWARE,
			     "the firmware's flash tables (%s at 0x%X)%s%s", cs,
			     e->cmem->have_nor ? e->cmem->nor_offset : e->cmem->ids_offset,
			     m->verdict == RB_MIRROR_INCONCLUSIVE ? "; " : "",
			     m->verdict == RB_MIRROR_INCONCLUSIVE ? m->note : "");
	} else if (m->ff_above) {
		/* Nothing else to go by, and reading the window loses nothing. */
		d->size = window;
		set_evidence(d, READBACK_SIZE_MIRROR,
			     "no evidence of the size (no JEDEC ID, no SFDP, no firmware flash "
			     "tables; %s): the whole %s window",
			     m->note, ws);
		add_warn(d,
			 "mtkbak could not tell the flash size, so it reads the full %s window; "
			 "the part past the real end of the chip reads 0xFF",
			 ws);
	} else {
		snprintf(d->evidence, sizeof(d->evidence),
			 "nothing tells the flash size (%s%sno JEDEC ID, no firmware flash tables)",
			 m->verdict == RB_MIRROR_INCONCLUSIVE ? m->note : "",
			 m->verdict == RB_MIRROR_INCONCLUSIVE ? "; " : "");
		return -EINVAL;
	}

	/* The firmware's tables describe the chip the firmware was built for. */
	if (cm_size && cm_size != d->size) {
		mtk_size_text(d->size, ps, sizeof(ps));
		add_warn(d,
			 "the firmware's flash tables describe a %s chip, but mtkbak reads %s (%s)",
			 cs, ps, d->evidence);
	}
	if (e->have_jedec && e->cmem && e->cmem->have_ids &&
	    rb_cmem_find_jedec(e->cmem, e->jedec) < 0) {
		char list[96];

		rb_cmem_list_text(e->cmem, list, sizeof(list));
		add_warn(d,
			 "the flash answers JEDEC ID %s, which the firmware's flash list (%s) does "
			 "not contain: the firmware may belong to another board, or the chip was "
			 "replaced",
			 jid, list);
	}
	if (d->size > window) {
		mtk_size_text(d->size, ps, sizeof(ps));
		add_warn(d, "only the first %s of the %s flash can be read with 3-byte addresses",
			 ws, ps);
		d->size = window;
	}
	return 0;
}
