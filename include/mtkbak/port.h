/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --port SPEC: which watch to talk to, and waiting for it to appear.
 *   auto                 first matching USB device (0E8D:0003), else a matching serial port
 *   usb                  first matching USB device
 *   usb:BUS-PORT[.PORT]  the USB device at that bus-port path, e.g. usb:1-2.3
 *   serial:PATH          a serial port (e.g. serial:/dev/ttyACM0, serial:COM5)
 *   NAME:ARG             a backend registered with port_env_add_backend, e.g. the simulated
 *                        watch (sim:IMAGE[,opt=val], sim:demo: sim/sim_port.c). The transport
 *                        layer itself never names the simulator.
 */
#ifndef MTKBAK_PORT_H
#define MTKBAK_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mtkbak/fsutil.h"
#include "mtkbak/log.h"
#include "mtkbak/transport.h"

enum port_kind { PORT_AUTO, PORT_USB, PORT_SERIAL, PORT_BACKEND };

struct port_spec {
	enum port_kind kind;
	char scheme[16];	/* PORT_BACKEND: the backend's name ("sim") */
	char arg[MTK_PATH_MAX]; /* usb path, serial path, or the backend's argument */
};

/* -EINVAL with a message in err for a bad spec. */
int port_spec_parse(const char *text, struct port_spec *out, char *err, size_t errlen);

/* Keeps simulated watches alive across reconnects within one mtkbak run, and any
 * backend context (libusb). One per command. */
struct port_env;
struct port_env *port_env_new(const struct mtk_log *log);
void port_env_free(struct port_env *env);
/* Makes port_list read a fake host below root (MTKBAK_SYSROOT, as doctor does): the watches
 * from sysfs instead of libusb, no serial ports. "" or NULL: the live system. */
int port_env_set_sysroot(struct port_env *env, const char *root);
/* Why the last port_open/port_list failed, in words (e.g. "sim image x.bin: a flash image must
 * be a power of two ..."), "" if it has nothing to add to the error code. */
const char *port_env_last_error(const struct port_env *env);
struct port_wait {
	int timeout_ms; /* 0: look once; < 0: wait forever */
	/* Called at least every 100 ms while waiting with the time waited so far;
	 * a non-zero return stops the wait with that code (e.g. -EINTR on Ctrl-C). */
	int (*tick)(void *ctx, int waited_ms);
	void *ctx;
};

/* Seen by the code that waits: calls wait->tick every 100 ms (a non-zero return is passed
 * on), and tells whether the wait's time is up. start and *next_tick are mtk_now_ms()
 * values. */
int port_wait_tick(const struct port_wait *wait, int64_t start, int64_t *next_tick);
bool port_wait_over(const struct port_wait *wait, int64_t start);

/* A port backend beyond usb and serial, registered per env by the program (the CLI
 * registers the simulated watch). ctx lives as long as the env. */
struct port_backend {
	const char *scheme;			     /* --port SCHEME:ARG */
	void *(*ctx_new)(const struct mtk_log *log); /* NULL: no context */
	void (*ctx_free)(void *ctx);
	/* The contract of port_open below; a message for the user in err. */
	int (*open)(void *ctx, const char *arg, const struct port_wait *wait,
		    struct mtk_transport **out, char *err, size_t errlen);
};
/* 0, -EINVAL, -ENOSPC (too many backends) or -ENOMEM. */
int port_env_add_backend(struct port_env *env, const struct port_backend *b);
/* The context of the backend registered under scheme, or NULL. */
void *port_env_backend_ctx(const struct port_env *env, const char *scheme);

/* Waits for a matching device and opens it. Starts talking within 50 ms of the device
 * appearing (libusb hotplug where available, else polling every <= 100 ms).
 * -ENODEV nothing in time, -MTK_EAMBIGUOUS two or more match (ask for --port),
 * -EACCES no permission, -EBUSY held by another driver. */
int port_open(struct port_env *env, const struct port_spec *spec, const struct port_wait *wait,
	      struct mtk_transport **out);

struct port_info {
	enum port_kind kind;
	char path[64]; /* usb: "1-2.3"; serial: "/dev/ttyACM0" */
	uint16_t vid, pid;
	char driver[32]; /* kernel driver bound to the data/comm interface, "" if none */
	char tty[64];	 /* usb: the tty the kernel made for it, if any */
	bool accessible; /* the current user can open it */
	char holder[48]; /* a program that has its tty open (e.g. "ModemManager"), "" if none */
	bool mm_ignored; /* udev tells ModemManager to leave it alone (ID_MM_DEVICE_IGNORE) */
};
/* Lists matching USB devices and serial ports; returns the count (<= max) or a negative code. */
int port_list(struct port_env *env, struct port_info *out, size_t max);

#endif
