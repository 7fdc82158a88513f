// SPDX-License-Identifier: GPL-2.0
/*
 * The m2p override table and the one write path of the layer.
 *
 * p2mo_override_add() and p2mo_override_remove() are the only functions
 * that change m2p overrides.  With the mfn's stripe held each updates,
 * together: the chain (which is the reverse map of the mfn), the filter
 * byte of the mfn, and the FOREIGN tag of the local frontend pfn (the first
 * override of a local frame sets it, the last one clears it).  Rules:
 * table.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/printk.h>
#include "alloc.h"
#include "m2p.h"
#include "p2mo_trace.h"
#include "tag.h"
#include "testpoint.h"

static struct p2mo_m2p_entry *p2mo_m2p_at(struct p2mo_link *link)
{
	return p2mo_link_entry(link, struct p2mo_m2p_entry, link);
}

static bool p2mo_m2p_same_mfn(struct p2mo_m2p_entry *e, unsigned long mfn)
{
	return e && e->mfn == mfn;
}

static struct p2mo_m2p_entry *p2mo_m2p_next(struct p2mo_m2p_entry *e)
{
	return p2mo_m2p_at(e->link.next);
}

/*
 * The entries of one mfn (its run) are next to each other, in bpfn
 * order: the link in @head that points at the first of them, or NULL if
 * @mfn has none.  Stripe held.
 */
static struct p2mo_link **p2mo_m2p_run_locked(struct p2mo_table *t,
					      struct p2mo_chain *head,
					      unsigned long mfn)
{
	struct p2mo_link **pp;

	p2mo_m2p_assert_held(t, mfn);
	for (pp = &head->first; *pp; pp = &(*pp)->next)
		if (p2mo_m2p_at(*pp)->mfn == mfn)
			return pp;
	return NULL;
}

/*
 * Would the frame of @mfn, seen through our overrides, map back to a
 * local pfn?  If so, that pfn is the frontend's and must be tagged.
 * *@zero gets the pfn's view word if it is the common one, a zero word
 * in a chunk of its own over a direct p2m (the caller tags it by one
 * cmpxchg()), else NULL.
 */
static __always_inline unsigned long p2mo_local_owner(struct p2mo_table *t,
						      unsigned long mfn,
						      unsigned long **zero)
{
	unsigned long pfn = mfn < t->m2p_limit ? p2mo_load_once(t->m2p[mfn]) :
						 p2mo_be_m2p(t->be, mfn);
	unsigned long *slot;

	*zero = NULL;
	/* a pfn of no view word owns nothing here (backend.h) */
	if (unlikely(pfn >= t->max_pfn))
		return P2MO_INVALID_ENTRY;
	if (likely(pfn < t->p2m_limit)) {
		slot = p2mo_view_slot_in(&t->view, pfn);
		if (likely(slot && !READ_ONCE(*slot))) {
			*zero = slot;
			return p2mo_load_once(t->p2m[pfn]) == mfn ? pfn :
							     P2MO_INVALID_ENTRY;
		}
	}
	if (p2mo_table_get_p2m(t, pfn) == mfn)
		return pfn;
	return P2MO_INVALID_ENTRY;
}

/* Link @new into the run of its mfn at @pp, keeping it sorted by bpfn. */
static int p2mo_m2p_link(struct p2mo_link **pp, struct p2mo_m2p_entry *new)
{
	struct p2mo_m2p_entry *e;

	for (e = p2mo_m2p_at(*pp); p2mo_m2p_same_mfn(e, new->mfn);
	     pp = &e->link.next, e = p2mo_m2p_at(*pp)) {
		if (e->bpfn == new->bpfn)
			return -EEXIST;
		if (e->bpfn > new->bpfn)
			break;
	}
	p2mo_link_insert(pp, &new->link);
	return 0;
}

static inline bool p2mo_override_args_ok(struct p2mo_table *t,
					 unsigned long mfn, unsigned long bpfn)
{
	return p2mo_frame_ok(t, "mfn", mfn, t->max_mfn) &&
	       p2mo_frame_ok(t, "backend pfn", bpfn, t->max_pfn);
}

/* ---- add ---- */

/*
 * What an add may need allocated with the stripe not held, once the
 * locked part found it missing: an entry (the CPU's pool was empty), the
 * filter chunk of the mfn, the view chunk of the frontend pfn.
 */
struct p2mo_add_spares {
	struct p2mo_m2p_entry *entry;
	unsigned long *filter_chunk;
	unsigned long *tag_chunk;
	bool need_entry, need_filter_chunk, need_tag_chunk;
};

static int p2mo_add_spares_get(struct p2mo_add_spares *sp, gfp_t gfp)
{
	if (sp->need_entry && !sp->entry) {
		sp->entry = p2mo_m2p_entry_alloc(gfp);
		if (!sp->entry)
			return -ENOMEM;
	}
	if (sp->need_filter_chunk && !sp->filter_chunk) {
		sp->filter_chunk = p2mo_chunk_alloc(gfp);
		if (!sp->filter_chunk)
			return -ENOMEM;
	}
	if (sp->need_tag_chunk && !sp->tag_chunk) {
		sp->tag_chunk = p2mo_chunk_alloc(gfp);
		if (!sp->tag_chunk)
			return -ENOMEM;
	}
	return 0;
}

/* What a failed add kept: its entry may come from the pool, so retired. */
static noinline void p2mo_add_spares_free(struct p2mo_add_spares *sp)
{
	p2mo_m2p_entry_retire(sp->entry);
	p2mo_chunk_free(sp->filter_chunk);
	p2mo_chunk_free(sp->tag_chunk);
}

static __always_inline void p2mo_add_spares_put(struct p2mo_add_spares *sp)
{
	if (unlikely(sp->entry || sp->filter_chunk || sp->tag_chunk))
		p2mo_add_spares_free(sp);
}

/*
 * As xas_nomem(): after a pass that found something missing (-EAGAIN),
 * allocate it with the stripe not held; true: pass again.
 */
static __always_inline bool p2mo_add_nomem(struct p2mo_add_spares *sp,
					   int *err, gfp_t gfp)
{
	if (likely(*err != -EAGAIN))
		return false;
	*err = p2mo_add_spares_get(sp, gfp);
	return !*err;
}

/*
 * With the stripe held: link @new into the run of its mfn at @run (NULL:
 * the frame has none), count it in its @filter byte (set before a new
 * frame's first entry is published), and tag the frontend
 * pfn @owner (if valid; @zero: p2mo_local_owner()) once the override is
 * visible, so that a reader never sees a tag without the override that
 * answers for it.  A new lowest backend pfn becomes the answer in the
 * tagged pfn's word.
 */
static __always_inline int p2mo_add_locked(struct p2mo_table *t,
					   struct p2mo_lock *lock,
					   struct p2mo_chain *head,
					   struct p2mo_link **run,
					   struct p2mo_m2p_entry *new, u8 *filter,
					   unsigned long owner,
					   unsigned long *zero)
{
	struct p2mo_m2p_entry *first = run ? p2mo_m2p_at(*run) : NULL;
	int err;

	p2mo_m2p_assert_held(t, new->mfn);
	new->tag = first ? first->tag : P2MO_NO_TAG;
	if (first) {
		write_seqcount_begin(&lock->seq);
		err = p2mo_m2p_link(run, new);
		write_seqcount_end(&lock->seq);
		if (unlikely(err))
			return err;
		if (*filter != P2MO_FILTER_MANY)
			WRITE_ONCE(*filter, *filter + 1);
	} else {
		WRITE_ONCE(*filter, 1);	/* before the entry is visible */
		/*
		 * A new frame's entry goes first in the bucket, splitting
		 * no run: a reader sees the frame with it or without it,
		 * both true.  A reader still on the entry from its past
		 * life saw the seqcount move when it was unlinked.
		 */
		p2mo_link_insert(&head->first, &new->link);
	}
	p2mo_stat_inc_locked(t, P2MO_STAT_OVERRIDES_ADDED);
	if (first) {
		if (new->tag != P2MO_NO_TAG && new->bpfn < first->bpfn)
			p2mo_tag_answer(t, new->tag, new->mfn, new->bpfn);
	} else if (owner != P2MO_INVALID_ENTRY) {
		if (zero)
			new->tag = p2mo_tag_set_zero(t, zero, owner, new->mfn,
						     new->bpfn);
		if (new->tag == P2MO_NO_TAG)
			new->tag = p2mo_tag_set(t, owner, new->mfn, new->bpfn);
	}
	return 0;
}

/*
 * One locked pass of an add.  -EAGAIN: something to allocate first, said
 * in @sp, which keeps the pass's entry for the next one; nothing changed.
 * -ESTALE: @guard (if any) did not hold under the stripe.
 */
static __always_inline int p2mo_add_once(struct p2mo_table *t,
					 unsigned long mfn, unsigned long bpfn,
					 struct p2mo_add_spares *sp,
					 const struct p2mo_guard *guard)
{
	struct p2mo_chain *head = p2mo_htab_bucket(&t->m2p_hash, mfn);
	struct p2mo_lock *lock = p2mo_m2p_stripe(t, mfn);
	unsigned long flags, owner = P2MO_INVALID_ENTRY, *zero = NULL;
	struct p2mo_link **run;
	struct p2mo_m2p_entry *e;
	int err = -EAGAIN;
	u8 *filter;

	flags = p2mo_m2p_lock(t, mfn);
	if (guard && !guard->holds(t, mfn, bpfn, guard->arg)) {
		err = -ESTALE;
		goto out;
	}
	e = sp->entry ?: p2mo_m2p_entry_get(t->pool);
	if (unlikely(!e)) {
		sp->need_entry = true;
		goto out;
	}
	sp->entry = e;
	filter = p2mo_filter_byte_in(&t->m2p_filter, mfn);
	if (unlikely(!filter)) {
		if (!p2mo_filter_prepare(&t->m2p_filter, mfn,
					 &sp->filter_chunk)) {
			sp->need_filter_chunk = true;
			goto out;
		}
		filter = p2mo_filter_byte_in(&t->m2p_filter, mfn);
	}
	/* under the stripe the filter is exact: no walk for a new frame */
	run = *filter ? p2mo_m2p_run_locked(t, head, mfn) : NULL;
	if (!run) {
		owner = p2mo_local_owner(t, mfn, &zero);
		if (unlikely(owner != P2MO_INVALID_ENTRY && !zero &&
			     !p2mo_view_has_chunk(&t->view, owner) &&
			     !p2mo_view_prepare(&t->view, owner,
						&sp->tag_chunk))) {
			sp->need_tag_chunk = true;
			goto out;
		}
	}
	/*
	 * A reused entry: readers still on it read its key with READ_ONCE()
	 * and will see the seqcount move.
	 */
	WRITE_ONCE(e->mfn, mfn);
	WRITE_ONCE(e->bpfn, bpfn);
	err = p2mo_add_locked(t, lock, head, run, e, filter, owner, zero);
	if (unlikely(err))
		p2mo_m2p_entry_put(t->pool, e);
	sp->entry = NULL;
out:
	p2mo_m2p_unlock(t, mfn, flags);
	return err;
}

/* Passes until done, allocating between them what a pass found missing. */
static __always_inline int p2mo_add(struct p2mo_table *t, unsigned long mfn,
				    unsigned long bpfn, gfp_t gfp,
				    const struct p2mo_guard *guard)
{
	struct p2mo_add_spares sp = { };
	int err;

	do {
		err = p2mo_add_once(t, mfn, bpfn, &sp, guard);
	} while (p2mo_add_nomem(&sp, &err, gfp));
	p2mo_add_spares_put(&sp);
	trace_p2mo_override_add(mfn, bpfn, err);
	return err;
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
	int err;

	if (!p2mo_override_args_ok(t, mfn, bpfn))
		return -EINVAL;
	err = p2mo_add(t, mfn, bpfn, gfp, NULL);
	if (unlikely(err)) {
		p2mo_stat_inc(t, P2MO_STAT_REJECTED);
		pr_warn_ratelimited("override mfn %#lx bpfn %#lx not added: %d\n",
				    mfn, bpfn, err);
	}
	return err;
}

/**
 * p2mo_override_add_if() - p2mo_override_add() if @guard holds
 * @t:     the tables
 * @mfn:   the machine frame
 * @bpfn:  the backend pfn it is mapped at
 * @gfp:   allocation flags
 * @guard: checked with the frame's m2p stripe held, NULL for none
 *
 * Quiet: the callers (repair, the hooks) expect -EEXIST and -ESTALE and
 * count them themselves.
 *
 * Return: as p2mo_override_add(), or -ESTALE: @guard did not hold.
 */
int p2mo_override_add_if(struct p2mo_table *t, unsigned long mfn,
			 unsigned long bpfn, gfp_t gfp,
			 const struct p2mo_guard *guard)
{
	if (!p2mo_override_args_ok(t, mfn, bpfn))
		return -EINVAL;
	return p2mo_add(t, mfn, bpfn, gfp, guard);
}

/* ---- remove ---- */

/*
 * Is @e, preceded in its run by @prev, the last override of its mfn,
 * whose filter byte is @count?  A counted byte says so without a look at
 * the next entry's cache line; an uncounted one (P2MO_FILTER_MANY) walks.
 */
static __always_inline bool p2mo_remove_is_last(struct p2mo_m2p_entry *e,
						struct p2mo_m2p_entry *prev,
						u8 count)
{
	bool walked;

	if (count != P2MO_FILTER_MANY && !IS_ENABLED(CONFIG_P2M_OVERRIDE_DEBUG))
		return count == 1;
	walked = !prev && !p2mo_m2p_same_mfn(p2mo_m2p_next(e), e->mfn);
	/* debug builds check the count against the walk */
	WARN_ON_ONCE(count != P2MO_FILTER_MANY && walked != (count == 1));
	return walked;
}

static __always_inline int p2mo_remove(struct p2mo_table *t, unsigned long mfn,
				       unsigned long bpfn,
				       const struct p2mo_guard *guard)
{
	struct p2mo_chain *head = p2mo_htab_bucket(&t->m2p_hash, mfn);
	struct p2mo_lock *lock = p2mo_m2p_stripe(t, mfn);
	struct p2mo_m2p_entry *e, *prev = NULL;
	struct p2mo_link **pp;
	unsigned long flags;
	u8 *count;
	bool last;

	if (!p2mo_override_args_ok(t, mfn, bpfn))
		return -EINVAL;
	flags = p2mo_m2p_lock(t, mfn);
	if (guard && !guard->holds(t, mfn, bpfn, guard->arg)) {
		p2mo_m2p_unlock(t, mfn, flags);
		return -ESTALE;
	}
	pp = p2mo_m2p_run_locked(t, head, mfn);
	for (e = pp ? p2mo_m2p_at(*pp) : NULL;
	     p2mo_m2p_same_mfn(e, mfn) && e->bpfn != bpfn;
	     prev = e, pp = &e->link.next, e = p2mo_m2p_at(*pp))
		;
	if (unlikely(!p2mo_m2p_same_mfn(e, mfn))) {
		p2mo_m2p_unlock(t, mfn, flags);
		trace_p2mo_override_remove(mfn, bpfn, -ENOENT);
		return -ENOENT;
	}
	/* the mfn has an override, so its filter chunk exists */
	count = p2mo_filter_byte_in(&t->m2p_filter, mfn);
	last = p2mo_remove_is_last(e, prev, *count);
	if (e->tag != P2MO_NO_TAG) {
		if (last)
			p2mo_tag_clear(t, e->tag, mfn);
		else if (!prev)
			p2mo_tag_answer(t, e->tag, mfn, p2mo_m2p_next(e)->bpfn);
	}
	write_seqcount_begin(&lock->seq);
	p2mo_link_remove(pp);
	write_seqcount_end(&lock->seq);
	if (last)
		WRITE_ONCE(*count, 0);
	else if (*count != P2MO_FILTER_MANY)
		WRITE_ONCE(*count, *count - 1);
	p2mo_stat_inc_locked(t, P2MO_STAT_OVERRIDES_REMOVED);
	p2mo_m2p_entry_put(t->pool, e);	/* free_next overwrites tag */
	p2mo_m2p_unlock(t, mfn, flags);
	trace_p2mo_override_remove(mfn, bpfn, 0);
	return 0;
}

/*
 * The removal itself: -ENOENT without a word, for callers that expect it
 * (the hooks see unmaps of grants mapped before the module loaded).
 */
int p2mo_override_remove_quiet(struct p2mo_table *t, unsigned long mfn,
			       unsigned long bpfn)
{
	return p2mo_remove(t, mfn, bpfn, NULL);
}

/**
 * p2mo_override_remove_if() - drop (@mfn, @bpfn) if @guard holds
 * @t:     the tables
 * @mfn:   the machine frame
 * @bpfn:  the backend pfn
 * @guard: checked with the frame's m2p stripe held
 *
 * Return: 0; -EINVAL, -ENOENT (quietly), -ESTALE (@guard did not hold).
 */
int p2mo_override_remove_if(struct p2mo_table *t, unsigned long mfn,
			    unsigned long bpfn, const struct p2mo_guard *guard)
{
	return p2mo_remove(t, mfn, bpfn, guard);
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
	int err = p2mo_remove(t, mfn, bpfn, NULL);

	if (unlikely(err == -ENOENT)) {
		p2mo_stat_inc(t, P2MO_STAT_REJECTED);
		pr_warn_ratelimited("no override mfn %#lx bpfn %#lx to remove\n",
				    mfn, bpfn);
	}
	return err;
}

/* mfn_to_pfn() for everything the inline fast path does not answer. */
unsigned long p2mo_mfn_to_pfn_slow(struct p2mo_table *t, unsigned long mfn)
{
	unsigned long pfn = p2mo_be_m2p(t->be, mfn), bpfn, w;

	/* acquire: a tag's filter byte and chain are read after it */
	w = p2mo_view_word_acquire(&t->view, pfn);
	/*
	 * A tagged pfn shows FOREIGN_FRAME(...): it cannot map back; nor a
	 * pfn past max_pfn, which owns nothing here (backend.h).
	 */
	if (pfn < t->max_pfn && !(w & P2MO_PFN_TAGGED) &&
	    p2mo_get_p2m_word(t, pfn, w) == mfn)
		return pfn;
	/* a shared local frame (mfn is below max_mfn: no shift wraps) */
	if (mfn < t->be->max_mfn && p2mo_view_answers(w, mfn))
		return p2mo_view_answer(w);
	if (p2mo_m2p_first(t, mfn, &bpfn)) {
		p2mo_stat_inc(t, P2MO_STAT_LOOKUPS_HIT);
		return bpfn;
	}
	p2mo_stat_inc(t, P2MO_STAT_LOOKUPS_MISS);
	if (p2mo_get_p2m_slow(t, mfn) == P2MO_IDENTITY_FRAME(mfn))
		return mfn;
	return P2MO_INVALID_ENTRY;
}

/*
 * Up to @max bpfns >= @min of the run of @mfn in @head, lowest first,
 * into @out; entries may move under a lockless walk.
 */
static unsigned int p2mo_m2p_scan(struct p2mo_chain *head, unsigned long mfn,
				  unsigned long min, unsigned long *out,
				  unsigned int max)
{
	struct p2mo_m2p_entry *e;
	struct p2mo_link *l;
	unsigned int n = 0;
	unsigned long b;

	for (l = p2mo_chain_first_rcu(head); l; l = p2mo_link_next_rcu(l)) {
		e = p2mo_m2p_at(l);
		if (READ_ONCE(e->mfn) != mfn)
			continue;
		b = READ_ONCE(e->bpfn);
		if (b >= min) {
			out[n++] = b;
			if (n == max)
				break;
		}
	}
	return n;
}

#define P2MO_READ_TRIES	4	/* lockless walks before taking the stripe */

/*
 * p2mo_m2p_scan() as of one instant: the walk counts only if the stripe's
 * seqcount did not move (an entry met may have been reused for another
 * key); after a few moves the walk is made with the stripe held.  Takes
 * rcu_read_lock(), may spin on the stripe: not from NMI.
 */
static unsigned int p2mo_m2p_collect(struct p2mo_table *t, unsigned long mfn,
				     unsigned long min, unsigned long *out,
				     unsigned int max)
{
	struct p2mo_chain *head = p2mo_htab_bucket(&t->m2p_hash, mfn);
	struct p2mo_lock *lock = p2mo_m2p_stripe(t, mfn);
	unsigned long flags;
	unsigned int tries, seq, n;

	rcu_read_lock();
	for (tries = 0; tries < P2MO_READ_TRIES; tries++) {
		if (tries)
			p2mo_stat_inc(t, P2MO_STAT_READ_RETRIES);
		seq = read_seqcount_begin(&lock->seq);
		n = p2mo_m2p_scan(head, mfn, min, out, max);
		p2mo_test_point(P2MO_TP_M2P_WALKED, mfn);
		if (!read_seqcount_retry(&lock->seq, seq))
			goto out;
	}
	p2mo_stat_inc(t, P2MO_STAT_READ_LOCKED);
	flags = p2mo_m2p_lock(t, mfn);
	n = p2mo_m2p_scan(head, mfn, min, out, max);
	p2mo_test_point(P2MO_TP_M2P_WALKED_LOCKED, mfn);
	p2mo_m2p_unlock(t, mfn, flags);
out:
	rcu_read_unlock();
	return n;
}

/**
 * p2mo_m2p_find_from() - lowest backend pfn >= @min that maps @mfn
 * @t:    the tables
 * @mfn:  the machine frame
 * @min:  the least backend pfn wanted
 * @bpfn: the answer, if any
 *
 * Lockless, and as of one instant during the call: takes rcu_read_lock(),
 * and after a few walks spoilt by writers the frame's m2p stripe (so not
 * from NMI).
 *
 * Return: whether there is one.
 */
bool p2mo_m2p_find_from(struct p2mo_table *t, unsigned long mfn,
			unsigned long min, unsigned long *bpfn)
{
	return p2mo_m2p_collect(t, mfn, min, bpfn, 1);
}

/* First (lowest backend pfn) override of @mfn. */
bool p2mo_m2p_first(struct p2mo_table *t, unsigned long mfn,
		    unsigned long *bpfn)
{
	p2mo_test_point(P2MO_TP_CHAIN_READ, mfn);
	return p2mo_filter_test(&t->m2p_filter, mfn) &&
	       p2mo_m2p_find_from(t, mfn, 0, bpfn);
}

#define P2MO_RMAP_BATCH	16	/* pfns of one run read as of one instant */

/**
 * p2mo_rmap_walk() - call @fn for every backend pfn mapping @mfn
 * @t:   the tables
 * @mfn: the machine frame
 * @fn:  called under rcu_read_lock() (must not sleep), in bpfn order,
 *       once per pfn; a non-zero return stops the walk
 * @arg: passed to @fn
 *
 * The run is read P2MO_RMAP_BATCH (16) pfns at a time, each batch as it
 * was at one instant during the walk: a frame with at most 16 mappers is
 * reported exactly as it was at one instant, a longer run batch by batch
 * (concurrent adds and removes may or may not be seen).  The callbacks
 * run after their batch was read, with no lock held.
 *
 * Return: the number of calls made.
 */
int p2mo_rmap_walk(struct p2mo_table *t, unsigned long mfn,
		   p2mo_rmap_fn fn, void *arg)
{
	unsigned long batch[P2MO_RMAP_BATCH], min = 0;
	unsigned int i, k;
	int n = 0, stop = 0;

	if (!p2mo_filter_test(&t->m2p_filter, mfn))
		return 0;
	do {
		k = p2mo_m2p_collect(t, mfn, min, batch, ARRAY_SIZE(batch));
		rcu_read_lock();
		for (i = 0; i < k && !stop; i++, n++)
			stop = fn(arg, mfn, batch[i]);
		rcu_read_unlock();
		/* the run is sorted: resume above the batch */
		if (k)
			min = batch[k - 1] + 1;
	} while (!stop && k == ARRAY_SIZE(batch));
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

static unsigned long p2mo_drain_m2p_bucket(struct p2mo_table *t,
					   unsigned long i)
{
	struct p2mo_chain *head = &t->m2p_hash.buckets[i];
	struct p2mo_m2p_entry *e;
	unsigned long n = 0, flags;

	/* Entries are reused at once: read the first one under the lock. */
	for (;;) {
		unsigned long mfn, bpfn;

		flags = p2mo_m2p_bucket_lock(t, i);
		e = p2mo_link_entry(head->first, struct p2mo_m2p_entry, link);
		if (e) {
			mfn = e->mfn;
			bpfn = e->bpfn;
		}
		p2mo_m2p_bucket_unlock(t, i, flags);
		if (!e || p2mo_override_remove(t, mfn, bpfn))
			return n;
		n++;
	}
}

/* Every m2p override removed, through the write path; writers kept away. */
unsigned long p2mo_m2p_drain(struct p2mo_table *t)
{
	unsigned long i, n = 0;

	for (i = 0; i < (1UL << t->m2p_hash.bits); i++)
		n += p2mo_drain_m2p_bucket(t, i);
	return n;
}
