/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Timing the hooks (hooktime.c, Xen PV only, hook_timing=1): the ns the
 * map and unmap handlers spend per batch and per page, beside the ns of
 * the gnttab_map_refs()/gnttab_unmap_refs() call each one runs in.
 *
 * Off (the default), a handler pays one test of a read-only parameter.
 * On, the handlers read the clock around their work, and two more
 * kretprobes, on gnttab_map_refs() and gnttab_unmap_refs(), time the call
 * around them (with hooks=0 too: the bare call).  Samples go to per-CPU
 * rings; debugfs hook_times gives the median and p99 of each figure, and
 * a write to it empties the rings.  For measurements, not production.
 */
#ifndef _P2MO_HOOKTIME_H
#define _P2MO_HOOKTIME_H

#include <linux/dcache.h>
#include <linux/ktime.h>
#include <linux/types.h>
#include "params.h"

enum p2mo_ht_kind {
	P2MO_HT_MAP,
	P2MO_HT_UNMAP,
	P2MO_HT_NR
};

#ifdef CONFIG_XEN_PV
int p2mo_hooktime_init(void);
void p2mo_hooktime_uninit(void);
void p2mo_hooktime_debugfs(struct dentry *dir);
void p2mo_hooktime_record(enum p2mo_ht_kind kind, u64 t0,
			  unsigned int count);

/* In a handler, before its work: 0 when timing is off. */
static inline u64 p2mo_hooktime_start(void)
{
	return unlikely(p2mo_param_hook_timing) ? ktime_get_ns() : 0;
}

/* In a handler, after its work on @count pages, begun at @t0. */
static inline void p2mo_hooktime_end(enum p2mo_ht_kind kind, u64 t0,
				     unsigned int count)
{
	if (unlikely(t0))
		p2mo_hooktime_record(kind, t0, count);
}
#else
static inline int p2mo_hooktime_init(void) { return 0; }
static inline void p2mo_hooktime_uninit(void) { }
static inline void p2mo_hooktime_debugfs(struct dentry *dir) { }
#endif

#endif /* _P2MO_HOOKTIME_H */
