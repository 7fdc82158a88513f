/* SPDX-License-Identifier: GPL-2.0 */
/* The Xen PV backend (backend_xen.c, x86 with CONFIG_XEN_PV only). */
#ifndef _P2MO_BACKEND_XEN_H
#define _P2MO_BACKEND_XEN_H

#include "backend.h"

#ifdef CONFIG_XEN_PV
bool p2mo_xen_available(void);
struct p2mo_backend *p2mo_xen_backend(void);
bool p2mo_xen_is_self(const void *ops);
#else
static inline bool p2mo_xen_available(void) { return false; }
static inline struct p2mo_backend *p2mo_xen_backend(void) { return NULL; }
#endif

#endif /* _P2MO_BACKEND_XEN_H */
