// SPDX-License-Identifier: GPL-2.0
/* p2m override table: set/clear, override-aware pfn_to_mfn, exact restore. */
#include "util.h"

static void p2m_set_get_clear(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long orig = fix_mfn(f->d0, 5);

	KUNIT_ASSERT_EQ(test, p2mo_p2m_set(&f->t, 5, 0x1234), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 5), 0x1234UL);
	KUNIT_EXPECT_EQ(test, p2mo_live_p2m(&f->t), 1);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_clear(&f->t, 5), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 5), orig);
	KUNIT_EXPECT_EQ(test, p2mo_live_p2m(&f->t), 0);
}

static void p2m_pfn_to_mfn_strips_bits(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);

	KUNIT_ASSERT_EQ(test, p2mo_p2m_set(&f->t, 6, P2MO_IDENTITY_FRAME(0x66UL)), 0);
	KUNIT_ASSERT_EQ(test, p2mo_p2m_set(&f->t, 7, P2MO_FOREIGN_FRAME(0x77UL)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_pfn_to_mfn(&f->t, 6), 0x66UL);
	KUNIT_EXPECT_EQ(test, p2mo_table_pfn_to_mfn(&f->t, 7), 0x77UL);
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 7), P2MO_FOREIGN_FRAME(0x77UL));
	p2mo_p2m_clear(&f->t, 6);
	p2mo_p2m_clear(&f->t, 7);
}

static void p2m_invalid_value(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d0, 8);

	/* hiding a frame: pfn_to_mfn invalid, mfn_to_pfn no longer maps back */
	KUNIT_ASSERT_EQ(test, p2mo_p2m_set(&f->t, 8, P2MO_INVALID_ENTRY), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_pfn_to_mfn(&f->t, 8), P2MO_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), P2MO_INVALID_ENTRY);
	p2mo_p2m_clear(&f->t, 8);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), 8UL);
}

static void p2m_set_twice_eexist(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct p2mo_digest a, b;

	KUNIT_ASSERT_EQ(test, p2mo_p2m_set(&f->t, 9, 0x99), 0);
	p2mo_digest(f, &a);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_set(&f->t, 9, 0x98), -EEXIST);
	p2mo_digest(f, &b);
	P2MO_EXPECT_DIGEST_EQ(test, &a, &b);
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 9), 0x99UL);
	p2mo_p2m_clear(&f->t, 9);
}

static void p2m_clear_missing_enoent(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct p2mo_digest a, b;

	p2mo_digest(f, &a);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_clear(&f->t, 10), -ENOENT);
	p2mo_digest(f, &b);
	P2MO_EXPECT_DIGEST_EQ(test, &a, &b);
}

static void p2m_backend_never_written(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct p2mo_digest a, b;
	unsigned long pfn;

	p2mo_digest(f, &a);
	for (pfn = 0; pfn < FIX_PFNS; pfn += 3)
		KUNIT_ASSERT_EQ(test, p2mo_p2m_set(&f->t, pfn, pfn ^ 0x5a5a), 0);
	p2mo_digest(f, &b);
	KUNIT_EXPECT_EQ(test, a.sim, b.sim);
	for (pfn = 0; pfn < FIX_PFNS; pfn++)
		KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, pfn),
				pfn % 3 ? f->d0->p2m[pfn] : pfn ^ 0x5a5a);
	for (pfn = 0; pfn < FIX_PFNS; pfn += 3)
		KUNIT_ASSERT_EQ(test, p2mo_p2m_clear(&f->t, pfn), 0);
	p2mo_digest(f, &b);
	P2MO_EXPECT_DIGEST_EQ(test, &a, &b);
}

static void p2m_out_of_range(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct p2mo_digest a, b;

	p2mo_digest(f, &a);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_set(&f->t, FIX_PFNS, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_set(&f->t, P2MO_INVALID_ENTRY, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_clear(&f->t, FIX_PFNS), -EINVAL);
	p2mo_digest(f, &b);
	P2MO_EXPECT_DIGEST_EQ(test, &a, &b);
	/* lookups out of range are answered, not rejected */
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, FIX_PFNS), P2MO_INVALID_ENTRY);
}

static void p2m_state_bits(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d0, 30);

	KUNIT_EXPECT_EQ(test, p2mo_pfn_state(&f->t, 20), 0U);
	p2mo_p2m_set(&f->t, 20, 1);
	KUNIT_EXPECT_EQ(test, p2mo_pfn_state(&f->t, 20), (unsigned int)P2MO_PFN_ENTRY);
	KUNIT_EXPECT_EQ(test, p2mo_pfn_state(&f->t, 21), 0U);
	KUNIT_EXPECT_EQ(test, p2mo_pfn_state(&f->t, 19), 0U);
	p2mo_override_add(&f->t, mfn, FIX_BPFN(0), GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, p2mo_pfn_state(&f->t, 30), (unsigned int)P2MO_PFN_TAGGED);
	p2mo_override_remove(&f->t, mfn, FIX_BPFN(0));
	p2mo_p2m_clear(&f->t, 20);
	KUNIT_EXPECT_EQ(test, p2mo_pfn_state(&f->t, 20), 0U);
	KUNIT_EXPECT_EQ(test, p2mo_pfn_state(&f->t, 30), 0U);
	/* out of range and invalid pfns have no state */
	KUNIT_EXPECT_EQ(test, p2mo_pfn_state(&f->t, FIX_PFNS), 0U);
	KUNIT_EXPECT_EQ(test, p2mo_pfn_state(&f->t, P2MO_INVALID_ENTRY), 0U);
}

static void p2m_alloc_failure(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct p2mo_digest a, b;

	p2mo_digest(f, &a);
	atomic_set(&p2mo_fail_nth, 1);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_set(&f->t, 11, 1), -ENOMEM);
	p2mo_digest(f, &b);
	P2MO_EXPECT_DIGEST_EQ(test, &a, &b);
}

static void p2m_many_in_one_bucket(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long pfn, n = 0;

	/* 64 buckets, 256 pfns: every chain holds several */
	for (pfn = 0; pfn < FIX_PFNS; pfn++)
		KUNIT_ASSERT_EQ(test, p2mo_p2m_set(&f->t, pfn, pfn + 1000), 0);
	for (pfn = FIX_PFNS; pfn-- > 0;)
		n += p2mo_table_get_p2m(&f->t, pfn) == pfn + 1000;
	KUNIT_EXPECT_EQ(test, n, (unsigned long)FIX_PFNS);
	KUNIT_EXPECT_EQ(test, p2mo_table_drain(&f->t), (unsigned long)FIX_PFNS);
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 3), fix_mfn(f->d0, 3));
}

static struct kunit_case p2mo_p2m_cases[] = {
	KUNIT_CASE(p2m_set_get_clear),
	KUNIT_CASE(p2m_pfn_to_mfn_strips_bits),
	KUNIT_CASE(p2m_invalid_value),
	KUNIT_CASE(p2m_set_twice_eexist),
	KUNIT_CASE(p2m_clear_missing_enoent),
	KUNIT_CASE(p2m_backend_never_written),
	KUNIT_CASE(p2m_out_of_range),
	KUNIT_CASE(p2m_state_bits),
	KUNIT_CASE(p2m_alloc_failure),
	KUNIT_CASE(p2m_many_in_one_bucket),
	{}
};

static struct kunit_suite p2mo_p2m_suite = {
	.name = "p2mo_p2m",
	.init = p2mo_fix_init,
	.exit = p2mo_fix_exit,
	.test_cases = p2mo_p2m_cases,
};

kunit_test_suite(p2mo_p2m_suite);
