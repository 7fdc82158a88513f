/* SPDX-License-Identifier: GPL-2.0 */
/* Probes that keep off ftrace sites (retprobe.c, Xen PV only). */
#ifndef _P2MO_RETPROBE_H
#define _P2MO_RETPROBE_H

#include <linux/kprobes.h>

/**
 * struct p2mo_retprobe - a kretprobe fired from a kprobe past the ftrace NOP
 * @rp:   the kretprobe: the caller sets rp.kp.symbol_name, the handlers,
 *        data_size and maxactive; it is registered disabled
 * @fire: the kprobe at the same symbol + MCOUNT_INSN_SIZE that fires it
 *
 * Nothing is armed on the function's ftrace NOP (see retprobe.c).
 */
struct p2mo_retprobe {
	struct kretprobe rp;
	struct kprobe fire;
};

int p2mo_kprobe_register_past_fentry(struct kprobe *kp, const char *sym,
				     kprobe_pre_handler_t pre);
int p2mo_retprobe_register(struct p2mo_retprobe *p);
void p2mo_retprobe_unregister(struct p2mo_retprobe *p);

/* Calls it did not follow: no instance free, or another probe running. */
static inline unsigned long
p2mo_retprobe_missed(const struct p2mo_retprobe *p)
{
	return p->rp.nmissed + p->fire.nmissed;
}

#endif /* _P2MO_RETPROBE_H */
