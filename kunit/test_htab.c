// SPDX-License-Identifier: GPL-2.0
/* The hash container and its bounds. */
#include <linux/sort.h>
#include "util.h"

/* Words start as the shared zero chunk's and change only by cmpxchg. */
static void view_words_and_chunks(struct kunit *test)
{
	long live = atomic_long_read(&p2mo_live_allocs);
	unsigned long *spare = NULL, pfn = P2MO_VIEW_PER_CHUNK + 3;
	struct p2mo_view v;

	KUNIT_ASSERT_EQ(test, p2mo_view_init(&v, 3 * P2MO_VIEW_PER_CHUNK), 0);
	KUNIT_EXPECT_EQ(test, p2mo_view_word(&v, pfn), 0UL);	/* zero chunk */
	KUNIT_EXPECT_FALSE(test, p2mo_view_has_chunk(&v, pfn));
	KUNIT_EXPECT_FALSE(test, p2mo_view_cmpxchg(&v, pfn, 0, 1));
	KUNIT_EXPECT_FALSE(test, p2mo_view_prepare(&v, pfn, &spare));
	spare = p2mo_chunk_alloc(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, spare);
	KUNIT_EXPECT_TRUE(test, p2mo_view_prepare(&v, pfn, &spare));
	KUNIT_EXPECT_NULL(test, spare);
	KUNIT_EXPECT_TRUE(test, p2mo_view_cmpxchg(&v, pfn, 0, P2MO_PFN_ENTRY));
	KUNIT_EXPECT_FALSE(test, p2mo_view_cmpxchg(&v, pfn, 0, P2MO_PFN_TAGGED));
	KUNIT_EXPECT_EQ(test, p2mo_view_word(&v, pfn), P2MO_PFN_ENTRY);
	KUNIT_EXPECT_EQ(test, p2mo_view_word(&v, pfn - 1), 0UL);
	KUNIT_EXPECT_EQ(test, p2mo_view_word(&v, 3), 0UL);	/* other chunks */
	KUNIT_EXPECT_EQ(test, p2mo_view_word(&v, 2 * P2MO_VIEW_PER_CHUNK + 3), 0UL);
	KUNIT_EXPECT_EQ(test, p2mo_view_word(&v, 3 * P2MO_VIEW_PER_CHUNK), 0UL);
	KUNIT_EXPECT_EQ(test, p2mo_view_next(&v, 0, ~0UL), pfn);
	KUNIT_EXPECT_EQ(test, p2mo_view_next(&v, pfn + 1, ~0UL), 3 * P2MO_VIEW_PER_CHUNK);
	KUNIT_EXPECT_EQ(test, p2mo_view_next(&v, 0, P2MO_PFN_TAGGED), 3 * P2MO_VIEW_PER_CHUNK);
	KUNIT_EXPECT_EQ(test, p2mo_view_bytes(&v), 3 * sizeof(long) + PAGE_SIZE);
	p2mo_view_uninit(&v);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&p2mo_live_allocs), live);
}

/* A word answers for its own frame only, and only when both fit. */
static void view_answer_encoding(struct kunit *test)
{
	unsigned long w = p2mo_view_tagged(0, 0x12345, 0x777);

	KUNIT_EXPECT_TRUE(test, p2mo_view_answers(w, 0x12345));
	KUNIT_EXPECT_EQ(test, p2mo_view_answer(w), 0x777UL);
	KUNIT_EXPECT_EQ(test, w & P2MO_PFN_STATE, P2MO_PFN_TAGGED);
	KUNIT_EXPECT_FALSE(test, p2mo_view_answers(w, 0x12344));
	/* same low 31 bits, another frame */
	KUNIT_EXPECT_FALSE(test, p2mo_view_answers(w, 0x12345 + P2MO_VIEW_MAX_MFN));
	/* the largest that fit, and one more of each: a tag without answer */
	w = p2mo_view_tagged(0, P2MO_VIEW_MAX_MFN - 1, P2MO_VIEW_MAX_BPFN - 1);
	KUNIT_EXPECT_TRUE(test, p2mo_view_answers(w, P2MO_VIEW_MAX_MFN - 1));
	KUNIT_EXPECT_EQ(test, p2mo_view_answer(w), P2MO_VIEW_MAX_BPFN - 1);
	w = p2mo_view_tagged(0, P2MO_VIEW_MAX_MFN, 5);
	KUNIT_EXPECT_EQ(test, w, P2MO_PFN_TAGGED);
	KUNIT_EXPECT_FALSE(test, p2mo_view_answers(w, P2MO_VIEW_MAX_MFN));
	KUNIT_EXPECT_EQ(test, p2mo_view_tagged(0, 5, P2MO_VIEW_MAX_BPFN), P2MO_PFN_TAGGED);
	/* a tag over a p2m entry: answered out of line */
	w = p2mo_view_tagged(P2MO_PFN_ENTRY, 5, 6);
	KUNIT_EXPECT_EQ(test, w, P2MO_PFN_ENTRY | P2MO_PFN_TAGGED);
	KUNIT_EXPECT_FALSE(test, p2mo_view_answers(w, 5));
	/* an untagged word answers nothing, not even for frame 0 */
	KUNIT_EXPECT_FALSE(test, p2mo_view_answers(0, 0));
	KUNIT_EXPECT_FALSE(test, p2mo_view_answers(P2MO_PFN_ENTRY, 0));
}

static void htab_sizes(struct kunit *test)
{
	static struct lock_class_key key;
	struct p2mo_htab h;

	KUNIT_ASSERT_EQ(test, p2mo_htab_init(&h, 5, 8, P2MO_LEVEL_M2P, &key, "t"), 0);
	KUNIT_EXPECT_EQ(test, h.bits, 5U);
	/* stripes never outnumber buckets */
	KUNIT_EXPECT_EQ(test, h.lock_mask, 31U);
	KUNIT_EXPECT_EQ(test, p2mo_htab_bytes(&h),
			32 * sizeof(struct p2mo_chain) + 32 * sizeof(struct p2mo_lock));
	p2mo_htab_uninit(&h);
}

#define STRIDE_OBJS	64

static int cmp_ptr(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/*
 * The memory figures count p2mo_m2p_entry_size() bytes per entry: it must
 * be the slab's stride.  64 entries from one slab of 32-byte objects hold
 * neighbours, whatever order the freelist hands them out in.
 */
static void htab_m2p_entry_stride(struct kunit *test)
{
	unsigned long addr[STRIDE_OBJS], gap = ULONG_MAX;
	struct p2mo_m2p_entry *e[STRIDE_OBJS];
	unsigned int i;

	if (IS_ENABLED(CONFIG_KASAN) || IS_ENABLED(CONFIG_SLUB_DEBUG_ON))
		kunit_skip(test, "slab debugging pads objects");
	KUNIT_EXPECT_EQ(test, sizeof(struct p2mo_m2p_entry), 4 * sizeof(long));
	KUNIT_EXPECT_EQ(test, p2mo_m2p_entry_size(), sizeof(struct p2mo_m2p_entry));
	for (i = 0; i < STRIDE_OBJS; i++) {
		e[i] = p2mo_m2p_entry_alloc(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, e[i]);
		addr[i] = (unsigned long)e[i];
	}
	sort(addr, STRIDE_OBJS, sizeof(addr[0]), cmp_ptr, NULL);
	for (i = 1; i < STRIDE_OBJS; i++)
		gap = min(gap, addr[i] - addr[i - 1]);
	KUNIT_EXPECT_EQ(test, gap, (unsigned long)p2mo_m2p_entry_size());
	for (i = 0; i < STRIDE_OBJS; i++)
		p2mo_m2p_entry_retire(e[i]);
}

static void htab_alloc_failure(struct kunit *test)
{
	static struct lock_class_key key;
	long live = atomic_long_read(&p2mo_live_allocs);
	struct p2mo_htab h;
	int nth;

	for (nth = 1; nth <= 2; nth++) {
		atomic_set(&p2mo_fail_nth, nth);
		KUNIT_EXPECT_EQ(test, p2mo_htab_init(&h, 6, 4, P2MO_LEVEL_M2P, &key, "t"),
				-ENOMEM);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&p2mo_live_allocs), live);
	}
	atomic_set(&p2mo_fail_nth, 0);
}

static void htab_hash_spreads(struct kunit *test)
{
	static struct lock_class_key key;
	unsigned int counts[256] = { 0 }, i, worst = 0;
	struct p2mo_htab h;

	KUNIT_ASSERT_EQ(test, p2mo_htab_init(&h, 8, 4, P2MO_LEVEL_M2P, &key, "t"), 0);
	/* mfns are often consecutive */
	for (i = 0; i < 256; i++)
		counts[p2mo_htab_hash(&h, 0x80000 + i)]++;
	for (i = 0; i < 256; i++)
		worst = max(worst, counts[i]);
	KUNIT_EXPECT_LE(test, worst, 6U);
	p2mo_htab_uninit(&h);
}

static void htab_table_bad_params(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct p2mo_params p = { .m2p_bits = 3, .p2m_bits = 8, .lock_bits = 2 };
	struct p2mo_table t;

	KUNIT_EXPECT_EQ(test, p2mo_table_init(&t, &f->d0->be, &p), -EINVAL);
	p.m2p_bits = P2MO_MAX_BITS + 1;
	KUNIT_EXPECT_EQ(test, p2mo_table_init(&t, &f->d0->be, &p), -EINVAL);
	p.m2p_bits = 8;
	KUNIT_EXPECT_EQ(test, p2mo_table_init(&t, NULL, &p), -EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_table_init(&t, &f->d0->be, NULL), -EINVAL);
}

static void htab_table_init_alloc_failure(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct p2mo_params p = { .m2p_bits = 6, .p2m_bits = 6, .lock_bits = 4 };
	long live = atomic_long_read(&p2mo_live_allocs);
	struct p2mo_table t;
	int nth;

	/* per-CPU stats are not injectable; 2 tables x 2 arrays, the filter and the view are */
	for (nth = 1; nth <= 6; nth++) {
		atomic_set(&p2mo_fail_nth, nth);
		KUNIT_EXPECT_EQ(test, p2mo_table_init(&t, &f->d0->be, &p), -ENOMEM);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&p2mo_live_allocs), live);
	}
	atomic_set(&p2mo_fail_nth, 0);
	KUNIT_ASSERT_EQ(test, p2mo_table_init(&t, &f->d0->be, &p), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_uninit(&t), 0);
}

static void filter_set_test_clear(struct kunit *test)
{
	long live = atomic_long_read(&p2mo_live_allocs);
	unsigned long *spare = NULL;
	struct p2mo_filter b;

	KUNIT_ASSERT_EQ(test, p2mo_filter_init(&b, 3 * P2MO_FILTER_PER_CHUNK + 5), 0);
	KUNIT_EXPECT_FALSE(test, p2mo_filter_test(&b, 7));
	/* no chunk, no spare: not prepared */
	KUNIT_EXPECT_FALSE(test, p2mo_filter_prepare(&b, P2MO_FILTER_PER_CHUNK + 7, &spare));
	spare = p2mo_chunk_alloc(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, spare);
	KUNIT_EXPECT_TRUE(test, p2mo_filter_prepare(&b, P2MO_FILTER_PER_CHUNK + 7, &spare));
	KUNIT_EXPECT_NULL(test, spare);
	WRITE_ONCE(*p2mo_filter_byte_in(&b, P2MO_FILTER_PER_CHUNK + 7), 1);
	KUNIT_EXPECT_TRUE(test, p2mo_filter_test(&b, P2MO_FILTER_PER_CHUNK + 7));
	KUNIT_EXPECT_FALSE(test, p2mo_filter_test(&b, P2MO_FILTER_PER_CHUNK + 8));
	KUNIT_EXPECT_FALSE(test, p2mo_filter_test(&b, 7));
	KUNIT_EXPECT_EQ(test, p2mo_filter_bytes(&b), 4 * sizeof(void *) + PAGE_SIZE);
	/* out of range: always clear, needs no chunk */
	KUNIT_EXPECT_TRUE(test, p2mo_filter_prepare(&b, 4 * P2MO_FILTER_PER_CHUNK, &spare));
	KUNIT_EXPECT_FALSE(test, p2mo_filter_test(&b, 4 * P2MO_FILTER_PER_CHUNK));
	WRITE_ONCE(*p2mo_filter_byte_in(&b, P2MO_FILTER_PER_CHUNK + 7), 0);
	KUNIT_EXPECT_FALSE(test, p2mo_filter_test(&b, P2MO_FILTER_PER_CHUNK + 7));
	p2mo_filter_uninit(&b);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&p2mo_live_allocs), live);
}

static void filter_next_walks_set_bytes(struct kunit *test)
{
	static const unsigned long bits[] = { 3, 64, P2MO_FILTER_PER_CHUNK * 2 + 1 };
	unsigned long *spare, i, n = 0;
	struct p2mo_filter b;

	KUNIT_ASSERT_EQ(test, p2mo_filter_init(&b, 3 * P2MO_FILTER_PER_CHUNK), 0);
	for (i = 0; i < ARRAY_SIZE(bits); i++) {
		spare = p2mo_chunk_alloc(GFP_KERNEL);
		KUNIT_ASSERT_TRUE(test, p2mo_filter_prepare(&b, bits[i], &spare));
		p2mo_chunk_free(spare);	/* NULL if used */
		WRITE_ONCE(*p2mo_filter_byte_in(&b, bits[i]), 1);
	}
	for (i = p2mo_filter_next(&b, 0); i < b.nr_frames; i = p2mo_filter_next(&b, i + 1))
		KUNIT_EXPECT_EQ(test, i, bits[n++]);
	KUNIT_EXPECT_EQ(test, n, ARRAY_SIZE(bits));
	p2mo_filter_uninit(&b);
}

static struct kunit_case p2mo_htab_cases[] = {
	KUNIT_CASE(filter_set_test_clear),
	KUNIT_CASE(filter_next_walks_set_bytes),
	KUNIT_CASE(view_words_and_chunks),
	KUNIT_CASE(view_answer_encoding),
	KUNIT_CASE(htab_sizes),
	KUNIT_CASE(htab_m2p_entry_stride),
	KUNIT_CASE(htab_alloc_failure),
	KUNIT_CASE(htab_hash_spreads),
	KUNIT_CASE(htab_table_bad_params),
	KUNIT_CASE(htab_table_init_alloc_failure),
	{}
};

static struct kunit_suite p2mo_htab_suite = {
	.name = "p2mo_htab",
	.init = p2mo_fix_init,
	.exit = p2mo_fix_exit,
	.test_cases = p2mo_htab_cases,
};

kunit_test_suite(p2mo_htab_suite);
