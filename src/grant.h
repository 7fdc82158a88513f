/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _P2MO_GRANT_H
#define _P2MO_GRANT_H

#include "m2p.h"

/* Largest batch accepted: blkback's biggest is 1056 persistent grants. */
#define P2MO_MAX_BATCH	4096

int p2mo_table_map_refs(struct p2mo_table *t,
			struct gnttab_map_grant_ref *map_ops,
			struct gnttab_map_grant_ref *kmap_ops,
			struct page **pages, unsigned int count);
int p2mo_table_unmap_refs(struct p2mo_table *t,
			  struct gnttab_unmap_grant_ref *unmap_ops,
			  struct gnttab_unmap_grant_ref *kunmap_ops,
			  struct page **pages, unsigned int count);

/* Following maps made by someone else (the kernel hooks). */
unsigned int p2mo_track_mapped(struct p2mo_table *t,
			       struct gnttab_map_grant_ref *map_ops,
			       struct gnttab_map_grant_ref *kmap_ops,
			       struct page **pages, unsigned int count);
unsigned long p2mo_mapped_mfn(struct p2mo_table *t, struct page *page);

/* The frame backend pfn @bpfn holds, from the p2m: P2MO_INVALID_ENTRY if none. */
static inline unsigned long p2mo_pfn_frame(struct p2mo_table *t,
					   unsigned long bpfn)
{
	unsigned long e = p2mo_be_p2m(t->be, bpfn);

	if (e == P2MO_INVALID_ENTRY || !(e & P2MO_FOREIGN_FRAME_BIT))
		return P2MO_INVALID_ENTRY;
	return e & ~P2MO_FRAME_BITS;
}

unsigned int p2mo_track_unmapped(struct p2mo_table *t, struct page **pages,
				 unsigned int count);

#endif /* _P2MO_GRANT_H */
