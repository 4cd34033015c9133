/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli_common.h"
#include "mtkbak/extract.h"
#include "mtkbak/sim.h"

#include <stdio.h>
#include <string.h>

static struct ux_opts g_ux;

void cli_set_global_ux(const struct ux_opts *o)
{
	g_ux = *o;
}

bool cli_common_opt(int opt)
{
	switch (opt) {
	case 'J':
		g_ux.json = true;
		break;
	case 'v':
		g_ux.verbose++;
		break;
	case 'q':
		g_ux.quiet = true;
		break;
	default:
		return false;
	}
	ux_init(&g_ux);
	return true;
}

/* The hint for a file error (errors.h: tagged at its source), never a USB one. */
static void file_hint(int err)
{
	int e = -mtk_errno(err);

	if (mtk_file_kind(err) == MTK_EFILE_IN) {
		if (e == ENOENT || e == ENOTDIR)
			ux_hint("check the file name");
		else if (e == EACCES || e == EPERM)
			ux_hint("this user may not read that file: check its permissions");
		else if (e == EISDIR)
			ux_hint("that is a folder: give a file");
		return;
	}
	switch (e) {
	case ENOSPC:
	case EDQUOT:
		ux_hint("the disk is full: free some space (a readback needs the flash's size), "
			"or write somewhere else");
		break;
	case EACCES:
	case EPERM:
	case EROFS:
		ux_hint("this user may not write there: choose a folder you can write to (-o)");
		break;
	case ENOENT:
	case ENOTDIR:
		ux_hint("check that the output folder exists and is a folder");
		break;
	case EEXIST:
		ux_hint("choose another output name, or add --force to replace it");
		break;
	default:
		break;
	}
}

int cli_fail(int err, const char *context)
{
	const char *what = mtk_strerror(err);
	size_t cl = strlen(context), wl = strlen(what);

	/* a context that already ends with the reason ("...: No such file or directory") */
	if (cl >= wl && !strcmp(context + cl - wl, what))
		ux_error("%s", context);
	else
		ux_error("%s: %s", context, what);
	if (mtk_file_kind(err)) {
		file_hint(err);
		return mtk_exit_code(err);
	}
	switch (-err) {
	case ENODEV:
		ux_hint("switch the watch off, then connect USB (hold its boot key if it has one); "
			"'mtkbak list' shows what is connected");
		break;
	case EACCES:
		ux_hint("this user may not open the USB device: install the udev rules with "
			"'mtkbak udev' (or run as root); 'mtkbak doctor' checks the setup");
		break;
	case EBUSY:
		ux_hint("another driver or program holds the watch (ModemManager or a serial "
			"terminal?): 'sudo systemctl stop ModemManager', or install the udev rules "
			"('mtkbak udev') so ModemManager leaves it alone");
		break;
	case ETIMEDOUT:
		ux_hint(
		    "the watch stopped answering: unplug it, switch it off, and connect it again "
		    "while holding the boot key; an interrupted read resumes when you rerun the "
		    "same command");
		break;
	case EPROTO:
	case EREMOTEIO:
		ux_hint(
		    "unplug the watch, wait a few seconds, and connect it again; run with -v to "
		    "see the protocol exchange");
		break;
	case EPERM:
		ux_hint(
		    "this is a secure part that only runs signed code; mtkbak cannot back it up "
		    "through the boot ROM");
		break;
	case MTK_EAMBIGUOUS:
		ux_hint(
		    "more than one watch is connected: choose one with --port (see 'mtkbak list')");
		break;
	case EEXIST:
		ux_hint("choose another output name, or add --force to replace it");
		break;
	case MTK_ELOCKED:
		ux_hint("another mtkbak is writing the same output: wait for it, or choose another "
			"output name");
		break;
	case MTK_EUNSAFE:
		ux_hint("remove the file named above (check who put it there), then run the same "
			"command again");
		break;
	default:
		break;
	}
	return mtk_exit_code(err);
}

int cli_parse_port(const char *text, struct port_spec *spec)
{
	char err[256] = "";
	int ret = port_spec_parse(text ? text : "auto", spec, err, sizeof(err));

	if (ret < 0) {
		ux_error("bad --port '%s': %s", text ? text : "auto",
			 err[0] ? err : mtk_strerror(ret));
		ux_hint("use auto, usb, usb:BUS-PORT, serial:PATH, sim:IMAGE or sim:demo");
		return MTK_EXIT_USAGE;
	}
	/* bad simulator options are a usage error before any output is looked at */
	if (text && !strncmp(text, "sim:", 4) && sim_port_check(text + 4, err, sizeof(err)) < 0) {
		ux_error("bad --port '%s': %s", text, err);
		return MTK_EXIT_USAGE;
	}
	return 0;
}

int cli_input_error(int err, const char *path)
{
	if (mtk_errno(err) == -MTK_EDATA) {
		ux_error("%s is larger than %llu MiB: not a flash readback", path,
			 (unsigned long long)(FW_MAX_DUMP_SIZE >> 20));
		return MTK_EXIT_DATAERR;
	}
	if (err == -ENOMEM)
		return cli_fail(err, path);
	ux_error("cannot read %s: %s", path,
		 mtk_errno(err) == -EINVAL ? "not a regular file" : mtk_strerror(err));
	if (mtk_errno(err) == -ENOENT)
		ux_hint("check the file name; 'mtkbak read -o FILE' makes a readback");
	return mtk_errno(err) == -EIO ? MTK_EXIT_IOERR : MTK_EXIT_NOINPUT;
}

struct port_env *cli_port_env(void)
{
	struct port_env *env = port_env_new(ux_log());

	if (env && port_env_add_backend(env, &sim_port_backend) < 0) {
		port_env_free(env);
		env = NULL;
	}
	return env;
}
