/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mtkbak doctor on Windows: which driver Windows gives the watch's boot ROM (0E8D:0003) and
 * what to do about it. The advice is a table keyed by the driver's service name, applied to
 * what SetupAPI reported (doctor_win_advise, built and unit-tested everywhere); the SetupAPI
 * and service-manager queries are Windows-only (doctor_win_scan). */
#include <stdio.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>

#include <cfgmgr32.h>
#include <setupapi.h>
#endif

#include "doctor_win.h"
#include "mtkbak/errors.h"

#define ZADIG_FIX                                                                                  \
	"install WinUSB for it with Zadig (zadig.akeo.ie; no reboot, no driver-signature "         \
	"bypass): Options > List All Devices, pick the 0E8D 0003 device while the watch is "       \
	"connected in boot-ROM mode, WinUSB, Install Driver; then use --port usb"

enum use { USE_SERIAL, USE_USB, USE_NONE };

/* What each driver means for mtkbak. */
static const struct driver_row {
	const char *service; /* compared without case */
	const char *name;
	enum doctor_status status;
	enum use use;
	const char *fix;
} drivers[] = {
    {"usbser", "Windows' USB serial driver (usbser)", DOCTOR_OK, USE_SERIAL, NULL},
    {"usb2ser", "MediaTek's USB VCOM driver", DOCTOR_OK, USE_SERIAL, NULL},
    {"WinUSB", "WinUSB", DOCTOR_OK, USE_USB, NULL},
    {"libusbK", "libusbK", DOCTOR_WARN, USE_USB,
     "mtkbak is tested with WinUSB: in Zadig pick the 0E8D 0003 device, WinUSB, Replace "
     "Driver"},
    {"libusb0", "libusb-win32 (libusb0)", DOCTOR_WARN, USE_USB,
     "libusb-1.0 cannot use libusb0: in Zadig pick the 0E8D 0003 device, WinUSB, Replace "
     "Driver"},
};

static int strcasecmp_ascii(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (unsigned char)*a, cb = (unsigned char)*b;

		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb || !ca)
			return ca - cb;
	}
}

static const struct driver_row *find_driver(const char *service)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcasecmp_ascii(drivers[i].service, service))
			return &drivers[i];
	return NULL;
}

static void advise_dev(const struct doctor_win_state *s, const struct doctor_win_dev *d,
		       struct doctor_report *rep)
{
	const struct driver_row *r = d->service[0] ? find_driver(d->service) : NULL;
	const char *when = d->present ? "connected now" : "when it was last connected";
	char how[96];

	if (d->present && d->problem) {
		/* 28: no driver installed; 10: cannot start; others: see Device Manager */
		if (s->usbdk_running) {
			doctor_add(rep, "win-driver", DOCTOR_INFO, 0, NULL,
				   "the watch (0E8D:0003, %s) has no working driver (Device "
				   "Manager problem %u); UsbDk reaches it anyway: use --port usb",
				   when, d->problem);
			return;
		}
		doctor_add(rep, "win-driver", DOCTOR_FAIL, MTK_EXIT_UNAVAILABLE, ZADIG_FIX,
			   "the watch (0E8D:0003, %s) has no working driver (Device Manager "
			   "problem %u%s)",
			   when, d->problem, d->problem == 28 ? ": no driver installed" : "");
		return;
	}
	if (!d->service[0]) {
		if (s->usbdk_running)
			doctor_add(rep, "win-driver", DOCTOR_INFO, 0, NULL,
				   "Windows has no driver for the watch (0E8D:0003, %s); UsbDk "
				   "reaches it anyway: use --port usb",
				   when);
		else
			doctor_add(rep, "win-driver", d->present ? DOCTOR_FAIL : DOCTOR_WARN,
				   d->present ? MTK_EXIT_UNAVAILABLE : 0, ZADIG_FIX,
				   "Windows has no driver for the watch (0E8D:0003, %s)", when);
		return;
	}
	if (!r) {
		doctor_add(rep, "win-driver", s->usbdk_running ? DOCTOR_INFO : DOCTOR_WARN, 0,
			   s->usbdk_running ? NULL : ZADIG_FIX,
			   "the watch (0E8D:0003, %s) is held by the driver '%s', which mtkbak "
			   "does not know%s",
			   when, d->service,
			   s->usbdk_running ? "; UsbDk reaches it anyway: use --port usb" : "");
		return;
	}
	if (r->use == USE_SERIAL && d->port[0])
		snprintf(how, sizeof(how), "as %s: use --port serial:%s (or --port auto)", d->port,
			 d->port);
	else if (r->use == USE_SERIAL)
		snprintf(how, sizeof(how), "as a COM port: 'mtkbak list' shows which");
	else
		snprintf(how, sizeof(how), "for libusb: use --port usb (or --port auto)");
	doctor_add(rep, "win-driver", r->status, 0, r->fix, "the watch (0E8D:0003, %s) gets %s %s",
		   when, r->name, how);
}

void doctor_win_advise(const struct doctor_win_state *s, struct doctor_report *rep)
{
	int present = 0;

	if (s->scan_err < 0)
		doctor_add(rep, "win-driver", DOCTOR_WARN, 0, NULL,
			   "could not ask Windows (SetupAPI) which driver the watch gets: %s",
			   mtk_strerror(s->scan_err));
	for (int i = 0; i < s->n; i++)
		present += s->dev[i].present;
	/* connected now: only that counts; otherwise what Windows remembers */
	for (int i = 0; i < s->n; i++)
		if (s->dev[i].present || !present)
			advise_dev(s, &s->dev[i], rep);
	if (s->n == 0 && s->scan_err >= 0)
		doctor_add(
		    rep, "win-driver", DOCTOR_INFO, 0,
		    "run 'mtkbak pull --auto', then connect the switched-off watch (hold its "
		    "boot key): Windows 10 and 11 give it the usbser COM port by themselves",
		    "Windows has never seen a watch in boot-ROM mode (0E8D:0003) on this PC");
	if (s->usbdk)
		doctor_add(
		    rep, "usbdk", DOCTOR_INFO, 0,
		    s->usbdk_running ? NULL : "start it: sc start UsbDk (as administrator)",
		    "UsbDk is installed%s: mtkbak's --port usb uses it whatever driver holds "
		    "the watch",
		    s->usbdk_running ? " and running" : ", but not running");
}

#ifdef _WIN32
static bool is_watch_id(const char *multi, size_t len)
{
	/* REG_MULTI_SZ: "USB\VID_0E8D&PID_0003&REV_0100\0USB\VID_0E8D&PID_0003\0\0" */
	for (size_t i = 0; i < len && multi[i];) {
		size_t n = strnlen(multi + i, len - i);
		char id[128];

		snprintf(id, sizeof(id), "%.*s", (int)n, multi + i);
		for (char *p = id; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p -= 'a' - 'A';
		if (strstr(id, "VID_0E8D&PID_0003"))
			return true;
		i += n + 1;
	}
	return false;
}

static void scan_usbdk(struct doctor_win_state *s)
{
	SC_HANDLE scm = OpenSCManagerA(NULL, NULL, SC_MANAGER_CONNECT);
	SC_HANDLE svc;
	SERVICE_STATUS st;

	if (!scm)
		return;
	svc = OpenServiceA(scm, "UsbDk", SERVICE_QUERY_STATUS);
	if (svc) {
		s->usbdk = true;
		s->usbdk_running =
		    QueryServiceStatus(svc, &st) && st.dwCurrentState == SERVICE_RUNNING;
		CloseServiceHandle(svc);
	}
	CloseServiceHandle(scm);
}

void doctor_win_scan(struct doctor_win_state *s)
{
	HDEVINFO set;
	SP_DEVINFO_DATA info;

	memset(s, 0, sizeof(*s));
	scan_usbdk(s);
	/* every USB device node Windows knows, connected or not */
	set = SetupDiGetClassDevsA(NULL, "USB", NULL, DIGCF_ALLCLASSES);
	if (set == INVALID_HANDLE_VALUE) {
		s->scan_err = -ENOSYS;
		return;
	}
	info.cbSize = sizeof(info);
	for (DWORD i = 0;
	     i < 4096 && s->n < DOCTOR_WIN_MAX_DEVS && SetupDiEnumDeviceInfo(set, i, &info); i++) {
		struct doctor_win_dev *d = &s->dev[s->n];
		char ids[1024];
		DWORD type, size = 0;
		ULONG status = 0, problem = 0;
		HKEY key;

		memset(ids, 0, sizeof(ids));
		if (!SetupDiGetDeviceRegistryPropertyA(set, &info, SPDRP_HARDWAREID, &type,
						       (BYTE *)ids, sizeof(ids) - 2, &size) ||
		    !is_watch_id(ids, sizeof(ids)))
			continue;
		memset(d, 0, sizeof(*d));
		if (!SetupDiGetDeviceRegistryPropertyA(set, &info, SPDRP_SERVICE, &type,
						       (BYTE *)d->service, sizeof(d->service) - 1,
						       &size))
			d->service[0] = '\0';
		if (!strcasecmp_ascii(d->service, "usbccgp"))
			continue; /* a composite parent: its interfaces are listed on their own */
		if (CM_Get_DevNode_Status(&status, &problem, info.DevInst, 0) == CR_SUCCESS) {
			d->present = true;
			d->problem = (status & DN_HAS_PROBLEM) ? (unsigned)problem : 0;
		}
		key = SetupDiOpenDevRegKey(set, &info, DICS_FLAG_GLOBAL, 0, DIREG_DEV, KEY_READ);
		if (key != INVALID_HANDLE_VALUE) {
			DWORD len = sizeof(d->port) - 1;

			if (RegQueryValueExA(key, "PortName", NULL, &type, (BYTE *)d->port, &len) !=
				ERROR_SUCCESS ||
			    type != REG_SZ)
				d->port[0] = '\0';
			RegCloseKey(key);
		}
		s->n++;
	}
	SetupDiDestroyDeviceInfoList(set);
}
#endif
