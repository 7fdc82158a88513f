/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _P2MO_MAIN_H
#define _P2MO_MAIN_H

#include <linux/moduleparam.h>
#include "table.h"

/* The tables of the domain the module runs in; NULL with backend=none. */
extern struct p2mo_table *p2mo_default;

/* Module parameters (params.c), checked when set. */
extern char p2mo_param_backend[8];
extern bool p2mo_param_hooks;
extern bool p2mo_param_selftest;
extern bool p2mo_param_adopt;
extern unsigned int p2mo_param_repair_ms;
extern unsigned int p2mo_param_hash_bits;
extern unsigned int p2mo_param_lock_bits;

/* Their setters, which check ranges (params.c) */
extern const struct kernel_param_ops p2mo_backend_ops;
extern const struct kernel_param_ops p2mo_bits_ops;

int p2mo_default_init(void);
void p2mo_default_uninit(void);

#endif /* _P2MO_MAIN_H */
