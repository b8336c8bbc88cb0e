// SPDX-License-Identifier: GPL-2.0
/*
 * dma-gen copy throughput through the IOMMU, for scripts/bench. The device
 * copies synchronously inside its command register write, so the guest's
 * wall time per command is the emulated DMA's cost, translation included.
 *
 *   warm: 64 KiB copies inside one 128 KiB window (IOTLB hits)
 *   cold: 64 KiB copies sweeping a 64 MiB buffer (every 4 KiB page new
 *         to the IOTLB until the sweep wraps)
 * with the buffer mapped by 4 KiB pages (anonymous memory with
 * MADV_NOHUGEPAGE, so the IOMMU really gets 4 KiB mappings) or by 2 MiB
 * pages (hugetlbfs memory, 2 MiB aligned IOVAs).
 *
 * With -N (no IOMMU: vfio-pci in unsafe no-IOMMU mode) the device gets
 * physical addresses: the buffer is hugetlbfs memory, each 2 MiB page
 * physically contiguous, its address read from /proc/self/pagemap; every
 * copy stays inside one 2 MiB page (mapping=none).
 *
 * Prints "LAB-BENCH mapping=4k|2m pattern=warm|cold mib_s=N ops=N reps=N",
 * the median of REPS runs. -m and -p restrict the run to one mapping
 * (4k, 2m) or one pattern (warm, cold), e.g. for a profile.
 * usage: dma_bench [-n OPS] [-N] [-m MAPPING] [-p PATTERN]
 */
#include <sys/mman.h>

#include "lab_utils.h"

#define BUF_SIZE	(64UL << 20)
#define CHUNK		(64UL << 10)
#define IOVA_BASE	0x40000000ULL

static void die(const char *what, int err)
{
	fprintf(stderr, "dma_bench: %s: %s\n", what, strerror(-err));
	exit(2);
}

#define REPS	5

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* n copies, REPS times; prints the median rate */
/* Device address of buffer offset @off: an IOVA, or with @pa a PA. */
static const __u64 *pa_of_page;

static __u64 dev_addr(__u64 off)
{
	if (pa_of_page)
		return pa_of_page[off >> 21] + (off & ((1UL << 21) - 1));
	return IOVA_BASE + off;
}

static const char *only_mapping, *only_pattern;

static void run(struct dma_gen *g, const char *mapping, bool cold,
		unsigned int n)
{
	__u64 rate[REPS], t0, dt, off = 0;
	unsigned int i, r;
	int err;

	if ((only_mapping && strcmp(only_mapping, mapping)) ||
	    (only_pattern && strcmp(only_pattern, cold ? "cold" : "warm")))
		return;

	for (r = 0; r < REPS; r++) {
		t0 = lab_now_ns();
		for (i = 0; i < n; i++) {
			if (cold)
				off = (off + 2 * CHUNK) % BUF_SIZE;
			err = dma_gen_cmd(g, DMA_GEN_OP_COPY, dev_addr(off),
					  dev_addr(off + CHUNK), CHUNK, 0);
			if (err != DMA_GEN_ERR_OK) {
				fprintf(stderr, "dma_bench: copy failed: error %d\n",
					err);
				exit(1);
			}
		}
		dt = lab_now_ns() - t0;
		rate[r] = ((__u64)n * CHUNK * 1000000000ULL / (dt ? dt : 1)) >> 20;
	}
	qsort(rate, REPS, sizeof(rate[0]), cmp_u64);
	printf("LAB-BENCH mapping=%s pattern=%s mib_s=%llu ops=%u reps=%u\n",
	       mapping, cold ? "cold" : "warm",
	       (unsigned long long)rate[REPS / 2], n, REPS);
}

/* Physical address of each 2 MiB page of @buf (root can see PFNs). */
static __u64 *hugepage_pas(void *buf)
{
	unsigned int i, n = BUF_SIZE >> 21;
	__u64 *pa = calloc(n, sizeof(*pa)), ent;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (!pa || fd < 0)
		die("pagemap", -errno);
	for (i = 0; i < n; i++) {
		off_t at = ((uintptr_t)buf + ((size_t)i << 21)) / LAB_PAGE_SIZE * 8;

		if (pread(fd, &ent, 8, at) != 8 || !(ent & (1ULL << 63)) ||
		    !(ent & ((1ULL << 55) - 1)))
			die("pagemap entry", -EIO);
		pa[i] = (ent & ((1ULL << 55) - 1)) * LAB_PAGE_SIZE;
	}
	close(fd);
	return pa;
}

static int run_noiommu(struct dma_gen *g, unsigned int n)
{
	void *buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE |
			 MAP_HUGETLB | MAP_LOCKED, -1, 0);

	if (buf == MAP_FAILED)
		die("hugetlb buffer", -errno);
	pa_of_page = hugepage_pas(buf);
	run(g, "none", false, n);
	run(g, "none", true, n);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int n = 1000;
	struct dma_gen g;
	int iommufd, ret, opt, m;
	bool noiommu = false;
	__u32 ioas;

	while ((opt = getopt(argc, argv, "n:Nm:p:")) != -1) {
		if (opt == 'n') {
			n = strtoul(optarg, NULL, 0);
		} else if (opt == 'N') {
			noiommu = true;
		} else if (opt == 'm') {
			only_mapping = optarg;
		} else if (opt == 'p') {
			only_pattern = optarg;
		} else {
			fprintf(stderr, "usage: dma_bench [-n OPS] [-N] [-m MAPPING] [-p PATTERN]\n");
			return 2;
		}
	}
	if (noiommu) {
		ret = dma_gen_open_noiommu(&g, 0);
		if (ret)
			die("dma-gen (no IOMMU)", ret);
		return run_noiommu(&g, n);
	}
	iommufd = open("/dev/iommu", O_RDWR);
	if (iommufd < 0)
		die("/dev/iommu", -errno);
	ret = dma_gen_open(&g, iommufd, 0);
	if (ret)
		die("dma-gen", ret);

	for (m = 0; m < 2; m++) {
		int flags = MAP_PRIVATE | MAP_ANONYMOUS;
		void *buf;

		if (m)
			flags |= MAP_HUGETLB | MAP_POPULATE;
		buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, flags, -1, 0);
		if (buf == MAP_FAILED)
			die(m ? "hugetlb buffer" : "buffer", -errno);
		/* no THP: iommufd would map 2 MiB pages where it finds them */
		if (!m && madvise(buf, BUF_SIZE, MADV_NOHUGEPAGE))
			die("madvise", -errno);
		memset(buf, 0, BUF_SIZE);
		ret = lab_ioas_alloc(iommufd, &ioas);
		if (!ret)
			ret = lab_ioas_map(iommufd, ioas, buf, BUF_SIZE, IOVA_BASE);
		if (!ret)
			ret = lab_vfio_attach(g.fd, ioas, NULL);
		if (ret)
			die("iommufd set-up", ret);
		run(&g, m ? "2m" : "4k", false, n);
		run(&g, m ? "2m" : "4k", true, n);
		lab_vfio_detach(g.fd);
		lab_destroy(iommufd, ioas);
		munmap(buf, BUF_SIZE);
	}
	dma_gen_close(&g);
	close(iommufd);
	return 0;
}
