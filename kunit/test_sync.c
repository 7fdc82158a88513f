// SPDX-License-Identifier: GPL-2.0
/*
 * Staying in step with the real p2m (src/sync.c): every kind of event the
 * hooks can miss, made on the simulated machine behind the tables' back,
 * then found by verify and mended by repair, ending with the tables equal
 * to the simulated p2m (fix_expect_in_step()).
 */
#include <linux/delay.h>
#include "util.h"

#define N	6

struct raw {
	struct gnttab_map_grant_ref map[N];
	struct gnttab_unmap_grant_ref unmap[N];
	struct page *pages[N];
};

/*
 * Grants of @from's pfns [first, first+n) mapped at bpfns [at, at+n) by
 * the machine alone, as the kernel does with the module not loaded.
 */
static struct raw *raw_map(struct kunit *test, struct p2mo_sim_domain *from,
			   unsigned long first, unsigned long at, unsigned int n)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct raw *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < n; i++) {
		fix_map_op(&r->map[i], from, fix_grant(test, from, first + i),
			   FIX_BPFN(at + i));
		r->pages[i] = p2mo_sim_page(f->d0, FIX_BPFN(at + i));
	}
	KUNIT_ASSERT_EQ(test, f->d0->be.ops->map_refs(&f->d0->be, r->map, NULL,
						      r->pages, n), 0);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, r->map[i].status, GNTST_okay);
	return r;
}

/* Ops [first, first+n) unmapped by the machine alone: the hooks lost it. */
static void raw_unmap(struct kunit *test, struct raw *r, unsigned int first,
		      unsigned int n)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned int i;

	for (i = first; i < first + n; i++)
		fix_unmap_op(&r->unmap[i], &r->map[i],
			     f->d0->be.ops->pfn_of(&f->d0->be, r->pages[i]));
	KUNIT_EXPECT_EQ(test, f->d0->be.ops->unmap_refs(&f->d0->be, &r->unmap[first],
							NULL, &r->pages[first], n), 0);
}

static void expect_report(struct kunit *test, unsigned long stale,
			  unsigned long missing, unsigned long wrong_tag)
{
	struct p2mo_sync_report r;

	KUNIT_ASSERT_EQ(test, p2mo_sync_verify(&p2mo_fix(test)->t, &r), 0);
	KUNIT_EXPECT_EQ(test, r.stale, stale);
	KUNIT_EXPECT_EQ(test, r.missing, missing);
	KUNIT_EXPECT_EQ(test, r.wrong_tag, wrong_tag);
}

static void sync_adopts_preexisting(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct raw *local = raw_map(test, f->d0, 40, 0, 3);
	struct raw *remote = raw_map(test, f->d1, 10, 3, 3);
	struct p2mo_stats st;

	/* mapped before the module loaded: the tables know nothing */
	expect_report(test, 0, 6, 0);
	KUNIT_EXPECT_EQ(test, p2mo_live_overrides(&f->t), 0);
	KUNIT_EXPECT_EQ(test, p2mo_sync_adopt(&f->t), 0);
	fix_expect_in_step(test, f);
	/* the 2012 rule: the local frontend pages are tagged */
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 3);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, fix_mfn(f->d0, 41)), FIX_BPFN(1));
	p2mo_table_stats(&f->t, &st);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_ADOPTED], 6ULL);
	/* adopting again finds nothing to do */
	KUNIT_EXPECT_EQ(test, p2mo_sync_adopt(&f->t), 0);
	p2mo_table_stats(&f->t, &st);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_ADOPTED], 6ULL);
	/* the hooks see the unmaps as usual */
	p2mo_track_unmapped(&f->t, local->pages, 3);
	raw_unmap(test, local, 0, 3);
	p2mo_track_unmapped(&f->t, remote->pages, 3);
	raw_unmap(test, remote, 0, 3);
	p2mo_table_stats(&f->t, &st);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_UNTRACKED_UNMAPS], 0ULL);
	fix_expect_in_step(test, f);
}

static void sync_repairs_dropped_unmap(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct raw *r = raw_map(test, f->d0, 20, 0, 4);
	struct p2mo_sync_report rep;

	p2mo_track_mapped(&f->t, r->map, NULL, r->pages, 4);
	fix_expect_in_step(test, f);
	/* the unmap probe missed this batch: four stale overrides, tags */
	raw_unmap(test, r, 0, 4);
	expect_report(test, 4, 0, 0);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 4);
	KUNIT_ASSERT_EQ(test, p2mo_sync_repair(&f->t, &rep), 0);
	KUNIT_EXPECT_EQ(test, rep.dropped, 4UL);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, fix_mfn(f->d0, 20)), 20UL);
	fix_expect_in_step(test, f);
}

static void sync_repairs_dropped_map(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct raw *seen = raw_map(test, f->d1, 0, 0, 2);
	struct raw *lost = raw_map(test, f->d1, 2, 2, 3);
	struct p2mo_sync_report rep;

	p2mo_track_mapped(&f->t, seen->map, NULL, seen->pages, 2);
	/* the map probe missed the second batch */
	expect_report(test, 0, 3, 0);
	KUNIT_ASSERT_EQ(test, p2mo_sync_repair(&f->t, &rep), 0);
	KUNIT_EXPECT_EQ(test, rep.added, 3UL);
	fix_expect_in_step(test, f);
	p2mo_track_unmapped(&f->t, lost->pages, 3);
	raw_unmap(test, lost, 0, 3);
	p2mo_track_unmapped(&f->t, seen->pages, 2);
	raw_unmap(test, seen, 0, 2);
	fix_expect_in_step(test, f);
}

static void sync_remap_replaces_stale(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct raw *a = raw_map(test, f->d1, 30, 0, 1);
	struct raw *b;
	struct p2mo_stats st;

	KUNIT_ASSERT_EQ(test, p2mo_sync_init(&f->t, 0, NULL), 0);
	p2mo_track_mapped(&f->t, a->map, NULL, a->pages, 1);
	raw_unmap(test, a, 0, 1);	/* lost */
	expect_report(test, 1, 0, 0);
	/* the same backend page now holds another frame, seen mapped */
	b = raw_map(test, f->d1, 31, 0, 1);
	p2mo_track_mapped(&f->t, b->map, NULL, b->pages, 1);
	p2mo_table_stats(&f->t, &st);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_REMAPS_REPLACED], 1ULL);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, fix_mfn(f->d1, 31)), FIX_BPFN(0));
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, fix_mfn(f->d1, 30)),
			P2MO_INVALID_ENTRY);
	fix_expect_in_step(test, f);
	p2mo_track_unmapped(&f->t, b->pages, 1);
	raw_unmap(test, b, 0, 1);
	p2mo_sync_uninit(&f->t);
	fix_expect_in_step(test, f);
}

static void sync_skips_page_being_unmapped(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct raw *r = raw_map(test, f->d1, 50, 0, 2);
	struct p2mo_sync_report rep;
	struct p2mo_stats st;

	KUNIT_ASSERT_EQ(test, p2mo_sync_init(&f->t, 0, NULL), 0);
	/*
	 * The unmap hook has run for page 0 (it found no override) and the
	 * kernel is about to clear its p2m entry: a pass must not adopt it.
	 */
	p2mo_track_unmapped(&f->t, r->pages, 1);
	KUNIT_ASSERT_EQ(test, p2mo_sync_repair(&f->t, &rep), 0);
	KUNIT_EXPECT_EQ(test, rep.added, 1UL);
	KUNIT_EXPECT_EQ(test, rep.deferred, 1UL);
	KUNIT_EXPECT_TRUE(test, f->t.sync->retry);
	p2mo_table_stats(&f->t, &st);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_RECONCILE_DEFERRED], 1ULL);
	raw_unmap(test, r, 0, 1);
	fix_expect_in_step(test, f);
	p2mo_track_unmapped(&f->t, &r->pages[1], 1);
	raw_unmap(test, r, 1, 1);
	p2mo_sync_uninit(&f->t);
	fix_expect_in_step(test, f);
}

static void sync_fixes_wrong_tag(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct raw *r = raw_map(test, f->d0, 60, 0, 1);
	unsigned long mfn = fix_mfn(f->d0, 60);
	struct p2mo_sync_report rep;

	p2mo_track_mapped(&f->t, r->map, NULL, r->pages, 1);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 1);
	/* the frontend's pfn no longer maps the frame: the tag is wrong */
	KUNIT_ASSERT_EQ(test, p2mo_sim_p2m_poke(f->d0, 60, P2MO_INVALID_ENTRY), 0);
	expect_report(test, 0, 0, 1);
	KUNIT_ASSERT_EQ(test, p2mo_sync_repair(&f->t, &rep), 0);
	KUNIT_EXPECT_EQ(test, rep.tags_fixed, 1UL);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 0);
	KUNIT_EXPECT_EQ(test, p2mo_live_overrides(&f->t), 1);
	expect_report(test, 0, 0, 0);
	/* and back: the frame is the frontend's again, tagged by repair */
	p2mo_sim_p2m_poke(f->d0, 60, mfn);
	expect_report(test, 0, 0, 1);
	KUNIT_ASSERT_EQ(test, p2mo_sync_repair(&f->t, &rep), 0);
	fix_expect_in_step(test, f);
	p2mo_track_unmapped(&f->t, r->pages, 1);
	raw_unmap(test, r, 0, 1);
	fix_expect_in_step(test, f);
}

static void sync_verify_changes_nothing(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct raw *r = raw_map(test, f->d0, 70, 0, 2);
	struct p2mo_digest a, c;

	p2mo_track_mapped(&f->t, r->map, NULL, &r->pages[0], 1);
	raw_unmap(test, r, 0, 1);	/* one stale, one missing (page 1) */
	p2mo_digest(f, &a);
	expect_report(test, 1, 1, 0);
	p2mo_digest(f, &c);
	P2MO_EXPECT_DIGEST_EQ(test, &a, &c);
	p2mo_override_remove(&f->t, fix_mfn(f->d0, 70), FIX_BPFN(0));
	raw_unmap(test, r, 1, 1);
	fix_expect_in_step(test, f);
}

static unsigned long sync_test_lost;

static unsigned long sync_test_lost_fn(void)
{
	return READ_ONCE(sync_test_lost);
}

static void sync_watch_repairs_when_losses_move(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct raw *r = raw_map(test, f->d1, 80, 0, 2);
	struct p2mo_stats st;
	unsigned int i;

	WRITE_ONCE(sync_test_lost, 0);
	KUNIT_ASSERT_EQ(test, p2mo_sync_init(&f->t, 10, sync_test_lost_fn), 0);
	/* nothing lost yet: the watch leaves the tables alone */
	msleep(50);
	p2mo_table_stats(&f->t, &st);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_RECONCILE_PASSES], 0ULL);
	KUNIT_EXPECT_EQ(test, p2mo_live_overrides(&f->t), 0);
	/* a probe reports a miss: the next look repairs */
	WRITE_ONCE(sync_test_lost, 1);
	for (i = 0; i < 50 && p2mo_live_overrides(&f->t) < 2; i++)
		msleep(20);
	p2mo_table_stats(&f->t, &st);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_RECONCILED_ADDED], 2ULL);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_RECONCILE_PASSES], 1ULL);
	p2mo_sync_uninit(&f->t);
	fix_expect_in_step(test, f);
	p2mo_track_unmapped(&f->t, r->pages, 2);
	raw_unmap(test, r, 0, 2);
	fix_expect_in_step(test, f);
}

static struct kunit_case p2mo_sync_cases[] = {
	KUNIT_CASE(sync_adopts_preexisting),
	KUNIT_CASE(sync_repairs_dropped_unmap),
	KUNIT_CASE(sync_repairs_dropped_map),
	KUNIT_CASE(sync_remap_replaces_stale),
	KUNIT_CASE(sync_skips_page_being_unmapped),
	KUNIT_CASE(sync_fixes_wrong_tag),
	KUNIT_CASE(sync_verify_changes_nothing),
	KUNIT_CASE(sync_watch_repairs_when_losses_move),
	{}
};

static struct kunit_suite p2mo_sync_suite = {
	.name = "p2mo_sync",
	.init = p2mo_fix_init,
	.exit = p2mo_fix_exit,
	.test_cases = p2mo_sync_cases,
};

kunit_test_suite(p2mo_sync_suite);
