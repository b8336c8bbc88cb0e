/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smmu-lite internals: register map, in-memory formats and the interfaces
 * between the model's files. Formats are specified in
 * docs/specs/smmu-lite.rst; names follow the SMMUv3 conventions.
 *
 * Threads and locks
 * -----------------
 * Register accesses come from vCPUs (with the BQL). translate() comes from
 * whichever thread issues the DMA: a vCPU inside another device's MMIO
 * handler (BQL held), the main loop, or an IOThread (no BQL).
 *
 * Lock order: BQL -> s->mutex. Rules:
 *  - s->mutex guards the registers, the command/event queue state, the
 *    config cache, IOTLB insertions and removals, and the slow-path
 *    statistics. It is a leaf lock: while holding it the model never takes
 *    the BQL, never sends an MSI, and touches guest memory only through
 *    smmu-lite-ram.c, which reaches RAM and nothing else (a table, queue or
 *    descriptor address that is MMIO fails like an external abort). So no
 *    access made under it can come back into this or another device.
 *  - MSIs (MSI-X vectors and CMD_SYNC's MSI write) are sent after s->mutex
 *    is dropped: at once when the thread holds the BQL, otherwise from a
 *    bottom half in the main loop (irq_bh).
 *  - The IOTLB-hit path takes no lock: it runs under RCU, reads the
 *    requester's config snapshot (SmmuLiteSnap, valid while its generation
 *    equals s->cfg_gen) and looks the IOTLB (a qht) up without locking.
 *    Whatever invalidates a config bumps s->cfg_gen under s->mutex; IOTLB
 *    entries are removed from the qht under s->mutex and freed after an RCU
 *    grace period. Its statistics are per-stream Stat64 counters.
 */
#ifndef HW_SMMU_LITE_INTERNAL_H
#define HW_SMMU_LITE_INTERNAL_H

#include "hw/registerfields.h"
#include "qemu/rcu.h"
#include "hw/smmu-lite/smmu-lite.h"

/* Registers */
REG32(IDR0, 0x000)
    FIELD(IDR0, S1P, 0, 1)
    FIELD(IDR0, S2P, 1, 1)
    FIELD(IDR0, NEST, 2, 1)
    FIELD(IDR0, ST2LVL, 3, 1)
    FIELD(IDR0, BLK2M, 4, 1)
    FIELD(IDR0, BLK1G, 5, 1)
    FIELD(IDR0, HTTU_D, 6, 1)
    FIELD(IDR0, SYNC_MSI, 7, 1)
    FIELD(IDR0, TEAR, 8, 1)
    FIELD(IDR0, SNPCTL, 9, 1)
    FIELD(IDR0, MSIXLT, 10, 1)
REG32(IDR1, 0x004)
    FIELD(IDR1, SIDSIZE, 0, 6)
    FIELD(IDR1, CMDQS, 6, 5)
    FIELD(IDR1, EVTQS, 11, 5)
    FIELD(IDR1, ASID16, 16, 1)
    FIELD(IDR1, VMID16, 17, 1)
    FIELD(IDR1, OAS, 20, 3)
REG32(IDR2, 0x008)
    FIELD(IDR2, IOTLB, 0, 16)
    FIELD(IDR2, CFGC, 16, 16)
REG32(AIDR, 0x00c)
REG32(CR0, 0x020)
    FIELD(CR0, SMMUEN, 0, 1)
    FIELD(CR0, EVTQEN, 2, 1)
    FIELD(CR0, CMDQEN, 3, 1)
REG32(CR0ACK, 0x024)
REG32(GBPA, 0x044)
    FIELD(GBPA, ABORT, 20, 1)
REG32(IRQ_CTRL, 0x050)
    FIELD(IRQ_CTRL, GERROR_IRQEN, 0, 1)
    FIELD(IRQ_CTRL, EVTQ_IRQEN, 2, 1)
REG32(IRQ_CTRLACK, 0x054)
REG32(GERROR, 0x060)
    FIELD(GERROR, CMDQ_ERR, 0, 1)
    FIELD(GERROR, EVTQ_ABT_ERR, 2, 1)
    FIELD(GERROR, MSI_CMDQ_ABT_ERR, 4, 1)
REG32(GERRORN, 0x064)
REG64(STRTAB_BASE, 0x080)
    FIELD(STRTAB_BASE, ADDR, 6, 42)
REG32(STRTAB_BASE_CFG, 0x088)
    FIELD(STRTAB_BASE_CFG, LOG2SIZE, 0, 6)
    FIELD(STRTAB_BASE_CFG, SPLIT, 6, 5)
    FIELD(STRTAB_BASE_CFG, FMT, 16, 2)
REG64(CMDQ_BASE, 0x090)
    FIELD(CMDQ_BASE, LOG2SIZE, 0, 5)
    FIELD(CMDQ_BASE, ADDR, 5, 43)
REG32(CMDQ_PROD, 0x098)
REG32(CMDQ_CONS, 0x09c)
    FIELD(CMDQ_CONS, RD, 0, 20)
    FIELD(CMDQ_CONS, ERR, 24, 7)
REG64(EVTQ_BASE, 0x0a0)
REG32(EVTQ_PROD, 0x0a8)
    FIELD(EVTQ_PROD, WR, 0, 20)
    FIELD(EVTQ_PROD, OVFLG, 31, 1)
REG32(EVTQ_CONS, 0x0ac)
    FIELD(EVTQ_CONS, RD, 0, 20)
    FIELD(EVTQ_CONS, OVACKFLG, 31, 1)

#define SMMU_LITE_GERROR_MASK   (R_GERROR_CMDQ_ERR_MASK | \
                                 R_GERROR_EVTQ_ABT_ERR_MASK | \
                                 R_GERROR_MSI_CMDQ_ABT_ERR_MASK)
#define SMMU_LITE_CR0_MASK      (R_CR0_SMMUEN_MASK | R_CR0_EVTQEN_MASK | \
                                 R_CR0_CMDQEN_MASK)
#define SMMU_LITE_IRQ_CTRL_MASK (R_IRQ_CTRL_GERROR_IRQEN_MASK | \
                                 R_IRQ_CTRL_EVTQ_IRQEN_MASK)
#define SMMU_LITE_STRTAB_CFG_MASK (R_STRTAB_BASE_CFG_LOG2SIZE_MASK | \
                                   R_STRTAB_BASE_CFG_SPLIT_MASK | \
                                   R_STRTAB_BASE_CFG_FMT_MASK)
#define SMMU_LITE_QUEUE_BASE_MASK (R_CMDQ_BASE_LOG2SIZE_MASK | \
                                   R_CMDQ_BASE_ADDR_MASK)

#define SMMU_LITE_SIDSIZE       16
#define SMMU_LITE_QS_MAX        10
#define SMMU_LITE_OAS_BITS      48
#define SMMU_LITE_AIDR          0x101   /* 1.1 */

#define STRTAB_FMT_LINEAR       0
#define STRTAB_FMT_2LVL         1

/* Level-1 stream table descriptor */
FIELD(L1STD, SPAN, 0, 5)
FIELD(L1STD, L2PTR, 6, 42)

/* Stream table entry: 4 x 64-bit words */
#define STE_WORDS               4
#define STE_SIZE                (STE_WORDS * 8)
FIELD(STE0, V, 0, 1)
FIELD(STE0, CONFIG, 1, 3)
FIELD(STE0, SNP, 4, 1)
FIELD(STE1, S1CTXPTR, 5, 43)
FIELD(STE2, S2T0SZ, 0, 6)
FIELD(STE2, S2TTB, 12, 36)
FIELD(STE3, S2VMID, 0, 16)

enum {
    STE_CONFIG_ABORT = 0,
    STE_CONFIG_BYPASS = 1,
    STE_CONFIG_S1 = 2,
    STE_CONFIG_S2 = 3,
    STE_CONFIG_NESTED = 4,
};

/* Context descriptor: 4 x 64-bit words */
#define CD_WORDS                4
#define CD_SIZE                 (CD_WORDS * 8)
FIELD(CD0, V, 0, 1)
FIELD(CD0, T0SZ, 8, 6)
FIELD(CD0, ASID, 48, 16)
FIELD(CD1, TTB0, 12, 36)

#define T0SZ_MIN                16
#define T0SZ_MAX                39

/* Page-table descriptor */
FIELD(PTE, V, 0, 1)
FIELD(PTE, T, 1, 1)
FIELD(PTE, R, 6, 1)
FIELD(PTE, W, 7, 1)
FIELD(PTE, AF, 10, 1)
FIELD(PTE, DIRTY, 11, 1)
FIELD(PTE, OA, 12, 36)

/* Commands: 2 x 64-bit words */
#define CMD_SIZE                16
FIELD(CMD0, OP, 0, 8)
FIELD(CMD0, CS, 12, 2)
FIELD(CMD0, NUM, 12, 20)
FIELD(CMD0, SID, 32, 32)
FIELD(CMD0, VMID, 32, 16)
FIELD(CMD0, ASID, 48, 16)
FIELD(CMD0, MSIDATA, 32, 32)
FIELD(CMD1, ADDR, 12, 36)
FIELD(CMD1, MSIADDR, 2, 46)

enum {
    CMD_CFGI_STE = 0x03,
    CMD_CFGI_ALL = 0x04,
    CMD_TLBI_ASID = 0x11,
    CMD_TLBI_VA = 0x12,
    CMD_TLBI_VMID = 0x28,
    CMD_TLBI_IPA = 0x2a,
    CMD_TLBI_ALL = 0x30,
    CMD_SYNC = 0x46,
};

enum {
    CMDQ_ERR_NONE = 0,
    CMDQ_ERR_ILL = 1,
    CMDQ_ERR_ABT = 2,
};

/* Events: 4 x 64-bit words */
#define EVT_SIZE                32
FIELD(EVT0, TYPE, 0, 8)
FIELD(EVT0, WNR, 8, 1)
FIELD(EVT0, S2, 9, 1)
FIELD(EVT0, CLASS, 10, 2)
FIELD(EVT0, SID, 32, 32)
FIELD(EVT3, ASID, 0, 16)
FIELD(EVT3, VMID, 16, 16)
FIELD(EVT3, LEVEL, 32, 4)
FIELD(EVT3, REASON, 40, 8)

enum {
    EVT_NONE = 0x00,
    EVT_C_BAD_STREAMID = 0x02,
    EVT_F_STE_FETCH = 0x03,
    EVT_C_BAD_STE = 0x04,
    EVT_F_CD_FETCH = 0x09,
    EVT_C_BAD_CD = 0x0a,
    EVT_F_WALK_EABT = 0x0b,
    EVT_F_TRANSLATION = 0x10,
    EVT_F_ACCESS = 0x12,
    EVT_F_PERMISSION = 0x13,
};

enum {
    EVT_CLASS_IN = 0,
    EVT_CLASS_CD = 1,
    EVT_CLASS_TT = 2,
};

/* C_BAD_STE reasons */
enum {
    STE_R_INVALID = 1,
    STE_R_CONFIG = 2,
    STE_R_S2T0SZ = 3,
    STE_R_L1STD = 4,
    STE_R_STRTAB_CFG = 5,
    STE_R_SNP = 6,              /* SNP=1 but snoop-ctl is off */
};

/* C_BAD_CD reasons */
enum {
    CD_R_INVALID = 1,
    CD_R_T0SZ = 2,
};

/* F_TRANSLATION reasons */
enum {
    XLT_R_INPUT = 1,
    XLT_R_INVALID = 2,
    XLT_R_RESERVED = 3,
};

/*
 * What went wrong with one translation. type == EVT_NONE with
 * a refusal means a silent abort (CONFIG=abort).
 */
typedef struct SmmuLiteEvent {
    uint8_t type;
    bool s2;
    uint8_t class;
    uint8_t level;
    uint8_t reason;
    uint16_t asid;
    uint16_t vmid;
    uint64_t addr2;
} SmmuLiteEvent;

/* A decoded, accepted stream configuration. */
typedef struct SmmuLiteConfig {
    uint8_t config;
    bool snp;                   /* S1, S2, nested: force snooped DMA */
    /* stage 1 (S1, nested) */
    uint64_t cdptr;
    uint16_t asid;
    uint8_t t0sz;
    uint64_t ttb0;
    /* stage 2 (S2, nested) */
    uint16_t vmid;
    uint8_t s2t0sz;
    uint64_t s2ttb;
} SmmuLiteConfig;

/*
 * The last accepted configuration of one requester, published for the
 * lock-free path. Immutable once published; replaced under s->mutex and
 * freed after an RCU grace period.
 */
typedef struct SmmuLiteSnap {
    struct rcu_head rcu;
    uint64_t gen;               /* s->cfg_gen it was taken at */
    uint32_t sid;
    SmmuLiteConfig cfg;
    struct SmmuLiteStream *st;  /* statistics of @sid (lives as long as s) */
} SmmuLiteSnap;

/* Result of a translation, at the granularity of 1 << shift. */
typedef struct SmmuLiteXlate {
    uint64_t out;               /* output address of iova's page/block base */
    uint8_t shift;              /* 12, 21 or 30 */
    bool r;
    bool w;
} SmmuLiteXlate;

/* smmu-lite-ram.c: RAM-only accesses (see the lock rules above) */
typedef enum SmmuLiteRamUpdate {
    SL_RAM_UPDATED,             /* the bits are set (now or already) */
    SL_RAM_COND_FAILED,         /* the word no longer had the @need bits */
    SL_RAM_NOT_RAM,             /* not RAM, or misaligned */
} SmmuLiteRamUpdate;
bool smmu_lite_ram_ldq(uint64_t pa, uint64_t *val);
bool smmu_lite_ram_ldq_n(uint64_t pa, uint64_t *val, unsigned n);
bool smmu_lite_ram_read(uint64_t pa, void *buf, uint64_t len);
bool smmu_lite_ram_write(uint64_t pa, const void *buf, uint64_t len);
SmmuLiteRamUpdate smmu_lite_ram_set_bits(uint64_t pa, uint64_t need,
                                         uint64_t set, uint64_t *seen);

/* smmu-lite.c */
void smmu_lite_gerror_raise(SmmuLiteState *s, uint32_t bit);
void smmu_lite_notify(SmmuLiteState *s, unsigned vector);
void smmu_lite_irq_flush(SmmuLiteState *s);
void smmu_lite_irq_bh(void *opaque);
void smmu_lite_flush_caches(SmmuLiteState *s);
void smmu_lite_cfg_changed(SmmuLiteState *s);
extern const MemoryRegionOps smmu_lite_regs_ops;
extern const VMStateDescription smmu_lite_vmstate;
void smmu_lite_reset_regs(SmmuLiteState *s);

/* smmu-lite-config.c */
void smmu_lite_config_init(SmmuLiteState *s);
bool smmu_lite_config_get(SmmuLiteState *s, uint32_t sid, bool is_write,
                          uint64_t iova, SmmuLiteConfig *cfg,
                          SmmuLiteEvent *ev, bool *stable);
void smmu_lite_config_inv_sid(SmmuLiteState *s, uint32_t sid);
void smmu_lite_config_inv_all(SmmuLiteState *s);
uint32_t smmu_lite_strtab_num_sids(SmmuLiteState *s);
bool smmu_lite_ste_present(SmmuLiteState *s, uint32_t sid, const char **why);

/* smmu-lite-walk.c */
void smmu_lite_iotlb_init(SmmuLiteState *s);
void smmu_lite_iotlb_destroy(SmmuLiteState *s);
bool smmu_lite_translate_cfg(SmmuLiteState *s, const SmmuLiteConfig *cfg,
                             uint64_t iova, bool is_write,
                             SmmuLiteXlate *out, SmmuLiteEvent *ev);
bool smmu_lite_iotlb_hit(SmmuLiteState *s, const SmmuLiteConfig *cfg,
                         uint64_t iova, bool is_write, SmmuLiteXlate *out);
bool smmu_lite_s2_translate(SmmuLiteState *s, const SmmuLiteConfig *cfg,
                            uint64_t ipa, bool is_write, uint8_t class,
                            uint64_t *pa, SmmuLiteEvent *ev);
void smmu_lite_iotlb_inv_all(SmmuLiteState *s);
void smmu_lite_iotlb_inv_asid(SmmuLiteState *s, uint16_t asid, uint16_t vmid);
void smmu_lite_iotlb_inv_vmid(SmmuLiteState *s, uint16_t vmid);
void smmu_lite_iotlb_inv_va(SmmuLiteState *s, uint16_t asid, uint16_t vmid,
                            uint64_t addr, uint64_t num);
void smmu_lite_iotlb_inv_ipa(SmmuLiteState *s, uint16_t vmid,
                             uint64_t addr, uint64_t num);

/* smmu-lite-queue.c */
void smmu_lite_cmdq_run(SmmuLiteState *s);
void smmu_lite_event_record(SmmuLiteState *s, uint32_t sid, uint64_t iova,
                            bool is_write, const SmmuLiteEvent *ev);
uint32_t smmu_lite_queue_wrapmask(uint64_t base);

/* smmu-lite-pci.c */
void smmu_lite_count_uncovered(SmmuLiteState *s);

/* smmu-lite-stats.c */
void smmu_lite_stats_init(SmmuLiteState *s);
void smmu_lite_stats_add_props(SmmuLiteState *s);
struct SmmuLiteStream *smmu_lite_stream(SmmuLiteState *s, uint32_t sid);
void smmu_lite_stats_fast(struct SmmuLiteStream *st, bool bypass,
                          bool snoop);
void smmu_lite_stats_snoop(SmmuLiteState *s, uint32_t sid);
void smmu_lite_stats_config(SmmuLiteState *s, uint32_t sid, bool accepted,
                            bool fetched, uint64_t signature,
                            const uint64_t *ste, const SmmuLiteEvent *ev);
typedef enum SmmuLiteResult {
    SL_RES_OK,
    SL_RES_CONFIG,
    SL_RES_XLAT,
    SL_RES_PERM,
    SL_RES_EABT,
} SmmuLiteResult;
SmmuLiteResult smmu_lite_fault_kind(uint8_t evtype);
void smmu_lite_stats_result(SmmuLiteState *s, uint32_t sid,
                            SmmuLiteResult res);

#endif
