/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mtkbak udev: print the udev rules (stdout) and how to install them (stderr), or install them.
 * Printing works everywhere; installing and reloading udev is Linux-only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __linux__
#include <spawn.h>
#include <sys/wait.h>
#endif

#include "cli_common.h"
#include "commands.h"
#include "mtkbak/fsutil.h"
#include "udev_rules.h"

#define RULES_DIR "/etc/udev/rules.d"

static const char *const reload_cmds[] = {
    "udevadm control --reload-rules",
    "udevadm trigger --subsystem-match=usb --subsystem-match=tty",
};

static void usage(FILE *f)
{
	fprintf(f, "usage: mtkbak udev [--install [--root DIR] [--force] [--no-reload]] [--json]\n"
		   "\n"
		   "Prints mtkbak's udev rules on stdout and how to install them on stderr, so\n"
		   "'mtkbak udev > 60-mtkbak.rules' saves just the rules. The rules give the user\n"
		   "logged in at the machine (uaccess) and the group " MTKBAK_UDEV_GROUP
		   " access to the\n"
		   "watch in boot-ROM mode (0E8D:0003), and tell ModemManager to leave it alone.\n"
		   "\n"
		   "  --install     write them to " RULES_DIR "/60-mtkbak.rules (as root) and\n"
		   "                reload udev; replaces an older mtkbak rules file\n"
		   "  --root DIR    install below DIR instead of / (for packaging; no reload)\n"
		   "  --force       replace a 60-mtkbak.rules that mtkbak did not write\n"
		   "  --no-reload   do not run udevadm after installing\n"
		   "  --json        print the result as one JSON object\n"
		   "  -q, --quiet   print only the rules (no instructions)\n");
}

static void print_instructions(void)
{
	fprintf(stderr,
		"# To install these rules (as root):\n"
		"#   sudo mtkbak udev --install\n"
		"# or by hand:\n"
		"#   mtkbak udev | sudo tee " RULES_DIR "/60-mtkbak.rules >/dev/null\n"
		"#   sudo %s && sudo %s\n"
		"# then unplug the watch and plug it in again.\n"
		"# Logged in over ssh or without a desktop session? Also run\n"
		"#   sudo usermod -aG " MTKBAK_UDEV_GROUP " \"$USER\"\n"
		"# and log in again. 'mtkbak doctor' checks the result.\n",
		reload_cmds[0], reload_cmds[1]);
}

static int print_rules(void)
{
	if (ux_is_json()) {
		struct jw *w = ux_event_begin("udev");

		jw_kstr(w, "file", mtkbak_udev_rules_name);
		jw_kstr(w, "install_path", RULES_DIR "/60-mtkbak.rules");
		jw_kstr(w, "group", MTKBAK_UDEV_GROUP);
		jw_kstr(w, "rules", mtkbak_udev_rules);
		jw_key(w, "reload_commands");
		jw_arr_begin(w);
		for (size_t i = 0; i < sizeof(reload_cmds) / sizeof(reload_cmds[0]); i++)
			jw_str(w, reload_cmds[i]);
		jw_arr_end(w);
		ux_event_end();
		return 0;
	}
	if (fputs(mtkbak_udev_rules, stdout) == EOF || fflush(stdout) == EOF) {
		ux_error("cannot write the rules to standard output");
		return MTK_EXIT_IOERR;
	}
#ifndef __linux__
	ux_warn("udev rules are only used on Linux; on this system use --port serial:PORT "
		"(see 'mtkbak list')");
#endif
	return 0;
}

#ifdef __linux__
extern char **environ;

/* Runs a command line of plain words (no quoting needed) and waits for it.
 * Returns its exit status, or a negative errno when it could not be started. */
static int run_words(const char *cmdline)
{
	char buf[256], *argv[8], *save = NULL;
	int argc = 0, status;
	pid_t pid;

	if (strlen(cmdline) >= sizeof(buf))
		return -E2BIG;
	strcpy(buf, cmdline);
	for (char *tok = strtok_r(buf, " ", &save); tok && argc < 7;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	int err = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (err)
		return -err;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* 1 if the file at path holds exactly the rules, 0 if it differs, -errno if unreadable. */
static int same_as_rules(const char *path, bool *ours)
{
	uint8_t *buf = NULL;
	size_t len = 0, want = strlen(mtkbak_udev_rules);
	int ret = read_whole_file(path, &buf, &len, 1 << 20);

	*ours = false;
	if (ret < 0)
		return ret;
	ret = len == want && memcmp(buf, mtkbak_udev_rules, want) == 0;
	/* Our own older versions name mtkbak in their first line. */
	for (size_t i = 0; i + 6 <= len && buf[i] != '\n' && !*ours; i++)
		*ours = memcmp(buf + i, "mtkbak", 6) == 0;
	free(buf);
	return ret;
}

static void json_install_result(const char *path, bool changed, bool reloaded, const char *note)
{
	struct jw *w = ux_event_begin("udev-install");

	jw_kstr(w, "path", path);
	jw_kbool(w, "changed", changed);
	jw_kbool(w, "reloaded", reloaded);
	if (note)
		jw_kstr(w, "note", note);
	ux_event_end();
}

static int install_rules(const char *root, bool force, bool reload)
{
	bool live = !root || !strcmp(root, "/");
	char dir[MTK_PATH_MAX], path[MTK_PATH_MAX];
	bool ours = false, reloaded = false;
	int ret, n;

	n = snprintf(dir, sizeof(dir), "%s%s", root && strcmp(root, "/") ? root : "", RULES_DIR);
	if (n < 0 || n >= (int)sizeof(dir) || path_join(path, dir, mtkbak_udev_rules_name) < 0) {
		ux_error("--root '%s' is too long", root);
		return MTK_EXIT_USAGE;
	}
	if (live) {
		struct stat st;

		if (stat("/etc/udev", &st) < 0 || !S_ISDIR(st.st_mode)) {
			ux_error(
			    "this system has no /etc/udev: udev is not installed (a container?)");
			ux_hint(
			    "install the rules on the machine the watch is plugged into, or use "
			    "--root DIR to write them into a system image");
			return MTK_EXIT_UNAVAILABLE;
		}
	}
	ret = same_as_rules(path, &ours);
	if (ret == 1) {
		if (ux_is_json())
			json_install_result(path, false, false, "already installed");
		else
			ux_state("The udev rules are already installed and current: %s", path);
		return 0;
	}
	if (ret == 0 && !ours && !force) {
		ux_error("%s exists and was not written by mtkbak", path);
		ux_hint("look at it first; 'sudo mtkbak udev --install --force' replaces it");
		return mtk_exit_code(-EEXIST);
	}
	if (ret < 0 && mtk_errno(ret) != -ENOENT && mtk_errno(ret) != -ENOTDIR) {
		ux_error("cannot read %s: %s", path, mtk_strerror(ret));
		return mtk_exit_code(ret);
	}
	ret = mkdir_p(dir, 0755);
	if (ret >= 0)
		ret = atomic_write_file(path, mtkbak_udev_rules, strlen(mtkbak_udev_rules), true);
	if (ret < 0) {
		int e = mtk_errno(ret);

		ux_error("cannot write %s: %s", path, mtk_strerror(ret));
		if (e == -EACCES || e == -EPERM)
			ux_hint("installing the rules needs root: sudo mtkbak udev --install");
		else if (e == -EROFS)
			ux_hint("%s is read-only here (an immutable or container system?); put the "
				"rules where this system keeps local udev rules",
				dir);
		return e == -EACCES || e == -EPERM ? MTK_EXIT_NOPERM : mtk_exit_code(ret);
	}
	chmod(path, 0644);
	if (!ux_is_json())
		ux_state("Installed the udev rules: %s", path);

	reload = reload && live;
	if (reload) {
		reloaded = true;
		for (size_t i = 0; i < sizeof(reload_cmds) / sizeof(reload_cmds[0]); i++) {
			int st = run_words(reload_cmds[i]);

			if (st == 0)
				continue;
			reloaded = false;
			if (st == -ENOENT)
				ux_warn("udevadm was not found, so udev was not reloaded: the "
					"rules apply "
					"after a reboot (or once udev is installed)");
			else if (st < 0)
				ux_warn("could not run '%s': %s", reload_cmds[i], strerror(-st));
			else
				ux_warn("'%s' failed (exit status %d): run it by hand as root",
					reload_cmds[i], st);
			break;
		}
	}
	if (ux_is_json()) {
		json_install_result(path, true, reloaded, NULL);
	} else if (reloaded) {
		ux_state("Reloaded udev. Unplug the watch and plug it in again; 'mtkbak doctor' "
			 "checks the setup.");
	} else if (!reload && live) {
		ux_info("Not reloading udev. To apply the rules now: sudo %s && sudo %s",
			reload_cmds[0], reload_cmds[1]);
	}
	return 0;
}
#endif

int cmd_udev(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"install", no_argument, NULL, 'i'},
	    {"root", required_argument, NULL, 'r'},
	    {"prefix", required_argument, NULL, 'r'},
	    {"force", no_argument, NULL, 'f'},
	    {"no-reload", no_argument, NULL, 'n'},
	    CLI_COMMON_LONGOPTS,
	    {0},
	};
	bool install = false, force = false, reload = true, quiet = false;
	const char *root = NULL;
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "f" CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			install = true;
			break;
		case 'r':
			root = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'n':
			reload = false;
			break;
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
		ux_error("udev takes no arguments ('%s')", argv[optind]);
		usage(stderr);
		return MTK_EXIT_USAGE;
	}
	if (!install && (root || force || !reload)) {
		ux_error("--root, --force and --no-reload only go with --install");
		return MTK_EXIT_USAGE;
	}
	if (!install) {
		int ret = print_rules();

		if (ret == 0 && !ux_is_json() && !quiet)
			print_instructions();
		return ret;
	}
#ifdef __linux__
	if (root && !*root) {
		ux_error("--root needs a folder");
		return MTK_EXIT_USAGE;
	}
	/* Under --root we are building a package or a test tree: never touch the live udev. */
	return install_rules(root, force, reload);
#else
	(void)root;
	(void)force;
	ux_error("udev rules are only used on Linux");
	ux_hint("on Windows and macOS the system's serial driver owns the watch: use --port "
		"serial:PORT (see 'mtkbak list')");
	return MTK_EXIT_UNAVAILABLE;
#endif
}
