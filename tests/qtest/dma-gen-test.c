/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtests for the dma-gen PCI DMA traffic generator, without an IOMMU:
 * IOVA == guest physical address. Every check is against exact values
 * from docs/specs/dma-gen.rst.
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "tests/qtest/libqos/libqos-malloc.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "hw/pci/pci_regs.h"
#include "dma-gen-lib.h"

#define DG_SLOT         4
#define DG_DEVFN        QPCI_DEVFN(DG_SLOT, 0)
#define DG_ARGS         "-device dma-gen,id=dg0,addr=4.0"
#define DG_PATH         "/machine/peripheral/dg0"

/* Guest RAM ends here; nothing is mapped right above it on q35 */
#define RAM_END         ((uint64_t)DMA_GEN_TEST_RAM_MB * MiB)
/* Far above RAM and below any 64-bit PCI window in use */
#define NO_RAM          0x1000000000ULL

typedef struct Ctx {
    QOSState *qs;
    QTestState *qts;
    DmaGen *d;
} Ctx;

static void ctx_boot(Ctx *c, const char *args, int devfn)
{
    c->qs = dma_gen_boot("%s", args);
    c->qts = c->qs->qts;
    c->d = dma_gen_init(c->qts, c->qs->pcibus, devfn);
}

static void ctx_free(Ctx *c)
{
    dma_gen_free(c->d);
    qtest_shutdown(c->qs);
}

static uint64_t galloc(Ctx *c, size_t size)
{
    return guest_alloc(&c->qs->alloc, size);
}

static void assert_counters(DmaGen *d, uint64_t ops, uint64_t bytes,
                            uint64_t dma_errors, uint64_t mismatches)
{
    DmaGenCounters k;

    dma_gen_read_counters(d, &k);
    g_assert_cmpuint(k.ops, ==, ops);
    g_assert_cmpuint(k.bytes, ==, bytes);
    g_assert_cmpuint(k.dma_errors, ==, dma_errors);
    g_assert_cmpuint(k.mismatches, ==, mismatches);
}

/* Registers and their reset values (spec: BAR0 register map) */
static const struct {
    uint32_t off;
    uint32_t val;
} reset_values[] = {
    { 0x000, 0x11e91234 }, { 0x004, 0x00010001 }, { 0x008, 0x3f },
    { 0x00c, 0x00100000 }, { 0x010, 0 }, { 0x014, 0 }, { 0x018, 0 },
    { 0x01c, 0 }, { 0x020, 0 }, { 0x024, 0 }, { 0x028, 0 }, { 0x02c, 0 },
    { 0x030, 0 }, { 0x034, 0 }, { 0x038, 0 }, { 0x03c, 0 }, { 0x040, 0 },
    { 0x044, 0 }, { 0x048, 0 }, { 0x04c, 0 }, { 0x050, 0 }, { 0x054, 0 },
    { 0x058, 0 }, { 0x05c, 0 }, { 0x060, 0 }, { 0x064, 0 }, { 0x068, 0 },
    { 0x06c, 0 }, { 0x070, 0 }, { 0x074, 0 }, { 0x080, 0 }, { 0x084, 0 },
    { 0x088, 0 }, { 0x08c, 0 }, { 0x090, 0 }, { 0x094, 0 }, { 0x098, 0 },
    { 0x09c, 0 }, { 0x0a0, 0 }, { 0x0a4, 0 }, { 0x0a8, 0 }, { 0x0ac, 0 },
    { 0x0b0, 0 }, { 0x0b4, 0 }, { 0x0b8, 0 }, { 0x0c0, 0 }, { 0x0c4, 0 },
    { 0x0c8, 0 }, { 0x0fc, 0 }, { 0x100, 0 }, { 0xffc, 0 },
};

static void assert_reset_values(DmaGen *d)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(reset_values); i++) {
        g_assert_cmphex(dma_gen_readl(d, reset_values[i].off), ==,
                        reset_values[i].val);
    }
}

/* Put non-reset values into every writable register and the counters */
static void dirty_device(Ctx *c)
{
    DmaGen *d = c->d;
    uint64_t buf = galloc(c, 0x3000);
    DmaGenContCfg cfg = {
        .src = buf, .dst = buf + 0x1000, .slots = 2, .stride = 0x800,
        .len = 0x100, .period_ns = 5000, .ops_per_tick = 1,
        .pattern = 0x01020304, .fill_src = true,
    };

    dma_gen_writel(d, A_INT_ENABLE, DMA_GEN_INT_MASK);
    g_assert_cmpuint(dma_gen_fill(d, buf + 0x2000, 64, 0xabcdef01), ==, 0);
    g_assert_cmpuint(dma_gen_verify(d, buf + 0x2000, 64, 0x1), ==,
                     DMA_GEN_ERR_MISMATCH);
    g_assert_cmpuint(dma_gen_cont_start(d, &cfg), ==, 0);
    qtest_clock_step(c->qts, 3 * 5000);
    dma_gen_write64(d, A_SRC_LO, 0x123456789ULL);
    g_assert(dma_gen_cont_running(d));
    g_assert_cmpuint(dma_gen_readq(d, A_TICKS_LO), ==, 3);
    g_assert_cmphex(dma_gen_readl(d, A_INT_STATUS), ==, DMA_GEN_INT_MASK);
}

/* PCI identity, BARs, capabilities, register reset values */
static void test_pci_config(void)
{
    Ctx c;
    QPCIDevice *p;
    uint64_t size;
    uint8_t cap;
    QPCIBar bar1;
    uint32_t table, pba;

    ctx_boot(&c, DG_ARGS, DG_DEVFN);
    p = c.d->pdev;

    g_assert_cmphex(qpci_config_readw(p, PCI_VENDOR_ID), ==, 0x1234);
    g_assert_cmphex(qpci_config_readw(p, PCI_DEVICE_ID), ==, 0x11e9);
    g_assert_cmphex(qpci_config_readb(p, PCI_REVISION_ID), ==, 0x01);
    g_assert_cmphex(qpci_config_readw(p, PCI_CLASS_DEVICE), ==, 0x0880);
    g_assert_cmphex(qpci_config_readb(p, PCI_CLASS_PROG), ==, 0x00);
    g_assert_cmphex(qpci_config_readb(p, PCI_INTERRUPT_PIN), ==, 1);
    g_assert_cmphex(qpci_config_readb(p, PCI_HEADER_TYPE) & 0x7f, ==, 0);

    g_assert_cmpuint(c.d->bar0_size, ==, 0x1000);
    g_assert_cmphex(qpci_config_readl(p, PCI_BASE_ADDRESS_0) &
                    ~PCI_BASE_ADDRESS_MEM_MASK, ==, 0);  /* 32-bit mem */
    bar1 = qpci_iomap(p, 1, &size);
    g_assert_cmpuint(size, ==, 0x1000);
    qpci_iounmap(p, bar1);
    g_assert_cmphex(qpci_config_readl(p, PCI_BASE_ADDRESS_2), ==, 0);

    cap = qpci_find_capability(p, PCI_CAP_ID_MSIX, 0);
    g_assert_cmpuint(cap, !=, 0);
    g_assert_cmpuint((qpci_config_readw(p, cap + PCI_MSIX_FLAGS) &
                      PCI_MSIX_FLAGS_QSIZE) + 1, ==, 2);
    table = qpci_config_readl(p, cap + PCI_MSIX_TABLE);
    pba = qpci_config_readl(p, cap + PCI_MSIX_PBA);
    g_assert_cmphex(table, ==, 0x000 | 1);
    g_assert_cmphex(pba, ==, 0x800 | 1);

    /* on q35's pcie.0: integrated endpoint with FLR */
    cap = qpci_find_capability(p, PCI_CAP_ID_EXP, 0);
    g_assert_cmpuint(cap, !=, 0);
    g_assert_cmphex((qpci_config_readw(p, cap + PCI_EXP_FLAGS) &
                     PCI_EXP_FLAGS_TYPE) >> 4, ==, PCI_EXP_TYPE_RC_END);
    g_assert(qpci_config_readl(p, cap + PCI_EXP_DEVCAP) & PCI_EXP_DEVCAP_FLR);

    assert_reset_values(c.d);
    g_assert_cmphex(dma_gen_readq(c.d, A_ID), ==, 0x0001000111e91234ULL);

    /* read-only registers ignore writes */
    dma_gen_writel(c.d, A_ID, 0);
    dma_gen_writel(c.d, A_MAX_LEN, 5);
    dma_gen_writel(c.d, A_OPS_LO, 7);
    dma_gen_writel(c.d, A_STATUS, 0xffffffff);
    dma_gen_writel(c.d, 0x200, 0x55);
    assert_reset_values(c.d);

    ctx_free(&c);
}

static void test_max_len_prop(void)
{
    Ctx c;

    ctx_boot(&c, "-device dma-gen,id=dg0,addr=4.0,max-len=0x2000",
             DG_DEVFN);
    g_assert_cmphex(dma_gen_readl(c.d, A_MAX_LEN), ==, 0x2000);
    ctx_free(&c);
}

/* -device dma-gen,help: properties with descriptions */
static void test_properties_listed(void)
{
    QTestState *qts = qtest_init("-machine q35 -bios qboot.rom -nodefaults");
    const char *want[] = {
        "max-len", "ops", "bytes", "dma-errors", "mismatches",
        "last-error-iova", "last-mismatch-iova", "ticks", "cont-running",
    };
    QDict *resp;
    QList *list;
    QListEntry *e;
    size_t i, found = 0;

    resp = qtest_qmp(qts, "{ 'execute': 'device-list-properties',"
                     " 'arguments': { 'typename': 'dma-gen' } }");
    list = qdict_get_qlist(resp, "return");
    g_assert_nonnull(list);
    QLIST_FOREACH_ENTRY(list, e) {
        QDict *prop = qobject_to(QDict, qlist_entry_obj(e));
        const char *name = qdict_get_str(prop, "name");

        for (i = 0; i < ARRAY_SIZE(want); i++) {
            if (!strcmp(name, want[i])) {
                g_assert(qdict_haskey(prop, "description"));
                g_assert_cmpuint(strlen(qdict_get_str(prop, "description")),
                                 >, 10);
                found++;
            }
        }
    }
    g_assert_cmpuint(found, ==, ARRAY_SIZE(want));
    qobject_unref(resp);
    qtest_quit(qts);
}

static void test_copy(void)
{
    Ctx c;
    const uint32_t len = 10000;     /* crosses several 4 KiB pages */
    uint64_t src, dst;
    g_autofree uint8_t *pat = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len + 16);
    uint32_t i;

    ctx_boot(&c, DG_ARGS, DG_DEVFN);
    src = galloc(&c, 3 * 0x1000 + 0x1000);
    dst = galloc(&c, 3 * 0x1000 + 0x1000);
    for (i = 0; i < len; i++) {
        pat[i] = i * 7 + (i >> 8);
    }
    qtest_memset(c.qts, dst, 0xee, len + 16);
    qtest_memwrite(c.qts, src + 3, pat, len);

    /* unaligned source and destination */
    g_assert_cmpuint(dma_gen_copy(c.d, src + 3, dst + 5, len), ==, 0);
    g_assert_cmpuint(dma_gen_readl(c.d, A_CMD_DONE_BYTES), ==, len);
    g_assert_cmphex(dma_gen_cmd_err_iova(c.d), ==, 0);
    qtest_memread(c.qts, dst, got, len + 16);
    for (i = 0; i < 5; i++) {
        g_assert_cmphex(got[i], ==, 0xee);
    }
    g_assert_cmpint(memcmp(got + 5, pat, len), ==, 0);
    for (i = len + 5; i < len + 16; i++) {
        g_assert_cmphex(got[i], ==, 0xee);
    }
    assert_counters(c.d, 1, len, 0, 0);
    g_assert_cmphex(dma_gen_readl(c.d, A_STATUS), ==, 0x1);
    g_assert_cmphex(dma_gen_readl(c.d, A_CMD), ==, DMA_GEN_OP_COPY);
    g_assert_cmphex(dma_gen_readl(c.d, A_CMD_SEQ), ==, 1);

    /* a one-byte copy */
    g_assert_cmpuint(dma_gen_copy(c.d, src + 3, dst + len + 8, 1), ==, 0);
    g_assert_cmphex(qtest_readb(c.qts, dst + len + 8), ==, pat[0]);
    g_assert_cmphex(qtest_readb(c.qts, dst + len + 9), ==, 0xee);
    assert_counters(c.d, 2, len + 1, 0, 0);

    /* overlapping, destination below source: same result as memmove */
    qtest_memwrite(c.qts, src, pat, 6000);
    g_assert_cmpuint(dma_gen_copy(c.d, src + 100, src, 5000), ==, 0);
    qtest_memread(c.qts, src, got, 5000);
    g_assert_cmpint(memcmp(got, pat + 100, 5000), ==, 0);

    ctx_free(&c);
}

static void test_fill_verify(void)
{
    Ctx c;
    const uint32_t len = 4099;
    const uint32_t pattern = 0xdeadbeef;
    uint64_t buf;
    g_autofree uint8_t *got = g_malloc(len + 8);
    uint32_t i;

    ctx_boot(&c, DG_ARGS, DG_DEVFN);
    buf = galloc(&c, 0x3000);
    qtest_memset(c.qts, buf, 0x11, len + 8);

    g_assert_cmpuint(dma_gen_fill(c.d, buf + 1, len, pattern), ==, 0);
    g_assert_cmpuint(dma_gen_readl(c.d, A_CMD_DONE_BYTES), ==, len);
    qtest_memread(c.qts, buf, got, len + 8);
    g_assert_cmphex(got[0], ==, 0x11);
    /* the pattern starts at the buffer start, little-endian */
    g_assert_cmphex(got[1], ==, 0xef);
    g_assert_cmphex(got[2], ==, 0xbe);
    g_assert_cmphex(got[3], ==, 0xad);
    g_assert_cmphex(got[4], ==, 0xde);
    for (i = 0; i < len; i++) {
        g_assert_cmphex(got[1 + i], ==, dma_gen_pattern_byte(pattern, i));
    }
    for (i = len + 1; i < len + 8; i++) {
        g_assert_cmphex(got[i], ==, 0x11);
    }

    g_assert_cmpuint(dma_gen_verify(c.d, buf + 1, len, pattern), ==, 0);
    g_assert_cmpuint(dma_gen_readl(c.d, A_CMD_DONE_BYTES), ==, len);
    assert_counters(c.d, 2, 2 * len, 0, 0);

    /* guest-written pattern verifies too */
    dma_gen_guest_fill(c.qts, buf + 0x2000, 100, 0x12345678);
    g_assert_cmpuint(dma_gen_verify(c.d, buf + 0x2000, 100, 0x12345678),
                     ==, 0);
    g_assert_cmpuint(dma_gen_guest_check(c.qts, buf + 1, len, pattern),
                     ==, len);
    ctx_free(&c);
}

static void test_verify_mismatch(void)
{
    Ctx c;
    uint64_t buf;
    const uint32_t pattern = 0xa5a55a5a;
    DmaGenCounters k;

    ctx_boot(&c, DG_ARGS, DG_DEVFN);
    buf = galloc(&c, 0x4000);
    g_assert_cmpuint(dma_gen_fill(c.d, buf, 0x3000, pattern), ==, 0);
    /* corrupt bytes 5000 and 9000 */
    qtest_writeb(c.qts, buf + 5000, dma_gen_pattern_byte(pattern, 5000) ^ 1);
    qtest_writeb(c.qts, buf + 9000, 0);

    g_assert_cmpuint(dma_gen_verify(c.d, buf, 0x3000, pattern), ==,
                     DMA_GEN_ERR_MISMATCH);
    g_assert_cmphex(dma_gen_readl(c.d, A_STATUS), ==,
                    0x3 | (DMA_GEN_ERR_MISMATCH << 8));
    g_assert_cmphex(dma_gen_cmd_err_iova(c.d), ==, buf + 5000);
    g_assert_cmpuint(dma_gen_readl(c.d, A_CMD_DONE_BYTES), ==, 5000);
    dma_gen_read_counters(c.d, &k);
    g_assert_cmpuint(k.ops, ==, 2);
    g_assert_cmpuint(k.bytes, ==, 0x3000 + 5000);
    g_assert_cmpuint(k.mismatches, ==, 1);
    g_assert_cmpuint(k.dma_errors, ==, 0);
    g_assert_cmphex(k.last_mismatch_iova, ==, buf + 5000);
    g_assert_cmphex(k.last_err_iova, ==, 0);
    g_assert_cmphex(dma_gen_readl(c.d, A_INT_STATUS), ==, 0x3);

    /* the second difference is found once the first is gone */
    qtest_writeb(c.qts, buf + 5000, dma_gen_pattern_byte(pattern, 5000));
    g_assert_cmpuint(dma_gen_verify(c.d, buf, 0x3000, pattern), ==,
                     DMA_GEN_ERR_MISMATCH);
    g_assert_cmphex(dma_gen_cmd_err_iova(c.d), ==, buf + 9000);
    g_assert_cmphex(dma_gen_readq(c.d, A_LAST_MISMATCH_IOVA_LO), ==,
                    buf + 9000);
    g_assert_cmpuint(dma_gen_readq(c.d, A_MISMATCHES_LO), ==, 2);

    /* a following successful command clears ERROR and the error IOVA */
    g_assert_cmpuint(dma_gen_verify(c.d, buf, 9000, pattern), ==, 0);
    g_assert_cmphex(dma_gen_readl(c.d, A_STATUS), ==, 0x1);
    g_assert_cmphex(dma_gen_cmd_err_iova(c.d), ==, 0);
    ctx_free(&c);
}

static void test_msix(void)
{
    Ctx c;
    DmaGen *d;
    uint64_t off0;

    ctx_boot(&c, DG_ARGS, DG_DEVFN);
    d = c.d;
    dma_gen_msix_setup(d, &c.qs->alloc);

    /* nothing enabled: no message */
    g_assert_cmpuint(dma_gen_cmd(d, DMA_GEN_OP_NOP), ==, 0);
    g_assert_cmphex(dma_gen_readl(d, A_INT_STATUS), ==, 0x1);
    g_assert_false(dma_gen_msix_fired(d, 0));
    g_assert_false(dma_gen_msix_fired(d, 1));

    /* enabling a pending cause signals it */
    dma_gen_writel(d, A_INT_ENABLE, 0x3);
    g_assert_true(dma_gen_msix_fired(d, 0));
    g_assert_false(dma_gen_msix_fired(d, 1));

    /* still set in INT_STATUS: no new message until acknowledged */
    g_assert_cmpuint(dma_gen_cmd(d, DMA_GEN_OP_NOP), ==, 0);
    g_assert_false(dma_gen_msix_fired(d, 0));
    dma_gen_writel(d, A_INT_STATUS, 0x1);
    g_assert_cmphex(dma_gen_readl(d, A_INT_STATUS), ==, 0);
    g_assert_cmpuint(dma_gen_cmd(d, DMA_GEN_OP_NOP), ==, 0);
    g_assert_true(dma_gen_msix_fired(d, 0));
    g_assert_false(dma_gen_msix_fired(d, 1));

    /* a failed command signals both vectors */
    dma_gen_writel(d, A_INT_STATUS, 0xffffffff);
    g_assert_cmpuint(dma_gen_cmd(d, 0x42), ==, DMA_GEN_ERR_BAD_CMD);
    g_assert_cmphex(dma_gen_readl(d, A_INT_STATUS), ==, 0x3);
    g_assert_true(dma_gen_msix_fired(d, 0));
    g_assert_true(dma_gen_msix_fired(d, 1));

    /* INT_SET */
    dma_gen_writel(d, A_INT_STATUS, 0x3);
    dma_gen_writel(d, A_INT_SET, 0x2);
    g_assert_cmphex(dma_gen_readl(d, A_INT_STATUS), ==, 0x2);
    g_assert_false(dma_gen_msix_fired(d, 0));
    g_assert_true(dma_gen_msix_fired(d, 1));

    /* masked vector: PBA bit instead of a message, delivered on unmask */
    dma_gen_writel(d, A_INT_STATUS, 0x3);
    off0 = d->pdev->msix_table_off + PCI_MSIX_ENTRY_VECTOR_CTRL;
    qpci_io_writel(d->pdev, d->pdev->msix_table_bar, off0,
                   PCI_MSIX_ENTRY_CTRL_MASKBIT);
    g_assert_cmpuint(dma_gen_cmd(d, DMA_GEN_OP_NOP), ==, 0);
    g_assert_false(dma_gen_msix_fired(d, 0));
    g_assert_true(qpci_msix_pending(d->pdev, 0));
    qpci_io_writel(d->pdev, d->pdev->msix_table_bar, off0, 0);
    g_assert_true(dma_gen_msix_fired(d, 0));
    g_assert_false(qpci_msix_pending(d->pdev, 0));

    /* INT_ENABLE off: status still set, no message */
    dma_gen_writel(d, A_INT_STATUS, 0x3);
    dma_gen_writel(d, A_INT_ENABLE, 0);
    g_assert_cmpuint(dma_gen_cmd(d, DMA_GEN_OP_NOP), ==, 0);
    g_assert_cmphex(dma_gen_readl(d, A_INT_STATUS), ==, 0x1);
    g_assert_false(dma_gen_msix_fired(d, 0));
    ctx_free(&c);
}

static void test_bus_master_off(void)
{
    Ctx c;
    uint64_t src, dst;

    ctx_boot(&c, DG_ARGS, DG_DEVFN);
    src = galloc(&c, 0x1000);
    dst = galloc(&c, 0x1000);
    dma_gen_guest_fill(c.qts, src, 0x1000, 0x11223344);
    qtest_memset(c.qts, dst, 0x77, 0x1000);

    dma_gen_set_bus_master(c.d, false);
    g_assert_cmpuint(dma_gen_copy(c.d, src, dst, 0x1000), ==,
                     DMA_GEN_ERR_BUS_MASTER);
    g_assert_cmpuint(dma_gen_readl(c.d, A_CMD_DONE_BYTES), ==, 0);
    g_assert_cmpuint(dma_gen_fill(c.d, dst, 0x1000, 0), ==,
                     DMA_GEN_ERR_BUS_MASTER);
    g_assert_cmpuint(dma_gen_verify(c.d, src, 0x1000, 0x11223344), ==,
                     DMA_GEN_ERR_BUS_MASTER);
    /* nothing written, nothing counted (rejected before DMA) */
    g_assert_cmpuint(dma_gen_guest_check(c.qts, dst, 0x1000, 0x77777777),
                     ==, 0x1000);
    assert_counters(c.d, 0, 0, 0, 0);

    dma_gen_set_bus_master(c.d, true);
    g_assert_cmpuint(dma_gen_copy(c.d, src, dst, 0x1000), ==, 0);
    g_assert_cmpuint(dma_gen_guest_check(c.qts, dst, 0x1000, 0x11223344),
                     ==, 0x1000);
    assert_counters(c.d, 1, 0x1000, 0, 0);
    ctx_free(&c);
}

static void test_dma_outside_ram(void)
{
    Ctx c;
    uint64_t buf;
    DmaGenCounters k;

    ctx_boot(&c, DG_ARGS, DG_DEVFN);
    buf = galloc(&c, 0x1000);
    dma_gen_guest_fill(c.qts, buf, 0x1000, 0xcafef00d);

    /* write far outside RAM */
    g_assert_cmpuint(dma_gen_fill(c.d, NO_RAM + 0x800, 0x1000, 1), ==,
                     DMA_GEN_ERR_DMA_WRITE);
    g_assert_cmphex(dma_gen_cmd_err_iova(c.d), ==, NO_RAM + 0x800);
    g_assert_cmpuint(dma_gen_readl(c.d, A_CMD_DONE_BYTES), ==, 0);
    dma_gen_read_counters(c.d, &k);
    g_assert_cmpuint(k.ops, ==, 1);
    g_assert_cmpuint(k.dma_errors, ==, 1);
    g_assert_cmphex(k.last_err_iova, ==, NO_RAM + 0x800);

    /* read from outside RAM: destination untouched */
    g_assert_cmpuint(dma_gen_copy(c.d, NO_RAM, buf, 0x1000), ==,
                     DMA_GEN_ERR_DMA_READ);
    g_assert_cmphex(dma_gen_cmd_err_iova(c.d), ==, NO_RAM);
    g_assert_cmpuint(dma_gen_guest_check(c.qts, buf, 0x1000, 0xcafef00d),
                     ==, 0x1000);
    g_assert_cmpuint(dma_gen_verify(c.d, NO_RAM + 4, 8, 0), ==,
                     DMA_GEN_ERR_DMA_READ);

    /* straddling the end of RAM: first chunk lands, error at RAM_END */
    g_assert_cmpuint(dma_gen_fill(c.d, RAM_END - 0x800, 0x1000, 0x5555aaaa),
                     ==, DMA_GEN_ERR_DMA_WRITE);
    g_assert_cmphex(dma_gen_cmd_err_iova(c.d), ==, RAM_END);
    g_assert_cmpuint(dma_gen_readl(c.d, A_CMD_DONE_BYTES), ==, 0x800);
    g_assert_cmpuint(dma_gen_guest_check(c.qts, RAM_END - 0x800, 0x800,
                                         0x5555aaaa), ==, 0x800);
    dma_gen_read_counters(c.d, &k);
    g_assert_cmpuint(k.ops, ==, 4);
    g_assert_cmpuint(k.bytes, ==, 0x800);
    g_assert_cmpuint(k.dma_errors, ==, 4);
    g_assert_cmpuint(k.mismatches, ==, 0);
    g_assert_cmphex(k.last_err_iova, ==, RAM_END);

    /*
     * Copy whose destination straddles the end of RAM: chunks split at the
     * destination's 4 KiB boundary too, so the error IOVA is RAM_END.
     */
    g_assert_cmpuint(dma_gen_copy(c.d, buf, RAM_END - 0x800, 0x1000), ==,
                     DMA_GEN_ERR_DMA_WRITE);
    g_assert_cmphex(dma_gen_cmd_err_iova(c.d), ==, RAM_END);
    g_assert_cmpuint(dma_gen_readl(c.d, A_CMD_DONE_BYTES), ==, 0x800);
    g_assert_cmpuint(dma_gen_guest_check(c.qts, RAM_END - 0x800, 0x800,
                                         0xcafef00d), ==, 0x800);

    /* the device still works */
    g_assert_cmpuint(dma_gen_fill(c.d, buf, 0x1000, 0x0f0f0f0f), ==, 0);
    g_assert_cmpuint(dma_gen_guest_check(c.qts, buf, 0x1000, 0x0f0f0f0f),
                     ==, 0x1000);
    ctx_free(&c);
}

static void test_bad_input(void)
{
    Ctx c;
    DmaGen *d;
    uint64_t buf;
    DmaGenContCfg cfg;
    uint32_t seq;

    ctx_boot(&c, DG_ARGS, DG_DEVFN);
    d = c.d;
    buf = galloc(&c, 0x2000);

    g_assert_cmpuint(dma_gen_cmd(d, 0x77), ==, DMA_GEN_ERR_BAD_CMD);
    g_assert_cmpuint(dma_gen_cmd(d, 0xff), ==, DMA_GEN_ERR_BAD_CMD);
    g_assert_cmpuint(dma_gen_cmd(d, 0x06), ==, DMA_GEN_ERR_BAD_CMD);
    /* reserved CMD bits are ignored: 0x100 is a NOP */
    g_assert_cmpuint(dma_gen_cmd(d, 0xabcd0100), ==, 0);
    g_assert_cmphex(dma_gen_readl(d, A_CMD), ==, 0xabcd0100);

    g_assert_cmpuint(dma_gen_fill(d, buf, 0, 1), ==, DMA_GEN_ERR_BAD_LEN);
    g_assert_cmpuint(dma_gen_copy(d, buf, buf + 0x1000, 0), ==,
                     DMA_GEN_ERR_BAD_LEN);
    g_assert_cmpuint(dma_gen_fill(d, buf, DMA_GEN_MAX_LEN_DEFAULT + 1, 1), ==,
                     DMA_GEN_ERR_BAD_LEN);
    g_assert_cmpuint(dma_gen_verify(d, buf, 0xffffffff, 1), ==,
                     DMA_GEN_ERR_BAD_LEN);
    g_assert_cmpuint(dma_gen_copy(d, 0xfffffffffffff000ULL, buf, 0x1001), ==,
                     DMA_GEN_ERR_ADDR_WRAP);
    g_assert_cmpuint(dma_gen_fill(d, 0xffffffffffffffffULL, 2, 1), ==,
                     DMA_GEN_ERR_ADDR_WRAP);
    g_assert_cmpuint(dma_gen_readl(d, A_CMD_DONE_BYTES), ==, 0);
    /* rejected before DMA: not counted */
    assert_counters(d, 0, 0, 0, 0);
    /* ends exactly at 2^64: no wrap, just no memory there */
    g_assert_cmpuint(dma_gen_fill(d, 0xfffffffffffff000ULL, 0x1000, 1), ==,
                     DMA_GEN_ERR_DMA_WRITE);
    g_assert_cmphex(dma_gen_cmd_err_iova(d), ==, 0xfffffffffffff000ULL);
    assert_counters(d, 1, 0, 1, 0);

    /* continuous-mode parameter checks, in the spec's order */
    cfg = (DmaGenContCfg) {
        .src = buf, .dst = buf + 0x1000, .slots = 0, .stride = 0x100,
        .len = 0x100, .period_ns = 1000, .ops_per_tick = 1,
    };
    g_assert_cmpuint(dma_gen_cont_start(d, &cfg), ==, DMA_GEN_ERR_BAD_PARAM);
    cfg.slots = 4;
    cfg.period_ns = 999;
    g_assert_cmpuint(dma_gen_cont_start(d, &cfg), ==, DMA_GEN_ERR_BAD_PARAM);
    cfg.period_ns = 1000;
    cfg.ops_per_tick = 0;
    g_assert_cmpuint(dma_gen_cont_start(d, &cfg), ==, DMA_GEN_ERR_BAD_PARAM);
    cfg.ops_per_tick = 257;
    g_assert_cmpuint(dma_gen_cont_start(d, &cfg), ==, DMA_GEN_ERR_BAD_PARAM);
    cfg.ops_per_tick = 256;
    cfg.len = 0;
    g_assert_cmpuint(dma_gen_cont_start(d, &cfg), ==, DMA_GEN_ERR_BAD_LEN);
    cfg.len = DMA_GEN_MAX_LEN_DEFAULT + 1;
    g_assert_cmpuint(dma_gen_cont_start(d, &cfg), ==, DMA_GEN_ERR_BAD_LEN);
    cfg.len = 0x100;
    cfg.dst = 0xffffffffffff0000ULL;
    cfg.slots = 0xffffffff;
    g_assert_cmpuint(dma_gen_cont_start(d, &cfg), ==, DMA_GEN_ERR_ADDR_WRAP);
    g_assert_false(dma_gen_cont_running(d));
    cfg.slots = 4;
    cfg.dst = buf + 0x1000;
    cfg.ops_per_tick = 1;
    g_assert_cmpuint(dma_gen_cont_start(d, &cfg), ==, 0);
    g_assert_cmpuint(dma_gen_cont_start(d, &cfg), ==, DMA_GEN_ERR_BUSY);
    g_assert_true(dma_gen_cont_running(d));
    g_assert_cmphex(dma_gen_readl(d, A_STATUS), ==,
                    0x3 | 0x8 | (DMA_GEN_ERR_BUSY << 8));
    g_assert_cmpuint(dma_gen_cont_stop(d), ==, 0);
    g_assert_cmpuint(dma_gen_cont_stop(d), ==, 0);   /* idempotent */

    /* invalid access sizes are ignored */
    dma_gen_writel(d, A_LEN, 0x40);
    qtest_writeb(c.qts, d->bar0.addr + A_LEN, 0xff);
    qtest_writew(c.qts, d->bar0.addr + A_LEN, 0xffff);
    (void)qtest_readb(c.qts, d->bar0.addr + A_ID);
    g_assert_cmphex(dma_gen_readl(d, A_LEN), ==, 0x40);

    /* RESET without the magic is ignored */
    seq = dma_gen_readl(d, A_CMD_SEQ);
    dma_gen_writel(d, A_RESET, 1);
    g_assert_cmphex(dma_gen_readl(d, A_CMD_SEQ), ==, seq);
    g_assert_cmphex(dma_gen_readl(d, A_LEN), ==, 0x40);

    /* and the device still works */
    g_assert_cmpuint(dma_gen_fill(d, buf, 0x40, 0x600df00d), ==, 0);
    g_assert_cmpuint(dma_gen_verify(d, buf, 0x40, 0x600df00d), ==, 0);
    g_assert_cmpuint(dma_gen_guest_check(c.qts, buf, 0x40, 0x600df00d),
                     ==, 0x40);
    ctx_free(&c);
}

static void test_huge_len_bounded(void)
{
    Ctx c;
    const uint64_t base = 16 * MiB;
    const uint32_t len = 128 * MiB;
    DmaGenCounters k;

    /*
     * The largest max-len: the device works through it with its 4 KiB
     * bounce buffer. Guest RAM from 16 MiB up is unused by the allocator
     * here (it only hands out a few pages from 1 MiB).
     */
    ctx_boot(&c, "-device dma-gen,id=dg0,addr=4.0,max-len=0x10000000",
             DG_DEVFN);
    g_assert_cmphex(dma_gen_readl(c.d, A_MAX_LEN), ==, 256 * MiB);
    g_assert_cmpuint(dma_gen_fill(c.d, base, len, 0x89abcdef), ==, 0);
    g_assert_cmpuint(dma_gen_readl(c.d, A_CMD_DONE_BYTES), ==, len);
    g_assert_cmpuint(dma_gen_verify(c.d, base, len, 0x89abcdef), ==, 0);
    g_assert_cmpuint(dma_gen_guest_check(c.qts, base + len - 0x1000, 0x1000,
                                         0x89abcdef), ==, 0x1000);
    /* 256 MiB from 16 MiB runs into the end of RAM */
    g_assert_cmpuint(dma_gen_fill(c.d, base, 256 * MiB, 0), ==,
                     DMA_GEN_ERR_DMA_WRITE);
    g_assert_cmphex(dma_gen_cmd_err_iova(c.d), ==, RAM_END);
    g_assert_cmpuint(dma_gen_readl(c.d, A_CMD_DONE_BYTES), ==,
                     RAM_END - base);
    g_assert_cmpuint(dma_gen_fill(c.d, base, 256 * MiB + 1, 0), ==,
                     DMA_GEN_ERR_BAD_LEN);
    dma_gen_read_counters(c.d, &k);
    g_assert_cmpuint(k.ops, ==, 3);
    g_assert_cmpuint(k.bytes, ==, 2ULL * len + (RAM_END - base));
    g_assert_cmpuint(k.dma_errors, ==, 1);
    ctx_free(&c);
}

#define PERIOD_NS 10000

static void test_continuous(void)
{
    Ctx c;
    DmaGen *d;
    uint64_t src, ring;
    const uint32_t len = 1000, slots = 8, stride = 0x400;
    const uint32_t pattern = 0x5aa5c33c;
    DmaGenCounters k, q;
    DmaGenContCfg cfg;
    uint32_t s;

    ctx_boot(&c, DG_ARGS, DG_DEVFN);
    d = c.d;
    src = galloc(&c, 0x1000);
    ring = galloc(&c, slots * stride);
    qtest_memset(c.qts, ring, 0, slots * stride);
    cfg = (DmaGenContCfg) {
        .src = src, .dst = ring, .slots = slots, .stride = stride,
        .len = len, .period_ns = PERIOD_NS, .ops_per_tick = 2,
        .pattern = pattern, .fill_src = true,
    };

    g_assert_cmpuint(dma_gen_cont_start(d, &cfg), ==, 0);
    g_assert_true(dma_gen_cont_running(d));
    g_assert_cmphex(dma_gen_readl(d, A_STATUS), ==, 0x1 | 0x8);
    g_assert_cmphex(dma_gen_readl(d, A_CONT_STATUS), ==, 0x1);
    /* FILL_SRC counted as one op */
    assert_counters(d, 1, len, 0, 0);
    g_assert_cmpuint(dma_gen_guest_check(c.qts, src, len, pattern), ==, len);
    dma_gen_reset_counters(d);
    assert_counters(d, 0, 0, 0, 0);

    /* no tick before one period */
    qtest_clock_step(c.qts, PERIOD_NS - 1);
    g_assert_cmpuint(dma_gen_readq(d, A_TICKS_LO), ==, 0);
    qtest_clock_step(c.qts, 1);
    g_assert_cmpuint(dma_gen_readq(d, A_TICKS_LO), ==, 1);
    assert_counters(d, 2, 2 * len, 0, 0);

    qtest_clock_step(c.qts, 9 * PERIOD_NS);
    dma_gen_read_counters(d, &k);
    g_assert_cmpuint(k.ticks, ==, 10);
    g_assert_cmpuint(k.ops, ==, 20);
    g_assert_cmpuint(k.bytes, ==, 20 * len);
    g_assert_cmpuint(k.dma_errors, ==, 0);
    g_assert_cmpuint(k.mismatches, ==, 0);
    g_assert_cmpuint(dma_gen_readl(d, A_CONT_NEXT_SLOT), ==, 20 % slots);
    for (s = 0; s < slots; s++) {
        g_assert_cmpuint(dma_gen_guest_check(c.qts, ring + s * stride, len,
                                             pattern), ==, len);
        /* nothing past the op length */
        g_assert_cmphex(qtest_readb(c.qts, ring + s * stride + len), ==, 0);
    }

    /* QOM view equals BAR0 */
    dma_gen_qom_counters(c.qts, DG_PATH, &q);
    g_assert_cmpint(memcmp(&k, &q, sizeof(k)), ==, 0);
    g_assert_true(qtest_qom_get_bool(c.qts, DG_PATH, "cont-running"));

    /* registers written while running only matter at the next start */
    dma_gen_writel(d, A_CONT_LEN, 0);
    dma_gen_writel(d, A_CONT_SLOTS, 0);
    qtest_clock_step(c.qts, PERIOD_NS);
    assert_counters(d, 22, 22 * len, 0, 0);
    g_assert_cmpuint(dma_gen_readl(d, A_CONT_LEN), ==, 0);

    /* data commands still work while running */
    g_assert_cmpuint(dma_gen_verify(d, ring, len, pattern), ==, 0);
    assert_counters(d, 23, 23 * len, 0, 0);

    g_assert_cmpuint(dma_gen_cont_stop(d), ==, 0);
    g_assert_false(dma_gen_cont_running(d));
    g_assert_false(qtest_qom_get_bool(c.qts, DG_PATH, "cont-running"));
    qtest_clock_step(c.qts, 10 * PERIOD_NS);
    assert_counters(d, 23, 23 * len, 0, 0);
    g_assert_cmpuint(dma_gen_readq(d, A_TICKS_LO), ==, 11);

    dma_gen_reset_counters(d);
    dma_gen_read_counters(d, &k);
    dma_gen_qom_counters(c.qts, DG_PATH, &q);
    g_assert_cmpuint(k.ops | k.bytes | k.ticks | k.dma_errors |
                     k.mismatches | k.last_err_iova |
                     k.last_mismatch_iova, ==, 0);
    g_assert_cmpint(memcmp(&k, &q, sizeof(k)), ==, 0);
    ctx_free(&c);
}

static void test_continuous_errors(void)
{
    Ctx c;
    DmaGen *d;
    uint64_t src;
    const uint32_t len = 0x100;
    const uint32_t pattern = 0x0badcafe;
    DmaGenCounters k;
    DmaGenContCfg cfg;

    ctx_boot(&c, DG_ARGS, DG_DEVFN);
    d = c.d;
    dma_gen_msix_setup(d, &c.qs->alloc);
    dma_gen_writel(d, A_INT_ENABLE, R_INT_ERROR_MASK);
    src = galloc(&c, 0x1000);
    dma_gen_guest_fill(c.qts, src, len, pattern);

    /* slots 0, 1 in RAM; slots 2, 3 past its end */
    cfg = (DmaGenContCfg) {
        .src = src, .dst = RAM_END - 0x2000, .slots = 4, .stride = 0x1000,
        .len = len, .period_ns = PERIOD_NS, .ops_per_tick = 1,
        .pattern = pattern, .fill_src = false,
    };
    g_assert_cmpuint(dma_gen_cont_start(d, &cfg), ==, 0);
    qtest_clock_step(c.qts, 8 * PERIOD_NS);
    dma_gen_read_counters(d, &k);
    g_assert_cmpuint(k.ticks, ==, 8);
    g_assert_cmpuint(k.ops, ==, 8);
    g_assert_cmpuint(k.bytes, ==, 4 * len);
    g_assert_cmpuint(k.dma_errors, ==, 4);
    g_assert_cmpuint(k.mismatches, ==, 0);
    g_assert_cmphex(k.last_err_iova, ==, RAM_END + 0x1000);
    g_assert_cmphex(dma_gen_readl(d, A_CONT_STATUS), ==,
                    0x1 | (DMA_GEN_ERR_DMA_WRITE << 8));
    g_assert_true(dma_gen_cont_running(d));
    /* one ERROR message until acknowledged */
    g_assert_true(dma_gen_msix_fired(d, 1));
    g_assert_false(dma_gen_msix_fired(d, 0));
    qtest_clock_step(c.qts, 4 * PERIOD_NS);
    g_assert_false(dma_gen_msix_fired(d, 1));
    dma_gen_writel(d, A_INT_STATUS, R_INT_ERROR_MASK);
    g_assert_cmpuint(dma_gen_cont_stop(d), ==, 0);

    /* corrupted source: every op mismatches at the corrupted byte */
    dma_gen_reset_counters(d);
    qtest_writeb(c.qts, src + 0x42, 0);
    cfg.dst = src + 0x400;
    cfg.slots = 2;
    cfg.stride = 0x200;
    g_assert_cmpuint(dma_gen_cont_start(d, &cfg), ==, 0);
    qtest_clock_step(c.qts, 3 * PERIOD_NS);
    dma_gen_read_counters(d, &k);
    g_assert_cmpuint(k.ops, ==, 3);
    g_assert_cmpuint(k.mismatches, ==, 3);
    g_assert_cmpuint(k.dma_errors, ==, 0);
    g_assert_cmpuint(k.bytes, ==, 3 * len);
    /* third op used slot 0 */
    g_assert_cmphex(k.last_mismatch_iova, ==, src + 0x400 + 0x42);
    g_assert_cmphex(dma_gen_readl(d, A_CONT_STATUS), ==,
                    0x1 | (DMA_GEN_ERR_MISMATCH << 8));
    g_assert_true(dma_gen_msix_fired(d, 1));

    /* source repaired: progress continues without new errors */
    qtest_writeb(c.qts, src + 0x42, dma_gen_pattern_byte(pattern, 0x42));
    qtest_clock_step(c.qts, 2 * PERIOD_NS);
    assert_counters(d, 5, 5 * len, 0, 3);

    /* bus mastering off: ops count as DMA errors, no DMA */
    dma_gen_set_bus_master(d, false);
    qtest_writeb(c.qts, src + 0x400, 0x99);
    qtest_clock_step(c.qts, 2 * PERIOD_NS);
    dma_gen_read_counters(d, &k);
    g_assert_cmpuint(k.ops, ==, 7);
    g_assert_cmpuint(k.dma_errors, ==, 2);
    g_assert_cmphex(k.last_err_iova, ==, src);
    g_assert_cmphex(dma_gen_readl(d, A_CONT_STATUS), ==,
                    0x1 | (DMA_GEN_ERR_BUS_MASTER << 8));
    g_assert_cmphex(qtest_readb(c.qts, src + 0x400), ==, 0x99);
    dma_gen_set_bus_master(d, true);
    qtest_clock_step(c.qts, 2 * PERIOD_NS);
    assert_counters(d, 9, 7 * len, 2, 3);
    g_assert_cmphex(qtest_readb(c.qts, src + 0x400), ==,
                    dma_gen_pattern_byte(pattern, 0));
    g_assert_cmpuint(dma_gen_cont_stop(d), ==, 0);
    ctx_free(&c);
}

/* A dma-gen behind a pci-bridge and a multi-function pair, all at once */
static void test_topologies(void)
{
    QOSState *qs;
    QTestState *qts;
    DmaGen *mf0, *mf1, *br;
    uint64_t buf;
    int bridge_devfn = QPCI_DEVFN(5, 0);
    int secbus;
    DmaGenCounters k;

    qs = dma_gen_boot("-device dma-gen,id=mf0,addr=4.0,multifunction=on "
                      "-device dma-gen,id=mf1,addr=4.1 "
                      "-device pci-bridge,id=br0,chassis_nr=1,addr=5.0 "
                      "-device dma-gen,id=dgb,bus=br0,addr=3.0");
    qts = qs->qts;
    mf0 = dma_gen_init(qts, qs->pcibus, QPCI_DEVFN(4, 0));
    mf1 = dma_gen_init(qts, qs->pcibus, QPCI_DEVFN(4, 1));
    g_assert(qpci_config_readb(mf0->pdev, PCI_HEADER_TYPE) & 0x80);

    secbus = qpci_secondary_buses_init(qs->pcibus);
    g_assert_cmpint(secbus, ==, 1);
    dma_gen_bridge_window(qs->pcibus, bridge_devfn, 1 * MiB);
    br = dma_gen_init(qts, qs->pcibus, QPCI_DEVFN((1 << 5) | 3, 0));

    /* conventional bus: no PCIe capability; root bus: PCIe */
    g_assert_cmpuint(qpci_find_capability(br->pdev, PCI_CAP_ID_EXP, 0), ==, 0);
    g_assert_cmpuint(qpci_find_capability(br->pdev, PCI_CAP_ID_MSIX, 0), !=,
                     0);
    g_assert_cmpuint(qpci_find_capability(mf1->pdev, PCI_CAP_ID_EXP, 0), !=,
                     0);
    g_assert_false(dma_gen_flr(br));

    assert_reset_values(mf0);
    assert_reset_values(mf1);
    assert_reset_values(br);

    buf = guest_alloc(&qs->alloc, 0x3000);
    g_assert_cmpuint(dma_gen_fill(mf0, buf, 0x1000, 0x10101010), ==, 0);
    g_assert_cmpuint(dma_gen_copy(mf1, buf, buf + 0x1000, 0x1000), ==, 0);
    g_assert_cmpuint(dma_gen_copy(br, buf + 0x1000, buf + 0x2000, 0x1000),
                     ==, 0);
    g_assert_cmpuint(dma_gen_verify(br, buf + 0x2000, 0x1000, 0x10101010),
                     ==, 0);
    g_assert_cmpuint(dma_gen_guest_check(qts, buf + 0x2000, 0x1000,
                                         0x10101010), ==, 0x1000);

    /* instances are independent */
    assert_counters(mf0, 1, 0x1000, 0, 0);
    assert_counters(mf1, 1, 0x1000, 0, 0);
    assert_counters(br, 2, 0x2000, 0, 0);
    dma_gen_qom_counters(qts, "/machine/peripheral/dgb", &k);
    g_assert_cmpuint(k.ops, ==, 2);
    g_assert_cmpuint(k.bytes, ==, 0x2000);

    /* bus master gating works behind the bridge too */
    dma_gen_set_bus_master(br, false);
    g_assert_cmpuint(dma_gen_fill(br, buf, 4, 0), ==, DMA_GEN_ERR_BUS_MASTER);
    dma_gen_set_bus_master(br, true);

    /* register reset behind the bridge */
    dma_gen_writel(br, A_PATTERN, 0x1234);
    dma_gen_writel(br, A_RESET, DMA_GEN_RESET_MAGIC);
    assert_reset_values(br);
    assert_counters(mf1, 1, 0x1000, 0, 0);

    dma_gen_free(br);
    dma_gen_free(mf1);
    dma_gen_free(mf0);
    qtest_shutdown(qs);
}

static void test_reset_register(void)
{
    Ctx c;

    ctx_boot(&c, DG_ARGS, DG_DEVFN);
    dirty_device(&c);
    dma_gen_writel(c.d, A_RESET, DMA_GEN_RESET_MAGIC);
    assert_reset_values(c.d);
    /* continuous mode stopped: no more ticks */
    qtest_clock_step(c.qts, 10 * 5000);
    assert_reset_values(c.d);
    /* config space untouched */
    g_assert_cmphex(qpci_config_readw(c.d->pdev, PCI_COMMAND) &
                    PCI_COMMAND_MASTER, ==, PCI_COMMAND_MASTER);
    ctx_free(&c);
}

static void test_flr(void)
{
    Ctx c;
    uint64_t buf;

    ctx_boot(&c, DG_ARGS, DG_DEVFN);
    dirty_device(&c);
    g_assert_true(dma_gen_flr(c.d));
    assert_reset_values(c.d);
    qtest_clock_step(c.qts, 10 * 5000);
    assert_reset_values(c.d);
    g_assert_false(qtest_qom_get_bool(c.qts, DG_PATH, "cont-running"));

    /* works again afterwards */
    buf = galloc(&c, 0x1000);
    g_assert_cmpuint(dma_gen_fill(c.d, buf, 0x100, 0x31415926), ==, 0);
    g_assert_cmpuint(dma_gen_guest_check(c.qts, buf, 0x100, 0x31415926),
                     ==, 0x100);
    ctx_free(&c);
}

static void test_system_reset(void)
{
    Ctx c;
    DmaGenCounters k;

    ctx_boot(&c, DG_ARGS, DG_DEVFN);
    dirty_device(&c);
    qtest_system_reset(c.qts);
    g_assert_false(qtest_qom_get_bool(c.qts, DG_PATH, "cont-running"));
    dma_gen_qom_counters(c.qts, DG_PATH, &k);
    g_assert_cmpuint(k.ticks | k.ops | k.bytes, ==, 0);
    /* config space was reset too: map again */
    c.d->bar0 = qpci_iomap(c.d->pdev, DMA_GEN_BAR_REGS, NULL);
    qpci_device_enable(c.d->pdev);
    assert_reset_values(c.d);
    ctx_free(&c);
}

/* DMA aimed at the device's own registers is refused, never re-entered */
static void test_self_dma(void)
{
    Ctx c;
    DmaGen *d;
    uint64_t buf, regs;
    DmaGenContCfg cfg;
    DmaGenCounters k;

    ctx_boot(&c, DG_ARGS, DG_DEVFN);
    d = c.d;
    regs = d->bar0.addr;
    buf = galloc(&c, 0x1000);
    /* a buffer that would RESET the device if it reached offset 0xfc */
    dma_gen_guest_fill(c.qts, buf, 0x100, DMA_GEN_RESET_MAGIC);

    g_assert_cmpuint(dma_gen_copy(d, buf, regs, 0x100), ==,
                     DMA_GEN_ERR_DMA_WRITE);
    g_assert_cmphex(dma_gen_cmd_err_iova(d), ==, regs);
    g_assert_cmpuint(dma_gen_copy(d, regs, buf, 0x10), ==,
                     DMA_GEN_ERR_DMA_READ);
    g_assert_cmphex(dma_gen_readl(d, A_CMD_SEQ), ==, 2);

    /* from the timer: the ring's only slot is BAR0 itself */
    cfg = (DmaGenContCfg) {
        .src = buf, .dst = regs, .slots = 1, .stride = 0, .len = 0x100,
        .period_ns = PERIOD_NS, .ops_per_tick = 4,
        .pattern = DMA_GEN_RESET_MAGIC, .fill_src = false,
    };
    dma_gen_reset_counters(d);
    g_assert_cmpuint(dma_gen_cont_start(d, &cfg), ==, 0);
    qtest_clock_step(c.qts, 3 * PERIOD_NS);
    dma_gen_read_counters(d, &k);
    g_assert_cmpuint(k.ticks, ==, 3);
    g_assert_cmpuint(k.ops, ==, 12);
    g_assert_cmpuint(k.dma_errors, ==, 12);
    g_assert_cmpuint(k.bytes, ==, 0);
    g_assert_cmphex(k.last_err_iova, ==, regs);
    g_assert_true(dma_gen_cont_running(d));
    g_assert_cmphex(dma_gen_readl(d, A_CONT_LEN), ==, 0x100);
    g_assert_cmpuint(dma_gen_cont_stop(d), ==, 0);
    ctx_free(&c);
}

/*
 * Peer-to-peer DMA into a small register region: a FILL that runs past the
 * end of another dma-gen's MSI-X table (2 entries, 32 bytes) writes the
 * table and stops at its end, where nothing decodes. The transaction is
 * clipped to the table's region: no piece of it reaches the table's handler
 * at an offset beyond the table (QEMU's table buffer would overflow).
 */
static void test_p2p_region_end(void)
{
    Ctx c;
    DmaGen *peer;
    uint64_t table;
    uint32_t i;

    ctx_boot(&c, DG_ARGS " -device dma-gen,id=dg1,addr=5.0", DG_DEVFN);
    peer = dma_gen_init(c.qts, c.qs->pcibus, QPCI_DEVFN(5, 0));
    qpci_msix_enable(peer->pdev);
    table = peer->pdev->msix_table_bar.addr + peer->pdev->msix_table_off;

    g_assert_cmpuint(dma_gen_fill(c.d, table, 64, 0x0000abcd), ==,
                     DMA_GEN_ERR_DMA_WRITE);
    g_assert_cmphex(dma_gen_cmd_err_iova(c.d), ==, table + 32);
    g_assert_cmpuint(dma_gen_readl(c.d, A_CMD_DONE_BYTES), ==, 32);
    for (i = 0; i < 32; i += 4) {
        g_assert_cmphex(qtest_readl(c.qts, table + i), ==, 0x0000abcd);
    }
    /* the peer still works */
    g_assert_cmphex(dma_gen_readl(peer, A_ID), ==, DMA_GEN_ID_VALUE);
    dma_gen_free(peer);
    ctx_free(&c);
}

/* The IOAPIC input (16..23) INTA of the device drives, or -1 if none is up */
static int intx_line_up(QTestState *qts)
{
    int gsi, up = -1;

    for (gsi = 16; gsi < 24; gsi++) {
        if (qtest_get_irq(qts, gsi)) {
            g_assert_cmpint(up, ==, -1);
            up = gsi;
        }
    }
    return up;
}

/* INTx fallback: level follows INT_STATUS & INT_ENABLE while MSI-X is off */
static void test_intx(void)
{
    Ctx c;
    int gsi;

    ctx_boot(&c, DG_ARGS, DG_DEVFN);
    g_assert_cmpint(intx_line_up(c.qts), ==, -1);
    g_assert_cmpuint(dma_gen_cmd(c.d, DMA_GEN_OP_NOP), ==, 0);
    g_assert_cmpint(intx_line_up(c.qts), ==, -1);        /* not enabled */
    dma_gen_writel(c.d, A_INT_ENABLE, R_INT_DONE_MASK);
    gsi = intx_line_up(c.qts);
    g_assert_cmpint(gsi, >=, 16);
    dma_gen_writel(c.d, A_INT_STATUS, R_INT_DONE_MASK);
    g_assert_cmpint(intx_line_up(c.qts), ==, -1);
    dma_gen_writel(c.d, A_INT_SET, R_INT_ERROR_MASK);    /* not enabled */
    g_assert_cmpint(intx_line_up(c.qts), ==, -1);
    dma_gen_writel(c.d, A_INT_ENABLE, DMA_GEN_INT_MASK);
    g_assert_cmpint(intx_line_up(c.qts), ==, gsi);

    /* MSI-X enabled: INTx deasserted, the message goes out instead */
    dma_gen_msix_setup(c.d, &c.qs->alloc);
    g_assert_cmpint(intx_line_up(c.qts), ==, -1);
    dma_gen_writel(c.d, A_INT_STATUS, DMA_GEN_INT_MASK);
    g_assert_cmpuint(dma_gen_cmd(c.d, DMA_GEN_OP_NOP), ==, 0);
    g_assert_cmpint(intx_line_up(c.qts), ==, -1);
    g_assert_true(dma_gen_msix_fired(c.d, 0));
    ctx_free(&c);
}

/* Benchmark hook: only with -m perf; reports, never asserts on time */
static void test_perf_copy(void)
{
    Ctx c;
    const uint32_t len = 64 * MiB;
    int64_t t0, t1;

    ctx_boot(&c, "-device dma-gen,id=dg0,addr=4.0,max-len=0x4000000",
             DG_DEVFN);
    t0 = g_get_monotonic_time();
    g_assert_cmpuint(dma_gen_copy(c.d, 16 * MiB, 96 * MiB, len), ==, 0);
    t1 = g_get_monotonic_time();
    g_test_message("copy of %u MiB in one command: %.3f s, %.1f MiB/s",
                   len / (unsigned)MiB, (t1 - t0) / 1e6,
                   len / (double)MiB / MAX(t1 - t0, 1) * 1e6);
    g_test_minimized_result((t1 - t0) / 1e6, "copy-64MiB seconds");
    ctx_free(&c);
}

/* All state, including a running continuous mode, survives migration */
static void test_migration(void)
{
    g_autofree char *uri = g_strdup_printf("unix:%s/dma-gen-mig-%d.sock",
                                           g_get_tmp_dir(), getpid());
    QOSState *from, *to;
    DmaGen *s, *d;
    DmaGenCounters ks, kd;
    DmaGenContCfg cfg;
    uint64_t buf;
    int64_t now;

    from = dma_gen_boot(DG_ARGS);
    s = dma_gen_init(from->qts, from->pcibus, DG_DEVFN);
    buf = guest_alloc(&from->alloc, 0x2000);
    cfg = (DmaGenContCfg) {
        .src = buf, .dst = buf + 0x1000, .slots = 3, .stride = 0x100,
        .len = 0x80, .period_ns = PERIOD_NS, .ops_per_tick = 1,
        .pattern = 0x76543210, .fill_src = true,
    };
    g_assert_cmpuint(dma_gen_cont_start(s, &cfg), ==, 0);
    dma_gen_writel(s, A_INT_ENABLE, R_INT_ERROR_MASK);
    qtest_clock_step(from->qts, 5 * PERIOD_NS);
    g_assert_cmpuint(dma_gen_verify(s, buf + 0x1000, 0x10, 0), ==,
                     DMA_GEN_ERR_MISMATCH);
    dma_gen_writel(s, A_PATTERN, 0x13579bdf);
    dma_gen_read_counters(s, &ks);
    g_assert_cmpuint(ks.ticks, ==, 5);
    now = qtest_clock_step(from->qts, 1);

    to = dma_gen_boot(DG_ARGS " -incoming %s", uri);
    migrate(from, to, uri);

    d = dma_gen_init(to->qts, to->pcibus, DG_DEVFN);
    dma_gen_read_counters(d, &kd);
    g_assert_cmpint(memcmp(&ks, &kd, sizeof(ks)), ==, 0);
    g_assert_true(dma_gen_cont_running(d));
    g_assert_cmpuint(dma_gen_readl(d, A_CONT_NEXT_SLOT), ==, 5 % 3);
    g_assert_cmphex(dma_gen_readl(d, A_PATTERN), ==, 0x13579bdf);
    g_assert_cmphex(dma_gen_readl(d, A_INT_ENABLE), ==, R_INT_ERROR_MASK);
    g_assert_cmphex(dma_gen_readl(d, A_INT_STATUS), ==, 0x3);
    g_assert_cmphex(dma_gen_readl(d, A_STATUS), ==,
                    0x3 | 0x8 | (DMA_GEN_ERR_MISMATCH << 8));
    g_assert_cmphex(dma_gen_readl(d, A_CMD_SEQ), ==, 2);

    /*
     * The qtest clock is not migrated: bring the destination's to where the
     * source's was; the migrated timer then ticks on schedule.
     */
    g_assert_cmpint(qtest_clock_step(to->qts, 1), <=, now);
    qtest_clock_set(to->qts, now);
    g_assert_cmpuint(dma_gen_readq(d, A_TICKS_LO), ==, 5);
    qtest_clock_step(to->qts, 3 * PERIOD_NS);
    dma_gen_read_counters(d, &kd);
    g_assert_cmpuint(kd.ticks, ==, 8);
    g_assert_cmpuint(kd.ops, ==, ks.ops + 3);
    g_assert_cmpuint(kd.dma_errors, ==, 0);
    g_assert_cmpuint(kd.mismatches, ==, ks.mismatches);
    g_assert_cmpuint(dma_gen_readl(d, A_CONT_NEXT_SLOT), ==, 8 % 3);

    dma_gen_free(d);
    dma_gen_free(s);
    qtest_shutdown(to);
    qtest_shutdown(from);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/dma-gen/pci-config", test_pci_config);
    qtest_add_func("/dma-gen/max-len-prop", test_max_len_prop);
    qtest_add_func("/dma-gen/properties-listed", test_properties_listed);
    qtest_add_func("/dma-gen/copy", test_copy);
    qtest_add_func("/dma-gen/fill-verify", test_fill_verify);
    qtest_add_func("/dma-gen/verify-mismatch", test_verify_mismatch);
    qtest_add_func("/dma-gen/msix", test_msix);
    qtest_add_func("/dma-gen/intx", test_intx);
    qtest_add_func("/dma-gen/bus-master-off", test_bus_master_off);
    qtest_add_func("/dma-gen/dma-outside-ram", test_dma_outside_ram);
    qtest_add_func("/dma-gen/bad-input", test_bad_input);
    qtest_add_func("/dma-gen/huge-len-bounded", test_huge_len_bounded);
    qtest_add_func("/dma-gen/self-dma", test_self_dma);
    qtest_add_func("/dma-gen/p2p-region-end", test_p2p_region_end);
    qtest_add_func("/dma-gen/continuous", test_continuous);
    qtest_add_func("/dma-gen/continuous-errors", test_continuous_errors);
    qtest_add_func("/dma-gen/topologies", test_topologies);
    qtest_add_func("/dma-gen/reset-register", test_reset_register);
    qtest_add_func("/dma-gen/flr", test_flr);
    qtest_add_func("/dma-gen/system-reset", test_system_reset);
    qtest_add_func("/dma-gen/migration", test_migration);
    if (g_test_perf()) {
        qtest_add_func("/dma-gen/perf/copy-64MiB", test_perf_copy);
    }

    return g_test_run();
}
