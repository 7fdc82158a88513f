/* SPDX-License-Identifier: GPL-2.0 */
/*
 * p2m-override: the API other modules use.
 *
 * The module keeps its own phys-to-machine and machine-to-phys override
 * tables for the domain it runs in.  A backend that maps grants with
 * p2mo_map_refs() instead of gnttab_map_refs() gets an override for every
 * page it maps, and a frontend page whose frame it maps in the same domain
 * is tagged FOREIGN in the module's p2m view, so that p2mo_mfn_to_pfn()
 * answers the backend page, not the frontend page.
 *
 * Symbols are GPL-only, in the P2M_OVERRIDE namespace:
 * MODULE_IMPORT_NS(P2M_OVERRIDE).
 */
#ifndef _P2M_OVERRIDE_H
#define _P2M_OVERRIDE_H

#include <linux/types.h>
#include "p2mo_gnttab.h"

struct page;

int p2mo_map_refs(struct gnttab_map_grant_ref *map_ops,
		  struct gnttab_map_grant_ref *kmap_ops,
		  struct page **pages, unsigned int count);
int p2mo_unmap_refs(struct gnttab_unmap_grant_ref *unmap_ops,
		    struct gnttab_unmap_grant_ref *kunmap_ops,
		    struct page **pages, unsigned int count);
unsigned long p2mo_mfn_to_pfn(unsigned long mfn);
unsigned long p2mo_pfn_to_mfn(unsigned long pfn);
unsigned long p2mo_get_phys_to_machine(unsigned long pfn);
int p2mo_find_overrides(unsigned long mfn, unsigned long *pfns,
			unsigned int max);

#endif /* _P2M_OVERRIDE_H */
