/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mtkbak agent wire format: shared by the agent (core/agent.c, on the watch and inside the
 * simulator) and the host (src/da/da.c), so the three cannot drift apart.
 *
 * All integers on the wire are big-endian, like the boot ROM's. After D5 the agent sends a
 * 16-byte hello and then serves one command at a time:
 *
 *   boot-ROM compatible (framed exactly like the BROM, doc/brom-protocol.md section 3.2):
 *     FF GET_VERSION -> 05;  A2 LEGACY_READ16;  D0 READ16;  D1 READ32;  D2 WRITE16;
 *     D3 WRITE16_NO_ECHO;  D4 WRITE32;  D8 GET_TARGET_CONFIG (answers 0: the agent only
 *     runs where the ROM took unsigned code, so no SLA/DAA);  E1 GET_ME_ID (the ROM's own
 *     ME ID buffer; a lone status AGENT_ST_NO_ME_ID when the hardware layer has none);
 *     any other unknown byte is echoed.
 *   agent commands (H: host sends, D: agent answers):
 *     70 PING      H: 70                     D: 70 hello[16]
 *     76 SYNC      H: 76 token32             D: 76 token32 hello[16]
 *     71 FLASH_ID  H: 71                     D: 71 st16 [id[3] crc32]
 *     72 SFDP      H: 72 addr32 len32        D: 72 st16 [data[len] crc32]
 *     73 READ      H: 73 off32 len32 pkt32   D: 73 st16 [packet... end] st16
 *     74 CRC32     H: 74 off32 len32         D: 74 st16 [value32 crc32]
 *     75 REBOOT    H: 75                     D: 75 st16, then a watchdog reset
 *   the write path (only `mtkbak restore` uses it):
 *     77 WSESSION  H: 77 key32               D: 77 st16 [open8 crc32]
 *        key AGENT_WRITE_KEY opens a write session, 0 closes it. Outside a session the agent
 *        refuses every command below that writes (AGENT_ST_READ_ONLY), never sends a
 *        write, erase or status-write opcode to the flash, and refuses boot-ROM style
 *        writes into the serial flash controller or the flash window.
 *     78 SECTOR_CRCS H: 78 off32 count32 via8 D: 78 st16 [crc32 x count, crc32]
 *        the CRC-32 of each 4 KiB sector from off (4 KiB aligned, count <= AGENT_CRC_LIST_MAX),
 *        read through the memory window (via 0) or the serial flash controller (via 1,
 *        which no cache can make stale). On a flash error the list's crc32 is inverted.
 *     79 ERASE     H: 79 op8 addr32 ms32      D: 79 st16 [sr1 crc32]      (session)
 *        op 20/52/D8 (4/32/64 KiB, addr aligned to it): write enable, erase, then the busy
 *        bit polled for at most ms * AGENT_POLLS_PER_MS status reads; sr1 = status after.
 *     7A PROGRAM   H: 7A addr32 len32 ms32 data[len] crc32(addr32 len32 ms32 data)
 *                                           D: 7A st16 [crc32_sfc crc32]  (session)
 *        len <= AGENT_WBUF_LEN, and [addr, addr+len) inside one 4 KiB sector. Page program
 *        in pieces of at most AGENT_SPI_CHUNK bytes that never cross a 256-byte page (pieces
 *        that are all 0xFF are skipped: erased flash already holds them), each waited for
 *        like ERASE; then the range is read back through the serial flash controller and
 *        its CRC-32 returned (crc32_sfc) for the host to compare. A request whose crc32
 *        does not match is refused (AGENT_ST_BAD_CRC) before anything is programmed; a bad
 *        length closes the session (the data that follows is not a command).
 *     7B STATUS    H: 7B                     D: 7B st16 [sr1 sr2 crc32]
 *     7C WRSR      H: 7C sr1 sr2 n8 ms32      D: 7C st16 [sr1 sr2 crc32]   (session)
 *        write status register 1 (n 1) or 1 and 2 (n 2), wait, read both back.
 *   "[...]" is only sent when the status before it is AGENT_ST_OK. A "crc32" field is the
 *   CRC-32 of the bytes named before it inside the brackets. PING is a probe that a boot ROM
 *   merely echoes; SYNC re-synchronises after a broken stream (the host skips everything up
 *   to its own token).
 *
 *   READ packet:  off32 len32 data[len] crc32(off32 len32 data)
 *   READ end:     off32 00000000 crc32(off32 00000000); off = where the stream stopped.
 *   Every packet but the last carries exactly pkt bytes; the host knows every length in
 *   advance and never trusts a length field from the wire.
 *
 *   Compressed READ (hello flag AGENT_HELLO_F_ZREAD; the host sets AGENT_READ_F_Z in pkt32,
 *   and pkt is then at most AGENT_ZBLOCK_MAX): every packet is
 *     off32 len32 kind8 zlen16 payload crc32(off32 len32 kind8 zlen16 data[len])
 *   kind AGENT_ZK_RAW: payload = data[len], zlen 0; AGENT_ZK_ERASED: no payload, data is len
 *   bytes of 0xFF, zlen 0; AGENT_ZK_LZ4: payload = one LZ4 block of zlen bytes, 0 < zlen <
 *   len, that decodes to data[len]. The CRC is over the decompressed data, as for a raw
 *   packet; the end packet and final status are unchanged. doc/agent.md section 3.4.
 *
 * USB detail: the boot ROM's USB driver only sends a short packet when it is flushed with a
 * partly filled 64-byte buffer. A reply of an agent command (70-76) whose length is a
 * multiple of 64 is therefore followed by one AGENT_PAD byte, so the host's bulk read always
 * ends on a short packet (agent_reply_padded()). */
#ifndef MTKBAK_AGENT_WIRE_H
#define MTKBAK_AGENT_WIRE_H

#include <stdint.h>

#include "mtkbak/brom_wire.h"
#include "mtkbak/byteorder.h"

#define AGENT_PROTO_VERSION 1u

/* --- the binary image (mtkbak-agent.bin), little-endian header at offset 0 --- */
#define AGENT_IMG_MAGIC		"MTKBAKAG" /* at offset 4, after the ARM branch to _start */
#define AGENT_IMG_MAGIC_OFF	4u
#define AGENT_IMG_VERSION_OFF	12u /* u32 AGENT_PROTO_VERSION */
#define AGENT_IMG_SIZE_OFF	16u /* u32 bytes in the file */
#define AGENT_IMG_FOOTPRINT_OFF 20u /* u32 RAM bytes used from the load address (incl. stack) */
#define AGENT_IMG_HEADER_LEN	24u

/* --- hello --- */
#define AGENT_HELLO_MAGIC   "MTKA"
#define AGENT_HELLO_LEN	    16u	    /* magic[4] ver16 flags16 max_packet32 crc32(bytes 0..11) */
#define AGENT_HELLO_F_SPI   0x0001u /* the agent can run serial-flash transactions */
#define AGENT_HELLO_F_ZREAD 0x0002u /* READ with AGENT_READ_F_Z: erased/LZ4/raw packets */

/* --- compressed READ --- */
#define AGENT_READ_F_Z	    0x80000000u /* in READ's pkt32 */
#define AGENT_ZBLOCK_MAX    4096u	/* largest packet of a compressed READ */
#define AGENT_ZPKT_HDR	    11u		/* off32 len32 kind8 zlen16 */
#define AGENT_ZPKT_OVERHEAD 15u		/* header + crc32 */
enum agent_zkind {
	AGENT_ZK_RAW = 0,
	AGENT_ZK_ERASED = 1,
	AGENT_ZK_LZ4 = 2,
};

/* --- commands --- */
enum agent_cmd {
	AGENT_CMD_PING = 0x70,
	AGENT_CMD_FLASH_ID = 0x71,
	AGENT_CMD_SFDP = 0x72,
	AGENT_CMD_READ = 0x73,
	AGENT_CMD_CRC32 = 0x74,
	AGENT_CMD_REBOOT = 0x75,
	AGENT_CMD_SYNC = 0x76,
	AGENT_CMD_WSESSION = 0x77,
	AGENT_CMD_SECTOR_CRCS = 0x78,
	AGENT_CMD_ERASE = 0x79,
	AGENT_CMD_PROGRAM = 0x7A,
	AGENT_CMD_STATUS = 0x7B,
	AGENT_CMD_WRSR = 0x7C,
};

/* boot-ROM compatible commands and statuses: include/mtkbak/brom_wire.h */
#define AGENT_ME_ID_LEN 16u

/* agent status words (distinct from the boot ROM's 0x1Dxx) */
enum agent_status {
	AGENT_ST_OK = 0x0000,
	AGENT_ST_BAD_LEN = 0x2D01,    /* length 0 or above the command's limit */
	AGENT_ST_RANGE = 0x2D02,      /* range outside the flash window */
	AGENT_ST_BAD_PACKET = 0x2D03, /* packet size 0 or above AGENT_MAX_PACKET */
	AGENT_ST_SPI = 0x2D04,	      /* serial-flash transaction failed or timed out */
	AGENT_ST_FLASH = 0x2D05,      /* reading the flash window failed */
	AGENT_ST_NO_SPI = 0x2D06,     /* no serial-flash access on this hardware layer */
	AGENT_ST_NO_ME_ID = 0x2D07,   /* E1: the ME ID is not known to the agent */
	AGENT_ST_READ_ONLY = 0x2D08,  /* read session: a write to the flash or its controller */
	AGENT_ST_WEL = 0x2D09,	      /* the flash did not set its write-enable latch */
	AGENT_ST_TIMEOUT = 0x2D0A,    /* the flash stayed busy past the deadline */
	AGENT_ST_BAD_CRC = 0x2D0B,    /* the request's data CRC does not match */
	AGENT_ST_BAD_ARG = 0x2D0C,    /* opcode, alignment or key not accepted */
};
#define AGENT_ST_LAST AGENT_ST_BAD_ARG

/* Sessions: the agent starts in a read session, in which WRITE16/WRITE32 into the serial
 * flash controller or the memory-mapped flash window are refused (AGENT_ST_READ_ONLY) and
 * the SPI layer sends only the read-side opcodes below. A write session (restore) has to be
 * opened explicitly with WSESSION (AGENT_WRITE_KEY); it may send the write opcodes too
 * (nor_op_writes, mtkbak/nor.h). */
enum agent_session {
	AGENT_SESSION_READ = 0,
	AGENT_SESSION_WRITE = 1,
};
#define AGENT_RO_SFC_BASE   0xA0140000u /* serial flash controller registers and buffer */
#define AGENT_RO_SFC_LEN    0x00010000u
#define AGENT_RO_FLASH_BASE 0x00000000u /* the flash window the agent reads (remap 2) ... */
#define AGENT_RO_FLASH_ALT  0x10000000u /* ... and where remap 3 puts it */
#define AGENT_RO_FLASH_LEN  0x01000000u

/* SPI opcodes a read session may send: JEDEC ID, SFDP, READ, FAST READ, READ STATUS (1 and,
 * for restore's plan of a protected part, 2). */
static inline int agent_spi_read_op(uint8_t op)
{
	return op == 0x9F || op == 0x5A || op == 0x03 || op == 0x0B || op == 0x05 || op == 0x35;
}

/* --- limits --- */
#define AGENT_FLASH_WINDOW    0x01000000u /* READ/CRC32 offsets: 16 MiB, 24-bit SPI NOR */
#define AGENT_MAX_PACKET      0x10000u	  /* READ payload per packet */
#define AGENT_SFDP_MAX	      256u	  /* SFDP bytes per request */
#define AGENT_SPI_CHUNK	      128u	  /* bytes per serial-flash transaction (SFC buffer) */
#define AGENT_IO_CHUNK_MAX    16384u	  /* agent-side staging buffer: at most this */
#define AGENT_PACKET_OVERHEAD 12u	  /* off32 len32 ... crc32 */
#define AGENT_USB_MPS	      64u
#define AGENT_PAD	      0x00u
#define AGENT_SFC_BUF	      256u	  /* SFC PIO buffer: tx + rx bytes per transaction */
#define AGENT_SECTOR	      4096u	  /* SECTOR_CRCS unit, PROGRAM limit */
#define AGENT_CRC_LIST_MAX    1024u	  /* sectors per SECTOR_CRCS (4 MiB) */
#define AGENT_WBUF_LEN	      4096u	  /* PROGRAM data per command */
#define AGENT_WRITE_KEY	      0x57524954u /* "WRIT": WSESSION opens a write session */
#define AGENT_POLLS_PER_MS    1000u	  /* status reads per ms of deadline (each >= 1 us) */
#define AGENT_MAX_WAIT_MS     60000u	  /* the longest deadline ERASE/PROGRAM/WRSR accept */

static inline int agent_reply_padded(uint64_t reply_len)
{
	return reply_len != 0 && reply_len % AGENT_USB_MPS == 0;
}

#endif
