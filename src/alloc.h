/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every allocation of the module goes through these wrappers, so that
 * test builds (CONFIG_P2M_OVERRIDE_KUNIT_TEST) can make the n-th one fail
 * and count the objects alive; other builds compile them away.
 */
#ifndef _P2MO_ALLOC_H
#define _P2MO_ALLOC_H

#include <linux/atomic.h>
#include <linux/slab.h>
#include <linux/mm.h>

#ifdef CONFIG_P2M_OVERRIDE_KUNIT_TEST
extern atomic_t p2mo_fail_nth;		/* fail the n-th allocation; 0: none */
extern atomic_long_t p2mo_live_allocs;	/* objects allocated, not yet freed */

static inline bool p2mo_fail_this_alloc(void)
{
	int n = atomic_read(&p2mo_fail_nth);

	return n > 0 && atomic_dec_and_test(&p2mo_fail_nth);
}

static inline void *p2mo_account(void *p)
{
	if (p)
		atomic_long_inc(&p2mo_live_allocs);
	return p;
}

static inline void p2mo_unaccount(const void *p)
{
	if (p)
		atomic_long_dec(&p2mo_live_allocs);
}
#else
static inline bool p2mo_fail_this_alloc(void) { return false; }
static inline void *p2mo_account(void *p) { return p; }
static inline void p2mo_unaccount(const void *p) { }
#endif

static inline void *p2mo_cache_alloc(struct kmem_cache *c, gfp_t gfp)
{
	if (p2mo_fail_this_alloc())
		return NULL;
	return p2mo_account(kmem_cache_alloc(c, gfp));
}

static inline void p2mo_cache_free(struct kmem_cache *c, void *p)
{
	p2mo_unaccount(p);
	kmem_cache_free(c, p);
}

static inline void *p2mo_kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	if (p2mo_fail_this_alloc())
		return NULL;
	return p2mo_account(kmalloc_array(n, size, gfp));
}

static inline void p2mo_kfree(const void *p)
{
	p2mo_unaccount(p);
	kfree(p);
}

static inline void *p2mo_kvcalloc(size_t n, size_t size)
{
	if (p2mo_fail_this_alloc())
		return NULL;
	return p2mo_account(kvcalloc(n, size, GFP_KERNEL));
}

static inline void p2mo_kvfree(const void *p)
{
	p2mo_unaccount(p);
	kvfree(p);
}

/* A zeroed page-sized chunk of a sparse map (filter.h, view.h). */
static inline unsigned long *p2mo_chunk_alloc(gfp_t gfp)
{
	if (p2mo_fail_this_alloc())
		return NULL;
	return p2mo_account(kzalloc(PAGE_SIZE, gfp));
}

static inline void p2mo_chunk_free(const void *chunk)
{
	p2mo_kfree(chunk);
}

#endif /* _P2MO_ALLOC_H */
