// SPDX-License-Identifier: GPL-2.0
/* The exported API: the default tables of the domain we run in. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/printk.h>
#include <linux/export.h>
#include "p2m_override.h"
#include "grant.h"
#include "default.h"

/**
 * p2mo_map_refs() - gnttab_map_refs() that records an override per page
 * @map_ops:  as for gnttab_map_refs()
 * @kmap_ops: as for gnttab_map_refs(), may be NULL
 * @pages:    as for gnttab_map_refs()
 * @count:    number of ops, 1..4096
 *
 * All or nothing: on any error nothing stays mapped and no override is
 * left (ops that had mapped get GNTST_general_error).
 *
 * Context: process context, may sleep.
 * Return: 0; -ENODEV (no backend), -EINVAL, -ENOMEM, -EEXIST, -EIO (an op
 * failed), or the grant call's own error.
 */
int p2mo_map_refs(struct gnttab_map_grant_ref *map_ops,
		  struct gnttab_map_grant_ref *kmap_ops,
		  struct page **pages, unsigned int count)
{
	if (!p2mo_default)
		return -ENODEV;
	return p2mo_table_map_refs(p2mo_default, map_ops, kmap_ops, pages,
				   count);
}
EXPORT_SYMBOL_NS_GPL(p2mo_map_refs, P2M_OVERRIDE);

/**
 * p2mo_unmap_refs() - gnttab_unmap_refs() that drops the overrides
 * @unmap_ops:  as for gnttab_unmap_refs()
 * @kunmap_ops: as for gnttab_unmap_refs(), may be NULL
 * @pages:      as for gnttab_unmap_refs()
 * @count:      number of ops, 1..4096
 *
 * Context: process context, may sleep.
 * Return: 0; -ENODEV, -EINVAL, -ENOMEM (nothing done), -EIO (some op
 * failed and keeps its override), or the grant call's own error.
 */
int p2mo_unmap_refs(struct gnttab_unmap_grant_ref *unmap_ops,
		    struct gnttab_unmap_grant_ref *kunmap_ops,
		    struct page **pages, unsigned int count)
{
	if (!p2mo_default)
		return -ENODEV;
	return p2mo_table_unmap_refs(p2mo_default, unmap_ops, kunmap_ops,
				     pages, count);
}
EXPORT_SYMBOL_NS_GPL(p2mo_unmap_refs, P2M_OVERRIDE);

/**
 * p2mo_mfn_to_pfn() - override-aware mfn_to_pfn()
 * @mfn: a machine frame
 *
 * Context: any but NMI.  Takes rcu_read_lock(); a frame whose chain
 * writers keep changing is read with its m2p stripe held, so that an NMI
 * on the CPU of such a writer could deadlock.
 * Return: the m2p's pfn if it maps back to @mfn, else the lowest backend
 * pfn overriding @mfn, else @mfn for a 1:1 frame, else ~0UL.
 */
unsigned long p2mo_mfn_to_pfn(unsigned long mfn)
{
	if (!p2mo_default)
		return P2MO_INVALID_ENTRY;
	return p2mo_table_mfn_to_pfn(p2mo_default, mfn);
}
EXPORT_SYMBOL_NS_GPL(p2mo_mfn_to_pfn, P2M_OVERRIDE);

/**
 * p2mo_pfn_to_mfn() - override-aware pfn_to_mfn()
 * @pfn: a pfn of this domain
 *
 * Context: any; lockless.
 * Return: the frame, FOREIGN and IDENTITY bits stripped, or ~0UL.
 */
unsigned long p2mo_pfn_to_mfn(unsigned long pfn)
{
	if (!p2mo_default)
		return P2MO_INVALID_ENTRY;
	return p2mo_table_pfn_to_mfn(p2mo_default, pfn);
}
EXPORT_SYMBOL_NS_GPL(p2mo_pfn_to_mfn, P2M_OVERRIDE);

/**
 * p2mo_get_phys_to_machine() - override-aware raw p2m entry
 * @pfn: a pfn of this domain
 *
 * Context: any; lockless.
 * Return: the entry with its FOREIGN/IDENTITY bits, or ~0UL.
 */
unsigned long p2mo_get_phys_to_machine(unsigned long pfn)
{
	if (!p2mo_default)
		return P2MO_INVALID_ENTRY;
	return p2mo_table_get_p2m(p2mo_default, pfn);
}
EXPORT_SYMBOL_NS_GPL(p2mo_get_phys_to_machine, P2M_OVERRIDE);

/**
 * p2mo_find_overrides() - every backend pfn mapping @mfn (reverse map)
 * @mfn:  a machine frame
 * @pfns: filled with up to @max pfns, lowest first; may be NULL if @max is 0
 * @max:  room in @pfns
 *
 * Context: any but NMI, as p2mo_mfn_to_pfn().
 * Return: how many pfns map @mfn (may exceed @max), -EINVAL (@pfns NULL
 * with room), or -ENODEV.
 */
int p2mo_find_overrides(unsigned long mfn, unsigned long *pfns,
			unsigned int max)
{
	if (!p2mo_default)
		return -ENODEV;
	if (unlikely(!pfns && max)) {
		pr_warn_ratelimited("find_overrides: NULL array with room for %u\n",
				    max);
		return -EINVAL;
	}
	return p2mo_m2p_find_all(p2mo_default, mfn, pfns, max);
}
EXPORT_SYMBOL_NS_GPL(p2mo_find_overrides, P2M_OVERRIDE);
