/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Texts and exit codes of the error convention (include/mtkbak/errors.h). */
#include "mtkbak/errors.h"

#include <string.h>

const char *mtk_strerror(int err)
{
	if (err >= 0)
		return "success";
	if (mtk_file_kind(err)) {
		switch (-mtk_errno(err)) {
		case EACCES:
		case EPERM:
			return "permission denied";
		case ENOSPC:
			return "no space left on the disk";
		default:
			return strerror(-mtk_errno(err));
		}
	}
	switch (-err) {
	case MTK_EAMBIGUOUS:
		return "more than one watch matches";
	case MTK_EDATA:
		return "the input data is malformed";
	case MTK_ELOCKED:
		return "in use by another mtkbak";
	case MTK_EUNSAFE:
		return "not a regular file of this user (a link?): refusing to write through it";
	case ENODEV:
		return "no device (or it went away)";
	case EBUSY:
		return "device busy (held by another driver or program)";
	case EACCES:
		return "permission denied";
	case ETIMEDOUT:
		return "the device did not answer in time";
	case EIO:
		return "I/O error";
	case EPROTO:
		return "protocol error";
	case EREMOTEIO:
		return "the device reported an error";
	case EPERM:
		return "refused by a secure part";
	case EBADMSG:
		return "integrity check failed";
	case EINTR:
		return "interrupted";
	case ENOTSUP:
		return "unsupported chip or feature";
	default:
		return strerror(-err);
	}
}

static int file_exit_code(int kind, int e)
{
	if (kind == MTK_EFILE_IN)
		return e == EIO ? MTK_EXIT_IOERR : e == EFBIG ? MTK_EXIT_DATAERR : MTK_EXIT_NOINPUT;
	switch (e) {
	case ENOSPC:
	case EDQUOT:
	case EIO:
	case EFBIG:
		return MTK_EXIT_IOERR;
	default:
		return MTK_EXIT_CANTCREAT;
	}
}

int mtk_exit_code(int err)
{
	if (err >= 0)
		return MTK_EXIT_OK;
	if (mtk_file_kind(err))
		return file_exit_code(mtk_file_kind(err), -mtk_errno(err));
	switch (-err) {
	case MTK_EAMBIGUOUS:
	case EINVAL:
		return MTK_EXIT_USAGE;
	case MTK_EDATA:
		return MTK_EXIT_DATAERR;
	case ENODEV:
	case EBUSY:
		return MTK_EXIT_UNAVAILABLE;
	case EACCES:
	case EPERM:
		return MTK_EXIT_NOPERM;
	case ETIMEDOUT:
		return MTK_EXIT_TEMPFAIL;
	case EPROTO:
	case EREMOTEIO:
	case ENOTSUP:
		return MTK_EXIT_PROTOCOL;
	case EBADMSG:
		return MTK_EXIT_VERIFY;
	case EINTR:
		return MTK_EXIT_INTERRUPTED;
	case ENOENT:
		return MTK_EXIT_NOINPUT;
	case EEXIST:
	case MTK_ELOCKED:
	case MTK_EUNSAFE:
		return MTK_EXIT_CANTCREAT;
	case ENOMEM:
		return MTK_EXIT_SOFTWARE;
	default:
		return MTK_EXIT_IOERR;
	}
}
