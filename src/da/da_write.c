/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Host side of the agent's write path (agent_wire.h: WSESSION ... WRSR), used only by
 * `mtkbak restore`. Every call has a deadline derived from the flash's own worst case. */
#include <stdlib.h>
#include <string.h>

#include "mtkbak/agent_wire.h"
#include "mtkbak/byteorder.h"
#include "mtkbak/crc32.h"
#include "mtkbak/da.h"
#include "mtkbak/errors.h"
#include "mtkbak/nor.h"
#include "da_internal.h"

#define DA_WRITE_SLACK_MS 2000 /* on top of the flash's own deadline: USB and the agent */

int da_write_session(struct da *d, bool open)
{
	uint8_t req[5], state = 0;
	int ret;

	req[0] = AGENT_CMD_WSESSION;
	mtk_put_be32(req + 1, open ? AGENT_WRITE_KEY : 0u);
	ret = da_small_cmd(d, req, sizeof(req), &state, 1, d->timeout_ms,
			   open ? "WSESSION open" : "WSESSION close");
	if (ret == 0 && state != (open ? 1u : 0u))
		return da_fail(d, -EPROTO, "WSESSION: the agent reports the session %s",
			       state ? "open" : "closed");
	return ret;
}

int da_sector_crcs(struct da *d, uint32_t off, uint32_t count, bool via_sfc, uint32_t *crcs)
{
	uint8_t *buf;
	int ret = 0;

	if ((off & (AGENT_SECTOR - 1u)) || !count || count > AGENT_FLASH_WINDOW / AGENT_SECTOR ||
	    off > AGENT_FLASH_WINDOW - count * AGENT_SECTOR)
		return da_fail(d, -EINVAL,
			       "SECTOR_CRCS: 0x%X + %u sectors is not inside the window",
			       (unsigned)off, (unsigned)count);
	buf = malloc(4u * AGENT_CRC_LIST_MAX);
	if (!buf)
		return -ENOMEM;
	for (uint32_t done = 0; done < count && ret == 0;) {
		uint32_t n = count - done < AGENT_CRC_LIST_MAX ? count - done : AGENT_CRC_LIST_MAX;
		uint8_t req[10];

		req[0] = AGENT_CMD_SECTOR_CRCS;
		mtk_put_be32(req + 1, off + done * AGENT_SECTOR);
		mtk_put_be32(req + 5, n);
		req[9] = via_sfc ? 1u : 0u;
		/* the device reads every byte: allow >= 256 KB/s on top of the deadline */
		ret = da_small_cmd(d, req, sizeof(req), buf, 4u * n,
				   d->timeout_ms + (int)(n * AGENT_SECTOR / 256u), "SECTOR_CRCS");
		for (uint32_t i = 0; ret == 0 && i < n; i++)
			crcs[done + i] = mtk_get_be32(buf + 4u * i);
		done += n;
	}
	free(buf);
	return ret;
}

int da_erase(struct da *d, uint8_t op, uint32_t addr, uint32_t max_ms, uint8_t *sr1)
{
	uint8_t req[10], v = 0;
	int ret;

	if (max_ms > AGENT_MAX_WAIT_MS)
		max_ms = AGENT_MAX_WAIT_MS;
	req[0] = AGENT_CMD_ERASE;
	req[1] = op;
	mtk_put_be32(req + 2, addr);
	mtk_put_be32(req + 6, max_ms);
	/* the agent waits for the part once before and once after the erase */
	ret =
	    da_small_cmd(d, req, sizeof(req), &v, 1, 2 * (int)max_ms + DA_WRITE_SLACK_MS, "ERASE");
	if (ret == 0 && sr1)
		*sr1 = v;
	return ret;
}

int da_program(struct da *d, uint32_t addr, const uint8_t *data, uint32_t len, uint32_t page_ms,
	       uint32_t *crc_sfc)
{
	uint8_t *req, v[4];
	uint32_t pieces;
	int ret;

	if (!len || len > AGENT_WBUF_LEN ||
	    addr / AGENT_SECTOR != (addr + len - 1u) / AGENT_SECTOR || addr >= AGENT_FLASH_WINDOW)
		return da_fail(d, -EINVAL, "PROGRAM: 0x%X + %u is not inside one 4 KiB sector",
			       (unsigned)addr, (unsigned)len);
	if (page_ms > AGENT_MAX_WAIT_MS)
		page_ms = AGENT_MAX_WAIT_MS;
	req = malloc(13u + len + 4u);
	if (!req)
		return -ENOMEM;
	req[0] = AGENT_CMD_PROGRAM;
	mtk_put_be32(req + 1, addr);
	mtk_put_be32(req + 5, len);
	mtk_put_be32(req + 9, page_ms);
	memcpy(req + 13, data, len);
	mtk_put_be32(req + 13 + len, mtk_crc32(0, req + 1, 12u + len));
	/* every piece may take the whole per-program deadline */
	pieces = 2u * ((len + NOR_PAGE - 1u) / NOR_PAGE) + 1u;
	ret = da_small_cmd(d, req, 17u + len, v, 4, (int)(pieces * page_ms) + DA_WRITE_SLACK_MS,
			   "PROGRAM");
	free(req);
	if (ret == 0 && crc_sfc)
		*crc_sfc = mtk_get_be32(v);
	return ret;
}

int da_status_regs(struct da *d, uint8_t sr[2])
{
	uint8_t req = AGENT_CMD_STATUS;

	return da_small_cmd(d, &req, 1, sr, 2, d->timeout_ms, "STATUS");
}

int da_write_status(struct da *d, uint8_t sr1, uint8_t sr2, int nregs, uint32_t max_ms,
		    uint8_t out[2])
{
	uint8_t req[8], v[2];
	int ret;

	if (nregs != 1 && nregs != 2)
		return da_fail(d, -EINVAL, "WRSR: 1 or 2 status registers, not %d", nregs);
	if (max_ms > AGENT_MAX_WAIT_MS)
		max_ms = AGENT_MAX_WAIT_MS;
	req[0] = AGENT_CMD_WRSR;
	req[1] = sr1;
	req[2] = sr2;
	req[3] = (uint8_t)nregs;
	mtk_put_be32(req + 4, max_ms);
	ret = da_small_cmd(d, req, sizeof(req), v, 2, 2 * (int)max_ms + DA_WRITE_SLACK_MS, "WRSR");
	if (ret == 0 && out)
		memcpy(out, v, 2);
	return ret;
}
