/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smmu-lite: per-stream counters, the disruption detector, and the QOM
 * properties that expose them.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/stats64.h"
#include "qemu/timer.h"
#include "smmu-lite-internal.h"
#include "trace.h"

typedef struct SmmuLiteStream {
    SmmuLiteOutcomes out;       /* slow path, under s->mutex */
    Stat64 fast;                /* IOTLB hits served without the mutex */
    Stat64 fast_bypass;         /* bypass STEs served without the mutex */
    Stat64 fast_snoop;          /* of @fast, through an STE with SNP=1 */
    /* detector state */
    bool has_last;
    uint64_t last[4];           /* the STE last accepted from memory */
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

/* One translation served by the lock-free path; @snoop: the STE has SNP=1. */
void smmu_lite_stats_fast(SmmuLiteStream *st, bool bypass, bool snoop)
{
    stat64_add(bypass ? &st->fast_bypass : &st->fast, 1);
    if (snoop) {
        stat64_add(&st->fast_snoop, 1);
    }
}

/* A translation of the slow path went through an STE with SNP=1. */
void smmu_lite_stats_snoop(SmmuLiteState *s, uint32_t sid)
{
    smmu_lite_stream(s, sid)->out.snoop_forced++;
    s->cnt.out.snoop_forced++;
}

/* Keep the evidence of a refusal that may turn out to be a disruption. */
static void smmu_lite_disruption_log(SmmuLiteState *s, SmmuLiteStream *st,
                                     uint32_t sid, const uint64_t *ste,
                                     const SmmuLiteEvent *ev)
{
    SmmuLiteDisruption *d;

    d = &s->disruptions[s->disruptions_logged % SMMU_LITE_DISRUPTION_LOG];
    memset(d, 0, sizeof(*d));
    d->time_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    d->sid = sid;
    d->type = ev->type;
    d->reason = ev->reason;
    if (ste) {
        d->has_ste = true;
        memcpy(d->ste, ste, sizeof(d->ste));
    }
    if (st->has_last) {
        d->has_last = true;
        memcpy(d->last, st->last, sizeof(d->last));
    }
    if (!s->disruptions_logged) {
        s->first_disruption = *d;
    }
    s->disruptions_logged++;
    trace_smmu_lite_disruption_record(sid, ev->type, ev->reason,
                                      d->ste[0], d->ste[1], d->ste[2],
                                      d->ste[3]);
}

/* The stream was accepted with @ste: that is the "next" of its records. */
static void smmu_lite_disruption_resolve(SmmuLiteState *s, uint32_t sid,
                                         const uint64_t *ste)
{
    for (int i = 0; i < SMMU_LITE_DISRUPTION_LOG; i++) {
        SmmuLiteDisruption *d = &s->disruptions[i];

        if (i < s->disruptions_logged && d->sid == sid && !d->has_next) {
            d->has_next = true;
            memcpy(d->next, ste, sizeof(d->next));
        }
    }
    if (s->disruptions_logged && s->first_disruption.sid == sid &&
        !s->first_disruption.has_next) {
        s->first_disruption.has_next = true;
        memcpy(s->first_disruption.next, ste,
               sizeof(s->first_disruption.next));
    }
}

/*
 * One configuration decision for @sid: @accepted (a translating config:
 * bypass, S1, S2, nested) or refused (@ev says why). @fetched: the STE was
 * read from memory and @signature digests the outcome; @ste holds the four
 * words read, when all were.
 *
 * A disruption is a refused translation of a stream between two accepted
 * configurations. dma-gen stops an operation at its first refused
 * transaction, so with it one disruption is one disrupted DMA operation.
 */
void smmu_lite_stats_config(SmmuLiteState *s, uint32_t sid, bool accepted,
                            bool fetched, uint64_t signature,
                            const uint64_t *ste, const SmmuLiteEvent *ev)
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
            if (ste) {
                smmu_lite_disruption_resolve(s, sid, ste);
            }
        }
        if (ste) {
            st->has_last = true;
            memcpy(st->last, ste, sizeof(st->last));
        }
        st->was_translating = true;
    } else if (st->was_translating) {
        st->pending++;
        smmu_lite_disruption_log(s, st, sid, ste, ev);
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

static gint smmu_lite_sid_cmp(gconstpointer a, gconstpointer b,
                              gpointer unused)
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
    keys = g_list_sort_with_data(g_hash_table_get_keys(s->streams),
                                 smmu_lite_sid_cmp, NULL);
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
                               " disruptions=%" PRIu64
                               " snoop_forced=%" PRIu64 "\n",
                               GPOINTER_TO_UINT(l->data),
                               st->out.translations + stat64_get(&st->fast) +
                               stat64_get(&st->fast_bypass),
                               st->out.config_refusals,
                               st->out.translation_faults,
                               st->out.permission_faults,
                               st->out.external_aborts,
                               st->out.config_changes, st->out.disruptions,
                               st->out.snoop_forced +
                               stat64_get(&st->fast_snoop));
    }
    g_list_free(keys);
    qemu_mutex_unlock(&s->mutex);
    return g_string_free(str, false);
}

static void smmu_lite_words(GString *str, const char *name, bool has,
                            const uint64_t *w)
{
    if (has) {
        g_string_append_printf(str, " %s=%016" PRIx64 ":%016" PRIx64
                               ":%016" PRIx64 ":%016" PRIx64, name,
                               w[0], w[1], w[2], w[3]);
    }
}

static void smmu_lite_disruption_line(GString *str, const char *which,
                                      const SmmuLiteDisruption *d)
{
    g_string_append_printf(str, "%s t=%" PRId64 " sid=0x%04x event=0x%02x "
                           "reason=%u", which, d->time_ns, d->sid, d->type,
                           d->reason);
    smmu_lite_words(str, "ste", d->has_ste, d->ste);
    smmu_lite_words(str, "last", d->has_last, d->last);
    smmu_lite_words(str, "next", d->has_next, d->next);
    g_string_append_c(str, '\n');
}

/*
 * "disruption-log": the first disruption since the last stats-reset, then
 * the last SMMU_LITE_DISRUPTION_LOG ones, oldest first, one per line:
 *   first|last t=NS sid=0xSSSS event=0xTT reason=R ste=W0:W1:W2:W3
 *   last=... next=...
 * (event 0x00: CONFIG=abort; the STE fields are present when known).
 */
static char *smmu_lite_get_disruption_log(Object *obj, Error **errp)
{
    SmmuLiteState *s = SMMU_LITE(obj);
    GString *str = g_string_new("");
    uint64_t n, i;

    qemu_mutex_lock(&s->mutex);
    n = s->disruptions_logged;
    if (n) {
        smmu_lite_disruption_line(str, "first", &s->first_disruption);
    }
    for (i = n > SMMU_LITE_DISRUPTION_LOG ? n - SMMU_LITE_DISRUPTION_LOG : 0;
         i < n; i++) {
        smmu_lite_disruption_line(str, "last",
            &s->disruptions[i % SMMU_LITE_DISRUPTION_LOG]);
    }
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
    stat64_set(&st->fast_snoop, 0);
    st->was_translating = false;
    st->has_last = false;
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
    memset(s->disruptions, 0, sizeof(s->disruptions));
    memset(&s->first_disruption, 0, sizeof(s->first_disruption));
    s->disruptions_logged = 0;
    qemu_mutex_unlock(&s->mutex);
    trace_smmu_lite_stats_reset();
}

static void smmu_lite_sum_fast(gpointer key, gpointer value, gpointer opaque)
{
    SmmuLiteStream *st = value;
    uint64_t *sum = opaque;

    sum[0] += stat64_get(&st->fast);
    sum[1] += stat64_get(&st->fast_bypass);
    sum[2] += stat64_get(&st->fast_snoop);
}

/* The totals, lock-free path included. */
static void smmu_lite_stats_totals(SmmuLiteState *s, SmmuLiteCounters *c)
{
    uint64_t fast[3] = { 0, 0, 0 };

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
    c->out.snoop_forced += fast[2];
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
        C("snoop-forced", out.snoop_forced),
        C("enable-uncovered", enable_uncovered),
#undef C
    };

    for (int i = 0; i < ARRAY_SIZE(counters); i++) {
        object_property_add(obj, counters[i].name, "uint64",
                            smmu_lite_get_u64, NULL, NULL,
                            (void *)(uintptr_t)counters[i].off);
    }
    object_property_add_str(obj, "stream-stats", smmu_lite_get_stream_stats,
                            NULL);
    object_property_add_str(obj, "disruption-log",
                            smmu_lite_get_disruption_log, NULL);
    object_property_add_bool(obj, "stats-reset", smmu_lite_get_stats_reset,
                             smmu_lite_set_stats_reset);
}
