// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input: every call returns a clear error and changes nothing (the
 * digest of tables and machine is the same before and after).
 */
#include "util.h"

struct err_ctx {
	struct p2mo_fix *f;
	struct p2mo_digest before;
};

static void err_begin(struct kunit *test, struct err_ctx *c)
{
	c->f = p2mo_fix(test);
	p2mo_digest(c->f, &c->before);
}

static void err_end(struct kunit *test, struct err_ctx *c)
{
	struct p2mo_digest after;

	p2mo_digest(c->f, &after);
	P2MO_EXPECT_DIGEST_EQ(test, &c->before, &after);
}

static void err_add_mfn_out_of_range(struct kunit *test)
{
	struct err_ctx c;

	err_begin(test, &c);
	KUNIT_EXPECT_EQ(test, p2mo_override_add(&c.f->t, FIX_MFNS, FIX_BPFN(0), GFP_KERNEL),
			-EINVAL);
	err_end(test, &c);
}

static void err_add_bpfn_out_of_range(struct kunit *test)
{
	struct err_ctx c;

	err_begin(test, &c);
	KUNIT_EXPECT_EQ(test, p2mo_override_add(&c.f->t, fix_mfn(c.f->d1, 0), FIX_PFNS, GFP_KERNEL),
			-EINVAL);
	err_end(test, &c);
}

static void err_add_invalid_entry(struct kunit *test)
{
	struct err_ctx c;

	err_begin(test, &c);
	KUNIT_EXPECT_EQ(test, p2mo_override_add(&c.f->t, P2MO_INVALID_ENTRY, FIX_BPFN(0),
						GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_override_add(&c.f->t, fix_mfn(c.f->d1, 0), P2MO_INVALID_ENTRY,
						GFP_KERNEL), -EINVAL);
	err_end(test, &c);
}

static void err_add_frame_bits(struct kunit *test)
{
	struct err_ctx c;
	unsigned long mfn;

	err_begin(test, &c);
	mfn = fix_mfn(c.f->d1, 0);
	KUNIT_EXPECT_EQ(test, p2mo_override_add(&c.f->t, P2MO_FOREIGN_FRAME(mfn), FIX_BPFN(0),
						GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_override_add(&c.f->t, P2MO_IDENTITY_FRAME(mfn), FIX_BPFN(0),
						GFP_KERNEL), -EINVAL);
	err_end(test, &c);
}

static void err_add_duplicate(struct kunit *test)
{
	struct err_ctx c;
	unsigned long mfn;

	c.f = p2mo_fix(test);
	mfn = fix_mfn(c.f->d0, 0);	/* local: a tag is involved */
	KUNIT_ASSERT_EQ(test, p2mo_override_add(&c.f->t, mfn, FIX_BPFN(0), GFP_KERNEL), 0);
	err_begin(test, &c);
	KUNIT_EXPECT_EQ(test, p2mo_override_add(&c.f->t, mfn, FIX_BPFN(0), GFP_KERNEL),
			-EEXIST);
	err_end(test, &c);
	p2mo_override_remove(&c.f->t, mfn, FIX_BPFN(0));
}

static void err_remove_missing(struct kunit *test)
{
	struct err_ctx c;
	unsigned long mfn;

	c.f = p2mo_fix(test);
	mfn = fix_mfn(c.f->d1, 0);
	KUNIT_ASSERT_EQ(test, p2mo_override_add(&c.f->t, mfn, FIX_BPFN(0), GFP_KERNEL), 0);
	err_begin(test, &c);
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&c.f->t, mfn, FIX_BPFN(1)), -ENOENT);
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&c.f->t, fix_mfn(c.f->d1, 1), FIX_BPFN(0)),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&c.f->t, FIX_MFNS, FIX_BPFN(0)), -EINVAL);
	err_end(test, &c);
	p2mo_override_remove(&c.f->t, mfn, FIX_BPFN(0));
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&c.f->t, mfn, FIX_BPFN(0)), -ENOENT);
}

static void err_batch_bad_args(struct kunit *test)
{
	struct gnttab_map_grant_ref map = { };
	struct gnttab_unmap_grant_ref unmap = { };
	struct page *page;
	struct err_ctx c;

	err_begin(test, &c);
	page = p2mo_sim_page(c.f->d0, FIX_BPFN(0));
	KUNIT_EXPECT_EQ(test, p2mo_table_map_refs(&c.f->t, &map, NULL, &page, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_table_map_refs(&c.f->t, NULL, NULL, &page, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_table_map_refs(&c.f->t, &map, NULL, NULL, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_table_map_refs(&c.f->t, &map, NULL, &page, P2MO_MAX_BATCH + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_table_unmap_refs(&c.f->t, &unmap, NULL, &page, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_table_unmap_refs(&c.f->t, NULL, NULL, &page, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_table_unmap_refs(&c.f->t, &unmap, NULL, NULL, 1), -EINVAL);
	err_end(test, &c);
}

static void err_unmap_alloc_failure(struct kunit *test)
{
	struct gnttab_map_grant_ref op;
	struct err_ctx c;
	int ref;

	c.f = p2mo_fix(test);
	ref = fix_grant(test, c.f->d1, 0);
	KUNIT_ASSERT_EQ(test, fix_map(c.f, c.f->d1, ref, FIX_BPFN(0), &op), 0);
	err_begin(test, &c);
	atomic_set(&p2mo_fail_nth, 1);
	KUNIT_EXPECT_EQ(test, fix_unmap(c.f, &op, FIX_BPFN(0)), -ENOMEM);
	err_end(test, &c);
	KUNIT_EXPECT_EQ(test, fix_unmap(c.f, &op, FIX_BPFN(0)), 0);
}

static void err_map_unmapped_page_unknown(struct kunit *test)
{
	struct gnttab_map_grant_ref op;
	struct err_ctx c;

	err_begin(test, &c);
	/* a page of another domain: the backend refuses it */
	fix_map_op(&op, c.f->d1, 0, FIX_BPFN(0));
	{
		struct page *page = p2mo_sim_page(c.f->d1, FIX_BPFN(0));

		KUNIT_EXPECT_EQ(test, p2mo_table_map_refs(&c.f->t, &op, NULL, &page, 1), -EIO);
	}
	KUNIT_EXPECT_EQ(test, op.status, GNTST_bad_virt_addr);
	err_end(test, &c);
}

static void err_uninit_busy_then_drain(struct kunit *test)
{
	struct err_ctx c;
	unsigned long mfn;

	c.f = p2mo_fix(test);
	mfn = fix_mfn(c.f->d0, 1);
	KUNIT_ASSERT_EQ(test, p2mo_override_add(&c.f->t, mfn, FIX_BPFN(0), GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, p2mo_p2m_set(&c.f->t, 9, 9), 0);
	err_begin(test, &c);
	KUNIT_EXPECT_EQ(test, p2mo_table_uninit(&c.f->t), -EBUSY);
	err_end(test, &c);
	/* still fully usable */
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&c.f->t, mfn), FIX_BPFN(0));
	KUNIT_EXPECT_EQ(test, p2mo_table_drain(&c.f->t), 2UL);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&c.f->t, mfn), 1UL);
}

static void err_rejected_counted(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct p2mo_stats st;

	p2mo_override_add(&f->t, FIX_MFNS, 0, GFP_KERNEL);
	p2mo_override_remove(&f->t, fix_mfn(f->d1, 0), FIX_BPFN(0));
	p2mo_p2m_clear(&f->t, 3);
	p2mo_table_stats(&f->t, &st);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_REJECTED], 3ULL);
}

static struct kunit_case p2mo_errors_cases[] = {
	KUNIT_CASE(err_add_mfn_out_of_range),
	KUNIT_CASE(err_add_bpfn_out_of_range),
	KUNIT_CASE(err_add_invalid_entry),
	KUNIT_CASE(err_add_frame_bits),
	KUNIT_CASE(err_add_duplicate),
	KUNIT_CASE(err_remove_missing),
	KUNIT_CASE(err_batch_bad_args),
	KUNIT_CASE(err_unmap_alloc_failure),
	KUNIT_CASE(err_map_unmapped_page_unknown),
	KUNIT_CASE(err_uninit_busy_then_drain),
	KUNIT_CASE(err_rejected_counted),
	{}
};

static struct kunit_suite p2mo_errors_suite = {
	.name = "p2mo_errors",
	.init = p2mo_fix_init,
	.exit = p2mo_fix_exit,
	.test_cases = p2mo_errors_cases,
};

kunit_test_suite(p2mo_errors_suite);
