/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smmu-lite: a PCI-pluggable, SMMU-like IOMMU for the lab.
 * Device state shared by the files of hw/smmu-lite/.
 * The programming model is in docs/specs/smmu-lite.rst.
 */
#ifndef HW_SMMU_LITE_H
#define HW_SMMU_LITE_H

#include "hw/pci/pci_device.h"
#include "system/memory.h"
#include "qemu/qht.h"
#include "qemu/thread.h"
#include "qom/object.h"

#define TYPE_SMMU_LITE "smmu-lite"
OBJECT_DECLARE_SIMPLE_TYPE(SmmuLiteState, SMMU_LITE)

#define TYPE_SMMU_LITE_IOMMU_MR "smmu-lite-iommu-memory-region"

#define SMMU_LITE_PCI_VENDOR_ID     0x1b36
#define SMMU_LITE_PCI_DEVICE_ID     0x0120
#define SMMU_LITE_PCI_REVISION      0x01
#define SMMU_LITE_BAR_SIZE          0x4000
#define SMMU_LITE_REGS_SIZE         0x1000
#define SMMU_LITE_MSIX_TABLE        0x2000
#define SMMU_LITE_MSIX_PBA          0x3000
#define SMMU_LITE_MSIX_VECTORS      2
#define SMMU_LITE_VEC_EVTQ          0
#define SMMU_LITE_VEC_GERROR        1

/* The x86 MSI window, never translated. */
#define SMMU_LITE_MSI_BASE          0xfee00000ULL
#define SMMU_LITE_MSI_SIZE          0x100000ULL

/* One translated requester (bus, devfn) as QEMU hands it to us. */
typedef struct SmmuLiteSpace {
    SmmuLiteState *s;
    PCIBus *bus;
    int devfn;
    MemoryRegion root;
    IOMMUMemoryRegion iommu;
    MemoryRegion msi_window;
    AddressSpace as;
    struct SmmuLiteSnap *snap;  /* RCU: config for the lock-free path */
} SmmuLiteSpace;

/* Outcomes of translations, per stream and in total. */
typedef struct SmmuLiteOutcomes {
    uint64_t translations;
    uint64_t config_refusals;
    uint64_t translation_faults;
    uint64_t permission_faults;
    uint64_t external_aborts;
    uint64_t config_changes;
    uint64_t disruptions;
    uint64_t snoop_forced;      /* translations through an STE with SNP=1 */
} SmmuLiteOutcomes;

/*
 * Evidence of one disruption: a refused translation of a stream that had
 * been translating. @next is the STE the stream was accepted with again.
 */
#define SMMU_LITE_DISRUPTION_LOG 16
typedef struct SmmuLiteDisruption {
    int64_t time_ns;            /* QEMU_CLOCK_VIRTUAL */
    uint32_t sid;
    uint8_t type;               /* event type of the refusal (0: abort) */
    uint8_t reason;
    bool has_ste, has_last, has_next;
    uint64_t ste[4];            /* the words the device fetched */
    uint64_t last[4];           /* the last STE it had accepted */
    uint64_t next[4];           /* the STE it accepted next */
} SmmuLiteDisruption;

/*
 * Totals, mirrored as QOM properties "stat-*". These count the slow path
 * (under s->mutex); translations served by the lock-free path are counted
 * per stream and added in when the properties are read.
 */
typedef struct SmmuLiteCounters {
    SmmuLiteOutcomes out;
    uint64_t iotlb_lookups;
    uint64_t iotlb_hits;
    uint64_t iotlb_misses;
    uint64_t walks;
    uint64_t config_lookups;
    uint64_t config_hits;
    uint64_t config_misses;
    uint64_t invalidations;
    uint64_t events;
    uint64_t events_lost;
    uint64_t enable_uncovered;  /* functions without an STE at SMMUEN 0->1 */
} SmmuLiteCounters;

struct SmmuLiteState {
    PCIDevice parent_obj;

    MemoryRegion bar0;
    MemoryRegion regs;
    QemuMutex mutex;            /* see smmu-lite-internal.h for the rules */
    PCIBus *root_bus;
    GHashTable *spaces;         /* (bus, devfn) -> SmmuLiteSpace */
    uint64_t cfg_gen;           /* bumped whenever a config may change */
    uint32_t irq_pending;       /* MSI-X vectors to send, atomic */
    QEMUBH *irq_bh;

    /* Architectural state (migrated). */
    uint32_t cr0;
    uint32_t cr0ack;
    uint32_t gbpa;
    uint32_t irq_ctrl;
    uint32_t irq_ctrlack;
    uint32_t gerror;
    uint32_t gerrorn;
    uint64_t strtab_base;
    uint32_t strtab_base_cfg;
    uint64_t cmdq_base;
    uint32_t cmdq_prod;
    uint32_t cmdq_cons;
    uint64_t evtq_base;
    uint32_t evtq_prod;
    uint32_t evtq_cons;

    /* Caches (not migrated: dropped on load). */
    GHashTable *config_cache;   /* sid -> SmmuLiteConfig */
    struct qht iotlb;           /* SmmuLiteTlbEntry, lock-free lookup */
    uint32_t iotlb_count;
    uint8_t iotlb_shift_hint;   /* page size of the last hit, atomic */
    bool iotlb_ready;

    /* Properties. */
    uint32_t iotlb_size;
    uint32_t config_cache_size;
    uint64_t tear_window_ns;
    bool stuck_smmuen;          /* x-stuck-smmuen: CR0ACK.SMMUEN stays 0 */
    bool snoop_ctl;             /* IDR0.SNPCTL: STE.SNP may be set */
    OnOffAuto msi_window_prop;  /* msi-window */
    bool msi_window;            /* its value: 0xfee00000 not translated */

    /*
     * Failure injection, QOM properties settable at run time (debug aid,
     * not migrated, kept across reset); under s->mutex.
     */
    uint8_t refuse_cmd;         /* x-refuse-cmd: opcode to refuse, 0 = off */
    uint32_t refuse_cmd_count;  /* x-refuse-cmd-count: refusals left */

    /* Statistics (debug aid, not migrated, kept across reset). */
    SmmuLiteCounters cnt;
    GHashTable *streams;        /* sid -> SmmuLiteStream */
    SmmuLiteDisruption first_disruption;
    SmmuLiteDisruption disruptions[SMMU_LITE_DISRUPTION_LOG];
    uint64_t disruptions_logged;    /* since the last stats-reset */
};

#endif
