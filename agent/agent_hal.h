/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The agent's hardware layer. The agent's protocol logic (core/ sources) is plain C that talks
 * only through this table, so the same source runs on the watch (arm/hal_arm.c: the boot
 * ROM's own USB/UART routines and the SFC registers) and inside the simulator
 * (sim/: the simulated pipe and SPI NOR). */
#ifndef MTKBAK_AGENT_HAL_H
#define MTKBAK_AGENT_HAL_H

#include <stdint.h>

struct agent_hal {
	void *ctx;
	/* Blocking byte pipe to the host. recv returns 0, or < 0 when the link is gone (sim). */
	int (*recv)(void *ctx, uint8_t *buf, uint32_t len);
	int (*send)(void *ctx, const uint8_t *buf, uint32_t len);
	void (*flush)(void *ctx);
	/* One serial-flash transaction: clock out tx[0:txlen], then clock in rx[0:rxlen]. */
	int (*spi)(void *ctx, const uint8_t *tx, uint32_t txlen, uint8_t *rx, uint32_t rxlen);
	/* Reads flash bytes through the memory-mapped (XIP) window; off is a flash offset. */
	int (*flash_read)(void *ctx, uint32_t off, uint8_t *buf, uint32_t len);
	/* Register/memory access for the BROM-compatible commands. */
	uint32_t (*read32)(void *ctx, uint32_t addr);
	void (*write32)(void *ctx, uint32_t addr, uint32_t value);
	uint16_t (*read16)(void *ctx, uint32_t addr);
	void (*write16)(void *ctx, uint32_t addr, uint16_t value);
	/* Watchdog reset of the watch; does not return on hardware. */
	void (*reset)(void *ctx);
	/* Optional (may be NULL): the 16-byte ME ID the boot ROM's GET_ME_ID (E1) sends, so
	 * the agent answers E1 like the ROM (a second mtkbak run finds the agent running and
	 * identifies the watch through it). 0, or < 0 when unknown. */
	int (*me_id)(void *ctx, uint8_t out[16]);
	/* Optional (may be NULL): restarts the watchdog's count. The host arms it as a dead
	 * man's switch before D5; the agent kicks it at start, per command and per packet, so
	 * only an agent that stops running lets it reset the watch into the boot ROM. */
	void (*wdt_kick)(void *ctx);
	/* Optional (may be NULL): where flash [off, off+len) can be read directly in memory
	 * (the XIP window on the watch), so the compressed READ needs no input buffer.
	 * 0 and *p set, or < 0 when that range cannot be mapped. Without it the agent does not
	 * offer the compressed READ (AGENT_HELLO_F_ZREAD). */
	int (*flash_map)(void *ctx, uint32_t off, uint32_t len, const uint8_t **p);
};

/* The agent's main loop: announces itself, then serves commands until a reset command
 * (returns 0 in the simulator after hal->reset) or until the link is gone (< 0). */
int agent_main(const struct agent_hal *hal);

#endif
