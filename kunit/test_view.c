// SPDX-License-Identifier: GPL-2.0
/* The p2m view words: chunks, the zero chunk, the answer encoding. */
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

static struct kunit_case p2mo_view_cases[] = {
	KUNIT_CASE(view_words_and_chunks),
	KUNIT_CASE(view_answer_encoding),
	{}
};

static struct kunit_suite p2mo_view_suite = {
	.name = "p2mo_view",
	.init = p2mo_fix_init,
	.exit = p2mo_fix_exit,
	.test_cases = p2mo_view_cases,
};

kunit_test_suite(p2mo_view_suite);
