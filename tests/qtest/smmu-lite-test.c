/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtests for smmu-lite: registers, queues and error handling.
 * Spec: docs/specs/smmu-lite.rst.
 */
#include "qemu/osdep.h"
#include "smmu-lite-lib.h"

/* unassigned on q35 with 256 MiB: no RAM, no device */
#define SL_NOWHERE      0x4000000000ULL

static void test_reset_values(void)
{
    SLite *s = sl_start(NULL, NULL);

    g_assert_cmphex(qpci_config_readw(s->dev, PCI_VENDOR_ID), ==, 0x1b36);
    g_assert_cmphex(qpci_config_readw(s->dev, PCI_DEVICE_ID), ==, 0x0120);
    g_assert_cmphex(qpci_config_readw(s->dev, PCI_CLASS_DEVICE), ==, 0x0806);
    g_assert_cmphex(sl_readl(s, SL_IDR0), ==, 0x2ff);
    g_assert_cmphex(sl_readl(s, SL_IDR1), ==, 0x00535290);
    g_assert_cmphex(sl_readl(s, SL_IDR2), ==, 0x00200100);
    g_assert_cmphex(sl_readl(s, SL_AIDR), ==, 0x101);
    for (uint64_t off = SL_CR0; off <= SL_EVTQ_CONS; off += 4) {
        if (off == SL_IDR0 || off == SL_IDR1 || off == SL_IDR2) {
            continue;
        }
        g_assert_cmphex(sl_readl(s, off), ==, 0);
    }
    g_assert_cmphex(sl_readq(s, SL_STRTAB_BASE), ==, 0);
    /* unlisted offsets read as zero */
    g_assert_cmphex(sl_readl(s, 0x10), ==, 0);
    g_assert_cmphex(sl_readl(s, 0xffc), ==, 0);
    sl_stop(s);

    s = sl_start("tear-window-ns=1000,iotlb-size=7,config-cache-size=3",
                 NULL);
    g_assert_cmphex(sl_readl(s, SL_IDR0), ==, 0x3ff);
    g_assert_cmphex(sl_readl(s, SL_IDR2), ==, 0x00030007);
    sl_stop(s);

    /* IDR0.SNPCTL follows snoop-ctl */
    s = sl_start("snoop-ctl=off", NULL);
    g_assert_cmphex(sl_readl(s, SL_IDR0), ==, 0xff);
    sl_stop(s);

    /* IDR0.MSIXLT: msi-window off; auto is on for x86 */
    s = sl_start("msi-window=off", NULL);
    g_assert_cmphex(sl_readl(s, SL_IDR0), ==, 0x6ff);
    sl_stop(s);
    s = sl_start("msi-window=on", NULL);
    g_assert_cmphex(sl_readl(s, SL_IDR0), ==, 0x2ff);
    sl_stop(s);
}

static void test_cr0_handshake(void)
{
    SLite *s = sl_start(NULL, NULL);

    sl_writel(s, SL_CR0, SL_CR0_CMDQEN);
    g_assert_cmphex(sl_readl(s, SL_CR0ACK), ==, SL_CR0_CMDQEN);
    sl_writel(s, SL_CR0, SL_CR0_CMDQEN | SL_CR0_EVTQEN | SL_CR0_SMMUEN);
    g_assert_cmphex(sl_readl(s, SL_CR0ACK), ==, 0xd);
    /* RES0 bits are neither stored nor acknowledged */
    sl_writel(s, SL_CR0, 0xf0 | SL_CR0_SMMUEN);
    g_assert_cmphex(sl_readl(s, SL_CR0), ==, 0x1);
    g_assert_cmphex(sl_readl(s, SL_CR0ACK), ==, 0x1);
    sl_writel(s, SL_CR0, 0);
    g_assert_cmphex(sl_readl(s, SL_CR0ACK), ==, 0);

    sl_writel(s, SL_IRQ_CTRL, 0xffffffff);
    g_assert_cmphex(sl_readl(s, SL_IRQ_CTRL), ==, 0x5);
    g_assert_cmphex(sl_readl(s, SL_IRQ_CTRLACK), ==, 0x5);
    sl_writel(s, SL_GBPA, 0xffffffff);
    g_assert_cmphex(sl_readl(s, SL_GBPA), ==, SL_GBPA_ABORT);

    /* 64-bit registers: whole and in halves */
    sl_writeq(s, SL_STRTAB_BASE, 0x123456789000ULL);
    g_assert_cmphex(sl_readq(s, SL_STRTAB_BASE), ==, 0x123456789000ULL);
    sl_writel(s, SL_STRTAB_BASE + 4, 0xabcd);
    g_assert_cmphex(sl_readl(s, SL_STRTAB_BASE), ==, 0x56789000);
    g_assert_cmphex(sl_readl(s, SL_STRTAB_BASE + 4), ==, 0xabcd);

    /* STRTAB_BASE is ignored while SMMUEN=1 */
    sl_writel(s, SL_CR0, SL_CR0_SMMUEN);
    sl_writeq(s, SL_STRTAB_BASE, 0x5000);
    g_assert_cmphex(sl_readq(s, SL_STRTAB_BASE), ==, 0xabcd56789000ULL);
    sl_writel(s, SL_STRTAB_BASE_CFG, 0x3);
    g_assert_cmphex(sl_readl(s, SL_STRTAB_BASE_CFG), ==, 0);

    /* read-only registers */
    sl_writel(s, SL_IDR0, 0);
    sl_writel(s, SL_GERROR, 0xff);
    g_assert_cmphex(sl_readl(s, SL_IDR0), ==, 0x2ff);
    g_assert_cmphex(sl_readl(s, SL_GERROR), ==, 0);
    sl_stop(s);
}

static void sl_cmdq_only(SLite *s)
{
    s->cmdq_log2 = 3;
    s->cmdq = sl_alloc(s, 16 << 3, 0x1000);
    sl_writeq(s, SL_CMDQ_BASE, s->cmdq | s->cmdq_log2);
    sl_set_cr0(s, SL_CR0_CMDQEN);
}

static void test_cmdq_sync_msi(void)
{
    SLite *s = sl_start(NULL, NULL);
    uint64_t flag;

    sl_cmdq_only(s);
    flag = sl_alloc(s, 8, 8);
    g_assert(sl_cmd(s, SL_CMD_SYNC | 1 << 12 | 0xcafef00dULL << 32, flag));
    g_assert_cmphex(qtest_readl(s->qts, flag), ==, 0xcafef00d);
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==, 1);

    /* a SYNC whose completion write fails: MSI_CMDQ_ABT_ERR, queue goes on */
    g_assert(sl_cmd(s, SL_CMD_SYNC | 1 << 12 | 1ULL << 32, SL_NOWHERE));
    g_assert_cmphex(sl_readl(s, SL_GERROR), ==, SL_GERROR_MSI_CMDQ);
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==, 2);
    sl_writel(s, SL_GERRORN, SL_GERROR_MSI_CMDQ);
    g_assert_cmphex(sl_readl(s, SL_GERROR) ^ sl_readl(s, SL_GERRORN), ==, 0);
    sl_stop(s);
}

/* Run the queue until an error stops it on @cmd; check CONS.ERR = @err. */
static void sl_expect_cmd_error(SLite *s, uint64_t w0, uint64_t w1,
                                uint32_t err)
{
    uint32_t cons = sl_readl(s, SL_CMDQ_CONS);
    uint32_t wrap = (2u << s->cmdq_log2) - 1;
    uint32_t gerror;

    g_assert(!sl_cmd(s, w0, w1));
    gerror = sl_readl(s, SL_GERROR) ^ sl_readl(s, SL_GERRORN);
    g_assert_cmphex(gerror, ==, SL_GERROR_CMDQ);
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==, (cons & wrap) | err << 24);

    /* stopped: a later command is not consumed */
    g_assert(!sl_cmd(s, SL_CMD_SYNC, 0));
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==, (cons & wrap) | err << 24);

    /* recovery: replace the bad entry by a SYNC, acknowledge */
    qtest_writeq(s->qts, s->cmdq + (cons & ((1u << s->cmdq_log2) - 1)) * 16,
                 SL_CMD_SYNC);
    sl_writel(s, SL_GERRORN, sl_readl(s, SL_GERROR));
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==,
                    sl_readl(s, SL_CMDQ_PROD));
    g_assert(sl_sync(s));
}

static void test_cmdq_errors(void)
{
    SLite *s = sl_start(NULL, NULL);

    sl_cmdq_only(s);
    sl_writel(s, SL_STRTAB_BASE_CFG, 4);        /* 16 SIDs */
    g_assert(sl_cfgi_ste(s, 15));
    sl_expect_cmd_error(s, 0xee, 0, 1);          /* unknown opcode */
    sl_expect_cmd_error(s, 0, 0, 1);
    sl_expect_cmd_error(s, SL_CMD_CFGI_STE | 16ULL << 32, 0, 1);  /* SID */
    sl_expect_cmd_error(s, SL_CMD_CFGI_STE | 0xffffffffULL << 32, 0, 1);
    sl_expect_cmd_error(s, SL_CMD_TLBI_VA, 0x1000, 1);     /* NUM = 0 */
    sl_expect_cmd_error(s, SL_CMD_TLBI_IPA, 0x1000, 1);
    sl_expect_cmd_error(s, SL_CMD_SYNC | 2 << 12, 0, 1);   /* CS */

    /* LOG2SIZE above IDR1.SIDSIZE: the SID range stops at 2^SIDSIZE */
    sl_writel(s, SL_STRTAB_BASE_CFG, 17);
    g_assert(sl_cfgi_ste(s, 0xffff));
    sl_expect_cmd_error(s, SL_CMD_CFGI_STE | 0x10000ULL << 32, 0, 1);
    sl_writel(s, SL_STRTAB_BASE_CFG, 63);
    g_assert(sl_cfgi_ste(s, 0));
    sl_expect_cmd_error(s, SL_CMD_CFGI_STE | 0x10000ULL << 32, 0, 1);
    /* all of these wrapped the 8-entry queue at least once */
    g_assert_cmpuint(sl_qom_u64(s, "stat-invalidations"), ==, 3);

    /* a command fetch that fails: ABT */
    sl_set_cr0(s, 0);
    sl_writeq(s, SL_CMDQ_BASE, SL_NOWHERE | 3);
    sl_writel(s, SL_CMDQ_CONS, 0);
    sl_writel(s, SL_CMDQ_PROD, 0);
    sl_set_cr0(s, SL_CR0_CMDQEN);
    sl_writel(s, SL_CMDQ_PROD, 1);
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==, 2 << 24);
    g_assert_cmphex(sl_readl(s, SL_GERROR) ^ sl_readl(s, SL_GERRORN), ==,
                    SL_GERROR_CMDQ);
    g_assert(sl_alive(s));
    sl_stop(s);
}

/* Replace the command at CONS (stopped on an error) and acknowledge. */
static void sl_cmd_fix_and_ack(SLite *s, uint64_t w0, uint64_t w1)
{
    uint32_t cons = sl_readl(s, SL_CMDQ_CONS);
    uint64_t a = s->cmdq + (cons & ((1u << s->cmdq_log2) - 1)) * 16;

    qtest_writeq(s->qts, a, w0);
    qtest_writeq(s->qts, a + 8, w1);
    sl_writel(s, SL_GERRORN, sl_readl(s, SL_GERROR));
}

/* x-refuse-cmd / x-refuse-cmd-count, set at run time over QMP. */
static void test_cmdq_refuse(void)
{
    SLite *s = sl_start(NULL, NULL);
    uint32_t cons;

    sl_cmdq_only(s);
    sl_writel(s, SL_STRTAB_BASE_CFG, 4);
    g_assert_cmpuint(sl_qom_u64(s, "x-refuse-cmd"), ==, 0);
    g_assert_cmpuint(sl_qom_u64(s, "x-refuse-cmd-count"), ==, 0);
    sl_qom_set_u64(s, "x-refuse-cmd", SL_CMD_CFGI_STE);
    sl_qom_set_u64(s, "x-refuse-cmd-count", 2);
    g_assert_cmpuint(sl_qom_u64(s, "x-refuse-cmd"), ==, SL_CMD_CFGI_STE);

    /* other opcodes run */
    g_assert(sl_tlbi_all(s));
    g_assert(sl_sync(s));
    g_assert_cmpuint(sl_qom_u64(s, "x-refuse-cmd-count"), ==, 2);

    /* a valid CFGI_STE is refused as an illegal command */
    cons = sl_readl(s, SL_CMDQ_CONS);
    g_assert(!sl_cfgi_ste(s, 1));
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==,
                    cons | SL_CMDQ_ERR_ILL << 24);
    g_assert(sl_gerror_active(s, SL_GERROR_CMDQ));
    g_assert_cmpuint(sl_qom_u64(s, "x-refuse-cmd-count"), ==, 1);
    g_assert_cmpuint(sl_qom_u64(s, "stat-invalidations"), ==, 1);
    /* stopped: nothing after it runs */
    g_assert(!sl_sync(s));
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==,
                    cons | SL_CMDQ_ERR_ILL << 24);
    /* replaced by a SYNC and acknowledged: the queue resumes at CONS */
    sl_cmd_fix_and_ack(s, SL_CMD_SYNC, 0);
    g_assert(!sl_gerror_active(s, SL_GERROR_CMDQ));
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==,
                    sl_readl(s, SL_CMDQ_PROD));
    g_assert_cmpuint(sl_qom_u64(s, "stat-invalidations"), ==, 1);

    /* the last refusal; acknowledged as is, the CFGI_STE then runs */
    cons = sl_readl(s, SL_CMDQ_CONS);
    g_assert(!sl_cfgi_ste(s, 2));
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==,
                    cons | SL_CMDQ_ERR_ILL << 24);
    g_assert_cmpuint(sl_qom_u64(s, "x-refuse-cmd-count"), ==, 0);
    sl_writel(s, SL_GERRORN, sl_readl(s, SL_GERROR));
    g_assert(!sl_gerror_active(s, SL_GERROR_CMDQ));
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==,
                    sl_readl(s, SL_CMDQ_PROD));
    g_assert_cmpuint(sl_qom_u64(s, "stat-invalidations"), ==, 2);

    /* count 0: the injection is over */
    for (int i = 0; i < 3; i++) {
        g_assert(sl_cfgi_ste(s, 3));
    }
    g_assert(sl_sync(s));
    g_assert_cmpuint(sl_qom_u64(s, "stat-invalidations"), ==, 5);
    g_assert_cmpuint(sl_qom_u64(s, "x-refuse-cmd-count"), ==, 0);

    /* opcode 0 is off, whatever the count */
    sl_qom_set_u64(s, "x-refuse-cmd", 0);
    sl_qom_set_u64(s, "x-refuse-cmd-count", 5);
    g_assert(sl_cfgi_ste(s, 3) && sl_sync(s));
    g_assert_cmpuint(sl_qom_u64(s, "x-refuse-cmd-count"), ==, 5);
    sl_stop(s);
}

/* A CMD_SYNC can be refused too: no completion write, then a retry. */
static void test_cmdq_refuse_sync(void)
{
    SLite *s = sl_start("x-refuse-cmd=0x46,x-refuse-cmd-count=1", NULL);
    uint64_t flag;

    sl_cmdq_only(s);
    flag = sl_alloc(s, 8, 8);
    g_assert(!sl_cmd(s, SL_CMD_SYNC | SL_CMD_SYNC_CS_IRQ | 0x5a5aULL << 32,
                     flag));
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==, SL_CMDQ_ERR_ILL << 24);
    g_assert(sl_gerror_active(s, SL_GERROR_CMDQ));
    g_assert_cmphex(qtest_readl(s->qts, flag), ==, 0);
    g_assert_cmpuint(sl_qom_u64(s, "x-refuse-cmd-count"), ==, 0);

    /* acknowledged without a change: the SYNC runs and signals */
    sl_writel(s, SL_GERRORN, sl_readl(s, SL_GERROR));
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==, 1);
    g_assert_cmphex(qtest_readl(s->qts, flag), ==, 0x5a5a);

    /* armed again over QMP */
    sl_qom_set_u64(s, "x-refuse-cmd-count", 1);
    g_assert(!sl_sync(s));
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==, 1 | SL_CMDQ_ERR_ILL << 24);
    sl_cmd_fix_and_ack(s, SL_CMD_SYNC | SL_CMD_SYNC_CS_IRQ | 0x77ULL << 32,
                       flag);
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==, 2);
    g_assert_cmphex(qtest_readl(s->qts, flag), ==, 0x77);
    sl_stop(s);
}

/* x-stuck-smmuen: CR0ACK acknowledges everything but SMMUEN. */
static void test_stuck_smmuen(void)
{
    SLite *s = sl_start("x-stuck-smmuen=on", NULL);
    uint32_t all = SL_CR0_CMDQEN | SL_CR0_EVTQEN | SL_CR0_SMMUEN;

    sl_writel(s, SL_CR0, all);
    g_assert_cmphex(sl_readl(s, SL_CR0), ==, all);
    g_assert_cmphex(sl_readl(s, SL_CR0ACK), ==,
                    SL_CR0_CMDQEN | SL_CR0_EVTQEN);
    g_assert_cmphex(sl_qom_u64(s, "cr0"), ==, SL_CR0_CMDQEN | SL_CR0_EVTQEN);
    sl_writel(s, SL_CR0, SL_CR0_SMMUEN);
    g_assert_cmphex(sl_readl(s, SL_CR0ACK), ==, 0);
    /* never enabled: no enable was checked for uncovered functions */
    g_assert_cmpuint(sl_qom_u64(s, "stat-enable-uncovered"), ==, 0);
    sl_stop(s);

    /* by default it is acknowledged */
    s = sl_start(NULL, NULL);
    sl_writel(s, SL_CR0, all);
    g_assert_cmphex(sl_readl(s, SL_CR0ACK), ==, all);
    g_assert_cmphex(sl_qom_u64(s, "cr0"), ==, all);
    sl_stop(s);
}

static void test_cmdq_wrap(void)
{
    SLite *s = sl_start(NULL, NULL);
    uint64_t flag;

    sl_cmdq_only(s);
    flag = sl_alloc(s, 8, 8);
    /* 20 commands through an 8-entry queue: index and wrap bit move on */
    for (int i = 0; i < 20; i++) {
        g_assert(sl_cmd(s, SL_CMD_SYNC | 1 << 12 | (uint64_t)i << 32, flag));
        g_assert_cmphex(qtest_readl(s->qts, flag), ==, i);
    }
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==, 20 & 15);
    /* CONS is read-only while the queue is enabled */
    sl_writel(s, SL_CMDQ_CONS, 0);
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==, 20 & 15);

    /* a whole queue posted at once is consumed in one PROD write */
    sl_set_cr0(s, 0);
    sl_writel(s, SL_CMDQ_CONS, 0);
    sl_writel(s, SL_CMDQ_PROD, 0);
    for (int i = 0; i < 8; i++) {
        qtest_writeq(s->qts, s->cmdq + i * 16, SL_CMD_TLBI_ALL);
    }
    sl_writel(s, SL_CMDQ_PROD, 8 | 0);     /* full: index 0, wrap 1 */
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==, 0);
    sl_set_cr0(s, SL_CR0_CMDQEN);          /* enabling processes it */
    g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS), ==, 8);
    sl_stop(s);
}

static void test_garbage_registers(void)
{
    SLite *s = sl_start(NULL, NULL);
    GRand *r = g_rand_new_with_seed(0x5eed);

    for (int i = 0; i < 3000; i++) {
        uint64_t off = g_rand_int_range(r, 0, 0x110) & ~3;
        uint64_t v = (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);

        switch (g_rand_int_range(r, 0, 4)) {
        case 0:
            sl_writel(s, off, v);
            break;
        case 1:
            sl_writeq(s, off & ~7, v);
            break;
        case 2:
            qpci_io_writeb(s->dev, s->bar, off + (v & 3), v);
            break;
        default:
            qpci_io_writew(s->dev, s->bar, off + 2, v);
            break;
        }
        if (i % 100 == 0) {
            sl_readl(s, off);
            qpci_io_readb(s->dev, s->bar, off + 1);
        }
    }
    g_assert(sl_alive(s));
    g_rand_free(r);
    sl_stop(s);
}

static void test_garbage_commands(void)
{
    SLite *s = sl_start(NULL, NULL);
    GRand *r = g_rand_new_with_seed(0xc0ffee);
    uint64_t errors = 0;

    sl_cmdq_only(s);
    sl_writel(s, SL_STRTAB_BASE_CFG, 8);
    for (int round = 0; round < 200; round++) {
        uint32_t prod = sl_readl(s, SL_CMDQ_PROD) & 15;

        for (int i = 0; i < 8; i++) {
            uint64_t w0 = (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
            uint64_t w1 = (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);

            if (i & 1) {
                /* make valid opcodes frequent */
                static const uint8_t ops[] = { 0x03, 0x04, 0x11, 0x12, 0x28,
                                               0x2a, 0x30, 0x46 };
                w0 = (w0 & ~0xffULL) | ops[g_rand_int_range(r, 0, 8)];
                /* keep SYNC MSI writes out of low RAM */
                w1 |= 1ULL << 47;
            }
            qtest_writeq(s->qts, s->cmdq + i * 16, w0);
            qtest_writeq(s->qts, s->cmdq + i * 16 + 8, w1);
        }
        sl_writel(s, SL_CMDQ_PROD, prod ^ 8);
        if (sl_readl(s, SL_GERROR) != sl_readl(s, SL_GERRORN)) {
            errors++;
            g_assert_cmphex(sl_readl(s, SL_CMDQ_CONS) >> 24, ==, 1);
            /* skip everything: reset the queue */
            sl_set_cr0(s, 0);
            sl_writel(s, SL_CMDQ_CONS, 0);
            sl_writel(s, SL_CMDQ_PROD, 0);
            sl_writel(s, SL_GERRORN, sl_readl(s, SL_GERROR));
            sl_set_cr0(s, SL_CR0_CMDQEN);
        }
    }
    g_assert_cmpuint(errors, >, 10);
    g_assert(sl_alive(s));
    g_rand_free(r);
    sl_stop(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/smmu-lite/reset-values", test_reset_values);
    qtest_add_func("/smmu-lite/cr0-handshake", test_cr0_handshake);
    qtest_add_func("/smmu-lite/cmdq/sync-msi", test_cmdq_sync_msi);
    qtest_add_func("/smmu-lite/cmdq/errors", test_cmdq_errors);
    qtest_add_func("/smmu-lite/cmdq/wrap", test_cmdq_wrap);
    qtest_add_func("/smmu-lite/cmdq/refuse", test_cmdq_refuse);
    qtest_add_func("/smmu-lite/cmdq/refuse-sync", test_cmdq_refuse_sync);
    qtest_add_func("/smmu-lite/cr0/stuck-smmuen", test_stuck_smmuen);
    qtest_add_func("/smmu-lite/garbage/registers", test_garbage_registers);
    qtest_add_func("/smmu-lite/garbage/commands", test_garbage_commands);
    return g_test_run();
}
