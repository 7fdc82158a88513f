// SPDX-License-Identifier: GPL-2.0
/* The hash container and its bounds. */
#include "util.h"

static void bitmap_get2_reads_pairs(struct kunit *test)
{
	unsigned long *spare = p2mo_bitmap_chunk_alloc(GFP_KERNEL);
	struct p2mo_bitmap b;

	KUNIT_ASSERT_NOT_NULL(test, spare);
	KUNIT_ASSERT_EQ(test, p2mo_bitmap_init(&b, 256), 0);
	KUNIT_EXPECT_EQ(test, p2mo_bitmap_get2(&b, 62), 0U);	/* no chunk */
	KUNIT_ASSERT_TRUE(test, p2mo_bitmap_prepare(&b, 62, &spare));
	p2mo_bitmap_set(&b, 63);
	KUNIT_EXPECT_EQ(test, p2mo_bitmap_get2(&b, 62), 2U);
	p2mo_bitmap_set(&b, 62);
	KUNIT_EXPECT_EQ(test, p2mo_bitmap_get2(&b, 62), 3U);
	KUNIT_EXPECT_EQ(test, p2mo_bitmap_get2(&b, 64), 0U);
	KUNIT_EXPECT_EQ(test, p2mo_bitmap_get2(&b, 60), 0U);
	KUNIT_EXPECT_EQ(test, p2mo_bitmap_get2(&b, 256), 0U);	/* out of range */
	p2mo_bitmap_clear(&b, 63);
	KUNIT_EXPECT_EQ(test, p2mo_bitmap_get2(&b, 62), 1U);
	p2mo_bitmap_uninit(&b);
	p2mo_bitmap_chunk_free(spare);
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
			32 * sizeof(struct hlist_head) + 32 * sizeof(struct p2mo_lock));
	p2mo_htab_uninit(&h);
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

	/* per-CPU stats are not injectable; 2 tables x 2 arrays, 2 bitmaps are */
	for (nth = 1; nth <= 6; nth++) {
		atomic_set(&p2mo_fail_nth, nth);
		KUNIT_EXPECT_EQ(test, p2mo_table_init(&t, &f->d0->be, &p), -ENOMEM);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&p2mo_live_allocs), live);
	}
	atomic_set(&p2mo_fail_nth, 0);
	KUNIT_ASSERT_EQ(test, p2mo_table_init(&t, &f->d0->be, &p), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_uninit(&t), 0);
}

static void bitmap_set_test_clear(struct kunit *test)
{
	long live = atomic_long_read(&p2mo_live_allocs);
	unsigned long *spare = NULL;
	struct p2mo_bitmap b;

	KUNIT_ASSERT_EQ(test, p2mo_bitmap_init(&b, 3 * P2MO_CHUNK_BITS + 5), 0);
	KUNIT_EXPECT_FALSE(test, p2mo_bitmap_test(&b, 7));
	/* no chunk, no spare: not prepared */
	KUNIT_EXPECT_FALSE(test, p2mo_bitmap_prepare(&b, P2MO_CHUNK_BITS + 7, &spare));
	spare = p2mo_bitmap_chunk_alloc(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, spare);
	KUNIT_EXPECT_TRUE(test, p2mo_bitmap_prepare(&b, P2MO_CHUNK_BITS + 7, &spare));
	KUNIT_EXPECT_NULL(test, spare);
	p2mo_bitmap_set(&b, P2MO_CHUNK_BITS + 7);
	KUNIT_EXPECT_TRUE(test, p2mo_bitmap_test(&b, P2MO_CHUNK_BITS + 7));
	KUNIT_EXPECT_FALSE(test, p2mo_bitmap_test(&b, P2MO_CHUNK_BITS + 8));
	KUNIT_EXPECT_FALSE(test, p2mo_bitmap_test(&b, 7));
	KUNIT_EXPECT_EQ(test, p2mo_bitmap_bytes(&b), 4 * sizeof(void *) + PAGE_SIZE);
	/* out of range: always clear, needs no chunk */
	KUNIT_EXPECT_TRUE(test, p2mo_bitmap_prepare(&b, 4 * P2MO_CHUNK_BITS, &spare));
	p2mo_bitmap_set(&b, 4 * P2MO_CHUNK_BITS);
	KUNIT_EXPECT_FALSE(test, p2mo_bitmap_test(&b, 4 * P2MO_CHUNK_BITS));
	p2mo_bitmap_clear(&b, P2MO_CHUNK_BITS + 7);
	KUNIT_EXPECT_FALSE(test, p2mo_bitmap_test(&b, P2MO_CHUNK_BITS + 7));
	p2mo_bitmap_uninit(&b);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&p2mo_live_allocs), live);
}

static void bitmap_next_walks_set_bits(struct kunit *test)
{
	static const unsigned long bits[] = { 3, 64, P2MO_CHUNK_BITS * 2 + 1 };
	unsigned long *spare, i, n = 0;
	struct p2mo_bitmap b;

	KUNIT_ASSERT_EQ(test, p2mo_bitmap_init(&b, 3 * P2MO_CHUNK_BITS), 0);
	for (i = 0; i < ARRAY_SIZE(bits); i++) {
		spare = p2mo_bitmap_chunk_alloc(GFP_KERNEL);
		KUNIT_ASSERT_TRUE(test, p2mo_bitmap_prepare(&b, bits[i], &spare));
		p2mo_bitmap_chunk_free(spare);	/* NULL if used */
		p2mo_bitmap_set(&b, bits[i]);
	}
	for (i = p2mo_bitmap_next(&b, 0); i < b.nbits; i = p2mo_bitmap_next(&b, i + 1))
		KUNIT_EXPECT_EQ(test, i, bits[n++]);
	KUNIT_EXPECT_EQ(test, n, ARRAY_SIZE(bits));
	p2mo_bitmap_uninit(&b);
}

static struct kunit_case p2mo_htab_cases[] = {
	KUNIT_CASE(bitmap_set_test_clear),
	KUNIT_CASE(bitmap_next_walks_set_bits),
	KUNIT_CASE(bitmap_get2_reads_pairs),
	KUNIT_CASE(htab_sizes),
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
