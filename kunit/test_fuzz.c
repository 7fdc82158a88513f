// SPDX-License-Identifier: GPL-2.0
/*
 * API fuzz: seeded random calls of every exported function, with edge
 * values (0, the last frame, the first past it, ~0, huge), batch counts
 * 0..5000, NULL arrays and garbage grant ops, between real maps and
 * unmaps, checked against a model: a failed call changes nothing (the
 * digest), and every lookup answers what the kernel's own lookups would
 * over the simulated machine, with the live mappings the model holds.
 */
#include "default.h"
#include "p2m_override.h"
#include "util.h"

#define FZ_FRAMES	16		/* local frames granted, pfns 0..15 */
#define FZ_BPFN(i)	((1UL << 15) + 64 + (i))	/* ballooned */
#define FZ_MAX_COUNT	5000
#define FZ_STEPS	4000

struct fuzz {
	struct p2mo_api_fix *c;
	struct p2mo_table *t;
	u64 rng;
	int refs[FZ_FRAMES];
	s8 at[FZ_FRAMES];		/* frame mapped at FZ_BPFN(at), or -1 */
	struct gnttab_map_grant_ref map[FZ_FRAMES];
	struct gnttab_map_grant_ref *ops;	/* FZ_MAX_COUNT of each */
	struct gnttab_unmap_grant_ref *uops;
	struct page **pages;
	unsigned long *out;
	unsigned long step;
	const char *op;
};

static u64 fz_rand(struct fuzz *z, u64 below)
{
	z->rng ^= z->rng << 13;
	z->rng ^= z->rng >> 7;
	z->rng ^= z->rng << 17;
	return z->rng % below;
}

/* A frame or pfn worth trying: the edges of both ranges, or any. */
static unsigned long fz_value(struct fuzz *z)
{
	unsigned long max = fz_rand(z, 2) ? z->t->max_mfn : z->t->max_pfn;

	switch (fz_rand(z, 10)) {
	case 0: return 0;
	case 1: return max - 1;
	case 2: return max;
	case 3: return max + 1;
	case 4: return P2MO_INVALID_ENTRY;
	case 5: return 1UL << (40 + fz_rand(z, 23));
	case 6: return z->c->d->p2m[fz_rand(z, FZ_FRAMES)];	/* a granted frame */
	case 7: return FZ_BPFN(fz_rand(z, FZ_FRAMES));
	default: return fz_rand(z, max);
	}
}

/* Which frame, if any, the model has mapped with mfn @mfn. */
static int fz_frame_of(struct fuzz *z, unsigned long mfn)
{
	int fr;

	for (fr = 0; fr < FZ_FRAMES; fr++)
		if (z->at[fr] >= 0 && z->c->d->p2m[fr] == mfn)
			return fr;
	return -1;
}

/* The kernel's mfn_to_pfn() over the machine, with the model's mappings. */
static unsigned long fz_want_m2p(struct fuzz *z, unsigned long mfn)
{
	struct p2mo_backend *be = z->t->be;
	int fr = fz_frame_of(z, mfn);
	unsigned long pfn;

	if (fr >= 0)
		return FZ_BPFN(z->at[fr]);
	pfn = be->ops->m2p_read(be, mfn);
	if (pfn != P2MO_INVALID_ENTRY && be->ops->p2m_read(be, pfn) == mfn)
		return pfn;
	if (be->ops->p2m_read(be, mfn) == P2MO_IDENTITY_FRAME(mfn))
		return mfn;
	return P2MO_INVALID_ENTRY;
}

/* The raw p2m entry: a mapped frame's frontend pfn shows FOREIGN. */
static unsigned long fz_want_p2m(struct fuzz *z, unsigned long pfn)
{
	struct p2mo_backend *be = z->t->be;

	if (pfn < FZ_FRAMES && z->at[pfn] >= 0)
		return P2MO_FOREIGN_FRAME(z->c->d->p2m[pfn]);
	return be->ops->p2m_read(be, pfn);
}

static bool fz_fail(struct kunit *test, struct fuzz *z, unsigned long v,
		    unsigned long got, unsigned long want)
{
	KUNIT_FAIL(test, "fuzz: step %lu (%s) of %#lx: got %#lx, want %#lx",
		   z->step, z->op, v, got, want);
	return false;
}

static bool fz_lookups(struct kunit *test, struct fuzz *z)
{
	unsigned long v = fz_value(z), want, got;
	unsigned int max = fz_rand(z, 3) ? fz_rand(z, 4) : fz_rand(z, FZ_MAX_COUNT + 1);
	int n, fr;

	z->op = "lookups";
	want = fz_want_m2p(z, v);
	got = p2mo_mfn_to_pfn(v);
	if (got != want)
		return fz_fail(test, z, v, got, want);
	want = fz_want_p2m(z, v);
	got = p2mo_get_phys_to_machine(v);
	if (got != want)
		return fz_fail(test, z, v, got, want);
	if (want != P2MO_INVALID_ENTRY)
		want &= ~P2MO_FRAME_BITS;
	got = p2mo_pfn_to_mfn(v);
	if (got != want)
		return fz_fail(test, z, v, got, want);
	fr = fz_frame_of(z, v);
	if (fz_rand(z, 4)) {
		n = p2mo_find_overrides(v, z->out, max);
		want = fr >= 0;
		if (n != want || (n && max && z->out[0] != FZ_BPFN(z->at[fr])))
			return fz_fail(test, z, v, n, want);
	} else {
		n = p2mo_find_overrides(v, NULL, max);
		want = max ? -EINVAL : fr >= 0;
		if (n != (int)want)
			return fz_fail(test, z, v, n, want);
	}
	return true;
}

/* Garbage: a count of 0..5000, NULL arrays, ops naming no grant. */
static bool fz_bad_batch(struct kunit *test, struct fuzz *z)
{
	unsigned int count = fz_rand(z, FZ_MAX_COUNT + 1), i;
	bool nulls = !fz_rand(z, 4), unmap = fz_rand(z, 2);
	struct p2mo_digest a, b;
	int err, want;

	z->op = unmap ? "bad unmap" : "bad map";
	for (i = 0; i < count; i++) {
		gnttab_set_map_op(&z->ops[i], p2mo_sim_addr(FZ_BPFN(FZ_FRAMES)),
				  GNTMAP_host_map, 4096 + fz_rand(z, 1 << 20), 0);
		gnttab_set_unmap_op(&z->uops[i], p2mo_sim_addr(FZ_BPFN(FZ_FRAMES)),
				    GNTMAP_host_map, fz_rand(z, 1 << 20) + 4096);
		z->pages[i] = p2mo_sim_page(z->c->d, FZ_BPFN(FZ_FRAMES + i % 64));
	}
	p2mo_digest_of(z->t, z->c->d, &a);
	if (unmap)
		err = p2mo_unmap_refs(nulls ? NULL : z->uops, NULL,
				      nulls && fz_rand(z, 2) ? NULL : z->pages, count);
	else
		err = p2mo_map_refs(nulls ? NULL : z->ops, NULL,
				    nulls && fz_rand(z, 2) ? NULL : z->pages, count);
	p2mo_digest_of(z->t, z->c->d, &b);
	/*
	 * Refused whole; or the ops fail: a map's with -EIO, an unmap's in
	 * clear_foreign_p2m_mapping() with -EINVAL (no page held a foreign
	 * frame), as gnttab_unmap_refs() answers
	 */
	if (!count || count > P2MO_MAX_BATCH || nulls)
		want = -EINVAL;
	else
		want = unmap ? -EINVAL : -EIO;
	if (err != want)
		return fz_fail(test, z, count, err, want);
	if (memcmp(&a, &b, sizeof(a)))
		return fz_fail(test, z, count, 1, 0);	/* state changed */
	return true;
}

/* A real map of up to 4 unmapped frames, or unmap of up to 4 mapped. */
static bool fz_real(struct kunit *test, struct fuzz *z)
{
	bool map = fz_rand(z, 2);
	unsigned int k = 0, i, want = 1 + fz_rand(z, 4);
	int fr0 = fz_rand(z, FZ_FRAMES), fr, sel[4], err;
	bool unmapped;

	z->op = map ? "map" : "unmap";
	for (i = 0; i < FZ_FRAMES && k < want; i++) {
		fr = (fr0 + i) % FZ_FRAMES;
		unmapped = z->at[fr] < 0;
		if (unmapped != map)
			continue;
		sel[k] = fr;
		z->pages[k] = p2mo_sim_page(z->c->d, FZ_BPFN(fr));
		if (map)
			gnttab_set_map_op(&z->ops[k], p2mo_sim_addr(FZ_BPFN(fr)),
					  GNTMAP_host_map, z->refs[fr], 0);
		else
			gnttab_set_unmap_op(&z->uops[k], p2mo_sim_addr(FZ_BPFN(fr)),
					    GNTMAP_host_map, z->map[fr].handle);
		k++;
	}
	if (!k)
		return true;
	err = map ? p2mo_map_refs(z->ops, NULL, z->pages, k) :
		    p2mo_unmap_refs(z->uops, NULL, z->pages, k);
	if (err)
		return fz_fail(test, z, k, err, 0);
	for (i = 0; i < k; i++) {
		z->at[sel[i]] = map ? sel[i] : -1;
		if (map)
			z->map[sel[i]] = z->ops[i];
	}
	return true;
}

static void fuzz_api(struct kunit *test)
{
	struct p2mo_api_fix *c = test->priv;
	struct fuzz *z = kunit_kzalloc(test, sizeof(*z), GFP_KERNEL);
	int fr;
	bool ok = true;

	KUNIT_ASSERT_NOT_NULL(test, z);
	z->c = c;
	z->t = p2mo_default;
	z->rng = 20261201;
	z->ops = kunit_kcalloc(test, FZ_MAX_COUNT, sizeof(*z->ops), GFP_KERNEL);
	z->uops = kunit_kcalloc(test, FZ_MAX_COUNT, sizeof(*z->uops), GFP_KERNEL);
	z->pages = kunit_kcalloc(test, FZ_MAX_COUNT, sizeof(*z->pages), GFP_KERNEL);
	z->out = kunit_kcalloc(test, FZ_MAX_COUNT, sizeof(*z->out), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, z->ops && z->uops && z->pages && z->out);
	for (fr = 0; fr < FZ_FRAMES; fr++) {
		z->refs[fr] = p2mo_sim_grant(c->d, 0, fr);
		KUNIT_ASSERT_GE(test, z->refs[fr], 0);
		z->at[fr] = -1;
	}
	for (z->step = 0; ok && z->step < FZ_STEPS; z->step++) {
		switch (fz_rand(z, 8)) {
		case 0 ... 4:
			ok = fz_lookups(test, z);
			break;
		case 5:
			ok = fz_bad_batch(test, z);
			break;
		default:
			ok = fz_real(test, z);
		}
		if (!(z->step & 255))
			cond_resched();
	}
	kunit_info(test, "fuzz: %lu steps", z->step);
	for (fr = 0; fr < FZ_FRAMES; fr++) {
		struct gnttab_unmap_grant_ref op;
		struct page *page = p2mo_sim_page(c->d, FZ_BPFN(fr));

		if (z->at[fr] < 0)
			continue;
		gnttab_set_unmap_op(&op, p2mo_sim_addr(FZ_BPFN(fr)), GNTMAP_host_map,
				    z->map[fr].handle);
		KUNIT_EXPECT_EQ(test, p2mo_unmap_refs(&op, NULL, &page, 1), 0);
	}
	for (fr = 0; fr < FZ_FRAMES; fr++)
		KUNIT_EXPECT_EQ(test, p2mo_sim_end_grant(c->d, z->refs[fr]), 0);
	KUNIT_EXPECT_EQ(test, p2mo_live_overrides(z->t), 0);
}

static struct kunit_case p2mo_fuzz_cases[] = {
	KUNIT_CASE(fuzz_api),
	{}
};

static struct kunit_suite p2mo_fuzz_suite = {
	.name = "p2mo_fuzz",
	.init = p2mo_api_fix_init,
	.exit = p2mo_api_fix_exit,
	.test_cases = p2mo_fuzz_cases,
};

kunit_test_suite(p2mo_fuzz_suite);
