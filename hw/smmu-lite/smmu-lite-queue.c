/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smmu-lite: command queue consumption and event queue production.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "system/address-spaces.h"
#include "smmu-lite-internal.h"
#include "trace.h"

static uint32_t smmu_lite_queue_log2size(uint64_t base)
{
    return MIN(FIELD_EX64(base, CMDQ_BASE, LOG2SIZE), SMMU_LITE_QS_MAX);
}

/* The index and wrap bits of a PROD or CONS value of a queue at @base. */
uint32_t smmu_lite_queue_wrapmask(uint64_t base)
{
    return (2u << smmu_lite_queue_log2size(base)) - 1;
}

static uint64_t smmu_lite_queue_addr(uint64_t base)
{
    return base & R_CMDQ_BASE_ADDR_MASK;
}

/* A CMD_SYNC's MSI write, sent once s->mutex is dropped. */
typedef struct SmmuLiteSyncMsi {
    uint64_t addr;
    uint32_t data;
} SmmuLiteSyncMsi;

/*
 * Execute one command; returns a CMDQ_ERR_* code. A CMD_SYNC that asks
 * for an MSI sets *@sync_msi and fills @msi; the caller writes it.
 */
static int smmu_lite_cmd_exec(SmmuLiteState *s, const uint64_t *cmd,
                              bool *sync_msi, SmmuLiteSyncMsi *msi)
{
    uint8_t op = FIELD_EX64(cmd[0], CMD0, OP);
    uint64_t num = FIELD_EX64(cmd[0], CMD0, NUM);
    uint64_t addr = cmd[1] & R_CMD1_ADDR_MASK;
    uint32_t sid;

    trace_smmu_lite_cmd(op, cmd[0], cmd[1]);
    switch (op) {
    case CMD_CFGI_STE:
        sid = FIELD_EX64(cmd[0], CMD0, SID);
        if (sid >= smmu_lite_strtab_num_sids(s)) {
            qemu_log_mask(LOG_GUEST_ERROR, "smmu-lite: CFGI_STE SID 0x%x "
                          "beyond the stream table\n", sid);
            return CMDQ_ERR_ILL;
        }
        smmu_lite_config_inv_sid(s, sid);
        break;
    case CMD_CFGI_ALL:
        smmu_lite_config_inv_all(s);
        break;
    case CMD_TLBI_ASID:
        smmu_lite_iotlb_inv_asid(s, FIELD_EX64(cmd[0], CMD0, ASID),
                                 FIELD_EX64(cmd[0], CMD0, VMID));
        break;
    case CMD_TLBI_VA:
        if (!num) {
            return CMDQ_ERR_ILL;
        }
        smmu_lite_iotlb_inv_va(s, FIELD_EX64(cmd[0], CMD0, ASID),
                               FIELD_EX64(cmd[0], CMD0, VMID), addr, num);
        break;
    case CMD_TLBI_VMID:
        smmu_lite_iotlb_inv_vmid(s, FIELD_EX64(cmd[0], CMD0, VMID));
        break;
    case CMD_TLBI_IPA:
        if (!num) {
            return CMDQ_ERR_ILL;
        }
        smmu_lite_iotlb_inv_ipa(s, FIELD_EX64(cmd[0], CMD0, VMID), addr, num);
        break;
    case CMD_TLBI_ALL:
        smmu_lite_iotlb_inv_all(s);
        break;
    case CMD_SYNC:
        switch (FIELD_EX64(cmd[0], CMD0, CS)) {
        case 0:
            break;
        case 1:
            *sync_msi = true;
            msi->addr = cmd[1] & R_CMD1_MSIADDR_MASK;
            msi->data = FIELD_EX64(cmd[0], CMD0, MSIDATA);
            break;
        default:
            return CMDQ_ERR_ILL;
        }
        return CMDQ_ERR_NONE;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "smmu-lite: unknown command opcode "
                      "0x%02x\n", op);
        return CMDQ_ERR_ILL;
    }
    s->cnt.invalidations++;
    return CMDQ_ERR_NONE;
}

/*
 * Failure injection (x-refuse-cmd, x-refuse-cmd-count): is the command at
 * @cons one to refuse? Each refusal uses up one of the count.
 */
static bool smmu_lite_cmd_refused(SmmuLiteState *s, uint64_t w0,
                                  uint32_t cons)
{
    uint8_t op = FIELD_EX64(w0, CMD0, OP);

    if (!s->refuse_cmd || op != s->refuse_cmd || !s->refuse_cmd_count) {
        return false;
    }
    s->refuse_cmd_count--;
    trace_smmu_lite_cmd_refused(op, cons, s->refuse_cmd_count);
    return true;
}

/*
 * Consume commands from CONS to PROD, at most *@budget of them (what is
 * left of one queue's worth for this trigger); called with s->mutex held.
 * Returns true when it stopped right after a CMD_SYNC whose MSI (@msi) is
 * still to be written.
 */
static bool smmu_lite_cmdq_process(SmmuLiteState *s, SmmuLiteSyncMsi *msi,
                                   uint32_t *budget)
{
    uint32_t log2 = smmu_lite_queue_log2size(s->cmdq_base);
    uint32_t wrapmask = (2u << log2) - 1;
    uint32_t idxmask = (1u << log2) - 1;
    uint64_t base = smmu_lite_queue_addr(s->cmdq_base);

    if (!(s->cr0ack & R_CR0_CMDQEN_MASK) ||
        ((s->gerror ^ s->gerrorn) & R_GERROR_CMDQ_ERR_MASK)) {
        return false;
    }
    for (; *budget; --*budget) {
        uint32_t cons = s->cmdq_cons & wrapmask;
        uint32_t prod = s->cmdq_prod & wrapmask;
        uint64_t addr = base + (uint64_t)(cons & idxmask) * CMD_SIZE;
        bool sync_msi = false;
        uint64_t cmd[2];
        int err;

        if (cons == prod) {
            break;
        }
        if (!smmu_lite_ram_read(addr, cmd, sizeof(cmd))) {
            qemu_log_mask(LOG_GUEST_ERROR, "smmu-lite: command at 0x%"
                          PRIx64 " is not in RAM\n", addr);
            err = CMDQ_ERR_ABT;
        } else {
            cmd[0] = le64_to_cpu(cmd[0]);
            cmd[1] = le64_to_cpu(cmd[1]);
            if (smmu_lite_cmd_refused(s, cmd[0], cons)) {
                err = CMDQ_ERR_ILL;
            } else {
                err = smmu_lite_cmd_exec(s, cmd, &sync_msi, msi);
            }
        }
        if (err) {
            s->cmdq_cons = FIELD_DP32(cons, CMDQ_CONS, ERR, err);
            trace_smmu_lite_cmdq_error(cons, err);
            smmu_lite_gerror_raise(s, R_GERROR_CMDQ_ERR_MASK);
            return false;
        }
        s->cmdq_cons = (cons + 1) & wrapmask;
        if (sync_msi) {
            --*budget;
            return true;
        }
    }
    return false;
}

/*
 * Run the command queue; called from register writes, with the BQL and
 * s->mutex held. A CMD_SYNC's MSI goes to a guest-chosen address that may
 * be another device's register, whose handler may DMA through us: it is
 * written with s->mutex dropped, after every command before it completed.
 * Each call consumes at most a queue's worth of commands in all, however
 * many SYNCs send their MSI on the way (PROD only changes through our
 * registers, which the re-entrancy guard closes while this runs).
 */
void smmu_lite_cmdq_run(SmmuLiteState *s)
{
    uint32_t budget = 1u << smmu_lite_queue_log2size(s->cmdq_base);
    SmmuLiteSyncMsi msi;

    assert(bql_locked());
    while (smmu_lite_cmdq_process(s, &msi, &budget)) {
        MemTxResult r;

        qemu_mutex_unlock(&s->mutex);
        smmu_lite_irq_flush(s);
        /* our own requester ID: an ITS takes it as the DeviceID */
        address_space_stl_le(&address_space_memory, msi.addr, msi.data,
                             (MemTxAttrs) {
                                 .requester_id =
                                     pci_requester_id(PCI_DEVICE(s)),
                             }, &r);
        trace_smmu_lite_sync_msi(msi.addr, r);
        qemu_mutex_lock(&s->mutex);
        if (r != MEMTX_OK) {
            smmu_lite_gerror_raise(s, R_GERROR_MSI_CMDQ_ABT_ERR_MASK);
        }
    }
}

void smmu_lite_event_record(SmmuLiteState *s, uint32_t sid, uint64_t iova,
                            bool is_write, const SmmuLiteEvent *ev)
{
    uint32_t log2 = smmu_lite_queue_log2size(s->evtq_base);
    uint32_t wrapmask = (2u << log2) - 1;
    uint32_t idxmask = (1u << log2) - 1;
    uint32_t prod = s->evtq_prod & wrapmask;
    uint32_t cons = s->evtq_cons & wrapmask;
    uint64_t rec[4] = { 0 };
    uint64_t addr;

    trace_smmu_lite_event(ev->type, sid, iova, is_write, ev->reason,
                          ev->addr2);
    if (!(s->cr0ack & R_CR0_EVTQEN_MASK)) {
        s->cnt.events_lost++;
        return;
    }
    if ((prod ^ cons) == (1u << log2)) {
        s->cnt.events_lost++;
        if (FIELD_EX32(s->evtq_prod, EVTQ_PROD, OVFLG) ==
            FIELD_EX32(s->evtq_cons, EVTQ_CONS, OVACKFLG)) {
            s->evtq_prod ^= R_EVTQ_PROD_OVFLG_MASK;
        }
        trace_smmu_lite_evtq_overflow(prod, cons);
        return;
    }

    rec[0] = FIELD_DP64(rec[0], EVT0, TYPE, ev->type);
    rec[0] = FIELD_DP64(rec[0], EVT0, WNR, is_write);
    rec[0] = FIELD_DP64(rec[0], EVT0, S2, ev->s2);
    rec[0] = FIELD_DP64(rec[0], EVT0, CLASS, ev->class);
    rec[0] = FIELD_DP64(rec[0], EVT0, SID, sid);
    rec[1] = iova;
    rec[2] = ev->addr2;
    rec[3] = FIELD_DP64(rec[3], EVT3, ASID, ev->asid);
    rec[3] = FIELD_DP64(rec[3], EVT3, VMID, ev->vmid);
    rec[3] = FIELD_DP64(rec[3], EVT3, LEVEL, ev->level);
    rec[3] = FIELD_DP64(rec[3], EVT3, REASON, ev->reason);
    for (int i = 0; i < 4; i++) {
        rec[i] = cpu_to_le64(rec[i]);
    }

    addr = smmu_lite_queue_addr(s->evtq_base) +
           (uint64_t)(prod & idxmask) * EVT_SIZE;
    if (!smmu_lite_ram_write(addr, rec, sizeof(rec))) {
        qemu_log_mask(LOG_GUEST_ERROR, "smmu-lite: event queue entry at 0x%"
                      PRIx64 " is not in RAM\n", addr);
        s->cnt.events_lost++;
        smmu_lite_gerror_raise(s, R_GERROR_EVTQ_ABT_ERR_MASK);
        return;
    }
    s->cnt.events++;
    s->evtq_prod = ((prod + 1) & wrapmask) |
                   (s->evtq_prod & R_EVTQ_PROD_OVFLG_MASK);
    if (s->irq_ctrl & R_IRQ_CTRL_EVTQ_IRQEN_MASK) {
        smmu_lite_notify(s, SMMU_LITE_VEC_EVTQ);
    }
}
