/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtest helpers for the dma-gen PCI DMA traffic generator
 * (docs/specs/dma-gen.rst): boot q35, find and enable a dma-gen function,
 * run commands, drive continuous mode, read counters, observe MSI-X.
 *
 * Generic on purpose: IOMMU qtests use it to make DMA happen. Nothing here
 * assumes identity DMA addressing; every address passed to the device is an
 * IOVA, and only the dma_gen_guest_* helpers touch guest physical memory.
 */

#ifndef TESTS_QTEST_DMA_GEN_LIB_H
#define TESTS_QTEST_DMA_GEN_LIB_H

#include "tests/qtest/libqtest.h"
#include "tests/qtest/libqos/libqos.h"
#include "tests/qtest/libqos/pci.h"
/*
 * dma-gen's own header: these helpers drive dma-gen (for its qtests and as
 * the DMA source of the IOMMU qtests) rather than judge its numbering,
 * which the guest programs check against their copy written from the spec
 * (tests/guest/dma_gen.h; docs/architecture.md, "Register maps").
 */
#include "hw/dma-gen/dma-gen-regs.h"

/* Guest RAM of the machines dma_gen_boot() starts */
#define DMA_GEN_TEST_RAM_MB     256

typedef struct DmaGen {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *pdev;
    int devfn;
    QPCIBar bar0;
    uint64_t bar0_size;
    /* MSI-X, once dma_gen_msix_setup() ran: guest addresses messages hit */
    bool msix;
    uint64_t msix_addr[DMA_GEN_MSIX_VECTORS];
    uint32_t msix_data[DMA_GEN_MSIX_VECTORS];
} DmaGen;

typedef struct DmaGenCounters {
    uint64_t ops;
    uint64_t bytes;
    uint64_t dma_errors;
    uint64_t mismatches;
    uint64_t last_err_iova;
    uint64_t last_mismatch_iova;
    uint64_t ticks;
} DmaGenCounters;

typedef struct DmaGenContCfg {
    uint64_t src;           /* source buffer IOVA, len bytes */
    uint64_t dst;           /* ring base IOVA */
    uint32_t slots;
    uint32_t stride;
    uint32_t len;
    uint32_t period_ns;
    uint32_t ops_per_tick;
    uint32_t pattern;
    bool fill_src;          /* let the device fill the source at start */
} DmaGenContCfg;

/*
 * Start q35 (qboot firmware, no default devices, DMA_GEN_TEST_RAM_MB of RAM)
 * with @extra_fmt appended to the command line (typically -device dma-gen,...),
 * a PC PCI bus and a guest memory allocator. Free with qtest_shutdown().
 */
QOSState *dma_gen_boot(const char *extra_fmt, ...) G_GNUC_PRINTF(1, 2);

/*
 * Take the dma-gen function at @devfn (QPCI_DEVFN(slot, fn), with the bus
 * number in bits 15:8 for functions behind a bridge) of @bus: check its IDs,
 * enable memory decoding and bus mastering, map BAR0. Aborts the test if
 * there is no dma-gen there.
 */
DmaGen *dma_gen_init(QTestState *qts, QPCIBus *bus, int devfn);
void dma_gen_free(DmaGen *d);

/*
 * Give the pci-bridge at @bridge_devfn (already numbered with
 * qpci_secondary_buses_init()) a memory window of @size bytes (multiple of
 * 1 MiB) carved from @bus's MMIO allocator, and enable it. The allocator then
 * points at the window start: map the devices behind this bridge next (and
 * only them, up to @size bytes) before mapping anything else.
 */
void dma_gen_bridge_window(QPCIBus *bus, int bridge_devfn, uint64_t size);

/* Register access */
uint32_t dma_gen_readl(DmaGen *d, uint32_t reg);
void dma_gen_writel(DmaGen *d, uint32_t reg, uint32_t val);
uint64_t dma_gen_readq(DmaGen *d, uint32_t reg);    /* atomic 64-bit read */
void dma_gen_write64(DmaGen *d, uint32_t reg_lo, uint64_t val);

/* PCI command register */
void dma_gen_set_bus_master(DmaGen *d, bool on);

/*
 * Function Level Reset through the PCIe capability. Returns false (doing
 * nothing) when the function has no PCIe capability (conventional bus).
 * Afterwards BAR0/BAR1 and the command register are restored; MSI-X is off
 * (call dma_gen_msix_setup() again to use it).
 */
bool dma_gen_flr(DmaGen *d);

/* The config state a function reset clears, to put back afterwards. */
typedef struct DmaGenPciRegs {
    uint32_t bar0, bar1;
    uint16_t cmd;
} DmaGenPciRegs;

void dma_gen_pci_save(DmaGen *d, DmaGenPciRegs *regs);
/*
 * After a function reset: assert that it cleared the command register and
 * BAR0, then restore @regs. MSI-X is off afterwards.
 */
void dma_gen_pci_restore_after_reset(DmaGen *d, const DmaGenPciRegs *regs);

/*
 * Commands. Each returns STATUS.ERR_CODE (DMA_GEN_ERR_*) after checking that
 * the command completed (DONE=1, BUSY=0, ERROR consistent with ERR_CODE).
 */
uint32_t dma_gen_cmd(DmaGen *d, uint32_t opcode);
uint32_t dma_gen_copy(DmaGen *d, uint64_t src, uint64_t dst, uint32_t len);
uint32_t dma_gen_fill(DmaGen *d, uint64_t dst, uint32_t len, uint32_t pattern);
uint32_t dma_gen_verify(DmaGen *d, uint64_t dst, uint32_t len,
                        uint32_t pattern);
uint64_t dma_gen_cmd_err_iova(DmaGen *d);

/* Continuous mode */
uint32_t dma_gen_cont_start(DmaGen *d, const DmaGenContCfg *cfg);
uint32_t dma_gen_cont_stop(DmaGen *d);
bool dma_gen_cont_running(DmaGen *d);

/* Counters, from BAR0 or from QOM (@qom_path: e.g. the device's id=) */
void dma_gen_read_counters(DmaGen *d, DmaGenCounters *c);
void dma_gen_qom_counters(QTestState *qts, const char *qom_path,
                          DmaGenCounters *c);
void dma_gen_reset_counters(DmaGen *d);

/*
 * MSI-X: enable the capability and point vector v at a freshly allocated
 * guest word, with message data 0xd0a0000 | v. dma_gen_msix_fired() tells
 * whether vector v's message arrived since the last call (and clears it).
 */
void dma_gen_msix_setup(DmaGen *d, QGuestAllocator *alloc);
bool dma_gen_msix_fired(DmaGen *d, unsigned vector);

/* Guest memory helpers (guest physical addresses) */
void dma_gen_guest_fill(QTestState *qts, uint64_t gpa, uint32_t len,
                        uint32_t pattern);
/* Returns the offset of the first byte not matching, or @len if all match */
uint32_t dma_gen_guest_check(QTestState *qts, uint64_t gpa, uint32_t len,
                             uint32_t pattern);
/* Byte @i of a buffer holding @pattern as LE words from its start */
static inline uint8_t dma_gen_pattern_byte(uint32_t pattern, uint64_t i)
{
    return pattern >> (8 * (i & 3));
}

/*
 * Helpers for hostile-input tests (smmu-lite-hostile-test.c).
 */

/* Number of 32-bit registers in BAR0 offsets 0x000..0x0fc */
#define DMA_GEN_NUM_REGS        64

/*
 * Point MSI-X vector @v (MSI-X already enabled, e.g. by qpci_msix_enable())
 * at any bus address @addr with message @data, masked or not. Unlike
 * dma_gen_msix_setup() the message need not land in guest RAM.
 */
void dma_gen_msix_vector(DmaGen *d, unsigned v, uint64_t addr, uint32_t data,
                         bool masked);

/* Read BAR0 registers 0x000..0x0fc into @regs[DMA_GEN_NUM_REGS]. */
void dma_gen_read_regs(DmaGen *d, uint32_t *regs);

/*
 * Wait, by wall-clock time (continuous mode may run in an IOThread), until
 * no continuous-mode operation is in flight: STATUS.BUSY and
 * CONT_STATUS.ACTIVE both read 0 (v1.0 has neither: they read 0). Returns
 * false if one still reads 1 after @timeout_ms.
 */
bool dma_gen_wait_idle(DmaGen *d, unsigned timeout_ms);

/*
 * Step the virtual clock by @step_ns and read OPS until it exceeds @above
 * or @timeout_ms of wall-clock time passed; returns the last OPS read.
 */
uint64_t dma_gen_wait_ops(DmaGen *d, uint64_t above, uint64_t step_ns,
                          unsigned timeout_ms);

/* Does the dma-gen of $QTEST_QEMU_BINARY have the qdev property @prop? */
bool dma_gen_binary_has_property(const char *prop);

#endif /* TESTS_QTEST_DMA_GEN_LIB_H */
