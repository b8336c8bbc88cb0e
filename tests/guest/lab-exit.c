// SPDX-License-Identifier: GPL-2.0
/*
 * lab-exit: end the guest with a status the host can read.
 *
 * The value is LAB_EXIT_BASE | status, and QEMU exits with
 * (value << 1) | 1: the host sees 33 for status 0 and 35 for status 1,
 * never 1, which is also what QEMU exits with when it fails to start.
 *
 * x86: QEMU's isa-debug-exit device (iobase 0xf4, iosize 4, added by
 * scripts/run-guest) makes QEMU exit with (value << 1) | 1 when the guest
 * writes value to its port.
 *
 * arm64: nothing. QEMU's virt machine has no such device, and Arm
 * semihosting, which could carry the status, would let any guest process
 * run commands on the host (SYS_SYSTEM). scripts/run-guest --arch=arm64
 * reads the status from the "LAB-DONE status=N" line that /init prints
 * on the console before it powers off.
 *
 * Without the device (or semihosting) the caller powers off normally
 * afterwards.
 */
#include <stdio.h>
#include <stdlib.h>

#define LAB_EXIT_BASE 0x10

#if defined(__x86_64__) || defined(__i386__)
#include <sys/io.h>

#define LAB_EXIT_PORT 0xf4

static int lab_exit(unsigned long value)
{
	if (ioperm(LAB_EXIT_PORT, 4, 1)) {
		perror("lab-exit: ioperm");
		return 1;
	}
	outl(value, LAB_EXIT_PORT);
	return 0;
}
#elif defined(__aarch64__)
static int lab_exit(unsigned long value)
{
	return 0;
}
#else
#error "lab-exit: no way to end the guest with a status on this architecture"
#endif

int main(int argc, char **argv)
{
	unsigned long status = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;

	return lab_exit(LAB_EXIT_BASE | (status & 0xf));
}
