/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smmu-lite: per-stream counters, the disruption detector, and the QOM
 * properties that expose them.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/stats64.h"
#include "smmu-lite-internal.h"
#include "trace.h"

typedef struct SmmuLiteStream {
    SmmuLiteOutcomes out;       /* slow path, under s->mutex */
    Stat64 fast;                /* IOTLB hits served without the mutex */
    Stat64 fast_bypass;         /* bypass STEs served without the mutex */
    /* detector state */
    bool was_translating;       /* an accepted config was seen */
    uint64_t pending;           /* refusals since then */
    bool has_sig;
    uint64_t sig;               /* last fetched configuration */
} SmmuLiteStream;

void smmu_lite_stats_init(SmmuLiteState *s)
{
    s->streams = g_hash_table_new_full(NULL, NULL, NULL, g_free);
}

/*
 * The statistics of @sid; s->mutex held. Records live as long as the
 * device (a stats reset zeroes them), so snapshots may point at them.
 */
SmmuLiteStream *smmu_lite_stream(SmmuLiteState *s, uint32_t sid)
{
    SmmuLiteStream *st = g_hash_table_lookup(s->streams,
                                             GUINT_TO_POINTER(sid));

    if (!st) {
        st = g_new0(SmmuLiteStream, 1);
        g_hash_table_insert(s->streams, GUINT_TO_POINTER(sid), st);
    }
    return st;
}

/* One translation served by the lock-free path. */
void smmu_lite_stats_fast(SmmuLiteStream *st, bool bypass)
{
    stat64_add(bypass ? &st->fast_bypass : &st->fast, 1);
}

/*
 * One configuration decision for @sid: @accepted (a translating config:
 * bypass, S1, S2, nested) or refused. @fetched: the STE was read from
 * memory and @signature digests the outcome.
 */
void smmu_lite_stats_config(SmmuLiteState *s, uint32_t sid, bool accepted,
                            bool fetched, uint64_t signature)
{
    SmmuLiteStream *st = smmu_lite_stream(s, sid);

    if (fetched) {
        if (st->has_sig && st->sig != signature) {
            st->out.config_changes++;
            s->cnt.out.config_changes++;
            trace_smmu_lite_config_change(sid);
        }
        st->has_sig = true;
        st->sig = signature;
    }
    if (accepted) {
        if (st->pending) {
            st->out.disruptions += st->pending;
            s->cnt.out.disruptions += st->pending;
            trace_smmu_lite_disruption(sid, st->pending);
            st->pending = 0;
        }
        st->was_translating = true;
    } else if (st->was_translating) {
        st->pending++;
    }
}

SmmuLiteResult smmu_lite_fault_kind(uint8_t evtype)
{
    switch (evtype) {
    case EVT_F_PERMISSION:
        return SL_RES_PERM;
    case EVT_F_WALK_EABT:
        return SL_RES_EABT;
    case EVT_F_TRANSLATION:
    case EVT_F_ACCESS:
        return SL_RES_XLAT;
    default:
        /* stage-2 faults while fetching a CD refuse the configuration */
        return SL_RES_CONFIG;
    }
}

void smmu_lite_stats_result(SmmuLiteState *s, uint32_t sid,
                            SmmuLiteResult res)
{
    SmmuLiteStream *st = smmu_lite_stream(s, sid);

    switch (res) {
    case SL_RES_OK:
        st->out.translations++;
        s->cnt.out.translations++;
        break;
    case SL_RES_CONFIG:
        st->out.config_refusals++;
        s->cnt.out.config_refusals++;
        break;
    case SL_RES_XLAT:
        st->out.translation_faults++;
        s->cnt.out.translation_faults++;
        break;
    case SL_RES_PERM:
        st->out.permission_faults++;
        s->cnt.out.permission_faults++;
        break;
    case SL_RES_EABT:
        st->out.external_aborts++;
        s->cnt.out.external_aborts++;
        break;
    }
}

static gint smmu_lite_sid_cmp(gconstpointer a, gconstpointer b)
{
    return (gint)GPOINTER_TO_UINT(a) - (gint)GPOINTER_TO_UINT(b);
}

static gboolean smmu_lite_stream_idle(const SmmuLiteStream *st)
{
    static const SmmuLiteOutcomes zero;

    return !memcmp(&st->out, &zero, sizeof(zero)) &&
           !stat64_get(&st->fast) && !stat64_get(&st->fast_bypass);
}

static char *smmu_lite_get_stream_stats(Object *obj, Error **errp)
{
    SmmuLiteState *s = SMMU_LITE(obj);
    GString *str = g_string_new("");
    GList *keys, *l;

    if (!s->streams) {
        return g_string_free(str, false);
    }
    qemu_mutex_lock(&s->mutex);
    keys = g_list_sort(g_hash_table_get_keys(s->streams), smmu_lite_sid_cmp);
    for (l = keys; l; l = l->next) {
        SmmuLiteStream *st = g_hash_table_lookup(s->streams, l->data);

        if (smmu_lite_stream_idle(st)) {
            continue;
        }
        g_string_append_printf(str, "sid=0x%04x translations=%" PRIu64
                               " config_refusals=%" PRIu64
                               " translation_faults=%" PRIu64
                               " permission_faults=%" PRIu64
                               " external_aborts=%" PRIu64
                               " config_changes=%" PRIu64
                               " disruptions=%" PRIu64 "\n",
                               GPOINTER_TO_UINT(l->data),
                               st->out.translations + stat64_get(&st->fast) +
                               stat64_get(&st->fast_bypass),
                               st->out.config_refusals,
                               st->out.translation_faults,
                               st->out.permission_faults,
                               st->out.external_aborts,
                               st->out.config_changes, st->out.disruptions);
    }
    g_list_free(keys);
    qemu_mutex_unlock(&s->mutex);
    return g_string_free(str, false);
}

static bool smmu_lite_get_stats_reset(Object *obj, Error **errp)
{
    return false;
}

static void smmu_lite_stream_zero(gpointer key, gpointer value,
                                  gpointer opaque)
{
    SmmuLiteStream *st = value;

    memset(&st->out, 0, sizeof(st->out));
    stat64_set(&st->fast, 0);
    stat64_set(&st->fast_bypass, 0);
    st->was_translating = false;
    st->pending = 0;
    st->has_sig = false;
    st->sig = 0;
}

static void smmu_lite_set_stats_reset(Object *obj, bool value, Error **errp)
{
    SmmuLiteState *s = SMMU_LITE(obj);

    if (!value || !s->streams) {
        return;
    }
    qemu_mutex_lock(&s->mutex);
    memset(&s->cnt, 0, sizeof(s->cnt));
    g_hash_table_foreach(s->streams, smmu_lite_stream_zero, NULL);
    qemu_mutex_unlock(&s->mutex);
    trace_smmu_lite_stats_reset();
}

static void smmu_lite_sum_fast(gpointer key, gpointer value, gpointer opaque)
{
    SmmuLiteStream *st = value;
    uint64_t *sum = opaque;

    sum[0] += stat64_get(&st->fast);
    sum[1] += stat64_get(&st->fast_bypass);
}

/* The totals, lock-free path included. */
static void smmu_lite_stats_totals(SmmuLiteState *s, SmmuLiteCounters *c)
{
    uint64_t fast[2] = { 0, 0 };

    qemu_mutex_lock(&s->mutex);
    *c = s->cnt;
    if (s->streams) {
        g_hash_table_foreach(s->streams, smmu_lite_sum_fast, fast);
    }
    qemu_mutex_unlock(&s->mutex);
    /* a fast hit is one config hit, one IOTLB hit, one translation */
    c->out.translations += fast[0] + fast[1];
    c->config_lookups += fast[0] + fast[1];
    c->config_hits += fast[0] + fast[1];
    c->iotlb_lookups += fast[0];
    c->iotlb_hits += fast[0];
}

static void smmu_lite_get_u64(Object *obj, Visitor *v, const char *name,
                              void *opaque, Error **errp)
{
    SmmuLiteState *s = SMMU_LITE(obj);
    SmmuLiteCounters c;
    uint64_t val;

    smmu_lite_stats_totals(s, &c);
    val = *(uint64_t *)((char *)&c + (uintptr_t)opaque);
    visit_type_uint64(v, name, &val, errp);
}

void smmu_lite_stats_add_props(SmmuLiteState *s)
{
    Object *obj = OBJECT(s);
    static const struct {
        const char *name;
        size_t off;
    } counters[] = {
#define C(n, f) { "stat-" n, offsetof(SmmuLiteCounters, f) }
        C("translations", out.translations),
        C("config-refusals", out.config_refusals),
        C("translation-faults", out.translation_faults),
        C("permission-faults", out.permission_faults),
        C("external-aborts", out.external_aborts),
        C("config-changes", out.config_changes),
        C("disruptions", out.disruptions),
        C("iotlb-lookups", iotlb_lookups),
        C("iotlb-hits", iotlb_hits),
        C("iotlb-misses", iotlb_misses),
        C("walks", walks),
        C("config-lookups", config_lookups),
        C("config-hits", config_hits),
        C("config-misses", config_misses),
        C("invalidations", invalidations),
        C("events", events),
        C("events-lost", events_lost),
#undef C
    };

    for (int i = 0; i < ARRAY_SIZE(counters); i++) {
        object_property_add(obj, counters[i].name, "uint64",
                            smmu_lite_get_u64, NULL, NULL,
                            (void *)(uintptr_t)counters[i].off);
    }
    object_property_add_str(obj, "stream-stats", smmu_lite_get_stream_stats,
                            NULL);
    object_property_add_bool(obj, "stats-reset", smmu_lite_get_stats_reset,
                             smmu_lite_set_stats_reset);
}
