// SPDX-License-Identifier: GPL-2.0
/* Module parameters, each range-checked with a clear error when set. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include "params.h"
#include "table.h"

char p2mo_param_backend[8] = "auto";
bool p2mo_param_hooks = true;
bool p2mo_param_selftest;
bool p2mo_param_adopt = true;
bool p2mo_param_hook_timing;
unsigned int p2mo_param_repair_ms = 1000;
unsigned int p2mo_param_hash_bits = 12;
unsigned int p2mo_param_lock_bits = 8;

static const char * const p2mo_backends[] = { "auto", "xen", "sim", "none" };

static int p2mo_backend_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(p2mo_backends, val);

	if (i < 0) {
		pr_err("backend=%s: use auto, xen, sim or none\n", val);
		return -EINVAL;
	}
	strscpy(p2mo_param_backend, p2mo_backends[i],
		sizeof(p2mo_param_backend));
	return 0;
}

const struct kernel_param_ops p2mo_backend_ops = {
	.set = p2mo_backend_set,
	.get = param_get_string,
};

static struct kparam_string p2mo_backend_kps = {
	.maxlen = sizeof(p2mo_param_backend),
	.string = p2mo_param_backend,
};

module_param_cb(backend, &p2mo_backend_ops, &p2mo_backend_kps, 0444);
MODULE_PARM_DESC(backend,
		 "auto (xen on a PV domain), xen, sim (simulated machine) or none");

static int p2mo_bits_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err || v < P2MO_MIN_BITS || v > P2MO_MAX_BITS) {
		pr_err("%s=%s: must be %u..%u\n", kp->name, val,
		       P2MO_MIN_BITS, P2MO_MAX_BITS);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = v;
	return 0;
}

const struct kernel_param_ops p2mo_bits_ops = {
	.set = p2mo_bits_set,
	.get = param_get_uint,
};

module_param_cb(hash_bits, &p2mo_bits_ops, &p2mo_param_hash_bits, 0444);
MODULE_PARM_DESC(hash_bits, "log2 of the override hash buckets (4..24, default 12)");
module_param_cb(lock_bits, &p2mo_bits_ops, &p2mo_param_lock_bits, 0444);
MODULE_PARM_DESC(lock_bits, "log2 of the bucket lock stripes (4..24, default 8)");

module_param_named(hooks, p2mo_param_hooks, bool, 0444);
MODULE_PARM_DESC(hooks,
		 "follow the kernel's gnttab_map_refs/gnttab_unmap_refs (xen backend; default on)");
module_param_named(selftest, p2mo_param_selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "run the grant self-test at load (default off)");
module_param_named(adopt, p2mo_param_adopt, bool, 0444);
MODULE_PARM_DESC(adopt,
		 "at load, adopt every grant mapping the real p2m holds already (default on)");
module_param_named(hook_timing, p2mo_param_hook_timing, bool, 0444);
MODULE_PARM_DESC(hook_timing,
		 "time the hooks and the grant calls around them, debugfs hook_times (xen backend; for measurements; default off)");

static int p2mo_repair_ms_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err || (v && (v < 10 || v > 3600000))) {
		pr_err("repair_ms=%s: 0 (off) or 10..3600000\n", val);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = v;
	return 0;
}

static const struct kernel_param_ops p2mo_repair_ms_ops = {
	.set = p2mo_repair_ms_set,
	.get = param_get_uint,
};

module_param_cb(repair_ms, &p2mo_repair_ms_ops, &p2mo_param_repair_ms, 0444);
MODULE_PARM_DESC(repair_ms,
		 "how often to look for lost hook events and repair the tables from the real p2m, ms (0: never; default 1000)");
