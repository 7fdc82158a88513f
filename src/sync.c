// SPDX-License-Identifier: GPL-2.0
/*
 * Verify and repair the override tables against the backend's real p2m
 * (sync.h): adoption at load, repair when events were lost, the debugfs
 * verify and reconcile files.
 *
 * A pass has two halves.  The scan half reads every FOREIGN entry of the
 * backend's p2m (ops->foreign_scan, which skips what cannot hold one) and
 * looks each pair up in the table: missing ones are adopted.  The table
 * half walks the m2p buckets, each under its stripe, and checks every
 * override against the p2m entry of its backend pfn (stale) and the tag
 * of every frame (wrong_tag).  Verify only counts; because the hooks keep
 * changing the tables under a live dom0, it looks again at what it found
 * after P2MO_SYNC_UNMAP_MS and counts what is still wrong.
 *
 * Locking: a pass holds pass_lock (a mutex: passes sleep between leaves)
 * and takes the m2p stripes one at a time, through the write path.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/ktime.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include "alloc.h"
#include "sync.h"
#include "tag.h"

#define P2MO_SYNC_BUCKET_MAX	32	/* offenders taken per bucket walk */
#define P2MO_SYNC_CHECK_MAX	512	/* verify candidates looked at again */

/* ---- conditions, each true of one pair at one instant ---- */

static bool p2mo_sync_shows(struct p2mo_table *t, unsigned long mfn,
			    unsigned long bpfn)
{
	return p2mo_be_p2m(t->be, bpfn) == P2MO_FOREIGN_FRAME(mfn);
}

static bool p2mo_sync_recently_unmapped(struct p2mo_table *t,
					unsigned long bpfn)
{
	struct p2mo_sync *s = READ_ONCE(t->sync);	/* hooks run meanwhile */
	unsigned long at;

	if (!s)
		return false;
	at = READ_ONCE(s->unmap_at[bpfn % P2MO_SYNC_MARKS]);
	return time_before(jiffies, at + msecs_to_jiffies(P2MO_SYNC_UNMAP_MS) + 1);
}

static bool p2mo_sync_has(struct p2mo_table *t, unsigned long mfn,
			  unsigned long bpfn)
{
	unsigned long found;

	return p2mo_m2p_find_from(t, mfn, bpfn, &found) && found == bpfn;
}

/* Guards, under the frame's m2p stripe (table.h). */
static bool p2mo_sync_adoptable(struct p2mo_table *t, unsigned long mfn,
				unsigned long bpfn, void *arg)
{
	p2mo_m2p_assert_held(t, mfn);
	return p2mo_sync_shows(t, mfn, bpfn) &&
	       !p2mo_sync_recently_unmapped(t, bpfn);
}

static bool p2mo_sync_gone(struct p2mo_table *t, unsigned long mfn,
			   unsigned long bpfn, void *arg)
{
	p2mo_m2p_assert_held(t, mfn);
	return !p2mo_sync_shows(t, mfn, bpfn);
}

static const struct p2mo_guard p2mo_sync_adopt_guard = {
	.holds = p2mo_sync_adoptable,
};

static const struct p2mo_guard p2mo_sync_drop_guard = {
	.holds = p2mo_sync_gone,
};

/* A pair taken out to be added again (retag): back if still mapped. */
static bool p2mo_sync_still_mapped(struct p2mo_table *t, unsigned long mfn,
				   unsigned long bpfn, void *arg)
{
	p2mo_m2p_assert_held(t, mfn);
	return p2mo_sync_shows(t, mfn, bpfn);
}

static const struct p2mo_guard p2mo_sync_readd_guard = {
	.holds = p2mo_sync_still_mapped,
};

/*
 * The local pfn a frame's first override must have tagged: the owner the
 * m2p names, if its backend p2m entry maps back (the 2012 rule); a pfn
 * hidden by a p2mo_p2m_set() entry is not judged (P2MO_NO_TAG + 1).
 */
#define P2MO_SYNC_UNJUDGED	(P2MO_NO_TAG - 1)

static unsigned long p2mo_sync_owner(struct p2mo_table *t, unsigned long mfn)
{
	unsigned long pfn = p2mo_be_m2p(t->be, mfn);

	if (pfn == P2MO_INVALID_ENTRY || pfn >= t->max_pfn ||
	    p2mo_be_p2m(t->be, pfn) != mfn)
		return P2MO_NO_TAG;
	if (p2mo_pfn_state(t, pfn) & P2MO_PFN_ENTRY)
		return P2MO_SYNC_UNJUDGED;
	return pfn;
}

/* Is the tag of a run whose first entry is @e wrong?  Stripe held. */
static bool p2mo_sync_tag_wrong(struct p2mo_table *t,
				const struct p2mo_m2p_entry *e)
{
	unsigned long owner;

	p2mo_m2p_assert_held(t, e->mfn);
	owner = p2mo_sync_owner(t, e->mfn);
	if (owner == P2MO_SYNC_UNJUDGED)
		return false;
	if (owner == P2MO_NO_TAG)
		return e->tag != P2MO_NO_TAG;
	return e->tag == P2MO_NO_TAG || p2mo_tag_pfn(e->tag) != owner;
}

/**
 * p2mo_sync_mapped() - @bpfn was just seen mapping @mfn
 * @t:    the tables
 * @mfn:  the frame the backend pfn shows now
 * @bpfn: the backend pfn
 * @gfp:  for the record's chunk (GFP_ATOMIC from the hooks)
 *
 * Drops the pair of the frame last seen at @bpfn if it was another one
 * (its unmap was lost), counted as remaps_replaced.  Before the add of
 * (@mfn, @bpfn), so that a lookup never sees two frames at one pfn for
 * long.  Any context; no lock held by the caller.
 */
void p2mo_sync_mapped(struct p2mo_table *t, unsigned long mfn,
		      unsigned long bpfn, gfp_t gfp)
{
	struct p2mo_sync *s = READ_ONCE(t->sync);
	unsigned long old;

	if (!s || bpfn >= s->last_mapped.nr_pfns ||
	    p2mo_view_ensure_chunk(&s->last_mapped, bpfn, gfp))
		return;		/* no record: repair will find it */
	old = xchg(p2mo_view_slot(&s->last_mapped, bpfn), mfn + 1);
	if (old && old != mfn + 1 &&
	    !p2mo_override_remove_quiet(t, old - 1, bpfn))
		p2mo_stat_inc(t, P2MO_STAT_REMAPS_REPLACED);
}

/* ---- a pass ---- */

struct p2mo_sync_pass {
	struct p2mo_table *t;
	struct p2mo_sync_report *r;
	bool repair;
	unsigned int nr_check;
	struct p2mo_sync_offender *check;	/* verify: to look at again */
};

static void p2mo_sync_name(struct p2mo_sync_report *r, const char *kind,
			   unsigned long mfn, unsigned long pfn)
{
	if (r->nr_offenders < P2MO_SYNC_OFFENDERS)
		r->offenders[r->nr_offenders++] =
			(struct p2mo_sync_offender){ kind, mfn, pfn };
}

static unsigned long *p2mo_sync_count(struct p2mo_sync_report *r,
				      const char *kind)
{
	if (kind[0] == 's')
		return &r->stale;
	return kind[0] == 'm' ? &r->missing : &r->wrong_tag;
}

/* Verify: a finding to look at again, or counted as is if no room. */
static void p2mo_sync_suspect(struct p2mo_sync_pass *p, const char *kind,
			      unsigned long mfn, unsigned long pfn)
{
	if (p->check && p->nr_check < P2MO_SYNC_CHECK_MAX) {
		p->check[p->nr_check++] =
			(struct p2mo_sync_offender){ kind, mfn, pfn };
		return;
	}
	(*p2mo_sync_count(p->r, kind))++;
	p2mo_sync_name(p->r, kind, mfn, pfn);
}

static void p2mo_sync_adopt_one(struct p2mo_sync_pass *p, unsigned long mfn,
				unsigned long pfn)
{
	int err = p2mo_override_add_if(p->t, mfn, pfn, GFP_KERNEL,
				       &p2mo_sync_adopt_guard);

	if (!err) {
		p->r->added++;
		p2mo_sync_name(p->r, "missing", mfn, pfn);
		p2mo_sync_mapped(p->t, mfn, pfn, GFP_KERNEL);
	} else if (err == -ESTALE) {
		/* unmapped meanwhile, or being unmapped: a later pass */
		if (p2mo_sync_shows(p->t, mfn, pfn))
			p->r->deferred++;
	} else if (err != -EEXIST) {
		p->r->errors++;		/* the hooks added it: -EEXIST */
	}
}

static int p2mo_sync_foreign(void *arg, unsigned long pfn, unsigned long mfn)
{
	struct p2mo_sync_pass *p = arg;

	if (p2mo_sync_has(p->t, mfn, pfn))
		return 0;
	if (p->repair) {
		p->r->missing++;
		p2mo_sync_adopt_one(p, mfn, pfn);
	} else if (!p2mo_sync_recently_unmapped(p->t, pfn)) {
		p2mo_sync_suspect(p, "missing", mfn, pfn);
	}
	return 0;
}

/* Every override of @mfn removed and added again: the tag recomputed. */
static void p2mo_sync_retag(struct p2mo_sync_pass *p, unsigned long mfn)
{
	unsigned long bpfns[P2MO_SYNC_BUCKET_MAX];
	unsigned int i, n = p2mo_m2p_find_all(p->t, mfn, bpfns,
					      ARRAY_SIZE(bpfns));

	for (i = 0; i < n; i++)
		p2mo_override_remove_quiet(p->t, mfn, bpfns[i]);
	for (i = 0; i < n; i++)
		if (p2mo_override_add_if(p->t, mfn, bpfns[i], GFP_KERNEL,
					 &p2mo_sync_readd_guard))
			p->r->dropped++;
	p->r->tags_fixed++;
}

static void p2mo_sync_mend(struct p2mo_sync_pass *p,
			   const struct p2mo_sync_offender *o)
{
	if (o->kind[0] == 'w') {
		p2mo_sync_retag(p, o->mfn);
	} else if (!p2mo_override_remove_if(p->t, o->mfn, o->pfn,
					    &p2mo_sync_drop_guard)) {
		p->r->dropped++;
		p2mo_sync_name(p->r, "stale", o->mfn, o->pfn);
	}
}

/*
 * Up to @max offenders of bucket @i into @out, stripe held while reading.
 * Return: how many; *@more if the bucket held more.
 */
static unsigned int p2mo_sync_bucket(struct p2mo_table *t, unsigned long i,
				     struct p2mo_sync_offender *out,
				     unsigned int max, bool *more)
{
	struct p2mo_m2p_entry *e, *prev = NULL;
	unsigned int n = 0;
	struct p2mo_link *l;
	unsigned long flags;

	*more = false;
	flags = p2mo_m2p_bucket_lock(t, i);
	for (l = t->m2p_hash.buckets[i].first; l; prev = e, l = l->next) {
		e = container_of(l, struct p2mo_m2p_entry, link);
		if (!prev || prev->mfn != e->mfn) {
			if (p2mo_sync_tag_wrong(t, e)) {
				if (n == max)
					goto full;
				out[n++] = (struct p2mo_sync_offender)
					{ "wrong_tag", e->mfn, e->bpfn };
			}
		}
		if (!p2mo_sync_shows(t, e->mfn, e->bpfn)) {
			if (n == max)
				goto full;
			out[n++] = (struct p2mo_sync_offender)
				{ "stale", e->mfn, e->bpfn };
		}
	}
	p2mo_m2p_bucket_unlock(t, i, flags);
	return n;
full:
	*more = true;
	p2mo_m2p_bucket_unlock(t, i, flags);
	return n;
}

/* Repair: counted and mended now.  Verify: looked at again later. */
static void p2mo_sync_found(struct p2mo_sync_pass *p,
			    const struct p2mo_sync_offender *o)
{
	if (!p->repair) {
		p2mo_sync_suspect(p, o->kind, o->mfn, o->pfn);
		return;
	}
	(*p2mo_sync_count(p->r, o->kind))++;
	p2mo_sync_mend(p, o);
}

static void p2mo_sync_table(struct p2mo_sync_pass *p)
{
	struct p2mo_sync_offender found[P2MO_SYNC_BUCKET_MAX];
	unsigned long i, nb = 1UL << p->t->m2p_hash.bits;
	unsigned int n, k, rounds;
	bool more;

	for (i = 0; i < nb; i++) {
		rounds = 0;
		do {
			n = p2mo_sync_bucket(p->t, i, found, ARRAY_SIZE(found),
					     &more);
			for (k = 0; k < n; k++)
				p2mo_sync_found(p, &found[k]);
			/* verify cannot shrink the bucket: count the rest */
			if (more && !p->repair)
				p->r->errors++;
		} while (more && p->repair && ++rounds < 8);
		if (!(i & 255))
			cond_resched();
	}
}

/* Is finding @o still true, after the hooks had time to catch up? */
static bool p2mo_sync_still(struct p2mo_table *t,
			    const struct p2mo_sync_offender *o)
{
	struct p2mo_chain *head;
	struct p2mo_m2p_entry *e;
	struct p2mo_link *l;
	unsigned long flags;
	bool wrong = false;

	switch (o->kind[0]) {
	case 'm':
		return p2mo_sync_shows(t, o->mfn, o->pfn) &&
		       !p2mo_sync_has(t, o->mfn, o->pfn) &&
		       !p2mo_sync_recently_unmapped(t, o->pfn);
	case 's':
		return p2mo_sync_has(t, o->mfn, o->pfn) &&
		       !p2mo_sync_shows(t, o->mfn, o->pfn);
	}
	head = p2mo_htab_bucket(&t->m2p_hash, o->mfn);
	flags = p2mo_m2p_lock(t, o->mfn);
	for (l = head->first; l; l = l->next) {
		e = container_of(l, struct p2mo_m2p_entry, link);
		if (e->mfn == o->mfn) {
			wrong = p2mo_sync_tag_wrong(t, e);
			break;
		}
	}
	p2mo_m2p_unlock(t, o->mfn, flags);
	return wrong;
}

static void p2mo_sync_confirm(struct p2mo_sync_pass *p)
{
	unsigned int i;

	if (!p->nr_check)
		return;
	msleep(P2MO_SYNC_UNMAP_MS);
	for (i = 0; i < p->nr_check; i++) {
		const struct p2mo_sync_offender *o = &p->check[i];

		if (!p2mo_sync_still(p->t, o))
			continue;
		(*p2mo_sync_count(p->r, o->kind))++;
		p2mo_sync_name(p->r, o->kind, o->mfn, o->pfn);
	}
}

static void p2mo_sync_stats(struct p2mo_table *t,
			    const struct p2mo_sync_report *r)
{
	p2mo_stat_inc(t, P2MO_STAT_RECONCILE_PASSES);
	p2mo_stat_add(t, P2MO_STAT_RECONCILED_ADDED, r->added);
	p2mo_stat_add(t, P2MO_STAT_RECONCILED_DROPPED, r->dropped);
	p2mo_stat_add(t, P2MO_STAT_RECONCILE_DEFERRED, r->deferred);
	p2mo_stat_add(t, P2MO_STAT_TAGS_FIXED, r->tags_fixed);
}

/*
 * Sleeps.  Takes the pass lock if the table has sync state, which lives
 * until every caller is gone (the watch is cancelled and the debugfs
 * files removed before p2mo_sync_uninit()).
 */
static int p2mo_sync_pass(struct p2mo_table *t, bool repair,
			  struct p2mo_sync_report *r)
{
	struct p2mo_sync_pass p = { .t = t, .r = r, .repair = repair };
	struct p2mo_sync *s = t->sync;	/* stable: freed after debugfs */
	u64 t0 = ktime_get_ns();
	int err;

	might_sleep();
	if (!t->be->ops->foreign_scan)
		return -EOPNOTSUPP;
	memset(r, 0, sizeof(*r));
	if (!repair) {
		p.check = kvmalloc_array(P2MO_SYNC_CHECK_MAX, sizeof(*p.check),
					 GFP_KERNEL);
		if (!p.check)
			return -ENOMEM;
	}
	if (s)
		mutex_lock(&s->pass_lock);
	err = t->be->ops->foreign_scan(t->be, p2mo_sync_foreign, &p, &r->scan);
	if (!err)
		p2mo_sync_table(&p);
	if (s)
		mutex_unlock(&s->pass_lock);
	if (!err && !repair)
		p2mo_sync_confirm(&p);
	kvfree(p.check);
	r->ns = ktime_get_ns() - t0;
	if (repair && !err)
		p2mo_sync_stats(t, r);
	return err;
}

/**
 * p2mo_sync_verify() - compare the tables with the backend's real p2m
 * @t: the tables
 * @r: what was found: stale, missing, wrong_tag (confirmed after
 *     P2MO_SYNC_UNMAP_MS), errors (findings that could not be looked at)
 *
 * Changes nothing.  Process context: sleeps.
 *
 * Return: 0, -ENOMEM, or -EOPNOTSUPP (the backend cannot scan).
 */
int p2mo_sync_verify(struct p2mo_table *t, struct p2mo_sync_report *r)
{
	return p2mo_sync_pass(t, false, r);
}

/**
 * p2mo_sync_repair() - make the tables equal the backend's real p2m
 * @t: the tables
 * @r: what was found and done: added (missing ones adopted), dropped
 *     (stale ones), tags_fixed, deferred (being unmapped: left for a
 *     later pass)
 *
 * Process context: sleeps.
 *
 * Return: 0, or -EOPNOTSUPP (the backend cannot scan).
 */
int p2mo_sync_repair(struct p2mo_table *t, struct p2mo_sync_report *r)
{
	int err = p2mo_sync_pass(t, true, r);
	struct p2mo_sync *s = t->sync;

	if (!err && s && r->deferred) {
		WRITE_ONCE(s->retry, true);
		if (s->period_ms)
			mod_delayed_work(system_wq, &s->watch,
					 msecs_to_jiffies(P2MO_SYNC_UNMAP_MS) + 1);
	}
	return err;
}

/**
 * p2mo_sync_adopt() - adopt every grant mapping that exists at load
 * @t: the tables; the hooks are armed already, so nothing mapped from
 *     now on is missed
 *
 * Return: as p2mo_sync_repair().
 */
int p2mo_sync_adopt(struct p2mo_table *t)
{
	struct p2mo_sync_report r;
	int err = p2mo_sync_repair(t, &r);

	if (err)
		return err;
	p2mo_stat_add(t, P2MO_STAT_ADOPTED, r.added);
	pr_info("adopted %lu live grant mappings in %llu us (%lu p2m entries read, %lu of %lu leaves skipped)\n",
		r.added, r.ns / NSEC_PER_USEC, r.scan.entries,
		r.scan.skipped_leaves, r.scan.leaves + r.scan.skipped_leaves);
	return 0;
}

/**
 * p2mo_sync_losses() - events the tables may have missed, so far
 * @t: the tables
 *
 * Lost hook events, failed adds in the hooks, unmaps of pairs the tables
 * did not hold.  Any context.
 */
unsigned long p2mo_sync_losses(struct p2mo_table *t)
{
	struct p2mo_stats st;
	unsigned long n;

	p2mo_table_stats(t, &st);
	n = st.v[P2MO_STAT_TRACK_ERRORS] + st.v[P2MO_STAT_UNTRACKED_UNMAPS];
	if (t->sync && t->sync->lost_fn)
		n += t->sync->lost_fn();
	return n;
}

/* Every period: repair if a loss was counted or a pass deferred. */
static void p2mo_sync_watch(struct work_struct *work)
{
	struct p2mo_sync *s = container_of(to_delayed_work(work),
					   struct p2mo_sync, watch);
	unsigned long lost = p2mo_sync_losses(s->t);
	struct p2mo_sync_report r;

	if (lost != s->last_lost || READ_ONCE(s->retry)) {
		/* losses from now on call for the next pass */
		s->last_lost = lost;
		WRITE_ONCE(s->retry, false);
		if (!p2mo_sync_repair(s->t, &r) &&
		    (r.added || r.dropped || r.tags_fixed))
			pr_info_ratelimited("repair: %lu missing adopted, %lu stale dropped, %lu tags fixed, %lu deferred\n",
					    r.added, r.dropped, r.tags_fixed,
					    r.deferred);
	}
	queue_delayed_work(system_wq, &s->watch,
			   msecs_to_jiffies(s->period_ms));
}

/**
 * p2mo_sync_init() - sync state for @t, and the watch if @period_ms
 * @t:         the tables
 * @period_ms: how often to look at the loss counts; 0: no watch
 * @lost_fn:   losses the tables cannot count (hook misses), or NULL
 *
 * Return: 0 or -ENOMEM.
 */
int p2mo_sync_init(struct p2mo_table *t, unsigned int period_ms,
		   p2mo_lost_fn lost_fn)
{
	struct p2mo_sync *s = kzalloc(sizeof(*s), GFP_KERNEL);
	unsigned int i;

	if (!s)
		return -ENOMEM;
	if (p2mo_view_init(&s->last_mapped, t->max_pfn)) {
		kfree(s);
		return -ENOMEM;
	}
	s->t = t;
	s->lost_fn = lost_fn;
	s->period_ms = period_ms;
	mutex_init(&s->pass_lock);
	INIT_DELAYED_WORK(&s->watch, p2mo_sync_watch);
	/* no pfn counts as recently unmapped */
	for (i = 0; i < P2MO_SYNC_MARKS; i++)
		s->unmap_at[i] = jiffies - 2 * msecs_to_jiffies(P2MO_SYNC_UNMAP_MS) - 2;
	WRITE_ONCE(t->sync, s);
	s->last_lost = p2mo_sync_losses(t);
	if (period_ms)
		queue_delayed_work(system_wq, &s->watch,
				   msecs_to_jiffies(period_ms));
	return 0;
}

/* Stops the watch and waits for a pass in flight. */
void p2mo_sync_uninit(struct p2mo_table *t)
{
	struct p2mo_sync *s = t->sync;

	if (!s)
		return;
	if (s->period_ms)
		cancel_delayed_work_sync(&s->watch);
	WRITE_ONCE(t->sync, NULL);
	/* the hooks are gone or never note again through t->sync */
	synchronize_rcu();
	p2mo_view_uninit(&s->last_mapped);
	kfree(s);
}
