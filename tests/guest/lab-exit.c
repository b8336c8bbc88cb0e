// SPDX-License-Identifier: GPL-2.0
/*
 * lab-exit: end the guest with a status the host can read.
 *
 * QEMU's isa-debug-exit device (iobase 0xf4, iosize 4, added by
 * scripts/run-guest) makes QEMU exit with (value << 1) | 1 when the guest
 * writes value to its port. Without that device the write is ignored, so
 * the caller powers off normally afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

#define LAB_EXIT_PORT 0xf4

int main(int argc, char **argv)
{
	unsigned long status = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;

	if (ioperm(LAB_EXIT_PORT, 4, 1)) {
		perror("lab-exit: ioperm");
		return 1;
	}
	outl(status & 0x7f, LAB_EXIT_PORT);
	return 0;
}
