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
 * arm64: Arm semihosting's SYS_EXIT, which QEMU takes from user space
 * with -semihosting-config enable=on,userspace=on (scripts/run-guest
 * --arch=arm64). On A64 its argument is a block: the reason
 * (ADP_Stopped_ApplicationExit) and the exit status, which QEMU exits with;
 * lab-exit passes the same (value << 1) | 1.
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
#define SEMIHOSTING_SYS_EXIT		0x18
#define ADP_STOPPED_APPLICATION_EXIT	0x20026

static int lab_exit(unsigned long value)
{
	unsigned long block[2] = { ADP_STOPPED_APPLICATION_EXIT,
				   (value << 1) | 1 };
	register unsigned long op asm("x0") = SEMIHOSTING_SYS_EXIT;
	register unsigned long arg asm("x1") = (unsigned long)block;

	/* the A64 semihosting trap; QEMU exits here if it takes it */
	asm volatile("hlt #0xf000" : "+r"(op) : "r"(arg) : "memory");
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
