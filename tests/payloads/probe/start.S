/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Entry of the probe payload. The boot ROM's D5 ends in its ARM trampoline ("bx" to the
 * even load address, on the ROM's own stack), so we start in ARM state and go to Thumb C. */
	.arch	armv5te
	.syntax	unified
	.section .text.start, "ax", %progbits
	.code	32
	.global	_start
_start:
	ldr	r0, =probe_main
	bx	r0
	.ltorg
