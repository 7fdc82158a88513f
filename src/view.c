// SPDX-License-Identifier: GPL-2.0
/* The p2m view words (see view.h). */
#include <linux/errno.h>
#include <linux/mm.h>
#include "alloc.h"
#include "view.h"

/* What every word not yet written reads as; never written. */
#ifdef CONFIG_P2M_OVERRIDE_KUNIT_TEST
unsigned long p2mo_view_max_answer_mfn = P2MO_VIEW_MAX_MFN;
#endif

const unsigned long p2mo_view_zero[P2MO_VIEW_PER_CHUNK] __aligned(PAGE_SIZE);

static bool p2mo_view_is_zero(const unsigned long *c)
{
	return c == p2mo_view_zero;
}

/* Directory slot value of chunk @i at address @c, and back. */
static unsigned long p2mo_view_base(const unsigned long *c, unsigned long i)
{
	return (unsigned long)c - i * PAGE_SIZE;
}

static unsigned long *p2mo_view_chunk(const struct p2mo_view *v,
				      unsigned long i)
{
	return (unsigned long *)(READ_ONCE(v->bases[i]) + i * PAGE_SIZE);
}

int p2mo_view_init(struct p2mo_view *v, unsigned long nr_pfns)
{
	unsigned long i;

	v->nr_pfns = nr_pfns;
	v->nr_chunks = DIV_ROUND_UP(nr_pfns, P2MO_VIEW_PER_CHUNK) ?: 1;
	v->bases = p2mo_kvcalloc(v->nr_chunks, sizeof(*v->bases));
	if (!v->bases)
		return -ENOMEM;
	for (i = 0; i < v->nr_chunks; i++)
		v->bases[i] = p2mo_view_base(p2mo_view_zero, i);
	return 0;
}

void p2mo_view_uninit(struct p2mo_view *v)
{
	unsigned long i;

	if (!v->bases)
		return;
	for (i = 0; i < v->nr_chunks; i++)
		if (!p2mo_view_is_zero(p2mo_view_chunk(v, i)))
			p2mo_chunk_free(p2mo_view_chunk(v, i));
	p2mo_kvfree(v->bases);
	v->bases = NULL;
}

/*
 * Make sure the chunk of @pfn exists, installing *@spare (taken: set to
 * NULL) if it does not.  Return: false if it does not and there is no
 * spare.
 */
bool p2mo_view_prepare(struct p2mo_view *v, unsigned long pfn,
		       unsigned long **spare)
{
	unsigned long i = pfn / P2MO_VIEW_PER_CHUNK, zero;

	if (p2mo_view_has_chunk(v, pfn))
		return true;
	if (!*spare)
		return false;
	zero = p2mo_view_base(p2mo_view_zero, i);
	if (cmpxchg(&v->bases[i], zero, p2mo_view_base(*spare, i)) == zero)
		*spare = NULL;
	return true;
}

/* Make sure the chunk of @pfn exists, allocating it if need be. */
int p2mo_view_ensure_chunk(struct p2mo_view *v, unsigned long pfn, gfp_t gfp)
{
	unsigned long *spare;

	if (p2mo_view_has_chunk(v, pfn))
		return 0;
	spare = p2mo_chunk_alloc(gfp);
	if (!spare)
		return -ENOMEM;
	p2mo_view_prepare(v, pfn, &spare);
	p2mo_chunk_free(spare);	/* NULL unless we lost a race */
	return 0;
}

/*
 * Change the word of @pfn from @old to @new; false if it was not @old.
 * The chunk must exist unless both are 0.
 */
bool p2mo_view_cmpxchg(struct p2mo_view *v, unsigned long pfn,
		       unsigned long old, unsigned long new)
{
	unsigned long *c;

	if (pfn >= v->nr_pfns)
		return !old && !new;
	c = p2mo_view_chunk(v, pfn / P2MO_VIEW_PER_CHUNK);
	if (p2mo_view_is_zero(c))
		return !old && !new;
	return cmpxchg(&c[pfn % P2MO_VIEW_PER_CHUNK], old, new) == old;
}

/* First pfn at or after @pfn whose word has a bit of @mask, or nr_pfns. */
unsigned long p2mo_view_next(const struct p2mo_view *v, unsigned long pfn,
			     unsigned long mask)
{
	for (; pfn < v->nr_pfns; pfn++) {
		if (!(pfn % P2MO_VIEW_PER_CHUNK) &&
		    !p2mo_view_has_chunk(v, pfn)) {
			pfn += P2MO_VIEW_PER_CHUNK - 1;
			continue;
		}
		if (p2mo_view_word_in(v, pfn) & mask)
			return pfn;
	}
	return v->nr_pfns;
}

size_t p2mo_view_bytes(const struct p2mo_view *v)
{
	size_t n = v->nr_chunks * sizeof(*v->bases);
	unsigned long i;

	for (i = 0; i < v->nr_chunks; i++)
		if (!p2mo_view_is_zero(p2mo_view_chunk(v, i)))
			n += PAGE_SIZE;
	return n;
}
