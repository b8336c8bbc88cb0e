/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * dma-gen: a PCI endpoint that generates DMA traffic (copy, fill, verify,
 * and a timer-driven continuous copy+verify ring) through whatever IOMMU
 * translates its requester ID. The programming model is described in
 * docs/specs/dma-gen.rst; keep the two in step.
 *
 * This file is the device and its registers (PCI glue, interrupts,
 * commands, reset, migration); the DMA engine and continuous mode are in
 * dma-gen-engine.c.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/error-report.h"
#include "qemu/module.h"
#include "qemu/units.h"
#include "qemu/lockable.h"
#include "qemu/main-loop.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "system/iothread.h"
#include "block/aio-wait.h"
#include "migration/vmstate.h"
#include "dma-gen-internal.h"
#include "trace/trace-hw_lab_dma_gen.h"

/* Interrupts (BQL) */

static void dma_gen_update_intx(DmaGenState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    bool level = (s->int_status & s->int_enable) && !msix_enabled(pdev);

    pci_set_irq(pdev, level);
}

/*
 * Change INT_STATUS/INT_ENABLE. A cause whose pending state (status and
 * enable) goes from 0 to 1 sends its MSI-X message once.
 */
static void dma_gen_set_int(DmaGenState *s, uint32_t status, uint32_t enable)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t old_pending = s->int_status & s->int_enable;
    uint32_t rising;

    s->int_status = status & DMA_GEN_INT_MASK;
    s->int_enable = enable & DMA_GEN_INT_MASK;
    rising = (s->int_status & s->int_enable) & ~old_pending;

    if (rising && msix_enabled(pdev)) {
        if (rising & R_INT_DONE_MASK) {
            trace_dma_gen_irq("msix", DMA_GEN_MSIX_VEC_DONE);
            msix_notify(pdev, DMA_GEN_MSIX_VEC_DONE);
        }
        if (rising & R_INT_ERROR_MASK) {
            trace_dma_gen_irq("msix", DMA_GEN_MSIX_VEC_ERROR);
            msix_notify(pdev, DMA_GEN_MSIX_VEC_ERROR);
        }
    } else if (rising) {
        trace_dma_gen_irq("intx", rising);
    }
    dma_gen_update_intx(s);
}

void dma_gen_raise(DmaGenState *s, uint32_t causes)
{
    dma_gen_set_int(s, s->int_status | causes, s->int_enable);
}

/* Causes an IOThread tick decided (s->irq_req), raised in the main loop */
static void dma_gen_irq_bh(void *opaque)
{
    DmaGenState *s = opaque;
    uint32_t causes;

    WITH_QEMU_LOCK_GUARD(&s->lock) {
        causes = s->irq_req;
        s->irq_req = 0;
    }
    if (causes) {
        dma_gen_raise(s, causes);
    }
}

/* Commands */

static bool dma_gen_data_cmd(DmaGenState *s, uint32_t op, DmaGenResult *res)
{
    bool uses_src = op == DMA_GEN_OP_COPY;

    if (s->len == 0 || s->len > s->max_len) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-gen: command 0x%x: bad LEN 0x%x (max 0x%x)\n",
                      op, s->len, s->max_len);
        res->err = DMA_GEN_ERR_BAD_LEN;
        return true;
    }
    if ((uses_src && dma_gen_wraps(s->src, s->len)) ||
        dma_gen_wraps(s->dst, s->len)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-gen: command 0x%x: address range wraps "
                      "(src 0x%" PRIx64 " dst 0x%" PRIx64 " len 0x%x)\n",
                      op, s->src, s->dst, s->len);
        res->err = DMA_GEN_ERR_ADDR_WRAP;
        return true;
    }
    if (!dma_gen_bus_master(s)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-gen: command 0x%x with bus mastering disabled\n",
                      op);
        res->err = DMA_GEN_ERR_BUS_MASTER;
        return true;
    }
    return dma_gen_run_op(s, op, s->src, s->dst, s->len, s->pattern, res);
}

static void dma_gen_exec(DmaGenState *s, uint32_t val)
{
    uint32_t op = FIELD_EX32(val, CMD, OPCODE);
    DmaGenResult res = { 0 };
    uint32_t causes = R_INT_DONE_MASK;
    bool alive = true;

    s->cmd = val;
    s->cmd_seq++;
    s->cmd_err_iova = 0;
    trace_dma_gen_cmd_start(op, s->src, s->dst, s->len, s->pattern);

    switch (op) {
    case DMA_GEN_OP_NOP:
        break;
    case DMA_GEN_OP_COPY:
    case DMA_GEN_OP_FILL:
    case DMA_GEN_OP_VERIFY:
        alive = dma_gen_data_cmd(s, op, &res);
        break;
    case DMA_GEN_OP_CONT_START:
        res.err = dma_gen_engine_start(s, &alive);
        res.err_iova = s->cmd_err_iova;
        break;
    case DMA_GEN_OP_CONT_STOP:
        dma_gen_engine_stop(s);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "dma-gen: unknown opcode 0x%x\n", op);
        res.err = DMA_GEN_ERR_BAD_CMD;
        break;
    }
    if (!alive) {
        /* reset by its own DMA: the registers keep their reset values */
        return;
    }

    s->cmd_err_iova = res.err ? res.err_iova : 0;
    s->cmd_done_bytes = (op == DMA_GEN_OP_CONT_START) ? 0 : res.done;
    s->status = FIELD_DP32(0, STATUS, DONE, 1);
    s->status = FIELD_DP32(s->status, STATUS, ERROR, res.err != 0);
    s->status = FIELD_DP32(s->status, STATUS, ERR_CODE, res.err);
    if (res.err) {
        trace_dma_gen_cmd_error(op, res.err, s->cmd_err_iova, res.done);
        causes |= R_INT_ERROR_MASK;
    } else {
        trace_dma_gen_cmd_done(op, res.done);
    }
    dma_gen_raise(s, causes);
}

/* Register access */

static void dma_gen_counters_reset(DmaGenState *s)
{
    s->ops = 0;
    s->bytes = 0;
    s->dma_errors = 0;
    s->mismatches = 0;
    s->last_err_iova = 0;
    s->last_mismatch_iova = 0;
    s->ticks = 0;
    trace_dma_gen_counters_reset();
}

/*
 * Back to reset values. Bumping the epoch makes an operation whose DMA is
 * in flight (this device's own, e.g. one that wrote the FLR that got us
 * here, or the IOThread's) drop its results instead of writing them after
 * the reset.
 */
static void dma_gen_state_reset(DmaGenState *s)
{
    dma_gen_engine_stop(s);

    s->src = 0;
    s->dst = 0;
    s->len = 0;
    s->pattern = 0;
    s->cmd = 0;
    s->status = 0;
    s->cmd_err_iova = 0;
    s->cmd_done_bytes = 0;
    s->cmd_seq = 0;

    s->cont_src = 0;
    s->cont_dst = 0;
    s->cont_slots = 0;
    s->cont_stride = 0;
    s->cont_len = 0;
    s->cont_period_ns = 0;
    s->cont_ops_per_tick = 0;
    s->cont_pattern = 0;
    s->cont_flags = 0;

    WITH_QEMU_LOCK_GUARD(&s->lock) {
        s->epoch++;
        s->act_src = 0;
        s->act_dst = 0;
        s->act_slots = 0;
        s->act_stride = 0;
        s->act_len = 0;
        s->act_period_ns = 0;
        s->act_ops_per_tick = 0;
        s->act_pattern = 0;
        s->cont_next_slot = 0;
        s->cont_last_err = 0;
        s->cont_deadline = 0;
        s->cont_phase = 0;
        s->cont_off = 0;
        dma_gen_counters_reset(s);
        s->irq_req = 0;
    }

    s->int_status = 0;
    s->int_enable = 0;
    dma_gen_update_intx(s);
}

/* dma_gen_reg64_ptr() finds a pair by its 8-byte aligned _LO offset */
QEMU_BUILD_BUG_ON((A_SRC_LO | A_DST_LO | A_CMD_ERR_IOVA_LO | A_CONT_SRC_LO |
                   A_CONT_DST_LO | A_OPS_LO | A_BYTES_LO | A_DMA_ERRORS_LO |
                   A_MISMATCHES_LO | A_LAST_ERR_IOVA_LO |
                   A_LAST_MISMATCH_IOVA_LO | A_TICKS_LO) & 7);

/*
 * The 64-bit registers, each a pair of 32-bit registers (_LO at an 8-byte
 * aligned offset, _HI 4 bytes above): the field that holds the pair
 * containing offset @addr, or NULL if @addr is in none. *@writable (if
 * not NULL) says whether the guest may write it. All are read under
 * s->lock (see dma_gen_mmio_read()); the writable ones are register-side
 * fields, written with the BQL only.
 */
static uint64_t *dma_gen_reg64_ptr(DmaGenState *s, hwaddr addr,
                                   bool *writable)
{
    uint64_t *reg = NULL;
    bool rw = false;

    switch (addr & ~(hwaddr)4) {
    case A_SRC_LO:
        reg = &s->src;
        rw = true;
        break;
    case A_DST_LO:
        reg = &s->dst;
        rw = true;
        break;
    case A_CMD_ERR_IOVA_LO:
        reg = &s->cmd_err_iova;
        break;
    case A_CONT_SRC_LO:
        reg = &s->cont_src;
        rw = true;
        break;
    case A_CONT_DST_LO:
        reg = &s->cont_dst;
        rw = true;
        break;
    case A_OPS_LO:
        reg = &s->ops;
        break;
    case A_BYTES_LO:
        reg = &s->bytes;
        break;
    case A_DMA_ERRORS_LO:
        reg = &s->dma_errors;
        break;
    case A_MISMATCHES_LO:
        reg = &s->mismatches;
        break;
    case A_LAST_ERR_IOVA_LO:
        reg = &s->last_err_iova;
        break;
    case A_LAST_MISMATCH_IOVA_LO:
        reg = &s->last_mismatch_iova;
        break;
    case A_TICKS_LO:
        reg = &s->ticks;
        break;
    }
    if (writable) {
        *writable = rw;
    }
    return reg;
}

/* The bit position of the 32-bit half at @addr in its 64-bit register */
static unsigned dma_gen_reg64_shift(hwaddr addr)
{
    return addr & 4 ? 32 : 0;
}

/* One 32-bit register; s->lock held (counters and engine state). */
static uint32_t dma_gen_read32(DmaGenState *s, hwaddr addr)
{
    uint64_t *reg64 = dma_gen_reg64_ptr(s, addr, NULL);
    uint64_t val;

    if (reg64) {
        return extract64(*reg64, dma_gen_reg64_shift(addr), 32);
    }

    switch (addr) {
    case A_ID:
        val = DMA_GEN_ID_VALUE;
        break;
    case A_VERSION:
        val = DMA_GEN_VERSION_VALUE;
        break;
    case A_CAPS:
        val = R_CAPS_COPY_MASK | R_CAPS_FILL_MASK | R_CAPS_VERIFY_MASK |
              R_CAPS_CONTINUOUS_MASK | R_CAPS_MSIX_MASK | R_CAPS_INTX_MASK;
        break;
    case A_MAX_LEN:
        val = s->max_len;
        break;
    case A_LEN:
        val = s->len;
        break;
    case A_PATTERN:
        val = s->pattern;
        break;
    case A_CMD:
        val = s->cmd;
        break;
    case A_STATUS:
        val = FIELD_DP32(s->status, STATUS, CONT, s->cont_running);
        break;
    case A_CMD_DONE_BYTES:
        val = s->cmd_done_bytes;
        break;
    case A_CMD_SEQ:
        val = s->cmd_seq;
        break;
    case A_CONT_SLOTS:
        val = s->cont_slots;
        break;
    case A_CONT_STRIDE:
        val = s->cont_stride;
        break;
    case A_CONT_LEN:
        val = s->cont_len;
        break;
    case A_CONT_PERIOD_NS:
        val = s->cont_period_ns;
        break;
    case A_CONT_OPS_PER_TICK:
        val = s->cont_ops_per_tick;
        break;
    case A_CONT_PATTERN:
        val = s->cont_pattern;
        break;
    case A_CONT_FLAGS:
        val = s->cont_flags;
        break;
    case A_CONT_STATUS:
        val = FIELD_DP32(0, CONT_STATUS, RUNNING, s->cont_running);
        val = FIELD_DP32(val, CONT_STATUS, ACTIVE,
                         qatomic_read(&s->cont_active));
        val = FIELD_DP32(val, CONT_STATUS, LAST_ERR, s->cont_last_err);
        break;
    case A_CONT_NEXT_SLOT:
        val = s->cont_next_slot;
        break;
    case A_INT_STATUS:
        val = s->int_status;
        break;
    case A_INT_ENABLE:
        val = s->int_enable;
        break;
    default:
        /* write-only and reserved registers read as zero */
        val = 0;
        break;
    }
    return val;
}

/*
 * A 4- or 8-byte read; an 8-byte one reads both halves under one hold of
 * s->lock, so a 64-bit counter never tears while the IOThread updates it.
 */
static uint64_t dma_gen_mmio_read(DmaGenState *s, hwaddr addr, unsigned size)
{
    uint64_t val;

    WITH_QEMU_LOCK_GUARD(&s->lock) {
        val = dma_gen_read32(s, addr);
        if (size == 8) {
            val |= (uint64_t)dma_gen_read32(s, addr + 4) << 32;
        }
    }
    trace_dma_gen_mmio_read(addr, val);
    return val;
}

/* A guest write to a read-only register: logged and ignored */
static void dma_gen_write_read_only(hwaddr addr, uint32_t val)
{
    qemu_log_mask(LOG_GUEST_ERROR,
                  "dma-gen: write 0x%x to read-only register "
                  "0x%" HWADDR_PRIx " ignored\n", val, addr);
}

static void dma_gen_mmio_write32(DmaGenState *s, hwaddr addr, uint32_t val)
{
    bool writable;
    uint64_t *reg64 = dma_gen_reg64_ptr(s, addr, &writable);

    trace_dma_gen_mmio_write(addr, val);

    if (reg64) {
        if (writable) {
            *reg64 = deposit64(*reg64, dma_gen_reg64_shift(addr), 32, val);
        } else {
            dma_gen_write_read_only(addr, val);
        }
        return;
    }

    switch (addr) {
    case A_LEN:
        s->len = val;
        break;
    case A_PATTERN:
        s->pattern = val;
        break;
    case A_CMD:
        dma_gen_exec(s, val);
        break;
    case A_CONT_SLOTS:
        s->cont_slots = val;
        break;
    case A_CONT_STRIDE:
        s->cont_stride = val;
        break;
    case A_CONT_LEN:
        s->cont_len = val;
        break;
    case A_CONT_PERIOD_NS:
        s->cont_period_ns = val;
        break;
    case A_CONT_OPS_PER_TICK:
        s->cont_ops_per_tick = val;
        break;
    case A_CONT_PATTERN:
        s->cont_pattern = val;
        break;
    case A_CONT_FLAGS:
        s->cont_flags = val & R_CONT_FLAGS_FILL_SRC_MASK;
        break;
    case A_COUNTERS_RESET:
        if (FIELD_EX32(val, COUNTERS_RESET, ALL)) {
            QEMU_LOCK_GUARD(&s->lock);
            dma_gen_counters_reset(s);
        }
        break;
    case A_INT_STATUS:
        dma_gen_set_int(s, s->int_status & ~val, s->int_enable);
        break;
    case A_INT_ENABLE:
        dma_gen_set_int(s, s->int_status, val);
        break;
    case A_INT_SET:
        dma_gen_raise(s, val & DMA_GEN_INT_MASK);
        break;
    case A_RESET:
        if (val == DMA_GEN_RESET_MAGIC) {
            trace_dma_gen_reset("register");
            dma_gen_state_reset(s);
        } else {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "dma-gen: RESET written with 0x%x"
                          " (not the magic value), ignored\n", val);
        }
        break;
    case A_ID:
    case A_VERSION:
    case A_CAPS:
    case A_MAX_LEN:
    case A_STATUS:
    case A_CMD_DONE_BYTES:
    case A_CMD_SEQ:
    case A_CONT_STATUS:
    case A_CONT_NEXT_SLOT:
        dma_gen_write_read_only(addr, val);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-gen: write 0x%x to reserved offset 0x%"
                      HWADDR_PRIx " ignored\n", val, addr);
        break;
    }
}

/*
 * The device's own DMA must not reach its registers (a copy into BAR0 could
 * reset or restart it in the middle of an operation): such accesses are
 * refused, so the operation ends with a DMA error. QEMU's re-entrancy guard
 * does the same for DMA issued from inside an MMIO write; this also covers
 * the timer and IOThread paths and loops through other devices.
 */
static MemTxResult dma_gen_mmio_read_attrs(void *opaque, hwaddr addr,
                                           uint64_t *data, unsigned size,
                                           MemTxAttrs attrs)
{
    DmaGenState *s = opaque;

    if (dma_gen_in_own_dma(s)) {
        qemu_log_mask(LOG_GUEST_ERROR, "dma-gen: DMA read of own register "
                      "0x%" HWADDR_PRIx " refused\n", addr);
        *data = 0;
        return MEMTX_ACCESS_ERROR;
    }
    *data = dma_gen_mmio_read(s, addr, size);
    return MEMTX_OK;
}

static MemTxResult dma_gen_mmio_write_attrs(void *opaque, hwaddr addr,
                                            uint64_t data, unsigned size,
                                            MemTxAttrs attrs)
{
    DmaGenState *s = opaque;

    if (dma_gen_in_own_dma(s)) {
        qemu_log_mask(LOG_GUEST_ERROR, "dma-gen: DMA write to own register "
                      "0x%" HWADDR_PRIx " refused\n", addr);
        return MEMTX_ACCESS_ERROR;
    }
    dma_gen_mmio_write32(s, addr, data);
    if (size == 8) {
        dma_gen_mmio_write32(s, addr + 4, data >> 32);
    }
    return MEMTX_OK;
}

static const MemoryRegionOps dma_gen_mmio_ops = {
    .read_with_attrs = dma_gen_mmio_read_attrs,
    .write_with_attrs = dma_gen_mmio_write_attrs,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
};

/* PCI glue */

static void dma_gen_write_config(PCIDevice *pdev, uint32_t addr,
                                 uint32_t val, int len)
{
    pci_default_write_config(pdev, addr, val, len);
    if (pci_is_express(pdev)) {
        /* an FLR resets the device from inside this call */
        pcie_cap_flr_write_config(pdev, addr, val, len);
    }
    /* MSI-X enable decides between MSI-X and INTx */
    dma_gen_update_intx(DMA_GEN(pdev));
}

static void dma_gen_realize(PCIDevice *pdev, Error **errp)
{
    DmaGenState *s = DMA_GEN(pdev);
    unsigned v;

    if (s->max_len == 0 || s->max_len > DMA_GEN_MAX_LEN_LIMIT) {
        error_setg(errp, "dma-gen: max-len must be 1..0x%x, got 0x%x",
                   DMA_GEN_MAX_LEN_LIMIT, s->max_len);
        return;
    }

    pci_config_set_interrupt_pin(pdev->config, 1);

    memory_region_init_io(&s->mmio, OBJECT(s), &dma_gen_mmio_ops, s,
                          "dma-gen-regs", DMA_GEN_BAR0_SIZE);
    pci_register_bar(pdev, DMA_GEN_BAR_REGS, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &s->mmio);

    if (pci_is_express(pdev)) {
        if (pcie_endpoint_cap_init(pdev, 0) < 0) {
            error_setg(errp, "dma-gen: cannot add the PCIe capability");
            return;
        }
        pcie_cap_flr_init(pdev);
    }

    if (msix_init_exclusive_bar(pdev, DMA_GEN_MSIX_VECTORS,
                                DMA_GEN_BAR_MSIX, errp)) {
        if (pci_is_express(pdev)) {
            pcie_cap_exit(pdev);
        }
        return;
    }
    for (v = 0; v < DMA_GEN_MSIX_VECTORS; v++) {
        msix_vector_use(pdev, v);
    }

    s->cmd_xfer = dma_gen_xfer_new();
    s->tick_xfer = dma_gen_xfer_new();
    s->irq_bh = qemu_bh_new_guarded(dma_gen_irq_bh, s,
                                    &DEVICE(s)->mem_reentrancy_guard);
    s->cont_bh = qemu_bh_new_guarded(dma_gen_cont_bh, s,
                                     &DEVICE(s)->mem_reentrancy_guard);
    s->ctx = s->iothread ? iothread_get_aio_context(s->iothread)
                         : qemu_get_aio_context();
    s->timer = aio_timer_new(s->ctx, QEMU_CLOCK_VIRTUAL, SCALE_NS,
                             dma_gen_tick, s);
}

static void dma_gen_drained(void *opaque)
{
    trace_dma_gen_drained();
}

static void dma_gen_exit(PCIDevice *pdev)
{
    DmaGenState *s = DMA_GEN(pdev);

    dma_gen_engine_stop(s);
    /*
     * A tick may still run in the IOThread (it never waits for the BQL):
     * once a bottom half of ours ran there, it has returned, with whatever
     * bottom half it scheduled in the main loop; those run with the BQL,
     * which we hold, and are deleted (cancelled) below.
     */
    if (s->iothread) {
        aio_wait_bh_oneshot(s->ctx, dma_gen_drained, s);
    }
    timer_free(s->timer);
    s->timer = NULL;
    g_clear_pointer(&s->cont_bh, qemu_bh_delete);
    g_clear_pointer(&s->irq_bh, qemu_bh_delete);
    g_clear_pointer(&s->cmd_xfer, g_free);
    g_clear_pointer(&s->tick_xfer, g_free);
    msix_unuse_all_vectors(pdev);
    msix_uninit_exclusive_bar(pdev);
    if (pci_is_express(pdev)) {
        pcie_cap_exit(pdev);
    }
}

/*
 * Runs before the PCI core allocates config space: a PCIe capability only
 * makes sense on a PCIe bus, so decide here whether this instance is an
 * express function (hybrid device, as the PCI core expects us to).
 */
static void dma_gen_dc_realize(DeviceState *dev, Error **errp)
{
    DmaGenClass *dgc = DMA_GEN_GET_CLASS(dev);
    PCIDevice *pdev = PCI_DEVICE(dev);
    BusState *bus = qdev_get_parent_bus(dev);

    if (bus && pci_bus_is_express(PCI_BUS(bus))) {
        pdev->cap_present |= QEMU_PCI_CAP_EXPRESS;
    } else {
        pdev->cap_present &= ~QEMU_PCI_CAP_EXPRESS;
    }
    dgc->parent_realize(dev, errp);
}

static void dma_gen_reset_hold(Object *obj, ResetType type)
{
    DmaGenState *s = DMA_GEN(obj);

    trace_dma_gen_reset("device");
    dma_gen_state_reset(s);
}

static int dma_gen_post_load(void *opaque, int version_id)
{
    DmaGenState *s = opaque;

    s->int_status &= DMA_GEN_INT_MASK;
    s->int_enable &= DMA_GEN_INT_MASK;
    /* not migrated: the timer hands the operation over again if need be */
    s->cont_handoff = false;
    if (s->cont_running &&
        (s->act_slots == 0 || s->cont_next_slot >= s->act_slots ||
         s->act_period_ns < DMA_GEN_CONT_MIN_PERIOD_NS ||
         s->act_ops_per_tick == 0 ||
         s->act_ops_per_tick > DMA_GEN_CONT_MAX_OPS_PER_TICK ||
         s->act_len == 0 || s->act_len > s->max_len ||
         s->cont_phase > 1 || s->cont_off > s->act_len ||
         dma_gen_cont_wraps(s->act_src, s->act_dst, s->act_slots,
                            s->act_stride, s->act_len))) {
        error_report("dma-gen: incoming migration: running continuous-mode "
                     "configuration out of range");
        return -EINVAL;
    }
    return 0;
}

static bool dma_gen_progress_needed(void *opaque)
{
    DmaGenState *s = opaque;

    return s->cont_phase || s->cont_off;
}

/* An operation that a tick's bounds cut short, resumed at the next tick. */
static const VMStateDescription vmstate_dma_gen_progress = {
    .name = TYPE_DMA_GEN "/cont-progress",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = dma_gen_progress_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(cont_phase, DmaGenState),
        VMSTATE_UINT32(cont_off, DmaGenState),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_dma_gen = {
    .name = TYPE_DMA_GEN,
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = dma_gen_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, DmaGenState),
        VMSTATE_MSIX(parent_obj, DmaGenState),
        VMSTATE_UINT64(src, DmaGenState),
        VMSTATE_UINT64(dst, DmaGenState),
        VMSTATE_UINT32(len, DmaGenState),
        VMSTATE_UINT32(pattern, DmaGenState),
        VMSTATE_UINT32(cmd, DmaGenState),
        VMSTATE_UINT32(status, DmaGenState),
        VMSTATE_UINT64(cmd_err_iova, DmaGenState),
        VMSTATE_UINT32(cmd_done_bytes, DmaGenState),
        VMSTATE_UINT32(cmd_seq, DmaGenState),
        VMSTATE_UINT64(cont_src, DmaGenState),
        VMSTATE_UINT64(cont_dst, DmaGenState),
        VMSTATE_UINT32(cont_slots, DmaGenState),
        VMSTATE_UINT32(cont_stride, DmaGenState),
        VMSTATE_UINT32(cont_len, DmaGenState),
        VMSTATE_UINT32(cont_period_ns, DmaGenState),
        VMSTATE_UINT32(cont_ops_per_tick, DmaGenState),
        VMSTATE_UINT32(cont_pattern, DmaGenState),
        VMSTATE_UINT32(cont_flags, DmaGenState),
        VMSTATE_BOOL(cont_running, DmaGenState),
        VMSTATE_UINT64(act_src, DmaGenState),
        VMSTATE_UINT64(act_dst, DmaGenState),
        VMSTATE_UINT32(act_slots, DmaGenState),
        VMSTATE_UINT32(act_stride, DmaGenState),
        VMSTATE_UINT32(act_len, DmaGenState),
        VMSTATE_UINT32(act_period_ns, DmaGenState),
        VMSTATE_UINT32(act_ops_per_tick, DmaGenState),
        VMSTATE_UINT32(act_pattern, DmaGenState),
        VMSTATE_UINT32(cont_next_slot, DmaGenState),
        VMSTATE_UINT32(cont_last_err, DmaGenState),
        VMSTATE_INT64(cont_deadline, DmaGenState),
        VMSTATE_TIMER_PTR(timer, DmaGenState),
        VMSTATE_UINT64(ops, DmaGenState),
        VMSTATE_UINT64(bytes, DmaGenState),
        VMSTATE_UINT64(dma_errors, DmaGenState),
        VMSTATE_UINT64(mismatches, DmaGenState),
        VMSTATE_UINT64(last_err_iova, DmaGenState),
        VMSTATE_UINT64(last_mismatch_iova, DmaGenState),
        VMSTATE_UINT64(ticks, DmaGenState),
        VMSTATE_UINT32(int_status, DmaGenState),
        VMSTATE_UINT32(int_enable, DmaGenState),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_dma_gen_progress,
        NULL
    },
};

static const Property dma_gen_properties[] = {
    DEFINE_PROP_UINT32("max-len", DmaGenState, max_len,
                       DMA_GEN_MAX_LEN_DEFAULT),
    DEFINE_PROP_LINK("iothread", DmaGenState, iothread, TYPE_IOTHREAD,
                     IOThread *),
};

/* Read-only QOM views of the counters */

static void dma_gen_get_u64(Object *obj, Visitor *v, const char *name,
                            void *opaque, Error **errp)
{
    DmaGenState *s = DMA_GEN(obj);
    uint64_t value;

    WITH_QEMU_LOCK_GUARD(&s->lock) {
        value = *(uint64_t *)((uint8_t *)obj + (uintptr_t)opaque);
    }
    visit_type_uint64(v, name, &value, errp);
}

static void dma_gen_get_running(Object *obj, Visitor *v, const char *name,
                                void *opaque, Error **errp)
{
    DmaGenState *s = DMA_GEN(obj);
    bool value;

    WITH_QEMU_LOCK_GUARD(&s->lock) {
        value = s->cont_running;
    }
    visit_type_bool(v, name, &value, errp);
}

static void dma_gen_instance_init(Object *obj)
{
    qemu_mutex_init(&DMA_GEN(obj)->lock);
}

static void dma_gen_instance_finalize(Object *obj)
{
    qemu_mutex_destroy(&DMA_GEN(obj)->lock);
}

static const struct {
    const char *name;
    size_t offset;
    const char *desc;
} dma_gen_counter_props[] = {
    { "ops", offsetof(DmaGenState, ops),
      "Read-only: data operations executed (commands and continuous ops)" },
    { "bytes", offsetof(DmaGenState, bytes),
      "Read-only: bytes completed by data operations" },
    { "dma-errors", offsetof(DmaGenState, dma_errors),
      "Read-only: operations that ended on a refused DMA transaction" },
    { "mismatches", offsetof(DmaGenState, mismatches),
      "Read-only: verify steps that found data different from the pattern" },
    { "last-error-iova", offsetof(DmaGenState, last_err_iova),
      "Read-only: IOVA of the most recent refused DMA transaction" },
    { "last-mismatch-iova", offsetof(DmaGenState, last_mismatch_iova),
      "Read-only: IOVA of the most recent first differing byte" },
    { "ticks", offsetof(DmaGenState, ticks),
      "Read-only: continuous-mode timer ticks run" },
};

static void dma_gen_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    DmaGenClass *dgc = DMA_GEN_CLASS(klass);
    size_t i;

    k->realize = dma_gen_realize;
    k->exit = dma_gen_exit;
    k->config_write = dma_gen_write_config;
    k->vendor_id = DMA_GEN_VENDOR_ID;
    k->device_id = DMA_GEN_DEVICE_ID;
    k->revision = DMA_GEN_REVISION;
    k->class_id = DMA_GEN_CLASS_CODE;

    device_class_set_parent_realize(dc, dma_gen_dc_realize,
                                    &dgc->parent_realize);
    rc->phases.hold = dma_gen_reset_hold;
    dc->desc = "DMA traffic generator (copy/fill/verify, continuous mode)";
    dc->vmsd = &vmstate_dma_gen;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);

    device_class_set_props(dc, dma_gen_properties);
    object_class_property_set_description(klass, "max-len",
        "Largest LEN/CONT_LEN accepted, in bytes (1..256 MiB)");
    object_class_property_set_description(klass, "iothread",
        "IOThread that runs continuous mode (default: the main loop)");

    for (i = 0; i < ARRAY_SIZE(dma_gen_counter_props); i++) {
        object_class_property_add(klass, dma_gen_counter_props[i].name,
                                  "uint64", dma_gen_get_u64, NULL, NULL,
                                  (void *)(uintptr_t)
                                  dma_gen_counter_props[i].offset);
        object_class_property_set_description(klass,
                                              dma_gen_counter_props[i].name,
                                              dma_gen_counter_props[i].desc);
    }
    object_class_property_add(klass, "cont-running", "bool",
                              dma_gen_get_running, NULL, NULL, NULL);
    object_class_property_set_description(klass, "cont-running",
        "Read-only: continuous mode is running");
}

static const TypeInfo dma_gen_info = {
    .name = TYPE_DMA_GEN,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(DmaGenState),
    .instance_init = dma_gen_instance_init,
    .instance_finalize = dma_gen_instance_finalize,
    .class_size = sizeof(DmaGenClass),
    .class_init = dma_gen_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    },
};

static void dma_gen_register_types(void)
{
    type_register_static(&dma_gen_info);
}

type_init(dma_gen_register_types)
