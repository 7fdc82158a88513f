/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit fixture: a simulated machine with a local domain 0 (where the
 * override tables live, frontend and backend both) and a remote domain 1,
 * plus a digest of everything the layer or the machine holds, to check
 * that a failed call changed nothing.
 */
#ifndef _P2MO_KUNIT_UTIL_H
#define _P2MO_KUNIT_UTIL_H

#include <kunit/test.h>
#include "alloc.h"
#include "grant.h"
#include "sim.h"
#include "sync.h"
#include "m2p.h"
#include "testpoint.h"

#define FIX_MFNS	1024
#define FIX_PFNS	256	/* per domain */
#define FIX_POP		128	/* pfns [0,128) populated, [128,256) ballooned */
#define FIX_BPFN(i)	(FIX_POP + (i))	/* a free backend pfn */

struct p2mo_fix {
	struct p2mo_sim_machine *m;
	struct p2mo_sim_domain *d0;	/* local: tables, backend, frontend */
	struct p2mo_sim_domain *d1;	/* a remote frontend */
	struct p2mo_table t;
	long allocs0;			/* live allocations before the fixture */
};

struct p2mo_digest {
	long nr_overrides, nr_tags, nr_p2m;
	u64 m2p, p2m, sim;
	unsigned int handles;
};

int p2mo_fix_init_sized(struct kunit *test, unsigned int bits,
			unsigned long nr_pfns);
int p2mo_fix_init_bits(struct kunit *test, unsigned int bits);
int p2mo_fix_init(struct kunit *test);
void p2mo_fix_exit(struct kunit *test);
void p2mo_digest(struct p2mo_fix *f, struct p2mo_digest *d);
void p2mo_digest_of(struct p2mo_table *t, struct p2mo_sim_domain *dom,
		    struct p2mo_digest *d);
u64 p2mo_median(u64 *v, size_t n);

static inline struct p2mo_fix *p2mo_fix(struct kunit *test)
{
	return test->priv;
}

static inline unsigned long fix_mfn(struct p2mo_sim_domain *d,
				    unsigned long pfn)
{
	return d->p2m[pfn];
}

/* Grant @pfn of @from to domain 0 and return the ref. */
int fix_grant(struct kunit *test, struct p2mo_sim_domain *from,
	      unsigned long pfn);
void fix_map_op(struct gnttab_map_grant_ref *op, struct p2mo_sim_domain *from,
		int ref, unsigned long bpfn);
void fix_unmap_op(struct gnttab_unmap_grant_ref *op,
		  const struct gnttab_map_grant_ref *map, unsigned long bpfn);
/* Map grant @ref of @from at backend pfn @bpfn through the tables. */
int fix_map(struct p2mo_fix *f, struct p2mo_sim_domain *from, int ref,
	    unsigned long bpfn, struct gnttab_map_grant_ref *op);
int fix_unmap(struct p2mo_fix *f, const struct gnttab_map_grant_ref *map,
	      unsigned long bpfn);

/* The exported API's fixture: the default tables, backend=sim. */
struct p2mo_api_fix {
	char backend[8];		/* the parameter, restored at exit */
	struct p2mo_sim_domain *d;	/* the default domain */
};

int p2mo_api_fix_init(struct kunit *test);
void p2mo_api_fix_exit(struct kunit *test);

void fix_expect_in_step(struct kunit *test, struct p2mo_fix *f);
void p2mo_expect_digest_eq(struct kunit *test, const struct p2mo_digest *a,
			   const struct p2mo_digest *b);
#define P2MO_EXPECT_DIGEST_EQ p2mo_expect_digest_eq

#endif /* _P2MO_KUNIT_UTIL_H */
