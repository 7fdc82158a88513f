// SPDX-License-Identifier: GPL-2.0
/* KUnit fixture, digests and the benchmarks' median (see util.h). */
#include <linux/rcupdate.h>
#include <linux/sort.h>
#include <linux/string.h>
#include "default.h"
#include "params.h"
#include "util.h"

atomic_t p2mo_fail_nth = ATOMIC_INIT(0);
atomic_long_t p2mo_live_allocs = ATOMIC_LONG_INIT(0);

/* The fixture with 2^@bits buckets and a local domain of @nr_pfns pfns. */
int p2mo_fix_init_sized(struct kunit *test, unsigned int bits,
			unsigned long nr_pfns)
{
	struct p2mo_params params = {
		.m2p_bits = bits, .p2m_bits = bits, .lock_bits = bits - 2,
	};
	struct p2mo_fix *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	rcu_barrier();
	atomic_set(&p2mo_fail_nth, 0);
	f->allocs0 = atomic_long_read(&p2mo_live_allocs);
	f->m = p2mo_sim_machine_create(FIX_MFNS, 64);
	KUNIT_ASSERT_NOT_NULL(test, f->m);
	f->d0 = p2mo_sim_domain_create(f->m, 0, nr_pfns, FIX_POP, 64);
	f->d1 = p2mo_sim_domain_create(f->m, 1, FIX_PFNS, FIX_POP, 64);
	KUNIT_ASSERT_NOT_NULL(test, f->d0);
	KUNIT_ASSERT_NOT_NULL(test, f->d1);
	KUNIT_ASSERT_EQ(test, p2mo_table_init(&f->t, &f->d0->be, &params), 0);
	test->priv = f;
	return 0;
}

int p2mo_fix_init_bits(struct kunit *test, unsigned int bits)
{
	return p2mo_fix_init_sized(test, bits, FIX_PFNS);
}

int p2mo_fix_init(struct kunit *test)
{
	return p2mo_fix_init_bits(test, 6);
}

/* Every test must leave the tables empty and nothing allocated. */
void p2mo_fix_exit(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);

	atomic_set(&p2mo_fail_nth, 0);
	p2mo_test_hook_set(NULL, NULL);
	KUNIT_EXPECT_EQ(test, p2mo_live_overrides(&f->t), 0);
	KUNIT_EXPECT_EQ(test, p2mo_live_p2m(&f->t), 0);
	KUNIT_EXPECT_EQ(test, f->m->live_handles, 0U);
	p2mo_table_drain(&f->t);
	KUNIT_EXPECT_EQ(test, p2mo_table_uninit(&f->t), 0);
	p2mo_sim_machine_destroy(f->m);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_long_read(&p2mo_live_allocs), f->allocs0);
}

static u64 mix(u64 h, u64 v)
{
	return (h ^ v) * 0x100000001b3ULL + (h >> 29);
}

#define DIGEST_SEED	14695981039346656037ULL

/* A digest of every entry of @h, bucket by bucket, @entry mixing one. */
static u64 digest_htab(struct p2mo_htab *h, u64 d,
		       u64 (*entry)(u64 d, struct p2mo_link *l))
{
	struct p2mo_link *l;
	unsigned long i;

	rcu_read_lock();
	for (i = 0; i < (1UL << h->bits); i++) {
		d = mix(d, i);
		for (l = p2mo_chain_first_rcu(&h->buckets[i]); l;
		     l = p2mo_link_next_rcu(l))
			d = entry(d, l);
	}
	rcu_read_unlock();
	return d;
}

static u64 mix_m2p(u64 d, struct p2mo_link *l)
{
	struct p2mo_m2p_entry *e = container_of(l, struct p2mo_m2p_entry, link);

	return mix(mix(mix(d, e->mfn), e->bpfn), e->tag);
}

static u64 mix_p2m(u64 d, struct p2mo_link *l)
{
	struct p2mo_p2m_entry *e = container_of(l, struct p2mo_p2m_entry, link);

	return mix(mix(d, e->pfn), e->val);
}

static u64 digest_m2p(struct p2mo_htab *h)
{
	return digest_htab(h, DIGEST_SEED, mix_m2p);
}

static u64 digest_p2m(struct p2mo_table *t)
{
	u64 d = digest_htab(&t->p2m_hash, DIGEST_SEED, mix_p2m);
	unsigned long i;

	for (i = p2mo_view_next(&t->view, 0, ~0UL); i < t->view.nr_pfns;
	     i = p2mo_view_next(&t->view, i + 1, ~0UL))
		d = mix(mix(d, ~i), p2mo_view_word(&t->view, i));
	for (i = p2mo_filter_next(&t->m2p_filter, 0); i < t->m2p_filter.nr_frames;
	     i = p2mo_filter_next(&t->m2p_filter, i + 1))
		d = mix(d, i << 1);
	return d;
}

static u64 digest_domain(u64 d, struct p2mo_sim_domain *dom)
{
	unsigned long i;

	for (i = 0; i < dom->nr_pfns; i++)
		d = mix(d, dom->p2m[i]);
	for (i = 0; i < dom->nr_grants; i++) {
		struct p2mo_sim_grant *g = &dom->grants[i];

		d = mix(mix(mix(mix(d, g->pfn), g->to), g->in_use), g->maps);
	}
	return d;
}

static u64 digest_sim(struct p2mo_fix *f)
{
	u64 d = DIGEST_SEED;
	unsigned long i;

	for (i = 0; i < f->m->nr_mfns; i++)
		d = mix(d, f->m->m2p[i]);
	for (i = 0; i < f->m->nr_handles; i++) {
		struct p2mo_sim_handle *h = &f->m->handles[i];

		d = mix(d, h->in_use ? mix(mix(h->host_addr, h->ref), h->mapper) : 0);
	}
	return digest_domain(digest_domain(d, f->d0), f->d1);
}

void p2mo_digest(struct p2mo_fix *f, struct p2mo_digest *d)
{
	d->nr_overrides = p2mo_live_overrides(&f->t);
	d->nr_tags = p2mo_live_tags(&f->t);
	d->nr_p2m = p2mo_live_p2m(&f->t);
	d->m2p = digest_m2p(&f->t.m2p_hash);
	d->p2m = digest_p2m(&f->t);
	d->sim = digest_sim(f);
	d->handles = f->m->live_handles;
}

/* The digest of tables @t over domain @dom alone (its machine's handles). */
void p2mo_digest_of(struct p2mo_table *t, struct p2mo_sim_domain *dom,
		    struct p2mo_digest *d)
{
	u64 h = DIGEST_SEED;
	unsigned long i;

	d->nr_overrides = p2mo_live_overrides(t);
	d->nr_tags = p2mo_live_tags(t);
	d->nr_p2m = p2mo_live_p2m(t);
	d->m2p = digest_m2p(&t->m2p_hash);
	d->p2m = digest_p2m(t);
	for (i = 0; i < dom->m->nr_handles; i++) {
		struct p2mo_sim_handle *sh = &dom->m->handles[i];

		h = mix(h, sh->in_use ? mix(mix(sh->host_addr, sh->ref), sh->mapper) : 0);
	}
	d->sim = digest_domain(h, dom);
	d->handles = dom->m->live_handles;
}

int fix_grant(struct kunit *test, struct p2mo_sim_domain *from,
	      unsigned long pfn)
{
	int ref = p2mo_sim_grant(from, 0, pfn);

	KUNIT_ASSERT_GE(test, ref, 0);
	return ref;
}

void fix_map_op(struct gnttab_map_grant_ref *op, struct p2mo_sim_domain *from,
		int ref, unsigned long bpfn)
{
	gnttab_set_map_op(op, p2mo_sim_addr(bpfn), GNTMAP_host_map, ref,
			  from->domid);
}

void fix_unmap_op(struct gnttab_unmap_grant_ref *op,
		  const struct gnttab_map_grant_ref *map, unsigned long bpfn)
{
	gnttab_set_unmap_op(op, p2mo_sim_addr(bpfn), GNTMAP_host_map,
			    map->handle);
}

int fix_map(struct p2mo_fix *f, struct p2mo_sim_domain *from, int ref,
	    unsigned long bpfn, struct gnttab_map_grant_ref *op)
{
	struct page *page = p2mo_sim_page(f->d0, bpfn);

	fix_map_op(op, from, ref, bpfn);
	return p2mo_table_map_refs(&f->t, op, NULL, &page, 1);
}

int fix_unmap(struct p2mo_fix *f, const struct gnttab_map_grant_ref *map,
	      unsigned long bpfn)
{
	struct gnttab_unmap_grant_ref op;
	struct page *page = p2mo_sim_page(f->d0, bpfn);

	fix_unmap_op(&op, map, bpfn);
	return p2mo_table_unmap_refs(&f->t, &op, NULL, &page, 1);
}

void p2mo_expect_digest_eq(struct kunit *test, const struct p2mo_digest *a,
			   const struct p2mo_digest *b)
{
	KUNIT_EXPECT_EQ(test, a->nr_overrides, b->nr_overrides);
	KUNIT_EXPECT_EQ(test, a->nr_tags, b->nr_tags);
	KUNIT_EXPECT_EQ(test, a->nr_p2m, b->nr_p2m);
	KUNIT_EXPECT_EQ(test, a->m2p, b->m2p);
	KUNIT_EXPECT_EQ(test, a->p2m, b->p2m);
	KUNIT_EXPECT_EQ(test, a->sim, b->sim);
	KUNIT_EXPECT_EQ(test, a->handles, b->handles);
}

static int p2mo_u64_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Median of the @n values in @v (sorted in place): the benchmarks' figures. */
u64 p2mo_median(u64 *v, size_t n)
{
	sort(v, n, sizeof(v[0]), p2mo_u64_cmp, NULL);
	return v[n / 2];
}

/*
 * The tables as an index of the simulated p2m, checked from the p2m's
 * side with none of sync.c's code: every FOREIGN entry of domain 0 is an
 * override, there are no others, and every local frame with an override
 * is tagged; then verify must agree.
 */
void fix_expect_in_step(struct kunit *test, struct p2mo_fix *f)
{
	unsigned long pfn, e, mfn, owner, *bpfns;
	long foreign = 0, tagged = 0;
	struct p2mo_sync_report r;
	unsigned int n, i;

	bpfns = kunit_kcalloc(test, FIX_PFNS, sizeof(*bpfns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bpfns);
	for (pfn = 0; pfn < FIX_PFNS; pfn++) {
		e = f->d0->p2m[pfn];
		if (e == P2MO_INVALID_ENTRY || !(e & P2MO_FOREIGN_FRAME_BIT))
			continue;
		foreign++;
		mfn = e & ~P2MO_FRAME_BITS;
		n = p2mo_m2p_find_all(&f->t, mfn, bpfns, FIX_PFNS);
		for (i = 0; i < n && bpfns[i] != pfn; i++)
			;
		KUNIT_EXPECT_LT_MSG(test, i, n, "pfn %#lx mfn %#lx not in the tables",
				    pfn, mfn);
		owner = f->m->m2p[mfn];
		if (owner < FIX_PFNS &&
		    f->d0->p2m[owner] == mfn && bpfns[0] == pfn) {
			tagged++;
			KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, owner),
					P2MO_FOREIGN_FRAME(mfn));
		}
	}
	KUNIT_EXPECT_EQ(test, p2mo_live_overrides(&f->t), foreign);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), tagged);
	KUNIT_ASSERT_EQ(test, p2mo_sync_verify(&f->t, &r), 0);
	KUNIT_EXPECT_EQ(test, r.stale, 0UL);
	KUNIT_EXPECT_EQ(test, r.missing, 0UL);
	KUNIT_EXPECT_EQ(test, r.wrong_tag, 0UL);
	KUNIT_EXPECT_EQ(test, r.errors, 0UL);
	KUNIT_EXPECT_EQ(test, r.scan.foreign, (unsigned long)foreign);
}

/* The module's default tables on a simulated domain (backend=sim). */
int p2mo_api_fix_init(struct kunit *test)
{
	struct p2mo_api_fix *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NULL(test, p2mo_default);	/* UML: backend=none */
	strscpy(c->backend, p2mo_param_backend, sizeof(c->backend));
	strscpy(p2mo_param_backend, "sim", sizeof(p2mo_param_backend));
	KUNIT_ASSERT_EQ(test, p2mo_default_init(), 0);
	KUNIT_ASSERT_NOT_NULL(test, p2mo_default);
	c->d = container_of(p2mo_default->be, struct p2mo_sim_domain, be);
	test->priv = c;
	return 0;
}

void p2mo_api_fix_exit(struct kunit *test)
{
	struct p2mo_api_fix *c = test->priv;

	p2mo_default_uninit();
	KUNIT_EXPECT_NULL(test, p2mo_default);
	strscpy(p2mo_param_backend, c->backend, sizeof(p2mo_param_backend));
}
