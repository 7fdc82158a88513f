/* SPDX-License-Identifier: GPL-2.0 */
/* Module parameters (params.c), each range-checked when set. */
#ifndef _P2MO_PARAMS_H
#define _P2MO_PARAMS_H

#include <linux/moduleparam.h>
#include <linux/types.h>

extern char p2mo_param_backend[8];
extern bool p2mo_param_hooks;
extern bool p2mo_param_selftest;
extern bool p2mo_param_adopt;
extern bool p2mo_param_hook_timing;
extern unsigned int p2mo_param_repair_ms;
extern unsigned int p2mo_param_hash_bits;
extern unsigned int p2mo_param_lock_bits;

/* Their setters, which check ranges */
extern const struct kernel_param_ops p2mo_backend_ops;
extern const struct kernel_param_ops p2mo_bits_ops;

#endif /* _P2MO_PARAMS_H */
