/* SPDX-License-Identifier: GPL-2.0 */
/* The Xen PV backend (backend_xen.c, x86 with CONFIG_XEN_PV only). */
#ifndef _P2MO_BACKEND_XEN_H
#define _P2MO_BACKEND_XEN_H

#include <linux/atomic.h>
#include "backend.h"

#ifdef CONFIG_XEN_PV
bool p2mo_xen_available(void);
struct p2mo_backend *p2mo_xen_backend(void);
bool p2mo_xen_is_self_slow(const void *ops);
extern atomic_t p2mo_xen_self_nr;	/* calls of ours in flight */

/*
 * Is this grant batch (its map or unmap ops) one of the module's own
 * calls?  Any context, no lock; with none of ours in flight, one read of
 * a counter nobody writes, inline in the hooks.
 */
static inline bool p2mo_xen_is_self(const void *ops)
{
	if (likely(!atomic_read(&p2mo_xen_self_nr)))
		return false;
	return p2mo_xen_is_self_slow(ops);
}
#else
static inline bool p2mo_xen_available(void) { return false; }
static inline struct p2mo_backend *p2mo_xen_backend(void) { return NULL; }
#endif

#endif /* _P2MO_BACKEND_XEN_H */
