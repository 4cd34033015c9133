/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Descriptors and ep0 requests of the MT6261 boot ROM (doc/brom-protocol.md section 1.2;
 * doc/simulator.md). */
#include <errno.h>
#include <string.h>

#include "usb_desc.h"

/* Verbatim from the MT6261 capture: bcdUSB 1.10, class 02, EP0 64, 0E8D:0003, bcdDevice 1.00,
 * no device-level strings, one configuration. */
/* clang-format off */
static const uint8_t device_desc[18] = {
	0x12, 0x01, 0x10, 0x01, 0x02, 0x00, 0x00, 0x40, 0x8d,
	0x0e, 0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
};

/* wTotalLength 67, 2 interfaces, value 1, bus powered (0x80), 0 mA. Interface 0 = CDC data
 * (bulk 0x81 IN / 0x01 OUT, 64 B), interface 1 = CDC ACM comm (protocol 1) with the header,
 * ACM, union (master 1, slave 0) and call-management descriptors and interrupt 0x83 (16 B,
 * bInterval 1). */
static const uint8_t config_desc[67] = {
	/* configuration */
	0x09, 0x02, 0x43, 0x00, 0x02, 0x01, 0x00, 0x80, 0x00,
	/* interface 0: CDC data, 2 endpoints, iInterface 1 ("data_if") */
	0x09, 0x04, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x01,
	0x07, 0x05, 0x81, 0x02, 0x40, 0x00, 0x00, /* bulk IN 0x81, 64 */
	0x07, 0x05, 0x01, 0x02, 0x40, 0x00, 0x00, /* bulk OUT 0x01, 64 */
	/* interface 1: CDC comm, ACM, AT commands, 1 endpoint, iInterface 2 ("comm_if") */
	0x09, 0x04, 0x01, 0x00, 0x01, 0x02, 0x02, 0x01, 0x02,
	0x05, 0x24, 0x00, 0x10, 0x01,             /* header, bcdCDC 1.10 */
	0x04, 0x24, 0x02, 0x0f,                   /* ACM capabilities 0x0f */
	0x05, 0x24, 0x06, 0x01, 0x00,             /* union: master 1, slave 0 */
	0x05, 0x24, 0x01, 0x03, 0x00,             /* call management */
	0x07, 0x05, 0x83, 0x03, 0x10, 0x00, 0x01, /* interrupt IN 0x83, 16, bInterval 1 */
};

/* clang-format on */

static const uint8_t string0_desc[4] = {0x04, 0x03, 0x09, 0x04}; /* LANGID en-US */

/* Requests (bmRequestType, bRequest). */
#define RT_STD_DEV_IN	0x80
#define RT_STD_IF_IN	0x81
#define RT_STD_EP_IN	0x82
#define RT_STD_DEV_OUT	0x00
#define RT_STD_IF_OUT	0x01
#define RT_STD_EP_OUT	0x02
#define RT_CLASS_IF_OUT 0x21
#define RT_CLASS_IF_IN	0xa1

#define REQ_GET_STATUS	    0x00
#define REQ_CLEAR_FEATURE   0x01
#define REQ_SET_FEATURE	    0x03
#define REQ_GET_DESCRIPTOR  0x06
#define REQ_SET_LINE_CODING 0x20
#define REQ_GET_LINE_CODING 0x21
#define REQ_SET_CTRL_LINE   0x22
#define REQ_SEND_BREAK	    0x23

const uint8_t *usbsim_device_descriptor(size_t *len)
{
	*len = sizeof(device_desc);
	return device_desc;
}

const uint8_t *usbsim_config_descriptor(size_t *len)
{
	*len = sizeof(config_desc);
	return config_desc;
}

void usbsim_ep0_reset(struct usbsim_ep0 *s)
{
	/* 115200 8N1, what the ROM reports before anyone sets a line coding */
	static const uint8_t lc[7] = {0x00, 0xc2, 0x01, 0x00, 0x00, 0x00, 0x08};

	memcpy(s->line_coding, lc, sizeof(lc));
	s->line_state = 0;
	s->class_requests = 0;
}

static size_t copy_out(uint8_t *in, size_t in_max, size_t want, const uint8_t *src, size_t len)
{
	size_t n = len;

	if (n > want)
		n = want;
	if (n > in_max)
		n = in_max;
	memcpy(in, src, n);
	return n;
}

/* String descriptor from ASCII text (UTF-16LE). */
static size_t string_desc(const char *text, uint8_t *buf, size_t cap)
{
	size_t n = strlen(text);
	size_t len = 2 + 2 * n;

	if (len > cap)
		return 0;
	buf[0] = (uint8_t)len;
	buf[1] = 0x03;
	for (size_t i = 0; i < n; i++) {
		buf[2 + 2 * i] = (uint8_t)text[i];
		buf[3 + 2 * i] = 0;
	}
	return len;
}

static int get_descriptor(const struct usbsim_setup *st, uint8_t *in, size_t in_max)
{
	uint8_t type = (uint8_t)(st->value >> 8), index = (uint8_t)(st->value & 0xff);
	uint8_t tmp[64];
	size_t len;

	switch (type) {
	case 0x01:
		if (index != 0)
			return -EPIPE;
		return (int)copy_out(in, in_max, st->length, device_desc, sizeof(device_desc));
	case 0x02:
		if (index != 0)
			return -EPIPE;
		return (int)copy_out(in, in_max, st->length, config_desc, sizeof(config_desc));
	case 0x03:
		if (index == 0)
			return (int)copy_out(in, in_max, st->length, string0_desc,
					     sizeof(string0_desc));
		if (index == 1)
			len = string_desc("data_if", tmp, sizeof(tmp));
		else if (index == 2)
			len = string_desc("comm_if", tmp, sizeof(tmp));
		else
			return -EPIPE;
		return (int)copy_out(in, in_max, st->length, tmp, len);
	default:
		/* device qualifier, BOS, debug...: a USB 1.1 device stalls them */
		return -EPIPE;
	}
}

int usbsim_ep0_request(struct usbsim_ep0 *s, const struct usbsim_setup *st, const uint8_t *out,
		       size_t out_len, uint8_t *in, size_t in_max)
{
	static const uint8_t zero_status[2] = {0, 0};

	switch (st->request_type) {
	case RT_STD_DEV_IN:
		if (st->request == REQ_GET_DESCRIPTOR)
			return get_descriptor(st, in, in_max);
		if (st->request == REQ_GET_STATUS)
			return (int)copy_out(in, in_max, st->length, zero_status, 2);
		return -EPIPE;
	case RT_STD_IF_IN:
		if (st->request == REQ_GET_STATUS && st->index <= USBSIM_IF_COMM)
			return (int)copy_out(in, in_max, st->length, zero_status, 2);
		return -EPIPE;
	case RT_STD_EP_IN:
		if (st->request == REQ_GET_STATUS)
			return (int)copy_out(in, in_max, st->length, zero_status, 2);
		return -EPIPE;
	case RT_STD_DEV_OUT:
	case RT_STD_IF_OUT:
	case RT_STD_EP_OUT:
		/* CLEAR_FEATURE(ENDPOINT_HALT) from libusb_clear_halt, remote wakeup features */
		if (st->request == REQ_CLEAR_FEATURE || st->request == REQ_SET_FEATURE)
			return 0;
		return -EPIPE;
	case RT_CLASS_IF_OUT:
		if (st->index != USBSIM_IF_COMM && st->index != USBSIM_IF_DATA)
			return -EPIPE;
		if (st->request == REQ_SET_LINE_CODING) {
			if (out_len != sizeof(s->line_coding))
				return -EPIPE;
			memcpy(s->line_coding, out, sizeof(s->line_coding));
			s->class_requests++;
			return 0;
		}
		if (st->request == REQ_SET_CTRL_LINE) {
			s->line_state = st->value;
			s->class_requests++;
			return 0;
		}
		if (st->request == REQ_SEND_BREAK) {
			s->class_requests++;
			return 0;
		}
		return -EPIPE;
	case RT_CLASS_IF_IN:
		if (st->index != USBSIM_IF_COMM && st->index != USBSIM_IF_DATA)
			return -EPIPE;
		if (st->request == REQ_GET_LINE_CODING) {
			s->class_requests++;
			return (int)copy_out(in, in_max, st->length, s->line_coding,
					     sizeof(s->line_coding));
		}
		return -EPIPE;
	default:
		return -EPIPE;
	}
}

const char *usbsim_request_name(const struct usbsim_setup *st)
{
	switch (st->request_type << 8 | st->request) {
	case RT_STD_DEV_IN << 8 | REQ_GET_DESCRIPTOR:
		switch (st->value >> 8) {
		case 1:
			return "GET_DESCRIPTOR device";
		case 2:
			return "GET_DESCRIPTOR configuration";
		case 3:
			return "GET_DESCRIPTOR string";
		default:
			return "GET_DESCRIPTOR (other type)";
		}
	case RT_STD_DEV_IN << 8 | REQ_GET_STATUS:
	case RT_STD_IF_IN << 8 | REQ_GET_STATUS:
	case RT_STD_EP_IN << 8 | REQ_GET_STATUS:
		return "GET_STATUS";
	case RT_STD_EP_OUT << 8 | REQ_CLEAR_FEATURE:
		return "CLEAR_FEATURE endpoint";
	case RT_CLASS_IF_OUT << 8 | REQ_SET_LINE_CODING:
		return "SET_LINE_CODING";
	case RT_CLASS_IF_IN << 8 | REQ_GET_LINE_CODING:
		return "GET_LINE_CODING";
	case RT_CLASS_IF_OUT << 8 | REQ_SET_CTRL_LINE:
		return "SET_CONTROL_LINE_STATE";
	case RT_CLASS_IF_OUT << 8 | REQ_SEND_BREAK:
		return "SEND_BREAK";
	default:
		return "request";
	}
}
