/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fixed-size RCU hash table with striped bucket locks, the container
 * under both override tables, and conservative fast-reject bounds.
 *
 * Readers walk a chain under rcu_read_lock() with no lock.  Writers hold
 * the stripe lock of the bucket (p2mo_htab_lock()); entries are published
 * with hlist_add_*_rcu() and freed after a grace period, never reused
 * earlier, so a reader never meets an entry that changed its key.
 *
 * Bounds: [min, max] covers every key ever inserted since the last reset.
 * Writers widen them (lock-free, cmpxchg) BEFORE publishing an entry, so a
 * reader that is outside the bounds may answer "absent" without walking;
 * they are never narrowed while writers may run (p2mo_htab_reset_bounds()
 * is only for a quiescent, empty table).  Conservative by construction.
 */
#ifndef _P2MO_HTAB_H
#define _P2MO_HTAB_H

#include <linux/hash.h>
#include <linux/limits.h>
#include <linux/rculist.h>
#include "locks.h"

struct p2mo_bounds {
	unsigned long min;
	unsigned long max;
};

struct p2mo_htab {
	struct hlist_head *buckets;
	struct p2mo_lock *locks;
	unsigned int bits;		/* log2 of the number of buckets */
	unsigned int lock_mask;		/* number of stripes - 1 */
};

static inline bool p2mo_bounds_may_hold(const struct p2mo_bounds *b,
					unsigned long key)
{
	return key >= READ_ONCE(b->min) && key <= READ_ONCE(b->max);
}

/* Only for an empty table that no writer can reach. */
static inline void p2mo_bounds_reset(struct p2mo_bounds *b)
{
	WRITE_ONCE(b->min, ULONG_MAX);
	WRITE_ONCE(b->max, 0);
}

static inline void p2mo_bounds_widen(struct p2mo_bounds *b, unsigned long key)
{
	unsigned long old = READ_ONCE(b->min);

	while (key < old) {
		unsigned long seen = cmpxchg(&b->min, old, key);

		if (seen == old)
			break;
		old = seen;
	}
	old = READ_ONCE(b->max);
	while (key > old) {
		unsigned long seen = cmpxchg(&b->max, old, key);

		if (seen == old)
			break;
		old = seen;
	}
}

static inline unsigned int p2mo_htab_hash(const struct p2mo_htab *h,
					  unsigned long key)
{
	return hash_long(key, h->bits);
}

static inline struct hlist_head *p2mo_htab_bucket(const struct p2mo_htab *h,
						  unsigned long key)
{
	return &h->buckets[p2mo_htab_hash(h, key)];
}

static inline struct p2mo_lock *p2mo_htab_lock(const struct p2mo_htab *h,
					       unsigned long key)
{
	return &h->locks[p2mo_htab_hash(h, key) & h->lock_mask];
}

int p2mo_htab_init(struct p2mo_htab *h, unsigned int bits,
		   unsigned int lock_bits, int level,
		   struct lock_class_key *key, const char *name);
void p2mo_htab_uninit(struct p2mo_htab *h);
size_t p2mo_htab_bytes(const struct p2mo_htab *h);

#endif /* _P2MO_HTAB_H */
