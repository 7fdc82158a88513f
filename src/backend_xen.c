// SPDX-License-Identifier: GPL-2.0
/*
 * The Xen PV backend: the kernel's real p2m and m2p, read only, and the
 * kernel's grant map/unmap.  The kernel's p2m is never written: Linux
 * 6.1 does not export set_phys_to_machine(), and FOREIGN tags live in the
 * module's p2m override table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/pgtable.h>
#include <linux/sched.h>
#include <linux/semaphore.h>
#include <asm/pgtable_types.h>
#include <xen/xen.h>
#include <xen/page.h>
#include <xen/grant_table.h>
#include <asm/xen/page.h>
#include "backend_xen.h"

static_assert(P2MO_FOREIGN_FRAME_BIT == FOREIGN_FRAME_BIT);
static_assert(P2MO_IDENTITY_FRAME_BIT == IDENTITY_FRAME_BIT);
static_assert(P2MO_INVALID_ENTRY == INVALID_P2M_ENTRY);

static unsigned long p2mo_xen_p2m_read(struct p2mo_backend *be,
				       unsigned long pfn)
{
	return p2mo_xen_p2m_entry(pfn);
}

static unsigned long p2mo_xen_m2p_read(struct p2mo_backend *be,
				       unsigned long mfn)
{
	return p2mo_xen_m2p_entry(mfn);
}

static unsigned long p2mo_xen_page_to_pfn(struct p2mo_backend *be,
					  struct page *page)
{
	return page_to_pfn(page);
}

/*
 * Grant calls of the module's own in flight, so that the hooks leave them
 * alone: the grant layer keeps the tables in step for those itself.  The
 * hooks see every grant map and unmap the kernel makes; with none of ours
 * in flight they pay one read of a counter nobody writes, no lock.
 */
#define P2MO_XEN_SELF_SLOTS	8
static const void *p2mo_xen_self_ops[P2MO_XEN_SELF_SLOTS];
atomic_t p2mo_xen_self_nr = ATOMIC_INIT(0);	/* backend_xen.h */
static struct semaphore p2mo_xen_self_sem =
	__SEMAPHORE_INITIALIZER(p2mo_xen_self_sem, P2MO_XEN_SELF_SLOTS);

/* Process context: may sleep for a free slot. */
static unsigned int p2mo_xen_self_enter(const void *ops)
{
	unsigned int i = 0;

	might_sleep();
	down(&p2mo_xen_self_sem);
	/* the semaphore leaves a free slot for every holder */
	while (cmpxchg(&p2mo_xen_self_ops[i], NULL, ops))
		i = (i + 1) % P2MO_XEN_SELF_SLOTS;
	atomic_inc(&p2mo_xen_self_nr);
	return i;
}

static void p2mo_xen_self_exit(unsigned int slot)
{
	atomic_dec(&p2mo_xen_self_nr);
	/* the call is over before its slot can be taken again */
	smp_store_release(&p2mo_xen_self_ops[slot], NULL);
	up(&p2mo_xen_self_sem);
}

/**
 * p2mo_xen_is_self_slow() - is this grant batch one of the module's own calls?
 * @ops: the map or unmap ops the kernel was called with
 *
 * Any context, no lock.  A call of ours is seen by the hooks it reaches,
 * which run in its own task after it registered.  Called by
 * p2mo_xen_is_self() when a call of ours is in flight.
 *
 * Return: true for a batch passed through p2mo_xen_map_refs() or
 * p2mo_xen_unmap_refs() and still in flight.
 */
bool p2mo_xen_is_self_slow(const void *ops)
{
	unsigned int i;

	for (i = 0; i < P2MO_XEN_SELF_SLOTS; i++)
		if (READ_ONCE(p2mo_xen_self_ops[i]) == ops)
			return true;
	return false;
}

static int p2mo_xen_map_refs(struct p2mo_backend *be,
			     struct gnttab_map_grant_ref *map_ops,
			     struct gnttab_map_grant_ref *kmap_ops,
			     struct page **pages, unsigned int count)
{
	unsigned int slot = p2mo_xen_self_enter(map_ops);
	int ret;

	ret = gnttab_map_refs(map_ops, kmap_ops, pages, count);
	p2mo_xen_self_exit(slot);
	return ret;
}

static int p2mo_xen_unmap_refs(struct p2mo_backend *be,
			       struct gnttab_unmap_grant_ref *unmap_ops,
			       struct gnttab_unmap_grant_ref *kunmap_ops,
			       struct page **pages, unsigned int count)
{
	unsigned int slot = p2mo_xen_self_enter(unmap_ops);
	int ret;

	ret = gnttab_unmap_refs(unmap_ops, kunmap_ops, pages, count);
	p2mo_xen_self_exit(slot);
	return ret;
}

/*
 * The linear p2m (xen_p2m_addr, xen_p2m_size entries) is built by
 * xen_rebuild_p2m_list(): a 512-entry leaf that is all missing or all
 * identity maps the shared page p2m_missing or p2m_identity read-only,
 * and a PMD of such leaves points at the shared PTE page p2m_missing_pte
 * or p2m_identity_pte.  Neither can hold a foreign frame: alloc_p2m()
 * gives a leaf a page of its own before an entry in it is set.  So a page
 * that backs two leaves in a row, or a PTE page that backs two PMDs in a
 * row, is shared and skipped unread from then on: the scan costs what is
 * populated, not xen_p2m_size.
 */
#define P2MO_XEN_PER_LEAF	(PAGE_SIZE / sizeof(unsigned long))

struct p2mo_xen_shared {
	unsigned long known[4];	/* pages seen shared */
	unsigned long prev;	/* the page met last */
	unsigned int next;	/* slot of known[] to fill next */
};

static bool p2mo_xen_shared(struct p2mo_xen_shared *s, unsigned long page)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(s->known); i++)
		if (s->known[i] == page)
			return true;
	if (page != s->prev) {
		s->prev = page;
		return false;
	}
	s->known[s->next++ % ARRAY_SIZE(s->known)] = page;
	return true;
}

/* The PTE of the p2m page holding @pfn's entry, or NULL: nothing there. */
static pte_t *p2mo_xen_leaf_pte(unsigned long pfn)
{
	unsigned int level;
	pte_t *ptep = lookup_address((unsigned long)&xen_p2m_addr[pfn], &level);

	if (!ptep || level != PG_LEVEL_4K || !pte_present(*ptep))
		return NULL;
	return ptep;
}

static int p2mo_xen_scan_leaf(unsigned long pfn, p2mo_foreign_fn fn,
			      void *arg, struct p2mo_scan_stats *st)
{
	unsigned long end = min(pfn + P2MO_XEN_PER_LEAF, xen_p2m_size), v;
	int ret;

	for (; pfn < end; pfn++) {
		st->entries++;
		if (xen_safe_read_ulong(&xen_p2m_addr[pfn], &v) ||
		    v == INVALID_P2M_ENTRY || !(v & FOREIGN_FRAME_BIT))
			continue;
		st->foreign++;
		ret = fn(arg, pfn, v & ~(FOREIGN_FRAME_BIT | IDENTITY_FRAME_BIT));
		if (ret)
			return ret;
	}
	return 0;
}

static int p2mo_xen_foreign_scan(struct p2mo_backend *be, p2mo_foreign_fn fn,
				 void *arg, struct p2mo_scan_stats *st)
{
	struct p2mo_xen_shared leaves = { .prev = ~0UL };
	struct p2mo_xen_shared ptes = { .prev = ~0UL };
	unsigned long pfn, addr;
	pte_t *ptep;
	int ret;

	for (pfn = 0; pfn < xen_p2m_size; pfn += P2MO_XEN_PER_LEAF) {
		addr = (unsigned long)&xen_p2m_addr[pfn];
		ptep = p2mo_xen_leaf_pte(pfn);
		if (!(addr & ~PMD_MASK) && ptep &&
		    p2mo_xen_shared(&ptes, (unsigned long)ptep & PAGE_MASK)) {
			/* a whole PMD of shared leaves */
			st->skipped_leaves += PTRS_PER_PTE;
			pfn += (PTRS_PER_PTE - 1) * P2MO_XEN_PER_LEAF;
			continue;
		}
		st->leaves++;
		if (!ptep || p2mo_xen_shared(&leaves, pte_pfn(*ptep))) {
			st->skipped_leaves++;
			continue;
		}
		ret = p2mo_xen_scan_leaf(pfn, fn, arg, st);
		if (ret)
			return ret;
		cond_resched();
	}
	return 0;
}

static const struct p2mo_backend_ops p2mo_xen_ops = {
	.p2m_read = p2mo_xen_p2m_read,
	.m2p_read = p2mo_xen_m2p_read,
	.pfn_of = p2mo_xen_page_to_pfn,
	.map_refs = p2mo_xen_map_refs,
	.unmap_refs = p2mo_xen_unmap_refs,
	.foreign_scan = p2mo_xen_foreign_scan,
};

static struct p2mo_backend p2mo_xen_be = {
	.ops = &p2mo_xen_ops,
	.name = "xen",
	.kernel_grants = true,
	.xen_pv = true,
};

bool p2mo_xen_available(void)
{
	return xen_pv_domain();
}

struct p2mo_backend *p2mo_xen_backend(void)
{
	p2mo_xen_be.max_pfn = max(xen_p2m_size, xen_max_p2m_pfn);
	p2mo_xen_be.max_mfn = machine_to_phys_nr;
	return &p2mo_xen_be;
}
