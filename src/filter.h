/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The m2p fast-reject filter: a sparse map with one byte per machine frame,
 * non-zero while the frame has an override.  An array of pointers to
 * page-sized chunks, each allocated the first time one of its bytes is set
 * and kept until the filter is freed.
 *
 * The byte is the number of the frame's overrides, up to
 * P2MO_FILTER_MANY - 1; P2MO_FILTER_MANY means "that many or more, not
 * counted", and stays until the last override goes.  Readers only test
 * it for zero.  The write path reads the count to know, without touching
 * the next entry of the chain, whether a remove takes the frame's last
 * override.
 *
 * Readers test bytes locklessly.  A frame's byte is written only under
 * the stripe lock of the frame, with a plain byte store: a byte, unlike a
 * bit, shares no read-modify-write with frames of other stripes, so no
 * atomic operation is needed.  A chunk appears with cmpxchg() and never
 * goes away while readers can run, so a reader sees either no chunk
 * (byte clear) or a valid one.
 */
#ifndef _P2MO_FILTER_H
#define _P2MO_FILTER_H

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/limits.h>

#define P2MO_FILTER_PER_CHUNK	PAGE_SIZE	/* frames per chunk */
#define P2MO_FILTER_MANY	U8_MAX		/* count unknown: walk the run */

struct p2mo_filter {
	u8 **chunks;		/* NULL until a byte in it is set */
	unsigned long nr_chunks;
	unsigned long nr_frames;
};

static inline bool p2mo_filter_test(const struct p2mo_filter *f,
				    unsigned long frame)
{
	u8 *c;

	if (unlikely(frame >= f->nr_frames))
		return false;
	c = READ_ONCE(f->chunks[frame / P2MO_FILTER_PER_CHUNK]);
	return c && READ_ONCE(c[frame % P2MO_FILTER_PER_CHUNK]);
}

/*
 * The byte of @frame (below nr_frames) for a writer, or NULL: no chunk.
 * The writer stores the count with WRITE_ONCE().
 */
static inline u8 *p2mo_filter_byte_in(const struct p2mo_filter *f,
				      unsigned long frame)
{
	u8 *c = READ_ONCE(f->chunks[frame / P2MO_FILTER_PER_CHUNK]);

	return c ? c + frame % P2MO_FILTER_PER_CHUNK : NULL;
}

/* Frames out of range have no byte to write, hence need no chunk. */
static inline bool p2mo_filter_has_chunk(const struct p2mo_filter *f,
					 unsigned long frame)
{
	return frame >= f->nr_frames ||
	       READ_ONCE(f->chunks[frame / P2MO_FILTER_PER_CHUNK]);
}

int p2mo_filter_init(struct p2mo_filter *f, unsigned long nr_frames);
void p2mo_filter_uninit(struct p2mo_filter *f);
bool p2mo_filter_prepare(struct p2mo_filter *f, unsigned long frame,
			 unsigned long **spare);
unsigned long p2mo_filter_next(const struct p2mo_filter *f,
			       unsigned long frame);
size_t p2mo_filter_bytes(const struct p2mo_filter *f);

#endif /* _P2MO_FILTER_H */
