/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One domain's set of override tables: the struct and its life cycle.
 * What the tables hold and the rules of their locks and lockless readers:
 * m2p.h (overrides, the one write path), p2m.h (p2m entries, the view),
 * tag.h (FOREIGN tags); the lock order: locks.h.
 */
#ifndef _P2MO_TABLE_H
#define _P2MO_TABLE_H

#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include "backend.h"
#include "entry.h"
#include "filter.h"
#include "htab.h"
#include "stats.h"
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

struct p2mo_sync;

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

/* Gauges: exact when no writer runs, a snapshot otherwise. */
static inline long p2mo_live_overrides(struct p2mo_table *t)
{
	return p2mo_stats_diff(t->stats, P2MO_STAT_OVERRIDES_ADDED,
			       P2MO_STAT_OVERRIDES_REMOVED);
}

static inline long p2mo_live_tags(struct p2mo_table *t)
{
	return p2mo_stats_diff(t->stats, P2MO_STAT_TAGS_SET,
			       P2MO_STAT_TAGS_CLEARED);
}

static inline long p2mo_live_p2m(struct p2mo_table *t)
{
	return p2mo_stats_diff(t->stats, P2MO_STAT_P2M_SET,
			       P2MO_STAT_P2M_CLEARED);
}

static inline void p2mo_table_stats(struct p2mo_table *t,
				    struct p2mo_stats *sum)
{
	p2mo_stats_sum(t->stats, sum);
}

/*
 * The table's two lock kinds, by name (their level and what each protects:
 * locks.h).  Level 40: the m2p stripe of a frame's bucket; level 50: the
 * p2m stripe of a pfn's bucket.  Both are taken with interrupts off (the
 * hooks write from kprobe handlers); the _bucket forms serve walks by
 * bucket index.  p2mo_*_assert_held() is lockdep_assert_held() of one.
 */
static inline struct p2mo_lock *p2mo_m2p_stripe(struct p2mo_table *t,
						unsigned long mfn)
{
	return p2mo_htab_lock(&t->m2p_hash, mfn);
}

static inline struct p2mo_lock *p2mo_p2m_stripe(struct p2mo_table *t,
						unsigned long pfn)
{
	return p2mo_htab_lock(&t->p2m_hash, pfn);
}

static inline unsigned long p2mo_m2p_lock(struct p2mo_table *t,
					  unsigned long mfn)
	__acquires(m2p_stripe)
{
	return p2mo_lock(p2mo_m2p_stripe(t, mfn));
}

static inline void p2mo_m2p_unlock(struct p2mo_table *t, unsigned long mfn,
				   unsigned long flags)
	__releases(m2p_stripe)
{
	p2mo_unlock(p2mo_m2p_stripe(t, mfn), flags);
}

static inline unsigned long p2mo_m2p_bucket_lock(struct p2mo_table *t,
						 unsigned long i)
	__acquires(m2p_stripe)
{
	return p2mo_lock(p2mo_htab_bucket_lock(&t->m2p_hash, i));
}

static inline void p2mo_m2p_bucket_unlock(struct p2mo_table *t,
					  unsigned long i, unsigned long flags)
	__releases(m2p_stripe)
{
	p2mo_unlock(p2mo_htab_bucket_lock(&t->m2p_hash, i), flags);
}

static inline unsigned long p2mo_p2m_lock(struct p2mo_table *t,
					  unsigned long pfn)
	__acquires(p2m_stripe)
{
	return p2mo_lock(p2mo_p2m_stripe(t, pfn));
}

static inline void p2mo_p2m_unlock(struct p2mo_table *t, unsigned long pfn,
				   unsigned long flags)
	__releases(p2m_stripe)
{
	p2mo_unlock(p2mo_p2m_stripe(t, pfn), flags);
}

#define p2mo_m2p_assert_held(t, mfn) \
	lockdep_assert_held(&p2mo_m2p_stripe(t, mfn)->lock)
#define p2mo_p2m_assert_held(t, pfn) \
	lockdep_assert_held(&p2mo_p2m_stripe(t, pfn)->lock)

int p2mo_table_init(struct p2mo_table *t, struct p2mo_backend *be,
		    const struct p2mo_params *params);
int p2mo_table_uninit(struct p2mo_table *t);

/* Checks shared by the write paths; log and count a rejected call. */
bool p2mo_frame_rejected(struct p2mo_table *t, const char *what,
			 unsigned long frame, unsigned long limit);

static inline bool p2mo_frame_ok(struct p2mo_table *t, const char *what,
				 unsigned long frame, unsigned long limit)
{
	return likely(frame < limit) ||
	       p2mo_frame_rejected(t, what, frame, limit);
}

#endif /* _P2MO_TABLE_H */
