/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The p2m side: entries set by p2mo_p2m_set(), hashed by pfn, and the
 * override-aware p2m lookups, the hot ones inline beside their slow path.
 * Each pfn's view word (view.h) says whether it has an entry or a FOREIGN
 * tag (tag.h); a pfn with neither reads the backend's p2m.  Rules: m2p.h.
 */
#ifndef _P2MO_P2M_H
#define _P2MO_P2M_H

#include "table.h"

unsigned long p2mo_get_p2m_slow(struct p2mo_table *t, unsigned long pfn);
unsigned long p2mo_get_p2m_word(struct p2mo_table *t, unsigned long pfn,
				unsigned long w);

int p2mo_p2m_set(struct p2mo_table *t, unsigned long pfn, unsigned long val);
int p2mo_p2m_clear(struct p2mo_table *t, unsigned long pfn);
unsigned long p2mo_p2m_drain(struct p2mo_table *t);

/* ---- lockless lookups (rcu_read_lock() inside; callers need nothing) ---- */

/* The P2MO_PFN_* bits of @pfn; 0 out of range. */
static inline unsigned int p2mo_pfn_state(struct p2mo_table *t,
					  unsigned long pfn)
{
	return p2mo_view_word(&t->view, pfn) & P2MO_PFN_STATE;
}

/*
 * The hot lookups.  Inline are the common cases of a backend with direct
 * tables: a pfn with a zero view word (one range check, the arrays, one
 * word), and a shared local frame whose frontend pfn's word answers.
 * Everything else is answered out of line, with the same semantics.
 */

/**
 * p2mo_table_get_p2m() - override-aware raw p2m entry, frame bits included
 * @t:   the tables
 * @pfn: the pfn
 */
static inline unsigned long p2mo_table_get_p2m(struct p2mo_table *t,
					       unsigned long pfn)
{
	if (likely(pfn < t->p2m_limit && !p2mo_view_word_in(&t->view, pfn)))
		return p2mo_load_once(t->p2m[pfn]);
	return p2mo_get_p2m_slow(t, pfn);
}

/* pfn_to_mfn(): the frame bits stripped, as the kernel's pfn_to_mfn() */
static inline unsigned long p2mo_table_pfn_to_mfn(struct p2mo_table *t,
						  unsigned long pfn)
{
	unsigned long mfn = p2mo_table_get_p2m(t, pfn);

	if (mfn != P2MO_INVALID_ENTRY)
		mfn &= ~P2MO_FRAME_BITS;
	return mfn;
}

#endif /* _P2MO_P2M_H */
