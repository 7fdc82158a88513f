// SPDX-License-Identifier: GPL-2.0
/*
 * The p2m override table: FOREIGN tags of shared local frames and
 * entries set by p2mo_p2m_set().  The backend's p2m is never written:
 * an entry here hides it, and removing the entry shows it again, so the
 * old value comes back exactly.  A tag over a user entry keeps the user
 * value in ->saved and puts it back when the tag goes.  Rules: table.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/printk.h>
#include "table.h"

static struct p2mo_p2m_entry *p2mo_p2m_find_locked(struct p2mo_table *t,
						   unsigned long pfn)
{
	struct p2mo_p2m_entry *e;

	hlist_for_each_entry(e, p2mo_htab_bucket(&t->p2m, pfn), node)
		if (e->pfn == pfn)
			return e;
	return NULL;
}

static void p2mo_p2m_publish(struct p2mo_table *t, struct p2mo_p2m_entry *e)
{
	p2mo_bounds_widen(&t->p2m.bounds, e->pfn);
	hlist_add_head_rcu(&e->node, p2mo_htab_bucket(&t->p2m, e->pfn));
	atomic_long_inc(&t->nr_p2m);
}

static void p2mo_p2m_unpublish(struct p2mo_table *t, struct p2mo_p2m_entry *e)
{
	hlist_del_rcu(&e->node);
	atomic_long_dec(&t->nr_p2m);
	p2mo_p2m_entry_free_published(e);
}

/**
 * p2mo_p2m_set() - override the p2m entry of @pfn
 * @t:   the tables
 * @pfn: the pfn
 * @val: the entry lookups answer from now on (frame bits allowed,
 *       P2MO_INVALID_ENTRY allowed)
 *
 * Return: 0; -EINVAL (pfn out of range), -EEXIST (pfn already
 * overridden or tagged), -ENOMEM.
 */
int p2mo_p2m_set(struct p2mo_table *t, unsigned long pfn, unsigned long val)
{
	struct p2mo_lock *lock = p2mo_htab_lock(&t->p2m, pfn);
	struct p2mo_p2m_entry *e;
	unsigned long flags;

	if (!p2mo_frame_ok(t, "pfn", pfn, t->be->max_pfn))
		return -EINVAL;
	e = p2mo_p2m_entry_alloc(GFP_KERNEL);
	if (!e) {
		p2mo_stat_inc(t, P2MO_STAT_REJECTED);
		return -ENOMEM;
	}
	e->pfn = pfn;
	e->val = val;
	e->saved = P2MO_INVALID_ENTRY;
	e->flags = P2MO_P2M_USER;
	flags = p2mo_lock(lock);
	if (p2mo_p2m_find_locked(t, pfn)) {
		p2mo_unlock(lock, flags);
		p2mo_p2m_entry_free(e);
		p2mo_stat_inc(t, P2MO_STAT_REJECTED);
		pr_warn_ratelimited("p2m override of pfn %#lx already present\n",
				    pfn);
		return -EEXIST;
	}
	p2mo_p2m_publish(t, e);
	p2mo_unlock(lock, flags);
	return 0;
}

/**
 * p2mo_p2m_clear() - drop the p2m override of @pfn set by p2mo_p2m_set()
 * @t:   the tables
 * @pfn: the pfn
 *
 * Return: 0; -EINVAL (out of range), -ENOENT (no override),
 * -EBUSY (the pfn is FOREIGN-tagged: the tag goes with its last override).
 */
int p2mo_p2m_clear(struct p2mo_table *t, unsigned long pfn)
{
	struct p2mo_lock *lock = p2mo_htab_lock(&t->p2m, pfn);
	struct p2mo_p2m_entry *e;
	unsigned long flags;
	int err = 0;

	if (!p2mo_frame_ok(t, "pfn", pfn, t->be->max_pfn))
		return -EINVAL;
	flags = p2mo_lock(lock);
	e = p2mo_p2m_find_locked(t, pfn);
	if (!e)
		err = -ENOENT;
	else if (e->flags & P2MO_P2M_TAG)
		err = -EBUSY;
	else
		p2mo_p2m_unpublish(t, e);
	p2mo_unlock(lock, flags);
	if (err) {
		p2mo_stat_inc(t, P2MO_STAT_REJECTED);
		pr_warn_ratelimited("cannot clear p2m override of pfn %#lx: %d\n",
				    pfn, err);
	}
	return err;
}

/**
 * p2mo_tag_set() - tag local pfn @pfn FOREIGN_FRAME(@mfn)
 * @t:     the tables
 * @pfn:   the frontend pfn that owns @mfn
 * @mfn:   the frame now mapped by a local backend
 * @spare: a preallocated entry; taken (set to NULL) if used
 *
 * Called by the write path with the m2p stripe of @mfn held.
 *
 * Return: true if tagged; false if @pfn no longer maps @mfn.
 */
bool p2mo_tag_set(struct p2mo_table *t, unsigned long pfn, unsigned long mfn,
		  struct p2mo_p2m_entry **spare)
{
	struct p2mo_lock *lock = p2mo_htab_lock(&t->p2m, pfn);
	struct p2mo_p2m_entry *e;
	unsigned long flags;
	bool tagged = false;

	flags = p2mo_lock(lock);
	e = p2mo_p2m_find_locked(t, pfn);
	if (e) {
		/* A user entry that maps @mfn: keep its value for later. */
		if (e->val == mfn && !(e->flags & P2MO_P2M_TAG)) {
			e->saved = e->val;
			e->flags |= P2MO_P2M_TAG;
			WRITE_ONCE(e->val, P2MO_FOREIGN_FRAME(mfn));
			tagged = true;
		}
	} else if (p2mo_be_p2m(t->be, pfn) == mfn) {
		e = *spare;
		*spare = NULL;
		e->pfn = pfn;
		e->val = P2MO_FOREIGN_FRAME(mfn);
		e->saved = P2MO_INVALID_ENTRY;
		e->flags = P2MO_P2M_TAG;
		p2mo_p2m_publish(t, e);
		tagged = true;
	}
	p2mo_unlock(lock, flags);
	if (tagged) {
		atomic_long_inc(&t->nr_tags);
		p2mo_stat_inc(t, P2MO_STAT_TAGS_SET);
	}
	return tagged;
}

/**
 * p2mo_tag_clear() - remove the FOREIGN tag of @pfn set for @mfn
 * @t:   the tables
 * @pfn: the tagged frontend pfn
 * @mfn: its frame, whose last override just went
 *
 * Called by the write path with the m2p stripe of @mfn held.
 */
void p2mo_tag_clear(struct p2mo_table *t, unsigned long pfn,
		    unsigned long mfn)
{
	struct p2mo_lock *lock = p2mo_htab_lock(&t->p2m, pfn);
	struct p2mo_p2m_entry *e;
	unsigned long flags;

	flags = p2mo_lock(lock);
	e = p2mo_p2m_find_locked(t, pfn);
	if (WARN_ON_ONCE(!e || !(e->flags & P2MO_P2M_TAG) ||
			 e->val != P2MO_FOREIGN_FRAME(mfn))) {
		p2mo_unlock(lock, flags);
		return;
	}
	if (e->flags & P2MO_P2M_USER) {
		WRITE_ONCE(e->val, e->saved);
		e->saved = P2MO_INVALID_ENTRY;
		e->flags &= ~P2MO_P2M_TAG;
	} else {
		p2mo_p2m_unpublish(t, e);
	}
	p2mo_unlock(lock, flags);
	atomic_long_dec(&t->nr_tags);
	p2mo_stat_inc(t, P2MO_STAT_TAGS_CLEARED);
}
