// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU's MMIO while the other vCPU changes the memory map.
 *
 * The reader, pinned to one vCPU, loads a register of one dma-gen (its
 * PATTERN, set to a value no other register holds) through a user mapping
 * of BAR0, each load after a computation of random length,
 * so that loads begin at any point of QEMU's switch to a new map (a load
 * right after another would only wait for the lock the switch holds,
 * having looked its region up before the switch began). The toggler,
 * pinned to the other vCPU, switches memory decoding of a second dma-gen,
 * whose BAR0 lies below the first one's, off and on through its command
 * register. Every switch gives QEMU a new memory map in which the regions
 * above the switched BARs are numbered differently. Every load must still
 * return the value written. Any further vCPUs spin: with more busy vCPU threads than
 * host CPUs, the host preempts the toggler's vCPU now and then in the
 * middle of QEMU's switch to the new map, the window that matters.
 *
 * Under TCG a vCPU's TLB entry for MMIO keeps the number of the region in
 * the map it was filled from. A QEMU that looks that number up in the
 * newest map, before the vCPU has flushed its TLB, sends some of the
 * reader's loads to another region (a wrong value) or stops on an
 * assertion; in the lab's VFIO runs the same race once sent a local APIC
 * EOI elsewhere and left a vCPU without interrupts. See
 * scripts/lib/qemu-fixes/ and docs/vfio-selftests.md.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

#include "kselftest_harness.h"
#include "dma_gen.h"
#include "lab_utils.h"

#define RUN_SECONDS	10
#define BAR0_MAP	4096
#define MARK		0x5eed1ab5u

struct mmio_run {
	volatile uint32_t *reg;
	volatile int stop;
	unsigned long loads, wrong;
	uint32_t first_wrong;
};

static int pin_to(pthread_t thread, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(thread, sizeof(set), &set);
}

static void *reader(void *arg)
{
	struct mmio_run *r = arg;
	uint32_t x = 2463534242u, v;
	volatile uint32_t spin;

	while (!r->stop) {
		/* xorshift32: from none to a few hundred microseconds */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		for (spin = x % 32768; spin; spin--)
			;
		v = *r->reg;
		r->loads++;
		if (v != MARK) {
			if (!r->wrong)
				r->first_wrong = v;
			r->wrong++;
		}
	}
	return NULL;
}

static void *spinner(void *arg)
{
	struct mmio_run *r = arg;
	static __thread volatile unsigned long n;

	while (!r->stop)
		n++;
	return NULL;
}

/* The start of the function's BAR0 (first line of its resource file). */
static unsigned long long bar0_start(const char *bdf)
{
	char path[300], line[128] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	return strtoull(line, NULL, 16);
}

static int config_fd(const char *bdf)
{
	char path[300];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	return open(path, O_RDWR);
}

static int set_command(int fd, uint16_t cmd)
{
	return pwrite(fd, &cmd, sizeof(cmd), 4) == sizeof(cmd) ? 0 : -1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

TEST(loads_survive_memory_map_changes)
{
	char bdf[2][32], path[300];
	unsigned long long bar0[2];
	int upper, cfg_hi, cfg_lo, res;
	unsigned long toggles = 0;
	struct mmio_run run = {};
	uint16_t cmd_lo, cmd_hi;
	pthread_t thread, spin[8];
	int cpu, spins = 0;
	void *map;
	double end;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two vCPUs");
	ASSERT_EQ(0, lab_pci_find(DMA_GEN_VENDOR_ID, DMA_GEN_DEVICE_ID, 0,
				  bdf[0], sizeof(bdf[0])));
	ASSERT_EQ(0, lab_pci_find(DMA_GEN_VENDOR_ID, DMA_GEN_DEVICE_ID, 1,
				  bdf[1], sizeof(bdf[1])));
	bar0[0] = bar0_start(bdf[0]);
	bar0[1] = bar0_start(bdf[1]);
	ASSERT_NE(0, bar0[0]);
	ASSERT_NE(0, bar0[1]);
	upper = bar0[1] > bar0[0];
	TH_LOG("reader %s (BAR0 %#llx), toggler %s (BAR0 %#llx)",
	       bdf[upper], bar0[upper], bdf[!upper], bar0[!upper]);

	cfg_hi = config_fd(bdf[upper]);
	cfg_lo = config_fd(bdf[!upper]);
	ASSERT_LE(0, cfg_hi);
	ASSERT_LE(0, cfg_lo);
	ASSERT_EQ(sizeof(cmd_hi), pread(cfg_hi, &cmd_hi, sizeof(cmd_hi), 4));
	ASSERT_EQ(sizeof(cmd_lo), pread(cfg_lo, &cmd_lo, sizeof(cmd_lo), 4));
	ASSERT_EQ(0, set_command(cfg_hi, cmd_hi | 2));

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0",
		 bdf[upper]);
	res = open(path, O_RDWR | O_SYNC);
	ASSERT_LE(0, res);
	map = mmap(NULL, BAR0_MAP, PROT_READ | PROT_WRITE, MAP_SHARED, res, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ((DMA_GEN_DEVICE_ID << 16) | DMA_GEN_VENDOR_ID,
		  *(volatile uint32_t *)((char *)map + DMA_GEN_ID));
	/* the other dma-gen's PATTERN is not MARK: that is where a load goes */
	run.reg = (volatile uint32_t *)((char *)map + DMA_GEN_PATTERN);
	*run.reg = MARK;
	ASSERT_EQ(MARK, *run.reg);

	ASSERT_EQ(0, pin_to(pthread_self(), 0));
	ASSERT_EQ(0, pthread_create(&thread, NULL, reader, &run));
	ASSERT_EQ(0, pin_to(thread, 1));
	for (cpu = 2; cpu < sysconf(_SC_NPROCESSORS_ONLN) && spins < 8; cpu++) {
		ASSERT_EQ(0, pthread_create(&spin[spins], NULL, spinner, &run));
		ASSERT_EQ(0, pin_to(spin[spins++], cpu));
	}
	end = now() + RUN_SECONDS;
	while (now() < end) {
		if (set_command(cfg_lo, cmd_lo & ~2) ||
		    set_command(cfg_lo, cmd_lo | 2))
			break;
		toggles++;
	}
	run.stop = 1;
	ASSERT_EQ(0, pthread_join(thread, NULL));
	while (spins)
		pthread_join(spin[--spins], NULL);
	set_command(cfg_lo, cmd_lo);

	TH_LOG("%lu map switches, %lu loads, %lu wrong (first %#x)",
	       2 * toggles, run.loads, run.wrong, run.first_wrong);
	printf("# LAB-RESULT mmio_topology toggles=%lu loads=%lu wrong=%lu\n",
	       toggles, run.loads, run.wrong);
	/* both threads must have run side by side for the check to count */
	ASSERT_LE(20, toggles);
	ASSERT_LE(1000, run.loads);
	EXPECT_EQ(0, run.wrong);

	munmap(map, BAR0_MAP);
	close(res);
	close(cfg_lo);
	close(cfg_hi);
}

TEST_HARNESS_MAIN
