/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fixed-size RCU hash table with striped bucket locks: the container
 * under both override tables.
 *
 * Readers walk a chain under rcu_read_lock() with no lock.  Writers hold
 * the stripe lock of the bucket (p2mo_htab_lock()); chains are singly
 * linked (chain.h).  How entries are freed or reused, and what a reader
 * must check for it, is the user's rule (table.h).
 */
#ifndef _P2MO_HTAB_H
#define _P2MO_HTAB_H

#include <linux/hash.h>
#include "chain.h"
#include "locks.h"

struct p2mo_htab {
	struct p2mo_chain *buckets;
	struct p2mo_lock *locks;
	unsigned int bits;		/* log2 of the number of buckets */
	unsigned int lock_mask;		/* number of stripes - 1 */
};

static inline unsigned int p2mo_htab_hash(const struct p2mo_htab *h,
					  unsigned long key)
{
	return hash_long(key, h->bits);
}

static inline struct p2mo_chain *p2mo_htab_bucket(const struct p2mo_htab *h,
						  unsigned long key)
{
	return &h->buckets[p2mo_htab_hash(h, key)];
}

static inline struct p2mo_lock *p2mo_htab_lock(const struct p2mo_htab *h,
					       unsigned long key)
{
	return &h->locks[p2mo_htab_hash(h, key) & h->lock_mask];
}

/* The stripe of bucket @i */
static inline struct p2mo_lock *p2mo_htab_bucket_lock(const struct p2mo_htab *h,
						      unsigned long i)
{
	return &h->locks[i & h->lock_mask];
}

int p2mo_htab_init(struct p2mo_htab *h, unsigned int bits,
		   unsigned int lock_bits, int level,
		   struct lock_class_key *key, const char *name);
void p2mo_htab_uninit(struct p2mo_htab *h);
size_t p2mo_htab_bytes(const struct p2mo_htab *h);

#endif /* _P2MO_HTAB_H */
