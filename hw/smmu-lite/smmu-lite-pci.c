/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smmu-lite: PCI glue. BAR0 (registers + MSI-X), properties, and the hook
 * that makes the device the IOMMU of its root bus.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "qemu/target-info-qapi.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pcie.h"
#include "qapi/visitor.h"
#include "system/address-spaces.h"
#include "migration/vmstate.h"
#include "smmu-lite-internal.h"
#include "trace.h"

#define PCI_CLASS_SYSTEM_IOMMU 0x0806

typedef struct SmmuLiteSpaceKey {
    PCIBus *bus;
    int devfn;
} SmmuLiteSpaceKey;

static guint smmu_lite_space_hash(gconstpointer v)
{
    const SmmuLiteSpaceKey *k = v;

    return g_direct_hash(k->bus) ^ (guint)k->devfn;
}

static gboolean smmu_lite_space_equal(gconstpointer a, gconstpointer b)
{
    const SmmuLiteSpaceKey *x = a, *y = b;

    return x->bus == y->bus && x->devfn == y->devfn;
}

/*
 * PCIIOMMUOps.get_address_space: QEMU calls this when a device below our
 * root bus is realized, with bus/devfn already aliased for conventional
 * PCI bridges. The stream ID is computed from them at translation time,
 * since bus numbers are assigned by the guest later.
 */
static AddressSpace *smmu_lite_get_as(PCIBus *bus, void *opaque, int devfn)
{
    SmmuLiteState *s = opaque;
    SmmuLiteSpaceKey key = { .bus = bus, .devfn = devfn };
    SmmuLiteSpace *sp;
    g_autofree char *name = NULL;

    if (bus == pci_get_bus(PCI_DEVICE(s)) &&
        devfn == PCI_DEVICE(s)->devfn) {
        /* We never translate our own DMA. */
        return &address_space_memory;
    }

    sp = g_hash_table_lookup(s->spaces, &key);
    if (sp) {
        return &sp->as;
    }

    sp = g_new0(SmmuLiteSpace, 1);
    sp->s = s;
    sp->bus = bus;
    sp->devfn = devfn;
    name = g_strdup_printf("smmu-lite-%p-%02x.%d", bus, PCI_SLOT(devfn),
                           PCI_FUNC(devfn));

    /*
     * A container holding the IOMMU region and, with msi-window=on, above
     * it a window onto system memory for the x86 MSI range, so those MSIs
     * are never translated. Without it (an ITS doorbell, say) MSIs are
     * ordinary writes and go through the IOMMU region.
     */
    memory_region_init(&sp->root, OBJECT(s), name, UINT64_MAX);
    memory_region_init_iommu(&sp->iommu, sizeof(sp->iommu),
                             TYPE_SMMU_LITE_IOMMU_MR, OBJECT(s), name,
                             UINT64_MAX);
    memory_region_add_subregion_overlap(&sp->root, 0,
                                        MEMORY_REGION(&sp->iommu), 0);
    if (s->msi_window) {
        memory_region_init_alias(&sp->msi_window, OBJECT(s), "smmu-lite-msi",
                                 get_system_memory(), SMMU_LITE_MSI_BASE,
                                 SMMU_LITE_MSI_SIZE);
        memory_region_add_subregion_overlap(&sp->root, SMMU_LITE_MSI_BASE,
                                            &sp->msi_window, 1);
    }
    address_space_init(&sp->as, &sp->root, name);

    g_hash_table_insert(s->spaces, g_memdup2(&key, sizeof(key)), sp);
    trace_smmu_lite_new_space(pci_bus_num(bus), devfn);
    return &sp->as;
}

static const PCIIOMMUOps smmu_lite_iommu_ops = {
    .get_address_space = smmu_lite_get_as,
};

static void smmu_lite_warn_early_device(PCIBus *bus, PCIDevice *dev,
                                        void *opaque)
{
    SmmuLiteState *s = opaque;

    /*
     * Skip ourselves and built-in functions that cannot be created with
     * -device (host bridge, LPC, SMBus): they do not do bus-master DMA.
     */
    if (dev == PCI_DEVICE(s) || !DEVICE_GET_CLASS(dev)->user_creatable) {
        return;
    }
    warn_report("smmu-lite: %s at %02x.%d was created before smmu-lite; its "
                "DMA is not translated (create smmu-lite before the devices "
                "it translates)", object_get_typename(OBJECT(dev)),
                PCI_SLOT(dev->devfn), PCI_FUNC(dev->devfn));
}

/*
 * The stream ID of @dev as this model sees it: below a conventional bus,
 * the bridge above it requests on behalf of everything behind it (a
 * PCIe-to-PCI bridge with its secondary bus and devfn 0, any other bridge
 * with its own ID), as QEMU aliases requester IDs for its IOMMUs. Returns
 * false if @dev's DMA does not reach us (a bus that bypasses the IOMMU).
 */
static bool smmu_lite_dev_sid(SmmuLiteState *s, PCIDevice *dev,
                              uint32_t *sid)
{
    PCIBus *bus = pci_get_bus(dev);
    PCIBus *req_bus = bus;
    int req_devfn = dev->devfn;

    while (bus != s->root_bus && bus->parent_dev) {
        PCIDevice *bridge = bus->parent_dev;

        if (!pci_bus_is_express(bus)) {
            if (pci_is_express(bridge) &&
                pcie_cap_get_type(bridge) == PCI_EXP_TYPE_PCI_BRIDGE) {
                req_bus = bus;
                req_devfn = 0;
            } else {
                req_bus = pci_get_bus(bridge);
                req_devfn = bridge->devfn;
            }
        }
        bus = pci_get_bus(bridge);
    }
    if (pci_bus_bypass_iommu(req_bus)) {
        return false;
    }
    *sid = PCI_BUILD_BDF(pci_bus_num(req_bus), req_devfn);
    return true;
}

static void smmu_lite_uncovered_dev(PCIBus *bus, PCIDevice *dev,
                                    void *opaque)
{
    SmmuLiteState *s = opaque;
    const char *why;
    uint32_t sid;

    if (dev == PCI_DEVICE(s) || !smmu_lite_dev_sid(s, dev, &sid) ||
        smmu_lite_ste_present(s, sid, &why)) {
        return;
    }
    s->cnt.enable_uncovered++;
    trace_smmu_lite_enable_uncovered(pci_bus_num(bus), dev->devfn, sid, why);
}

static void smmu_lite_uncovered_bus(PCIBus *bus, void *opaque)
{
    pci_for_each_device_under_bus(bus, smmu_lite_uncovered_dev, opaque);
}

/*
 * CR0ACK.SMMUEN went 0 -> 1: count the functions of our hierarchy whose
 * stream has no valid STE now (stat-enable-uncovered). With the BQL (a
 * register write) and s->mutex held; STEs are read from RAM only.
 */
void smmu_lite_count_uncovered(SmmuLiteState *s)
{
    if (s->root_bus) {
        pci_for_each_bus(s->root_bus, smmu_lite_uncovered_bus, s);
    }
}

static void smmu_lite_realize(PCIDevice *pdev, Error **errp)
{
    SmmuLiteState *s = SMMU_LITE(pdev);
    PCIBus *bus = pci_get_bus(pdev);
    int ret;

    if (!pci_bus_is_root(bus)) {
        error_setg(errp, "smmu-lite must be plugged into a PCI root bus "
                   "(e.g. bus=pcie.0), not into bus %s; it must also be "
                   "created before the devices it translates",
                   bus->qbus.name);
        return;
    }
    if (bus->iommu_ops || bus->iommu_opaque) {
        error_setg(errp, "PCI root bus %s already has an IOMMU (a second "
                   "smmu-lite or another IOMMU); smmu-lite must be the only "
                   "IOMMU of its root bus and must be created before the "
                   "devices it translates", bus->qbus.name);
        return;
    }
    if (s->iotlb_size < 1 || s->iotlb_size > 0xffff ||
        s->config_cache_size < 1 || s->config_cache_size > 0xffff) {
        error_setg(errp, "smmu-lite: iotlb-size and config-cache-size must "
                   "be in 1..65535");
        return;
    }
    /*
     * The interrupt window is x86's: elsewhere (an Arm ITS doorbell) MSIs
     * are translated, and 0xfee00000 may well be RAM that DMA must not
     * reach untranslated.
     */
    switch (s->msi_window_prop) {
    case ON_OFF_AUTO_AUTO:
        s->msi_window = target_arch() == SYS_EMU_TARGET_X86_64 ||
                        target_arch() == SYS_EMU_TARGET_I386;
        break;
    default:
        s->msi_window = s->msi_window_prop == ON_OFF_AUTO_ON;
        break;
    }

    pci_config_set_vendor_id(pdev->config, SMMU_LITE_PCI_VENDOR_ID);
    pci_config_set_device_id(pdev->config, SMMU_LITE_PCI_DEVICE_ID);
    pci_config_set_revision(pdev->config, SMMU_LITE_PCI_REVISION);
    pci_config_set_class(pdev->config, PCI_CLASS_SYSTEM_IOMMU);

    memory_region_init(&s->bar0, OBJECT(s), "smmu-lite-bar0",
                       SMMU_LITE_BAR_SIZE);
    memory_region_init_io(&s->regs, OBJECT(s), &smmu_lite_regs_ops, s,
                          "smmu-lite-regs", SMMU_LITE_REGS_SIZE);
    memory_region_add_subregion(&s->bar0, 0, &s->regs);

    ret = msix_init(pdev, SMMU_LITE_MSIX_VECTORS,
                    &s->bar0, 0, SMMU_LITE_MSIX_TABLE,
                    &s->bar0, 0, SMMU_LITE_MSIX_PBA, 0, errp);
    if (ret < 0) {
        return;
    }
    for (int i = 0; i < SMMU_LITE_MSIX_VECTORS; i++) {
        msix_vector_use(pdev, i);
    }
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->bar0);

    s->spaces = g_hash_table_new_full(smmu_lite_space_hash,
                                      smmu_lite_space_equal, g_free, NULL);
    smmu_lite_config_init(s);
    smmu_lite_iotlb_init(s);
    smmu_lite_stats_init(s);
    s->irq_bh = qemu_bh_new_guarded(smmu_lite_irq_bh, s,
                                    &DEVICE(s)->mem_reentrancy_guard);

    pci_for_each_device(bus, pci_bus_num(bus), smmu_lite_warn_early_device,
                        s);
    s->root_bus = bus;
    pci_setup_iommu(bus, &smmu_lite_iommu_ops, s);
    smmu_lite_reset_regs(s);
    trace_smmu_lite_realize(bus->qbus.name, pdev->devfn);
}

static void smmu_lite_exit(PCIDevice *pdev)
{
    SmmuLiteState *s = SMMU_LITE(pdev);

    if (s->root_bus) {
        pci_setup_iommu(s->root_bus, NULL, NULL);
    }
    g_clear_pointer(&s->irq_bh, qemu_bh_delete);
    msix_uninit(pdev, &s->bar0, &s->bar0);
}

static void smmu_lite_instance_init(Object *obj)
{
    SmmuLiteState *s = SMMU_LITE(obj);

    qemu_mutex_init(&s->mutex);
    smmu_lite_stats_add_props(s);
}

static void smmu_lite_instance_finalize(Object *obj)
{
    SmmuLiteState *s = SMMU_LITE(obj);

    g_clear_pointer(&s->config_cache, g_hash_table_destroy);
    smmu_lite_iotlb_destroy(s);
    g_clear_pointer(&s->streams, g_hash_table_destroy);
    qemu_mutex_destroy(&s->mutex);
}

static void smmu_lite_reset_hold(Object *obj, ResetType type)
{
    SmmuLiteState *s = SMMU_LITE(obj);

    smmu_lite_reset_regs(s);
}

static const Property smmu_lite_properties[] = {
    DEFINE_PROP_UINT32("iotlb-size", SmmuLiteState, iotlb_size, 256),
    DEFINE_PROP_UINT32("config-cache-size", SmmuLiteState,
                       config_cache_size, 32),
    DEFINE_PROP_UINT64("tear-window-ns", SmmuLiteState, tear_window_ns, 0),
    DEFINE_PROP_BOOL("snoop-ctl", SmmuLiteState, snoop_ctl, true),
    DEFINE_PROP_ON_OFF_AUTO("msi-window", SmmuLiteState, msi_window_prop,
                            ON_OFF_AUTO_AUTO),
    DEFINE_PROP_BOOL("x-stuck-smmuen", SmmuLiteState, stuck_smmuen, false),
};

/*
 * Run-time properties (QOM, not qdev: qom-set works after realize).
 * QMP runs them in the main loop with the BQL; the command queue reads
 * the injection state under s->mutex.
 */
static void smmu_lite_get_refuse_cmd(Object *obj, Visitor *v,
                                     const char *name, void *opaque,
                                     Error **errp)
{
    SmmuLiteState *s = SMMU_LITE(obj);
    uint8_t val;

    qemu_mutex_lock(&s->mutex);
    val = s->refuse_cmd;
    qemu_mutex_unlock(&s->mutex);
    visit_type_uint8(v, name, &val, errp);
}

static void smmu_lite_set_refuse_cmd(Object *obj, Visitor *v,
                                     const char *name, void *opaque,
                                     Error **errp)
{
    SmmuLiteState *s = SMMU_LITE(obj);
    uint8_t val;

    if (!visit_type_uint8(v, name, &val, errp)) {
        return;
    }
    qemu_mutex_lock(&s->mutex);
    s->refuse_cmd = val;
    qemu_mutex_unlock(&s->mutex);
}

static void smmu_lite_get_refuse_count(Object *obj, Visitor *v,
                                       const char *name, void *opaque,
                                       Error **errp)
{
    SmmuLiteState *s = SMMU_LITE(obj);
    uint32_t val;

    qemu_mutex_lock(&s->mutex);
    val = s->refuse_cmd_count;
    qemu_mutex_unlock(&s->mutex);
    visit_type_uint32(v, name, &val, errp);
}

static void smmu_lite_set_refuse_count(Object *obj, Visitor *v,
                                       const char *name, void *opaque,
                                       Error **errp)
{
    SmmuLiteState *s = SMMU_LITE(obj);
    uint32_t val;

    if (!visit_type_uint32(v, name, &val, errp)) {
        return;
    }
    qemu_mutex_lock(&s->mutex);
    s->refuse_cmd_count = val;
    qemu_mutex_unlock(&s->mutex);
}

static void smmu_lite_get_cr0(Object *obj, Visitor *v, const char *name,
                              void *opaque, Error **errp)
{
    SmmuLiteState *s = SMMU_LITE(obj);
    uint32_t val = qatomic_read(&s->cr0ack);

    visit_type_uint32(v, name, &val, errp);
}

static void smmu_lite_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    k->realize = smmu_lite_realize;
    k->exit = smmu_lite_exit;
    k->vendor_id = SMMU_LITE_PCI_VENDOR_ID;
    k->device_id = SMMU_LITE_PCI_DEVICE_ID;
    k->revision = SMMU_LITE_PCI_REVISION;
    k->class_id = PCI_CLASS_SYSTEM_IOMMU;
    rc->phases.hold = smmu_lite_reset_hold;
    dc->desc = "smmu-lite SMMU-like IOMMU (lab device)";
    dc->vmsd = &smmu_lite_vmstate;
    dc->hotpluggable = false;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    device_class_set_props(dc, smmu_lite_properties);
    object_class_property_set_description(klass, "iotlb-size",
        "IOTLB capacity in entries (1..65535); flushed entirely when full");
    object_class_property_set_description(klass, "config-cache-size",
        "STE/CD config cache capacity in streams (1..65535); flushed "
        "entirely when full");
    object_class_property_set_description(klass, "tear-window-ns",
        "STE fetch tear window in virtual ns: words 1-3 of an STE are "
        "re-read until this long after word 0 (0 = off)");
    object_class_property_set_description(klass, "snoop-ctl",
        "snoop control: IDR0.SNPCTL=1 and STEs may set SNP (force snooped "
        "DMA); off: an STE with SNP=1 is refused (C_BAD_STE reason 6)");
    object_class_property_set_description(klass, "msi-window",
        "on: writes to 0xfee00000-0xfeefffff (the x86 MSI window) bypass "
        "translation; off: they are translated like any other write, and "
        "IDR0.MSIXLT=1; auto (default): on for x86 targets only");
    object_class_property_set_description(klass, "x-stuck-smmuen",
        "debug: CR0ACK never acknowledges CR0.SMMUEN (translation never "
        "turns on)");
    object_class_property_add(klass, "x-refuse-cmd", "uint8",
                              smmu_lite_get_refuse_cmd,
                              smmu_lite_set_refuse_cmd, NULL, NULL);
    object_class_property_set_description(klass, "x-refuse-cmd",
        "debug, settable at run time: opcode of the commands to refuse "
        "as illegal (CMDQ_ERR, CONS.ERR=ILL); 0 = off");
    object_class_property_add(klass, "x-refuse-cmd-count", "uint32",
                              smmu_lite_get_refuse_count,
                              smmu_lite_set_refuse_count, NULL, NULL);
    object_class_property_set_description(klass, "x-refuse-cmd-count",
        "debug, settable at run time: how many more commands with opcode "
        "x-refuse-cmd to refuse; each refusal decrements it");
    object_class_property_add(klass, "cr0", "uint32", smmu_lite_get_cr0,
                              NULL, NULL, NULL);
    object_class_property_set_description(klass, "cr0",
        "current CR0ACK value (read-only)");
}

static const TypeInfo smmu_lite_types[] = {
    {
        .name = TYPE_SMMU_LITE,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(SmmuLiteState),
        .instance_init = smmu_lite_instance_init,
        .instance_finalize = smmu_lite_instance_finalize,
        .class_init = smmu_lite_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { },
        },
    },
};

DEFINE_TYPES(smmu_lite_types)
