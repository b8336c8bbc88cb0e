/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * dma-gen: the DMA engine. Data operations (copy, fill, verify) as
 * sequences of transactions through the device's address space, and
 * continuous mode (CONT_START/CONT_STOP and the timer tick that runs the
 * ring of copy+verify operations, in the main loop or in an IOThread).
 * The register side is in dma-gen.c.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/lockable.h"
#include "qemu/main-loop.h"
#include "qemu/rcu.h"
#include "qemu/timer.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_device.h"
#include "system/runstate.h"
#include "dma-gen-internal.h"
#include "trace/trace-hw_lab_dma_gen.h"

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

bool dma_gen_in_own_dma(DmaGenState *s)
{
    for (unsigned i = 0; i < dma_gen_depth; i++) {
        if (dma_gen_active[i] == s) {
            return true;
        }
    }
    return false;
}

bool dma_gen_bus_master(DmaGenState *s)
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
bool dma_gen_wraps(uint64_t addr, uint64_t len)
{
    return addr + (len - 1) < addr;
}

/*
 * Does a continuous-mode setup reach past 2^64: the source buffer, or the
 * ring of @slots (> 0) slots of @len bytes, @stride apart, from @dst?
 */
bool dma_gen_cont_wraps(uint64_t src, uint64_t dst, uint32_t slots,
                        uint32_t stride, uint32_t len)
{
    /* (2^32 - 1) * (2^32 - 1) fits in 64 bits */
    uint64_t ring_span = (uint64_t)(slots - 1) * stride;

    return dma_gen_wraps(src, len) || dst + ring_span < dst ||
           dma_gen_wraps(dst + ring_span, len);
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

DmaGenXfer *dma_gen_xfer_new(void)
{
    return g_new0(DmaGenXfer, 1);
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

/*
 * Run one whole command-side DMA operation (BQL held). Returns false if
 * the device was reset while its own DMA ran (e.g. the DMA wrote an FLR
 * into its config space): the aborted operation's results are dropped.
 */
bool dma_gen_run_op(DmaGenState *s, uint32_t op, uint64_t src,
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

/* Continuous mode */

/* Stop continuous mode; an operation in flight is not counted. */
void dma_gen_engine_stop(DmaGenState *s)
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

uint32_t dma_gen_engine_start(DmaGenState *s, bool *alive)
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

void dma_gen_tick(void *opaque)
{
    dma_gen_tick_work(opaque, false);
}

/*
 * The rest of an IOThread tick, in the main loop. While the VM is stopped
 * no DMA is issued: the IOThread's timer takes the operation up again
 * (and hands it over again) once the virtual clock runs.
 */
void dma_gen_cont_bh(void *opaque)
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
