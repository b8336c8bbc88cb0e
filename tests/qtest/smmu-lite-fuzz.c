/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smmu-lite fuzz target for QEMU's libFuzzer harness (qemu-fuzz-x86_64
 * --fuzz-target=smmu-lite), linked in by scripts/lib/qemu-glue.patch.
 *
 * generic-fuzz feeds the device registers and every DMA read random bytes:
 * it rarely builds a stream table entry that points at a valid context
 * descriptor that points at page tables mapping the address a DMA uses, and
 * it never resets or stops the VM. This target keeps the tables consistent
 * and lets the input choose what to break. An input is a sequence of
 * 16-byte records (op byte + 15 argument bytes); each builds a whole
 * STE -> CD -> page-table chain for a StreamID from the argument fields
 * (configuration, ASID/VMID, input sizes, leaf size and permissions, where
 * the tables live), flips bits in one descriptor of the last chain, queues
 * commands, runs dma-gen (single commands and continuous mode, against RAM,
 * another device's registers, the MSI window, unassigned addresses), steps
 * the virtual clock through smmu-lite's tear window and dma-gen's ticks,
 * resets the machine, a device or dma-gen (register, FLR) and stops and
 * restarts the VM, all while the engine may be running.
 *
 * Machine: q35, smmu-lite at 00:03.0 (tear window 2 us), dma-gen at 00:04.0
 * (StreamID 0x20) and at 01:01.0 behind a pci-bridge at 00:05.0 (which
 * gives it the bridge's requester ID, StreamID 0x28), both translated by
 * smmu-lite; the devices' trace points and LOG_GUEST_ERROR messages are on
 * (logged to /dev/null), so the code that formats them runs too.
 * Formats: docs/specs/smmu-lite.rst, docs/specs/dma-gen.rst; table builders:
 * smmu-lite-lib.c.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qom/object.h"
#include "qapi/error.h"
#include "qemu/timer.h"
#include "qemu/log.h"
#include "trace/control.h"
#include "hw/qdev-core.h"
#include "hw/pci/pci_device.h"
#include "system/runstate.h"
#include "tests/qtest/fuzz/fuzz.h"
#include "smmu-lite-lib.h"
#include "dma-gen-lib.h"

#define FZ_REC          16
#define FZ_DG_SLOT0     4
#define FZ_BRIDGE_SLOT  5   /* dma-gen 01.0 behind it uses its RID */
#define FZ_RAM          (256 * MiB)
/*
 * Below 32 MiB, so that every input size (25 bits and up) reaches all of it;
 * IOVA = IPA = PA for the data, so identity maps (bypass, 1 GiB leaves,
 * nested stage 2) land in it too.
 */
#define FZ_DATA         0x00800000ULL   /* what the mappings point at */
#define FZ_DATA_SIZE    0x00200000ULL
#define FZ_POOL         0x01000000ULL   /* tables, CDs, queues */
#define FZ_POOL_END     0x01c00000ULL
#define FZ_CHAIN_MAX    0x10000ULL      /* what one op_ste allocates at most */
#define FZ_MAX_DESC     24
#define FZ_MAX_LOG2_ALLOC 10
/* virtual time one input may step, in all: bounds continuous DMA */
#define FZ_CLOCK_BUDGET_NS 2000000ULL

/* smmu-lite's QOM object, and SMMU_LITE_FUZZ_VERBOSE: set once, pre_fuzz */
static Object *fz_smmu;
static bool fz_verbose;

typedef struct Fz {
    QTestState *qts;
    SLite *sl;
    DmaGen *dg[2];
    uint64_t desc[FZ_MAX_DESC];   /* words of the last chain built */
    int ndesc;
    uint64_t chains;              /* pool above the queues and stream table */
    uint64_t clock_left;          /* virtual ns this input may still step */
} Fz;

/* How far the pool was used: zeroed before the next input. */
static uint64_t fz_pool_high = FZ_POOL_END;

static uint64_t le(const uint8_t *b, int n)
{
    uint64_t v = 0;

    for (int i = n - 1; i >= 0; i--) {
        v = v << 8 | b[i];
    }
    return v;
}

static bool fz_room(Fz *f, uint64_t size, uint64_t align)
{
    return ROUND_UP(f->sl->next, align) + size <= f->sl->limit;
}

static uint64_t fz_alloc(Fz *f, uint64_t size, uint64_t align)
{
    if (!fz_room(f, size, align)) {
        /*
         * start over above the queues and stream table: old chains get
         * overwritten, as a driver reusing memory would
         */
        f->sl->next = f->chains;
    }
    return sl_alloc(f->sl, size, align);
}

static void fz_note(Fz *f, uint64_t addr)
{
    if (f->ndesc < FZ_MAX_DESC) {
        f->desc[f->ndesc++] = addr;
    }
}

/*
 * Somewhere a table, queue or DMA may point: RAM (@ram) most of the time,
 * else another device's registers, smmu-lite's own, the MSI window, ROM,
 * the last bytes of RAM or nothing at all.
 */
static uint64_t fz_where(Fz *f, uint8_t sel, uint64_t ram)
{
    switch (sel % 12) {
    case 4:
        return f->sl->bar.addr + (sel >> 4) * 8;
    case 5:
        return f->dg[0]->bar0.addr + (sel >> 4) * 8;
    case 6:
        return 0xfee00000ULL;
    case 7:
        return 0xfffff000ULL;
    case 8:
        return 1ULL << 40;
    case 9:
        return FZ_RAM - 64;
    default:
        return ram;
    }
}

/*
 * Map [iova, iova + size) to pa with leaves of @leaf_size below @root, for
 * an input size given by @t0sz; records the descriptors of the walk of
 * @iova if @note. A leaf the start level cannot hold is split into 4 KiB pages
 * (at most 16 of them).
 */
static void fz_map(Fz *f, uint64_t root, uint8_t t0sz, uint64_t iova,
                   uint64_t pa, uint64_t size, uint64_t leaf_size,
                   uint64_t flags, bool note)
{
    int start = sl_start_level(t0sz);
    int leaf = leaf_size == SL_SIZE_1G ? 1 : leaf_size == SL_SIZE_2M ? 2 : 3;

    if (start < 0 || start > 3) {
        return;
    }
    if (leaf < start) {
        leaf = 3;
        leaf_size = SL_SIZE_4K;
    }
    if (leaf == 3) {
        size = MIN(size, 16 * SL_SIZE_4K);
    }
    for (uint64_t off = 0; off < size; off += leaf_size) {
        uint64_t table = root;

        for (int level = start; level <= leaf; level++) {
            int shift = 12 + 9 * (3 - level);
            uint64_t da = table + (((iova + off) >> shift) & 0x1ff) * 8;
            uint64_t d;

            if (note && off == 0) {
                fz_note(f, da);
            }
            if (level == leaf) {
                d = ((pa + off) & ~(leaf_size - 1)) | flags |
                    (level == 3 ? SL_PTE_T : 0);
                qtest_writeq(f->qts, da, d);
                break;
            }
            d = qtest_readq(f->qts, da);
            if (!(d & SL_PTE_V) || !(d & SL_PTE_T)) {
                d = fz_alloc(f, 0x1000, 0x1000) | SL_PTE_V | SL_PTE_T;
                qtest_writeq(f->qts, da, d);
            }
            table = d & 0xfffffffff000ULL;
        }
    }
}

static bool fz_ours(uint64_t addr)
{
    return addr >= FZ_POOL && addr < FZ_POOL_END;
}

/*
 * Write @n copies of a command from CMDQ_PROD on (only into a queue in our
 * RAM) and publish them with one CMDQ_PROD write.
 */
static void fz_cmds(Fz *f, uint64_t w0, uint64_t w1, unsigned n)
{
    SLite *s = f->sl;
    uint32_t wrap = (2u << s->cmdq_log2) - 1;
    uint32_t prod = sl_readl(s, SL_CMDQ_PROD) & wrap;

    for (unsigned i = 0; i < n; i++) {
        uint64_t a = s->cmdq + (prod & ((1u << s->cmdq_log2) - 1)) * 16ULL;

        if (fz_ours(s->cmdq)) {
            qtest_writeq(f->qts, a, w0);
            qtest_writeq(f->qts, a + 8, w1);
        }
        prod = (prod + 1) & wrap;
    }
    sl_writel(s, SL_CMDQ_PROD, prod);
}

static void fz_cmd(Fz *f, uint64_t w0, uint64_t w1)
{
    fz_cmds(f, w0, w1, 1);
}

static void fz_attach(Fz *f)
{
    f->sl = sl_attach(f->qts);
    f->sl->next = FZ_POOL;
    f->sl->limit = FZ_POOL_END;
    /* MSI-X on (all vectors masked) as BAR1 must be mapped in this order */
    f->dg[0] = dma_gen_init(f->qts, f->sl->pcibus, QPCI_DEVFN(FZ_DG_SLOT0, 0));
    qpci_msix_enable(f->dg[0]->pdev);
    qpci_secondary_buses_init(f->sl->pcibus);
    dma_gen_bridge_window(f->sl->pcibus, QPCI_DEVFN(FZ_BRIDGE_SLOT, 0), MiB);
    f->dg[1] = dma_gen_init(f->qts, f->sl->pcibus, 1 << 8 | QPCI_DEVFN(1, 0));
    qpci_msix_enable(f->dg[1]->pdev);
}

static void fz_detach(Fz *f)
{
    for (int i = 0; i < 2; i++) {
        g_free(f->dg[i]->pdev);
        g_free(f->dg[i]);
    }
    g_free(f->sl->dev);
    qpci_free_pc(f->sl->pcibus);
    g_free(f->sl);
}

/*
 * A reset cleared BARs and config space: map everything again. What the
 * harness knows of smmu-lite's tables and queues stays (op_setup again if
 * smmu-lite's registers were reset too).
 */
static void fz_reattach(Fz *f)
{
    SLite old = *f->sl;

    fz_detach(f);
    fz_attach(f);
    f->sl->next = old.next;
    f->sl->strtab = old.strtab;
    f->sl->strtab_cfg = old.strtab_cfg;
    f->sl->cmdq = old.cmdq;
    f->sl->cmdq_log2 = old.cmdq_log2;
    f->sl->evtq = old.evtq;
    f->sl->evtq_log2 = old.evtq_log2;
}

/*
 * Queues and stream table. @b: [0] FMT, [1] LOG2SIZE, [2] SPLIT, [3] CMDQ
 * and [4] EVTQ LOG2SIZE, [5] CR0 (xor: 0 enables all), [6] GBPA, [7]
 * IRQ_CTRL, [8..10] where the stream table and the queues live (zeros:
 * a linear table of 64 STEs, queues of 64 entries, everything enabled).
 */
static const uint8_t fz_zeros[FZ_REC];

/* Level-1 descriptors of a 2-level table, as many as the harness allocates */
static uint32_t fz_l1_count(uint32_t log2, uint32_t split)
{
    return 1u << MIN(log2 > split ? log2 - split : 0, 10);
}

static void op_setup(Fz *f, const uint8_t *b)
{
    static const uint8_t splits[] = { 6, 8, 10, 6 };
    SLite *s = f->sl;
    uint32_t fmt = b[0] & 3 ? (b[0] & 3) - 1 : 0;
    uint32_t log2 = b[1] & 0x80 ? b[1] & 0x3f : 6 + b[1] % 9;
    uint32_t split = b[2] & 0x80 ? (b[2] >> 2) & 0x1f : splits[b[2] & 3];
    uint32_t cmdq_log2 = (b[3] + 6) & 0x1f, evtq_log2 = (b[4] + 6) & 0x1f;
    uint64_t tsize;

    if (fmt == 0) {
        tsize = 32ULL << MIN(log2, FZ_MAX_LOG2_ALLOC);
    } else {
        tsize = 8ULL * fz_l1_count(log2, split);
    }
    sl_writel(s, SL_CR0, 0);
    s->next = FZ_POOL;
    s->cmdq_log2 = MIN(cmdq_log2, 10);
    s->evtq_log2 = MIN(evtq_log2, 10);
    s->cmdq = fz_where(f, b[9], sl_alloc(s, 16ULL << s->cmdq_log2, 0x1000)) &
              ~0x1fULL;
    s->evtq = fz_where(f, b[10], sl_alloc(s, 32ULL << s->evtq_log2, 0x1000)) &
              ~0x1fULL;
    s->strtab = fz_where(f, b[8], sl_alloc(s, tsize, 0x1000)) & ~0x3fULL;
    /* level-2 tables and chains above: at most 1024 tables of 32 KiB */
    f->chains = s->next;
    s->strtab_cfg = log2 | split << 6 | fmt << 16;
    sl_writel(s, SL_GBPA, b[6] & 1 ? SL_GBPA_ABORT : 0);
    sl_writeq(s, SL_CMDQ_BASE, s->cmdq | cmdq_log2);
    sl_writel(s, SL_CMDQ_PROD, 0);
    sl_writel(s, SL_CMDQ_CONS, 0);
    sl_writeq(s, SL_EVTQ_BASE, s->evtq | evtq_log2);
    sl_writel(s, SL_EVTQ_PROD, 0);
    sl_writel(s, SL_EVTQ_CONS, 0);
    sl_writeq(s, SL_STRTAB_BASE, s->strtab);
    sl_writel(s, SL_STRTAB_BASE_CFG, s->strtab_cfg);
    sl_writel(s, SL_IRQ_CTRL, b[7] & 5);
    sl_writel(s, SL_CR0, (b[5] ^ 0x0d) & 0x0f);
    f->ndesc = 0;
}

static bool fz_ste_addr(Fz *f, uint32_t sid, uint64_t *addr)
{
    SLite *s = f->sl;
    uint32_t log2 = s->strtab_cfg & 0x3f;
    uint32_t split = (s->strtab_cfg >> 6) & 0x1f;
    uint32_t fmt = s->strtab_cfg >> 16;

    uint64_t l1;

    if (!fz_ours(s->strtab)) {
        return false;           /* not in RAM we own: leave it */
    }
    if (fmt == 0) {
        if (sid >= 1u << MIN(log2, FZ_MAX_LOG2_ALLOC)) {
            return false;
        }
        *addr = s->strtab + sid * 32ULL;
        return true;
    }
    if (split > 10 || log2 > 16 ||
        (sid >> split) >= fz_l1_count(log2, split)) {
        return false;
    }
    l1 = s->strtab + (sid >> split) * 8ULL;
    fz_note(f, l1);
    if (!qtest_readq(f->qts, l1) && !fz_room(f, 32ULL << split, 0x1000)) {
        return false;
    }
    *addr = sl_ste_addr(s, sid);
    return fz_ours(*addr) && fz_ours(*addr + 31);
}

/*
 * One StreamID's configuration, tables included. @b: [0] StreamID, [1]
 * CONFIG, [2] what to break (bit 0 CD.V=0, 1 SNP, 2 no R, 3 no W, 4 no
 * AF, 5 leaf V=0, 6 stage-2 leaf read-only, 7 DIRTY already set), [3..4]
 * ASID, [5..6] VMID, [7] T0SZ, [8] S2T0SZ, [9] leaf size, [10] how to
 * write it (bit 0 no CFGI_STE + SYNC, 1 word 0 first, 2 word 1 only, 3 CD
 * elsewhere, 4 stage-2 root elsewhere), [11] where, [12..14] garbage for
 * words a configuration leaves unused.
 */
static void op_ste(Fz *f, const uint8_t *b)
{
    static const uint32_t sids[] = { 0x20, 0x28, 0, 0x18 };
    static const uint64_t leaves[] = { SL_SIZE_4K, SL_SIZE_2M, SL_SIZE_1G, 0 };
    uint32_t sid = (b[0] & 3) == 2 ? b[0] >> 2 : sids[b[0] & 3];
    uint32_t cfg = b[1] & 7;
    uint8_t brk = b[2];
    uint16_t asid = le(b + 3, 2), vmid = le(b + 5, 2);
    uint8_t t0sz = b[7] & 0x80 ? b[7] & 0x3f : 16 + b[7] % 24;
    uint8_t s2t0sz = b[8] & 0x80 ? b[8] & 0x3f : 16 + b[8] % 24;
    uint64_t leaf = leaves[b[9] & 3];
    uint64_t garbage = le(b + 12, 3) << 20;
    uint64_t flags = SL_PTE_V | SL_PTE_AF | SL_PTE_RW;
    uint64_t s2flags = SL_PTE_V | SL_PTE_AF | SL_PTE_RW;
    uint64_t w[4] = { 0 }, ste, cd = 0, s1root = 0, s2root = 0;

    f->ndesc = 0;
    if (!fz_room(f, FZ_CHAIN_MAX, 0x1000)) {
        f->sl->next = f->chains;
    }
    if (!fz_ste_addr(f, sid, &ste)) {
        return;
    }
    flags &= ~((brk & 4 ? SL_PTE_R : 0) | (brk & 8 ? SL_PTE_W : 0) |
               (brk & 16 ? SL_PTE_AF : 0) | (brk & 32 ? SL_PTE_V : 0));
    flags |= brk & 128 ? SL_PTE_DIRTY : 0;
    s2flags &= ~(brk & 64 ? SL_PTE_W : 0);

    if (cfg == SL_CFG_S2 || cfg == SL_CFG_NESTED) {
        s2root = fz_alloc(f, 0x1000, 0x1000);
        if (cfg == SL_CFG_S2) {
            if (leaf) {
                fz_map(f, s2root, s2t0sz, FZ_DATA, FZ_DATA,
                       FZ_DATA_SIZE, leaf, flags, true);
            }
        } else {
            /* IPA = PA over the pool and the data, in 2 MiB blocks */
            for (uint64_t a = FZ_POOL; a < FZ_POOL_END; a += SL_SIZE_2M) {
                fz_map(f, s2root, s2t0sz, a, a, SL_SIZE_2M, SL_SIZE_2M,
                       s2flags, false);
            }
            fz_map(f, s2root, s2t0sz, FZ_DATA, FZ_DATA, FZ_DATA_SIZE,
                   SL_SIZE_2M, s2flags, true);
        }
        w[2] = ((b[10] & 16 ? fz_where(f, b[11], s2root) : s2root) &
                0xfffffffff000ULL) | (s2t0sz & 0x3f);
        w[3] = vmid;
    }
    if (cfg == SL_CFG_S1 || cfg == SL_CFG_NESTED) {
        s1root = fz_alloc(f, 0x1000, 0x1000);
        if (leaf) {
            fz_map(f, s1root, t0sz, FZ_DATA, FZ_DATA, FZ_DATA_SIZE, leaf,
                   flags, true);
        }
        cd = fz_alloc(f, 32, 32);
        qtest_writeq(f->qts, cd + 8, s1root);
        qtest_writeq(f->qts, cd, (brk & 1 ? 0 : 1) |
                     (uint64_t)(t0sz & 0x3f) << 8 | (uint64_t)asid << 48);
        fz_note(f, cd);
        fz_note(f, cd + 8);
        w[1] = (b[10] & 8 ? fz_where(f, b[11], cd) : cd) & ~0x1fULL;
    }
    if (cfg != SL_CFG_S1 && cfg != SL_CFG_NESTED) {
        w[1] = garbage;
    }
    if (cfg != SL_CFG_S2 && cfg != SL_CFG_NESTED) {
        w[2] = garbage >> 8;
        w[3] = garbage >> 16;
    }
    w[0] = SL_STE0(cfg) | (brk & 2 ? SL_STE0_SNP : 0);

    if (b[10] & 4) {
        qtest_writeq(f->qts, ste + 8, w[1]);
    } else if (b[10] & 2) {
        for (int i = 0; i < 4; i++) {
            qtest_writeq(f->qts, ste + i * 8, w[i]);
        }
    } else {
        for (int i = 3; i >= 0; i--) {
            qtest_writeq(f->qts, ste + i * 8, w[i]);
        }
    }
    for (int i = 0; i < 4; i++) {
        fz_note(f, ste + i * 8);
    }
    if (!(b[10] & 1)) {
        fz_cmd(f, SL_CMD_CFGI_STE | (uint64_t)sid << 32, 0);
        fz_cmd(f, SL_CMD_TLBI_ALL, 0);
        fz_cmd(f, SL_CMD_SYNC, 0);
    }
}

/* Flip bits of one word of the last chain (or of the data it maps). */
static void op_poke(Fz *f, const uint8_t *b)
{
    uint64_t addr, x = le(b + 1, 8);

    if (f->ndesc) {
        addr = f->desc[b[0] % f->ndesc];
    } else {
        addr = FZ_DATA + (b[0] << 6);
    }
    qtest_writeq(f->qts, addr, qtest_readq(f->qts, addr) ^ x);
}

/*
 * Commands. @b: [0] opcode (a valid one, or [1] as is), [2..5] w0[63:32],
 * [6..7] NUM, [8..11] ADDR page, [12] SYNC CS, [13] SYNC MSI target, [14]
 * copies staged before one CMDQ_PROD write.
 */
static void op_cmd(Fz *f, const uint8_t *b)
{
    static const uint8_t ops[] = {
        SL_CMD_CFGI_STE, SL_CMD_CFGI_ALL, SL_CMD_TLBI_ASID, SL_CMD_TLBI_VA,
        SL_CMD_TLBI_VMID, SL_CMD_TLBI_IPA, SL_CMD_TLBI_ALL, SL_CMD_SYNC,
    };
    uint8_t op = b[0] < 8 * 28 ? ops[b[0] % 8] : b[1];
    uint64_t w0 = op | le(b + 2, 4) << 32 | (le(b + 6, 2) & 0xfffff) << 12;
    uint64_t w1 = le(b + 8, 4) << 12;

    if (op == SL_CMD_SYNC) {
        uint64_t ram = fz_alloc(f, 8, 8);

        w0 = op | (uint64_t)(b[12] & 3) << 12 | le(b + 2, 4) << 32;
        w1 = fz_where(f, b[13], ram) & ~3ULL;
    }
    fz_cmds(f, w0, w1, 1 + (b[14] & 15));
}

static uint64_t fz_iova(Fz *f, uint8_t sel, uint8_t off)
{
    return fz_where(f, sel, FZ_DATA + (sel & 0xf0 ? 0 : off * 0x800ULL));
}

/*
 * One dma-gen command. @b: [0] which dma-gen and opcode, [1..2] SRC and
 * DST targets, [3..4] offsets, [5..7] LEN, [8..11] PATTERN.
 */
static void op_dma(Fz *f, const uint8_t *b)
{
    static const uint8_t cmds[] = {
        DMA_GEN_OP_COPY, DMA_GEN_OP_FILL, DMA_GEN_OP_VERIFY, DMA_GEN_OP_NOP,
        DMA_GEN_OP_CONT_STOP, DMA_GEN_OP_COPY, DMA_GEN_OP_VERIFY, 0x7f,
    };
    DmaGen *d = f->dg[b[0] & 1];
    uint64_t src = fz_iova(f, b[1], b[3]), dst = fz_iova(f, b[2], b[4]);
    uint32_t len = le(b + 5, 3);

    if (!(b[7] & 0x80)) {
        len &= 0x1ffff;
    }
    dma_gen_write64(d, A_SRC_LO, src);
    dma_gen_write64(d, A_DST_LO, dst);
    qpci_io_writel(d->pdev, d->bar0, A_LEN, len);
    qpci_io_writel(d->pdev, d->bar0, A_PATTERN, le(b + 8, 4));
    qpci_io_writel(d->pdev, d->bar0, A_CMD, cmds[(b[0] >> 1) & 7]);
    qpci_io_readl(d->pdev, d->bar0, A_STATUS);
}

/*
 * Continuous mode. @b: [0] which dma-gen, [1..2] SRC/DST targets, [3]
 * slots, [4] stride, [5..6] length, [7..8] period, [9] ops per tick, [10]
 * flags, [11..14] pattern. Length, period and ops per tick (1..4, or with
 * bit 7 of [9] the byte as is) are kept small: with FZ_CLOCK_BUDGET_NS at
 * most 40 ticks of 255 x 2 KiB per dma-gen and input, as an input that
 * runs for seconds is a hang to libFuzzer.
 */
static void op_cont(Fz *f, const uint8_t *b)
{
    DmaGen *d = f->dg[b[0] & 1];
    uint64_t src = fz_iova(f, b[1], 0), dst = fz_iova(f, b[2], 4);

    dma_gen_write64(d, A_CONT_SRC_LO, src);
    dma_gen_write64(d, A_CONT_DST_LO, dst);
    qpci_io_writel(d->pdev, d->bar0, A_CONT_SLOTS, b[3] & 0x1f);
    qpci_io_writel(d->pdev, d->bar0, A_CONT_STRIDE, b[4] << 8);
    qpci_io_writel(d->pdev, d->bar0, A_CONT_LEN, le(b + 5, 2) & 0x7ff);
    qpci_io_writel(d->pdev, d->bar0, A_CONT_PERIOD_NS,
                   50000 + (le(b + 7, 2) << 4));
    qpci_io_writel(d->pdev, d->bar0, A_CONT_OPS_PER_TICK,
                   b[9] & 0x80 ? b[9] : 1 + (b[9] & 3));
    qpci_io_writel(d->pdev, d->bar0, A_CONT_FLAGS, b[10]);
    qpci_io_writel(d->pdev, d->bar0, A_CONT_PATTERN, le(b + 11, 4));
    qpci_io_writel(d->pdev, d->bar0, A_CMD,
                   b[0] & 2 ? DMA_GEN_OP_CONT_STOP : DMA_GEN_OP_CONT_START);
}

/*
 * Step the virtual clock: to the next timer (@b all zero) or by [0..2] <<
 * [3] ns, within what is left of the input's budget. Never while the VM
 * is stopped (the clock does not run; stepping to a timer would fail).
 */
static void op_clock(Fz *f, const uint8_t *b)
{
    uint64_t ns = le(b, 3) << (b[3] & 7);
    int64_t next;

    if (!runstate_is_running() || !f->clock_left) {
        return;
    }
    if (!ns) {
        next = qemu_clock_deadline_ns_all(QEMU_CLOCK_VIRTUAL,
                                          QEMU_TIMER_ATTR_ALL);
        if (next < 0) {
            return;
        }
        ns = next;
    }
    ns = MIN(MAX(ns, 1), f->clock_left);
    f->clock_left -= ns;
    qtest_clock_step(f->qts, ns);
}

/* smmu-lite's registers and MSI-X table (docs/specs/smmu-lite.rst) */
static const uint16_t fz_sl_regs[] = {
    SL_IDR0, SL_IDR1, SL_IDR2, SL_AIDR, SL_CR0, SL_CR0ACK, SL_GBPA,
    SL_IRQ_CTRL, SL_IRQ_CTRLACK, SL_GERROR, SL_GERRORN, SL_STRTAB_BASE,
    SL_STRTAB_BASE + 4, SL_STRTAB_BASE_CFG, SL_CMDQ_BASE, SL_CMDQ_BASE + 4,
    SL_CMDQ_PROD, SL_CMDQ_CONS, SL_EVTQ_BASE, SL_EVTQ_BASE + 4, SL_EVTQ_PROD,
    SL_EVTQ_CONS, SL_MSIX_TABLE, SL_MSIX_TABLE + 8, SL_MSIX_TABLE + 12,
    SL_MSIX_TABLE + 16, SL_MSIX_TABLE + 28, 0x3000,
};

/*
 * Register accesses. @b: [0] device (% 3: smmu-lite, dma-gen 0, dma-gen 1)
 * and kind (bit 7 read, bit 6 read every register, as a driver dumping
 * them does), [1] size (1, 2, 4, 8 bytes), [2] register (one of the
 * device's) or, with bit 7 of [3], [2..3] any offset in the BAR, [4..11]
 * value.
 */
static void op_mmio(Fz *f, const uint8_t *b)
{
    QPCIDevice *dev;
    QPCIBar bar;
    uint64_t size, v = le(b + 4, 8);
    uint64_t off;

    switch (b[0] % 3) {
    case 0:
        dev = f->sl->dev;
        bar = f->sl->bar;
        size = 0x4000;
        off = fz_sl_regs[b[2] % ARRAY_SIZE(fz_sl_regs)];
        break;
    default:
        dev = f->dg[b[0] % 3 - 1]->pdev;
        bar = f->dg[b[0] % 3 - 1]->bar0;
        size = DMA_GEN_BAR0_SIZE;
        off = (b[2] % 64) * 4;
        break;
    }
    if (b[3] & 0x80) {
        off = le(b + 2, 2) & (size - 1);
    }
    if (b[0] & 0x40) {
        for (off = 0; off < MIN(size, 0x100); off += 4) {
            qpci_io_readl(dev, bar, off);
        }
        return;
    }
    if (b[0] & 0x80) {
        switch (b[1] & 3) {
        case 0:
            qpci_io_readb(dev, bar, off);
            break;
        case 1:
            qpci_io_readw(dev, bar, off);
            break;
        case 2:
            qpci_io_readl(dev, bar, off);
            break;
        default:
            qpci_io_readq(dev, bar, off);
            break;
        }
        return;
    }
    switch (b[1] & 3) {
    case 0:
        qpci_io_writeb(dev, bar, off, v);
        break;
    case 1:
        qpci_io_writew(dev, bar, off, v);
        break;
    case 2:
        qpci_io_writel(dev, bar, off, v);
        break;
    default:
        qpci_io_writeq(dev, bar, off, v);
        break;
    }
}

/*
 * Event queue consumer and GERROR acknowledgement, as a driver's IRQ
 * handler does them, and the host's view (what QMP users and the lab's
 * tests read). @b: [0] bit 0 consume the events (with OVACKFLG), 1
 * acknowledge GERROR, 2 reset the statistics, 3 read the counters, the
 * per-stream statistics and the disruption log.
 */
static void op_evtq(Fz *f, const uint8_t *b)
{
    uint32_t prod = sl_readl(f->sl, SL_EVTQ_PROD);

    if (b[0] & 1) {
        sl_writel(f->sl, SL_EVTQ_CONS, prod);
    }
    if (b[0] & 2) {
        sl_writel(f->sl, SL_GERRORN, sl_readl(f->sl, SL_GERROR));
    }
    if (b[0] & 4) {
        object_property_set_bool(fz_smmu, "stats-reset", true, NULL);
    }
    if (b[0] & 8) {
        g_autofree char *streams = object_property_get_str(fz_smmu,
                                                           "stream-stats",
                                                           NULL);
        g_autofree char *log = object_property_get_str(fz_smmu,
                                                       "disruption-log", NULL);

        object_property_get_uint(fz_smmu, "stat-disruptions", NULL);
        object_property_get_uint(fz_smmu, "stat-translations", NULL);
    }
}

/*
 * The life cycle: resets of every kind, and the VM stopped and started.
 * @b: [0] which, [1] which dma-gen, [2] bit 1: after a reset of smmu-lite
 * leave it unconfigured (else op_setup with defaults).
 */
static void op_reset(Fz *f, const uint8_t *b)
{
    DmaGen *d = f->dg[b[1] & 1];
    uint8_t exp;

    switch (b[0] % 6) {
    case 0:
        qemu_system_reset(SHUTDOWN_CAUSE_GUEST_RESET);
        flush_events(f->qts);
        fz_reattach(f);
        if (!(b[2] & 2)) {
            op_setup(f, fz_zeros);
        }
        break;
    case 1:
        qpci_io_writel(d->pdev, d->bar0, A_RESET, DMA_GEN_RESET_MAGIC);
        break;
    case 2:
        exp = qpci_find_capability(d->pdev, PCI_CAP_ID_EXP, 0);
        if (exp) {
            uint16_t ctl = qpci_config_readw(d->pdev, exp + PCI_EXP_DEVCTL);

            qpci_config_writew(d->pdev, exp + PCI_EXP_DEVCTL,
                               ctl | PCI_EXP_DEVCTL_BCR_FLR);
            fz_reattach(f);
        }
        break;
    case 3:
        pci_device_reset(PCI_DEVICE(fz_smmu));
        fz_reattach(f);
        if (!(b[2] & 2)) {
            op_setup(f, fz_zeros);
        }
        break;
    case 4:
        if (runstate_is_running()) {
            vm_stop(RUN_STATE_PAUSED);
            flush_events(f->qts);
            vm_start();
        }
        break;
    default:
        /* bus mastering off (and on again) under the engine */
        qpci_config_writew(d->pdev, PCI_COMMAND,
                           qpci_config_readw(d->pdev, PCI_COMMAND) ^
                           PCI_COMMAND_MASTER);
        break;
    }
}

/*
 * MSI-X vectors aimed anywhere: RAM, the MSI window, dma-gen's CMD
 * register, smmu-lite's own registers. @b: [0] device, [1] vector, [2]
 * target, [3..6] data, [7] masked, [8] enables.
 */
static void op_msix(Fz *f, const uint8_t *b)
{
    uint64_t addr = fz_where(f, b[2], fz_alloc(f, 8, 8));
    uint32_t data = le(b + 3, 4);

    if (b[0] & 1) {
        DmaGen *d = f->dg[(b[0] >> 1) & 1];

        dma_gen_msix_vector(d, b[1] & 1, addr, data, b[7] & 1);
        qpci_io_writel(d->pdev, d->bar0, A_INT_ENABLE, b[8] & 3);
        return;
    }
    sl_msix_enable(f->sl);
    sl_msix_vector(f->sl, b[1] & 1, addr, data, b[7] & 1);
    sl_writel(f->sl, SL_IRQ_CTRL, b[8] & 5);
}

/* Command refusal (a debug property a driver test sets at run time). */
static void op_refuse(Fz *f, const uint8_t *b)
{
    object_property_set_uint(fz_smmu, "x-refuse-cmd", b[0], NULL);
    object_property_set_uint(fz_smmu, "x-refuse-cmd-count", b[1] & 3, NULL);
}

/*
 * Trace points and guest-error logging switched off and on again while the
 * devices work, as a user does with QMP/HMP: the code runs both ways (a
 * trace point's arguments are evaluated only when it is on). @b: [0] bit 0
 * trace points, bit 1 guest-error log; every input starts with both on.
 */
static bool fz_quiet_trace, fz_quiet_log;

static void fz_trace_state(bool quiet)
{
    trace_enable_events(quiet ? "-smmu_lite_*" : "smmu_lite_*");
    trace_enable_events(quiet ? "-dma_gen_*" : "dma_gen_*");
    fz_quiet_trace = quiet;
}

static void fz_log_state(bool quiet)
{
    int mask = quiet ? qemu_loglevel & ~LOG_GUEST_ERROR
                     : qemu_loglevel | LOG_GUEST_ERROR;

    qemu_set_log(mask, &error_abort);
    fz_quiet_log = quiet;
}

static void op_log(Fz *f, const uint8_t *b)
{
    if (b[0] & 1) {
        fz_trace_state(!fz_quiet_trace);
    }
    if (b[0] & 2) {
        fz_log_state(!fz_quiet_log);
    }
}

typedef void (*FzOp)(Fz *f, const uint8_t *args);

static const struct {
    FzOp fn;
    const char *name;
} fz_ops[] = {
    { op_setup, "setup" }, { op_ste, "ste" }, { op_poke, "poke" },
    { op_cmd, "cmd" }, { op_dma, "dma" }, { op_cont, "cont" },
    { op_clock, "clock" }, { op_mmio, "mmio" }, { op_evtq, "evtq" },
    { op_reset, "reset" }, { op_msix, "msix" }, { op_refuse, "refuse" },
    { op_log, "log" },
    /* the common ones twice as likely */
    { op_ste, "ste" }, { op_dma, "dma" }, { op_clock, "clock" },
    { op_cmd, "cmd" },
};

/*
 * SMMU_LITE_FUZZ_VERBOSE=1 (replaying an input): what each record did, as
 * the registers and counters show it.
 */
static void fz_trace(Fz *f, const char *op, const uint8_t *args)
{
    char hex[2 * (FZ_REC - 1) + 1];

    for (int i = 0; i < FZ_REC - 1; i++) {
        snprintf(hex + 2 * i, 3, "%02x", args[i]);
    }
    fprintf(stderr, "smmu-lite-fuzz: %-6s %s: CR0ACK 0x%x GERROR^N 0x%x "
            "CMDQ %x/%x EVTQ %x/%x translations %" PRIu64 " events %" PRIu64
            " dg0 STATUS 0x%x "
            "OPS %u ERRORS %u\n", op, hex,
            sl_readl(f->sl, SL_CR0ACK),
            sl_readl(f->sl, SL_GERROR) ^ sl_readl(f->sl, SL_GERRORN),
            sl_readl(f->sl, SL_CMDQ_PROD), sl_readl(f->sl, SL_CMDQ_CONS),
            sl_readl(f->sl, SL_EVTQ_PROD), sl_readl(f->sl, SL_EVTQ_CONS),
            object_property_get_uint(fz_smmu, "stat-translations", NULL),
            object_property_get_uint(fz_smmu, "stat-events", NULL),
            dma_gen_readl(f->dg[0], A_STATUS),
            dma_gen_readl(f->dg[0], A_OPS_LO),
            dma_gen_readl(f->dg[0], A_DMA_ERRORS_LO));
}

static void smmu_lite_fuzz(QTestState *qts, const unsigned char *data,
                           size_t size)
{
    Fz f = { .qts = qts, .clock_left = FZ_CLOCK_BUDGET_NS };

    /* nothing of the last input: RAM DMA may reach, debug state, counters */
    qtest_memset(qts, FZ_DATA, 0, FZ_DATA_SIZE);
    qtest_memset(qts, FZ_POOL, 0, fz_pool_high - FZ_POOL);
    qtest_memset(qts, FZ_RAM - 0x1000, 0, 0x1000);
    fz_pool_high = FZ_POOL;
    object_property_set_uint(fz_smmu, "x-refuse-cmd", 0, &error_abort);
    object_property_set_uint(fz_smmu, "x-refuse-cmd-count", 0, &error_abort);
    object_property_set_bool(fz_smmu, "stats-reset", true, &error_abort);
    if (fz_quiet_trace) {
        fz_trace_state(false);
    }
    if (fz_quiet_log) {
        fz_log_state(false);
    }

    fz_attach(&f);
    op_setup(&f, fz_zeros);
    flush_events(qts);
    for (; size >= FZ_REC; data += FZ_REC, size -= FZ_REC) {
        unsigned op = data[0] % ARRAY_SIZE(fz_ops);

        fz_ops[op].fn(&f, data + 1);
        flush_events(qts);
        fz_pool_high = MAX(fz_pool_high, f.sl->next);
        if (fz_verbose) {
            fz_trace(&f, fz_ops[op].name, data + 1);
        }
    }
    fz_detach(&f);
    fuzz_reset(qts);
}

static void smmu_lite_fuzz_pre(QTestState *qts)
{
    fz_smmu = object_resolve_path("/machine/peripheral/smmu", NULL);
    g_assert(fz_smmu);
    fz_verbose = getenv("SMMU_LITE_FUZZ_VERBOSE") != NULL;
}

static GString *smmu_lite_fuzz_cmdline(FuzzTarget *t)
{
    GString *cmd = g_string_new(TARGET_NAME);

    g_string_append_printf(cmd, " -machine q35,accel=qtest -m %lluM "
                           "-bios qboot.rom -nodefaults -display none "
                           "-device smmu-lite,id=smmu,addr=%02x.0,"
                           "tear-window-ns=2000 "
                           "-device dma-gen,id=dg0,addr=%02x.0,max-len=65536 "
                           "-device pci-bridge,id=br0,chassis_nr=1,addr=%02x.0 "
                           /* the second engine runs in an IOThread */
                           "-object iothread,id=fzio "
                           "-device dma-gen,id=dg1,bus=br0,addr=01.0,"
                           "max-len=65536,iothread=fzio "
                           /* trace points and guest-error logs run too */
                           "-trace enable=smmu_lite_* -trace enable=dma_gen_* "
                           "-d guest_errors -D /dev/null",
                           (unsigned long long)(FZ_RAM / MiB), SL_SLOT,
                           FZ_DG_SLOT0, FZ_BRIDGE_SLOT);
    return cmd;
}

static void register_smmu_lite_fuzz(void)
{
    static const FuzzTarget t = {
        .name = "smmu-lite",
        .description = "smmu-lite and dma-gen: consistent STE/CD/page-table "
                       "chains, commands, DMA, resets and run-state changes",
        .get_init_cmdline = smmu_lite_fuzz_cmdline,
        .pre_fuzz = smmu_lite_fuzz_pre,
        .fuzz = smmu_lite_fuzz,
    };

    fuzz_add_target(&t);
}

fuzz_target_init(register_smmu_lite_fuzz);
