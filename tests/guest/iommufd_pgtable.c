// SPDX-License-Identifier: GPL-2.0
/*
 * An IOVA reused with another page size: map it with 4 KiB pages, unmap it,
 * map it again as a 2 MiB or 1 GiB block (what iommufd does for hugetlb or
 * THP memory), and DMA through the new mapping. The IOMMU driver must
 * replace the page-table levels the first mapping left behind; a driver
 * that keeps them refuses the map (EEXIST) or translates through them.
 *
 * And an unmap under cached translations: the pages the device has just
 * used, unmapped one at a time (a one-page range, the last page of a
 * range), must be gone for the device at once; a driver whose TLBI misses
 * a page of the range leaves the device writing to a page it was given
 * back.
 *
 * The 1 GiB case needs a gigantic page, which a small guest cannot get:
 * it is skipped unless the kernel command line says lab.require_1g=1, in
 * which case failing to get one is a failure.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "lab_utils.h"

#define SZ_2M		(2UL << 20)
#define SZ_1G		(1UL << 30)
#define IOVA_REUSE	0x80000000ULL	/* 1 GiB aligned */
#define COPY_LEN	8192
#define IOVA_PAGES	0x40000000ULL
#define NR_PAGES	4

static bool lab_require_1g(void)
{
	char line[1024] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	return strstr(line, "lab.require_1g=1") != NULL;
}

/* A hugetlb buffer of @size (2M or 1G pages), or NULL. */
static void *huge_buffer(size_t size)
{
	if (size == SZ_1G &&
	    lab_sysfs_write("/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages",
			    "1"))
		return NULL;
	return lab_hugetlb_map(size, size == SZ_1G ? 30 : 21);
}

FIXTURE(pgtable)
{
	int iommufd;
	struct dma_gen g;
	__u32 ioas, hwpt;
	unsigned char *page;
};

FIXTURE_SETUP(pgtable)
{
	self->iommufd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, dma_gen_open(&self->g, self->iommufd, 0));
	test_cmd_ioas_alloc(self->iommufd, &self->ioas);
	test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id, self->ioas, 0,
			    &self->hwpt);
	test_cmd_attach(&self->g, self->hwpt);
	self->page = mmap(NULL, LAB_PAGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->page);
}

FIXTURE_TEARDOWN(pgtable)
{
	lab_vfio_detach(self->g.fd);
	dma_gen_close(&self->g);
	close(self->iommufd);
	munmap(self->page, LAB_PAGE_SIZE);
}

/*
 * Map a 4 KiB page at IOVA_REUSE and unmap it; then map @buf (@size, one
 * hugetlb page) there, and have the device copy inside it: the copy must
 * land in @buf.
 */
static void reuse_as_block(struct __test_metadata *_metadata,
			   FIXTURE_DATA(pgtable) *self, unsigned char *buf,
			   size_t size)
{
	size_t src = size / 2 - COPY_LEN, dst = size / 2 + LAB_PAGE_SIZE;

	/* the page levels down to 4 KiB exist once this worked */
	test_cmd_ioas_map(self->iommufd, self->ioas, self->page,
			  LAB_PAGE_SIZE, IOVA_REUSE);
	memset(self->page, 0x11, LAB_PAGE_SIZE);
	ASSERT_EQ(DMA_GEN_ERR_OK,
		  dma_gen_cmd(&self->g, DMA_GEN_OP_FILL, 0,
			      IOVA_REUSE + 64, 64, 0x22222222));
	ASSERT_EQ(0x22, self->page[64]);
	ASSERT_EQ(0, lab_ioas_unmap(self->iommufd, self->ioas, IOVA_REUSE,
				    LAB_PAGE_SIZE));

	memset(buf, 0, size);
	memset(buf + src, 0x5c, COPY_LEN);
	ASSERT_EQ(0, lab_ioas_map(self->iommufd, self->ioas, buf, size,
				  IOVA_REUSE)) {
		TH_LOG("IOMMU_IOAS_MAP of %zu bytes over the old 4K mapping: %s",
		       size, strerror(errno));
	}
	ASSERT_EQ(DMA_GEN_ERR_OK,
		  dma_gen_cmd(&self->g, DMA_GEN_OP_COPY, IOVA_REUSE + src,
			      IOVA_REUSE + dst, COPY_LEN, 0));
	ASSERT_EQ(0, memcmp(buf + src, buf + dst, COPY_LEN));
	/* the block's first page, where the old 4K page was mapped */
	ASSERT_EQ(DMA_GEN_ERR_OK,
		  dma_gen_cmd(&self->g, DMA_GEN_OP_FILL, 0, IOVA_REUSE + 64,
			      64, 0x33333333));
	ASSERT_EQ(0x33, buf[64]);
	ASSERT_EQ(0x22, self->page[64]);
	ASSERT_EQ(0, lab_ioas_unmap(self->iommufd, self->ioas, IOVA_REUSE,
				    size));
}

TEST_F_TIMEOUT(pgtable, reuse_4k_then_2m, LAB_TEST_TIMEOUT)
{
	unsigned char *buf = huge_buffer(SZ_2M);

	ASSERT_NE(NULL, buf);
	reuse_as_block(_metadata, self, buf, SZ_2M);
	/* and back: the block's IOVA as 4 KiB pages again */
	reuse_as_block(_metadata, self, buf, SZ_2M);
	munmap(buf, SZ_2M);
}

TEST_F_TIMEOUT(pgtable, reuse_4k_then_1g, LAB_TEST_TIMEOUT)
{
	unsigned char *buf = huge_buffer(SZ_1G);

	if (!buf) {
		if (lab_require_1g())
			ASSERT_NE(NULL, buf) TH_LOG("no 1 GiB hugetlb page");
		SKIP(return, "no 1 GiB hugetlb page (boot with lab.require_1g=1 and room for one)");
	}
	reuse_as_block(_metadata, self, buf, SZ_1G);
	munmap(buf, SZ_1G);
}

/*
 * NR_PAGES pages mapped one mapping each, so that each can be unmapped on
 * its own; the device fills all of them (caching each translation), then
 * they are unmapped one by one from the last: after each unmap, a fill of
 * the unmapped page fails and leaves it alone, and the pages still mapped
 * take theirs. The first unmap is the last page of the range the device
 * used; each is a one-page range.
 */
TEST_F_TIMEOUT(pgtable, unmap_under_cached_translations, LAB_TEST_TIMEOUT)
{
	size_t len = NR_PAGES * LAB_PAGE_SIZE;
	unsigned char *buf;
	int i, k;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	for (i = 0; i < NR_PAGES; i++)
		test_cmd_ioas_map(self->iommufd, self->ioas,
				  buf + i * LAB_PAGE_SIZE, LAB_PAGE_SIZE,
				  IOVA_PAGES + i * LAB_PAGE_SIZE);
	memset(buf, 0, len);
	ASSERT_EQ(DMA_GEN_ERR_OK, dma_gen_cmd(&self->g, DMA_GEN_OP_FILL, 0,
					      IOVA_PAGES, len, 0x44444444));
	ASSERT_EQ(0x44, buf[len - 1]);

	for (i = NR_PAGES - 1; i >= 0; i--) {
		__u64 iova = IOVA_PAGES + i * LAB_PAGE_SIZE;

		ASSERT_EQ(0, lab_ioas_unmap(self->iommufd, self->ioas, iova,
					    LAB_PAGE_SIZE));
		memset(buf, 0, len);
		EXPECT_NE(DMA_GEN_ERR_OK,
			  dma_gen_cmd(&self->g, DMA_GEN_OP_FILL, 0, iova,
				      LAB_PAGE_SIZE, 0x55555555))
			TH_LOG("page %d still translated after its unmap", i);
		EXPECT_EQ(0, buf[i * LAB_PAGE_SIZE]);
		EXPECT_EQ(0, buf[(i + 1) * LAB_PAGE_SIZE - 1]);
		for (k = 0; k < i; k++) {
			__u64 at = IOVA_PAGES + k * LAB_PAGE_SIZE;

			ASSERT_EQ(DMA_GEN_ERR_OK,
				  dma_gen_cmd(&self->g, DMA_GEN_OP_FILL, 0, at,
					      LAB_PAGE_SIZE, 0x66666666));
			ASSERT_EQ(0x66, buf[k * LAB_PAGE_SIZE]);
		}
	}
	munmap(buf, len);
}

TEST_HARNESS_MAIN
