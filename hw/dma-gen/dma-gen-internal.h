/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * dma-gen internals: what the register side (dma-gen.c) and the DMA
 * engine (dma-gen-engine.c) share. The threads and locks are described
 * with DmaGenState in include/hw/dma-gen/dma-gen.h.
 */

#ifndef HW_DMA_GEN_INTERNAL_H
#define HW_DMA_GEN_INTERNAL_H

#include "hw/dma-gen/dma-gen.h"

/* Result of one data operation (command or continuous op). */
typedef struct DmaGenResult {
    uint32_t err;       /* DMA_GEN_ERR_* */
    uint64_t err_iova;  /* refused or first differing IOVA, when err != 0 */
    uint32_t done;      /* bytes completed */
    bool defer;         /* stopped before an access that needs the BQL */
} DmaGenResult;

/* dma-gen.c */

/* Set INT_STATUS bits @causes and send what becomes pending; BQL held. */
void dma_gen_raise(DmaGenState *s, uint32_t causes);

/* dma-gen-engine.c */

/* A zeroed work area for data operations; free it with g_free(). */
DmaGenXfer *dma_gen_xfer_new(void);

/* Is this thread issuing DMA for @s (so the access comes from @s itself)? */
bool dma_gen_in_own_dma(DmaGenState *s);

/* Is bus mastering enabled in @s's PCI command register? */
bool dma_gen_bus_master(DmaGenState *s);

/* True if the range [addr, addr + len) does not fit below 2^64. len > 0. */
bool dma_gen_wraps(uint64_t addr, uint64_t len);

/*
 * Does a continuous-mode setup reach past 2^64: the source buffer, or the
 * ring of @slots (> 0) slots of @len bytes, @stride apart, from @dst?
 */
bool dma_gen_cont_wraps(uint64_t src, uint64_t dst, uint32_t slots,
                        uint32_t stride, uint32_t len);

/*
 * Run one whole command-side DMA operation @op (DMA_GEN_OP_COPY, _FILL or
 * _VERIFY) and count it (BQL held); @res gets its result. Returns false if
 * the device was reset while its own DMA ran: the results are dropped.
 */
bool dma_gen_run_op(DmaGenState *s, uint32_t op, uint64_t src,
                    uint64_t dst, uint32_t len, uint32_t pattern,
                    DmaGenResult *res);

/* Stop continuous mode; an operation in flight is not counted. */
void dma_gen_engine_stop(DmaGenState *s);

/*
 * CONT_START (BQL held): check the CONT_* registers, fill the source if
 * CONT_FLAGS.FILL_SRC says so, latch the active configuration and arm the
 * tick. Returns a DMA_GEN_ERR_* code; *@alive is false if the device was
 * reset by its own DMA meanwhile.
 */
uint32_t dma_gen_engine_start(DmaGenState *s, bool *alive);

/* The continuous-mode timer callback (s->timer), in s->ctx. */
void dma_gen_tick(void *opaque);

/* s->cont_bh: the rest of an IOThread tick, in the main loop. */
void dma_gen_cont_bh(void *opaque);

#endif /* HW_DMA_GEN_INTERNAL_H */
