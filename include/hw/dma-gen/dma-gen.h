/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * dma-gen PCI DMA traffic generator: device state.
 * See docs/specs/dma-gen.rst.
 */

#ifndef HW_DMA_GEN_H
#define HW_DMA_GEN_H

#include "hw/pci/pci_device.h"
#include "qemu/thread.h"
#include "qemu/timer.h"
#include "qom/object.h"
#include "system/iothread.h"
#include "hw/dma-gen/dma-gen-regs.h"

#define TYPE_DMA_GEN "dma-gen"
OBJECT_DECLARE_TYPE(DmaGenState, DmaGenClass, DMA_GEN)

typedef struct DmaGenXfer DmaGenXfer;

struct DmaGenClass {
    PCIDeviceClass parent_class;
    DeviceRealize parent_realize;
};

/*
 * Threads and locks: registers are accessed by vCPUs with the BQL held.
 * The continuous-mode engine runs from a timer in the main loop (BQL held)
 * or, with the "iothread" property, in that IOThread (no BQL). @lock guards
 * what both sides share: the continuous-mode state, the counters, @epoch,
 * @irq_req and @cont_handoff. Lock order BQL -> @lock; no DMA, interrupt or
 * BQL is taken with @lock held.
 *
 * Run-state rule: code in the IOThread never waits for the BQL. Stopping
 * the VM (stop, reset, migration, savevm, quit) holds the BQL while it
 * waits for every QEMU_CLOCK_VIRTUAL timer callback to return, the tick
 * included; so a tick leaves what needs the BQL (register accesses of
 * other devices, interrupts) to bottom halves in the main loop (@cont_bh,
 * @irq_bh), and those issue no DMA while the VM is stopped.
 * Fields marked (BQL) belong to the register side only.
 */
struct DmaGenState {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    QEMUTimer *timer;
    IOThread *iothread;
    AioContext *ctx;        /* where the timer runs */
    QemuMutex lock;
    QEMUBH *irq_bh;         /* raises irq_req from the main loop */
    QEMUBH *cont_bh;        /* the rest of a tick that needs the BQL */
    uint32_t irq_req;       /* INT causes decided by an IOThread tick */
    bool cont_handoff;      /* cont_bh owns the operation in progress */
    uint32_t epoch;         /* bumped by resets and CONT_START/STOP */
    bool cont_active;       /* a tick is running continuous ops, atomic */
    /* work areas: one for commands (BQL), one for the tick (its thread) */
    DmaGenXfer *cmd_xfer;
    DmaGenXfer *tick_xfer;

    /* qdev properties */
    uint32_t max_len;

    /* command registers */
    uint64_t src;
    uint64_t dst;
    uint32_t len;
    uint32_t pattern;
    uint32_t cmd;
    uint32_t status;        /* DONE, ERROR, ERR_CODE; CONT is computed */
    uint64_t cmd_err_iova;
    uint32_t cmd_done_bytes;
    uint32_t cmd_seq;

    /* continuous-mode registers, as programmed */
    uint64_t cont_src;
    uint64_t cont_dst;
    uint32_t cont_slots;
    uint32_t cont_stride;
    uint32_t cont_len;
    uint32_t cont_period_ns;
    uint32_t cont_ops_per_tick;
    uint32_t cont_pattern;
    uint32_t cont_flags;

    /* continuous mode, active configuration latched by CONT_START */
    bool cont_running;
    uint64_t act_src;
    uint64_t act_dst;
    uint32_t act_slots;
    uint32_t act_stride;
    uint32_t act_len;
    uint32_t act_period_ns;
    uint32_t act_ops_per_tick;
    uint32_t act_pattern;
    uint32_t cont_next_slot;
    uint32_t cont_last_err;
    int64_t cont_deadline;  /* QEMU_CLOCK_VIRTUAL ns of the next tick */
    uint32_t cont_phase;    /* op in progress: 0 copy, 1 verify */
    uint32_t cont_off;      /* op in progress: bytes done in this phase */

    /* counters */
    uint64_t ops;
    uint64_t bytes;
    uint64_t dma_errors;
    uint64_t mismatches;
    uint64_t last_err_iova;
    uint64_t last_mismatch_iova;
    uint64_t ticks;

    /* interrupts (BQL) */
    uint32_t int_status;
    uint32_t int_enable;
};

#endif /* HW_DMA_GEN_H */
