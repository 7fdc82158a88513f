// SPDX-License-Identifier: GPL-2.0
/*
 * Timing the hooks (hooktime.h), with hook_timing=1.
 *
 * A sample is one grant call: the ns of the gnttab_map_refs() or
 * gnttab_unmap_refs() call, from the entry handler of its kretprobe to
 * its return handler; the ns the module's own handler (hooks.c) spent
 * inside it; the pages of the batch.  The call's entry handler notes on
 * its CPU which task is in the call; the module's handler, which runs in
 * that call on the same CPU and task, leaves its time there, and the
 * return handler takes it.  A handler with no call noted around it (that
 * kretprobe missed) writes a sample of its own, with no call time; a
 * call with no handler inside (hooks=0, a call of the module's own, a
 * failed hypercall) has no hook time.
 *
 * What the handler figure leaves out: the kprobe and kretprobe machinery
 * that gets to the handlers, and the map probe's entry handler (two
 * argument reads and the self-call test).  The call figure includes both:
 * the difference of the call figures with hooks=1 and hooks=0 is all
 * the hooks cost.
 *
 * Rings are per CPU and kind, written by the probe handlers of their CPU
 * only (kprobe handlers do not nest on a CPU: a probe hit inside one is
 * missed), with preemption off.  A read or a reset while grants are being
 * mapped may see or lose the sample being written.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kprobes.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include "hooktime.h"
#include "retprobe.h"

#define P2MO_HT_SLOTS	8192		/* samples kept per CPU and kind */
#define P2MO_HT_NONE	U32_MAX		/* no such time in this sample */

struct p2mo_ht_sample {
	u32 call_ns;
	u32 hook_ns;
	u32 count;
};

struct p2mo_ht_ring {
	unsigned long head;		/* samples written since the reset */
	struct p2mo_ht_sample s[P2MO_HT_SLOTS];
};

/* Per CPU: the grant call in flight, the hook time left in it, the rings. */
struct p2mo_ht_cpu {
	struct task_struct *in_call[P2MO_HT_NR];
	u32 hook_ns[P2MO_HT_NR];
	struct p2mo_ht_ring *ring[P2MO_HT_NR];
};

static DEFINE_PER_CPU(struct p2mo_ht_cpu, p2mo_ht_cpu);

static const char * const p2mo_ht_names[P2MO_HT_NR] = { "map", "unmap" };

/* What two clock reads in a row measure (set at init): the timing's floor. */
static u32 p2mo_ht_clock_ns;

struct p2mo_ht_call {
	u64 t0;
	unsigned int count;
};

static u32 p2mo_ht_ns(u64 t0, u64 t1)
{
	return (u32)min_t(u64, t1 - t0, P2MO_HT_NONE - 1);
}

static void p2mo_ht_push(struct p2mo_ht_ring *r, u32 call_ns, u32 hook_ns,
			 unsigned int count)
{
	unsigned long h = r->head;
	struct p2mo_ht_sample *s = &r->s[h % P2MO_HT_SLOTS];

	s->call_ns = call_ns;
	s->hook_ns = hook_ns;
	s->count = count;
	WRITE_ONCE(r->head, h + 1);
}

/**
 * p2mo_hooktime_record() - a handler's time, from @t0 to now
 * @kind:  map or unmap handler
 * @t0:    p2mo_hooktime_start() at the handler's start
 * @count: pages of its batch
 *
 * Called by p2mo_hooktime_end() in a probe handler (preemption off).
 */
void p2mo_hooktime_record(enum p2mo_ht_kind kind, u64 t0,
			  unsigned int count)
{
	struct p2mo_ht_cpu *c = this_cpu_ptr(&p2mo_ht_cpu);
	u32 ns = p2mo_ht_ns(t0, ktime_get_ns());

	if (!c->ring[kind])
		return;
	if (c->in_call[kind] == current) {
		c->hook_ns[kind] = ns;	/* the call's return takes it */
		return;
	}
	p2mo_ht_push(c->ring[kind], P2MO_HT_NONE, ns, count);
}

static int p2mo_ht_call_entry(struct kretprobe_instance *ri,
			      struct pt_regs *regs);
static int p2mo_ht_call_return(struct kretprobe_instance *ri,
			       struct pt_regs *regs);

static struct p2mo_retprobe p2mo_ht_probes[P2MO_HT_NR] = {
	[P2MO_HT_MAP].rp = {
		.kp.symbol_name = "gnttab_map_refs",
		.entry_handler = p2mo_ht_call_entry,
		.handler = p2mo_ht_call_return,
		.data_size = sizeof(struct p2mo_ht_call),
		.maxactive = 64,
	},
	[P2MO_HT_UNMAP].rp = {
		.kp.symbol_name = "gnttab_unmap_refs",
		.entry_handler = p2mo_ht_call_entry,
		.handler = p2mo_ht_call_return,
		.data_size = sizeof(struct p2mo_ht_call),
		.maxactive = 64,
	},
};

static enum p2mo_ht_kind p2mo_ht_kind_of(struct kretprobe_instance *ri)
{
	return get_kretprobe(ri) == &p2mo_ht_probes[P2MO_HT_MAP].rp ?
	       P2MO_HT_MAP : P2MO_HT_UNMAP;
}

static int p2mo_ht_call_entry(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	struct p2mo_ht_call *call = (struct p2mo_ht_call *)ri->data;
	struct p2mo_ht_cpu *c = this_cpu_ptr(&p2mo_ht_cpu);
	enum p2mo_ht_kind kind = p2mo_ht_kind_of(ri);

	call->count = regs_get_kernel_argument(regs, 3);
	c->in_call[kind] = current;
	c->hook_ns[kind] = P2MO_HT_NONE;
	call->t0 = ktime_get_ns();	/* last: the notes are not timed */
	return 0;
}

static int p2mo_ht_call_return(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	u64 t1 = ktime_get_ns();	/* first: nothing below is timed */
	struct p2mo_ht_call *call = (struct p2mo_ht_call *)ri->data;
	struct p2mo_ht_cpu *c = this_cpu_ptr(&p2mo_ht_cpu);
	enum p2mo_ht_kind kind = p2mo_ht_kind_of(ri);
	u32 hook_ns = P2MO_HT_NONE;

	if (!c->ring[kind])
		return 0;
	if (c->in_call[kind] == current) {
		hook_ns = c->hook_ns[kind];
		c->in_call[kind] = NULL;
	}
	p2mo_ht_push(c->ring[kind], p2mo_ht_ns(call->t0, t1), hook_ns,
		     call->count);
	return 0;
}

/* ---- the debugfs file ---- */

enum p2mo_ht_figure {
	P2MO_HT_HOOK_BATCH,	/* handler ns per batch */
	P2MO_HT_HOOK_PAGE,	/* handler ns per page */
	P2MO_HT_CALL_BATCH,	/* grant call ns per batch */
	P2MO_HT_CALL_PAGE,	/* grant call ns per page */
	P2MO_HT_PERMILLE,	/* handler / call, in 1/1000 */
	P2MO_HT_PAGES,		/* pages per batch */
	P2MO_HT_FIGURES
};

static const char * const p2mo_ht_figure_names[P2MO_HT_FIGURES] = {
	"hook_batch_ns", "hook_page_ns", "call_batch_ns", "call_page_ns",
	"hook_vs_call_permille", "pages",
};

/* The figure of one sample, or P2MO_HT_NONE if it has none. */
static u32 p2mo_ht_figure(const struct p2mo_ht_sample *s,
			  enum p2mo_ht_figure f)
{
	bool call = s->call_ns != P2MO_HT_NONE;
	bool hook = s->hook_ns != P2MO_HT_NONE;
	u32 n = max_t(u32, s->count, 1);

	switch (f) {
	case P2MO_HT_HOOK_BATCH:
		return s->hook_ns;
	case P2MO_HT_HOOK_PAGE:
		return hook ? s->hook_ns / n : P2MO_HT_NONE;
	case P2MO_HT_CALL_BATCH:
		return s->call_ns;
	case P2MO_HT_CALL_PAGE:
		return call ? s->call_ns / n : P2MO_HT_NONE;
	case P2MO_HT_PERMILLE:
		return call && hook && s->call_ns ?
		       (u32)div_u64((u64)s->hook_ns * 1000, s->call_ns) :
		       P2MO_HT_NONE;
	default:
		return s->count;
	}
}

static int p2mo_ht_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* One line: "kind_figure median p99 samples" ("-" for no samples). */
static void p2mo_ht_show_figure(struct seq_file *s, enum p2mo_ht_kind kind,
				enum p2mo_ht_figure f, u32 *v)
{
	const struct p2mo_ht_ring *r;
	unsigned long i, n = 0, k;
	unsigned int cpu;
	u32 x;

	for_each_possible_cpu(cpu) {
		r = per_cpu(p2mo_ht_cpu, cpu).ring[kind];
		k = r ? min_t(unsigned long, READ_ONCE(r->head), P2MO_HT_SLOTS) : 0;
		for (i = 0; i < k; i++) {
			x = p2mo_ht_figure(&r->s[i], f);
			if (x != P2MO_HT_NONE)
				v[n++] = x;
		}
	}
	seq_printf(s, "%s_%s ", p2mo_ht_names[kind], p2mo_ht_figure_names[f]);
	if (!n) {
		seq_puts(s, "- - 0\n");
		return;
	}
	sort(v, n, sizeof(*v), p2mo_ht_cmp, NULL);
	/* p99: the smallest value at least 99% of the samples do not exceed */
	seq_printf(s, "%u %u %lu\n", v[n / 2], v[DIV_ROUND_UP(n * 99, 100) - 1],
		   n);
}

static int p2mo_ht_show(struct seq_file *s, void *unused)
{
	u32 *v = kvmalloc_array(num_possible_cpus() * P2MO_HT_SLOTS,
				sizeof(*v), GFP_KERNEL);
	unsigned int kind, f;

	if (!v)
		return -ENOMEM;
	seq_puts(s, "# figure median p99 samples (ns unless named)\n");
	seq_printf(s, "clock_ns %u\n", p2mo_ht_clock_ns);
	for (kind = 0; kind < P2MO_HT_NR; kind++) {
		for (f = 0; f < P2MO_HT_FIGURES; f++)
			p2mo_ht_show_figure(s, kind, f, v);
		seq_printf(s, "%s_call_probe_missed %lu\n", p2mo_ht_names[kind],
			   p2mo_retprobe_missed(&p2mo_ht_probes[kind]));
	}
	kvfree(v);
	return 0;
}

static int p2mo_ht_open(struct inode *inode, struct file *file)
{
	return single_open(file, p2mo_ht_show, inode->i_private);
}

/* Any write empties the rings. */
static ssize_t p2mo_ht_write(struct file *file, const char __user *buf,
			     size_t len, loff_t *ppos)
{
	unsigned int cpu, kind;
	struct p2mo_ht_ring *r;

	for_each_possible_cpu(cpu)
		for (kind = 0; kind < P2MO_HT_NR; kind++) {
			r = per_cpu(p2mo_ht_cpu, cpu).ring[kind];
			if (r)
				WRITE_ONCE(r->head, 0);
		}
	return len;
}

static const struct file_operations p2mo_ht_fops = {
	.owner = THIS_MODULE, .open = p2mo_ht_open, .read = seq_read,
	.write = p2mo_ht_write, .llseek = seq_lseek, .release = single_release,
};

/**
 * p2mo_hooktime_debugfs() - the hook_times file in @dir, if timing is on
 * @dir: the module's debugfs directory
 */
void p2mo_hooktime_debugfs(struct dentry *dir)
{
	if (p2mo_param_hook_timing)
		debugfs_create_file("hook_times", 0600, dir, NULL,
				    &p2mo_ht_fops);
}

/* ---- setup ---- */

/* The median of 15 back-to-back clock read pairs. */
static u32 p2mo_ht_clock_floor(void)
{
	u32 v[15];
	unsigned int i;
	u64 t0;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		t0 = ktime_get_ns();
		v[i] = p2mo_ht_ns(t0, ktime_get_ns());
	}
	sort(v, ARRAY_SIZE(v), sizeof(v[0]), p2mo_ht_cmp, NULL);
	return v[ARRAY_SIZE(v) / 2];
}

static void p2mo_ht_free_rings(void)
{
	unsigned int cpu, kind;
	struct p2mo_ht_cpu *c;

	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(&p2mo_ht_cpu, cpu);
		for (kind = 0; kind < P2MO_HT_NR; kind++) {
			kvfree(c->ring[kind]);
			c->ring[kind] = NULL;
		}
	}
}

/**
 * p2mo_hooktime_init() - with hook_timing=1: the rings and the call probes
 *
 * Before the hooks are armed (their handlers write to the rings).
 *
 * Return: 0, -ENOMEM, or the error of a probe that could not be armed.
 */
int p2mo_hooktime_init(void)
{
	unsigned int cpu, kind;
	struct p2mo_ht_cpu *c;
	int err;

	if (!p2mo_param_hook_timing)
		return 0;
	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(&p2mo_ht_cpu, cpu);
		for (kind = 0; kind < P2MO_HT_NR; kind++) {
			c->ring[kind] = kvzalloc(sizeof(*c->ring[kind]),
						 GFP_KERNEL);
			if (!c->ring[kind]) {
				p2mo_ht_free_rings();
				return -ENOMEM;
			}
		}
	}
	for (kind = 0; kind < P2MO_HT_NR; kind++) {
		err = p2mo_retprobe_register(&p2mo_ht_probes[kind]);
		if (err) {
			pr_err("hook_timing: cannot probe %s: %d\n",
			       p2mo_ht_probes[kind].rp.kp.symbol_name, err);
			while (kind--)
				p2mo_retprobe_unregister(&p2mo_ht_probes[kind]);
			p2mo_ht_free_rings();
			return err;
		}
	}
	p2mo_ht_clock_ns = p2mo_ht_clock_floor();
	pr_info("hook_timing: timing the hooks and the grant calls around them (clock floor %u ns)\n",
		p2mo_ht_clock_ns);
	return 0;
}

/**
 * p2mo_hooktime_uninit() - undo p2mo_hooktime_init(), after the hooks
 */
void p2mo_hooktime_uninit(void)
{
	unsigned int kind;

	if (!p2mo_param_hook_timing)
		return;
	for (kind = 0; kind < P2MO_HT_NR; kind++)
		p2mo_retprobe_unregister(&p2mo_ht_probes[kind]);
	p2mo_ht_free_rings();
}
