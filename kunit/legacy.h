/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The m2p override of Linux 3.5-3.14 (arch/x86/xen/p2m.c), re-created for
 * the benchmark only: 1024 list buckets hashed by mfn, one global spinlock
 * taken with interrupts off by add, remove and find, a linear bucket scan,
 * state in the backend page (here: an array standing for struct page),
 * and the p2m written in place (here: its own copy of the p2m).
 */
#ifndef _P2MO_LEGACY_H
#define _P2MO_LEGACY_H

#include <linux/list.h>
#include <linux/spinlock.h>

#define P2MO_LEGACY_HASH_SHIFT	10

/*
 * The struct page fields 3.x used: flags (PG_private), lru, private (mfn),
 * index (old p2m).
 */
struct p2mo_legacy_page {
	unsigned long flags;
	struct list_head lru;
	unsigned long private;
	unsigned long index;
};

#define P2MO_LEGACY_PG_PRIVATE	0

struct p2mo_legacy {
	spinlock_t lock;			/* m2p_override_lock */
	struct list_head buckets[1 << P2MO_LEGACY_HASH_SHIFT];
	struct p2mo_legacy_page *pages;		/* by backend pfn */
	unsigned long *p2m;			/* written in place, as 3.x did */
	unsigned long nr_pfns;
	const unsigned long *m2p;
	unsigned long nr_mfns;
};

int p2mo_legacy_init(struct p2mo_legacy *l, const unsigned long *p2m,
		     unsigned long nr_pfns, const unsigned long *m2p,
		     unsigned long nr_mfns);
void p2mo_legacy_uninit(struct p2mo_legacy *l);
int p2mo_legacy_add(struct p2mo_legacy *l, unsigned long mfn,
		    unsigned long bpfn);
int p2mo_legacy_remove(struct p2mo_legacy *l, unsigned long bpfn);
unsigned long p2mo_legacy_mfn_to_pfn(struct p2mo_legacy *l,
				     unsigned long mfn);

#endif /* _P2MO_LEGACY_H */
