/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The p2m backend interface: what the override core needs from the
 * machine underneath it.  Two implementations exist: the Xen PV one
 * (backend_xen.c, the kernel's real p2m/m2p and grant ops) and the
 * simulated one (sim.c, arrays for the p2m, m2p and grant tables of one
 * or more simulated domains).
 *
 * A backend whose p2m and m2p are plain memory publishes them in @p2m and
 * @m2p so that the hot lookup reads them without an indirect call; one
 * whose tables can fault (Xen's m2p, p2m holes) leaves them NULL and
 * answers through @ops.
 */
#ifndef _P2MO_BACKEND_H
#define _P2MO_BACKEND_H

#include <linux/compiler.h>
#include <linux/mm.h>
#include "p2mo_gnttab.h"
#include "xen_read.h"

struct p2mo_backend;

/* What a p2m scan read: entries, 512-entry leaves, FOREIGN entries met. */
struct p2mo_scan_stats {
	unsigned long entries;
	unsigned long leaves;
	unsigned long skipped_leaves;
	unsigned long foreign;
};

/* Called for each FOREIGN entry of a scan; non-zero stops it. */
typedef int (*p2mo_foreign_fn)(void *arg, unsigned long pfn,
			       unsigned long mfn);

/**
 * struct p2mo_backend_ops - what a backend implements
 * @p2m_read:	raw p2m entry of @pfn, frame bits included;
 *		P2MO_INVALID_ENTRY when there is none
 * @m2p_read:	raw m2p entry of @mfn; P2MO_INVALID_ENTRY when there is none
 * @pfn_of:	pfn of a page handed to map_refs/unmap_refs
 * @map_refs:	gnttab_map_refs() semantics: per-op status in @map_ops,
 *		p2m of each mapped page set to FOREIGN_FRAME(mfn)
 * @unmap_refs:	gnttab_unmap_refs() semantics
 * @foreign_scan: call @fn for every pfn whose p2m entry is
 *		FOREIGN_FRAME(mfn), in pfn order, over the whole p2m; may
 *		sleep between entries, and skips cheaply what cannot hold a
 *		foreign frame.  An entry changed during the scan may or may
 *		not be reported.  Returns @fn's first non-zero value, or 0.
 */
struct p2mo_backend_ops {
	unsigned long (*p2m_read)(struct p2mo_backend *be, unsigned long pfn);
	unsigned long (*m2p_read)(struct p2mo_backend *be, unsigned long mfn);
	unsigned long (*pfn_of)(struct p2mo_backend *be, struct page *page);
	int (*map_refs)(struct p2mo_backend *be,
			struct gnttab_map_grant_ref *map_ops,
			struct gnttab_map_grant_ref *kmap_ops,
			struct page **pages, unsigned int count);
	int (*unmap_refs)(struct p2mo_backend *be,
			  struct gnttab_unmap_grant_ref *unmap_ops,
			  struct gnttab_unmap_grant_ref *kunmap_ops,
			  struct page **pages, unsigned int count);
	int (*foreign_scan)(struct p2mo_backend *be, p2mo_foreign_fn fn,
			    void *arg, struct p2mo_scan_stats *st);
};

/**
 * struct p2mo_backend - one domain's view of the machine
 * @ops:	the operations above
 * @name:	for messages and debugfs
 * @p2m:	direct p2m array of @max_pfn entries, or NULL
 * @m2p:	direct m2p array of @max_mfn entries, or NULL
 * @max_pfn:	pfns at or above this are rejected as out of range; a
 *		frame whose m2p names a pfn at or above it has no local
 *		owner (the core keeps view words below @max_pfn only), so
 *		it is never FOREIGN-tagged, whatever the p2m says there
 * @max_mfn:	mfns at or above this are rejected as out of range
 * @kernel_grants: the kernel maps grants through this backend behind
 *		the module's back (Xen): the hooks follow them
 * @xen_pv:	Xen PV's own p2m and m2p, pages by page_to_pfn(): read
 *		inline (xen_read.h), not through @ops
 */
struct p2mo_backend {
	const struct p2mo_backend_ops *ops;
	const char *name;
	const unsigned long *p2m;
	const unsigned long *m2p;
	unsigned long max_pfn;
	unsigned long max_mfn;
	bool kernel_grants;
	bool xen_pv;
};

static inline unsigned long p2mo_be_p2m(struct p2mo_backend *be,
					unsigned long pfn)
{
	if (likely(be->p2m))
		return pfn < be->max_pfn ? READ_ONCE(be->p2m[pfn]) :
					   P2MO_INVALID_ENTRY;
#ifdef CONFIG_XEN_PV
	if (likely(be->xen_pv))
		return p2mo_xen_p2m_entry(pfn);
#endif
	return be->ops->p2m_read(be, pfn);
}

static inline unsigned long p2mo_be_m2p(struct p2mo_backend *be,
					unsigned long mfn)
{
	if (likely(be->m2p))
		return mfn < be->max_mfn ? READ_ONCE(be->m2p[mfn]) :
					   P2MO_INVALID_ENTRY;
#ifdef CONFIG_XEN_PV
	if (likely(be->xen_pv))
		return p2mo_xen_m2p_entry(mfn);
#endif
	return be->ops->m2p_read(be, mfn);
}

static inline unsigned long p2mo_be_pfn_of(struct p2mo_backend *be,
					   struct page *page)
{
#ifdef CONFIG_XEN_PV
	if (likely(be->xen_pv))
		return page_to_pfn(page);
#endif
	return be->ops->pfn_of(be, page);
}

#endif /* _P2MO_BACKEND_H */
