/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GetLastError() codes as errno-style codes. On Windows, libserialport's sp_last_error_code()
 * and the file APIs mtkbak calls directly (MoveFileExW) report Win32 codes, not errno values;
 * this table is what turns them into mtkbak's codes (include/mtkbak/errors.h). Plain numbers
 * (winerror.h), so it builds and is tested on every system. */
#include <stddef.h>

#include "mtkbak/errors.h"
#include "mtkbak/win32.h"

struct win_err {
	unsigned long code;
	int file_err;	/* for a file */
	int device_err; /* for a COM port or a USB device */
};

static const struct win_err win_errs[] = {
    {2, ENOENT, ENODEV},	 /* ERROR_FILE_NOT_FOUND: no such COM port (any more) */
    {3, ENOENT, ENODEV},	 /* ERROR_PATH_NOT_FOUND */
    {5, EACCES, EBUSY},		 /* ERROR_ACCESS_DENIED: a COM port is held by another program */
    {6, EIO, ENODEV},		 /* ERROR_INVALID_HANDLE: the handle died with the device */
    {8, ENOMEM, ENOMEM},	 /* ERROR_NOT_ENOUGH_MEMORY */
    {14, ENOMEM, ENOMEM},	 /* ERROR_OUTOFMEMORY */
    {17, EXDEV, EXDEV},		 /* ERROR_NOT_SAME_DEVICE */
    {19, EROFS, EROFS},		 /* ERROR_WRITE_PROTECT */
    {21, EIO, ENODEV},		 /* ERROR_NOT_READY */
    {22, EIO, ENODEV},		 /* ERROR_BAD_COMMAND: usbser after the cable is pulled */
    {31, EIO, ENODEV},		 /* ERROR_GEN_FAILURE: a device that stopped answering */
    {32, EBUSY, EBUSY},		 /* ERROR_SHARING_VIOLATION */
    {33, EBUSY, EBUSY},		 /* ERROR_LOCK_VIOLATION */
    {39, ENOSPC, ENOSPC},	 /* ERROR_HANDLE_DISK_FULL */
    {80, EEXIST, EEXIST},	 /* ERROR_FILE_EXISTS */
    {87, EINVAL, EINVAL},	 /* ERROR_INVALID_PARAMETER */
    {112, ENOSPC, ENOSPC},	 /* ERROR_DISK_FULL */
    {121, ETIMEDOUT, ETIMEDOUT}, /* ERROR_SEM_TIMEOUT */
    {170, EBUSY, EBUSY},	 /* ERROR_BUSY */
    {183, EEXIST, EEXIST},	 /* ERROR_ALREADY_EXISTS */
    {206, ENAMETOOLONG, ENAMETOOLONG}, /* ERROR_FILENAME_EXCED_RANGE */
    {995, EINTR, ENODEV},	  /* ERROR_OPERATION_ABORTED: I/O cancelled when the device left */
    {1117, EIO, EIO},		  /* ERROR_IO_DEVICE */
    {1167, ENODEV, ENODEV},	  /* ERROR_DEVICE_NOT_CONNECTED */
    {1460, ETIMEDOUT, ETIMEDOUT}, /* ERROR_TIMEOUT */
    {1784, EFAULT, EIO},	  /* ERROR_INVALID_USER_BUFFER */
};

int win32_errno(unsigned long code, bool device)
{
	for (size_t i = 0; i < sizeof(win_errs) / sizeof(win_errs[0]); i++)
		if (win_errs[i].code == code)
			return -(device ? win_errs[i].device_err : win_errs[i].file_err);
	return -EIO;
}
