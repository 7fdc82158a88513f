// SPDX-License-Identifier: GPL-2.0
/* Life cycle of a set of override tables: caches, init, drain, uninit. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include "alloc.h"
#include "table.h"

static struct kmem_cache *p2mo_m2p_cache;
static struct kmem_cache *p2mo_p2m_cache;
static struct lock_class_key p2mo_m2p_lock_key;
static struct lock_class_key p2mo_p2m_lock_key;

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
void p2mo_pool_trim(struct p2mo_table *t)
{
	unsigned long flags;

	local_irq_save(flags);
	p2mo_pool_empty(this_cpu_ptr(t->pool));
	local_irq_restore(flags);
}

static void p2mo_pools_free(struct p2mo_table *t)
{
	int cpu;

	for_each_possible_cpu(cpu)
		p2mo_pool_empty(per_cpu_ptr(t->pool, cpu));
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

static bool p2mo_params_ok(const struct p2mo_params *p)
{
	return p->m2p_bits >= P2MO_MIN_BITS && p->m2p_bits <= P2MO_MAX_BITS &&
	       p->p2m_bits >= P2MO_MIN_BITS && p->p2m_bits <= P2MO_MAX_BITS &&
	       p->lock_bits <= P2MO_MAX_BITS;
}

/* What the inline lookups read, copied so that they need no t->be load. */
static void p2mo_table_set_fast(struct p2mo_table *t, struct p2mo_backend *be)
{
	t->m2p = be->m2p;
	t->p2m = be->p2m;
	t->p2m_limit = be->p2m ? be->max_pfn : 0;
	t->m2p_limit = be->p2m && be->m2p ? be->max_mfn : 0;
	t->max_mfn = be->max_mfn;
	t->max_pfn = be->max_pfn;
}

/**
 * p2mo_table_init() - set up empty override tables over a backend
 * @t:      the tables
 * @be:     the backend they override
 * @params: their sizes
 *
 * Return: 0, -EINVAL for sizes out of range, -ENOMEM.
 */
int p2mo_table_init(struct p2mo_table *t, struct p2mo_backend *be,
		    const struct p2mo_params *params)
{
	int err;

	if (!be || !params || !p2mo_params_ok(params)) {
		pr_err_ratelimited("table: bad backend or sizes\n");
		return -EINVAL;
	}
	memset(t, 0, sizeof(*t));
	t->be = be;
	t->stats = alloc_percpu(struct p2mo_stats);
	if (!t->stats)
		return -ENOMEM;
	t->pool = alloc_percpu(struct p2mo_pool);
	if (!t->pool) {
		err = -ENOMEM;
		goto err_stats;
	}
	err = p2mo_htab_init(&t->m2p_hash, params->m2p_bits, params->lock_bits,
			     P2MO_LEVEL_M2P, &p2mo_m2p_lock_key,
			     "p2mo_m2p_stripe");
	if (err)
		goto err_pool;
	err = p2mo_htab_init(&t->p2m_hash, params->p2m_bits, params->lock_bits,
			     P2MO_LEVEL_P2M, &p2mo_p2m_lock_key,
			     "p2mo_p2m_stripe");
	if (err)
		goto err_m2p;
	err = p2mo_filter_init(&t->m2p_filter, be->max_mfn);
	if (err)
		goto err_p2m;
	err = p2mo_view_init(&t->view, be->max_pfn);
	if (err)
		goto err_filter;
	p2mo_table_set_fast(t, be);
	return 0;

err_filter:
	p2mo_filter_uninit(&t->m2p_filter);
err_p2m:
	p2mo_htab_uninit(&t->p2m_hash);
err_m2p:
	p2mo_htab_uninit(&t->m2p_hash);
err_pool:
	free_percpu(t->pool);
	t->pool = NULL;
err_stats:
	free_percpu(t->stats);
	t->stats = NULL;
	return err;
}

/**
 * p2mo_table_uninit() - free empty override tables
 * @t: the tables
 *
 * Return: 0, or -EBUSY (nothing freed) while overrides are live: remove
 * them, or p2mo_table_drain() them, first.
 */
int p2mo_table_uninit(struct p2mo_table *t)
{
	long live = p2mo_live_overrides(t) + p2mo_live_p2m(t);

	if (live) {
		pr_warn_ratelimited("table: %ld overrides still live, not freeing\n",
				    live);
		return -EBUSY;
	}
	/*
	 * Lockless readers may still be on the buckets, view and filter:
	 * wait for them (rcu_barrier() would not: it waits for callbacks,
	 * and returns at once when none are queued).
	 */
	synchronize_rcu();
	p2mo_pools_free(t);
	free_percpu(t->pool);
	t->pool = NULL;
	p2mo_view_uninit(&t->view);
	p2mo_filter_uninit(&t->m2p_filter);
	p2mo_htab_uninit(&t->p2m_hash);
	p2mo_htab_uninit(&t->m2p_hash);
	free_percpu(t->stats);
	t->stats = NULL;
	return 0;
}

static unsigned long p2mo_drain_m2p_bucket(struct p2mo_table *t,
					   unsigned long i)
{
	struct p2mo_lock *lock = p2mo_htab_bucket_lock(&t->m2p_hash, i);
	struct p2mo_chain *head = &t->m2p_hash.buckets[i];
	struct p2mo_m2p_entry *e;
	unsigned long n = 0, flags;

	/* Entries are reused at once: read the first one under the lock. */
	for (;;) {
		unsigned long mfn, bpfn;

		flags = p2mo_lock(lock);
		e = p2mo_link_entry(head->first, struct p2mo_m2p_entry, link);
		if (e) {
			mfn = e->mfn;
			bpfn = e->bpfn;
		}
		p2mo_unlock(lock, flags);
		if (!e || p2mo_override_remove(t, mfn, bpfn))
			return n;
		n++;
	}
}

static unsigned long p2mo_drain_p2m_bucket(struct p2mo_table *t,
					   struct p2mo_chain *head)
{
	struct p2mo_p2m_entry *e;
	unsigned long n = 0;

	for (;;) {
		unsigned long pfn;

		rcu_read_lock();
		e = p2mo_link_entry(p2mo_chain_first_rcu(head),
				    struct p2mo_p2m_entry, link);
		if (e)
			pfn = e->pfn;
		rcu_read_unlock();
		if (!e || p2mo_p2m_clear(t, pfn))
			return n;
		n++;
	}
}

/**
 * p2mo_table_drain() - remove every override, clearing every FOREIGN tag
 * @t: the tables; the caller keeps writers away (hooks detached)
 *
 * Return: the number of entries removed.
 */
unsigned long p2mo_table_drain(struct p2mo_table *t)
{
	unsigned long i, n = 0;

	for (i = 0; i < (1UL << t->m2p_hash.bits); i++)
		n += p2mo_drain_m2p_bucket(t, i);
	for (i = 0; i < (1UL << t->p2m_hash.bits); i++)
		n += p2mo_drain_p2m_bucket(t, &t->p2m_hash.buckets[i]);
	return n;
}

const char * const p2mo_stat_names[P2MO_STAT_NR] = {
	[P2MO_STAT_OVERRIDES_ADDED] = "overrides_added",
	[P2MO_STAT_OVERRIDES_REMOVED] = "overrides_removed",
	[P2MO_STAT_TAGS_SET] = "foreign_tags_set",
	[P2MO_STAT_TAGS_CLEARED] = "foreign_tags_cleared",
	[P2MO_STAT_LOOKUPS_HIT] = "lookups_hit",
	[P2MO_STAT_LOOKUPS_MISS] = "lookups_miss",
	[P2MO_STAT_MAPS_SEEN] = "maps_seen",
	[P2MO_STAT_UNMAPS_SEEN] = "unmaps_seen",
	[P2MO_STAT_BATCHES_UNDONE] = "batches_undone",
	[P2MO_STAT_UNTRACKED_UNMAPS] = "untracked_unmaps",
	[P2MO_STAT_TRACK_ERRORS] = "track_errors",
	[P2MO_STAT_REJECTED] = "rejected",
	[P2MO_STAT_P2M_SET] = "p2m_entries_set",
	[P2MO_STAT_P2M_CLEARED] = "p2m_entries_cleared",
	[P2MO_STAT_ADOPTED] = "adopted",
	[P2MO_STAT_RECONCILE_PASSES] = "reconcile_passes",
	[P2MO_STAT_RECONCILED_ADDED] = "reconciled_added",
	[P2MO_STAT_RECONCILED_DROPPED] = "reconciled_dropped",
	[P2MO_STAT_RECONCILE_DEFERRED] = "reconcile_deferred",
	[P2MO_STAT_TAGS_FIXED] = "tags_fixed",
	[P2MO_STAT_REMAPS_REPLACED] = "remaps_replaced",
};

void p2mo_table_stats(struct p2mo_table *t, struct p2mo_stats *sum)
{
	unsigned int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu)
		for (i = 0; i < P2MO_STAT_NR; i++)
			sum->v[i] += READ_ONCE(per_cpu_ptr(t->stats, cpu)->v[i]);
}

bool p2mo_frame_rejected(struct p2mo_table *t, const char *what,
			 unsigned long frame, unsigned long limit)
{
	p2mo_stat_inc(t, P2MO_STAT_REJECTED);
	pr_warn_ratelimited("%s %#lx out of range (limit %#lx)\n",
			    what, frame, limit);
	return false;
}

static long p2mo_stat_diff(struct p2mo_table *t, enum p2mo_stat up,
			   enum p2mo_stat down)
{
	long n = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct p2mo_stats *c = per_cpu_ptr(t->stats, cpu);

		n += READ_ONCE(c->v[up]) - READ_ONCE(c->v[down]);
	}
	return n;
}

/* Gauges: exact when no writer runs, a snapshot otherwise. */
long p2mo_live_overrides(struct p2mo_table *t)
{
	return p2mo_stat_diff(t, P2MO_STAT_OVERRIDES_ADDED,
			      P2MO_STAT_OVERRIDES_REMOVED);
}

long p2mo_live_tags(struct p2mo_table *t)
{
	return p2mo_stat_diff(t, P2MO_STAT_TAGS_SET, P2MO_STAT_TAGS_CLEARED);
}

long p2mo_live_p2m(struct p2mo_table *t)
{
	return p2mo_stat_diff(t, P2MO_STAT_P2M_SET, P2MO_STAT_P2M_CLEARED);
}
