/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mtkbak list: watches in boot-ROM mode on USB, and serial ports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"
#include "ux.h"

#define MAX_PORTS 64

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mtkbak list [--json]\n"
		"\n"
		"Lists USB devices in MediaTek boot-ROM download mode (0E8D:0003) with their\n"
		"bus-port path (for --port usb:PATH), the kernel driver bound to them and their\n"
		"tty, then the serial ports (for --port serial:PATH, e.g. a USB-UART cable).\n"
		"Says when ModemManager or another program holds a port.\n"
		"The boot ROM only stays on the bus for a few seconds: run 'mtkbak identify'\n"
		"to wait for a watch instead.\n");
}

static bool is_watch(const struct port_info *p)
{
	return p->vid == 0x0E8D && p->pid == 0x0003;
}

static void json_port(struct jw *w, const struct port_info *p)
{
	jw_obj_begin(w);
	jw_kstr(w, "path", p->path);
	if (p->vid || p->pid) {
		jw_khex(w, "vid", p->vid, 4);
		jw_khex(w, "pid", p->pid, 4);
	}
	jw_kbool(w, "watch", is_watch(p));
	if (p->kind == PORT_USB) {
		jw_kstr(w, "driver", p->driver[0] ? p->driver : NULL);
		jw_kstr(w, "tty", p->tty[0] ? p->tty : NULL);
	}
	jw_kstr(w, "held_by", p->holder[0] ? p->holder : NULL);
	jw_kbool(w, "modemmanager_ignores", p->mm_ignored);
	jw_kbool(w, "accessible", p->accessible);
	jw_obj_end(w);
}

static void hints(const struct port_info *p)
{
	if (!strcmp(p->holder, "ModemManager") ||
	    (!strcmp(p->driver, "cdc_acm") && !p->mm_ignored && p->holder[0]))
		ux_hint("ModemManager holds %s: 'sudo systemctl stop ModemManager', or install "
			"mtkbak's udev rules ('mtkbak udev') so it leaves the watch alone",
			p->kind == PORT_USB ? p->tty : p->path);
	else if (p->holder[0])
		ux_hint("%s has %s open: close it first", p->holder,
			p->kind == PORT_USB ? p->tty : p->path);
	if (p->kind == PORT_USB && !strcmp(p->driver, "cdc_acm"))
		ux_hint("usb:%s is bound to cdc_acm (%s): fine, mtkbak detaches it while it "
			"works and gives it back afterwards",
			p->path, p->tty[0] ? p->tty : "no tty");
	if (!p->accessible)
		ux_hint("this user may not open %s: install the udev rules with 'mtkbak udev'",
			p->kind == PORT_USB ? "the USB device" : p->path);
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {CLI_COMMON_LONGOPTS, {0, 0, 0, 0}};
	static struct port_info ports[MAX_PORTS];
	struct port_env *env;
	int opt, n, nusb = 0, nser = 0;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+" CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (cli_common_opt(opt))
			continue;
		usage(stderr);
		return MTK_EXIT_USAGE;
	}
	if (optind < argc) {
		ux_error("list takes no arguments ('%s')", argv[optind]);
		return MTK_EXIT_USAGE;
	}
	env = cli_port_env();
	if (!env)
		return cli_fail(-ENOMEM, "list");
	if (getenv("MTKBAK_SYSROOT") && port_env_set_sysroot(env, getenv("MTKBAK_SYSROOT")) < 0) {
		port_env_free(env);
		return cli_fail(-ENAMETOOLONG, "MTKBAK_SYSROOT");
	}
	n = port_list(env, ports, MAX_PORTS);
	if (n < 0) {
		int ret = cli_fail(n, "list");

		port_env_free(env);
		return ret;
	}
	for (int i = 0; i < n; i++)
		ports[i].kind == PORT_USB ? nusb++ : nser++;
	if (ux_is_json()) {
		struct jw *w = ux_event_begin("list");

		jw_key(w, "usb");
		jw_arr_begin(w);
		for (int i = 0; i < n; i++)
			if (ports[i].kind == PORT_USB)
				json_port(w, &ports[i]);
		jw_arr_end(w);
		jw_key(w, "serial");
		jw_arr_begin(w);
		for (int i = 0; i < n; i++)
			if (ports[i].kind == PORT_SERIAL)
				json_port(w, &ports[i]);
		jw_arr_end(w);
		jw_kstr(w, "usb_note",
			port_env_last_error(env)[0] ? port_env_last_error(env) : NULL);
		ux_event_end();
		port_env_free(env);
		return 0;
	}
	printf("USB devices in boot-ROM mode (0E8D:0003):\n");
	if (!nusb)
		printf("  none%s%s\n", port_env_last_error(env)[0] ? ": " : "",
		       port_env_last_error(env));
	for (int i = 0; i < n; i++) {
		const struct port_info *p = &ports[i];

		if (p->kind != PORT_USB)
			continue;
		printf("  usb:%-12s %04X:%04X  driver %-10s %s\n", p->path, p->vid, p->pid,
		       p->driver[0] ? p->driver : "none", p->tty[0] ? p->tty : "");
		hints(p);
	}
	printf("Serial ports:\n");
	if (!nser)
		printf("  none\n");
	for (int i = 0; i < n; i++) {
		const struct port_info *p = &ports[i];

		if (p->kind != PORT_SERIAL)
			continue;
		if (p->vid || p->pid)
			printf("  serial:%-18s %04X:%04X%s\n", p->path, p->vid, p->pid,
			       is_watch(p) ? "  (a watch in boot-ROM mode)" : "");
		else
			printf("  serial:%s\n", p->path);
		hints(p);
	}
	if (!nusb && !nser)
		ux_info(
		    "Nothing found. Switch the watch off and connect it (holding its boot key): "
		    "it shows up for a few seconds only; 'mtkbak identify' waits for it.");
	port_env_free(env);
	return 0;
}
