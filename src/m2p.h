/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The m2p override table of one domain, the one write path, and the
 * lockless m2p lookup (inline, beside its slow path).
 *
 * m2p override table: one struct p2mo_m2p_entry per (mfn, backend pfn)
 * override, hashed by mfn.  All entries of one mfn sit in one bucket,
 * next to each other and sorted by backend pfn: that run is the reverse
 * map of the mfn, and its first entry is the answer of mfn_to_pfn (the
 * lowest backend pfn, a function of the live set, not of its history).
 * A sparse byte map over mfns (m2p_filter, filter.h) is non-zero for every
 * mfn with an override: out-of-line lookups of other mfns stop there.
 *
 * p2m view: one word per pfn (view.h): FOREIGN tag and p2m-entry bits,
 * and for a tagged pfn the frame it is tagged for and that frame's
 * answer.  A pfn with a zero word, the common case, costs one load before
 * the backend's p2m; a shared local frame is answered from its frontend
 * pfn's word without a hash walk.  Entries set by p2mo_p2m_set() are
 * struct p2mo_p2m_entry, hashed by pfn.  Nothing underneath is written:
 * the view of a tagged pfn is FOREIGN_FRAME(view without the tag), and
 * clearing the tag or the entry shows the old value again, exactly.  The
 * backend's own p2m is never written.
 *
 * Locking and RCU rules (lock order: locks.h):
 * - Lookups take no lock.  The inline ones read the backend's arrays and
 *   the view word, nothing else.  The others test bits, then walk a chain
 *   under rcu_read_lock().
 * - m2p entries are reused at once, without a grace period: a removed
 *   entry goes to a per-CPU pool of the table and the next add may link
 *   it into another chain with another key, while a reader still stands
 *   on it (as KVM's lockless rmap walker and the kernel's nulls lists
 *   allow for).  An entry leaves the pool for the slab only after a
 *   grace period (p2mo_m2p_entry_retire()), so under rcu_read_lock() an
 *   entry stays an entry; a reader of an m2p chain
 *   brackets its walk with the stripe's seqcount, which every unlink
 *   and every insert into a run bumps, and walks again if it moved
 *   (p2mo_m2p_find_from(); the stripe lock after a few tries).  A new
 *   frame's first entry, linked at the bucket head, splits no run and
 *   needs no bump: the reader sees the frame with it or without it.
 *   Nothing else reads m2p entries.
 * - p2m entries are immutable after publication but val, read with
 *   READ_ONCE(), and freed after a grace period (call_rcu()).
 * - All changes of m2p overrides go through one write path,
 *   p2mo_override_add() and p2mo_override_remove() in m2p.c: with the
 *   mfn's m2p stripe held they update the chain (reverse map), the filter
 *   byte, the FOREIGN tag and answer in the frontend pfn's view word, and
 *   nothing else.  p2mo_p2m_set()/p2mo_p2m_clear() take the p2m stripe.
 *   View words change as view.h says; a tag over a p2m entry is set with
 *   the pfn's p2m stripe held too, so that the entry cannot change
 *   between the check and the tag.
 * - A filter byte is set before the entry it covers is published and
 *   cleared after the last entry it covers is unlinked.  An ENTRY bit is
 *   set before its entry is linked and cleared before it is unlinked (a
 *   reader that sees the bit and no entry reads the backend: the value in
 *   effect until the link).  A TAGGED bit is set after the frame's first
 *   override is published and cleared before its last one is unlinked.
 * - Ordering: the bits are set by cmpxchg(), a full barrier; a reader
 *   that goes on from a word to what its bits cover (filter byte, chains)
 *   loads the word with acquire (p2mo_view_word_acquire()).  Chains are
 *   published with rcu_assign_pointer() and read with rcu_dereference().
 *   The pairs: design.rst, "Memory ordering".
 * - Entries are unlinked by one store (chain.h); p2mo_table_uninit() waits
 *   for readers with synchronize_rcu() before it frees the arrays, and
 *   retires its pools' entries; p2mo_caches_uninit() waits for every
 *   callback with rcu_barrier().
 */
#ifndef _P2MO_M2P_H
#define _P2MO_M2P_H

#include "p2m.h"
#include "table.h"

int p2mo_override_add(struct p2mo_table *t, unsigned long mfn,
		      unsigned long bpfn, gfp_t gfp);
int p2mo_override_remove(struct p2mo_table *t, unsigned long mfn,
			 unsigned long bpfn);
int p2mo_override_remove_quiet(struct p2mo_table *t, unsigned long mfn,
			       unsigned long bpfn);

/*
 * A condition on the pair, checked with the frame's m2p stripe held, so
 * that what it reads (the backend's p2m) and the change are one step
 * against every other writer of the pair: the repair pass (sync.c).
 * Must not sleep.
 */
struct p2mo_guard {
	bool (*holds)(struct p2mo_table *t, unsigned long mfn,
		      unsigned long bpfn, void *arg);
	void *arg;
};

int p2mo_override_add_if(struct p2mo_table *t, unsigned long mfn,
			 unsigned long bpfn, gfp_t gfp,
			 const struct p2mo_guard *guard);
int p2mo_override_remove_if(struct p2mo_table *t, unsigned long mfn,
			    unsigned long bpfn, const struct p2mo_guard *guard);
unsigned long p2mo_mfn_to_pfn_slow(struct p2mo_table *t, unsigned long mfn);
typedef int (*p2mo_rmap_fn)(void *arg, unsigned long mfn, unsigned long bpfn);
bool p2mo_m2p_find_from(struct p2mo_table *t, unsigned long mfn,
			unsigned long min, unsigned long *bpfn);
bool p2mo_m2p_first(struct p2mo_table *t, unsigned long mfn,
		    unsigned long *bpfn);
int p2mo_rmap_walk(struct p2mo_table *t, unsigned long mfn,
		   p2mo_rmap_fn fn, void *arg);
unsigned int p2mo_m2p_find_all(struct p2mo_table *t, unsigned long mfn,
			       unsigned long *bpfns, unsigned int max);

unsigned long p2mo_m2p_drain(struct p2mo_table *t);

/**
 * p2mo_table_drain() - remove every override, clearing every FOREIGN tag
 * @t: the tables; the caller keeps writers away (hooks detached)
 *
 * m2p overrides first: their tags would keep p2m entries busy.
 *
 * Return: the number of entries removed.
 */
static inline unsigned long p2mo_table_drain(struct p2mo_table *t)
{
	unsigned long n = p2mo_m2p_drain(t);

	return n + p2mo_p2m_drain(t);
}

/*
 * mfn_to_pfn() with the 2012 semantics: the m2p's answer when it maps back
 * (p2m(m2p(mfn)) == mfn, the p2m seen through the overrides, so a FOREIGN
 * tag makes it fail); otherwise the lowest backend pfn overriding the mfn;
 * otherwise the mfn for a 1:1 frame, else P2MO_INVALID_ENTRY, as the
 * kernel's mfn_to_pfn() answers.
 */
static inline unsigned long p2mo_table_mfn_to_pfn(struct p2mo_table *t,
						  unsigned long mfn)
{
	unsigned long pfn, w;

	if (likely(mfn < t->m2p_limit)) {
		pfn = p2mo_load_once(t->m2p[mfn]);
		if (likely(pfn < t->p2m_limit)) {
			w = p2mo_view_word_in(&t->view, pfn);
			if (likely(!w)) {
				if (p2mo_load_once(t->p2m[pfn]) == mfn)
					return pfn;
			} else if (p2mo_view_answers(w, mfn)) {
				/* a local frame shared with a local backend */
				return p2mo_view_answer(w);
			}
		}
	}
	return p2mo_mfn_to_pfn_slow(t, mfn);
}

#endif /* _P2MO_M2P_H */
