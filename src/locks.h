/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lock order of p2m-override, declared in one place.
 *
 * A CPU may take a lock only while every p2m-override lock it already
 * holds has a lower level.  Debug builds (CONFIG_P2M_OVERRIDE_DEBUG) check
 * this at run time with a per-CPU "current level", as Xen's mm-locks.h
 * does; lockdep checks it too, each level being its own lock class.
 *
 * level  lock                          protects
 * -----  ----------------------------  -------------------------------------
 *  10    sim domain grant_lock         the granting (subject) domain's grant
 *                                      entries and their map counts
 *  20    sim domain p2m_lock           the mapping (caller) domain's p2m
 *  30    sim machine lock              m2p, frame ownership, map handles
 *  40    m2p override bucket stripe    chains of the buckets in the stripe
 *                                      (seq tells lockless readers of them
 *                                      to retry), tag of their entries,
 *                                      the filter bytes of their mfns, the
 *                                      TAGGED bit and answer of the view
 *                                      words tagged for their mfns
 *  50    p2m override bucket stripe    chains of the buckets in the stripe,
 *                                      the ENTRY bit of their pfns' view
 *                                      words
 *
 * Levels 10-20 carry Xen's lock-level bias: when one domain maps another's
 * grant, the subject (granter) is locked before the caller (mapper).  The
 * simulated map and unmap hypercalls take 10 then 30; the caller's p2m
 * lock (20) is taken alone, after them, as Linux sets the p2m after the
 * hypercalls.
 * With a stripe held (40-50) the core calls only a backend's read
 * operations (p2m_read, m2p_read, pfn_of), which take no lock, never
 * map_refs/unmap_refs; backends never call the core.  So 10-30 and 40-50
 * never nest in practice; the order between them is declared anyway.
 *
 * Lookups take none of these: they run under rcu_read_lock().
 */
#ifndef _P2MO_LOCKS_H
#define _P2MO_LOCKS_H

#include <linux/spinlock.h>
#include <linux/percpu.h>
#include <linux/seqlock.h>

enum p2mo_lock_level {
	P2MO_LEVEL_NONE = 0,
	P2MO_LEVEL_SIM_GRANT = 10,
	P2MO_LEVEL_SIM_P2M = 20,
	P2MO_LEVEL_SIM_MACHINE = 30,
	P2MO_LEVEL_M2P = 40,
	P2MO_LEVEL_P2M = 50,
};

/*
 * Raw spinlocks: the hooks take these locks in kprobe handlers, which run
 * with interrupts and preemption off even on PREEMPT_RT, where a
 * spinlock_t sleeps.  Nothing under them allocates or sleeps (the write
 * path allocates with no lock held; frees go through call_rcu()).
 */
struct p2mo_lock {
	raw_spinlock_t lock;		/* see the table above */
	seqcount_raw_spinlock_t seq;	/* bumped around chain changes */
#ifdef CONFIG_P2M_OVERRIDE_DEBUG
	int level;		/* this lock's place in the order */
	int unlock_level;	/* CPU level to restore on unlock */
#endif
};

#ifdef CONFIG_P2M_OVERRIDE_DEBUG
DECLARE_PER_CPU(int, p2mo_cpu_lock_level);
void p2mo_lock_order_violation(int held, int wanted);
bool p2mo_lock_level_ok(int wanted);
extern atomic_t p2mo_lock_violations;
extern atomic_t p2mo_lock_violations_expected;	/* tests: no WARN for these */

/* Before acquiring: may this CPU take @l now?  Returns the level to restore. */
static inline int p2mo_lock_level_check(struct p2mo_lock *l)
{
	int cur = this_cpu_read(p2mo_cpu_lock_level);

	if (unlikely(cur >= l->level))
		p2mo_lock_order_violation(cur, l->level);
	return cur;
}

/*
 * Once acquired: only the holder may write unlock_level (a CPU still
 * spinning on the lock must not), as Xen's mm-locks.h does.
 */
static inline void p2mo_lock_level_enter(struct p2mo_lock *l, int cur)
{
	l->unlock_level = cur;
	this_cpu_write(p2mo_cpu_lock_level, l->level);
}

static inline void p2mo_lock_level_exit(struct p2mo_lock *l)
{
	this_cpu_write(p2mo_cpu_lock_level, l->unlock_level);
}
#else
static inline int p2mo_lock_level_check(struct p2mo_lock *l) { return 0; }
static inline void p2mo_lock_level_enter(struct p2mo_lock *l, int cur) { }
static inline void p2mo_lock_level_exit(struct p2mo_lock *l) { }
#endif

void p2mo_lock_init(struct p2mo_lock *l, int level,
		    struct lock_class_key *key, const char *name);

/*
 * Writers may run from a kretprobe handler: keep interrupts off.  They go
 * off first, so that the level read is this CPU's; the level is checked
 * before spinning, so that an inversion is reported even where it would
 * deadlock.
 */
static inline unsigned long p2mo_lock(struct p2mo_lock *l)
	__acquires(&l->lock)
{
	unsigned long flags;
	int cur;

	local_irq_save(flags);
	cur = p2mo_lock_level_check(l);
	raw_spin_lock(&l->lock);
	p2mo_lock_level_enter(l, cur);
	return flags;
}

/*
 * The level to restore is read while the lock is still held: once it is
 * released, the next holder (another CPU) overwrites unlock_level.
 */
static inline void p2mo_unlock(struct p2mo_lock *l, unsigned long flags)
	__releases(&l->lock)
{
	p2mo_lock_level_exit(l);
	raw_spin_unlock(&l->lock);
	local_irq_restore(flags);
}

#endif /* _P2MO_LOCKS_H */
