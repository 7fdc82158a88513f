// SPDX-License-Identifier: GPL-2.0
/*
 * Lock order and RCU rules.  UML is one CPU and not preemptible: the
 * churn test hands the CPU to a writer thread between lookups, so each
 * lookup sees a state between two writer steps; overlapping readers and
 * writers need an SMP kernel.
 */
#include <linux/completion.h>
#include <linux/kthread.h>
#include "util.h"

static void lock_level_order(struct kunit *test)
{
#ifdef CONFIG_P2M_OVERRIDE_DEBUG
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long flags;

	KUNIT_EXPECT_TRUE(test, p2mo_lock_level_ok(P2MO_LEVEL_SIM_GRANT));
	flags = p2mo_lock(&f->t.m2p_hash.locks[0]);
	KUNIT_EXPECT_TRUE(test, p2mo_lock_level_ok(P2MO_LEVEL_P2M));
	KUNIT_EXPECT_FALSE(test, p2mo_lock_level_ok(P2MO_LEVEL_M2P));
	KUNIT_EXPECT_FALSE(test, p2mo_lock_level_ok(P2MO_LEVEL_SIM_GRANT));
	p2mo_unlock(&f->t.m2p_hash.locks[0], flags);
	KUNIT_EXPECT_TRUE(test, p2mo_lock_level_ok(P2MO_LEVEL_SIM_GRANT));
#else
	kunit_skip(test, "needs CONFIG_P2M_OVERRIDE_DEBUG");
#endif
}

static void lock_no_violation_in_use(struct kunit *test)
{
#ifdef CONFIG_P2M_OVERRIDE_DEBUG
	struct p2mo_fix *f = p2mo_fix(test);
	int v0 = atomic_read(&p2mo_lock_violations);
	struct gnttab_map_grant_ref op;
	int ref = fix_grant(test, f->d0, 3);	/* local: every lock is taken */

	KUNIT_ASSERT_EQ(test, fix_map(f, f->d0, ref, FIX_BPFN(0), &op), 0);
	p2mo_p2m_set(&f->t, 9, 1);
	KUNIT_EXPECT_EQ(test, fix_unmap(f, &op, FIX_BPFN(0)), 0);
	p2mo_p2m_clear(&f->t, 9);
	KUNIT_EXPECT_EQ(test, atomic_read(&p2mo_lock_violations), v0);
#else
	kunit_skip(test, "needs CONFIG_P2M_OVERRIDE_DEBUG");
#endif
}

/*
 * m2p entries are reused at once: a reader standing on a removed entry
 * may find it relinked with another key, and the stripe's seqcount must
 * tell it so.
 */
static void lock_reused_entry_is_detected(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d1, 4), other = fix_mfn(f->d1, 5);
	struct p2mo_lock *lock = p2mo_htab_lock(&f->t.m2p_hash, mfn);
	struct p2mo_m2p_entry *e, *seen = NULL;
	struct p2mo_link *l;
	unsigned long bpfn;
	unsigned int seq;

	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(2), GFP_KERNEL), 0);
	rcu_read_lock();
	seq = read_seqcount_begin(&lock->seq);
	for (l = p2mo_chain_first_rcu(p2mo_htab_bucket(&f->t.m2p_hash, mfn)); l;
	     l = p2mo_link_next_rcu(l)) {
		e = container_of(l, struct p2mo_m2p_entry, link);
		if (e->mfn == mfn)
			seen = e;
	}
	KUNIT_ASSERT_NOT_NULL(test, seen);
	KUNIT_EXPECT_FALSE(test, read_seqcount_retry(&lock->seq, seq));
	/* removed and reused for another frame while the reader holds it */
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(2)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_override_add(&f->t, other, FIX_BPFN(3), GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(seen->mfn), other);	/* the same object */
	KUNIT_EXPECT_TRUE(test, read_seqcount_retry(&lock->seq, seq));
	rcu_read_unlock();
	/* and the validated lookups answer for the keys as they are now */
	KUNIT_EXPECT_FALSE(test, p2mo_m2p_first(&f->t, mfn, &bpfn));
	KUNIT_ASSERT_TRUE(test, p2mo_m2p_first(&f->t, other, &bpfn));
	KUNIT_EXPECT_EQ(test, bpfn, FIX_BPFN(3));
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, other, FIX_BPFN(3)), 0);
}

struct walk_mover {
	struct p2mo_table *t;
	unsigned long mfn, bpfn;
	unsigned int moves, walks, locked_walks;
};

/*
 * At the end of each lockless walk of @mfn's run, before its seqcount is
 * checked, the first @moves walks see a writer on another CPU add or drop
 * the override (mfn, bpfn), alternately, reusing the entry at once.
 */
static void walk_mover_hook(void *arg, enum p2mo_test_point tp,
			    unsigned long key)
{
	struct walk_mover *w = arg;

	if (key != w->mfn)
		return;
	if (tp == P2MO_TP_M2P_WALKED_LOCKED) {
		w->locked_walks++;	/* stripe held: no writer can run */
		return;
	}
	if (tp != P2MO_TP_M2P_WALKED || w->walks++ >= w->moves)
		return;
	if (w->walks % 2)
		WARN_ON(p2mo_override_remove(w->t, w->mfn, w->bpfn));
	else
		WARN_ON(p2mo_override_add(w->t, w->mfn, w->bpfn, GFP_ATOMIC));
}

static u64 lock_stat(struct p2mo_table *t, enum p2mo_stat s)
{
	struct p2mo_stats sum;

	p2mo_table_stats(t, &sum);
	return sum.v[s];
}

/*
 * A writer moves the run under the first walk: the walk is thrown away
 * and made again, and the answer is the run as it is after the move.
 */
static void lock_walk_retries_after_move(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct walk_mover w = {
		.t = &f->t, .mfn = fix_mfn(f->d1, 4), .bpfn = FIX_BPFN(2),
		.moves = 1,
	};
	u64 retries = lock_stat(&f->t, P2MO_STAT_READ_RETRIES);
	u64 locked = lock_stat(&f->t, P2MO_STAT_READ_LOCKED);
	unsigned long out[4];

	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, w.mfn, FIX_BPFN(2), GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, w.mfn, FIX_BPFN(5), GFP_KERNEL), 0);
	p2mo_test_hook_set(walk_mover_hook, &w);
	KUNIT_EXPECT_EQ(test, p2mo_m2p_find_all(&f->t, w.mfn, out, 4), 1U);
	p2mo_test_hook_set(NULL, NULL);
	KUNIT_EXPECT_EQ(test, out[0], FIX_BPFN(5));	/* bpfn 2 went */
	KUNIT_EXPECT_EQ(test, w.walks, 2U);
	KUNIT_EXPECT_EQ(test, lock_stat(&f->t, P2MO_STAT_READ_RETRIES), retries + 1);
	KUNIT_EXPECT_EQ(test, lock_stat(&f->t, P2MO_STAT_READ_LOCKED), locked);
	KUNIT_EXPECT_EQ(test, w.locked_walks, 0U);
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, w.mfn, FIX_BPFN(5)), 0);
}

/*
 * A writer moves the run under every lockless walk: after
 * P2MO_READ_TRIES of them the walk is made with the stripe held, once,
 * and answers the run as the last move left it.
 */
static void lock_walk_falls_back_to_stripe(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct walk_mover w = {
		.t = &f->t, .mfn = fix_mfn(f->d0, 4), .bpfn = FIX_BPFN(2),
		.moves = ~0U,
	};
	u64 retries = lock_stat(&f->t, P2MO_STAT_READ_RETRIES);
	u64 locked = lock_stat(&f->t, P2MO_STAT_READ_LOCKED);
	unsigned long out[4];

	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, w.mfn, FIX_BPFN(2), GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, w.mfn, FIX_BPFN(5), GFP_KERNEL), 0);
	p2mo_test_hook_set(walk_mover_hook, &w);
	/* four moves: drop 2, add 2, drop 2, add 2: both are there */
	KUNIT_EXPECT_EQ(test, p2mo_m2p_find_all(&f->t, w.mfn, out, 4), 2U);
	p2mo_test_hook_set(NULL, NULL);
	KUNIT_EXPECT_EQ(test, out[0], FIX_BPFN(2));
	KUNIT_EXPECT_EQ(test, out[1], FIX_BPFN(5));
	KUNIT_EXPECT_EQ(test, w.walks, 4U);
	KUNIT_EXPECT_EQ(test, w.locked_walks, 1U);
	KUNIT_EXPECT_EQ(test, lock_stat(&f->t, P2MO_STAT_READ_RETRIES), retries + 3);
	KUNIT_EXPECT_EQ(test, lock_stat(&f->t, P2MO_STAT_READ_LOCKED), locked + 1);
	/* the frame is local: its tag went and came back with the moves */
	KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&f->t, w.mfn), FIX_BPFN(2));
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&f->t), 1);
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, w.mfn, FIX_BPFN(2)), 0);
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, w.mfn, FIX_BPFN(5)), 0);
}

/*
 * An inversion provoked on two locks of classes of their own (so that
 * lockdep, which has never seen them the other way round, stays quiet):
 * the level check must catch it.
 */
static void lock_level_violation_is_caught(struct kunit *test)
{
#ifdef CONFIG_P2M_OVERRIDE_DEBUG
	static struct lock_class_key k40, k50;
	struct p2mo_lock *l40, *l50;
	unsigned long f40, f50;
	int v0 = atomic_read(&p2mo_lock_violations);

	l40 = kunit_kzalloc(test, sizeof(*l40), GFP_KERNEL);
	l50 = kunit_kzalloc(test, sizeof(*l50), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l40);
	KUNIT_ASSERT_NOT_NULL(test, l50);
	p2mo_lock_init(l40, P2MO_LEVEL_M2P, &k40, "p2mo_test_m2p");
	p2mo_lock_init(l50, P2MO_LEVEL_P2M, &k50, "p2mo_test_p2m");
	atomic_inc(&p2mo_lock_violations_expected);
	f50 = p2mo_lock(l50);
	f40 = p2mo_lock(l40);		/* 40 under 50: wrong */
	p2mo_unlock(l40, f40);
	p2mo_unlock(l50, f50);
	KUNIT_EXPECT_EQ(test, atomic_read(&p2mo_lock_violations), v0 + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&p2mo_lock_violations_expected), 0);
	/*
	 * the level is restored (the right order would now pass the level
	 * check; it is not taken: lockdep has seen these two the wrong way)
	 */
	KUNIT_EXPECT_TRUE(test, p2mo_lock_level_ok(P2MO_LEVEL_SIM_GRANT));
#else
	kunit_skip(test, "needs CONFIG_P2M_OVERRIDE_DEBUG");
#endif
}

/*
 * The stripes are taken in kprobe handlers, atomic even on PREEMPT_RT:
 * they must be raw spinlocks.  With CONFIG_PROVE_RAW_LOCK_NESTING
 * (debug variant) lockdep reports a spinlock_t taken under a raw one,
 * as on RT it would sleep in atomic context.
 */
static void lock_stripe_is_raw(struct kunit *test)
{
	static DEFINE_RAW_SPINLOCK(atomic_ctx);
	struct p2mo_fix *f = p2mo_fix(test);
	unsigned long mfn = fix_mfn(f->d1, 6), flags;

	/* an entry in this CPU's pool and the frame's filter chunk: no allocation */
	KUNIT_ASSERT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(6), GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(6)), 0);
	raw_spin_lock_irqsave(&atomic_ctx, flags);
	KUNIT_EXPECT_EQ(test, p2mo_override_add(&f->t, mfn, FIX_BPFN(6), GFP_ATOMIC), 0);
	KUNIT_EXPECT_EQ(test, p2mo_override_remove(&f->t, mfn, FIX_BPFN(6)), 0);
	raw_spin_unlock_irqrestore(&atomic_ctx, flags);
}

struct churn {
	struct p2mo_table *t;
	unsigned long mfn;
	unsigned long steps;
	struct completion go, done;
	bool stop;
};

/* One writer step per "go": add B2, add B1, remove B2, remove B1. */
static int churn_writer(void *arg)
{
	struct churn *c = arg;

	for (;;) {
		wait_for_completion(&c->go);
		if (READ_ONCE(c->stop))
			break;
		switch (c->steps++ % 4) {
		case 0:
			p2mo_override_add(c->t, c->mfn, FIX_BPFN(2), GFP_KERNEL);
			break;
		case 1:
			p2mo_override_add(c->t, c->mfn, FIX_BPFN(1), GFP_KERNEL);
			break;
		case 2:
			p2mo_override_remove(c->t, c->mfn, FIX_BPFN(2));
			break;
		default:
			p2mo_override_remove(c->t, c->mfn, FIX_BPFN(1));
		}
		complete(&c->done);
	}
	complete(&c->done);
	return 0;
}

static void lock_readers_see_valid_states(struct kunit *test)
{
	struct p2mo_fix *f = p2mo_fix(test);
	struct churn c = { .t = &f->t, .mfn = fix_mfn(f->d0, 6) };
	unsigned long bad = 0, i, out[2];
	struct task_struct *w;

	init_completion(&c.go);
	init_completion(&c.done);
	w = kthread_run(churn_writer, &c, "p2mo-churn");
	KUNIT_ASSERT_FALSE(test, IS_ERR(w));
	for (i = 0; i < 4000; i++) {
		unsigned long pfn, p2m;
		unsigned int n;

		/* on SMP the writer runs during the reads; here, between them */
		complete(&c.go);
		pfn = p2mo_table_mfn_to_pfn(&f->t, c.mfn);
		p2m = p2mo_table_get_p2m(&f->t, 6);
		n = p2mo_m2p_find_all(&f->t, c.mfn, out, 2);
		bad += pfn != 6 && pfn != FIX_BPFN(1) && pfn != FIX_BPFN(2);
		bad += p2m != c.mfn && p2m != P2MO_FOREIGN_FRAME(c.mfn);
		bad += n > 2 || (n == 2 && out[0] > out[1]);
		bad += (n == 0) != (pfn == 6) || (n == 0) != (p2m == c.mfn);
		wait_for_completion(&c.done);
	}
	WRITE_ONCE(c.stop, true);
	complete(&c.go);
	wait_for_completion(&c.done);
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	KUNIT_EXPECT_EQ(test, c.steps, 4000UL);
	KUNIT_EXPECT_EQ(test, p2mo_live_overrides(&f->t), 0);
	KUNIT_EXPECT_EQ(test, p2mo_table_get_p2m(&f->t, 6), c.mfn);
}

static struct kunit_case p2mo_locking_cases[] = {
	KUNIT_CASE(lock_level_order),
	KUNIT_CASE(lock_no_violation_in_use),
	KUNIT_CASE(lock_reused_entry_is_detected),
	KUNIT_CASE(lock_walk_retries_after_move),
	KUNIT_CASE(lock_walk_falls_back_to_stripe),
	KUNIT_CASE(lock_level_violation_is_caught),
	KUNIT_CASE(lock_stripe_is_raw),
	KUNIT_CASE(lock_readers_see_valid_states),
	{}
};

static struct kunit_suite p2mo_locking_suite = {
	.name = "p2mo_locking",
	.init = p2mo_fix_init,
	.exit = p2mo_fix_exit,
	.test_cases = p2mo_locking_cases,
};

kunit_test_suite(p2mo_locking_suite);
