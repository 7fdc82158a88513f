/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Staying in step with the backend's real p2m (sync.c).
 *
 * The override tables are an index of what the backend's p2m holds: every
 * live grant mapping is a backend pfn whose p2m entry is
 * FOREIGN_FRAME(mfn).  The hooks keep the index as the kernel maps and
 * unmaps, but they cannot see mappings made before the module loaded, and
 * they lose events (a kprobe that hits while another runs on that CPU,
 * kretprobe instances run out, GFP_ATOMIC fails).  A pass over the real
 * p2m finds every difference: a FOREIGN entry the tables lack (missing),
 * an override whose backend pfn no longer shows its frame (stale), a
 * frame whose local owner's FOREIGN tag is wrong (wrong_tag).  Verify
 * counts them; repair mends them.
 *
 * Each change of a repair is made through the one write path with a
 * guard checked under the frame's m2p stripe (table.h): an add only if
 * the entry still shows the frame, a drop only if it no longer does.  One
 * window the guard cannot close: the unmap hook runs where
 * clear_foreign_p2m_mapping() starts, before that function clears the
 * entry, so a pass could adopt an entry that is being unmapped.  The hook
 * notes every page it sees unmapped (p2mo_sync_note_unmap()); a pass
 * adopts no pfn noted in the last P2MO_SYNC_UNMAP_MS and tries it again
 * in a later pass.
 *
 * A lost unmap leaves a stale pair that the next map of its backend pfn
 * would sit beside.  The map hook records, per backend pfn, the frame it
 * last saw mapped there (last_mapped, words of mfn + 1): a map of another
 * frame at that pfn first drops the pair the record names.  The record
 * is a hint, written by the map hook and adoption and cleared by the
 * unmap hook: a pair it names that is gone already costs a failed lookup,
 * and one still there cannot be live, as a pfn maps one frame at a time.
 */
#ifndef _P2MO_SYNC_H
#define _P2MO_SYNC_H

#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include "m2p.h"

#define P2MO_SYNC_MARKS		1024	/* unmap notes, by bpfn modulo */
#define P2MO_SYNC_UNMAP_MS	100	/* an unmap clears its p2m within */
#define P2MO_SYNC_OFFENDERS	8	/* offenders a report names */

/* Counts the backend cannot see: lost hook events (hooks.c). */
typedef unsigned long (*p2mo_lost_fn)(void);

struct p2mo_sync {
	struct p2mo_table *t;
	struct mutex pass_lock;		/* one pass at a time */
	struct delayed_work watch;	/* repairs when losses move */
	p2mo_lost_fn lost_fn;
	unsigned long last_lost;	/* losses the last repair saw */
	unsigned int period_ms;		/* watch period, 0: no watch */
	bool retry;			/* a pass deferred something */
	struct p2mo_view last_mapped;	/* per bpfn: mfn + 1 seen mapped */
	unsigned long unmap_at[P2MO_SYNC_MARKS];	/* jiffies */
};

struct p2mo_sync_offender {
	const char *kind;		/* "stale", "missing", "wrong_tag" */
	unsigned long mfn;
	unsigned long pfn;
};

/* What one pass found and did. */
struct p2mo_sync_report {
	unsigned long stale, missing, wrong_tag;
	unsigned long added, dropped, deferred, tags_fixed, errors;
	struct p2mo_scan_stats scan;
	u64 ns;
	unsigned int nr_offenders;
	struct p2mo_sync_offender offenders[P2MO_SYNC_OFFENDERS];
};

/*
 * The unmap hook saw @bpfn unmapped, showing @mfn (P2MO_INVALID_ENTRY if
 * none): no repair pass adopts it for a while, and the next map there
 * has no stale pair to look for.  Any context; no lock.
 */
static inline void p2mo_sync_note_unmap(struct p2mo_table *t,
					unsigned long bpfn, unsigned long mfn)
{
	struct p2mo_sync *s = READ_ONCE(t->sync);
	unsigned long *slot;

	if (!s)
		return;
	WRITE_ONCE(s->unmap_at[bpfn % P2MO_SYNC_MARKS], jiffies);
	slot = bpfn < s->last_mapped.nr_pfns ?
	       p2mo_view_slot_in(&s->last_mapped, bpfn) : NULL;
	if (slot && mfn != P2MO_INVALID_ENTRY)
		cmpxchg(slot, mfn + 1, 0UL);
}

void p2mo_sync_mapped(struct p2mo_table *t, unsigned long mfn,
		      unsigned long bpfn, gfp_t gfp);
int p2mo_sync_init(struct p2mo_table *t, unsigned int period_ms,
		   p2mo_lost_fn lost_fn);
void p2mo_sync_uninit(struct p2mo_table *t);
int p2mo_sync_verify(struct p2mo_table *t, struct p2mo_sync_report *r);
int p2mo_sync_repair(struct p2mo_table *t, struct p2mo_sync_report *r);
int p2mo_sync_adopt(struct p2mo_table *t);
unsigned long p2mo_sync_losses(struct p2mo_table *t);

#endif /* _P2MO_SYNC_H */
