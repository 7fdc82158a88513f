// SPDX-License-Identifier: GPL-2.0
/*
 * The m2p override table and the one write path of the layer.
 *
 * p2mo_override_add() and p2mo_override_remove() are the only functions
 * that change m2p overrides.  With the mfn's stripe held each updates,
 * together: the chain (which is the reverse map of the mfn), the filter
 * bit of the mfn, and the FOREIGN tag of the local frontend pfn (the first
 * override of a local frame sets it, the last one clears it).  Rules:
 * table.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/printk.h>
#include "p2mo_trace.h"
#include "table.h"

/* Entries of the same mfn, in bpfn order, starting at the first one. */
static struct p2mo_m2p_entry *p2mo_m2p_first_locked(struct hlist_head *head,
						    unsigned long mfn)
{
	struct p2mo_m2p_entry *e;

	hlist_for_each_entry(e, head, node)
		if (e->mfn == mfn)
			return e;
	return NULL;
}

static bool p2mo_m2p_same_mfn(struct p2mo_m2p_entry *e, unsigned long mfn)
{
	return e && e->mfn == mfn;
}

static struct p2mo_m2p_entry *p2mo_m2p_next(struct p2mo_m2p_entry *e)
{
	return hlist_entry_safe(e->node.next, struct p2mo_m2p_entry, node);
}

/*
 * Would the frame of @mfn, seen through our overrides, map back to a
 * local pfn?  If so, that pfn is the frontend's and must be tagged.
 */
static unsigned long p2mo_local_owner(struct p2mo_table *t, unsigned long mfn)
{
	unsigned long pfn = p2mo_be_m2p(t->be, mfn);

	if (pfn != P2MO_INVALID_ENTRY && p2mo_table_get_p2m(t, pfn) == mfn)
		return pfn;
	return P2MO_INVALID_ENTRY;
}

/* Link @new into the run of its mfn, keeping the run sorted by bpfn. */
static int p2mo_m2p_link(struct hlist_head *head, struct p2mo_m2p_entry *first,
			 struct p2mo_m2p_entry *new)
{
	struct p2mo_m2p_entry *e = first, *prev = NULL;

	if (!first) {
		hlist_add_head_rcu(&new->node, head);
		return 0;
	}
	for (; p2mo_m2p_same_mfn(e, new->mfn); prev = e, e = p2mo_m2p_next(e)) {
		if (e->bpfn == new->bpfn)
			return -EEXIST;
		if (e->bpfn > new->bpfn)
			break;
	}
	if (prev)
		hlist_add_behind_rcu(&new->node, &prev->node);
	else
		hlist_add_before_rcu(&new->node, &first->node);
	return 0;
}

static bool p2mo_override_args_ok(struct p2mo_table *t, unsigned long mfn,
				  unsigned long bpfn)
{
	return p2mo_frame_ok(t, "mfn", mfn, t->be->max_mfn) &&
	       p2mo_frame_ok(t, "backend pfn", bpfn, t->be->max_pfn);
}

/* What an add may need, allocated before the stripe lock is taken. */
struct p2mo_add_spares {
	struct p2mo_m2p_entry *entry;
	unsigned long *filter_chunk;
	unsigned long *tag_chunk;
};

static int p2mo_add_spares_get(struct p2mo_table *t, struct p2mo_add_spares *sp,
			       unsigned long mfn, gfp_t gfp)
{
	unsigned long owner = p2mo_local_owner(t, mfn);

	if (!sp->entry) {
		sp->entry = p2mo_m2p_entry_alloc(gfp);
		if (!sp->entry)
			return -ENOMEM;
	}
	if (!sp->filter_chunk && !p2mo_bitmap_has_chunk(&t->m2p_filter, mfn)) {
		sp->filter_chunk = p2mo_bitmap_chunk_alloc(gfp);
		if (!sp->filter_chunk)
			return -ENOMEM;
	}
	if (!sp->tag_chunk && owner != P2MO_INVALID_ENTRY &&
	    !p2mo_bitmap_has_chunk(&t->p2m_state, 2 * owner)) {
		sp->tag_chunk = p2mo_bitmap_chunk_alloc(gfp);
		if (!sp->tag_chunk)
			return -ENOMEM;
	}
	return 0;
}

static void p2mo_add_spares_put(struct p2mo_add_spares *sp)
{
	if (sp->entry)
		p2mo_m2p_entry_free(sp->entry, false);
	p2mo_bitmap_chunk_free(sp->filter_chunk);
	p2mo_bitmap_chunk_free(sp->tag_chunk);
}

/*
 * With the stripe held: link @new, set the filter bit first, and tag the
 * frontend pfn @owner (if valid) once the override is visible, so that a
 * reader never sees a tag without the override that answers for it.
 */
static int p2mo_add_locked(struct p2mo_table *t, struct hlist_head *head,
			   struct p2mo_m2p_entry *first,
			   struct p2mo_m2p_entry *new, unsigned long owner)
{
	int err;

	new->tag_pfn = first ? first->tag_pfn : P2MO_INVALID_ENTRY;
	p2mo_bitmap_set(&t->m2p_filter, new->mfn);
	err = p2mo_m2p_link(head, first, new);
	if (err)
		return err;
	p2mo_stat_inc_locked(t, P2MO_STAT_OVERRIDES_ADDED);
	if (!first && owner != P2MO_INVALID_ENTRY &&
	    p2mo_tag_set(t, owner, new->mfn))
		new->tag_pfn = owner;
	return 0;
}

/**
 * p2mo_override_add() - record that backend pfn @bpfn maps frame @mfn
 * @t:    the tables
 * @mfn:  the machine frame
 * @bpfn: the backend pfn it is mapped at
 * @gfp:  allocation flags (GFP_ATOMIC from a probe handler)
 *
 * If this is the first override of @mfn and the frame belongs to a local
 * pfn (p2m(m2p(mfn)) == mfn), that pfn is tagged FOREIGN_FRAME(mfn) until
 * the last override of @mfn goes.
 *
 * Return: 0; -EINVAL (frame out of range), -EEXIST (this pair is already
 * there), -ENOMEM.  On error nothing has changed.
 */
int p2mo_override_add(struct p2mo_table *t, unsigned long mfn,
		      unsigned long bpfn, gfp_t gfp)
{
	struct hlist_head *head = p2mo_htab_bucket(&t->m2p, mfn);
	struct p2mo_lock *lock = p2mo_htab_lock(&t->m2p, mfn);
	struct p2mo_add_spares sp = { };
	struct p2mo_m2p_entry *first;
	unsigned long flags, owner;
	int err;

	if (!p2mo_override_args_ok(t, mfn, bpfn))
		return -EINVAL;
again:
	err = p2mo_add_spares_get(t, &sp, mfn, gfp);
	if (err)
		goto out;
	sp.entry->mfn = mfn;
	sp.entry->bpfn = bpfn;
	owner = P2MO_INVALID_ENTRY;
	flags = p2mo_lock(lock);
	first = p2mo_m2p_first_locked(head, mfn);
	if (!first) {
		owner = p2mo_local_owner(t, mfn);
		if (owner != P2MO_INVALID_ENTRY &&
		    !p2mo_bitmap_prepare(&t->p2m_state, 2 * owner,
					 &sp.tag_chunk)) {
			/* The frame became local since we looked. */
			p2mo_unlock(lock, flags);
			goto again;
		}
	}
	if (WARN_ON_ONCE(!p2mo_bitmap_prepare(&t->m2p_filter, mfn,
					      &sp.filter_chunk)))
		err = -ENOMEM;
	else
		err = p2mo_add_locked(t, head, first, sp.entry, owner);
	p2mo_unlock(lock, flags);
	if (!err)
		sp.entry = NULL;
out:
	p2mo_add_spares_put(&sp);
	trace_p2mo_override_add(mfn, bpfn, err);
	if (err) {
		p2mo_stat_inc(t, P2MO_STAT_REJECTED);
		pr_warn_ratelimited("override mfn %#lx bpfn %#lx not added: %d\n",
				    mfn, bpfn, err);
	}
	return err;
}

/*
 * The removal itself: -ENOENT without a word, for callers that expect it
 * (the hooks see unmaps of grants mapped before the module loaded).
 */
int __p2mo_override_remove(struct p2mo_table *t, unsigned long mfn,
			   unsigned long bpfn)
{
	struct hlist_head *head = p2mo_htab_bucket(&t->m2p, mfn);
	struct p2mo_lock *lock = p2mo_htab_lock(&t->m2p, mfn);
	struct p2mo_m2p_entry *e, *prev = NULL;
	unsigned long flags;
	bool last;

	if (!p2mo_override_args_ok(t, mfn, bpfn))
		return -EINVAL;
	flags = p2mo_lock(lock);
	for (e = p2mo_m2p_first_locked(head, mfn);
	     p2mo_m2p_same_mfn(e, mfn) && e->bpfn != bpfn;
	     prev = e, e = p2mo_m2p_next(e))
		;
	if (!p2mo_m2p_same_mfn(e, mfn)) {
		p2mo_unlock(lock, flags);
		trace_p2mo_override_remove(mfn, bpfn, -ENOENT);
		return -ENOENT;
	}
	last = !prev && !p2mo_m2p_same_mfn(p2mo_m2p_next(e), mfn);
	if (last && e->tag_pfn != P2MO_INVALID_ENTRY)
		p2mo_tag_clear(t, e->tag_pfn, mfn);
	hlist_del_rcu(&e->node);
	if (last)
		p2mo_bitmap_clear(&t->m2p_filter, mfn);
	p2mo_stat_inc_locked(t, P2MO_STAT_OVERRIDES_REMOVED);
	p2mo_unlock(lock, flags);

	p2mo_m2p_entry_free(e, true);	/* the rcu_head overwrites tag_pfn */
	trace_p2mo_override_remove(mfn, bpfn, 0);
	return 0;
}

/**
 * p2mo_override_remove() - drop the override (@mfn, @bpfn)
 * @t:    the tables
 * @mfn:  the machine frame
 * @bpfn: the backend pfn it was mapped at
 *
 * The last override of @mfn restores the frontend pfn's p2m view: its tag
 * goes first, so that a reader never sees a tag without an override.
 *
 * Return: 0; -EINVAL (frame out of range), -ENOENT (no such override).
 */
int p2mo_override_remove(struct p2mo_table *t, unsigned long mfn,
			 unsigned long bpfn)
{
	int err = __p2mo_override_remove(t, mfn, bpfn);

	if (err == -ENOENT) {
		p2mo_stat_inc(t, P2MO_STAT_REJECTED);
		pr_warn_ratelimited("no override mfn %#lx bpfn %#lx to remove\n",
				    mfn, bpfn);
	}
	return err;
}

/* mfn_to_pfn() for everything the inline fast path does not answer. */
unsigned long p2mo_mfn_to_pfn_slow(struct p2mo_table *t, unsigned long mfn)
{
	unsigned long pfn = p2mo_be_m2p(t->be, mfn), bpfn;

	/* A tagged pfn shows FOREIGN_FRAME(...): it cannot map back. */
	if (!(p2mo_pfn_state(t, pfn) & P2MO_PFN_TAGGED) &&
	    p2mo_get_p2m_slow(t, pfn) == mfn)
		return pfn;
	if (p2mo_m2p_first(t, mfn, &bpfn)) {
		p2mo_stat_inc(t, P2MO_STAT_LOOKUPS_HIT);
		return bpfn;
	}
	p2mo_stat_inc(t, P2MO_STAT_LOOKUPS_MISS);
	if (p2mo_get_p2m_slow(t, mfn) == P2MO_IDENTITY_FRAME(mfn))
		return mfn;
	return P2MO_INVALID_ENTRY;
}

/**
 * p2mo_rmap_walk() - call @fn for every backend pfn mapping @mfn
 * @t:   the tables
 * @mfn: the machine frame
 * @fn:  called under rcu_read_lock() (must not sleep), in bpfn order;
 *       a non-zero return stops the walk
 * @arg: passed to @fn
 *
 * Concurrent adds and removes may or may not be seen; every pfn passed
 * was mapping @mfn at some instant during the walk.
 *
 * Return: the number of calls made.
 */
int p2mo_rmap_walk(struct p2mo_table *t, unsigned long mfn,
		   p2mo_rmap_fn fn, void *arg)
{
	struct p2mo_m2p_entry *e;
	int n = 0;

	if (!p2mo_bitmap_test(&t->m2p_filter, mfn))
		return 0;
	rcu_read_lock();
	hlist_for_each_entry_rcu(e, p2mo_htab_bucket(&t->m2p, mfn), node) {
		if (e->mfn != mfn)
			continue;
		n++;
		if (fn(arg, mfn, e->bpfn))
			break;
	}
	rcu_read_unlock();
	return n;
}

struct p2mo_find_all {
	unsigned long *bpfns;
	unsigned int max;
	unsigned int n;
};

static int p2mo_find_all_one(void *arg, unsigned long mfn, unsigned long bpfn)
{
	struct p2mo_find_all *fa = arg;

	if (fa->n < fa->max)
		fa->bpfns[fa->n] = bpfn;
	fa->n++;
	return 0;
}

/**
 * p2mo_m2p_find_all() - the backend pfns mapping @mfn
 * @t:     the tables
 * @mfn:   the machine frame
 * @bpfns: filled with up to @max pfns, lowest first
 * @max:   room in @bpfns
 *
 * Return: how many pfns map @mfn (may exceed @max).
 */
unsigned int p2mo_m2p_find_all(struct p2mo_table *t, unsigned long mfn,
			       unsigned long *bpfns, unsigned int max)
{
	struct p2mo_find_all fa = { .bpfns = bpfns, .max = max };

	p2mo_rmap_walk(t, mfn, p2mo_find_all_one, &fa);
	return fa.n;
}
