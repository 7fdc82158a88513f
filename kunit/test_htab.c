// SPDX-License-Identifier: GPL-2.0
/* The hash container, its geometry and the table built on it. */
#include <linux/sort.h>
#include "util.h"

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

static struct kunit_case p2mo_htab_cases[] = {
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
