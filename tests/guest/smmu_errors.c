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
 *    and the driver says so in debugfs;
 *  - a detach whose CFGI_STE is refused leaves the device on its old page
 *    table, so destroying that HWPT must not free it;
 *  - an unmap whose TLBI is refused must still leave the device no
 *    translation to the unmapped page.
 * And one allocator check that needs no refusal: freeing a stage-2
 * domain's VMID gives back no ASID (it runs first, before any refusal
 * has kept an ASID out of use).
 */
#include <dirent.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "lab_utils.h"
#include "lab_qmp.h"

#define CMD_CFGI_STE	0x03
#define CMD_TLBI_ASID	0x11
#define CMD_TLBI_VA	0x12
#define BUF_SIZE	(64 * 1024)
#define IOVA_BASE	0x30000000ULL
#define COPY_LEN	4096
#define IOVA_ALIAS	0x40000000ULL	/* one page of buf[0], mapped again */

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

	lab_qmp_qom_set_u64(LAB_SMMU_PATH, "x-refuse-cmd-count", 0);
	lab_vfio_detach(self->g.fd);
	dma_gen_close(&self->g);
	close(self->iommufd);
	for (i = 0; i < 2; i++)
		munmap(self->buf[i], BUF_SIZE);
	lab_qmp_close();
}

/*
 * The device copies val inside the IOVA range of @n buffers' IOAS; which
 * buffer got it (-1), -2 if the DMA failed.
 */
static int copy_lands_in(struct dma_gen *g, unsigned char **buf, int n,
			 unsigned char val)
{
	int i, where = -1;

	for (i = 0; i < n; i++) {
		memset(buf[i], val, COPY_LEN);
		memset(buf[i] + COPY_LEN, 0, COPY_LEN);
	}
	if (dma_gen_cmd(g, DMA_GEN_OP_COPY, IOVA_BASE, IOVA_BASE + COPY_LEN,
			COPY_LEN, 0) != DMA_GEN_ERR_OK)
		return -2;
	for (i = 0; i < n; i++)
		if (!memcmp(buf[i], buf[i] + COPY_LEN, COPY_LEN))
			where = i;
	return where;
}

static int copy_lands(FIXTURE_DATA(errors) *self, unsigned char val)
{
	return copy_lands_in(&self->g, self->buf, 2, val);
}

/*
 * A stage-2 domain's VMID comes from its own allocator: freeing it must
 * not give back an ASID. The fixture's two HWPTs hold the first ASIDs
 * (and the parent the first VMID); a driver that frees the VMID as an
 * ASID hands a third domain the ASID of one of them, and the IOTLB then
 * serves the third domain the translations that the other one cached:
 * its copy lands in the other's buffer. (Had no live ASID that number,
 * the allocator's WARN fails the run's console check.)
 */
TEST_F_TIMEOUT(errors, vmid_free_gives_back_no_asid, LAB_TEST_TIMEOUT)
{
	unsigned char *bufs[3] = { self->buf[0], self->buf[1] };
	__u32 parent, ioas, third;
	int i;

	test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id, self->ioas[0],
			    IOMMU_HWPT_ALLOC_NEST_PARENT, &parent);
	test_cmd_destroy(self->iommufd, parent);
	ASSERT_EQ(0, lab_ioas_with_buffer(self->iommufd, BUF_SIZE, IOVA_BASE,
					  &bufs[2], &ioas));
	test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id, ioas, 0, &third);
	for (i = 0; i < 2; i++) {
		test_cmd_attach(&self->g, self->hwpt[i]);
		ASSERT_EQ(i, copy_lands_in(&self->g, bufs, 3, 0x61 + i));
		test_cmd_attach(&self->g, third);
		ASSERT_EQ(2, copy_lands_in(&self->g, bufs, 3, 0x71 + i))
			TH_LOG("the new domain translated with HWPT %d's ASID", i);
	}
	test_cmd_attach(&self->g, self->hwpt[0]);
	test_cmd_destroy(self->iommufd, third);
	test_cmd_destroy(self->iommufd, ioas);
	munmap(bufs[2], BUF_SIZE);
}

TEST_F_TIMEOUT(errors, refused_cfgi_fails_replace, LAB_TEST_TIMEOUT)
{
	long long errors = smmu_stat("cmd_errors");

	ASSERT_LE(0, errors) TH_LOG("no cmd_errors in the driver's debugfs");
	test_cmd_attach(&self->g, self->hwpt[0]);
	ASSERT_EQ(0, copy_lands(self, 0x41));

	ASSERT_EQ(0, lab_smmu_refuse(CMD_CFGI_STE, 1));
	ASSERT_EQ(-EIO, lab_vfio_attach(self->g.fd, self->hwpt[1], NULL));
	ASSERT_EQ(0, lab_smmu_refusals_left());
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

	ASSERT_EQ(0, lab_smmu_refuse(CMD_TLBI_ASID, 2));
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

/*
 * A detach whose CFGI_STE is refused: the STE is put back, so the device
 * still uses the old domain, although the core (which cannot take a
 * failed detach back, and WARNs) and iommufd go on as if it were
 * detached. Destroying that HWPT must then keep its tables rather than
 * free them under the device (debugfs "quarantined"); the device's DMA
 * fails (its mappings are gone) until the next attach, which works.
 */
TEST_F_TIMEOUT(errors, refused_detach_keeps_the_domain, LAB_TEST_TIMEOUT)
{
	long long kept = smmu_stat("quarantined");

	ASSERT_LE(0, kept) TH_LOG("no quarantined in the driver's debugfs");
	test_cmd_attach(&self->g, self->hwpt[1]);
	ASSERT_EQ(1, copy_lands(self, 0x81));

	ASSERT_EQ(0, lab_smmu_refuse(CMD_CFGI_STE, 1));
	lab_vfio_detach(self->g.fd);
	ASSERT_EQ(0, lab_smmu_refusals_left());
	test_cmd_destroy(self->iommufd, self->hwpt[1]);
	ASSERT_EQ(kept + 1, smmu_stat("quarantined"))
		TH_LOG("a domain still in use was freed");
	ASSERT_EQ(-2, copy_lands(self, 0x82));

	test_cmd_attach(&self->g, self->hwpt[0]);
	ASSERT_EQ(0, copy_lands(self, 0x83));
}

/*
 * An unmap whose range TLBI is refused: the core cannot hear of it and
 * releases the page, so the driver must still make the device forget
 * the translation. One page of buf[0] is mapped a second time, on its
 * own, at IOVA_ALIAS; a copy there caches the translation; after the
 * unmap, a copy there must fail, not land in the released page.
 */
TEST_F_TIMEOUT(errors, refused_unmap_tlbi_still_invalidates, LAB_TEST_TIMEOUT)
{
	ASSERT_EQ(0, lab_ioas_map(self->iommufd, self->ioas[0],
				  self->buf[0] + COPY_LEN, COPY_LEN,
				  IOVA_ALIAS));
	test_cmd_attach(&self->g, self->hwpt[0]);
	memset(self->buf[0], 0x91, COPY_LEN);
	memset(self->buf[0] + COPY_LEN, 0, COPY_LEN);
	ASSERT_EQ(DMA_GEN_ERR_OK, dma_gen_cmd(&self->g, DMA_GEN_OP_COPY,
					      IOVA_BASE, IOVA_ALIAS, COPY_LEN,
					      0));
	ASSERT_EQ(0, memcmp(self->buf[0], self->buf[0] + COPY_LEN, COPY_LEN));

	ASSERT_EQ(0, lab_smmu_refuse(CMD_TLBI_VA, 1));
	ASSERT_EQ(0, lab_ioas_unmap(self->iommufd, self->ioas[0], IOVA_ALIAS,
				    COPY_LEN));
	ASSERT_EQ(0, lab_smmu_refusals_left()) TH_LOG("the unmap sent no TLBI_VA");
	memset(self->buf[0], 0x92, COPY_LEN);
	memset(self->buf[0] + COPY_LEN, 0, COPY_LEN);
	EXPECT_NE(DMA_GEN_ERR_OK, dma_gen_cmd(&self->g, DMA_GEN_OP_COPY,
					      IOVA_BASE, IOVA_ALIAS, COPY_LEN,
					      0))
		TH_LOG("the device still translates the unmapped page");
	EXPECT_NE(0, memcmp(self->buf[0], self->buf[0] + COPY_LEN, COPY_LEN));
}

TEST_HARNESS_MAIN
