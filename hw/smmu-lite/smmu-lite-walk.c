/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smmu-lite: page-table walks (stage 1, stage 2, nested), the DIRTY bit,
 * and the IOTLB (a qht of complete translations, looked up without a lock
 * under RCU; changed under s->mutex).
 */
#include "qemu/osdep.h"
#include "smmu-lite-internal.h"
#include "trace.h"

#define TLB_TAG_ASID    1
#define TLB_TAG_VMID    2

typedef struct SmmuLiteTlbKey {
    uint64_t page;              /* iova >> shift */
    uint16_t asid;
    uint16_t vmid;
    uint8_t shift;
    uint8_t tag;                /* TLB_TAG_* */
} SmmuLiteTlbKey;

/* An IOTLB entry. Immutable once inserted, except @dirty (atomic). */
typedef struct SmmuLiteTlbEntry {
    struct rcu_head rcu;
    SmmuLiteTlbKey key;
    uint64_t out;               /* output base of the page/block */
    uint64_t ipa;               /* nested: IPA base of the page/block */
    bool s1r, s1w, s2r, s2w;
    bool dirty;                 /* DIRTY set in the leaf descriptors */
    uint8_t nleaf;
    uint64_t leaf[2];           /* PAs of the leaf descriptors to dirty */
    /*
     * Nested: the stage-1 leaf descriptor's IPA, and the stage-2 leaf that
     * maps it (its PA, and whether stage 2 lets the device write there):
     * setting DIRTY in the stage-1 leaf is a write through stage 2.
     */
    uint64_t tt_ipa;
    uint64_t tt_leaf;
    bool tt_w;
} SmmuLiteTlbEntry;

typedef struct SmmuLiteWalk {
    uint64_t out;               /* output base of the page/block */
    uint8_t shift;
    bool r, w;
    uint64_t leaf_pa;
    /* stage 1 of a nested config: the leaf as an IPA, its stage-2 leaf */
    uint64_t leaf_ipa;
    uint64_t tt_leaf;
    bool tt_w;
} SmmuLiteWalk;

static bool smmu_lite_s2_walk(SmmuLiteState *s, const SmmuLiteConfig *cfg,
                              uint64_t ipa, bool is_write, uint8_t class,
                              uint64_t *pa, SmmuLiteWalk *w,
                              SmmuLiteEvent *ev);

/* A multiplicative hash: cheap, and keys differ mostly in @page. */
static uint32_t smmu_lite_tlb_hash(const SmmuLiteTlbKey *k)
{
    uint64_t v = k->page ^ ((uint64_t)k->asid << 48) ^
                 ((uint64_t)k->vmid << 32) ^ ((uint64_t)k->shift << 26) ^
                 ((uint64_t)k->tag << 24);

    return (v * 0x9e3779b97f4a7c15ULL) >> 32;
}

static bool smmu_lite_tlb_key_eq(const SmmuLiteTlbKey *x,
                                 const SmmuLiteTlbKey *y)
{
    return x->page == y->page && x->asid == y->asid && x->vmid == y->vmid &&
           x->shift == y->shift && x->tag == y->tag;
}

/* qht: two entries */
static bool smmu_lite_tlb_cmp(const void *a, const void *b)
{
    const SmmuLiteTlbEntry *x = a, *y = b;

    return smmu_lite_tlb_key_eq(&x->key, &y->key);
}

/* qht lookup: an entry and a key */
static bool smmu_lite_tlb_match(const void *obj, const void *userp)
{
    const SmmuLiteTlbEntry *e = obj;

    return smmu_lite_tlb_key_eq(&e->key, userp);
}

void smmu_lite_iotlb_init(SmmuLiteState *s)
{
    qht_init(&s->iotlb, smmu_lite_tlb_cmp, s->iotlb_size,
             QHT_MODE_AUTO_RESIZE);
    s->iotlb_shift_hint = 12;
    s->iotlb_ready = true;
}

static bool smmu_lite_tlb_drop(void *p, uint32_t h, void *opaque)
{
    SmmuLiteTlbEntry *e = p;

    g_free_rcu(e, rcu);
    return true;
}

void smmu_lite_iotlb_inv_all(SmmuLiteState *s)
{
    if (s->iotlb_ready) {
        qht_iter_remove(&s->iotlb, smmu_lite_tlb_drop, NULL);
        s->iotlb_count = 0;
    }
}

void smmu_lite_iotlb_destroy(SmmuLiteState *s)
{
    if (s->iotlb_ready) {
        smmu_lite_iotlb_inv_all(s);
        qht_destroy(&s->iotlb);
        s->iotlb_ready = false;
    }
}

typedef struct SmmuLiteInv {
    uint16_t asid;
    uint16_t vmid;
    uint64_t start;
    uint64_t end;               /* exclusive; 0 = no range */
    int kind;
    uint32_t removed;
} SmmuLiteInv;

enum { INV_ASID, INV_VMID, INV_VA, INV_IPA };

static bool smmu_lite_overlaps(const SmmuLiteTlbEntry *e,
                               const SmmuLiteInv *inv)
{
    uint64_t lo = e->key.page << e->key.shift;
    uint64_t hi = lo + (1ULL << e->key.shift);

    return lo < inv->end && inv->start < hi;
}

static bool smmu_lite_inv_match(const SmmuLiteTlbEntry *e,
                                const SmmuLiteInv *inv)
{
    bool has_asid = e->key.tag & TLB_TAG_ASID;
    bool has_vmid = e->key.tag & TLB_TAG_VMID;
    /* by ASID: S1 entries (no VMID) answer to VMID 0, nested to theirs */
    bool asid_match = has_asid && e->key.asid == inv->asid &&
                      (has_vmid ? e->key.vmid : 0) == inv->vmid;

    switch (inv->kind) {
    case INV_ASID:
        return asid_match;
    case INV_VMID:
        return has_vmid && e->key.vmid == inv->vmid;
    case INV_VA:
        return asid_match && smmu_lite_overlaps(e, inv);
    case INV_IPA:
        if (!has_vmid || e->key.vmid != inv->vmid) {
            return false;
        }
        /* nested entries are tagged by IOVA: any may depend on the IPA */
        return has_asid || smmu_lite_overlaps(e, inv);
    }
    return false;
}

/* qht_iter_remove() callback: drop the entries @inv covers. */
static bool smmu_lite_inv_one(void *p, uint32_t h, void *opaque)
{
    SmmuLiteTlbEntry *e = p;
    SmmuLiteInv *inv = opaque;

    if (!smmu_lite_inv_match(e, inv)) {
        return false;
    }
    inv->removed++;
    g_free_rcu(e, rcu);
    return true;
}

static void smmu_lite_inv(SmmuLiteState *s, SmmuLiteInv *inv)
{
    qht_iter_remove(&s->iotlb, smmu_lite_inv_one, inv);
    s->iotlb_count -= MIN(s->iotlb_count, inv->removed);
    trace_smmu_lite_iotlb_inv(inv->kind, inv->asid, inv->vmid, inv->start,
                              inv->end, inv->removed);
}

void smmu_lite_iotlb_inv_asid(SmmuLiteState *s, uint16_t asid, uint16_t vmid)
{
    SmmuLiteInv inv = { .kind = INV_ASID, .asid = asid, .vmid = vmid };

    smmu_lite_inv(s, &inv);
}

void smmu_lite_iotlb_inv_vmid(SmmuLiteState *s, uint16_t vmid)
{
    SmmuLiteInv inv = { .kind = INV_VMID, .vmid = vmid };

    smmu_lite_inv(s, &inv);
}

void smmu_lite_iotlb_inv_va(SmmuLiteState *s, uint16_t asid, uint16_t vmid,
                            uint64_t addr, uint64_t num)
{
    SmmuLiteInv inv = {
        .kind = INV_VA, .asid = asid, .vmid = vmid,
        .start = addr, .end = addr + num * 4096,
    };

    smmu_lite_inv(s, &inv);
}

void smmu_lite_iotlb_inv_ipa(SmmuLiteState *s, uint16_t vmid,
                             uint64_t addr, uint64_t num)
{
    SmmuLiteInv inv = {
        .kind = INV_IPA, .vmid = vmid, .start = addr, .end = addr + num * 4096,
    };

    smmu_lite_inv(s, &inv);
}

static bool smmu_lite_walk_fault(SmmuLiteEvent *ev, uint8_t type,
                                 uint8_t reason, int level)
{
    ev->type = type;
    ev->reason = reason;
    ev->level = level;
    return false;
}

/*
 * Walk one stage. For stage 1 of a nested config (@nest != NULL) table
 * addresses are IPAs translated by stage 2 of @nest.
 */
static bool smmu_lite_walk(SmmuLiteState *s, int stage, uint64_t ttb,
                           uint8_t t0sz, uint64_t in,
                           const SmmuLiteConfig *nest, SmmuLiteWalk *res,
                           SmmuLiteEvent *ev)
{
    int ibits = 64 - t0sz;
    int level = 4 - DIV_ROUND_UP(ibits - 12, 9);
    uint64_t table = ttb;

    s->cnt.walks++;
    if (in >> ibits) {
        return smmu_lite_walk_fault(ev, EVT_F_TRANSLATION, XLT_R_INPUT, level);
    }
    for (; level <= 3; level++) {
        int shift = 12 + 9 * (3 - level);
        uint64_t desc_addr = table + ((in >> shift) & 0x1ff) * 8;
        uint64_t desc;
        SmmuLiteWalk tt;

        if (nest) {
            res->leaf_ipa = desc_addr;
            if (!smmu_lite_s2_walk(s, nest, desc_addr, false, EVT_CLASS_TT,
                                   &desc_addr, &tt, ev)) {
                return false;
            }
            res->tt_leaf = tt.leaf_pa;
            res->tt_w = tt.w;
        }
        if (!smmu_lite_ram_ldq(desc_addr, &desc)) {
            ev->addr2 = desc_addr;
            return smmu_lite_walk_fault(ev, EVT_F_WALK_EABT, 0, level);
        }
        trace_smmu_lite_walk(stage, level, in, desc_addr, desc);
        if (!FIELD_EX64(desc, PTE, V)) {
            return smmu_lite_walk_fault(ev, EVT_F_TRANSLATION, XLT_R_INVALID,
                                        level);
        }
        if (level < 3 && FIELD_EX64(desc, PTE, T)) {
            table = desc & R_PTE_OA_MASK;
            continue;
        }
        /* a block at level 0, or a level-3 descriptor with T=0 */
        if (level == 0 || (level == 3 && !FIELD_EX64(desc, PTE, T))) {
            return smmu_lite_walk_fault(ev, EVT_F_TRANSLATION,
                                        XLT_R_RESERVED, level);
        }
        if (!FIELD_EX64(desc, PTE, AF)) {
            return smmu_lite_walk_fault(ev, EVT_F_ACCESS, 0, level);
        }
        res->shift = shift;
        res->out = (desc & R_PTE_OA_MASK) & ~((1ULL << shift) - 1);
        res->r = FIELD_EX64(desc, PTE, R);
        res->w = FIELD_EX64(desc, PTE, W);
        res->leaf_pa = desc_addr;
        return true;
    }
    /* not reached: level 3 always returns */
    return smmu_lite_walk_fault(ev, EVT_F_TRANSLATION, XLT_R_RESERVED, 3);
}

/*
 * Stage-2 translation of an IPA used by the walker itself (CD fetch and
 * stage-1 tables of a nested config), without the IOTLB.
 */
static bool smmu_lite_s2_walk(SmmuLiteState *s, const SmmuLiteConfig *cfg,
                              uint64_t ipa, bool is_write, uint8_t class,
                              uint64_t *pa, SmmuLiteWalk *w,
                              SmmuLiteEvent *ev)
{
    ev->vmid = cfg->vmid;
    if (!smmu_lite_walk(s, 2, cfg->s2ttb, cfg->s2t0sz, ipa, NULL, w, ev)) {
        ev->s2 = true;
        ev->class = class;
        ev->addr2 = ev->type == EVT_F_WALK_EABT ? ev->addr2 : ipa;
        return false;
    }
    if (!(is_write ? w->w : w->r)) {
        ev->type = EVT_F_PERMISSION;
        ev->s2 = true;
        ev->class = class;
        ev->addr2 = ipa;
        return false;
    }
    *pa = w->out + (ipa & ((1ULL << w->shift) - 1));
    return true;
}

bool smmu_lite_s2_translate(SmmuLiteState *s, const SmmuLiteConfig *cfg,
                            uint64_t ipa, bool is_write, uint8_t class,
                            uint64_t *pa, SmmuLiteEvent *ev)
{
    SmmuLiteWalk w;

    return smmu_lite_s2_walk(s, cfg, ipa, is_write, class, pa, &w, ev);
}

/*
 * Look @iova up at each page size, the size of the last hit first (one
 * lookup instead of two or three while a device works through blocks);
 * under RCU, no lock needed.
 */
static SmmuLiteTlbEntry *smmu_lite_tlb_lookup(SmmuLiteState *s,
                                              SmmuLiteTlbKey *key,
                                              uint64_t iova)
{
    static const uint8_t shifts[] = { 12, 21, 30 };
    uint8_t hint = qatomic_read(&s->iotlb_shift_hint);

    for (int i = -1; i < (int)ARRAY_SIZE(shifts); i++) {
        uint8_t shift = i < 0 ? hint : shifts[i];
        SmmuLiteTlbEntry *e;

        if (i >= 0 && shift == hint) {
            continue;
        }
        key->shift = shift;
        key->page = iova >> shift;
        e = qht_lookup_custom(&s->iotlb, key, smmu_lite_tlb_hash(key),
                              smmu_lite_tlb_match);
        if (e) {
            if (shift != hint) {
                qatomic_set(&s->iotlb_shift_hint, shift);
            }
            return e;
        }
    }
    return NULL;
}

static void smmu_lite_tlb_key(const SmmuLiteConfig *cfg, SmmuLiteTlbKey *key)
{
    memset(key, 0, sizeof(*key));
    if (cfg->config != STE_CONFIG_S2) {
        key->tag |= TLB_TAG_ASID;
        key->asid = cfg->asid;
    }
    if (cfg->config != STE_CONFIG_S1) {
        key->tag |= TLB_TAG_VMID;
        key->vmid = cfg->vmid;
    }
}

static bool smmu_lite_tlb_allows(const SmmuLiteTlbEntry *e, bool is_write)
{
    return is_write ? e->s1w && e->s2w : e->s1r && e->s2r;
}

static void smmu_lite_tlb_out(const SmmuLiteTlbEntry *e, SmmuLiteXlate *out)
{
    out->out = e->out;
    out->shift = e->key.shift;
    out->r = e->s1r && e->s2r;
    out->w = e->s1w && e->s2w;
}

/*
 * The lock-free IOTLB hit: true if @iova hits an entry that allows the
 * access and needs no descriptor update. Called under RCU.
 */
bool smmu_lite_iotlb_hit(SmmuLiteState *s, const SmmuLiteConfig *cfg,
                         uint64_t iova, bool is_write, SmmuLiteXlate *out)
{
    SmmuLiteTlbKey key;
    SmmuLiteTlbEntry *e;

    smmu_lite_tlb_key(cfg, &key);
    e = smmu_lite_tlb_lookup(s, &key, iova);
    if (!e || !smmu_lite_tlb_allows(e, is_write) ||
        (is_write && !qatomic_read(&e->dirty))) {
        return false;
    }
    trace_smmu_lite_iotlb_hit(key.asid, key.vmid, iova, e->out);
    smmu_lite_tlb_out(e, out);
    return true;
}

static bool smmu_lite_fill(SmmuLiteState *s, const SmmuLiteConfig *cfg,
                           uint64_t iova, SmmuLiteTlbEntry *e,
                           SmmuLiteEvent *ev)
{
    SmmuLiteWalk w1, w2;

    switch (cfg->config) {
    case STE_CONFIG_S1:
        if (!smmu_lite_walk(s, 1, cfg->ttb0, cfg->t0sz, iova, NULL, &w1,
                            ev)) {
            return false;
        }
        e->out = w1.out;
        e->key.shift = w1.shift;
        e->s1r = w1.r;
        e->s1w = w1.w;
        e->s2r = e->s2w = true;
        e->nleaf = 1;
        e->leaf[0] = w1.leaf_pa;
        return true;
    case STE_CONFIG_S2:
        if (!smmu_lite_walk(s, 2, cfg->s2ttb, cfg->s2t0sz, iova, NULL, &w2,
                            ev)) {
            ev->s2 = true;
            ev->addr2 = ev->type == EVT_F_WALK_EABT ? ev->addr2 : iova;
            return false;
        }
        e->out = w2.out;
        e->key.shift = w2.shift;
        e->s1r = e->s1w = true;
        e->s2r = w2.r;
        e->s2w = w2.w;
        e->nleaf = 1;
        e->leaf[0] = w2.leaf_pa;
        return true;
    case STE_CONFIG_NESTED: {
        uint64_t ipa;

        if (!smmu_lite_walk(s, 1, cfg->ttb0, cfg->t0sz, iova, cfg, &w1,
                            ev)) {
            return false;
        }
        ipa = w1.out + (iova & ((1ULL << w1.shift) - 1));
        if (!smmu_lite_walk(s, 2, cfg->s2ttb, cfg->s2t0sz, ipa, NULL, &w2,
                            ev)) {
            ev->s2 = true;
            ev->addr2 = ev->type == EVT_F_WALK_EABT ? ev->addr2 : ipa;
            return false;
        }
        e->key.shift = MIN(w1.shift, w2.shift);
        e->out = (w2.out + (ipa & ((1ULL << w2.shift) - 1))) &
                 ~((1ULL << e->key.shift) - 1);
        e->ipa = ipa & ~((1ULL << e->key.shift) - 1);
        e->s1r = w1.r;
        e->s1w = w1.w;
        e->s2r = w2.r;
        e->s2w = w2.w;
        e->nleaf = 2;
        e->leaf[0] = w1.leaf_pa;
        e->leaf[1] = w2.leaf_pa;
        e->tt_ipa = w1.leaf_ipa;
        e->tt_leaf = w1.tt_leaf;
        e->tt_w = w1.tt_w;
        return true;
    }
    }
    g_assert_not_reached();
}

/* The IPA a stage-2 fault on @e at @iova reports (ADDR2) */
static uint64_t smmu_lite_fault_ipa(const SmmuLiteConfig *cfg,
                                    const SmmuLiteTlbEntry *e, uint64_t iova)
{
    if (cfg->config == STE_CONFIG_S2) {
        return iova;
    }
    return e->ipa + (iova & ((1ULL << e->key.shift) - 1));
}

/*
 * Nested: setting DIRTY in the stage-1 leaf writes the page that holds it,
 * through stage 2, so the stage-2 leaf mapping that page is dirtied first
 * (a VMM migrating the guest must copy the table page again). Nothing to
 * do when the stage-1 leaf is dirty already. A stage 2 that does not let
 * the device write the table page faults the write: F_PERMISSION, S2=1,
 * CLASS=TT, ADDR2 = the stage-1 leaf's IPA; one whose leaf went invalid
 * meanwhile, F_TRANSLATION the same way.
 */
static bool smmu_lite_dirty_tt(SmmuLiteState *s, SmmuLiteTlbEntry *e,
                               SmmuLiteEvent *ev)
{
    uint64_t desc, seen;

    if (smmu_lite_ram_ldq(e->leaf[0], &desc) &&
        FIELD_EX64(desc, PTE, DIRTY)) {
        return true;
    }
    if (e->tt_w) {
        switch (smmu_lite_ram_set_bits(e->tt_leaf, R_PTE_V_MASK,
                                       R_PTE_DIRTY_MASK, &seen)) {
        case SL_RAM_UPDATED:
            trace_smmu_lite_dirty(e->tt_leaf);
            return true;
        case SL_RAM_COND_FAILED:
            ev->type = EVT_F_TRANSLATION;
            ev->reason = XLT_R_INVALID;
            ev->level = 3;
            ev->addr2 = e->tt_ipa;
            break;
        case SL_RAM_NOT_RAM:
            ev->type = EVT_F_WALK_EABT;
            ev->level = 0;
            ev->addr2 = e->tt_leaf;
            break;
        }
    } else {
        ev->type = EVT_F_PERMISSION;
        ev->addr2 = e->tt_ipa;
    }
    ev->s2 = true;
    ev->class = EVT_CLASS_TT;
    return false;
}

/*
 * Set DIRTY in the leaf descriptors of @e (first write through it at
 * @iova), with a compare-and-swap on the descriptor in RAM: a descriptor
 * the guest has invalidated meanwhile (V=0) is not written, and the write
 * faults as the walk it implies would (F_TRANSLATION, at stage 2 with the
 * IPA when the stage-2 leaf was the invalid one).
 */
static bool smmu_lite_set_dirty(SmmuLiteState *s, const SmmuLiteConfig *cfg,
                                SmmuLiteTlbEntry *e, uint64_t iova,
                                SmmuLiteEvent *ev)
{
    if (cfg->config == STE_CONFIG_NESTED &&
        !smmu_lite_dirty_tt(s, e, ev)) {
        return false;
    }
    for (int i = 0; i < e->nleaf; i++) {
        uint64_t seen;

        switch (smmu_lite_ram_set_bits(e->leaf[i], R_PTE_V_MASK,
                                       R_PTE_DIRTY_MASK, &seen)) {
        case SL_RAM_UPDATED:
            trace_smmu_lite_dirty(e->leaf[i]);
            break;
        case SL_RAM_COND_FAILED:
            /* leaf[1] is stage 2 of a nested entry; so is a lone leaf of
             * an entry without ASID (CONFIG=S2) */
            ev->type = EVT_F_TRANSLATION;
            ev->reason = XLT_R_INVALID;
            ev->level = 3;
            ev->s2 = i == 1 || !(e->key.tag & TLB_TAG_ASID);
            ev->addr2 = ev->s2 ? smmu_lite_fault_ipa(cfg, e, iova) : 0;
            return false;
        case SL_RAM_NOT_RAM:
            ev->type = EVT_F_WALK_EABT;
            ev->addr2 = e->leaf[i];
            ev->level = 0;
            return false;
        }
    }
    qatomic_set(&e->dirty, true);
    return true;
}

/* Drop the entry @e from the IOTLB (a stale one); s->mutex held. */
static void smmu_lite_tlb_remove(SmmuLiteState *s, SmmuLiteTlbEntry *e)
{
    if (qht_remove(&s->iotlb, e, smmu_lite_tlb_hash(&e->key))) {
        s->iotlb_count -= MIN(s->iotlb_count, 1);
        g_free_rcu(e, rcu);
    }
}

/*
 * Translate @iova with an accepted S1/S2/nested config, via the IOTLB;
 * the slow path, with s->mutex held.
 */
bool smmu_lite_translate_cfg(SmmuLiteState *s, const SmmuLiteConfig *cfg,
                             uint64_t iova, bool is_write,
                             SmmuLiteXlate *out, SmmuLiteEvent *ev)
{
    SmmuLiteTlbKey key;
    SmmuLiteTlbEntry *e;

    smmu_lite_tlb_key(cfg, &key);
    ev->asid = key.asid;
    ev->vmid = key.vmid;

    s->cnt.iotlb_lookups++;
    e = smmu_lite_tlb_lookup(s, &key, iova);
    if (e) {
        s->cnt.iotlb_hits++;
        trace_smmu_lite_iotlb_hit(key.asid, key.vmid, iova, e->out);
    } else {
        SmmuLiteTlbEntry tmp = { .key = key };

        s->cnt.iotlb_misses++;
        trace_smmu_lite_iotlb_miss(key.asid, key.vmid, iova);
        if (!smmu_lite_fill(s, cfg, iova, &tmp, ev)) {
            trace_smmu_lite_fault(ev->type, ev->reason, ev->level, iova,
                                  ev->addr2);
            return false;
        }
        tmp.key.page = iova >> tmp.key.shift;
        if (s->iotlb_count >= s->iotlb_size) {
            trace_smmu_lite_iotlb_flush(s->iotlb_count);
            smmu_lite_iotlb_inv_all(s);
        }
        e = g_memdup2(&tmp, sizeof(tmp));
        /* inserts are serialized by s->mutex and the key was missing */
        if (!qht_insert(&s->iotlb, e, smmu_lite_tlb_hash(&e->key), NULL)) {
            g_assert_not_reached();
        }
        s->iotlb_count++;
    }

    if (!smmu_lite_tlb_allows(e, is_write)) {
        bool s1ok = is_write ? e->s1w : e->s1r;

        ev->type = EVT_F_PERMISSION;
        ev->s2 = s1ok;
        ev->addr2 = s1ok ? smmu_lite_fault_ipa(cfg, e, iova) : 0;
        trace_smmu_lite_fault(ev->type, 0, 0, iova, ev->addr2);
        return false;
    }
    if (is_write && !qatomic_read(&e->dirty) &&
        !smmu_lite_set_dirty(s, cfg, e, iova, ev)) {
        if (ev->type == EVT_F_TRANSLATION) {
            /* the descriptor went away under the entry */
            smmu_lite_tlb_remove(s, e);
        }
        trace_smmu_lite_fault(ev->type, ev->reason, ev->level, iova,
                              ev->addr2);
        return false;
    }
    smmu_lite_tlb_out(e, out);
    return true;
}
