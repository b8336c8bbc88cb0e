/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smmu-lite: the model's own accesses to its in-memory structures (stream
 * table, CDs, page tables, command and event queues).
 *
 * They reach RAM only. An address that is MMIO (any device's registers,
 * including ours), ROM for a write, or unassigned fails here, and the caller
 * reports it as the spec says (F_STE_FETCH, F_CD_FETCH, F_WALK_EABT,
 * CMDQ_ERR abort, EVTQ_ABT_ERR). Nothing here can run another device's
 * MMIO handler, so the callers may hold s->mutex (see the lock order in
 * smmu-lite-internal.h).
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/bswap.h"
#include "system/address-spaces.h"
#include "smmu-lite-internal.h"
#include "trace.h"

/* Map [pa, pa + len) of RAM through @c, or return NULL. */
static void *smmu_lite_ram_begin(MemoryRegionCache *c, uint64_t pa,
                                 uint64_t len, bool is_write)
{
    int64_t got;

    if (pa + len < pa) {
        return NULL;
    }
    got = address_space_cache_init(c, &address_space_memory, pa, len,
                                   is_write);
    if (got < (int64_t)len || !c->ptr) {
        address_space_cache_destroy(c);
        return NULL;
    }
    if (!is_write) {
        trace_smmu_lite_ram_read(pa, len);
        /* a DMA read: the fuzzer (--enable-fuzzing) may fill it first */
        fuzz_dma_read_cb(pa, len, c->mrs.mr);
    }
    return c->ptr;
}

bool smmu_lite_ram_ldq(uint64_t pa, uint64_t *val)
{
    MemoryRegionCache c;
    void *p = smmu_lite_ram_begin(&c, pa, 8, false);

    if (!p) {
        *val = 0;
        return false;
    }
    /* one 64-bit load: a word is seen either before or after a store */
    if (QEMU_IS_ALIGNED((uintptr_t)p, 8)) {
        *val = le64_to_cpu(qatomic_read__nocheck((uint64_t *)p));
    } else {
        *val = ldq_le_p(p);
    }
    address_space_cache_destroy(&c);
    return true;
}

/* @n consecutive 64-bit words at @pa (8-byte aligned), each read atomically. */
bool smmu_lite_ram_ldq_n(uint64_t pa, uint64_t *val, unsigned n)
{
    MemoryRegionCache c;
    uint64_t *p;

    if (pa & 7) {
        return false;
    }
    p = smmu_lite_ram_begin(&c, pa, (uint64_t)n * 8, false);
    if (!p) {
        return false;
    }
    for (unsigned i = 0; i < n; i++) {
        val[i] = le64_to_cpu(qatomic_read__nocheck(&p[i]));
    }
    address_space_cache_destroy(&c);
    return true;
}

bool smmu_lite_ram_read(uint64_t pa, void *buf, uint64_t len)
{
    MemoryRegionCache c;
    void *p = smmu_lite_ram_begin(&c, pa, len, false);

    if (!p) {
        memset(buf, 0, len);
        return false;
    }
    memcpy(buf, p, len);
    address_space_cache_destroy(&c);
    return true;
}

bool smmu_lite_ram_write(uint64_t pa, const void *buf, uint64_t len)
{
    MemoryRegionCache c;
    void *p = smmu_lite_ram_begin(&c, pa, len, true);

    if (!p) {
        return false;
    }
    memcpy(p, buf, len);
    address_space_cache_invalidate(&c, 0, len);
    address_space_cache_destroy(&c);
    return true;
}

/*
 * Atomically OR @set into the little-endian word at @pa while all bits of
 * @need are set in it (a compare-and-swap loop: a concurrent store by a vCPU
 * is never overwritten, and a word whose @need bits were cleared is left
 * alone). @pa must be 8-byte aligned.
 */
SmmuLiteRamUpdate smmu_lite_ram_set_bits(uint64_t pa, uint64_t need,
                                         uint64_t set, uint64_t *seen)
{
    MemoryRegionCache c;
    uint64_t *p, old, cur;
    SmmuLiteRamUpdate ret;

    if (pa & 7) {
        return SL_RAM_NOT_RAM;
    }
    p = smmu_lite_ram_begin(&c, pa, 8, true);
    if (!p) {
        return SL_RAM_NOT_RAM;
    }
    cur = qatomic_read__nocheck(p);
    for (;;) {
        uint64_t v = le64_to_cpu(cur);

        *seen = v;
        if ((v & need) != need) {
            ret = SL_RAM_COND_FAILED;
            break;
        }
        if ((v & set) == set) {
            ret = SL_RAM_UPDATED;
            break;
        }
        old = cur;
        cur = qatomic_cmpxchg__nocheck(p, old, cpu_to_le64(v | set));
        if (cur == old) {
            *seen = v | set;
            address_space_cache_invalidate(&c, 0, 8);
            ret = SL_RAM_UPDATED;
            break;
        }
    }
    address_space_cache_destroy(&c);
    return ret;
}
