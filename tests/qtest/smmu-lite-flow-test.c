/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtests for smmu-lite translating a real DMA master: dma-gen behind the
 * IOMMU, tables built in guest RAM, results checked in guest memory, in
 * the event queue and in the model's counters.
 * Spec: docs/specs/smmu-lite.rst, docs/specs/dma-gen.rst.
 */
#include "qemu/osdep.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "smmu-lite-lib.h"
#include "dma-gen-lib.h"

#define DG_SLOT         4
#define DG_SID          (DG_SLOT << 3)
#define T0SZ            16              /* 48-bit input */
#define PATTERN         0xa5c3e10fu
#define RW_AF           (SL_PTE_RW)

typedef struct Flow {
    SLite *s;
    DmaGen *d;
} Flow;

static Flow *flow_start(const char *smmu_props)
{
    Flow *f = g_new0(Flow, 1);

    f->s = sl_start(smmu_props, "-device dma-gen,id=dg,addr=04.0");
    f->d = dma_gen_init(f->s->qts, f->s->pcibus, QPCI_DEVFN(DG_SLOT, 0));
    sl_setup(f->s, 8, 0, 0);
    return f;
}

static void flow_stop(Flow *f)
{
    g_assert(sl_alive(f->s));
    dma_gen_free(f->d);
    sl_stop(f->s);
    g_free(f);
}

/* Does guest-physical [pa, pa + len) hold the fill pattern? */
static bool holds_pattern(Flow *f, uint64_t pa, uint32_t len)
{
    return dma_gen_guest_check(f->s->qts, pa, len, PATTERN) == len;
}

static uint32_t fill(Flow *f, uint64_t iova, uint32_t len)
{
    return dma_gen_fill(f->d, iova, len, PATTERN);
}

/* A stream on stage 1 with a fresh table; returns the table root. */
static uint64_t s1_stream(Flow *f, uint16_t asid)
{
    uint64_t root = sl_pt_new(f->s);

    sl_ste_s1(f->s, DG_SID, sl_cd_new(f->s, asid, T0SZ, root));
    g_assert(sl_cfgi_ste(f->s, DG_SID));
    g_assert(sl_sync(f->s));
    return root;
}

static void test_bypass_and_abort(void)
{
    Flow *f = g_new0(Flow, 1);
    SLEvent ev;
    uint64_t buf;

    /* disabled: GBPA decides */
    f->s = sl_start(NULL, "-device dma-gen,id=dg,addr=04.0");
    f->d = dma_gen_init(f->s->qts, f->s->pcibus, QPCI_DEVFN(DG_SLOT, 0));
    buf = sl_alloc(f->s, 0x1000, 0x1000);
    g_assert_cmpuint(fill(f, buf, 0x1000), ==, DMA_GEN_ERR_OK);
    g_assert_true(holds_pattern(f, buf, 0x1000));
    sl_writel(f->s, SL_GBPA, SL_GBPA_ABORT);
    g_assert_cmpuint(fill(f, buf + 0x2000, 64), ==, DMA_GEN_ERR_DMA_WRITE);

    /* enabled: the STE decides; abort and invalid STEs refuse */
    sl_writel(f->s, SL_GBPA, 0);
    sl_setup(f->s, 8, 0, 0);
    g_assert_cmpuint(fill(f, buf, 64), ==, DMA_GEN_ERR_DMA_WRITE);
    g_assert_true(sl_evt_pop(f->s, &ev));           /* C_BAD_STE: V=0 */
    g_assert_cmphex(ev.type, ==, SL_EVT_C_BAD_STE);
    g_assert_cmphex(ev.reason, ==, 1);
    g_assert_cmphex(ev.sid, ==, DG_SID);
    while (sl_evt_pop(f->s, &ev)) {
        g_assert_cmphex(ev.type, ==, SL_EVT_C_BAD_STE);
    }
    sl_ste_simple(f->s, DG_SID, SL_CFG_BYPASS);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, buf, 64), ==, DMA_GEN_ERR_OK);
    sl_ste_simple(f->s, DG_SID, SL_CFG_ABORT);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, buf, 64), ==, DMA_GEN_ERR_DMA_WRITE);
    /* abort is silent */
    g_assert_cmpint(sl_evt_count(f->s), ==, 0);
    flow_stop(f);
}

static void s1_block(uint64_t size)
{
    Flow *f = flow_start(NULL);
    uint64_t root = s1_stream(f, 7);
    uint64_t buf = sl_alloc(f->s, 0x2000, 0x1000);
    uint64_t iova_base = 0x5000000000ULL;   /* 1 GiB aligned, far from RAM */
    uint64_t pa_base = buf & ~(size - 1);
    uint64_t iova = iova_base + (buf - pa_base);
    uint32_t len = size == SL_SIZE_4K ? 0x1000 : 0x2000;

    sl_map(f->s, root, T0SZ, iova_base, pa_base, size, RW_AF);
    g_assert_cmpuint(fill(f, iova, len), ==, DMA_GEN_ERR_OK);
    g_assert_true(holds_pattern(f, buf, len));
    /* a 4K leaf covers one page only */
    if (size == SL_SIZE_4K) {
        g_assert_cmpuint(fill(f, iova + 0x1000, 4), ==,
                         DMA_GEN_ERR_DMA_WRITE);
    }
    /* the write set DIRTY in the leaf */
    g_assert(qtest_readq(f->s->qts, sl_pte_addr(f->s, root, T0SZ, iova)) &
             SL_PTE_DIRTY);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-walks"), >=, 1);
    flow_stop(f);
}

static void test_s1_4k(void)
{
    s1_block(SL_SIZE_4K);
}

static void test_s1_2m(void)
{
    s1_block(SL_SIZE_2M);
}

static void test_s1_1g(void)
{
    s1_block(SL_SIZE_1G);
}

static void test_s2(void)
{
    Flow *f = flow_start(NULL);
    uint64_t root = sl_pt_new(f->s);
    uint64_t buf = sl_alloc(f->s, 0x1000, 0x1000);
    uint64_t ipa = 0x7000000000ULL;

    sl_map(f->s, root, T0SZ, ipa, buf, SL_SIZE_4K, RW_AF);
    sl_ste_s2(f->s, DG_SID, 3, root, T0SZ);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, ipa, 0x1000), ==, DMA_GEN_ERR_OK);
    g_assert_true(holds_pattern(f, buf, 0x1000));
    flow_stop(f);
}

/*
 * The nested stream of test_nested: stage 2 maps IPA [0, 1G) and [1G, 2G)
 * both to PA [0, 1G); stage 1 (ASID 9, tables and CD at IPA == PA, VMID 4)
 * sends @iova to IPA 1G + @buf.
 */
static void nested_stream(Flow *f, uint64_t s2, uint64_t s1, uint64_t iova,
                          uint64_t buf)
{
    sl_map(f->s, s2, T0SZ, 0, 0, SL_SIZE_1G, RW_AF);
    sl_map(f->s, s2, T0SZ, SL_SIZE_1G, 0, SL_SIZE_1G, RW_AF);
    sl_map(f->s, s1, T0SZ, iova, SL_SIZE_1G + buf, SL_SIZE_4K, RW_AF);
    sl_ste_nested(f->s, DG_SID, sl_cd_new(f->s, 9, T0SZ, s1), 4, s2, T0SZ);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
}

/*
 * Nested: stage 2 maps IPA [0, 1G) to PA [0, 1G) and IPA [1G, 2G) to PA
 * [0, 1G) again; stage 1 (its tables and CD at IPA == PA) sends the IOVA to
 * IPA 1G + buf. Only both stages together land the data at buf.
 */
static void test_nested(void)
{
    Flow *f = flow_start(NULL);
    uint64_t s2 = sl_pt_new(f->s), s1 = sl_pt_new(f->s);
    uint64_t buf = sl_alloc(f->s, 0x1000, 0x1000);
    uint64_t iova = 0x123456000ULL;

    nested_stream(f, s2, s1, iova, buf);
    g_assert_cmpuint(fill(f, iova, 0x1000), ==, DMA_GEN_ERR_OK);
    g_assert_true(holds_pattern(f, buf, 0x1000));
    flow_stop(f);
}

/*
 * Nested dirty tracking: setting DIRTY in the stage-1 leaf writes its table
 * page through stage 2, so the stage-2 leaf mapping that page is dirtied
 * too (a VMM copying the guest's page tables must see them change). Stage
 * 1's tables sit in IPA [0, 1G), mapped by one stage-2 block, the data in
 * IPA [1G, 2G), mapped by another.
 */
static void test_nested_dirty_tables(void)
{
    Flow *f = flow_start(NULL);
    uint64_t s2 = sl_pt_new(f->s), s1 = sl_pt_new(f->s);
    uint64_t buf = sl_alloc(f->s, 0x1000, 0x1000);
    uint64_t iova = 0x123456000ULL;
    uint64_t leaf, tt, data;
    SLEvent ev;

    nested_stream(f, s2, s1, iova, buf);
    leaf = sl_pte_addr(f->s, s1, T0SZ, iova);       /* IPA == PA below 1G */
    tt = sl_pte_addr(f->s, s2, T0SZ, leaf);
    data = sl_pte_addr(f->s, s2, T0SZ, SL_SIZE_1G + buf);
    g_assert(leaf && tt && data && tt != data);

    /* a read dirties nothing; a write all three leaves */
    g_assert_cmpuint(dma_gen_verify(f->d, iova, 16, 0), !=, DMA_GEN_ERR_DMA_READ);
    g_assert_false(qtest_readq(f->s->qts, tt) & SL_PTE_DIRTY);
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    g_assert_true(holds_pattern(f, buf, 64));
    g_assert_true(qtest_readq(f->s->qts, leaf) & SL_PTE_DIRTY);
    g_assert_true(qtest_readq(f->s->qts, data) & SL_PTE_DIRTY);
    g_assert_true(qtest_readq(f->s->qts, tt) & SL_PTE_DIRTY);

    /*
     * Stage 2 lets the device read the tables but not write them: the
     * stage-1 leaf cannot be dirtied, and the write faults at stage 2
     * (CLASS=TT, ADDR2 = the leaf's IPA) without touching any leaf.
     */
    qtest_writeq(f->s->qts, leaf,
                 qtest_readq(f->s->qts, leaf) & ~SL_PTE_DIRTY);
    qtest_writeq(f->s->qts, data,
                 qtest_readq(f->s->qts, data) & ~SL_PTE_DIRTY);
    qtest_writeq(f->s->qts, tt,
                 qtest_readq(f->s->qts, tt) & ~(SL_PTE_DIRTY | SL_PTE_W));
    g_assert(sl_tlbi_all(f->s) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_DMA_WRITE);
    g_assert_true(sl_evt_pop(f->s, &ev));
    g_assert_cmphex(ev.type, ==, SL_EVT_F_PERMISSION);
    g_assert_true(ev.s2);
    g_assert_cmpuint(ev.class, ==, 2);
    g_assert_cmphex(ev.addr2, ==, leaf);
    g_assert_cmphex(ev.iova, ==, iova);
    g_assert_false(qtest_readq(f->s->qts, leaf) & SL_PTE_DIRTY);
    g_assert_false(qtest_readq(f->s->qts, data) & SL_PTE_DIRTY);
    g_assert_false(qtest_readq(f->s->qts, tt) & SL_PTE_DIRTY);
    while (sl_evt_pop(f->s, &ev)) {
        g_assert_cmphex(ev.type, ==, SL_EVT_F_PERMISSION);
    }

    /* a stage-1 leaf dirty already needs no write to its table: no fault */
    qtest_writeq(f->s->qts, leaf,
                 qtest_readq(f->s->qts, leaf) | SL_PTE_DIRTY);
    g_assert(sl_tlbi_all(f->s) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    g_assert_true(qtest_readq(f->s->qts, data) & SL_PTE_DIRTY);
    g_assert_false(qtest_readq(f->s->qts, tt) & SL_PTE_DIRTY);
    g_assert_cmpint(sl_evt_count(f->s), ==, 0);
    flow_stop(f);
}

/*
 * TLBI_ASID and TLBI_VA name (ASID, VMID): a nested entry of ASID 9 under
 * VMID 4 is dropped by (9, 4) only, not by the host's S1 ASID 9 (VMID 0)
 * nor by another VMID; S1 entries answer to VMID 0 only.
 */
static void test_nested_tlbi_vmid(void)
{
    Flow *f = flow_start(NULL);
    uint64_t s2 = sl_pt_new(f->s), s1 = sl_pt_new(f->s);
    uint64_t a = sl_alloc(f->s, 0x1000, 0x1000);
    uint64_t b = sl_alloc(f->s, 0x1000, 0x1000);
    uint64_t iova = 0x123456000ULL, pte, cd;
    const uint64_t asid9 = 9ULL << 48;

    sl_map(f->s, s2, T0SZ, 0, 0, SL_SIZE_1G, RW_AF);
    sl_map(f->s, s1, T0SZ, iova, a, SL_SIZE_4K, RW_AF);
    cd = sl_cd_new(f->s, 9, T0SZ, s1);
    sl_ste_nested(f->s, DG_SID, cd, 4, s2, T0SZ);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    g_assert_true(holds_pattern(f, a, 64));

    /* the stage-1 leaf now says b; the cached entry still says a */
    pte = sl_pte_addr(f->s, s1, T0SZ, iova);
    qtest_writeq(f->s->qts, pte, b | SL_PTE_V | SL_PTE_T | SL_PTE_AF | RW_AF);
    g_assert(sl_cmd(f->s, SL_CMD_TLBI_ASID | asid9, 0) && sl_sync(f->s));
    g_assert(sl_cmd(f->s, SL_CMD_TLBI_ASID | asid9 | 5ULL << 32, 0) &&
             sl_sync(f->s));
    g_assert(sl_cmd(f->s, SL_CMD_TLBI_VA | asid9 | 1ULL << 12, iova) &&
             sl_sync(f->s));
    dma_gen_guest_fill(f->s->qts, a, 64, 0);
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    g_assert_true(holds_pattern(f, a, 64));
    g_assert_false(holds_pattern(f, b, 64));

    /* (9, 4) by range: now b */
    g_assert(sl_cmd(f->s, SL_CMD_TLBI_VA | asid9 | 4ULL << 32 | 1ULL << 12,
                    iova) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    g_assert_true(holds_pattern(f, b, 64));

    /* and back to a, by ASID */
    qtest_writeq(f->s->qts, pte, a | SL_PTE_V | SL_PTE_T | SL_PTE_AF | RW_AF);
    dma_gen_guest_fill(f->s->qts, a, 64, 0);
    g_assert(sl_cmd(f->s, SL_CMD_TLBI_ASID | asid9 | 4ULL << 32, 0) &&
             sl_sync(f->s));
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    g_assert_true(holds_pattern(f, a, 64));

    /* an S1 entry of ASID 9 is not dropped by (9, 4) */
    sl_ste_s1(f->s, DG_SID, cd);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    qtest_writeq(f->s->qts, pte, b | SL_PTE_V | SL_PTE_T | SL_PTE_AF | RW_AF);
    dma_gen_guest_fill(f->s->qts, a, 64, 0);
    dma_gen_guest_fill(f->s->qts, b, 64, 0);
    g_assert(sl_cmd(f->s, SL_CMD_TLBI_ASID | asid9 | 4ULL << 32, 0) &&
             sl_sync(f->s));
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    g_assert_true(holds_pattern(f, a, 64));
    g_assert(sl_cmd(f->s, SL_CMD_TLBI_ASID | asid9, 0) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    g_assert_true(holds_pattern(f, b, 64));
    flow_stop(f);
}

static void test_faults(void)
{
    Flow *f = flow_start(NULL);
    uint64_t root = s1_stream(f, 5);
    uint64_t buf = sl_alloc(f->s, 0x1000, 0x1000);
    uint64_t iova = 0x40001000ULL;
    SLEvent ev;

    /* translation fault: nothing mapped */
    g_assert_cmpuint(fill(f, iova, 16), ==, DMA_GEN_ERR_DMA_WRITE);
    g_assert_true(sl_evt_pop(f->s, &ev));
    g_assert_cmphex(ev.type, ==, SL_EVT_F_TRANSLATION);
    g_assert_cmphex(ev.sid, ==, DG_SID);
    g_assert_cmphex(ev.iova, ==, iova);
    g_assert_true(ev.wnr);
    g_assert_cmphex(ev.asid, ==, 5);
    /* the device may retry the rest of its burst: same fault each time */
    while (sl_evt_pop(f->s, &ev)) {
        g_assert_cmphex(ev.type, ==, SL_EVT_F_TRANSLATION);
    }

    /* permission fault: read-only page written */
    sl_map(f->s, root, T0SZ, iova, buf, SL_SIZE_4K, SL_PTE_R);
    g_assert_cmpuint(fill(f, iova + 8, 16), ==, DMA_GEN_ERR_DMA_WRITE);
    g_assert_true(sl_evt_pop(f->s, &ev));
    g_assert_cmphex(ev.type, ==, SL_EVT_F_PERMISSION);
    g_assert_cmphex(ev.iova, ==, iova + 8);
    g_assert_true(ev.wnr);
    while (sl_evt_pop(f->s, &ev)) {
        g_assert_cmphex(ev.type, ==, SL_EVT_F_PERMISSION);
    }
    /* reading it is fine: verify reads through the IOMMU */
    dma_gen_guest_fill(f->s->qts, buf, 16, PATTERN);
    g_assert_cmpuint(dma_gen_verify(f->d, iova, 16, PATTERN), ==,
                     DMA_GEN_ERR_OK);
    g_assert_false(sl_evt_pop(f->s, &ev));

    g_assert_cmpuint(sl_qom_u64(f->s, "stat-translation-faults"), >=, 1);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-permission-faults"), >=, 1);
    flow_stop(f);
}

/*
 * DIRTY's compare-and-swap finds the leaf invalid (cleared by software
 * without a TLBI, after a read cached the translation): the write faults
 * with F_TRANSLATION reason 2 at LEVEL 3, naming the stage that faulted as
 * any fault does: S2=0 and ADDR2 0 at stage 1, S2=1 and ADDR2 = the IPA at
 * stage 2.
 */
static void dirty_cas_fails(Flow *f, uint64_t root, uint64_t iova,
                            bool s2, uint64_t addr2)
{
    uint64_t buf = sl_alloc(f->s, 0x1000, 0x1000);
    SLEvent ev;

    sl_map(f->s, root, T0SZ, iova & ~0xfffULL, buf, SL_SIZE_4K, RW_AF);
    dma_gen_guest_fill(f->s->qts, buf, 0x1000, PATTERN);
    g_assert_cmpuint(dma_gen_verify(f->d, iova, 16, PATTERN), ==,
                     DMA_GEN_ERR_OK);
    qtest_writeq(f->s->qts, sl_pte_addr(f->s, root, T0SZ, iova), 0);

    g_assert_cmpuint(fill(f, iova, 16), ==, DMA_GEN_ERR_DMA_WRITE);
    g_assert_true(sl_evt_pop(f->s, &ev));
    g_assert_cmphex(ev.type, ==, SL_EVT_F_TRANSLATION);
    g_assert_cmpuint(ev.reason, ==, 2);
    g_assert_cmpuint(ev.level, ==, 3);
    g_assert_true(ev.wnr);
    g_assert_cmphex(ev.iova, ==, iova);
    g_assert_cmpint(ev.s2, ==, s2);
    g_assert_cmphex(ev.addr2, ==, addr2);
}

static void test_dirty_cas_fault_s1(void)
{
    Flow *f = flow_start(NULL);
    uint64_t iova = 0x40003010ULL;

    dirty_cas_fails(f, s1_stream(f, 6), iova, false, 0);
    flow_stop(f);
}

static void test_dirty_cas_fault_s2(void)
{
    Flow *f = flow_start(NULL);
    uint64_t root = sl_pt_new(f->s);
    uint64_t ipa = 0x7000002010ULL;

    sl_ste_s2(f->s, DG_SID, 3, root, T0SZ);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    dirty_cas_fails(f, root, ipa, true, ipa);
    flow_stop(f);
}

/*
 * One CMDQ_PROD write runs at most 2^LOG2SIZE commands, also when PROD is
 * past "full" (more than a queue's worth ahead of CONS: a guest error) and
 * the commands are SYNCs that each send their MSI.
 */
static void test_cmdq_trigger_bound(void)
{
    Flow *f = flow_start(NULL);
    uint32_t n = 1u << f->s->cmdq_log2;
    uint32_t wrap = 2 * n - 1;
    uint32_t cons = sl_readl(f->s, SL_CMDQ_CONS) & wrap;
    uint64_t flag = sl_alloc(f->s, 8, 8);

    for (uint32_t i = 0; i < n; i++) {
        qtest_writeq(f->s->qts, f->s->cmdq + i * 16ULL,
                     SL_CMD_SYNC | SL_CMD_SYNC_CS_IRQ | (uint64_t)i << 32);
        qtest_writeq(f->s->qts, f->s->cmdq + i * 16ULL + 8, flag);
    }
    /* PROD 2^(LOG2SIZE+1) - 1 entries ahead of CONS */
    sl_writel(f->s, SL_CMDQ_PROD, (cons - 1) & wrap);
    g_assert_cmphex(sl_readl(f->s, SL_CMDQ_CONS) & wrap, ==,
                    (cons + n) & wrap);
    g_assert_false(sl_gerror_active(f->s, SL_GERROR_CMDQ));
    flow_stop(f);
}

/* Cached translations and configurations stay in use until invalidated. */
static void test_stale_until_invalidated(void)
{
    Flow *f = flow_start(NULL);
    uint64_t root = s1_stream(f, 6);
    uint64_t a = sl_alloc(f->s, 0x1000, 0x1000);
    uint64_t b = sl_alloc(f->s, 0x1000, 0x1000);
    uint64_t iova = 0x80000000ULL;
    uint64_t pte;

    sl_map(f->s, root, T0SZ, iova, a, SL_SIZE_4K, RW_AF);
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    g_assert_true(holds_pattern(f, a, 64));

    /* remap to b without TLBI: the IOTLB still says a */
    pte = sl_pte_addr(f->s, root, T0SZ, iova);
    qtest_writeq(f->s->qts, pte, b | SL_PTE_V | SL_PTE_T | SL_PTE_AF | RW_AF);
    dma_gen_guest_fill(f->s->qts, a, 64, 0);
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    g_assert_true(holds_pattern(f, a, 64));
    g_assert_false(holds_pattern(f, b, 64));
    /* TLBI by ASID + SYNC: now b */
    g_assert(sl_cmd(f->s, SL_CMD_TLBI_ASID | 6ULL << 48, 0) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    g_assert_true(holds_pattern(f, b, 64));

    /* STE to abort without CFGI: the config cache still translates */
    sl_ste_simple(f->s, DG_SID, SL_CFG_ABORT);
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_DMA_WRITE);

    g_assert_cmpuint(sl_qom_u64(f->s, "stat-iotlb-hits"), >=, 1);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-config-hits"), >=, 1);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-invalidations"), >=, 2);
    flow_stop(f);
}

/*
 * The tear window catches a driver that rewrites a live STE in an unsafe
 * order. The stream moves from stage 1 (word 1: CD pointer) to stage 2
 * (words 2-3) while dma-gen keeps translating through it:
 *  - unsafe: the new words 1-3 go in first (clearing the CD pointer the
 *    live stage-1 config uses), then word 0. A fetch in flight pairs the
 *    old word 0 with the new word 1: a torn STE, refused, and counted as a
 *    disruption once the stream translates again;
 *  - safe: words 2-3 (unused by stage 1) first, then word 0, CFGI + SYNC,
 *    and only then word 1 is cleared. Every fetch sees old or new.
 * Without a tear window the unsafe order gets lucky.
 */
static uint64_t tear_run(uint64_t window_ns, bool safe, char **log)
{
    Flow *f;
    uint64_t s1, s2, buf, iova = 0x90000000ULL, cd, d;
    char props[64];

    snprintf(props, sizeof(props), "tear-window-ns=%" PRIu64, window_ns);
    f = flow_start(props);
    buf = sl_alloc(f->s, 0x1000, 0x1000);
    s1 = sl_pt_new(f->s);
    s2 = sl_pt_new(f->s);
    sl_map(f->s, s1, T0SZ, iova, buf, SL_SIZE_4K, RW_AF);
    sl_map(f->s, s2, T0SZ, iova, buf, SL_SIZE_4K, RW_AF);
    cd = sl_cd_new(f->s, 1, T0SZ, s1);
    sl_ste_s1(f->s, DG_SID, cd);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    /* translating on stage 1, fetch completed and cached */
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    qtest_clock_step(f->s->qts, window_ns + 1);
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    sl_stats_reset(f->s);

    /* the driver invalidates, and traffic starts a new fetch at once */
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    fill(f, iova, 64);
    if (safe) {
        sl_ste_word(f->s, DG_SID, 2, s2 | T0SZ);
        sl_ste_word(f->s, DG_SID, 3, 2);
        fill(f, iova, 64);
        sl_ste_word(f->s, DG_SID, 0, SL_STE0(SL_CFG_S2));
        fill(f, iova, 64);
        g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
        fill(f, iova, 64);
        sl_ste_word(f->s, DG_SID, 1, 0);
    } else {
        sl_ste_word(f->s, DG_SID, 1, 0);
        sl_ste_word(f->s, DG_SID, 2, s2 | T0SZ);
        sl_ste_word(f->s, DG_SID, 3, 2);
        fill(f, iova, 64);
        sl_ste_word(f->s, DG_SID, 0, SL_STE0(SL_CFG_S2));
    }
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    /* traffic goes on through and after the window */
    fill(f, iova, 64);
    qtest_clock_step(f->s->qts, window_ns + 1);
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    /* the stream ended on stage 2 */
    d = qtest_readq(f->s->qts, sl_ste_addr(f->s, DG_SID));
    g_assert_cmphex(d, ==, SL_STE0(SL_CFG_S2));
    d = sl_qom_u64(f->s, "stat-disruptions");
    if (log) {
        *log = sl_qom_str(f->s, "disruption-log");
    }
    flow_stop(f);
    return d;
}

static void test_tear_unsafe_caught(void)
{
    g_assert_cmpuint(tear_run(1000000, false, NULL), >=, 1);
}

static void test_tear_safe_clean(void)
{
    g_autofree char *log = NULL;

    g_assert_cmpuint(tear_run(1000000, true, &log), ==, 0);
    g_assert_cmpstr(log, ==, "");
}

static void test_tear_off_lucky(void)
{
    g_assert_cmpuint(tear_run(0, false, NULL), ==, 0);
}

/*
 * The evidence of the unsafe order's disruption: the STE the device
 * fetched pairs word 0 of the stage-1 STE it had accepted with word 1 of
 * the stage-2 STE it accepted next, and the record names the event the
 * torn words gave.
 */
static void test_tear_explained(void)
{
    g_autofree char *log = NULL;
    uint64_t ste[4], last[4], next[4];
    unsigned sid, type, reason;
    int64_t t;
    int n;

    g_assert_cmpuint(tear_run(1000000, false, &log), >=, 1);
    n = sscanf(log, "first t=%" SCNd64 " sid=0x%x event=0x%x reason=%u "
               "ste=%" SCNx64 ":%" SCNx64 ":%" SCNx64 ":%" SCNx64
               " last=%" SCNx64 ":%" SCNx64 ":%" SCNx64 ":%" SCNx64
               " next=%" SCNx64 ":%" SCNx64 ":%" SCNx64 ":%" SCNx64,
               &t, &sid, &type, &reason, &ste[0], &ste[1], &ste[2], &ste[3],
               &last[0], &last[1], &last[2], &last[3],
               &next[0], &next[1], &next[2], &next[3]);
    g_assert_cmpint(n, ==, 16);
    g_assert_cmphex(sid, ==, DG_SID);
    g_assert_cmphex(type, !=, 0);
    /* torn: the old word 0 (stage 1) with the new word 1 (no CD pointer) */
    g_assert_cmphex(last[0], ==, SL_STE0(SL_CFG_S1));
    g_assert_cmphex(next[0], ==, SL_STE0(SL_CFG_S2));
    g_assert_cmphex(ste[0], ==, last[0]);
    g_assert_cmphex(ste[1], ==, next[1]);
    g_assert_cmphex(ste[1], !=, last[1]);
    g_assert_nonnull(strstr(log, "\nlast t="));
}

/*
 * Two dma-gen functions behind a conventional PCI bridge DMA with the
 * bridge's requester ID: one STE serves both.
 */
static void test_bridge_alias(void)
{
    SLite *s = sl_start(NULL, "-device pci-bridge,id=br0,chassis_nr=1,addr=05.0 "
                        "-device dma-gen,bus=br0,addr=01.0 "
                        "-device dma-gen,bus=br0,addr=02.0");
    uint32_t bridge_sid = 5 << 3;
    uint64_t root, buf, iova = 0x66000000ULL;
    DmaGen *d[2];
    char *stats;
    int i;

    qpci_secondary_buses_init(s->pcibus);
    dma_gen_bridge_window(s->pcibus, QPCI_DEVFN(5, 0), 1 << 20);
    for (i = 0; i < 2; i++) {
        d[i] = dma_gen_init(s->qts, s->pcibus, 1 << 8 | QPCI_DEVFN(i + 1, 0));
    }
    sl_setup(s, 8, 0, 0);
    root = sl_pt_new(s);
    buf = sl_alloc(s, 0x1000, 0x1000);
    sl_map(s, root, T0SZ, iova, buf, SL_SIZE_4K, RW_AF);
    sl_ste_s1(s, bridge_sid, sl_cd_new(s, 2, T0SZ, root));
    g_assert(sl_cfgi_ste(s, bridge_sid) && sl_sync(s));
    for (i = 0; i < 2; i++) {
        g_assert_cmpuint(dma_gen_fill(d[i], iova + i * 64, 64, PATTERN), ==,
                         DMA_GEN_ERR_OK);
        g_assert_cmpuint(dma_gen_guest_check(s->qts, buf + i * 64, 64,
                                             PATTERN), ==, 64);
    }
    stats = sl_qom_str(s, "stream-stats");
    g_assert_nonnull(strstr(stats, "sid=0x0028 translations=2"));
    g_assert_null(strstr(stats, "sid=0x0108"));
    g_free(stats);
    for (i = 0; i < 2; i++) {
        dma_gen_free(d[i]);
    }
    g_assert(sl_alive(s));
    sl_stop(s);
}

/*
 * The PCI functions QEMU reports below @devices (a query-pci "devices"
 * list), smmu-lite excluded: the count, and in @sids (if not NULL) the
 * requester IDs of those on the bus itself.
 */
static unsigned pci_functions(QList *devices, GArray *sids)
{
    QListEntry *e;
    unsigned n = 0;

    QLIST_FOREACH_ENTRY(devices, e) {
        QDict *dev = qobject_to(QDict, qlist_entry_obj(e));
        QDict *id = qdict_get_qdict(dev, "id");
        uint32_t sid = qdict_get_int(dev, "bus") << 8 |
                       qdict_get_int(dev, "slot") << 3 |
                       qdict_get_int(dev, "function");

        if (qdict_get_int(id, "vendor") == 0x1b36 &&
            qdict_get_int(id, "device") == 0x0120) {
            continue;
        }
        n++;
        if (sids) {
            g_array_append_val(sids, sid);
        }
        if (qdict_haskey(dev, "pci_bridge")) {
            QDict *br = qdict_get_qdict(dev, "pci_bridge");

            n += pci_functions(qdict_get_qlist(br, "devices"), NULL);
        }
    }
    return n;
}

/* Functions of the machine (all on bus 0's hierarchy); @sids of bus 0. */
static unsigned machine_functions(SLite *s, GArray *sids)
{
    QDict *rsp = qtest_qmp(s->qts, "{ 'execute': 'query-pci' }");
    QList *buses = qdict_get_qlist(rsp, "return");
    QDict *bus0;
    unsigned n;

    g_assert_cmpuint(qlist_size(buses), ==, 1);
    bus0 = qobject_to(QDict, qlist_peek(buses));
    n = pci_functions(qdict_get_qlist(bus0, "devices"), sids);
    qobject_unref(rsp);
    return n;
}

/* Enable translation afresh; how many functions had no STE then? */
static uint64_t enable_uncovered(SLite *s)
{
    sl_set_cr0(s, SL_CR0_EVTQEN | SL_CR0_CMDQEN);
    sl_stats_reset(s);
    sl_set_cr0(s, SL_CR0_EVTQEN | SL_CR0_CMDQEN | SL_CR0_SMMUEN);
    return sl_qom_u64(s, "stat-enable-uncovered");
}

/*
 * stat-enable-uncovered: at each SMMUEN 0->1, the functions whose stream
 * has no valid STE; and the QOM property cr0.
 */
static void test_enable_uncovered(void)
{
    Flow *f = g_new0(Flow, 1);
    GArray *sids = g_array_new(false, false, sizeof(uint32_t));
    unsigned n, i;

    f->s = sl_start(NULL, "-device dma-gen,id=dg,addr=04.0");
    f->d = dma_gen_init(f->s->qts, f->s->pcibus, QPCI_DEVFN(DG_SLOT, 0));
    n = machine_functions(f->s, sids);
    g_assert_cmpuint(n, ==, sids->len);
    g_assert_cmpuint(n, >=, 2);
    g_assert_cmpuint(sl_qom_u64(f->s, "cr0"), ==, 0);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-enable-uncovered"), ==, 0);

    /* no stream table at all: every function counts, once per 0->1 */
    sl_writel(f->s, SL_CR0, SL_CR0_SMMUEN);
    g_assert_cmpuint(sl_qom_u64(f->s, "cr0"), ==, SL_CR0_SMMUEN);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-enable-uncovered"), ==, n);
    sl_writel(f->s, SL_CR0, SL_CR0_SMMUEN);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-enable-uncovered"), ==, n);
    sl_writel(f->s, SL_CR0, 0);
    sl_writel(f->s, SL_CR0, SL_CR0_SMMUEN);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-enable-uncovered"), ==, 2 * n);
    sl_writel(f->s, SL_CR0, 0);
    sl_stats_reset(f->s);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-enable-uncovered"), ==, 0);

    /* a linear table of invalid STEs */
    sl_setup(f->s, 8, 0, 0);
    g_assert_cmpuint(sl_qom_u64(f->s, "cr0"), ==,
                     SL_CR0_EVTQEN | SL_CR0_CMDQEN | SL_CR0_SMMUEN);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-enable-uncovered"), ==, n);

    /* dma-gen's STE written first: one function fewer */
    sl_ste_simple(f->s, DG_SID, SL_CFG_BYPASS);
    g_assert_cmpuint(enable_uncovered(f->s), ==, n - 1);

    /* every function with a valid STE (abort is valid too): none */
    for (i = 0; i < sids->len; i++) {
        uint32_t sid = g_array_index(sids, uint32_t, i);

        if (sid != DG_SID) {
            sl_ste_simple(f->s, sid, i & 1 ? SL_CFG_ABORT : SL_CFG_BYPASS);
        }
    }
    g_assert_cmpuint(enable_uncovered(f->s), ==, 0);
    g_assert_cmpuint(fill(f, sl_alloc(f->s, 64, 64), 64), ==,
                     DMA_GEN_ERR_OK);

    /* V=0 again for dma-gen */
    sl_ste_word(f->s, DG_SID, 0, 0);
    g_assert_cmpuint(enable_uncovered(f->s), ==, 1);
    flow_stop(f);
    g_array_free(sids, true);
}

/* The same, with a 2-level table, and with functions behind a bridge. */
static void test_enable_uncovered_2lvl_bridge(void)
{
    SLite *s = sl_start(NULL, "-device pci-bridge,id=br0,chassis_nr=1,"
                        "addr=05.0 -device dma-gen,bus=br0,addr=01.0 "
                        "-device dma-gen,bus=br0,addr=02.0");
    GArray *sids = g_array_new(false, false, sizeof(uint32_t));
    uint32_t bridge_sid = 5 << 3;
    unsigned n, i;

    qpci_secondary_buses_init(s->pcibus);
    n = machine_functions(s, sids);
    /* the bridge and the two functions behind it */
    g_assert_cmpuint(n, ==, sids->len + 2);

    /* level-1 descriptors all invalid */
    sl_setup(s, 16, 1, 6);
    g_assert_cmpuint(sl_qom_u64(s, "stat-enable-uncovered"), ==, n);

    /*
     * The functions behind the bridge use its requester ID: the bridge's
     * STE covers all three. The others are still missing.
     */
    sl_ste_simple(s, bridge_sid, SL_CFG_BYPASS);
    g_assert_cmpuint(enable_uncovered(s), ==, n - 3);
    for (i = 0; i < sids->len; i++) {
        sl_ste_simple(s, g_array_index(sids, uint32_t, i), SL_CFG_BYPASS);
    }
    g_assert_cmpuint(enable_uncovered(s), ==, 0);
    sl_ste_word(s, bridge_sid, 0, 0);
    g_assert_cmpuint(enable_uncovered(s), ==, 3);
    g_assert(sl_alive(s));
    sl_stop(s);
    g_array_free(sids, true);
}

/* STE.SNP (force snooped DMA) with snoop-ctl on: S1 and S2 count it. */
static void test_snoop_forced(void)
{
    Flow *f = flow_start(NULL);
    uint64_t root = sl_pt_new(f->s);
    uint64_t buf = sl_alloc(f->s, 0x2000, 0x1000);
    uint64_t iova = 0x40000000ULL;
    uint64_t w[4] = { SL_STE0(SL_CFG_S1) | SL_STE0_SNP, 0, 0, 0 };
    g_autofree char *stats = NULL, *want = NULL;
    uint64_t n, t;

    g_assert(sl_readl(f->s, SL_IDR0) & SL_IDR0_SNPCTL);
    sl_map(f->s, root, T0SZ, iova, buf, SL_SIZE_4K, RW_AF);
    w[1] = sl_cd_new(f->s, 4, T0SZ, root);
    sl_ste_write(f->s, DG_SID, w);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    sl_stats_reset(f->s);

    /* first fill: walk (slow path); second: IOTLB hit (lock-free path) */
    g_assert_cmpuint(fill(f, iova, 0x1000), ==, DMA_GEN_ERR_OK);
    g_assert_true(holds_pattern(f, buf, 0x1000));
    n = sl_qom_u64(f->s, "stat-snoop-forced");
    g_assert_cmpuint(n, >=, 1);
    g_assert_cmpuint(n, ==, sl_qom_u64(f->s, "stat-translations"));
    g_assert_cmpuint(fill(f, iova, 0x1000), ==, DMA_GEN_ERR_OK);
    t = sl_qom_u64(f->s, "stat-translations");
    g_assert_cmpuint(t, >, n);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-snoop-forced"), ==, t);
    stats = sl_qom_str(f->s, "stream-stats");
    want = g_strdup_printf("snoop_forced=%" PRIu64 "\n", t);
    g_assert_nonnull(strstr(stats, want));

    /* SNP=0: translations, no snoop-forced */
    sl_ste_word(f->s, DG_SID, 0, SL_STE0(SL_CFG_S1));
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, iova, 0x1000), ==, DMA_GEN_ERR_OK);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-translations"), >, t);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-snoop-forced"), ==, t);

    /* S2 with SNP=1 */
    w[0] = SL_STE0(SL_CFG_S2) | SL_STE0_SNP;
    w[1] = 0;
    w[2] = root | T0SZ;
    w[3] = 3;
    sl_ste_write(f->s, DG_SID, w);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    sl_stats_reset(f->s);
    g_assert_cmpuint(fill(f, iova, 0x1000), ==, DMA_GEN_ERR_OK);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-snoop-forced"), >=, 1);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-snoop-forced"), ==,
                     sl_qom_u64(f->s, "stat-translations"));
    g_assert_cmpint(sl_evt_count(f->s), ==, 0);
    flow_stop(f);
}

/* snoop-ctl=off: IDR0.SNPCTL=0 and a translating STE with SNP=1 refused. */
static void test_snoop_ctl_off(void)
{
    Flow *f = flow_start("snoop-ctl=off");
    uint64_t root = sl_pt_new(f->s);
    uint64_t buf = sl_alloc(f->s, 0x1000, 0x1000);
    uint64_t iova = 0x40000000ULL;
    uint64_t w[4] = { SL_STE0(SL_CFG_S1) | SL_STE0_SNP, 0, 0, 0 };
    SLEvent ev;

    g_assert_false(sl_readl(f->s, SL_IDR0) & SL_IDR0_SNPCTL);
    sl_map(f->s, root, T0SZ, iova, buf, SL_SIZE_4K, RW_AF);
    w[1] = sl_cd_new(f->s, 4, T0SZ, root);
    sl_ste_write(f->s, DG_SID, w);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_DMA_WRITE);
    g_assert_true(sl_evt_pop(f->s, &ev));
    g_assert_cmphex(ev.type, ==, SL_EVT_C_BAD_STE);
    g_assert_cmpuint(ev.reason, ==, 6);
    g_assert_cmphex(ev.sid, ==, DG_SID);
    g_assert_cmphex(ev.addr2, ==, sl_ste_addr(f->s, DG_SID));
    while (sl_evt_pop(f->s, &ev)) {
        g_assert_cmphex(ev.type, ==, SL_EVT_C_BAD_STE);
    }
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-config-refusals"), >=, 1);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-translations"), ==, 0);

    /* S2 and nested are refused the same way */
    w[0] = SL_STE0(SL_CFG_S2) | SL_STE0_SNP;
    w[2] = root | T0SZ;
    sl_ste_write(f->s, DG_SID, w);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_DMA_WRITE);
    w[0] = SL_STE0(SL_CFG_NESTED) | SL_STE0_SNP;
    sl_ste_write(f->s, DG_SID, w);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_DMA_WRITE);
    while (sl_evt_pop(f->s, &ev)) {
        g_assert_cmphex(ev.type, ==, SL_EVT_C_BAD_STE);
        g_assert_cmpuint(ev.reason, ==, 6);
    }

    /* bypass does not use SNP */
    sl_ste_word(f->s, DG_SID, 0, SL_STE0(SL_CFG_BYPASS) | SL_STE0_SNP);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, buf, 64), ==, DMA_GEN_ERR_OK);

    /* the same S1 STE without SNP translates */
    w[0] = SL_STE0(SL_CFG_S1);
    sl_ste_write(f->s, DG_SID, w);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, iova, 64), ==, DMA_GEN_ERR_OK);
    g_assert_true(holds_pattern(f, buf, 64));
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-snoop-forced"), ==, 0);
    g_assert_cmpint(sl_evt_count(f->s), ==, 0);
    flow_stop(f);
}

/* 2-level stream table: a SID in the second level-2 table. */
static void test_two_level(void)
{
    SLite *s = sl_start(NULL, "-device dma-gen,addr=09.0");
    DmaGen *d = dma_gen_init(s->qts, s->pcibus, QPCI_DEVFN(9, 0));
    uint32_t sid = 9 << 3;          /* level-1 index 1, level-2 index 8 */
    uint64_t root, buf, iova = 0x11000000ULL;
    SLEvent ev;

    sl_setup(s, 16, 1, 6);
    root = sl_pt_new(s);
    buf = sl_alloc(s, 0x1000, 0x1000);
    sl_map(s, root, T0SZ, iova, buf, SL_SIZE_4K, RW_AF);
    sl_ste_s1(s, sid, sl_cd_new(s, 3, T0SZ, root));
    g_assert(sl_cfgi_ste(s, sid) && sl_sync(s));
    g_assert_cmpuint(dma_gen_fill(d, iova, 128, PATTERN), ==, DMA_GEN_ERR_OK);
    g_assert_cmpuint(dma_gen_guest_check(s->qts, buf, 128, PATTERN), ==, 128);

    /* a level-2 table spanning fewer STEs: the SID is out of its range */
    qtest_writeq(s->qts, s->strtab + 8,
                 (qtest_readq(s->qts, s->strtab + 8) & ~0x1fULL) | 3);
    g_assert(sl_cfgi_all(s) && sl_sync(s));
    g_assert_cmpuint(dma_gen_fill(d, iova, 4, PATTERN), ==,
                     DMA_GEN_ERR_DMA_WRITE);
    g_assert_true(sl_evt_pop(s, &ev));
    g_assert_cmphex(ev.type, ==, SL_EVT_C_BAD_STREAMID);
    g_assert_cmphex(ev.sid, ==, sid);

    /* no level-2 table (SPAN=0): reason 4, ADDR2 = the level-1 descriptor */
    qtest_writeq(s->qts, s->strtab + 8,
                 qtest_readq(s->qts, s->strtab + 8) & ~0x1fULL);
    g_assert(sl_cfgi_all(s) && sl_sync(s));
    g_assert_cmpuint(dma_gen_fill(d, iova, 4, PATTERN), ==,
                     DMA_GEN_ERR_DMA_WRITE);
    g_assert_true(sl_evt_pop(s, &ev));
    g_assert_cmphex(ev.type, ==, SL_EVT_C_BAD_STE);
    g_assert_cmpuint(ev.reason, ==, 4);
    g_assert_cmphex(ev.addr2, ==, s->strtab + 8);
    dma_gen_free(d);
    g_assert(sl_alive(s));
    sl_stop(s);
}

/* The x86 MSI window is never translated, even with the stream aborting. */
static void test_msi_window(void)
{
    Flow *f = flow_start(NULL);
    uint64_t n;

    g_assert_false(sl_readl(f->s, SL_IDR0) & SL_IDR0_MSIXLT);
    sl_ste_simple(f->s, DG_SID, SL_CFG_ABORT);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    n = sl_qom_u64(f->s, "stat-config-refusals");
    /* a write to the interrupt window is not refused by the IOMMU */
    fill(f, 0xfee00000ULL, 4);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-config-refusals"), ==, n);
    g_assert_cmpint(sl_evt_count(f->s), ==, 0);
    flow_stop(f);
}

/*
 * msi-window=off (an Arm-like machine): the x86 window is translated like
 * any IOVA, so an aborting stream loses the write and a page table can
 * send it anywhere.
 */
static void test_msi_window_off(void)
{
    Flow *f = flow_start("msi-window=off");
    uint64_t root, buf = sl_alloc(f->s, 0x1000, 0x1000);

    g_assert_true(sl_readl(f->s, SL_IDR0) & SL_IDR0_MSIXLT);
    sl_ste_simple(f->s, DG_SID, SL_CFG_ABORT);
    g_assert(sl_cfgi_ste(f->s, DG_SID) && sl_sync(f->s));
    g_assert_cmpuint(fill(f, 0xfee00000ULL, 4), ==, DMA_GEN_ERR_DMA_WRITE);

    root = s1_stream(f, 5);
    sl_map(f->s, root, T0SZ, 0xfee00000ULL, buf, SL_SIZE_4K, RW_AF);
    g_assert_cmpuint(fill(f, 0xfee00000ULL, 64), ==, DMA_GEN_ERR_OK);
    g_assert_true(holds_pattern(f, buf, 64));
    g_assert_cmpint(sl_evt_count(f->s), ==, 0);
    flow_stop(f);
}

/* Event queue overflow is flagged, and nothing is written past the queue. */
static void test_evtq_overflow(void)
{
    Flow *f = flow_start(NULL);
    int i;

    s1_stream(f, 4);
    for (i = 0; i < 80; i++) {
        fill(f, 0x100000000ULL + i * 0x1000, 4);
    }
    /* 64 slots, all used (the wrap bit tells full from empty) */
    g_assert_cmpint(sl_evt_count(f->s), ==, 64);
    g_assert(sl_readl(f->s, SL_EVTQ_PROD) & (1u << 31));
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-events-lost"), >=, 80 - 64);
    g_assert_cmpuint(sl_qom_u64(f->s, "stat-events"), ==, 64);
    flow_stop(f);
}

/*
 * MSI-X: vector 0 for events, vector 1 for GERROR, each enabled in
 * IRQ_CTRL. The table entries point at guest RAM, so a message shows up as
 * its data written there.
 */
static void test_msix(void)
{
    Flow *f = flow_start(NULL);
    uint64_t ev_flag = sl_alloc(f->s, 8, 8), ge_flag = sl_alloc(f->s, 8, 8);
    uint8_t cap = qpci_find_capability(f->s->dev, PCI_CAP_ID_MSIX, 0);
    uint16_t ctrl;

    g_assert(cap);
    ctrl = qpci_config_readw(f->s->dev, cap + PCI_MSIX_FLAGS);
    qpci_config_writew(f->s->dev, cap + PCI_MSIX_FLAGS,
                       ctrl | PCI_MSIX_FLAGS_ENABLE);
    sl_writel(f->s, 0x2000 + 0, ev_flag);
    sl_writel(f->s, 0x2000 + 4, ev_flag >> 32);
    sl_writel(f->s, 0x2000 + 8, 0xe0e0);
    sl_writel(f->s, 0x2000 + 12, 0);
    sl_writel(f->s, 0x2010 + 0, ge_flag);
    sl_writel(f->s, 0x2010 + 4, ge_flag >> 32);
    sl_writel(f->s, 0x2010 + 8, 0x9e9e);
    sl_writel(f->s, 0x2010 + 12, 0);

    /* interrupts disabled: an event is queued, no message */
    s1_stream(f, 8);
    fill(f, 0x3000000ULL, 4);
    g_assert_cmpint(sl_evt_count(f->s), ==, 1);
    g_assert_cmphex(qtest_readl(f->s->qts, ev_flag), ==, 0);

    sl_writel(f->s, SL_IRQ_CTRL, 0x5);
    fill(f, 0x3000000ULL, 4);
    g_assert_cmphex(qtest_readl(f->s->qts, ev_flag), ==, 0xe0e0);
    g_assert_cmphex(qtest_readl(f->s->qts, ge_flag), ==, 0);

    /* an illegal command activates CMDQ_ERR in GERROR: vector 1 */
    g_assert_false(sl_cmd(f->s, 0xff, 0));
    g_assert_cmphex(qtest_readl(f->s->qts, ge_flag), ==, 0x9e9e);
    flow_stop(f);
}

/* Run QEMU with @args; it must refuse to start, saying @msg. */
static void expect_refused(const char *args, const char *msg)
{
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");
    g_autofree char *cmd = g_strdup_printf("%s -M q35 -bios qboot.rom "
                                           "-nodefaults -display none "
                                           "-accel qtest %s", qemu, args);
    g_autofree char *out = NULL, *err = NULL;
    g_auto(GStrv) argv = NULL;
    int status;

    g_assert_nonnull(qemu);
    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, NULL));
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL,
                               NULL, &out, &err, &status, NULL));
    g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!strstr(err, msg)) {
        g_test_message("stderr: %s", err);
    }
    g_assert_nonnull(strstr(err, msg));
}

static void test_placement(void)
{
    expect_refused("-device smmu-lite -device smmu-lite",
                   "already has an IOMMU");
    expect_refused("-device intel-iommu -device smmu-lite",
                   "already has an IOMMU");
    expect_refused("-device pci-bridge,id=br0,chassis_nr=1 "
                   "-device smmu-lite,bus=br0",
                   "must be plugged into a PCI root bus");
    expect_refused("-device smmu-lite,iotlb-size=0", "must be in 1..65535");
}

/*
 * Garbage in every table the device reads: random STE, CD and page-table
 * words, a stream table pointing at them, random DMA addresses. QEMU must
 * keep answering and only ever refuse with events.
 */
static void test_garbage_tables(void)
{
    Flow *f = flow_start("tear-window-ns=1000");
    GRand *r = g_rand_new_with_seed(0x5eed);
    uint64_t junk = sl_alloc(f->s, 0x10000, 0x1000);
    uint64_t ste = sl_ste_addr(f->s, DG_SID);
    int round, i;

    for (round = 0; round < 200; round++) {
        /* junk pages; tables and STE words aim into them or anywhere */
        for (i = 0; i < 16; i++) {
            uint64_t v = (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);

            if (g_rand_boolean(r)) {
                v = (v & 0xfffULL) | junk | (g_rand_int_range(r, 0, 16) << 12);
            }
            qtest_writeq(f->s->qts, junk + g_rand_int_range(r, 0, 0x2000) * 8,
                         v);
        }
        for (i = 0; i < 4; i++) {
            uint64_t v = (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);

            if (i > 0 && g_rand_boolean(r)) {
                v = junk + g_rand_int_range(r, 0, 16) * 0x1000 + (v & 0x3f);
            } else if (i == 0) {
                v = (v & ~0xfULL) | 1 | g_rand_int_range(r, 0, 8) << 1;
            }
            qtest_writeq(f->s->qts, ste + i * 8, v);
        }
        if (round % 3 == 0) {
            sl_cfgi_all(f->s);
        }
        fill(f, (uint64_t)g_rand_int(r) << 16, g_rand_int_range(r, 1, 64));
        qtest_clock_step(f->s->qts, g_rand_int_range(r, 0, 2000));
        /* drain events so the queue never blocks progress */
        while (sl_evt_count(f->s)) {
            SLEvent ev;

            sl_evt_pop(f->s, &ev);
        }
        if (sl_readl(f->s, SL_GERROR) != sl_readl(f->s, SL_GERRORN)) {
            sl_writel(f->s, SL_GERRORN, sl_readl(f->s, SL_GERROR));
        }
    }
    g_assert(sl_alive(f->s));
    g_rand_free(r);
    flow_stop(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/smmu-lite/flow/bypass-and-abort", test_bypass_and_abort);
    qtest_add_func("/smmu-lite/flow/s1-4k", test_s1_4k);
    qtest_add_func("/smmu-lite/flow/s1-2m", test_s1_2m);
    qtest_add_func("/smmu-lite/flow/s1-1g", test_s1_1g);
    qtest_add_func("/smmu-lite/flow/s2", test_s2);
    qtest_add_func("/smmu-lite/flow/nested", test_nested);
    qtest_add_func("/smmu-lite/flow/nested-tlbi-vmid", test_nested_tlbi_vmid);
    qtest_add_func("/smmu-lite/flow/nested-dirty-tables",
                   test_nested_dirty_tables);
    qtest_add_func("/smmu-lite/flow/faults", test_faults);
    qtest_add_func("/smmu-lite/flow/dirty-cas-fault-s1",
                   test_dirty_cas_fault_s1);
    qtest_add_func("/smmu-lite/flow/dirty-cas-fault-s2",
                   test_dirty_cas_fault_s2);
    qtest_add_func("/smmu-lite/flow/cmdq-trigger-bound",
                   test_cmdq_trigger_bound);
    qtest_add_func("/smmu-lite/flow/stale-until-invalidated",
                   test_stale_until_invalidated);
    qtest_add_func("/smmu-lite/flow/tear/unsafe-caught",
                   test_tear_unsafe_caught);
    qtest_add_func("/smmu-lite/flow/tear/safe-clean", test_tear_safe_clean);
    qtest_add_func("/smmu-lite/flow/tear/explained", test_tear_explained);
    qtest_add_func("/smmu-lite/flow/tear/off-lucky", test_tear_off_lucky);
    qtest_add_func("/smmu-lite/flow/bridge-alias", test_bridge_alias);
    qtest_add_func("/smmu-lite/flow/two-level", test_two_level);
    qtest_add_func("/smmu-lite/flow/msi-window", test_msi_window);
    qtest_add_func("/smmu-lite/flow/msi-window-off", test_msi_window_off);
    qtest_add_func("/smmu-lite/flow/evtq-overflow", test_evtq_overflow);
    qtest_add_func("/smmu-lite/flow/msix", test_msix);
    qtest_add_func("/smmu-lite/flow/placement", test_placement);
    qtest_add_func("/smmu-lite/flow/garbage-tables", test_garbage_tables);
    qtest_add_func("/smmu-lite/flow/enable-uncovered", test_enable_uncovered);
    qtest_add_func("/smmu-lite/flow/enable-uncovered-2lvl-bridge",
                   test_enable_uncovered_2lvl_bridge);
    qtest_add_func("/smmu-lite/flow/snoop-forced", test_snoop_forced);
    qtest_add_func("/smmu-lite/flow/snoop-ctl-off", test_snoop_ctl_off);
    return g_test_run();
}
