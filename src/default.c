// SPDX-License-Identifier: GPL-2.0
/* The tables of the domain the module runs in, over the chosen backend. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/printk.h>
#include <linux/string.h>
#include "alloc.h"
#include "default.h"
#include "params.h"
#include "sim.h"
#include "backend_xen.h"

struct p2mo_table *p2mo_default;
static struct p2mo_table p2mo_default_table;
static struct p2mo_sim_machine *p2mo_default_sim;

/* backend=sim: one domain, half populated, to try the module anywhere. */
static struct p2mo_backend *p2mo_sim_default(void)
{
	struct p2mo_sim_domain *d;

	p2mo_default_sim = p2mo_sim_machine_create(1UL << 17, 4096);
	if (!p2mo_default_sim)
		return NULL;
	d = p2mo_sim_domain_create(p2mo_default_sim, 0, 1UL << 16, 1UL << 15,
				   1024);
	if (!d) {
		p2mo_sim_machine_destroy(p2mo_default_sim);
		p2mo_default_sim = NULL;
		return NULL;
	}
	return &d->be;
}

/* Return: the backend; NULL with *err = 0 for "none". */
static struct p2mo_backend *p2mo_pick_backend(int *err)
{
	const char *b = p2mo_param_backend;

	*err = 0;
	if (!strcmp(b, "none"))
		return NULL;
	if (!strcmp(b, "sim")) {
		*err = -ENOMEM;
		return p2mo_sim_default();
	}
	if (p2mo_xen_available())
		return p2mo_xen_backend();
	if (!strcmp(b, "auto") && !IS_MODULE(CONFIG_P2M_OVERRIDE)) {
		pr_info("not a Xen PV domain: core only (backend=none)\n");
		return NULL;
	}
	pr_err("not a Xen PV domain; load with backend=sim to use the simulated machine\n");
	*err = -ENODEV;
	return NULL;
}

int p2mo_default_init(void)
{
	struct p2mo_params params = {
		.m2p_bits = p2mo_param_hash_bits,
		.p2m_bits = p2mo_param_hash_bits,
		.lock_bits = p2mo_param_lock_bits,
	};
	struct p2mo_backend *be;
	int err;

	be = p2mo_pick_backend(&err);
	if (!be)
		return err;
	err = p2mo_table_init(&p2mo_default_table, be, &params);
	if (err) {
		p2mo_sim_machine_destroy(p2mo_default_sim);
		p2mo_default_sim = NULL;
		return err;
	}
	p2mo_default = &p2mo_default_table;
	pr_info("backend %s, %u hash buckets per table\n", be->name,
		1U << params.m2p_bits);
	return 0;
}

void p2mo_default_uninit(void)
{
	unsigned long n;

	if (!p2mo_default)
		return;
	n = p2mo_table_drain(p2mo_default);
	if (n)
		pr_warn("unload: dropped %lu live overrides\n", n);
	if (p2mo_table_uninit(p2mo_default))
		pr_err("unload: override tables not empty, memory leaked\n");
	p2mo_default = NULL;
	p2mo_sim_machine_destroy(p2mo_default_sim);
	p2mo_default_sim = NULL;
}
