/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulated backend: a machine with an m2p and frame ownership, and
 * domains with their own p2m and grant table.  A domain grants a page to
 * itself or to another domain and maps grants as Xen does: a mapped
 * page's p2m becomes FOREIGN_FRAME(mfn), the m2p keeps naming the owner's
 * pfn.  Each domain's struct p2mo_backend is its view of the machine.
 *
 * Pages are identified by struct page pointers into an array the domain
 * owns; nothing ever dereferences them (they stand for the memmap).
 */
#ifndef _P2MO_SIM_H
#define _P2MO_SIM_H

#include <linux/atomic.h>
#include "backend.h"
#include "locks.h"

#define P2MO_SIM_MAX_DOMAINS	8

struct p2mo_sim_machine;

struct p2mo_sim_grant {
	unsigned long pfn;		/* the granter's pfn */
	unsigned int maps;		/* live mappings of this grant */
	domid_t to;
	bool in_use;
};

struct p2mo_sim_domain {
	struct p2mo_backend be;		/* this domain's view of the machine */
	struct p2mo_sim_machine *m;
	domid_t domid;
	unsigned long nr_pfns;
	unsigned long *p2m;
	struct page *pages;		/* identities only */
	struct p2mo_lock grant_lock;	/* grants[] */
	struct p2mo_lock p2m_lock;	/* writes to p2m[] */
	struct p2mo_sim_grant *grants;
	unsigned int nr_grants;
};

struct p2mo_sim_handle {
	u64 host_addr;
	grant_ref_t ref;
	domid_t granter;
	domid_t mapper;
	bool in_use;
};

struct p2mo_sim_machine {
	struct p2mo_lock lock;		/* m2p[], next_mfn, handles[] */
	unsigned long nr_mfns;
	unsigned long next_mfn;		/* frames are handed out downwards */
	unsigned long *m2p;
	struct p2mo_sim_handle *handles;
	unsigned int nr_handles;
	unsigned int live_handles;
	struct p2mo_sim_domain *doms[P2MO_SIM_MAX_DOMAINS];
	/* fault injection, for tests */
	atomic_t fail_op;		/* n-th op from now fails; 0: none */
	s16 fail_status;
	int fail_call;			/* next map/unmap call returns this */
	int fail_second_call;		/* next kmap/kunmap hypercall: this */
};

struct p2mo_sim_machine *p2mo_sim_machine_create(unsigned long nr_mfns,
						 unsigned int nr_handles);
void p2mo_sim_machine_destroy(struct p2mo_sim_machine *m);
struct p2mo_sim_domain *p2mo_sim_domain_create(struct p2mo_sim_machine *m,
					       domid_t domid,
					       unsigned long nr_pfns,
					       unsigned long nr_populated,
					       unsigned int nr_grants);
int p2mo_sim_grant(struct p2mo_sim_domain *d, domid_t to, unsigned long pfn);
int p2mo_sim_end_grant(struct p2mo_sim_domain *d, grant_ref_t ref);
struct page *p2mo_sim_page(struct p2mo_sim_domain *d, unsigned long pfn);
u64 p2mo_sim_addr(unsigned long pfn);
void p2mo_sim_fail_op(struct p2mo_sim_machine *m, int nth, s16 status);
void p2mo_sim_fail_call(struct p2mo_sim_machine *m, int err);
void p2mo_sim_fail_second_call(struct p2mo_sim_machine *m, int err);
int p2mo_sim_p2m_poke(struct p2mo_sim_domain *d, unsigned long pfn,
		      unsigned long val);

#endif /* _P2MO_SIM_H */
