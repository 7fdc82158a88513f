// SPDX-License-Identifier: GPL-2.0
/*
 * Probes that keep off ftrace sites.
 *
 * On a kernel built with ftrace, a kprobe at a function's entry is an
 * ftrace probe: arming or disarming it patches the function's 5-byte
 * ftrace NOP.  Doing that while blkback called the function (module
 * reload under I/O) crashed dom0 three times; the one read with symbols
 * was a return to 0 from the ftrace trampoline after the probe's handler
 * had run (Documentation/testing.rst, 2026-12-03).  Nothing here is armed
 * there:
 *
 * - a plain kprobe goes just past the NOP (+MCOUNT_INSN_SIZE), where
 *   nothing has run and the arguments are in their registers; an int3
 *   probe, jump-optimized by the kernel;
 * - a kretprobe can only be registered at the entry, so it is registered
 *   disabled (never armed, the NOP never patched) and fired from such a
 *   kprobe: register_kretprobe() made its kp.pre_handler the kernel's
 *   pre_handler_kretprobe(), which takes an instance, runs the entry
 *   handler and hooks the return address at regs->sp.  At +5 regs->sp is
 *   what it is at the entry (the NOP pushes nothing), so the trampoline,
 *   the instance pool and unregister_kretprobe() work as for any
 *   kretprobe.
 */
#include <linux/ftrace.h>
#include <linux/string.h>
#include "retprobe.h"

/**
 * p2mo_kprobe_register_past_fentry() - a plain kprobe past the ftrace NOP
 * @kp:  the kprobe, cleared and filled here
 * @sym: the function
 * @pre: its pre_handler
 *
 * No fallback to the entry: that is the ftrace site.  Context: process,
 * may sleep.
 *
 * Return: 0 or register_kprobe()'s error (-EILSEQ if +5 is not an
 * instruction boundary: a kernel without ftrace).
 */
int p2mo_kprobe_register_past_fentry(struct kprobe *kp, const char *sym,
				     kprobe_pre_handler_t pre)
{
	memset(kp, 0, sizeof(*kp));
	kp->symbol_name = sym;
	kp->pre_handler = pre;
	kp->offset = MCOUNT_INSN_SIZE;
	return register_kprobe(kp);
}

/* At sym+5: the kretprobe's own entry path, by hand. */
static int p2mo_retprobe_fire(struct kprobe *kp, struct pt_regs *regs)
{
	struct p2mo_retprobe *p = container_of(kp, struct p2mo_retprobe, fire);

	return p->rp.kp.pre_handler(&p->rp.kp, regs);
}

/**
 * p2mo_retprobe_register() - the disabled kretprobe, then the kprobe that
 * fires it
 * @p: the probe, @p->rp set up by the caller
 *
 * Context: process, may sleep.
 *
 * Return: 0, -EINVAL, or the error of register_kretprobe() or
 * register_kprobe(); nothing stays registered on error.
 */
int p2mo_retprobe_register(struct p2mo_retprobe *p)
{
	int err;

	p->rp.kp.flags = KPROBE_FLAG_DISABLED;
	err = register_kretprobe(&p->rp);
	if (err)
		return err;
	if (WARN_ON_ONCE(!p->rp.kp.pre_handler)) {
		err = -EINVAL;
		goto err_kretprobe;
	}
	err = p2mo_kprobe_register_past_fentry(&p->fire, p->rp.kp.symbol_name,
					       p2mo_retprobe_fire);
	if (err)
		goto err_kretprobe;
	return 0;

err_kretprobe:
	unregister_kretprobe(&p->rp);
	return err;
}

/**
 * p2mo_retprobe_unregister() - undo p2mo_retprobe_register()
 * @p: the probe
 *
 * No new call is hooked once the kprobe is gone; calls hooked already
 * return through the kernel's trampoline, which stops calling the
 * handlers once unregister_kretprobe() has returned.  Context: process,
 * may sleep.
 */
void p2mo_retprobe_unregister(struct p2mo_retprobe *p)
{
	unregister_kprobe(&p->fire);
	unregister_kretprobe(&p->rp);
}
