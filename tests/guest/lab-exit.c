// SPDX-License-Identifier: GPL-2.0
/*
 * lab-exit: end the guest with a status the host can read.
 *
 * QEMU's isa-debug-exit device (iobase 0xf4, iosize 4, added by
 * scripts/run-guest) makes QEMU exit with (value << 1) | 1 when the guest
 * writes value to its port. The value is LAB_EXIT_BASE | status, so the
 * host sees 33 for status 0 and 35 for status 1: never 1, which is also
 * what QEMU exits with when it fails to start. Without the device the
 * write is ignored and the caller powers off normally afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

#define LAB_EXIT_PORT 0xf4
#define LAB_EXIT_BASE 0x10

int main(int argc, char **argv)
{
	unsigned long status = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;

	if (ioperm(LAB_EXIT_PORT, 4, 1)) {
		perror("lab-exit: ioperm");
		return 1;
	}
	outl(LAB_EXIT_BASE | (status & 0xf), LAB_EXIT_PORT);
	return 0;
}
