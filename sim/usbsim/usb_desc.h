/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The USB face of the MT6261 boot ROM as mtkbak-usbsim presents it: descriptors byte for
 * byte as the real ROM sends them (doc/brom-protocol.md section 1.2) and the ep0 requests it
 * answers.
 * Pure functions, no I/O, so the loopback test can check them without QEMU. */
#ifndef MTKBAK_USBSIM_USB_DESC_H
#define MTKBAK_USBSIM_USB_DESC_H

#include <stddef.h>
#include <stdint.h>

#define USBSIM_VID	   0x0E8D
#define USBSIM_PID	   0x0003
#define USBSIM_BCD_DEVICE  0x0100
#define USBSIM_EP_BULK_IN  0x81
#define USBSIM_EP_BULK_OUT 0x01
#define USBSIM_EP_NOTIFY   0x83
#define USBSIM_BULK_MPS	   64
#define USBSIM_NOTIFY_MPS  16
#define USBSIM_EP0_MPS	   64
#define USBSIM_IF_DATA	   0 /* the ROM puts the CDC data interface first... */
#define USBSIM_IF_COMM	   1 /* ...and the ACM comm interface second */

/* ep0 state a real device keeps between requests. */
struct usbsim_ep0 {
	uint8_t line_coding[7];	 /* dwDTERate (LE), bCharFormat, bParityType, bDataBits */
	uint16_t line_state;	 /* last SET_CONTROL_LINE_STATE: bit 0 DTR, bit 1 RTS */
	unsigned class_requests; /* CDC class requests seen (for the log/status) */
};

/* One SETUP packet. */
struct usbsim_setup {
	uint8_t request_type, request;
	uint16_t value, index, length;
};

/* The 18-byte device and the 67-byte configuration descriptor. */
const uint8_t *usbsim_device_descriptor(size_t *len);
const uint8_t *usbsim_config_descriptor(size_t *len);

void usbsim_ep0_reset(struct usbsim_ep0 *s);

/* Answers one control request. For device-to-host requests writes at most setup->length
 * (and at most in_max) bytes to in and returns the count; for host-to-device requests
 * consumes out[0:out_len] and returns 0. -EPIPE means STALL (unknown request, bad index). */
int usbsim_ep0_request(struct usbsim_ep0 *s, const struct usbsim_setup *setup, const uint8_t *out,
		       size_t out_len, uint8_t *in, size_t in_max);

/* A short human description of a request, for the log ("GET_DESCRIPTOR device"...). */
const char *usbsim_request_name(const struct usbsim_setup *setup);

#endif
