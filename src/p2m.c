// SPDX-License-Identifier: GPL-2.0
/*
 * The p2m view: entries set by p2mo_p2m_set() and FOREIGN tags of shared
 * local frames, both flagged per pfn in p2m_state.  Nothing underneath is
 * ever written: an entry hides the backend's p2m value, a tag turns
 * whatever the view was into FOREIGN_FRAME(view), and removing either
 * shows the old value again, exactly.  A tagged pfn's entry cannot change
 * (-EBUSY) while the tag depends on it.  State bits change only under the
 * pfn's p2m stripe; a bit is set before what it flags is published and
 * cleared after it is gone.  Rules: table.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/printk.h>
#include "p2mo_trace.h"
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

static void p2mo_state_set(struct p2mo_table *t, unsigned long pfn,
			   unsigned long bit)
{
	p2mo_bitmap_set(&t->p2m_state, 2 * pfn + (bit >> 1));
}

static void p2mo_state_clear(struct p2mo_table *t, unsigned long pfn,
			     unsigned long bit)
{
	p2mo_bitmap_clear(&t->p2m_state, 2 * pfn + (bit >> 1));
}

/* get_p2m() for everything the inline fast path does not answer. */
unsigned long p2mo_get_p2m_slow(struct p2mo_table *t, unsigned long pfn)
{
	unsigned int state = p2mo_pfn_state(t, pfn);
	unsigned long val = P2MO_INVALID_ENTRY;
	struct p2mo_p2m_entry *e;
	bool found = false;

	if (state & P2MO_PFN_ENTRY) {
		rcu_read_lock();
		hlist_for_each_entry_rcu(e, p2mo_htab_bucket(&t->p2m, pfn), node) {
			if (e->pfn == pfn) {
				val = READ_ONCE(e->val);
				found = true;
				break;
			}
		}
		rcu_read_unlock();
	}
	if (!found)
		val = p2mo_be_p2m(t->be, pfn);
	if (state & P2MO_PFN_TAGGED)
		val = P2MO_FOREIGN_FRAME(val);
	return val;
}

/* Make sure pfn's state chunk exists, before the stripe lock is taken. */
static int p2mo_state_chunk(struct p2mo_table *t, unsigned long pfn)
{
	unsigned long *spare;

	if (p2mo_bitmap_has_chunk(&t->p2m_state, 2 * pfn))
		return 0;
	spare = p2mo_bitmap_chunk_alloc(GFP_KERNEL);
	if (!spare)
		return -ENOMEM;
	p2mo_bitmap_prepare(&t->p2m_state, 2 * pfn, &spare);
	p2mo_bitmap_chunk_free(spare);	/* NULL unless we lost a race */
	return 0;
}

/**
 * p2mo_p2m_set() - override the p2m entry of @pfn
 * @t:   the tables
 * @pfn: the pfn
 * @val: the entry lookups answer from now on (frame bits allowed,
 *       P2MO_INVALID_ENTRY allowed)
 *
 * Return: 0; -EINVAL (pfn out of range), -EEXIST (pfn already
 * overridden), -EBUSY (pfn FOREIGN-tagged), -ENOMEM.
 */
int p2mo_p2m_set(struct p2mo_table *t, unsigned long pfn, unsigned long val)
{
	struct p2mo_lock *lock = p2mo_htab_lock(&t->p2m, pfn);
	struct p2mo_p2m_entry *e;
	unsigned long flags;
	int err;

	if (!p2mo_frame_ok(t, "pfn", pfn, t->be->max_pfn))
		return -EINVAL;
	e = p2mo_p2m_entry_alloc(GFP_KERNEL);
	err = e ? p2mo_state_chunk(t, pfn) : -ENOMEM;
	if (err)
		goto out;
	e->pfn = pfn;
	e->val = val;
	flags = p2mo_lock(lock);
	if (p2mo_pfn_state(t, pfn) & P2MO_PFN_TAGGED)
		err = -EBUSY;
	else if (p2mo_pfn_state(t, pfn) & P2MO_PFN_ENTRY)
		err = -EEXIST;
	if (!err) {
		p2mo_state_set(t, pfn, P2MO_PFN_ENTRY);
		hlist_add_head_rcu(&e->node, p2mo_htab_bucket(&t->p2m, pfn));
		p2mo_stat_inc_locked(t, P2MO_STAT_P2M_SET);
		e = NULL;
	}
	p2mo_unlock(lock, flags);
out:
	if (e)
		p2mo_p2m_entry_free(e);
	if (err) {
		p2mo_stat_inc(t, P2MO_STAT_REJECTED);
		pr_warn_ratelimited("p2m override of pfn %#lx not set: %d\n",
				    pfn, err);
	}
	return err;
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
	if (!e) {
		err = -ENOENT;
	} else if (p2mo_pfn_state(t, pfn) & P2MO_PFN_TAGGED) {
		err = -EBUSY;
	} else {
		hlist_del_rcu(&e->node);
		p2mo_state_clear(t, pfn, P2MO_PFN_ENTRY);
		p2mo_stat_inc_locked(t, P2MO_STAT_P2M_CLEARED);
		p2mo_p2m_entry_free_published(e);
	}
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
 * @t:   the tables
 * @pfn: the frontend pfn that owns @mfn; its state chunk is prepared
 * @mfn: the frame now mapped by a local backend
 *
 * Called by the write path with the m2p stripe of @mfn held.
 *
 * Return: true if tagged; false if @pfn no longer shows @mfn.
 */
bool p2mo_tag_set(struct p2mo_table *t, unsigned long pfn, unsigned long mfn)
{
	struct p2mo_lock *lock = p2mo_htab_lock(&t->p2m, pfn);
	unsigned long flags;
	bool tagged = false;

	flags = p2mo_lock(lock);
	if (p2mo_table_get_p2m(t, pfn) == mfn) {
		p2mo_state_set(t, pfn, P2MO_PFN_TAGGED);
		p2mo_stat_inc_locked(t, P2MO_STAT_TAGS_SET);
		tagged = true;
	}
	p2mo_unlock(lock, flags);
	if (tagged)
		trace_p2mo_tag_set(pfn, mfn);
	return tagged;
}

/**
 * p2mo_tag_clear() - remove the FOREIGN tag of @pfn
 * @t:   the tables
 * @pfn: the tagged frontend pfn, whose frame's last override is going
 * @mfn: that frame
 *
 * Called by the write path with the m2p stripe of @mfn held.
 */
void p2mo_tag_clear(struct p2mo_table *t, unsigned long pfn,
		    unsigned long mfn)
{
	struct p2mo_lock *lock = p2mo_htab_lock(&t->p2m, pfn);
	unsigned long flags;
	bool was;

	flags = p2mo_lock(lock);
	was = p2mo_pfn_state(t, pfn) & P2MO_PFN_TAGGED;
	p2mo_state_clear(t, pfn, P2MO_PFN_TAGGED);
	if (was)
		p2mo_stat_inc_locked(t, P2MO_STAT_TAGS_CLEARED);
	p2mo_unlock(lock, flags);
	if (WARN_ON_ONCE(!was))
		return;
	trace_p2mo_tag_clear(pfn, mfn);
}
