// SPDX-License-Identifier: GPL-2.0
/*
 * An smmu-lite that never acknowledges SMMUEN (x-stuck-smmuen=on) makes
 * the driver's probe fail after its queues are enabled and its clients
 * probed. The guest must come up without the IOMMU: no driver bound to
 * it, no client left in an IOMMU group; the host checks that the device
 * was disabled (CR0 = 0) before its memory was freed, and the debug
 * kernel's console check that nothing else went wrong on the way.
 */
#include <limits.h>

#include "kselftest_harness.h"
#include "lab_utils.h"

#define SMMU_LITE_VENDOR	0x1b36
#define SMMU_LITE_DEVICE	0x0120

TEST(probe_failed_cleanly)
{
	char bdf[32], path[PATH_MAX];

	ASSERT_EQ(0, lab_pci_find(SMMU_LITE_VENDOR, SMMU_LITE_DEVICE, 0, bdf,
				  sizeof(bdf)));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	ASSERT_NE(0, access(path, F_OK)) TH_LOG("%s has a driver", bdf);

	ASSERT_EQ(0, lab_pci_find(DMA_GEN_VENDOR_ID, DMA_GEN_DEVICE_ID, 0, bdf,
				  sizeof(bdf)));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	ASSERT_NE(0, access(path, F_OK)) TH_LOG("%s is in an IOMMU group", bdf);
}

TEST_HARNESS_MAIN
