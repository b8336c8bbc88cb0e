// SPDX-License-Identifier: GPL-2.0
/*
 * Nesting on smmu-lite through iommufd: user space builds its own stage-1
 * tables and context descriptors in memory that the parent HWPT (stage 2)
 * maps, allocates nested HWPTs over that parent (IOMMU_HWPT_ALLOC with
 * IOMMU_HWPT_DATA_SMMU_LITE), invalidates them (IOMMU_HWPT_INVALIDATE) and
 * replaces between them, and between nested and paging, while dma-gen
 * copies through both stages. Dirty tracking reads back the pages the
 * device wrote.
 *
 * Layout: one buffer ("guest RAM") mapped by the parent's IOAS at IPA_BASE.
 * DMA addresses are IPA-sized: the nested stage 1 maps most of them to the
 * same IPA, so the traffic runs the same whichever HWPT is attached. Only
 * the TAG and PROBE pages differ: each view (the parent alone, nested A,
 * nested B) sends them to pages of its own, so where a copy lands tells
 * which table the device used.
 *
 * Run with run-guest --guest-qmp: some tests read the model's counters or
 * make it refuse commands (x-refuse-cmd) over QMP.
 */
#include <dirent.h>
#include <endian.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "lab_utils.h"

#ifdef LAB_HAVE_SMMU_LITE_NESTED_UAPI
#include "lab_nested.h"
#include "lab_qmp.h"

#define RAM_SIZE	(4UL << 20)
#define IPA_BASE	0x40000000ULL
#define PAGE		4096UL

/* offsets in RAM (and in IPA/IOVA from IPA_BASE) */
#define CONT_OFF	0x0		/* continuous traffic: 16 pages */
#define CONT_SLOTS	16
#define TAG_OFF		0x10000		/* TAG and PROBE as DMA addresses */
#define PROBE_OFF	0x11000
#define VIEW_OFF(v)	(0x10000 + (v) * 0x10000)	/* v: 0 parent, 1 A, 2 B */
#define CD_OFF(n)	(0x80000 + (n) * PAGE)
#define PT_OFF		0x100000	/* page tables, allocated upwards */
#define PT_END		0x200000
#define DIRTY_OFF	0x200000	/* dirty tracking: 64 pages */
#define DIRTY_PAGES	64
#define TAG_LEN		64

#define ASID_A		1
#define ASID_B		2

/* what the device refuses: CFGI_CD is CFGI_STE to it */
#define CMD_CFGI_STE	0x03
#define CMD_SYNC	0x46
#define REFUSE_ROUNDS	3

/* --- iommufd calls this suite adds ------------------------------------- */

static int set_dirty_tracking(int iommufd, __u32 hwpt, bool on)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd),
		.flags = on ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
		.hwpt_id = hwpt,
	};

	return lab_errno(ioctl(iommufd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd));
}

static int get_dirty_bitmap(int iommufd, __u32 hwpt, __u64 iova,
			    __u64 len, __u64 *bitmap)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt,
		.iova = iova,
		.length = len,
		.page_size = PAGE,
		.data = (uintptr_t)bitmap,
	};

	return lab_errno(ioctl(iommufd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd));
}

/* --- user space's stage 1 ------------------------------------------------ */

FIXTURE(nested)
{
	int iommufd;
	struct dma_gen g;
	unsigned char *ram;
	struct lab_s1 s1;	/* all of ram, tables from PT_OFF */
	__u32 ioas, parent;
	__u64 root[2];		/* stage-1 root tables of A and B, as IPAs */
};

static __u64 ipa(size_t off)
{
	return IPA_BASE + off;
}

static __u64 *at(FIXTURE_DATA(nested) *self, __u64 ipa_addr)
{
	return lab_s1_at(&self->s1, ipa_addr);
}

static int alloc_s1(FIXTURE_DATA(nested) *self, int cd, __u32 *id)
{
	return lab_nested_s1(self->iommufd, self->g.dev_id, self->parent,
			     ipa(CD_OFF(cd)), id);
}

static int invalidate(FIXTURE_DATA(nested) *self, __u32 hwpt,
		      const struct iommu_hwpt_smmu_lite_invalidate *reqs,
		      __u32 n, __u32 *done)
{
	*done = n;
	return lab_hwpt_invalidate(self->iommufd, hwpt,
			       IOMMU_HWPT_INVALIDATE_DATA_SMMU_LITE, reqs,
			       sizeof(*reqs), done);
}

#define TLBI_VA(asid, iova, pages) \
	{ .cmd = { LAB_OP_TLBI_VA | LAB_CMD_ASID(asid) | LAB_CMD_NUM(pages), (iova) } }
#define TLBI_ASID(asid)	{ .cmd = { LAB_OP_TLBI_ASID | LAB_CMD_ASID(asid), 0 } }
#define CFGI_CD		{ .cmd = { LAB_OP_CFGI_CD, 0 } }

FIXTURE_SETUP(nested)
{
	__u32 type = IOMMU_HW_INFO_TYPE_NONE;
	__u8 info[256];
	int n;

	self->iommufd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, dma_gen_open(&self->g, self->iommufd, 0));
	ASSERT_EQ(0, lab_hw_info(self->iommufd, self->g.dev_id, info,
				 sizeof(info), &type));
	if (type != IOMMU_HW_INFO_TYPE_SMMU_LITE)
		SKIP(return, "not behind smmu-lite (hw_info type %u)", type);
	/*
	 * 4 KiB pages (no THP), so that stage 2 maps 4 KiB leaves: dirty
	 * tracking reports whole leaves, and a 2 MiB one would show every
	 * page of it dirty after one write.
	 */
	self->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->ram);
	ASSERT_EQ(0, madvise(self->ram, RAM_SIZE, MADV_NOHUGEPAGE));
	memset(self->ram, 0, RAM_SIZE);
	test_cmd_ioas_alloc(self->iommufd, &self->ioas);
	test_cmd_ioas_map(self->iommufd, self->ioas, self->ram, RAM_SIZE,
			  IPA_BASE);
	test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id, self->ioas,
			    IOMMU_HWPT_ALLOC_NEST_PARENT |
			    IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &self->parent);

	/*
	 * Stage 1 of A and B: the traffic and the dirty pages map to the
	 * same IPA; TAG and PROBE to the view's own pages (so a copy from
	 * TAG to PROBE reads and writes only the view's pages).
	 */
	self->s1 = (struct lab_s1) {
		.mem = self->ram, .ipa = IPA_BASE, .size = RAM_SIZE,
		.next = PT_OFF, .end = PT_END,
	};
	for (n = 0; n < 2; n++) {
		self->root[n] = lab_s1_table(&self->s1);
		ASSERT_EQ(0, lab_s1_map_range(&self->s1, self->root[n],
					      ipa(CONT_OFF), ipa(CONT_OFF),
					      CONT_SLOTS * PAGE));
		ASSERT_EQ(0, lab_s1_map_range(&self->s1, self->root[n],
					      ipa(DIRTY_OFF), ipa(DIRTY_OFF),
					      DIRTY_PAGES * PAGE));
		ASSERT_EQ(0, lab_s1_map(&self->s1, self->root[n], ipa(TAG_OFF),
				    ipa(VIEW_OFF(n + 1))));
		ASSERT_EQ(0, lab_s1_map(&self->s1, self->root[n], ipa(PROBE_OFF),
				    ipa(VIEW_OFF(n + 1) + PAGE)));
		lab_s1_cd(&self->s1, ipa(CD_OFF(n)), n ? ASID_B : ASID_A,
			  self->root[n]);
	}
}

FIXTURE_TEARDOWN(nested)
{
	dma_gen_close(&self->g);
	close(self->iommufd);
	if (self->ram && self->ram != MAP_FAILED)
		munmap(self->ram, RAM_SIZE);
}

/*
 * Tag the TAG page of every view with @lap, clear the PROBE pages, and copy
 * TAG to PROBE: the view (0 parent, 1 A, 2 B) whose PROBE holds its own
 * tag, -1 if none or more than one does, -2 if the DMA failed.
 */
static int which_view(FIXTURE_DATA(nested) *self, unsigned int lap)
{
	unsigned char want[TAG_LEN];
	int v, where = -1;

	for (v = 0; v < 3; v++) {
		lab_fill32(self->ram + VIEW_OFF(v), 0x7a600000 | lap << 2 | v,
		       TAG_LEN);
		memset(self->ram + VIEW_OFF(v) + PAGE, 0, TAG_LEN);
	}
	if (dma_gen_cmd(&self->g, DMA_GEN_OP_COPY, ipa(TAG_OFF),
			ipa(PROBE_OFF), TAG_LEN, 0) != DMA_GEN_ERR_OK)
		return -2;
	for (v = 0; v < 3; v++) {
		lab_fill32(want, 0x7a600000 | lap << 2 | v, TAG_LEN);
		if (!memcmp(self->ram + VIEW_OFF(v) + PAGE, want, TAG_LEN)) {
			if (where != -1)
				return -1;
			where = v;
		}
	}
	return where;
}

/* --- the tests ----------------------------------------------------------- */

TEST_F_TIMEOUT(nested, copy_through_both_stages, LAB_TEST_TIMEOUT)
{
	__u32 a, b;

	ASSERT_EQ(0, alloc_s1(self, 0, &a));
	ASSERT_EQ(0, alloc_s1(self, 1, &b));
	test_cmd_attach(&self->g, self->parent);
	ASSERT_EQ(0, which_view(self, 1));
	test_cmd_attach(&self->g, a);
	ASSERT_EQ(1, which_view(self, 2));
	test_cmd_attach(&self->g, b);
	ASSERT_EQ(2, which_view(self, 3));
	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, a);
	test_cmd_destroy(self->iommufd, b);
}

/*
 * A changed stage-1 descriptor is not seen until user space invalidates it:
 * the device keeps the translation it cached. The request's entries are
 * each needed: a TLBI_VA of another page first, then one of this page.
 */
TEST_F_TIMEOUT(nested, pte_change_needs_invalidate, LAB_TEST_TIMEOUT)
{
	const struct iommu_hwpt_smmu_lite_invalidate other[] = {
		TLBI_VA(ASID_A, ipa(CONT_OFF), 1),
		TLBI_ASID(ASID_B),
	};
	const struct iommu_hwpt_smmu_lite_invalidate mine[] = {
		TLBI_VA(ASID_A, ipa(CONT_OFF), 1),
		TLBI_VA(ASID_A, ipa(PROBE_OFF), 1),
	};
	__u64 *leaf;
	__u32 a, done;

	ASSERT_EQ(0, alloc_s1(self, 0, &a));
	test_cmd_attach(&self->g, a);
	ASSERT_EQ(1, which_view(self, 1));
	/* PROBE of A now goes to B's PROBE page */
	leaf = lab_s1_leaf(&self->s1, self->root[0], ipa(PROBE_OFF));
	ASSERT_NE(NULL, leaf);
	*leaf = (ipa(VIEW_OFF(2) + PAGE) & LAB_PTE_OA) | (*leaf & ~LAB_PTE_OA);
	__sync_synchronize();
	ASSERT_EQ(1, which_view(self, 2));
	ASSERT_EQ(0, invalidate(self, a, other, 2, &done));
	ASSERT_EQ(2, done);
	ASSERT_EQ(1, which_view(self, 3));	/* still the cached one */
	ASSERT_EQ(0, invalidate(self, a, mine, 2, &done));
	ASSERT_EQ(2, done);
	/* TAG read from A's page, written to B's PROBE: neither view whole */
	ASSERT_EQ(-1, which_view(self, 4));
	ASSERT_EQ(0x7a600000 | 4 << 2 | 1,
		  *(__u32 *)(self->ram + VIEW_OFF(2) + PAGE));
	/* and back, by ASID */
	*leaf = (ipa(VIEW_OFF(1) + PAGE) & LAB_PTE_OA) | (*leaf & ~LAB_PTE_OA);
	__sync_synchronize();
	{
		const struct iommu_hwpt_smmu_lite_invalidate all[] = {
			TLBI_ASID(ASID_A),
		};

		ASSERT_EQ(0, invalidate(self, a, all, 1, &done));
		ASSERT_EQ(1, done);
	}
	ASSERT_EQ(1, which_view(self, 5));
	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, a);
}

/*
 * A changed context descriptor is fetched again only after CFGI_CD (and
 * translations cached under its ASID stay until a TLBI).
 */
TEST_F_TIMEOUT(nested, cd_change_needs_cfgi, LAB_TEST_TIMEOUT)
{
	const struct iommu_hwpt_smmu_lite_invalidate tlbi[] = {
		TLBI_ASID(ASID_A),
	};
	const struct iommu_hwpt_smmu_lite_invalidate both[] = {
		CFGI_CD, TLBI_ASID(ASID_A),
	};
	__u64 *cd = at(self, ipa(CD_OFF(0)));
	__u32 a, done;

	ASSERT_EQ(0, alloc_s1(self, 0, &a));
	test_cmd_attach(&self->g, a);
	ASSERT_EQ(1, which_view(self, 1));
	/* CD of A now has B's tables (same ASID) */
	cd[1] = self->root[1];
	__sync_synchronize();
	ASSERT_EQ(0, invalidate(self, a, tlbi, 1, &done));
	ASSERT_EQ(1, which_view(self, 2));	/* the CD is cached */
	ASSERT_EQ(0, invalidate(self, a, both, 2, &done));
	ASSERT_EQ(2, done);
	ASSERT_EQ(2, which_view(self, 3));
	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, a);
}

static double lab_seconds(void)
{
	const char *s = getenv("LAB_NESTED_SECONDS");

	return s ? strtod(s, NULL) : 3.0;
}

/*
 * Replace while dma-gen copies and verifies continuously through pages
 * that every view maps alike: no DMA may fail, no copy may mismatch, and
 * after each replace the next copy goes through the HWPT just attached.
 * @ids: the HWPTs to cycle through; @views: the view each one shows.
 */
static void replace_under_dma(struct __test_metadata *_metadata,
			      FIXTURE_DATA(nested) *self, const __u32 *ids,
			      const int *views, int n)
{
	struct dma_gen_cont c = {
		.src = ipa(CONT_OFF), .dst = ipa(CONT_OFF + PAGE),
		.slots = CONT_SLOTS / 2, .stride = 2 * PAGE, .len = 256,
		.period_ns = 1000, .ops_per_tick = 256, .pattern = 0x5eed0001,
	};
	__u64 deadline = lab_now_ns() + (__u64)(lab_seconds() * 1e9);
	struct dma_gen_counters start, before, now, after;
	unsigned int i, stale = 0;
	__u64 overlap = 0;

	lab_fill32(self->ram + CONT_OFF, c.pattern, CONT_SLOTS * PAGE);
	test_cmd_attach(&self->g, ids[0]);
	ASSERT_EQ(DMA_GEN_ERR_OK, dma_gen_cont_start(&self->g, &c));
	usleep(2000);
	dma_gen_counters(&self->g, &start);
	ASSERT_LT(0, start.ops);
	now = start;
	for (i = 1; lab_now_ns() < deadline; i++) {
		/* each replace starts with the DMA live (see iommufd_replace.c) */
		ASSERT_TRUE(lab_dma_progress_wait(&self->g, now.ops,
						  1000000000ULL, &before));
		test_cmd_attach(&self->g, ids[i % n]);
		dma_gen_counters(&self->g, &now);
		overlap += now.ops - before.ops;
		stale += which_view(self, i) != views[i % n];
	}
	usleep(2000);
	dma_gen_cont_stop(&self->g);
	dma_gen_counters(&self->g, &after);
	TH_LOG("%u replaces; dma ops %llu (%llu during the ioctls), dma errors %llu, mismatches %llu, stale after replace %u",
	       i - 1, (unsigned long long)(after.ops - start.ops),
	       (unsigned long long)overlap,
	       (unsigned long long)(after.dma_errors - start.dma_errors),
	       (unsigned long long)(after.mismatches - start.mismatches),
	       stale);
	printf("# LAB-RESULT nested_replaces=%u ops=%llu overlap_ops=%llu dma_errors=%llu mismatches=%llu stale=%u\n",
	       i - 1, (unsigned long long)(after.ops - start.ops),
	       (unsigned long long)overlap,
	       (unsigned long long)(after.dma_errors - start.dma_errors),
	       (unsigned long long)(after.mismatches - start.mismatches),
	       stale);
	ASSERT_LT(1, i);
	ASSERT_LT(start.ops, after.ops);
	ASSERT_LT(0, overlap);
	ASSERT_EQ(0, stale);
	ASSERT_EQ(0, after.dma_errors - start.dma_errors);
	ASSERT_EQ(0, after.mismatches - start.mismatches);
}

TEST_F_TIMEOUT(nested, replace_nested_to_nested_under_dma, LAB_TEST_TIMEOUT)
{
	__u32 ids[2];
	const int views[2] = { 1, 2 };

	ASSERT_EQ(0, alloc_s1(self, 0, &ids[0]));
	ASSERT_EQ(0, alloc_s1(self, 1, &ids[1]));
	replace_under_dma(_metadata, self, ids, views, 2);
	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, ids[0]);
	test_cmd_destroy(self->iommufd, ids[1]);
}

TEST_F_TIMEOUT(nested, replace_nested_and_paging_under_dma, LAB_TEST_TIMEOUT)
{
	__u32 ids[2];
	const int views[2] = { 0, 1 };

	ids[0] = self->parent;
	ASSERT_EQ(0, alloc_s1(self, 0, &ids[1]));
	replace_under_dma(_metadata, self, ids, views, 2);
	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, ids[1]);
}

/* Pages of round @r: a different pseudo-random set each round. */
static bool dirty_pick(unsigned int page, unsigned int r)
{
	__u32 x = (page + 1) * 2654435761u ^ (r + 1) * 40503u;

	x ^= x >> 13;
	return (x * 2246822519u) >> 30 == 0 || page == r;
}

/* Write the pages of round @r; the set written (~0 if a DMA failed). */
static __u64 dirty_write(FIXTURE_DATA(nested) *self, int r)
{
	__u64 set = 0;
	unsigned int p;

	for (p = 0; p < DIRTY_PAGES; p++) {
		if (!dirty_pick(p, r))
			continue;
		if (dma_gen_cmd(&self->g, DMA_GEN_OP_FILL, 0,
				ipa(DIRTY_OFF + p * PAGE), 64,
				0xd1000000 | p) != DMA_GEN_ERR_OK)
			return ~0ULL;
		set |= 1ULL << p;
	}
	return set;
}

/*
 * Dirty tracking on the parent: the bitmap holds exactly the pages dma-gen
 * wrote, round after round (read and cleared, then empty); through the
 * parent alone and through a nested HWPT on it (stage-2 leaves, by IPA).
 */
TEST_F_TIMEOUT(nested, dirty_bitmap_rounds, LAB_TEST_TIMEOUT)
{
	__u64 base = ipa(DIRTY_OFF), len = DIRTY_PAGES * PAGE;
	__u64 bitmap, written;
	unsigned int r;
	__u32 a;
	int ret;

	ASSERT_EQ(0, alloc_s1(self, 0, &a));
	ASSERT_EQ(0, set_dirty_tracking(self->iommufd, self->parent, true));
	for (r = 0; r < 6; r++) {
		test_cmd_attach(&self->g, r & 1 ? a : self->parent);
		written = dirty_write(self, r);
		ASSERT_NE(~0ULL, written);
		ASSERT_NE(0, written);
		bitmap = 0;
		ASSERT_EQ(0, get_dirty_bitmap(self->iommufd, self->parent,
					      base, len, &bitmap));
		TH_LOG("round %u (%s): wrote %016llx, dirty %016llx", r,
		       r & 1 ? "nested" : "parent",
		       (unsigned long long)written,
		       (unsigned long long)bitmap);
		ASSERT_EQ(written, bitmap);
		bitmap = 0;
		ASSERT_EQ(0, get_dirty_bitmap(self->iommufd, self->parent,
					      base, len, &bitmap));
		ASSERT_EQ(0, bitmap);
	}
	/*
	 * Off: the driver reports nothing (it refuses the read with EINVAL,
	 * which 6.12's iommufd drops: the ioctl succeeds, the bitmap stays
	 * as given). On again: what was written meanwhile is not reported.
	 */
	ASSERT_EQ(0, set_dirty_tracking(self->iommufd, self->parent, false));
	ASSERT_NE(~0ULL, dirty_write(self, 7));
	bitmap = 0;
	ret = get_dirty_bitmap(self->iommufd, self->parent, base, len, &bitmap);
	ASSERT_TRUE(ret == 0 || ret == -EINVAL);
	ASSERT_EQ(0, bitmap);
	ASSERT_EQ(0, set_dirty_tracking(self->iommufd, self->parent, true));
	bitmap = 0;
	ASSERT_EQ(0, get_dirty_bitmap(self->iommufd, self->parent, base, len,
				      &bitmap));
	ASSERT_EQ(0, bitmap);
	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, a);
}

/*
 * The owner's page tables are guest memory too: when the device sets DIRTY
 * in a stage-1 leaf it writes the table page holding it, through stage 2,
 * and a VMM migrating the guest must copy that page again. So after a
 * write through a nested HWPT, the parent's bitmap over the table pages
 * holds exactly the page of the stage-1 leaf; a second write through the
 * same, now dirty, leaf writes no table.
 */
TEST_F_TIMEOUT(nested, dirty_stage1_tables, LAB_TEST_TIMEOUT)
{
	const unsigned int pages = (PT_END - PT_OFF) / PAGE;
	__u64 bitmap[(PT_END - PT_OFF) / PAGE / 64], want[ARRAY_SIZE(bitmap)];
	__u64 iova = ipa(DIRTY_OFF + 5 * PAGE), *leaf;
	unsigned int page;
	__u32 a;

	ASSERT_EQ(0, alloc_s1(self, 0, &a));
	ASSERT_EQ(0, set_dirty_tracking(self->iommufd, self->parent, true));
	test_cmd_attach(&self->g, a);
	leaf = lab_s1_leaf(&self->s1, self->root[0], iova);
	ASSERT_EQ(0, *leaf & LAB_PTE_DIRTY);
	page = ((unsigned char *)leaf - self->ram - PT_OFF) / PAGE;
	ASSERT_LT(page, pages);
	memset(bitmap, 0, sizeof(bitmap));
	ASSERT_EQ(0, get_dirty_bitmap(self->iommufd, self->parent, ipa(PT_OFF),
				      PT_END - PT_OFF, bitmap));

	ASSERT_EQ(DMA_GEN_ERR_OK, dma_gen_cmd(&self->g, DMA_GEN_OP_FILL, 0,
					      iova, 64, 0xd1a7d1a7));
	ASSERT_NE(0, *leaf & LAB_PTE_DIRTY);
	memset(bitmap, 0, sizeof(bitmap));
	memset(want, 0, sizeof(want));
	want[page / 64] = 1ULL << (page % 64);
	ASSERT_EQ(0, get_dirty_bitmap(self->iommufd, self->parent, ipa(PT_OFF),
				      PT_END - PT_OFF, bitmap));
	TH_LOG("stage-1 leaf at IPA 0x%llx: table page %u of the %u reported",
	       (unsigned long long)ipa((unsigned char *)leaf - self->ram),
	       page, pages);
	ASSERT_EQ(0, memcmp(bitmap, want, sizeof(want)))
		TH_LOG("table pages dirty: %016llx %016llx %016llx %016llx",
		       (unsigned long long)bitmap[0],
		       (unsigned long long)bitmap[1],
		       (unsigned long long)bitmap[2],
		       (unsigned long long)bitmap[3]);

	ASSERT_EQ(DMA_GEN_ERR_OK, dma_gen_cmd(&self->g, DMA_GEN_OP_FILL, 0,
					      iova, 64, 0xd1a7d1a8));
	memset(bitmap, 0, sizeof(bitmap));
	memset(want, 0, sizeof(want));
	ASSERT_EQ(0, get_dirty_bitmap(self->iommufd, self->parent, ipa(PT_OFF),
				      PT_END - PT_OFF, bitmap));
	ASSERT_EQ(0, memcmp(bitmap, want, sizeof(want)));
	ASSERT_EQ(0, set_dirty_tracking(self->iommufd, self->parent, false));
	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, a);
}

/*
 * A 2 MiB leaf (a hugetlb page) is dirty as a whole: one write reports its
 * 512 pages. A request that covers only part of it gets that part and
 * leaves the leaf dirty, so that the rest is not lost for a later request;
 * one that covers all of it clears it.
 */
TEST_F_TIMEOUT(nested, dirty_bitmap_partial_block, LAB_TEST_TIMEOUT)
{
	const __u64 base = 0x80000000ULL, half = 1UL << 20;
	__u64 bitmap[8];
	unsigned char *huge;
	unsigned int i;

	huge = lab_hugetlb_map(2 * half, 21);
	if (!huge)
		SKIP(return, "no 2 MiB hugetlb page");
	test_cmd_ioas_map(self->iommufd, self->ioas, huge, 2 * half, base);
	test_cmd_attach(&self->g, self->parent);
	ASSERT_EQ(0, set_dirty_tracking(self->iommufd, self->parent, true));
	ASSERT_EQ(DMA_GEN_ERR_OK, dma_gen_cmd(&self->g, DMA_GEN_OP_FILL, 0,
					      base + half + 3 * PAGE, 64,
					      0xd2d2d2d2));
	/* the first half, twice: reported, and still dirty */
	for (i = 0; i < 2; i++) {
		memset(bitmap, 0, sizeof(bitmap));
		ASSERT_EQ(0, get_dirty_bitmap(self->iommufd, self->parent,
					      base, half, bitmap));
		ASSERT_EQ(~0ULL, bitmap[0]);
		ASSERT_EQ(~0ULL, bitmap[3]);
		ASSERT_EQ(0, bitmap[4]);
	}
	/* the second half: reported too */
	memset(bitmap, 0, sizeof(bitmap));
	ASSERT_EQ(0, get_dirty_bitmap(self->iommufd, self->parent, base + half,
				      half, bitmap));
	ASSERT_EQ(~0ULL, bitmap[0]);
	ASSERT_EQ(~0ULL, bitmap[3]);
	/* all of it: reported and cleared */
	memset(bitmap, 0, sizeof(bitmap));
	ASSERT_EQ(0, get_dirty_bitmap(self->iommufd, self->parent, base,
				      2 * half, bitmap));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(~0ULL, bitmap[i]);
	memset(bitmap, 0, sizeof(bitmap));
	ASSERT_EQ(0, get_dirty_bitmap(self->iommufd, self->parent, base,
				      2 * half, bitmap));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, bitmap[i]);
	test_cmd_detach(&self->g);
	ASSERT_EQ(0, lab_ioas_unmap(self->iommufd, self->ioas, base, 2 * half));
	munmap(huge, 2 * half);
}

/*
 * Bad requests: the right errno, and nothing left behind (the parent can
 * be destroyed at the end, so no nested HWPT holds it) or changed (the
 * device still uses what it had).
 */
TEST_F_TIMEOUT(nested, bad_inputs, LAB_TEST_TIMEOUT)
{
	struct iommu_hwpt_smmu_lite good = {
		.ste = { LAB_STE_V | LAB_STE_CFG(LAB_CFG_S1), ipa(CD_OFF(0)) },
	};
	static const struct {
		__u64 w0, w1;
	} bad_ste[] = {
		{ LAB_STE_V | LAB_STE_CFG(LAB_CFG_S1) | (1ULL << 4), 0x40080000ULL }, /* SNP */
		{ LAB_STE_V | LAB_STE_CFG(3), 0 },			/* S2 */
		{ LAB_STE_V | LAB_STE_CFG(4), 0x40080000ULL },		/* nested */
		{ LAB_STE_V | LAB_STE_CFG(7), 0 },
		{ LAB_STE_V | LAB_STE_CFG(LAB_CFG_S1) | (1ULL << 40), 0x40080000ULL },
		{ LAB_STE_V | LAB_STE_CFG(LAB_CFG_S1), 0x40080010ULL },	/* unaligned */
		{ LAB_STE_V | LAB_STE_CFG(LAB_CFG_S1), 1ULL << 48 },
		{ LAB_STE_V | LAB_STE_CFG(LAB_CFG_BYPASS), 0x40080000ULL },
	};
	const struct iommu_hwpt_smmu_lite_invalidate reqs[] = {
		TLBI_ASID(ASID_A),
		TLBI_VA(ASID_A, ipa(PROBE_OFF), 1),
		{ .cmd = { 0x30, 0 } },				/* TLBI_ALL */
		TLBI_ASID(ASID_A),
	};
	static const struct {
		__u64 w0, w1;
	} bad_cmd[] = {
		{ 0x30, 0 },				/* TLBI_ALL */
		{ 0x03 | 1ULL << 32, 0 },		/* CFGI_STE */
		{ 0x46, 0 },				/* SYNC */
		{ 0x28 | 1ULL << 32, 0 },		/* TLBI_VMID */
		{ LAB_OP_TLBI_ASID | LAB_CMD_ASID(1) | 5ULL << 32, 0 },	/* a VMID */
		{ LAB_OP_TLBI_ASID | LAB_CMD_ASID(1), 1 },
		{ LAB_OP_TLBI_VA | LAB_CMD_ASID(1), 0x40011000ULL },	/* NUM 0 */
		{ LAB_OP_TLBI_VA | LAB_CMD_ASID(1) | LAB_CMD_NUM(1), 0x40011001ULL },
		{ LAB_OP_CFGI_CD | 1ULL << 32, 0 },
		{ LAB_OP_CFGI_CD, 8 },
	};
	struct iommu_hwpt_smmu_lite_invalidate one;
	unsigned char big[sizeof(good) + 8];
	__u32 id, plain, a, done;
	unsigned int i;

	test_cmd_attach(&self->g, self->parent);
	/* wrong data type, too short, too long (6.12 takes no longer struct) */
	ASSERT_EQ(-EINVAL, lab_nested_alloc(self->iommufd, self->g.dev_id,
					self->parent, IOMMU_HWPT_DATA_VTD_S1,
					&good, sizeof(good), &id));
	ASSERT_EQ(-EINVAL, lab_nested_alloc(self->iommufd, self->g.dev_id,
					self->parent, IOMMU_HWPT_DATA_SMMU_LITE,
					&good, 8, &id));
	memcpy(big, &good, sizeof(good));
	memset(big + sizeof(good), 0, 8);
	ASSERT_EQ(-EINVAL, lab_nested_alloc(self->iommufd, self->g.dev_id,
				       self->parent, IOMMU_HWPT_DATA_SMMU_LITE,
				       big, sizeof(big), &id));
	/* no data on a parent; data without a parent */
	ASSERT_EQ(-EOPNOTSUPP, lab_nested_alloc(self->iommufd, self->g.dev_id,
					    self->parent, IOMMU_HWPT_DATA_NONE,
					    NULL, 0, &id));
	ASSERT_EQ(-EOPNOTSUPP, lab_nested_alloc(self->iommufd, self->g.dev_id,
					    self->ioas,
					    IOMMU_HWPT_DATA_SMMU_LITE, &good,
					    sizeof(good), &id));
	/* reserved bits and configurations the owner may not ask for */
	for (i = 0; i < ARRAY_SIZE(bad_ste); i++) {
		struct iommu_hwpt_smmu_lite d = {
			.ste = { bad_ste[i].w0, bad_ste[i].w1 },
		};

		EXPECT_EQ(-EINVAL, lab_nested_alloc(self->iommufd, self->g.dev_id,
						self->parent,
						IOMMU_HWPT_DATA_SMMU_LITE, &d,
						sizeof(d), &id))
			TH_LOG("STE case %u", i);
	}
	/* a parent that is not a NEST_PARENT */
	test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id, self->ioas, 0,
			    &plain);
	ASSERT_EQ(-EINVAL, lab_nested_alloc(self->iommufd, self->g.dev_id, plain,
					IOMMU_HWPT_DATA_SMMU_LITE, &good,
					sizeof(good), &id));
	/* a nested HWPT cannot be a parent */
	ASSERT_EQ(0, alloc_s1(self, 0, &a));
	ASSERT_EQ(-EINVAL, lab_nested_alloc(self->iommufd, self->g.dev_id, a,
					IOMMU_HWPT_DATA_SMMU_LITE, &good,
					sizeof(good), &id));
	/* nothing of that changed the device's translation */
	ASSERT_EQ(0, which_view(self, 1));

	/* invalidation: the first bad entry stops the request, counted */
	ASSERT_EQ(-EINVAL, invalidate(self, a, reqs, 4, &done));
	ASSERT_EQ(2, done);
	for (i = 0; i < ARRAY_SIZE(bad_cmd); i++) {
		one.cmd[0] = bad_cmd[i].w0;
		one.cmd[1] = bad_cmd[i].w1;
		EXPECT_EQ(-EINVAL, invalidate(self, a, &one, 1, &done))
			TH_LOG("command case %u", i);
		EXPECT_EQ(0, done);
	}
	done = 1;
	ASSERT_EQ(-EINVAL, lab_hwpt_invalidate(self->iommufd, a,
					   IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
					   reqs, sizeof(reqs[0]), &done));
	ASSERT_EQ(0, done);
	/* a paging HWPT has no user invalidation */
	done = 1;
	ASSERT_NE(0, lab_hwpt_invalidate(self->iommufd, self->parent,
				     IOMMU_HWPT_INVALIDATE_DATA_SMMU_LITE,
				     reqs, sizeof(reqs[0]), &done));
	ASSERT_EQ(0, done);
	ASSERT_EQ(0, which_view(self, 2));

	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, a);
	test_cmd_destroy(self->iommufd, plain);
	/* no nested HWPT was left holding the parent */
	test_cmd_destroy(self->iommufd, self->parent);
}

/*
 * Every allocation the nested paths make fails once (fail-nth): the call
 * reports it and leaves nothing behind, and the device keeps translating
 * through what it had.
 */
TEST_F_TIMEOUT(nested, fail_nth, LAB_TEST_TIMEOUT)
{
	const struct iommu_hwpt_smmu_lite_invalidate req[] = {
		CFGI_CD, TLBI_ASID(ASID_A),
	};
	unsigned int nth, injected = 0;
	__u32 a, done;
	int fd, ret;

	if (lab_fail_nth_setup())
		SKIP(return, "no fault-injection debugfs");
	test_cmd_attach(&self->g, self->parent);
	for (nth = 1; nth < 400; nth++) {
		bool allocated, attached = false, hit;

		fd = lab_fail_nth_begin(nth);
		ASSERT_LE(0, fd);
		ret = alloc_s1(self, 0, &a);
		allocated = !ret;
		if (allocated) {
			ret = lab_vfio_attach(self->g.fd, a, NULL);
			attached = !ret;
		}
		if (attached)
			ret = invalidate(self, a, req, 2, &done);
		hit = lab_fail_nth_end(fd);
		/* the device translates through what the last attach left */
		ASSERT_EQ(attached ? 1 : 0, which_view(self, nth));
		if (attached)
			test_cmd_attach(&self->g, self->parent);
		if (allocated)
			test_cmd_destroy(self->iommufd, a);
		if (!hit) {
			/* nothing left to fail: this run was clean */
			ASSERT_EQ(0, ret);
			break;
		}
		injected += ret != 0;
	}
	ASSERT_GT(400, nth);
	ASSERT_LT(0, injected);
	TH_LOG("%u of %u runs failed by injection, cleanly", injected, nth);
	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, self->parent);
}

/*
 * A command the device refuses fails the request: EIO, and entry_num counts
 * only the entries before the refused one, whether the device refused a
 * command queued for an entry (TLBI_VA, TLBI_ASID, the CFGI_STE of a
 * CFGI_CD) or the SYNC behind them (which confirms none of them). Each
 * case runs REFUSE_ROUNDS times: a driver whose interrupt handler may skip
 * the refused command before the waiter looks reports it only sometimes.
 * The same request then goes through, and the device still translates.
 */
TEST_F_TIMEOUT(nested, refused_invalidation_fails, LAB_TEST_TIMEOUT)
{
	const struct iommu_hwpt_smmu_lite_invalidate va[] = {
		TLBI_VA(ASID_A, IPA_BASE + PROBE_OFF, 1),
	};
	const struct iommu_hwpt_smmu_lite_invalidate asid[] = {
		TLBI_ASID(ASID_A),
	};
	const struct iommu_hwpt_smmu_lite_invalidate cd[] = { CFGI_CD };
	const struct iommu_hwpt_smmu_lite_invalidate three[] = {
		TLBI_ASID(ASID_B), TLBI_VA(ASID_A, IPA_BASE + PROBE_OFF, 1),
		TLBI_ASID(ASID_A),
	};
	const struct iommu_hwpt_smmu_lite_invalidate asid_cd[] = {
		TLBI_ASID(ASID_B), CFGI_CD,
	};
	const struct {
		const char *what;
		const struct iommu_hwpt_smmu_lite_invalidate *reqs;
		__u32 n, done;
		__u8 opcode;
	} cases[] = {
		{ "TLBI_VA refused", va, 1, 0, LAB_OP_TLBI_VA },
		{ "TLBI_ASID refused", asid, 1, 0, LAB_OP_TLBI_ASID },
		{ "CFGI_CD's CFGI_STE refused", cd, 1, 0, CMD_CFGI_STE },
		{ "second of three refused", three, 3, 1, LAB_OP_TLBI_VA },
		{ "CFGI_CD after a TLBI refused", asid_cd, 2, 1, CMD_CFGI_STE },
		{ "SYNC refused", three, 3, 0, CMD_SYNC },
	};
	unsigned int c, r, lap = 1;
	__u32 a, done;

	ASSERT_EQ(0, lab_qmp_open());
	ASSERT_EQ(0, alloc_s1(self, 0, &a));
	test_cmd_attach(&self->g, a);
	ASSERT_EQ(1, which_view(self, lap++));
	for (c = 0; c < ARRAY_SIZE(cases); c++) {
		for (r = 0; r < REFUSE_ROUNDS; r++) {
			ASSERT_EQ(0, lab_smmu_refuse(cases[c].opcode, 1));
			EXPECT_EQ(-EIO, invalidate(self, a, cases[c].reqs,
						   cases[c].n, &done))
				TH_LOG("%s, round %u", cases[c].what, r);
			EXPECT_EQ(cases[c].done, done)
				TH_LOG("%s, round %u: entry_num", cases[c].what, r);
			ASSERT_EQ(0, lab_smmu_refusals_left())
				TH_LOG("%s: nothing refused", cases[c].what);
			ASSERT_EQ(0, invalidate(self, a, cases[c].reqs,
						cases[c].n, &done));
			ASSERT_EQ(cases[c].n, done);
			ASSERT_EQ(1, which_view(self, lap++));
		}
	}
	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, a);
	lab_qmp_close();
}

/*
 * With no entries, IOMMU_HWPT_INVALIDATE asks whether the data type is
 * supported: smmu-lite's is, VT-d's is not.
 */
TEST_F_TIMEOUT(nested, empty_invalidate_checks_the_type, LAB_TEST_TIMEOUT)
{
	__u32 a, done = 0;

	ASSERT_EQ(0, alloc_s1(self, 0, &a));
	EXPECT_EQ(-EINVAL, lab_hwpt_invalidate(self->iommufd, a,
					       IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
					       NULL, 0, &done));
	EXPECT_EQ(0, done);
	EXPECT_EQ(-EINVAL, lab_hwpt_invalidate(self->iommufd, a, 0x1234,
					       NULL, 0, &done));
	EXPECT_EQ(0, lab_hwpt_invalidate(self->iommufd, a,
					 IOMMU_HWPT_INVALIDATE_DATA_SMMU_LITE,
					 NULL, 0, &done));
	EXPECT_EQ(0, done);
	test_cmd_destroy(self->iommufd, a);
}

/*
 * The parent enforces cache coherency (iommufd asks it to, the device being
 * able to), so DMA through a nested HWPT over it must be snooped: the
 * model's snoop-forced counter moves with a nested copy, not only with
 * paging ones.
 */
TEST_F_TIMEOUT(nested, nested_dma_is_snooped, LAB_TEST_TIMEOUT)
{
	uint64_t before, after;
	__u32 a;

	ASSERT_EQ(0, lab_qmp_open());
	ASSERT_EQ(0, alloc_s1(self, 0, &a));
	test_cmd_attach(&self->g, a);
	ASSERT_EQ(0, lab_qmp_qom_get_u64(LAB_SMMU_PATH, "stat-snoop-forced", &before));
	ASSERT_EQ(1, which_view(self, 1));
	ASSERT_EQ(0, lab_qmp_qom_get_u64(LAB_SMMU_PATH, "stat-snoop-forced", &after));
	EXPECT_LT(before, after) TH_LOG("a nested copy was not snooped");
	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, a);
	lab_qmp_close();
}

#ifdef LAB_HAVE_SMMU_LITE_VIOMMU_UAPI
/*
 * --- nesting through a vIOMMU, as VMMs do since Linux 6.13 ----------------
 *
 * The same stage-1 tables, but the nested HWPTs are allocated on a vIOMMU
 * over the parent, the device is bound to its virtual stream ID
 * (IOMMU_VDEVICE_ALLOC), and invalidations go to the vIOMMU naming that
 * vSID, as the VM's driver wrote them.
 */
#define VSID		0x42

#define VTLBI_VA(asid, iova, pages) \
	{ .cmd = { LAB_OP_TLBI_VA | LAB_CMD_ASID(asid) | LAB_CMD_NUM(pages), (iova) } }
#define VTLBI_ASID(asid) \
	{ .cmd = { LAB_OP_TLBI_ASID | LAB_CMD_ASID(asid), 0 } }
#define VCFGI(op, vsid)	{ .cmd = { (op) | LAB_CMD_SID(vsid), 0 } }

/*
 * A device that shares its IOMMU group (behind a PCI bridge, with the
 * bridge) cannot use a vIOMMU's nested HWPTs: the attach reaches every
 * device of the group, and the bridge has no vDEVICE (ENOENT, as upstream).
 */
static bool alone_in_group(FIXTURE_DATA(nested) *self)
{
	char path[256];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path),
		 "/sys/bus/pci/devices/%s/iommu_group/devices", self->g.bdf);
	dir = opendir(path);
	if (!dir)
		return false;
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	return n == 1;
}

#define VIOMMU_NEEDS_ALONE() do {					\
	if (!alone_in_group(self))					\
		SKIP(return, "the device shares its IOMMU group: no vIOMMU nesting"); \
} while (0)

/* A vIOMMU over the fixture's parent, with the device on it as VSID */
static void viommu_with_device(struct __test_metadata *_metadata,
			       FIXTURE_DATA(nested) *self, __u32 *viommu,
			       __u32 *vdev)
{
	ASSERT_EQ(0, lab_viommu_alloc(self->iommufd, self->g.dev_id,
				      self->parent, IOMMU_VIOMMU_TYPE_SMMU_LITE,
				      viommu));
	ASSERT_EQ(0, lab_vdevice_alloc(self->iommufd, *viommu, self->g.dev_id,
				       VSID, vdev));
}

static int vinvalidate(FIXTURE_DATA(nested) *self, __u32 viommu,
		       const struct iommu_viommu_smmu_lite_invalidate *reqs,
		       __u32 n, __u32 *done)
{
	*done = n;
	return lab_hwpt_invalidate(self->iommufd, viommu,
				   IOMMU_VIOMMU_INVALIDATE_DATA_SMMU_LITE,
				   reqs, sizeof(*reqs), done);
}

static int valloc_s1(FIXTURE_DATA(nested) *self, __u32 viommu, int cd,
		     __u32 *id)
{
	return lab_nested_s1(self->iommufd, self->g.dev_id, viommu,
			     ipa(CD_OFF(cd)), id);
}

static int attach_errno(FIXTURE_DATA(nested) *self, __u32 pt_id)
{
	__u32 id = pt_id;

	return lab_vfio_attach(self->g.fd, pt_id, &id);
}

/*
 * The objects' rules: a vIOMMU needs a nesting parent and this driver's
 * type; a device attaches to the vIOMMU's nested HWPTs only with a
 * vDEVICE there, and has one vDEVICE per vIOMMU; the owner's STE words
 * are checked as over a parent; a nested HWPT of a vIOMMU is invalidated
 * through the vIOMMU only; objects in use cannot be destroyed.
 */
TEST_F_TIMEOUT(nested, viommu_object_rules, LAB_TEST_TIMEOUT)
{
	const struct iommu_hwpt_smmu_lite snp = {
		.ste = { LAB_STE_V | LAB_STE_CFG(LAB_CFG_S1) | 1ULL << 4,
			 ipa(CD_OFF(0)) },
	};
	const struct iommu_hwpt_smmu_lite_invalidate old_style[] = {
		TLBI_ASID(ASID_A),
	};
	__u32 paging, viommu, other, vdev, a, id, done;

	VIOMMU_NEEDS_ALONE();
	ASSERT_EQ(0, lab_hwpt_alloc(self->iommufd, self->g.dev_id, self->ioas,
				    0, &paging));
	EXPECT_EQ(-EINVAL, lab_viommu_alloc(self->iommufd, self->g.dev_id,
					    paging, IOMMU_VIOMMU_TYPE_SMMU_LITE,
					    &id));
	EXPECT_EQ(-EOPNOTSUPP,
		  lab_viommu_alloc(self->iommufd, self->g.dev_id, self->parent,
				   IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &id));
	ASSERT_EQ(0, lab_viommu_alloc(self->iommufd, self->g.dev_id,
				      self->parent, IOMMU_VIOMMU_TYPE_SMMU_LITE,
				      &viommu));

	ASSERT_EQ(0, valloc_s1(self, viommu, 0, &a));
	EXPECT_EQ(-EINVAL, lab_nested_alloc(self->iommufd, self->g.dev_id,
					    viommu, IOMMU_HWPT_DATA_SMMU_LITE,
					    &snp, sizeof(snp), &id));
	EXPECT_EQ(-ENOENT, attach_errno(self, a));

	ASSERT_EQ(0, lab_vdevice_alloc(self->iommufd, viommu, self->g.dev_id,
				       VSID, &vdev));
	EXPECT_EQ(-EEXIST, lab_vdevice_alloc(self->iommufd, viommu,
					     self->g.dev_id, VSID + 1, &id));
	ASSERT_EQ(0, attach_errno(self, a));
	ASSERT_EQ(1, which_view(self, 1));
	done = 1;
	EXPECT_EQ(-EOPNOTSUPP,
		  lab_hwpt_invalidate(self->iommufd, a,
				      IOMMU_HWPT_INVALIDATE_DATA_SMMU_LITE,
				      old_style, sizeof(old_style[0]), &done));

	/* in use: the vIOMMU (vDEVICE, HWPT), the parent (vIOMMU) */
	EXPECT_EQ(-EBUSY, lab_destroy(self->iommufd, viommu));
	EXPECT_EQ(-EBUSY, lab_destroy(self->iommufd, self->parent));
	test_cmd_detach(&self->g);
	ASSERT_EQ(0, lab_destroy(self->iommufd, a));
	EXPECT_EQ(-EBUSY, lab_destroy(self->iommufd, viommu));
	ASSERT_EQ(0, lab_destroy(self->iommufd, vdev));
	ASSERT_EQ(0, lab_destroy(self->iommufd, viommu));

	/* a second vIOMMU over the same parent takes the device again */
	ASSERT_EQ(0, lab_viommu_alloc(self->iommufd, self->g.dev_id,
				      self->parent, IOMMU_VIOMMU_TYPE_SMMU_LITE,
				      &other));
	ASSERT_EQ(0, lab_vdevice_alloc(self->iommufd, other, self->g.dev_id,
				       VSID, &vdev));
	ASSERT_EQ(0, lab_destroy(self->iommufd, vdev));
	ASSERT_EQ(0, lab_destroy(self->iommufd, other));
	ASSERT_EQ(0, lab_destroy(self->iommufd, paging));
}

/*
 * Translations through the vIOMMU's nested HWPTs, and its invalidations:
 * TLBI_VA and TLBI_ASID reach the VM's translations, CFGI_CD by vSID makes
 * the device fetch the CD again; a vSID the VM does not own is refused
 * (EIO) and a malformed command too (EINVAL), entry_num saying where.
 */
TEST_F_TIMEOUT(nested, viommu_invalidate_by_vsid, LAB_TEST_TIMEOUT)
{
	const struct iommu_viommu_smmu_lite_invalidate other[] = {
		VTLBI_VA(ASID_A, ipa(CONT_OFF), 1), VTLBI_ASID(ASID_B),
	};
	const struct iommu_viommu_smmu_lite_invalidate mine[] = {
		VTLBI_VA(ASID_A, ipa(PROBE_OFF), 1),
	};
	const struct iommu_viommu_smmu_lite_invalidate cfgi_cd[] = {
		VCFGI(LAB_OP_CFGI_CD, VSID), VTLBI_ASID(ASID_A),
	};
	const struct iommu_viommu_smmu_lite_invalidate not_mine[] = {
		VTLBI_ASID(ASID_A), VCFGI(LAB_OP_CFGI_STE, VSID + 1),
		VTLBI_ASID(ASID_A),
	};
	const struct iommu_viommu_smmu_lite_invalidate malformed[] = {
		VCFGI(LAB_OP_CFGI_STE, VSID),
		{ .cmd = { LAB_OP_TLBI_ASID | LAB_CMD_ASID(ASID_A) | 1ULL << 32,
			   0 } },
	};
	__u64 *cd = at(self, ipa(CD_OFF(0))), *leaf;
	__u32 viommu, vdev, a, b, done;

	VIOMMU_NEEDS_ALONE();
	viommu_with_device(_metadata, self, &viommu, &vdev);
	ASSERT_EQ(0, valloc_s1(self, viommu, 0, &a));
	ASSERT_EQ(0, valloc_s1(self, viommu, 1, &b));
	test_cmd_attach(&self->g, a);
	ASSERT_EQ(1, which_view(self, 1));
	test_cmd_attach(&self->g, b);
	ASSERT_EQ(2, which_view(self, 2));
	test_cmd_attach(&self->g, self->parent);
	ASSERT_EQ(0, which_view(self, 3));
	test_cmd_attach(&self->g, a);
	ASSERT_EQ(1, which_view(self, 4));

	/* A's PROBE now points at B's PROBE page: cached until TLBI_VA */
	leaf = lab_s1_leaf(&self->s1, self->root[0], ipa(PROBE_OFF));
	*leaf = (ipa(VIEW_OFF(2) + PAGE) & LAB_PTE_OA) | (*leaf & ~LAB_PTE_OA);
	__sync_synchronize();
	ASSERT_EQ(0, vinvalidate(self, viommu, other, 2, &done));
	ASSERT_EQ(2, done);
	ASSERT_EQ(1, which_view(self, 5));
	ASSERT_EQ(0, vinvalidate(self, viommu, mine, 1, &done));
	ASSERT_EQ(1, done);
	ASSERT_EQ(-1, which_view(self, 6));
	*leaf = (ipa(VIEW_OFF(1) + PAGE) & LAB_PTE_OA) | (*leaf & ~LAB_PTE_OA);
	__sync_synchronize();
	ASSERT_EQ(0, vinvalidate(self, viommu, mine, 1, &done));
	ASSERT_EQ(1, which_view(self, 7));

	/* A's CD now has B's tables: cached with the STE until CFGI_CD */
	cd[1] = self->root[1];
	__sync_synchronize();
	ASSERT_EQ(0, vinvalidate(self, viommu, other + 1, 1, &done));
	ASSERT_EQ(1, which_view(self, 8));
	ASSERT_EQ(-EIO, vinvalidate(self, viommu, not_mine, 3, &done));
	ASSERT_EQ(1, done);
	ASSERT_EQ(1, which_view(self, 9));
	ASSERT_EQ(-EINVAL, vinvalidate(self, viommu, malformed, 2, &done));
	ASSERT_EQ(1, done);
	ASSERT_EQ(0, vinvalidate(self, viommu, cfgi_cd, 2, &done));
	ASSERT_EQ(2, done);
	ASSERT_EQ(2, which_view(self, 10));

	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, a);
	test_cmd_destroy(self->iommufd, b);
	test_cmd_destroy(self->iommufd, vdev);
	test_cmd_destroy(self->iommufd, viommu);
}

/* Replace between a vIOMMU's nested HWPTs, and with the parent, under DMA */
TEST_F_TIMEOUT(nested, viommu_replace_under_dma, LAB_TEST_TIMEOUT)
{
	const int nested_views[2] = { 1, 2 }, mixed_views[2] = { 0, 1 };
	__u32 viommu, vdev, ids[2];

	VIOMMU_NEEDS_ALONE();
	viommu_with_device(_metadata, self, &viommu, &vdev);
	ASSERT_EQ(0, valloc_s1(self, viommu, 0, &ids[0]));
	ASSERT_EQ(0, valloc_s1(self, viommu, 1, &ids[1]));
	replace_under_dma(_metadata, self, ids, nested_views, 2);
	test_cmd_attach(&self->g, ids[0]);	/* off B, which goes */
	test_cmd_destroy(self->iommufd, ids[1]);
	ids[1] = ids[0];
	ids[0] = self->parent;
	replace_under_dma(_metadata, self, ids, mixed_views, 2);
	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, ids[1]);
	test_cmd_destroy(self->iommufd, vdev);
	test_cmd_destroy(self->iommufd, viommu);
}
/* A second VM: its own RAM, parent, vIOMMU and device (the 2nd dma-gen) */
struct vm_b {
	struct dma_gen g;
	unsigned char *ram;
	struct lab_s1 s1;
	__u32 ioas, parent, viommu, vdev, hwpt;
	__u64 root, probe_leaf_ipa;
};

/* Copy VM B's TAG to its PROBE: true if it landed in B's own page @view */
static bool vm_b_lands(struct vm_b *b, unsigned int lap, int view)
{
	__u32 tag = 0x7b000000 | lap;

	int v;

	lab_fill32(b->ram + VIEW_OFF(1), tag, TAG_LEN);
	for (v = 1; v <= 3; v++)
		memset(b->ram + VIEW_OFF(v) + PAGE, 0, TAG_LEN);
	if (dma_gen_cmd(&b->g, DMA_GEN_OP_COPY, ipa(TAG_OFF), ipa(PROBE_OFF),
			TAG_LEN, 0) != DMA_GEN_ERR_OK)
		return false;
	return *(__u32 *)(b->ram + VIEW_OFF(view) + PAGE) == tag;
}

/*
 * VM B: its own RAM at the same IPAs, its own parent and vIOMMU, the 2nd
 * dma-gen as vSID VSID + 1 on a nested HWPT whose stage 1 (ASID_A, as
 * VM A's) sends TAG and PROBE to its view 1. False: no second dma-gen.
 */
static bool vm_b_setup(struct __test_metadata *_metadata,
		       FIXTURE_DATA(nested) *self, struct vm_b *b)
{
	if (dma_gen_open(&b->g, self->iommufd, 1))
		return false;
	b->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, b->ram);
	ASSERT_EQ(0, madvise(b->ram, RAM_SIZE, MADV_NOHUGEPAGE));
	memset(b->ram, 0, RAM_SIZE);
	ASSERT_EQ(0, lab_ioas_alloc(self->iommufd, &b->ioas));
	ASSERT_EQ(0, lab_ioas_map(self->iommufd, b->ioas, b->ram, RAM_SIZE,
				  IPA_BASE));
	ASSERT_EQ(0, lab_hwpt_alloc(self->iommufd, b->g.dev_id, b->ioas,
				    IOMMU_HWPT_ALLOC_NEST_PARENT, &b->parent));
	b->s1 = (struct lab_s1) {
		.mem = b->ram, .ipa = IPA_BASE, .size = RAM_SIZE,
		.next = PT_OFF, .end = PT_END,
	};
	b->root = lab_s1_table(&b->s1);
	ASSERT_EQ(0, lab_s1_map(&b->s1, b->root, ipa(TAG_OFF),
				ipa(VIEW_OFF(1))));
	ASSERT_EQ(0, lab_s1_map(&b->s1, b->root, ipa(PROBE_OFF),
				ipa(VIEW_OFF(1) + PAGE)));
	lab_s1_cd(&b->s1, ipa(CD_OFF(0)), ASID_A, b->root);
	ASSERT_EQ(0, lab_viommu_alloc(self->iommufd, b->g.dev_id, b->parent,
				      IOMMU_VIOMMU_TYPE_SMMU_LITE, &b->viommu));
	ASSERT_EQ(0, lab_vdevice_alloc(self->iommufd, b->viommu, b->g.dev_id,
				       VSID + 1, &b->vdev));
	ASSERT_EQ(0, lab_nested_s1(self->iommufd, b->g.dev_id, b->viommu,
				   ipa(CD_OFF(0)), &b->hwpt));
	test_cmd_attach(&b->g, b->hwpt);
	return true;
}

static void vm_b_teardown(struct __test_metadata *_metadata,
			  FIXTURE_DATA(nested) *self, struct vm_b *b)
{
	test_cmd_detach(&b->g);
	test_cmd_destroy(self->iommufd, b->hwpt);
	test_cmd_destroy(self->iommufd, b->vdev);
	test_cmd_destroy(self->iommufd, b->viommu);
	dma_gen_close(&b->g);
	munmap(b->ram, RAM_SIZE);
}

/*
 * Two VMs, each a vIOMMU on its own parent (VMID), the same ASID in both
 * and their devices' vSIDs next to each other: VM A's commands, whatever
 * they name, never reach VM B's translations. Shown by DMA through both.
 */
TEST_F_TIMEOUT(nested, viommu_two_vms_isolated, LAB_TEST_TIMEOUT)
{
	const struct iommu_viommu_smmu_lite_invalidate tlbi_a[] = {
		VTLBI_ASID(ASID_A), VTLBI_VA(ASID_A, ipa(PROBE_OFF), 1),
	};
	const struct iommu_viommu_smmu_lite_invalidate cfgi_b[] = {
		VCFGI(LAB_OP_CFGI_CD, VSID + 1), VTLBI_ASID(ASID_A),
	};
	struct vm_b b = { .g = { .fd = -1 } };
	__u32 viommu, vdev, a, done;
	__u64 *leaf, *cd, root2;

	VIOMMU_NEEDS_ALONE();
	if (!vm_b_setup(_metadata, self, &b))
		SKIP(return, "no second dma-gen for a second VM");

	/* VM A: the fixture's parent, the same ASID, vSID VSID */
	viommu_with_device(_metadata, self, &viommu, &vdev);
	ASSERT_EQ(0, valloc_s1(self, viommu, 0, &a));
	test_cmd_attach(&self->g, a);
	ASSERT_EQ(1, which_view(self, 1));
	ASSERT_TRUE(vm_b_lands(&b, 1, 1));

	/*
	 * B moves its PROBE to another page of its own, without telling its
	 * vIOMMU; A invalidates that ASID and IOVA: B keeps its cached one.
	 */
	leaf = lab_s1_leaf(&b.s1, b.root, ipa(PROBE_OFF));
	*leaf = (ipa(VIEW_OFF(2) + PAGE) & LAB_PTE_OA) | (*leaf & ~LAB_PTE_OA);
	__sync_synchronize();
	ASSERT_EQ(0, vinvalidate(self, viommu, tlbi_a, 2, &done));
	ASSERT_EQ(2, done);
	ASSERT_TRUE(vm_b_lands(&b, 2, 1));
	ASSERT_EQ(1, which_view(self, 2));
	done = 2;
	ASSERT_EQ(0, lab_hwpt_invalidate(self->iommufd, b.viommu,
					 IOMMU_VIOMMU_INVALIDATE_DATA_SMMU_LITE,
					 tlbi_a, sizeof(tlbi_a[0]), &done));
	ASSERT_TRUE(vm_b_lands(&b, 3, 2));

	/*
	 * B points its CD at new tables (PROBE to a third page); A names B's
	 * vSID: refused, and B keeps the CD it has. B's own CFGI_CD then
	 * takes effect.
	 */
	root2 = lab_s1_table(&b.s1);
	ASSERT_EQ(0, lab_s1_map(&b.s1, root2, ipa(TAG_OFF), ipa(VIEW_OFF(1))));
	ASSERT_EQ(0, lab_s1_map(&b.s1, root2, ipa(PROBE_OFF),
				ipa(VIEW_OFF(3) + PAGE)));
	cd = lab_s1_at(&b.s1, ipa(CD_OFF(0)));
	cd[1] = root2;
	__sync_synchronize();
	ASSERT_EQ(-EIO, vinvalidate(self, viommu, cfgi_b, 2, &done));
	ASSERT_EQ(0, done);
	ASSERT_TRUE(vm_b_lands(&b, 4, 2));
	ASSERT_EQ(1, which_view(self, 3));
	done = 2;
	ASSERT_EQ(0, lab_hwpt_invalidate(self->iommufd, b.viommu,
					 IOMMU_VIOMMU_INVALIDATE_DATA_SMMU_LITE,
					 cfgi_b, sizeof(cfgi_b[0]), &done));
	ASSERT_EQ(2, done);
	ASSERT_TRUE(vm_b_lands(&b, 5, 3));
	ASSERT_EQ(1, which_view(self, 4));

	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, a);
	test_cmd_destroy(self->iommufd, vdev);
	test_cmd_destroy(self->iommufd, viommu);
	vm_b_teardown(_metadata, self, &b);
}
#ifdef LAB_HAVE_SMMU_LITE_VEVENTQ_UAPI
#define EVT_TYPE(w0)	((w0) & 0xff)
#define EVT_S2		(1ULL << 9)
#define EVT_SID(w0)	((__u32)((w0) >> 32))
#define F_TRANSLATION	0x10

/*
 * The vEVENTQ's records from @fd, waiting up to @ms for the first: *@n
 * events (header and record each) into @ev, *@lost set when a
 * LOST_EVENTS header ends them; -1 on a read error.
 */
struct vevent {
	struct iommufd_vevent_header h;
	struct iommu_vevent_smmu_lite e;
};

static int vevents_read(int fd, int ms, struct vevent *ev, int max, int *n,
			bool *lost)
{
	unsigned char buf[1024], *p = buf;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct iommufd_vevent_header h;
	ssize_t len;

	*n = 0;
	*lost = false;
	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	len = read(fd, buf, sizeof(buf));
	if (len < 0)
		return errno == EAGAIN ? 0 : -1;
	while (p + sizeof(h) <= buf + len) {
		memcpy(&h, p, sizeof(h));
		p += sizeof(h);
		if (h.flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS) {
			*lost = true;
			break;
		}
		if (p + sizeof(ev->e) > buf + len || *n == max)
			return -1;
		ev[*n].h = h;
		memcpy(&ev[*n].e, p, sizeof(ev->e));
		p += sizeof(ev->e);
		(*n)++;
	}
	return 0;
}

/*
 * The faults of the VM's translations reach its vEVENTQ, with the vSID:
 * a stage-1 fault does, in order (sequence numbers), a stage-2 fault
 * (the host's) does not, and an overflow ends with a LOST_EVENTS header.
 */
TEST_F_TIMEOUT(nested, viommu_veventq, LAB_TEST_TIMEOUT)
{
	const __u64 hole = ipa(0x300000);	/* mapped by no stage 1 */
	__u32 viommu, vdev, a, veventq;
	struct vevent ev[4];
	bool lost;
	int fd, n, i;

	VIOMMU_NEEDS_ALONE();
	viommu_with_device(_metadata, self, &viommu, &vdev);
	ASSERT_EQ(0, valloc_s1(self, viommu, 0, &a));
	ASSERT_EQ(0, lab_veventq_alloc(self->iommufd, viommu,
				       IOMMU_VEVENTQ_TYPE_SMMU_LITE, 2,
				       &veventq, &fd));
	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK));
	test_cmd_attach(&self->g, a);
	ASSERT_EQ(1, which_view(self, 1));
	ASSERT_EQ(0, vevents_read(fd, 100, ev, 4, &n, &lost));
	ASSERT_EQ(0, n);

	/* stage 1 maps nothing there */
	ASSERT_NE(DMA_GEN_ERR_OK, dma_gen_cmd(&self->g, DMA_GEN_OP_FILL, 0,
					      hole, 64, 0xfa170001));
	ASSERT_EQ(0, vevents_read(fd, 2000, ev, 4, &n, &lost));
	ASSERT_EQ(1, n);
	EXPECT_FALSE(lost);
	EXPECT_EQ(0, ev[0].h.sequence);
	EXPECT_EQ(F_TRANSLATION, EVT_TYPE(le64toh(ev[0].e.evt[0])));
	EXPECT_EQ(0, le64toh(ev[0].e.evt[0]) & EVT_S2);
	EXPECT_EQ(VSID, EVT_SID(le64toh(ev[0].e.evt[0])));
	EXPECT_EQ(hole, le64toh(ev[0].e.evt[1]));

	/* stage 1 sends it to an IPA that stage 2 does not map: the host's */
	ASSERT_EQ(0, lab_s1_map(&self->s1, self->root[0], hole,
				IPA_BASE + RAM_SIZE + 0x100000));
	ASSERT_NE(DMA_GEN_ERR_OK, dma_gen_cmd(&self->g, DMA_GEN_OP_FILL, 0,
					      hole, 64, 0xfa170002));
	ASSERT_EQ(0, vevents_read(fd, 300, ev, 4, &n, &lost));
	EXPECT_EQ(0, n);

	/* three stage-1 faults into a queue of two */
	for (i = 1; i <= 3; i++)
		ASSERT_NE(DMA_GEN_ERR_OK,
			  dma_gen_cmd(&self->g, DMA_GEN_OP_FILL, 0,
				      hole + i * PAGE, 64, 0xfa170002 + i));
	usleep(200000);
	ASSERT_EQ(0, vevents_read(fd, 2000, ev, 4, &n, &lost));
	TH_LOG("after 3 faults into a vEVENTQ of 2: %d events, lost %d", n,
	       lost);
	ASSERT_EQ(2, n);
	EXPECT_TRUE(lost);
	EXPECT_EQ(1, ev[0].h.sequence);
	EXPECT_EQ(2, ev[1].h.sequence);
	EXPECT_EQ(hole + PAGE, le64toh(ev[0].e.evt[1]));
	EXPECT_EQ(hole + 2 * PAGE, le64toh(ev[1].e.evt[1]));
	EXPECT_EQ(VSID, EVT_SID(le64toh(ev[1].e.evt[0])));

	test_cmd_detach(&self->g);
	close(fd);
	test_cmd_destroy(self->iommufd, veventq);
	test_cmd_destroy(self->iommufd, a);
	test_cmd_destroy(self->iommufd, vdev);
	test_cmd_destroy(self->iommufd, viommu);
}
/* Each VM's vEVENTQ gets its own device's faults, and no other VM's */
TEST_F_TIMEOUT(nested, viommu_veventq_per_vm, LAB_TEST_TIMEOUT)
{
	const __u64 hole = ipa(0x300000);	/* mapped by no stage 1 */
	struct vm_b b = { .g = { .fd = -1 } };
	__u32 viommu, vdev, a, qa, qb;
	struct vevent ev[4];
	int fa, fb, n;
	bool lost;

	VIOMMU_NEEDS_ALONE();
	if (!vm_b_setup(_metadata, self, &b))
		SKIP(return, "no second dma-gen for a second VM");
	viommu_with_device(_metadata, self, &viommu, &vdev);
	ASSERT_EQ(0, valloc_s1(self, viommu, 0, &a));
	test_cmd_attach(&self->g, a);
	ASSERT_EQ(0, lab_veventq_alloc(self->iommufd, viommu,
				       IOMMU_VEVENTQ_TYPE_SMMU_LITE, 4, &qa,
				       &fa));
	ASSERT_EQ(0, lab_veventq_alloc(self->iommufd, b.viommu,
				       IOMMU_VEVENTQ_TYPE_SMMU_LITE, 4, &qb,
				       &fb));
	ASSERT_EQ(0, fcntl(fa, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(0, fcntl(fb, F_SETFL, O_NONBLOCK));

	/* VM B faults: B's queue, with B's vSID; nothing in A's */
	ASSERT_NE(DMA_GEN_ERR_OK, dma_gen_cmd(&b.g, DMA_GEN_OP_FILL, 0, hole,
					      64, 0xb0000001));
	ASSERT_EQ(0, vevents_read(fb, 2000, ev, 4, &n, &lost));
	ASSERT_EQ(1, n);
	EXPECT_EQ(VSID + 1, EVT_SID(le64toh(ev[0].e.evt[0])));
	ASSERT_EQ(0, vevents_read(fa, 300, ev, 4, &n, &lost));
	EXPECT_EQ(0, n);

	/* VM A faults: A's queue only */
	ASSERT_NE(DMA_GEN_ERR_OK, dma_gen_cmd(&self->g, DMA_GEN_OP_FILL, 0,
					      hole, 64, 0xa0000001));
	ASSERT_EQ(0, vevents_read(fa, 2000, ev, 4, &n, &lost));
	ASSERT_EQ(1, n);
	EXPECT_EQ(VSID, EVT_SID(le64toh(ev[0].e.evt[0])));
	ASSERT_EQ(0, vevents_read(fb, 300, ev, 4, &n, &lost));
	EXPECT_EQ(0, n);

	close(fa);
	close(fb);
	test_cmd_destroy(self->iommufd, qa);
	test_cmd_destroy(self->iommufd, qb);
	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, a);
	test_cmd_destroy(self->iommufd, vdev);
	test_cmd_destroy(self->iommufd, viommu);
	vm_b_teardown(_metadata, self, &b);
}
#endif /* LAB_HAVE_SMMU_LITE_VEVENTQ_UAPI */
#endif /* LAB_HAVE_SMMU_LITE_VIOMMU_UAPI */

/*
 * The owner's bypass is the parent's stage 2 alone; its abort refuses DMA.
 * The last test on purpose: the model counts a refused translation as a
 * disruption once the stream translates again, and after this one it
 * never does (tests/meson.build checks that the suite made none).
 */
TEST_F_TIMEOUT(nested, owner_bypass_and_abort, LAB_TEST_TIMEOUT)
{
	struct iommu_hwpt_smmu_lite byp = {
		.ste = { LAB_STE_V | LAB_STE_CFG(LAB_CFG_BYPASS), 0 },
	};
	struct iommu_hwpt_smmu_lite abt = {
		.ste = { LAB_STE_V | LAB_STE_CFG(LAB_CFG_ABORT), 0 },
	};
	__u32 b, x;

	ASSERT_EQ(0, lab_nested_alloc(self->iommufd, self->g.dev_id,
				      self->parent, IOMMU_HWPT_DATA_SMMU_LITE,
				      &byp, sizeof(byp), &b));
	ASSERT_EQ(0, lab_nested_alloc(self->iommufd, self->g.dev_id,
				      self->parent, IOMMU_HWPT_DATA_SMMU_LITE,
				      &abt, sizeof(abt), &x));
	test_cmd_attach(&self->g, b);
	ASSERT_EQ(0, which_view(self, 1));
	test_cmd_attach(&self->g, x);
	ASSERT_EQ(-2, which_view(self, 2));
	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, b);
	test_cmd_destroy(self->iommufd, x);
}

TEST_HARNESS_MAIN

#else /* !LAB_HAVE_SMMU_LITE_NESTED_UAPI */

int main(void)
{
	printf("1..0 # SKIP the kernel's uapi has no IOMMU_HWPT_DATA_SMMU_LITE\n");
	return 4;	/* KSFT_SKIP */
}

#endif
