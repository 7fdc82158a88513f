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
 * No probe sits on an ftrace site.  Both are plain (int3, then
 * jump-optimized) kprobes just past the function's 5-byte ftrace NOP,
 * where nothing has run yet and the arguments are in place.  Arming a
 * kprobe on the ftrace NOP itself while blkback called the function
 * (module reload under I/O) crashed dom0 three times, first with the
 * unmap probe there, then twice with the map kretprobe alone: a return
 * to 0 from the ftrace trampoline, the hijacked return address on the
 * stack, the probed function's arguments still in their registers.
 *
 * A kretprobe must be registered at the entry, which is the ftrace site,
 * so the map kretprobe is registered disabled (never armed: the site is
 * never patched) and fired by hand from the kprobe at +5:
 * register_kretprobe() makes its kp.pre_handler the kernel's own
 * pre_handler_kretprobe(), which takes an instance, runs the entry
 * handler and hooks the return address at regs->sp, and regs->sp at +5
 * is what it is at the entry.  The kernel's trampoline, instance pool
 * and unregister path do the rest, as for any kretprobe.
 *
 * Handlers run in atomic context: GFP_ATOMIC, failures counted.  Lost
 * events (a probe hit while another kprobe handler runs on the CPU,
 * kretprobe instances run out, a failed add) are repaired by the sync
 * watch (sync.c), which reads p2mo_hooks_missed().  Calls the module
 * makes itself (p2mo_xen_is_self()) are skipped: the grant layer keeps
 * the tables in step for those on its own.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/string.h>
#include "backend_xen.h"
#include "grant.h"
#include "hooks.h"
#include "hooktime.h"
#include "p2mo_trace.h"

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

/* Registered disabled: fired from p2mo_map_fire(), see the top. */
static struct kretprobe p2mo_map_probe = {
	.kp.symbol_name = "set_foreign_p2m_mapping",
	.kp.flags = KPROBE_FLAG_DISABLED,
	.entry_handler = p2mo_map_entry,
	.handler = p2mo_map_return,
	.data_size = sizeof(struct p2mo_map_call),
	.maxactive = 64,
};

/* At set_foreign_p2m_mapping+5: the kretprobe's own entry path. */
static int p2mo_map_fire(struct kprobe *p, struct pt_regs *regs)
{
	return p2mo_map_probe.kp.pre_handler(&p2mo_map_probe.kp, regs);
}

static struct kprobe p2mo_map_fire_probe;

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
 * @kp at @sym just past the ftrace NOP, as a plain kprobe.  No fallback to
 * the entry: that is the ftrace site, where arming under I/O crashed dom0.
 */
static int p2mo_register_past_fentry(struct kprobe *kp, const char *sym,
				     kprobe_pre_handler_t pre)
{
	memset(kp, 0, sizeof(*kp));
	kp->symbol_name = sym;
	kp->pre_handler = pre;
	kp->offset = MCOUNT_INSN_SIZE;
	return register_kprobe(kp);
}

static int p2mo_register_unmap_probe(void)
{
	return p2mo_register_past_fentry(&p2mo_unmap_probe,
					 "clear_foreign_p2m_mapping",
					 p2mo_unmap_pre);
}

/* The disabled kretprobe, then the kprobe that fires it. */
static int p2mo_register_map_probes(void)
{
	int err = register_kretprobe(&p2mo_map_probe);

	if (err)
		return err;
	if (WARN_ON_ONCE(!p2mo_map_probe.kp.pre_handler)) {
		err = -EINVAL;
		goto err_kretprobe;
	}
	err = p2mo_register_past_fentry(&p2mo_map_fire_probe,
					"set_foreign_p2m_mapping",
					p2mo_map_fire);
	if (err)
		goto err_kretprobe;
	return 0;

err_kretprobe:
	unregister_kretprobe(&p2mo_map_probe);
	return err;
}

static void p2mo_unregister_map_probes(void)
{
	unregister_kprobe(&p2mo_map_fire_probe);
	unregister_kretprobe(&p2mo_map_probe);
}

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
	err = p2mo_register_unmap_probe();
	trace_p2mo_hook(p2mo_unmap_probe.symbol_name, true, err);
	if (err) {
		pr_err("cannot probe %s: %d\n", p2mo_unmap_probe.symbol_name,
		       err);
		goto err_table;
	}
	err = p2mo_register_map_probes();
	trace_p2mo_hook(p2mo_map_probe.kp.symbol_name, true, err);
	if (err) {
		pr_err("cannot probe %s: %d\n", p2mo_map_probe.kp.symbol_name,
		       err);
		goto err_unmap;
	}
	pr_info("following grant maps at %s+%u and unmaps at %s+%u\n",
		p2mo_map_fire_probe.symbol_name, p2mo_map_fire_probe.offset,
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
	p2mo_unregister_map_probes();
	trace_p2mo_hook(p2mo_map_probe.kp.symbol_name, false, 0);
	unregister_kprobe(&p2mo_unmap_probe);
	trace_p2mo_hook(p2mo_unmap_probe.symbol_name, false, 0);
	p2mo_hook_table = NULL;
	pr_info("grant hooks detached\n");
}

unsigned long p2mo_hooks_missed(void)
{
	if (!p2mo_hook_table)
		return 0;
	return p2mo_map_probe.nmissed + p2mo_map_fire_probe.nmissed +
	       p2mo_unmap_probe.nmissed;
}
