/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Regression tests for hostile guest programming of smmu-lite and dma-gen:
 * interrupt messages aimed at device registers, IOMMU tables placed in
 * device registers, a DMA that resets its own device, and continuous-mode
 * DMA from an IOThread racing with configuration changes.
 * Specs: docs/specs/smmu-lite.rst, docs/specs/dma-gen.rst.
 *
 * These inputs used to deadlock QEMU (a device lock held across an access
 * that comes back into the same device) or let a device act on another
 * device's registers. A deadlocked QEMU never answers, so libqtest would
 * wait for ever in recv(): probing the child (sl_alive(),
 * qtest_probe_child()) cannot help, because the test is stuck inside the
 * very qtest command that hung. Each case therefore runs in a subprocess
 * of this binary with an alarm() watchdog (sl_add_isolated_test(), see
 * smmu-lite-lib.h): on a hang SIGALRM kills QEMU, names the step, and the
 * case fails while the other cases still run.
 */
#include "qemu/osdep.h"
#include "smmu-lite-lib.h"
#include "dma-gen-lib.h"

#define DG_SLOT         4
#define DG_SID          (DG_SLOT << 3)
#define DG2_SLOT        5
#define DG2_SID         (DG2_SLOT << 3)
#define T0SZ            16                  /* 48-bit IOVAs, walk from L0 */
#define PATTERN         0x5ca1ab1eu
#define RW              SL_PTE_RW

/*
 * Two pages are mapped at IOVA. Its level-2 and level-3 indexes are both 8,
 * so a level-2 or level-3 table placed at a page P is read at P + 0x40.
 * IOVA_UNMAPPED shares the level-1 table but has nothing at level 2.
 */
#define IOVA            0x41008000ULL
#define IOVA_UNMAPPED   0x41208000ULL
#define TABLE_OFF       0x40                /* where tables land in MMIO */
#define QUEUE_OFF       0x20                /* where queues land in MMIO */

/* Watchdog budgets (seconds of wall-clock time per case, QEMU start incl.) */
#define BUDGET          10
#define BUDGET_IOTHREAD 20

/* Wall-clock bound for things that may legitimately complete later */
#define POLL_MS         2000

/* q35 MCH: PCIEXBAR (config 0:0.0 offset 0x60) and where we put ECAM */
#define Q35_PCIEXBAR    0x60
#define ECAM_BASE       0xb0000000ULL

typedef struct World {
    SLite *s;
    DmaGen *dg;         /* 04.0, the DMA master of each scenario */
    DmaGen *dg2;        /* 05.0, a second dma-gen (target or bystander) */
    uint64_t root;      /* stage-1 table mapping IOVA (two pages) */
    uint64_t cd;        /* CD of ASID 1 using root */
    uint64_t buf;       /* the two RAM pages IOVA maps to */
} World;

/*
 * q35 with smmu-lite, dma-gen at 04.0 (options @dg_opts), optionally a
 * second dma-gen at 05.0, and @extra. The IOMMU is enabled (stream table
 * format @fmt) and both dma-gens translate through stage 1 with one CD.
 */
static World *world_start(const char *dg_opts, bool dg2, uint32_t fmt,
                          const char *extra)
{
    World *w = g_new0(World, 1);
    g_autofree char *args = NULL;

    args = g_strdup_printf("%s -device dma-gen,id=dg,addr=%02x.0%s %s",
                           extra ? extra : "", DG_SLOT, dg_opts ? dg_opts : "",
                           dg2 ? "-device dma-gen,id=dg2,addr=05.0" : "");
    sl_watchdog_step("starting QEMU");
    w->s = sl_start(NULL, args);
    sl_watchdog_watch(w->s->qts);
    sl_watchdog_step("setting up");
    w->dg = dma_gen_init(w->s->qts, w->s->pcibus, QPCI_DEVFN(DG_SLOT, 0));
    if (dg2) {
        w->dg2 = dma_gen_init(w->s->qts, w->s->pcibus,
                              QPCI_DEVFN(DG2_SLOT, 0));
    }
    sl_setup(w->s, 8, fmt, 6);

    w->root = sl_pt_new(w->s);
    w->buf = sl_alloc(w->s, 0x2000, 0x1000);
    sl_map(w->s, w->root, T0SZ, IOVA, w->buf, SL_SIZE_4K, RW);
    sl_map(w->s, w->root, T0SZ, IOVA + 0x1000, w->buf + 0x1000, SL_SIZE_4K,
           RW);
    w->cd = sl_cd_new(w->s, 1, T0SZ, w->root);
    sl_ste_s1(w->s, DG_SID, w->cd);
    if (dg2) {
        sl_ste_s1(w->s, DG2_SID, w->cd);
    }
    g_assert(sl_cfgi_all(w->s) && sl_sync(w->s));
    return w;
}

static void world_stop(World *w)
{
    sl_watchdog_step("checking that QEMU still answers");
    g_assert_true(sl_alive(w->s));
    sl_watchdog_step("shutting down");
    dma_gen_free(w->dg2);
    dma_gen_free(w->dg);
    sl_stop(w->s);
    g_free(w);
}

/* Wait (wall clock) until register @reg of @d reads @want. */
static bool wait_reg(DmaGen *d, uint32_t reg, uint32_t want)
{
    int64_t end = g_get_monotonic_time() + POLL_MS * 1000LL;

    while (dma_gen_readl(d, reg) != want) {
        if (g_get_monotonic_time() > end) {
            return false;
        }
        g_usleep(1000);
    }
    return true;
}

/* Preset a COPY of 0x100 bytes, IOVA -> IOVA + 0x1000, without running it */
static void preset_copy(World *w, DmaGen *d)
{
    dma_gen_guest_fill(w->s->qts, w->buf, 0x100, PATTERN);
    dma_gen_guest_fill(w->s->qts, w->buf + 0x1000, 0x100, 0);
    dma_gen_write64(d, A_SRC_LO, IOVA);
    dma_gen_write64(d, A_DST_LO, IOVA + 0x1000);
    dma_gen_writel(d, A_LEN, 0x100);
}

/* The preset COPY ran exactly once (CMD_SEQ was @seq) and succeeded. */
static void check_copy_ran(World *w, DmaGen *d, uint32_t seq)
{
    g_assert_true(wait_reg(d, A_CMD_SEQ, seq + 1));
    g_assert_cmphex(dma_gen_readl(d, A_STATUS) & (R_STATUS_DONE_MASK |
                                                   R_STATUS_ERROR_MASK |
                                                   R_STATUS_ERR_CODE_MASK),
                    ==, R_STATUS_DONE_MASK);
    g_assert_cmpuint(dma_gen_guest_check(w->s->qts, w->buf + 0x1000, 0x100,
                                         PATTERN), ==, 0x100);
}

/*
 * 1. A CMD_SYNC whose completion MSI is a write of COPY to dma-gen's CMD
 * register: dma-gen runs the COPY, through smmu-lite, from inside the
 * command queue processing.
 */
static void test_sync_msi_to_dma_gen(const void *data)
{
    World *w = world_start(NULL, false, 0, NULL);
    uint64_t cmd_reg = w->dg->bar0.addr + A_CMD;
    uint32_t seq;
    bool ok;

    preset_copy(w, w->dg);
    seq = dma_gen_readl(w->dg, A_CMD_SEQ);

    sl_watchdog_step("CMD_SYNC whose MSI write makes dma-gen COPY");
    ok = sl_cmd(w->s, SL_CMD_SYNC | SL_CMD_SYNC_CS_IRQ |
                (uint64_t)DMA_GEN_OP_COPY << 32, cmd_reg);
    g_assert_true(ok);
    g_assert_cmphex(sl_readl(w->s, SL_CMDQ_CONS), ==,
                    sl_readl(w->s, SL_CMDQ_PROD));
    g_assert_false(sl_gerror_active(w->s, SL_GERROR_MSI_CMDQ));
    check_copy_ran(w, w->dg, seq);
    g_assert_cmpint(sl_evt_count(w->s), ==, 0);
    world_stop(w);
}

/*
 * 2. smmu-lite's MSI-X vectors aimed at dma-gen's CMD register with data
 * COPY. An event (vector 0) or a global error (vector 1) makes dma-gen DMA
 * through smmu-lite from inside smmu-lite's interrupt delivery.
 *
 * The event is caused by dma-gen 04.0 and aimed at dma-gen 05.0: a dma-gen
 * whose own DMA caused the event refuses register writes while that DMA
 * runs (QEMU's re-entrancy guard, and dma-gen's own check), so only another
 * function shows whether smmu-lite may be re-entered from its event path.
 */
static void msix_setup(World *w, unsigned vec, DmaGen *target)
{
    uint64_t flag = sl_alloc(w->s, 8, 8);

    sl_msix_enable(w->s);
    /* the other vector writes a RAM word */
    sl_msix_vector(w->s, !vec, flag, 0xf1a6, false);
    sl_msix_vector(w->s, vec, target->bar0.addr + A_CMD, DMA_GEN_OP_COPY,
                   false);
    sl_writel(w->s, SL_IRQ_CTRL, SL_IRQ_CTRL_EVTQ | SL_IRQ_CTRL_GERROR);
    g_assert_cmphex(sl_readl(w->s, SL_IRQ_CTRLACK), ==,
                    SL_IRQ_CTRL_EVTQ | SL_IRQ_CTRL_GERROR);
}

static void test_msix_event_to_dma_gen(const void *data)
{
    World *w = world_start(NULL, true, 0, NULL);
    SLEvent ev;
    uint32_t seq;

    msix_setup(w, SL_MSIX_VEC_EVTQ, w->dg2);
    preset_copy(w, w->dg2);
    seq = dma_gen_readl(w->dg2, A_CMD_SEQ);

    sl_watchdog_step("translation fault whose event MSI-X makes dma-gen COPY");
    g_assert_cmpuint(dma_gen_fill(w->dg, IOVA_UNMAPPED, 64, PATTERN), ==,
                     DMA_GEN_ERR_DMA_WRITE);
    g_assert_true(sl_evt_pop(w->s, &ev));
    g_assert_cmphex(ev.type, ==, SL_EVT_F_TRANSLATION);
    g_assert_cmphex(ev.sid, ==, DG_SID);
    g_assert_cmphex(ev.iova, ==, IOVA_UNMAPPED);
    check_copy_ran(w, w->dg2, seq);
    /* the COPY itself translated without faults */
    while (sl_evt_pop(w->s, &ev)) {
        g_assert_cmphex(ev.sid, ==, DG_SID);
    }
    world_stop(w);
}

static void test_msix_gerror_to_dma_gen(const void *data)
{
    World *w = world_start(NULL, false, 0, NULL);
    uint32_t seq, cons;

    msix_setup(w, SL_MSIX_VEC_GERROR, w->dg);
    preset_copy(w, w->dg);
    seq = dma_gen_readl(w->dg, A_CMD_SEQ);

    sl_watchdog_step("illegal command whose GERROR MSI-X makes dma-gen COPY");
    g_assert_false(sl_cmd(w->s, 0xff, 0));
    cons = sl_readl(w->s, SL_CMDQ_CONS);
    g_assert_cmpuint(SL_CMDQ_CONS_ERR(cons), ==, SL_CMDQ_ERR_ILL);
    check_copy_ran(w, w->dg, seq);

    /* the queue recovers: the bad entry becomes a SYNC, CMDQ_ERR acked */
    sl_watchdog_step("recovering the command queue");
    qtest_writeq(w->s->qts, w->s->cmdq +
                 (cons & ((1u << w->s->cmdq_log2) - 1)) * 16, SL_CMD_SYNC);
    sl_writel(w->s, SL_GERRORN, sl_readl(w->s, SL_GERROR));
    g_assert_false(sl_gerror_active(w->s, SL_GERROR_CMDQ));
    g_assert_cmphex(sl_readl(w->s, SL_CMDQ_CONS), ==,
                    sl_readl(w->s, SL_CMDQ_PROD));
    g_assert_true(sl_sync(w->s));
    world_stop(w);
}

/*
 * 3. IOMMU tables and queues inside device registers: smmu-lite's own
 * BAR0, the BAR0 of the dma-gen doing the DMA ("dg-self"), or the BAR0 of
 * another dma-gen ("dg-peer"). smmu-lite must treat every such place as
 * not RAM: fetch/walk aborts for tables, EVTQ_ABT_ERR for the event queue,
 * a CMDQ abort for the command queue, and no register of any device may
 * change because smmu-lite read or wrote there.
 *
 * In a dma-gen's BAR0 the test first writes into CONT_SRC/CONT_DST (0x40,
 * 0x48) exactly what the RAM table held (LEN/PATTERN at 0x20 hold a SYNC
 * for the command queue): a model that reads registers as tables would
 * then translate "successfully", which the expectations catch.
 */
typedef enum {
    TBL_STE,        /* linear stream table: the STE */
    TBL_L1,         /* 2-level stream table: the level-1 descriptor */
    TBL_CD,
    TBL_PT_LEAF,    /* the level-3 table (leaf descriptors) */
    TBL_PT_MID,     /* the level-2 table (intermediate descriptors) */
    TBL_EVTQ,
    TBL_CMDQ,
} TableKind;

typedef enum {
    AT_SMMU,
    AT_DG_SELF,
    AT_DG_PEER,
} Place;

typedef struct MmioCase {
    const char *name;
    TableKind table;
    Place at;
    bool cont;      /* DMA from continuous mode (timer) instead of a command */
} MmioCase;

static const uint32_t smmu_regs[] = {
    SL_CR0, SL_CR0ACK, SL_GBPA, SL_IRQ_CTRL, SL_IRQ_CTRLACK, SL_GERRORN,
    SL_STRTAB_BASE, SL_STRTAB_BASE + 4, SL_STRTAB_BASE_CFG,
    SL_CMDQ_BASE, SL_CMDQ_BASE + 4, SL_CMDQ_PROD,
    SL_EVTQ_BASE, SL_EVTQ_BASE + 4, SL_EVTQ_CONS,
    SL_MSIX_TABLE + 0x00, SL_MSIX_TABLE + 0x04, SL_MSIX_TABLE + 0x08,
    SL_MSIX_TABLE + 0x0c, SL_MSIX_TABLE + 0x10, SL_MSIX_TABLE + 0x14,
    SL_MSIX_TABLE + 0x18, SL_MSIX_TABLE + 0x1c,
};

/* dma-gen registers only software writes: SRC..PATTERN, CONT_*, INT_ENABLE */
static bool dg_config_reg(unsigned i)
{
    uint32_t off = i * 4;

    return (off >= A_SRC_LO && off <= A_PATTERN) ||
           (off >= A_CONT_SRC_LO && off <= A_CONT_FLAGS) ||
           off == A_INT_ENABLE;
}

static void snap_smmu(SLite *s, uint32_t *v)
{
    for (unsigned i = 0; i < ARRAY_SIZE(smmu_regs); i++) {
        v[i] = sl_readl(s, smmu_regs[i]);
    }
}

/* Start of the BAR0 a table is moved into. */
static uint64_t place_base(World *w, Place at)
{
    switch (at) {
    case AT_SMMU:
        return w->s->bar.addr;
    case AT_DG_SELF:
        return w->dg->bar0.addr;
    default:
        return w->dg2->bar0.addr;
    }
}

static DmaGen *place_dg(World *w, Place at)
{
    return at == AT_DG_SELF ? w->dg : at == AT_DG_PEER ? w->dg2 : NULL;
}

/* Move smmu-lite's stream table base (SMMUEN must be 0 for that). */
static void move_strtab(SLite *s, uint64_t base)
{
    sl_set_cr0(s, SL_CR0_EVTQEN | SL_CR0_CMDQEN);
    sl_writeq(s, SL_STRTAB_BASE, base);
    g_assert_cmphex(sl_readq(s, SL_STRTAB_BASE), ==, base);
    sl_set_cr0(s, SL_CR0_EVTQEN | SL_CR0_CMDQEN | SL_CR0_SMMUEN);
    g_assert(sl_cfgi_all(s) && sl_sync(s));
}

/* Move a queue: @base_reg, its PROD/CONS, with @en cleared meanwhile. */
static void move_queue(SLite *s, uint32_t base_reg, uint32_t en,
                       uint64_t base, uint32_t log2)
{
    uint32_t all = SL_CR0_EVTQEN | SL_CR0_CMDQEN | SL_CR0_SMMUEN;

    sl_set_cr0(s, all & ~en);
    sl_writeq(s, base_reg, base | log2);
    sl_writel(s, base_reg + 8, 0);          /* PROD */
    sl_writel(s, base_reg + 12, 0);         /* CONS */
    sl_set_cr0(s, all);
}

static void test_table_in_mmio(const void *data)
{
    const MmioCase *c = data;
    World *w = world_start(NULL, true, c->table == TBL_L1, NULL);
    SLite *s = w->s;
    QTestState *qts = s->qts;
    uint64_t base = place_base(w, c->at);
    DmaGen *victim = place_dg(w, c->at);
    uint64_t at = base + TABLE_OFF;         /* the address smmu-lite tries */
    uint64_t forged[2] = { 0, 0 };
    uint64_t dma_iova = c->table == TBL_EVTQ ? IOVA_UNMAPPED : IOVA;
    uint32_t smmu_before[ARRAY_SIZE(smmu_regs)];
    uint32_t smmu_after[ARRAY_SIZE(smmu_regs)];
    uint32_t dg_before[DMA_GEN_NUM_REGS], dg_after[DMA_GEN_NUM_REGS];
    uint32_t dg2_before[DMA_GEN_NUM_REGS], dg2_after[DMA_GEN_NUM_REGS];
    uint64_t ops0, errs0, d;
    uint8_t want_type = 0;
    int want_level = -1;

    /* the RAM setup translates */
    g_assert_cmpuint(dma_gen_fill(w->dg, IOVA, 64, PATTERN), ==,
                     DMA_GEN_ERR_OK);
    g_assert_cmpint(sl_evt_count(s), ==, 0);

    sl_watchdog_step("moving a table into MMIO");
    switch (c->table) {
    case TBL_STE:
        d = sl_ste_addr(s, DG_SID);
        forged[0] = qtest_readq(qts, d);
        forged[1] = qtest_readq(qts, d + 8);
        move_strtab(s, at - DG_SID * 32ULL);
        want_type = SL_EVT_F_STE_FETCH;
        break;
    case TBL_L1:
        forged[0] = qtest_readq(qts, s->strtab);   /* SID 0x20: entry 0 */
        move_strtab(s, at);
        want_type = SL_EVT_F_STE_FETCH;
        break;
    case TBL_CD:
        forged[0] = qtest_readq(qts, w->cd);
        forged[1] = qtest_readq(qts, w->cd + 8);
        sl_ste_word(s, DG_SID, 1, at);
        g_assert(sl_cfgi_ste(s, DG_SID) && sl_sync(s));
        want_type = SL_EVT_F_CD_FETCH;
        break;
    case TBL_PT_LEAF:
    case TBL_PT_MID:
        want_level = c->table == TBL_PT_LEAF ? 3 : 2;
        d = sl_desc_addr(s, w->root, T0SZ, IOVA, want_level - 1);
        g_assert(d);
        forged[0] = qtest_readq(qts, (qtest_readq(qts, d) &
                                      0xfffffffff000ULL) + TABLE_OFF);
        qtest_writeq(qts, d, base | SL_PTE_V | SL_PTE_T);
        g_assert(sl_tlbi_all(s) && sl_sync(s));
        want_type = SL_EVT_F_WALK_EABT;
        break;
    case TBL_EVTQ:
        move_queue(s, SL_EVTQ_BASE, SL_CR0_EVTQEN, base + QUEUE_OFF, 6);
        break;
    case TBL_CMDQ:
        move_queue(s, SL_CMDQ_BASE, SL_CR0_CMDQEN, base + QUEUE_OFF, 6);
        break;
    }

    if (c->cont) {
        DmaGenContCfg cfg = {
            .src = dma_iova, .dst = IOVA + 0x800, .slots = 1,
            .stride = 0x100, .len = 0x100, .period_ns = 100000,
            .ops_per_tick = 1, .pattern = PATTERN,
        };

        /* latched now: forging CONT_* of dg-self below changes nothing */
        g_assert_cmpuint(dma_gen_cont_start(w->dg, &cfg), ==,
                         DMA_GEN_ERR_OK);
    } else if (c->table != TBL_CMDQ) {
        dma_gen_write64(w->dg, A_DST_LO, dma_iova);
        dma_gen_writel(w->dg, A_LEN, 64);
        dma_gen_writel(w->dg, A_PATTERN, PATTERN);
    }

    if (victim) {
        if (c->table == TBL_CMDQ) {
            /* the command queue entry 0 would read as a plain SYNC */
            dma_gen_writel(victim, A_LEN, SL_CMD_SYNC);
            dma_gen_writel(victim, A_PATTERN, 0);
        } else {
            dma_gen_write64(victim, A_CONT_SRC_LO, forged[0]);
            dma_gen_write64(victim, A_CONT_DST_LO, forged[1]);
        }
    }
    snap_smmu(s, smmu_before);
    dma_gen_read_regs(w->dg, dg_before);
    dma_gen_read_regs(w->dg2, dg2_before);
    ops0 = dma_gen_readq(w->dg, A_OPS_LO);
    errs0 = dma_gen_readq(w->dg, A_DMA_ERRORS_LO);

    /* the access that makes smmu-lite use the table */
    if (c->table == TBL_CMDQ) {
        sl_watchdog_step("CMDQ_PROD write with the command queue in MMIO");
        sl_writel(s, SL_CMDQ_PROD, 1);
    } else if (c->cont) {
        sl_watchdog_step("continuous-mode tick translating through MMIO");
        g_assert_cmpuint(dma_gen_wait_ops(w->dg, ops0, 100000, POLL_MS), >,
                         ops0);
        g_assert_cmpuint(dma_gen_readq(w->dg, A_DMA_ERRORS_LO) - errs0, ==,
                         dma_gen_readq(w->dg, A_OPS_LO) - ops0);
        g_assert_cmphex(dma_gen_readq(w->dg, A_LAST_ERR_IOVA_LO), ==,
                        dma_iova);
    } else {
        sl_watchdog_step("dma-gen FILL translating through MMIO");
        g_assert_cmpuint(dma_gen_cmd(w->dg, DMA_GEN_OP_FILL), ==,
                         DMA_GEN_ERR_DMA_WRITE);
        g_assert_cmphex(dma_gen_cmd_err_iova(w->dg), ==, dma_iova);
    }

    /* registers first: popping events below moves EVTQ_CONS */
    sl_watchdog_step("checking the outcome");
    snap_smmu(s, smmu_after);
    dma_gen_read_regs(w->dg, dg_after);
    dma_gen_read_regs(w->dg2, dg2_after);

    if (want_type) {
        SLEvent ev;
        int n = 0;

        while (sl_evt_pop(s, &ev)) {
            g_assert_cmphex(ev.type, ==, want_type);
            g_assert_cmphex(ev.sid, ==, DG_SID);
            if (n++ == 0) {
                g_assert_cmphex(ev.iova, ==, dma_iova);
                g_assert_cmpint(ev.wnr, ==, !c->cont);
                g_assert_cmphex(ev.addr2, ==, at);
                if (want_level >= 0) {
                    g_assert_cmpuint(ev.level, ==, want_level);
                }
            }
        }
        g_assert_cmpint(n, >=, 1);
        g_assert_cmphex(sl_readl(s, SL_GERROR) ^ sl_readl(s, SL_GERRORN),
                        ==, 0);
    } else if (c->table == TBL_EVTQ) {
        g_assert_cmphex(sl_readl(s, SL_GERROR) ^ sl_readl(s, SL_GERRORN),
                        ==, SL_GERROR_EVTQ_ABT);
        g_assert_cmphex(sl_readl(s, SL_EVTQ_PROD), ==, 0);
    } else {
        g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==,
                        SL_CMDQ_ERR_ABT << 24);
        g_assert_cmphex(sl_readl(s, SL_GERROR) ^ sl_readl(s, SL_GERRORN),
                        ==, SL_GERROR_CMDQ);
    }

    /* nobody's registers changed, apart from what the scenario did */
    for (unsigned i = 0; i < ARRAY_SIZE(smmu_regs); i++) {
        if (c->table == TBL_CMDQ && smmu_regs[i] == SL_CMDQ_PROD) {
            smmu_before[i] = 1;             /* written by the test */
        }
        if (smmu_after[i] != smmu_before[i]) {
            g_printerr("smmu-lite register 0x%x: 0x%x -> 0x%x\n",
                       smmu_regs[i], smmu_before[i], smmu_after[i]);
        }
        g_assert_cmphex(smmu_after[i], ==, smmu_before[i]);
    }
    for (unsigned i = 0; i < DMA_GEN_NUM_REGS; i++) {
        if (dg_config_reg(i) && dg_after[i] != dg_before[i]) {
            g_printerr("dg register 0x%03x: 0x%x -> 0x%x\n", i * 4,
                       dg_before[i], dg_after[i]);
        }
        if (dg2_after[i] != dg2_before[i]) {
            g_printerr("dg2 register 0x%03x: 0x%x -> 0x%x\n", i * 4,
                       dg2_before[i], dg2_after[i]);
        }
    }
    for (unsigned i = 0; i < DMA_GEN_NUM_REGS; i++) {
        if (dg_config_reg(i)) {
            g_assert_cmphex(dg_after[i], ==, dg_before[i]);
        }
        g_assert_cmphex(dg2_after[i], ==, dg2_before[i]);
    }
    g_assert_cmphex(dg_after[A_CMD_SEQ / 4], ==,
                    dg_before[A_CMD_SEQ / 4] +
                    (c->cont || c->table == TBL_CMDQ ? 0 : 1));

    if (c->cont) {
        sl_watchdog_step("stopping continuous mode");
        dma_gen_writel(w->dg, A_CMD, DMA_GEN_OP_CONT_STOP);
        g_assert_true(dma_gen_wait_idle(w->dg, POLL_MS));
        g_assert_cmpuint(dma_gen_readq(w->dg, A_MISMATCHES_LO), ==, 0);
    }
    world_stop(w);
}

static const MmioCase mmio_cases[] = {
    { "ste-in-smmu",          TBL_STE,     AT_SMMU },
    { "ste-in-dg-self",       TBL_STE,     AT_DG_SELF },
    { "ste-in-dg-peer",       TBL_STE,     AT_DG_PEER },
    { "l1-in-smmu",           TBL_L1,      AT_SMMU },
    { "l1-in-dg-self",        TBL_L1,      AT_DG_SELF },
    { "l1-in-dg-peer",        TBL_L1,      AT_DG_PEER },
    { "cd-in-smmu",           TBL_CD,      AT_SMMU },
    { "cd-in-dg-self",        TBL_CD,      AT_DG_SELF },
    { "cd-in-dg-peer",        TBL_CD,      AT_DG_PEER },
    { "pt-leaf-in-smmu",      TBL_PT_LEAF, AT_SMMU },
    { "pt-leaf-in-dg-self",   TBL_PT_LEAF, AT_DG_SELF },
    { "pt-leaf-in-dg-peer",   TBL_PT_LEAF, AT_DG_PEER },
    { "pt-mid-in-smmu",       TBL_PT_MID,  AT_SMMU },
    { "pt-mid-in-dg-self",    TBL_PT_MID,  AT_DG_SELF },
    { "pt-mid-in-dg-peer",    TBL_PT_MID,  AT_DG_PEER },
    { "evtq-in-smmu",         TBL_EVTQ,    AT_SMMU },
    { "evtq-in-dg-self",      TBL_EVTQ,    AT_DG_SELF },
    { "evtq-in-dg-peer",      TBL_EVTQ,    AT_DG_PEER },
    { "cmdq-in-smmu",         TBL_CMDQ,    AT_SMMU },
    { "cmdq-in-dg",           TBL_CMDQ,    AT_DG_SELF },
    { "cont/ste-in-smmu",     TBL_STE,     AT_SMMU,    true },
    { "cont/ste-in-dg-self",  TBL_STE,     AT_DG_SELF, true },
    { "cont/pt-leaf-in-dg-peer", TBL_PT_LEAF, AT_DG_PEER, true },
};

/*
 * 4. dma-gen on pcie.0 (an integrated endpoint with FLR) COPYs into its own
 * Device Control register through q35's ECAM window, setting Initiate FLR:
 * the device resets in the middle of its own command. Everything the
 * command would have recorded afterwards must be gone.
 */
static void test_reset_during_own_dma(const void *data)
{
    World *w = g_new0(World, 1);
    QPCIDevice *host;
    DmaGen *d;
    uint64_t cfg, src;
    DmaGenPciRegs regs;
    uint16_t devctl;
    uint8_t cap;

    sl_watchdog_step("starting QEMU");
    w->s = sl_start(NULL, "-device dma-gen,id=dg,addr=04.0");
    sl_watchdog_watch(w->s->qts);
    sl_watchdog_step("setting up");
    w->dg = d = dma_gen_init(w->s->qts, w->s->pcibus,
                             QPCI_DEVFN(DG_SLOT, 0));

    /* ECAM at ECAM_BASE, 256 buses (the MCH leaves it disabled) */
    host = qpci_device_find(w->s->pcibus, 0);
    g_assert_nonnull(host);
    qpci_config_writel(host, Q35_PCIEXBAR + 4, 0);
    qpci_config_writel(host, Q35_PCIEXBAR, ECAM_BASE | 1);
    g_free(host);
    cfg = ECAM_BASE + (QPCI_DEVFN(DG_SLOT, 0) << 12);
    g_assert_cmphex(qtest_readl(w->s->qts, cfg), ==, DMA_GEN_ID_VALUE);

    cap = qpci_find_capability(d->pdev, PCI_CAP_ID_EXP, 0);
    g_assert(cap);
    g_assert(qpci_config_readl(d->pdev, cap + PCI_EXP_DEVCAP) &
             PCI_EXP_DEVCAP_FLR);
    devctl = qpci_config_readw(d->pdev, cap + PCI_EXP_DEVCTL);
    g_assert_cmphex(qtest_readw(w->s->qts, cfg + cap + PCI_EXP_DEVCTL), ==,
                    devctl);

    /* state the reset must clear: a completed FILL, interrupts enabled */
    src = sl_alloc(w->s, 0x1000, 0x1000);
    g_assert_cmpuint(dma_gen_fill(d, src + 0x800, 64, PATTERN), ==,
                     DMA_GEN_ERR_OK);
    dma_gen_writel(d, A_INT_ENABLE, DMA_GEN_INT_MASK);

    qtest_writew(w->s->qts, src, devctl | PCI_EXP_DEVCTL_BCR_FLR);
    dma_gen_pci_save(d, &regs);
    dma_gen_write64(d, A_SRC_LO, src);
    dma_gen_write64(d, A_DST_LO, cfg + cap + PCI_EXP_DEVCTL);
    dma_gen_writel(d, A_LEN, 2);

    sl_watchdog_step("COPY into the device's own DEVCTL (FLR)");
    dma_gen_writel(d, A_CMD, DMA_GEN_OP_COPY);

    /* the FLR happened: config space was reset too */
    sl_watchdog_step("checking the reset");
    dma_gen_pci_restore_after_reset(d, &regs);

    /* every BAR0 register reads its reset value */
    g_assert_cmphex(dma_gen_readl(d, A_ID), ==, DMA_GEN_ID_VALUE);
    g_assert_cmphex(dma_gen_readl(d, A_STATUS), ==, 0);
    g_assert_cmphex(dma_gen_readq(d, A_OPS_LO), ==, 0);
    g_assert_cmphex(dma_gen_readq(d, A_BYTES_LO), ==, 0);
    g_assert_cmphex(dma_gen_readl(d, A_INT_STATUS), ==, 0);
    g_assert_cmphex(dma_gen_readl(d, A_CMD_SEQ), ==, 0);
    for (uint32_t off = A_SRC_LO; off <= A_INT_ENABLE; off += 4) {
        if (off == A_COUNTERS_RESET) {
            continue;                       /* write-only */
        }
        if (dma_gen_readl(d, off) != 0) {
            g_printerr("register 0x%03x reads 0x%x after the FLR\n", off,
                       dma_gen_readl(d, off));
        }
        g_assert_cmphex(dma_gen_readl(d, off), ==, 0);
    }

    /* and the function works again */
    g_assert_cmpuint(dma_gen_fill(d, src + 0x800, 64, PATTERN), ==,
                     DMA_GEN_ERR_OK);
    world_stop(w);
}

/*
 * 5. Continuous mode runs in an IOThread (dma-gen's "iothread" property)
 * and translates through stage 1 while the test keeps switching the STE
 * between two CDs whose tables are identical (a hitless S1 -> S1 change of
 * word 1), with CFGI_STE + SYNC, and now and then TLBI_ALL. Translations
 * from the IOThread race with invalidations from the vCPU side: no
 * operation may fail or see wrong data.
 */
static void require_iothread(void)
{
    if (!dma_gen_binary_has_property("iothread")) {
        g_printerr("dma-gen of %s has no 'iothread' property\n",
                   g_getenv("QTEST_QEMU_BINARY"));
        g_assert_not_reached();
    }
}

#define IOT_PERIOD      100000              /* ns */
#define IOT_SLOTS       4
#define IOT_LEN         0x400

static void test_iothread_translate_vs_ste_rewrite(const void *data)
{
    World *w;
    DmaGenContCfg cfg = {
        .src = IOVA, .dst = IOVA + 0x1000, .slots = IOT_SLOTS,
        .stride = IOT_LEN, .len = IOT_LEN, .period_ns = IOT_PERIOD,
        .ops_per_tick = 2, .pattern = PATTERN,
    };
    uint64_t root2, cd2, ste1, ops0, ops;
    int64_t end;
    int i;

    require_iothread();
    w = world_start(",iothread=io0", false, 0, "-object iothread,id=io0");
    root2 = sl_pt_new(w->s);
    sl_map(w->s, root2, T0SZ, IOVA, w->buf, SL_SIZE_4K, RW);
    sl_map(w->s, root2, T0SZ, IOVA + 0x1000, w->buf + 0x1000, SL_SIZE_4K,
           RW);
    cd2 = sl_cd_new(w->s, 2, T0SZ, root2);
    ste1 = sl_ste_addr(w->s, DG_SID) + 8;
    dma_gen_guest_fill(w->s->qts, w->buf, IOT_LEN, PATTERN);

    g_assert_cmpuint(dma_gen_cont_start(w->dg, &cfg), ==, DMA_GEN_ERR_OK);
    ops0 = dma_gen_readq(w->dg, A_OPS_LO);

    sl_watchdog_step("rewriting the STE under IOThread DMA");
    end = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
    for (i = 0; i < 500 && g_get_monotonic_time() < end; i++) {
        qtest_writeq(w->s->qts, ste1, i & 1 ? w->cd : cd2);
        g_assert(sl_cfgi_ste(w->s, DG_SID) && sl_sync(w->s));
        if (i % 8 == 7) {
            g_assert(sl_tlbi_all(w->s) && sl_sync(w->s));
        }
        qtest_clock_step(w->s->qts, IOT_PERIOD);
    }
    g_test_message("%d STE rewrites", i);

    /* the ticks run in the IOThread: wait for them by wall-clock time */
    sl_watchdog_step("waiting for continuous-mode progress");
    ops = dma_gen_wait_ops(w->dg, ops0 + IOT_SLOTS, IOT_PERIOD, POLL_MS);
    g_test_message("%" PRIu64 " operations", ops - ops0);
    g_assert_cmpuint(ops, >, ops0);

    sl_watchdog_step("stopping continuous mode");
    dma_gen_writel(w->dg, A_CMD, DMA_GEN_OP_CONT_STOP);
    g_assert_true(dma_gen_wait_idle(w->dg, POLL_MS));
    g_assert_false(dma_gen_cont_running(w->dg));

    g_assert_cmpuint(dma_gen_readq(w->dg, A_DMA_ERRORS_LO), ==, 0);
    g_assert_cmpuint(dma_gen_readq(w->dg, A_MISMATCHES_LO), ==, 0);
    g_assert_cmpint(sl_evt_count(w->s), ==, 0);
    if (dma_gen_readq(w->dg, A_OPS_LO) - ops0 >= IOT_SLOTS) {
        g_assert_cmpuint(dma_gen_guest_check(w->s->qts, w->buf + 0x1000,
                                             IOT_SLOTS * IOT_LEN, PATTERN),
                         ==, IOT_SLOTS * IOT_LEN);
    }
    world_stop(w);
}

/*
 * 6. dma-gen's ERROR vector is aimed (through a stage-1 mapping) at
 * smmu-lite's CMDQ_PROD, and continuous mode in the IOThread faults on
 * every operation: each ERROR message is a register write into the IOMMU
 * that translates the DMA, sent from the IOThread, while the vCPU side
 * keeps acknowledging interrupts and finally stops continuous mode.
 * The message publishes one staged SYNC whose own MSI marks a RAM word.
 */
#define MSI_IOVA        0x50000000ULL

static void test_msix_dma_gen_to_smmu_cmdq_prod(const void *data)
{
    World *w;
    DmaGenContCfg cfg = {
        .src = IOVA_UNMAPPED, .dst = IOVA, .slots = 1, .stride = 0,
        .len = 64, .period_ns = IOT_PERIOD, .ops_per_tick = 1,
        .pattern = PATTERN,
    };
    uint64_t flag;
    uint32_t publish;
    int64_t end;
    bool seen = false;
    SLEvent ev;

    require_iothread();
    w = world_start(",iothread=io0", false, 0, "-object iothread,id=io0");
    sl_map(w->s, w->root, T0SZ, MSI_IOVA, w->s->bar.addr, SL_SIZE_4K, RW);
    g_assert(sl_tlbi_all(w->s) && sl_sync(w->s));
    flag = sl_alloc(w->s, 8, 8);
    publish = sl_cmd_stage(w->s, SL_CMD_SYNC | SL_CMD_SYNC_CS_IRQ |
                        0xf1a9ULL << 32, flag);

    qpci_msix_enable(w->dg->pdev);
    dma_gen_msix_vector(w->dg, DMA_GEN_MSIX_VEC_DONE, flag + 4, 1, true);
    dma_gen_msix_vector(w->dg, DMA_GEN_MSIX_VEC_ERROR,
                        MSI_IOVA + SL_CMDQ_PROD, publish, false);
    dma_gen_writel(w->dg, A_INT_ENABLE, R_INT_ERROR_MASK);
    g_assert_cmpuint(dma_gen_cont_start(w->dg, &cfg), ==, DMA_GEN_ERR_OK);

    sl_watchdog_step("IOThread faults whose MSI-X writes CMDQ_PROD");
    end = g_get_monotonic_time() + 1500 * 1000;
    while (g_get_monotonic_time() < end) {
        qtest_clock_step(w->s->qts, IOT_PERIOD);
        seen = seen || qtest_readl(w->s->qts, flag) == 0xf1a9;
        /* acknowledge ERROR so that the next failing op signals again */
        dma_gen_writel(w->dg, A_INT_STATUS, R_INT_ERROR_MASK);
        while (sl_evt_pop(w->s, &ev)) {
            g_assert_cmphex(ev.type, ==, SL_EVT_F_TRANSLATION);
        }
        if (seen && dma_gen_readq(w->dg, A_OPS_LO) > 20) {
            break;
        }
    }

    sl_watchdog_step("stopping continuous mode");
    dma_gen_writel(w->dg, A_CMD, DMA_GEN_OP_CONT_STOP);
    g_assert_true(dma_gen_wait_idle(w->dg, POLL_MS));

    sl_watchdog_step("checking the outcome");
    g_assert_true(seen);
    g_assert_cmphex(sl_readl(w->s, SL_CMDQ_PROD), ==, publish);
    g_assert_cmphex(sl_readl(w->s, SL_CMDQ_CONS), ==, publish);
    g_assert_cmphex(sl_readl(w->s, SL_GERROR) ^ sl_readl(w->s, SL_GERRORN),
                    ==, 0);
    g_assert_cmpuint(dma_gen_readq(w->dg, A_DMA_ERRORS_LO), >=, 1);
    g_assert_cmpuint(dma_gen_readq(w->dg, A_DMA_ERRORS_LO), ==,
                     dma_gen_readq(w->dg, A_OPS_LO));
    world_stop(w);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    sl_add_isolated_test("/smmu-lite/hostile/sync-msi-to-dma-gen",
                         test_sync_msi_to_dma_gen, NULL, BUDGET);
    sl_add_isolated_test("/smmu-lite/hostile/msix-event-to-dma-gen",
                         test_msix_event_to_dma_gen, NULL, BUDGET);
    sl_add_isolated_test("/smmu-lite/hostile/msix-gerror-to-dma-gen",
                         test_msix_gerror_to_dma_gen, NULL, BUDGET);
    for (unsigned i = 0; i < ARRAY_SIZE(mmio_cases); i++) {
        g_autofree char *path =
            g_strdup_printf("/smmu-lite/hostile/tables-in-mmio/%s",
                            mmio_cases[i].name);

        sl_add_isolated_test(path, test_table_in_mmio, &mmio_cases[i],
                             BUDGET);
    }
    sl_add_isolated_test("/smmu-lite/hostile/reset-during-own-dma",
                         test_reset_during_own_dma, NULL, BUDGET);
    sl_add_isolated_test("/smmu-lite/hostile/iothread-translate-vs-ste-rewrite",
                         test_iothread_translate_vs_ste_rewrite, NULL,
                         BUDGET_IOTHREAD);
    sl_add_isolated_test("/smmu-lite/hostile/msix-dma-gen-to-smmu-cmdq-prod",
                         test_msix_dma_gen_to_smmu_cmdq_prod, NULL,
                         BUDGET_IOTHREAD);
    return g_test_run();
}
