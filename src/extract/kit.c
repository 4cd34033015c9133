/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kit_write: the kit files, cfg, FAT/SDS, reports and SHA256SUMS, written into a temporary
 * folder next to the target, fsync'd, then renamed into place, so a crash or a full disk never
 * leaves a half kit under the final name. Image bytes are written straight from the mapped
 * dump (no second copy in memory). */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* sync_file_range */
#endif
#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/kit.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#ifdef _WIN32
#include <direct.h>
#include <io.h>
#define fsync _commit
#endif
#ifndef O_BINARY
#define O_BINARY 0 /* Windows: no newline translation */
#endif

struct pending {
	int fd;
	char path[MTK_PATH_MAX];    /* final name */
	char tmp[MTK_PATH_MAX + 8]; /* what is being written: path, or path.part in place */
};

struct kit_ctx {
	const struct fw_layout *l;
	const struct fw_findings *fs;
	const struct kit_opts *o;
	struct kit_plan plan;
	char dir[MTK_PATH_MAX]; /* where files go now (temporary folder or DIR in place) */
	const char *final_dir;	/* DIR as the user named it (for report.json) */
	bool in_place;
	int extra_err;
	struct kit_result *res;
	int npending;
	struct pending pending[KIT_MAX_FILES + 4];
	uint8_t plan_sha[KIT_MAX_FILES][MTK_SHA256_LEN];
};

static int write_all(int fd, const uint8_t *p, uint64_t len)
{
	while (len) {
		size_t chunk = len > (1u << 30) ? (1u << 30) : (size_t)len;
		ssize_t n = write(fd, p, chunk);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (uint64_t)n;
	}
	return 0;
}

static int record(struct kit_ctx *c, const char *name, uint64_t size,
		  const uint8_t sha[MTK_SHA256_LEN])
{
	struct kit_written *w;

	if (c->res->n >= (int)(sizeof(c->res->files) / sizeof(c->res->files[0])))
		return -ENOSPC;
	w = &c->res->files[c->res->n++];
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->size = size;
	memcpy(w->sha256, sha, MTK_SHA256_LEN);
	return 0;
}

/* Opens a kit file for writing: its final name inside the temporary folder (which is renamed
 * as a whole), or NAME.part when writing in place. The fd stays open until finish_files()
 * fsyncs every file in one pass, so the disk writes of all files overlap. */
static int open_out(struct kit_ctx *c, const char *name)
{
	struct pending *p;
	int fd, ret;

	if (c->npending >= (int)(sizeof(c->pending) / sizeof(c->pending[0])))
		return -ENOSPC;
	p = &c->pending[c->npending];
	ret = path_join(p->path, c->dir, name);
	if (ret < 0)
		return ret;
	memcpy(p->tmp, p->path, strlen(p->path) + 1);
	if (c->in_place)
		strcat(p->tmp, ".part");
	fd = fs_create_tmp(p->tmp); /* exclusive, no-follow: a link in its place is removed */
	if (fd < 0)
		return fd;
	p->fd = fd;
	c->npending++;
	return fd;
}

/* Starts the write-back of what was just written (Linux), so fsync later mostly waits. */
static void start_writeback(int fd)
{
#ifdef SYNC_FILE_RANGE_WRITE
	sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
#endif
}

/* fsync + close every file, then (in place) rename NAME.part over NAME. */
static int finish_files(struct kit_ctx *c)
{
	int ret = 0;

	for (int i = 0; i < c->npending; i++) {
		struct pending *p = &c->pending[i];

		if (ret == 0 && fsync(p->fd) < 0)
			ret = -errno;
		if (close(p->fd) < 0 && ret == 0)
			ret = -errno;
		p->fd = -1;
	}
	for (int i = 0; ret == 0 && c->in_place && i < c->npending; i++)
		ret = fs_replace(c->pending[i].tmp, c->pending[i].path);
	return ret;
}

/* On failure: close what is open and (in place) remove the .part files. */
static void abort_files(struct kit_ctx *c)
{
	for (int i = 0; i < c->npending; i++) {
		if (c->pending[i].fd >= 0)
			close(c->pending[i].fd);
		if (c->in_place)
			remove(c->pending[i].tmp);
	}
	c->npending = 0;
}

/* One kit file from dump bytes (written straight from the mapping; hashed elsewhere). */
static int put_file(struct kit_ctx *c, const char *name, const uint8_t *data, uint64_t len)
{
	int fd = open_out(c, name), ret;

	if (fd < 0)
		return fd;
	ret = write_all(fd, data, len);
	if (ret < 0)
		return ret;
	start_writeback(fd);
	return 0;
}

/* SHA-256 of every planned file, straight from the dump; runs in a second thread while the
 * first one writes the same bytes. */
static void *hash_plan(void *arg)
{
	struct kit_ctx *c = arg;

	for (int i = 0; i < c->plan.n; i++)
		mtk_sha256(c->l->data + c->plan.f[i].offset, (size_t)c->plan.f[i].length,
			   c->plan_sha[i]);
	return NULL;
}

int fw_hash_file(const char *path, uint8_t sha[MTK_SHA256_LEN], uint64_t *size)
{
	struct mtk_sha256_ctx h;
	uint8_t buf[1 << 16];
	uint64_t limit;
	FILE *f;
	size_t n;
	int ret, fd;

	/* regular files only (a link to /dev/zero or a FIFO would never end), and never more
	 * than the size the file had when it was opened */
	fd = fs_open_input(path, &limit);
	if (fd < 0)
		return fd;
	f = fdopen(fd, "rb");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	*size = 0;
	mtk_sha256_init(&h);
	while (*size < limit &&
	       (n = fread(buf, 1,
			  limit - *size < sizeof(buf) ? (size_t)(limit - *size) : sizeof(buf), f)) >
		   0) {
		mtk_sha256_update(&h, buf, n);
		*size += n;
	}
	ret = ferror(f) ? -EIO : 0;
	fclose(f);
	mtk_sha256_final(&h, sha);
	return ret;
}

static int hash_existing(const char *dir, const char *name, uint8_t sha[MTK_SHA256_LEN],
			 uint64_t *size)
{
	char path[MTK_PATH_MAX];
	int ret = path_join(path, dir, name);

	return ret < 0 ? ret : fw_hash_file(path, sha, size);
}

typedef void (*render_fn)(struct kit_ctx *c, FILE *f);

/* Small generated files (cfg, reports): rendered into the file, then hashed back. */
static int put_rendered(struct kit_ctx *c, const char *name, render_fn render)
{
	uint8_t sha[MTK_SHA256_LEN];
	uint64_t size;
	FILE *f;
	int fd = open_out(c, name), ret = 0;

	if (fd < 0)
		return fd;
	f = fdopen(dup(fd), "wb");
	if (!f)
		return -errno;
	render(c, f);
	if (fflush(f) != 0 || ferror(f))
		ret = -EIO;
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	if (ret < 0)
		return ret;
	ret = fw_hash_file(c->pending[c->npending - 1].tmp, sha, &size);
	if (ret < 0)
		return ret;
	return record(c, name, size, sha);
}

static void report_header(struct kit_ctx *c, FILE *f)
{
	const char *dump = c->o->dump_name ? c->o->dump_name : "dump";

	fprintf(f, "mtkbak %s report for %s (%llu bytes)\n", MTKBAK_VERSION, dump,
		(unsigned long long)c->l->dump_len);
	if (c->res->damaged) {
		fprintf(f, "DAMAGED: this kit was written with --force although these checks "
			   "failed:");
		for (int i = 0; i < c->fs->n; i++)
			if (c->fs->f[i].unsafe)
				fprintf(f, " %s", c->fs->f[i].name);
		fprintf(f, ". Do not flash it unless you know why.\n");
	}
}

static void render_cfg(struct kit_ctx *c, FILE *f)
{
	cfg_write(c->l, &c->plan, c->o, c->res->damaged, f);
}

static void render_report_txt(struct kit_ctx *c, FILE *f)
{
	report_header(c, f);
	report_text(c->fs, f);
	fprintf(f, "kit (%s):", c->plan.cfg_name);
	for (int i = 0; i < c->res->n; i++)
		fprintf(f, " %s", c->res->files[i].name);
	fprintf(f, " report.txt report.json SHA256SUMS\n");
}

static void render_report_json(struct kit_ctx *c, FILE *f)
{
	struct jw w;

	jw_init(&w, f, true);
	kit_report_json(c->l, c->fs, c->o, c->final_dir, c->res, &w);
	jw_end_line(&w);
}

/* `sha256sum -c SHA256SUMS` format, over everything written and, in place, the caller's own
 * files (e.g. readback.bin) */
static void render_sums(struct kit_ctx *c, FILE *f)
{
	char hex[2 * MTK_SHA256_LEN + 1];

	for (int i = 0; i < c->res->n; i++) {
		mtk_hex(c->res->files[i].sha256, MTK_SHA256_LEN, hex);
		fprintf(f, "%s  %s\n", hex, c->res->files[i].name);
	}
	for (int i = 0; c->in_place && i < c->o->n_extra; i++) {
		uint8_t sha[MTK_SHA256_LEN];
		uint64_t size;

		if (hash_existing(c->dir, c->o->extra_files[i], sha, &size) < 0) {
			c->extra_err = -ENOENT;
			continue;
		}
		mtk_hex(sha, MTK_SHA256_LEN, hex);
		fprintf(f, "%s  %s\n", hex, c->o->extra_files[i]);
	}
}

static int write_contents(struct kit_ctx *c)
{
	const struct kit_plan *p = &c->plan;
	pthread_t hasher;
	bool threaded = pthread_create(&hasher, NULL, hash_plan, c) == 0;
	int ret = 0;

	for (int i = 0; ret == 0 && i < p->n; i++)
		ret = put_file(c, p->f[i].name, c->l->data + p->f[i].offset, p->f[i].length);
	if (threaded)
		pthread_join(hasher, NULL);
	else
		hash_plan(c);
	for (int i = 0; ret == 0 && i < p->n; i++)
		ret = record(c, p->f[i].name, p->f[i].length, c->plan_sha[i]);
	if (ret == 0)
		ret = put_rendered(c, p->cfg_name, render_cfg);
	if (ret == 0)
		ret = put_rendered(c, "report.txt", render_report_txt);
	if (ret == 0)
		ret = put_rendered(c, "report.json", render_report_json);
	if (ret == 0)
		ret = put_rendered(c, "SHA256SUMS", render_sums);
	if (ret == 0)
		ret = c->extra_err;
	if (ret == 0)
		ret = finish_files(c);
	if (ret < 0)
		abort_files(c);
	return ret;
}

static int split_path(const char *dir, char *parent, char *base)
{
	int ret = path_split(dir, parent, MTK_PATH_MAX, base, MTK_PATH_MAX);

	if (ret < 0)
		return ret == -ENAMETOOLONG ? ret : -EINVAL;
	if (!base[0] || !strcmp(base, ".") || !strcmp(base, ".."))
		return -EINVAL;
	return 0;
}

/* A fresh folder next to DIR: ".BASE.TAG-<pid><n>" (mkdtemp is not on every platform). */
static int temp_dir(const char *parent, const char *base, const char *tag, char *out)
{
	for (unsigned attempt = 0; attempt < 100; attempt++) {
		char name[MTK_PATH_MAX];
		int n = snprintf(name, sizeof(name), ".%s.%s-%lx%02x", base, tag,
				 (unsigned long)getpid(), attempt);

		if (n < 0 || n >= MTK_PATH_MAX || path_join(out, parent, name) < 0)
			return -ENAMETOOLONG;
#ifdef _WIN32
		if (_mkdir(out) == 0)
#else
		if (mkdir(out, 0700) == 0)
#endif
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

static int write_via_temp(struct kit_ctx *c, const char *dir)
{
	char parent[MTK_PATH_MAX], base[MTK_PATH_MAX], tmp[MTK_PATH_MAX], old[MTK_PATH_MAX];
	struct stat st;
	bool exists;
	int ret;

	ret = split_path(dir, parent, base);
	if (ret < 0)
		return ret;
	exists = stat(dir, &st) == 0;
	if (exists && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (exists) {
		ret = dir_nonempty(dir);
		if (ret < 0)
			return ret;
		if (ret > 0 && !c->o->force)
			return -EEXIST;
	}
	ret = mkdir_p(parent, 0755);
	if (ret < 0)
		return ret;
	ret = temp_dir(parent, base, "mtkbak", tmp);
	if (ret < 0)
		return ret;
	snprintf(c->dir, sizeof(c->dir), "%s", tmp);
	ret = write_contents(c);
	if (ret == 0)
		ret = fsync_dir(tmp);
	if (ret < 0)
		goto fail;
	chmod(tmp, 0755); /* made 0700 until it is complete */

	if (exists && dir_nonempty(dir) > 0) {
		/* --force: move the old folder aside, put the new one in, then delete the old */
		ret = temp_dir(parent, base, "old", old);
		if (ret < 0)
			goto fail;
		rmdir(old);
		if (rename(dir, old) < 0) {
			ret = -errno;
			goto fail;
		}
		if (rename(tmp, dir) < 0) {
			ret = -errno;
			rename(old, dir);
			goto fail;
		}
		rm_rf(old);
	} else {
		if (exists)
			rmdir(dir);
		if (rename(tmp, dir) < 0) {
			ret = -errno;
			goto fail;
		}
	}
	fsync_dir(parent);
	return 0;
fail:
	rm_rf(tmp);
	return ret;
}

static int kit_write_raw(const struct fw_layout *l, const struct fw_findings *fs, const char *dir,
			 const struct kit_opts *o, struct kit_result *res)
{
	static const struct kit_opts defaults;
	struct kit_result local;
	struct kit_ctx *c;
	int ret;

	if (!l || !fs || !dir || !*dir)
		return -EINVAL;
	if (!o)
		o = &defaults;
	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	if (!fs->kit_safe && !o->force)
		return -EBADMSG;
	if (o->platform && strpbrk(o->platform, "/\\ \t\n"))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->l = l;
	c->fs = fs;
	c->o = o;
	c->res = res;
	c->final_dir = dir;
	res->damaged = !fs->kit_safe;
	kit_plan_make(l, o, &c->plan);
	if (o->in_place) {
		c->in_place = true;
		ret = mkdir_p(dir, 0755);
		if (ret == 0) {
			snprintf(c->dir, sizeof(c->dir), "%s", dir);
			ret = write_contents(c);
		}
		if (ret == 0)
			ret = fsync_dir(dir);
	} else {
		ret = write_via_temp(c, dir);
	}
	free(c);
	return ret;
}

void kit_report_json(const struct fw_layout *l, const struct fw_findings *fs,
		     const struct kit_opts *o, const char *dir, const struct kit_result *res,
		     struct jw *w)
{
	struct kit_plan plan;

	kit_plan_make(l, o, &plan);
	jw_obj_begin(w);
	report_json_fields(l, fs, o && o->dump_name ? o->dump_name : "dump", w);
	jw_key(w, "kit");
	jw_obj_begin(w);
	jw_kstr(w, "dir", dir);
	jw_kstr(w, "cfg", plan.cfg_name);
	jw_kstr(w, "platform", plan.platform);
	jw_kstr(w, "memory_type", o && o->memory_type ? o->memory_type : KIT_DEFAULT_MEMORY_TYPE);
	jw_kbool(w, "written", res != NULL);
	jw_kbool(w, "damaged", res ? res->damaged : !fs->kit_safe);
	jw_key(w, "files");
	jw_arr_begin(w);
	for (int i = 0; res && i < res->n; i++) {
		char hex[2 * MTK_SHA256_LEN + 1];

		mtk_hex(res->files[i].sha256, MTK_SHA256_LEN, hex);
		jw_obj_begin(w);
		jw_kstr(w, "name", res->files[i].name);
		jw_kuint(w, "size", res->files[i].size);
		jw_kstr(w, "sha256", hex);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

/* Every file-system error of writing the kit is an output-file error (errors.h). */
int kit_write(const struct fw_layout *l, const struct fw_findings *fs, const char *dir,
	      const struct kit_opts *o, struct kit_result *res)
{
	return mtk_output_err(kit_write_raw(l, fs, dir, o, res));
}
