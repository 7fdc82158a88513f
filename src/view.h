/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The p2m view words: one unsigned long per pfn, what the override layer
 * knows of the pfn, read by every lookup.  Word 0, the common case, means
 * "nothing here: the backend's p2m is the view".  Otherwise:
 *
 *   bits 0-1   P2MO_PFN_TAGGED (FOREIGN tag), P2MO_PFN_ENTRY (p2m entry)
 *   bit  2     P2MO_VIEW_ANSWER: the pfn is tagged for the frame in bits
 *              3-33, and bits 34-63 hold the answer of mfn_to_pfn() for
 *              that frame (its lowest backend pfn), so that a lookup of a
 *              shared local frame needs no hash walk.  Set only when the
 *              mfn fits 31 bits and the pfn 30 (8 TiB of machine, 4 TiB
 *              of backend pfns); a tag without it is answered out of line.
 *
 * Words live in page-sized chunks.  A chunk that was never written is
 * the shared read-only zero chunk, so a reader loads the chunk base and
 * the word with no NULL test.  A directory slot holds its chunk's address
 * less the offset of the chunk's first pfn (a "base"), so that the word
 * of pfn p is at base + p * sizeof(long), with no masking.  A real chunk
 * replaces the zero chunk once, with cmpxchg() (ordered after the chunk
 * is zeroed), and stays until the view is freed.
 *
 * Writers: the ENTRY bit changes by cmpxchg() under the pfn's p2m
 * stripe, the TAGGED bit is set by cmpxchg() under the frame's m2p
 * stripe (a tag and an entry may meet); a tagged word has one writer, the
 * holder of its frame's m2p stripe, which stores (answer, untag).
 * Readers: p2mo_view_word_in().
 */
#ifndef _P2MO_VIEW_H
#define _P2MO_VIEW_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/gfp.h>
#include <asm/barrier.h>
#include "testpoint.h"

#define P2MO_PFN_TAGGED		1UL	/* FOREIGN tag: view is FOREIGN_FRAME(...) */
#define P2MO_PFN_ENTRY		2UL	/* a p2mo_p2m_set() entry hides the backend */
#define P2MO_PFN_STATE		3UL
#define P2MO_VIEW_ANSWER	4UL
#define P2MO_VIEW_MFN_SHIFT	3
#define P2MO_VIEW_BPFN_SHIFT	34
#define P2MO_VIEW_KEY_MASK	(BIT(P2MO_VIEW_BPFN_SHIFT) - 1)
#define P2MO_VIEW_MAX_MFN	BIT(P2MO_VIEW_BPFN_SHIFT - P2MO_VIEW_MFN_SHIFT)
#define P2MO_VIEW_MAX_BPFN	BIT(BITS_PER_LONG - P2MO_VIEW_BPFN_SHIFT)
#define P2MO_VIEW_PER_CHUNK	(PAGE_SIZE / sizeof(unsigned long))

/* a word holds a 31-bit mfn and a 30-bit pfn (Kconfig: 64BIT) */
static_assert(BITS_PER_LONG == 64);

struct p2mo_view {
	unsigned long *bases;	/* per chunk: its address - first pfn * 8 */
	unsigned long nr_chunks;
	unsigned long nr_pfns;
};

/*
 * A single-copy-atomic load, as READ_ONCE().  GCC 12 does not fold the
 * address of a volatile access into the load (READ_ONCE() of a[i] costs
 * an lea and a mov); a relaxed atomic load is the same one load, folded.
 * Used on every load of the inline lookups: the backend's m2p and p2m,
 * as the kernel's own reads of them are single folded loads, and the two
 * view loads here.  The word's load depends on the base's address, which
 * orders them everywhere but on Alpha, where READ_ONCE() adds the barrier.
 */
#ifdef CONFIG_ALPHA
#define p2mo_load_once(x)	READ_ONCE(x)
#else
#define p2mo_load_once(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#endif

/* Word of @pfn, which must be below nr_pfns. */
static __always_inline unsigned long p2mo_view_word_in(const struct p2mo_view *v,
						       unsigned long pfn)
{
	unsigned long base = p2mo_load_once(v->bases[pfn / P2MO_VIEW_PER_CHUNK]);

	return p2mo_load_once(*(unsigned long *)(base + pfn * sizeof(long)));
}

/* Where the word of @pfn is: its chunk must exist (p2mo_view_prepare()). */
static inline unsigned long *p2mo_view_slot(const struct p2mo_view *v,
					    unsigned long pfn)
{
	return (unsigned long *)(READ_ONCE(v->bases[pfn / P2MO_VIEW_PER_CHUNK]) +
				 pfn * sizeof(long));
}

extern const unsigned long p2mo_view_zero[P2MO_VIEW_PER_CHUNK];

/* Where the word of @pfn (below nr_pfns) is, or NULL if it has no chunk. */
static inline unsigned long *p2mo_view_slot_in(const struct p2mo_view *v,
					       unsigned long pfn)
{
	unsigned long i = pfn / P2MO_VIEW_PER_CHUNK;
	unsigned long base = READ_ONCE(v->bases[i]);

	if (base + i * PAGE_SIZE == (unsigned long)p2mo_view_zero)
		return NULL;
	return (unsigned long *)(base + pfn * sizeof(long));
}

/* Has @pfn a chunk of its own?  Pfns out of range need none. */
static inline bool p2mo_view_has_chunk(const struct p2mo_view *v,
				       unsigned long pfn)
{
	return pfn >= v->nr_pfns || p2mo_view_slot_in(v, pfn);
}

static inline unsigned long p2mo_view_word(const struct p2mo_view *v,
					   unsigned long pfn)
{
	return pfn < v->nr_pfns ? p2mo_view_word_in(v, pfn) : 0;
}

/*
 * The word of @pfn (0 out of range), ordered before every load after it:
 * for the out-of-line lookups, which go on to read what the word's bits
 * cover (a tag's filter byte and m2p chain, an entry's p2m chain).  Pairs
 * with the cmpxchg() that set the bit, a full barrier placed after what
 * the bit covers was published (design.rst, "Memory ordering").
 */
static inline unsigned long p2mo_view_word_acquire(const struct p2mo_view *v,
						   unsigned long pfn)
{
	unsigned long w;

	if (pfn >= v->nr_pfns)
		return 0;
	/* pairs with the cmpxchg() of the word's writer */
	w = smp_load_acquire(p2mo_view_slot(v, pfn));
	p2mo_test_point(P2MO_TP_WORD_ACQUIRED, pfn);
	return w;
}

/*
 * Does word @w answer mfn_to_pfn(@mfn) by itself?  @mfn below 2^61 (any
 * array bound is), so that the shift cannot wrap onto a smaller frame.
 */
static __always_inline bool p2mo_view_answers(unsigned long w,
					      unsigned long mfn)
{
	return (w & P2MO_VIEW_KEY_MASK) ==
	       (mfn << P2MO_VIEW_MFN_SHIFT | P2MO_VIEW_ANSWER | P2MO_PFN_TAGGED);
}

static __always_inline unsigned long p2mo_view_answer(unsigned long w)
{
	return w >> P2MO_VIEW_BPFN_SHIFT;
}

/*
 * Frames at or above this get no ANSWER: the word's 31 bits.  Test builds
 * may lower it, so that small simulated frames take the path of big ones.
 */
#ifdef CONFIG_P2M_OVERRIDE_KUNIT_TEST
extern unsigned long p2mo_view_max_answer_mfn;
#else
#define p2mo_view_max_answer_mfn	P2MO_VIEW_MAX_MFN
#endif

/* The word of a pfn in @state, tagged for @mfn whose answer is @bpfn. */
static inline unsigned long p2mo_view_tagged(unsigned long state,
					     unsigned long mfn,
					     unsigned long bpfn)
{
	state = (state & P2MO_PFN_STATE) | P2MO_PFN_TAGGED;
	if (state != P2MO_PFN_TAGGED || mfn >= p2mo_view_max_answer_mfn ||
	    bpfn >= P2MO_VIEW_MAX_BPFN)
		return state;
	return state | P2MO_VIEW_ANSWER | mfn << P2MO_VIEW_MFN_SHIFT |
	       bpfn << P2MO_VIEW_BPFN_SHIFT;
}

int p2mo_view_init(struct p2mo_view *v, unsigned long nr_pfns);
void p2mo_view_uninit(struct p2mo_view *v);
bool p2mo_view_prepare(struct p2mo_view *v, unsigned long pfn,
		       unsigned long **spare);
int p2mo_view_ensure_chunk(struct p2mo_view *v, unsigned long pfn, gfp_t gfp);
bool p2mo_view_cmpxchg(struct p2mo_view *v, unsigned long pfn,
		       unsigned long old, unsigned long new);
unsigned long p2mo_view_next(const struct p2mo_view *v, unsigned long pfn,
			     unsigned long mask);
size_t p2mo_view_bytes(const struct p2mo_view *v);

#endif /* _P2MO_VIEW_H */
