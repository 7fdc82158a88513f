// SPDX-License-Identifier: GPL-2.0
/* Run-time lock-order checking; the order itself is declared in locks.h. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/printk.h>
#include "locks.h"

#ifdef CONFIG_P2M_OVERRIDE_DEBUG
DEFINE_PER_CPU(int, p2mo_cpu_lock_level);
atomic_t p2mo_lock_violations = ATOMIC_INIT(0);
atomic_t p2mo_lock_violations_expected = ATOMIC_INIT(0);

void p2mo_lock_order_violation(int held, int wanted)
{
	atomic_inc(&p2mo_lock_violations);
	/* a test that provokes one says so first: a count, no splat */
	if (atomic_add_unless(&p2mo_lock_violations_expected, -1, 0))
		return;
	pr_err_ratelimited("lock order violation: level %d taken while holding level %d\n",
			   wanted, held);
	WARN_ON_ONCE(1);
}

/* May this CPU take a lock of level @wanted now?  For tests. */
bool p2mo_lock_level_ok(int wanted)
{
	return this_cpu_read(p2mo_cpu_lock_level) < wanted;
}
#endif

void p2mo_lock_init(struct p2mo_lock *l, int level,
		    struct lock_class_key *key, const char *name)
{
	raw_spin_lock_init(&l->lock);
	lockdep_set_class_and_name(&l->lock, key, name);
	seqcount_raw_spinlock_init(&l->seq, &l->lock);
#ifdef CONFIG_P2M_OVERRIDE_DEBUG
	l->level = level;
	l->unlock_level = P2MO_LEVEL_NONE;
#endif
}
