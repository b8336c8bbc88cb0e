/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * dma-gen: a PCI endpoint that generates DMA traffic (copy, fill, verify,
 * and a timer-driven continuous copy+verify ring) through whatever IOMMU
 * translates its requester ID. The programming model is described in
 * docs/specs/dma-gen.rst; keep the two in step.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "hw/dma-gen/dma-gen.h"
#include "trace/trace-hw_lab_dma_gen.h"

/* Result of one data operation (command or continuous op). */
typedef struct DmaGenResult {
    uint32_t err;       /* DMA_GEN_ERR_* */
    uint64_t err_iova;  /* refused or first differing IOVA, when err != 0 */
    uint32_t done;      /* bytes completed */
} DmaGenResult;

static bool dma_gen_bus_master(DmaGenState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    return pci_get_word(pdev->config + PCI_COMMAND) & PCI_COMMAND_MASTER;
}

/* Bytes from @addr to the next DMA_GEN_CHUNK boundary, at most @rem. */
static uint32_t dma_gen_span(uint64_t addr, uint32_t rem)
{
    uint32_t to_boundary = DMA_GEN_CHUNK - (addr & (DMA_GEN_CHUNK - 1));

    return MIN(to_boundary, rem);
}

/* True if the range [addr, addr + len) does not fit below 2^64. len > 0. */
static bool dma_gen_wraps(uint64_t addr, uint64_t len)
{
    return addr + (len - 1) < addr;
}

/*
 * Write @n bytes of the pattern into @out, as they appear at byte offset
 * @pos of a buffer that holds @pattern as little-endian words from its start.
 */
static void dma_gen_pattern_bytes(uint8_t *out, uint32_t pos, uint32_t n,
                                  uint32_t pattern)
{
    uint32_t i;

    for (i = 0; i < n; i++) {
        out[i] = pattern >> (8 * ((pos + i) & 3));
    }
}

/* Interrupts */

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

static void dma_gen_raise(DmaGenState *s, uint32_t causes)
{
    dma_gen_set_int(s, s->int_status | causes, s->int_enable);
}

/* DMA engines. Each moves at most DMA_GEN_CHUNK bytes per transaction. */

static void dma_gen_do_copy(DmaGenState *s, uint64_t src, uint64_t dst,
                            uint32_t len, DmaGenResult *res)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t off = 0;

    while (off < len) {
        uint32_t n = dma_gen_span(src + off, len - off);

        n = dma_gen_span(dst + off, n);
        if (pci_dma_read(pdev, src + off, s->buf, n) != MEMTX_OK) {
            res->err = DMA_GEN_ERR_DMA_READ;
            res->err_iova = src + off;
            break;
        }
        if (pci_dma_write(pdev, dst + off, s->buf, n) != MEMTX_OK) {
            res->err = DMA_GEN_ERR_DMA_WRITE;
            res->err_iova = dst + off;
            break;
        }
        off += n;
    }
    res->done = off;
}

static void dma_gen_do_fill(DmaGenState *s, uint64_t dst, uint32_t len,
                            uint32_t pattern, DmaGenResult *res)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t off = 0;

    while (off < len) {
        uint32_t n = dma_gen_span(dst + off, len - off);

        dma_gen_pattern_bytes(s->buf, off, n, pattern);
        if (pci_dma_write(pdev, dst + off, s->buf, n) != MEMTX_OK) {
            res->err = DMA_GEN_ERR_DMA_WRITE;
            res->err_iova = dst + off;
            break;
        }
        off += n;
    }
    res->done = off;
}

static void dma_gen_do_verify(DmaGenState *s, uint64_t dst, uint32_t len,
                              uint32_t pattern, DmaGenResult *res)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t off = 0;

    while (off < len) {
        uint32_t n = dma_gen_span(dst + off, len - off);
        uint32_t i;

        if (pci_dma_read(pdev, dst + off, s->buf, n) != MEMTX_OK) {
            res->err = DMA_GEN_ERR_DMA_READ;
            res->err_iova = dst + off;
            break;
        }
        dma_gen_pattern_bytes(s->expect, off, n, pattern);
        if (memcmp(s->buf, s->expect, n) != 0) {
            for (i = 0; i < n && s->buf[i] == s->expect[i]; i++) {
                /* find the first differing byte */
            }
            off += i;
            res->err = DMA_GEN_ERR_MISMATCH;
            res->err_iova = dst + off;
            break;
        }
        off += n;
    }
    res->done = off;
}

/* Update the counters for one finished operation. */
static void dma_gen_account(DmaGenState *s, const DmaGenResult *res,
                            uint32_t bytes)
{
    s->ops++;
    s->bytes += bytes;
    switch (res->err) {
    case DMA_GEN_ERR_DMA_READ:
    case DMA_GEN_ERR_DMA_WRITE:
    case DMA_GEN_ERR_BUS_MASTER:
        s->dma_errors++;
        s->last_err_iova = res->err_iova;
        trace_dma_gen_dma_error(res->err, res->err_iova);
        break;
    case DMA_GEN_ERR_MISMATCH:
        s->mismatches++;
        s->last_mismatch_iova = res->err_iova;
        trace_dma_gen_mismatch(res->err_iova);
        break;
    default:
        break;
    }
}

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

/* Commands */

static void dma_gen_data_cmd(DmaGenState *s, uint32_t op, DmaGenResult *res)
{
    bool uses_src = op == DMA_GEN_OP_COPY;

    if (s->len == 0 || s->len > s->max_len) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-gen: command 0x%x: bad LEN 0x%x (max 0x%x)\n",
                      op, s->len, s->max_len);
        res->err = DMA_GEN_ERR_BAD_LEN;
        return;
    }
    if ((uses_src && dma_gen_wraps(s->src, s->len)) ||
        dma_gen_wraps(s->dst, s->len)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-gen: command 0x%x: address range wraps "
                      "(src 0x%" PRIx64 " dst 0x%" PRIx64 " len 0x%x)\n",
                      op, s->src, s->dst, s->len);
        res->err = DMA_GEN_ERR_ADDR_WRAP;
        return;
    }
    if (!dma_gen_bus_master(s)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-gen: command 0x%x with bus mastering disabled\n",
                      op);
        res->err = DMA_GEN_ERR_BUS_MASTER;
        return;
    }

    switch (op) {
    case DMA_GEN_OP_COPY:
        dma_gen_do_copy(s, s->src, s->dst, s->len, res);
        break;
    case DMA_GEN_OP_FILL:
        dma_gen_do_fill(s, s->dst, s->len, s->pattern, res);
        break;
    case DMA_GEN_OP_VERIFY:
        dma_gen_do_verify(s, s->dst, s->len, s->pattern, res);
        break;
    default:
        g_assert_not_reached();
    }
    dma_gen_account(s, res, res->done);
}

static void dma_gen_cont_stop(DmaGenState *s)
{
    if (s->cont_running) {
        trace_dma_gen_cont_stop(s->ticks);
    }
    s->cont_running = false;
    timer_del(s->timer);
}

static uint32_t dma_gen_cont_start(DmaGenState *s)
{
    uint64_t ring_span;

    if (s->cont_running) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-gen: CONT_START while continuous mode runs\n");
        return DMA_GEN_ERR_BUSY;
    }
    if (s->cont_slots == 0 ||
        s->cont_period_ns < DMA_GEN_CONT_MIN_PERIOD_NS ||
        s->cont_ops_per_tick == 0 ||
        s->cont_ops_per_tick > DMA_GEN_CONT_MAX_OPS_PER_TICK) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-gen: CONT_START: bad parameters (slots %u, "
                      "period %u ns, ops/tick %u)\n", s->cont_slots,
                      s->cont_period_ns, s->cont_ops_per_tick);
        return DMA_GEN_ERR_BAD_PARAM;
    }
    if (s->cont_len == 0 || s->cont_len > s->max_len) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-gen: CONT_START: bad CONT_LEN 0x%x (max 0x%x)\n",
                      s->cont_len, s->max_len);
        return DMA_GEN_ERR_BAD_LEN;
    }
    /* (2^32 - 1) * (2^32 - 1) fits in 64 bits */
    ring_span = (uint64_t)(s->cont_slots - 1) * s->cont_stride;
    if (dma_gen_wraps(s->cont_src, s->cont_len) ||
        s->cont_dst + ring_span < s->cont_dst ||
        dma_gen_wraps(s->cont_dst + ring_span, s->cont_len)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-gen: CONT_START: source or ring wraps past 2^64\n");
        return DMA_GEN_ERR_ADDR_WRAP;
    }
    if (FIELD_EX32(s->cont_flags, CONT_FLAGS, FILL_SRC)) {
        DmaGenResult res = { 0 };

        if (!dma_gen_bus_master(s)) {
            qemu_log_mask(LOG_GUEST_ERROR, "dma-gen: CONT_START with "
                          "FILL_SRC and bus mastering disabled\n");
            return DMA_GEN_ERR_BUS_MASTER;
        }
        dma_gen_do_fill(s, s->cont_src, s->cont_len, s->cont_pattern, &res);
        dma_gen_account(s, &res, res.done);
        if (res.err) {
            s->cmd_err_iova = res.err_iova;
            return res.err;
        }
    }

    s->act_src = s->cont_src;
    s->act_dst = s->cont_dst;
    s->act_slots = s->cont_slots;
    s->act_stride = s->cont_stride;
    s->act_len = s->cont_len;
    s->act_period_ns = s->cont_period_ns;
    s->act_ops_per_tick = s->cont_ops_per_tick;
    s->act_pattern = s->cont_pattern;
    s->cont_next_slot = 0;
    s->cont_last_err = DMA_GEN_ERR_OK;
    s->cont_running = true;
    s->cont_deadline = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                       s->act_period_ns;
    timer_mod(s->timer, s->cont_deadline);
    trace_dma_gen_cont_start(s->act_src, s->act_dst, s->act_slots,
                             s->act_stride, s->act_len, s->act_period_ns,
                             s->act_ops_per_tick);
    return DMA_GEN_ERR_OK;
}

static void dma_gen_exec(DmaGenState *s, uint32_t val)
{
    uint32_t op = FIELD_EX32(val, CMD, OPCODE);
    DmaGenResult res = { 0 };
    uint32_t causes = R_INT_DONE_MASK;

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
        dma_gen_data_cmd(s, op, &res);
        break;
    case DMA_GEN_OP_CONT_START:
        res.err = dma_gen_cont_start(s);
        res.err_iova = s->cmd_err_iova;
        break;
    case DMA_GEN_OP_CONT_STOP:
        dma_gen_cont_stop(s);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "dma-gen: unknown opcode 0x%x\n", op);
        res.err = DMA_GEN_ERR_BAD_CMD;
        break;
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

/* Continuous mode */

static void dma_gen_cont_op(DmaGenState *s)
{
    uint32_t slot = s->cont_next_slot;
    uint64_t dst = s->act_dst + (uint64_t)slot * s->act_stride;
    DmaGenResult res = { 0 };
    uint32_t copied = 0;

    if (!dma_gen_bus_master(s)) {
        res.err = DMA_GEN_ERR_BUS_MASTER;
        res.err_iova = s->act_src;
    } else {
        dma_gen_do_copy(s, s->act_src, dst, s->act_len, &res);
        copied = res.done;
        if (!res.err) {
            dma_gen_do_verify(s, dst, s->act_len, s->act_pattern, &res);
        }
    }
    dma_gen_account(s, &res, copied);
    if (res.err) {
        s->cont_last_err = res.err;
        dma_gen_raise(s, R_INT_ERROR_MASK);
    }
    s->cont_next_slot = (slot + 1) % s->act_slots;
}

static void dma_gen_tick(void *opaque)
{
    DmaGenState *s = opaque;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    uint32_t i;

    if (!s->cont_running) {
        return;
    }
    s->ticks++;
    trace_dma_gen_cont_tick(s->ticks, s->cont_next_slot);
    for (i = 0; i < s->act_ops_per_tick && s->cont_running; i++) {
        dma_gen_cont_op(s);
    }
    if (!s->cont_running) {
        return;
    }
    /*
     * Keep an exact period; but when the device fell behind (ticks slower
     * than the period), drop the missed ticks instead of running a burst.
     */
    s->cont_deadline += s->act_period_ns;
    if (s->cont_deadline <= now) {
        s->cont_deadline = now + s->act_period_ns;
    }
    timer_mod(s->timer, s->cont_deadline);
}

/* Register access */

static void dma_gen_state_reset(DmaGenState *s)
{
    dma_gen_cont_stop(s);

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

    s->ops = 0;
    s->bytes = 0;
    s->dma_errors = 0;
    s->mismatches = 0;
    s->last_err_iova = 0;
    s->last_mismatch_iova = 0;
    s->ticks = 0;

    s->int_status = 0;
    s->int_enable = 0;
    dma_gen_update_intx(s);
}

static uint64_t dma_gen_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    DmaGenState *s = opaque;
    uint64_t val;

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
    case A_SRC_LO:
        val = extract64(s->src, 0, 32);
        break;
    case A_SRC_HI:
        val = extract64(s->src, 32, 32);
        break;
    case A_DST_LO:
        val = extract64(s->dst, 0, 32);
        break;
    case A_DST_HI:
        val = extract64(s->dst, 32, 32);
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
    case A_CMD_ERR_IOVA_LO:
        val = extract64(s->cmd_err_iova, 0, 32);
        break;
    case A_CMD_ERR_IOVA_HI:
        val = extract64(s->cmd_err_iova, 32, 32);
        break;
    case A_CMD_DONE_BYTES:
        val = s->cmd_done_bytes;
        break;
    case A_CMD_SEQ:
        val = s->cmd_seq;
        break;
    case A_CONT_SRC_LO:
        val = extract64(s->cont_src, 0, 32);
        break;
    case A_CONT_SRC_HI:
        val = extract64(s->cont_src, 32, 32);
        break;
    case A_CONT_DST_LO:
        val = extract64(s->cont_dst, 0, 32);
        break;
    case A_CONT_DST_HI:
        val = extract64(s->cont_dst, 32, 32);
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
        val = FIELD_DP32(val, CONT_STATUS, LAST_ERR, s->cont_last_err);
        break;
    case A_CONT_NEXT_SLOT:
        val = s->cont_next_slot;
        break;
    case A_OPS_LO:
        val = extract64(s->ops, 0, 32);
        break;
    case A_OPS_HI:
        val = extract64(s->ops, 32, 32);
        break;
    case A_BYTES_LO:
        val = extract64(s->bytes, 0, 32);
        break;
    case A_BYTES_HI:
        val = extract64(s->bytes, 32, 32);
        break;
    case A_DMA_ERRORS_LO:
        val = extract64(s->dma_errors, 0, 32);
        break;
    case A_DMA_ERRORS_HI:
        val = extract64(s->dma_errors, 32, 32);
        break;
    case A_MISMATCHES_LO:
        val = extract64(s->mismatches, 0, 32);
        break;
    case A_MISMATCHES_HI:
        val = extract64(s->mismatches, 32, 32);
        break;
    case A_LAST_ERR_IOVA_LO:
        val = extract64(s->last_err_iova, 0, 32);
        break;
    case A_LAST_ERR_IOVA_HI:
        val = extract64(s->last_err_iova, 32, 32);
        break;
    case A_LAST_MISMATCH_IOVA_LO:
        val = extract64(s->last_mismatch_iova, 0, 32);
        break;
    case A_LAST_MISMATCH_IOVA_HI:
        val = extract64(s->last_mismatch_iova, 32, 32);
        break;
    case A_TICKS_LO:
        val = extract64(s->ticks, 0, 32);
        break;
    case A_TICKS_HI:
        val = extract64(s->ticks, 32, 32);
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

    trace_dma_gen_mmio_read(addr, val);
    return val;
}

static void dma_gen_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                               unsigned size)
{
    DmaGenState *s = opaque;

    trace_dma_gen_mmio_write(addr, val);

    switch (addr) {
    case A_SRC_LO:
        s->src = deposit64(s->src, 0, 32, val);
        break;
    case A_SRC_HI:
        s->src = deposit64(s->src, 32, 32, val);
        break;
    case A_DST_LO:
        s->dst = deposit64(s->dst, 0, 32, val);
        break;
    case A_DST_HI:
        s->dst = deposit64(s->dst, 32, 32, val);
        break;
    case A_LEN:
        s->len = val;
        break;
    case A_PATTERN:
        s->pattern = val;
        break;
    case A_CMD:
        dma_gen_exec(s, val);
        break;
    case A_CONT_SRC_LO:
        s->cont_src = deposit64(s->cont_src, 0, 32, val);
        break;
    case A_CONT_SRC_HI:
        s->cont_src = deposit64(s->cont_src, 32, 32, val);
        break;
    case A_CONT_DST_LO:
        s->cont_dst = deposit64(s->cont_dst, 0, 32, val);
        break;
    case A_CONT_DST_HI:
        s->cont_dst = deposit64(s->cont_dst, 32, 32, val);
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
                          "dma-gen: RESET written with 0x%" PRIx64
                          " (not the magic value), ignored\n", val);
        }
        break;
    case A_ID:
    case A_VERSION:
    case A_CAPS:
    case A_MAX_LEN:
    case A_STATUS:
    case A_CMD_ERR_IOVA_LO:
    case A_CMD_ERR_IOVA_HI:
    case A_CMD_DONE_BYTES:
    case A_CMD_SEQ:
    case A_CONT_STATUS:
    case A_CONT_NEXT_SLOT:
    case A_OPS_LO ... A_TICKS_HI:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-gen: write 0x%" PRIx64 " to read-only register "
                      "0x%" HWADDR_PRIx " ignored\n", val, addr);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-gen: write 0x%" PRIx64 " to reserved offset 0x%"
                      HWADDR_PRIx " ignored\n", val, addr);
        break;
    }
}

static const MemoryRegionOps dma_gen_mmio_ops = {
    .read = dma_gen_mmio_read,
    .write = dma_gen_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 4,
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

    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, dma_gen_tick, s);
}

static void dma_gen_exit(PCIDevice *pdev)
{
    DmaGenState *s = DMA_GEN(pdev);

    timer_free(s->timer);
    s->timer = NULL;
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
    if (s->cont_running &&
        (s->act_slots == 0 || s->cont_next_slot >= s->act_slots ||
         s->act_period_ns < DMA_GEN_CONT_MIN_PERIOD_NS ||
         s->act_ops_per_tick == 0 ||
         s->act_ops_per_tick > DMA_GEN_CONT_MAX_OPS_PER_TICK ||
         s->act_len == 0 || s->act_len > s->max_len)) {
        return -EINVAL;
    }
    return 0;
}

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
};

static const Property dma_gen_properties[] = {
    DEFINE_PROP_UINT32("max-len", DmaGenState, max_len,
                       DMA_GEN_MAX_LEN_DEFAULT),
};

/* Read-only QOM views of the counters */

static void dma_gen_get_u64(Object *obj, Visitor *v, const char *name,
                            void *opaque, Error **errp)
{
    uint64_t value = *(uint64_t *)((uint8_t *)obj + (uintptr_t)opaque);

    visit_type_uint64(v, name, &value, errp);
}

static void dma_gen_get_running(Object *obj, Visitor *v, const char *name,
                                void *opaque, Error **errp)
{
    bool value = DMA_GEN(obj)->cont_running;

    visit_type_bool(v, name, &value, errp);
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

static void dma_gen_class_init(ObjectClass *klass, void *data)
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
