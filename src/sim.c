// SPDX-License-Identifier: GPL-2.0
/* The simulated machine, domains and grant tables (see sim.h). */
#define pr_fmt(fmt) KBUILD_MODNAME ": sim: " fmt

#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include "alloc.h"
#include "sim.h"

static struct lock_class_key p2mo_sim_grant_key;
static struct lock_class_key p2mo_sim_p2m_key;
static struct lock_class_key p2mo_sim_machine_key;

static struct p2mo_sim_domain *p2mo_sim_be(struct p2mo_backend *be)
{
	return container_of(be, struct p2mo_sim_domain, be);
}

static unsigned long p2mo_sim_p2m_read(struct p2mo_backend *be,
				       unsigned long pfn)
{
	struct p2mo_sim_domain *d = p2mo_sim_be(be);

	return pfn < d->nr_pfns ? READ_ONCE(d->p2m[pfn]) : P2MO_INVALID_ENTRY;
}

static unsigned long p2mo_sim_m2p_read(struct p2mo_backend *be,
				       unsigned long mfn)
{
	struct p2mo_sim_machine *m = p2mo_sim_be(be)->m;

	return mfn < m->nr_mfns ? READ_ONCE(m->m2p[mfn]) : P2MO_INVALID_ENTRY;
}

static int p2mo_sim_p2m_write(struct p2mo_backend *be, unsigned long pfn,
			      unsigned long val)
{
	struct p2mo_sim_domain *d = p2mo_sim_be(be);
	unsigned long flags;

	if (pfn >= d->nr_pfns)
		return -EINVAL;
	flags = p2mo_lock(&d->p2m_lock);
	WRITE_ONCE(d->p2m[pfn], val);
	p2mo_unlock(&d->p2m_lock, flags);
	return 0;
}

static unsigned long p2mo_sim_page_to_pfn(struct p2mo_backend *be,
					  struct page *page)
{
	struct p2mo_sim_domain *d = p2mo_sim_be(be);

	if (page < d->pages || page >= d->pages + d->nr_pfns)
		return P2MO_INVALID_ENTRY;
	return page - d->pages;
}

static struct p2mo_sim_domain *p2mo_sim_domain(struct p2mo_sim_machine *m,
					       domid_t domid)
{
	return domid < P2MO_SIM_MAX_DOMAINS ? m->doms[domid] : NULL;
}

static bool p2mo_sim_fault(struct p2mo_sim_machine *m)
{
	int n = atomic_read(&m->fail_op);

	return n > 0 && atomic_dec_and_test(&m->fail_op);
}

/* With the machine lock held. */
static int p2mo_sim_handle_alloc(struct p2mo_sim_machine *m)
{
	unsigned int h;

	lockdep_assert_held(&m->lock.lock);
	for (h = 0; h < m->nr_handles; h++) {
		if (!m->handles[h].in_use) {
			m->handles[h].in_use = true;
			m->live_handles++;
			return h;
		}
	}
	return -ENOSPC;
}

/* With @g's grant_lock held: may @d map grant op->ref of @g? */
static s16 p2mo_sim_check_grant(struct p2mo_sim_domain *d,
				struct p2mo_sim_domain *g,
				struct gnttab_map_grant_ref *op)
{
	struct p2mo_sim_grant *gr;

	lockdep_assert_held(&g->grant_lock.lock);
	gr = op->ref < g->nr_grants ? &g->grants[op->ref] : NULL;
	if (!gr || !gr->in_use)
		return GNTST_bad_gntref;
	if (gr->to != d->domid)
		return GNTST_permission_denied;
	return GNTST_okay;
}

/*
 * With the grant checked: take a handle and map.  As Xen's map hypercall,
 * this does not touch the p2m: the guest's set_foreign_p2m_mapping()
 * does, after both hypercalls (p2mo_sim_set_foreign()).
 */
static s16 p2mo_sim_install(struct p2mo_sim_domain *d,
			    struct p2mo_sim_domain *g,
			    struct gnttab_map_grant_ref *op)
{
	struct p2mo_sim_grant *gr = &g->grants[op->ref];
	unsigned long mfn = READ_ONCE(g->p2m[gr->pfn]), flags;
	int h;

	flags = p2mo_lock(&d->m->lock);
	h = p2mo_sim_handle_alloc(d->m);
	if (h >= 0)
		d->m->handles[h] = (struct p2mo_sim_handle) {
			.host_addr = op->host_addr,
			.ref = op->ref, .granter = g->domid,
			.mapper = d->domid, .in_use = true,
		};
	p2mo_unlock(&d->m->lock, flags);
	if (h < 0)
		return GNTST_no_space;
	gr->maps++;
	op->handle = h;
	op->dev_bus_addr = (u64)mfn << PAGE_SHIFT;
	return GNTST_okay;
}

/*
 * A host mapping at @bpfn, whose p2m must be ballooned (invalid): Linux
 * only warns and overwrites; the simulated machine refuses (sim.h).
 */
static s16 p2mo_sim_map_host(struct p2mo_sim_domain *d,
			     struct gnttab_map_grant_ref *op,
			     unsigned long bpfn)
{
	struct p2mo_sim_domain *g = p2mo_sim_domain(d->m, op->dom);
	unsigned long flags;
	s16 st;

	if (!g)
		return GNTST_bad_domain;
	if (READ_ONCE(d->p2m[bpfn]) != P2MO_INVALID_ENTRY)
		return GNTST_general_error;
	flags = p2mo_lock(&g->grant_lock);
	st = p2mo_sim_check_grant(d, g, op);
	if (st == GNTST_okay)
		st = p2mo_sim_install(d, g, op);
	p2mo_unlock(&g->grant_lock, flags);
	return st;
}

/* A kernel mapping (kmap op): a handle and a map count, no p2m change. */
static s16 p2mo_sim_map_kernel(struct p2mo_sim_domain *d,
			       struct gnttab_map_grant_ref *op)
{
	struct p2mo_sim_domain *g = p2mo_sim_domain(d->m, op->dom);
	unsigned long flags;
	s16 st;

	if (!g)
		return GNTST_bad_domain;
	flags = p2mo_lock(&g->grant_lock);
	st = p2mo_sim_check_grant(d, g, op);
	if (st == GNTST_okay)
		st = p2mo_sim_install(d, g, op);
	p2mo_unlock(&g->grant_lock, flags);
	return st;
}

/*
 * Has an earlier op of the batch mapped at @pages[i]?  Linux would only
 * warn ("page must be ballooned") and overwrite the p2m; the simulated
 * machine refuses a page that is in use, as it refuses one that is not
 * ballooned (p2mo_sim_map_host()), so that tests see the caller's bug.
 */
static bool p2mo_sim_page_taken(struct gnttab_map_grant_ref *map_ops,
				struct page **pages, unsigned int i)
{
	unsigned int j;

	for (j = 0; j < i; j++)
		if (pages[j] == pages[i] && map_ops[j].status == GNTST_okay)
			return true;
	return false;
}

/* A call the tests made fail: the error, once, or 0. */
/*
 * An injected call failure, taken once.  Batches of several CPUs test it
 * at once (make stress): one read, and an exchange only if one is armed
 * (KCSAN reported the plain read and store of every call).
 */
static int p2mo_sim_take_fail(int *fail)
{
	return READ_ONCE(*fail) ? xchg(fail, 0) : 0;
}

/*
 * set_foreign_p2m_mapping() of Linux 6.1: the p2m of every page whose
 * map (and kmap) op is okay becomes FOREIGN_FRAME(mfn), mfn taken from
 * the op's dev_bus_addr.
 */
static void p2mo_sim_set_foreign(struct p2mo_sim_domain *d,
				 struct gnttab_map_grant_ref *map_ops,
				 struct gnttab_map_grant_ref *kmap_ops,
				 struct page **pages, unsigned int count)
{
	unsigned long bpfn, flags;
	unsigned int i;

	for (i = 0; i < count; i++) {
		if (map_ops[i].status != GNTST_okay ||
		    (kmap_ops && kmap_ops[i].status != GNTST_okay))
			continue;
		bpfn = p2mo_sim_page_to_pfn(&d->be, pages[i]);
		flags = p2mo_lock(&d->p2m_lock);
		WRITE_ONCE(d->p2m[bpfn],
			   P2MO_FOREIGN_FRAME(map_ops[i].dev_bus_addr >> PAGE_SHIFT));
		p2mo_unlock(&d->p2m_lock, flags);
	}
}

/*
 * gnttab_map_refs() of Linux 6.1: the map hypercall (an error there maps
 * nothing), then, inside set_foreign_p2m_mapping(), the kmap hypercall
 * (an error there returns with the map ops mapped and no p2m set), then
 * the p2m of the pages whose ops are okay.
 */
/* The map hypercall: a status per op, no p2m change. */
static void p2mo_sim_map_hypercall(struct p2mo_sim_domain *d,
				   struct gnttab_map_grant_ref *map_ops,
				   struct page **pages, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		unsigned long bpfn = p2mo_sim_page_to_pfn(&d->be, pages[i]);

		if (p2mo_sim_fault(d->m))
			map_ops[i].status = d->m->fail_status;
		else if (bpfn == P2MO_INVALID_ENTRY)
			map_ops[i].status = GNTST_bad_virt_addr;
		else if (p2mo_sim_page_taken(map_ops, pages, i))
			map_ops[i].status = GNTST_general_error;
		else
			map_ops[i].status = p2mo_sim_map_host(d, &map_ops[i],
							      bpfn);
	}
}

/* The kmap hypercall of set_foreign_p2m_mapping(); it may fail whole. */
static int p2mo_sim_kmap_hypercall(struct p2mo_sim_domain *d,
				   struct gnttab_map_grant_ref *kmap_ops,
				   unsigned int count)
{
	int err = p2mo_sim_take_fail(&d->m->fail_second_call);
	unsigned int i;

	for (i = 0; !err && i < count; i++)
		kmap_ops[i].status = p2mo_sim_fault(d->m) ?
			d->m->fail_status : p2mo_sim_map_kernel(d, &kmap_ops[i]);
	return err;
}

static int p2mo_sim_map_refs(struct p2mo_backend *be,
			     struct gnttab_map_grant_ref *map_ops,
			     struct gnttab_map_grant_ref *kmap_ops,
			     struct page **pages, unsigned int count)
{
	struct p2mo_sim_domain *d = p2mo_sim_be(be);
	int err = p2mo_sim_take_fail(&d->m->fail_call);

	if (err)
		return err;
	p2mo_sim_map_hypercall(d, map_ops, pages, count);
	err = kmap_ops ? p2mo_sim_kmap_hypercall(d, kmap_ops, count) : 0;
	if (!err)
		p2mo_sim_set_foreign(d, map_ops, kmap_ops, pages, count);
	return err;
}

static s16 p2mo_sim_unmap_one(struct p2mo_sim_domain *d,
			      struct gnttab_unmap_grant_ref *op)
{
	struct p2mo_sim_machine *m = d->m;
	struct p2mo_sim_handle h, *hp;
	unsigned long gflags, mflags;
	struct p2mo_sim_domain *g;
	s16 st = GNTST_okay;

	if (op->handle >= m->nr_handles)
		return GNTST_bad_handle;
	/* Peek to learn the granter, then lock in order and look again. */
	mflags = p2mo_lock(&m->lock);
	h = m->handles[op->handle];
	p2mo_unlock(&m->lock, mflags);
	g = p2mo_sim_domain(m, h.granter);
	if (!h.in_use || h.mapper != d->domid || !g)
		return GNTST_bad_handle;
	gflags = p2mo_lock(&g->grant_lock);
	mflags = p2mo_lock(&m->lock);
	hp = &m->handles[op->handle];
	if (!hp->in_use || hp->mapper != d->domid || hp->granter != g->domid) {
		st = GNTST_bad_handle;
	} else if (hp->host_addr != op->host_addr) {
		st = GNTST_bad_virt_addr;
	} else {
		g->grants[hp->ref].maps--;
		hp->in_use = false;
		m->live_handles--;
	}
	p2mo_unlock(&m->lock, mflags);
	p2mo_unlock(&g->grant_lock, gflags);
	return st;
}

/*
 * clear_foreign_p2m_mapping() of Linux 6.1: every page of the batch whose
 * p2m is FOREIGN becomes INVALID, whatever the status of its op; -EINVAL
 * if one was not FOREIGN.
 */
static int p2mo_sim_clear_foreign(struct p2mo_sim_domain *d,
				  struct page **pages, unsigned int count)
{
	unsigned long bpfn, e, flags;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < count; i++) {
		bpfn = p2mo_sim_page_to_pfn(&d->be, pages[i]);
		e = p2mo_sim_p2m_read(&d->be, bpfn);
		if (e == P2MO_INVALID_ENTRY || !(e & P2MO_FOREIGN_FRAME_BIT)) {
			ret = -EINVAL;
			continue;
		}
		flags = p2mo_lock(&d->p2m_lock);
		WRITE_ONCE(d->p2m[bpfn], P2MO_INVALID_ENTRY);
		p2mo_unlock(&d->p2m_lock, flags);
	}
	return ret;
}

/*
 * gnttab_unmap_refs() of Linux 6.1: the unmap hypercall (an error there
 * changes nothing), then clear_foreign_p2m_mapping(): the p2m of the
 * batch, then the kunmap hypercall.  An op that fails leaves its mapping
 * (its handle) in place while its page's p2m is cleared, as in Linux.
 */
/* An unmap hypercall: a status per op; @fail for the injected ones. */
static void p2mo_sim_unmap_hypercall(struct p2mo_sim_domain *d,
				     struct gnttab_unmap_grant_ref *ops,
				     unsigned int count, bool fail)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		ops[i].status = fail && p2mo_sim_fault(d->m) ?
			d->m->fail_status : p2mo_sim_unmap_one(d, &ops[i]);
}

static int p2mo_sim_unmap_refs(struct p2mo_backend *be,
			       struct gnttab_unmap_grant_ref *unmap_ops,
			       struct gnttab_unmap_grant_ref *kunmap_ops,
			       struct page **pages, unsigned int count)
{
	struct p2mo_sim_domain *d = p2mo_sim_be(be);
	int err = p2mo_sim_take_fail(&d->m->fail_call);

	if (err)
		return err;
	p2mo_sim_unmap_hypercall(d, unmap_ops, count, true);
	err = p2mo_sim_clear_foreign(d, pages, count);
	if (!kunmap_ops)
		return err;
	if (p2mo_sim_take_fail(&d->m->fail_second_call))
		return -EINVAL;
	p2mo_sim_unmap_hypercall(d, kunmap_ops, count, false);
	return err;
}

/* Every FOREIGN entry of the domain's p2m, 512 entries a "leaf". */
static int p2mo_sim_foreign_scan(struct p2mo_backend *be, p2mo_foreign_fn fn,
				 void *arg, struct p2mo_scan_stats *st)
{
	struct p2mo_sim_domain *d = p2mo_sim_be(be);
	unsigned long pfn, e;
	int ret;

	for (pfn = 0; pfn < d->nr_pfns; pfn++) {
		if (!(pfn % 512))
			st->leaves++;
		st->entries++;
		e = READ_ONCE(d->p2m[pfn]);
		if (e == P2MO_INVALID_ENTRY || !(e & P2MO_FOREIGN_FRAME_BIT))
			continue;
		st->foreign++;
		ret = fn(arg, pfn, e & ~P2MO_FRAME_BITS);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct p2mo_backend_ops p2mo_sim_ops = {
	.p2m_read = p2mo_sim_p2m_read,
	.m2p_read = p2mo_sim_m2p_read,
	.pfn_of = p2mo_sim_page_to_pfn,
	.map_refs = p2mo_sim_map_refs,
	.unmap_refs = p2mo_sim_unmap_refs,
	.foreign_scan = p2mo_sim_foreign_scan,
};

/**
 * p2mo_sim_machine_create() - a machine with no domain yet
 * @nr_mfns:    its frames
 * @nr_handles: how many grant mappings may be live at once
 *
 * Return: the machine, or NULL.
 */
struct p2mo_sim_machine *p2mo_sim_machine_create(unsigned long nr_mfns,
						 unsigned int nr_handles)
{
	struct p2mo_sim_machine *m;
	unsigned long i;

	if (!nr_mfns || nr_mfns >= P2MO_IDENTITY_FRAME_BIT || !nr_handles)
		return NULL;
	m = p2mo_kvcalloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->m2p = p2mo_kvcalloc(nr_mfns, sizeof(*m->m2p));
	m->handles = p2mo_kvcalloc(nr_handles, sizeof(*m->handles));
	if (!m->m2p || !m->handles) {
		p2mo_kvfree(m->handles);
		p2mo_kvfree(m->m2p);
		p2mo_kvfree(m);
		return NULL;
	}
	for (i = 0; i < nr_mfns; i++)
		m->m2p[i] = P2MO_INVALID_ENTRY;
	m->nr_mfns = nr_mfns;
	m->next_mfn = nr_mfns;
	m->nr_handles = nr_handles;
	p2mo_lock_init(&m->lock, P2MO_LEVEL_SIM_MACHINE, &p2mo_sim_machine_key,
		       "p2mo_sim_machine");
	return m;
}

static void p2mo_sim_domain_free(struct p2mo_sim_domain *d)
{
	p2mo_kvfree(d->grants);
	p2mo_kvfree(d->pages);
	p2mo_kvfree(d->p2m);
	p2mo_kvfree(d);
}

void p2mo_sim_machine_destroy(struct p2mo_sim_machine *m)
{
	unsigned int i;

	if (!m)
		return;
	for (i = 0; i < P2MO_SIM_MAX_DOMAINS; i++)
		if (m->doms[i])
			p2mo_sim_domain_free(m->doms[i]);
	p2mo_kvfree(m->handles);
	p2mo_kvfree(m->m2p);
	p2mo_kvfree(m);
}

static void p2mo_sim_populate(struct p2mo_sim_domain *d,
			      unsigned long nr_populated)
{
	unsigned long pfn;

	for (pfn = 0; pfn < d->nr_pfns; pfn++) {
		unsigned long mfn = P2MO_INVALID_ENTRY;

		if (pfn < nr_populated) {
			mfn = --d->m->next_mfn;
			d->m->m2p[mfn] = pfn;
		}
		d->p2m[pfn] = mfn;
	}
}

/**
 * p2mo_sim_domain_create() - add a domain to a machine
 * @m:            the machine
 * @domid:        its id, below P2MO_SIM_MAX_DOMAINS, unused
 * @nr_pfns:      its pfns
 * @nr_populated: pfns [0, nr_populated) get frames; the rest are
 *                ballooned (invalid p2m), where grants can be mapped
 * @nr_grants:    size of its grant table
 *
 * Return: the domain, or NULL (bad id, no frames left, no memory).
 */
struct p2mo_sim_domain *p2mo_sim_domain_create(struct p2mo_sim_machine *m,
					       domid_t domid,
					       unsigned long nr_pfns,
					       unsigned long nr_populated,
					       unsigned int nr_grants)
{
	struct p2mo_sim_domain *d;

	if (domid >= P2MO_SIM_MAX_DOMAINS || m->doms[domid] ||
	    !nr_pfns || nr_populated > nr_pfns || nr_populated > m->next_mfn ||
	    nr_pfns >= P2MO_IDENTITY_FRAME_BIT)
		return NULL;
	d = p2mo_kvcalloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->p2m = p2mo_kvcalloc(nr_pfns, sizeof(*d->p2m));
	d->pages = p2mo_kvcalloc(nr_pfns, sizeof(*d->pages));
	d->grants = p2mo_kvcalloc(nr_grants ?: 1, sizeof(*d->grants));
	if (!d->p2m || !d->pages || !d->grants) {
		p2mo_sim_domain_free(d);
		return NULL;
	}
	d->m = m;
	d->domid = domid;
	d->nr_pfns = nr_pfns;
	d->nr_grants = nr_grants;
	p2mo_lock_init(&d->grant_lock, P2MO_LEVEL_SIM_GRANT,
		       &p2mo_sim_grant_key, "p2mo_sim_grant");
	p2mo_lock_init(&d->p2m_lock, P2MO_LEVEL_SIM_P2M, &p2mo_sim_p2m_key,
		       "p2mo_sim_p2m");
	p2mo_sim_populate(d, nr_populated);
	d->be = (struct p2mo_backend) {
		.ops = &p2mo_sim_ops, .name = "sim",
		.p2m = d->p2m, .m2p = m->m2p,
		.max_pfn = nr_pfns, .max_mfn = m->nr_mfns,
	};
	m->doms[domid] = d;
	return d;
}

/**
 * p2mo_sim_grant() - grant domain @to access to the frame of @pfn
 * @d:   the granting domain
 * @to:  the grantee (may be @d itself)
 * @pfn: a populated pfn of @d
 *
 * Return: the grant reference, -EINVAL (pfn not populated), -ENOSPC.
 */
int p2mo_sim_grant(struct p2mo_sim_domain *d, domid_t to, unsigned long pfn)
{
	unsigned long flags, e;
	unsigned int ref;
	int ret = -ENOSPC;

	e = pfn < d->nr_pfns ? READ_ONCE(d->p2m[pfn]) : P2MO_INVALID_ENTRY;
	if (e == P2MO_INVALID_ENTRY || (e & P2MO_FRAME_BITS))
		return -EINVAL;
	flags = p2mo_lock(&d->grant_lock);
	for (ref = 0; ref < d->nr_grants; ref++) {
		struct p2mo_sim_grant *g = &d->grants[ref];

		if (g->in_use)
			continue;
		*g = (struct p2mo_sim_grant) { .pfn = pfn, .to = to,
					       .in_use = true };
		ret = ref;
		break;
	}
	p2mo_unlock(&d->grant_lock, flags);
	return ret;
}

/**
 * p2mo_sim_end_grant() - revoke a grant
 * @d:   the granting domain
 * @ref: the grant
 *
 * Return: 0, -EINVAL (no such grant), -EBUSY (still mapped).
 */
int p2mo_sim_end_grant(struct p2mo_sim_domain *d, grant_ref_t ref)
{
	unsigned long flags;
	int ret = 0;

	flags = p2mo_lock(&d->grant_lock);
	if (ref >= d->nr_grants || !d->grants[ref].in_use)
		ret = -EINVAL;
	else if (d->grants[ref].maps)
		ret = -EBUSY;
	else
		d->grants[ref].in_use = false;
	p2mo_unlock(&d->grant_lock, flags);
	return ret;
}

struct page *p2mo_sim_page(struct p2mo_sim_domain *d, unsigned long pfn)
{
	return pfn < d->nr_pfns ? &d->pages[pfn] : NULL;
}

/* The host address a test puts in a map op for @pfn. */
u64 p2mo_sim_addr(unsigned long pfn)
{
	return (u64)pfn << PAGE_SHIFT;
}

void p2mo_sim_fail_op(struct p2mo_sim_machine *m, int nth, s16 status)
{
	m->fail_status = status;
	atomic_set(&m->fail_op, nth);
}

void p2mo_sim_fail_call(struct p2mo_sim_machine *m, int err)
{
	m->fail_call = err;
}

/* The next kmap (or kunmap) hypercall of a batch fails with @err. */
void p2mo_sim_fail_second_call(struct p2mo_sim_machine *m, int err)
{
	m->fail_second_call = err;
}

/**
 * p2mo_sim_p2m_poke() - write a domain's p2m entry behind everyone's back
 * @d:   the domain
 * @pfn: the pfn
 * @val: its new raw entry
 *
 * For tests: what the kernel's p2m does when the module is not told
 * (a grant mapped before the module loaded, a lost probe event).
 *
 * Return: 0, or -EINVAL out of range.
 */
int p2mo_sim_p2m_poke(struct p2mo_sim_domain *d, unsigned long pfn,
		      unsigned long val)
{
	return p2mo_sim_p2m_write(&d->be, pfn, val);
}
