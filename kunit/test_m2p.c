// SPDX-License-Identifier: GPL-2.0
/*
 * m2p override table: add/find/remove, override-aware mfn_to_pfn, the
 * reverse map.  Frames come from remote domain 1 (no FOREIGN tagging).
 */
#include "util.h"

static void m2p_add_find_remove(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d1, 3), pfn;

	KUNIT_EXPECT_FALSE(test, p2mo_m2p_first(&f->t, mfn, &pfn));
	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(0), GFP_KERNEL), 0);
	KUNIT_ASSERT_TRUE(test, p2mo_m2p_first(&f->t, mfn, &pfn));
	KUNIT_EXPECT_EQ(test, pfn, FIX_BPFN(0));
	KUNIT_EXPECT_EQ(test, p2mo_live_overrides(&f->t), 1);
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(0)), 0);
	KUNIT_EXPECT_FALSE(test, p2mo_m2p_first(&f->t, mfn, &pfn));
	KUNIT_EXPECT_EQ(test, p2mo_live_overrides(&f->t), 0);
}

static void m2p_valid_m2p_answer(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long pfn;

	for (pfn = 0; pfn < FIX_POP; pfn++)
		KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, fix_mfn(f->d0, pfn)), pfn);
}

static void m2p_foreign_hit(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d1, 7);

	/* m2p says pfn 7 of domain 1; our p2m(7) is another frame */
	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(3), GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), FIX_BPFN(3));
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(3)), 0);
}

static void m2p_foreign_miss(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);

	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, fix_mfn(f->d1, 7)),
			P2MO_INVALID_ENTRY);
	/* a frame nobody owns */
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, 5), P2MO_INVALID_ENTRY);
}

static void m2p_identity_frame(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long frame = FIX_BPFN(60);	/* an unowned mfn number */

	KUNIT_ASSERT_EQ(test, p2mo_sim_p2m_poke(f->d0, frame,
						P2MO_IDENTITY_FRAME(frame)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, frame), frame);
	KUNIT_EXPECT_EQ(test, p2mo_table_pfn_to_mfn(&f->t, frame), frame);
	p2mo_sim_p2m_poke(f->d0, frame, P2MO_INVALID_ENTRY);
}

static void m2p_lowest_mapper_answers(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d1, 9);

	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(20), GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(10), GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(30), GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), FIX_BPFN(10));
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(10)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), FIX_BPFN(20));
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(30)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), FIX_BPFN(20));
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(20)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), P2MO_INVALID_ENTRY);
}

struct rmap_seen {
	unsigned long pfns[40];
	int n, stop_after;
};

static int rmap_collect(void *arg, unsigned long mfn, unsigned long bpfn)
{
	struct rmap_seen *s = arg;

	s->pfns[s->n++] = bpfn;
	return s->n == s->stop_after;
}

static void m2p_rmap_walk_all_in_order(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d1, 11), order[] = { 5, 1, 4, 2, 3 };
	struct rmap_seen s = { };
	int i;

	for (i = 0; i < 5; i++)
		KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(order[i]),
							GFP_KERNEL), 0);
	/* another mfn in the same table must not show up */
	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, fix_mfn(f->d1, 12), FIX_BPFN(9),
						GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, p2mo_rmap_walk(&f->t, mfn, rmap_collect, &s), 5);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ(test, s.pfns[i], FIX_BPFN(i + 1));
	for (i = 0; i < 5; i++)
		p2mo_override_remove(&f->t, mfn, FIX_BPFN(order[i]));
	p2mo_override_remove(&f->t, fix_mfn(f->d1, 12), FIX_BPFN(9));
}

static void m2p_rmap_walk_stops(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d1, 11);
	struct rmap_seen s = { .stop_after = 2 };
	int i;

	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(i), GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, p2mo_rmap_walk(&f->t, mfn, rmap_collect, &s), 2);
	KUNIT_EXPECT_EQ(test, s.n, 2);
	for (i = 0; i < 4; i++)
		p2mo_override_remove(&f->t, mfn, FIX_BPFN(i));
}

/* Runs longer than one batch of the walk: every pfn once, in order. */
static void m2p_rmap_walk_long_run(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d1, 13);
	struct rmap_seen s = { };
	int i;

	for (i = 39; i >= 0; i--)
		KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(i), GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, p2mo_rmap_walk(&f->t, mfn, rmap_collect, &s), 40);
	for (i = 0; i < 40; i++)
		KUNIT_EXPECT_EQ(test, s.pfns[i], FIX_BPFN(i));
	s = (struct rmap_seen){ .stop_after = 20 };
	KUNIT_EXPECT_EQ(test, p2mo_rmap_walk(&f->t, mfn, rmap_collect, &s), 20);
	KUNIT_EXPECT_EQ(test, s.pfns[19], FIX_BPFN(19));
	for (i = 0; i < 40; i++)
		p2mo_override_remove(&f->t, mfn, FIX_BPFN(i));
}

static void m2p_find_all_counts_beyond_max(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d1, 13), out[2] = { 0, 0 };
	int i;

	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(3 - i),
							GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, p2mo_m2p_find_all(&f->t, mfn, out, 2), 4U);
	KUNIT_EXPECT_EQ(test, out[0], FIX_BPFN(0));
	KUNIT_EXPECT_EQ(test, out[1], FIX_BPFN(1));
	KUNIT_EXPECT_EQ(test, p2mo_m2p_find_all(&f->t, fix_mfn(f->d1, 14), out, 2), 0U);
	for (i = 0; i < 4; i++)
		p2mo_override_remove(&f->t, mfn, FIX_BPFN(i));
}

static void m2p_answer_independent_of_history(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d1, 15);
	struct p2mo_digest a, b;
	int i;

	for (i = 0; i < 3; i++)
		p2mo_override_add(&f->t, mfn, FIX_BPFN(i), GFP_KERNEL);
	p2mo_digest(f, &a);
	for (i = 0; i < 3; i++)
		p2mo_override_remove(&f->t, mfn, FIX_BPFN(i));
	for (i = 2; i >= 0; i--)
		p2mo_override_add(&f->t, mfn, FIX_BPFN(i), GFP_KERNEL);
	p2mo_digest(f, &b);
	/* same set, other order: same chain, same answer */
	KUNIT_EXPECT_EQ(test, a.m2p, b.m2p);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), FIX_BPFN(0));
	for (i = 0; i < 3; i++)
		p2mo_override_remove(&f->t, mfn, FIX_BPFN(i));
}

static void m2p_colliding_mfns(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long pfn;

	/* 128 frames in 64 buckets: chains hold several mfns */
	for (pfn = 0; pfn < FIX_POP; pfn++)
		KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, fix_mfn(f->d1, pfn),
							FIX_BPFN(pfn), GFP_KERNEL), 0);
	for (pfn = 0; pfn < FIX_POP; pfn++)
		KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, fix_mfn(f->d1, pfn)),
				FIX_BPFN(pfn));
	for (pfn = 0; pfn < FIX_POP; pfn += 2)
		p2mo_override_remove(&f->t, fix_mfn(f->d1, pfn), FIX_BPFN(pfn));
	for (pfn = 0; pfn < FIX_POP; pfn++)
		KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, fix_mfn(f->d1, pfn)),
				pfn & 1 ? FIX_BPFN(pfn) : P2MO_INVALID_ENTRY);
	for (pfn = 1; pfn < FIX_POP; pfn += 2)
		p2mo_override_remove(&f->t, fix_mfn(f->d1, pfn), FIX_BPFN(pfn));
}

static void m2p_remove_middle(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d1, 17), out[3];

	p2mo_override_add(&f->t, mfn, FIX_BPFN(1), GFP_KERNEL);
	p2mo_override_add(&f->t, mfn, FIX_BPFN(2), GFP_KERNEL);
	p2mo_override_add(&f->t, mfn, FIX_BPFN(3), GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(2)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_m2p_find_all(&f->t, mfn, out, 3), 2U);
	KUNIT_EXPECT_EQ(test, out[0], FIX_BPFN(1));
	KUNIT_EXPECT_EQ(test, out[1], FIX_BPFN(3));
	p2mo_override_remove(&f->t, mfn, FIX_BPFN(1));
	p2mo_override_remove(&f->t, mfn, FIX_BPFN(3));
}

static void m2p_counters(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d1, 19);
	struct p2mo_stats st;

	p2mo_override_add(&f->t, mfn, FIX_BPFN(1), GFP_KERNEL);
	p2mo_table_mfn_to_pfn(&f->t, mfn);			/* hit */
	p2mo_table_mfn_to_pfn(&f->t, fix_mfn(f->d1, 20));	/* miss */
	p2mo_table_mfn_to_pfn(&f->t, fix_mfn(f->d0, 20));	/* m2p valid */
	p2mo_override_remove(&f->t, mfn, FIX_BPFN(1));
	p2mo_table_stats(&f->t, &st);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_OVERRIDES_ADDED], 1ULL);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_OVERRIDES_REMOVED], 1ULL);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_LOOKUPS_HIT], 1ULL);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_LOOKUPS_MISS], 1ULL);
}

static void m2p_filter_tracks_live_mfns(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d1, 100), other = fix_mfn(f->d1, 0);

	KUNIT_EXPECT_FALSE(test, p2mo_filter_test(&f->t.m2p_filter, mfn));
	p2mo_override_add(&f->t, mfn, FIX_BPFN(1), GFP_KERNEL);
	p2mo_override_add(&f->t, mfn, FIX_BPFN(2), GFP_KERNEL);
	KUNIT_EXPECT_TRUE(test, p2mo_filter_test(&f->t.m2p_filter, mfn));
	KUNIT_EXPECT_FALSE(test, p2mo_filter_test(&f->t.m2p_filter, other));
	p2mo_override_remove(&f->t, mfn, FIX_BPFN(1));
	/* another mapper is left: the bit stays */
	KUNIT_EXPECT_TRUE(test, p2mo_filter_test(&f->t.m2p_filter, mfn));
	p2mo_override_remove(&f->t, mfn, FIX_BPFN(2));
	KUNIT_EXPECT_FALSE(test, p2mo_filter_test(&f->t.m2p_filter, mfn));
	KUNIT_EXPECT_EQ(test, p2mo_m2p_find_all(&f->t, mfn, NULL, 0), 0U);
}

static u8 m2p_count_of(struct p2mo_fix *f, unsigned long mfn)
{
	return READ_ONCE(*p2mo_filter_byte_in(&f->t.m2p_filter, mfn));
}

/*
 * The filter byte counts a frame's overrides, so that a remove knows it
 * takes the last one without looking at the next entry; past
 * P2MO_FILTER_MANY it stops counting and removes walk the run.  Both
 * ways, the tag stays until the last override and the answer follows
 * the lowest backend pfn.  (Debug builds also check every counted remove
 * against the walk.)
 */
static void m2p_filter_counts_overrides(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long pfn = 5, mfn = fix_mfn(f->d0, pfn), nr = f->t.max_pfn, i;

	KUNIT_ASSERT_GT(test, nr, (unsigned long)P2MO_FILTER_MANY);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(i), GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, m2p_count_of(f, mfn), 3);
	KUNIT_EXPECT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(1), GFP_KERNEL), -EEXIST);
	KUNIT_EXPECT_EQ(test, m2p_count_of(f, mfn), 3);
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(1)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(0)), 0);
	KUNIT_EXPECT_EQ(test, m2p_count_of(f, mfn), 1);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), FIX_BPFN(2));
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(2)), 0);
	KUNIT_EXPECT_EQ(test, m2p_count_of(f, mfn), 0);
	KUNIT_EXPECT_EQ(test, p2mo_pfn_state(&f->t, pfn), 0U);

	/* every pfn of the domain maps the frame: more than the byte counts */
	for (i = 0; i < nr; i++) {
		KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, i, GFP_KERNEL), 0);
		KUNIT_EXPECT_EQ(test, m2p_count_of(f, mfn),
				(u8)min_t(unsigned long, i + 1, P2MO_FILTER_MANY));
	}
	for (i = 0; i < nr - 1; i++) {
		KUNIT_ASSERT_EQ(test, p2mo_override_remove(&f->t, mfn, i), 0);
		KUNIT_EXPECT_EQ(test, m2p_count_of(f, mfn), P2MO_FILTER_MANY);
		KUNIT_EXPECT_EQ(test, p2mo_pfn_state(&f->t, pfn), P2MO_PFN_TAGGED);
		KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), i + 1);
	}
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, mfn, nr - 1), 0);
	KUNIT_EXPECT_EQ(test, m2p_count_of(f, mfn), 0);
	KUNIT_EXPECT_EQ(test, p2mo_pfn_state(&f->t, pfn), 0U);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), pfn);
	KUNIT_EXPECT_EQ(test, p2mo_live_overrides(&f->t), 0L);
}

static void m2p_pfn_to_mfn_of_backend_page(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct gnttab_map_grant_ref op;
	int ref = fix_grant(test, f->d1, 21);

	KUNIT_ASSERT_EQ(test, fix_map(f, f->d1, ref, FIX_BPFN(4), &op), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, FIX_BPFN(4)),
			P2MO_FOREIGN_FRAME(fix_mfn(f->d1, 21)));
	KUNIT_EXPECT_EQ(test, p2mo_table_pfn_to_mfn(&f->t, FIX_BPFN(4)), fix_mfn(f->d1, 21));
	KUNIT_EXPECT_EQ(test, fix_unmap(f, &op, FIX_BPFN(4)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_pfn_to_mfn(&f->t, FIX_BPFN(4)), P2MO_INVALID_ENTRY);
}

static struct kunit_case p2mo_m2p_cases[] = {
	KUNIT_CASE(m2p_add_find_remove),
	KUNIT_CASE(m2p_valid_m2p_answer),
	KUNIT_CASE(m2p_foreign_hit),
	KUNIT_CASE(m2p_foreign_miss),
	KUNIT_CASE(m2p_identity_frame),
	KUNIT_CASE(m2p_lowest_mapper_answers),
	KUNIT_CASE(m2p_rmap_walk_all_in_order),
	KUNIT_CASE(m2p_rmap_walk_stops),
	KUNIT_CASE(m2p_rmap_walk_long_run),
	KUNIT_CASE(m2p_find_all_counts_beyond_max),
	KUNIT_CASE(m2p_answer_independent_of_history),
	KUNIT_CASE(m2p_colliding_mfns),
	KUNIT_CASE(m2p_remove_middle),
	KUNIT_CASE(m2p_counters),
	KUNIT_CASE(m2p_filter_tracks_live_mfns),
	KUNIT_CASE(m2p_filter_counts_overrides),
	KUNIT_CASE(m2p_pfn_to_mfn_of_backend_page),
	{}
};

static struct kunit_suite p2mo_m2p_suite = {
	.name = "p2mo_m2p",
	.init = p2mo_fix_init,
	.exit = p2mo_fix_exit,
	.test_cases = p2mo_m2p_cases,
};

kunit_test_suite(p2mo_m2p_suite);
