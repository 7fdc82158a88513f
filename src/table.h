/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The override tables of one domain, and their lockless lookups.
 *
 * m2p override table: one struct p2mo_m2p_entry per (mfn, backend pfn)
 * override, hashed by mfn.  All entries of one mfn sit in one bucket,
 * next to each other and sorted by backend pfn: that run is the reverse
 * map of the mfn, and its first entry is the answer of mfn_to_pfn (the
 * lowest backend pfn, a function of the live set, not of its history).
 * A sparse bitmap over mfns (m2p_filter) has the bit of every mfn with an
 * override set: lookups of other mfns stop there.
 *
 * p2m view: two bits per pfn in a sparse bitmap (p2m_state): TAGGED, a
 * FOREIGN tag, and ENTRY, an entry set by p2mo_p2m_set() (a struct
 * p2mo_p2m_entry, hashed by pfn).  A pfn with neither, the common case,
 * costs one word test before the backend's p2m.  Neither writes anything
 * underneath: the
 * view of a tagged pfn is FOREIGN_FRAME(view without the tag), and
 * clearing the tag or the entry shows the old value again, exactly.  The
 * backend's own p2m is never written.
 *
 * Locking and RCU rules (lock order: locks.h):
 * - Lookups take no lock: bitmap tests, then rcu_read_lock() around a
 *   chain walk; fields a reader uses are immutable after publication
 *   (mfn, bpfn, pfn) or single words read with READ_ONCE() (val).
 * - All changes of m2p overrides go through one write path,
 *   p2mo_override_add() and p2mo_override_remove() in m2p.c: with the
 *   mfn's m2p stripe held they update the chain (reverse map), the filter
 *   bit, the FOREIGN tag (taking the frontend pfn's p2m stripe inside) and
 *   nothing else.  p2mo_p2m_set()/p2mo_p2m_clear() take the p2m stripe.
 * - A bit is set before the entry it covers is published and cleared
 *   after the last entry it covers is unlinked: a clear bit means absent.
 * - Entries are unlinked with hlist_del_rcu() and freed by call_rcu();
 *   p2mo_table_uninit() waits with rcu_barrier().
 */
#ifndef _P2MO_TABLE_H
#define _P2MO_TABLE_H

#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include "backend.h"
#include "bitmap.h"
#include "htab.h"

/**
 * struct p2mo_params - size of one set of override tables
 * @m2p_bits:	log2 of the m2p override buckets
 * @p2m_bits:	log2 of the p2m override buckets
 * @lock_bits:	log2 of the lock stripes of each table (capped at its bits)
 */
struct p2mo_params {
	unsigned int m2p_bits;
	unsigned int p2m_bits;
	unsigned int lock_bits;
};

#define P2MO_MIN_BITS	4
#define P2MO_MAX_BITS	24

/* Per-CPU event counters (names: p2mo_stat_names); gauges are atomics. */
enum p2mo_stat {
	P2MO_STAT_OVERRIDES_ADDED,
	P2MO_STAT_OVERRIDES_REMOVED,
	P2MO_STAT_TAGS_SET,
	P2MO_STAT_TAGS_CLEARED,
	P2MO_STAT_LOOKUPS_HIT,
	P2MO_STAT_LOOKUPS_MISS,
	P2MO_STAT_MAPS_SEEN,
	P2MO_STAT_UNMAPS_SEEN,
	P2MO_STAT_BATCHES_UNDONE,
	P2MO_STAT_UNTRACKED_UNMAPS,
	P2MO_STAT_TRACK_ERRORS,
	P2MO_STAT_REJECTED,
	P2MO_STAT_P2M_SET,
	P2MO_STAT_P2M_CLEARED,
	P2MO_STAT_NR
};

struct p2mo_stats {
	u64 v[P2MO_STAT_NR];
};

extern const char * const p2mo_stat_names[P2MO_STAT_NR];

struct p2mo_table {
	struct p2mo_backend *be;
	struct p2mo_htab m2p;		/* struct p2mo_m2p_entry, by mfn */
	struct p2mo_bitmap m2p_filter;	/* mfns with an override */
	struct p2mo_htab p2m;		/* struct p2mo_p2m_entry, by pfn */
	struct p2mo_bitmap p2m_state;	/* 2 bits per pfn: P2MO_PFN_* */
	struct p2mo_stats __percpu *stats;	/* counters; gauges derive */
};

struct p2mo_m2p_entry {
	struct hlist_node node;
	unsigned long mfn;
	unsigned long bpfn;		/* backend pfn mapping the mfn */
	union {
		/*
		 * Frontend pfn tagged for the mfn, or P2MO_INVALID_ENTRY;
		 * the same in every entry of the mfn.  Writers only, under
		 * the stripe, while linked; the rcu_head takes its place
		 * once the entry is unlinked.
		 */
		unsigned long tag_pfn;
		struct rcu_head rcu;
	};
};

/* The state bits of a pfn in p2m_state */
#define P2MO_PFN_TAGGED	1UL	/* FOREIGN tag: view is FOREIGN_FRAME(...) */
#define P2MO_PFN_ENTRY	2UL	/* a p2mo_p2m_set() entry hides the backend */

struct p2mo_p2m_entry {
	struct hlist_node node;
	unsigned long pfn;
	unsigned long val;		/* what lookups answer for pfn */
	struct rcu_head rcu;
};

/*
 * Statistics only: raw per-CPU operations, with no preemption or
 * interrupt protection, so an increment may rarely be lost where the
 * architecture has no per-CPU read-modify-write instruction.  x86 has:
 * one instruction, as cheap as a plain increment and as safe as
 * this_cpu_inc().  Gauges that must be exact are atomics.
 */
static inline void p2mo_stat_add(struct p2mo_table *t, enum p2mo_stat s,
				 unsigned int n)
{
	raw_cpu_add(t->stats->v[s], n);
}

static inline void p2mo_stat_inc(struct p2mo_table *t, enum p2mo_stat s)
{
	raw_cpu_inc(t->stats->v[s]);
}

/*
 * Counters behind the gauges (live overrides, tags, entries): exact, so
 * only under a stripe lock, where interrupts are off and no shared cache
 * line is written (an atomic gauge would be one for every writer).
 */
static inline void p2mo_stat_inc_locked(struct p2mo_table *t,
					enum p2mo_stat s)
{
	lockdep_assert_irqs_disabled();
	__this_cpu_inc(t->stats->v[s]);
}

long p2mo_live_overrides(struct p2mo_table *t);
long p2mo_live_tags(struct p2mo_table *t);
long p2mo_live_p2m(struct p2mo_table *t);

int p2mo_caches_init(void);
void p2mo_caches_uninit(void);
size_t p2mo_m2p_entry_size(void);

int p2mo_table_init(struct p2mo_table *t, struct p2mo_backend *be,
		    const struct p2mo_params *params);
int p2mo_table_uninit(struct p2mo_table *t);
unsigned long p2mo_table_drain(struct p2mo_table *t);
void p2mo_table_stats(struct p2mo_table *t, struct p2mo_stats *sum);

int p2mo_override_add(struct p2mo_table *t, unsigned long mfn,
		      unsigned long bpfn, gfp_t gfp);
int p2mo_override_remove(struct p2mo_table *t, unsigned long mfn,
			 unsigned long bpfn);
int __p2mo_override_remove(struct p2mo_table *t, unsigned long mfn,
			   unsigned long bpfn);
unsigned long p2mo_mfn_to_pfn_slow(struct p2mo_table *t, unsigned long mfn);
unsigned long p2mo_get_p2m_slow(struct p2mo_table *t, unsigned long pfn);

typedef int (*p2mo_rmap_fn)(void *arg, unsigned long mfn, unsigned long bpfn);
int p2mo_rmap_walk(struct p2mo_table *t, unsigned long mfn,
		   p2mo_rmap_fn fn, void *arg);
unsigned int p2mo_m2p_find_all(struct p2mo_table *t, unsigned long mfn,
			       unsigned long *bpfns, unsigned int max);

int p2mo_p2m_set(struct p2mo_table *t, unsigned long pfn, unsigned long val);
int p2mo_p2m_clear(struct p2mo_table *t, unsigned long pfn);

/* entry allocation (table.c); published entries are freed after RCU */
struct p2mo_m2p_entry *p2mo_m2p_entry_alloc(gfp_t gfp);
void p2mo_m2p_entry_free(struct p2mo_m2p_entry *e, bool published);
struct p2mo_p2m_entry *p2mo_p2m_entry_alloc(gfp_t gfp);
void p2mo_p2m_entry_free(struct p2mo_p2m_entry *e);
void p2mo_p2m_entry_free_published(struct p2mo_p2m_entry *e);

/* p2m.c internals of the write path, called with the m2p stripe held */
bool p2mo_tag_set(struct p2mo_table *t, unsigned long pfn, unsigned long mfn);
void p2mo_tag_clear(struct p2mo_table *t, unsigned long pfn,
		    unsigned long mfn);

/* Checks shared by the write paths; log and count a rejected call. */
bool p2mo_frame_ok(struct p2mo_table *t, const char *what,
		   unsigned long frame, unsigned long limit);

/* ---- lockless lookups (rcu_read_lock() inside; callers need nothing) ---- */

/* The P2MO_PFN_* bits of @pfn, which must be below be->max_pfn. */
static __always_inline unsigned int p2mo_pfn_state_in(struct p2mo_table *t,
						      unsigned long pfn)
{
	unsigned long bit = 2 * pfn, *c;

	c = READ_ONCE(t->p2m_state.chunks[bit / P2MO_CHUNK_BITS]);
	if (!c)
		return 0;
	bit %= P2MO_CHUNK_BITS;
	return (READ_ONCE(c[bit / BITS_PER_LONG]) >> (bit % BITS_PER_LONG)) & 3;
}

static inline unsigned int p2mo_pfn_state(struct p2mo_table *t,
					  unsigned long pfn)
{
	if (unlikely(pfn >= t->be->max_pfn))
		return 0;
	return p2mo_pfn_state_in(t, pfn);
}

/* First (lowest backend pfn) override of @mfn, without the filter. */
static __always_inline bool p2mo_m2p_walk_first(struct p2mo_table *t,
						unsigned long mfn,
						unsigned long *bpfn)
{
	struct p2mo_m2p_entry *e;
	bool found = false;

	rcu_read_lock();
	hlist_for_each_entry_rcu(e, p2mo_htab_bucket(&t->m2p, mfn), node) {
		if (e->mfn == mfn) {
			*bpfn = e->bpfn;
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/* First (lowest backend pfn) override of @mfn. */
static inline bool p2mo_m2p_first(struct p2mo_table *t, unsigned long mfn,
				  unsigned long *bpfn)
{
	return p2mo_bitmap_test(&t->m2p_filter, mfn) &&
	       p2mo_m2p_walk_first(t, mfn, bpfn);
}

/*
 * The hot lookups.  Inline is only the common case of a backend with
 * direct tables and a pfn with no state bits (no tag, no entry): one
 * range check, the arrays, one word of p2m_state.  Everything else is
 * answered out of line, with the same semantics.
 */

/**
 * p2mo_table_get_p2m() - override-aware raw p2m entry, frame bits included
 * @t:   the tables
 * @pfn: the pfn
 */
static inline unsigned long p2mo_table_get_p2m(struct p2mo_table *t,
					       unsigned long pfn)
{
	const unsigned long *p2m = t->be->p2m;

	if (likely(p2m && pfn < t->be->max_pfn && !p2mo_pfn_state_in(t, pfn)))
		return READ_ONCE(p2m[pfn]);
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
	const unsigned long *m2p = t->be->m2p, *p2m = t->be->p2m;
	unsigned long pfn, bpfn;
	unsigned int state;

	if (likely(m2p && p2m && mfn < t->be->max_mfn)) {
		pfn = READ_ONCE(m2p[mfn]);
		if (unlikely(pfn >= t->be->max_pfn))
			goto slow;
		state = p2mo_pfn_state_in(t, pfn);
		if (likely(!state) && READ_ONCE(p2m[pfn]) == mfn)
			return pfn;
		/*
		 * A local frame shared with a local backend: the tag says an
		 * override exists, go straight to it (no filter, no retry).
		 */
		if (state == P2MO_PFN_TAGGED && p2mo_m2p_walk_first(t, mfn, &bpfn)) {
			p2mo_stat_inc(t, P2MO_STAT_LOOKUPS_HIT);
			return bpfn;
		}
	}
slow:
	return p2mo_mfn_to_pfn_slow(t, mfn);
}

#endif /* _P2MO_TABLE_H */
