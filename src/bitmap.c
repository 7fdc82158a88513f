// SPDX-License-Identifier: GPL-2.0
/* Sparse chunked bitmaps (see bitmap.h). */
#include <linux/errno.h>
#include <linux/bitmap.h>
#include <linux/mm.h>
#include "alloc.h"
#include "bitmap.h"

int p2mo_bitmap_init(struct p2mo_bitmap *b, unsigned long nbits)
{
	b->nbits = nbits;
	b->nr_chunks = DIV_ROUND_UP(nbits, P2MO_CHUNK_BITS) ?: 1;
	b->chunks = p2mo_kvcalloc(b->nr_chunks, sizeof(*b->chunks));
	return b->chunks ? 0 : -ENOMEM;
}

void p2mo_bitmap_uninit(struct p2mo_bitmap *b)
{
	unsigned long i;

	if (!b->chunks)
		return;
	for (i = 0; i < b->nr_chunks; i++)
		p2mo_bitmap_chunk_free(b->chunks[i]);
	p2mo_kvfree(b->chunks);
	b->chunks = NULL;
}

bool p2mo_bitmap_has_chunk(const struct p2mo_bitmap *b, unsigned long bit)
{
	return bit >= b->nbits || READ_ONCE(b->chunks[bit / P2MO_CHUNK_BITS]);
}

unsigned long *p2mo_bitmap_chunk_alloc(gfp_t gfp)
{
	if (p2mo_fail_this_alloc())
		return NULL;
	return p2mo_account(kzalloc(PAGE_SIZE, gfp));
}

void p2mo_bitmap_chunk_free(unsigned long *chunk)
{
	p2mo_kfree(chunk);
}

/*
 * Make sure the chunk of @bit exists, installing *@spare (taken: set to
 * NULL) if it does not.  Return: false if it does not and there is no
 * spare.  Bits out of range need no chunk.
 */
bool p2mo_bitmap_prepare(struct p2mo_bitmap *b, unsigned long bit,
			 unsigned long **spare)
{
	unsigned long **slot;

	if (p2mo_bitmap_has_chunk(b, bit))
		return true;
	if (!*spare)
		return false;
	slot = &b->chunks[bit / P2MO_CHUNK_BITS];
	if (!cmpxchg(slot, NULL, *spare))
		*spare = NULL;
	return true;
}

/* The chunk must exist (p2mo_bitmap_prepare()); out-of-range bits are ignored. */
void p2mo_bitmap_set(struct p2mo_bitmap *b, unsigned long bit)
{
	if (bit < b->nbits)
		set_bit(bit % P2MO_CHUNK_BITS, b->chunks[bit / P2MO_CHUNK_BITS]);
}

void p2mo_bitmap_clear(struct p2mo_bitmap *b, unsigned long bit)
{
	unsigned long *c;

	if (bit >= b->nbits)
		return;
	c = b->chunks[bit / P2MO_CHUNK_BITS];
	if (c)
		clear_bit(bit % P2MO_CHUNK_BITS, c);
}

/* First set bit at or after @bit, or nbits. */
unsigned long p2mo_bitmap_next(const struct p2mo_bitmap *b, unsigned long bit)
{
	while (bit < b->nbits) {
		unsigned long i = bit / P2MO_CHUNK_BITS, off;
		unsigned long *c = READ_ONCE(b->chunks[i]);

		if (c) {
			off = find_next_bit(c, P2MO_CHUNK_BITS,
					    bit % P2MO_CHUNK_BITS);
			if (off < P2MO_CHUNK_BITS)
				return min(i * P2MO_CHUNK_BITS + off, b->nbits);
		}
		bit = (i + 1) * P2MO_CHUNK_BITS;
	}
	return b->nbits;
}

size_t p2mo_bitmap_bytes(const struct p2mo_bitmap *b)
{
	size_t n = b->nr_chunks * sizeof(*b->chunks);
	unsigned long i;

	for (i = 0; i < b->nr_chunks; i++)
		if (READ_ONCE(b->chunks[i]))
			n += PAGE_SIZE;
	return n;
}
