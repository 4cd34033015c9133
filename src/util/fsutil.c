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
#include <windows.h>
#define fsync	 _commit
#define lstat	 stat
#define PATH_WIN true
#else
#define PATH_WIN false
#include <sys/file.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif
#endif
#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0 /* Windows: no symlinks to follow in the CRT */
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif
#ifndef O_NONBLOCK
#define O_NONBLOCK 0
#endif
#ifndef O_BINARY
#define O_BINARY 0
#endif

/* A file we are about to write into: a regular file of this user with a single name. */
static int check_ours(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -MTK_EUNSAFE;
#ifndef _WIN32
	if (st.st_uid != geteuid() || st.st_nlink != 1)
		return -MTK_EUNSAFE;
#endif
	return 0;
}

int fs_open_part(const char *path, bool *created)
{
	int fd, ret;

	*created = false;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_BINARY, 0644);
	if (fd >= 0) {
		*created = true;
	} else if (errno == EEXIST) {
		fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_BINARY);
		if (fd < 0)
			return errno == ELOOP ? -MTK_EUNSAFE : -errno;
	} else {
		return -errno;
	}
	if ((ret = check_ours(fd)) < 0) {
		close(fd);
		return ret;
	}
#ifndef _WIN32
	{
		int fl = fcntl(fd, F_GETFL);

		if (fl >= 0)
			fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	}
#endif
	return fd;
}

int fs_create_tmp(const char *path)
{
	int fd;

	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_BINARY, 0644);
	if (fd < 0)
		return errno == EEXIST ? -MTK_EUNSAFE : -errno; /* someone raced us to the name */
	return fd;
}

#ifndef _WIN32
int fs_same_file(const char *path, int fd)
{
	struct stat a, b;

	if (lstat(path, &a) < 0)
		return -errno;
	if (fstat(fd, &b) < 0)
		return -errno;
	return S_ISREG(a.st_mode) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}
#endif

int fs_lock(int fd)
{
#ifdef _WIN32
	OVERLAPPED ov;
	HANDLE h = (HANDLE)_get_osfhandle(fd);

	memset(&ov, 0, sizeof(ov));
	if (h == INVALID_HANDLE_VALUE)
		return -EBADF;
	if (!LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, MAXDWORD,
			MAXDWORD, &ov))
		return GetLastError() == ERROR_LOCK_VIOLATION ? -MTK_ELOCKED : -EIO;
	return 0;
#else
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	return errno == EWOULDBLOCK ? -MTK_ELOCKED : -errno;
#endif
}

int fs_rename_noreplace(const char *from, const char *to)
{
#ifdef _WIN32
	/* MoveFileEx without MOVEFILE_REPLACE_EXISTING never replaces */
	if (MoveFileExA(from, to, MOVEFILE_WRITE_THROUGH))
		return 0;
	return GetLastError() == ERROR_ALREADY_EXISTS || GetLastError() == ERROR_FILE_EXISTS
		   ? -EEXIST
		   : -EIO;
#else
#if defined(__linux__) && defined(SYS_renameat2)
	if (syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, 1 /* RENAME_NOREPLACE */) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return -errno;
#endif
	/* link() never replaces: then drop the old name */
	if (link(from, to) < 0)
		return -errno;
	if (unlink(from) < 0)
		return -errno;
	return 0;
#endif
}

int fs_open_input(const char *path, uint64_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_BINARY);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
#ifndef _WIN32
	{
		int fl = fcntl(fd, F_GETFL);

		if (fl >= 0)
			fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	}
#endif
	*size = (uint64_t)st.st_size;
	return fd;
}

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
	int n, fd;

	memset(af, 0, sizeof(*af));
	if (strlen(path) >= MTK_PATH_MAX)
		return -ENAMETOOLONG;
	strcpy(af->path, path);
	n = snprintf(af->tmp_path, sizeof(af->tmp_path), "%s.part", path);
	if (n < 0 || n >= (int)sizeof(af->tmp_path))
		return -ENAMETOOLONG;
	af->force = force;
	if (!force && stat(path, &st) == 0)
		return -EEXIST;
	fd = fs_create_tmp(af->tmp_path);
	if (fd < 0)
		return fd;
	af->f = fdopen(fd, "wb");
	if (!af->f) {
		close(fd);
		unlink(af->tmp_path);
		return -ENOMEM;
	}
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
	if (af->force)
		ret = fs_replace(af->tmp_path, af->path);
	else
		ret = fs_rename_noreplace(af->tmp_path, af->path);
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
	uint64_t size;
	int fd = fs_open_input(path, &size);
	FILE *f;
	uint8_t *p = NULL;
	size_t cap = 0, n = 0;
	int ret = 0;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return fd;
	if (size > max) {
		close(fd);
		return -EFBIG;
	}
	f = fdopen(fd, "rb");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
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
