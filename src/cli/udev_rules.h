/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mtkbak's udev rules (Linux): embedded so 'mtkbak udev' works without the source tree. */
#ifndef MTKBAK_CLI_UDEV_RULES_H
#define MTKBAK_CLI_UDEV_RULES_H

/* The whole rules file, NUL-terminated. */
extern const char mtkbak_udev_rules[];
/* "60-mtkbak.rules": below 73 so that TAG+="uaccess" works. */
extern const char mtkbak_udev_rules_name[];

/* The group the rules give the USB device node to, for users without a local seat. */
#define MTKBAK_UDEV_GROUP "plugdev"

/* Where udev reads rules from, in its order of priority (a file in an earlier folder
 * replaces one with the same name in a later folder). */
#define MTKBAK_UDEV_DIRS                                                                           \
	{                                                                                          \
		"/etc/udev/rules.d", "/run/udev/rules.d", "/usr/local/lib/udev/rules.d",           \
		    "/usr/lib/udev/rules.d", "/lib/udev/rules.d"                                   \
	}

#endif
