// SPDX-License-Identifier: GPL-2.0
/*
 * Grant map/unmap through the backend, with the override tables kept in
 * step.  p2mo_table_map_refs() is all or nothing: if any op fails or an
 * override cannot be added, everything the call did is undone (overrides
 * removed, grants unmapped) and the tables and backend are as before.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/printk.h>
#include "alloc.h"
#include "grant.h"
#include "sync.h"
#include "p2mo_trace.h"

static bool p2mo_batch_ok(struct p2mo_table *t, const void *ops,
			  struct page **pages, unsigned int count)
{
	if (likely(ops && pages && count && count <= P2MO_MAX_BATCH))
		return true;
	p2mo_stat_inc(t, P2MO_STAT_REJECTED);
	pr_warn_ratelimited("bad grant batch: ops %p pages %p count %u\n",
			    ops, pages, count);
	return false;
}

static bool p2mo_op_mapped(struct gnttab_map_grant_ref *map_ops,
			   struct gnttab_map_grant_ref *kmap_ops,
			   unsigned int i)
{
	return map_ops[i].status == GNTST_okay &&
	       (!kmap_ops || kmap_ops[i].status == GNTST_okay);
}

/**
 * p2mo_mapped_mfn() - the frame a grant-mapped page shows, from the p2m
 * @t:    the tables
 * @page: a page the backend mapped a grant at
 *
 * Return: the mfn, or P2MO_INVALID_ENTRY if the page holds no foreign frame.
 */
unsigned long p2mo_mapped_mfn(struct p2mo_table *t, struct page *page)
{
	return p2mo_pfn_frame(t, p2mo_be_pfn_of(t->be, page));
}

/*
 * A status no hypercall writes, so that after a failed call the ops that
 * did map are known by their GNTST_okay.
 */
static void p2mo_preset_status(struct gnttab_map_grant_ref *map_ops,
			       struct gnttab_map_grant_ref *kmap_ops,
			       unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		map_ops[i].status = GNTST_general_error;
		if (kmap_ops)
			kmap_ops[i].status = GNTST_general_error;
	}
}

/* Room to unmap a whole batch, taken before mapping: undo cannot fail. */
struct p2mo_undo {
	struct gnttab_unmap_grant_ref *ops;
	struct gnttab_unmap_grant_ref *kops;
	struct page **pages;
};

static void *p2mo_undo_alloc(struct p2mo_undo *u, unsigned int count)
{
	void *buf = p2mo_kmalloc_array(count, 2 * sizeof(*u->ops) +
				       sizeof(*u->pages), GFP_KERNEL);

	u->ops = buf;
	u->kops = u->ops + count;
	u->pages = buf ? (struct page **)(u->kops + count) : NULL;
	return buf;
}

#define P2MO_BAD_HANDLE	((grant_handle_t)~0U)	/* rejected, never valid */

/*
 * One unmap of an undo.  It worked if every op says so: the call's own
 * return is also non-zero when a page's p2m was never set (a failed kmap
 * hypercall returns before set_foreign_p2m_mapping() sets any), which
 * clear_foreign_p2m_mapping() reports as -EINVAL.
 */
static int p2mo_undo_call(struct p2mo_table *t,
			  struct gnttab_unmap_grant_ref *ops,
			  struct gnttab_unmap_grant_ref *kops,
			  struct page **pages, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		ops[i].status = GNTST_general_error;
		if (kops)
			kops[i].status = kops[i].handle == P2MO_BAD_HANDLE ?
					 GNTST_okay : GNTST_general_error;
	}
	t->be->ops->unmap_refs(t->be, ops, kops, pages, n);
	for (i = 0; i < n; i++)
		if (ops[i].status != GNTST_okay ||
		    (kops && kops[i].handle != P2MO_BAD_HANDLE &&
		     kops[i].status != GNTST_okay))
			return -EIO;
	return 0;
}

/*
 * Unmap what a failed batch mapped.  Only ops that mapped are passed (the
 * kernel fails an unmap of a page that holds no foreign frame); a kernel
 * mapping whose user mapping failed goes in a second call of its own.
 */
static void p2mo_undo_maps(struct p2mo_table *t,
			   struct gnttab_map_grant_ref *map_ops,
			   struct gnttab_map_grant_ref *kmap_ops,
			   struct page **pages, unsigned int count,
			   struct p2mo_undo *u)
{
	unsigned int i, n = 0, nk = 0;
	int err = 0;

	for (i = 0; i < count; i++) {
		struct gnttab_map_grant_ref *k = kmap_ops ? &kmap_ops[i] : NULL;

		if (map_ops[i].status != GNTST_okay)
			continue;
		gnttab_set_unmap_op(&u->ops[n], map_ops[i].host_addr,
				    map_ops[i].flags, map_ops[i].handle);
		gnttab_set_unmap_op(&u->kops[n], k ? k->host_addr : 0,
				    k ? k->flags : 0,
				    k && k->status == GNTST_okay ?
				    k->handle : P2MO_BAD_HANDLE);
		u->pages[n++] = pages[i];
	}
	if (n)
		err = p2mo_undo_call(t, u->ops, kmap_ops ? u->kops : NULL,
				     u->pages, n);
	for (i = 0; kmap_ops && i < count; i++) {
		if (map_ops[i].status == GNTST_okay ||
		    kmap_ops[i].status != GNTST_okay)
			continue;
		gnttab_set_unmap_op(&u->ops[nk], kmap_ops[i].host_addr,
				    kmap_ops[i].flags, kmap_ops[i].handle);
		u->pages[nk++] = pages[i];
	}
	if (nk)
		err |= p2mo_undo_call(t, u->ops, NULL, u->pages, nk);
	if (err) {
		p2mo_stat_inc(t, P2MO_STAT_UNDO_FAILED);
		pr_err_ratelimited("undo of a grant batch failed: mappings leak\n");
	}
	for (i = 0; i < count; i++) {
		if (map_ops[i].status == GNTST_okay)
			map_ops[i].status = GNTST_general_error;
		if (kmap_ops && kmap_ops[i].status == GNTST_okay)
			kmap_ops[i].status = GNTST_general_error;
	}
	p2mo_stat_inc(t, P2MO_STAT_BATCHES_UNDONE);
}

static int p2mo_add_batch(struct p2mo_table *t, struct page **pages,
			  unsigned int count, gfp_t gfp)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < count; i++) {
		unsigned long bpfn = p2mo_be_pfn_of(t->be, pages[i]);
		unsigned long mfn = p2mo_pfn_frame(t, bpfn);

		if (mfn == P2MO_INVALID_ENTRY)
			err = -EIO;	/* backend mapped but set no p2m */
		else
			err = p2mo_override_add(t, mfn, bpfn, gfp);
		if (err)
			break;
	}
	if (!err)
		return 0;
	/* Remove what this batch added, newest first. */
	while (i--) {
		unsigned long bpfn = p2mo_be_pfn_of(t->be, pages[i]);

		p2mo_override_remove(t, p2mo_pfn_frame(t, bpfn), bpfn);
	}
	return err;
}

/**
 * p2mo_table_map_refs() - gnttab_map_refs() that keeps the overrides
 * @t:        the tables
 * @map_ops:  as for gnttab_map_refs()
 * @kmap_ops: as for gnttab_map_refs(), may be NULL
 * @pages:    as for gnttab_map_refs()
 * @count:    number of ops, 1..P2MO_MAX_BATCH
 *
 * Return: 0 when every op mapped and has its override; otherwise nothing
 * is left mapped or added: -EINVAL (bad arguments), -ENOMEM, -EEXIST (an
 * override already existed), -EIO (an op failed: it keeps its status, the
 * ops this call had mapped are unmapped and get GNTST_general_error), or
 * the backend's own error (the ops that had mapped before it, as after a
 * failed kmap hypercall, are unmapped likewise).
 */
int p2mo_table_map_refs(struct p2mo_table *t,
			struct gnttab_map_grant_ref *map_ops,
			struct gnttab_map_grant_ref *kmap_ops,
			struct page **pages, unsigned int count)
{
	struct p2mo_undo undo;
	void *buf;
	unsigned int i;
	int err;

	if (!p2mo_batch_ok(t, map_ops, pages, count))
		return -EINVAL;
	buf = p2mo_undo_alloc(&undo, count);
	if (!buf) {
		p2mo_stat_inc(t, P2MO_STAT_REJECTED);
		return -ENOMEM;
	}
	p2mo_preset_status(map_ops, kmap_ops, count);
	err = t->be->ops->map_refs(t->be, map_ops, kmap_ops, pages, count);
	for (i = 0; i < count && !err; i++)
		if (!p2mo_op_mapped(map_ops, kmap_ops, i))
			err = -EIO;
	if (!err)
		err = p2mo_add_batch(t, pages, count, GFP_KERNEL);
	if (err) {
		/*
		 * An error after the map hypercall (the kmap one failed)
		 * leaves the ops it mapped mapped: undone here too.
		 */
		p2mo_undo_maps(t, map_ops, kmap_ops, pages, count, &undo);
		goto out;
	}
	p2mo_stat_add(t, P2MO_STAT_MAPS_SEEN, count);
out:
	p2mo_kfree(buf);
	trace_p2mo_map_refs(count, err ? 0 : count, false, err);
	if (err)
		pr_warn_ratelimited("grant batch of %u not mapped: %d\n",
				    count, err);
	return err;
}

/*
 * The frames of a batch's pages from the p2m, before an unmap clears it:
 * P2MO_INVALID_ENTRY for a page that shows none.
 */
static void p2mo_note_frames(struct p2mo_table *t, struct page **pages,
			     unsigned long *mfns, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		mfns[i] = p2mo_mapped_mfn(t, pages[i]);
}

/*
 * After an unmap: drop the override of every page whose p2m no longer
 * shows the frame it showed before (@mfns), whatever its op's status, as
 * the kernel's clear_foreign_p2m_mapping() decides by the p2m too.  A
 * repair pass may have dropped one already: not an error.
 */
static unsigned int p2mo_untrack_cleared(struct p2mo_table *t,
					 struct page **pages,
					 const unsigned long *mfns,
					 unsigned int count)
{
	unsigned int i, done = 0;

	for (i = 0; i < count; i++) {
		if (mfns[i] == P2MO_INVALID_ENTRY ||
		    p2mo_mapped_mfn(t, pages[i]) == mfns[i])
			continue;
		if (!p2mo_override_remove_quiet(t, mfns[i],
						t->be->ops->pfn_of(t->be,
								   pages[i])))
			done++;
		else	/* mapped behind our back, or dropped by a repair */
			p2mo_stat_inc(t, P2MO_STAT_UNTRACKED_UNMAPS);
	}
	p2mo_stat_add(t, P2MO_STAT_UNMAPS_SEEN, done);
	return done;
}

/**
 * p2mo_table_unmap_refs() - gnttab_unmap_refs() that keeps the overrides
 * @t:          the tables
 * @unmap_ops:  as for gnttab_unmap_refs()
 * @kunmap_ops: as for gnttab_unmap_refs(), may be NULL
 * @pages:      as for gnttab_unmap_refs()
 * @count:      number of ops, 1..P2MO_MAX_BATCH
 *
 * The overrides follow the p2m, not the ops' statuses: every page whose
 * p2m entry the unmap cleared loses its override (Linux 6.1 clears the
 * p2m of the whole batch once the unmap hypercall returned, even for an
 * op that failed), and a page whose entry stayed keeps it (the hypercall
 * itself failed).
 *
 * Return: 0; -EINVAL, -ENOMEM (nothing done), -EIO (some op failed), or
 * the backend's own error.
 */
int p2mo_table_unmap_refs(struct p2mo_table *t,
			  struct gnttab_unmap_grant_ref *unmap_ops,
			  struct gnttab_unmap_grant_ref *kunmap_ops,
			  struct page **pages, unsigned int count)
{
	unsigned int i, done;
	unsigned long *mfns;
	int err;

	if (!p2mo_batch_ok(t, unmap_ops, pages, count))
		return -EINVAL;
	/* The p2m forgets the frame on unmap: note it first. */
	mfns = p2mo_kmalloc_array(count, sizeof(*mfns), GFP_KERNEL);
	if (!mfns) {
		p2mo_stat_inc(t, P2MO_STAT_REJECTED);
		return -ENOMEM;
	}
	p2mo_note_frames(t, pages, mfns, count);
	err = t->be->ops->unmap_refs(t->be, unmap_ops, kunmap_ops, pages,
				     count);
	done = p2mo_untrack_cleared(t, pages, mfns, count);
	for (i = 0; i < count && !err; i++)
		if (unmap_ops[i].status != GNTST_okay)
			err = -EIO;
	p2mo_kfree(mfns);
	trace_p2mo_unmap_refs(count, done, false, err);
	return err;
}

/**
 * p2mo_track_mapped() - add overrides for a batch someone else mapped
 * @t:        the tables
 * @map_ops:  the batch, after gnttab_map_refs() returned 0
 * @kmap_ops: its kernel mappings, may be NULL
 * @pages:    its pages
 * @count:    its size
 *
 * Runs in a probe handler: atomic allocations, failures counted (the
 * repair pass looks at the count).  A map at a backend pfn that still
 * carries an override of another frame (its unmap was lost) replaces it.
 *
 * Return: the number of overrides added.
 */
unsigned int p2mo_track_mapped(struct p2mo_table *t,
			       struct gnttab_map_grant_ref *map_ops,
			       struct gnttab_map_grant_ref *kmap_ops,
			       struct page **pages, unsigned int count)
{
	unsigned int i, done = 0;
	int err;

	for (i = 0; i < count; i++) {
		unsigned long mfn, bpfn;

		if (!p2mo_op_mapped(map_ops, kmap_ops, i))
			continue;
		bpfn = p2mo_be_pfn_of(t->be, pages[i]);
		mfn = p2mo_pfn_frame(t, bpfn);
		if (mfn == P2MO_INVALID_ENTRY) {
			err = -EIO;
		} else {
			p2mo_sync_mapped(t, mfn, bpfn, GFP_ATOMIC);
			err = p2mo_override_add_if(t, mfn, bpfn, GFP_ATOMIC,
						   NULL);
		}
		if (err) {
			/* a repair pass may have adopted it first */
			if (err != -EEXIST)
				p2mo_stat_inc(t, P2MO_STAT_TRACK_ERRORS);
			continue;
		}
		p2mo_stat_inc(t, P2MO_STAT_MAPS_SEEN);
		done++;
	}
	return done;
}

/**
 * p2mo_track_unmapped() - drop the overrides of a batch about to be unmapped
 * @t:     the tables
 * @pages: its pages
 * @count: its size
 *
 * Called where the kernel's clear_foreign_p2m_mapping() starts: the unmap
 * hypercall has run and the p2m still names each frame.  That function
 * then clears the p2m of every page whose entry is FOREIGN, whatever the
 * status of its op, so every such page loses its override here.  Each
 * page is first noted as being unmapped (sync.h), so that a repair pass
 * that read its entry before the clear does not adopt it back.
 *
 * Return: the number of overrides removed.
 */
unsigned int p2mo_track_unmapped(struct p2mo_table *t, struct page **pages,
				 unsigned int count)
{
	unsigned int i, done = 0;

	for (i = 0; i < count; i++) {
		unsigned long bpfn = p2mo_be_pfn_of(t->be, pages[i]);
		unsigned long mfn = p2mo_pfn_frame(t, bpfn);

		p2mo_sync_note_unmap(t, bpfn, mfn);
		if (mfn == P2MO_INVALID_ENTRY)
			continue;	/* the kernel leaves it alone too */
		if (p2mo_override_remove_quiet(t, mfn, bpfn))
			p2mo_stat_inc(t, P2MO_STAT_UNTRACKED_UNMAPS);
		else
			done++;
	}
	p2mo_stat_add(t, P2MO_STAT_UNMAPS_SEEN, done);
	return done;
}
