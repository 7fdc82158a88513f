/* SPDX-License-Identifier: GPL-2.0 */
/* Following the kernel's own grant maps (hooks.c, Xen PV only). */
#ifndef _P2MO_HOOKS_H
#define _P2MO_HOOKS_H

#include "table.h"

/*
 * Did the probed call (set_foreign_p2m_mapping(), an int function) fail,
 * by the return register @ret a kretprobe sees?  Only its low half is the
 * int: the x86-64 ABI leaves the upper half of rax undefined.
 */
static inline bool p2mo_hook_call_failed(unsigned long ret)
{
	return (int)ret != 0;
}

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
