// SPDX-License-Identifier: GPL-2.0
/* Names and sums of the per-CPU counters (stats.h). */
#include <linux/string.h>
#include "stats.h"

const char * const p2mo_stat_names[P2MO_STAT_NR] = {
	[P2MO_STAT_OVERRIDES_ADDED] = "overrides_added",
	[P2MO_STAT_OVERRIDES_REMOVED] = "overrides_removed",
	[P2MO_STAT_TAGS_SET] = "foreign_tags_set",
	[P2MO_STAT_TAGS_CLEARED] = "foreign_tags_cleared",
	[P2MO_STAT_LOOKUPS_HIT] = "lookups_hit",
	[P2MO_STAT_LOOKUPS_MISS] = "lookups_miss",
	[P2MO_STAT_MAPS_SEEN] = "maps_seen",
	[P2MO_STAT_UNMAPS_SEEN] = "unmaps_seen",
	[P2MO_STAT_BATCHES_UNDONE] = "batches_undone",
	[P2MO_STAT_UNTRACKED_UNMAPS] = "untracked_unmaps",
	[P2MO_STAT_TRACK_ERRORS] = "track_errors",
	[P2MO_STAT_REJECTED] = "rejected",
	[P2MO_STAT_P2M_SET] = "p2m_entries_set",
	[P2MO_STAT_P2M_CLEARED] = "p2m_entries_cleared",
	[P2MO_STAT_ADOPTED] = "adopted",
	[P2MO_STAT_RECONCILE_PASSES] = "reconcile_passes",
	[P2MO_STAT_RECONCILED_ADDED] = "reconciled_added",
	[P2MO_STAT_RECONCILED_DROPPED] = "reconciled_dropped",
	[P2MO_STAT_RECONCILE_DEFERRED] = "reconcile_deferred",
	[P2MO_STAT_TAGS_FIXED] = "tags_fixed",
	[P2MO_STAT_REMAPS_REPLACED] = "remaps_replaced",
	[P2MO_STAT_READ_RETRIES] = "read_retries",
	[P2MO_STAT_READ_LOCKED] = "read_locked",
	[P2MO_STAT_UNDO_FAILED] = "undo_failed",
};

void p2mo_stats_sum(const struct p2mo_stats __percpu *pcpu,
		    struct p2mo_stats *sum)
{
	unsigned int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu)
		for (i = 0; i < P2MO_STAT_NR; i++)
			sum->v[i] += READ_ONCE(per_cpu_ptr(pcpu, cpu)->v[i]);
}

/* Ups minus downs over every CPU. */
long p2mo_stats_diff(const struct p2mo_stats __percpu *pcpu,
		     enum p2mo_stat up, enum p2mo_stat down)
{
	long n = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct p2mo_stats *c = per_cpu_ptr(pcpu, cpu);

		n += READ_ONCE(c->v[up]) - READ_ONCE(c->v[down]);
	}
	return n;
}
