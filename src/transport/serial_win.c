/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Windows side of serial.c. On Windows a pulled USB serial cable does not make "COM5"
 * disappear for access() (DOS device names always exist), and libserialport reports failures
 * as GetLastError() codes, not errno values. */
#ifdef _WIN32
#include <libserialport.h>
#include <string.h>

#include "mtkbak/errors.h"
#include "serial_win.h"
#include "mtkbak/clock.h"
#include "tp_internal.h"
#include "mtkbak/win32.h"

#define RECHECK_MS 250

bool serial_win_gone(const char *name, struct serial_gone *g)
{
	int64_t now = mtk_now_ms();
	struct sp_port **ports;
	bool found = false;

	if (!strncmp(name, "\\\\.\\", 4))
		name += 4; /* "\\.\COM10" is COM10 */
	if (g->checked_ms && now - g->checked_ms < RECHECK_MS)
		return g->gone;
	g->checked_ms = now;
	if (sp_list_ports(&ports) != SP_OK)
		return g->gone; /* cannot tell: keep the last answer */
	for (size_t i = 0; ports[i] && !found; i++) {
		const char *p = sp_get_port_name(ports[i]);

		found = p && !_stricmp(p, name); /* "com5" opens COM5 */
	}
	sp_free_port_list(ports);
	g->gone = !found;
	return g->gone;
}

int serial_win_last_error(void)
{
	return win32_errno((unsigned long)sp_last_error_code(), true);
}
#endif
