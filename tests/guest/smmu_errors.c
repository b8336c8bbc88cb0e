// SPDX-License-Identifier: GPL-2.0
/*
 * The smmu-lite driver when the device refuses a command. Run with
 * run-guest --guest-qmp: the test makes smmu-lite refuse commands of one
 * opcode (x-refuse-cmd, x-refuse-cmd-count over QMP), as a device would
 * refuse a command it finds malformed, and checks what iommufd's caller
 * sees:
 *  - a replace whose CFGI_STE is refused fails (EIO) and leaves the device
 *    on the old page table, which keeps working;
 *  - a HWPT whose TLBI_ASID is refused when it is destroyed is not freed
 *    (its ASID is never handed out again: the device may still cache it),
 *    and the driver says so in debugfs.
 */
#include <dirent.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "lab_utils.h"
#include "lab_qmp.h"

#define SMMU		"/machine/peripheral/smmu0"
#define CMD_CFGI_STE	0x03
#define CMD_TLBI_ASID	0x11
#define BUF_SIZE	(64 * 1024)
#define IOVA_BASE	0x30000000ULL
#define COPY_LEN	4096

/* The driver's debugfs counter @name, or -1. */
static long long smmu_stat(const char *name)
{
	char path[512], line[128];
	long long v = -1;
	struct dirent *d;
	DIR *dir;
	FILE *f;

	dir = opendir("/sys/kernel/debug/iommu");
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (!strncmp(d->d_name, "smmu-lite-", 10))
			break;
	if (!d) {
		closedir(dir);
		return -1;
	}
	snprintf(path, sizeof(path), "/sys/kernel/debug/iommu/%s/stats",
		 d->d_name);
	closedir(dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, strlen(name)) &&
		    line[strlen(name)] == ' ')
			v = strtoll(line + strlen(name) + 1, NULL, 0);
	fclose(f);
	return v;
}

FIXTURE(errors)
{
	int iommufd;
	struct dma_gen g;
	__u32 ioas[2], hwpt[2];
	unsigned char *buf[2];
};

FIXTURE_SETUP(errors)
{
	int i;

	ASSERT_EQ(0, lab_qmp_open());
	self->iommufd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, dma_gen_open(&self->g, self->iommufd, 0));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, lab_ioas_with_buffer(self->iommufd, BUF_SIZE,
						  IOVA_BASE, &self->buf[i],
						  &self->ioas[i]));
		test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id,
				    self->ioas[i], 0, &self->hwpt[i]);
	}
}

FIXTURE_TEARDOWN(errors)
{
	int i;

	lab_qmp_qom_set_u64(SMMU, "x-refuse-cmd-count", 0);
	lab_vfio_detach(self->g.fd);
	dma_gen_close(&self->g);
	close(self->iommufd);
	for (i = 0; i < 2; i++)
		munmap(self->buf[i], BUF_SIZE);
	lab_qmp_close();
}

/* The device copies val inside the IOVA range; which buffer got it (-1). */
static int copy_lands(FIXTURE_DATA(errors) *self, unsigned char val)
{
	int i, where = -1;

	for (i = 0; i < 2; i++) {
		memset(self->buf[i], val, COPY_LEN);
		memset(self->buf[i] + COPY_LEN, 0, COPY_LEN);
	}
	if (dma_gen_cmd(&self->g, DMA_GEN_OP_COPY, IOVA_BASE,
			IOVA_BASE + COPY_LEN, COPY_LEN, 0) != DMA_GEN_ERR_OK)
		return -2;
	for (i = 0; i < 2; i++)
		if (!memcmp(self->buf[i], self->buf[i] + COPY_LEN, COPY_LEN))
			where = i;
	return where;
}

static int refuse(__u8 opcode, unsigned int count)
{
	int ret = lab_qmp_qom_set_u64(SMMU, "x-refuse-cmd", opcode);

	return ret ?: lab_qmp_qom_set_u64(SMMU, "x-refuse-cmd-count", count);
}

TEST_F_TIMEOUT(errors, refused_cfgi_fails_replace, LAB_TEST_TIMEOUT)
{
	long long errors = smmu_stat("cmd_errors");
	uint64_t left;

	ASSERT_LE(0, errors) TH_LOG("no cmd_errors in the driver's debugfs");
	test_cmd_attach(&self->g, self->hwpt[0]);
	ASSERT_EQ(0, copy_lands(self, 0x41));

	ASSERT_EQ(0, refuse(CMD_CFGI_STE, 1));
	ASSERT_EQ(-EIO, lab_vfio_attach(self->g.fd, self->hwpt[1], NULL));
	ASSERT_EQ(0, lab_qmp_qom_get_u64(SMMU, "x-refuse-cmd-count", &left));
	ASSERT_EQ(0, left);
	ASSERT_EQ(errors + 1, smmu_stat("cmd_errors"));
	/* iommufd kept the old HWPT, and so did the device */
	test_err_destroy(EBUSY, self->iommufd, self->hwpt[0]);
	ASSERT_EQ(0, copy_lands(self, 0x42));

	test_cmd_attach(&self->g, self->hwpt[1]);
	ASSERT_EQ(1, copy_lands(self, 0x43));
}

/*
 * hwpt[1]'s domain leaves translations of its ASID in the IOTLB; its
 * TLBI_ASID on destroy is refused, and so is the one a new domain issues
 * for a fresh ASID. The driver must keep the old domain and its ASID
 * (and say so), fail the new domain whose ASID it could not clean, and a
 * domain allocated after that must not see the old translations: its copy
 * lands in its own buffer. A driver that frees and reuses the ASID hands
 * the new domain the old domain's translations.
 */
TEST_F_TIMEOUT(errors, refused_tlbi_keeps_the_domain, LAB_TEST_TIMEOUT)
{
	long long kept = smmu_stat("quarantined");
	__u32 again;

	ASSERT_LE(0, kept) TH_LOG("no quarantined in the driver's debugfs");
	test_cmd_attach(&self->g, self->hwpt[1]);
	ASSERT_EQ(1, copy_lands(self, 0x51));
	test_cmd_attach(&self->g, self->hwpt[0]);

	ASSERT_EQ(0, refuse(CMD_TLBI_ASID, 2));
	test_cmd_destroy(self->iommufd, self->hwpt[1]);
	ASSERT_EQ(kept + 1, smmu_stat("quarantined"));
	ASSERT_EQ(-EIO, lab_hwpt_alloc(self->iommufd, self->g.dev_id,
				       self->ioas[0], 0, &again));

	test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id, self->ioas[0], 0,
			    &again);
	test_cmd_attach(&self->g, again);
	ASSERT_EQ(0, copy_lands(self, 0x52));
	test_cmd_attach(&self->g, self->hwpt[0]);
	test_cmd_destroy(self->iommufd, again);
}

TEST_HARNESS_MAIN
