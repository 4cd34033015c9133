/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MTK_PRINTF(fmt, args): printf-style format checking on every compiler mtkbak builds with.
 * mingw-w64's GCC reads format(printf) as msvcrt's printf, which has no %zu; the Windows build
 * uses mingw's C99 printf (__USE_MINGW_ANSI_STDIO=1), so check against that (gnu_printf). */
#ifndef MTKBAK_PRINTF_ATTR_H
#define MTKBAK_PRINTF_ATTR_H

#if defined(__MINGW32__)
#define MTK_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#else
#define MTK_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#endif

#endif
