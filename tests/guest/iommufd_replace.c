// SPDX-License-Identifier: GPL-2.0
/*
 * iommufd replace on a device that really DMAs: dma-gen, driven through its
 * VFIO cdev, attached to IOASes and HWPTs that the tests replace under it.
 *
 * Layout: two IOASes, each mapping its own buffer at the same IOVAs, so a
 * DMA shows by where it lands which page table the device used.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "lab_utils.h"

#define BUF_SIZE	(256 * 1024)
#define IOVA_BASE	0x10000000ULL
#define IOVA_SRC	IOVA_BASE
#define IOVA_DST	(IOVA_BASE + BUF_SIZE / 2)
#define COPY_LEN	8192

static unsigned int lab_replaces(void)
{
	return lab_env_uint("LAB_REPLACES", 1000);
}

/* Is smmu-lite's driver forced to its disruptive STE sequence? */
static bool lab_forced(void)
{
	char forced = 'N';
	int fd;

	fd = open("/sys/module/smmu_lite/parameters/force_disruptive", O_RDONLY);
	if (fd >= 0) {
		if (read(fd, &forced, 1) != 1)
			forced = 'N';
		close(fd);
	}
	return forced == 'Y';
}

/*
 * Is the IOMMU behind this device one whose replace of one paging HWPT by
 * another must be hitless? Not VT-d (its attach blocks translation), and
 * not smmu-lite when its driver is forced to the disruptive STE sequence.
 * Not arm-smmu-v3 either, by its own rule: a stage-1 domain lives in the
 * context descriptor of SSID 0, and two domains' descriptors differ in
 * qword 0 (the ASID) and qword 1 (TTB0); arm_smmu_write_entry() changes
 * two used qwords only through V=0 (C_BAD_CD for a walk in between).
 */
static bool lab_expect_hitless(int iommufd, __u32 dev_id)
{
	__u32 type = 0;
	__u8 data[256];

	if (lab_hw_info(iommufd, dev_id, data, sizeof(data), &type))
		return false;
	if (type == IOMMU_HW_INFO_TYPE_INTEL_VTD ||
	    type == IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
		return false;
	return !lab_forced();
}

static __u32 lab_iommu_type(int iommufd, __u32 dev_id)
{
	__u32 type = IOMMU_HW_INFO_TYPE_NONE;
	__u8 data[256];

	if (lab_hw_info(iommufd, dev_id, data, sizeof(data), &type))
		return IOMMU_HW_INFO_TYPE_NONE;
	return type;
}

FIXTURE(replace)
{
	int iommufd;
	struct dma_gen g;
	__u32 ioas[2];
	unsigned char *buf[2];
};

FIXTURE_SETUP(replace)
{
	int i;

	self->iommufd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, dma_gen_open(&self->g, self->iommufd, 0));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, lab_ioas_with_buffer(self->iommufd, BUF_SIZE,
						  IOVA_BASE, &self->buf[i],
						  &self->ioas[i]));
	}
}

FIXTURE_TEARDOWN(replace)
{
	int i;

	dma_gen_close(&self->g);
	close(self->iommufd);
	for (i = 0; i < 2; i++)
		munmap(self->buf[i], BUF_SIZE);
}

/* Fill buf's source area, have the device copy it, return buf's copy. */
static int copy_via(struct dma_gen *g, unsigned char *buf, unsigned char val)
{
	memset(buf, val, COPY_LEN);
	memset(buf + BUF_SIZE / 2, 0, COPY_LEN);
	return dma_gen_cmd(g, DMA_GEN_OP_COPY, IOVA_SRC, IOVA_DST, COPY_LEN, 0);
}

static bool landed(unsigned char *buf, unsigned char val)
{
	int i;

	for (i = 0; i < COPY_LEN; i++)
		if (buf[BUF_SIZE / 2 + i] != val)
			return false;
	return true;
}

TEST_F_TIMEOUT(replace, copy_through_ioas, LAB_TEST_TIMEOUT)
{
	test_cmd_attach(&self->g, self->ioas[0]);
	ASSERT_EQ(DMA_GEN_ERR_OK, copy_via(&self->g, self->buf[0], 0x5a));
	ASSERT_TRUE(landed(self->buf[0], 0x5a));
	ASSERT_TRUE(landed(self->buf[1], 0));
}

TEST_F_TIMEOUT(replace, unmapped_iova_faults, LAB_TEST_TIMEOUT)
{
	test_cmd_attach(&self->g, self->ioas[0]);
	ASSERT_EQ(DMA_GEN_ERR_DMA_WRITE,
		  dma_gen_cmd(&self->g, DMA_GEN_OP_FILL, 0,
			      IOVA_BASE + 2 * BUF_SIZE, 4096, 0x1));
}

TEST_F_TIMEOUT(replace, ioas_to_ioas, LAB_TEST_TIMEOUT)
{
	test_cmd_attach(&self->g, self->ioas[0]);
	test_cmd_attach(&self->g, self->ioas[1]);
	memset(self->buf[0], 0x11, COPY_LEN);
	ASSERT_EQ(DMA_GEN_ERR_OK, copy_via(&self->g, self->buf[1], 0x22));
	ASSERT_TRUE(landed(self->buf[1], 0x22));
	ASSERT_TRUE(landed(self->buf[0], 0));
}

TEST_F_TIMEOUT(replace, hwpt_to_hwpt_and_auto, LAB_TEST_TIMEOUT)
{
	__u32 hwpt[2], out;

	test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id, self->ioas[0], 0,
			    &hwpt[0]);
	test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id, self->ioas[1], 0,
			    &hwpt[1]);
	test_cmd_attach(&self->g, hwpt[0]);
	ASSERT_EQ(DMA_GEN_ERR_OK, copy_via(&self->g, self->buf[0], 0x31));
	ASSERT_TRUE(landed(self->buf[0], 0x31));

	/* HWPT -> HWPT */
	test_cmd_attach(&self->g, hwpt[1]);
	ASSERT_EQ(DMA_GEN_ERR_OK, copy_via(&self->g, self->buf[1], 0x32));
	ASSERT_TRUE(landed(self->buf[1], 0x32));

	/* manual -> auto: attaching the IOAS makes (or reuses) a HWPT */
	ASSERT_EQ(0, lab_vfio_attach(self->g.fd, self->ioas[0], &out));
	ASSERT_NE(self->ioas[0], out);
	ASSERT_EQ(DMA_GEN_ERR_OK, copy_via(&self->g, self->buf[0], 0x33));
	ASSERT_TRUE(landed(self->buf[0], 0x33));

	/* auto -> manual */
	test_cmd_attach(&self->g, hwpt[1]);
	ASSERT_EQ(DMA_GEN_ERR_OK, copy_via(&self->g, self->buf[1], 0x34));
	ASSERT_TRUE(landed(self->buf[1], 0x34));

	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, hwpt[0]);
	test_cmd_destroy(self->iommufd, hwpt[1]);
}

TEST_F_TIMEOUT(replace, failure_leaves_old_hwpt, LAB_TEST_TIMEOUT)
{
	__u32 hwpt;

	test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id, self->ioas[0], 0,
			    &hwpt);
	test_cmd_attach(&self->g, hwpt);
	/* no such object */
	test_err_attach(ENOENT, &self->g, 0xfffff);
	/* an object that is not a page table: the device itself */
	test_err_attach(EINVAL, &self->g, self->g.dev_id);
	/* still translating through the old HWPT */
	ASSERT_EQ(DMA_GEN_ERR_OK, copy_via(&self->g, self->buf[0], 0x44));
	ASSERT_TRUE(landed(self->buf[0], 0x44));
	test_err_destroy(EBUSY, self->iommufd, hwpt);
	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, hwpt);
}

/*
 * Sweep an allocation failure over every injectable point of the replace
 * path: each failing replace must leave the device translating through the
 * old HWPT, and the sweep must end in a successful replace.
 */
TEST_F_TIMEOUT(replace, failure_injected_leaves_old_hwpt, LAB_TEST_TIMEOUT)
{
	unsigned int nth, injected = 0;
	__u32 hwpt[2];
	int fd, ret;

	if (lab_fail_nth_setup())
		SKIP(return, "no fault-injection debugfs");
	test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id, self->ioas[0], 0,
			    &hwpt[0]);
	test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id, self->ioas[1], 0,
			    &hwpt[1]);
	test_cmd_attach(&self->g, hwpt[0]);

	for (nth = 1; nth < 400; nth++) {
		fd = lab_fail_nth_begin(nth);
		ASSERT_LE(0, fd);
		ret = lab_vfio_attach(self->g.fd, hwpt[1], NULL);
		if (!lab_fail_nth_end(fd)) {
			/* nothing left to fail: this replace ran clean */
			ASSERT_EQ(0, ret);
			break;
		}
		if (ret == 0)
			break;	/* the failure hit a path that recovers */
		injected++;
		ASSERT_EQ(DMA_GEN_ERR_OK,
			  copy_via(&self->g, self->buf[0], (__u8)nth));
		ASSERT_TRUE(landed(self->buf[0], (__u8)nth));
		ASSERT_TRUE(landed(self->buf[1], 0));
	}
	ASSERT_GT(400, nth);
	/* the fault injection reached the replace path at least once */
	ASSERT_LT(0, injected);
	TH_LOG("%u injected failures of the replace left the old HWPT in place",
	       injected);
	ASSERT_EQ(DMA_GEN_ERR_OK, copy_via(&self->g, self->buf[1], 0x66));
	ASSERT_TRUE(landed(self->buf[1], 0x66));
	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, hwpt[0]);
	test_cmd_destroy(self->iommufd, hwpt[1]);
}

/*
 * Unmapping an IOVA range must invalidate the IOMMU's cached translations
 * of it: a copy that worked (and filled the IOTLB) faults once the range is
 * unmapped.
 */
TEST_F_TIMEOUT(replace, unmap_then_dma_faults, LAB_TEST_TIMEOUT)
{
	test_cmd_attach(&self->g, self->ioas[0]);
	ASSERT_EQ(DMA_GEN_ERR_OK, copy_via(&self->g, self->buf[0], 0x61));
	ASSERT_TRUE(landed(self->buf[0], 0x61));
	ASSERT_EQ(0, lab_ioas_unmap(self->iommufd, self->ioas[0], IOVA_BASE,
				    BUF_SIZE));
	memset(self->buf[0] + BUF_SIZE / 2, 0, COPY_LEN);
	ASSERT_EQ(DMA_GEN_ERR_DMA_READ,
		  dma_gen_cmd(&self->g, DMA_GEN_OP_COPY, IOVA_SRC, IOVA_DST,
			      COPY_LEN, 0));
	ASSERT_TRUE(landed(self->buf[0], 0));
	test_cmd_detach(&self->g);
}

/*
 * An ASID freed with its domain and given to a new domain must not bring
 * the old domain's translations along: the copy through the new domain
 * lands in the new IOAS's buffer only.
 */
TEST_F_TIMEOUT(replace, asid_reuse_sees_new_tables, LAB_TEST_TIMEOUT)
{
	__u32 a, b, c;

	test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id, self->ioas[0], 0, &a);
	test_cmd_attach(&self->g, a);
	ASSERT_EQ(DMA_GEN_ERR_OK, copy_via(&self->g, self->buf[0], 0x71));
	ASSERT_TRUE(landed(self->buf[0], 0x71));
	test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id, self->ioas[1], 0, &b);
	test_cmd_attach(&self->g, b);
	/* a's domain goes away with its ASID, c's may reuse it */
	test_cmd_destroy(self->iommufd, a);
	test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id, self->ioas[1], 0, &c);
	test_cmd_attach(&self->g, c);
	memset(self->buf[0] + BUF_SIZE / 2, 0, COPY_LEN);
	ASSERT_EQ(DMA_GEN_ERR_OK, copy_via(&self->g, self->buf[1], 0x72));
	ASSERT_TRUE(landed(self->buf[1], 0x72));
	ASSERT_TRUE(landed(self->buf[0], 0));
	test_cmd_detach(&self->g);
	test_cmd_destroy(self->iommufd, b);
	test_cmd_destroy(self->iommufd, c);
}

TEST_F_TIMEOUT(replace, auto_hwpt_lifetime, LAB_TEST_TIMEOUT)
{
	__u32 auto_id;

	ASSERT_EQ(0, lab_vfio_attach(self->g.fd, self->ioas[0], &auto_id));
	test_err_destroy(EBUSY, self->iommufd, self->ioas[0]);
	test_cmd_detach(&self->g);
	/* the automatic HWPT went away with the detach */
	test_err_destroy(ENOENT, self->iommufd, auto_id);
	/* detach, then re-attach works */
	test_cmd_attach(&self->g, self->ioas[1]);
	ASSERT_EQ(DMA_GEN_ERR_OK, copy_via(&self->g, self->buf[1], 0x55));
	ASSERT_TRUE(landed(self->buf[1], 0x55));
}

/*
 * Traffic counts as stalled when dma-gen completes no operation for this
 * long before a replace. dma-gen's continuous mode runs in its own IOThread,
 * concurrently with the vCPUs; this leaves room for a host busy with other
 * work, where that thread may wait for a CPU for tens of milliseconds.
 */
#define STALL_NS	(1000 * 1000 * 1000ULL)

/* The replace loop ends after LAB_REPLACES replaces or this many seconds. */
static unsigned int lab_replace_seconds(void)
{
	return lab_env_uint("LAB_REPLACE_SECONDS", 20);
}

/*
 * The point of the lab: dma-gen copies and verifies continuously while the
 * test replaces between two HWPTs whose IOASes map the same IOVAs to
 * different buffers. A hitless replace shows no DMA error and no mismatch,
 * and traffic makes progress during the whole run. The DMA must really
 * overlap the replaces: at least MIN_OVERLAP operations per replace (of the
 * LAB_REPLACES asked for) must complete while replace ioctls run (counted
 * between each one's start and end).
 *
 * That overlap is reached by construction, not hoped for from a host with
 * spare CPU: each replace starts only once the DMA made progress since the
 * previous one ended (lab_dma_progress_wait()), and the run goes on past
 * LAB_REPLACES replaces until the overlap is there (and, for the driver
 * forced to its disruptive sequence, until a DMA error was seen), bounded
 * by LAB_REPLACE_SECONDS. A run that still has too little overlap then
 * gives no verdict on hitlessness: the test says so and is skipped, after
 * asserting what did run (no DMA error, mismatch or stale translation).
 *
 * After each replace returns, the new page table must be the one in use:
 * a copy from TAG to PROBE must read the new buffer's tag and land in the
 * new buffer. The tags change every lap, so neither a stale translation
 * (the old buffer's tag, or a write into the old buffer) nor a write left
 * over from an earlier lap can pass.
 */
#define MIN_OVERLAP	10
#define TAG_OFF		(BUF_SIZE - 8192)
#define PROBE_OFF	(BUF_SIZE - 4096)
#define TAG_LEN		64

/* Tag both buffers for lap @lap, then copy TAG to PROBE; 0 if the new is seen. */
static int stale_check(struct dma_gen *g, unsigned char **buf, int now,
		       unsigned int lap)
{
	unsigned char want[TAG_LEN], zero[TAG_LEN] = { 0 };
	int b, err;

	for (b = 0; b < 2; b++) {
		lab_fill32(buf[b] + TAG_OFF, 0x7a600000 | lap << 1 | b, TAG_LEN);
		memset(buf[b] + PROBE_OFF, 0, TAG_LEN);
	}
	err = dma_gen_cmd(g, DMA_GEN_OP_COPY, IOVA_BASE + TAG_OFF,
			  IOVA_BASE + PROBE_OFF, TAG_LEN, 0);
	if (err)
		return -1;
	lab_fill32(want, 0x7a600000 | lap << 1 | now, TAG_LEN);
	if (memcmp(buf[now] + PROBE_OFF, want, TAG_LEN) ||
	    memcmp(buf[!now] + PROBE_OFF, zero, TAG_LEN))
		return 1;
	return 0;
}

TEST_F_TIMEOUT(replace, under_live_dma, LAB_TEST_TIMEOUT)
{
	/*
	 * 256 bytes per operation, one page per slot: each operation still
	 * translates a source and a destination page, and many complete
	 * during one replace.
	 */
	struct dma_gen_cont c = {
		.src = IOVA_SRC, .dst = IOVA_DST, .slots = 16,
		.stride = 4096, .len = 256, .period_ns = 1000,
		.ops_per_tick = 256, .pattern = 0xc0ffee11,
	};
	struct dma_gen_counters start, before, now, after;
	unsigned int i, n = lab_replaces(), stalls = 0, stale = 0;
	__u64 t0, worst = 0, total = 0, overlap = 0;
	__u64 goal = (__u64)MIN_OVERLAP * n;
	__u64 deadline = lab_now_ns() + lab_replace_seconds() * 1000000000ULL;
	__u32 hwpt[2];
	bool hitless, smmu, arm, forced, reached;
	int b;

	hitless = lab_expect_hitless(self->iommufd, self->g.dev_id);
#ifdef LAB_HAVE_SMMU_LITE_UAPI
	smmu = lab_iommu_type(self->iommufd, self->g.dev_id) ==
	       IOMMU_HW_INFO_TYPE_SMMU_LITE;
#else
	smmu = false;	/* a kernel tree without the smmu-lite driver */
#endif
	arm = lab_iommu_type(self->iommufd, self->g.dev_id) ==
	      IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
	for (b = 0; b < 2; b++) {
		/*
		 * The source the device copies, and the ring it writes, in
		 * both buffers: an operation that straddles a replace copies
		 * into one buffer and verifies the other, which must then
		 * hold the pattern too. (So the continuous traffic shows lost
		 * translations and garbage; stale ones are what stale_check()
		 * is for.)
		 */
		lab_fill32(self->buf[b], c.pattern, c.len);
		lab_fill32(self->buf[b] + (IOVA_DST - IOVA_BASE), c.pattern,
		       c.slots * c.stride);
		test_cmd_hwpt_alloc(self->iommufd, self->g.dev_id,
				    self->ioas[b], 0, &hwpt[b]);
	}
	test_cmd_attach(&self->g, hwpt[0]);
	ASSERT_EQ(DMA_GEN_ERR_OK, dma_gen_cont_start(&self->g, &c));
	usleep(2000);
	dma_gen_counters(&self->g, &start);
	ASSERT_LT(0, start.ops);
	forced = smmu && lab_forced();
	now = start;

	for (i = 0; lab_now_ns() < deadline; i++) {
		__u64 dt;

		if (i >= n && overlap >= goal &&
		    (!forced || now.dma_errors > start.dma_errors))
			break;
		/* the DMA is live when the replace starts */
		if (!lab_dma_progress_wait(&self->g, now.ops, STALL_NS,
					   &before))
			stalls++;
		t0 = lab_now_ns();
		test_cmd_attach(&self->g, hwpt[(i + 1) & 1]);
		dt = lab_now_ns() - t0;
		dma_gen_counters(&self->g, &now);
		overlap += now.ops - before.ops;
		stale += stale_check(&self->g, self->buf, (i + 1) & 1, i) != 0;
		total += dt;
		if (dt > worst)
			worst = dt;
	}
	n = i;
	reached = overlap >= goal;
	usleep(2000);
	dma_gen_cont_stop(&self->g);
	dma_gen_counters(&self->g, &after);
	test_cmd_detach(&self->g);

	TH_LOG("%u replaces: mean %llu us, worst %llu us; dma ops %llu (%llu.%02llu per replace, during the ioctl), dma errors %llu, mismatches %llu, stalls %u, stale after replace %u",
	       n, (unsigned long long)(total / (n ? n : 1) / 1000),
	       (unsigned long long)(worst / 1000),
	       (unsigned long long)(after.ops - start.ops),
	       (unsigned long long)(overlap / (n ? n : 1)),
	       (unsigned long long)(overlap * 100 / (n ? n : 1) % 100),
	       (unsigned long long)(after.dma_errors - start.dma_errors),
	       (unsigned long long)(after.mismatches - start.mismatches),
	       stalls, stale);
	printf("# LAB-RESULT replaces=%u ops=%llu overlap_ops=%llu dma_errors=%llu mismatches=%llu stalls=%u stale=%u mean_ns=%llu worst_ns=%llu\n",
	       n, (unsigned long long)(after.ops - start.ops),
	       (unsigned long long)overlap,
	       (unsigned long long)(after.dma_errors - start.dma_errors),
	       (unsigned long long)(after.mismatches - start.mismatches),
	       stalls, stale, (unsigned long long)(total / (n ? n : 1)),
	       (unsigned long long)worst);
	ASSERT_LT(0, n);
	/*
	 * once a replace has returned, the new page table is in effect (on
	 * arm-smmu-v3 too, whose replace is not hitless)
	 */
	if (smmu || arm)
		ASSERT_EQ(0, stale);
	/* the planted bug must show as lost DMA */
	if (forced)
		ASSERT_LT(0, after.dma_errors - start.dma_errors);
	if (!hitless) {
		TH_LOG("this IOMMU's replace is not expected to be hitless: counts recorded, not asserted");
		return;
	}
	ASSERT_EQ(0, after.dma_errors - start.dma_errors);
	ASSERT_EQ(0, after.mismatches - start.mismatches);
	/*
	 * DMA really ran during the replaces whose verdict is "hitless".
	 * Required only behind smmu-lite: behind intel-iommu dma-gen runs in
	 * QEMU's main loop (see tests/meson.build), where a replace ioctl and
	 * the DMA cannot overlap.
	 */
	if (smmu && !reached)
		SKIP(return, "no verdict: %llu DMA operations overlapped the replaces in %u s, %llu needed (host too busy?)",
		     (unsigned long long)overlap, lab_replace_seconds(),
		     (unsigned long long)goal);
	ASSERT_EQ(0, stalls);
}

TEST_F_TIMEOUT(replace, hw_info, LAB_TEST_TIMEOUT)
{
	__u32 type = IOMMU_HW_INFO_TYPE_NONE;
	__u8 data[256];

	ASSERT_EQ(0, lab_hw_info(self->iommufd, self->g.dev_id, data,
				 sizeof(data), &type));
	ASSERT_NE(IOMMU_HW_INFO_TYPE_NONE, type);
#ifdef LAB_HAVE_SMMU_LITE_UAPI
	if (type == IOMMU_HW_INFO_TYPE_SMMU_LITE) {
		struct iommu_hw_info_smmu_lite *info = (void *)data;

		/* S1P, S2P, NEST, ST2LVL, BLK2M, BLK1G, HTTU_D, SYNC_MSI */
		ASSERT_EQ(0xff, info->idr[0] & 0xff);
		ASSERT_EQ(16, info->idr[1] & 0x3f);	/* SIDSIZE */
		ASSERT_EQ(0x101, info->aidr);
	}
#endif
}

TEST_HARNESS_MAIN
