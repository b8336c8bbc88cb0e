/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtest helpers for smmu-lite, see smmu-lite-lib.h.
 */
#include "qemu/osdep.h"
#include "qobject/qdict.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
#include "smmu-lite-lib.h"

#define SL_RAM_BASE     0x01000000ULL
#define SL_RAM_LIMIT    0x0c000000ULL

char *sl_cmdline(const char *smmu_props, const char *extra)
{
    return g_strdup_printf("-M q35 -bios qboot.rom -nodefaults -m 256M "
                           "-device smmu-lite,id=smmu,addr=%02x.0%s%s %s",
                           SL_SLOT, smmu_props && *smmu_props ? "," : "",
                           smmu_props ? smmu_props : "", extra ? extra : "");
}

SLite *sl_start(const char *smmu_props, const char *extra)
{
    g_autofree char *args = sl_cmdline(smmu_props, extra);

    return sl_attach(qtest_init(args));
}

SLite *sl_attach(QTestState *qts)
{
    SLite *s = g_new0(SLite, 1);

    s->qts = qts;
    s->pcibus = qpci_new_pc(s->qts, NULL);
    s->dev = qpci_device_find(s->pcibus, QPCI_DEVFN(SL_SLOT, 0));
    g_assert(s->dev);
    qpci_device_enable(s->dev);
    s->bar = qpci_iomap(s->dev, 0, NULL);
    s->next = SL_RAM_BASE;
    s->limit = SL_RAM_LIMIT;
    return s;
}

void sl_stop(SLite *s)
{
    g_free(s->dev);
    qpci_free_pc(s->pcibus);
    qtest_quit(s->qts);
    g_free(s);
}

bool sl_alive(SLite *s)
{
    QDict *rsp = qtest_qmp(s->qts, "{ 'execute': 'query-status' }");
    bool ok = rsp && qdict_haskey(rsp, "return");

    qobject_unref(rsp);
    return ok;
}

uint32_t sl_readl(SLite *s, uint64_t off)
{
    return qpci_io_readl(s->dev, s->bar, off);
}

void sl_writel(SLite *s, uint64_t off, uint32_t val)
{
    qpci_io_writel(s->dev, s->bar, off, val);
}

uint64_t sl_readq(SLite *s, uint64_t off)
{
    return qpci_io_readq(s->dev, s->bar, off);
}

void sl_writeq(SLite *s, uint64_t off, uint64_t val)
{
    qpci_io_writeq(s->dev, s->bar, off, val);
}

uint64_t sl_alloc(SLite *s, uint64_t size, uint64_t align)
{
    uint64_t a = ROUND_UP(s->next, align);

    g_assert(a + size <= s->limit);
    s->next = a + size;
    qtest_memset(s->qts, a, 0, size);
    return a;
}

void sl_set_cr0(SLite *s, uint32_t val)
{
    sl_writel(s, SL_CR0, val);
    g_assert_cmphex(sl_readl(s, SL_CR0ACK), ==, val);
}

void sl_setup(SLite *s, uint32_t log2size, uint32_t fmt, uint32_t split)
{
    uint64_t tsize;

    s->cmdq_log2 = 6;
    s->evtq_log2 = 6;
    s->cmdq = sl_alloc(s, 16ULL << s->cmdq_log2, 0x1000);
    s->evtq = sl_alloc(s, 32ULL << s->evtq_log2, 0x1000);
    if (fmt == 0) {
        tsize = 32ULL << log2size;
    } else {
        tsize = 8ULL << (log2size > split ? log2size - split : 0);
    }
    s->strtab = sl_alloc(s, tsize, 0x1000);
    s->strtab_cfg = log2size | split << 6 | fmt << 16;

    sl_writeq(s, SL_CMDQ_BASE, s->cmdq | s->cmdq_log2);
    sl_writel(s, SL_CMDQ_PROD, 0);
    sl_writel(s, SL_CMDQ_CONS, 0);
    sl_writeq(s, SL_EVTQ_BASE, s->evtq | s->evtq_log2);
    sl_writel(s, SL_EVTQ_PROD, 0);
    sl_writel(s, SL_EVTQ_CONS, 0);
    sl_writeq(s, SL_STRTAB_BASE, s->strtab);
    sl_writel(s, SL_STRTAB_BASE_CFG, s->strtab_cfg);
    sl_set_cr0(s, SL_CR0_EVTQEN | SL_CR0_CMDQEN);
    g_assert(sl_cfgi_all(s));
    g_assert(sl_tlbi_all(s));
    g_assert(sl_sync(s));
    sl_set_cr0(s, SL_CR0_EVTQEN | SL_CR0_CMDQEN | SL_CR0_SMMUEN);
}

uint64_t sl_ste_addr(SLite *s, uint32_t sid)
{
    uint32_t split = (s->strtab_cfg >> 6) & 0x1f;
    uint64_t l1addr, l1;

    if (!(s->strtab_cfg >> 16)) {
        return s->strtab + sid * 32ULL;
    }
    l1addr = s->strtab + (sid >> split) * 8ULL;
    l1 = qtest_readq(s->qts, l1addr);
    if (!l1) {
        uint64_t l2 = sl_alloc(s, 32ULL << split, 0x1000);

        l1 = l2 | (split + 1);
        qtest_writeq(s->qts, l1addr, l1);
    }
    return (l1 & 0xffffffffffc0ULL) + (sid & ((1u << split) - 1)) * 32ULL;
}

void sl_ste_write(SLite *s, uint32_t sid, const uint64_t w[4])
{
    uint64_t a = sl_ste_addr(s, sid);

    /* word 0 last, as a driver making an STE valid would */
    for (int i = 3; i >= 0; i--) {
        qtest_writeq(s->qts, a + i * 8, w[i]);
    }
}

void sl_ste_word(SLite *s, uint32_t sid, int word, uint64_t val)
{
    qtest_writeq(s->qts, sl_ste_addr(s, sid) + word * 8, val);
}

void sl_ste_simple(SLite *s, uint32_t sid, int config)
{
    uint64_t w[4] = { SL_STE0(config), 0, 0, 0 };

    sl_ste_write(s, sid, w);
}

void sl_ste_s1(SLite *s, uint32_t sid, uint64_t cd)
{
    uint64_t w[4] = { SL_STE0(SL_CFG_S1), cd, 0, 0 };

    sl_ste_write(s, sid, w);
}

void sl_ste_s2(SLite *s, uint32_t sid, uint16_t vmid, uint64_t s2ttb,
               uint8_t s2t0sz)
{
    uint64_t w[4] = { SL_STE0(SL_CFG_S2), 0, s2ttb | s2t0sz, vmid };

    sl_ste_write(s, sid, w);
}

void sl_ste_nested(SLite *s, uint32_t sid, uint64_t cd_ipa, uint16_t vmid,
                   uint64_t s2ttb, uint8_t s2t0sz)
{
    uint64_t w[4] = { SL_STE0(SL_CFG_NESTED), cd_ipa, s2ttb | s2t0sz, vmid };

    sl_ste_write(s, sid, w);
}

uint64_t sl_cd_new(SLite *s, uint16_t asid, uint8_t t0sz, uint64_t ttb)
{
    uint64_t cd = sl_alloc(s, 32, 32);

    qtest_writeq(s->qts, cd + 8, ttb);
    qtest_writeq(s->qts, cd, 1 | (uint64_t)t0sz << 8 | (uint64_t)asid << 48);
    return cd;
}

uint64_t sl_pt_new(SLite *s)
{
    return sl_alloc(s, 0x1000, 0x1000);
}

int sl_start_level(uint8_t t0sz)
{
    return 4 - DIV_ROUND_UP(64 - t0sz - 12, 9);
}

void sl_map(SLite *s, uint64_t root, uint8_t t0sz, uint64_t iova,
            uint64_t pa, uint64_t size, uint64_t flags)
{
    int leaf = size == SL_SIZE_1G ? 1 : size == SL_SIZE_2M ? 2 : 3;
    uint64_t table = root;

    g_assert(sl_start_level(t0sz) <= leaf);
    for (int level = sl_start_level(t0sz); level <= 3; level++) {
        int shift = 12 + 9 * (3 - level);
        uint64_t da = table + ((iova >> shift) & 0x1ff) * 8;
        uint64_t d;

        if (level == leaf) {
            d = (pa & ~(size - 1)) | SL_PTE_V | SL_PTE_AF | flags;
            if (level == 3) {
                d |= SL_PTE_T;
            }
            qtest_writeq(s->qts, da, d);
            return;
        }
        d = qtest_readq(s->qts, da);
        if (!(d & SL_PTE_V)) {
            d = sl_pt_new(s) | SL_PTE_V | SL_PTE_T;
            qtest_writeq(s->qts, da, d);
        }
        table = d & 0xfffffffff000ULL;
    }
}

uint64_t sl_pte_addr(SLite *s, uint64_t root, uint8_t t0sz, uint64_t iova)
{
    uint64_t table = root;

    for (int level = sl_start_level(t0sz); level <= 3; level++) {
        int shift = 12 + 9 * (3 - level);
        uint64_t da = table + ((iova >> shift) & 0x1ff) * 8;
        uint64_t d = qtest_readq(s->qts, da);

        if (!(d & SL_PTE_V)) {
            return 0;
        }
        if (level == 3 || !(d & SL_PTE_T)) {
            return da;
        }
        table = d & 0xfffffffff000ULL;
    }
    return 0;
}

bool sl_cmd(SLite *s, uint64_t w0, uint64_t w1)
{
    sl_writel(s, SL_CMDQ_PROD, sl_cmd_stage(s, w0, w1));
    return !((sl_readl(s, SL_GERROR) ^ sl_readl(s, SL_GERRORN)) &
             SL_GERROR_CMDQ);
}

bool sl_sync(SLite *s)
{
    bool ok = sl_cmd(s, SL_CMD_SYNC, 0);

    /* commands are synchronous: CONS has caught up with PROD */
    if (ok) {
        g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==,
                        sl_readl(s, SL_CMDQ_PROD));
    }
    return ok;
}

bool sl_cfgi_ste(SLite *s, uint32_t sid)
{
    return sl_cmd(s, SL_CMD_CFGI_STE | (uint64_t)sid << 32, 0);
}

bool sl_cfgi_all(SLite *s)
{
    return sl_cmd(s, SL_CMD_CFGI_ALL, 0);
}

bool sl_tlbi_all(SLite *s)
{
    return sl_cmd(s, SL_CMD_TLBI_ALL, 0);
}

bool sl_evt_pop(SLite *s, SLEvent *ev)
{
    uint32_t wrap = (2u << s->evtq_log2) - 1;
    uint32_t prod = sl_readl(s, SL_EVTQ_PROD) & wrap;
    uint32_t cons = sl_readl(s, SL_EVTQ_CONS);
    uint32_t idx = cons & wrap;
    uint64_t a = s->evtq + (idx & ((1u << s->evtq_log2) - 1)) * 32ULL;
    uint64_t w[4];

    if (prod == idx) {
        return false;
    }
    for (int i = 0; i < 4; i++) {
        w[i] = qtest_readq(s->qts, a + i * 8);
    }
    ev->type = w[0] & 0xff;
    ev->wnr = (w[0] >> 8) & 1;
    ev->s2 = (w[0] >> 9) & 1;
    ev->class = (w[0] >> 10) & 3;
    ev->sid = w[0] >> 32;
    ev->iova = w[1];
    ev->addr2 = w[2];
    ev->asid = w[3] & 0xffff;
    ev->vmid = (w[3] >> 16) & 0xffff;
    ev->level = (w[3] >> 32) & 0xf;
    ev->reason = (w[3] >> 40) & 0xff;
    sl_writel(s, SL_EVTQ_CONS, (cons & ~wrap) | ((idx + 1) & wrap));
    return true;
}

int sl_evt_count(SLite *s)
{
    uint32_t wrap = (2u << s->evtq_log2) - 1;
    uint32_t prod = sl_readl(s, SL_EVTQ_PROD) & wrap;
    uint32_t cons = sl_readl(s, SL_EVTQ_CONS) & wrap;

    return (prod - cons) & wrap;
}

static QObject *sl_qom_get(SLite *s, const char *name, QDict **rsp)
{
    *rsp = qtest_qmp(s->qts, "{ 'execute': 'qom-get', 'arguments': "
                     "{ 'path': '/machine/peripheral/smmu', "
                     "'property': %s } }", name);
    g_assert(qdict_haskey(*rsp, "return"));
    return qdict_get(*rsp, "return");
}

uint64_t sl_qom_u64(SLite *s, const char *name)
{
    QDict *rsp;
    uint64_t v = 0;

    g_assert(qnum_get_try_uint(qobject_to(QNum, sl_qom_get(s, name, &rsp)),
                               &v));
    qobject_unref(rsp);
    return v;
}

char *sl_qom_str(SLite *s, const char *name)
{
    QDict *rsp;
    char *v;

    v = g_strdup(qstring_get_str(qobject_to(QString,
                                            sl_qom_get(s, name, &rsp))));
    qobject_unref(rsp);
    return v;
}

void sl_qom_set_u64(SLite *s, const char *name, uint64_t val)
{
    QDict *rsp = qtest_qmp(s->qts, "{ 'execute': 'qom-set', 'arguments': "
                           "{ 'path': '/machine/peripheral/smmu', "
                           "'property': %s, 'value': %" PRIu64 " } }",
                           name, val);

    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
}

void sl_stats_reset(SLite *s)
{
    QDict *rsp = qtest_qmp(s->qts, "{ 'execute': 'qom-set', 'arguments': "
                           "{ 'path': '/machine/peripheral/smmu', "
                           "'property': 'stats-reset', 'value': true } }");

    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
}

uint64_t sl_desc_addr(SLite *s, uint64_t root, uint8_t t0sz, uint64_t iova,
                      int level)
{
    uint64_t table = root;

    for (int l = sl_start_level(t0sz); l <= level; l++) {
        uint64_t da = table + ((iova >> (12 + 9 * (3 - l))) & 0x1ff) * 8;
        uint64_t d;

        if (l == level) {
            return da;
        }
        d = qtest_readq(s->qts, da);
        if (!(d & SL_PTE_V) || !(d & SL_PTE_T)) {
            return 0;
        }
        table = d & 0xfffffffff000ULL;
    }
    return 0;
}

void sl_msix_enable(SLite *s)
{
    uint8_t cap = qpci_find_capability(s->dev, PCI_CAP_ID_MSIX, 0);
    uint16_t ctrl;

    g_assert(cap);
    ctrl = qpci_config_readw(s->dev, cap + PCI_MSIX_FLAGS);
    ctrl &= ~PCI_MSIX_FLAGS_MASKALL;
    qpci_config_writew(s->dev, cap + PCI_MSIX_FLAGS,
                       ctrl | PCI_MSIX_FLAGS_ENABLE);
}

void sl_msix_vector(SLite *s, unsigned v, uint64_t addr, uint32_t data,
                    bool masked)
{
    uint64_t e = SL_MSIX_TABLE + v * PCI_MSIX_ENTRY_SIZE;

    sl_writel(s, e + PCI_MSIX_ENTRY_LOWER_ADDR, addr);
    sl_writel(s, e + PCI_MSIX_ENTRY_UPPER_ADDR, addr >> 32);
    sl_writel(s, e + PCI_MSIX_ENTRY_DATA, data);
    sl_writel(s, e + PCI_MSIX_ENTRY_VECTOR_CTRL,
              masked ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0);
}

uint32_t sl_cmd_stage(SLite *s, uint64_t w0, uint64_t w1)
{
    uint32_t wrap = (2u << s->cmdq_log2) - 1;
    uint32_t prod = sl_readl(s, SL_CMDQ_PROD) & wrap;
    uint64_t a = s->cmdq + (prod & ((1u << s->cmdq_log2) - 1)) * 16ULL;

    qtest_writeq(s->qts, a, w0);
    qtest_writeq(s->qts, a + 8, w1);
    return (prod + 1) & wrap;
}

bool sl_gerror_active(SLite *s, uint32_t bit)
{
    return (sl_readl(s, SL_GERROR) ^ sl_readl(s, SL_GERRORN)) & bit;
}

/*
 * Hang watchdog, see smmu-lite-lib.h. The handler only uses
 * async-signal-safe calls; libqtest's child QEMU also has PDEATHSIG set,
 * so it would die with the subprocess even if the pid were not known yet.
 */
typedef struct SLIsolated {
    GTestDataFunc fn;
    const void *data;
    unsigned budget_s;
} SLIsolated;

static volatile pid_t sl_wd_pid = -1;                  /* read by handler */
static const char *volatile sl_wd_what = "starting";    /* read by handler */
static char sl_wd_budget[16];

static void sl_wd_say(const char *str)
{
    ssize_t r = write(STDERR_FILENO, str, strlen(str));

    (void)r;
}

static void sl_wd_fire(int sig)
{
    sl_wd_say("watchdog: QEMU gave no answer within ");
    sl_wd_say(sl_wd_budget);
    sl_wd_say(" s (hang or deadlock) during: ");
    sl_wd_say(sl_wd_what);
    sl_wd_say("\n");
    if (sl_wd_pid > 0) {
        kill(sl_wd_pid, SIGKILL);
    }
    _exit(EXIT_FAILURE);
}

void sl_watchdog_watch(QTestState *qts)
{
    sl_wd_pid = qtest_pid(qts);
}

void sl_watchdog_step(const char *what)
{
    sl_wd_what = what;
}

static void sl_isolated_run(const void *opaque)
{
    const SLIsolated *t = opaque;

    if (g_test_subprocess()) {
        struct sigaction sa = { .sa_handler = sl_wd_fire };

        snprintf(sl_wd_budget, sizeof(sl_wd_budget), "%u", t->budget_s);
        sigemptyset(&sa.sa_mask);
        sigaction(SIGALRM, &sa, NULL);
        alarm(t->budget_s);
        t->fn(t->data);
        alarm(0);
        return;
    }

    g_test_trap_subprocess(NULL, (t->budget_s + 10) * G_USEC_PER_SEC,
                           G_TEST_SUBPROCESS_INHERIT_STDERR);
    /* g_test_fail(), not an assertion: with -k the next cases still run */
    if (g_test_trap_reached_timeout()) {
        g_test_message("subprocess still running well after its %u s "
                       "watchdog budget", t->budget_s);
        g_test_fail();
    } else if (!g_test_trap_has_passed()) {
        g_test_message("failed in its subprocess (messages on stderr)");
        g_test_fail();
    }
}

void sl_add_isolated_test(const char *path, GTestDataFunc fn,
                          const void *data, unsigned budget_s)
{
    SLIsolated *t = g_new0(SLIsolated, 1);

    t->fn = fn;
    t->data = data;
    t->budget_s = budget_s;
    qtest_add_data_func_full(path, t, sl_isolated_run, g_free);
}
