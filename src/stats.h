/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-CPU event counters of a set of tables, and the gauges derived
 * from them (live overrides, tags, entries: ups minus downs).
 */
#ifndef _P2MO_STATS_H
#define _P2MO_STATS_H

#include <linux/percpu.h>
#include <linux/types.h>

/* Per-CPU event counters (names: p2mo_stat_names); gauges are atomics. */
enum p2mo_stat {
	P2MO_STAT_OVERRIDES_ADDED,
	P2MO_STAT_OVERRIDES_REMOVED,
	P2MO_STAT_TAGS_SET,
	P2MO_STAT_TAGS_CLEARED,
	P2MO_STAT_LOOKUPS_HIT,
	P2MO_STAT_LOOKUPS_MISS,
	P2MO_STAT_MAPS_SEEN,
	P2MO_STAT_UNMAPS_SEEN,
	P2MO_STAT_BATCHES_UNDONE,
	P2MO_STAT_UNTRACKED_UNMAPS,
	P2MO_STAT_TRACK_ERRORS,
	P2MO_STAT_REJECTED,
	P2MO_STAT_P2M_SET,
	P2MO_STAT_P2M_CLEARED,
	P2MO_STAT_ADOPTED,
	P2MO_STAT_RECONCILE_PASSES,
	P2MO_STAT_RECONCILED_ADDED,
	P2MO_STAT_RECONCILED_DROPPED,
	P2MO_STAT_RECONCILE_DEFERRED,
	P2MO_STAT_TAGS_FIXED,
	P2MO_STAT_REMAPS_REPLACED,
	P2MO_STAT_READ_RETRIES,
	P2MO_STAT_READ_LOCKED,
	P2MO_STAT_UNDO_FAILED,
	P2MO_STAT_NR
};

struct p2mo_stats {
	u64 v[P2MO_STAT_NR];
};

extern const char * const p2mo_stat_names[P2MO_STAT_NR];

void p2mo_stats_sum(const struct p2mo_stats __percpu *pcpu,
		    struct p2mo_stats *sum);
long p2mo_stats_diff(const struct p2mo_stats __percpu *pcpu,
		     enum p2mo_stat up, enum p2mo_stat down);

#endif /* _P2MO_STATS_H */
