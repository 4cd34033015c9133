/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The boot ROM's USB download loop, byte for byte (doc/brom-protocol.md sections 2 and 3;
 * what the model covers: doc/simulator.md). */
#include <string.h>

#include "engine.h"
#include "mtkbak/brom_wire.h"
#include "mtkbak/byteorder.h"
#include "sim_internal.h"

/* The forbidden-region tables of the boot ROMs, as each ROM holds it (12-byte entries
 * {mask, pointer to address pairs, count}: MT6261 at 0xFFF08134, MT6260 at 0xFFF0BC60,
 * MT6250 at 0xFFF08768), keeping the entries D7 and READ16/READ32 check (mask & 0x19F), in
 * the ROM's order. tests/unit/test_brom_tables.c compares them with the corpus ROMs. */
static const struct sim_forbidden sim_forbidden_6261[] = {
    {0x001, 0x7000B000u, 0x78000000u}, {0x002, 0xFFF00000u, 0xFFF08500u},
    {0x002, 0xFFF00000u, 0xFFFFFFFFu}, {0x002, 0xA0110000u, 0xA0120000u},
    {0x004, 0x700046B8u, 0x70005CF8u}, {0x004, 0x70002000u, 0x70002030u},
    {0x004, 0x70002030u, 0x70002040u}, {0x004, 0x70002040u, 0x70002940u},
    {0x004, 0x70003A60u, 0x70003F60u}, {0x004, 0x70003F60u, 0x700046B8u},
    {0x100, 0x70003640u, 0x70003A60u}, {0x008, 0x70002D40u, 0x70003640u},
    {0x010, 0x70002940u, 0x70002D40u},
};

static const struct sim_forbidden sim_forbidden_6260[] = {
    {0x001, 0x7000D000u, 0x78000000u}, {0x002, 0xFFF00000u, 0xFFF0C0B8u},
    {0x002, 0xFFF00000u, 0xFFFFFFFFu}, {0x002, 0xA0110000u, 0xA0120000u},
    {0x002, 0xA0710014u, 0xA0710018u}, {0x002, 0xA0710200u, 0xA0720000u},
    {0x004, 0x70004764u, 0x70006598u}, {0x004, 0x70002000u, 0x70002030u},
    {0x004, 0x70002030u, 0x70002040u}, {0x004, 0x70002040u, 0x70002940u},
    {0x004, 0x70003A60u, 0x70003F60u}, {0x004, 0x70003F60u, 0x70004764u},
    {0x100, 0x70003640u, 0x70003A60u}, {0x008, 0x70002D40u, 0x70003640u},
    {0x010, 0x70002940u, 0x70002D40u},
};

static const struct sim_forbidden sim_forbidden_6250[] = {
    {0x001, 0x7000D400u, 0x78000000u}, {0x002, 0xFFF00000u, 0xFFF08B48u},
    {0x002, 0xFFF00000u, 0xFFFFFFFFu}, {0x002, 0xA0110000u, 0xA0120000u},
    {0x002, 0xA0710014u, 0xA0710018u}, {0x002, 0xA0710200u, 0xA0720000u},
    {0x004, 0x7000663Cu, 0x70007CA4u}, {0x004, 0x70004000u, 0x70004030u},
    {0x004, 0x70004030u, 0x70004040u}, {0x004, 0x70004040u, 0x70004940u},
    {0x004, 0x70005A60u, 0x70005E60u}, {0x004, 0x70005E60u, 0x7000663Cu},
    {0x100, 0x70005640u, 0x70005A60u}, {0x008, 0x70004D40u, 0x70005640u},
    {0x010, 0x70004940u, 0x70004D40u},
};

#define TABLE(hw, t)                                                                               \
	{                                                                                          \
		hw, t, sizeof(t) / sizeof(t[0])                                                    \
	}
static const struct {
	uint16_t hw_code;
	const struct sim_forbidden *t;
	size_t n;
} sim_forbidden_tables[] = {
    TABLE(0x6261, sim_forbidden_6261),
    TABLE(0x6260, sim_forbidden_6260),
    TABLE(0x6250, sim_forbidden_6250),
};
#undef TABLE

const struct sim_forbidden *sim_forbidden_table(uint16_t hw_code, size_t *count)
{
	for (size_t i = 0; i < sizeof(sim_forbidden_tables) / sizeof(sim_forbidden_tables[0]); i++)
		if (sim_forbidden_tables[i].hw_code == hw_code) {
			*count = sim_forbidden_tables[i].n;
			return sim_forbidden_tables[i].t;
		}
	*count = 0;
	return NULL;
}

/* The ROM's range check (MT6261 0xFFF04EFC, applied per table entry by 0xFFF04F70). */
uint32_t sim_range_check(uint16_t hw_code, uint32_t addr, uint32_t size)
{
	size_t n;
	const struct sim_forbidden *t = sim_forbidden_table(hw_code, &n);
	uint32_t last;

	if (size == 0)
		return BROM_ST_RANGE_SIZE0;
	if (addr + size < addr)
		return BROM_ST_RANGE_WRAP; /* wraps past 0xFFFFFFFF (the ROM sends this as the
					      status) */
	last = addr + size - 1;
	for (size_t i = 0; i < n; i++) {
		bool first_in = t[i].start <= addr && t[i].end > addr;
		bool last_in = t[i].start <= last && t[i].end > last;
		bool covers = t[i].start > addr && t[i].end <= last;

		if ((first_in && last_in) || covers)
			return 3;
		if (first_in || last_in)
			return 2;
	}
	return 1;
}

/* One field, sent and flushed: its own USB transfer, as the ROM's send helpers do. */
static int tx(struct sim_watch *w, const void *p, size_t n)
{
	if (sim_dev_send(w, p, n) < 0)
		return -1;
	return sim_dev_flush(w);
}

static int tx8(struct sim_watch *w, uint8_t v)
{
	return tx(w, &v, 1);
}

static int tx16(struct sim_watch *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	return tx(w, b, 2);
}

static int tx32(struct sim_watch *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	return tx(w, b, 4);
}

static int rx8(struct sim_watch *w, uint8_t *v)
{
	return sim_dev_recv(w, v, 1);
}

/* A u32 parameter: received whole, then echoed. */
static int rx32_echo(struct sim_watch *w, uint32_t *v)
{
	uint8_t b[4];

	if (sim_dev_recv(w, b, 4) < 0)
		return -1;
	*v = mtk_get_be32(b);
	return tx(w, b, 4);
}

static int handshake(struct sim_watch *w)
{
	static const uint8_t start_cmd[4] = {BROM_START_0, BROM_START_1, BROM_START_2,
					     BROM_START_3};
	size_t idx = 0;

	while (idx < sizeof(start_cmd)) {
		uint8_t b;

		if (rx8(w, &b) < 0)
			return -1;
		if (b == start_cmd[idx]) {
			if (tx8(w, (uint8_t)~b) < 0)
				return -1;
			idx++;
		} else {
			if (tx8(w, (uint8_t)(b + 1)) < 0)
				return -1;
			idx = 0;
		}
	}
	return 0;
}

/* A2 (legacy, no status words), D0, D1. */
static int rom_read(struct sim_watch *w, uint8_t cmd)
{
	uint32_t addr, count, unit = cmd == BROM_CMD_READ32 ? 4 : 2;
	uint16_t st = BROM_ST_OK;
	uint8_t buf[1024];
	size_t n = 0;

	if (rx32_echo(w, &addr) < 0 || rx32_echo(w, &count) < 0)
		return -1;
	/* the order of the MT6261 ROM's checks (0xFFF05AA8) */
	if (w->o.fail_cmd == cmd)
		st = w->o.fail_status;
	else if (count == 0)
		st = BROM_ST_R_COUNT0;
	else if (addr % unit)
		st = cmd == BROM_CMD_READ32 ? BROM_ST_R_ODD32 : BROM_ST_R_ODD16;
	else if (count >= (unit == 4 ? 0x40000000u : 0x80000000u))
		st = BROM_ST_R_COUNT;
	else {
		uint32_t r = sim_range_check(w->o.hw_code, addr, count * unit);

		if (r >= 0xFF)
			st = (uint16_t)r;
		else if (r != 1)
			st = BROM_ST_R_RANGE; /* ROM, ROM data and stack, the security block */
	}
	if (st != BROM_ST_OK)
		return cmd == BROM_CMD_LEGACY_READ16 ? 0 : tx16(w, st); /* A2 just says nothing */
	if (cmd != BROM_CMD_LEGACY_READ16 && tx16(w, BROM_ST_OK) < 0)
		return -1;
	for (uint32_t i = 0; i < count; i++) {
		uint32_t a = addr + i * unit;
		uint32_t v = unit == 4 ? sim_mem_read32(w, a) : sim_mem_read16(w, a);

		/* values go out MSB first */
		if (unit == 4) {
			buf[n++] = (uint8_t)(v >> 24);
			buf[n++] = (uint8_t)(v >> 16);
		}
		buf[n++] = (uint8_t)(v >> 8);
		buf[n++] = (uint8_t)v;
		if (n + 4 > sizeof(buf) || i + 1 == count) {
			/* no flush per value: the data goes out in full packets */
			if (sim_dev_send(w, buf, n) < 0)
				return -1;
			n = 0;
		}
	}
	if (sim_dev_flush(w) < 0) /* one flush at the end, then the status */
		return -1;
	return cmd == BROM_CMD_LEGACY_READ16 ? 0 : tx16(w, BROM_ST_OK);
}

/* D2 (u16, echoed), D3 (u16, not echoed), D4 (u32, echoed). */
static int cmd_write(struct sim_watch *w, uint8_t cmd)
{
	uint32_t addr, count, unit = cmd == BROM_CMD_WRITE32 ? 4 : 2;
	uint16_t st = BROM_ST_WRITE_OK;

	if (rx32_echo(w, &addr) < 0 || rx32_echo(w, &count) < 0)
		return -1;
	if (w->o.fail_cmd == cmd)
		st = w->o.fail_status;
	else if (addr % unit)
		st = cmd == BROM_CMD_WRITE32 ? BROM_ST_W_ODD32 : BROM_ST_W_ODD16;
	else if (count == 0)
		st = BROM_ST_W_COUNT0;
	else if ((uint64_t)addr + (uint64_t)count * unit > 0xFFF00000ull)
		st = BROM_ST_W_RANGE; /* would write into the boot ROM or wrap around */
	if (tx16(w, st) < 0)
		return -1;
	if (st != BROM_ST_WRITE_OK)
		return 0;
	for (uint32_t i = 0; i < count; i++) {
		uint8_t b[4];

		if (sim_dev_recv(w, b, unit) < 0)
			return -1;
		/* the ROM echoes and flushes each value, then stores it (MT6261 0xFFF05A4A /
		 * 0xFFF05A5C for 16 bits, 0xFFF05A7C / 0xFFF05A8E for 32) */
		if (cmd != BROM_CMD_WRITE16_NE && tx(w, b, unit) < 0)
			return -1;
		if (unit == 4)
			sim_mem_write32(w, addr + i * 4, mtk_get_be32(b));
		else
			sim_mem_write16(w, addr + i * 2, mtk_get_be16(b));
		if (w->dev.mem.reset_req)
			return -1; /* a watchdog software reset takes effect at once */
	}
	return tx16(w, BROM_ST_WRITE_OK);
}

static int cmd_send_da(struct sim_watch *w)
{
	uint32_t addr, size, sig_len;
	uint16_t st = BROM_ST_OK, chk = 0;
	uint8_t buf[4096];

	if (rx32_echo(w, &addr) < 0 || rx32_echo(w, &size) < 0 || rx32_echo(w, &sig_len) < 0)
		return -1;
	/* the order of the MT6261 ROM's checks (0xFFF05DC4, validator 0xFFF05D40) */
	if (w->o.fail_cmd == BROM_CMD_SEND_DA)
		st = w->o.fail_status;
	else if (w->o.secure)
		st = BROM_ST_SECURE; /* SLA/DAA: only signed code, refused before the data phase */
	else if (addr & 1)
		st = BROM_ST_DA_ODD;
	else if (size == 0)
		st = BROM_ST_DA_SIZE0;
	else if (size <= sig_len)
		st = BROM_ST_DA_SIG_SIZE;
	else {
		uint32_t r = sim_range_check(w->o.hw_code, addr, size);

		if (r >= 0xFF)
			st = (uint16_t)r;
		else if (r != 1)
			st = BROM_ST_DA_RANGE; /* the load touches a forbidden region */
		else if (w->dev.nloads == SIM_MAX_LOADS)
			st = BROM_ST_DA_TOO_MANY;
	}
	if (tx16(w, st) < 0)
		return -1;
	if (st != BROM_ST_OK)
		return 0;
	for (uint32_t done = 0; done < size;) {
		uint32_t n = size - done < sizeof(buf) ? size - done : (uint32_t)sizeof(buf);

		if (sim_dev_recv(w, buf, n) < 0)
			return -1;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t pos = done + i;

			/* XOR of little-endian 16-bit words; an odd tail byte counts as a byte */
			chk ^= (uint16_t)((pos & 1) ? buf[i] << 8 : buf[i]);
			sim_mem_write8(w, addr + pos, buf[i]);
		}
		done += n;
	}
	w->dev.loads[w->dev.nloads++] = (struct sim_load){addr, size};
	if (tx16(w, chk) < 0)
		return -1;
	return tx16(w, BROM_ST_OK);
}

static int cmd_jump_da(struct sim_watch *w)
{
	uint32_t addr;
	uint16_t st = BROM_ST_OK;
	const struct sim_load *target = NULL;

	if (rx32_echo(w, &addr) < 0)
		return -1;
	for (size_t i = 0; i < w->dev.nloads; i++)
		if (addr - w->dev.loads[i].addr < w->dev.loads[i].len)
			target = &w->dev.loads[i];
	if (w->o.fail_cmd == BROM_CMD_JUMP_DA)
		st = w->o.fail_status;
	else if (w->o.secure)
		st = BROM_ST_SECURE;
	else if (w->dev.nloads == 0)
		st = BROM_ST_JUMP_NO_DA;
	else if (!target)
		st = BROM_ST_JUMP_OUTSIDE;
	if (tx16(w, st) < 0)
		return -1;
	if (st != BROM_ST_OK)
		return 0;
	/* The ROM calls the target; the code there now owns the link. With a boot-ROM dump
	 * it runs on the emulated core; without one only mtkbak's agent runs (its C core). */
	if (sim_engine_enabled(w)) {
		sim_engine_run(w, addr);
	} else if (addr == target->addr && sim_agent_matches(w, target->addr, target->len)) {
		sim_agent_run(w);
	} else {
		sim_engine_logf(w, "code at 0x%08X not executed: no boot-ROM dump given (rom=PATH)",
				(unsigned)addr);
		sim_dev_idle(w); /* as far as the host can tell, silence */
	}
	return -1;
}

static int cmd_simple(struct sim_watch *w, uint8_t cmd)
{
	if (w->o.fail_cmd == cmd)
		return tx16(w, w->o.fail_status);
	if (cmd == BROM_CMD_TARGET_CONFIG) {
		/* target config: b1 SLA, b2 DAA on a secure part */
		if (tx32(w, w->o.secure ? BROM_CFG_SLA | BROM_CFG_DAA : 0) < 0)
			return -1;
		return tx16(w, BROM_ST_OK);
	}
	/* E1: ME ID */
	if (tx32(w, BROM_ME_ID_LEN) < 0 || tx(w, w->me_id, BROM_ME_ID_LEN) < 0)
		return -1;
	return tx16(w, BROM_ST_OK);
}

static int cmd_uart_baud(struct sim_watch *w)
{
	uint32_t baud;

	if (rx32_echo(w, &baud) < 0)
		return -1;
	if (w->o.fail_cmd == BROM_CMD_UART1_SET_BAUD)
		return tx16(w, w->o.fail_status);
	return tx16(w, baud >= 110 && baud <= 921600 ? BROM_ST_OK : BROM_ST_BAUD);
}

void sim_brom_run(struct sim_watch *w)
{
	if (handshake(w) < 0)
		return;
	sim_dev_handshaken(w);
	sim_mem_wdt_handshaken(w);
	if (w->o.brom_engine && sim_engine_enabled(w)) {
		sim_engine_run_brom(w); /* brom=engine: the ROM's own loop answers from here */
		return;
	}
	for (;;) {
		uint8_t c;
		int ret = 0;

		if (rx8(w, &c) < 0)
			return;
		if (c == BROM_CMD_GET_VERSION) { /* GET_VERSION: the only command without an echo */
			if (tx8(w, BROM_VERSION) < 0)
				return;
			continue;
		}
		if (tx8(w, c) < 0)
			return;
		switch (c) {
		case BROM_CMD_LEGACY_READ16:
		case BROM_CMD_READ16:
		case BROM_CMD_READ32:
			ret = rom_read(w, c);
			break;
		case BROM_CMD_WRITE16:
		case BROM_CMD_WRITE16_NE:
		case BROM_CMD_WRITE32:
			ret = cmd_write(w, c);
			break;
		case BROM_CMD_JUMP_DA:
			ret = cmd_jump_da(w);
			break;
		case BROM_CMD_SEND_DA:
			ret = cmd_send_da(w);
			break;
		case BROM_CMD_TARGET_CONFIG:
		case BROM_CMD_GET_ME_ID:
			ret = cmd_simple(w, c);
			break;
		case BROM_CMD_UART1_SET_BAUD:
			ret = cmd_uart_baud(w);
			break;
		default:
			break; /* FE, FD, FC, A0, A1, anything else: echo only */
		}
		if (ret < 0)
			return;
	}
}
