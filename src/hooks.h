/* SPDX-License-Identifier: GPL-2.0 */
/* Following the kernel's own grant maps (hooks.c, Xen PV only). */
#ifndef _P2MO_HOOKS_H
#define _P2MO_HOOKS_H

#include "table.h"

#ifdef CONFIG_XEN_PV
int p2mo_hooks_init(struct p2mo_table *t);
void p2mo_hooks_uninit(void);
unsigned long p2mo_hooks_missed(void);
#else
static inline int p2mo_hooks_init(struct p2mo_table *t) { return 0; }
static inline void p2mo_hooks_uninit(void) { }
static inline unsigned long p2mo_hooks_missed(void) { return 0; }
#endif

#endif /* _P2MO_HOOKS_H */
