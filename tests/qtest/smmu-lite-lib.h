/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtest helpers for smmu-lite: a tiny driver (registers, queues) and
 * builders for stream tables, CDs and page tables in guest RAM.
 * Formats: docs/specs/smmu-lite.rst.
 *
 * The register map, STE/PTE bits, command and event numbers below are a
 * copy written from the spec on purpose, not the model's
 * smmu-lite-internal.h: these qtests are the oracle of how the model
 * decodes what a guest writes, and a wrong number shared with the model
 * would pass both (docs/architecture.md, "Register maps").
 */
#ifndef SMMU_LITE_LIB_H
#define SMMU_LITE_LIB_H

#include "tests/qtest/libqtest.h"
#include "tests/qtest/libqos/pci.h"
#include "tests/qtest/libqos/pci-pc.h"
#include "standard-headers/linux/pci_regs.h"

#define SL_SLOT             3

/* registers */
#define SL_IDR0             0x000
#define SL_IDR1             0x004
#define SL_IDR2             0x008
#define SL_AIDR             0x00c
#define SL_CR0              0x020
#define SL_CR0ACK           0x024
#define SL_GBPA             0x044
#define SL_IRQ_CTRL         0x050
#define SL_IRQ_CTRLACK      0x054
#define SL_GERROR           0x060
#define SL_GERRORN          0x064
#define SL_STRTAB_BASE      0x080
#define SL_STRTAB_BASE_CFG  0x088
#define SL_CMDQ_BASE        0x090
#define SL_CMDQ_PROD        0x098
#define SL_CMDQ_CONS        0x09c
#define SL_EVTQ_BASE        0x0a0
#define SL_EVTQ_PROD        0x0a8
#define SL_EVTQ_CONS        0x0ac

#define SL_CR0_SMMUEN       (1u << 0)
#define SL_CR0_EVTQEN       (1u << 2)
#define SL_CR0_CMDQEN       (1u << 3)
#define SL_GBPA_ABORT       (1u << 20)
#define SL_GERROR_CMDQ      (1u << 0)
#define SL_GERROR_EVTQ_ABT  (1u << 2)
#define SL_GERROR_MSI_CMDQ  (1u << 4)

/* STE */
#define SL_STE_V            1ULL
#define SL_CFG_ABORT        0
#define SL_CFG_BYPASS       1
#define SL_CFG_S1           2
#define SL_CFG_S2           3
#define SL_CFG_NESTED       4
#define SL_STE0(cfg)        (SL_STE_V | ((uint64_t)(cfg) << 1))
#define SL_STE0_SNP         (1ULL << 4)
#define SL_IDR0_SNPCTL      (1u << 9)
#define SL_IDR0_MSIXLT      (1u << 10)

/* PTE */
#define SL_PTE_V            (1ULL << 0)
#define SL_PTE_T            (1ULL << 1)
#define SL_PTE_R            (1ULL << 6)
#define SL_PTE_W            (1ULL << 7)
#define SL_PTE_AF           (1ULL << 10)
#define SL_PTE_DIRTY        (1ULL << 11)
#define SL_PTE_RW           (SL_PTE_R | SL_PTE_W)

/* commands */
#define SL_CMD_CFGI_STE     0x03
#define SL_CMD_CFGI_ALL     0x04
#define SL_CMD_TLBI_ASID    0x11
#define SL_CMD_TLBI_VA      0x12
#define SL_CMD_TLBI_VMID    0x28
#define SL_CMD_TLBI_IPA     0x2a
#define SL_CMD_TLBI_ALL     0x30
#define SL_CMD_SYNC         0x46

/* events */
#define SL_EVT_C_BAD_STREAMID   0x02
#define SL_EVT_F_STE_FETCH      0x03
#define SL_EVT_C_BAD_STE        0x04
#define SL_EVT_F_CD_FETCH       0x09
#define SL_EVT_C_BAD_CD         0x0a
#define SL_EVT_F_WALK_EABT      0x0b
#define SL_EVT_F_TRANSLATION    0x10
#define SL_EVT_F_ACCESS         0x12
#define SL_EVT_F_PERMISSION     0x13

#define SL_SIZE_4K          0x1000ULL
#define SL_SIZE_2M          0x200000ULL
#define SL_SIZE_1G          0x40000000ULL

typedef struct SLite {
    QTestState *qts;
    QPCIBus *pcibus;
    QPCIDevice *dev;
    QPCIBar bar;
    uint64_t next;              /* bump allocator in guest RAM */
    uint64_t limit;
    uint64_t strtab;
    uint32_t strtab_cfg;
    uint64_t cmdq;
    uint32_t cmdq_log2;
    uint64_t evtq;
    uint32_t evtq_log2;
} SLite;

typedef struct SLEvent {
    uint8_t type;
    bool wnr;
    bool s2;
    uint8_t class;
    uint32_t sid;
    uint64_t iova;
    uint64_t addr2;
    uint16_t asid;
    uint16_t vmid;
    uint8_t level;
    uint8_t reason;
} SLEvent;

/* Start q35 (256 MiB) with smmu-lite at 00:03.0 plus @extra arguments. */
SLite *sl_start(const char *smmu_props, const char *extra);
/* The command line sl_start() uses. */
char *sl_cmdline(const char *smmu_props, const char *extra);
/*
 * Take a started QEMU with that command line: map BAR 0 (the same address
 * on every instance, as the BARs are assigned in the same order).
 */
SLite *sl_attach(QTestState *qts);
void sl_stop(SLite *s);
/* Is the QEMU process still answering? */
bool sl_alive(SLite *s);

uint32_t sl_readl(SLite *s, uint64_t off);
void sl_writel(SLite *s, uint64_t off, uint32_t val);
uint64_t sl_readq(SLite *s, uint64_t off);
void sl_writeq(SLite *s, uint64_t off, uint64_t val);

/* Zeroed guest RAM, aligned to @align. */
uint64_t sl_alloc(SLite *s, uint64_t size, uint64_t align);

/*
 * Program queues and a stream table, then enable EVTQ, CMDQ and SMMUEN.
 * fmt 0: linear with 2^log2size STEs; fmt 1: 2-level with SPLIT @split
 * (level-2 tables allocated on demand by sl_ste_addr()).
 */
void sl_setup(SLite *s, uint32_t log2size, uint32_t fmt, uint32_t split);
void sl_set_cr0(SLite *s, uint32_t val);

uint64_t sl_ste_addr(SLite *s, uint32_t sid);
void sl_ste_write(SLite *s, uint32_t sid, const uint64_t w[4]);
void sl_ste_word(SLite *s, uint32_t sid, int word, uint64_t val);
void sl_ste_s1(SLite *s, uint32_t sid, uint64_t cd);
void sl_ste_s2(SLite *s, uint32_t sid, uint16_t vmid, uint64_t s2ttb,
               uint8_t s2t0sz);
void sl_ste_nested(SLite *s, uint32_t sid, uint64_t cd_ipa, uint16_t vmid,
                   uint64_t s2ttb, uint8_t s2t0sz);
void sl_ste_simple(SLite *s, uint32_t sid, int config);

uint64_t sl_cd_new(SLite *s, uint16_t asid, uint8_t t0sz, uint64_t ttb);

uint64_t sl_pt_new(SLite *s);
/* The level a walk starts at for an input size of 64 - @t0sz bits. */
int sl_start_level(uint8_t t0sz);
/* Map [iova, iova + size) -> pa with one leaf of @size (4K/2M/1G). */
void sl_map(SLite *s, uint64_t root, uint8_t t0sz, uint64_t iova,
            uint64_t pa, uint64_t size, uint64_t flags);
/* Address of the leaf descriptor that maps @iova (0 if none). */
uint64_t sl_pte_addr(SLite *s, uint64_t root, uint8_t t0sz, uint64_t iova);

/* Queue one command; returns false if the queue stopped on an error. */
bool sl_cmd(SLite *s, uint64_t w0, uint64_t w1);
bool sl_sync(SLite *s);
bool sl_cfgi_ste(SLite *s, uint32_t sid);
bool sl_tlbi_all(SLite *s);
bool sl_cfgi_all(SLite *s);

bool sl_evt_pop(SLite *s, SLEvent *ev);
int sl_evt_count(SLite *s);

uint64_t sl_qom_u64(SLite *s, const char *name);
/* qom-set an integer property of the device at run time (QMP). */
void sl_qom_set_u64(SLite *s, const char *name, uint64_t val);
char *sl_qom_str(SLite *s, const char *name);
void sl_stats_reset(SLite *s);

/*
 * Helpers for hostile-input tests (smmu-lite-hostile-test.c).
 */
#define SL_MSIX_TABLE           0x2000
#define SL_MSIX_VEC_EVTQ        0
#define SL_MSIX_VEC_GERROR      1
#define SL_IRQ_CTRL_GERROR      (1u << 0)
#define SL_IRQ_CTRL_EVTQ        (1u << 2)
#define SL_CMD_SYNC_CS_IRQ      (1ULL << 12)
#define SL_CMDQ_CONS_ERR(cons)  (((cons) >> 24) & 0x7f)
#define SL_CMDQ_ERR_ILL         1
#define SL_CMDQ_ERR_ABT         2

/*
 * Address of the level-@level descriptor that a walk of @iova reads, found
 * by following the table descriptors in guest RAM (0 if the walk ends
 * before that level).
 */
uint64_t sl_desc_addr(SLite *s, uint64_t root, uint8_t t0sz, uint64_t iova,
                      int level);

/* Enable MSI-X in config space; program vector @v of the BAR0 table. */
void sl_msix_enable(SLite *s);
void sl_msix_vector(SLite *s, unsigned v, uint64_t addr, uint32_t data,
                    bool masked);

/*
 * Write a command at CMDQ_PROD without publishing it; returns the
 * CMDQ_PROD value that publishes it.
 */
uint32_t sl_cmd_stage(SLite *s, uint64_t w0, uint64_t w1);

/* Is @bit (SL_GERROR_*) active, i.e. different in GERROR and GERRORN? */
bool sl_gerror_active(SLite *s, uint32_t bit);

/*
 * Hang watchdog. A test added with sl_add_isolated_test() runs in a
 * subprocess of the test binary (g_test_trap_subprocess()) with alarm()
 * armed for @budget_s seconds. If QEMU stops answering (a deadlock inside
 * an MMIO access leaves libqtest blocked in recv() forever), SIGALRM kills
 * the QEMU registered with sl_watchdog_watch(), reports the step last
 * named by sl_watchdog_step() and ends the subprocess: the test case fails
 * and the binary goes on with the next case. The parent also gives up on
 * the subprocess a few seconds after the budget, as a backstop.
 */
void sl_add_isolated_test(const char *path, GTestDataFunc fn,
                          const void *data, unsigned budget_s);
void sl_watchdog_watch(QTestState *qts);
void sl_watchdog_step(const char *what);

#endif
