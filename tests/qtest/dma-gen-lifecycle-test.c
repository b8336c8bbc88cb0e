/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dma-gen's continuous mode, running in an IOThread, across the VM's life
 * cycle (docs/specs/dma-gen.rst, "Threads and locking"): every run-state
 * change, reset, snapshot, migration, unplug and exit while a tick is in
 * flight, for each kind of target the engine's transactions reach.
 *
 * The targets: RAM; another device's registers (a second dma-gen's BAR0,
 * which needs the BQL); an address nothing decodes; a refused translation
 * (smmu-lite stage 1, unmapped IOVA). Before each event the virtual clock
 * is stepped so that a tick starts in the IOThread, and the event follows
 * at once. A run-state change waits for a running tick with the BQL held:
 * a tick that waits for the BQL then never ends, and QEMU stops answering.
 * Each case runs in a subprocess with a watchdog (sl_add_isolated_test()).
 *
 * Also here: VERIFY racing with a writer of the bytes it compares, at the
 * end of RAM, and interrupt causes decided by a tick racing with a reset.
 */
#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qobject/qdict.h"
#include "smmu-lite-lib.h"
#include "dma-gen-lib.h"

#define RP1_SLOT        6                   /* pcie-root-port of dg */
#define RP2_SLOT        7                   /* pcie-root-port of dg2 */
#define DG_DEVFN        (1 << 8 | QPCI_DEVFN(0, 0))
#define DG2_DEVFN       (2 << 8 | QPCI_DEVFN(0, 0))
#define DG_SID          0x100
#define T0SZ            16
#define PATTERN         0x0dd5eed5u

#define IOVA_RAM        0x40000000ULL       /* two pages of RAM */
#define IOVA_PEER       0x40100000ULL       /* dg2's BAR0 */
#define IOVA_HOLE       0x40200000ULL       /* a GPA nothing decodes */
#define IOVA_UNMAPPED   0x40300000ULL       /* no translation */
#define GPA_HOLE        0x110000000ULL      /* above RAM, no BAR */

#define PERIOD_NS       100000
#define LEN             0x200
#define SLOTS           4
#define BUDGET          25                  /* seconds per case */
#define ROUNDS          40                  /* of the cheap events */
#define POLL_MS         3000

typedef enum Target {
    T_RAM, T_PEER_MMIO, T_UNASSIGNED, T_FAULT, T__MAX
} Target;

static const char *const target_kind_name[T__MAX] = {
    [T_RAM] = "ram", [T_PEER_MMIO] = "peer-mmio",
    [T_UNASSIGNED] = "unassigned", [T_FAULT] = "fault",
};

typedef struct World {
    SLite *s;
    DmaGen *dg;
    DmaGen *dg2;
    Target target;
    uint64_t root, cd, buf;
    uint64_t smmu_bar;      /* where BAR0 of smmu-lite was mapped */
} World;

static char *world_args(const char *extra)
{
    return g_strdup_printf(
        "-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off "
        "-object iothread,id=io0 "
        "-device pcie-root-port,id=rp1,chassis=1,slot=1,addr=%02x.0 "
        "-device pcie-root-port,id=rp2,chassis=2,slot=2,addr=%02x.0 "
        "-device dma-gen,id=dg,bus=rp1,iothread=io0 "
        "-device dma-gen,id=dg2,bus=rp2 %s",
        RP1_SLOT, RP2_SLOT, extra ? extra : "");
}

/* Find the functions, number the buses, open the windows, map the BARs. */
static void world_attach(World *w)
{
    g_assert_cmpint(qpci_secondary_buses_init(w->s->pcibus), ==, 2);
    dma_gen_bridge_window(w->s->pcibus, QPCI_DEVFN(RP1_SLOT, 0), 1 * MiB);
    w->dg = dma_gen_init(w->s->qts, w->s->pcibus, DG_DEVFN);
    dma_gen_bridge_window(w->s->pcibus, QPCI_DEVFN(RP2_SLOT, 0), 1 * MiB);
    w->dg2 = dma_gen_init(w->s->qts, w->s->pcibus, DG2_DEVFN);
}

/* smmu-lite on (queues, stream table), dg translating through w->cd */
static void world_iommu_on(World *w)
{
    sl_setup(w->s, 9, 0, 6);
    sl_ste_s1(w->s, DG_SID, w->cd);
    g_assert(sl_cfgi_all(w->s) && sl_sync(w->s));
}

/* Forget the dma-gen functions world_attach() found */
static void world_detach(World *w)
{
    dma_gen_free(w->dg2);
    dma_gen_free(w->dg);
    w->dg = w->dg2 = NULL;
}

static World *world_start(Target target, const char *extra)
{
    World *w = g_new0(World, 1);
    g_autofree char *args = world_args(extra);

    w->target = target;
    sl_watchdog_step("starting QEMU");
    w->s = sl_start(NULL, args);
    w->smmu_bar = w->s->bar.addr;
    sl_watchdog_watch(w->s->qts);
    sl_watchdog_step("setting up");
    world_attach(w);

    w->root = sl_pt_new(w->s);
    w->buf = sl_alloc(w->s, 0x2000, 0x1000);
    sl_map(w->s, w->root, T0SZ, IOVA_RAM, w->buf, SL_SIZE_4K, SL_PTE_RW);
    sl_map(w->s, w->root, T0SZ, IOVA_RAM + 0x1000, w->buf + 0x1000,
           SL_SIZE_4K, SL_PTE_RW);
    sl_map(w->s, w->root, T0SZ, IOVA_PEER, w->dg2->bar0.addr, SL_SIZE_4K,
           SL_PTE_RW);
    sl_map(w->s, w->root, T0SZ, IOVA_HOLE, GPA_HOLE, SL_SIZE_4K, SL_PTE_RW);
    w->cd = sl_cd_new(w->s, 1, T0SZ, w->root);
    world_iommu_on(w);
    return w;
}

static uint64_t target_src(Target t)
{
    switch (t) {
    case T_RAM:
        return IOVA_RAM;
    case T_PEER_MMIO:
        return IOVA_PEER;
    case T_UNASSIGNED:
        return IOVA_HOLE;
    default:
        return IOVA_UNMAPPED;
    }
}

/* Continuous mode on: copy from the target into RAM, 256 ops a tick. */
static void engine_start(World *w)
{
    DmaGenContCfg cfg = {
        .src = target_src(w->target), .dst = IOVA_RAM + 0x1000,
        .slots = SLOTS, .stride = LEN, .len = LEN, .period_ns = PERIOD_NS,
        .ops_per_tick = DMA_GEN_CONT_MAX_OPS_PER_TICK, .pattern = PATTERN,
    };

    dma_gen_guest_fill(w->s->qts, w->buf, LEN, PATTERN);
    dma_gen_writel(w->dg, A_INT_ENABLE, R_INT_ERROR_MASK);
    g_assert_cmpuint(dma_gen_cont_start(w->dg, &cfg), ==, DMA_GEN_ERR_OK);
}

/* Let a tick begin in the IOThread; the caller's event follows at once. */
static void kick(World *w)
{
    qtest_clock_step(w->s->qts, PERIOD_NS);
}

/* dg's QOM property @prop (readable whatever state the BARs are in) */
static QDict *dg_qom_get(QTestState *qts, const char *prop)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments': {"
                           " 'path': 'dg', 'property': %s } }", prop);

    g_assert(qdict_haskey(rsp, "return"));
    return rsp;
}

/* Operations done so far */
static uint64_t engine_ops(QTestState *qts)
{
    QDict *rsp = dg_qom_get(qts, "ops");
    uint64_t v = qdict_get_int(rsp, "return");

    qobject_unref(rsp);
    return v;
}

static bool engine_running(QTestState *qts)
{
    QDict *rsp = dg_qom_get(qts, "cont-running");
    bool v = qdict_get_bool(rsp, "return");

    qobject_unref(rsp);
    return v;
}

/*
 * The engine makes progress: with virtual time stepped, operations are
 * counted (by wall-clock time: the ticks run in the IOThread and in the
 * main loop).
 */
static void check_progress(QTestState *qts)
{
    uint64_t ops0 = engine_ops(qts);
    int64_t end = g_get_monotonic_time() + POLL_MS * 1000LL;

    while (engine_ops(qts) == ops0) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        qtest_clock_step(qts, PERIOD_NS);
        g_usleep(1000);
    }
}

/*
 * After a system reset: BARs, bus numbers, smmu-lite and dma-gen are at
 * their reset values (RAM, with the tables, is not). Map everything at the
 * same addresses again and restart the engine.
 */
static void world_reinit(World *w)
{
    SLite *s = w->s;

    world_detach(w);
    qpci_iounmap(s->dev, s->bar);
    s->pcibus->mmio_alloc_ptr = w->smmu_bar;
    qpci_device_enable(s->dev);
    s->bar = qpci_iomap(s->dev, 0, NULL);
    g_assert_cmphex(s->bar.addr, ==, w->smmu_bar);
    world_attach(w);
    world_iommu_on(w);
    engine_start(w);
}

static void world_free(World *w)
{
    world_detach(w);
    g_free(w);
}

static void world_stop(World *w)
{
    sl_watchdog_step("shutting down");
    sl_stop(w->s);
    world_free(w);
}

static void wait_event(QTestState *qts, const char *event)
{
    qobject_unref(qtest_qmp_eventwait_ref(qts, event));
}

/* Events */

/* ROUNDS system resets, each right after a tick began: by the guest or QMP */
static void reset_rounds(World *w, bool by_guest)
{
    for (int i = 0; i < ROUNDS; i++) {
        sl_watchdog_step(by_guest ? "guest reset (0xcf9) during a tick"
                                  : "QMP system_reset during a tick");
        kick(w);
        if (by_guest) {
            qtest_outb(w->s->qts, 0xcf9, 0x06);
        } else {
            qtest_qmp_assert_success(w->s->qts,
                                     "{ 'execute': 'system_reset' }");
        }
        wait_event(w->s->qts, "RESET");
        g_assert_false(engine_running(w->s->qts));
        world_reinit(w);
    }
    check_progress(w->s->qts);
}

static void ev_guest_reset(World *w)
{
    reset_rounds(w, true);
}

static void ev_qmp_reset(World *w)
{
    reset_rounds(w, false);
}

static void ev_stop_cont(World *w)
{
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t ops;

        sl_watchdog_step("QMP stop during a tick");
        kick(w);
        qtest_qmp_assert_success(w->s->qts, "{ 'execute': 'stop' }");
        /* stopped: no operation completes, whatever the main loop does */
        ops = engine_ops(w->s->qts);
        g_usleep(2000);
        g_assert_cmpuint(engine_ops(w->s->qts), ==, ops);
        sl_watchdog_step("QMP cont");
        qtest_qmp_assert_success(w->s->qts, "{ 'execute': 'cont' }");
    }
    check_progress(w->s->qts);
}

static void job_wait(QTestState *qts, const char *id)
{
    for (;;) {
        QDict *ev = qtest_qmp_eventwait_ref(qts, "JOB_STATUS_CHANGE");
        QDict *data = qdict_get_qdict(ev, "data");
        bool done = !strcmp(qdict_get_str(data, "id"), id) &&
                    !strcmp(qdict_get_str(data, "status"), "concluded");

        qobject_unref(ev);
        if (done) {
            break;
        }
    }
    qtest_qmp_assert_success(qts, "{ 'execute': 'job-dismiss',"
                             "  'arguments': { 'id': %s } }", id);
}

static void ev_savevm_loadvm(World *w)
{
    QTestState *qts = w->s->qts;
    g_autofree char *img = g_strdup_printf("%s/dma-gen-lc-%d.qcow2",
                                           g_get_tmp_dir(), getpid());

    sl_watchdog_step("creating a qcow2 image for the snapshot");
    qtest_qmp_assert_success(qts, "{ 'execute': 'blockdev-create',"
        " 'arguments': { 'job-id': 'c0', 'options': {"
        "  'driver': 'file', 'filename': %s, 'size': 0 } } }", img);
    job_wait(qts, "c0");
    qtest_qmp_assert_success(qts, "{ 'execute': 'blockdev-add',"
        " 'arguments': { 'driver': 'file', 'filename': %s,"
        "  'node-name': 'f0' } }", img);
    qtest_qmp_assert_success(qts, "{ 'execute': 'blockdev-create',"
        " 'arguments': { 'job-id': 'c1', 'options': {"
        "  'driver': 'qcow2', 'file': 'f0', 'size': 1048576 } } }");
    job_wait(qts, "c1");
    qtest_qmp_assert_success(qts, "{ 'execute': 'blockdev-add',"
        " 'arguments': { 'driver': 'qcow2', 'file': 'f0',"
        "  'node-name': 'q0' } }");

    for (int i = 0; i < 3; i++) {
        g_autofree char *tag = g_strdup_printf("t%d", i);

        sl_watchdog_step("snapshot-save during a tick");
        kick(w);
        qtest_qmp_assert_success(qts, "{ 'execute': 'snapshot-save',"
            " 'arguments': { 'job-id': 's0', 'tag': %s,"
            "  'vmstate': 'q0', 'devices': ['q0'] } }", tag);
        job_wait(qts, "s0");
        check_progress(qts);
        sl_watchdog_step("snapshot-load during a tick");
        kick(w);
        qtest_qmp_assert_success(qts, "{ 'execute': 'snapshot-load',"
            " 'arguments': { 'job-id': 'l0', 'tag': %s,"
            "  'vmstate': 'q0', 'devices': ['q0'] } }", tag);
        job_wait(qts, "l0");
        g_assert_true(engine_running(qts));
        /* loadvm leaves the VM stopped */
        qtest_qmp_assert_success(qts, "{ 'execute': 'cont' }");
        check_progress(qts);
    }
    unlink(img);
}

static void mig_wait_done(QTestState *qts)
{
    for (;;) {
        QDict *rsp = qtest_qmp_assert_success_ref(qts,
                                        "{ 'execute': 'query-migrate' }");
        const char *st = qdict_get_try_str(rsp, "status");
        bool done = st && !strcmp(st, "completed");

        g_assert(!st || strcmp(st, "failed"));
        qobject_unref(rsp);
        if (done) {
            return;
        }
        g_usleep(5000);
    }
}

static void ev_migrate(World *w)
{
    g_autofree char *uri = g_strdup_printf("unix:%s/dma-gen-lc-%d.sock",
                                           g_get_tmp_dir(), getpid());
    g_autofree char *extra = g_strdup_printf("-incoming %s", uri);
    g_autofree char *args = world_args(extra);
    g_autofree char *cmd = sl_cmdline(NULL, args);
    QTestState *to;
    int64_t now;

    sl_watchdog_step("starting the destination");
    to = qtest_init(cmd);
    sl_watchdog_step("migrating during a tick");
    now = qtest_clock_step(w->s->qts, PERIOD_NS);
    qtest_qmp_assert_success(w->s->qts, "{ 'execute': 'migrate',"
                             "  'arguments': { 'uri': %s } }", uri);
    mig_wait_done(w->s->qts);
    wait_event(to, "RESUME");

    /* the qtest clock is not migrated: the destination's catches up */
    sl_watchdog_step("destination runs the engine");
    g_assert_true(engine_running(to));
    qtest_clock_set(to, now);
    check_progress(to);
    sl_watchdog_step("the source still answers");
    qtest_qmp_assert_success(w->s->qts, "{ 'execute': 'query-status' }");
    qtest_quit(to);
}

/*
 * Native PCIe hot-unplug: device_del asks, the "guest" turns the slot's
 * power and power indicator off, and the port unplugs the function at once
 * (inside this config write, BQL held) while its IOThread may run a tick.
 */
static void slot_power_off(World *w, int port_slot)
{
    QPCIDevice *rp = qpci_device_find(w->s->pcibus, QPCI_DEVFN(port_slot, 0));
    uint8_t exp = qpci_find_capability(rp, PCI_CAP_ID_EXP, 0);
    uint16_t ctl;

    g_assert(exp);
    ctl = qpci_config_readw(rp, exp + PCI_EXP_SLTCTL);
    ctl &= ~(PCI_EXP_SLTCTL_PIC | PCI_EXP_SLTCTL_AIC);
    ctl |= PCI_EXP_SLTCTL_PWR_IND_OFF | PCI_EXP_SLTCTL_ATTN_IND_OFF |
           PCI_EXP_SLTCTL_PCC;
    qpci_config_writew(rp, exp + PCI_EXP_SLTCTL, ctl);
    g_free(rp);
}

static void ev_unplug(World *w, const char *id, int port_slot)
{
    QTestState *qts = w->s->qts;

    sl_watchdog_step("device_del during a tick");
    qtest_qmp_device_del_send(qts, id);
    kick(w);
    slot_power_off(w, port_slot);
    wait_event(qts, "DEVICE_DELETED");
}

static void ev_unplug_self(World *w)
{
    ev_unplug(w, "dg", RP1_SLOT);
    qtest_qmp_assert_success(w->s->qts, "{ 'execute': 'query-status' }");
}

static void ev_unplug_target(World *w)
{
    ev_unplug(w, "dg2", RP2_SLOT);
    /* the copies now read what nothing decodes: refused, and go on */
    check_progress(w->s->qts);
}

/* Events that end QEMU: it must exit, and cleanly (qtest_quit checks). */
static void ev_quit(World *w)
{
    sl_watchdog_step("QMP quit during a tick");
    kick(w);
    qtest_qmp_send(w->s->qts, "{ 'execute': 'quit' }");
    qtest_wait_qemu(w->s->qts);
}

static void ev_sigterm(World *w)
{
    sl_watchdog_step("SIGTERM during a tick");
    kick(w);
    /* sl_stop() -> qtest_quit(): SIGTERM, then waits for a clean exit */
}

typedef struct Event {
    const char *name;
    void (*run)(World *w);
    bool ends_qemu;
    Target only;        /* T__MAX: every target */
} Event;

static const Event events[] = {
    { "guest-reset", ev_guest_reset, false, T__MAX },
    { "qmp-reset", ev_qmp_reset, false, T__MAX },
    { "stop-cont", ev_stop_cont, false, T__MAX },
    { "savevm-loadvm", ev_savevm_loadvm, false, T__MAX },
    { "migrate", ev_migrate, false, T__MAX },
    { "unplug-self", ev_unplug_self, false, T__MAX },
    { "unplug-target", ev_unplug_target, false, T_PEER_MMIO },
    { "quit", ev_quit, true, T__MAX },
    { "sigterm", ev_sigterm, false, T__MAX },
};

typedef struct Case {
    const Event *ev;
    Target target;
} Case;

static void test_lifecycle(const void *data)
{
    const Case *c = data;
    World *w = world_start(c->target, NULL);

    engine_start(w);
    sl_watchdog_step("engine running");
    check_progress(w->s->qts);
    c->ev->run(w);
    if (c->ev->ends_qemu) {
        /* already gone: qtest_quit() only collects it */
        sl_watchdog_step("collecting QEMU");
    }
    world_stop(w);
}

/*
 * Interrupt causes that a tick decided must not appear after a reset that
 * came before they were raised. Every operation fails (unassigned source),
 * so every tick decides ERROR; the RESET register is written right after
 * each tick starts, and INT_STATUS must read 0 once the tick is over.
 */
#define RESET_ROUNDS    1000

static void test_reset_vs_tick_irq(const void *data)
{
    World *w = world_start(T_UNASSIGNED, NULL);
    unsigned late = 0;

    sl_watchdog_step("reset during ticks that raise ERROR");
    engine_start(w);
    for (int i = 0; i < RESET_ROUNDS; i++) {
        kick(w);
        dma_gen_writel(w->dg, A_RESET, DMA_GEN_RESET_MAGIC);
        g_assert_true(dma_gen_wait_idle(w->dg, POLL_MS));
        /* one more main-loop turn for a bottom half already scheduled */
        qtest_qmp_assert_success(w->s->qts, "{ 'execute': 'query-status' }");
        if (dma_gen_readl(w->dg, A_INT_STATUS)) {
            late++;
        }
        engine_start(w);
    }
    g_test_message("%u of %d rounds with a cause after the reset", late,
                   RESET_ROUNDS);
    g_assert_cmpuint(late, ==, 0);
    /*
     * and the engine did fail operations, raising ERROR, between resets:
     * the cause reaches INT_STATUS from a main-loop bottom half that the
     * IOThread's tick schedules, so give the main loop time to run it
     */
    kick(w);
    g_assert_true(dma_gen_wait_idle(w->dg, POLL_MS));
    for (gint64 end = g_get_monotonic_time() + POLL_MS * 1000;;) {
        qtest_qmp_assert_success(w->s->qts, "{ 'execute': 'query-status' }");
        if ((dma_gen_readl(w->dg, A_INT_STATUS) & R_INT_ERROR_MASK) ||
            g_get_monotonic_time() > end) {
            break;
        }
        g_usleep(1000);
    }
    g_assert_cmphex(dma_gen_readl(w->dg, A_INT_STATUS) & R_INT_ERROR_MASK,
                    ==, R_INT_ERROR_MASK);
    world_stop(w);
}

/*
 * VERIFY while other writers change the bytes it compares, in the last
 * page of RAM: two dma-gens in two IOThreads copy into that page, one a
 * buffer of the pattern, the other the pattern with a different last
 * byte, and each verifies the page against the pattern; meanwhile VERIFY
 * commands check it too. No comparison may read past the operation
 * (at the end of RAM that is a host fault) and a command reports at most
 * LEN bytes, and a mismatch inside the page.
 */
#define RAM_END         ((uint64_t)DMA_GEN_TEST_RAM_MB * MiB)
#define VPAGE           (RAM_END - 0x1000)
#define VSRC_GOOD       0x200000ULL
#define VSRC_BAD        0x201000ULL

static void test_verify_concurrent_writer(const void *data)
{
    QOSState *qs;
    DmaGen *a, *b;
    DmaGenContCfg cfg = {
        .dst = VPAGE, .slots = 1, .stride = 0, .len = 0x1000,
        .period_ns = DMA_GEN_CONT_MIN_PERIOD_NS, .ops_per_tick = 64,
        .pattern = PATTERN,
    };
    unsigned cmds = 0, mism = 0;
    int64_t end;

    sl_watchdog_step("starting QEMU");
    qs = dma_gen_boot("-object iothread,id=io0 -object iothread,id=io1 "
                      "-device dma-gen,id=dg,addr=04.0,iothread=io0 "
                      "-device dma-gen,id=dg2,addr=05.0,iothread=io1");
    sl_watchdog_watch(qs->qts);
    a = dma_gen_init(qs->qts, qs->pcibus, QPCI_DEVFN(4, 0));
    b = dma_gen_init(qs->qts, qs->pcibus, QPCI_DEVFN(5, 0));
    dma_gen_guest_fill(qs->qts, VSRC_GOOD, 0x1000, PATTERN);
    dma_gen_guest_fill(qs->qts, VSRC_BAD, 0x1000, PATTERN);
    qtest_writeb(qs->qts, VSRC_BAD + 0xfff,
                 ~dma_gen_pattern_byte(PATTERN, 0xfff));

    cfg.src = VSRC_GOOD;
    g_assert_cmpuint(dma_gen_cont_start(a, &cfg), ==, DMA_GEN_ERR_OK);
    cfg.src = VSRC_BAD;
    g_assert_cmpuint(dma_gen_cont_start(b, &cfg), ==, DMA_GEN_ERR_OK);

    sl_watchdog_step("VERIFY racing with writers at the end of RAM");
    end = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;
    while (g_get_monotonic_time() < end) {
        uint32_t err;

        qtest_clock_step(qs->qts, DMA_GEN_CONT_MIN_PERIOD_NS);
        err = dma_gen_verify(a, VPAGE, 0x1000, PATTERN);
        cmds++;
        g_assert_cmpuint(dma_gen_readl(a, A_CMD_DONE_BYTES), <=, 0x1000);
        if (err == DMA_GEN_ERR_MISMATCH) {
            mism++;
            g_assert_cmphex(dma_gen_cmd_err_iova(a), >=, VPAGE);
            g_assert_cmphex(dma_gen_cmd_err_iova(a), <, RAM_END);
        } else {
            g_assert_cmpuint(err, ==, DMA_GEN_ERR_OK);
        }
    }
    dma_gen_cont_stop(a);
    dma_gen_cont_stop(b);
    g_assert_true(dma_gen_wait_idle(a, POLL_MS));
    g_assert_true(dma_gen_wait_idle(b, POLL_MS));
    g_test_message("%u VERIFY commands, %u mismatches; continuous: "
                   "%" PRIu64 " + %" PRIu64 " ops, %" PRIu64 " + %" PRIu64
                   " mismatches", cmds, mism,
                   dma_gen_readq(a, A_OPS_LO), dma_gen_readq(b, A_OPS_LO),
                   dma_gen_readq(a, A_MISMATCHES_LO),
                   dma_gen_readq(b, A_MISMATCHES_LO));
    /* the race was there: the page was seen both ways */
    g_assert_cmpuint(dma_gen_readq(a, A_MISMATCHES_LO) +
                     dma_gen_readq(b, A_MISMATCHES_LO) + mism, >, 0);
    g_assert_cmphex(MAX(dma_gen_readq(a, A_LAST_MISMATCH_IOVA_LO),
                        dma_gen_readq(b, A_LAST_MISMATCH_IOVA_LO)), >=, VPAGE);
    dma_gen_free(b);
    dma_gen_free(a);
    sl_watchdog_step("shutting down");
    qtest_shutdown(qs);
}

/* every event x target pair (static: nothing for LeakSanitizer to see) */
static Case cases[ARRAY_SIZE(events) * T__MAX];

int main(int argc, char **argv)
{
    size_t n = 0;

    g_test_init(&argc, &argv, NULL);

    if (!dma_gen_binary_has_property("iothread")) {
        g_test_message("dma-gen has no 'iothread' property");
        return EXIT_FAILURE;
    }
    for (size_t e = 0; e < ARRAY_SIZE(events); e++) {
        for (Target t = 0; t < T__MAX; t++) {
            Case *c;
            g_autofree char *path = NULL;

            if (events[e].only != T__MAX && events[e].only != t) {
                continue;
            }
            c = &cases[n++];
            c->ev = &events[e];
            c->target = t;
            path = g_strdup_printf("/dma-gen/lifecycle/%s/%s",
                                   events[e].name, target_kind_name[t]);
            sl_add_isolated_test(path, test_lifecycle, c, BUDGET);
        }
    }
    sl_add_isolated_test("/dma-gen/lifecycle/reset-vs-tick-irq",
                         test_reset_vs_tick_irq, NULL, 60);
    sl_add_isolated_test("/dma-gen/verify-concurrent-writer",
                         test_verify_concurrent_writer, NULL, BUDGET);
    return g_test_run();
}
