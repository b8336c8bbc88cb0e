/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * dma-gen PCI DMA traffic generator: BAR0 register map.
 *
 * Kept free of device-model types so that qtests (and any other user of the
 * register map) can include it. docs/specs/dma-gen.rst is the normative
 * description; this header must match it.
 */

#ifndef HW_DMA_GEN_REGS_H
#define HW_DMA_GEN_REGS_H

#include "hw/registerfields.h"

/* PCI identity */
#define DMA_GEN_VENDOR_ID           0x1234  /* PCI_VENDOR_ID_QEMU */
#define DMA_GEN_DEVICE_ID           0x11e9
#define DMA_GEN_REVISION            0x01
#define DMA_GEN_CLASS_CODE          0x0880  /* system peripheral, other */

#define DMA_GEN_BAR_REGS            0
#define DMA_GEN_BAR_MSIX            1
#define DMA_GEN_BAR0_SIZE           0x1000
#define DMA_GEN_MSIX_VECTORS        2
#define DMA_GEN_MSIX_VEC_DONE       0
#define DMA_GEN_MSIX_VEC_ERROR      1

/*
 * Transactions to RAM cover whatever the memory map (or IOMMU) returned as
 * one contiguous range; any other transaction is at most this long and
 * never crosses this granule (see "Data commands in detail" in the spec).
 */
#define DMA_GEN_CHUNK               0x1000
#define DMA_GEN_MAX_LEN_DEFAULT     0x00100000u
#define DMA_GEN_MAX_LEN_LIMIT       0x10000000u
#define DMA_GEN_CONT_MIN_PERIOD_NS  1000u
#define DMA_GEN_CONT_MAX_OPS_PER_TICK 256u
/* What one continuous-mode tick may do at most (copy + verify bytes, ns) */
#define DMA_GEN_TICK_MAX_BYTES      0x00400000u
#define DMA_GEN_TICK_MAX_NS         2000000u

#define DMA_GEN_ID_VALUE            0x11e91234u
#define DMA_GEN_VERSION_VALUE       0x00010001u
#define DMA_GEN_RESET_MAGIC         0x52534554u

REG32(ID,                   0x000)
REG32(VERSION,              0x004)
REG32(CAPS,                 0x008)
    FIELD(CAPS, COPY,       0, 1)
    FIELD(CAPS, FILL,       1, 1)
    FIELD(CAPS, VERIFY,     2, 1)
    FIELD(CAPS, CONTINUOUS, 3, 1)
    FIELD(CAPS, MSIX,       4, 1)
    FIELD(CAPS, INTX,       5, 1)
REG32(MAX_LEN,              0x00c)
REG32(SRC_LO,               0x010)
REG32(SRC_HI,               0x014)
REG32(DST_LO,               0x018)
REG32(DST_HI,               0x01c)
REG32(LEN,                  0x020)
REG32(PATTERN,              0x024)
REG32(CMD,                  0x028)
    FIELD(CMD, OPCODE,      0, 8)
REG32(STATUS,               0x02c)
    FIELD(STATUS, DONE,     0, 1)
    FIELD(STATUS, ERROR,    1, 1)
    FIELD(STATUS, BUSY,     2, 1)
    FIELD(STATUS, CONT,     3, 1)
    FIELD(STATUS, ERR_CODE, 8, 8)
REG32(CMD_ERR_IOVA_LO,      0x030)
REG32(CMD_ERR_IOVA_HI,      0x034)
REG32(CMD_DONE_BYTES,       0x038)
REG32(CMD_SEQ,              0x03c)
REG32(CONT_SRC_LO,          0x040)
REG32(CONT_SRC_HI,          0x044)
REG32(CONT_DST_LO,          0x048)
REG32(CONT_DST_HI,          0x04c)
REG32(CONT_SLOTS,           0x050)
REG32(CONT_STRIDE,          0x054)
REG32(CONT_LEN,             0x058)
REG32(CONT_PERIOD_NS,       0x05c)
REG32(CONT_OPS_PER_TICK,    0x060)
REG32(CONT_PATTERN,         0x064)
REG32(CONT_FLAGS,           0x068)
    FIELD(CONT_FLAGS, FILL_SRC, 0, 1)
REG32(CONT_STATUS,          0x06c)
    FIELD(CONT_STATUS, RUNNING,  0, 1)
    FIELD(CONT_STATUS, ACTIVE,   1, 1)
    FIELD(CONT_STATUS, LAST_ERR, 8, 8)
REG32(CONT_NEXT_SLOT,       0x070)
REG32(OPS_LO,               0x080)
REG32(OPS_HI,               0x084)
REG32(BYTES_LO,             0x088)
REG32(BYTES_HI,             0x08c)
REG32(DMA_ERRORS_LO,        0x090)
REG32(DMA_ERRORS_HI,        0x094)
REG32(MISMATCHES_LO,        0x098)
REG32(MISMATCHES_HI,        0x09c)
REG32(LAST_ERR_IOVA_LO,     0x0a0)
REG32(LAST_ERR_IOVA_HI,     0x0a4)
REG32(LAST_MISMATCH_IOVA_LO, 0x0a8)
REG32(LAST_MISMATCH_IOVA_HI, 0x0ac)
REG32(TICKS_LO,             0x0b0)
REG32(TICKS_HI,             0x0b4)
REG32(COUNTERS_RESET,       0x0b8)
    FIELD(COUNTERS_RESET, ALL, 0, 1)
REG32(INT_STATUS,           0x0c0)
    FIELD(INT, DONE,        0, 1)
    FIELD(INT, ERROR,       1, 1)
REG32(INT_ENABLE,           0x0c4)
REG32(INT_SET,              0x0c8)
REG32(RESET,                0x0fc)

#define DMA_GEN_INT_MASK    (R_INT_DONE_MASK | R_INT_ERROR_MASK)

/* CMD.OPCODE values */
enum DmaGenOpcode {
    DMA_GEN_OP_NOP        = 0x00,
    DMA_GEN_OP_COPY       = 0x01,
    DMA_GEN_OP_FILL       = 0x02,
    DMA_GEN_OP_VERIFY     = 0x03,
    DMA_GEN_OP_CONT_START = 0x04,
    DMA_GEN_OP_CONT_STOP  = 0x05,
};

/* STATUS.ERR_CODE and CONT_STATUS.LAST_ERR values */
enum DmaGenErr {
    DMA_GEN_ERR_OK         = 0x00,
    DMA_GEN_ERR_BAD_CMD    = 0x01,
    DMA_GEN_ERR_BAD_LEN    = 0x02,
    DMA_GEN_ERR_BUS_MASTER = 0x03,
    DMA_GEN_ERR_DMA_READ   = 0x04,
    DMA_GEN_ERR_DMA_WRITE  = 0x05,
    DMA_GEN_ERR_MISMATCH   = 0x06,
    DMA_GEN_ERR_BUSY       = 0x07,
    DMA_GEN_ERR_BAD_PARAM  = 0x08,
    DMA_GEN_ERR_ADDR_WRAP  = 0x09,
};

#endif /* HW_DMA_GEN_REGS_H */
