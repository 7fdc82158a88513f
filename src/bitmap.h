/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A sparse bitmap over a frame-number space: an array of pointers to
 * page-sized chunks, each chunk allocated the first time one of its bits
 * is set and kept until the bitmap is freed.  Used for the FOREIGN tags
 * (one bit per pfn) and for the m2p fast-reject filter (one bit per mfn
 * with an override).
 *
 * Readers test bits locklessly.  Writers change a bit only under the lock
 * that serialises its key (a stripe lock), with atomic bit operations
 * because a word is shared with keys of other stripes.  A chunk appears
 * with cmpxchg() and never goes away while readers can run, so a reader
 * sees either no chunk (bit clear) or a valid one.
 */
#ifndef _P2MO_BITMAP_H
#define _P2MO_BITMAP_H

#include <linux/bitops.h>
#include <linux/compiler.h>
#include <linux/gfp.h>

#define P2MO_CHUNK_BITS	(PAGE_SIZE * BITS_PER_BYTE)

struct p2mo_bitmap {
	unsigned long **chunks;		/* NULL until a bit in it is set */
	unsigned long nr_chunks;
	unsigned long nbits;
};

static inline bool p2mo_bitmap_test(const struct p2mo_bitmap *b,
				    unsigned long bit)
{
	unsigned long *c;

	if (unlikely(bit >= b->nbits))
		return false;
	c = READ_ONCE(b->chunks[bit / P2MO_CHUNK_BITS]);
	return c && test_bit(bit % P2MO_CHUNK_BITS, c);
}

/* Bits @bit and @bit + 1 (@bit even) as a 2-bit value; 0 out of range. */
static inline unsigned int p2mo_bitmap_get2(const struct p2mo_bitmap *b,
					    unsigned long bit)
{
	unsigned long *c;

	if (unlikely(bit >= b->nbits))
		return 0;
	c = READ_ONCE(b->chunks[bit / P2MO_CHUNK_BITS]);
	if (!c)
		return 0;
	bit %= P2MO_CHUNK_BITS;
	return (READ_ONCE(c[bit / BITS_PER_LONG]) >> (bit % BITS_PER_LONG)) & 3;
}

int p2mo_bitmap_init(struct p2mo_bitmap *b, unsigned long nbits);
void p2mo_bitmap_uninit(struct p2mo_bitmap *b);
bool p2mo_bitmap_has_chunk(const struct p2mo_bitmap *b, unsigned long bit);
unsigned long *p2mo_bitmap_chunk_alloc(gfp_t gfp);
void p2mo_bitmap_chunk_free(unsigned long *chunk);
bool p2mo_bitmap_prepare(struct p2mo_bitmap *b, unsigned long bit,
			 unsigned long **spare);
void p2mo_bitmap_set(struct p2mo_bitmap *b, unsigned long bit);
void p2mo_bitmap_clear(struct p2mo_bitmap *b, unsigned long bit);
unsigned long p2mo_bitmap_next(const struct p2mo_bitmap *b,
			       unsigned long bit);
size_t p2mo_bitmap_bytes(const struct p2mo_bitmap *b);

#endif /* _P2MO_BITMAP_H */
