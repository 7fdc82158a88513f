// SPDX-License-Identifier: GPL-2.0
/*
 * p2m-override: p2m/m2p override tables for Xen PV domains.
 *
 * Each part has an init/uninit pair; p2mo_init() calls them in order and
 * unwinds in exact reverse on failure, as p2mo_exit() does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include "debugfs.h"
#include "default.h"
#include "params.h"
#include "sync.h"
#include "hooks.h"
#include "hooktime.h"
#include "selftest.h"

static int p2mo_selftest_init(void)
{
	int err;

	if (!p2mo_param_selftest)
		return 0;
	err = p2mo_xen_selftest(p2mo_default);
	if (err)
		pr_err("selftest FAILED: %d\n", err);
	else
		pr_info("selftest passed\n");
	return err;
}

/* Repair state, then adoption of what is mapped already (hooks armed). */
static int p2mo_sync_start(struct p2mo_table *t)
{
	int err = p2mo_sync_init(t, p2mo_param_repair_ms, p2mo_hooks_missed);

	if (err || !p2mo_param_adopt)
		return err;
	err = p2mo_sync_adopt(t);
	if (err == -EOPNOTSUPP)
		err = 0;
	if (err)
		p2mo_sync_uninit(t);
	return err;
}

static int __init p2mo_init(void)
{
	int err;

	err = p2mo_caches_init();
	if (err)
		return err;
	err = p2mo_default_init();
	if (err)
		goto err_caches;
	if (!p2mo_default)
		return 0;	/* backend=none: the core only, for KUnit */
	err = p2mo_selftest_init();
	if (err)
		goto err_default;
	err = p2mo_hooktime_init();	/* hook_timing=1 only */
	if (err)
		goto err_default;
	if (p2mo_param_hooks) {
		err = p2mo_hooks_init(p2mo_default);
		if (err)
			goto err_hooktime;
	}
	err = p2mo_sync_start(p2mo_default);
	if (err)
		goto err_hooks;
	/* last: its files use the sync state, and go first on unload */
	p2mo_debugfs_init(p2mo_default);
	return 0;

err_hooks:
	p2mo_hooks_uninit();
err_hooktime:
	p2mo_hooktime_uninit();
err_default:
	p2mo_default_uninit();
err_caches:
	p2mo_caches_uninit();
	return err;
}

static void __exit p2mo_exit(void)
{
	p2mo_debugfs_uninit();
	if (p2mo_default)
		p2mo_sync_uninit(p2mo_default);
	p2mo_hooks_uninit();
	p2mo_hooktime_uninit();
	p2mo_default_uninit();
	p2mo_caches_uninit();
}

module_init(p2mo_init);
module_exit(p2mo_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("p2m-override developers");
MODULE_DESCRIPTION("Xen PV p2m/m2p override tables with FOREIGN tagging of locally shared frames");
MODULE_VERSION("0.1.0");
