// SPDX-License-Identifier: GPL-2.0
/*
 * Following the kernel's own grant maps (stock xen-blkback and others).
 *
 * Every gnttab_map_refs() ends in set_foreign_p2m_mapping(), and every
 * unmap (gnttab_unmap_refs() and the _sync/_async variants built on it)
 * in clear_foreign_p2m_mapping().  Both live in arch/x86/xen/p2m.c, a
 * translation unit apart from their callers, so they are never inlined
 * away, and together they see every grant page the kernel maps:
 *
 * - kretprobe on set_foreign_p2m_mapping(): on return the p2m holds
 *   FOREIGN_FRAME(mfn) for every op whose status is okay: add overrides.
 * - kprobe on clear_foreign_p2m_mapping(): on entry the unmap hypercall
 *   has run (statuses are set) and the p2m still names each frame: drop
 *   the overrides of the ops that unmapped.
 *
 * Neither is armed on the function's ftrace NOP: the kprobe and the
 * kprobe that fires the kretprobe sit just past it (retprobe.c).
 *
 * Handlers run in atomic context: GFP_ATOMIC, failures counted.  Lost
 * events (a probe hit while another kprobe handler runs on the CPU,
 * kretprobe instances run out, a failed add) are repaired by the sync
 * watch (sync.c), which reads p2mo_hooks_missed().  Calls the module
 * makes itself (p2mo_xen_is_self()) are skipped: the grant layer keeps
 * the tables in step for those on its own.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include "backend_xen.h"
#include "grant.h"
#include "hooks.h"
#include "hooktime.h"
#include "p2mo_trace.h"
#include "retprobe.h"

static struct p2mo_table *p2mo_hook_table;

struct p2mo_map_call {
	struct gnttab_map_grant_ref *map_ops;
	struct gnttab_map_grant_ref *kmap_ops;
	struct page **pages;
	unsigned int count;
};

static int p2mo_map_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct p2mo_map_call *c = (struct p2mo_map_call *)ri->data;

	c->map_ops = (void *)regs_get_kernel_argument(regs, 0);
	c->kmap_ops = (void *)regs_get_kernel_argument(regs, 1);
	c->pages = (void *)regs_get_kernel_argument(regs, 2);
	c->count = regs_get_kernel_argument(regs, 3);
	/* Non-zero: no return handler for this call. */
	return p2mo_xen_is_self(c->map_ops);
}

static int p2mo_map_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct p2mo_map_call *c = (struct p2mo_map_call *)ri->data;
	u64 t0 = p2mo_hooktime_start();
	unsigned int done;

	/* the kmap hypercall failed: no p2m entry was set */
	if (p2mo_hook_call_failed(regs_return_value(regs)))
		return 0;
	done = p2mo_track_mapped(p2mo_hook_table, c->map_ops, c->kmap_ops,
				 c->pages, c->count);
	trace_p2mo_map_refs(c->count, done, true, 0);
	p2mo_hooktime_end(P2MO_HT_MAP, t0, c->count);
	return 0;
}

static struct p2mo_retprobe p2mo_map_probe = {
	.rp = {
		.kp.symbol_name = "set_foreign_p2m_mapping",
		.entry_handler = p2mo_map_entry,
		.handler = p2mo_map_return,
		.data_size = sizeof(struct p2mo_map_call),
		.maxactive = 64,
	},
};

static int p2mo_unmap_pre(struct kprobe *p, struct pt_regs *regs)
{
	u64 t0 = p2mo_hooktime_start();
	struct page **pages;
	unsigned int count, done;

	if (p2mo_xen_is_self((void *)regs_get_kernel_argument(regs, 0)))
		return 0;
	pages = (void *)regs_get_kernel_argument(regs, 2);
	count = regs_get_kernel_argument(regs, 3);
	done = p2mo_track_unmapped(p2mo_hook_table, pages, count);
	trace_p2mo_unmap_refs(count, done, true, 0);
	p2mo_hooktime_end(P2MO_HT_UNMAP, t0, count);
	return 0;
}

static struct kprobe p2mo_unmap_probe;

/*
 * The unmap probe is armed first: a grant mapped and unmapped while only
 * the map probe ran would stay in the tables.  The other way round, a
 * grant mapped before the map probe is armed is found by adoption, which
 * runs after both (p2mo_sync_adopt()).
 */
int p2mo_hooks_init(struct p2mo_table *t)
{
	int err;

	if (!t->be->kernel_grants)
		return 0;	/* nothing to follow on a simulated machine */
	p2mo_hook_table = t;
	err = p2mo_kprobe_register_past_fentry(&p2mo_unmap_probe,
					       "clear_foreign_p2m_mapping",
					       p2mo_unmap_pre);
	trace_p2mo_hook(p2mo_unmap_probe.symbol_name, true, err);
	if (err) {
		pr_err("cannot probe %s: %d\n", p2mo_unmap_probe.symbol_name,
		       err);
		goto err_table;
	}
	err = p2mo_retprobe_register(&p2mo_map_probe);
	trace_p2mo_hook(p2mo_map_probe.rp.kp.symbol_name, true, err);
	if (err) {
		pr_err("cannot probe %s: %d\n", p2mo_map_probe.rp.kp.symbol_name,
		       err);
		goto err_unmap;
	}
	pr_info("following grant maps at %s+%u and unmaps at %s+%u\n",
		p2mo_map_probe.fire.symbol_name, p2mo_map_probe.fire.offset,
		p2mo_unmap_probe.symbol_name, p2mo_unmap_probe.offset);
	return 0;

err_unmap:
	unregister_kprobe(&p2mo_unmap_probe);
err_table:
	p2mo_hook_table = NULL;
	return err;
}

void p2mo_hooks_uninit(void)
{
	if (!p2mo_hook_table)
		return;
	p2mo_retprobe_unregister(&p2mo_map_probe);
	trace_p2mo_hook(p2mo_map_probe.rp.kp.symbol_name, false, 0);
	unregister_kprobe(&p2mo_unmap_probe);
	trace_p2mo_hook(p2mo_unmap_probe.symbol_name, false, 0);
	p2mo_hook_table = NULL;
	pr_info("grant hooks detached\n");
}

unsigned long p2mo_hooks_missed(void)
{
	if (!p2mo_hook_table)
		return 0;
	return p2mo_retprobe_missed(&p2mo_map_probe) +
	       p2mo_unmap_probe.nmissed;
}
