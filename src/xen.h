/* SPDX-License-Identifier: GPL-2.0 */
/* The Xen PV parts: backend, kernel hooks, in-dom0 self-test (x86 only). */
#ifndef _P2MO_XEN_H
#define _P2MO_XEN_H

#include <linux/errno.h>
#include "m2p.h"

#ifdef CONFIG_XEN_PV
bool p2mo_xen_available(void);
struct p2mo_backend *p2mo_xen_backend(void);
int p2mo_hooks_init(struct p2mo_table *t);
void p2mo_hooks_uninit(void);
unsigned long p2mo_hooks_missed(void);
bool p2mo_xen_is_self(const void *ops);
int p2mo_xen_selftest(struct p2mo_table *t);
#else
static inline bool p2mo_xen_available(void) { return false; }
static inline struct p2mo_backend *p2mo_xen_backend(void) { return NULL; }
static inline int p2mo_hooks_init(struct p2mo_table *t) { return 0; }
static inline void p2mo_hooks_uninit(void) { }
static inline unsigned long p2mo_hooks_missed(void) { return 0; }
static inline int p2mo_xen_selftest(struct p2mo_table *t) { return -ENODEV; }
#endif

#endif /* _P2MO_XEN_H */
