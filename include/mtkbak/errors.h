/* Error convention of every mtkbak layer.
 *
 * Functions return >= 0 on success and a negative errno-style code on failure; only main() exits.
 * The codes and their meaning across the project:
 *   -ENODEV     no device, or the device went away (cable pulled, watch rebooted)
 *   -EBUSY      the device is held by another driver or program
 *   -EACCES     no permission to open the device (udev rules)
 *   -ETIMEDOUT  the device did not answer before the deadline
 *   -EIO        a transfer failed at the transport level
 *   -EPROTO     protocol violation: wrong echo, garbage, impossible length from the device
 *   -EREMOTEIO  the device answered with an error status (the layer keeps the status for the
 * message) -EPERM      the part is secure and refuses unsigned code (BROM status 0x1D0D) -EBADMSG
 * data failed an integrity check (CRC, SHA-1, checksum) after the allowed retries -EINVAL     bad
 * argument or option;  -ENOENT file not found;  -EEXIST output exists (no --force) -ENOSPC / -EROFS
 * / other file errors are passed through from the OS -ENOTSUP    an unsupported chip (unknown hw
 * code) or feature -EINTR      the user interrupted (Ctrl-C) -MTK_EAMBIGUOUS  more than one watch
 * matches: the user must choose one with --port
 */
#ifndef MTKBAK_ERRORS_H
#define MTKBAK_ERRORS_H

#include <errno.h>

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
#define MTK_ELOCKED    4002 /* an output file is locked by another running mtkbak */
#define MTK_EUNSAFE    4003 /* an output's temporary is a link, not a regular file, or not ours */

/* sysexits-style exit codes used by main() */
enum mtk_exit {
	MTK_EXIT_OK = 0,
	MTK_EXIT_VERIFY = 1,	   /* the dump or kit failed verification */
	MTK_EXIT_USAGE = 2,	   /* bad command line */
	MTK_EXIT_DATAERR = 65,	   /* input data malformed */
	MTK_EXIT_NOINPUT = 66,	   /* input file missing or unreadable */
	MTK_EXIT_UNAVAILABLE = 69, /* no device before --timeout, or device busy */
	MTK_EXIT_SOFTWARE = 70,	   /* internal error */
	MTK_EXIT_CANTCREAT = 73,   /* cannot create the output */
	MTK_EXIT_IOERR = 74,	   /* I/O error (transport or file) */
	MTK_EXIT_TEMPFAIL = 75,	   /* timed out in the middle of a transfer */
	MTK_EXIT_PROTOCOL = 76,	   /* the device broke the protocol or returned an error status */
	MTK_EXIT_NOPERM = 77,	   /* permission denied, or a secure part */
	MTK_EXIT_INTERRUPTED = 130 /* Ctrl-C */
};

/* A short text for a negative code (mtk codes and errno). */
const char *mtk_strerror(int err);
/* The exit code main() uses for a negative code. */
int mtk_exit_code(int err);

#endif
