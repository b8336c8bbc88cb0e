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
#include "qemu/error-report.h"
#include "qemu/module.h"
#include "qemu/units.h"
#include "qemu/lockable.h"
#include "qemu/main-loop.h"
#include "qemu/rcu.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "system/iothread.h"
#include "system/runstate.h"
#include "block/aio-wait.h"
#include "migration/vmstate.h"
#include "hw/dma-gen/dma-gen.h"
#include "trace/trace-hw_lab_dma_gen.h"

/* Result of one data operation (command or continuous op). */
typedef struct DmaGenResult {
    uint32_t err;       /* DMA_GEN_ERR_* */
    uint64_t err_iova;  /* refused or first differing IOVA, when err != 0 */
    uint32_t done;      /* bytes completed */
    bool defer;         /* stopped before an access that needs the BQL */
} DmaGenResult;

/*
 * The devices whose DMA this thread is issuing right now, innermost last.
 * A device refuses register accesses from its own DMA (see
 * dma_gen_mmio_read_attrs()), whichever thread or device chain they come
 * through; the depth bound stops chains of devices driving each other.
 */
#define DMA_GEN_NEST_MAX 8
static __thread DmaGenState *dma_gen_active[DMA_GEN_NEST_MAX];
static __thread unsigned dma_gen_depth;

static bool dma_gen_dma_enter(DmaGenState *s)
{
    if (dma_gen_depth == DMA_GEN_NEST_MAX) {
        qemu_log_mask(LOG_GUEST_ERROR, "dma-gen: DMA nested %u devices "
                      "deep, refused\n", DMA_GEN_NEST_MAX);
        return false;
    }
    dma_gen_active[dma_gen_depth++] = s;
    return true;
}

static void dma_gen_dma_leave(DmaGenState *s)
{
    assert(dma_gen_depth && dma_gen_active[dma_gen_depth - 1] == s);
    dma_gen_active[--dma_gen_depth] = NULL;
}

static bool dma_gen_in_own_dma(DmaGenState *s)
{
    for (unsigned i = 0; i < dma_gen_depth; i++) {
        if (dma_gen_active[i] == s) {
            return true;
        }
    }
    return false;
}

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
 * Does a continuous-mode setup reach past 2^64: the source buffer, or the
 * ring of @slots (> 0) slots of @len bytes, @stride apart, from @dst?
 */
static bool dma_gen_cont_wraps(uint64_t src, uint64_t dst, uint32_t slots,
                               uint32_t stride, uint32_t len)
{
    /* (2^32 - 1) * (2^32 - 1) fits in 64 bits */
    uint64_t ring_span = (uint64_t)(slots - 1) * stride;

    return dma_gen_wraps(src, len) || dst + ring_span < dst ||
           dma_gen_wraps(dst + ring_span, len);
}

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

static void dma_gen_raise(DmaGenState *s, uint32_t causes)
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

/*
 * DMA engines. An operation is a sequence of transactions in ascending
 * address order; each transaction is translated exactly once (through the
 * IOMMU, if any) and stops the operation if refused, so a refused
 * transaction costs one translation and one fault, never a retry per
 * byte. A transaction that reaches RAM covers what that one translation
 * returned as contiguous (an IOMMU block is not split into pages); one that
 * reaches anything else (a peer's registers, nothing at all) is at most
 * DMA_GEN_CHUNK bytes, does not cross a DMA_GEN_CHUNK boundary, and is
 * carried out through the region's handlers, stopping at the first access
 * the region refuses.
 */

#define DMA_GEN_ATTRS MEMTXATTRS_UNSPECIFIED

struct DmaGenXfer {
    DmaGenState *s;
    AddressSpace *as;
    bool pat_valid;
    uint32_t pattern;
    uint8_t buf[DMA_GEN_CHUNK];
    uint8_t snap[DMA_GEN_CHUNK];        /* VERIFY's private copy */
    uint8_t pat[DMA_GEN_CHUNK + 4];     /* pattern bytes from offset 0 */
};

static void dma_gen_xfer_init(DmaGenXfer *x, DmaGenState *s, uint32_t pattern)
{
    x->s = s;
    x->as = pci_get_address_space(PCI_DEVICE(s));
    if (!x->pat_valid || x->pattern != pattern) {
        for (unsigned i = 0; i < sizeof(x->pat); i += 4) {
            stl_le_p(x->pat + i, pattern);
        }
        x->pattern = pattern;
        x->pat_valid = true;
    }
}

/*
 * How much of a non-RAM transaction of @l bytes at @xlat stays inside
 * @mr: the memory core does not clip MMIO lengths to the region, and the
 * pieces of one transaction all go to @mr.
 */
static hwaddr dma_gen_mmio_clip(MemoryRegion *mr, hwaddr xlat, hwaddr l)
{
    uint64_t size = memory_region_size(mr);

    return xlat < size ? MIN(l, size - xlat) : 0;
}

/*
 * A transaction result of our own, next to MEMTX_*: the access was not
 * made because it needs the BQL and this thread does not hold it.
 */
#define DMA_GEN_MEMTX_DEFER     (1U << 16)

/*
 * A region without access handlers (what a refused IOMMU translation or
 * an address nothing decodes leads to) refuses every access; the memory
 * core answers it with a decode error and no side effect, so it can be
 * answered here without the BQL.
 */
static bool dma_gen_region_refuses_all(MemoryRegion *mr)
{
    const MemoryRegionOps *ops = mr->ops;

    return ops && !ops->read && !ops->write && !ops->read_with_attrs &&
           !ops->write_with_attrs;
}

/*
 * Access @len bytes of the non-RAM region @mr at @xlat, piece by piece.
 * Without the BQL (an IOThread) nothing is accessed: the access is left to
 * the main loop (DMA_GEN_MEMTX_DEFER), since waiting for the BQL here can
 * deadlock with a run-state change that holds it and waits for this thread.
 */
static MemTxResult dma_gen_mmio_rw(MemoryRegion *mr, hwaddr xlat,
                                   uint8_t *buf, hwaddr len, bool is_write)
{
    MemTxResult r = MEMTX_OK;
    hwaddr off = 0;

    if (!len || dma_gen_region_refuses_all(mr)) {
        return MEMTX_DECODE_ERROR;
    }
    if (!bql_locked()) {
        return DMA_GEN_MEMTX_DEFER;
    }

    while (off < len && r == MEMTX_OK) {
        hwaddr l = memory_access_size(mr, len - off, xlat + off);
        bool unlock = prepare_mmio_access(mr);
        uint64_t v = 0;

        if (is_write) {
            r = memory_region_dispatch_write(mr, xlat + off,
                                             ldn_he_p(buf + off, l),
                                             size_memop(l), DMA_GEN_ATTRS);
        } else {
            r = memory_region_dispatch_read(mr, xlat + off, &v,
                                            size_memop(l), DMA_GEN_ATTRS);
            stn_he_p(buf + off, l, v);
        }
        if (unlock) {
            bql_unlock();
        }
        off += l;
    }
    return r;
}

/*
 * One read transaction at @addr, at most @n bytes; caller holds RCU.
 * *@data points at the bytes read (guest RAM itself, or x->buf) and *@got
 * says how many there are.
 */
static MemTxResult dma_gen_txn_read(DmaGenXfer *x, uint64_t addr,
                                    uint32_t n, const uint8_t **data,
                                    hwaddr *got)
{
    MemoryRegion *mr;
    hwaddr xlat, l = n;

    mr = address_space_translate(x->as, addr, &xlat, &l, false,
                                 DMA_GEN_ATTRS);
    if (memory_access_is_direct(mr, false, DMA_GEN_ATTRS)) {
        *data = (uint8_t *)memory_region_get_ram_ptr(mr) + xlat;
        *got = l;
        return MEMTX_OK;
    }
    l = dma_gen_mmio_clip(mr, xlat, MIN(l, dma_gen_span(addr, n)));
    *data = x->buf;
    *got = l;
    return dma_gen_mmio_rw(mr, xlat, x->buf, l, false);
}

/*
 * One write transaction of at most @n bytes from @from to @addr; caller
 * holds RCU. *@put says how many bytes it covered.
 */
static MemTxResult dma_gen_txn_write(DmaGenXfer *x, uint64_t addr,
                                     const uint8_t *from, uint32_t n,
                                     hwaddr *put)
{
    MemoryRegion *mr;
    hwaddr xlat, l = n;
    uint8_t *host;

    mr = address_space_translate(x->as, addr, &xlat, &l, true,
                                 DMA_GEN_ATTRS);
    if (!memory_access_is_direct(mr, true, DMA_GEN_ATTRS)) {
        l = dma_gen_mmio_clip(mr, xlat, MIN(l, dma_gen_span(addr, n)));
        *put = l;
        return dma_gen_mmio_rw(mr, xlat, (uint8_t *)from, l, true);
    }
    /*
     * RAM: map the range just translated as address_space_map() would
     * (a reference on @mr, a host pointer), so that address_space_unmap()
     * marks the bytes dirty, drops translated code and the reference.
     */
    host = (uint8_t *)memory_region_get_ram_ptr(mr) + xlat;
    memory_region_ref(mr);
    memmove(host, from, l);
    address_space_unmap(x->as, host, l, true, l);
    *put = l;
    return MEMTX_OK;
}

/*
 * A transaction at @iova was not completed: refused (@err), or left to the
 * main loop (res->defer, no error).
 */
static void dma_gen_txn_fail(DmaGenResult *res, MemTxResult r, uint32_t err,
                             uint64_t iova)
{
    if (r == DMA_GEN_MEMTX_DEFER) {
        res->defer = true;
        return;
    }
    res->err = err;
    res->err_iova = iova;
}

/*
 * Copy from @src + @pos to @dst + @pos up to @len, stopping after about
 * @budget bytes. Returns the new position; @res holds a refusal.
 */
static uint32_t dma_gen_copy_part(DmaGenXfer *x, uint64_t src, uint64_t dst,
                                  uint32_t pos, uint32_t len, uint32_t budget,
                                  DmaGenResult *res)
{
    uint32_t end = len - pos > budget ? pos + budget : len;

    while (pos < end && !res->err) {
        RCU_READ_LOCK_GUARD();
        const uint8_t *data;
        hwaddr got, put;
        MemTxResult r;

        r = dma_gen_txn_read(x, src + pos, end - pos, &data, &got);
        if (r == MEMTX_OK) {
            r = dma_gen_txn_write(x, dst + pos, data, got, &put);
            if (r != MEMTX_OK) {
                dma_gen_txn_fail(res, r, DMA_GEN_ERR_DMA_WRITE, dst + pos);
                break;
            }
        } else {
            dma_gen_txn_fail(res, r, DMA_GEN_ERR_DMA_READ, src + pos);
            break;
        }
        pos += put;
    }
    return pos;
}

static uint32_t dma_gen_fill_part(DmaGenXfer *x, uint64_t dst, uint32_t pos,
                                  uint32_t len, uint32_t budget,
                                  DmaGenResult *res)
{
    uint32_t end = len - pos > budget ? pos + budget : len;

    while (pos < end) {
        RCU_READ_LOCK_GUARD();
        hwaddr put;

        MemTxResult r = dma_gen_txn_write(x, dst + pos, x->pat + (pos & 3),
                                          MIN(end - pos, DMA_GEN_CHUNK),
                                          &put);

        if (r != MEMTX_OK) {
            dma_gen_txn_fail(res, r, DMA_GEN_ERR_DMA_WRITE, dst + pos);
            break;
        }
        pos += put;
    }
    return pos;
}

/*
 * How many of the @n bytes at @p (buffer offset @pos) match the pattern.
 * @p may be guest RAM that another thread writes meanwhile: a chunk that
 * differs is compared again from a private copy, so the answer describes
 * that copy and never exceeds @n.
 */
static uint32_t dma_gen_pattern_same(DmaGenXfer *x, const uint8_t *p,
                                     uint32_t pos, uint32_t n)
{
    uint32_t i = 0;

    while (i < n) {
        uint32_t k = MIN(n - i, DMA_GEN_CHUNK);
        const uint8_t *pat = x->pat + ((pos + i) & 3);

        if (memcmp(p + i, pat, k)) {
            memcpy(x->snap, p + i, k);
            for (uint32_t j = 0; j < k; j++) {
                if (x->snap[j] != pat[j]) {
                    return i + j;
                }
            }
            /* equal by the time of the copy: it counts as read then */
        }
        i += k;
    }
    return n;
}

static uint32_t dma_gen_verify_part(DmaGenXfer *x, uint64_t dst, uint32_t pos,
                                    uint32_t len, uint32_t budget,
                                    DmaGenResult *res)
{
    uint32_t end = len - pos > budget ? pos + budget : len;

    while (pos < end) {
        RCU_READ_LOCK_GUARD();
        const uint8_t *data;
        uint32_t same;
        hwaddr got;
        MemTxResult r;

        r = dma_gen_txn_read(x, dst + pos, end - pos, &data, &got);
        if (r != MEMTX_OK) {
            dma_gen_txn_fail(res, r, DMA_GEN_ERR_DMA_READ, dst + pos);
            break;
        }
        same = dma_gen_pattern_same(x, data, pos, got);
        pos += same;
        if (same < got) {
            res->err = DMA_GEN_ERR_MISMATCH;
            res->err_iova = dst + pos;
            break;
        }
    }
    return pos;
}

/* Update the counters for one finished operation; s->lock held. */
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

/*
 * Run one whole command-side DMA operation (BQL held). Returns false if
 * the device was reset while its own DMA ran (e.g. the DMA wrote an FLR
 * into its config space): the aborted operation's results are dropped.
 */
static bool dma_gen_run_op(DmaGenState *s, uint32_t op, uint64_t src,
                           uint64_t dst, uint32_t len, uint32_t pattern,
                           DmaGenResult *res)
{
    DmaGenXfer *x = s->cmd_xfer;
    uint32_t epoch = qatomic_read(&s->epoch);

    if (!dma_gen_dma_enter(s)) {
        /* the first transaction would be refused */
        res->err = op == DMA_GEN_OP_FILL ? DMA_GEN_ERR_DMA_WRITE :
                                           DMA_GEN_ERR_DMA_READ;
        res->err_iova = op == DMA_GEN_OP_COPY ? src : dst;
        goto account;
    }
    dma_gen_xfer_init(x, s, pattern);
    switch (op) {
    case DMA_GEN_OP_COPY:
        res->done = dma_gen_copy_part(x, src, dst, 0, len, len, res);
        break;
    case DMA_GEN_OP_FILL:
        res->done = dma_gen_fill_part(x, dst, 0, len, len, res);
        break;
    case DMA_GEN_OP_VERIFY:
        res->done = dma_gen_verify_part(x, dst, 0, len, len, res);
        break;
    default:
        g_assert_not_reached();
    }
    dma_gen_dma_leave(s);
    if (qatomic_read(&s->epoch) != epoch) {
        trace_dma_gen_reset("during own DMA: results dropped");
        return false;
    }
account:
    WITH_QEMU_LOCK_GUARD(&s->lock) {
        dma_gen_account(s, res, res->done);
    }
    return true;
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

/* Stop continuous mode; an operation in flight is not counted. */
static void dma_gen_cont_stop(DmaGenState *s)
{
    QEMU_LOCK_GUARD(&s->lock);

    if (s->cont_running) {
        trace_dma_gen_cont_stop(s->ticks);
    }
    s->cont_running = false;
    s->cont_handoff = false;
    s->epoch++;
    timer_del(s->timer);
}

/*
 * (Re-)arm the tick: @period ns after @from, and not before @busy_ns from
 * now; s->lock held.
 */
static void dma_gen_cont_arm(DmaGenState *s, int64_t from, int64_t busy_ns)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    s->cont_deadline = MAX(from + s->act_period_ns, now + busy_ns);
    timer_mod(s->timer, s->cont_deadline);
}

static uint32_t dma_gen_cont_start(DmaGenState *s, bool *alive)
{
    bool running;

    *alive = true;
    WITH_QEMU_LOCK_GUARD(&s->lock) {
        running = s->cont_running;
    }
    if (running) {
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
    if (dma_gen_cont_wraps(s->cont_src, s->cont_dst, s->cont_slots,
                           s->cont_stride, s->cont_len)) {
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
        if (!dma_gen_run_op(s, DMA_GEN_OP_FILL, 0, s->cont_src, s->cont_len,
                            s->cont_pattern, &res)) {
            *alive = false;
            return DMA_GEN_ERR_OK;
        }
        if (res.err) {
            s->cmd_err_iova = res.err_iova;
            return res.err;
        }
    }

    QEMU_LOCK_GUARD(&s->lock);
    s->act_src = s->cont_src;
    s->act_dst = s->cont_dst;
    s->act_slots = s->cont_slots;
    s->act_stride = s->cont_stride;
    s->act_len = s->cont_len;
    s->act_period_ns = s->cont_period_ns;
    s->act_ops_per_tick = s->cont_ops_per_tick;
    s->act_pattern = s->cont_pattern;
    s->cont_next_slot = 0;
    s->cont_phase = 0;
    s->cont_off = 0;
    s->cont_last_err = DMA_GEN_ERR_OK;
    s->cont_running = true;
    s->epoch++;
    dma_gen_cont_arm(s, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL), 0);
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
        res.err = dma_gen_cont_start(s, &alive);
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

/* Continuous mode */

/* The active configuration, copied for one tick. */
typedef struct DmaGenCont {
    uint64_t src, dst;
    uint32_t slots, stride, len, pattern, ops;
    uint32_t slot, phase, off;
} DmaGenCont;

/*
 * Advance the operation in progress by at most @budget bytes. Returns true
 * when it finished (successfully or not; @res says), false when the budget
 * ran out first (@c->phase/@c->off say where to resume).
 */
static bool dma_gen_cont_step(DmaGenXfer *x, DmaGenCont *c, uint32_t budget,
                              uint32_t *used, DmaGenResult *res)
{
    uint64_t dst = c->dst + (uint64_t)c->slot * c->stride;
    uint32_t pos;

    if (!dma_gen_bus_master(x->s)) {
        res->err = DMA_GEN_ERR_BUS_MASTER;
        res->err_iova = c->src;
        return true;
    }
    if (c->phase == 0) {
        pos = dma_gen_copy_part(x, c->src, dst, c->off, c->len, budget, res);
        *used = pos - c->off;
        if (res->err) {
            res->done = pos;
            return true;
        }
        if (pos < c->len) {
            c->off = pos;
            return false;
        }
        res->done = c->len;
        c->phase = 1;
        c->off = 0;
        budget -= MIN(budget, *used);
        if (!budget) {
            return false;
        }
    }
    pos = dma_gen_verify_part(x, dst, c->off, c->len, budget, res);
    *used += pos - c->off;
    res->done = c->len;
    if (!res->err && pos < c->len) {
        c->off = pos;
        return false;
    }
    return true;
}

/*
 * One tick's work: in the main loop (BQL held) for a device without an
 * IOThread or for the rest of an IOThread tick handed over (@handed_over),
 * otherwise in the IOThread (no BQL). The DMA runs with no lock held;
 * results are committed under s->lock only if no reset, CONT_STOP or
 * CONT_START happened meanwhile (s->epoch unchanged). A tick does at most
 * CONT_OPS_PER_TICK operations, DMA_GEN_TICK_MAX_BYTES bytes and
 * DMA_GEN_TICK_MAX_NS of virtual time (which runs with the host clock
 * while the VM runs, and stands still under qtest, so qtests stay
 * deterministic on any host); an operation cut by those bounds resumes at
 * the next tick.
 *
 * The IOThread never waits for the BQL: a run-state change (stop, reset,
 * migration, quit) holds it while it waits for the virtual clock's timers,
 * this one included, to finish. A transaction that needs the BQL (one that
 * reaches a device's registers) ends the IOThread's part of the tick where
 * it stands; the main loop carries on from there (dma_gen_cont_bh(), which
 * does nothing while the VM is stopped), and until it has, the IOThread's
 * timer only re-arms itself.
 */
static void dma_gen_tick_work(DmaGenState *s, bool handed_over)
{
    DmaGenXfer *x = s->tick_xfer;
    uint32_t epoch, bytes = 0, done_ops = 0, raise = 0;
    int64_t t0 = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    bool main_loop = !s->iothread || handed_over;
    bool hand_over = false;
    DmaGenCont c;

    WITH_QEMU_LOCK_GUARD(&s->lock) {
        if (!s->cont_running) {
            return;
        }
        if (s->cont_handoff && !handed_over) {
            /* the main loop has the rest of the last tick */
            dma_gen_cont_arm(s, t0, 0);
            return;
        }
        epoch = s->epoch;
        c = (DmaGenCont) {
            .src = s->act_src, .dst = s->act_dst, .slots = s->act_slots,
            .stride = s->act_stride, .len = s->act_len,
            .pattern = s->act_pattern, .ops = s->act_ops_per_tick,
            .slot = s->cont_next_slot, .phase = s->cont_phase,
            .off = s->cont_off,
        };
        s->ticks++;
        qatomic_set(&s->cont_active, true);
        trace_dma_gen_cont_tick(s->ticks, s->cont_next_slot);
    }

    dma_gen_xfer_init(x, s, c.pattern);
    while (done_ops < c.ops && bytes < DMA_GEN_TICK_MAX_BYTES &&
           qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) - t0 < DMA_GEN_TICK_MAX_NS &&
           qatomic_read(&s->epoch) == epoch) {
        DmaGenResult res = { 0 };
        uint32_t used = 0;
        bool finished;

        if (!dma_gen_dma_enter(s)) {
            break;
        }
        finished = dma_gen_cont_step(x, &c, DMA_GEN_TICK_MAX_BYTES - bytes,
                                     &used, &res);
        dma_gen_dma_leave(s);
        bytes += used;

        QEMU_LOCK_GUARD(&s->lock);
        if (s->epoch != epoch) {
            break;
        }
        if (!finished) {
            s->cont_phase = c.phase;
            s->cont_off = c.off;
            if (res.defer) {
                trace_dma_gen_cont_handoff(c.slot, c.phase, c.off);
                s->cont_handoff = true;
                hand_over = true;
                break;
            }
            continue;
        }
        /* bytes copied: the whole copy, or up to the copy's refusal */
        dma_gen_account(s, &res, c.phase == 0 ? res.done : c.len);
        if (res.err) {
            s->cont_last_err = res.err;
            raise |= R_INT_ERROR_MASK;
        }
        c.slot = (c.slot + 1) % c.slots;
        c.phase = 0;
        c.off = 0;
        s->cont_next_slot = c.slot;
        s->cont_phase = 0;
        s->cont_off = 0;
        done_ops++;
    }

    WITH_QEMU_LOCK_GUARD(&s->lock) {
        qatomic_set(&s->cont_active, false);
        if (s->epoch != epoch) {
            /* stopped, restarted or reset meanwhile: nothing to report */
            raise = 0;
            hand_over = false;
        } else if (s->cont_running) {
            int64_t busy = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) - t0;

            if (handed_over) {
                s->cont_handoff = false;
            }
            /*
             * In the main loop the tick holds the BQL: the next one comes
             * a period after this one ended, and leaves the vCPUs at least
             * as much time as this one took. In an IOThread nobody waits
             * for it: a period after this one started, or at once if it
             * took longer (one tick then, never a burst of late ones).
             */
            if (main_loop) {
                dma_gen_cont_arm(s, t0 + busy, busy);
            } else {
                dma_gen_cont_arm(s, t0, 0);
            }
        }
        if (raise && !main_loop) {
            /*
             * Interrupt state belongs to the BQL: the main loop raises it.
             * Decided under s->lock with the epoch checked, so a reset
             * (which clears irq_req under s->lock) wins over it.
             */
            s->irq_req |= raise;
            qemu_bh_schedule(s->irq_bh);
            raise = 0;
        }
    }
    if (hand_over) {
        qemu_bh_schedule(s->cont_bh);
    }
    if (raise) {
        dma_gen_raise(s, raise);
    }
}

static void dma_gen_tick(void *opaque)
{
    dma_gen_tick_work(opaque, false);
}

/*
 * The rest of an IOThread tick, in the main loop. While the VM is stopped
 * no DMA is issued: the IOThread's timer takes the operation up again
 * (and hands it over again) once the virtual clock runs.
 */
static void dma_gen_cont_bh(void *opaque)
{
    DmaGenState *s = opaque;

    WITH_QEMU_LOCK_GUARD(&s->lock) {
        if (!s->cont_handoff) {
            return;
        }
        if (!runstate_is_running()) {
            s->cont_handoff = false;
            return;
        }
    }
    dma_gen_tick_work(s, true);
}

/* Register access */

/*
 * Back to reset values. Bumping the epoch makes an operation whose DMA is
 * in flight (this device's own, e.g. one that wrote the FLR that got us
 * here, or the IOThread's) drop its results instead of writing them after
 * the reset.
 */
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

/* One 32-bit register; s->lock held (counters and engine state). */
static uint32_t dma_gen_read32(DmaGenState *s, hwaddr addr)
{
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
        val = FIELD_DP32(val, CONT_STATUS, ACTIVE,
                         qatomic_read(&s->cont_active));
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

static void dma_gen_mmio_write32(DmaGenState *s, hwaddr addr, uint32_t val)
{
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
    case A_CMD_ERR_IOVA_LO:
    case A_CMD_ERR_IOVA_HI:
    case A_CMD_DONE_BYTES:
    case A_CMD_SEQ:
    case A_CONT_STATUS:
    case A_CONT_NEXT_SLOT:
    case A_OPS_LO ... A_TICKS_HI:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "dma-gen: write 0x%x to read-only register "
                      "0x%" HWADDR_PRIx " ignored\n", val, addr);
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

    s->cmd_xfer = g_new0(DmaGenXfer, 1);
    s->tick_xfer = g_new0(DmaGenXfer, 1);
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

    dma_gen_cont_stop(s);
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
