/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mtkbak doctor: checks this machine's setup for talking to the watch, one line per finding
 * with the fix, and exits non-zero when something would stop a pull.
 *
 * On a live system the USB probe opens any connected watch through libusb (the same way a
 * pull does) and the serial probe lists ports with libserialport. MTKBAK_SYSROOT=DIR (for
 * tests) reads /sys, /dev, /proc, /etc and /run below DIR instead and skips both live probes. */
#include <libserialport.h>
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"
#include "doctor.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: mtkbak doctor [--json]\n"
		   "\n"
		   "Checks whether this user can open the watch over USB, whether the udev rules\n"
		   "are installed, whether ModemManager or a kernel driver is in the way, and\n"
		   "whether the watch has a serial port. Prints one line per check with the fix.\n"
		   "Exit status: 0 when nothing would stop a pull, 77 when a permission problem\n"
		   "would, 69 when something else would (ModemManager, a busy device, no USB).\n"
		   "\n"
		   "  --json        print the findings as one JSON object\n"
		   "  -q, --quiet   print only problems\n");
}

/* Opens USB device bus:dev through libusb and closes it again; see doctor_env.usb_open. */
static int usb_open_probe(void *ctx, unsigned bus, unsigned dev)
{
	libusb_context *usb = NULL;
	libusb_device **list = NULL;
	ssize_t n;
	int ret = -ENODEV;

	(void)ctx;
	if (libusb_init(&usb) != 0)
		return -ENOSYS;
	n = libusb_get_device_list(usb, &list);
	for (ssize_t i = 0; i < n; i++) {
		libusb_device_handle *h = NULL;
		int e;

		if (libusb_get_bus_number(list[i]) != bus ||
		    libusb_get_device_address(list[i]) != dev)
			continue;
		e = libusb_open(list[i], &h);
		if (e == 0) {
			libusb_close(h);
			ret = 0;
		} else if (e == LIBUSB_ERROR_ACCESS) {
			ret = -EACCES;
		} else if (e == LIBUSB_ERROR_BUSY) {
			ret = -EBUSY;
		} else if (e == LIBUSB_ERROR_NO_DEVICE || e == LIBUSB_ERROR_NOT_FOUND) {
			ret = -ENODEV;
		} else if (e == LIBUSB_ERROR_NOT_SUPPORTED) {
			ret = -ENOTSUP;
		} else {
			ret = -EIO;
		}
		break;
	}
	if (n > 0)
		libusb_free_device_list(list, 1);
	libusb_exit(usb);
	return ret;
}

/* Lists serial ports with libserialport; see doctor_env.list_serial. */
static int serial_list_probe(void *ctx, struct doctor_serial *out, size_t max)
{
	struct sp_port **ports = NULL;
	size_t k = 0;

	(void)ctx;
	if (sp_list_ports(&ports) != SP_OK)
		return -EIO;
	for (size_t i = 0; ports[i] && k < max; i++) {
		struct doctor_serial *s = &out[k++];
		const char *name = sp_get_port_name(ports[i]);
		int vid = 0, pid = 0, bus = 0, addr = 0;

		memset(s, 0, sizeof(*s));
		snprintf(s->path, sizeof(s->path), "%s", name ? name : "?");
		if (sp_get_port_transport(ports[i]) == SP_TRANSPORT_USB &&
		    sp_get_port_usb_vid_pid(ports[i], &vid, &pid) == SP_OK) {
			s->vid = (unsigned)vid;
			s->pid = (unsigned)pid;
			if (sp_get_port_usb_bus_address(ports[i], &bus, &addr) == SP_OK &&
			    bus > 0 && addr > 0) {
				s->busnum = (unsigned)bus;
				s->devnum = (unsigned)addr;
			}
		}
	}
	sp_free_port_list(ports);
	return (int)k;
}

static void print_json(const struct doctor_report *rep, int code)
{
	struct jw *w = ux_event_begin("doctor");

	jw_kbool(w, "ok", code == 0);
	jw_kint(w, "exit_code", code);
	jw_key(w, "blocking");
	jw_arr_begin(w);
	for (size_t i = 0; i < rep->n; i++)
		if (rep->f[i].status == DOCTOR_FAIL)
			jw_str(w, rep->f[i].id);
	jw_arr_end(w);
	jw_key(w, "checks");
	jw_arr_begin(w);
	for (size_t i = 0; i < rep->n; i++) {
		const struct doctor_finding *f = &rep->f[i];

		jw_obj_begin(w);
		jw_kstr(w, "id", f->id);
		jw_kstr(w, "status",
			f->status == DOCTOR_FAIL ? "fail" : doctor_status_name(f->status));
		jw_kstr(w, "message", f->message);
		if (f->fix[0])
			jw_kstr(w, "fix", f->fix);
		else
			jw_kstr(w, "fix", NULL);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	ux_event_end();
}

static int print_text(const struct doctor_report *rep, int code, bool quiet)
{
	char blocking[256] = "";
	int nfail = 0, nwarn = 0;

	for (size_t i = 0; i < rep->n; i++) {
		const struct doctor_finding *f = &rep->f[i];

		if (f->status == DOCTOR_FAIL) {
			size_t l = strlen(blocking);

			snprintf(blocking + l, sizeof(blocking) - l, "%s%s", nfail ? ", " : "",
				 f->id);
			nfail++;
		} else if (f->status == DOCTOR_WARN) {
			nwarn++;
		}
		if (quiet && (f->status == DOCTOR_OK || f->status == DOCTOR_INFO))
			continue;
		printf("%-4s  %-12s  %s%s%s\n", doctor_status_name(f->status), f->id, f->message,
		       f->fix[0] ? "; fix: " : "", f->fix);
	}
	if (fflush(stdout) == EOF)
		return MTK_EXIT_IOERR;
	if (nfail) {
		ux_error("%d problem%s would stop a pull: %s", nfail, nfail == 1 ? "" : "s",
			 blocking);
		return code;
	}
	if (!quiet)
		printf("%s: 'mtkbak pull --auto' should work here.\n",
		       nwarn ? "Nothing blocking (see the warnings)" : "All good");
	return 0;
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option longopts[] = {CLI_COMMON_LONGOPTS, {0}};
	struct doctor_report *rep;
	struct doctor_env env;
	const char *sysroot = getenv("MTKBAK_SYSROOT");
	bool quiet = false;
	int opt, code;

	optind = 0;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (opt == 'q')
				quiet = true;
			if (cli_common_opt(opt))
				break;
			usage(stderr);
			return MTK_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		ux_error("doctor takes no arguments ('%s')", argv[optind]);
		usage(stderr);
		return MTK_EXIT_USAGE;
	}
	if (sysroot && !*sysroot)
		sysroot = NULL;
	doctor_env_from_process(&env, sysroot);
	if (!sysroot) {
		env.usb_open = usb_open_probe;
		env.list_serial = serial_list_probe;
	}
	rep = calloc(1, sizeof(*rep));
	if (!rep) {
		ux_error("out of memory");
		return MTK_EXIT_SOFTWARE;
	}
	doctor_run(&env, rep);
	code = doctor_exit_code(rep);
	if (ux_is_json())
		print_json(rep, code);
	else
		code = print_text(rep, code, quiet);
	free(rep);
	return code;
}
