/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest userspace plumbing for the lab's tests: iommufd objects, a dma-gen
 * function driven through its VFIO cdev, and the dma-gen commands.
 *
 * The lab_*() functions return 0 or -errno and never assert, so the demo and
 * benchmarks can use them too; the test_cmd_*() and test_err_*() macros
 * wrap them for kselftest_harness.h tests, like iommufd_utils.h does.
 */
#ifndef __LAB_UTILS_H
#define __LAB_UTILS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "dma_gen.h"

#define LAB_PAGE_SIZE 4096UL

/*
 * Every test of ours states its harness timeout: the kselftest default
 * (30 s) is not a bound we rely on, since a loaded host or a one-vCPU
 * guest slows everything down. Loops bound themselves by time; this only
 * stops a test that hangs, well inside the guest runner's own timeout.
 */
#define LAB_TEST_TIMEOUT 300

struct dma_gen {
	char bdf[32];
	int fd;			/* the VFIO cdev */
	__u32 dev_id;		/* iommufd device id, after bind */
	volatile void *bar0;
	off_t cfg_offset;	/* config space region in the cdev */
};

static inline int lab_errno(int ret)
{
	return ret ? -errno : 0;
}

/* --- iommufd ---------------------------------------------------------- */

static inline int lab_ioas_alloc(int iommufd, __u32 *ioas_id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int ret = ioctl(iommufd, IOMMU_IOAS_ALLOC, &cmd);

	if (!ret)
		*ioas_id = cmd.out_ioas_id;
	return lab_errno(ret);
}

static inline int lab_ioas_map(int iommufd, __u32 ioas_id, void *buf,
			       size_t len, __u64 iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)buf,
		.length = len,
		.iova = iova,
	};

	return lab_errno(ioctl(iommufd, IOMMU_IOAS_MAP, &cmd));
}

static inline int lab_ioas_unmap(int iommufd, __u32 ioas_id, __u64 iova,
				 size_t len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = len,
	};

	return lab_errno(ioctl(iommufd, IOMMU_IOAS_UNMAP, &cmd));
}

static inline int lab_hwpt_alloc(int iommufd, __u32 dev_id, __u32 pt_id,
				 __u32 flags, __u32 *hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
	};
	int ret = ioctl(iommufd, IOMMU_HWPT_ALLOC, &cmd);

	if (!ret)
		*hwpt_id = cmd.out_hwpt_id;
	return lab_errno(ret);
}

static inline int lab_destroy(int iommufd, __u32 id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return lab_errno(ioctl(iommufd, IOMMU_DESTROY, &cmd));
}

static inline int lab_hw_info(int iommufd, __u32 dev_id, void *data,
			      __u32 len, __u32 *type)
{
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	int ret = ioctl(iommufd, IOMMU_GET_HW_INFO, &cmd);

	if (!ret && type)
		*type = cmd.out_data_type;
	return lab_errno(ret);
}

/*
 * A zeroed anonymous buffer of @len bytes and an IOAS of its own that maps
 * it at @iova: the usual set-up of a test that tells page tables apart by
 * where a DMA lands.
 */
static inline int lab_ioas_with_buffer(int iommufd, size_t len, __u64 iova,
				       unsigned char **buf, __u32 *ioas_id)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ret;

	if (p == MAP_FAILED)
		return -errno;
	memset(p, 0, len);
	*buf = p;
	ret = lab_ioas_alloc(iommufd, ioas_id);
	return ret ?: lab_ioas_map(iommufd, *ioas_id, p, len, iova);
}

/* A whole number from the environment (a test's bound), or @def. */
static inline unsigned int lab_env_uint(const char *name, unsigned int def)
{
	const char *s = getenv(name);

	return s ? strtoul(s, NULL, 0) : def;
}

/* @len bytes (a multiple of 4) of the 32-bit value @v */
static inline void lab_fill32(unsigned char *p, __u32 v, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i += 4)
		memcpy(p + i, &v, 4);
}

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT	26
#endif

/* @size bytes of hugetlb pages of 1 << @shift bytes, populated; or NULL. */
static inline void *lab_hugetlb_map(size_t size, int shift)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE |
		       (shift << MAP_HUGE_SHIFT), -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* --- VFIO cdev --------------------------------------------------------- */

static inline int lab_sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

static inline unsigned int lab_sysfs_hex(const char *dir, const char *file)
{
	char path[256], buf[32] = "";
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return strtoul(buf, NULL, 16);
}

/*
 * Find the idx-th PCI function with this vendor:device (in sysfs order,
 * i.e. by domain:bus:dev.fn) and write its address to bdf.
 */
static inline int lab_pci_find(unsigned int vendor, unsigned int device,
			       int idx, char *bdf, size_t len)
{
	struct dirent **names;
	int n, i, found = -ENODEV;

	n = scandir("/sys/bus/pci/devices", &names, NULL, alphasort);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		char dir[300];

		if (names[i]->d_name[0] == '.' || found == 0)
			continue;
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s",
			 names[i]->d_name);
		if (lab_sysfs_hex(dir, "vendor") == vendor &&
		    lab_sysfs_hex(dir, "device") == device && idx-- == 0) {
			snprintf(bdf, len, "%s", names[i]->d_name);
			found = 0;
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return found;
}

/* Bind the function to vfio-pci (if it is not yet). */
static inline int lab_vfio_pci_bind(const char *bdf)
{
	char path[300];
	int ret;

	/*
	 * No function reset when vfio-pci opens and closes the device: every
	 * test opens it, and each FLR tears the BARs down and restores them.
	 * That once made QEMU's TCG decode another device's registers as
	 * dma-gen's MSI-X table (an assert in msix_table_mmio_write), the race
	 * fixed by scripts/lib/qemu-fixes/0001-*; the tests still reset dma-gen
	 * through its RESET register (dma_gen_setup()), which is quicker.
	 */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset_method",
		 bdf);
	lab_sysfs_write(path, "\n");

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	if (!access(path, F_OK))
		return 0;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 bdf);
	ret = lab_sysfs_write(path, "vfio-pci");
	if (ret)
		return ret;
	return lab_sysfs_write("/sys/bus/pci/drivers_probe", bdf);
}

/* Bind the function to vfio-pci and open its cdev. */
static inline int lab_vfio_open(const char *bdf)
{
	char path[300], cdev[300] = "";
	struct dirent *de;
	DIR *d;
	int ret;

	ret = lab_vfio_pci_bind(bdf);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4))
			snprintf(cdev, sizeof(cdev), "/dev/vfio/devices/%s",
				 de->d_name);
	closedir(d);
	if (!cdev[0])
		return -ENODEV;
	ret = open(cdev, O_RDWR);
	return ret < 0 ? -errno : ret;
}

static inline int lab_vfio_bind(int devfd, int iommufd, __u32 *dev_id)
{
	struct vfio_device_bind_iommufd cmd = {
		.argsz = sizeof(cmd),
		.iommufd = iommufd,
	};
	int ret = ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &cmd);

	if (!ret)
		*dev_id = cmd.out_devid;
	return lab_errno(ret);
}

/* Attach to an IOAS or HWPT; on a device already attached it is a replace. */
static inline int lab_vfio_attach(int devfd, __u32 pt_id, __u32 *out_id)
{
	struct vfio_device_attach_iommufd_pt cmd = {
		.argsz = sizeof(cmd),
		.pt_id = pt_id,
	};
	int ret = ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd);

	if (!ret && out_id)
		*out_id = cmd.pt_id;
	return lab_errno(ret);
}

static inline int lab_vfio_detach(int devfd)
{
	struct vfio_device_detach_iommufd_pt cmd = { .argsz = sizeof(cmd) };

	return lab_errno(ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &cmd));
}

static inline int lab_vfio_region(int devfd, __u32 index,
				  struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return lab_errno(ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, info));
}

/* --- dma-gen ------------------------------------------------------------ */

static inline __u32 dma_gen_rd(struct dma_gen *g, unsigned int off)
{
	return *(volatile __u32 *)((volatile char *)g->bar0 + off);
}

static inline void dma_gen_wr(struct dma_gen *g, unsigned int off, __u32 val)
{
	*(volatile __u32 *)((volatile char *)g->bar0 + off) = val;
}

/* A 64-bit register: one 8-byte access, which the device does atomically. */
static inline __u64 dma_gen_rd64(struct dma_gen *g, unsigned int off)
{
	return *(volatile __u64 *)((volatile char *)g->bar0 + off);
}

static inline void dma_gen_wr64(struct dma_gen *g, unsigned int off,
				__u64 val)
{
	dma_gen_wr(g, off, (__u32)val);
	dma_gen_wr(g, off + 4, (__u32)(val >> 32));
}

/*
 * Open the idx-th dma-gen, bind it to iommufd (it is not attached yet: the
 * caller attaches), map BAR0 and enable bus mastering.
 */
static inline int dma_gen_setup(struct dma_gen *g)
{
	struct vfio_region_info bar, cfg;
	__u16 cmd;
	void *p;
	int ret;

	ret = lab_vfio_region(g->fd, VFIO_PCI_BAR0_REGION_INDEX, &bar);
	if (ret)
		return ret;
	ret = lab_vfio_region(g->fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg);
	if (ret)
		return ret;
	p = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd,
		 bar.offset);
	if (p == MAP_FAILED)
		return -errno;
	g->bar0 = p;
	g->cfg_offset = cfg.offset;
	if (pread(g->fd, &cmd, 2, g->cfg_offset + PCI_COMMAND) != 2)
		return -EIO;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(g->fd, &cmd, 2, g->cfg_offset + PCI_COMMAND) != 2)
		return -EIO;
	if (dma_gen_rd(g, DMA_GEN_ID) !=
	    (DMA_GEN_DEVICE_ID << 16 | DMA_GEN_VENDOR_ID))
		return -ENODEV;
	dma_gen_wr(g, DMA_GEN_RESET, DMA_GEN_RESET_MAGIC);
	return 0;
}

static inline int dma_gen_open(struct dma_gen *g, int iommufd, int idx)
{
	int ret;

	memset(g, 0, sizeof(*g));
	g->fd = -1;
	ret = lab_pci_find(DMA_GEN_VENDOR_ID, DMA_GEN_DEVICE_ID, idx,
			   g->bdf, sizeof(g->bdf));
	if (ret)
		return ret;
	ret = lab_vfio_open(g->bdf);
	if (ret < 0)
		return ret;
	g->fd = ret;
	ret = lab_vfio_bind(g->fd, iommufd, &g->dev_id);
	if (ret)
		return ret;
	return dma_gen_setup(g);
}

/*
 * The idx-th dma-gen with no IOMMU: vfio-pci in unsafe no-IOMMU mode
 * (vfio.enable_unsafe_noiommu_mode=1), which 6.12 offers only through the
 * group interface. The device then DMAs to physical addresses.
 */
static inline int dma_gen_open_noiommu(struct dma_gen *g, int idx)
{
	char path[300], link[300];
	int container, group, ret;
	ssize_t n;

	memset(g, 0, sizeof(*g));
	g->fd = -1;
	ret = lab_pci_find(DMA_GEN_VENDOR_ID, DMA_GEN_DEVICE_ID, idx,
			   g->bdf, sizeof(g->bdf));
	if (!ret)
		ret = lab_vfio_pci_bind(g->bdf);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 g->bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/noiommu-%s",
		 strrchr(link, '/') + 1);
	group = open(path, O_RDWR);
	container = open("/dev/vfio/vfio", O_RDWR);
	if (group < 0 || container < 0)
		return -ENODEV;
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ||
	    ioctl(container, VFIO_SET_IOMMU, VFIO_NOIOMMU_IOMMU))
		return -errno;
	g->fd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, g->bdf);
	if (g->fd < 0)
		return -errno;
	return dma_gen_setup(g);
}

static inline void dma_gen_close(struct dma_gen *g)
{
	if (g->bar0)
		munmap((void *)g->bar0, LAB_PAGE_SIZE);
	if (g->fd >= 0)
		close(g->fd);
	g->bar0 = NULL;
	g->fd = -1;
}

/* Run one command; returns its error code (DMA_GEN_ERR_*). */
static inline int dma_gen_cmd(struct dma_gen *g, __u32 op, __u64 src,
			      __u64 dst, __u32 len, __u32 pattern)
{
	__u32 st;

	dma_gen_wr64(g, DMA_GEN_SRC, src);
	dma_gen_wr64(g, DMA_GEN_DST, dst);
	dma_gen_wr(g, DMA_GEN_LEN, len);
	dma_gen_wr(g, DMA_GEN_PATTERN, pattern);
	dma_gen_wr(g, DMA_GEN_CMD, op);
	st = dma_gen_rd(g, DMA_GEN_STATUS);
	return DMA_GEN_STATUS_ERR_CODE(st);
}

struct dma_gen_cont {
	__u64 src, dst;
	__u32 slots, stride, len, period_ns, ops_per_tick, pattern;
};

static inline int dma_gen_cont_start(struct dma_gen *g,
				     const struct dma_gen_cont *c)
{
	dma_gen_wr64(g, DMA_GEN_CONT_SRC, c->src);
	dma_gen_wr64(g, DMA_GEN_CONT_DST, c->dst);
	dma_gen_wr(g, DMA_GEN_CONT_SLOTS, c->slots);
	dma_gen_wr(g, DMA_GEN_CONT_STRIDE, c->stride);
	dma_gen_wr(g, DMA_GEN_CONT_LEN, c->len);
	dma_gen_wr(g, DMA_GEN_CONT_PERIOD_NS, c->period_ns);
	dma_gen_wr(g, DMA_GEN_CONT_OPS_PER_TICK, c->ops_per_tick);
	dma_gen_wr(g, DMA_GEN_CONT_PATTERN, c->pattern);
	dma_gen_wr(g, DMA_GEN_CONT_FLAGS, DMA_GEN_CONT_FILL_SRC);
	dma_gen_wr(g, DMA_GEN_CMD, DMA_GEN_OP_CONT_START);
	return DMA_GEN_STATUS_ERR_CODE(dma_gen_rd(g, DMA_GEN_STATUS));
}

static inline __u64 lab_now_ns(void);

/*
 * Stop continuous mode and wait (at most a second) until no operation is
 * in flight any more: with an IOThread, one may still be running when the
 * stop command returns.
 */
static inline void dma_gen_cont_stop(struct dma_gen *g)
{
	__u64 end;

	dma_gen_wr(g, DMA_GEN_CMD, DMA_GEN_OP_CONT_STOP);
	end = lab_now_ns() + 1000000000ULL;
	while ((dma_gen_rd(g, DMA_GEN_CONT_STATUS) & DMA_GEN_CONT_ACTIVE) &&
	       lab_now_ns() < end)
		;
}

struct dma_gen_counters {
	__u64 ops, bytes, dma_errors, mismatches, ticks;
};

static inline void dma_gen_counters(struct dma_gen *g,
				    struct dma_gen_counters *c)
{
	c->ops = dma_gen_rd64(g, DMA_GEN_OPS);
	c->bytes = dma_gen_rd64(g, DMA_GEN_BYTES);
	c->dma_errors = dma_gen_rd64(g, DMA_GEN_DMA_ERRORS);
	c->mismatches = dma_gen_rd64(g, DMA_GEN_MISMATCHES);
	c->ticks = dma_gen_rd64(g, DMA_GEN_TICKS);
}

static inline __u64 lab_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * Wait until dma-gen completed an operation after @ops (its OPS counter
 * moved past it), at most @timeout_ns. Pacing on observed progress makes a
 * step overlap live DMA by construction, on a busy host too. Returns the
 * counters read last; false if the timeout came first.
 */
static inline bool lab_dma_progress_wait(struct dma_gen *g, __u64 ops,
					 __u64 timeout_ns,
					 struct dma_gen_counters *c)
{
	__u64 end = lab_now_ns() + timeout_ns;

	for (;;) {
		dma_gen_counters(g, c);
		if (c->ops > ops)
			return true;
		if (lab_now_ns() > end)
			return false;
		sched_yield();
	}
}

/* --- fault injection ---------------------------------------------------- */

/*
 * Make the nth fault-injectable call (slab or page allocation) of this
 * thread fail, as /proc/thread-self/fail-nth does; lab_fail_nth_end()
 * disables it again and returns true when the failure was injected.
 * lab_fail_nth_setup() lets failslab hit sleeping allocations too and
 * quiets the injection messages (failslab, fail_page_alloc, fail_iommufd);
 * it fails when the kernel has no
 * fault-injection debugfs.
 */
static inline int lab_fail_nth_setup(void)
{
	int ret;

	ret = lab_sysfs_write("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	if (ret)
		return ret;
	lab_sysfs_write("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	lab_sysfs_write("/sys/kernel/debug/failslab/verbose", "0");
	lab_sysfs_write("/sys/kernel/debug/fail_page_alloc/verbose", "0");
	/*
	 * and iommufd's own (CONFIG_IOMMUFD_TEST): 7.x prints from a kthread,
	 * so a notice can reach the console after the case that caused it
	 */
	lab_sysfs_write("/sys/kernel/debug/fail_iommufd/verbose", "0");
	return 0;
}

static inline int lab_fail_nth_begin(unsigned int nth)
{
	char buf[16];
	int fd = open("/proc/thread-self/fail-nth", O_RDWR);

	if (fd < 0)
		return -errno;
	snprintf(buf, sizeof(buf), "%u", nth);
	if (write(fd, buf, strlen(buf)) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

static inline bool lab_fail_nth_end(int fd)
{
	char buf[16] = "";
	bool injected;

	/* the counter reads back 0 once the failure has been injected */
	injected = pread(fd, buf, sizeof(buf) - 1, 0) > 0 && buf[0] == '0';
	while (pwrite(fd, "0", 1, 0) < 0 && errno == EFAULT)
		;
	close(fd);
	return injected;
}

/* --- kselftest wrappers ------------------------------------------------- */

#define test_cmd_ioas_alloc(fd, id) ASSERT_EQ(0, lab_ioas_alloc(fd, id))
#define test_cmd_ioas_map(fd, ioas, buf, len, iova) \
	ASSERT_EQ(0, lab_ioas_map(fd, ioas, buf, len, iova))
#define test_cmd_hwpt_alloc(fd, dev, pt, flags, id) \
	ASSERT_EQ(0, lab_hwpt_alloc(fd, dev, pt, flags, id))
#define test_cmd_attach(g, pt) ASSERT_EQ(0, lab_vfio_attach((g)->fd, pt, NULL))
#define test_err_attach(err, g, pt) \
	ASSERT_EQ(-(err), lab_vfio_attach((g)->fd, pt, NULL))
#define test_cmd_detach(g) ASSERT_EQ(0, lab_vfio_detach((g)->fd))
#define test_cmd_destroy(fd, id) ASSERT_EQ(0, lab_destroy(fd, id))
#define test_err_destroy(err, fd, id) ASSERT_EQ(-(err), lab_destroy(fd, id))

#endif /* __LAB_UTILS_H */
