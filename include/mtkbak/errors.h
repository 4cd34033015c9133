/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Error convention of every mtkbak layer.
 *
 * Functions return >= 0 on success and a negative errno-style code on failure; only main()
 * exits. The codes and what they mean across the project (the exit code main() makes of each
 * is in mtk_exit_code(); every one of them is listed here):
 */
/* clang-format off */
/*
 *   code             meaning                                                        exit
 *   -ENODEV          no device, or the device went away (cable pulled, reset)         69
 *   -EBUSY           the device is held by another driver or program                   69
 *   -EACCES          no permission to open the device (udev rules)                     77
 *   -EPERM           the part is secure and refuses unsigned code (BROM_ST_SECURE)     77
 *   -ETIMEDOUT       the device did not answer before the deadline                     75
 *   -EIO             a transfer failed at the transport level                          74
 *   -EPROTO          protocol violation: wrong echo, garbage, impossible length        76
 *   -EREMOTEIO       the device answered with an error status (kept for the message)   76
 *   -ENOTSUP         an unsupported chip (unknown hw code) or feature                  76
 *   -EBADMSG         data failed an integrity check (CRC, SHA-1, checksum) after the
 *                    allowed retries                                                    1
 *   -EINVAL          bad argument or option                                             2
 *   -MTK_EAMBIGUOUS  more than one watch matches: the user must choose with --port      2
 *   -MTK_EDATA       input data malformed (a sim: image of an impossible size, a file
 *                    far too large to be a flash readback)                             65
 *   -ENOENT          a file not found (an input)                                       66
 *   -EEXIST          the output exists (no --force)                                    73
 *   -MTK_ELOCKED     the output is locked by another running mtkbak                    73
 *   -MTK_EUNSAFE     an output's temporary is a link, not a regular file, or not ours  73
 *   -ENOMEM          out of memory                                                     70
 *   -EINTR           the user interrupted (Ctrl-C)                                    130
 *   anything else    passed through from the OS                                        74
 *
 * File errors are told apart from device errors at their source: the code that opens,
 * writes, syncs or renames a file the user named (or one mtkbak creates for them) tags the
 * errno with mtk_input_err() or mtk_output_err(). The tag survives every layer, so
 * mtk_strerror() names the OS error (EPERM on a file is not "a secure part"), the CLI gives a
 * file hint instead of a USB one, and the exit code follows sysexits:
 *
 *   input file  (a dump, a sim: image, a record):  EIO -> 74, EFBIG -> 65, other -> 66
 *   output file (the readback, the kit, a record):  ENOSPC, EDQUOT, EIO, EFBIG -> 74,
 *                                                   other (EACCES, EROFS, ENOENT, ENOTDIR,
 *                                                   EEXIST, ...) -> 73
 *
 * Exit codes (sysexits.h meanings):
 *    0  success                           69  no watch (in time), it went away, or busy
 *    1  the dump or kit failed checks     70  internal error (out of memory)
 *    2  usage error                       73  the output cannot be created, or it exists
 *   65  input data malformed              74  I/O error (a device transfer, a full disk)
 *   66  an input file cannot be read      75  the watch stopped answering mid-transfer
 *   76  protocol error / error status     77  permission denied (udev rules), secure part
 *  130  interrupted (Ctrl-C)
 */
/* clang-format on */
#ifndef MTKBAK_ERRORS_H
#define MTKBAK_ERRORS_H

#include <errno.h>
#include <stdbool.h>

#include "mtkbak/printf_attr.h"

#ifndef EREMOTEIO
#define EREMOTEIO 121
#endif
#ifndef EBADMSG
#define EBADMSG 74
#endif
#ifndef EPROTO
#define EPROTO 71
#endif

#ifndef EDQUOT
#define EDQUOT 122
#endif

#define MTK_EAMBIGUOUS 4001
#define MTK_EDATA      4002
#define MTK_ELOCKED    4003 /* an output file is locked by another running mtkbak */
#define MTK_EUNSAFE    4004 /* an output's temporary is a link, not a regular file, or not ours */

/* Tags of a file error (see above); plain codes stay below MTK_EFILE_IN. */
#define MTK_EFILE_IN   0x10000
#define MTK_EFILE_OUT  0x20000
#define MTK_EFILE_MASK (MTK_EFILE_IN | MTK_EFILE_OUT)

/* These codes are never file errors and are never tagged. */
static inline bool mtk_err_untaggable(int err)
{
	return err == -ENOMEM || err == -EINTR || err == -EINVAL || err == -EBADMSG ||
	       err == -MTK_EAMBIGUOUS || err == -MTK_EDATA || err == -MTK_ELOCKED ||
	       err == -MTK_EUNSAFE;
}

/* err (a negative errno from a file operation on an input) tagged as an input-file error;
 * >= 0, already tagged and untaggable codes are returned unchanged. */
static inline int mtk_input_err(int err)
{
	if (err >= 0 || (-err & MTK_EFILE_MASK) || mtk_err_untaggable(err))
		return err;
	return -(-err | MTK_EFILE_IN);
}

/* The same for an output file or folder. */
static inline int mtk_output_err(int err)
{
	if (err >= 0 || (-err & MTK_EFILE_MASK) || mtk_err_untaggable(err))
		return err;
	return -(-err | MTK_EFILE_OUT);
}

/* The plain negative code without its file tag (for comparisons: mtk_errno(r) == -EEXIST). */
static inline int mtk_errno(int err)
{
	return err < 0 ? -(-err & ~MTK_EFILE_MASK) : err;
}

/* MTK_EFILE_IN, MTK_EFILE_OUT, or 0 for a device (or other) error. */
static inline int mtk_file_kind(int err)
{
	return err < 0 ? -err & MTK_EFILE_MASK : 0;
}

/* sysexits-style exit codes used by main() */
enum mtk_exit {
	MTK_EXIT_OK = 0,
	MTK_EXIT_VERIFY = 1,	   /* the dump or kit failed verification */
	MTK_EXIT_USAGE = 2,	   /* bad command line */
	MTK_EXIT_DATAERR = 65,	   /* input data malformed */
	MTK_EXIT_NOINPUT = 66,	   /* input file missing or unreadable */
	MTK_EXIT_UNAVAILABLE = 69, /* no device before --timeout, or device busy */
	MTK_EXIT_SOFTWARE = 70,	   /* internal error */
	MTK_EXIT_CANTCREAT = 73,   /* cannot create the output, or it exists */
	MTK_EXIT_IOERR = 74,	   /* I/O error (transport, or a full disk) */
	MTK_EXIT_TEMPFAIL = 75,	   /* timed out in the middle of a transfer */
	MTK_EXIT_PROTOCOL = 76,	   /* the device broke the protocol or returned an error status */
	MTK_EXIT_NOPERM = 77,	   /* permission denied, or a secure part */
	MTK_EXIT_INTERRUPTED = 130 /* Ctrl-C */
};

/* A short text for a negative code (mtk codes and errno; a file error names the OS error). */
const char *mtk_strerror(int err);
/* The exit code main() uses for a negative code (the table above). */
int mtk_exit_code(int err);

#endif
