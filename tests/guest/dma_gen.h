/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dma-gen BAR0 register interface, written from docs/specs/dma-gen.rst for
 * guest userspace drivers (VFIO). The QEMU model keeps its own definitions;
 * the spec is the contract between the two.
 */
#ifndef __LAB_DMA_GEN_H
#define __LAB_DMA_GEN_H

#define DMA_GEN_VENDOR_ID		0x1234
#define DMA_GEN_DEVICE_ID		0x11e9

#define DMA_GEN_ID			0x000
#define DMA_GEN_VERSION			0x004
#define DMA_GEN_CAPS			0x008
#define DMA_GEN_MAX_LEN			0x00c
#define DMA_GEN_SRC			0x010	/* 64-bit: _LO, _HI */
#define DMA_GEN_DST			0x018
#define DMA_GEN_LEN			0x020
#define DMA_GEN_PATTERN			0x024
#define DMA_GEN_CMD			0x028
#define DMA_GEN_STATUS			0x02c
#define DMA_GEN_CMD_ERR_IOVA		0x030
#define DMA_GEN_CMD_DONE_BYTES		0x038
#define DMA_GEN_CONT_SRC		0x040
#define DMA_GEN_CONT_DST		0x048
#define DMA_GEN_CONT_SLOTS		0x050
#define DMA_GEN_CONT_STRIDE		0x054
#define DMA_GEN_CONT_LEN		0x058
#define DMA_GEN_CONT_PERIOD_NS		0x05c
#define DMA_GEN_CONT_OPS_PER_TICK	0x060
#define DMA_GEN_CONT_PATTERN		0x064
#define DMA_GEN_CONT_FLAGS		0x068
#define DMA_GEN_CONT_STATUS		0x06c
#define DMA_GEN_OPS			0x080
#define DMA_GEN_BYTES			0x088
#define DMA_GEN_DMA_ERRORS		0x090
#define DMA_GEN_MISMATCHES		0x098
#define DMA_GEN_LAST_ERR_IOVA		0x0a0
#define DMA_GEN_LAST_MISMATCH_IOVA	0x0a8
#define DMA_GEN_TICKS			0x0b0
#define DMA_GEN_COUNTERS_RESET		0x0b8
#define DMA_GEN_INT_STATUS		0x0c0	/* write 1 to clear */
#define DMA_GEN_INT_ENABLE		0x0c4
#define DMA_GEN_INT_SET			0x0c8
#define   DMA_GEN_INT_DONE		(1u << 0)
#define   DMA_GEN_INT_ERROR		(1u << 1)
#define DMA_GEN_RESET			0x0fc
#define DMA_GEN_RESET_MAGIC		0x52534554

#define DMA_GEN_OP_NOP			0x00
#define DMA_GEN_OP_COPY			0x01
#define DMA_GEN_OP_FILL			0x02
#define DMA_GEN_OP_VERIFY		0x03
#define DMA_GEN_OP_CONT_START		0x04
#define DMA_GEN_OP_CONT_STOP		0x05

#define DMA_GEN_STATUS_DONE		(1u << 0)
#define DMA_GEN_STATUS_ERROR		(1u << 1)
#define DMA_GEN_STATUS_ERR_CODE(s)	(((s) >> 8) & 0xff)

#define DMA_GEN_ERR_OK			0x00
#define DMA_GEN_ERR_DMA_READ		0x04
#define DMA_GEN_ERR_DMA_WRITE		0x05
#define DMA_GEN_ERR_MISMATCH		0x06

#define DMA_GEN_CONT_FILL_SRC		(1u << 0)
#define DMA_GEN_CONT_RUNNING		(1u << 0)
#define DMA_GEN_CONT_ACTIVE		(1u << 1)

#endif /* __LAB_DMA_GEN_H */
