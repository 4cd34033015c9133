/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mtkbak identify [--port SPEC] [--timeout SECS] [--reboot]: who is on the other end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"
#include "mtkbak/brom.h"
#include "mtkbak/text.h"
#include "ux.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: mtkbak identify [--port SPEC] [--timeout SECS] [--reboot] [--json] [-v]\n"
	    "\n"
	    "Waits for a watch in boot-ROM download mode, handshakes with the boot ROM and\n"
	    "shows the chip (hw code, hw/sw version, efuse variant), the ME ID and whether\n"
	    "the part is secure. Reads registers only. Afterwards the watchdog is armed\n"
	    "again, so the watch leaves download mode by itself; --reboot resets it now.\n"
	    "\n"
	    "  --port SPEC     auto (default), usb, usb:BUS-PORT, serial:PATH, sim:IMAGE[,opts]\n"
	    "  --timeout SECS  how long to wait for the watch (default 60; 0 = do not wait)\n"
	    "  --reboot        reset the watch when done\n"
	    "  --json          one JSON object per event\n"
	    "  -v, -vv, -vvv   protocol steps, detail, bytes on the wire\n"
	    "\n"
	    "Switch the watch off, start mtkbak, then connect USB (holding the boot key if\n"
	    "the watch has one): the boot ROM only listens for a second or so.\n"
	    "Exit: 0 ok, 69 no watch, 75 it stopped answering, 76 protocol error,\n"
	    "77 permission denied, 2 usage error.\n");
}

struct wait_ui {
	const char *port;
	bool announced;
};

static int on_tick(void *ctx, int waited_ms)
{
	struct wait_ui *ui = ctx;

	if (ux_interrupted())
		return -EINTR;
	if (!ui->announced && waited_ms >= 0) {
		ux_state("Waiting for the watch on %s ...", ui->port);
		if (!ux_is_json())
			ux_hint("switch the watch off, then connect USB while holding its boot key "
				"(if it has one)");
		ui->announced = true;
	}
	return 0;
}

static void print_id(const struct brom *b, const struct brom_id *id)
{
	char me[33], chip[160];
	const struct chip_info *c = id->chip;

	mtk_hex(id->me_id, 16, me);
	if (c)
		snprintf(chip, sizeof(chip), "%s (hw code 0x%04X)%s%s", c->name, id->hw_code,
			 c->family_note ? "; " : "", c->family_note ? c->family_note : "");
	else
		snprintf(chip, sizeof(chip), "unknown (hw code 0x%04X)", id->hw_code);
	if (ux_is_json()) {
		struct jw *w = ux_event_begin("identify");

		jw_kstr(w, "port", b->tp->name);
		jw_kstr(w, "chip", c ? c->name : NULL);
		jw_khex(w, "hw_code", id->hw_code, 4);
		jw_kstr(w, "variant", id->variant);
		jw_khex(w, "hw_ver", id->hw_ver, 4);
		jw_khex(w, "sw_ver", id->sw_ver, 4);
		jw_khex(w, "hw_subcode", id->hw_subcode, 4);
		jw_khex(w, "efuse_swver", id->efuse_swver, 8);
		jw_kint(w, "brom_version", id->brom_version);
		jw_kstr(w, "me_id", me);
		jw_khex(w, "target_config", id->target_config, 8);
		jw_kbool(w, "secure", id->secure);
		jw_kbool(w, "already_synced", b->already_synced);
		if (c && c->family_note)
			jw_kstr(w, "note", c->family_note);
		ux_event_end();
		return;
	}
	printf("Chip:         %s\n", chip);
	if (c && c->efuse_swver_reg) {
		char vd[96];

		chip_variant_describe(c, id->efuse_swver, vd, sizeof(vd));
		if (id->variant)
			printf("Variant:      %s (efuse 0x%04X)\n", vd, id->efuse_swver >> 16);
		else
			printf("Variant:      %s\n", vd);
	}
	printf("HW version:   0x%04X\n", id->hw_ver);
	printf("SW version:   0x%04X\n", id->sw_ver);
	printf("HW subcode:   0x%04X\n", id->hw_subcode);
	printf("Boot ROM:     version %u\n", id->brom_version);
	printf("ME ID:        %s\n", me);
	printf("Secure:       %s (target config 0x%08X)\n",
	       id->secure ? "yes: it only runs signed code" : "no", id->target_config);
	if (c && !c->verified)
		ux_warn("%s", c->family_note);
	fflush(stdout);
}

static int fail_with(struct brom *b, int err, const char *context)
{
	char what[400];

	snprintf(what, sizeof(what), "%s%s%s", context, b->detail[0] ? ": " : "", b->detail);
	return cli_fail(err, what);
}

int cmd_identify(int argc, char **argv)
{
	static const struct option opts[] = {{"port", required_argument, NULL, 'p'},
					     {"timeout", required_argument, NULL, 't'},
					     {"reboot", no_argument, NULL, 'r'},
					     CLI_COMMON_LONGOPTS,
					     {0, 0, 0, 0}};
	const char *port = NULL;
	double timeout_s = 60;
	bool reboot = false;
	struct port_spec spec;
	struct port_env *env;
	struct brom b;
	struct brom_id id;
	struct brom_connect_opts co = {.no_keepalive = true, .allow_unknown = true};
	struct wait_ui ui;
	struct port_wait wait;
	int opt, ret;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+p:" CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
		char *end;

		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (cli_common_opt(opt))
			continue;
		switch (opt) {
		case 'p':
			port = optarg;
			break;
		case 't':
			timeout_s = strtod(optarg, &end);
			if (*end || end == optarg || !(timeout_s >= 0 && timeout_s <= 86400)) {
				ux_error("--timeout wants seconds (0 to 86400), not '%s'", optarg);
				return MTK_EXIT_USAGE;
			}
			break;
		case 'r':
			reboot = true;
			break;
		default:
			usage(stderr);
			return MTK_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		ux_error("identify takes no arguments ('%s')", argv[optind]);
		usage(stderr);
		return MTK_EXIT_USAGE;
	}
	if ((ret = cli_parse_port(port, &spec)) != 0)
		return ret;
	env = cli_port_env();
	if (!env)
		return cli_fail(-ENOMEM, "identify");
	ux_catch_signals();
	ui = (struct wait_ui){.port = port ? port : "auto"};
	wait =
	    (struct port_wait){.timeout_ms = (int)(timeout_s * 1000), .tick = on_tick, .ctx = &ui};
	ret = brom_connect(&b, env, &spec, &wait, &co, &id, ux_log());
	if (ret < 0) {
		if (ret == -ENODEV && !b.tp && !strstr(b.detail, "went away"))
			ret = fail_with(&b, ret, "no watch in boot-ROM mode");
		else
			ret = fail_with(&b, ret, "identify");
		port_env_free(env);
		return ret;
	}
	ux_state("Connected to %s%s", b.tp->name,
		 b.already_synced ? " (the boot ROM was already in command mode)" : "");
	print_id(&b, &id);
	if (id.chip) {
		ret = reboot ? brom_reboot(&b, id.chip) : brom_rearm_watchdog(&b, id.chip);
		if (ret < 0) {
			ret = fail_with(&b, ret, reboot ? "reboot" : "re-arming the watchdog");
			brom_disconnect(&b);
			port_env_free(env);
			return ret;
		}
		ux_state(reboot
			     ? "Watch reset."
			     : "Watchdog armed again: the watch leaves download mode by itself.");
	} else {
		ux_warn("unknown chip: the watch was left as it is; unplug it when done");
	}
	brom_disconnect(&b);
	port_env_free(env);
	return 0;
}
