// SPDX-License-Identifier: GPL-2.0
/*
 * The p2m view: entries set by p2mo_p2m_set() and FOREIGN tags of shared
 * local frames, both flagged in the pfn's view word (view.h).  Nothing
 * underneath is ever written: an entry hides the backend's p2m value, a
 * tag turns whatever the view was into FOREIGN_FRAME(view), and removing
 * either shows the old value again, exactly.  A tagged pfn's entry cannot
 * change (-EBUSY) while the tag depends on it.  Words change by cmpxchg():
 * ENTRY under the pfn's p2m stripe, TAGGED and the answer under the
 * frame's m2p stripe.  Rules: table.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/printk.h>
#include "alloc.h"
#include "p2m.h"
#include "p2mo_trace.h"
#include "testpoint.h"

/* The link that points at the entry of @pfn, or NULL; stripe held. */
static struct p2mo_link **p2mo_p2m_find_locked(struct p2mo_table *t,
					       unsigned long pfn)
{
	struct p2mo_link **pp = &p2mo_htab_bucket(&t->p2m_hash, pfn)->first;

	p2mo_p2m_assert_held(t, pfn);
	for (; *pp; pp = &(*pp)->next)
		if (container_of(*pp, struct p2mo_p2m_entry, link)->pfn == pfn)
			return pp;
	return NULL;
}

/*
 * Set @set and clear @clear in the word of @pfn, unless it has one of
 * @busy; return the old word.
 */
static unsigned long p2mo_view_change_bits(struct p2mo_table *t,
					   unsigned long pfn, unsigned long set,
					   unsigned long clear,
					   unsigned long busy)
{
	unsigned long old;

	do {
		old = p2mo_view_word(&t->view, pfn);
	} while (!(old & busy) &&
		 !p2mo_view_cmpxchg(&t->view, pfn, old, (old & ~clear) | set));
	return old;
}

/* The p2m view of @pfn, whose view word the caller read as @w. */
unsigned long p2mo_get_p2m_word(struct p2mo_table *t, unsigned long pfn,
				unsigned long w)
{
	unsigned long state = w & P2MO_PFN_STATE;
	unsigned long val = P2MO_INVALID_ENTRY;
	struct p2mo_chain *head = p2mo_htab_bucket(&t->p2m_hash, pfn);
	struct p2mo_p2m_entry *e;
	struct p2mo_link *l;
	bool found = false;

	if (state & P2MO_PFN_ENTRY) {
		p2mo_test_point(P2MO_TP_CHAIN_READ, pfn);
		rcu_read_lock();
		for (l = p2mo_chain_first_rcu(head); l; l = p2mo_link_next_rcu(l)) {
			e = container_of(l, struct p2mo_p2m_entry, link);
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

/* get_p2m() for everything the inline fast path does not answer. */
unsigned long p2mo_get_p2m_slow(struct p2mo_table *t, unsigned long pfn)
{
	/* acquire: an entry's chain is read after its bit */
	return p2mo_get_p2m_word(t, pfn, p2mo_view_word_acquire(&t->view, pfn));
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
	struct p2mo_chain *head = p2mo_htab_bucket(&t->p2m_hash, pfn);
	struct p2mo_p2m_entry *e;
	unsigned long flags;
	int err;

	if (!p2mo_frame_ok(t, "pfn", pfn, t->be->max_pfn))
		return -EINVAL;
	e = p2mo_p2m_entry_alloc(GFP_KERNEL);
	err = e ? p2mo_view_ensure_chunk(&t->view, pfn, GFP_KERNEL) : -ENOMEM;
	if (err)
		goto out;
	e->pfn = pfn;
	e->val = val;
	flags = p2mo_p2m_lock(t, pfn);
	if (p2mo_pfn_state(t, pfn) & P2MO_PFN_ENTRY) {
		err = -EEXIST;
	} else if (p2mo_view_change_bits(t, pfn, P2MO_PFN_ENTRY, 0,
					 P2MO_PFN_TAGGED) & P2MO_PFN_TAGGED) {
		err = -EBUSY;	/* nothing was published */
	} else {
		/*
		 * The bit first, then the entry: a reader that sees the bit
		 * and not yet the entry reads the backend, the value still
		 * in effect; a tag cannot come between (it needs this
		 * stripe once the bit is set).  Never published, never
		 * withdrawn: no reader sees a value that was not in effect.
		 */
		p2mo_link_insert(&head->first, &e->link);
		p2mo_test_point(P2MO_TP_P2M_LINKED, pfn);
		p2mo_stat_inc_locked(t, P2MO_STAT_P2M_SET);
		e = NULL;
	}
	p2mo_p2m_unlock(t, pfn, flags);
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
	struct p2mo_p2m_entry *e;
	struct p2mo_link **pp;
	unsigned long flags;
	int err = 0;

	if (!p2mo_frame_ok(t, "pfn", pfn, t->be->max_pfn))
		return -EINVAL;
	flags = p2mo_p2m_lock(t, pfn);
	pp = p2mo_p2m_find_locked(t, pfn);
	if (!pp) {
		err = -ENOENT;
	} else if (p2mo_view_change_bits(t, pfn, 0, P2MO_PFN_ENTRY,
					 P2MO_PFN_TAGGED) & P2MO_PFN_TAGGED) {
		err = -EBUSY;
	} else {
		e = container_of(*pp, struct p2mo_p2m_entry, link);
		p2mo_link_remove(pp);
		p2mo_stat_inc_locked(t, P2MO_STAT_P2M_CLEARED);
		p2mo_p2m_entry_free_published(e);
	}
	p2mo_p2m_unlock(t, pfn, flags);
	if (err) {
		p2mo_stat_inc(t, P2MO_STAT_REJECTED);
		pr_warn_ratelimited("cannot clear p2m override of pfn %#lx: %d\n",
				    pfn, err);
	}
	return err;
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

/* Every p2m entry cleared; m2p overrides (their tags) drained first. */
unsigned long p2mo_p2m_drain(struct p2mo_table *t)
{
	unsigned long i, n = 0;

	for (i = 0; i < (1UL << t->p2m_hash.bits); i++)
		n += p2mo_drain_p2m_bucket(t, &t->p2m_hash.buckets[i]);
	return n;
}
