// SPDX-License-Identifier: GPL-2.0
/*
 * The software MSI window (IOMMU_RESV_SW_MSI). Where the IOMMU translates
 * MSI writes (arm64: a GICv3 ITS behind arm-smmu-v3), the driver reports a
 * window of IOVAs (sw_msi_start) and iommufd maps the MSI doorbell page
 * there in every domain the device is attached to: when the device's MSI
 * is set up (iommufd_sw_msi()), and when it moves to another domain
 * (iommufd_group_setup_msi()), once per domain (the domain remembers the
 * pages it has: a device coming back does not map them again).
 *
 * dma-gen raises its MSI-X vector 0 (INT_SET) while attached to three
 * HWPTs in turn and back: the interrupt must arrive through each. The
 * kernel's iommu:map trace events show the doorbell page mapped at the
 * window exactly once per domain. On x86 MSIs are never translated (the
 * group's "msi" region there is the interrupt range, IOMMU_RESV_MSI): the
 * tests SKIP. Elsewhere a device behind an IOMMU without an "msi" region
 * fails the set-up: its MSIs could not reach the ITS through any domain.
 */
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/mount.h>

#include "kselftest_harness.h"
#include "lab_utils.h"

#define BUF_SIZE	(64 * 1024)
#define IOVA_BASE	0x10000000ULL
#define TRACING		"/sys/kernel/tracing"
#define NR_HWPT		3

/* The "msi" reserved region of @bdf's group: its start (0 if none), end. */
static __u64 lab_sw_msi_start(const char *bdf, __u64 *last)
{
	char path[256], line[256], type[32];
	unsigned long long start, end;
	FILE *f;
	__u64 found = 0;

	snprintf(path, sizeof(path),
		 "/sys/bus/pci/devices/%s/iommu_group/reserved_regions", bdf);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %llx %31s", &start, &end, type) == 3 &&
		    !strcmp(type, "msi")) {
			found = start;
			*last = end;
		}
	fclose(f);
	return found;
}

static int lab_trace_write(const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), TRACING "/%s", file);
	return lab_sysfs_write(path, val);
}

/* Empty the trace buffer (the kernel clears it on an open that truncates). */
static int lab_trace_clear(void)
{
	int fd = open(TRACING "/trace", O_WRONLY | O_TRUNC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* iommu:map events of the trace buffer at IOVA @iova */
static unsigned int lab_trace_maps_at(__u64 iova)
{
	char line[512], want[64];
	unsigned int n = 0;
	FILE *f = fopen(TRACING "/trace", "r");

	if (!f)
		return 0;
	snprintf(want, sizeof(want), "iova=0x%016llx ", (unsigned long long)iova);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "map: IOMMU:") && strstr(line, want))
			n++;
	fclose(f);
	return n;
}

/* Route MSI-X vector 0 of the device to @efd. */
static int lab_msix_eventfd(int devfd, int efd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int)];
	struct vfio_irq_set *set = (void *)buf;

	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSIX_IRQ_INDEX;
	set->start = 0;
	set->count = 1;
	memcpy(set->data, &efd, sizeof(efd));
	return ioctl(devfd, VFIO_DEVICE_SET_IRQS, set) ? -errno : 0;
}

/* Have dma-gen raise its DONE interrupt; did the MSI arrive within 2 s? */
static bool lab_msi_arrives(struct dma_gen *g, int efd)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	__u64 count;

	dma_gen_wr(g, DMA_GEN_INT_STATUS, DMA_GEN_INT_DONE);
	dma_gen_wr(g, DMA_GEN_INT_ENABLE, DMA_GEN_INT_DONE);
	dma_gen_wr(g, DMA_GEN_INT_SET, DMA_GEN_INT_DONE);
	if (poll(&p, 1, 2000) != 1)
		return false;
	return read(efd, &count, sizeof(count)) == sizeof(count) && count;
}

FIXTURE(sw_msi)
{
	int iommufd;
	struct dma_gen g;
	__u32 ioas[NR_HWPT];
	unsigned char *buf[NR_HWPT];
	__u64 window, window_last;
};

FIXTURE_SETUP(sw_msi)
{
	int i;

	self->iommufd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, dma_gen_open(&self->g, self->iommufd, 0));
	for (i = 0; i < NR_HWPT; i++)
		ASSERT_EQ(0, lab_ioas_with_buffer(self->iommufd, BUF_SIZE,
						  IOVA_BASE, &self->buf[i],
						  &self->ioas[i]));
#if defined(__x86_64__) || defined(__i386__)
	self->window = 0;
	self->window_last = 0;
#else
	self->window = lab_sw_msi_start(self->g.bdf, &self->window_last);
	ASSERT_NE(0, self->window)
		TH_LOG("%s's group reports no MSI window: its MSIs would fault",
		       self->g.bdf);
#endif
}

FIXTURE_TEARDOWN(sw_msi)
{
	int i;

	dma_gen_close(&self->g);
	close(self->iommufd);
	for (i = 0; i < NR_HWPT; i++)
		munmap(self->buf[i], BUF_SIZE);
}

TEST_F_TIMEOUT(sw_msi, follows_replace, LAB_TEST_TIMEOUT)
{
	/* A, B, C, then back to A and B: the doorbell mapped once in each */
	static const int order[] = { 0, 1, 2, 0, 1 };
	__u32 hwpt[NR_HWPT];
	unsigned int i, maps;
	int efd;

	if (!self->window)
		SKIP(return, "no software MSI window (IOMMU_RESV_SW_MSI): MSIs are not translated here");
	TH_LOG("software MSI window at 0x%llx", (unsigned long long)self->window);
	if (access(TRACING "/trace", W_OK))
		mount("tracefs", TRACING, "tracefs", 0, NULL);
	ASSERT_EQ(0, lab_trace_write("events/iommu/map/enable", "1"));
	ASSERT_EQ(0, lab_trace_clear());

	for (i = 0; i < NR_HWPT; i++)
		test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id,
				    self->ioas[i], 0, &hwpt[i]);
	test_cmd_attach(&self->g, hwpt[0]);
	efd = eventfd(0, EFD_NONBLOCK);
	ASSERT_LE(0, efd);
	/* the MSI's set-up maps the doorbell into the domain attached now */
	ASSERT_EQ(0, lab_msix_eventfd(self->g.fd, efd));
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (i)
			test_cmd_attach(&self->g, hwpt[order[i]]);
		ASSERT_TRUE(lab_msi_arrives(&self->g, efd))
			TH_LOG("no MSI through HWPT %d (step %u)", order[i], i);
	}
	maps = lab_trace_maps_at(self->window);
	lab_trace_write("events/iommu/map/enable", "0");
	TH_LOG("the doorbell page was mapped at 0x%llx %u times for %d domains",
	       (unsigned long long)self->window, maps, NR_HWPT);
	printf("# LAB-SW-MSI window=0x%llx domains=%d maps=%u\n",
	       (unsigned long long)self->window, NR_HWPT, maps);
	ASSERT_EQ(NR_HWPT, maps);
	test_cmd_detach(&self->g);
	close(efd);
}

/*
 * Nothing else may be mapped into the window: it belongs to the MSIs (the
 * same page just past the window maps).
 */
TEST_F_TIMEOUT(sw_msi, window_reserved, LAB_TEST_TIMEOUT)
{
	unsigned char *p;
	__u32 hwpt;
	int ret;

	if (!self->window)
		SKIP(return, "no software MSI window (IOMMU_RESV_SW_MSI): MSIs are not translated here");
	test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id, self->ioas[0], 0,
			    &hwpt);
	test_cmd_attach(&self->g, hwpt);
	p = mmap(NULL, LAB_PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ret = lab_ioas_map(self->iommufd, self->ioas[0], p, LAB_PAGE_SIZE,
			   self->window);
	EXPECT_NE(0, ret);
	EXPECT_EQ(0, lab_ioas_map(self->iommufd, self->ioas[0], p,
				  LAB_PAGE_SIZE, self->window_last + 1));
	test_cmd_detach(&self->g);
	munmap(p, LAB_PAGE_SIZE);
}

TEST_HARNESS_MAIN
