/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User space's own smmu-lite stage 1, for nested HWPTs: context
 * descriptors and page tables written, in the formats of the lab's
 * docs/specs/smmu-lite.rst, into memory that a parent HWPT (stage 2) maps;
 * and the iommufd calls that nesting adds (IOMMU_HWPT_ALLOC with data,
 * IOMMU_HWPT_INVALIDATE). Its format definitions are its own, written
 * from the spec on purpose (docs/architecture.md, "Register maps").
 */
#ifndef __LAB_NESTED_H
#define __LAB_NESTED_H

#include "lab_utils.h"

#define LAB_S1_PAGE		4096UL

#define LAB_PTE_V		(1ULL << 0)
#define LAB_PTE_T		(1ULL << 1)
#define LAB_PTE_R		(1ULL << 6)
#define LAB_PTE_W		(1ULL << 7)
#define LAB_PTE_AF		(1ULL << 10)
#define LAB_PTE_DIRTY		(1ULL << 11)
#define LAB_PTE_OA		0x0000fffffffff000ULL
#define LAB_CD_V		(1ULL << 0)
#define LAB_CD_T0SZ(n)		((__u64)(n) << 8)
#define LAB_CD_ASID(a)		((__u64)(a) << 48)
#define LAB_STE_V		(1ULL << 0)
#define LAB_STE_CFG(c)		((__u64)(c) << 1)
#define LAB_CFG_ABORT		0
#define LAB_CFG_BYPASS		1
#define LAB_CFG_S1		2
#define LAB_OP_CFGI_STE		0x03ULL
#define LAB_OP_CFGI_CD		0x05ULL
#define LAB_OP_TLBI_ASID	0x11ULL
#define LAB_OP_TLBI_VA		0x12ULL
#define LAB_CMD_ASID(a)		((__u64)(a) << 48)
#define LAB_CMD_NUM(n)		((__u64)(n) << 12)
#define LAB_CMD_SID(s)		((__u64)(s) << 32)

/* A region of user memory that the parent maps at IPA @ipa */
struct lab_s1 {
	unsigned char *mem;
	__u64 ipa;
	size_t size;
	size_t next;		/* page tables are taken from here up */
	size_t end;
};

static inline __u64 *lab_s1_at(struct lab_s1 *s, __u64 ipa)
{
	return (__u64 *)(s->mem + (ipa - s->ipa));
}

/* A zeroed table page; its IPA, 0 when none is left. */
static inline __u64 lab_s1_table(struct lab_s1 *s)
{
	size_t off = s->next;

	if (off + LAB_S1_PAGE > s->end)
		return 0;
	s->next += LAB_S1_PAGE;
	memset(s->mem + off, 0, LAB_S1_PAGE);
	return s->ipa + off;
}

/* The level-3 descriptor of @iova under @root, tables made on the way. */
static inline __u64 *lab_s1_leaf(struct lab_s1 *s, __u64 root, __u64 iova)
{
	__u64 table = root;
	int level;

	for (level = 0; level < 3; level++) {
		__u64 *d = lab_s1_at(s, table) + ((iova >> (39 - 9 * level)) & 511);

		if (!(*d & LAB_PTE_V)) {
			__u64 next = lab_s1_table(s);

			if (!next)
				return NULL;
			*d = next | LAB_PTE_V | LAB_PTE_T;
		}
		table = *d & LAB_PTE_OA;
	}
	return lab_s1_at(s, table) + ((iova >> 12) & 511);
}

/* Map the 4 KiB page at @iova to IPA @to, read-write. */
static inline int lab_s1_map(struct lab_s1 *s, __u64 root, __u64 iova,
			     __u64 to)
{
	__u64 *leaf = lab_s1_leaf(s, root, iova);

	if (!leaf)
		return -1;
	*leaf = (to & LAB_PTE_OA) | LAB_PTE_V | LAB_PTE_T | LAB_PTE_R |
		LAB_PTE_W | LAB_PTE_AF;
	return 0;
}

/* Map [@iova, @iova + @len) to [@to, @to + @len), 4 KiB pages. */
static inline int lab_s1_map_range(struct lab_s1 *s, __u64 root, __u64 iova,
				   __u64 to, size_t len)
{
	size_t off;

	for (off = 0; off < len; off += LAB_S1_PAGE)
		if (lab_s1_map(s, root, iova + off, to + off))
			return -1;
	return 0;
}

/* A valid CD at IPA @cd: 48-bit input, @asid, tables at @root. */
static inline void lab_s1_cd(struct lab_s1 *s, __u64 cd, __u16 asid,
			     __u64 root)
{
	__u64 *w = lab_s1_at(s, cd);

	w[1] = root;
	w[2] = 0;
	w[3] = 0;
	w[0] = LAB_CD_V | LAB_CD_T0SZ(16) | LAB_CD_ASID(asid);
}

static inline int lab_nested_alloc(int iommufd, __u32 dev_id, __u32 parent,
				   __u32 data_type, const void *data,
				   __u32 len, __u32 *id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.pt_id = parent,
		.data_type = data_type,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	int ret = ioctl(iommufd, IOMMU_HWPT_ALLOC, &cmd);

	if (!ret)
		*id = cmd.out_hwpt_id;
	return lab_errno(ret);
}

/* A nested HWPT on @parent whose stage 1 is the CD at IPA @cd. */
static inline int lab_nested_s1(int iommufd, __u32 dev_id, __u32 parent,
				__u64 cd, __u32 *id)
{
	struct iommu_hwpt_smmu_lite data = {
		.ste = { LAB_STE_V | LAB_STE_CFG(LAB_CFG_S1), cd },
	};

	return lab_nested_alloc(iommufd, dev_id, parent,
				IOMMU_HWPT_DATA_SMMU_LITE, &data, sizeof(data),
				id);
}

/* IOMMU_HWPT_INVALIDATE; *@num in: entries, out: entries done. */
static inline int lab_hwpt_invalidate(int iommufd, __u32 hwpt,
				      __u32 data_type, const void *reqs,
				      __u32 entry_len, __u32 *num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt,
		.data_uptr = (uintptr_t)reqs,
		.data_type = data_type,
		.entry_len = entry_len,
		.entry_num = *num,
	};
	int ret = ioctl(iommufd, IOMMU_HWPT_INVALIDATE, &cmd);

	*num = cmd.entry_num;
	return lab_errno(ret);
}

/* IOMMU_VIOMMU_ALLOC of @type over the nesting parent @hwpt */
static inline int lab_viommu_alloc(int iommufd, __u32 dev_id, __u32 hwpt,
				   __u32 type, __u32 *id)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = type,
		.dev_id = dev_id,
		.hwpt_id = hwpt,
	};
	int ret = ioctl(iommufd, IOMMU_VIOMMU_ALLOC, &cmd);

	if (!ret)
		*id = cmd.out_viommu_id;
	return lab_errno(ret);
}

/* IOMMU_VDEVICE_ALLOC: @dev_id is @virt_id (its vSID) on @viommu */
static inline int lab_vdevice_alloc(int iommufd, __u32 viommu, __u32 dev_id,
				    __u64 virt_id, __u32 *id)
{
	struct iommu_vdevice_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.dev_id = dev_id,
		.virt_id = virt_id,
	};
	int ret = ioctl(iommufd, IOMMU_VDEVICE_ALLOC, &cmd);

	if (!ret)
		*id = cmd.out_vdevice_id;
	return lab_errno(ret);
}

/* IOMMU_VEVENTQ_ALLOC: a vEVENTQ of @type, @depth events, on @viommu */
static inline int lab_veventq_alloc(int iommufd, __u32 viommu, __u32 type,
				    __u32 depth, __u32 *id, int *fd)
{
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.type = type,
		.veventq_depth = depth,
	};
	int ret = ioctl(iommufd, IOMMU_VEVENTQ_ALLOC, &cmd);

	if (!ret) {
		*id = cmd.out_veventq_id;
		*fd = cmd.out_veventq_fd;
	}
	return lab_errno(ret);
}

#endif /* __LAB_NESTED_H */
