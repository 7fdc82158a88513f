// SPDX-License-Identifier: GPL-2.0
/* The m2p fast-reject filter (see filter.h). */
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/string.h>
#include "alloc.h"
#include "filter.h"

int p2mo_filter_init(struct p2mo_filter *f, unsigned long nr_frames)
{
	f->nr_frames = nr_frames;
	f->nr_chunks = DIV_ROUND_UP(nr_frames, P2MO_FILTER_PER_CHUNK) ?: 1;
	f->chunks = p2mo_kvcalloc(f->nr_chunks, sizeof(*f->chunks));
	return f->chunks ? 0 : -ENOMEM;
}

void p2mo_filter_uninit(struct p2mo_filter *f)
{
	unsigned long i;

	if (!f->chunks)
		return;
	for (i = 0; i < f->nr_chunks; i++)
		p2mo_chunk_free(f->chunks[i]);
	p2mo_kvfree(f->chunks);
	f->chunks = NULL;
}

/*
 * Make sure the chunk of @frame exists, installing *@spare (taken: set to
 * NULL) if it does not.  Return: false if it does not and there is no
 * spare.
 */
bool p2mo_filter_prepare(struct p2mo_filter *f, unsigned long frame,
			 unsigned long **spare)
{
	u8 **slot;

	if (p2mo_filter_has_chunk(f, frame))
		return true;
	if (!*spare)
		return false;
	slot = &f->chunks[frame / P2MO_FILTER_PER_CHUNK];
	if (!cmpxchg(slot, NULL, (u8 *)*spare))
		*spare = NULL;
	return true;
}

/* First frame with its byte set at or after @frame, or nr_frames. */
unsigned long p2mo_filter_next(const struct p2mo_filter *f,
			       unsigned long frame)
{
	while (frame < f->nr_frames) {
		unsigned long i = frame / P2MO_FILTER_PER_CHUNK;
		unsigned long off = frame % P2MO_FILTER_PER_CHUNK;
		u8 *c = READ_ONCE(f->chunks[i]), *hit;

		if (c) {
			hit = memchr_inv(c + off, 0, P2MO_FILTER_PER_CHUNK - off);
			if (hit)
				return min(i * P2MO_FILTER_PER_CHUNK + (hit - c),
					   f->nr_frames);
		}
		frame = (i + 1) * P2MO_FILTER_PER_CHUNK;
	}
	return f->nr_frames;
}

size_t p2mo_filter_bytes(const struct p2mo_filter *f)
{
	size_t n = f->nr_chunks * sizeof(*f->chunks);
	unsigned long i;

	for (i = 0; i < f->nr_chunks; i++)
		if (READ_ONCE(f->chunks[i]))
			n += PAGE_SIZE;
	return n;
}
