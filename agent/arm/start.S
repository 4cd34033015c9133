/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Entry of mtkbak's agent. The boot ROM's D5 ends in its ARM trampoline (MT6261 0xFFF000B4:
 * fresh ROM stack, r0-r3 = 0xBBBBBBBB, "bx" to the target), so an even load address starts
 * us in ARM state with nothing useful in the registers.
 * Position independent: everything is found relative to where D7 put us, so the chip table
 * may choose any load address. The header after the first branch is read by the host
 * (protocol.h AGENT_IMG_*). */
	.syntax unified
	.arm
	.section .text.start, "ax", %progbits
	.global _start
_start:
	b	1f
	.ascii	"MTKBAKAG"		@ +4  AGENT_IMG_MAGIC
	.word	1			@ +12 AGENT_PROTO_VERSION
	.word	__image_size		@ +16 bytes in the file
	.word	__footprint		@ +20 RAM used from the load address, stack included
1:
	adr	r4, _start		@ where we run
	ldr	r0, =__bss_off
	ldr	r1, =__bss_end_off
	add	r0, r0, r4
	add	r1, r1, r4
	mov	r2, #0
2:	cmp	r0, r1
	strlo	r2, [r0], #4
	blo	2b
	ldr	r0, =__stack_top_off	@ our own stack, at the end of our footprint
	add	sp, r4, r0
	mov	r0, r4
	blx	agent_arm_main		@ Thumb C; does not return
3:	b	3b
	.ltorg
