// SPDX-License-Identifier: GPL-2.0
/*
 * The lab's scenario for `make demo`: dma-gen copies and verifies
 * continuously while the device's page table is replaced back and forth
 * between two HWPTs that map the same IOVAs to the same memory. Prints a
 * timeline of dma-gen's counters and each replace, for scripts/lib/demo-report.py:
 *
 *   LAB-TL <t_us> <ops> <dma_errors> <mismatches>   counter sample
 *   LAB-RP <t_us> <duration_ns> <rc>               one replace
 *   LAB-DEMO key=value ...                         summary (loop_ops: DMA
 *                                                  operations between the
 *                                                  first and last replace)
 *
 * Before the DMA starts, the same number of replaces runs on the idle
 * device, so the summary has the latency idle (p50_idle_ns, p99_idle_ns)
 * and under DMA (p50_ns, p99_ns) from the same boot.
 *
 * With -N the two HWPTs are nested ones (smmu-lite) on one stage-2 parent
 * of the IOAS: each has its own stage-1 tables and CD, built here in memory
 * the parent maps, sending the same IOVAs to the same IPAs.
 *
 * usage: replace_demo [-n REPLACES] [-g GAP_US] [-s SAMPLE_US]
 *                     [-p PERIOD_NS] [-o OPS_PER_TICK] [-N]
 * Exit status 0 when every replace succeeded and traffic ran (the verdict
 * on disruption is the host's, from these numbers and the IOMMU's own
 * counters).
 */
#include <sys/mman.h>

#include "lab_utils.h"
#ifdef LAB_HAVE_SMMU_LITE_NESTED_UAPI
#include "lab_nested.h"
#endif

#define BUF_SIZE	(256 * 1024)
#define IOVA_BASE	0x10000000ULL
#define SETTLE_US	20000
#define TBL_IPA		0x20000000ULL	/* -N: CDs, then stage-1 tables */
#define TBL_SIZE	(64 * 1024)

struct sample {
	__u64 t_ns, ops, errors, mismatches;
};

struct replace {
	__u64 t_ns, dur_ns;
	int rc;
};

static struct sample *samples;
static unsigned int nsamples, max_samples;

static void sample(struct dma_gen *g, __u64 t0)
{
	struct dma_gen_counters c;
	struct sample *s;

	if (nsamples == max_samples)
		return;
	dma_gen_counters(g, &c);
	s = &samples[nsamples++];
	s->t_ns = lab_now_ns() - t0;
	s->ops = c.ops;
	s->errors = c.dma_errors;
	s->mismatches = c.mismatches;
}

/* Sample the counters every sample_us for us microseconds. */
static void watch(struct dma_gen *g, __u64 t0, unsigned int us,
		  unsigned int sample_us)
{
	__u64 end = lab_now_ns() + us * 1000ULL, next = 0;

	while (lab_now_ns() < end) {
		if (lab_now_ns() >= next) {
			sample(g, t0);
			next = lab_now_ns() + sample_us * 1000ULL;
		}
	}
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

#ifdef LAB_HAVE_SMMU_LITE_NESTED_UAPI
/* -N: hwpt[0] and hwpt[1] nested on a stage-2 parent of @ioas. */
static int nested_setup(int iommufd, struct dma_gen *g, __u32 ioas,
			__u32 *hwpt)
{
	struct lab_s1 s1 = {
		.ipa = TBL_IPA, .size = TBL_SIZE,
		.next = 2 * LAB_S1_PAGE, .end = TBL_SIZE,
	};
	__u64 root, cd;
	__u32 parent;
	int i, ret;

	s1.mem = mmap(NULL, TBL_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s1.mem == MAP_FAILED)
		return -errno;
	memset(s1.mem, 0, TBL_SIZE);
	ret = lab_ioas_map(iommufd, ioas, s1.mem, TBL_SIZE, TBL_IPA);
	if (!ret)
		ret = lab_hwpt_alloc(iommufd, g->dev_id, ioas,
				     IOMMU_HWPT_ALLOC_NEST_PARENT, &parent);
	for (i = 0; i < 2 && !ret; i++) {
		root = lab_s1_table(&s1);
		cd = TBL_IPA + i * LAB_S1_PAGE;
		if (!root || lab_s1_map_range(&s1, root, IOVA_BASE, IOVA_BASE,
					      BUF_SIZE)) {
			ret = -ENOMEM;
			break;
		}
		lab_s1_cd(&s1, cd, i + 1, root);
		ret = lab_nested_s1(iommufd, g->dev_id, parent, cd, &hwpt[i]);
	}
	return ret;
}
#else
static int nested_setup(int iommufd, struct dma_gen *g, __u32 ioas,
			__u32 *hwpt)
{
	return -EOPNOTSUPP;	/* the kernel's uapi has no smmu-lite nesting */
}
#endif

static void die(const char *what, int err)
{
	fprintf(stderr, "replace_demo: %s: %s\n", what, strerror(-err));
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int n = 200, gap_us = 1000, sample_us = 100, i, failed = 0;
	struct dma_gen_cont c = {
		.src = IOVA_BASE, .dst = IOVA_BASE + BUF_SIZE / 2, .slots = 16,
		.stride = 4096, .len = 4096, .period_ns = 20000,
		.ops_per_tick = 16, .pattern = 0x5eed1ab5,
	};
	struct dma_gen_counters loop0, loop1;
	struct replace *rp;
	struct dma_gen g;
	__u64 t0, *lat, *idle;
	__u32 ioas, hwpt[2];
	int opt, iommufd, ret;
	bool nested = false;
	void *buf;

	while ((opt = getopt(argc, argv, "n:g:s:p:o:N")) != -1) {
		switch (opt) {
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 'g': gap_us = strtoul(optarg, NULL, 0); break;
		case 's': sample_us = strtoul(optarg, NULL, 0); break;
		case 'p': c.period_ns = strtoul(optarg, NULL, 0); break;
		case 'o': c.ops_per_tick = strtoul(optarg, NULL, 0); break;
		case 'N': nested = true; break;
		default:
			fprintf(stderr, "usage: replace_demo [-n REPLACES] [-g GAP_US] [-s SAMPLE_US] [-p PERIOD_NS] [-o OPS_PER_TICK] [-N]\n");
			return 2;
		}
	}
	if (!n || !sample_us) {
		fprintf(stderr, "replace_demo: -n and -s must be positive\n");
		return 2;
	}

	max_samples = (2 * SETTLE_US + n * (gap_us + sample_us)) / sample_us + n + 16;
	samples = calloc(max_samples, sizeof(*samples));
	rp = calloc(n, sizeof(*rp));
	lat = calloc(n, sizeof(*lat));
	idle = calloc(n, sizeof(*idle));
	if (!samples || !rp || !lat || !idle)
		die("memory", -ENOMEM);

	iommufd = open("/dev/iommu", O_RDWR);
	if (iommufd < 0)
		die("/dev/iommu", -errno);
	ret = dma_gen_open(&g, iommufd, 0);
	if (ret)
		die("dma-gen", ret);
	buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap", -errno);
	memset(buf, 0, BUF_SIZE);
	ret = lab_ioas_alloc(iommufd, &ioas);
	if (!ret)
		ret = lab_ioas_map(iommufd, ioas, buf, BUF_SIZE, IOVA_BASE);
	if (!ret && nested)
		ret = nested_setup(iommufd, &g, ioas, hwpt);
	for (i = 0; i < 2 && !ret && !nested; i++)
		ret = lab_hwpt_alloc(iommufd, g.dev_id, ioas, 0, &hwpt[i]);
	if (!ret)
		ret = lab_vfio_attach(g.fd, hwpt[0], NULL);
	if (ret)
		die("iommufd set-up", ret);

	/* the same replaces with no DMA going on */
	for (i = 0; i < n; i++) {
		__u64 start = lab_now_ns();

		failed += lab_vfio_attach(g.fd, hwpt[(i + 1) & 1], NULL) != 0;
		idle[i] = lab_now_ns() - start;
		usleep(gap_us);
	}
	qsort(idle, n, sizeof(*idle), cmp_u64);

	ret = dma_gen_cont_start(&g, &c);
	if (ret != DMA_GEN_ERR_OK) {
		fprintf(stderr, "replace_demo: continuous mode did not start (error %d)\n", ret);
		return 2;
	}
	t0 = lab_now_ns();
	watch(&g, t0, SETTLE_US, sample_us);
	dma_gen_counters(&g, &loop0);
	for (i = 0; i < n; i++) {
		__u64 start = lab_now_ns();

		rp[i].rc = lab_vfio_attach(g.fd, hwpt[(i + 1) & 1], NULL);
		rp[i].dur_ns = lab_now_ns() - start;
		rp[i].t_ns = start - t0;
		lat[i] = rp[i].dur_ns;
		failed += rp[i].rc != 0;
		sample(&g, t0);
		watch(&g, t0, gap_us, sample_us);
	}
	dma_gen_counters(&g, &loop1);
	watch(&g, t0, SETTLE_US, sample_us);
	dma_gen_cont_stop(&g);
	sample(&g, t0);

	for (i = 0; i < nsamples; i++)
		printf("LAB-TL %llu %llu %llu %llu\n",
		       (unsigned long long)(samples[i].t_ns / 1000),
		       (unsigned long long)samples[i].ops,
		       (unsigned long long)samples[i].errors,
		       (unsigned long long)samples[i].mismatches);
	for (i = 0; i < n; i++)
		printf("LAB-RP %llu %llu %d\n",
		       (unsigned long long)(rp[i].t_ns / 1000),
		       (unsigned long long)rp[i].dur_ns, rp[i].rc);
	qsort(lat, n, sizeof(*lat), cmp_u64);
	printf("LAB-DEMO replaces=%u failed=%u loop_ops=%llu ops=%llu dma_errors=%llu mismatches=%llu p50_ns=%llu p99_ns=%llu max_ns=%llu p50_idle_ns=%llu p99_idle_ns=%llu\n",
	       n, failed, (unsigned long long)(loop1.ops - loop0.ops),
	       (unsigned long long)(samples[nsamples - 1].ops - samples[0].ops),
	       (unsigned long long)(samples[nsamples - 1].errors - samples[0].errors),
	       (unsigned long long)(samples[nsamples - 1].mismatches - samples[0].mismatches),
	       (unsigned long long)lat[n / 2],
	       (unsigned long long)lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1],
	       (unsigned long long)lat[n - 1],
	       (unsigned long long)idle[n / 2],
	       (unsigned long long)idle[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1]);
	fflush(stdout);

	lab_vfio_detach(g.fd);
	dma_gen_close(&g);
	close(iommufd);
	return failed || samples[nsamples - 1].ops == samples[0].ops;
}
