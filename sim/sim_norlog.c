/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nor_log=PATH: the simulated flash's write detector. Every SPI command that is not one of
 * the read-side commands the NOR model answers (program, erase, write enable, write status,
 * anything unknown) and every write into the memory-mapped flash window is counted and
 * appended to PATH as "OP ADDRESS LENGTH" in upper-case hex (OP "FW" for a window write),
 * one line per command, flushed at once so a killed run still leaves its lines. The file is
 * created when the watch is, so an empty file proves nothing tried to change the flash. */
#include <errno.h>
#include <stdio.h>

#include "sim_internal.h"

int sim_norlog_open(struct sim_watch *w)
{
	if (!w->o.nor_log[0])
		return 0;
	w->nor_log = fopen(w->o.nor_log, "a");
	return w->nor_log ? 0 : -errno;
}

void sim_norlog_close(struct sim_watch *w)
{
	if (w->nor_log)
		fclose(w->nor_log);
	w->nor_log = NULL;
}

void sim_norlog_op(struct sim_watch *w, unsigned op, uint32_t addr, uint32_t len)
{
	w->nor_writes++;
	if (!w->nor_log)
		return;
	if (op == SIM_NORLOG_WINDOW)
		fprintf(w->nor_log, "FW %08X %08X\n", addr, len);
	else
		fprintf(w->nor_log, "%02X %08X %08X\n", op & 0xFFu, addr, len);
	fflush(w->nor_log);
}

/* Bytes an erase opcode clears (0 for commands that are not erases). */
static uint32_t erase_len(const struct sim_watch *w, uint8_t op)
{
	switch (op) {
	case 0x20: /* sector erase */
		return 0x1000u;
	case 0x52: /* 32 KiB block erase */
		return 0x8000u;
	case 0xD8: /* 64 KiB block erase */
		return 0x10000u;
	case 0x60: /* chip erase */
	case 0xC7:
		return (uint32_t)w->flash_len;
	default:
		return 0;
	}
}

void sim_norlog_spi(struct sim_watch *w, const uint8_t *tx, uint32_t txlen)
{
	uint32_t addr = 0, len = 0;

	if (!txlen)
		return;
	if (txlen >= 4)
		addr = (uint32_t)tx[1] << 16 | (uint32_t)tx[2] << 8 | tx[3];
	len = erase_len(w, tx[0]);
	if (!len && (tx[0] == 0x02 || tx[0] == 0x32) && txlen > 4)
		len = txlen - 4; /* page program: the data bytes after the address */
	if (!len && txlen > 1)
		len = txlen - 1; /* write status and the rest: the bytes after the opcode */
	sim_norlog_op(w, tx[0], addr, len);
}
