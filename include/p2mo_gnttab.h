/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Grant-table types and p2m entry bits, the same on every build.
 *
 * On a Xen kernel the real <xen/grant_table.h> is used, so p2mo_map_refs()
 * takes exactly what gnttab_map_refs() takes.  Elsewhere (UML, a plain x86
 * KUnit kernel) Xen's headers cannot be included, and this file declares
 * layout-identical copies for the simulated backend.
 */
#ifndef _P2MO_GNTTAB_H
#define _P2MO_GNTTAB_H

#include <linux/types.h>
#include <linux/bits.h>

/* p2m entry encoding, as in arch/x86/include/asm/xen/page.h */
#define P2MO_FOREIGN_FRAME_BIT	BIT(BITS_PER_LONG - 1)
#define P2MO_IDENTITY_FRAME_BIT	BIT(BITS_PER_LONG - 2)
#define P2MO_FRAME_BITS		(P2MO_FOREIGN_FRAME_BIT | P2MO_IDENTITY_FRAME_BIT)
#define P2MO_INVALID_ENTRY	(~0UL)
#define P2MO_FOREIGN_FRAME(m)	((m) | P2MO_FOREIGN_FRAME_BIT)
#define P2MO_IDENTITY_FRAME(m)	((m) | P2MO_IDENTITY_FRAME_BIT)

#ifdef CONFIG_XEN
#include <xen/grant_table.h>
#else
typedef u32 grant_ref_t;
typedef u16 domid_t;
typedef u32 grant_handle_t;

/* Same layout as include/xen/interface/grant_table.h */
struct gnttab_map_grant_ref {
	u64 host_addr;
	u32 flags;
	grant_ref_t ref;
	domid_t dom;
	s16 status;
	grant_handle_t handle;
	u64 dev_bus_addr;
};

struct gnttab_unmap_grant_ref {
	u64 host_addr;
	u64 dev_bus_addr;
	grant_handle_t handle;
	s16 status;
};

#define GNTMAP_host_map		BIT(1)
#define GNTMAP_readonly		BIT(2)

#define GNTST_okay		(0)
#define GNTST_general_error	(-1)
#define GNTST_bad_domain	(-2)
#define GNTST_bad_gntref	(-3)
#define GNTST_bad_handle	(-4)
#define GNTST_bad_virt_addr	(-5)
#define GNTST_permission_denied	(-8)
#define GNTST_no_space		(-13)

static inline void gnttab_set_map_op(struct gnttab_map_grant_ref *map,
				     phys_addr_t addr, u32 flags,
				     grant_ref_t ref, domid_t domid)
{
	map->host_addr = addr;
	map->flags = flags;
	map->ref = ref;
	map->dom = domid;
	map->status = 1;	/* arbitrary positive value, as Linux does */
}

static inline void gnttab_set_unmap_op(struct gnttab_unmap_grant_ref *unmap,
				       phys_addr_t addr, u32 flags,
				       grant_handle_t handle)
{
	unmap->host_addr = addr;
	unmap->handle = handle;
	unmap->dev_bus_addr = 0;
}
#endif /* CONFIG_XEN */

#endif /* _P2MO_GNTTAB_H */
