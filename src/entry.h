/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The entries of the override tables and where they come from: two slab
 * caches, and per-CPU pools of free m2p entries.
 */
#ifndef _P2MO_ENTRY_H
#define _P2MO_ENTRY_H

#include <linux/gfp.h>
#include <linux/lockdep.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include "chain.h"

/*
 * 32 bytes, two to a cache line.  link and mfn stay as they are until the
 * entry is reused or freed, so a reader standing on an unlinked entry
 * walks on and never takes it for another frame's (m2p.h rules).
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

int p2mo_caches_init(void);
void p2mo_caches_uninit(void);
size_t p2mo_m2p_entry_size(void);

/*
 * Entry allocation (entry.c).  m2p entries: from the slab, through the
 * CPU's pool with interrupts off, and back to the slab after a grace
 * period once they may have been seen (retire).  p2m entries: published
 * ones are freed after RCU.
 */
struct p2mo_m2p_entry *p2mo_m2p_entry_alloc(gfp_t gfp);
void p2mo_m2p_entry_retire(struct p2mo_m2p_entry *e);
void p2mo_pool_trim(struct p2mo_pool __percpu *pools);
void p2mo_pools_empty(struct p2mo_pool __percpu *pools);
struct p2mo_p2m_entry *p2mo_p2m_entry_alloc(gfp_t gfp);
void p2mo_p2m_entry_free(struct p2mo_p2m_entry *e);
void p2mo_p2m_entry_free_published(struct p2mo_p2m_entry *e);

/* An entry of this CPU's pool, or NULL.  Interrupts off. */
static inline struct p2mo_m2p_entry *
p2mo_m2p_entry_get(struct p2mo_pool __percpu *pools)
{
	struct p2mo_pool *pool = this_cpu_ptr(pools);
	struct p2mo_m2p_entry *e = pool->head;

	lockdep_assert_irqs_disabled();
	if (e) {
		pool->head = e->free_next;
		pool->nr--;
	}
	return e;
}

/* Give @e, unlinked, to this CPU's pool or the slab.  Interrupts off. */
static inline void p2mo_m2p_entry_put(struct p2mo_pool __percpu *pools,
				      struct p2mo_m2p_entry *e)
{
	struct p2mo_pool *pool = this_cpu_ptr(pools);

	lockdep_assert_irqs_disabled();
	if (pool->nr >= P2MO_POOL_MAX) {
		p2mo_m2p_entry_retire(e);
		return;
	}
	e->free_next = pool->head;
	pool->head = e;
	pool->nr++;
}

#endif /* _P2MO_ENTRY_H */
