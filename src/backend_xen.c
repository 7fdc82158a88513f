// SPDX-License-Identifier: GPL-2.0
/*
 * The Xen PV backend: the kernel's real p2m and m2p, read only, and the
 * kernel's grant map/unmap.  The kernel's p2m is never written: Linux
 * 6.1 does not export set_phys_to_machine(), and FOREIGN tags live in the
 * module's p2m override table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/minmax.h>
#include <xen/xen.h>
#include <xen/page.h>
#include <xen/grant_table.h>
#include <asm/xen/page.h>
#include "hooks.h"
#include "xen.h"

static_assert(P2MO_FOREIGN_FRAME_BIT == FOREIGN_FRAME_BIT);
static_assert(P2MO_IDENTITY_FRAME_BIT == IDENTITY_FRAME_BIT);
static_assert(P2MO_INVALID_ENTRY == INVALID_P2M_ENTRY);

/* As __pfn_to_mfn(), with a read that cannot fault. */
static unsigned long p2mo_xen_p2m_read(struct p2mo_backend *be,
				       unsigned long pfn)
{
	unsigned long v;

	if (pfn >= xen_p2m_size)
		return pfn < xen_max_p2m_pfn ? get_phys_to_machine(pfn) :
					       IDENTITY_FRAME(pfn);
	if (xen_safe_read_ulong(&xen_p2m_addr[pfn], &v))
		return INVALID_P2M_ENTRY;
	if (v == INVALID_P2M_ENTRY)
		return get_phys_to_machine(pfn);
	return v;
}

static unsigned long p2mo_xen_m2p_read(struct p2mo_backend *be,
				       unsigned long mfn)
{
	return mfn_to_pfn_no_overrides(mfn);
}

static int p2mo_xen_p2m_write(struct p2mo_backend *be, unsigned long pfn,
			      unsigned long val)
{
	return -EPERM;
}

static unsigned long p2mo_xen_page_to_pfn(struct p2mo_backend *be,
					  struct page *page)
{
	return page_to_pfn(page);
}

/* Our own calls are marked so that the hooks do not track them twice. */
static int p2mo_xen_map_refs(struct p2mo_backend *be,
			     struct gnttab_map_grant_ref *map_ops,
			     struct gnttab_map_grant_ref *kmap_ops,
			     struct page **pages, unsigned int count)
{
	struct p2mo_self_call self = { .ops = map_ops };
	int ret;

	p2mo_hooks_self_enter(&self);
	ret = gnttab_map_refs(map_ops, kmap_ops, pages, count);
	p2mo_hooks_self_exit(&self);
	return ret;
}

static int p2mo_xen_unmap_refs(struct p2mo_backend *be,
			       struct gnttab_unmap_grant_ref *unmap_ops,
			       struct gnttab_unmap_grant_ref *kunmap_ops,
			       struct page **pages, unsigned int count)
{
	struct p2mo_self_call self = { .ops = unmap_ops };
	int ret;

	p2mo_hooks_self_enter(&self);
	ret = gnttab_unmap_refs(unmap_ops, kunmap_ops, pages, count);
	p2mo_hooks_self_exit(&self);
	return ret;
}

static const struct p2mo_backend_ops p2mo_xen_ops = {
	.p2m_read = p2mo_xen_p2m_read,
	.m2p_read = p2mo_xen_m2p_read,
	.p2m_write = p2mo_xen_p2m_write,
	.pfn_of = p2mo_xen_page_to_pfn,
	.map_refs = p2mo_xen_map_refs,
	.unmap_refs = p2mo_xen_unmap_refs,
};

static struct p2mo_backend p2mo_xen_be = {
	.ops = &p2mo_xen_ops,
	.name = "xen",
};

bool p2mo_xen_available(void)
{
	return xen_pv_domain();
}

struct p2mo_backend *p2mo_xen_backend(void)
{
	p2mo_xen_be.max_pfn = max(xen_p2m_size, xen_max_p2m_pfn);
	p2mo_xen_be.max_mfn = machine_to_phys_nr;
	/*
	 * A whole-p2m scan takes minutes under emulation; grant pages sit
	 * just above RAM, as the harness measured: bound it there.
	 */
	p2mo_xen_be.scan_pfns = min(xen_p2m_size,
				    2 * xen_start_info->nr_pages + 0x1000);
	return &p2mo_xen_be;
}
