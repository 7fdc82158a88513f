/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FOREIGN tags: when a local backend maps a local frame, the frontend pfn
 * that owns it is tagged FOREIGN_FRAME(mfn) in its view word (view.h),
 * so that mfn_to_pfn() of the frame goes on to the override (the
 * backend's pfn) instead of answering the frontend's locked page (the
 * 2012 rule).  The first override of the frame sets the tag, the last
 * one clears it; in between the word may also carry the frame's answer.
 * Tags are set and cleared only by the write path (m2p.c), with the
 * frame's m2p stripe held.
 */
#ifndef _P2MO_TAG_H
#define _P2MO_TAG_H

#include "p2mo_trace.h"
#include "table.h"

/*
 * An entry's tag: the tagged pfn, and in bit 0 whether its view word has
 * an ENTRY bit.  That bit cannot change while the word is tagged
 * (p2mo_p2m_set()/p2mo_p2m_clear() fail with -EBUSY), so the write path
 * rewrites a tagged word without reading it.
 */
#define P2MO_NO_TAG	P2MO_INVALID_ENTRY

static inline unsigned long p2mo_tag_make(unsigned long pfn,
					  unsigned long word)
{
	return pfn << 1 | (word & P2MO_PFN_ENTRY ? 1 : 0);
}

static inline unsigned long p2mo_tag_pfn(unsigned long tag)
{
	return tag >> 1;
}

/* The state bits of the tagged pfn's word without its tag. */
static inline unsigned long p2mo_tag_state(unsigned long tag)
{
	return tag & 1 ? P2MO_PFN_ENTRY : 0;
}

/* Tag @pfn for @mfn (tag.c); the m2p stripe of @mfn held. */
unsigned long p2mo_tag_set(struct p2mo_table *t, unsigned long pfn,
			   unsigned long mfn, unsigned long bpfn);

/* ---- from the write path (m2p stripe of the frame held) ---- */

/*
 * Tag @pfn, whose word at @slot the caller read as 0 in a direct p2m that
 * shows @mfn: one cmpxchg() from 0, which fails if an entry or another tag came
 * meanwhile (the caller then takes p2mo_tag_set()).  Return: the tag, or
 * P2MO_NO_TAG.
 */
static inline unsigned long p2mo_tag_set_zero(struct p2mo_table *t,
					      unsigned long *slot,
					      unsigned long pfn,
					      unsigned long mfn,
					      unsigned long bpfn)
{
	p2mo_m2p_assert_held(t, mfn);
	if (cmpxchg(slot, 0UL, p2mo_view_tagged(0, mfn, bpfn)))
		return P2MO_NO_TAG;
	p2mo_stat_inc_locked(t, P2MO_STAT_TAGS_SET);
	trace_p2mo_tag_set(pfn, mfn);
	return p2mo_tag_make(pfn, 0);
}

/*
 * Store @new into the word of the pfn of @tag.  A tagged word has one
 * writer, the frame's m2p stripe holder, and its other bits are known
 * (@tag): no read.  Debug builds check what they overwrite.
 */
static inline void p2mo_tag_store(struct p2mo_table *t, unsigned long tag,
				  unsigned long new)
{
	unsigned long *slot = p2mo_view_slot(&t->view, p2mo_tag_pfn(tag));

	if (IS_ENABLED(CONFIG_P2M_OVERRIDE_DEBUG))
		WARN_ON_ONCE((READ_ONCE(*slot) & P2MO_PFN_STATE) !=
			     (p2mo_tag_state(tag) | P2MO_PFN_TAGGED));
	WRITE_ONCE(*slot, new);
}

/* @bpfn is now the lowest backend pfn mapping @mfn, tagged as @tag. */
static inline void p2mo_tag_answer(struct p2mo_table *t, unsigned long tag,
				   unsigned long mfn, unsigned long bpfn)
{
	p2mo_m2p_assert_held(t, mfn);
	p2mo_tag_store(t, tag, p2mo_view_tagged(p2mo_tag_state(tag), mfn, bpfn));
}

/* @mfn, tagged as @tag, loses its last override: untag its pfn. */
static inline void p2mo_tag_clear(struct p2mo_table *t, unsigned long tag,
				  unsigned long mfn)
{
	p2mo_m2p_assert_held(t, mfn);
	p2mo_tag_store(t, tag, p2mo_tag_state(tag));
	p2mo_stat_inc_locked(t, P2MO_STAT_TAGS_CLEARED);
	trace_p2mo_tag_clear(p2mo_tag_pfn(tag), mfn);
}

#endif /* _P2MO_TAG_H */
