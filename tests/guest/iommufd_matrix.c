// SPDX-License-Identifier: GPL-2.0
/*
 * The replace transition matrix: every kind of page table an iommufd user
 * can attach a device to, replaced by every other under live DMA, with the
 * verdict each IOMMU driver's own entry-writing rules predict.
 *
 * Kinds: a stage-1 paging HWPT ("S1": IOMMU_HWPT_ALLOC without flags), a
 * nesting parent ("S2": IOMMU_HWPT_ALLOC_NEST_PARENT; refused where the
 * IOMMU has no second stage, and those cells SKIP) and the blocked domain
 * (the device detached). Identity is the kernel's only; nested HWPTs need
 * a vIOMMU on arm-smmu-v3 (docs/arm64.md) and are iommufd_nested's.
 *
 * Each HWPT of a pair sits on its own IOAS; both IOASes map their own
 * buffer at the same IOVAs. dma-gen copies and verifies continuously, and
 * each cell replaces A by B LAB_MATRIX_REPLACES times (back to A in
 * between, not counted), bounded by LAB_MATRIX_SECONDS. DMA errors and
 * mismatches counted between the start and the end of the A -> B ioctls
 * are the cell's. One line per cell:
 *   # LAB-MATRIX iommu=NAME cell=A->B replaces=N overlap_ops=N
 *     dma_errors=N mismatches=N expected=hitless|disruptive seen=...
 * A cell expected hitless must see no DMA error and no mismatch once DMA
 * overlapped its replaces (too little overlap: no verdict, SKIP); a cell
 * expected disruptive is recorded, not asserted (a window DMA happened to
 * miss proves nothing). After every replace the new table must be the one
 * in use: a copy through it must land in its buffer.
 *
 * A -> blocked: the DMA must fail while detached and work again after the
 * device is attached back.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "lab_utils.h"

#define BUF_SIZE	(256 * 1024)
#define IOVA_BASE	0x10000000ULL
#define IOVA_SRC	IOVA_BASE
#define IOVA_DST	(IOVA_BASE + BUF_SIZE / 2)
#define PROBE_SRC	(IOVA_BASE + BUF_SIZE - 8192)
#define PROBE_DST	(IOVA_BASE + BUF_SIZE - 4096)
#define PROBE_LEN	64
#define MIN_OVERLAP	10
#define STALL_NS	(1000 * 1000 * 1000ULL)

enum lab_kind { K_S1, K_S2, K_BLOCKED };
enum lab_verdict { V_HITLESS, V_DISRUPTIVE };

static const char *const kind_name[] = { "S1", "S2", "blocked" };
static const char *const verdict_name[] = { "hitless", "disruptive" };

/*
 * What each driver's rules predict for A -> B between two HWPTs of these
 * kinds (each with its own tag and tables):
 *
 * arm-smmu-v3 (arm_smmu_write_entry(): one used qword changed is hitless,
 * more go through V=0):
 *   S1 -> S1  the STE stays, SSID 0's CD changes in qword 0 (ASID) and
 *             qword 1 (TTB0): disruptive.
 *   S1 -> S2, S2 -> S1  the STE's config (qword 0) and its S2 words 2-3:
 *             word 2's S2VMID is used by the stage-1 STE of an SMMU with
 *             stage 2 too, so two used qwords change: disruptive.
 *   S2 -> S2  VMID (qword 2) and S2TTB (qword 3): disruptive.
 * smmu-lite (its STE writer, docs/specs/smmu-lite.rst): S1 -> S1 changes
 *   one word (the CD pointer): hitless; S1 <-> S2 change the config with
 *   the other stage's words unused: hitless; S2 -> S2 changes the table
 *   and the VMID: through an invalid STE, disruptive.
 * VT-d: its attach of a new domain goes through a cleared context or PASID
 *   entry: disruptive.
 */
static enum lab_verdict lab_expected(__u32 type, enum lab_kind a,
				     enum lab_kind b)
{
	switch (type) {
#ifdef LAB_HAVE_SMMU_LITE_UAPI
	case IOMMU_HW_INFO_TYPE_SMMU_LITE:
		return a == K_S2 && b == K_S2 ? V_DISRUPTIVE : V_HITLESS;
#endif
	default:
		return V_DISRUPTIVE;
	}
}

static const char *lab_iommu_name(__u32 type)
{
	switch (type) {
	case IOMMU_HW_INFO_TYPE_INTEL_VTD:
		return "vt-d";
	case IOMMU_HW_INFO_TYPE_ARM_SMMUV3:
		return "arm-smmu-v3";
#ifdef LAB_HAVE_SMMU_LITE_UAPI
	case IOMMU_HW_INFO_TYPE_SMMU_LITE:
		return "smmu-lite";
#endif
	default:
		return "other";
	}
}

FIXTURE(matrix)
{
	int iommufd;
	struct dma_gen g;
	__u32 ioas[2];
	unsigned char *buf[2];
	__u32 type;
};

FIXTURE_SETUP(matrix)
{
	__u8 data[256];
	int i;

	self->iommufd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, dma_gen_open(&self->g, self->iommufd, 0));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, lab_ioas_with_buffer(self->iommufd, BUF_SIZE,
						  IOVA_BASE, &self->buf[i],
						  &self->ioas[i]));
	self->type = IOMMU_HW_INFO_TYPE_NONE;
	ASSERT_EQ(0, lab_hw_info(self->iommufd, self->g.dev_id, data,
				 sizeof(data), &self->type));
}

FIXTURE_TEARDOWN(matrix)
{
	int i;

	dma_gen_close(&self->g);
	close(self->iommufd);
	for (i = 0; i < 2; i++)
		munmap(self->buf[i], BUF_SIZE);
}

/* A HWPT of @kind on IOAS @i; -EOPNOTSUPP where the IOMMU has no such. */
static int lab_kind_hwpt(FIXTURE_DATA(matrix) *self, enum lab_kind kind,
			 int i, __u32 *id)
{
	__u32 flags = kind == K_S2 ? IOMMU_HWPT_ALLOC_NEST_PARENT : 0;

	return lab_hwpt_alloc(self->iommufd, self->g.dev_id, self->ioas[i],
			      flags, id);
}

/* A copy through the table in use lands in buffer @now, not the other. */
static bool lab_lands_in(FIXTURE_DATA(matrix) *self, int now,
			 unsigned int lap)
{
	unsigned char want[PROBE_LEN], zero[PROBE_LEN] = { 0 };
	unsigned int off_src = PROBE_SRC - IOVA_BASE;
	unsigned int off_dst = PROBE_DST - IOVA_BASE;
	int b;

	for (b = 0; b < 2; b++) {
		lab_fill32(self->buf[b] + off_src, 0x3a700000 | lap << 1 | b,
			   PROBE_LEN);
		memset(self->buf[b] + off_dst, 0, PROBE_LEN);
	}
	if (dma_gen_cmd(&self->g, DMA_GEN_OP_COPY, PROBE_SRC, PROBE_DST,
			PROBE_LEN, 0))
		return false;
	lab_fill32(want, 0x3a700000 | lap << 1 | now, PROBE_LEN);
	return !memcmp(self->buf[now] + off_dst, want, PROBE_LEN) &&
	       !memcmp(self->buf[!now] + off_dst, zero, PROBE_LEN);
}

static void lab_cell(struct __test_metadata *_metadata,
		     FIXTURE_DATA(matrix) *self, enum lab_kind a,
		     enum lab_kind b)
{
	struct dma_gen_cont c = {
		.src = IOVA_SRC, .dst = IOVA_DST, .slots = 16,
		.stride = 4096, .len = 256, .period_ns = 1000,
		.ops_per_tick = 256, .pattern = 0x3a7c0de5,
	};
	unsigned int n = lab_env_uint("LAB_MATRIX_REPLACES", 200), i;
	__u64 deadline = lab_now_ns() +
			 lab_env_uint("LAB_MATRIX_SECONDS", 10) * 1000000000ULL;
	__u64 errors = 0, mismatches = 0, overlap = 0;
	struct dma_gen_counters before, now;
	enum lab_verdict expect = lab_expected(self->type, a, b), seen;
	unsigned int wrong = 0, stalls = 0;
	__u32 hwpt[2];
	int k, ret;

	for (k = 0; k < 2; k++) {
		unsigned char *p = self->buf[k];

		lab_fill32(p, c.pattern, c.len);
		lab_fill32(p + (IOVA_DST - IOVA_BASE), c.pattern,
			   c.slots * c.stride);
	}
	/* HWPT 0 on IOAS 0 is A, HWPT 1 on IOAS 1 is B */
	/* only a nest parent may be missing: EOPNOTSUPP */
	ret = lab_kind_hwpt(self, a, 0, &hwpt[0]);
	if (a == K_S2 && ret == -EOPNOTSUPP)
		SKIP(return, "this IOMMU offers no nest parent (EOPNOTSUPP)");
	ASSERT_EQ(0, ret);
	if (b != K_BLOCKED) {
		ret = lab_kind_hwpt(self, b, 1, &hwpt[1]);
		if (b == K_S2 && ret == -EOPNOTSUPP)
			SKIP(return, "this IOMMU offers no nest parent (EOPNOTSUPP)");
		ASSERT_EQ(0, ret);
	}
	test_cmd_attach(&self->g, hwpt[0]);

	if (b == K_BLOCKED) {
		/* blocked means blocked, and attaching back means working */
		for (i = 0; i < 3; i++) {
			test_cmd_detach(&self->g);
			ASSERT_NE(DMA_GEN_ERR_OK,
				  dma_gen_cmd(&self->g, DMA_GEN_OP_COPY,
					      PROBE_SRC, PROBE_DST, PROBE_LEN, 0));
			test_cmd_attach(&self->g, hwpt[0]);
			ASSERT_TRUE(lab_lands_in(self, 0, i));
		}
		printf("# LAB-MATRIX iommu=%s cell=%s->blocked blocks=yes\n",
		       lab_iommu_name(self->type), kind_name[a]);
		return;
	}

	ASSERT_EQ(DMA_GEN_ERR_OK, dma_gen_cont_start(&self->g, &c));
	dma_gen_counters(&self->g, &now);
	for (i = 0; lab_now_ns() < deadline; i++) {
		if (i >= n && overlap >= (__u64)MIN_OVERLAP * n)
			break;
		if (!lab_dma_progress_wait(&self->g, now.ops, STALL_NS,
					   &before))
			stalls++;
		test_cmd_attach(&self->g, hwpt[1]);
		dma_gen_counters(&self->g, &now);
		overlap += now.ops - before.ops;
		errors += now.dma_errors - before.dma_errors;
		mismatches += now.mismatches - before.mismatches;
		wrong += !lab_lands_in(self, 1, 2 * i);
		test_cmd_attach(&self->g, hwpt[0]);
		wrong += !lab_lands_in(self, 0, 2 * i + 1);
		dma_gen_counters(&self->g, &now);
	}
	dma_gen_cont_stop(&self->g);
	test_cmd_detach(&self->g);

	seen = errors || mismatches ? V_DISRUPTIVE : V_HITLESS;
	printf("# LAB-MATRIX iommu=%s cell=%s->%s replaces=%u overlap_ops=%llu dma_errors=%llu mismatches=%llu expected=%s seen=%s\n",
	       lab_iommu_name(self->type), kind_name[a], kind_name[b], i,
	       (unsigned long long)overlap, (unsigned long long)errors,
	       (unsigned long long)mismatches, verdict_name[expect],
	       verdict_name[seen]);
	ASSERT_LT(0, i);
	/* after every replace, the table just attached is the one in use */
	ASSERT_EQ(0, wrong);
	if (expect != V_HITLESS)
		return;
	ASSERT_EQ(0, errors);
	ASSERT_EQ(0, mismatches);
	if (overlap < (__u64)MIN_OVERLAP * n)
		SKIP(return, "no verdict: %llu DMA operations overlapped %u replaces, %llu needed (host too busy?)",
		     (unsigned long long)overlap, i,
		     (unsigned long long)MIN_OVERLAP * n);
	ASSERT_EQ(0, stalls);
}

TEST_F_TIMEOUT(matrix, s1_to_s1, LAB_TEST_TIMEOUT)
{
	lab_cell(_metadata, self, K_S1, K_S1);
}

TEST_F_TIMEOUT(matrix, s1_to_s2, LAB_TEST_TIMEOUT)
{
	lab_cell(_metadata, self, K_S1, K_S2);
}

TEST_F_TIMEOUT(matrix, s2_to_s1, LAB_TEST_TIMEOUT)
{
	lab_cell(_metadata, self, K_S2, K_S1);
}

TEST_F_TIMEOUT(matrix, s2_to_s2, LAB_TEST_TIMEOUT)
{
	lab_cell(_metadata, self, K_S2, K_S2);
}

TEST_F_TIMEOUT(matrix, s1_to_blocked, LAB_TEST_TIMEOUT)
{
	lab_cell(_metadata, self, K_S1, K_BLOCKED);
}

TEST_F_TIMEOUT(matrix, s2_to_blocked, LAB_TEST_TIMEOUT)
{
	lab_cell(_metadata, self, K_S2, K_BLOCKED);
}

TEST_HARNESS_MAIN
