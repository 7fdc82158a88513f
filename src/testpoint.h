/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test points: places in the middle of an operation where a KUnit case
 * may run code of its own, as another CPU could at that instant (a writer
 * reusing an entry under a lockless walk, a reader between two stores of
 * a writer).  Compiled in only with CONFIG_P2M_OVERRIDE_KUNIT_TEST, where
 * one global hook is set and cleared by the case that owns the machine
 * (KUnit runs cases one at a time); elsewhere a point is nothing.
 *
 * The hook runs where the point is, locks held as the point says: it must
 * not sleep, and at a point with a stripe held it must not write the
 * tables.
 */
#ifndef _P2MO_TESTPOINT_H
#define _P2MO_TESTPOINT_H

#include <linux/compiler.h>

enum p2mo_test_point {
	/* lockless m2p walk done, seqcount not yet checked; key: mfn */
	P2MO_TP_M2P_WALKED,
	/* the same walk, redone with the stripe held; key: mfn */
	P2MO_TP_M2P_WALKED_LOCKED,
	/* an out-of-line lookup read a view word with acquire; key: pfn */
	P2MO_TP_WORD_ACQUIRED,
	/* an out-of-line lookup reads a chain or filter byte; key: frame */
	P2MO_TP_CHAIN_READ,
	/* p2mo_p2m_set(): the new entry is in its chain; key: pfn */
	P2MO_TP_P2M_LINKED,
};

#ifdef CONFIG_P2M_OVERRIDE_KUNIT_TEST
typedef void (*p2mo_test_fn)(void *arg, enum p2mo_test_point tp,
			     unsigned long key);

extern p2mo_test_fn p2mo_test_hook;
extern void *p2mo_test_hook_arg;

static inline void p2mo_test_point(enum p2mo_test_point tp, unsigned long key)
{
	p2mo_test_fn fn = READ_ONCE(p2mo_test_hook);

	if (unlikely(fn))
		fn(p2mo_test_hook_arg, tp, key);
}

void p2mo_test_hook_set(p2mo_test_fn fn, void *arg);
#else
static inline void p2mo_test_point(enum p2mo_test_point tp, unsigned long key)
{
}
#endif

#endif /* _P2MO_TESTPOINT_H */
