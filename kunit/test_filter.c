// SPDX-License-Identifier: GPL-2.0
/* The m2p fast-reject filter: a byte per frame in sparse chunks. */
#include "util.h"

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

static struct kunit_case p2mo_filter_cases[] = {
	KUNIT_CASE(filter_set_test_clear),
	KUNIT_CASE(filter_next_walks_set_bytes),
	{}
};

static struct kunit_suite p2mo_filter_suite = {
	.name = "p2mo_filter",
	.init = p2mo_fix_init,
	.exit = p2mo_fix_exit,
	.test_cases = p2mo_filter_cases,
};

kunit_test_suite(p2mo_filter_suite);
