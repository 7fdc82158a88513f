// SPDX-License-Identifier: GPL-2.0
/*
 * Model-based random testing: seeded, reproducible sequences of adds,
 * removes, map/unmap batches (with grant-op and allocation failures
 * injected), p2m entries set and cleared under the frames, bulk adds
 * that saturate a frame's count (more than 254 mappers), lookups,
 * reverse-map walks and invalid inputs, checked
 * after every step against a plain reference model: the override table,
 * reverse map, filter and FOREIGN tags, and the simulated p2m and
 * handles must agree with it, and every lookup must equal its answer.
 *
 * Frames: 16 local (domain 0, FOREIGN-tagged when shared) and 16 remote
 * (domain 1).  Direct adds use backend pfns A = FIX_BPFN(0..31), grant
 * maps B = FIX_BPFN(32..63), bulk adds C = FIX_PFNS + (0..319).  p2m
 * entries are set on the local pfns 0..15, to a frame of either domain
 * or INVALID: a frame is tagged at its first override if its m2p pfn
 * then shows it (2012 rule), so entries move tags around, and a tag over
 * an entry has no ANSWER in its word.  Seeds run twice, the second time
 * with the ANSWER limit lowered below half of the frames (as frames of
 * 2^31 and more), so that plain tags go without ANSWER too.
 * A failure names the seed and the first step
 * that broke an invariant: every step is checked, so that step is the
 * shortest failing prefix of the run.
 *
 * p2m_override.model_seed=S (kernel command line: kunit.py --kernel_args)
 * runs seed S alone; model_steps sets the steps per seed.
 */
#include <linux/moduleparam.h>
#include "util.h"

#define M_FRAMES	32	/* 0..15 local, 16..31 remote */
#define M_A		32
#define M_B		32
#define M_BPFN_A(i)	FIX_BPFN(i)
#define M_BPFN_B(i)	FIX_BPFN(M_A + (i))
#define M_C		320	/* > 254: the filter byte saturates */
#define M_BPFN_C(i)	(FIX_PFNS + (i))
#define M_MAPPERS	(M_A + M_B + M_C)
#define M_SEEDS		4

static ulong model_seed;
module_param(model_seed, ulong, 0444);
MODULE_PARM_DESC(model_seed, "KUnit model test: run only this seed (0: the default seeds)");
static uint model_steps = 50000;
module_param(model_steps, uint, 0444);
MODULE_PARM_DESC(model_steps, "KUnit model test: steps per seed");

struct model {
	struct p2mo_fix *f;
	u64 seed, rng;
	u32 direct[M_FRAMES];		/* bit i: override (frame, A[i]) */
	s8 mapped_by[M_B];		/* frame mapped at B[i], or -1 */
	DECLARE_BITMAP(bulk[M_FRAMES], M_C);	/* overrides (frame, C[i]) */
	unsigned int nr_bulk[M_FRAMES];
	bool has_entry[16];		/* p2mo_p2m_set() on local pfn i */
	unsigned long entry[16];
	s8 tag_of[16];			/* frame local pfn i is tagged for, or -1 */
	struct gnttab_map_grant_ref map[M_B];
	int refs[M_FRAMES];
	unsigned long steps, checks;
	const char *op;
	unsigned long want[M_MAPPERS], got[M_MAPPERS];
};

static u64 m_rand(struct model *m, u64 below)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng % below;
}

static struct p2mo_sim_domain *m_dom(struct model *m, int frame)
{
	return frame < 16 ? m->f->d0 : m->f->d1;
}

static unsigned long m_pfn(int frame)
{
	return frame % 16;
}

static unsigned long m_mfn(struct model *m, int frame)
{
	return fix_mfn(m_dom(m, frame), m_pfn(frame));
}

/* The model's reverse map of a frame, lowest backend pfn first. */
static unsigned int m_mappers(struct model *m, int frame, unsigned long *out)
{
	unsigned int i, n = 0;

	for (i = 0; i < M_A; i++)
		if (m->direct[frame] & BIT(i))
			out[n++] = M_BPFN_A(i);
	for (i = 0; i < M_B; i++)
		if (m->mapped_by[i] == frame)
			out[n++] = M_BPFN_B(i);
	if (m->nr_bulk[frame])
		for_each_set_bit(i, m->bulk[frame], M_C)
			out[n++] = M_BPFN_C(i);
	return n;
}

static unsigned int m_count(struct model *m, int frame)
{
	unsigned int i, n = hweight32(m->direct[frame]) + m->nr_bulk[frame];

	for (i = 0; i < M_B; i++)
		n += m->mapped_by[i] == frame;
	return n;
}

/* Local pfn @pfn's p2m as the tables show it, tag aside. */
static unsigned long m_p2m_untagged(struct model *m, unsigned long pfn)
{
	return m->has_entry[pfn] ? m->entry[pfn] : fix_mfn(m->f->d0, pfn);
}

/*
 * Does @frame map back to its m2p pfn (the same number in its domain, a
 * pfn of domain 0 as the tables see it) through the view, tag aside?
 */
static bool m_owned(struct model *m, int frame)
{
	return m_p2m_untagged(m, m_pfn(frame)) == m_mfn(m, frame);
}

/* The first override of @frame: tag its pfn if it maps back. */
static void m_first_override(struct model *m, int frame)
{
	if (m_owned(m, frame))
		m->tag_of[m_pfn(frame)] = frame;
}

/* The last override of @frame went: untag. */
static void m_last_override(struct model *m, int frame)
{
	if (m->tag_of[m_pfn(frame)] == frame)
		m->tag_of[m_pfn(frame)] = -1;
}

static unsigned long m_answer(struct model *m, int frame)
{
	/* p2m(m2p(mfn)) == mfn through the view: a tag shows FOREIGN */
	if (m_owned(m, frame) && m->tag_of[m_pfn(frame)] < 0)
		return m_pfn(frame);
	if (m_mappers(m, frame, m->got))
		return m->got[0];
	return P2MO_INVALID_ENTRY;
}

/* Every invariant; false (and a message) at the first that breaks. */
static bool m_check(struct kunit *test, struct model *m)
{
	struct p2mo_table *t = &m->f->t;
	unsigned long *want = m->want, *got = m->got;
	long total = 0, tags = 0, handles = 0, entries = 0;
	unsigned int i, n, k;
	int fr;

	for (fr = 0; fr < M_FRAMES; fr++) {
		unsigned long mfn = m_mfn(m, fr);

		n = m_mappers(m, fr, want);
		total += n;
		if (p2mo_table_mfn_to_pfn(t, mfn) != m_answer(m, fr))
			goto bad;
		k = p2mo_m2p_find_all(t, mfn, got, M_MAPPERS);
		if (k != n || memcmp(want, got, n * sizeof(*got)))
			goto bad;
		if (p2mo_filter_test(&t->m2p_filter, mfn) != !!n)
			goto bad;
	}
	for (fr = 0; fr < 16; fr++) {
		unsigned long v = m_p2m_untagged(m, fr);
		int tag = m->tag_of[fr];

		tags += tag >= 0;
		entries += m->has_entry[fr];
		if (tag >= 0)
			v = P2MO_FOREIGN_FRAME(m_mfn(m, tag));
		if (p2mo_table_get_p2m(t, fr) != v)
			goto bad;
	}
	for (i = 0; i < M_B; i++) {
		unsigned long e = m->f->d0->p2m[M_BPFN_B(i)];

		fr = m->mapped_by[i];
		handles += fr >= 0;
		if (e != (fr >= 0 ? P2MO_FOREIGN_FRAME(m_mfn(m, fr)) : P2MO_INVALID_ENTRY))
			goto bad;
	}
	for (i = 0; i < M_A; i++)
		if (m->f->d0->p2m[M_BPFN_A(i)] != P2MO_INVALID_ENTRY)
			goto bad;
	if (p2mo_live_overrides(t) != total ||
	    p2mo_live_tags(t) != tags || p2mo_live_p2m(t) != entries ||
	    m->f->m->live_handles != handles)
		goto bad;
	m->checks++;
	return true;
bad:
	KUNIT_FAIL(test, "model: seed %llu: invariant broken at step %lu (%s), frame %d",
		   m->seed, m->steps, m->op, fr);
	return false;
}

static int m_expect(struct kunit *test, struct model *m, int got, int want)
{
	if (got == want)
		return 0;
	KUNIT_FAIL(test, "model: seed %llu: step %lu (%s) returned %d, model says %d",
		   m->seed, m->steps, m->op, got, want);
	return -1;
}

static int m_add(struct kunit *test, struct model *m)
{
	int fr = m_rand(m, M_FRAMES), a = m_rand(m, M_A), err;
	bool inject = !m_rand(m, 16);

	m->op = "add";
	if (inject)
		atomic_set(&p2mo_fail_nth, 1 + m_rand(m, 3));
	err = p2mo_override_add(&m->f->t, m_mfn(m, fr), M_BPFN_A(a), GFP_KERNEL);
	atomic_set(&p2mo_fail_nth, 0);
	if (inject && err == -ENOMEM)
		return 0;
	if (m->direct[fr] & BIT(a))
		return m_expect(test, m, err, -EEXIST);
	if (!err) {
		if (!m_count(m, fr))
			m_first_override(m, fr);
		m->direct[fr] |= BIT(a);
	}
	return m_expect(test, m, err, 0);
}

static int m_remove(struct kunit *test, struct model *m)
{
	int fr = m_rand(m, M_FRAMES), a = m_rand(m, M_A), err;

	m->op = "remove";
	err = p2mo_override_remove(&m->f->t, m_mfn(m, fr), M_BPFN_A(a));
	if (!(m->direct[fr] & BIT(a)))
		return m_expect(test, m, err, -ENOENT);
	m->direct[fr] &= ~BIT(a);
	if (!m_count(m, fr))
		m_last_override(m, fr);
	return m_expect(test, m, err, 0);
}

static int m_map(struct kunit *test, struct model *m)
{
	struct gnttab_map_grant_ref ops[8];
	struct page *pages[8];
	unsigned int k = 1 + m_rand(m, 8), i, j, inject = m_rand(m, 16);
	int fr[8], b[8], want = 0, err;

	m->op = "map";
	for (i = 0; i < k; i++) {
		fr[i] = m_rand(m, M_FRAMES);
		b[i] = m_rand(m, M_B);
		fix_map_op(&ops[i], m_dom(m, fr[i]), m->refs[fr[i]], M_BPFN_B(b[i]));
		pages[i] = p2mo_sim_page(m->f->d0, M_BPFN_B(b[i]));
		if (m->mapped_by[b[i]] >= 0)
			want = -EIO;		/* page not ballooned */
		for (j = 0; j < i; j++)
			if (b[j] == b[i])
				want = -EIO;	/* same page twice */
	}
	if (inject == 0)
		p2mo_sim_fail_op(m->f->m, 1 + m_rand(m, k), GNTST_general_error);
	else if (inject == 1)
		atomic_set(&p2mo_fail_nth, 1 + m_rand(m, k + 3));
	err = p2mo_table_map_refs(&m->f->t, ops, NULL, pages, k);
	atomic_set(&p2mo_fail_nth, 0);
	p2mo_sim_fail_op(m->f->m, 0, 0);
	if (inject == 0 && err == -EIO)
		return 0;
	if (inject == 1 && err == -ENOMEM)
		return 0;
	if (m_expect(test, m, err, want))
		return -1;
	for (i = 0; !err && i < k; i++) {
		if (!m_count(m, fr[i]))
			m_first_override(m, fr[i]);
		m->mapped_by[b[i]] = fr[i];
		m->map[b[i]] = ops[i];
	}
	return 0;
}

static int m_unmap(struct kunit *test, struct model *m)
{
	struct gnttab_unmap_grant_ref ops[8];
	struct page *pages[8];
	unsigned int k = 0, i, n, start, want_k, fail_at = 0;
	int b[8], err, want = 0;

	m->op = "unmap";
	want_k = 1 + m_rand(m, 8);
	start = m_rand(m, M_B);
	for (n = 0; n < M_B && k < want_k; n++) {
		i = (start + n) % M_B;
		if (m->mapped_by[i] < 0)
			continue;
		b[k] = i;
		fix_unmap_op(&ops[k], &m->map[i], M_BPFN_B(i));
		pages[k++] = p2mo_sim_page(m->f->d0, M_BPFN_B(i));
	}
	if (!k)
		return 0;
	if (!m_rand(m, 8)) {
		fail_at = 1 + m_rand(m, k);
		p2mo_sim_fail_op(m->f->m, fail_at, GNTST_general_error);
		want = -EIO;
	} else if (!m_rand(m, 16)) {
		atomic_set(&p2mo_fail_nth, 1);
		want = -ENOMEM;
	}
	err = p2mo_table_unmap_refs(&m->f->t, ops, NULL, pages, k);
	atomic_set(&p2mo_fail_nth, 0);
	if (m_expect(test, m, err, want))
		return -1;
	/* as in Linux, the p2m of every page is cleared, failed op or not */
	for (i = 0; want != -ENOMEM && i < k; i++) {
		int fr = m->mapped_by[b[i]];

		m->mapped_by[b[i]] = -1;
		if (!m_count(m, fr))
			m_last_override(m, fr);
	}
	if (fail_at)	/* the caller retries the failed op: -EINVAL, no p2m */
		return m_expect(test, m, m->f->d0->be.ops->unmap_refs(&m->f->d0->be,
				&ops[fail_at - 1], NULL, &pages[fail_at - 1], 1), -EINVAL);
	return 0;
}

/* A p2m entry on a local pfn: its own frame, any frame, INVALID, junk. */
static int m_p2m(struct kunit *test, struct model *m)
{
	unsigned long pfn = m_rand(m, 16), val;
	int err;

	if (m->has_entry[pfn] || !m_rand(m, 3)) {
		m->op = "p2m clear";
		err = p2mo_p2m_clear(&m->f->t, pfn);
		if (!m->has_entry[pfn])
			return m_expect(test, m, err, -ENOENT);
		if (m->tag_of[pfn] >= 0)
			return m_expect(test, m, err, -EBUSY);
		m->has_entry[pfn] = false;
		return m_expect(test, m, err, 0);
	}
	m->op = "p2m set";
	switch (m_rand(m, 4)) {
	case 0:
		val = fix_mfn(m->f->d0, pfn);
		break;
	case 1:
		val = m_mfn(m, m_rand(m, M_FRAMES));
		break;
	case 2:
		val = P2MO_INVALID_ENTRY;
		break;
	default:
		val = 0x1000 + m_rand(m, 0x1000);
	}
	err = p2mo_p2m_set(&m->f->t, pfn, val);
	if (m->tag_of[pfn] >= 0)
		return m_expect(test, m, err, -EBUSY);
	m->has_entry[pfn] = true;
	m->entry[pfn] = val;
	return m_expect(test, m, err, 0);
}

/*
 * Bulk: M_C overrides of one frame at once, more than the filter byte
 * counts (it must read "many" and clear only with the last), or all of
 * them dropped in a scattered order.
 */
static int m_bulk(struct kunit *test, struct model *m)
{
	int fr = m_rand(m, M_FRAMES), err;
	unsigned int i, c, start = m_rand(m, M_C);
	unsigned long mfn = m_mfn(m, fr);

	if (!m->nr_bulk[fr]) {
		m->op = "bulk add";
		if (!m_count(m, fr))
			m_first_override(m, fr);
		for (i = 0; i < M_C; i++) {
			c = (start + i) % M_C;
			err = p2mo_override_add(&m->f->t, mfn, M_BPFN_C(c), GFP_KERNEL);
			if (m_expect(test, m, err, 0))
				return -1;
			set_bit(c, m->bulk[fr]);
			m->nr_bulk[fr]++;
		}
		return m_expect(test, m, *p2mo_filter_byte_in(&m->f->t.m2p_filter, mfn),
				P2MO_FILTER_MANY);
	}
	m->op = "bulk remove";
	for (i = 0; i < M_C; i++) {
		c = (start + i * 7) % M_C;	/* 7 and 320 are coprime */
		if (!test_bit(c, m->bulk[fr]))
			continue;
		err = p2mo_override_remove(&m->f->t, mfn, M_BPFN_C(c));
		if (m_expect(test, m, err, 0))
			return -1;
		clear_bit(c, m->bulk[fr]);
		m->nr_bulk[fr]--;
		if (!m_count(m, fr))
			m_last_override(m, fr);
	}
	return 0;
}

static int m_invalid(struct kunit *test, struct model *m)
{
	struct gnttab_map_grant_ref op = { };
	struct page *page = p2mo_sim_page(m->f->d0, M_BPFN_B(0));

	m->op = "invalid";
	switch (m_rand(m, 4)) {
	case 0:
		return m_expect(test, m, p2mo_override_add(&m->f->t, FIX_MFNS + m_rand(m, 1000),
							  M_BPFN_A(0), GFP_KERNEL), -EINVAL);
	case 1:
		return m_expect(test, m, p2mo_override_remove(&m->f->t, m_mfn(m, 0),
							     m->f->d0->nr_pfns + m_rand(m, 1000)),
				-EINVAL);
	case 2:
		return m_expect(test, m, p2mo_table_map_refs(&m->f->t, &op, NULL, &page, 0),
				-EINVAL);
	default:
		return m_expect(test, m, p2mo_table_unmap_refs(&m->f->t, NULL, NULL, &page, 1),
				-EINVAL);
	}
}

static int m_step(struct kunit *test, struct model *m)
{
	switch (m_rand(m, 64)) {
	case 0 ... 17:
		return m_add(test, m);
	case 18 ... 31:
		return m_remove(test, m);
	case 32 ... 42:
		return m_map(test, m);
	case 43 ... 53:
		return m_unmap(test, m);
	case 54 ... 59:
		return m_p2m(test, m);
	case 60:
		return m_bulk(test, m);
	default:
		return m_invalid(test, m);
	}
}

/* Undo whatever the model holds, through the API, and check it drained. */
static void m_cleanup(struct kunit *test, struct model *m)
{
	unsigned int i;
	int fr;

	for (i = 0; i < M_B; i++) {
		if (m->mapped_by[i] < 0)
			continue;
		KUNIT_EXPECT_EQ(test, fix_unmap(m->f, &m->map[i], M_BPFN_B(i)), 0);
		m->mapped_by[i] = -1;
	}
	for (fr = 0; fr < M_FRAMES; fr++) {
		for (i = 0; i < M_A; i++)
			if (m->direct[fr] & BIT(i))
				p2mo_override_remove(&m->f->t, m_mfn(m, fr), M_BPFN_A(i));
		for_each_set_bit(i, m->bulk[fr], M_C)
			p2mo_override_remove(&m->f->t, m_mfn(m, fr), M_BPFN_C(i));
		bitmap_zero(m->bulk[fr], M_C);
		m->nr_bulk[fr] = 0;
	}
	memset(m->direct, 0, sizeof(m->direct));
	memset(m->tag_of, -1, sizeof(m->tag_of));
	for (i = 0; i < 16; i++)
		if (m->has_entry[i])
			KUNIT_EXPECT_EQ(test, p2mo_p2m_clear(&m->f->t, i), 0);
	memset(m->has_entry, 0, sizeof(m->has_entry));
	m_check(test, m);
}

/*
 * @out_of_line: hide the backend's arrays from the inline lookups, as the
 * Xen backend does, so that every lookup takes the out-of-line path.
 */
enum model_mode { M_INLINE, M_OUT_OF_LINE, M_NO_ANSWER };

/*
 * The answer limit below the median of the model's frames: half of them
 * are tagged without ANSWER, as frames of 2^31 and more are.
 */
static unsigned long model_low_answer_limit(struct model *m)
{
	unsigned long lo = ~0UL, hi = 0;
	int fr;

	for (fr = 0; fr < M_FRAMES; fr++) {
		lo = min(lo, m_mfn(m, fr));
		hi = max(hi, m_mfn(m, fr));
	}
	return lo + (hi - lo) / 2;
}

static void model_run(struct kunit *test, u64 seed, enum model_mode mode)
{
	struct model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	int fr;

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->f = p2mo_fix(test);
	if (mode == M_OUT_OF_LINE) {
		m->f->t.m2p_limit = 0;
		m->f->t.p2m_limit = 0;
	}
	if (mode == M_NO_ANSWER)
		p2mo_view_max_answer_mfn = model_low_answer_limit(m);
	m->seed = seed;
	m->rng = seed;
	memset(m->mapped_by, -1, sizeof(m->mapped_by));
	memset(m->tag_of, -1, sizeof(m->tag_of));
	for (fr = 0; fr < M_FRAMES; fr++)
		m->refs[fr] = fix_grant(test, m_dom(m, fr), m_pfn(fr));
	for (m->steps = 0; m->steps < model_steps; m->steps++) {
		if (m_step(test, m) || !m_check(test, m)) {
			kunit_info(test, "model: seed %llu fails at step %lu: rerun with p2m_override.model_seed=%llu p2m_override.model_steps=%lu",
				   seed, m->steps, seed, m->steps + 1);
			break;
		}
		if (!(m->steps & 1023))
			cond_resched();
	}
	kunit_info(test, "model: seed %llu: %lu steps, %lu checks", seed, m->steps,
		   m->checks);
	m_cleanup(test, m);
	p2mo_view_max_answer_mfn = P2MO_VIEW_MAX_MFN;
}

/* Room for the bulk range C above the fixture's pfns. */
static int model_fix_init(struct kunit *test)
{
	return p2mo_fix_init_sized(test, 6, FIX_PFNS + M_C);
}

static const u64 model_seeds[M_SEEDS] = { 1, 0x5eed, 0xdecafbad, 20261121 };

static void model_seeds_run(struct kunit *test, enum model_mode mode)
{
	unsigned int i;

	if (model_seed) {
		model_run(test, model_seed, mode);
		return;
	}
	for (i = 0; i < M_SEEDS; i++) {
		model_run(test, model_seeds[i], mode);
		/* a fresh fixture per seed */
		p2mo_fix_exit(test);
		model_fix_init(test);
	}
}

static void model_random_ops(struct kunit *test)
{
	model_seeds_run(test, M_INLINE);
}

static void model_random_ops_out_of_line(struct kunit *test)
{
	model_seeds_run(test, M_OUT_OF_LINE);
}

static void model_random_ops_no_answer(struct kunit *test)
{
	model_seeds_run(test, M_NO_ANSWER);
}

static struct kunit_case p2mo_model_cases[] = {
	KUNIT_CASE(model_random_ops),
	KUNIT_CASE(model_random_ops_out_of_line),
	KUNIT_CASE(model_random_ops_no_answer),
	{}
};

static struct kunit_suite p2mo_model_suite = {
	.name = "p2mo_model",
	.init = model_fix_init,
	.exit = p2mo_fix_exit,
	.test_cases = p2mo_model_cases,
};

kunit_test_suite(p2mo_model_suite);
