/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private helpers shared by the transport backends (src/transport/). */
#ifndef MTKBAK_TP_INTERNAL_H
#define MTKBAK_TP_INTERNAL_H

#include <stdint.h>

#include "mtkbak/port.h"
#include "mtkbak/clock.h"
#include "mtkbak/transport.h"

#define MTK_USB_VID 0x0E8D
#define MTK_USB_PID 0x0003

/* ---- usb.c (libusb-1.0) ---- */
struct usb_ctx;
/* 0, or a negative code with a message in err (no USB bus visible, libusb failed). */
int usb_ctx_new(struct usb_ctx **out, const struct mtk_log *log, char *err, size_t errlen);
void usb_ctx_free(struct usb_ctx *u);
/* Matching devices now: count, and the bus-port paths of up to max of them. */
int usb_scan(struct usb_ctx *u, char (*paths)[64], size_t max);
/* Opens the device at path ("" = the only one). -ENODEV/-EACCES/-EBUSY/-EIO + err. */
int usb_open_path(struct usb_ctx *u, const char *path, struct mtk_transport **out, char *err,
		  size_t errlen);
/* Sleeps up to ms waiting for a hotplug arrival (returns early on one); polling when the
 * platform has no hotplug. */
void usb_wait_event(struct usb_ctx *u, int ms);
/* Fills port_info for matching devices (driver and tty from sysfs where available). */
int usb_list(struct usb_ctx *u, struct port_info *out, size_t max);

/* ---- serial.c (libserialport) ---- */
/* Matching serial ports (USB VID:PID 0E8D:0003): count, names of up to max. */
int serial_scan(char (*names)[64], size_t max);
int serial_open_name(const char *name, const struct mtk_log *log, struct mtk_transport **out,
		     char *err, size_t errlen);
int serial_list(struct port_info *out, size_t max);

#endif
