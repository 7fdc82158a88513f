/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _P2MO_HOOKS_H
#define _P2MO_HOOKS_H

#include <linux/list.h>

/* A grant call of our own in flight: the hooks leave it alone. */
struct p2mo_self_call {
	struct list_head node;
	const void *ops;
};

void p2mo_hooks_self_enter(struct p2mo_self_call *c);
void p2mo_hooks_self_exit(struct p2mo_self_call *c);

#endif /* _P2MO_HOOKS_H */
