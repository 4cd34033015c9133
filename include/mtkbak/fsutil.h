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
};

/* Opens PATH.part for writing. -EEXIST when PATH exists and !force. */
int atomic_open(struct atomic_file *af, const char *path, bool force);
/* Flushes, fsyncs, renames over PATH and fsyncs the folder. Closes af either way. */
int atomic_commit(struct atomic_file *af);
/* Closes and removes the .part file. */
void atomic_abort(struct atomic_file *af);
/* Writes a whole buffer atomically. */
int atomic_write_file(const char *path, const void *data, size_t len, bool force);

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

#endif
