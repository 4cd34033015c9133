/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mtkbak/fsutil.h"
#include "mtkbak/errors.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef _WIN32
#include <direct.h>
#include <io.h>
#define fsync	 _commit
#define lstat	 stat
#define PATH_WIN true
#else
#define PATH_WIN false
#endif

int path_join(char *out, const char *dir, const char *name)
{
	int n;

	if (!dir || !*dir)
		n = snprintf(out, MTK_PATH_MAX, "%s", name);
	else
		n = snprintf(out, MTK_PATH_MAX, "%s%s%s", dir,
			     path_needs_sep_style(dir, PATH_WIN) ? "/" : "", name);
	if (n < 0 || n >= MTK_PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

static int parent_dir(const char *path, char *out)
{
	return path_split(path, out, MTK_PATH_MAX, NULL, 0);
}

static int fsync_dir_raw(const char *dir)
{
#ifdef _WIN32
	(void)dir;
	return 0;
#else
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS)
		ret = -errno;
	close(fd);
	return ret;
#endif
}

int fsync_dir(const char *dir)
{
	return mtk_output_err(fsync_dir_raw(dir));
}

static int atomic_open_raw(struct atomic_file *af, const char *path, bool force)
{
	struct stat st;
	int n;

	memset(af, 0, sizeof(*af));
	if (strlen(path) >= MTK_PATH_MAX)
		return -ENAMETOOLONG;
	strcpy(af->path, path);
	n = snprintf(af->tmp_path, sizeof(af->tmp_path), "%s.part", path);
	if (n < 0 || n >= (int)sizeof(af->tmp_path))
		return -ENAMETOOLONG;
	if (!force && stat(path, &st) == 0)
		return -EEXIST;
	af->f = fopen(af->tmp_path, "wb");
	if (!af->f)
		return -errno;
	return 0;
}

int atomic_open(struct atomic_file *af, const char *path, bool force)
{
	return mtk_output_err(atomic_open_raw(af, path, force));
}

static int atomic_commit_raw(struct atomic_file *af)
{
	char dir[MTK_PATH_MAX];
	int ret = 0;

	if (!af->f)
		return -EINVAL;
	if (fflush(af->f) != 0 || ferror(af->f))
		ret = -EIO;
	else if (fsync(fileno(af->f)) < 0)
		ret = -errno;
	if (fclose(af->f) != 0 && ret == 0)
		ret = -errno;
	af->f = NULL;
	if (ret < 0) {
		remove(af->tmp_path);
		return ret;
	}
	ret = fs_replace(af->tmp_path, af->path);
	if (ret < 0) {
		remove(af->tmp_path);
		return ret;
	}
	if (parent_dir(af->path, dir) == 0)
		fsync_dir(dir);
	return 0;
}

int atomic_commit(struct atomic_file *af)
{
	return mtk_output_err(atomic_commit_raw(af));
}

void atomic_abort(struct atomic_file *af)
{
	if (af->f) {
		fclose(af->f);
		af->f = NULL;
	}
	if (af->tmp_path[0])
		remove(af->tmp_path);
}

int atomic_write_file(const char *path, const void *data, size_t len, bool force)
{
	struct atomic_file af;
	int ret = atomic_open(&af, path, force);

	if (ret < 0)
		return ret;
	if (len && fwrite(data, 1, len, af.f) != len) {
		ret = mtk_output_err(errno ? -errno : -EIO);
		atomic_abort(&af);
		return ret;
	}
	return atomic_commit(&af);
}

static int read_whole_file_raw(const char *path, uint8_t **buf, size_t *len, size_t max)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	size_t cap = 0, n = 0;
	int ret = 0;

	*buf = NULL;
	*len = 0;
	if (!f)
		return -errno;
	for (;;) {
		size_t got;

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1 << 16;
			uint8_t *np;

			if (cap > max) {
				ret = -EFBIG;
				break;
			}
			np = realloc(p, ncap);
			if (!np) {
				ret = -ENOMEM;
				break;
			}
			p = np;
			cap = ncap;
		}
		got = fread(p + n, 1, cap - n, f);
		n += got;
		if (n > max) {
			ret = -EFBIG;
			break;
		}
		if (got == 0) {
			if (ferror(f))
				ret = -EIO;
			break;
		}
	}
	fclose(f);
	if (ret < 0) {
		free(p);
		return ret;
	}
	*buf = p;
	*len = n;
	return 0;
}

int read_whole_file(const char *path, uint8_t **buf, size_t *len, size_t max)
{
	return mtk_input_err(read_whole_file_raw(path, buf, len, max));
}

static int mkdir_p_raw(const char *path, unsigned mode)
{
	char tmp[MTK_PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(tmp))
		return -EINVAL;
	strcpy(tmp, path);
	for (size_t i = path_root_len(tmp) + 1; i <= len; i++) {
		if (path_is_sep(tmp[i]) || tmp[i] == '\0') {
			char c = tmp[i];

			tmp[i] = '\0';
#ifdef _WIN32
			if (_mkdir(tmp) < 0 && errno != EEXIST)
#else
			if (mkdir(tmp, (mode_t)mode) < 0 && errno != EEXIST)
#endif
				return -errno;
			tmp[i] = c;
		}
	}
	return 0;
}

int mkdir_p(const char *path, unsigned mode)
{
	return mtk_output_err(mkdir_p_raw(path, mode));
}

int dir_nonempty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			found = 1;
			break;
		}
	}
	closedir(d);
	return found;
}

int rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int ret = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return remove(path) < 0 ? -errno : 0;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		char child[MTK_PATH_MAX];

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (path_join(child, path, e->d_name) < 0) {
			ret = -ENAMETOOLONG;
			continue;
		}
		int r = rm_rf(child);
		if (r < 0)
			ret = r;
	}
	closedir(d);
	if (rmdir(path) < 0 && ret == 0)
		ret = -errno;
	return ret;
}
