// SPDX-License-Identifier: GPL-2.0
/*
 * Linux 3.x m2p_add_override()/m2p_remove_override()/mfn_to_pfn(),
 * re-created for the benchmark (see legacy.h).  Kept close to the
 * original: same hash, same lock, same scans, same page flag and p2m
 * writes.  Left out: lookup_address() of the page's kernel mapping and
 * the kmap_op multicalls, which are not part of the override table.
 */
#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include "p2mo_gnttab.h"
#include "legacy.h"
#include "view.h"	/* p2mo_load_once(), as the lookups here use */

int p2mo_legacy_init(struct p2mo_legacy *l, const unsigned long *p2m,
		     unsigned long nr_pfns, const unsigned long *m2p,
		     unsigned long nr_mfns)
{
	unsigned int i;

	spin_lock_init(&l->lock);
	for (i = 0; i < ARRAY_SIZE(l->buckets); i++)
		INIT_LIST_HEAD(&l->buckets[i]);
	l->pages = kvcalloc(nr_pfns, sizeof(*l->pages), GFP_KERNEL);
	l->p2m = kvmalloc_array(nr_pfns, sizeof(*l->p2m), GFP_KERNEL);
	if (!l->pages || !l->p2m) {
		p2mo_legacy_uninit(l);
		return -ENOMEM;
	}
	memcpy(l->p2m, p2m, nr_pfns * sizeof(*l->p2m));
	l->nr_pfns = nr_pfns;
	l->m2p = m2p;
	l->nr_mfns = nr_mfns;
	return 0;
}

void p2mo_legacy_uninit(struct p2mo_legacy *l)
{
	kvfree(l->p2m);
	kvfree(l->pages);
	l->p2m = NULL;
	l->pages = NULL;
}

static unsigned long p2mo_legacy_hash(unsigned long mfn)
{
	return hash_long(mfn, P2MO_LEGACY_HASH_SHIFT);
}

static unsigned long p2mo_legacy_p2m(struct p2mo_legacy *l, unsigned long pfn)
{
	return pfn < l->nr_pfns ? p2mo_load_once(l->p2m[pfn]) : P2MO_INVALID_ENTRY;
}

static unsigned long p2mo_legacy_m2p(struct p2mo_legacy *l, unsigned long mfn)
{
	return mfn < l->nr_mfns ? p2mo_load_once(l->m2p[mfn]) : P2MO_INVALID_ENTRY;
}

static struct p2mo_legacy_page *p2mo_legacy_find(struct p2mo_legacy *l,
						 unsigned long mfn)
{
	struct list_head *bucket = &l->buckets[p2mo_legacy_hash(mfn)];
	struct p2mo_legacy_page *p, *ret = NULL;
	unsigned long flags;

	spin_lock_irqsave(&l->lock, flags);
	list_for_each_entry(p, bucket, lru) {
		if (p->private == mfn) {
			ret = p;
			break;
		}
	}
	spin_unlock_irqrestore(&l->lock, flags);
	return ret;
}

/* m2p_add_override() */
int p2mo_legacy_add(struct p2mo_legacy *l, unsigned long mfn,
		    unsigned long bpfn)
{
	struct p2mo_legacy_page *page = &l->pages[bpfn];
	unsigned long flags, pfn;

	WARN_ON(test_bit(P2MO_LEGACY_PG_PRIVATE, &page->flags));
	set_bit(P2MO_LEGACY_PG_PRIVATE, &page->flags);	/* SetPagePrivate() */
	page->private = mfn;
	page->index = l->p2m[bpfn];
	WRITE_ONCE(l->p2m[bpfn], P2MO_FOREIGN_FRAME(mfn));
	spin_lock_irqsave(&l->lock, flags);
	list_add(&page->lru, &l->buckets[p2mo_legacy_hash(mfn)]);
	spin_unlock_irqrestore(&l->lock, flags);
	/* p2m(m2p(mfn)) == mfn: the frame is a local page: mark it FOREIGN */
	pfn = p2mo_legacy_m2p(l, mfn);
	if (p2mo_legacy_p2m(l, pfn) == mfn)
		WRITE_ONCE(l->p2m[pfn], P2MO_FOREIGN_FRAME(mfn));
	return 0;
}

/* m2p_remove_override() */
int p2mo_legacy_remove(struct p2mo_legacy *l, unsigned long bpfn)
{
	struct p2mo_legacy_page *page = &l->pages[bpfn];
	unsigned long flags, mfn = p2mo_legacy_p2m(l, bpfn), pfn;

	if (mfn == P2MO_INVALID_ENTRY || !(mfn & P2MO_FOREIGN_FRAME_BIT))
		return -EINVAL;
	spin_lock_irqsave(&l->lock, flags);
	list_del(&page->lru);
	spin_unlock_irqrestore(&l->lock, flags);
	WARN_ON(!test_bit(P2MO_LEGACY_PG_PRIVATE, &page->flags));
	clear_bit(P2MO_LEGACY_PG_PRIVATE, &page->flags);	/* ClearPagePrivate() */
	WRITE_ONCE(l->p2m[bpfn], page->index);
	mfn &= ~P2MO_FOREIGN_FRAME_BIT;
	/* the last override of a local frame gives the frontend its pfn back */
	pfn = p2mo_legacy_m2p(l, mfn);
	if (p2mo_legacy_p2m(l, pfn) == P2MO_FOREIGN_FRAME(mfn) &&
	    !p2mo_legacy_find(l, mfn))
		WRITE_ONCE(l->p2m[pfn], mfn);
	return 0;
}

/* mfn_to_pfn() with m2p_find_override_pfn() */
unsigned long p2mo_legacy_mfn_to_pfn(struct p2mo_legacy *l, unsigned long mfn)
{
	unsigned long pfn = p2mo_legacy_m2p(l, mfn);
	struct p2mo_legacy_page *page;

	if (p2mo_legacy_p2m(l, pfn) == mfn)
		return pfn;
	page = p2mo_legacy_find(l, mfn);
	if (page)
		return page - l->pages;
	if (p2mo_legacy_p2m(l, mfn) == P2MO_IDENTITY_FRAME(mfn))
		return mfn;
	return P2MO_INVALID_ENTRY;
}
