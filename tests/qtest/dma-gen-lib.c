/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtest helpers for the dma-gen PCI DMA traffic generator.
 * See dma-gen-lib.h and docs/specs/dma-gen.rst.
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "hw/pci/pci_ids.h"
#include "tests/qtest/libqos/libqos-pc.h"
#include "tests/qtest/libqos/libqos-malloc.h"
#include "qobject/qdict.h"
#include "qobject/qnum.h"
#include "hw/pci/pci_regs.h"
#include "dma-gen-lib.h"

QOSState *dma_gen_boot(const char *extra_fmt, ...)
{
    va_list ap;
    g_autofree char *extra = NULL;
    QOSState *qs;

    va_start(ap, extra_fmt);
    extra = g_strdup_vprintf(extra_fmt, ap);
    va_end(ap);

    qs = qtest_pc_boot("-machine q35 -bios qboot.rom -nodefaults "
                       "-display none -m %d %s", DMA_GEN_TEST_RAM_MB, extra);
    g_assert(qs->pcibus);
    return qs;
}

DmaGen *dma_gen_init(QTestState *qts, QPCIBus *bus, int devfn)
{
    DmaGen *d = g_new0(DmaGen, 1);

    d->qts = qts;
    d->bus = bus;
    d->devfn = devfn;
    d->pdev = qpci_device_find(bus, devfn);
    g_assert_nonnull(d->pdev);
    g_assert_cmphex(qpci_config_readw(d->pdev, PCI_VENDOR_ID), ==,
                    DMA_GEN_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(d->pdev, PCI_DEVICE_ID), ==,
                    DMA_GEN_DEVICE_ID);

    d->bar0 = qpci_iomap(d->pdev, DMA_GEN_BAR_REGS, &d->bar0_size);
    qpci_device_enable(d->pdev);
    return d;
}

void dma_gen_free(DmaGen *d)
{
    if (!d) {
        return;
    }
    if (d->pdev->msix_enabled) {
        qpci_msix_disable(d->pdev);
    }
    qpci_iounmap(d->pdev, d->bar0);
    g_free(d->pdev);
    g_free(d);
}

void dma_gen_bridge_window(QPCIBus *bus, int bridge_devfn, uint64_t size)
{
    QPCIDevice *br = qpci_device_find(bus, bridge_devfn);
    uint64_t base = ROUND_UP(bus->mmio_alloc_ptr, 1 * MiB);
    uint16_t cmd;

    g_assert_nonnull(br);
    g_assert_cmphex(qpci_config_readw(br, PCI_CLASS_DEVICE), ==,
                    PCI_CLASS_BRIDGE_PCI);
    g_assert(size && !(size & (1 * MiB - 1)));
    g_assert_cmpuint(base + size, <=, bus->mmio_limit);

    /* memory base/limit hold address bits 31:20 in their bits 15:4 */
    qpci_config_writew(br, PCI_MEMORY_BASE, (base >> 16) & 0xfff0);
    qpci_config_writew(br, PCI_MEMORY_LIMIT,
                       ((base + size - 1) >> 16) & 0xfff0);
    /* empty prefetchable window */
    qpci_config_writew(br, PCI_PREF_MEMORY_BASE, 0xfff0);
    qpci_config_writew(br, PCI_PREF_MEMORY_LIMIT, 0x0000);
    cmd = qpci_config_readw(br, PCI_COMMAND);
    qpci_config_writew(br, PCI_COMMAND,
                       cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    bus->mmio_alloc_ptr = base;
    g_free(br);
}

uint32_t dma_gen_readl(DmaGen *d, uint32_t reg)
{
    return qpci_io_readl(d->pdev, d->bar0, reg);
}

void dma_gen_writel(DmaGen *d, uint32_t reg, uint32_t val)
{
    qpci_io_writel(d->pdev, d->bar0, reg, val);
}

uint64_t dma_gen_readq(DmaGen *d, uint32_t reg)
{
    return qpci_io_readq(d->pdev, d->bar0, reg);
}

void dma_gen_write64(DmaGen *d, uint32_t reg_lo, uint64_t val)
{
    dma_gen_writel(d, reg_lo, (uint32_t)val);
    dma_gen_writel(d, reg_lo + 4, val >> 32);
}

void dma_gen_set_bus_master(DmaGen *d, bool on)
{
    uint16_t cmd = qpci_config_readw(d->pdev, PCI_COMMAND);

    if (on) {
        cmd |= PCI_COMMAND_MASTER;
    } else {
        cmd &= ~PCI_COMMAND_MASTER;
    }
    qpci_config_writew(d->pdev, PCI_COMMAND, cmd);
}

void dma_gen_pci_save(DmaGen *d, DmaGenPciRegs *regs)
{
    regs->bar0 = qpci_config_readl(d->pdev, PCI_BASE_ADDRESS_0);
    regs->bar1 = qpci_config_readl(d->pdev, PCI_BASE_ADDRESS_1);
    regs->cmd = qpci_config_readw(d->pdev, PCI_COMMAND);
}

void dma_gen_pci_restore_after_reset(DmaGen *d, const DmaGenPciRegs *regs)
{
    /* the reset cleared the command register and the BARs */
    g_assert_cmphex(qpci_config_readw(d->pdev, PCI_COMMAND) &
                    (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER), ==, 0);
    g_assert_cmphex(qpci_config_readl(d->pdev, PCI_BASE_ADDRESS_0) &
                    PCI_BASE_ADDRESS_MEM_MASK, ==, 0);

    qpci_config_writel(d->pdev, PCI_BASE_ADDRESS_0, regs->bar0);
    qpci_config_writel(d->pdev, PCI_BASE_ADDRESS_1, regs->bar1);
    qpci_config_writew(d->pdev, PCI_COMMAND, regs->cmd);
    d->pdev->msix_enabled = false;
    d->msix = false;
}

bool dma_gen_flr(DmaGen *d)
{
    uint8_t cap = qpci_find_capability(d->pdev, PCI_CAP_ID_EXP, 0);
    DmaGenPciRegs regs;
    uint16_t devctl;

    if (!cap) {
        return false;
    }
    g_assert(qpci_config_readl(d->pdev, cap + PCI_EXP_DEVCAP) &
             PCI_EXP_DEVCAP_FLR);
    dma_gen_pci_save(d, &regs);

    devctl = qpci_config_readw(d->pdev, cap + PCI_EXP_DEVCTL);
    qpci_config_writew(d->pdev, cap + PCI_EXP_DEVCTL,
                       devctl | PCI_EXP_DEVCTL_BCR_FLR);
    dma_gen_pci_restore_after_reset(d, &regs);
    return true;
}

uint32_t dma_gen_cmd(DmaGen *d, uint32_t opcode)
{
    uint32_t seq = dma_gen_readl(d, A_CMD_SEQ);
    uint32_t status = 0;
    uint32_t err;
    int i;

    dma_gen_writel(d, A_CMD, opcode);
    /*
     * v1.0 completes commands inside the MMIO write; poll (bounded) anyway,
     * as a driver must, in case a later version goes asynchronous.
     */
    for (i = 0; i < 1000; i++) {
        status = dma_gen_readl(d, A_STATUS);
        if (FIELD_EX32(status, STATUS, DONE) &&
            !FIELD_EX32(status, STATUS, BUSY)) {
            break;
        }
        qtest_clock_step(d->qts, 1000);
    }
    g_assert_cmpuint(FIELD_EX32(status, STATUS, DONE), ==, 1);
    g_assert_cmpuint(FIELD_EX32(status, STATUS, BUSY), ==, 0);
    g_assert_cmphex(dma_gen_readl(d, A_CMD_SEQ), ==, seq + 1);
    err = FIELD_EX32(status, STATUS, ERR_CODE);
    g_assert_cmpuint(FIELD_EX32(status, STATUS, ERROR), ==, err != 0);
    return err;
}

uint32_t dma_gen_copy(DmaGen *d, uint64_t src, uint64_t dst, uint32_t len)
{
    dma_gen_write64(d, A_SRC_LO, src);
    dma_gen_write64(d, A_DST_LO, dst);
    dma_gen_writel(d, A_LEN, len);
    return dma_gen_cmd(d, DMA_GEN_OP_COPY);
}

uint32_t dma_gen_fill(DmaGen *d, uint64_t dst, uint32_t len, uint32_t pattern)
{
    dma_gen_write64(d, A_DST_LO, dst);
    dma_gen_writel(d, A_LEN, len);
    dma_gen_writel(d, A_PATTERN, pattern);
    return dma_gen_cmd(d, DMA_GEN_OP_FILL);
}

uint32_t dma_gen_verify(DmaGen *d, uint64_t dst, uint32_t len,
                        uint32_t pattern)
{
    dma_gen_write64(d, A_DST_LO, dst);
    dma_gen_writel(d, A_LEN, len);
    dma_gen_writel(d, A_PATTERN, pattern);
    return dma_gen_cmd(d, DMA_GEN_OP_VERIFY);
}

uint64_t dma_gen_cmd_err_iova(DmaGen *d)
{
    return dma_gen_readq(d, A_CMD_ERR_IOVA_LO);
}

uint32_t dma_gen_cont_start(DmaGen *d, const DmaGenContCfg *cfg)
{
    dma_gen_write64(d, A_CONT_SRC_LO, cfg->src);
    dma_gen_write64(d, A_CONT_DST_LO, cfg->dst);
    dma_gen_writel(d, A_CONT_SLOTS, cfg->slots);
    dma_gen_writel(d, A_CONT_STRIDE, cfg->stride);
    dma_gen_writel(d, A_CONT_LEN, cfg->len);
    dma_gen_writel(d, A_CONT_PERIOD_NS, cfg->period_ns);
    dma_gen_writel(d, A_CONT_OPS_PER_TICK, cfg->ops_per_tick);
    dma_gen_writel(d, A_CONT_PATTERN, cfg->pattern);
    dma_gen_writel(d, A_CONT_FLAGS,
                   cfg->fill_src ? R_CONT_FLAGS_FILL_SRC_MASK : 0);
    return dma_gen_cmd(d, DMA_GEN_OP_CONT_START);
}

uint32_t dma_gen_cont_stop(DmaGen *d)
{
    return dma_gen_cmd(d, DMA_GEN_OP_CONT_STOP);
}

bool dma_gen_cont_running(DmaGen *d)
{
    return FIELD_EX32(dma_gen_readl(d, A_CONT_STATUS), CONT_STATUS, RUNNING);
}

void dma_gen_read_counters(DmaGen *d, DmaGenCounters *c)
{
    c->ops = dma_gen_readq(d, A_OPS_LO);
    c->bytes = dma_gen_readq(d, A_BYTES_LO);
    c->dma_errors = dma_gen_readq(d, A_DMA_ERRORS_LO);
    c->mismatches = dma_gen_readq(d, A_MISMATCHES_LO);
    c->last_err_iova = dma_gen_readq(d, A_LAST_ERR_IOVA_LO);
    c->last_mismatch_iova = dma_gen_readq(d, A_LAST_MISMATCH_IOVA_LO);
    c->ticks = dma_gen_readq(d, A_TICKS_LO);
}

static uint64_t dma_gen_qom_u64(QTestState *qts, const char *path,
                                const char *prop)
{
    QDict *resp;
    QNum *num;
    uint64_t val;

    resp = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments':"
                     " { 'path': %s, 'property': %s } }", path, prop);
    g_assert(qdict_haskey(resp, "return"));
    num = qobject_to(QNum, qdict_get(resp, "return"));
    g_assert_nonnull(num);
    g_assert(qnum_get_try_uint(num, &val));
    qobject_unref(resp);
    return val;
}

void dma_gen_qom_counters(QTestState *qts, const char *qom_path,
                          DmaGenCounters *c)
{
    c->ops = dma_gen_qom_u64(qts, qom_path, "ops");
    c->bytes = dma_gen_qom_u64(qts, qom_path, "bytes");
    c->dma_errors = dma_gen_qom_u64(qts, qom_path, "dma-errors");
    c->mismatches = dma_gen_qom_u64(qts, qom_path, "mismatches");
    c->last_err_iova = dma_gen_qom_u64(qts, qom_path, "last-error-iova");
    c->last_mismatch_iova = dma_gen_qom_u64(qts, qom_path,
                                            "last-mismatch-iova");
    c->ticks = dma_gen_qom_u64(qts, qom_path, "ticks");
}

void dma_gen_reset_counters(DmaGen *d)
{
    dma_gen_writel(d, A_COUNTERS_RESET, R_COUNTERS_RESET_ALL_MASK);
}

void dma_gen_msix_setup(DmaGen *d, QGuestAllocator *alloc)
{
    unsigned v;

    qpci_msix_enable(d->pdev);
    g_assert_cmpuint(qpci_msix_table_size(d->pdev), ==, DMA_GEN_MSIX_VECTORS);
    for (v = 0; v < DMA_GEN_MSIX_VECTORS; v++) {
        uint64_t off = d->pdev->msix_table_off + v * PCI_MSIX_ENTRY_SIZE;

        d->msix_addr[v] = guest_alloc(alloc, 4);
        d->msix_data[v] = 0xd0a0000 | v;
        qtest_writel(d->qts, d->msix_addr[v], 0);
        qpci_io_writel(d->pdev, d->pdev->msix_table_bar,
                       off + PCI_MSIX_ENTRY_LOWER_ADDR,
                       (uint32_t)d->msix_addr[v]);
        qpci_io_writel(d->pdev, d->pdev->msix_table_bar,
                       off + PCI_MSIX_ENTRY_UPPER_ADDR,
                       d->msix_addr[v] >> 32);
        qpci_io_writel(d->pdev, d->pdev->msix_table_bar,
                       off + PCI_MSIX_ENTRY_DATA, d->msix_data[v]);
        qpci_io_writel(d->pdev, d->pdev->msix_table_bar,
                       off + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
    }
    d->msix = true;
}

bool dma_gen_msix_fired(DmaGen *d, unsigned vector)
{
    uint32_t val;

    g_assert(d->msix);
    g_assert_cmpuint(vector, <, DMA_GEN_MSIX_VECTORS);
    val = qtest_readl(d->qts, d->msix_addr[vector]);
    if (val == 0) {
        return false;
    }
    g_assert_cmphex(val, ==, d->msix_data[vector]);
    qtest_writel(d->qts, d->msix_addr[vector], 0);
    return true;
}

void dma_gen_guest_fill(QTestState *qts, uint64_t gpa, uint32_t len,
                        uint32_t pattern)
{
    g_autofree uint8_t *buf = g_malloc(len);
    uint32_t i;

    for (i = 0; i < len; i++) {
        buf[i] = dma_gen_pattern_byte(pattern, i);
    }
    qtest_memwrite(qts, gpa, buf, len);
}

uint32_t dma_gen_guest_check(QTestState *qts, uint64_t gpa, uint32_t len,
                             uint32_t pattern)
{
    g_autofree uint8_t *buf = g_malloc(len);
    uint32_t i;

    qtest_memread(qts, gpa, buf, len);
    for (i = 0; i < len; i++) {
        if (buf[i] != dma_gen_pattern_byte(pattern, i)) {
            break;
        }
    }
    return i;
}

void dma_gen_msix_vector(DmaGen *d, unsigned v, uint64_t addr, uint32_t data,
                         bool masked)
{
    uint64_t off = d->pdev->msix_table_off + v * PCI_MSIX_ENTRY_SIZE;

    g_assert(d->pdev->msix_enabled);
    g_assert_cmpuint(v, <, DMA_GEN_MSIX_VECTORS);
    qpci_io_writel(d->pdev, d->pdev->msix_table_bar,
                   off + PCI_MSIX_ENTRY_LOWER_ADDR, (uint32_t)addr);
    qpci_io_writel(d->pdev, d->pdev->msix_table_bar,
                   off + PCI_MSIX_ENTRY_UPPER_ADDR, addr >> 32);
    qpci_io_writel(d->pdev, d->pdev->msix_table_bar,
                   off + PCI_MSIX_ENTRY_DATA, data);
    qpci_io_writel(d->pdev, d->pdev->msix_table_bar,
                   off + PCI_MSIX_ENTRY_VECTOR_CTRL,
                   masked ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0);
}

void dma_gen_read_regs(DmaGen *d, uint32_t *regs)
{
    unsigned i;

    for (i = 0; i < DMA_GEN_NUM_REGS; i++) {
        regs[i] = dma_gen_readl(d, i * 4);
    }
}

bool dma_gen_wait_idle(DmaGen *d, unsigned timeout_ms)
{
    int64_t end = g_get_monotonic_time() + timeout_ms * 1000LL;

    for (;;) {
        if (!FIELD_EX32(dma_gen_readl(d, A_STATUS), STATUS, BUSY) &&
            !FIELD_EX32(dma_gen_readl(d, A_CONT_STATUS), CONT_STATUS,
                        ACTIVE)) {
            return true;
        }
        if (g_get_monotonic_time() > end) {
            return false;
        }
        g_usleep(1000);
    }
}

uint64_t dma_gen_wait_ops(DmaGen *d, uint64_t above, uint64_t step_ns,
                          unsigned timeout_ms)
{
    int64_t end = g_get_monotonic_time() + timeout_ms * 1000LL;
    uint64_t ops;

    for (;;) {
        ops = dma_gen_readq(d, A_OPS_LO);
        if (ops > above || g_get_monotonic_time() > end) {
            return ops;
        }
        qtest_clock_step(d->qts, step_ns);
        g_usleep(500);
    }
}

bool dma_gen_binary_has_property(const char *prop)
{
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");
    g_autofree char *out = NULL;
    g_autofree char *want = g_strdup_printf("  %s=", prop);
    char *argv[] = { (char *)qemu, (char *)"-device",
                     (char *)"dma-gen,help", NULL };
    int status;

    g_assert_nonnull(qemu);
    if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                      NULL, &out, NULL, &status, NULL)) {
        return false;
    }
    return strstr(out, want) != NULL;
}
