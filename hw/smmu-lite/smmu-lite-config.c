/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smmu-lite: stream table walk, STE/CD fetch and decode, config cache,
 * and the tear window of STE fetches.
 */
#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "system/address-spaces.h"
#include "smmu-lite-internal.h"
#include "trace.h"

/* A config cache slot: an accepted config, or an STE fetch in flight. */
typedef struct SmmuLiteCfgEntry {
    bool in_flight;
    int64_t t0;                 /* virtual time word 0 was latched */
    uint64_t ste_addr;
    uint64_t w0;
    SmmuLiteConfig cfg;
    /*
     * In flight: the words 1-3 last read and what they decoded to, so a
     * re-read that finds them unchanged skips the CD fetch and decode.
     */
    bool has_last;
    bool last_ok;
    uint64_t last_w[STE_WORDS - 1];
    SmmuLiteEvent last_ev;
} SmmuLiteCfgEntry;

void smmu_lite_config_init(SmmuLiteState *s)
{
    s->config_cache = g_hash_table_new_full(NULL, NULL, NULL, g_free);
}

void smmu_lite_config_inv_sid(SmmuLiteState *s, uint32_t sid)
{
    g_hash_table_remove(s->config_cache, GUINT_TO_POINTER(sid));
    smmu_lite_cfg_changed(s);
}

void smmu_lite_config_inv_all(SmmuLiteState *s)
{
    if (s->config_cache) {
        g_hash_table_remove_all(s->config_cache);
    }
    smmu_lite_cfg_changed(s);
}

/*
 * Number of stream IDs a CFGI_STE may name: those of the programmed table,
 * never more than IDR1.SIDSIZE allows (an unsupported LOG2SIZE > SIDSIZE
 * makes every translation fail, but its streams may still be invalidated).
 */
uint32_t smmu_lite_strtab_num_sids(SmmuLiteState *s)
{
    uint32_t log2size = FIELD_EX32(s->strtab_base_cfg, STRTAB_BASE_CFG,
                                   LOG2SIZE);

    return 1u << MIN(log2size, SMMU_LITE_SIDSIZE);
}


static bool smmu_lite_bad_ste(SmmuLiteEvent *ev, uint8_t reason,
                              uint64_t addr)
{
    ev->type = EVT_C_BAD_STE;
    ev->reason = reason;
    ev->addr2 = addr;
    return false;
}

/* Find the address of the STE of @sid. */
static bool smmu_lite_ste_addr(SmmuLiteState *s, uint32_t sid,
                               uint64_t *addr, SmmuLiteEvent *ev)
{
    uint32_t cfg = s->strtab_base_cfg;
    uint32_t log2size = FIELD_EX32(cfg, STRTAB_BASE_CFG, LOG2SIZE);
    uint32_t split = FIELD_EX32(cfg, STRTAB_BASE_CFG, SPLIT);
    uint32_t fmt = FIELD_EX32(cfg, STRTAB_BASE_CFG, FMT);
    uint64_t base = s->strtab_base & R_STRTAB_BASE_ADDR_MASK;
    uint64_t l1addr, l1std;
    uint32_t span, l2idx;

    if (log2size > SMMU_LITE_SIDSIZE || fmt > STRTAB_FMT_2LVL ||
        (fmt == STRTAB_FMT_2LVL && split != 6 && split != 8 && split != 10)) {
        return smmu_lite_bad_ste(ev, STE_R_STRTAB_CFG, 0);
    }
    if (sid >> log2size) {
        ev->type = EVT_C_BAD_STREAMID;
        return false;
    }
    if (fmt == STRTAB_FMT_LINEAR) {
        *addr = base + (uint64_t)sid * STE_SIZE;
        return true;
    }

    l1addr = base + (uint64_t)(sid >> split) * 8;
    if (!smmu_lite_ram_ldq(l1addr, &l1std)) {
        ev->type = EVT_F_STE_FETCH;
        ev->addr2 = l1addr;
        return false;
    }
    trace_smmu_lite_l1std(sid, l1addr, l1std);
    span = FIELD_EX64(l1std, L1STD, SPAN);
    if (span == 0 || span > split + 1) {
        return smmu_lite_bad_ste(ev, STE_R_L1STD, l1addr);
    }
    l2idx = sid & ((1u << split) - 1);
    if (l2idx >= (1u << (span - 1))) {
        ev->type = EVT_C_BAD_STREAMID;
        return false;
    }
    *addr = (l1std & R_L1STD_L2PTR_MASK) + (uint64_t)l2idx * STE_SIZE;
    return true;
}

/*
 * Has @sid a valid STE (V=1) in memory right now? Reads the level-1
 * descriptor and word 0 from RAM, bypassing the caches; @why says what is
 * missing otherwise. A stream table still at its reset value (STRTAB_BASE
 * and STRTAB_BASE_CFG both 0) counts as no stream table.
 */
bool smmu_lite_ste_present(SmmuLiteState *s, uint32_t sid, const char **why)
{
    SmmuLiteEvent ev = { 0 };
    uint64_t addr, w0;

    if (!(s->strtab_base & R_STRTAB_BASE_ADDR_MASK) && !s->strtab_base_cfg) {
        *why = "no stream table";
        return false;
    }
    if (!smmu_lite_ste_addr(s, sid, &addr, &ev)) {
        switch (ev.type) {
        case EVT_C_BAD_STREAMID:
            *why = "SID beyond the stream table";
            break;
        case EVT_F_STE_FETCH:
            *why = "level-1 descriptor not in RAM";
            break;
        default:
            *why = ev.reason == STE_R_L1STD ? "level-1 descriptor invalid"
                                            : "bad STRTAB_BASE_CFG";
            break;
        }
        return false;
    }
    if (!smmu_lite_ram_ldq(addr, &w0)) {
        *why = "STE not in RAM";
        return false;
    }
    if (!FIELD_EX64(w0, STE0, V)) {
        *why = "STE V=0";
        return false;
    }
    return true;
}

static bool smmu_lite_fetch_cd(SmmuLiteState *s, uint32_t sid,
                               SmmuLiteConfig *cfg, SmmuLiteEvent *ev)
{
    uint64_t cd[CD_WORDS];
    uint64_t pa = cfg->cdptr;
    uint32_t t0sz;

    if (cfg->config == STE_CONFIG_NESTED &&
        !smmu_lite_s2_translate(s, cfg, cfg->cdptr, false, EVT_CLASS_CD,
                                &pa, ev)) {
        return false;
    }
    for (int i = 0; i < CD_WORDS; i++) {
        if (!smmu_lite_ram_ldq(pa + i * 8, &cd[i])) {
            ev->type = EVT_F_CD_FETCH;
            ev->class = EVT_CLASS_CD;
            ev->addr2 = pa + i * 8;
            return false;
        }
    }
    trace_smmu_lite_cd_fetch(sid, pa, cd[0], cd[1]);
    if (!FIELD_EX64(cd[0], CD0, V)) {
        ev->type = EVT_C_BAD_CD;
        ev->reason = CD_R_INVALID;
        ev->addr2 = pa;
        return false;
    }
    t0sz = FIELD_EX64(cd[0], CD0, T0SZ);
    if (t0sz < T0SZ_MIN || t0sz > T0SZ_MAX) {
        ev->type = EVT_C_BAD_CD;
        ev->reason = CD_R_T0SZ;
        ev->addr2 = pa;
        return false;
    }
    cfg->t0sz = t0sz;
    cfg->asid = FIELD_EX64(cd[0], CD0, ASID);
    cfg->ttb0 = cd[1] & R_CD1_TTB0_MASK;
    return true;
}

/* Decode the four STE words of @sid into @cfg. */
static bool smmu_lite_decode_ste(SmmuLiteState *s, uint32_t sid,
                                 const uint64_t *w, uint64_t ste_addr,
                                 SmmuLiteConfig *cfg, SmmuLiteEvent *ev)
{
    memset(cfg, 0, sizeof(*cfg));
    if (!FIELD_EX64(w[0], STE0, V)) {
        return smmu_lite_bad_ste(ev, STE_R_INVALID, ste_addr);
    }
    cfg->config = FIELD_EX64(w[0], STE0, CONFIG);
    switch (cfg->config) {
    case STE_CONFIG_ABORT:
        ev->type = EVT_NONE;
        return false;
    case STE_CONFIG_BYPASS:
        return true;
    case STE_CONFIG_S1:
    case STE_CONFIG_S2:
    case STE_CONFIG_NESTED:
        break;
    default:
        return smmu_lite_bad_ste(ev, STE_R_CONFIG, ste_addr);
    }

    /* the model's DMA is always coherent: SNP only has to be allowed */
    cfg->snp = FIELD_EX64(w[0], STE0, SNP);
    if (cfg->snp && !s->snoop_ctl) {
        return smmu_lite_bad_ste(ev, STE_R_SNP, ste_addr);
    }

    if (cfg->config != STE_CONFIG_S1) {
        cfg->s2t0sz = FIELD_EX64(w[2], STE2, S2T0SZ);
        cfg->s2ttb = w[2] & R_STE2_S2TTB_MASK;
        cfg->vmid = FIELD_EX64(w[3], STE3, S2VMID);
        if (cfg->s2t0sz < T0SZ_MIN || cfg->s2t0sz > T0SZ_MAX) {
            return smmu_lite_bad_ste(ev, STE_R_S2T0SZ, ste_addr);
        }
        ev->vmid = cfg->vmid;
    }
    if (cfg->config != STE_CONFIG_S2) {
        cfg->cdptr = w[1] & R_STE1_S1CTXPTR_MASK;
        if (!smmu_lite_fetch_cd(s, sid, cfg, ev)) {
            return false;
        }
    }
    return true;
}

/* A digest of a fetch outcome, to count configuration changes. */
static uint64_t smmu_lite_cfg_signature(bool ok, const SmmuLiteConfig *c,
                                        const SmmuLiteEvent *ev)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    uint64_t parts[] = {
        ok, c->config, c->snp, c->cdptr, c->asid, c->t0sz, c->ttb0,
        c->vmid, c->s2t0sz, c->s2ttb, ok ? 0 : ev->type,
        ok ? 0 : ev->reason,
    };

    for (int i = 0; i < ARRAY_SIZE(parts); i++) {
        h = (h ^ parts[i]) * 0x100000001b3ULL;
    }
    return h;
}

static SmmuLiteCfgEntry *smmu_lite_cfg_insert(SmmuLiteState *s, uint32_t sid)
{
    SmmuLiteCfgEntry *e = g_new0(SmmuLiteCfgEntry, 1);

    if (g_hash_table_size(s->config_cache) >= s->config_cache_size) {
        trace_smmu_lite_config_cache_flush(g_hash_table_size(s->config_cache));
        smmu_lite_config_inv_all(s);
    }
    g_hash_table_insert(s->config_cache, GUINT_TO_POINTER(sid), e);
    return e;
}

/*
 * The configuration of stream @sid, from the config cache or fetched.
 * Returns false if the configuration refuses the transaction; @ev then
 * describes the event to record (type EVT_NONE: abort silently). @stable
 * says the accepted config sits in the config cache (not a fetch still in
 * its tear window), so it may be published to the lock-free path.
 */
bool smmu_lite_config_get(SmmuLiteState *s, uint32_t sid, bool is_write,
                          uint64_t iova, SmmuLiteConfig *cfg,
                          SmmuLiteEvent *ev, bool *stable)
{
    SmmuLiteCfgEntry *e;
    uint64_t w[STE_WORDS];
    const uint64_t *words = NULL;       /* all four read */
    uint64_t ste_addr;
    int64_t now, t0;
    bool ok, complete;

    *stable = false;
    s->cnt.config_lookups++;
    e = g_hash_table_lookup(s->config_cache, GUINT_TO_POINTER(sid));
    if (e && !e->in_flight) {
        *stable = true;
        s->cnt.config_hits++;
        *cfg = e->cfg;
        trace_smmu_lite_config_hit(sid, cfg->config);
        smmu_lite_stats_config(s, sid, true, false, 0, NULL, ev);
        return true;
    }
    s->cnt.config_misses++;
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    if (e) {
        /* Fetch in flight: word 0 stays as latched, the others are read now */
        w[0] = e->w0;
        ste_addr = e->ste_addr;
        t0 = e->t0;
    } else {
        if (!smmu_lite_ste_addr(s, sid, &ste_addr, ev)) {
            memset(cfg, 0, sizeof(*cfg));
            goto refused;
        }
        if (!smmu_lite_ram_ldq(ste_addr, &w[0])) {
            ev->type = EVT_F_STE_FETCH;
            ev->addr2 = ste_addr;
            memset(cfg, 0, sizeof(*cfg));
            goto refused;
        }
        t0 = now;
        if (s->tear_window_ns) {
            e = smmu_lite_cfg_insert(s, sid);
            e->in_flight = true;
            e->t0 = t0;
            e->ste_addr = ste_addr;
            e->w0 = w[0];
        }
    }

    if (!smmu_lite_ram_ldq_n(ste_addr + 8, &w[1], STE_WORDS - 1)) {
        /* report the first word that is not RAM */
        int i = 1;

        while (i < STE_WORDS - 1 && smmu_lite_ram_ldq(ste_addr + i * 8, &w[i])) {
            i++;
        }
        ev->type = EVT_F_STE_FETCH;
        ev->addr2 = ste_addr + i * 8;
        memset(cfg, 0, sizeof(*cfg));
        smmu_lite_config_inv_sid(s, sid);
        goto refused;
    }
    words = w;
    complete = (uint64_t)(now - t0) >= s->tear_window_ns;
    trace_smmu_lite_ste_fetch(sid, ste_addr, w[0], w[1], w[2], w[3],
                              complete);

    if (e && e->in_flight && e->has_last &&
        !memcmp(e->last_w, &w[1], sizeof(e->last_w))) {
        /*
         * words 1-3 as last time: same decode (word 0 is latched; the
         * CD is held for the fetch's duration like the STE)
         */
        ok = e->last_ok;
        *cfg = e->cfg;
        *ev = e->last_ev;
    } else {
        ok = smmu_lite_decode_ste(s, sid, w, ste_addr, cfg, ev);
        if (e && e->in_flight) {
            e->has_last = true;
            e->last_ok = ok;
            memcpy(e->last_w, &w[1], sizeof(e->last_w));
            e->cfg = *cfg;
            e->last_ev = *ev;
        }
    }
    if (complete) {
        if (ok) {
            if (!e) {
                e = smmu_lite_cfg_insert(s, sid);
            }
            e->in_flight = false;
            e->cfg = *cfg;
            *stable = true;
        } else if (e) {
            smmu_lite_config_inv_sid(s, sid);
        }
    }
    if (ok) {
        smmu_lite_stats_config(s, sid, true, true,
                               smmu_lite_cfg_signature(true, cfg, ev),
                               words, ev);
        return true;
    }

refused:
    smmu_lite_stats_config(s, sid, false, true,
                           smmu_lite_cfg_signature(false, cfg, ev), words, ev);
    return false;
}
