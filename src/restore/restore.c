/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The restore engine (include/mtkbak/restore.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mtkbak/agent_wire.h"
#include "mtkbak/clock.h"
#include "mtkbak/crc32.h"
#include "mtkbak/da.h"
#include "mtkbak/errors.h"
#include "mtkbak/extract.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/hash.h"
#include "mtkbak/kit.h"
#include "mtkbak/nor.h"
#include "mtkbak/readback.h"
#include "mtkbak/restore.h"

#define SECTOR 4096u

#ifdef _WIN32 /* no symlinks, no O_NOFOLLOW; rename does not replace (atomic_write_file does) */
#define lstat		 stat
#define RECORD_FAST_PATH 0
#else
#define RECORD_FAST_PATH 1
#endif

/* Deadlines: conservative datasheet maxima of this class of part (W25Q128JV: tSE 400 ms,
 * tBE1 1.6 s, tBE2 2 s, tPP 3 ms, tW 15 ms), doubled. */
static const struct {
	uint8_t op;
	uint32_t size, max_ms, typ_ms;
} erase_types[3] = {{NOR_OP_SE, 0x1000, 800, 45},
		    {NOR_OP_BE32, 0x8000, 3200, 120},
		    {NOR_OP_BE64, 0x10000, 4000, 150}};
#define PAGE_MAX_MS	6u
#define WRSR_MAX_MS	30u
#define PAGE_TYP_US	400u
#define USB_BYTES_PER_S 1000000.0

struct source {
	struct fw_checked *chk;
	const uint8_t *img;
	uint32_t len;
	uint8_t me_id[16];
	size_t me_id_len; /* 16 (info file), 4 (pull folder name) or 0 (unknown) */
	uint8_t jedec[3];
	bool have_jedec;
};

struct ctx {
	const struct restore_opts *o;
	struct restore_result *r;
	struct source src;
	struct brom b;
	struct da d;
	struct da_flash_info fi;
	bool connected;
	uint32_t nsec;
	uint32_t *img_crc, *dev_crc;
	uint8_t *want; /* 1: write, 2: kept */
	int8_t *region_of;
	bool have_type[3];
	char state_path[512];
	bool record_durable;
	int64_t in_progress_addr; /* from the record, -1 none */
	uint32_t in_progress_size;
};

static void say(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mtk_logf(c->o->log, MTK_LOG_INFO, "restore: %s", msg);
	if (c->o->state)
		c->o->state(c->o->cb_ctx, msg);
}

static void warn(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mtk_logf(c->o->log, MTK_LOG_INFO, "restore: %s", msg);
	if (c->o->warn)
		c->o->warn(c->o->cb_ctx, msg);
}

/* Records the failure and what to do next; returns err. */
static int failf(struct ctx *c, int err, const char *next, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int failf(struct ctx *c, int err, const char *next, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->r->error_context, sizeof(c->r->error_context), fmt, ap);
	va_end(ap);
	snprintf(c->r->next_step, sizeof(c->r->next_step), "%s", next ? next : "");
	mtk_logf(c->o->log, MTK_LOG_INFO, "restore: %s (%s)", c->r->error_context,
		 mtk_strerror(err));
	return err;
}

static const char *rerun_hint =
    "run the same command again: the boot ROM is mask ROM and always answers, so an "
    "interrupted restore can be continued";

void restore_opts_default(struct restore_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->open_timeout_ms = 60000;
}

/* ---- the source ---- */

static int parse_hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (!isxdigit((unsigned char)s[2 * i]) || !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* IMAGE.info: "me_id HEX32", "jedec HEX6" lines (written next to every undo image). */
static void read_info(const char *image, struct source *s)
{
	char path[600], line[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s.info", image);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "me_id ", 6) && parse_hex(line + 6, s->me_id, 16) == 0)
			s->me_id_len = 16;
		else if (!strncmp(line, "jedec ", 6) && parse_hex(line + 6, s->jedec, 3) == 0)
			s->have_jedec = true;
	}
	fclose(f);
}

/* A pull folder is named CHIP-XXXXXXXX-YYYYmmdd-HHMMSS: the first 4 bytes of the ME ID. */
static void me_id_from_folder(const char *dir, struct source *s)
{
	char tmp[512];
	const char *base, *dash;
	size_t n;

	snprintf(tmp, sizeof(tmp), "%s", dir);
	n = strlen(tmp);
	while (n > 1 && tmp[n - 1] == '/')
		tmp[--n] = 0;
	base = strrchr(tmp, '/');
	base = base ? base + 1 : tmp;
	dash = strchr(base, '-');
	if (!dash || strlen(dash + 1) < 9 || dash[9] != '-')
		return;
	if (parse_hex(dash + 1, s->me_id, 4) == 0)
		s->me_id_len = 4;
}

static int load_source(struct ctx *c)
{
	const char *path = c->o->source;
	struct source *s = &c->src;
	struct stat st;
	char image[600];
	int ret;

	if (stat(path, &st) != 0)
		return failf(c, -errno, "check the path of the backup", "cannot open %s", path);
	if (S_ISDIR(st.st_mode)) {
		snprintf(image, sizeof(image), "%s/readback.bin", path);
		if (access(image, R_OK) == 0) {
			say(c, "Source: pull folder %s (readback.bin)", path);
			ret = fw_check_file(image, NULL, c->o->log, &s->chk);
			read_info(image, s);
			if (!s->me_id_len)
				me_id_from_folder(path, s);
		} else {
			say(c, "Source: kit folder %s", path);
			ret = kit_check_dir(path, c->o->log, &s->chk);
		}
	} else {
		say(c, "Source: flash image %s", path);
		ret = fw_check_file(path, NULL, c->o->log, &s->chk);
		read_info(path, s);
	}
	if (ret < 0)
		return failf(c, ret, "check the path of the backup", "cannot read %s", path);
	s->img = s->chk->dump.data;
	if (s->chk->dump.len == 0 || s->chk->dump.len > READBACK_MAX_SIZE ||
	    s->chk->dump.len % SECTOR)
		return failf(c, -EINVAL, "use a full flash image, a pull folder or a kit folder",
			     "%s is %" PRIu64 " bytes: not a whole number of 4 KiB sectors up to "
			     "16 MiB",
			     path, (uint64_t)s->chk->dump.len);
	s->len = (uint32_t)s->chk->dump.len;
	c->r->source_health = s->chk->findings.health;
	if (s->chk->findings.health < 100) {
		if (!c->o->force)
			return failf(c, -EINVAL,
				     "run `mtkbak check` on it to see why; --force restores it "
				     "anyway (noted in the log)",
				     "the source's check health is %d%%, not 100%%",
				     s->chk->findings.health);
		c->r->forced = true;
		warn(c, "the source's check health is %d%%: restoring anyway (--force)",
		     s->chk->findings.health);
		mtk_logf(c->o->log, MTK_LOG_INFO, "restore: --force: health %d%% accepted",
			 s->chk->findings.health);
	}
	return 0;
}

/* ---- regions ---- */

static void add_region(struct restore_plan *p, const char *name, uint64_t off, uint64_t len,
		       uint32_t image_len)
{
	struct restore_region *g;

	if (p->nregions >= RESTORE_MAX_REGIONS || off >= image_len || !len)
		return;
	g = &p->regions[p->nregions++];
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->offset = (uint32_t)off;
	g->length = (uint32_t)(len > image_len - off ? image_len - off : len);
}

static bool name_listed(const char *list, const char *name)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!strcasecmp(t, name))
			return true;
	return false;
}

static int regions_make(struct ctx *c)
{
	const struct fw_layout *l = &c->src.chk->layout;
	struct restore_plan *p = &c->r->plan;
	bool keep_fs = (c->o->other_watch && !c->o->with_nvram) || c->o->keep_nvram;

	p->nregions = 0;
	for (int i = 0; i < l->nimages; i++)
		add_region(p, l->img[i].name, l->img[i].offset,
			   l->img[i].length ? l->img[i].length : l->img[i].avail, c->src.len);
	if (l->fat.present)
		add_region(p, "FAT", l->fat.offset, l->fat.length, c->src.len);
	if (l->sds.present)
		add_region(p, "SDS", l->sds.offset, l->sds.length, c->src.len);
	if (c->o->only) {
		char buf[256], *save = NULL;

		snprintf(buf, sizeof(buf), "%s", c->o->only);
		for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			bool found = false;

			for (int i = 0; i < p->nregions; i++)
				found |= !strcasecmp(p->regions[i].name, t);
			if (!found)
				return failf(
				    c, -EINVAL,
				    "name regions the source has (`mtkbak check` lists them)",
				    "--only: the source has no region '%s'", t);
		}
	}
	for (int i = 0; i < p->nregions; i++) {
		struct restore_region *g = &p->regions[i];
		bool fs = !strcmp(g->name, "FAT") || !strcmp(g->name, "SDS");

		g->kept = (fs && keep_fs) || (c->o->only && !name_listed(c->o->only, g->name));
	}
	for (uint32_t s = 0; s < c->nsec; s++) {
		uint32_t a = s * SECTOR;
		bool kept = false, in_named = false;

		c->region_of[s] = -1;
		for (int i = 0; i < p->nregions; i++) {
			const struct restore_region *g = &p->regions[i];

			if (a + SECTOR <= g->offset || a >= g->offset + g->length)
				continue;
			if (c->region_of[s] < 0)
				c->region_of[s] = (int8_t)i;
			kept |= g->kept;
			in_named |= !g->kept;
		}
		/* --only: outside every region asked for stays; a sector shared with a kept
		 * region (FAT, SDS) stays as it is either way */
		if (c->o->only && !in_named)
			kept = true;
		c->want[s] = kept ? 2 : 0;
	}
	return 0;
}

static const char *region_name(const struct ctx *c, uint32_t s)
{
	int i = c->region_of[s];

	return i >= 0 ? c->r->plan.regions[i].name : "outside the firmware's regions";
}

/* ---- connection ---- */

static int connect_watch(struct ctx *c)
{
	struct port_wait wait = {.timeout_ms = c->o->open_timeout_ms};
	struct brom_connect_opts co = {0};
	int ret;

	ret = brom_connect(&c->b, c->o->env, c->o->port, &wait, &co, &c->r->id, c->o->log);
	if (ret == -EINVAL)
		return failf(c, ret, "check the --port argument (`mtkbak restore --help`)",
			     "the port: %s", c->b.detail[0] ? c->b.detail : mtk_strerror(ret));
	if (ret < 0)
		return failf(c, ret,
			     "connect the watch in boot-ROM mode (switch it off, hold the boot key "
			     "if it has one, plug USB in) and run the command again",
			     "no watch: %s", c->b.detail[0] ? c->b.detail : mtk_strerror(ret));
	c->connected = true;
	if (!c->r->id.chip)
		return failf(c, -ENOTSUP, "restore only supports the chips `mtkbak identify` knows",
			     "unknown chip (hw code 0x%04X)", c->r->id.hw_code);
	if ((ret = da_start(&c->d, &c->b, c->r->id.chip)) < 0)
		return failf(c, ret, rerun_hint, "starting the agent: %s", c->d.detail);
	if ((ret = da_flash_info(&c->d, &c->fi)) < 0)
		return failf(c, ret, rerun_hint, "reading the flash ID: %s", c->d.detail);
	memcpy(c->r->jedec, c->fi.jedec, 3);
	return 0;
}

static void disconnect_watch(struct ctx *c)
{
	if (c->connected)
		brom_disconnect(&c->b);
	c->connected = false;
}

/* SFDP erase types (JESD216 BFPT dwords 8 and 9); without SFDP the usual 20/52/D8. */
static void erase_types_read(struct ctx *c)
{
	uint8_t h[16], t[36];

	for (int i = 0; i < 3; i++)
		c->have_type[i] = true;
	if (!c->fi.has_sfdp || da_read_sfdp(&c->d, 0, h, sizeof(h)) < 0)
		return;
	uint32_t ptr = h[12] | (uint32_t)h[13] << 8 | (uint32_t)h[14] << 16;
	if (h[11] < 9 || ptr > 0xFFFF00u || da_read_sfdp(&c->d, ptr, t, sizeof(t)) < 0)
		return;
	for (int i = 0; i < 3; i++)
		c->have_type[i] = i == 0; /* 4 KiB erase: every part of this class has it */
	for (int k = 0; k < 4; k++) {
		uint8_t size_log = t[28 + 2 * k], op = t[29 + 2 * k];

		for (int i = 1; i < 3; i++)
			if (size_log && (1u << size_log) == erase_types[i].size &&
			    op == erase_types[i].op)
				c->have_type[i] = true;
	}
}

/* ---- checks ---- */

static bool platform_matches(const struct ctx *c)
{
	const char *plat = c->src.chk->layout.platform;
	const struct chip_info *chip = c->r->id.chip;
	unsigned code;

	if (!plat[0])
		return true;
	if (strstr(chip->name, plat + 2) || (chip->family_note && strstr(chip->family_note, plat)))
		return true;
	return sscanf(plat, "MT%4x", &code) == 1 && code == c->r->id.hw_code;
}

static int check_target(struct ctx *c)
{
	const struct fw_layout *l = &c->src.chk->layout;
	const uint8_t *j = c->fi.jedec;
	uint32_t flash_len = c->fi.jedec_size;
	char me[33], src_me[33];

	if (!platform_matches(c))
		return failf(c, -EPERM, "restore a backup made from this kind of watch",
			     "the backup is %s firmware, the watch is %s (hw code 0x%04X)",
			     l->platform, c->r->id.chip->name, c->r->id.hw_code);
	if (c->src.have_jedec && memcmp(c->src.jedec, j, 3))
		return failf(c, -EPERM, "restore a backup of a watch with the same flash part",
			     "the backup came from flash %02X %02X %02X, this watch has %02X %02X "
			     "%02X",
			     c->src.jedec[0], c->src.jedec[1], c->src.jedec[2], j[0], j[1], j[2]);
	if (l->rom_ids.found) {
		bool listed = false;

		for (uint32_t i = 0; i < l->rom_ids.count && i < FW_MAX_FLASH_IDS; i++)
			listed |= l->rom_ids.e[i].id_len >= 3 && !memcmp(l->rom_ids.e[i].id, j, 3);
		if (!listed)
			return failf(c, -EPERM,
				     "restore firmware built for this watch's flash part",
				     "the firmware does not list this watch's flash %02X %02X %02X "
				     "(its CMEM_ID_INFO names the parts it can drive)",
				     j[0], j[1], j[2]);
	} else if (!c->src.have_jedec) {
		warn(c,
		     "the source names no flash part: the JEDEC ID %02X %02X %02X is not "
		     "checked",
		     j[0], j[1], j[2]);
	}
	if (c->fi.sfdp_size && (!flash_len || c->fi.sfdp_size < flash_len))
		flash_len = c->fi.sfdp_size; /* the smaller of two answers is the safe one */
	if (!flash_len)
		return failf(c, -EPERM, "this flash part is not supported by restore",
			     "the flash size is unknown (JEDEC %02X %02X %02X, no SFDP)", j[0],
			     j[1], j[2]);
	c->r->plan.flash_len = flash_len;
	if (flash_len < c->src.len)
		return failf(c, -EPERM, "restore an image no larger than the watch's flash",
			     "the image is %u KiB, the watch's flash only %u KiB",
			     (unsigned)(c->src.len / 1024), (unsigned)(flash_len / 1024));
	mtk_hex(c->r->id.me_id, 16, me);
	if (c->src.me_id_len && !memcmp(c->src.me_id, c->r->id.me_id, c->src.me_id_len))
		return 0;
	if (c->o->other_watch) {
		warn(c, "restoring onto another watch (ME ID %s)%s", me,
		     c->o->with_nvram ? ", its FAT and SDS regions included (--with-nvram)"
				      : ": its own FAT and SDS regions are kept");
		return 0;
	}
	if (!c->src.me_id_len)
		return failf(c, -EPERM,
			     "if this image really is this watch's, or to write only its code "
			     "regions, add --other-watch (keeps this watch's FAT and SDS; "
			     "--with-nvram writes them too)",
			     "the source does not say which watch it came from (this one is ME ID "
			     "%s)",
			     me);
	mtk_hex(c->src.me_id, c->src.me_id_len, src_me);
	return failf(c, -EPERM,
		     "restore this watch's own backup, or add --other-watch to write only the "
		     "code regions (IMEI, calibration and pairings stay this watch's)",
		     "the backup belongs to another watch (ME ID %s..., this one is %s)", src_me,
		     me);
}

/* ---- the record of an interrupted restore ---- */

static uint32_t image_crc(const struct ctx *c)
{
	return mtk_crc32(0, c->src.img, c->src.len);
}

static int record_write(struct ctx *c, int64_t unit, uint32_t size)
{
	char buf[1200], sha[65];
	int n;

	mtk_hex(c->r->undo_sha256, 32, sha);
	n = snprintf(buf, sizeof(buf),
		     "mtkbak-restore 1\nimage_crc %08" PRIX32 "\nimage_len %" PRIu32
		     "\nundo %s\nsha256 %s\nunit %" PRId64 " %" PRIu32 "\n",
		     image_crc(c), c->src.len, c->r->undo_path, sha, unit, size);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	if (!c->record_durable || !RECORD_FAST_PATH) { /* the first: fsynced (names the undo) */
		c->record_durable = true;
		return atomic_write_file(c->state_path, buf, (size_t)n, true);
	}
	/* the unit in progress, once per erase unit: renamed into place but not fsynced (an
	 * fsync each time costs more than the erase; after a host crash a lost update only
	 * means the rerun's CRC plan finds that unit by itself) */
#if RECORD_FAST_PATH
	{
		char tmp[sizeof(c->state_path) + 8];
		int fd;
		bool ok;

		snprintf(tmp, sizeof(tmp), "%s.tmp", c->state_path);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			return -errno;
		ok = write(fd, buf, (size_t)n) == n;
		ok = close(fd) == 0 && ok;
		if (!ok || rename(tmp, c->state_path) != 0) {
			unlink(tmp);
			return -EIO;
		}
	}
#endif
	return 0;
}

/* A record for this image: resume (no new undo image; the unit in progress is redone). */
static bool record_read(struct ctx *c)
{
	FILE *f = fopen(c->state_path, "r");
	char line[700];
	uint32_t crc = 0, len = 0;
	bool magic = false;

	c->in_progress_addr = -1;
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strcmp(line, "mtkbak-restore 1"))
			magic = true;
		else if (!strncmp(line, "image_crc ", 10))
			crc = (uint32_t)strtoul(line + 10, NULL, 16);
		else if (!strncmp(line, "image_len ", 10))
			len = (uint32_t)strtoul(line + 10, NULL, 10);
		else if (!strncmp(line, "undo ", 5))
			snprintf(c->r->undo_path, sizeof(c->r->undo_path), "%.500s", line + 5);
		else if (!strncmp(line, "sha256 ", 7))
			parse_hex(line + 7, c->r->undo_sha256, 32);
		else if (!strncmp(line, "unit ", 5)) {
			long long a = -1;
			unsigned long sz = 0;

			if (sscanf(line + 5, "%lld %lu", &a, &sz) == 2 && a >= 0 &&
			    (uint64_t)a < c->src.len && sz >= SECTOR && sz <= 0x10000u)
				c->in_progress_addr = a, c->in_progress_size = (uint32_t)sz;
		}
	}
	fclose(f);
	if (!magic || crc != image_crc(c) || len != c->src.len) {
		c->in_progress_addr = -1;
		c->r->undo_path[0] = 0;
		memset(c->r->undo_sha256, 0, 32);
		return false;
	}
	return true;
}

/* ---- plan ---- */

static int plan_make(struct ctx *c, bool via_sfc)
{
	struct restore_plan *p = &c->r->plan;
	uint32_t pstart = 0, pend = 0;
	int ret;

	if ((ret = da_sector_crcs(&c->d, 0, c->nsec, via_sfc, c->dev_crc)) < 0)
		return failf(c, ret, rerun_hint, "reading the watch's sector CRCs: %s",
			     c->d.detail);
	if ((ret = da_status_regs(&c->d, p->sr)) < 0)
		return failf(c, ret, rerun_hint, "reading the status register: %s", c->d.detail);
	if (nor_protected_range(p->sr[0], p->flash_len, &pstart, &pend) < 0)
		warn(c,
		     "status register 1 is 0x%02X: bits outside the usual protection table, "
		     "so the whole flash counts as protected",
		     p->sr[0]);
	p->image_len = c->src.len;
	p->sectors = c->nsec;
	p->sectors_diff = p->sectors_kept = 0;
	p->bytes_program = 0;
	p->protect_overlap = false;
	p->prot_start = pstart;
	p->prot_end = pend;
	memset(p->erases, 0, sizeof(p->erases));
	for (int i = 0; i < p->nregions; i++)
		p->regions[i].sectors = p->regions[i].sectors_diff = 0;
	for (uint32_t s = 0; s < c->nsec; s++) {
		bool forced = c->in_progress_addr >= 0 &&
			      s * SECTOR >= (uint64_t)c->in_progress_addr &&
			      s * SECTOR < (uint64_t)c->in_progress_addr + c->in_progress_size;
		int g = c->region_of[s];

		if (g >= 0)
			p->regions[g].sectors++;
		if (c->want[s] == 2) {
			p->sectors_kept++;
			continue;
		}
		c->want[s] = c->img_crc[s] != c->dev_crc[s] || forced;
		if (!c->want[s])
			continue;
		p->sectors_diff++;
		if (g >= 0)
			p->regions[g].sectors_diff++;
		for (uint32_t i = 0; i < SECTOR; i++)
			p->bytes_program += c->src.img[s * SECTOR + i] != 0xFF;
		if (s * SECTOR < pend && s * SECTOR + SECTOR > pstart)
			p->protect_overlap = true;
	}
	/* erase units (same walk as the writer) */
	for (uint32_t s = 0; s < c->nsec;) {
		uint32_t n = 1;
		int t = 0;

		if (c->want[s] != 1) {
			s++;
			continue;
		}
		for (int k = 2; k >= 1; k--) {
			uint32_t m = erase_types[k].size / SECTOR, i;

			if (!c->have_type[k] || s % m || s + m > c->nsec)
				continue;
			for (i = 0; i < m && c->want[s + i] == 1; i++)
				;
			if (i == m) {
				n = m;
				t = k;
				break;
			}
		}
		p->erases[t]++;
		s += n;
	}
	p->est_seconds = p->erases[0] * erase_types[0].typ_ms / 1000.0 +
			 p->erases[1] * erase_types[1].typ_ms / 1000.0 +
			 p->erases[2] * erase_types[2].typ_ms / 1000.0 +
			 (double)p->bytes_program / NOR_PAGE * PAGE_TYP_US / 1e6 +
			 (double)p->sectors_diff * SECTOR / USB_BYTES_PER_S;
	return 0;
}

/* ---- writing ---- */

static bool sector_blank(const struct ctx *c, uint32_t s)
{
	const uint8_t *p = c->src.img + (size_t)s * SECTOR;

	for (uint32_t i = 0; i < SECTOR; i++)
		if (p[i] != 0xFF)
			return false;
	return true;
}

/* Programs one erased sector and compares the device's CRC (read through the controller). */
static int write_sector(struct ctx *c, uint32_t s, bool *ok)
{
	uint32_t crc = 0;
	int ret;

	if (sector_blank(c, s))
		ret = da_sector_crcs(&c->d, s * SECTOR, 1, true, &crc);
	else
		ret = da_program(&c->d, s * SECTOR, c->src.img + (size_t)s * SECTOR, SECTOR,
				 PAGE_MAX_MS, &crc);
	*ok = ret == 0 && crc == c->img_crc[s];
	return ret;
}

static int link_fail(struct ctx *c, int ret, const char *what, uint32_t addr)
{
	return failf(c, ret, rerun_hint, "%s at 0x%06" PRIX32 " (%s): %s", what, addr,
		     region_name(c, addr / SECTOR), c->d.detail);
}

static int write_unit(struct ctx *c, uint32_t s, uint32_t n, int t)
{
	uint32_t addr = s * SECTOR;
	int ret;

	if ((ret = record_write(c, addr, n * SECTOR)) < 0)
		return failf(c, ret, "free some space in the folder of the undo image",
			     "cannot write the restore record %s", c->state_path);
	if ((ret = da_erase(&c->d, erase_types[t].op, addr, erase_types[t].max_ms, NULL)) < 0)
		return link_fail(c, ret, "erasing", addr);
	/* sectors the image has blank (0xFF) are only verified: one CRC list for all of them */
	uint32_t blank_crc[0x10000 / SECTOR];
	bool blank_checked = false;
	for (uint32_t i = 0; i < n; i++) {
		bool ok = false;

		if (sector_blank(c, s + i) && n <= sizeof(blank_crc) / sizeof(blank_crc[0])) {
			if (!blank_checked &&
			    (ret = da_sector_crcs(&c->d, addr, n, true, blank_crc)) < 0)
				return link_fail(c, ret, "verifying", addr);
			blank_checked = true;
			ok = blank_crc[i] == c->img_crc[s + i];
		} else if ((ret = write_sector(c, s + i, &ok)) < 0) {
			return link_fail(c, ret, "programming", (s + i) * SECTOR);
		}
		if (!ok) {
			/* one retry: erase that sector alone, program it again */
			c->r->retries++;
			warn(c,
			     "sector 0x%06" PRIX32 " (%s) did not verify: erasing and "
			     "programming it once more",
			     (s + i) * SECTOR, region_name(c, s + i));
			if ((ret = da_erase(&c->d, NOR_OP_SE, (s + i) * SECTOR,
					    erase_types[0].max_ms, NULL)) < 0)
				return link_fail(c, ret, "erasing", (s + i) * SECTOR);
			if ((ret = write_sector(c, s + i, &ok)) < 0)
				return link_fail(c, ret, "programming", (s + i) * SECTOR);
		}
		if (!ok) {
			c->r->failed_sector = (int64_t)(s + i) * SECTOR;
			snprintf(c->r->failed_region, sizeof(c->r->failed_region), "%.23s",
				 region_name(c, s + i));
			return failf(
			    c, -EIO,
			    "the flash may be worn there: run the same command once more; "
			    "if it fails again at the same sector the part needs replacing "
			    "(the watch stays reachable in boot-ROM mode)",
			    "sector 0x%06" PRIX32 " (%s) does not hold the image's bytes after "
			    "two erases and programs",
			    (s + i) * SECTOR, region_name(c, s + i));
		}
		c->r->sectors_written++;
	}
	return 0;
}

static int write_all(struct ctx *c)
{
	uint64_t done = 0, total = c->r->plan.sectors_diff;
	int ret;

	for (uint32_t s = 0; s < c->nsec;) {
		uint32_t n = 1;
		int t = 0;

		if (c->want[s] != 1) {
			s++;
			continue;
		}
		if (c->o->cancelled && c->o->cancelled(c->o->cb_ctx))
			return failf(c, -EINTR, rerun_hint, "stopped before sector 0x%06" PRIX32,
				     s * SECTOR);
		for (int k = 2; k >= 1; k--) {
			uint32_t m = erase_types[k].size / SECTOR, i;

			if (!c->have_type[k] || s % m || s + m > c->nsec)
				continue;
			for (i = 0; i < m && c->want[s + i] == 1; i++)
				;
			if (i == m) {
				n = m;
				t = k;
				break;
			}
		}
		if ((ret = write_unit(c, s, n, t)) < 0)
			return ret;
		s += n;
		done += n;
		if (c->o->progress)
			c->o->progress(c->o->cb_ctx, done * SECTOR, total * SECTOR);
	}
	return 0;
}

static int verify_all(struct ctx *c)
{
	int ret;

	if ((ret = da_sector_crcs(&c->d, 0, c->nsec, true, c->dev_crc)) < 0)
		return failf(c, ret, rerun_hint, "the final check: %s", c->d.detail);
	for (uint32_t s = 0; s < c->nsec; s++) {
		if (c->want[s] == 2 || c->dev_crc[s] == c->img_crc[s])
			continue;
		c->r->failed_sector = (int64_t)s * SECTOR;
		snprintf(c->r->failed_region, sizeof(c->r->failed_region), "%.23s",
			 region_name(c, s));
		return failf(c, -EIO, rerun_hint,
			     "the final check: sector 0x%06" PRIX32 " (%s) differs from the image",
			     s * SECTOR, region_name(c, s));
	}
	return 0;
}

/* ---- the undo image ---- */

static void rb_state(void *ctx, const char *msg)
{
	struct ctx *c = ctx;

	if (c->o->state)
		c->o->state(c->o->cb_ctx, msg);
}

static void rb_warn(void *ctx, const char *msg)
{
	struct ctx *c = ctx;

	if (c->o->warn)
		c->o->warn(c->o->cb_ctx, msg);
}

static void rb_progress(void *ctx, const struct readback_progress *p)
{
	struct ctx *c = ctx;

	if (c->o->progress)
		c->o->progress(c->o->cb_ctx, p->done, p->total);
}

static int rb_cancelled(void *ctx)
{
	struct ctx *c = ctx;

	return c->o->cancelled ? c->o->cancelled(c->o->cb_ctx) : 0;
}

static int write_sidecars(struct ctx *c, const struct readback_result *rr)
{
	char path[600], buf[300], hex[65], me[33];
	const char *base = strrchr(c->r->undo_path, '/');
	int ret;

	base = base ? base + 1 : c->r->undo_path;
	mtk_hex(rr->sha256, 32, hex);
	snprintf(path, sizeof(path), "%s.sha256", c->r->undo_path);
	snprintf(buf, sizeof(buf), "%s  %.200s\n", hex, base);
	if ((ret = atomic_write_file(path, buf, strlen(buf), false)) < 0)
		return ret;
	mtk_hex(rr->id.me_id, 16, me);
	snprintf(path, sizeof(path), "%s.info", c->r->undo_path);
	snprintf(buf, sizeof(buf), "me_id %s\njedec %02X%02X%02X\nchip %s\n", me, c->fi.jedec[0],
		 c->fi.jedec[1], c->fi.jedec[2], rr->id.chip ? rr->id.chip->name : "?");
	return atomic_write_file(path, buf, strlen(buf), false);
}

static int make_undo(struct ctx *c)
{
	struct readback_opts ro;
	struct readback_result rr;
	const char *dir = c->o->undo_dir ? c->o->undo_dir : ".";
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int ret;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (int k = 1; k < 100; k++) {
		char suffix[8] = "";
		struct stat st;

		if (k > 1)
			snprintf(suffix, sizeof(suffix), "-%d", k);
		if (snprintf(c->r->undo_path, sizeof(c->r->undo_path), "%s/pre-restore-%s%s.bin",
			     dir, stamp, suffix) >= (int)sizeof(c->r->undo_path))
			return failf(c, -ENAMETOOLONG, "use a shorter folder",
				     "undo image path too long");
		if (lstat(c->r->undo_path, &st) != 0)
			break; /* a free name (never overwrite an earlier undo image) */
	}
	say(c, "Saving the undo image %s (a verified full read of the watch)", c->r->undo_path);
	readback_opts_default(&ro);
	ro.out_path = c->r->undo_path;
	ro.env = c->o->env;
	ro.port = c->o->port;
	ro.tp = c->b.tp; /* readback_run takes the open port over */
	c->b.tp = NULL;
	c->connected = false;
	ro.no_reboot = true;
	ro.open_timeout_ms = 5000;
	ro.log = c->o->log;
	ro.state = rb_state;
	ro.warn = rb_warn;
	ro.progress = rb_progress;
	ro.cancelled = rb_cancelled;
	ro.cb_ctx = c;
	memset(&rr, 0, sizeof(rr));
	ret = readback_run(&ro, &rr);
	if (ret < 0)
		return failf(c, ret,
			     "nothing was written to the watch; run the same command again "
			     "(the undo image's read continues where it stopped)",
			     "the undo image: %s",
			     rr.error_context[0] ? rr.error_context : mtk_strerror(ret));
	if (rr.size < c->src.len || memcmp(rr.id.me_id, c->r->id.me_id, 16))
		return failf(c, -EPROTO, "nothing was written; run the same command again",
			     "the undo image does not match the watch being restored");
	memcpy(c->r->undo_sha256, rr.sha256, 32);
	if ((ret = write_sidecars(c, &rr)) < 0)
		return failf(c, ret, "free some space and run the same command again",
			     "cannot write the undo image's SHA-256 next to it");
	c->r->undo_made = true;
	return 0;
}

/* ---- the run ---- */

static int protection_off(struct ctx *c, bool *changed)
{
	struct restore_plan *p = &c->r->plan;
	uint8_t out[2];
	int ret;

	*changed = false;
	if (!p->protect_overlap)
		return 0;
	if (!c->o->unprotect)
		return failf(c, -EPERM,
			     "add --unprotect to clear them for the restore (they are put back at "
			     "the end)",
			     "block protection (status register 1 = 0x%02X) covers 0x%06" PRIX32
			     "-0x%06" PRIX32 ", which holds sectors to write",
			     p->sr[0], p->prot_start, p->prot_end - 1u);
	say(c, "Clearing block protection (status register 1 = 0x%02X) for the restore", p->sr[0]);
	ret =
	    da_write_status(&c->d, (uint8_t)(p->sr[0] & ~(NOR_SR_BP_MASK | NOR_SR_TB | NOR_SR_SEC)),
			    p->sr[1], 1, WRSR_MAX_MS, out);
	if (ret < 0)
		return failf(c, ret, rerun_hint, "clearing block protection: %s", c->d.detail);
	if (out[0] & NOR_SR_BP_MASK)
		return failf(c, -EPERM,
			     "the write-protect pin or a locked status register keeps it: the "
			     "watch's flash cannot be written this way",
			     "the protection bits stay set (status register 1 = 0x%02X)", out[0]);
	*changed = true;
	return 0;
}

static int run(struct ctx *c)
{
	struct restore_result *r = c->r;
	bool resumed, unprotected = false;
	int ret;

	if ((ret = load_source(c)) < 0)
		return ret;
	c->nsec = c->src.len / SECTOR;
	c->img_crc = calloc(c->nsec, sizeof(uint32_t));
	c->dev_crc = calloc(c->nsec, sizeof(uint32_t));
	c->want = calloc(c->nsec, 1);
	c->region_of = calloc(c->nsec, 1);
	if (!c->img_crc || !c->dev_crc || !c->want || !c->region_of)
		return -ENOMEM;
	for (uint32_t s = 0; s < c->nsec; s++)
		c->img_crc[s] = mtk_crc32(0, c->src.img + (size_t)s * SECTOR, SECTOR);
	if ((ret = regions_make(c)) < 0)
		return ret;
	if ((ret = connect_watch(c)) < 0)
		return ret;
	if ((ret = check_target(c)) < 0)
		return ret;
	{
		char me[33];

		mtk_hex(r->id.me_id, 16, me);
		snprintf(c->state_path, sizeof(c->state_path), "%s/restore-%s.state",
			 c->o->undo_dir ? c->o->undo_dir : ".", me);
	}
	resumed = record_read(c);
	r->plan.resumed = resumed;
	erase_types_read(c);
	/* a reused agent may sit behind a stale memory window: then plan through the SFC */
	if ((ret = plan_make(c, c->d.reused)) < 0)
		return ret;
	if (resumed)
		say(c, "Continuing an interrupted restore of this image (undo image %s kept)",
		    r->undo_path[0] ? r->undo_path : "none");
	if (r->plan.protect_overlap && !c->o->unprotect && !c->o->dry_run)
		return protection_off(c, &unprotected);
	if (c->o->dry_run)
		return 0;
	if (r->plan.sectors_diff == 0) {
		say(c, "The watch already holds this image: nothing to write");
	} else {
		if (c->o->confirm && (ret = c->o->confirm(c->o->cb_ctx, &r->plan)) < 0)
			return failf(c, -ECANCELED, "nothing was written; run it again with --yes",
				     "not confirmed");
		if (!resumed) {
			if ((ret = make_undo(c)) < 0)
				return ret;
			if ((ret = connect_watch(c)) < 0)
				return ret;
			/* the same watch, and the plan again (cheap: sector CRCs only) */
			if ((ret = check_target(c)) < 0 || (ret = plan_make(c, true)) < 0)
				return ret;
		}
		if ((ret = da_write_session(&c->d, true)) < 0)
			return failf(c, ret, rerun_hint, "opening the write session: %s",
				     c->d.detail);
		if ((ret = protection_off(c, &unprotected)) < 0)
			goto restore_status;
		say(c, "Writing %u sectors (%u kept as the watch has them)",
		    (unsigned)r->plan.sectors_diff, (unsigned)r->plan.sectors_kept);
		int64_t t0 = mtk_now_ms();
		ret = write_all(c);
		r->write_seconds = (double)(mtk_now_ms() - t0) / 1000.0;
		if (ret < 0)
			goto restore_status;
	}
	/* nothing written in this run: the plan's list is the device's state, already equal */
	ret = r->plan.sectors_diff ? verify_all(c) : 0;
restore_status:
	if (unprotected) {
		int r2 = da_write_status(&c->d, r->plan.sr[0], r->plan.sr[1], 1, WRSR_MAX_MS, NULL);

		if (r2 < 0)
			warn(c, "could not put status register 1 back to 0x%02X: %s", r->plan.sr[0],
			     c->d.detail);
		else
			say(c, "Block protection put back (status register 1 = 0x%02X)",
			    r->plan.sr[0]);
	}
	if (c->connected)
		da_write_session(&c->d, false);
	if (ret < 0)
		return ret;
	r->restored = true;
	unlink(c->state_path);
	if (r->plan.sectors_diff)
		da_reboot(&c->d);
	return 0;
}

int restore_run(const struct restore_opts *o, struct restore_result *r)
{
	struct ctx c;
	int64_t t0 = mtk_now_ms();
	int ret;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	r->failed_sector = -1;
	c.o = o;
	c.r = r;
	c.in_progress_addr = -1;
	ret = run(&c);
	disconnect_watch(&c);
	if (c.src.chk)
		fw_checked_free(c.src.chk);
	free(c.img_crc);
	free(c.dev_crc);
	free(c.want);
	free(c.region_of);
	r->seconds = (double)(mtk_now_ms() - t0) / 1000.0;
	return ret;
}
