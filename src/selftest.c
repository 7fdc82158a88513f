// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test in a PV dom0: grant a local page to ourselves, map it with
 * p2mo_table_map_refs() and check the four views (override-aware
 * mfn_to_pfn, FOREIGN tag, the kernel's own p2m, the data), unmap and
 * check all is restored; then the same page mapped three times at once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": selftest: " fmt

#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <xen/xen.h>
#include <xen/page.h>
#include <xen/grant_table.h>
#include <asm/xen/page.h>
#include "grant.h"
#include "selftest.h"

#define P2MO_ST_MAPS	3

struct p2mo_st {
	struct p2mo_table *t;
	struct page *src;		/* the frontend's page */
	unsigned long spfn, smfn;
	grant_ref_t ref;
	struct page *bk[P2MO_ST_MAPS];	/* the backend's grant pages */
	struct gnttab_map_grant_ref map[P2MO_ST_MAPS];
	long tags0, overrides0;
};

static int p2mo_st_check(bool ok, const char *what, int line)
{
	if (ok)
		return 0;
	pr_err("check failed: %s (line %d)\n", what, line);
	return -EIO;
}

/* 0 or -EIO, with the failed condition logged */
#define P2MO_ST_CHECK(cond) p2mo_st_check(cond, #cond, __LINE__)

static unsigned long p2mo_st_bpfn(struct p2mo_st *st, unsigned int i)
{
	return page_to_pfn(st->bk[i]);
}

static int p2mo_st_map(struct p2mo_st *st, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		gnttab_set_map_op(&st->map[i],
				  (unsigned long)pfn_to_kaddr(p2mo_st_bpfn(st, i)),
				  GNTMAP_host_map, st->ref, 0);
	return p2mo_table_map_refs(st->t, st->map, NULL, st->bk, n);
}

static int p2mo_st_unmap(struct p2mo_st *st, unsigned int i)
{
	struct gnttab_unmap_grant_ref unmap;

	gnttab_set_unmap_op(&unmap,
			    (unsigned long)pfn_to_kaddr(p2mo_st_bpfn(st, i)),
			    GNTMAP_host_map, st->map[i].handle);
	return p2mo_table_unmap_refs(st->t, &unmap, NULL, &st->bk[i], 1);
}

/* While mapped: every view says the backend page holds the frame. */
static int p2mo_st_check_mapped(struct p2mo_st *st, unsigned int first,
				unsigned int n)
{
	unsigned long pfns[P2MO_ST_MAPS], lowest = ULONG_MAX;
	unsigned int i;
	int err;

	for (i = first; i < first + n; i++)
		lowest = min(lowest, p2mo_st_bpfn(st, i));
	/* Several mappers: the answer is the lowest backend pfn. */
	err = P2MO_ST_CHECK(p2mo_table_mfn_to_pfn(st->t, st->smfn) == lowest);
	err = err ?: P2MO_ST_CHECK(p2mo_table_get_p2m(st->t, st->spfn) ==
				   FOREIGN_FRAME(st->smfn));
	err = err ?: P2MO_ST_CHECK(p2mo_live_tags(st->t) ==
				   st->tags0 + 1);
	err = err ?: P2MO_ST_CHECK(p2mo_m2p_find_all(st->t, st->smfn, pfns,
						     P2MO_ST_MAPS) == n);
	for (i = first; i < first + n && !err; i++) {
		/* the kernel's own p2m of the backend page */
		err = P2MO_ST_CHECK(get_phys_to_machine(p2mo_st_bpfn(st, i)) ==
				    FOREIGN_FRAME(st->smfn));
		err = err ?: P2MO_ST_CHECK(!memcmp(page_address(st->bk[i]),
						   page_address(st->src),
						   PAGE_SIZE));
	}
	return err;
}

static int p2mo_st_check_restored(struct p2mo_st *st)
{
	int err;

	err = P2MO_ST_CHECK(p2mo_table_mfn_to_pfn(st->t, st->smfn) == st->spfn);
	err = err ?: P2MO_ST_CHECK(p2mo_table_get_p2m(st->t, st->spfn) ==
				   st->smfn);
	err = err ?: P2MO_ST_CHECK(p2mo_live_tags(st->t) ==
				   st->tags0);
	err = err ?: P2MO_ST_CHECK(p2mo_live_overrides(st->t) ==
				   st->overrides0);
	err = err ?: P2MO_ST_CHECK(!p2mo_m2p_find_all(st->t, st->smfn, NULL,
						      0));
	return err;
}

static int p2mo_st_once(struct p2mo_st *st)
{
	int err = p2mo_st_map(st, 1);

	if (err)
		return err;
	err = p2mo_st_check_mapped(st, 0, 1);
	if (p2mo_st_unmap(st, 0))
		err = err ?: -EIO;
	return err ?: p2mo_st_check_restored(st);
}

/* Three mappings of one page; unmapped lowest first, the tag goes last. */
static int p2mo_st_three(struct p2mo_st *st)
{
	unsigned int i;
	int err = p2mo_st_map(st, P2MO_ST_MAPS);

	if (err)
		return err;
	err = p2mo_st_check_mapped(st, 0, P2MO_ST_MAPS);
	for (i = 0; i < P2MO_ST_MAPS; i++) {
		if (p2mo_st_unmap(st, i))
			err = err ?: -EIO;
		if (!err && i + 1 < P2MO_ST_MAPS)
			err = p2mo_st_check_mapped(st, i + 1,
						   P2MO_ST_MAPS - i - 1);
	}
	return err ?: p2mo_st_check_restored(st);
}

int p2mo_xen_selftest(struct p2mo_table *t)
{
	struct p2mo_st st = { .t = t };
	int ref, err;

	if (!xen_initial_domain())
		return -ENODEV;		/* we grant to domid 0: ourselves */
	st.src = alloc_page(GFP_KERNEL);
	if (!st.src)
		return -ENOMEM;
	memset(page_address(st.src), 0x5a, PAGE_SIZE);
	strscpy(page_address(st.src), "p2m-override selftest", 32);
	st.spfn = page_to_pfn(st.src);
	st.smfn = pfn_to_mfn(st.spfn);
	st.tags0 = p2mo_live_tags(t);
	st.overrides0 = p2mo_live_overrides(t);
	ref = gnttab_grant_foreign_access(0, xen_page_to_gfn(st.src), 0);
	if (ref < 0) {
		err = ref;
		goto out_page;
	}
	st.ref = ref;
	err = gnttab_alloc_pages(P2MO_ST_MAPS, st.bk);
	if (err)
		goto out_grant;
	err = p2mo_st_once(&st);
	if (!err)
		err = p2mo_st_three(&st);
	pr_info("frontend pfn %#lx mfn %#lx, backend pfns %#lx %#lx %#lx: %d\n",
		st.spfn, st.smfn, p2mo_st_bpfn(&st, 0), p2mo_st_bpfn(&st, 1),
		p2mo_st_bpfn(&st, 2), err);
	gnttab_free_pages(P2MO_ST_MAPS, st.bk);
out_grant:
	gnttab_end_foreign_access(st.ref, NULL);
out_page:
	__free_page(st.src);
	return err;
}
