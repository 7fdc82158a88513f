// SPDX-License-Identifier: GPL-2.0
/* The test-point hook (testpoint.h); test builds only. */
#include "testpoint.h"

p2mo_test_fn p2mo_test_hook;
void *p2mo_test_hook_arg;

/* Set (@fn) or clear (NULL) the hook; the caller owns the machine. */
void p2mo_test_hook_set(p2mo_test_fn fn, void *arg)
{
	WRITE_ONCE(p2mo_test_hook, NULL);
	p2mo_test_hook_arg = arg;
	WRITE_ONCE(p2mo_test_hook, fn);
}
