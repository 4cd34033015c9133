/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Safe output files: write to NAME.part, fsync, rename; never clobber without force. */
#ifndef MTKBAK_FSUTIL_H
#define MTKBAK_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MTK_PATH_MAX 4096

struct atomic_file {
	char path[MTK_PATH_MAX];     /* final name */
	char tmp_path[MTK_PATH_MAX]; /* NAME.part */
	FILE *f;
	bool force; /* replace PATH at commit; else the commit fails with -EEXIST if it appeared */
};

/* Opens PATH.part for writing. -EEXIST when PATH exists and !force. */
int atomic_open(struct atomic_file *af, const char *path, bool force);
/* Flushes, fsyncs, renames over PATH and fsyncs the folder. Closes af either way. */
int atomic_commit(struct atomic_file *af);
/* Closes and removes the .part file. */
void atomic_abort(struct atomic_file *af);
/* Writes a whole buffer atomically. */
int atomic_write_file(const char *path, const void *data, size_t len, bool force);

/* ---- output files that nobody else can aim or share ---- */
/* Opens PATH (read-write, created 0644 when missing; never truncated) without following a
 * symlink, and checks it is a regular file of this user with one name: else MTK_EUNSAFE.
 * *created says whether this call made it. */
int fs_open_part(const char *path, bool *created);
/* Creates PATH exclusively (O_EXCL, no symlink followed) after removing what is there
 * (an old temporary, or a link someone put in its place: the link goes, its target stays). */
int fs_create_tmp(const char *path);
/* Exclusive advisory lock on fd (flock; LockFileEx on Windows), not waiting: MTK_ELOCKED when
 * another process holds it. Released when fd is closed. */
int fs_lock(int fd);
/* 1 when path names a regular file that is the open file fd (not a link, not another file
 * swapped in), 0 when not, negative when path cannot be looked at. POSIX: device and inode;
 * Windows: volume serial number and file index. */
int fs_same_file(const char *path, int fd);
/* rename() that does not replace an existing TO (renameat2 RENAME_NOREPLACE on Linux; a hard
 * link + unlink elsewhere, or when the file system lacks it): -EEXIST when TO exists. */
int fs_rename_noreplace(const char *from, const char *to);
/* Opens an input for reading only if it is a regular file (no FIFO, device or a link to one:
 * never blocks in open); -EINVAL otherwise. *size is its size. */
int fs_open_input(const char *path, uint64_t *size);

/* fsync() on a folder so a rename inside it is durable (no-op where unsupported). */
int fsync_dir(const char *dir);
/* Reads a whole file (at most max bytes, else -EFBIG). Caller frees *buf. */
int read_whole_file(const char *path, uint8_t **buf, size_t *len, size_t max);
/* mkdir -p */
int mkdir_p(const char *path, unsigned mode);
/* 1 if DIR exists and holds at least one entry, 0 if empty or missing, <0 on error. */
int dir_nonempty(const char *dir);
/* Removes DIR and everything below it (used for temporary folders). */
int rm_rf(const char *path);
/* Joins dir and name into out (size MTK_PATH_MAX); -ENAMETOOLONG when it does not fit. */
int path_join(char *out, const char *dir, const char *name);

/* Paths of this system: '/' everywhere; on Windows also '\', "C:\", "C:" and "\\srv\share\"
 * (src/util/path.c; the _style variants take the style explicitly, for tests). */
bool path_is_sep(char c);
/* Length of the root prefix: 0 (relative), 1 ("/"), 2 ("C:"), 3 ("C:\"), or the UNC share. */
size_t path_root_len(const char *path);
size_t path_root_len_style(const char *path, bool win);
/* Splits PATH (trailing separators ignored) into its folder ("." when none, "/", "C:\", "C:."
 * for "C:kit") and its last component; either output may be NULL. */
int path_split(const char *path, char *parent, size_t plen, char *base, size_t blen);
int path_split_style(const char *path, bool win, char *parent, size_t plen, char *base,
		     size_t blen);
/* Whether path_join must put a separator between DIR and a name. */
bool path_needs_sep_style(const char *dir, bool win);
/* A file name with no folder part: no separator of this system (nor a drive on Windows), not
 * "." or "..". For names read from untrusted files (SHA256SUMS). */
bool path_is_plain_name(const char *name);
/* rename() that replaces TO when it exists, on every system (msvcrt's rename refuses to). On
 * Windows fs_replace also waits until the rename is on disk; fs_replace_nosync does not (for
 * files rewritten often whose loss a rerun detects, like the progress record). */
int fs_replace(const char *from, const char *to);
int fs_replace_nosync(const char *from, const char *to);

#endif
