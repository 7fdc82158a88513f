// SPDX-License-Identifier: GPL-2.0
/*
 * Grant map/unmap through the tables: overrides follow the maps, and a
 * batch that fails for any reason leaves tables and machine as before.
 */
#include "hooks.h"
#include "util.h"

#define BATCH	32

struct batch {
	struct gnttab_map_grant_ref map[BATCH];
	struct gnttab_map_grant_ref kmap[BATCH];
	struct gnttab_unmap_grant_ref unmap[BATCH];
	struct gnttab_unmap_grant_ref kunmap[BATCH];
	struct page *pages[BATCH];
	int refs[BATCH];
};

/* n grants of domain @from's pfns [first, first+n) at bpfns [0, n) */
static struct batch *batch_new(struct kunit *test, struct p2mo_sim_domain *from,
			       unsigned long first, unsigned int n)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct batch *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < n; i++) {
		b->refs[i] = fix_grant(test, from, first + i);
		fix_map_op(&b->map[i], from, b->refs[i], FIX_BPFN(i));
		/* kernel mappings use the same grant at another address */
		gnttab_set_map_op(&b->kmap[i], p2mo_sim_addr(FIX_BPFN(i)) + 1,
				  GNTMAP_host_map, b->refs[i], from->domid);
		b->pages[i] = p2mo_sim_page(f->d0, FIX_BPFN(i));
	}
	return b;
}

static int batch_unmap(struct p2mo_fix *f, struct batch *b, unsigned int n,
		       bool kmap)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		fix_unmap_op(&b->unmap[i], &b->map[i], FIX_BPFN(i));
		gnttab_set_unmap_op(&b->kunmap[i], b->kmap[i].host_addr,
				    GNTMAP_host_map, b->kmap[i].handle);
	}
	return p2mo_table_unmap_refs(&f->t, b->unmap, kmap ? b->kunmap : NULL,
				     b->pages, n);
}

static void grant_map_one(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d1, 2);
	struct gnttab_map_grant_ref op;
	int ref = fix_grant(test, f->d1, 2);

	KUNIT_ASSERT_EQ(test, fix_map(f, f->d1, ref, FIX_BPFN(0), &op), 0);
	KUNIT_EXPECT_EQ(test, op.status, GNTST_okay);
	KUNIT_EXPECT_EQ(test, f->d0->p2m[FIX_BPFN(0)], P2MO_FOREIGN_FRAME(mfn));
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), FIX_BPFN(0));
	KUNIT_EXPECT_EQ(test, p2mo_live_overrides(&f->t), 1);
	KUNIT_EXPECT_EQ(test, fix_unmap(f, &op, FIX_BPFN(0)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_live_overrides(&f->t), 0);
	KUNIT_EXPECT_EQ(test, f->d0->p2m[FIX_BPFN(0)], P2MO_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, p2mo_sim_end_grant(f->d1, ref), 0);
}

static void grant_map_batch(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct batch *b = batch_new(test, f->d1, 0, BATCH);
	struct p2mo_stats st;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, p2mo_table_map_refs(&f->t, b->map, NULL, b->pages, BATCH), 0);
	KUNIT_EXPECT_EQ(test, p2mo_live_overrides(&f->t), BATCH);
	for (i = 0; i < BATCH; i++)
		KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, fix_mfn(f->d1, i)),
				FIX_BPFN(i));
	KUNIT_EXPECT_EQ(test, batch_unmap(f, b, BATCH, false), 0);
	p2mo_table_stats(&f->t, &st);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_MAPS_SEEN], (u64)BATCH);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_UNMAPS_SEEN], (u64)BATCH);
}

static void grant_same_page_three_times(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d0, 40), out[3];
	struct batch *b = batch_new(test, f->d0, 40, 1);
	unsigned int i;

	/* one local grant, mapped at three backend pages at once */
	for (i = 1; i < 3; i++) {
		b->map[i] = b->map[0];
		fix_map_op(&b->map[i], f->d0, b->refs[0], FIX_BPFN(i));
		b->pages[i] = p2mo_sim_page(f->d0, FIX_BPFN(i));
	}
	KUNIT_ASSERT_EQ(test, p2mo_table_map_refs(&f->t, b->map, NULL, b->pages, 3), 0);
	KUNIT_EXPECT_EQ(test, p2mo_m2p_find_all(&f->t, mfn, out, 3), 3U);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 1);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), FIX_BPFN(0));
	KUNIT_EXPECT_EQ(test, batch_unmap(f, b, 3, false), 0);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), 40UL);
}

static void grant_local_map_tags_frontend(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d0, 41);
	struct gnttab_map_grant_ref op;
	int ref = fix_grant(test, f->d0, 41);

	KUNIT_ASSERT_EQ(test, fix_map(f, f->d0, ref, FIX_BPFN(5), &op), 0);
	/* m2p still names the frontend page, the override the backend's */
	KUNIT_EXPECT_EQ(test, f->m->m2p[mfn], 41UL);
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 41), P2MO_FOREIGN_FRAME(mfn));
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), FIX_BPFN(5));
	KUNIT_EXPECT_EQ(test, fix_unmap(f, &op, FIX_BPFN(5)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), 41UL);
}

static void grant_op_failure_undoes_all(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct batch *b = batch_new(test, f->d0, 0, 8);
	struct p2mo_digest a, c;
	unsigned int i;

	p2mo_digest(f, &a);
	p2mo_sim_fail_op(f->m, 5, GNTST_bad_gntref);
	KUNIT_EXPECT_EQ(test, p2mo_table_map_refs(&f->t, b->map, NULL, b->pages, 8), -EIO);
	p2mo_digest(f, &c);
	P2MO_EXPECT_DIGEST_EQ(test, &a, &c);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, b->map[i].status,
				i == 4 ? GNTST_bad_gntref : GNTST_general_error);
}

/* The i-th allocation fails, for every i, at several batch sizes. */
static void grant_alloc_failure_every_site(struct kunit *test)
{
	static const unsigned int sizes[] = { 1, 2, 5, 8 };
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned int s, sites = 0;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		/* a local frame: the tag allocation is a site too */
		struct batch *b = batch_new(test, f->d0, 10 * s, sizes[s]);
		struct p2mo_digest a, c;
		int nth, err;

		p2mo_digest(f, &a);
		for (nth = 1; ; nth++) {
			p2mo_pool_trim(f->t.pool);	/* entries from the slab */
			atomic_set(&p2mo_fail_nth, nth);
			err = p2mo_table_map_refs(&f->t, b->map, NULL, b->pages, sizes[s]);
			if (!err)
				break;
			sites++;
			KUNIT_EXPECT_EQ(test, err, -ENOMEM);
			p2mo_digest(f, &c);
			P2MO_EXPECT_DIGEST_EQ(test, &a, &c);
		}
		atomic_set(&p2mo_fail_nth, 0);
		/*
		 * The undo buffer and one entry per op; the first batch also
		 * allocates the chunks of the filter and tag bitmaps.
		 */
		KUNIT_EXPECT_EQ(test, nth - 1, (int)(1 + sizes[s] + (s ? 0 : 2)));
		KUNIT_EXPECT_EQ(test, batch_unmap(f, b, sizes[s], false), 0);
	}
	KUNIT_EXPECT_EQ(test, sites, 4U + 3 + 6 + 9);
}

static void grant_backend_call_failure(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct batch *b = batch_new(test, f->d1, 0, 4);
	struct p2mo_digest a, c;

	p2mo_digest(f, &a);
	p2mo_sim_fail_call(f->m, -EFAULT);
	KUNIT_EXPECT_EQ(test, p2mo_table_map_refs(&f->t, b->map, NULL, b->pages, 4), -EFAULT);
	p2mo_digest(f, &c);
	P2MO_EXPECT_DIGEST_EQ(test, &a, &c);
}

static void grant_kmap_ops(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct batch *b = batch_new(test, f->d1, 0, 4);
	unsigned int i;

	KUNIT_ASSERT_EQ(test, p2mo_table_map_refs(&f->t, b->map, b->kmap, b->pages, 4), 0);
	KUNIT_EXPECT_EQ(test, f->m->live_handles, 8U);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, f->d1->grants[b->refs[i]].maps, 2U);
	KUNIT_EXPECT_EQ(test, batch_unmap(f, b, 4, true), 0);
	KUNIT_EXPECT_EQ(test, f->m->live_handles, 0U);
}

static void grant_kmap_failure_undoes_all(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct batch *b = batch_new(test, f->d1, 0, 4);
	struct p2mo_digest a, c;
	struct p2mo_stats st;

	p2mo_digest(f, &a);
	/*
	 * ops are counted as the hypercalls go, map0..map3 then kmap0..kmap3:
	 * the kernel mapping of op 1 fails
	 */
	p2mo_sim_fail_op(f->m, 6, GNTST_general_error);
	KUNIT_EXPECT_EQ(test, p2mo_table_map_refs(&f->t, b->map, b->kmap, b->pages, 4), -EIO);
	p2mo_digest(f, &c);
	P2MO_EXPECT_DIGEST_EQ(test, &a, &c);
	/*
	 * and a user mapping failing under a good kernel mapping: its page's
	 * p2m was never set, so the undo's kunmap-only call returns -EINVAL
	 * from clear_foreign_p2m_mapping(), which is no failure of the undo
	 */
	p2mo_sim_fail_op(f->m, 3, GNTST_general_error);
	KUNIT_EXPECT_EQ(test, p2mo_table_map_refs(&f->t, b->map, b->kmap, b->pages, 4), -EIO);
	p2mo_digest(f, &c);
	P2MO_EXPECT_DIGEST_EQ(test, &a, &c);
	p2mo_table_stats(&f->t, &st);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_BATCHES_UNDONE], 2ULL);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_UNDO_FAILED], 0ULL);
}

static void grant_unmap_failed_op_follows_p2m(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct batch *b = batch_new(test, f->d1, 0, 3);

	KUNIT_ASSERT_EQ(test, p2mo_table_map_refs(&f->t, b->map, NULL, b->pages, 3), 0);
	p2mo_sim_fail_op(f->m, 2, GNTST_general_error);
	KUNIT_EXPECT_EQ(test, batch_unmap(f, b, 3, false), -EIO);
	/*
	 * Linux 6.1 clears the p2m of every page of the batch once the
	 * hypercall returned, op 1's too: its override goes with it, while
	 * its mapping stays in the hypervisor until the caller retries.
	 */
	KUNIT_EXPECT_EQ(test, f->d0->p2m[FIX_BPFN(1)], P2MO_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, p2mo_live_overrides(&f->t), 0);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 0);
	KUNIT_EXPECT_EQ(test, f->m->live_handles, 1U);
	fix_expect_in_step(test, f);
	/* the retry unmaps it; the p2m was not FOREIGN: -EINVAL, as Linux */
	fix_unmap_op(&b->unmap[0], &b->map[1], FIX_BPFN(1));
	KUNIT_EXPECT_EQ(test, p2mo_table_unmap_refs(&f->t, b->unmap, NULL, &b->pages[1], 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, f->m->live_handles, 0U);
	fix_expect_in_step(test, f);
}

static void grant_unmap_call_failure_keeps_all(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct batch *b = batch_new(test, f->d1, 0, 3);
	struct p2mo_digest a, c;

	KUNIT_ASSERT_EQ(test, p2mo_table_map_refs(&f->t, b->map, NULL, b->pages, 3), 0);
	p2mo_digest(f, &a);
	/* the unmap hypercall itself fails: no p2m entry is cleared */
	p2mo_sim_fail_call(f->m, -EFAULT);
	KUNIT_EXPECT_EQ(test, batch_unmap(f, b, 3, false), -EFAULT);
	p2mo_digest(f, &c);
	P2MO_EXPECT_DIGEST_EQ(test, &a, &c);
	fix_expect_in_step(test, f);
	KUNIT_EXPECT_EQ(test, batch_unmap(f, b, 3, false), 0);
	fix_expect_in_step(test, f);
}

static void grant_map_error_after_first_call(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct batch *b = batch_new(test, f->d1, 0, 4);
	struct p2mo_digest a, c;

	p2mo_digest(f, &a);
	/*
	 * gnttab_map_refs(): the map hypercall maps all four, then the kmap
	 * hypercall in set_foreign_p2m_mapping() fails: the call returns its
	 * error with the four user mappings made and no p2m set.
	 */
	p2mo_sim_fail_second_call(f->m, -ENOMEM);
	KUNIT_EXPECT_EQ(test, p2mo_table_map_refs(&f->t, b->map, b->kmap, b->pages, 4),
			-ENOMEM);
	p2mo_digest(f, &c);
	P2MO_EXPECT_DIGEST_EQ(test, &a, &c);
	KUNIT_EXPECT_EQ(test, f->m->live_handles, 0U);
	fix_expect_in_step(test, f);
}

static void grant_unmap_untracked(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct batch *b = batch_new(test, f->d1, 0, 2);
	struct p2mo_stats st;

	/* mapped behind the layer's back, as before the module loaded */
	KUNIT_ASSERT_EQ(test, f->d0->be.ops->map_refs(&f->d0->be, b->map, NULL, b->pages, 2), 0);
	KUNIT_EXPECT_EQ(test, batch_unmap(f, b, 2, false), 0);
	p2mo_table_stats(&f->t, &st);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_UNTRACKED_UNMAPS], 2ULL);
	/* expected after a reload: counted, not refused */
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_REJECTED], 0ULL);
	KUNIT_EXPECT_EQ(test, f->m->live_handles, 0U);
}

static void grant_existing_override_eexist(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct batch *b = batch_new(test, f->d1, 0, 4);
	struct p2mo_digest a, c;

	/* a stale override on the pair op 2 will produce */
	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, fix_mfn(f->d1, 2), FIX_BPFN(2),
						GFP_KERNEL), 0);
	p2mo_digest(f, &a);
	KUNIT_EXPECT_EQ(test, p2mo_table_map_refs(&f->t, b->map, NULL, b->pages, 4), -EEXIST);
	p2mo_digest(f, &c);
	P2MO_EXPECT_DIGEST_EQ(test, &a, &c);
	p2mo_override_remove(&f->t, fix_mfn(f->d1, 2), FIX_BPFN(2));
}

static void grant_track_mapped_follows(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct batch *b = batch_new(test, f->d0, 50, 3);
	struct p2mo_stats st;

	/* what the hooks do after the kernel's own gnttab_map_refs() */
	p2mo_sim_fail_op(f->m, 2, GNTST_bad_gntref);
	KUNIT_ASSERT_EQ(test, f->d0->be.ops->map_refs(&f->d0->be, b->map, NULL, b->pages, 3), 0);
	p2mo_track_mapped(&f->t, b->map, NULL, b->pages, 3);
	KUNIT_EXPECT_EQ(test, p2mo_live_overrides(&f->t), 2);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 2);
	b->map[1].handle = ~0U;	/* never mapped */
	/* page 1's p2m was never FOREIGN: clear_foreign_p2m_mapping()'s -EINVAL */
	KUNIT_EXPECT_EQ(test, batch_unmap(f, b, 3, false), -EINVAL);
	p2mo_table_stats(&f->t, &st);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_MAPS_SEEN], 2ULL);
	KUNIT_EXPECT_EQ(test, st.v[P2MO_STAT_UNMAPS_SEEN], 2ULL);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 0);
}

/*
 * set_foreign_p2m_mapping() returns int: a kretprobe sees all of rax, whose
 * upper half the ABI leaves undefined.  A success with junk there is a
 * success.
 */
static void grant_hook_return_is_int(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, p2mo_hook_call_failed(0));
	KUNIT_EXPECT_FALSE(test, p2mo_hook_call_failed(0xdeadbeef00000000UL));
	KUNIT_EXPECT_TRUE(test, p2mo_hook_call_failed((unsigned int)-ENOMEM));
	KUNIT_EXPECT_TRUE(test, p2mo_hook_call_failed(0xdeadbeef00000000UL |
						      (unsigned int)-EINVAL));
}

static struct kunit_case p2mo_grant_cases[] = {
	KUNIT_CASE(grant_hook_return_is_int),
	KUNIT_CASE(grant_map_one),
	KUNIT_CASE(grant_map_batch),
	KUNIT_CASE(grant_same_page_three_times),
	KUNIT_CASE(grant_local_map_tags_frontend),
	KUNIT_CASE(grant_op_failure_undoes_all),
	KUNIT_CASE(grant_alloc_failure_every_site),
	KUNIT_CASE(grant_backend_call_failure),
	KUNIT_CASE(grant_kmap_ops),
	KUNIT_CASE(grant_kmap_failure_undoes_all),
	KUNIT_CASE(grant_unmap_failed_op_follows_p2m),
	KUNIT_CASE(grant_unmap_call_failure_keeps_all),
	KUNIT_CASE(grant_map_error_after_first_call),
	KUNIT_CASE(grant_unmap_untracked),
	KUNIT_CASE(grant_existing_override_eexist),
	KUNIT_CASE(grant_track_mapped_follows),
	{}
};

static struct kunit_suite p2mo_grant_suite = {
	.name = "p2mo_grant",
	.init = p2mo_fix_init,
	.exit = p2mo_fix_exit,
	.test_cases = p2mo_grant_cases,
};

kunit_test_suite(p2mo_grant_suite);
