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
