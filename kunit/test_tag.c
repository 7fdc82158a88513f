// SPDX-License-Identifier: GPL-2.0
/*
 * FOREIGN tagging for same-domain sharing: frontend and backend both in
 * domain 0, so p2m(m2p(mfn)) == mfn until the frontend pfn is tagged.
 */
#include "util.h"

static void tag_local_share(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d0, 3);

	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(1), GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 3), P2MO_FOREIGN_FRAME(mfn));
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 1);
	/* the lookup now resolves to the backend page */
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), FIX_BPFN(1));
	/* and the backend's own p2m is untouched */
	KUNIT_EXPECT_EQ(test, f->d0->p2m[3], mfn);
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(1)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 3), mfn);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), 3UL);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 0);
}

static void tag_remote_share_untagged(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d1, 3);

	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(1), GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 0);
	KUNIT_EXPECT_EQ(test, p2mo_live_p2m(&f->t), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 3), fix_mfn(f->d0, 3));
	p2mo_override_remove(&f->t, mfn, FIX_BPFN(1));
}

/*
 * A backend whose m2p names, for a frame, an owner pfn past its own
 * max_pfn (and whose p2m still answers there): the pfn has no view word,
 * so it owns nothing here (backend.h), and nothing may be tagged.  Chunk
 * 0 of the view exists (a p2m entry on pfn 1), so that a tag that wrongly
 * landed on pfn 100 would be counted, not fault on the zero chunk.
 */
static void tag_owner_past_max_pfn_untagged(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct p2mo_params params = { .m2p_bits = 6, .p2m_bits = 6, .lock_bits = 4 };
	struct p2mo_backend *be = &f->d0->be, saved = *be;
	struct p2mo_table *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	unsigned long mfn = fix_mfn(f->d0, 100);

	KUNIT_ASSERT_NOT_NULL(test, t);
	/* the fixture's own tables are left alone until it is restored */
	be->p2m = NULL;		/* out of line: the ops answer every pfn */
	be->m2p = NULL;
	be->max_pfn = 64;
	KUNIT_ASSERT_EQ(test, p2mo_table_init(t, be, &params), 0);
	KUNIT_ASSERT_EQ(test, p2mo_p2m_set(t, 1, 0x11), 0);
	KUNIT_EXPECT_EQ(test, p2mo_override_add(t, mfn, 32, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(t), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(t, mfn), 32UL);
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(t, mfn, 32), 0);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_clear(t, 1), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_uninit(t), 0);
	*be = saved;
}

/* One page shared three times at once; remove in the order given. */
static void tag_three_shares(struct kunit *test, const int *order)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d0, 4);
	int i;

	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(i), GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 1);
	for (i = 0; i < 3; i++) {
		int j, lowest = 3;

		/* the answer: the lowest backend pfn not yet removed */
		for (j = i; j < 3; j++)
			lowest = min(lowest, order[j]);
		KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 4), P2MO_FOREIGN_FRAME(mfn));
		KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), FIX_BPFN(lowest));
		KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(order[i])), 0);
	}
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 4), mfn);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), 4UL);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 0);
}

static void tag_three_shares_fifo(struct kunit *test)
{
	static const int order[] = { 0, 1, 2 };

	tag_three_shares(test, order);
}

static void tag_three_shares_lifo(struct kunit *test)
{
	static const int order[] = { 2, 1, 0 };

	tag_three_shares(test, order);
}

static void tag_three_shares_middle_first(struct kunit *test)
{
	static const int order[] = { 1, 2, 0 };

	tag_three_shares(test, order);
}

static void tag_answer_follows_lowest_left(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d0, 5);

	p2mo_override_add(&f->t, mfn, FIX_BPFN(7), GFP_KERNEL);
	p2mo_override_add(&f->t, mfn, FIX_BPFN(2), GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), FIX_BPFN(2));
	p2mo_override_remove(&f->t, mfn, FIX_BPFN(2));
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), FIX_BPFN(7));
	p2mo_override_remove(&f->t, mfn, FIX_BPFN(7));
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), 5UL);
}

static void tag_over_user_entry(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);

	/* pfn 20 is made to show frame mfn by a user entry */
	KUNIT_ASSERT_EQ(test, p2mo_p2m_set(&f->t, 20, fix_mfn(f->d0, 20)), 0);
	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, fix_mfn(f->d0, 20),
						FIX_BPFN(1), GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 20),
			P2MO_FOREIGN_FRAME(fix_mfn(f->d0, 20)));
	KUNIT_EXPECT_EQ(test, p2mo_live_p2m(&f->t), 1);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_clear(&f->t, 20), -EBUSY);
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, fix_mfn(f->d0, 20), FIX_BPFN(1)), 0);
	/* the user value comes back exactly, still a user entry */
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 20), fix_mfn(f->d0, 20));
	KUNIT_EXPECT_EQ(test, p2mo_live_p2m(&f->t), 1);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_clear(&f->t, 20), 0);
}

/*
 * The write path rewrites a tagged word without reading it: the ENTRY bit
 * it keeps must be the word's own, through answer changes too.
 */
static void tag_over_user_entry_answer_changes(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d0, 20);

	KUNIT_ASSERT_EQ(test, p2mo_p2m_set(&f->t, 20, mfn), 0);
	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(2), GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(1), GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), FIX_BPFN(1));
	/* the answer moves to the remaining override; entry and tag stay */
	KUNIT_ASSERT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(1)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), FIX_BPFN(2));
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 20), P2MO_FOREIGN_FRAME(mfn));
	KUNIT_EXPECT_EQ(test, p2mo_pfn_state(&f->t, 20),
			P2MO_PFN_TAGGED | P2MO_PFN_ENTRY);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_clear(&f->t, 20), -EBUSY);
	KUNIT_ASSERT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(2)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_pfn_state(&f->t, 20), P2MO_PFN_ENTRY);
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 20), mfn);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_clear(&f->t, 20), 0);
	KUNIT_EXPECT_EQ(test, p2mo_pfn_state(&f->t, 20), 0U);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), 20UL);
}

static void tag_user_set_on_tagged(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d0, 7);
	struct p2mo_digest a, b;

	p2mo_override_add(&f->t, mfn, FIX_BPFN(1), GFP_KERNEL);
	p2mo_digest(f, &a);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_set(&f->t, 7, 1), -EBUSY);
	/* a tag is no p2m entry of its own: nothing to clear */
	KUNIT_EXPECT_EQ(test, p2mo_p2m_clear(&f->t, 7), -ENOENT);
	p2mo_digest(f, &b);
	P2MO_EXPECT_DIGEST_EQ(test, &a, &b);
	p2mo_override_remove(&f->t, mfn, FIX_BPFN(1));
}

static void tag_hidden_frame_not_tagged(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d0, 8);

	/* the frontend pfn no longer shows mfn: nothing to tag */
	p2mo_p2m_set(&f->t, 8, P2MO_INVALID_ENTRY);
	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(1), GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 8), P2MO_INVALID_ENTRY);
	p2mo_override_remove(&f->t, mfn, FIX_BPFN(1));
	p2mo_p2m_clear(&f->t, 8);
}

static void tag_counters(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct p2mo_stats st;
	int i;

	for (i = 0; i < 4; i++)
		p2mo_override_add(&f->t, fix_mfn(f->d0, 30 + i), FIX_BPFN(i), GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 4);
	for (i = 0; i < 4; i++)
		p2mo_override_remove(&f->t, fix_mfn(f->d0, 30 + i), FIX_BPFN(i));
	p2mo_table_stats(&f->t, &st);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_TAGS_SET], 4ULL);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_TAGS_CLEARED], 4ULL);
}

static void tag_alloc_failure_unchanged(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d0, 9);
	struct p2mo_digest a, b;
	int nth;

	p2mo_digest(f, &a);
	/* 1: the override entry, 2: the filter chunk, 3: the tag chunk */
	for (nth = 1; nth <= 3; nth++) {
		atomic_set(&p2mo_fail_nth, nth);
		KUNIT_EXPECT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(1), GFP_KERNEL),
				-ENOMEM);
		p2mo_digest(f, &b);
		P2MO_EXPECT_DIGEST_EQ(test, &a, &b);
	}
	atomic_set(&p2mo_fail_nth, 4);
	KUNIT_EXPECT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(1), GFP_KERNEL), 0);
	atomic_set(&p2mo_fail_nth, 0);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 1);
	p2mo_override_remove(&f->t, mfn, FIX_BPFN(1));
}

static void tag_drain_restores(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct p2mo_digest a, b;
	int i;

	p2mo_digest(f, &a);
	for (i = 0; i < 8; i++) {
		p2mo_override_add(&f->t, fix_mfn(f->d0, i), FIX_BPFN(i), GFP_KERNEL);
		p2mo_override_add(&f->t, fix_mfn(f->d0, i), FIX_BPFN(i + 8), GFP_KERNEL);
	}
	KUNIT_EXPECT_EQ(test, p2mo_table_drain(&f->t), 16UL);
	p2mo_digest(f, &b);
	KUNIT_EXPECT_EQ(test, b.nr_tags, 0L);
	KUNIT_EXPECT_EQ(test, b.nr_p2m, 0L);
	KUNIT_EXPECT_EQ(test, a.sim, b.sim);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, fix_mfn(f->d0, i)),
				(unsigned long)i);
}

static struct kunit_case p2mo_tag_cases[] = {
	KUNIT_CASE(tag_owner_past_max_pfn_untagged),
	KUNIT_CASE(tag_local_share),
	KUNIT_CASE(tag_remote_share_untagged),
	KUNIT_CASE(tag_three_shares_fifo),
	KUNIT_CASE(tag_three_shares_lifo),
	KUNIT_CASE(tag_three_shares_middle_first),
	KUNIT_CASE(tag_answer_follows_lowest_left),
	KUNIT_CASE(tag_over_user_entry),
	KUNIT_CASE(tag_over_user_entry_answer_changes),
	KUNIT_CASE(tag_user_set_on_tagged),
	KUNIT_CASE(tag_hidden_frame_not_tagged),
	KUNIT_CASE(tag_counters),
	KUNIT_CASE(tag_alloc_failure_unchanged),
	KUNIT_CASE(tag_drain_restores),
	{}
};

static struct kunit_suite p2mo_tag_suite = {
	.name = "p2mo_tag",
	.init = p2mo_fix_init,
	.exit = p2mo_fix_exit,
	.test_cases = p2mo_tag_cases,
};

kunit_test_suite(p2mo_tag_suite);
