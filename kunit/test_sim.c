// SPDX-License-Identifier: GPL-2.0
/* The simulated machine behaves as Xen does for what the layer uses. */
#include "util.h"

static void sim_layout(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long pfn;

	for (pfn = 0; pfn < FIX_PFNS; pfn++) {
		unsigned long mfn = f->d1->p2m[pfn];

		if (pfn >= FIX_POP) {
			KUNIT_EXPECT_EQ(test, mfn, P2MO_INVALID_ENTRY);
			continue;
		}
		KUNIT_EXPECT_LT(test, mfn, (unsigned long)FIX_MFNS);
		KUNIT_EXPECT_EQ(test, f->m->m2p[mfn], pfn);
		KUNIT_EXPECT_NE(test, mfn, f->d0->p2m[pfn]);
	}
	KUNIT_EXPECT_EQ(test, f->d0->be.max_pfn, (unsigned long)FIX_PFNS);
	KUNIT_EXPECT_EQ(test, f->d0->be.max_mfn, (unsigned long)FIX_MFNS);
}

static void sim_grant_end(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	int ref = p2mo_sim_grant(f->d1, 0, 3);

	KUNIT_ASSERT_GE(test, ref, 0);
	KUNIT_EXPECT_EQ(test, p2mo_sim_end_grant(f->d1, ref), 0);
	KUNIT_EXPECT_EQ(test, p2mo_sim_end_grant(f->d1, ref), -EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_sim_grant(f->d1, 0, FIX_POP), -EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_sim_grant(f->d1, 0, FIX_PFNS + 1), -EINVAL);
}

static void sim_grant_table_full(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	int i;

	for (i = 0; i < 64; i++)
		KUNIT_ASSERT_EQ(test, p2mo_sim_grant(f->d1, 0, 1), i);
	KUNIT_EXPECT_EQ(test, p2mo_sim_grant(f->d1, 0, 1), -ENOSPC);
}

static void sim_end_mapped_busy(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct gnttab_map_grant_ref op;
	int ref = fix_grant(test, f->d1, 3);

	KUNIT_ASSERT_EQ(test, fix_map(f, f->d1, ref, FIX_BPFN(0), &op), 0);
	KUNIT_EXPECT_EQ(test, p2mo_sim_end_grant(f->d1, ref), -EBUSY);
	KUNIT_EXPECT_EQ(test, fix_unmap(f, &op, FIX_BPFN(0)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_sim_end_grant(f->d1, ref), 0);
}

static s16 raw_map(struct p2mo_fix *f, domid_t dom, int ref, unsigned long bpfn,
		   struct gnttab_map_grant_ref *op)
{
	struct page *page = p2mo_sim_page(f->d0, bpfn);

	gnttab_set_map_op(op, p2mo_sim_addr(bpfn), GNTMAP_host_map, ref, dom);
	f->d0->be.ops->map_refs(&f->d0->be, op, NULL, &page, 1);
	return op->status;
}

static void sim_map_errors(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct gnttab_map_grant_ref op;
	int to_d1 = p2mo_sim_grant(f->d1, 1, 5);	/* granted to itself */
	int ref = fix_grant(test, f->d1, 6);

	KUNIT_ASSERT_GE(test, to_d1, 0);
	KUNIT_EXPECT_EQ(test, raw_map(f, 7, ref, FIX_BPFN(0), &op), GNTST_bad_domain);
	KUNIT_EXPECT_EQ(test, raw_map(f, 1, 63, FIX_BPFN(0), &op), GNTST_bad_gntref);
	KUNIT_EXPECT_EQ(test, raw_map(f, 1, to_d1, FIX_BPFN(0), &op),
			GNTST_permission_denied);
	/* a populated page cannot take a mapping */
	KUNIT_EXPECT_EQ(test, raw_map(f, 1, ref, 3, &op), GNTST_general_error);
	KUNIT_EXPECT_EQ(test, f->m->live_handles, 0U);
}

static void sim_map_sets_foreign(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct gnttab_map_grant_ref op;
	int ref = fix_grant(test, f->d1, 6);

	KUNIT_ASSERT_EQ(test, raw_map(f, 1, ref, FIX_BPFN(1), &op), GNTST_okay);
	KUNIT_EXPECT_EQ(test, f->d0->p2m[FIX_BPFN(1)], P2MO_FOREIGN_FRAME(fix_mfn(f->d1, 6)));
	KUNIT_EXPECT_EQ(test, op.dev_bus_addr, (u64)fix_mfn(f->d1, 6) << PAGE_SHIFT);
	/* m2p keeps naming the owner */
	KUNIT_EXPECT_EQ(test, f->m->m2p[fix_mfn(f->d1, 6)], 6UL);
	/* mapping twice onto the same page is refused */
	KUNIT_EXPECT_EQ(test, raw_map(f, 1, ref, FIX_BPFN(1), &op), GNTST_general_error);
	KUNIT_EXPECT_EQ(test, fix_unmap(f, &op, FIX_BPFN(1)), 0);
}

static void sim_unmap_errors(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct gnttab_unmap_grant_ref u;
	struct gnttab_map_grant_ref op;
	struct page *page = p2mo_sim_page(f->d0, FIX_BPFN(1));
	int ref = fix_grant(test, f->d1, 6);

	KUNIT_ASSERT_EQ(test, raw_map(f, 1, ref, FIX_BPFN(1), &op), GNTST_okay);
	gnttab_set_unmap_op(&u, p2mo_sim_addr(FIX_BPFN(1)), GNTMAP_host_map, 9999);
	f->d0->be.ops->unmap_refs(&f->d0->be, &u, NULL, &page, 1);
	KUNIT_EXPECT_EQ(test, u.status, GNTST_bad_handle);
	gnttab_set_unmap_op(&u, p2mo_sim_addr(FIX_BPFN(2)), GNTMAP_host_map, op.handle);
	f->d0->be.ops->unmap_refs(&f->d0->be, &u, NULL, &page, 1);
	KUNIT_EXPECT_EQ(test, u.status, GNTST_bad_virt_addr);
	gnttab_set_unmap_op(&u, p2mo_sim_addr(FIX_BPFN(1)), GNTMAP_host_map, op.handle);
	f->d0->be.ops->unmap_refs(&f->d0->be, &u, NULL, &page, 1);
	KUNIT_EXPECT_EQ(test, u.status, GNTST_okay);
	f->d0->be.ops->unmap_refs(&f->d0->be, &u, NULL, &page, 1);
	KUNIT_EXPECT_EQ(test, u.status, GNTST_bad_handle);
}

static void sim_handles_exhausted(struct kunit *test)
{
	struct p2mo_sim_machine *m = p2mo_sim_machine_create(64, 1);
	struct p2mo_sim_domain *d;
	struct gnttab_map_grant_ref op[2];
	struct page *pages[2];
	int ref, i;

	KUNIT_ASSERT_NOT_NULL(test, m);
	d = p2mo_sim_domain_create(m, 0, 8, 4, 4);
	KUNIT_ASSERT_NOT_NULL(test, d);
	ref = p2mo_sim_grant(d, 0, 1);
	for (i = 0; i < 2; i++) {
		gnttab_set_map_op(&op[i], p2mo_sim_addr(4 + i), GNTMAP_host_map, ref, 0);
		pages[i] = p2mo_sim_page(d, 4 + i);
	}
	d->be.ops->map_refs(&d->be, op, NULL, pages, 2);
	KUNIT_EXPECT_EQ(test, op[0].status, GNTST_okay);
	KUNIT_EXPECT_EQ(test, op[1].status, GNTST_no_space);
	KUNIT_EXPECT_EQ(test, d->p2m[5], P2MO_INVALID_ENTRY);
	p2mo_sim_machine_destroy(m);
}

static void sim_create_bad_args(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);

	KUNIT_EXPECT_NULL(test, p2mo_sim_machine_create(0, 4));
	KUNIT_EXPECT_NULL(test, p2mo_sim_machine_create(16, 0));
	KUNIT_EXPECT_NULL(test, p2mo_sim_domain_create(f->m, 0, 8, 4, 4));	/* id taken */
	KUNIT_EXPECT_NULL(test, p2mo_sim_domain_create(f->m, P2MO_SIM_MAX_DOMAINS, 8, 4, 4));
	KUNIT_EXPECT_NULL(test, p2mo_sim_domain_create(f->m, 2, 8, 9, 4));
	KUNIT_EXPECT_NULL(test, p2mo_sim_domain_create(f->m, 2, 8192, 8192, 4));
}

static void sim_p2m_poke_and_page_ids(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct p2mo_backend *be = &f->d0->be;

	KUNIT_EXPECT_EQ(test, p2mo_sim_p2m_poke(f->d0, 200, 0x42), 0);
	KUNIT_EXPECT_EQ(test, p2mo_be_p2m(be, 200), 0x42UL);
	KUNIT_EXPECT_EQ(test, be->ops->p2m_read(be, 200), 0x42UL);
	KUNIT_EXPECT_EQ(test, p2mo_sim_p2m_poke(f->d0, FIX_PFNS, 1), -EINVAL);
	p2mo_sim_p2m_poke(f->d0, 200, P2MO_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, be->ops->pfn_of(be, p2mo_sim_page(f->d0, 17)), 17UL);
	KUNIT_EXPECT_EQ(test, be->ops->pfn_of(be, p2mo_sim_page(f->d1, 17)),
			P2MO_INVALID_ENTRY);
	KUNIT_EXPECT_EQ(test, p2mo_be_m2p(be, FIX_MFNS), P2MO_INVALID_ENTRY);
}

static struct kunit_case p2mo_sim_cases[] = {
	KUNIT_CASE(sim_layout),
	KUNIT_CASE(sim_grant_end),
	KUNIT_CASE(sim_grant_table_full),
	KUNIT_CASE(sim_end_mapped_busy),
	KUNIT_CASE(sim_map_errors),
	KUNIT_CASE(sim_map_sets_foreign),
	KUNIT_CASE(sim_unmap_errors),
	KUNIT_CASE(sim_handles_exhausted),
	KUNIT_CASE(sim_create_bad_args),
	KUNIT_CASE(sim_p2m_poke_and_page_ids),
	{}
};

static struct kunit_suite p2mo_sim_suite = {
	.name = "p2mo_sim",
	.init = p2mo_fix_init,
	.exit = p2mo_fix_exit,
	.test_cases = p2mo_sim_cases,
};

kunit_test_suite(p2mo_sim_suite);
