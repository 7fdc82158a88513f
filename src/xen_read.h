/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Xen PV's own p2m and m2p, read inline.
 *
 * What the Xen backend's p2m_read/m2p_read/pfn_of ops do, for the paths
 * that run on every grant map and unmap (the hooks, the slow lookups and
 * the add's local-owner test): there an indirect call per read, a
 * retpoline on Debian's kernel, was a large part of the hooks' time
 * (Documentation/benchmark.rst).  backend.h calls these when the backend
 * says it is Xen PV's (p2mo_backend.xen_pv); backend_xen.c's ops are
 * built on them, so both read the same way.
 */
#ifndef _P2MO_XEN_READ_H
#define _P2MO_XEN_READ_H

#ifdef CONFIG_XEN_PV
#include <asm/xen/page.h>

/* As __pfn_to_mfn(), with a read that cannot fault.  Any context. */
static __always_inline unsigned long p2mo_xen_p2m_entry(unsigned long pfn)
{
	unsigned long v;

	if (unlikely(pfn >= xen_p2m_size))
		return pfn < xen_max_p2m_pfn ? get_phys_to_machine(pfn) :
					       IDENTITY_FRAME(pfn);
	if (unlikely(xen_safe_read_ulong(&xen_p2m_addr[pfn], &v)))
		return INVALID_P2M_ENTRY;
	if (unlikely(v == INVALID_P2M_ENTRY))
		return get_phys_to_machine(pfn);
	return v;
}

/* The kernel's m2p, without its own override of the 3.x days.  Any context. */
static __always_inline unsigned long p2mo_xen_m2p_entry(unsigned long mfn)
{
	return mfn_to_pfn_no_overrides(mfn);
}
#endif /* CONFIG_XEN_PV */

#endif /* _P2MO_XEN_READ_H */
