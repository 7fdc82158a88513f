// SPDX-License-Identifier: GPL-2.0
/* Life cycle of a set of override tables: init, uninit. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include "alloc.h"
#include "table.h"

static struct lock_class_key p2mo_m2p_lock_key;
static struct lock_class_key p2mo_p2m_lock_key;

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
	p2mo_pools_empty(t->pool);
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

bool p2mo_frame_rejected(struct p2mo_table *t, const char *what,
			 unsigned long frame, unsigned long limit)
{
	p2mo_stat_inc(t, P2MO_STAT_REJECTED);
	pr_warn_ratelimited("%s %#lx out of range (limit %#lx)\n",
			    what, frame, limit);
	return false;
}
