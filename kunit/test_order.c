// SPDX-License-Identifier: GPL-2.0
/*
 * Memory ordering and publication, through the test points
 * (src/testpoint.h): what a reader on another CPU could see in the middle
 * of a writer's steps, and in which order the out-of-line lookups load
 * what they read.  x86 and UML never reorder two loads, so the ordering
 * cases check the contract the design states instead: the word whose bits
 * send a lookup on to a chain is loaded with acquire before the chain or
 * filter byte is read (design.rst, "Memory ordering").
 */
#include "util.h"

#define ORDER_LOG	16

struct order_log {
	enum p2mo_test_point tp[ORDER_LOG];
	unsigned long key[ORDER_LOG];
	unsigned int n;
};

static void order_record(void *arg, enum p2mo_test_point tp, unsigned long key)
{
	struct order_log *log = arg;

	if (log->n < ORDER_LOG) {
		log->tp[log->n] = tp;
		log->key[log->n] = key;
	}
	log->n++;
}

/* Index of the first @tp for @key in @log, or -1. */
static int order_find(const struct order_log *log, enum p2mo_test_point tp,
		      unsigned long key)
{
	unsigned int i;

	for (i = 0; i < min_t(unsigned int, log->n, ORDER_LOG); i++)
		if (log->tp[i] == tp && log->key[i] == key)
			return i;
	return -1;
}

/*
 * A tag without ANSWER (the pfn has a p2m entry, as a frame of 2^31 or
 * more would): the lookup goes from the word to the filter byte and the
 * chain of the frame, which on a weakly ordered CPU could be older than
 * the word, unless the word was loaded with acquire.
 */
static void order_tag_word_acquired_before_chain(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d0, 7);
	struct order_log log = { };
	int acq, chain;

	KUNIT_ASSERT_EQ(test, p2mo_p2m_set(&f->t, 7, mfn), 0);
	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(3), GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, p2mo_live_tags(&f->t), 1);
	KUNIT_ASSERT_FALSE(test, p2mo_view_word(&f->t.view, 7) & P2MO_VIEW_ANSWER);
	p2mo_test_hook_set(order_record, &log);
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, mfn), FIX_BPFN(3));
	p2mo_test_hook_set(NULL, NULL);
	acq = order_find(&log, P2MO_TP_WORD_ACQUIRED, 7);
	chain = order_find(&log, P2MO_TP_CHAIN_READ, mfn);
	KUNIT_EXPECT_GE(test, chain, 0);
	KUNIT_EXPECT_GE_MSG(test, acq, 0, "the tagged word was not loaded with acquire");
	KUNIT_EXPECT_LT(test, acq, chain);
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(3)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_clear(&f->t, 7), 0);
}

/* The same for an ENTRY bit and the p2m chain it sends a lookup to. */
static void order_entry_word_acquired_before_chain(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct order_log log = { };
	int acq, chain;

	KUNIT_ASSERT_EQ(test, p2mo_p2m_set(&f->t, 9, 0x999), 0);
	p2mo_test_hook_set(order_record, &log);
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 9), 0x999UL);
	p2mo_test_hook_set(NULL, NULL);
	acq = order_find(&log, P2MO_TP_WORD_ACQUIRED, 9);
	chain = order_find(&log, P2MO_TP_CHAIN_READ, 9);
	KUNIT_EXPECT_GE(test, chain, 0);
	KUNIT_EXPECT_GE_MSG(test, acq, 0, "the entry's word was not loaded with acquire");
	KUNIT_EXPECT_LT(test, acq, chain);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_clear(&f->t, 9), 0);
}

struct order_stale {
	struct p2mo_table *t;
	unsigned long pfn, seen;
	unsigned int fired;
};

/*
 * At the instant the new entry is in its chain: what does a reader that
 * read the pfn's word a moment ago, with ENTRY set (an entry since
 * cleared), answer now?
 */
static void order_stale_reader(void *arg, enum p2mo_test_point tp,
			       unsigned long key)
{
	struct order_stale *s = arg;

	if (tp != P2MO_TP_P2M_LINKED || key != s->pfn)
		return;
	s->fired++;
	s->seen = p2mo_get_p2m_word(s->t, s->pfn, P2MO_PFN_ENTRY);
}

/*
 * p2mo_p2m_set() of a tagged pfn fails with -EBUSY; no reader may ever
 * have been answered the value it did not set.
 */
static void order_busy_set_publishes_nothing(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d0, 4);
	struct order_stale s = { .t = &f->t, .pfn = 4 };

	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(1), GFP_KERNEL), 0);
	p2mo_test_hook_set(order_stale_reader, &s);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_set(&f->t, 4, 0x4444), -EBUSY);
	p2mo_test_hook_set(NULL, NULL);
	KUNIT_EXPECT_EQ_MSG(test, s.fired, 0U,
			    "an entry that never took effect was published (a reader saw %#lx)",
			    s.seen);
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 4), P2MO_FOREIGN_FRAME(mfn));
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(1)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_live_p2m(&f->t), 0);
}

/* And a set that takes effect: the reader then sees the value set. */
static void order_set_publishes_its_value(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct order_stale s = { .t = &f->t, .pfn = 5 };

	p2mo_test_hook_set(order_stale_reader, &s);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_set(&f->t, 5, 0x5555), 0);
	p2mo_test_hook_set(NULL, NULL);
	KUNIT_EXPECT_EQ(test, s.fired, 1U);
	KUNIT_EXPECT_EQ(test, s.seen, 0x5555UL);
	KUNIT_EXPECT_EQ(test, p2mo_p2m_clear(&f->t, 5), 0);
}

static struct kunit_case p2mo_order_cases[] = {
	KUNIT_CASE(order_tag_word_acquired_before_chain),
	KUNIT_CASE(order_entry_word_acquired_before_chain),
	KUNIT_CASE(order_busy_set_publishes_nothing),
	KUNIT_CASE(order_set_publishes_its_value),
	{}
};

static struct kunit_suite p2mo_order_suite = {
	.name = "p2mo_order",
	.init = p2mo_fix_init,
	.exit = p2mo_fix_exit,
	.test_cases = p2mo_order_cases,
};

kunit_test_suite(p2mo_order_suite);
