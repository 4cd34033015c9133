/* SPDX-License-Identifier: GPL-3.0-or-later */
/* USB backend (libusb-1.0): the boot ROM's CDC device 0E8D:0003, talked to directly on its
 * bulk endpoints so no kernel driver (cdc_acm) or ModemManager gets in the way. */
#include <dirent.h>
#include <libusb.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mtkbak/errors.h"
#include "mtkbak/hostenv.h"
#include "tp_internal.h"

#define MAX_IFACES 2

struct usb_ctx {
	libusb_context *ctx;
	const struct mtk_log *log;
	libusb_hotplug_callback_handle hotplug;
	bool hotplug_registered;
	int arrived;
};

struct usb_tp {
	struct mtk_transport base; /* first: the ops get a struct mtk_transport * */
	libusb_device_handle *h;
	uint8_t ep_in, ep_out;
	int ifaces[MAX_IFACES]; /* [0] data, [1] comm (-1 if none) */
	bool claimed[MAX_IFACES], detached[MAX_IFACES];
	const struct mtk_log *log;
};

static int map_usb_err(int e)
{
	switch (e) {
	case LIBUSB_ERROR_ACCESS:
		return -EACCES;
	case LIBUSB_ERROR_BUSY:
		return -EBUSY;
	case LIBUSB_ERROR_NO_DEVICE:
	case LIBUSB_ERROR_NOT_FOUND:
		return -ENODEV;
	case LIBUSB_ERROR_TIMEOUT:
		return -ETIMEDOUT;
	case LIBUSB_ERROR_NO_MEM:
		return -ENOMEM;
#ifdef _WIN32
	case LIBUSB_ERROR_NOT_SUPPORTED: /* held by a driver libusb cannot use (usbser, VCOM) */
		return -EBUSY;
#endif
	default:
		return -EIO;
	}
}

static int on_hotplug(libusb_context *ctx, libusb_device *dev, libusb_hotplug_event ev, void *arg)
{
	struct usb_ctx *u = arg;

	(void)ctx;
	(void)dev;
	if (ev == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED)
		u->arrived = 1;
	return 0; /* stay registered */
}

int usb_ctx_new(struct usb_ctx **out, const struct mtk_log *log, char *err, size_t errlen)
{
	struct usb_ctx *u = calloc(1, sizeof(*u));
	int e;

	if (!u)
		return -ENOMEM;
	u->log = log;
	e = libusb_init(&u->ctx);
	if (e < 0) {
		snprintf(err, errlen, "no USB bus is visible here (libusb: %s)",
			 libusb_strerror(e));
		free(u);
		return -ENODEV;
	}
#ifdef _WIN32
	/* UsbDk, when installed, reaches the watch whatever driver Windows bound to it (usbser
	 * included); without it libusb needs WinUSB bound (Zadig). Must come before any other
	 * libusb call on the context; it fails with NOT_FOUND when UsbDk is absent. */
	e = libusb_set_option(u->ctx, LIBUSB_OPTION_USE_USBDK);
	mtk_logf(log, MTK_LOG_INFO, "usb: %s",
		 e == LIBUSB_SUCCESS ? "UsbDk backend" : "WinUSB backend (UsbDk is not installed)");
#endif
	if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
		e = libusb_hotplug_register_callback(
		    u->ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED, 0, MTK_USB_VID, MTK_USB_PID,
		    LIBUSB_HOTPLUG_MATCH_ANY, on_hotplug, u, &u->hotplug);
		u->hotplug_registered = e == LIBUSB_SUCCESS;
	}
	mtk_logf(log, MTK_LOG_DEBUG, "usb: libusb ready, %s",
		 u->hotplug_registered ? "hotplug events" : "polling");
	*out = u;
	return 0;
}

void usb_ctx_free(struct usb_ctx *u)
{
	if (!u)
		return;
	if (u->hotplug_registered)
		libusb_hotplug_deregister_callback(u->ctx, u->hotplug);
	libusb_exit(u->ctx);
	free(u);
}

void usb_wait_event(struct usb_ctx *u, int ms)
{
	if (u && u->hotplug_registered) {
		struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

		u->arrived = 0;
		libusb_handle_events_timeout_completed(u->ctx, &tv, &u->arrived);
		return;
	}
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* "BUS-PORT.PORT...", the name sysfs and `lsusb -t` use. */
static int dev_path(libusb_device *dev, char *out, size_t len)
{
	uint8_t ports[8];
	int n = libusb_get_port_numbers(dev, ports, (int)sizeof(ports));
	size_t k;

	if (n <= 0)
		return -1;
	k = (size_t)snprintf(out, len, "%u-%u", libusb_get_bus_number(dev), ports[0]);
	for (int i = 1; i < n && k < len; i++)
		k += (size_t)snprintf(out + k, len - k, ".%u", ports[i]);
	return k < len ? 0 : -1;
}

static bool dev_matches(libusb_device *dev)
{
	struct libusb_device_descriptor dd;

	return libusb_get_device_descriptor(dev, &dd) == 0 && dd.idVendor == MTK_USB_VID &&
	       dd.idProduct == MTK_USB_PID;
}

int usb_scan(struct usb_ctx *u, char (*paths)[64], size_t max)
{
	libusb_device **list;
	ssize_t n = libusb_get_device_list(u->ctx, &list);
	int count = 0;

	if (n < 0)
		return map_usb_err((int)n);
	for (ssize_t i = 0; i < n; i++) {
		char p[64];

		if (!dev_matches(list[i]) || dev_path(list[i], p, sizeof(p)) < 0)
			continue;
		if ((size_t)count < max)
			snprintf(paths[count], 64, "%s", p);
		count++;
	}
	libusb_free_device_list(list, 1);
	return count;
}

/* ---- the transport ---- */

static int usb_read(struct mtk_transport *t, uint8_t *buf, size_t len, int timeout_ms)
{
	struct usb_tp *ut = (struct usb_tp *)t;
	int64_t deadline = mtk_now_ms() + (timeout_ms > 0 ? timeout_ms : 1);

	/* bounded by the deadline: zero-length packets are skipped until then */
	for (;;) {
		int got = 0, left = (int)(deadline - mtk_now_ms());
		int e;

		if (left <= 0)
			return -ETIMEDOUT;
		e = libusb_bulk_transfer(ut->h, ut->ep_in, buf, (int)len, &got, (unsigned)left);
		if (got > 0)
			return got;
		if (e == 0 || e == LIBUSB_ERROR_TIMEOUT)
			continue;
		if (e == LIBUSB_ERROR_PIPE)
			libusb_clear_halt(ut->h, ut->ep_in);
		mtk_logf(ut->log, MTK_LOG_DEBUG, "usb: bulk in: %s", libusb_strerror(e));
		return map_usb_err(e);
	}
}

static int usb_write(struct mtk_transport *t, const uint8_t *buf, size_t len, int timeout_ms)
{
	struct usb_tp *ut = (struct usb_tp *)t;
	int got = 0;
	int e = libusb_bulk_transfer(ut->h, ut->ep_out, (uint8_t *)buf, (int)len, &got,
				     (unsigned)(timeout_ms > 0 ? timeout_ms : 1));

	if (e == 0 && (size_t)got == len)
		return (int)len;
	if (e == 0)
		return -EIO;
	if (e == LIBUSB_ERROR_PIPE)
		libusb_clear_halt(ut->h, ut->ep_out);
	mtk_logf(ut->log, MTK_LOG_DEBUG, "usb: bulk out: %s", libusb_strerror(e));
	return map_usb_err(e);
}

static void usb_close(struct mtk_transport *t)
{
	struct usb_tp *ut = (struct usb_tp *)t;

	/* interface 0 (data) before 1 (comm), then give both back to the kernel so that
	 * /dev/ttyACM* returns */
	for (int i = 0; i < MAX_IFACES; i++)
		if (ut->claimed[i])
			libusb_release_interface(ut->h, ut->ifaces[i]);
	/* Detaching interface 0 makes cdc_acm let go of both interfaces, so interface 1 may
	 * never have looked detached: give every interface back when any was. */
	bool any_detached = false;

	for (int i = 0; i < MAX_IFACES; i++)
		any_detached |= ut->detached[i];
	for (int i = 0; i < MAX_IFACES; i++)
		if (any_detached && ut->ifaces[i] >= 0)
			libusb_attach_kernel_driver(ut->h, ut->ifaces[i]);
	libusb_close(ut->h);
	free(ut);
}

static const struct mtk_transport_ops usb_ops = {
    .kind = "usb",
    .read = usb_read,
    .write = usb_write,
    .close = usb_close,
};

/* The data interface is the one with a bulk IN and a bulk OUT endpoint; the comm interface
 * (CDC class 2) carries the line-state requests. */
static int find_endpoints(libusb_device *dev, struct usb_tp *ut)
{
	struct libusb_config_descriptor *cfg;
	int e = libusb_get_active_config_descriptor(dev, &cfg);

	if (e < 0)
		return map_usb_err(e);
	ut->ifaces[0] = ut->ifaces[1] = -1;
	for (int i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface *itf = &cfg->interface[i];
		const struct libusb_interface_descriptor *id;
		uint8_t in = 0, out = 0;

		if (itf->num_altsetting < 1)
			continue;
		id = &itf->altsetting[0];
		for (int k = 0; k < id->bNumEndpoints; k++) {
			const struct libusb_endpoint_descriptor *ep = &id->endpoint[k];

			if ((ep->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
				continue;
			if (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN)
				in = ep->bEndpointAddress;
			else
				out = ep->bEndpointAddress;
		}
		if (in && out && ut->ifaces[0] < 0) {
			ut->ifaces[0] = id->bInterfaceNumber;
			ut->ep_in = in;
			ut->ep_out = out;
		} else if (id->bInterfaceClass == LIBUSB_CLASS_COMM && ut->ifaces[1] < 0) {
			ut->ifaces[1] = id->bInterfaceNumber;
		}
	}
	libusb_free_config_descriptor(cfg);
	return ut->ifaces[0] < 0 ? -EPROTO : 0;
}

static int claim(struct usb_tp *ut, int slot, char *err, size_t errlen)
{
	int itf = ut->ifaces[slot], e;

	if (itf < 0)
		return 0;
	if (libusb_kernel_driver_active(ut->h, itf) == 1) {
		e = libusb_detach_kernel_driver(ut->h, itf);
		if (e == 0)
			ut->detached[slot] = true;
		else if (e != LIBUSB_ERROR_NOT_SUPPORTED && slot == 0) {
			snprintf(err, errlen,
				 "cannot detach the kernel driver from interface %d: %s", itf,
				 libusb_strerror(e));
			return map_usb_err(e);
		}
	}
	e = libusb_claim_interface(ut->h, itf);
	if (e == 0) {
		ut->claimed[slot] = true;
		return 0;
	}
	if (slot == 0) {
		snprintf(err, errlen, "cannot claim interface %d: %s", itf, libusb_strerror(e));
		return map_usb_err(e);
	}
	return 0; /* the comm interface is a nicety */
}

int usb_open_path(struct usb_ctx *u, const char *path, struct mtk_transport **out, char *err,
		  size_t errlen)
{
	libusb_device **list, *dev = NULL;
	ssize_t n = libusb_get_device_list(u->ctx, &list);
	struct usb_tp *ut;
	char p[64] = "";
	int e, ret, matches = 0;

	if (n < 0) {
		snprintf(err, errlen, "libusb cannot list devices: %s", libusb_strerror((int)n));
		return map_usb_err((int)n);
	}
	for (ssize_t i = 0; i < n; i++) {
		char q[64];

		if (!dev_matches(list[i]) || dev_path(list[i], q, sizeof(q)) < 0)
			continue;
		if (*path && strcmp(q, path))
			continue;
		matches++;
		if (!dev) {
			dev = list[i];
			snprintf(p, sizeof(p), "%s", q);
		}
	}
	if (!dev || matches > 1) {
		libusb_free_device_list(list, 1);
		if (matches > 1) {
			snprintf(err, errlen, "%d watches in boot-ROM mode are connected", matches);
			return -MTK_EAMBIGUOUS;
		}
		snprintf(err, errlen,
			 *path ? "no 0E8D:0003 device at usb:%s" : "no 0E8D:0003 device", path);
		return -ENODEV;
	}
	ut = calloc(1, sizeof(*ut));
	if (!ut) {
		libusb_free_device_list(list, 1);
		return -ENOMEM;
	}
	ut->log = u->log;
	e = libusb_open(dev, &ut->h);
	ret = e < 0 ? map_usb_err(e) : find_endpoints(dev, ut);
	libusb_free_device_list(list, 1);
	if (e < 0) {
#ifdef _WIN32
		if (e == LIBUSB_ERROR_NOT_SUPPORTED)
			snprintf(err, errlen,
				 "cannot open usb:%s: Windows gave it a driver libusb cannot use "
				 "(install WinUSB with Zadig, or UsbDk; or use its COM port: "
				 "--port serial:COMn)",
				 p);
		else
#endif
			snprintf(err, errlen, "cannot open usb:%s: %s", p, libusb_strerror(e));
		free(ut);
		return ret;
	}
	if (ret < 0) {
		snprintf(err, errlen, "usb:%s has no bulk endpoints: not a MediaTek boot ROM?", p);
		libusb_close(ut->h);
		free(ut);
		return ret;
	}
	ut->base.ops = &usb_ops;
	ut->base.log = u->log;
	snprintf(ut->base.name, sizeof(ut->base.name), "usb:%s", p);
	if ((ret = claim(ut, 0, err, errlen)) < 0 || (ret = claim(ut, 1, err, errlen)) < 0) {
		usb_close(&ut->base);
		return ret;
	}
	if (ut->claimed[1]) {
		/* What cdc_acm does at open: SET_LINE_CODING 115200 8N1, then
		 * SET_CONTROL_LINE_STATE DTR|RTS. A ROM may ignore the host until it has both. */
		uint8_t coding[7] = {0x00, 0xC2, 0x01, 0x00, 0, 0, 8};

		libusb_control_transfer(ut->h, 0x21, 0x20, 0, (uint16_t)ut->ifaces[1], coding,
					sizeof(coding), 200);
		libusb_control_transfer(ut->h, 0x21, 0x22, 0x0003, (uint16_t)ut->ifaces[1], NULL, 0,
					200);
	}
	mtk_logf(u->log, MTK_LOG_INFO, "usb: opened %s (interface %d, endpoints %02X/%02X)",
		 ut->base.name, ut->ifaces[0], ut->ep_in, ut->ep_out);
	*out = &ut->base;
	return 0;
}

/* ---- listing ---- */

int usb_list(struct usb_ctx *u, struct port_info *out, size_t max)
{
	libusb_device **list;
	ssize_t n = libusb_get_device_list(u->ctx, &list);
	size_t count = 0;

	if (n < 0)
		return map_usb_err((int)n);
	for (ssize_t i = 0; i < n && count < max; i++) {
		struct port_info *pi = &out[count];
		struct hostenv_usb hw;
		char node[64];

		memset(pi, 0, sizeof(*pi));
		if (!dev_matches(list[i]) || dev_path(list[i], pi->path, sizeof(pi->path)) < 0)
			continue;
		pi->kind = PORT_USB;
		pi->vid = MTK_USB_VID;
		pi->pid = MTK_USB_PID;
		if (hostenv_usb_describe(NULL, pi->path, &hw) == 0) {
			snprintf(pi->driver, sizeof(pi->driver), "%s",
				 hostenv_usb_first_driver(&hw));
			if (hw.tty[0])
				snprintf(pi->tty, sizeof(pi->tty), "/dev/%s", hw.tty);
		}
		snprintf(node, sizeof(node), "/dev/bus/usb/%03u/%03u",
			 libusb_get_bus_number(list[i]), libusb_get_device_address(list[i]));
		pi->accessible = access(node, R_OK | W_OK) == 0;
		count++;
	}
	libusb_free_device_list(list, 1);
	return (int)count;
}
