/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smmu-lite: register file (CR0/CR0ACK, GERROR/GERRORN, queues), reset,
 * migration state, and the IOMMU memory region translate entry point.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "qapi/error.h"
#include "hw/pci/msix.h"
#include "migration/vmstate.h"
#include "system/address-spaces.h"
#include "smmu-lite-internal.h"
#include "trace.h"

static uint32_t smmu_lite_idr0(SmmuLiteState *s)
{
    uint32_t v = 0;

    v = FIELD_DP32(v, IDR0, S1P, 1);
    v = FIELD_DP32(v, IDR0, S2P, 1);
    v = FIELD_DP32(v, IDR0, NEST, 1);
    v = FIELD_DP32(v, IDR0, ST2LVL, 1);
    v = FIELD_DP32(v, IDR0, BLK2M, 1);
    v = FIELD_DP32(v, IDR0, BLK1G, 1);
    v = FIELD_DP32(v, IDR0, HTTU_D, 1);
    v = FIELD_DP32(v, IDR0, SYNC_MSI, 1);
    v = FIELD_DP32(v, IDR0, TEAR, s->tear_window_ns > 0);
    v = FIELD_DP32(v, IDR0, SNPCTL, s->snoop_ctl);
    v = FIELD_DP32(v, IDR0, MSIXLT, !s->msi_window);
    return v;
}

static uint32_t smmu_lite_idr1(void)
{
    uint32_t v = 0;

    v = FIELD_DP32(v, IDR1, SIDSIZE, SMMU_LITE_SIDSIZE);
    v = FIELD_DP32(v, IDR1, CMDQS, SMMU_LITE_QS_MAX);
    v = FIELD_DP32(v, IDR1, EVTQS, SMMU_LITE_QS_MAX);
    v = FIELD_DP32(v, IDR1, ASID16, 1);
    v = FIELD_DP32(v, IDR1, VMID16, 1);
    v = FIELD_DP32(v, IDR1, OAS, 5);
    return v;
}

static uint32_t smmu_lite_idr2(SmmuLiteState *s)
{
    uint32_t v = 0;

    v = FIELD_DP32(v, IDR2, IOTLB, s->iotlb_size);
    v = FIELD_DP32(v, IDR2, CFGC, s->config_cache_size);
    return v;
}

/*
 * Queue MSI-X @vector; called with s->mutex held. The message goes out in
 * smmu_lite_irq_flush(), once the mutex is dropped: its address is guest
 * chosen and may be any device's register, including one whose handler
 * makes DMA that comes back through smmu_lite_translate().
 */
void smmu_lite_notify(SmmuLiteState *s, unsigned vector)
{
    qatomic_or(&s->irq_pending, 1u << vector);
}

static void smmu_lite_irq_send(SmmuLiteState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t pending = qatomic_xchg(&s->irq_pending, 0);

    for (unsigned v = 0; v < SMMU_LITE_MSIX_VECTORS; v++) {
        if ((pending & (1u << v)) && msix_enabled(pdev)) {
            trace_smmu_lite_irq(v);
            msix_notify(pdev, v);
        }
    }
}

/* Send queued MSIs; never called with s->mutex held. */
void smmu_lite_irq_flush(SmmuLiteState *s)
{
    if (!qatomic_read(&s->irq_pending)) {
        return;
    }
    if (bql_locked()) {
        smmu_lite_irq_send(s);
    } else {
        /* MSI-X state belongs to the BQL: send from the main loop */
        qemu_bh_schedule(s->irq_bh);
    }
}

void smmu_lite_irq_bh(void *opaque)
{
    smmu_lite_irq_send(opaque);
}

/* Activate a global error (toggle its GERROR bit) unless already active. */
void smmu_lite_gerror_raise(SmmuLiteState *s, uint32_t bit)
{
    if ((s->gerror ^ s->gerrorn) & bit) {
        return;
    }
    s->gerror ^= bit;
    trace_smmu_lite_gerror(bit, s->gerror, s->gerrorn);
    if (s->irq_ctrl & R_IRQ_CTRL_GERROR_IRQEN_MASK) {
        smmu_lite_notify(s, SMMU_LITE_VEC_GERROR);
    }
}

/*
 * Something a cached configuration depends on changed: every published
 * snapshot is stale from now on. Called with s->mutex held.
 */
void smmu_lite_cfg_changed(SmmuLiteState *s)
{
    qatomic_inc(&s->cfg_gen);
}

void smmu_lite_flush_caches(SmmuLiteState *s)
{
    smmu_lite_config_inv_all(s);
    smmu_lite_iotlb_inv_all(s);
}

void smmu_lite_reset_regs(SmmuLiteState *s)
{
    qemu_mutex_lock(&s->mutex);
    s->cr0 = 0;
    qatomic_set(&s->cr0ack, 0);
    qatomic_set(&s->gbpa, 0);
    s->irq_ctrl = 0;
    s->irq_ctrlack = 0;
    s->gerror = 0;
    s->gerrorn = 0;
    s->strtab_base = 0;
    s->strtab_base_cfg = 0;
    s->cmdq_base = 0;
    s->cmdq_prod = 0;
    s->cmdq_cons = 0;
    s->evtq_base = 0;
    s->evtq_prod = 0;
    s->evtq_cons = 0;
    smmu_lite_flush_caches(s);
    smmu_lite_cfg_changed(s);
    qatomic_set(&s->irq_pending, 0);
    qemu_mutex_unlock(&s->mutex);
}

static bool smmu_lite_reg64(hwaddr reg)
{
    return reg == A_STRTAB_BASE || reg == A_CMDQ_BASE || reg == A_EVTQ_BASE;
}

static uint64_t *smmu_lite_reg64_ptr(SmmuLiteState *s, hwaddr reg)
{
    switch (reg) {
    case A_STRTAB_BASE:
        return &s->strtab_base;
    case A_CMDQ_BASE:
        return &s->cmdq_base;
    case A_EVTQ_BASE:
        return &s->evtq_base;
    }
    return NULL;
}

static uint32_t smmu_lite_read32(SmmuLiteState *s, hwaddr off, bool *ok)
{
    *ok = true;
    switch (off) {
    case A_IDR0:
        return smmu_lite_idr0(s);
    case A_IDR1:
        return smmu_lite_idr1();
    case A_IDR2:
        return smmu_lite_idr2(s);
    case A_AIDR:
        return SMMU_LITE_AIDR;
    case A_CR0:
        return s->cr0;
    case A_CR0ACK:
        return s->cr0ack;
    case A_GBPA:
        return s->gbpa;
    case A_IRQ_CTRL:
        return s->irq_ctrl;
    case A_IRQ_CTRLACK:
        return s->irq_ctrlack;
    case A_GERROR:
        return s->gerror;
    case A_GERRORN:
        return s->gerrorn;
    case A_STRTAB_BASE_CFG:
        return s->strtab_base_cfg;
    case A_CMDQ_PROD:
        return s->cmdq_prod;
    case A_CMDQ_CONS:
        return s->cmdq_cons;
    case A_EVTQ_PROD:
        return s->evtq_prod;
    case A_EVTQ_CONS:
        return s->evtq_cons;
    }
    *ok = false;
    return 0;
}

static uint64_t smmu_lite_read(void *opaque, hwaddr off, unsigned size)
{
    SmmuLiteState *s = opaque;
    hwaddr reg = off & ~7ULL;
    uint64_t val = 0;
    bool ok = false;

    qemu_mutex_lock(&s->mutex);
    if (smmu_lite_reg64(reg)) {
        uint64_t v = *smmu_lite_reg64_ptr(s, reg);

        if (size == 8 && off == reg) {
            val = v;
            ok = true;
        } else if (size == 4 && off == reg) {
            val = (uint32_t)v;
            ok = true;
        } else if (size == 4 && off == reg + 4) {
            val = v >> 32;
            ok = true;
        }
    } else if (size == 4) {
        val = smmu_lite_read32(s, off, &ok);
    }
    qemu_mutex_unlock(&s->mutex);

    if (!ok) {
        qemu_log_mask(LOG_GUEST_ERROR, "smmu-lite: bad read at 0x%" HWADDR_PRIx
                      " size %u (RAZ)\n", off, size);
        val = 0;
    }
    trace_smmu_lite_reg_read(off, size, val);
    return val;
}

static bool smmu_lite_cmdq_stopped(SmmuLiteState *s)
{
    return (s->gerror ^ s->gerrorn) & R_GERROR_CMDQ_ERR_MASK;
}

static void smmu_lite_write_cr0(SmmuLiteState *s, uint32_t val)
{
    uint32_t old = s->cr0ack;
    uint32_t ack = val & SMMU_LITE_CR0_MASK;

    if (val & ~SMMU_LITE_CR0_MASK) {
        qemu_log_mask(LOG_GUEST_ERROR, "smmu-lite: CR0 RES0 bits 0x%x set\n",
                      val & ~SMMU_LITE_CR0_MASK);
    }
    if (s->stuck_smmuen) {
        /* x-stuck-smmuen: the enable is never acknowledged */
        ack &= ~R_CR0_SMMUEN_MASK;
    }
    s->cr0 = val & SMMU_LITE_CR0_MASK;
    qatomic_set(&s->cr0ack, ack);
    smmu_lite_cfg_changed(s);
    trace_smmu_lite_cr0(old, s->cr0ack);
    if (!(old & R_CR0_SMMUEN_MASK) && (ack & R_CR0_SMMUEN_MASK)) {
        smmu_lite_count_uncovered(s);
    }
    if (!(old & R_CR0_CMDQEN_MASK) && (s->cr0ack & R_CR0_CMDQEN_MASK)) {
        smmu_lite_cmdq_run(s);
    }
}

/*
 * The bits a queue index register holds: the index and wrap bits of its
 * queue's programmed size, plus the register's flag. A software write of
 * CMDQ_CONS keeps only the index (ERR is the device's, and is cleared).
 */
static uint32_t smmu_lite_cmdq_cons_bits(SmmuLiteState *s)
{
    return smmu_lite_queue_wrapmask(s->cmdq_base) | R_CMDQ_CONS_ERR_MASK;
}

static uint32_t smmu_lite_evtq_prod_bits(SmmuLiteState *s)
{
    return smmu_lite_queue_wrapmask(s->evtq_base) | R_EVTQ_PROD_OVFLG_MASK;
}

static uint32_t smmu_lite_evtq_cons_bits(SmmuLiteState *s)
{
    return smmu_lite_queue_wrapmask(s->evtq_base) | R_EVTQ_CONS_OVACKFLG_MASK;
}

/*
 * Base registers keep their defined fields only (RES0 bits read as 0). A
 * queue base write also drops PROD and CONS bits above the new wrap bit,
 * so the indexes always fit the programmed size.
 */
static void smmu_lite_write64(SmmuLiteState *s, hwaddr reg, uint64_t val)
{
    switch (reg) {
    case A_STRTAB_BASE:
        if (s->cr0ack & R_CR0_SMMUEN_MASK) {
            qemu_log_mask(LOG_GUEST_ERROR, "smmu-lite: STRTAB_BASE written "
                          "while SMMUEN=1, ignored\n");
            return;
        }
        s->strtab_base = val & R_STRTAB_BASE_ADDR_MASK;
        break;
    case A_CMDQ_BASE:
        if (s->cr0ack & R_CR0_CMDQEN_MASK) {
            qemu_log_mask(LOG_GUEST_ERROR, "smmu-lite: CMDQ_BASE written "
                          "while CMDQEN=1, ignored\n");
            return;
        }
        s->cmdq_base = val & SMMU_LITE_QUEUE_BASE_MASK;
        s->cmdq_prod &= smmu_lite_queue_wrapmask(s->cmdq_base);
        s->cmdq_cons &= smmu_lite_cmdq_cons_bits(s);
        break;
    case A_EVTQ_BASE:
        if (s->cr0ack & R_CR0_EVTQEN_MASK) {
            qemu_log_mask(LOG_GUEST_ERROR, "smmu-lite: EVTQ_BASE written "
                          "while EVTQEN=1, ignored\n");
            return;
        }
        s->evtq_base = val & SMMU_LITE_QUEUE_BASE_MASK;
        s->evtq_prod &= smmu_lite_evtq_prod_bits(s);
        s->evtq_cons &= smmu_lite_evtq_cons_bits(s);
        break;
    }
}

static bool smmu_lite_write32(SmmuLiteState *s, hwaddr off, uint32_t val)
{
    uint32_t acked;

    switch (off) {
    case A_CR0:
        smmu_lite_write_cr0(s, val);
        return true;
    case A_GBPA:
        qatomic_set(&s->gbpa, val & R_GBPA_ABORT_MASK);
        return true;
    case A_IRQ_CTRL:
        s->irq_ctrl = val & SMMU_LITE_IRQ_CTRL_MASK;
        s->irq_ctrlack = s->irq_ctrl;
        return true;
    case A_GERRORN:
        acked = smmu_lite_cmdq_stopped(s);
        s->gerrorn = val & SMMU_LITE_GERROR_MASK;
        if (acked && !smmu_lite_cmdq_stopped(s)) {
            /* CMDQ_ERR acknowledged: resume at CONS */
            s->cmdq_cons = FIELD_DP32(s->cmdq_cons, CMDQ_CONS, ERR, 0);
            smmu_lite_cmdq_run(s);
        }
        return true;
    case A_STRTAB_BASE_CFG:
        if (s->cr0ack & R_CR0_SMMUEN_MASK) {
            qemu_log_mask(LOG_GUEST_ERROR, "smmu-lite: STRTAB_BASE_CFG "
                          "written while SMMUEN=1, ignored\n");
            return true;
        }
        s->strtab_base_cfg = val & SMMU_LITE_STRTAB_CFG_MASK;
        return true;
    case A_CMDQ_PROD:
        s->cmdq_prod = val & smmu_lite_queue_wrapmask(s->cmdq_base);
        smmu_lite_cmdq_run(s);
        return true;
    case A_CMDQ_CONS:
        if (s->cr0ack & R_CR0_CMDQEN_MASK) {
            qemu_log_mask(LOG_GUEST_ERROR, "smmu-lite: CMDQ_CONS written "
                          "while CMDQEN=1, ignored\n");
            return true;
        }
        /* ERR is the device's: a software write clears it */
        s->cmdq_cons = val & smmu_lite_queue_wrapmask(s->cmdq_base);
        return true;
    case A_EVTQ_PROD:
        if (s->cr0ack & R_CR0_EVTQEN_MASK) {
            qemu_log_mask(LOG_GUEST_ERROR, "smmu-lite: EVTQ_PROD written "
                          "while EVTQEN=1, ignored\n");
            return true;
        }
        s->evtq_prod = val & smmu_lite_evtq_prod_bits(s);
        return true;
    case A_EVTQ_CONS:
        s->evtq_cons = val & smmu_lite_evtq_cons_bits(s);
        return true;
    case A_IDR0:
    case A_IDR1:
    case A_IDR2:
    case A_AIDR:
    case A_CR0ACK:
    case A_IRQ_CTRLACK:
    case A_GERROR:
        qemu_log_mask(LOG_GUEST_ERROR, "smmu-lite: write to read-only "
                      "register 0x%" HWADDR_PRIx " ignored\n", off);
        return true;
    }
    return false;
}

static void smmu_lite_write(void *opaque, hwaddr off, uint64_t val,
                            unsigned size)
{
    SmmuLiteState *s = opaque;
    hwaddr reg = off & ~7ULL;
    bool ok = false;

    trace_smmu_lite_reg_write(off, size, val);
    qemu_mutex_lock(&s->mutex);
    if (smmu_lite_reg64(reg)) {
        uint64_t v = *smmu_lite_reg64_ptr(s, reg);

        if (size == 8 && off == reg) {
            v = val;
            ok = true;
        } else if (size == 4 && off == reg) {
            v = deposit64(v, 0, 32, val);
            ok = true;
        } else if (size == 4 && off == reg + 4) {
            v = deposit64(v, 32, 32, val);
            ok = true;
        }
        if (ok) {
            smmu_lite_write64(s, reg, v);
        }
    } else if (size == 4) {
        ok = smmu_lite_write32(s, off, val);
    }
    qemu_mutex_unlock(&s->mutex);
    smmu_lite_irq_flush(s);

    if (!ok) {
        qemu_log_mask(LOG_GUEST_ERROR, "smmu-lite: bad write at 0x%"
                      HWADDR_PRIx " size %u (ignored)\n", off, size);
    }
}

const MemoryRegionOps smmu_lite_regs_ops = {
    .read = smmu_lite_read,
    .write = smmu_lite_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
};

static void smmu_lite_entry_set(IOMMUTLBEntry *entry, uint64_t addr,
                                const SmmuLiteXlate *x)
{
    uint64_t mask = (1ULL << x->shift) - 1;

    entry->iova = addr & ~mask;
    entry->translated_addr = x->out & ~mask;
    entry->addr_mask = mask;
    entry->perm = (x->r ? IOMMU_RO : 0) | (x->w ? IOMMU_WO : 0);
}

/*
 * The lock-free path: the requester's published config is current and the
 * IOTLB holds the page. Returns false when the slow path must decide.
 */
static bool smmu_lite_translate_fast(SmmuLiteState *s, SmmuLiteSpace *sp,
                                     uint32_t sid, uint64_t addr,
                                     bool is_write, IOMMUTLBEntry *entry)
{
    SmmuLiteSnap *snap;
    SmmuLiteXlate x;

    /* translate() always runs under RCU (flatview_do_translate) */
    snap = qatomic_rcu_read(&sp->snap);
    if (!snap || snap->sid != sid ||
        snap->gen != qatomic_load_acquire(&s->cfg_gen)) {
        return false;
    }
    if (snap->cfg.config == STE_CONFIG_BYPASS) {
        entry->perm = IOMMU_RW;
        smmu_lite_stats_fast(snap->st, true, false);
        return true;
    }
    if (!smmu_lite_iotlb_hit(s, &snap->cfg, addr, is_write, &x)) {
        return false;
    }
    smmu_lite_entry_set(entry, addr, &x);
    smmu_lite_stats_fast(snap->st, false, snap->cfg.snp);
    trace_smmu_lite_translate(sid, addr,
                              entry->translated_addr | (addr & entry->addr_mask),
                              entry->perm);
    return true;
}

/* Publish @cfg as @sp's snapshot; s->mutex held. */
static void smmu_lite_snap_publish(SmmuLiteState *s, SmmuLiteSpace *sp,
                                   uint32_t sid, const SmmuLiteConfig *cfg)
{
    SmmuLiteSnap *old = sp->snap, *snap;
    uint64_t gen = qatomic_read(&s->cfg_gen);

    if (old && old->gen == gen && old->sid == sid) {
        return;
    }
    snap = g_new0(SmmuLiteSnap, 1);
    snap->gen = gen;
    snap->sid = sid;
    snap->cfg = *cfg;
    snap->st = smmu_lite_stream(s, sid);
    qatomic_rcu_set(&sp->snap, snap);
    if (old) {
        g_free_rcu(old, rcu);
    }
}

/*
 * The translation of one DMA access, from any thread (a vCPU, the main
 * loop or an IOThread), always under RCU.
 */
static IOMMUTLBEntry smmu_lite_translate(IOMMUMemoryRegion *mr, hwaddr addr,
                                         IOMMUAccessFlags flag, int iommu_idx)
{
    SmmuLiteSpace *sp = container_of(mr, SmmuLiteSpace, iommu);
    SmmuLiteState *s = sp->s;
    uint32_t sid = PCI_BUILD_BDF(pci_bus_num(sp->bus), sp->devfn);
    bool is_write = flag & IOMMU_WO;
    IOMMUTLBEntry entry = {
        .target_as = &address_space_memory,
        .iova = addr & ~0xfffULL,
        .translated_addr = addr & ~0xfffULL,
        .addr_mask = 0xfff,
        .perm = IOMMU_NONE,
    };
    SmmuLiteEvent ev = { 0 };
    SmmuLiteConfig cfg;
    SmmuLiteXlate x;
    bool ok, stable;

    if (!(qatomic_read(&s->cr0ack) & R_CR0_SMMUEN_MASK)) {
        if (!(qatomic_read(&s->gbpa) & R_GBPA_ABORT_MASK)) {
            entry.perm = IOMMU_RW;
        }
        trace_smmu_lite_disabled(sid, addr, entry.perm);
        return entry;
    }
    if (smmu_lite_translate_fast(s, sp, sid, addr, is_write, &entry)) {
        return entry;
    }

    qemu_mutex_lock(&s->mutex);
    if (!(s->cr0ack & R_CR0_SMMUEN_MASK)) {
        /* disabled since the check above */
        if (!(s->gbpa & R_GBPA_ABORT_MASK)) {
            entry.perm = IOMMU_RW;
        }
        goto out;
    }

    ok = smmu_lite_config_get(s, sid, is_write, addr, &cfg, &ev, &stable);
    if (!ok) {
        smmu_lite_stats_result(s, sid, SL_RES_CONFIG);
        trace_smmu_lite_refusal(sid, addr, ev.type, ev.reason);
        if (ev.type != EVT_NONE) {
            smmu_lite_event_record(s, sid, addr, is_write, &ev);
        }
        goto out;
    }
    if (stable) {
        smmu_lite_snap_publish(s, sp, sid, &cfg);
    }

    if (cfg.config == STE_CONFIG_BYPASS) {
        entry.perm = IOMMU_RW;
        smmu_lite_stats_result(s, sid, SL_RES_OK);
        goto out;
    }

    if (smmu_lite_translate_cfg(s, &cfg, addr, is_write, &x, &ev)) {
        smmu_lite_entry_set(&entry, addr, &x);
        smmu_lite_stats_result(s, sid, SL_RES_OK);
        if (cfg.snp) {
            smmu_lite_stats_snoop(s, sid);
        }
        trace_smmu_lite_translate(sid, addr,
                                  entry.translated_addr | (addr & entry.addr_mask),
                                  entry.perm);
    } else {
        smmu_lite_stats_result(s, sid, smmu_lite_fault_kind(ev.type));
        smmu_lite_event_record(s, sid, addr, is_write, &ev);
    }
out:
    qemu_mutex_unlock(&s->mutex);
    smmu_lite_irq_flush(s);
    return entry;
}

static int smmu_lite_notify_flag_changed(IOMMUMemoryRegion *mr,
                                         IOMMUNotifierFlag old,
                                         IOMMUNotifierFlag new, Error **errp)
{
    if (new != IOMMU_NOTIFIER_NONE) {
        error_setg(errp, "smmu-lite does not support IOMMU notifiers "
                   "(vfio/vhost device assignment)");
        return -EINVAL;
    }
    return 0;
}

/*
 * Is the incoming state one the device itself could have reached? The
 * register writes keep only defined fields and indexes within the queue
 * sizes, and the device sets CR0ACK, IRQ_CTRLACK, GERROR and CONS.ERR
 * itself; a stream that says otherwise is refused (returns what is wrong).
 */
static const char *smmu_lite_state_invalid(SmmuLiteState *s)
{
    if ((s->cr0 & ~SMMU_LITE_CR0_MASK) || (s->cr0ack & ~s->cr0)) {
        return "CR0/CR0ACK";
    }
    if (s->gbpa & ~R_GBPA_ABORT_MASK) {
        return "GBPA";
    }
    if ((s->irq_ctrl & ~SMMU_LITE_IRQ_CTRL_MASK) ||
        s->irq_ctrlack != s->irq_ctrl) {
        return "IRQ_CTRL/IRQ_CTRLACK";
    }
    if ((s->gerror | s->gerrorn) & ~SMMU_LITE_GERROR_MASK) {
        return "GERROR/GERRORN";
    }
    if ((s->strtab_base & ~R_STRTAB_BASE_ADDR_MASK) ||
        (s->strtab_base_cfg & ~SMMU_LITE_STRTAB_CFG_MASK)) {
        return "STRTAB_BASE/STRTAB_BASE_CFG";
    }
    if ((s->cmdq_base & ~SMMU_LITE_QUEUE_BASE_MASK) ||
        (s->cmdq_prod & ~smmu_lite_queue_wrapmask(s->cmdq_base)) ||
        (s->cmdq_cons & ~smmu_lite_cmdq_cons_bits(s)) ||
        FIELD_EX32(s->cmdq_cons, CMDQ_CONS, ERR) > CMDQ_ERR_ABT) {
        return "command queue BASE/PROD/CONS";
    }
    if ((s->evtq_base & ~SMMU_LITE_QUEUE_BASE_MASK) ||
        (s->evtq_prod & ~smmu_lite_evtq_prod_bits(s)) ||
        (s->evtq_cons & ~smmu_lite_evtq_cons_bits(s))) {
        return "event queue BASE/PROD/CONS";
    }
    if (s->irq_pending & ~MAKE_64BIT_MASK(0, SMMU_LITE_MSIX_VECTORS)) {
        return "pending interrupt vectors";
    }
    return NULL;
}

static int smmu_lite_post_load(void *opaque, int version_id)
{
    SmmuLiteState *s = opaque;
    const char *bad = smmu_lite_state_invalid(s);

    if (bad) {
        error_report("smmu-lite: incoming migration: %s out of range", bad);
        return -EINVAL;
    }
    qemu_mutex_lock(&s->mutex);
    smmu_lite_flush_caches(s);
    smmu_lite_cfg_changed(s);
    qemu_mutex_unlock(&s->mutex);
    if (qatomic_read(&s->irq_pending)) {
        qemu_bh_schedule(s->irq_bh);
    }
    return 0;
}

static bool smmu_lite_irq_pending_needed(void *opaque)
{
    SmmuLiteState *s = opaque;

    return qatomic_read(&s->irq_pending) != 0;
}

/* MSI-X vectors raised by a translation in another thread, not yet sent. */
static const VMStateDescription smmu_lite_vmstate_irq_pending = {
    .name = "smmu-lite/irq-pending",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = smmu_lite_irq_pending_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(irq_pending, SmmuLiteState),
        VMSTATE_END_OF_LIST()
    },
};

const VMStateDescription smmu_lite_vmstate = {
    .name = "smmu-lite",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = smmu_lite_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, SmmuLiteState),
        VMSTATE_MSIX(parent_obj, SmmuLiteState),
        VMSTATE_UINT32(cr0, SmmuLiteState),
        VMSTATE_UINT32(cr0ack, SmmuLiteState),
        VMSTATE_UINT32(gbpa, SmmuLiteState),
        VMSTATE_UINT32(irq_ctrl, SmmuLiteState),
        VMSTATE_UINT32(irq_ctrlack, SmmuLiteState),
        VMSTATE_UINT32(gerror, SmmuLiteState),
        VMSTATE_UINT32(gerrorn, SmmuLiteState),
        VMSTATE_UINT64(strtab_base, SmmuLiteState),
        VMSTATE_UINT32(strtab_base_cfg, SmmuLiteState),
        VMSTATE_UINT64(cmdq_base, SmmuLiteState),
        VMSTATE_UINT32(cmdq_prod, SmmuLiteState),
        VMSTATE_UINT32(cmdq_cons, SmmuLiteState),
        VMSTATE_UINT64(evtq_base, SmmuLiteState),
        VMSTATE_UINT32(evtq_prod, SmmuLiteState),
        VMSTATE_UINT32(evtq_cons, SmmuLiteState),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &smmu_lite_vmstate_irq_pending,
        NULL
    },
};

static void smmu_lite_iommu_mr_class_init(ObjectClass *klass, const void *data)
{
    IOMMUMemoryRegionClass *imrc = IOMMU_MEMORY_REGION_CLASS(klass);

    imrc->translate = smmu_lite_translate;
    imrc->notify_flag_changed = smmu_lite_notify_flag_changed;
}

static const TypeInfo smmu_lite_iommu_mr_types[] = {
    {
        .name = TYPE_SMMU_LITE_IOMMU_MR,
        .parent = TYPE_IOMMU_MEMORY_REGION,
        .class_init = smmu_lite_iommu_mr_class_init,
    },
};

DEFINE_TYPES(smmu_lite_iommu_mr_types)
