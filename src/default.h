/* SPDX-License-Identifier: GPL-2.0 */
/* The tables of the domain the module runs in (default.c). */
#ifndef _P2MO_DEFAULT_H
#define _P2MO_DEFAULT_H

#include "m2p.h"

/* NULL with backend=none */
extern struct p2mo_table *p2mo_default;

int p2mo_default_init(void);
void p2mo_default_uninit(void);

#endif /* _P2MO_DEFAULT_H */
