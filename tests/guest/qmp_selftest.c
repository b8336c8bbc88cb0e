// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's QMP channel end to end (run-guest --guest-qmp, lab_qmp.h):
 * qom-get and qom-set of smmu-lite's properties from inside the guest,
 * QMP errors reported with their class, and a second session in the same
 * process. Needs --iommu=smmu-lite (id smmu0) and --guest-qmp.
 */
#include "kselftest_harness.h"
#include "lab_qmp.h"

#define SMMU		"/machine/peripheral/smmu0"
#define QMP_TIMEOUT	120

FIXTURE(qmp)
{
	int unused;
};

FIXTURE_SETUP(qmp)
{
	ASSERT_EQ(0, lab_qmp_open())
		TH_LOG("no QMP on %s: was the guest booted with --guest-qmp?",
		       LAB_QMP_DEV);
}

FIXTURE_TEARDOWN(qmp)
{
	lab_qmp_close();
}

/* The device's live state: the driver has enabled translation. */
TEST_F_TIMEOUT(qmp, qom_get, QMP_TIMEOUT)
{
	uint64_t translations, cr0, uncovered;

	ASSERT_EQ(0, lab_qmp_qom_get_u64(SMMU, "stat-translations",
					 &translations));
	ASSERT_EQ(0, lab_qmp_qom_get_u64(SMMU, "cr0", &cr0));
	ASSERT_EQ(1ULL, cr0 & 1) TH_LOG("CR0ACK 0x%llx: SMMUEN not set",
				      (unsigned long long)cr0);
	ASSERT_EQ(0, lab_qmp_qom_get_u64(SMMU, "stat-enable-uncovered",
					 &uncovered));
	TH_LOG("stat-translations %llu, cr0 0x%llx, stat-enable-uncovered %llu",
	       (unsigned long long)translations, (unsigned long long)cr0,
	       (unsigned long long)uncovered);
}

/* A run-time property set over QMP reads back; x-refuse-cmd stays 0 (off). */
TEST_F_TIMEOUT(qmp, qom_set_and_read_back, QMP_TIMEOUT)
{
	uint64_t v;

	ASSERT_EQ(0, lab_qmp_qom_get_u64(SMMU, "x-refuse-cmd", &v));
	ASSERT_EQ(0ULL, v);
	ASSERT_EQ(0, lab_qmp_qom_set_u64(SMMU, "x-refuse-cmd-count", 7));
	ASSERT_EQ(0, lab_qmp_qom_get_u64(SMMU, "x-refuse-cmd-count", &v));
	ASSERT_EQ(7ULL, v);
	ASSERT_EQ(0, lab_qmp_qom_set_u64(SMMU, "x-refuse-cmd-count", 0));
	ASSERT_EQ(0, lab_qmp_qom_get_u64(SMMU, "x-refuse-cmd-count", &v));
	ASSERT_EQ(0ULL, v);
}

/* QMP errors come back as -EREMOTEIO with QMP's class and description. */
TEST_F_TIMEOUT(qmp, errors, QMP_TIMEOUT)
{
	uint64_t v = 0;

	ASSERT_EQ(-EREMOTEIO, lab_qmp_qom_get_u64("/machine/peripheral/nosuch",
						  "stat-translations", &v));
	ASSERT_STREQ("DeviceNotFound", lab_qmp_error_class());
	ASSERT_NE(NULL, strstr(lab_qmp_error_desc(), "nosuch"));

	ASSERT_EQ(-EREMOTEIO, lab_qmp_qom_get_u64(SMMU, "no-such-property",
						  &v));
	ASSERT_STREQ("GenericError", lab_qmp_error_class());

	/* a read-only property cannot be set */
	ASSERT_EQ(-EREMOTEIO, lab_qmp_qom_set_u64(SMMU, "cr0", 0));
	/* not a number */
	ASSERT_EQ(-EPROTO, lab_qmp_qom_get_u64(SMMU, "stream-stats", &v));

	/* and the session still works */
	ASSERT_EQ(0, lab_qmp_qom_get_u64(SMMU, "x-refuse-cmd", &v));
	ASSERT_EQ(0ULL, v);
}

/* Closing and opening again starts a new session through the relay. */
TEST_F_TIMEOUT(qmp, reopen, QMP_TIMEOUT)
{
	uint64_t v;

	for (int i = 0; i < 3; i++) {
		lab_qmp_close();
		ASSERT_EQ(0, lab_qmp_open());
		ASSERT_EQ(0, lab_qmp_qom_get_u64(SMMU, "x-refuse-cmd", &v));
		ASSERT_EQ(0ULL, v);
	}
	/* the calls open the connection themselves */
	lab_qmp_close();
	ASSERT_EQ(0, lab_qmp_qom_get_u64(SMMU, "stat-translations", &v));
}

TEST_HARNESS_MAIN
