/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The override tables of one domain, and their lockless lookups.
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
 *   set after its entry is published and cleared before it is unlinked.
 *   A TAGGED bit is set after the frame's first override is published
 *   and cleared before its last one is unlinked.
 * - Entries are unlinked by one store (chain.h); p2mo_table_uninit() waits
 *   for readers with synchronize_rcu() before it frees the arrays, and
 *   retires its pools' entries; p2mo_caches_uninit() waits for every
 *   callback with rcu_barrier().
 */
#ifndef _P2MO_TABLE_H
#define _P2MO_TABLE_H

#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include "backend.h"
#include "filter.h"
#include "htab.h"
#include "view.h"

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
	P2MO_STAT_ADOPTED,
	P2MO_STAT_RECONCILE_PASSES,
	P2MO_STAT_RECONCILED_ADDED,
	P2MO_STAT_RECONCILED_DROPPED,
	P2MO_STAT_RECONCILE_DEFERRED,
	P2MO_STAT_TAGS_FIXED,
	P2MO_STAT_REMAPS_REPLACED,
	P2MO_STAT_NR
};

struct p2mo_sync;

struct p2mo_stats {
	u64 v[P2MO_STAT_NR];
};

extern const char * const p2mo_stat_names[P2MO_STAT_NR];

struct p2mo_table {
	/* What the inline lookups read, first: copied from the backend. */
	const unsigned long *m2p;	/* direct m2p, or NULL */
	const unsigned long *p2m;	/* direct p2m, or NULL */
	unsigned long m2p_limit;	/* max_mfn with both arrays, else 0 */
	unsigned long p2m_limit;	/* max_pfn with a direct p2m, else 0 */
	struct p2mo_view view;		/* a word per pfn: tags, entries */

	struct p2mo_backend *be;
	unsigned long max_mfn;		/* be's, for the write path's checks */
	unsigned long max_pfn;
	struct p2mo_htab m2p_hash;	/* struct p2mo_m2p_entry, by mfn */
	struct p2mo_filter m2p_filter;	/* mfns with an override */
	struct p2mo_htab p2m_hash;	/* struct p2mo_p2m_entry, by pfn */
	struct p2mo_stats __percpu *stats;	/* counters; gauges derive */
	struct p2mo_pool __percpu *pool;	/* free m2p entries */
	struct p2mo_sync *sync;		/* repair state (sync.c), or NULL */
};

/*
 * 32 bytes, two to a cache line.  link and mfn stay as they are until the
 * entry is reused or freed, so a reader standing on an unlinked entry
 * walks on and never takes it for another frame's (table.h rules).
 */
struct p2mo_m2p_entry {
	struct p2mo_link link;		/* next in the bucket's chain */
	unsigned long mfn;
	union {
		struct {
			unsigned long bpfn;	/* backend pfn mapping the mfn */
			union {
				/*
				 * The frontend pfn tagged for the mfn
				 * (p2mo_tag_make()), or P2MO_NO_TAG; the same
				 * in every entry of the mfn.  Writers only,
				 * under the stripe, while linked.
				 */
				unsigned long tag;
				struct p2mo_m2p_entry *free_next; /* in a pool */
			};
		};
		struct rcu_head rcu;	/* retired: to the slab after RCU */
	};
};

/*
 * An entry's tag: the tagged pfn, and in bit 0 whether its view word has
 * an ENTRY bit.  That bit cannot change while the word is tagged
 * (p2mo_p2m_set()/p2mo_p2m_clear() fail with -EBUSY), so the write path
 * rewrites a tagged word without reading it.
 */
#define P2MO_NO_TAG	P2MO_INVALID_ENTRY

static inline unsigned long p2mo_tag_make(unsigned long pfn,
					  unsigned long word)
{
	return pfn << 1 | (word & P2MO_PFN_ENTRY ? 1 : 0);
}

static inline unsigned long p2mo_tag_pfn(unsigned long tag)
{
	return tag >> 1;
}

/* The state bits of the tagged pfn's word without its tag. */
static inline unsigned long p2mo_tag_state(unsigned long tag)
{
	return tag & 1 ? P2MO_PFN_ENTRY : 0;
}

/*
 * Free m2p entries of one CPU, ready for the next add: taken and given
 * back under a stripe lock (interrupts off), up to P2MO_POOL_MAX.
 */
struct p2mo_pool {
	struct p2mo_m2p_entry *head;
	unsigned int nr;
};

#define P2MO_POOL_MAX	1024

struct p2mo_p2m_entry {
	struct p2mo_link link;		/* next in the bucket's chain */
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
unsigned long p2mo_get_p2m_slow(struct p2mo_table *t, unsigned long pfn);
unsigned long p2mo_get_p2m_word(struct p2mo_table *t, unsigned long pfn,
				unsigned long w);

typedef int (*p2mo_rmap_fn)(void *arg, unsigned long mfn, unsigned long bpfn);
bool p2mo_m2p_find_from(struct p2mo_table *t, unsigned long mfn,
			unsigned long min, unsigned long *bpfn);
bool p2mo_m2p_first(struct p2mo_table *t, unsigned long mfn,
		    unsigned long *bpfn);
int p2mo_rmap_walk(struct p2mo_table *t, unsigned long mfn,
		   p2mo_rmap_fn fn, void *arg);
unsigned int p2mo_m2p_find_all(struct p2mo_table *t, unsigned long mfn,
			       unsigned long *bpfns, unsigned int max);

int p2mo_p2m_set(struct p2mo_table *t, unsigned long pfn, unsigned long val);
int p2mo_p2m_clear(struct p2mo_table *t, unsigned long pfn);

/*
 * Entry allocation (table.c).  m2p entries: from the slab, through the
 * CPU's pool with interrupts off, and back to the slab after a grace
 * period once they may have been seen (retire).  p2m entries: published
 * ones are freed after RCU.
 */
struct p2mo_m2p_entry *p2mo_m2p_entry_alloc(gfp_t gfp);
void p2mo_m2p_entry_retire(struct p2mo_m2p_entry *e);
void p2mo_pool_trim(struct p2mo_table *t);
struct p2mo_p2m_entry *p2mo_p2m_entry_alloc(gfp_t gfp);
void p2mo_p2m_entry_free(struct p2mo_p2m_entry *e);
void p2mo_p2m_entry_free_published(struct p2mo_p2m_entry *e);

/* p2m.c internals of the write path, called with the m2p stripe held */
unsigned long p2mo_tag_set(struct p2mo_table *t, unsigned long pfn,
			   unsigned long mfn, unsigned long bpfn);

/* Checks shared by the write paths; log and count a rejected call. */
bool p2mo_frame_rejected(struct p2mo_table *t, const char *what,
			 unsigned long frame, unsigned long limit);

static inline bool p2mo_frame_ok(struct p2mo_table *t, const char *what,
				 unsigned long frame, unsigned long limit)
{
	return likely(frame < limit) ||
	       p2mo_frame_rejected(t, what, frame, limit);
}

/* An entry of this CPU's pool, or NULL.  Interrupts off. */
static inline struct p2mo_m2p_entry *p2mo_m2p_entry_get(struct p2mo_table *t)
{
	struct p2mo_pool *pool = this_cpu_ptr(t->pool);
	struct p2mo_m2p_entry *e = pool->head;

	lockdep_assert_irqs_disabled();
	if (e) {
		pool->head = e->free_next;
		pool->nr--;
	}
	return e;
}

/* Give @e, unlinked, to this CPU's pool or the slab.  Interrupts off. */
static inline void p2mo_m2p_entry_put(struct p2mo_table *t, struct p2mo_m2p_entry *e)
{
	struct p2mo_pool *pool = this_cpu_ptr(t->pool);

	lockdep_assert_irqs_disabled();
	if (pool->nr >= P2MO_POOL_MAX) {
		p2mo_m2p_entry_retire(e);
		return;
	}
	e->free_next = pool->head;
	pool->head = e;
	pool->nr++;
}

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

#endif /* _P2MO_TABLE_H */
