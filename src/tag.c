// SPDX-License-Identifier: GPL-2.0
/*
 * Setting a FOREIGN tag on a pfn whose view word may carry a p2m entry
 * (tag.h); the fast cases are inline in tag.h.
 */
#include <linux/errno.h>
#include "p2m.h"
#include "tag.h"

/*
 * Tag @pfn for @mfn if its view shows @mfn.  A word with an ENTRY bit is
 * changed only with the pfn's p2m stripe held (@locked): the entry read
 * is then the entry tagged.  Return: 1 tagged (the word was *@old), 0
 * not, -EAGAIN: take the stripe and try again.
 */
static int p2mo_tag_set_word(struct p2mo_table *t, unsigned long pfn,
			     unsigned long mfn, unsigned long bpfn, bool locked,
			     unsigned long *old)
{
	if (locked)
		p2mo_p2m_assert_held(t, pfn);
	do {
		*old = p2mo_view_word(&t->view, pfn);
		if (*old & P2MO_PFN_ENTRY && !locked)
			return -EAGAIN;
		if (*old & P2MO_PFN_TAGGED)
			return 0;
		if (p2mo_get_p2m_word(t, pfn, *old) != mfn)
			return 0;
	} while (cmpxchg(p2mo_view_slot(&t->view, pfn), *old,
			 p2mo_view_tagged(*old, mfn, bpfn)) != *old);
	return 1;
}

/**
 * p2mo_tag_set() - tag local pfn @pfn FOREIGN_FRAME(@mfn)
 * @t:    the tables
 * @pfn:  the frontend pfn that owns @mfn; its view chunk is prepared
 * @mfn:  the frame now mapped by a local backend
 * @bpfn: that backend pfn, the frame's answer
 *
 * Called by the write path with the m2p stripe of @mfn held.  A pfn with
 * no p2m entry is tagged by cmpxchg() alone, one with an entry under its
 * p2m stripe too.
 *
 * Return: the tag for the frame's entries (p2mo_tag_make()), or
 * P2MO_NO_TAG if @pfn no longer shows @mfn.
 */
unsigned long p2mo_tag_set(struct p2mo_table *t, unsigned long pfn,
			   unsigned long mfn, unsigned long bpfn)
{
	unsigned long flags, old;
	int tagged;

	p2mo_m2p_assert_held(t, mfn);
	tagged = p2mo_tag_set_word(t, pfn, mfn, bpfn, false, &old);
	if (tagged == -EAGAIN) {
		flags = p2mo_p2m_lock(t, pfn);
		tagged = p2mo_tag_set_word(t, pfn, mfn, bpfn, true, &old);
		p2mo_p2m_unlock(t, pfn, flags);
	}
	if (!tagged)
		return P2MO_NO_TAG;
	p2mo_stat_inc_locked(t, P2MO_STAT_TAGS_SET);
	trace_p2mo_tag_set(pfn, mfn);
	return p2mo_tag_make(pfn, old);
}
