// SPDX-License-Identifier: GPL-2.0
/*
 * MSI isolation: binding a device to iommufd is refused (EPERM) when its
 * MSIs are not isolated (no interrupt remapping) unless iommufd's
 * allow_unsafe_interrupts parameter is set. Whether this platform isolates
 * MSIs is stated by the host on the kernel command line,
 * lab.msi_isolated=0|1, so the expectation does not come from the kernel
 * under test.
 */
#include "kselftest_harness.h"
#include "lab_utils.h"

#define UNSAFE_PARAM "/sys/module/iommufd/parameters/allow_unsafe_interrupts"

static int host_says_isolated(void)
{
	char line[4096], *p;
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	p = strstr(line, "lab.msi_isolated=");
	if (!p)
		return -1;
	return p[strlen("lab.msi_isolated=")] == '1';
}

/* Open the first dma-gen's cdev afresh and try to bind it. */
static int try_bind(int iommufd)
{
	char bdf[32];
	__u32 dev_id;
	int fd, ret;

	ret = lab_pci_find(DMA_GEN_VENDOR_ID, DMA_GEN_DEVICE_ID, 0, bdf,
			   sizeof(bdf));
	if (ret)
		return ret;
	fd = lab_vfio_open(bdf);
	if (fd < 0)
		return fd;
	ret = lab_vfio_bind(fd, iommufd, &dev_id);
	close(fd);
	return ret;
}

FIXTURE(msi)
{
	int iommufd;
	int isolated;
};

FIXTURE_SETUP(msi)
{
	self->isolated = host_says_isolated();
	ASSERT_LE(0, self->isolated)
		TH_LOG("the host did not say lab.msi_isolated=0|1");
	self->iommufd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->iommufd);
}

FIXTURE_TEARDOWN(msi)
{
	lab_sysfs_write(UNSAFE_PARAM, "N");
	close(self->iommufd);
}

TEST_F_TIMEOUT(msi, bind_needs_isolation_or_opt_in, LAB_TEST_TIMEOUT)
{
	ASSERT_EQ(0, lab_sysfs_write(UNSAFE_PARAM, "N"));
	if (self->isolated) {
		ASSERT_EQ(0, try_bind(self->iommufd));
	} else {
		ASSERT_EQ(-EPERM, try_bind(self->iommufd));
	}
}

TEST_F_TIMEOUT(msi, opt_in_allows_bind, LAB_TEST_TIMEOUT)
{
	ASSERT_EQ(0, lab_sysfs_write(UNSAFE_PARAM, "Y"));
	ASSERT_EQ(0, try_bind(self->iommufd));
}

TEST_HARNESS_MAIN
