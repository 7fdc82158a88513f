// SPDX-License-Identifier: GPL-2.0
/* Bucket array and lock stripes of the override tables (see htab.h). */
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include "htab.h"
#include "alloc.h"

int p2mo_htab_init(struct p2mo_htab *h, unsigned int bits,
		   unsigned int lock_bits, int level,
		   struct lock_class_key *key, const char *name)
{
	unsigned int i, nr_locks;

	if (lock_bits > bits)
		lock_bits = bits;
	nr_locks = 1U << lock_bits;
	/* zeroed: every chain empty */
	h->buckets = p2mo_kvcalloc(1UL << bits, sizeof(*h->buckets));
	if (!h->buckets)
		return -ENOMEM;
	h->locks = p2mo_kvcalloc(nr_locks, sizeof(*h->locks));
	if (!h->locks) {
		p2mo_kvfree(h->buckets);
		h->buckets = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < nr_locks; i++)
		p2mo_lock_init(&h->locks[i], level, key, name);
	h->bits = bits;
	h->lock_mask = nr_locks - 1;
	return 0;
}

void p2mo_htab_uninit(struct p2mo_htab *h)
{
	p2mo_kvfree(h->locks);
	p2mo_kvfree(h->buckets);
	h->locks = NULL;
	h->buckets = NULL;
}

size_t p2mo_htab_bytes(const struct p2mo_htab *h)
{
	return (sizeof(*h->buckets) << h->bits) +
	       sizeof(*h->locks) * (h->lock_mask + 1);
}
