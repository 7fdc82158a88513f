// SPDX-License-Identifier: GPL-2.0
/* Slab caches of the table entries and per-CPU pools of m2p entries. */
#include <linux/slab.h>
#include "alloc.h"
#include "entry.h"

static struct kmem_cache *p2mo_m2p_cache;
static struct kmem_cache *p2mo_p2m_cache;
int p2mo_caches_init(void)
{
	/*
	 * Not SLAB_TYPESAFE_BY_RCU: that puts SLUB's free pointer after the
	 * object (40 bytes, not 32).  Entries reach the slab after RCU.
	 */
	p2mo_m2p_cache = KMEM_CACHE(p2mo_m2p_entry, 0);
	if (!p2mo_m2p_cache)
		return -ENOMEM;
	p2mo_p2m_cache = KMEM_CACHE(p2mo_p2m_entry, 0);
	if (!p2mo_p2m_cache) {
		kmem_cache_destroy(p2mo_m2p_cache);
		return -ENOMEM;
	}
	return 0;
}

void p2mo_caches_uninit(void)
{
	rcu_barrier();		/* call_rcu() frees into the caches */
	kmem_cache_destroy(p2mo_p2m_cache);
	kmem_cache_destroy(p2mo_m2p_cache);
}

/*
 * Slab bytes per m2p entry.  Its stride too: without slab debugging or
 * SLAB_TYPESAFE_BY_RCU, SLUB keeps its free pointer inside the object.
 */
size_t p2mo_m2p_entry_size(void)
{
	return kmem_cache_size(p2mo_m2p_cache);
}

struct p2mo_m2p_entry *p2mo_m2p_entry_alloc(gfp_t gfp)
{
	return p2mo_cache_alloc(p2mo_m2p_cache, gfp);
}

static void p2mo_m2p_entry_free_rcu(struct rcu_head *head)
{
	p2mo_cache_free(p2mo_m2p_cache,
			container_of(head, struct p2mo_m2p_entry, rcu));
}

/*
 * Give @e back to the slab once no reader can stand on it.  Any context.
 * Its link and mfn stay meanwhile; the rcu_head covers bpfn and tag.
 */
void p2mo_m2p_entry_retire(struct p2mo_m2p_entry *e)
{
	if (e)
		call_rcu(&e->rcu, p2mo_m2p_entry_free_rcu);
}

/* Give every entry of @pool back to the slab. */
static void p2mo_pool_empty(struct p2mo_pool *pool)
{
	struct p2mo_m2p_entry *e;

	while ((e = pool->head)) {
		pool->head = e->free_next;
		p2mo_m2p_entry_retire(e);
	}
	pool->nr = 0;
}

/* Free this CPU's pool (tests: every add then allocates). */
void p2mo_pool_trim(struct p2mo_pool __percpu *pools)
{
	unsigned long flags;

	local_irq_save(flags);
	p2mo_pool_empty(this_cpu_ptr(pools));
	local_irq_restore(flags);
}

/* Every CPU's pool, when no writer runs (the tables go away). */
void p2mo_pools_empty(struct p2mo_pool __percpu *pools)
{
	int cpu;

	for_each_possible_cpu(cpu)
		p2mo_pool_empty(per_cpu_ptr(pools, cpu));
}

struct p2mo_p2m_entry *p2mo_p2m_entry_alloc(gfp_t gfp)
{
	return p2mo_cache_alloc(p2mo_p2m_cache, gfp);
}

static void p2mo_p2m_entry_free_rcu(struct rcu_head *head)
{
	p2mo_cache_free(p2mo_p2m_cache,
			container_of(head, struct p2mo_p2m_entry, rcu));
}

/* Free an unpublished entry now, a published one after a grace period. */
void p2mo_p2m_entry_free(struct p2mo_p2m_entry *e)
{
	p2mo_cache_free(p2mo_p2m_cache, e);
}

void p2mo_p2m_entry_free_published(struct p2mo_p2m_entry *e)
{
	call_rcu(&e->rcu, p2mo_p2m_entry_free_rcu);
}
