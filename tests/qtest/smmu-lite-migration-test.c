/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtests for migrating smmu-lite (and the dma-gen behind it): state that
 * must survive, DMA that goes on through a stage-1 table afterwards, and
 * incoming streams the devices must refuse.
 * Spec: docs/specs/smmu-lite.rst ("Migration"), docs/specs/dma-gen.rst.
 */
#include "qemu/osdep.h"
#include "qobject/qdict.h"
#include "smmu-lite-lib.h"
#include "dma-gen-lib.h"

#define DG_SLOT         4
#define DG_SID          (DG_SLOT << 3)
#define DG_ARGS         "-device dma-gen,id=dg,addr=04.0"
#define T0SZ            16
#define ASID            0x2b
#define PATTERN         0x5aa5c33cu
#define PERIOD_NS       10000
#define SRC_IOVA        0x40000000ULL
#define RING_IOVA       0x40001000ULL
#define HOLE_IOVA       0x50000000ULL   /* never mapped */
#define MSI_DATA        0x4d1ecafeu
/*
 * What query-migrate says when a post_load refuses the state (the device's
 * own message, naming the register, goes to QEMU's stderr, in the log).
 */
#define EINVAL_MSG      "Invalid argument"

/* Every register of the file that the state covers (IDRs excluded). */
static const uint32_t sl_state_regs[] = {
    SL_CR0, SL_CR0ACK, SL_GBPA, SL_IRQ_CTRL, SL_IRQ_CTRLACK, SL_GERROR,
    SL_GERRORN, SL_STRTAB_BASE, SL_STRTAB_BASE + 4, SL_STRTAB_BASE_CFG,
    SL_CMDQ_BASE, SL_CMDQ_BASE + 4, SL_CMDQ_PROD, SL_CMDQ_CONS,
    SL_EVTQ_BASE, SL_EVTQ_BASE + 4, SL_EVTQ_PROD, SL_EVTQ_CONS,
};

static char *mig_path(const char *what)
{
    return g_strdup_printf("%s/smmu-lite-mig-%d-%s", g_get_tmp_dir(),
                           getpid(), what);
}

/* Poll query-migrate on @qts until it leaves the running states. */
static char *mig_wait(QTestState *qts, char **error_desc)
{
    for (int i = 0; i < 60 * 200; i++) {
        QDict *rsp = qtest_qmp_assert_success_ref(qts,
                                        "{ 'execute': 'query-migrate' }");
        const char *st = qdict_get_try_str(rsp, "status");
        char *ret;

        if (st && (!strcmp(st, "completed") || !strcmp(st, "failed") ||
                   !strcmp(st, "cancelled"))) {
            ret = g_strdup(st);
            if (error_desc) {
                *error_desc = g_strdup(qdict_get_try_str(rsp, "error-desc"));
            }
            qobject_unref(rsp);
            return ret;
        }
        qobject_unref(rsp);
        g_usleep(5000);
    }
    g_assert_not_reached();
}

static void mig_send(QTestState *from, const char *uri)
{
    g_autofree char *st = NULL;

    qtest_qmp_assert_success(from, "{ 'execute': 'migrate',"
                             "  'arguments': { 'uri': %s } }", uri);
    st = mig_wait(from, NULL);
    g_assert_cmpstr(st, ==, "completed");
}

/* Load @uri into @to (started with -incoming defer); returns the status. */
static char *mig_load(QTestState *to, const char *uri, char **error_desc)
{
    qtest_qmp_assert_success(to, "{ 'execute': 'migrate-incoming',"
                             "  'arguments': { 'uri': %s,"
                             "                 'exit-on-error': false } }",
                             uri);
    return mig_wait(to, error_desc);
}

static void snap_regs(SLite *s, uint32_t *v)
{
    for (int i = 0; i < ARRAY_SIZE(sl_state_regs); i++) {
        v[i] = sl_readl(s, sl_state_regs[i]);
    }
}

static uint64_t msix_flag_addr;

/*
 * Mid-traffic: dma-gen copies continuously through a stage-1 table of
 * smmu-lite, an event waits in the queue, MSI-X is set up. After the move
 * every register reads the same, the event is still there, the copies go
 * on without an error through a fresh walk (the caches did not travel), and
 * a new fault records an event and sends the migrated MSI-X message.
 */
static void test_mid_traffic(void)
{
    g_autofree char *sock = mig_path("sock");
    g_autofree char *uri = g_strdup_printf("unix:%s", sock);
    g_autofree char *args = sl_cmdline(NULL, DG_ARGS);
    g_autofree char *dargs = g_strdup_printf("%s -incoming %s", args, uri);
    uint32_t before[ARRAY_SIZE(sl_state_regs)];
    uint32_t after[ARRAY_SIZE(sl_state_regs)];
    DmaGenCounters ks, kd;
    DmaGenContCfg cfg;
    uint64_t root, src, ring, walks;
    QTestState *to;
    SLite *s, *t;
    DmaGen *ds, *dt;
    SLEvent ev;
    int64_t now;

    s = sl_start(NULL, DG_ARGS);
    ds = dma_gen_init(s->qts, s->pcibus, QPCI_DEVFN(DG_SLOT, 0));
    sl_setup(s, 8, 0, 0);
    root = sl_pt_new(s);
    src = sl_alloc(s, 0x1000, 0x1000);
    ring = sl_alloc(s, 0x1000, 0x1000);
    sl_map(s, root, T0SZ, SRC_IOVA, src, SL_SIZE_4K, SL_PTE_RW);
    sl_map(s, root, T0SZ, RING_IOVA, ring, SL_SIZE_4K, SL_PTE_RW);
    sl_ste_s1(s, DG_SID, sl_cd_new(s, ASID, T0SZ, root));
    g_assert(sl_cfgi_ste(s, DG_SID) && sl_sync(s));

    /* an event and a failed operation before the move */
    g_assert_cmpuint(dma_gen_fill(ds, HOLE_IOVA, 8, PATTERN), ==,
                     DMA_GEN_ERR_DMA_WRITE);
    g_assert_cmpint(sl_evt_count(s), ==, 1);

    /* events raise MSI-X vector 0, a write to a RAM flag */
    msix_flag_addr = sl_alloc(s, 8, 8);
    sl_msix_enable(s);
    sl_msix_vector(s, 0, msix_flag_addr, MSI_DATA, false);
    sl_writel(s, SL_IRQ_CTRL, 1u << 2);
    sl_writel(s, SL_GBPA, 1u << 20);

    cfg = (DmaGenContCfg) {
        .src = SRC_IOVA, .dst = RING_IOVA, .slots = 4, .stride = 0x200,
        .len = 0x100, .period_ns = PERIOD_NS, .ops_per_tick = 1,
        .pattern = PATTERN, .fill_src = true,
    };
    g_assert_cmpuint(dma_gen_cont_start(ds, &cfg), ==, DMA_GEN_ERR_OK);
    qtest_clock_step(s->qts, 6 * PERIOD_NS);
    dma_gen_read_counters(ds, &ks);
    g_assert_cmpuint(ks.ops, >=, 6);
    g_assert_cmpuint(ks.dma_errors, ==, 1);
    g_assert_cmpuint(sl_qom_u64(s, "stat-translations"), >, 0);
    snap_regs(s, before);
    now = qtest_clock_step(s->qts, 1);

    to = qtest_init(dargs);
    mig_send(s->qts, uri);
    qtest_qmp_eventwait(to, "RESUME");
    /* the BARs come back where they were: map them only now */
    t = sl_attach(to);
    dt = dma_gen_init(t->qts, t->pcibus, QPCI_DEVFN(DG_SLOT, 0));
    t->next = s->next;
    t->cmdq = s->cmdq;
    t->cmdq_log2 = s->cmdq_log2;
    t->evtq = s->evtq;
    t->evtq_log2 = s->evtq_log2;
    t->strtab = s->strtab;
    t->strtab_cfg = s->strtab_cfg;

    snap_regs(t, after);
    for (int i = 0; i < ARRAY_SIZE(sl_state_regs); i++) {
        g_test_message("register 0x%03x: 0x%08x -> 0x%08x", sl_state_regs[i],
                       before[i], after[i]);
        g_assert_cmphex(after[i], ==, before[i]);
    }
    g_assert_true(dma_gen_cont_running(dt));
    dma_gen_read_counters(dt, &kd);
    g_assert_cmpuint(kd.ops, ==, ks.ops);

    /* the event recorded before the move is read on the destination */
    g_assert_true(sl_evt_pop(t, &ev));
    g_assert_cmphex(ev.type, ==, SL_EVT_F_TRANSLATION);
    g_assert_cmphex(ev.iova, ==, HOLE_IOVA);
    g_assert_cmphex(ev.sid, ==, DG_SID);
    g_assert_cmphex(ev.asid, ==, ASID);
    g_assert_false(sl_evt_pop(t, &ev));

    /* the copies go on, through a walk of the migrated table */
    g_assert_cmpint(qtest_clock_step(t->qts, 1), <=, now);
    qtest_clock_set(t->qts, now);
    walks = sl_qom_u64(t, "stat-walks");
    qtest_clock_step(t->qts, 8 * PERIOD_NS);
    dma_gen_read_counters(dt, &kd);
    g_assert_cmpuint(kd.ops, >=, ks.ops + 8);
    g_assert_cmpuint(kd.dma_errors, ==, ks.dma_errors);
    g_assert_cmpuint(kd.mismatches, ==, ks.mismatches);
    g_assert_cmpuint(sl_qom_u64(t, "stat-walks"), >, walks);
    g_assert_cmpuint(sl_qom_u64(t, "stat-disruptions"), ==, 0);
    for (int i = 0; i < cfg.slots; i++) {
        g_assert_cmpuint(dma_gen_guest_check(t->qts, ring + i * cfg.stride,
                                             cfg.len, PATTERN), ==, cfg.len);
    }

    /* a new fault: event at the migrated PROD, MSI-X message sent */
    g_assert_cmpuint(qtest_readl(t->qts, msix_flag_addr), ==, 0);
    g_assert_cmpuint(dma_gen_cont_stop(dt), ==, DMA_GEN_ERR_OK);
    g_assert_cmpuint(dma_gen_fill(dt, HOLE_IOVA + 0x1000, 8, PATTERN), ==,
                     DMA_GEN_ERR_DMA_WRITE);
    g_assert_true(sl_evt_pop(t, &ev));
    g_assert_cmphex(ev.iova, ==, HOLE_IOVA + 0x1000);
    g_assert_cmphex(qtest_readl(t->qts, msix_flag_addr), ==, MSI_DATA);

    /* commands still run at the migrated CONS */
    g_assert(sl_tlbi_all(t) && sl_sync(t));

    dma_gen_free(dt);
    dma_gen_free(ds);
    sl_stop(t);
    sl_stop(s);
    unlink(sock);
}

/* Index of the only occurrence of @pat in @buf at or after @from, or -1. */
static gssize find_once(const uint8_t *buf, gsize len, gsize from,
                        const uint8_t *pat, gsize plen)
{
    gssize found = -1;

    for (gsize i = from; i + plen <= len; i++) {
        if (!memcmp(buf + i, pat, plen)) {
            g_assert_cmpint(found, ==, -1);
            found = i;
        }
    }
    return found;
}

/*
 * The end of the first mention of @idstr in a saved stream: the header of
 * its device section (the JSON description at the end names it again).
 */
static gsize section_of(const uint8_t *buf, gsize len, const char *idstr)
{
    const uint8_t *at = memmem(buf, len, idstr, strlen(idstr));

    g_assert_nonnull(at);
    return at - buf + strlen(idstr);
}

/*
 * Save to a file, then load it into fresh destinations: once as is (it
 * must load), then with one 32-bit or 64-bit big-endian field that follows
 * @marker (a value unique in the section) replaced. The destination must
 * refuse it with the device's message and stay alive.
 */
typedef struct BadField {
    const char *idstr;          /* section to search */
    uint64_t marker;            /* 64-bit value stored just before */
    int offset;                 /* of the field, from the marker's end */
    int size;                   /* 4 or 8 */
    uint64_t bad;               /* value to plant */
    const char *expect;         /* in the destination's error-desc */
} BadField;

static void load_bad(const char *args, const char *file, const uint8_t *buf,
                     gsize len, const BadField *f)
{
    g_autofree char *dargs = g_strdup_printf("%s -incoming defer", args);
    g_autofree char *bad_file = g_strdup_printf("%s.bad", file);
    g_autofree char *uri = g_strdup_printf("file:%s", bad_file);
    g_autofree uint8_t *copy = g_memdup2(buf, len);
    g_autofree char *st = NULL, *err = NULL;
    uint8_t pat[8];
    gssize at;
    QTestState *to;

    stq_be_p(pat, f->marker);
    at = find_once(copy, len, section_of(copy, len, f->idstr), pat, 8);
    g_assert_cmpint(at, >=, 0);
    at += 8 + f->offset;
    if (f->size == 4) {
        stl_be_p(copy + at, f->bad);
    } else {
        stq_be_p(copy + at, f->bad);
    }
    g_assert_true(g_file_set_contents(bad_file, (char *)copy, len, NULL));

    to = qtest_init(dargs);
    st = mig_load(to, uri, &err);
    g_test_message("planted 0x%" PRIx64 ": %s (%s)", f->bad, st, err);
    g_assert_cmpstr(st, ==, "failed");
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err, f->expect));
    qtest_qmp_assert_success(to, "{ 'execute': 'query-status' }");
    qtest_quit(to);
    unlink(bad_file);
}

static void test_bad_stream(void)
{
    g_autofree char *file = mig_path("stream");
    g_autofree char *uri = g_strdup_printf("file:%s", file);
    g_autofree char *args = sl_cmdline(NULL, DG_ARGS);
    g_autofree char *dargs = g_strdup_printf("%s -incoming defer", args);
    g_autofree char *st = NULL;
    g_autofree uint8_t *buf = NULL;
    const uint64_t cmdq_base = 0x7e57a0000ULL | 3;
    const uint64_t evtq_base = 0x6e57b0000ULL | 2;
    const uint64_t cont_dst = 0xe57c000ULL;    /* in RAM */
    DmaGenContCfg cfg;
    gsize len;
    QTestState *to;
    SLite *s, *t;
    DmaGen *d;

    s = sl_start(NULL, DG_ARGS);
    d = dma_gen_init(s->qts, s->pcibus, QPCI_DEVFN(DG_SLOT, 0));
    sl_writeq(s, SL_CMDQ_BASE, cmdq_base);
    sl_writel(s, SL_CMDQ_PROD, 5);
    sl_writel(s, SL_CMDQ_CONS, 5);
    sl_writeq(s, SL_EVTQ_BASE, evtq_base);
    sl_writel(s, SL_EVTQ_PROD, 3);
    sl_writel(s, SL_EVTQ_CONS, 3);
    /* a running continuous mode; CONT_DST then moves on, so act_dst is unique */
    cfg = (DmaGenContCfg) {
        .src = cont_dst - 0x1000, .dst = cont_dst, .slots = 2,
        .stride = 0x100, .len = 0x80, .period_ns = PERIOD_NS,
        .ops_per_tick = 1, .pattern = PATTERN,
    };
    g_assert_cmpuint(dma_gen_cont_start(d, &cfg), ==, DMA_GEN_ERR_OK);
    dma_gen_write64(d, A_CONT_DST_LO, 0);
    qtest_clock_step(s->qts, 2 * PERIOD_NS);
    mig_send(s->qts, uri);
    g_assert_true(g_file_get_contents(file, (char **)&buf, &len, NULL));

    /* as saved: loads, and the registers are there */
    to = qtest_init(dargs);
    st = mig_load(to, uri, NULL);
    g_assert_cmpstr(st, ==, "completed");
    t = sl_attach(to);
    g_assert_cmphex(sl_readq(t, SL_CMDQ_BASE), ==, cmdq_base);
    g_assert_cmphex(sl_readl(t, SL_CMDQ_PROD), ==, 5);
    g_assert_cmphex(sl_readq(t, SL_EVTQ_BASE), ==, evtq_base);
    sl_stop(t);

    /* CMDQ_PROD beyond the 8-entry queue's wrap bit */
    load_bad(args, file, buf, len, &(BadField) {
        "smmu-lite", cmdq_base, 0, 4, 0x10, EINVAL_MSG });
    /* CMDQ_CONS.ERR 3 (no such error code) */
    load_bad(args, file, buf, len, &(BadField) {
        "smmu-lite", cmdq_base, 4, 4, 3u << 24 | 5, EINVAL_MSG });
    /* EVTQ_CONS index beyond the 4-entry queue */
    load_bad(args, file, buf, len, &(BadField) {
        "smmu-lite", evtq_base, 4, 4, 0x13, EINVAL_MSG });
    /* RES0 bits of a queue base */
    load_bad(args, file, buf, len, &(BadField) {
        "smmu-lite", cmdq_base, -8, 8, cmdq_base | 1ULL << 60,
        EINVAL_MSG });
    /* dma-gen: the running ring now wraps past 2^64 */
    load_bad(args, file, buf, len, &(BadField) {
        "dma-gen", cont_dst, -8, 8, 0xffffffffffffff80ULL, EINVAL_MSG });

    dma_gen_free(d);
    sl_stop(s);
    unlink(file);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/smmu-lite/migration/mid-traffic", test_mid_traffic);
    qtest_add_func("/smmu-lite/migration/bad-stream", test_bad_stream);
    return g_test_run();
}
