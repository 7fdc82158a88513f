// SPDX-License-Identifier: GPL-2.0
/*
 * p2mo_sample: a backend that maps grants through the p2m-override API
 * (include/p2m_override.h) instead of gnttab_map_refs().  At load, in a
 * PV dom0, it grants a page to itself, maps it twice with p2mo_map_refs(),
 * checks what the API answers, unmaps, checks again, and prints
 * "p2mo_sample: passed" or "p2mo_sample: FAILED <what>".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <xen/xen.h>
#include <xen/page.h>
#include <xen/grant_table.h>
#include <asm/xen/page.h>
#include "p2m_override.h"

#define NR_MAPS	2

struct sample {
	struct page *front, *back[NR_MAPS];
	unsigned long fpfn, mfn;
	struct gnttab_map_grant_ref map[NR_MAPS];
	struct gnttab_unmap_grant_ref unmap[NR_MAPS];
	int ref;
};

static const char *sample_mapped(struct sample *s)
{
	unsigned long pfns[NR_MAPS + 1];
	unsigned long lo = min(page_to_pfn(s->back[0]), page_to_pfn(s->back[1]));

	if (p2mo_mfn_to_pfn(s->mfn) != lo)
		return "mfn_to_pfn is not the lowest backend pfn";
	if (p2mo_find_overrides(s->mfn, pfns, ARRAY_SIZE(pfns)) != NR_MAPS)
		return "reverse map does not hold both mappings";
	if (p2mo_get_phys_to_machine(s->fpfn) != FOREIGN_FRAME(s->mfn))
		return "frontend pfn not FOREIGN-tagged";
	if (p2mo_pfn_to_mfn(page_to_pfn(s->back[0])) != s->mfn)
		return "backend pfn does not show the frame";
	return NULL;
}

static const char *sample_restored(struct sample *s)
{
	if (p2mo_mfn_to_pfn(s->mfn) != s->fpfn)
		return "mfn_to_pfn not back to the frontend pfn";
	if (p2mo_find_overrides(s->mfn, NULL, 0) != 0)
		return "overrides left";
	if (p2mo_get_phys_to_machine(s->fpfn) != s->mfn)
		return "frontend tag left";
	return NULL;
}

static const char *sample_run(struct sample *s)
{
	const char *why;
	int i;

	for (i = 0; i < NR_MAPS; i++)
		gnttab_set_map_op(&s->map[i],
				  (unsigned long)pfn_to_kaddr(page_to_pfn(s->back[i])),
				  GNTMAP_host_map, s->ref, 0);
	if (p2mo_map_refs(s->map, NULL, s->back, NR_MAPS))
		return "p2mo_map_refs failed";
	why = sample_mapped(s);
	for (i = 0; i < NR_MAPS; i++)
		gnttab_set_unmap_op(&s->unmap[i], s->map[i].host_addr,
				    GNTMAP_host_map, s->map[i].handle);
	if (p2mo_unmap_refs(s->unmap, NULL, s->back, NR_MAPS))
		return why ?: "p2mo_unmap_refs failed";
	return why ?: sample_restored(s);
}

static int __init p2mo_sample_init(void)
{
	struct sample s = { };
	const char *why = "no memory";

	if (!xen_initial_domain())
		return -ENODEV;
	s.front = alloc_page(GFP_KERNEL);
	if (!s.front)
		goto out;
	s.fpfn = page_to_pfn(s.front);
	s.mfn = pfn_to_mfn(s.fpfn);
	s.ref = gnttab_grant_foreign_access(0, xen_page_to_gfn(s.front), 0);
	why = "grant failed";
	if (s.ref < 0)
		goto out_page;
	why = "no grant pages";
	if (gnttab_alloc_pages(NR_MAPS, s.back))
		goto out_grant;
	why = sample_run(&s);
	gnttab_free_pages(NR_MAPS, s.back);
out_grant:
	gnttab_end_foreign_access(s.ref, NULL);
out_page:
	__free_page(s.front);
out:
	if (why)
		pr_err("FAILED %s\n", why);
	else
		pr_info("passed\n");
	return 0;
}

static void __exit p2mo_sample_exit(void)
{
}

module_init(p2mo_sample_init);
module_exit(p2mo_sample_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Sample backend mapping grants through the p2m-override API");
MODULE_VERSION("0.1.0");
MODULE_IMPORT_NS(P2M_OVERRIDE);
