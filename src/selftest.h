/* SPDX-License-Identifier: GPL-2.0 */
/* The in-dom0 grant self-test (selftest.c, Xen PV only). */
#ifndef _P2MO_SELFTEST_H
#define _P2MO_SELFTEST_H

#include <linux/errno.h>
#include "table.h"

#ifdef CONFIG_XEN_PV
int p2mo_xen_selftest(struct p2mo_table *t);
#else
static inline int p2mo_xen_selftest(struct p2mo_table *t) { return -ENODEV; }
#endif

#endif /* _P2MO_SELFTEST_H */
