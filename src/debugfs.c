// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/p2m_override/, root-only and read-only:
 *   m2p           "mfn bpfn" per override
 *   p2m           "pfn value set" per p2m entry, "pfn view tag" per tag
 *   stats         "key value" counters and gauges
 *   scan_foreign  pfns whose real p2m entry is FOREIGN, counted
 *   verify        the tables against the real p2m: stale, missing,
 *                 wrong_tag, scanned, then the first offenders
 *   reconcile     (write-only) any write runs a repair pass now
 *   hook_times    with hook_timing=1: the hooks' and grant calls' ns
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include "debugfs.h"
#include "sync.h"
#include "hooks.h"
#include "hooktime.h"

static struct dentry *p2mo_debugfs_dir;

/*
 * Both dumps walk positions: [0, nr_buckets) are hash buckets, and for
 * the p2m dump nr_buckets + pfn is the FOREIGN tag of pfn.
 */
static loff_t p2mo_nr_buckets(const struct p2mo_htab *h)
{
	return 1LL << h->bits;
}

static void *p2mo_m2p_start(struct seq_file *s, loff_t *pos)
{
	struct p2mo_table *t = s->private;

	return *pos < p2mo_nr_buckets(&t->m2p_hash) ? pos : NULL;
}

static void *p2mo_m2p_next(struct seq_file *s, void *v, loff_t *pos)
{
	++*pos;
	return p2mo_m2p_start(s, pos);
}

static void *p2mo_p2m_start(struct seq_file *s, loff_t *pos)
{
	struct p2mo_table *t = s->private;
	loff_t nb = p2mo_nr_buckets(&t->p2m_hash);
	unsigned long pfn;

	if (*pos < nb)
		return pos;
	pfn = p2mo_view_next(&t->view, *pos - nb, P2MO_PFN_TAGGED);
	if (pfn >= t->view.nr_pfns)
		return NULL;
	*pos = nb + pfn;
	return pos;
}

static void *p2mo_p2m_next(struct seq_file *s, void *v, loff_t *pos)
{
	++*pos;
	return p2mo_p2m_start(s, pos);
}

static void p2mo_seq_stop(struct seq_file *s, void *v)
{
}

static int p2mo_m2p_show(struct seq_file *s, void *v)
{
	struct p2mo_table *t = s->private;
	loff_t i = *(loff_t *)v;
	struct p2mo_m2p_entry *e;
	struct p2mo_link *l;
	unsigned long flags;

	/* m2p entries are reused at once: a dump walks under the stripe */
	flags = p2mo_m2p_bucket_lock(t, i);
	for (l = t->m2p_hash.buckets[i].first; l; l = l->next) {
		e = container_of(l, struct p2mo_m2p_entry, link);
		seq_printf(s, "%#lx %#lx\n", e->mfn, e->bpfn);
	}
	p2mo_m2p_bucket_unlock(t, i, flags);
	return 0;
}

static int p2mo_p2m_show(struct seq_file *s, void *v)
{
	struct p2mo_table *t = s->private;
	loff_t pos = *(loff_t *)v, nb = p2mo_nr_buckets(&t->p2m_hash);
	struct p2mo_p2m_entry *e;
	struct p2mo_link *l;

	if (pos >= nb) {
		seq_printf(s, "%#lx %#lx tag\n", (unsigned long)(pos - nb),
			   p2mo_table_get_p2m(t, pos - nb));
		return 0;
	}
	rcu_read_lock();
	for (l = p2mo_chain_first_rcu(&t->p2m_hash.buckets[pos]); l;
	     l = p2mo_link_next_rcu(l)) {
		e = container_of(l, struct p2mo_p2m_entry, link);
		seq_printf(s, "%#lx %#lx set\n", e->pfn, READ_ONCE(e->val));
	}
	rcu_read_unlock();
	return 0;
}

const struct seq_operations p2mo_m2p_seq_ops = {
	.start = p2mo_m2p_start, .next = p2mo_m2p_next,
	.stop = p2mo_seq_stop, .show = p2mo_m2p_show,
};

const struct seq_operations p2mo_p2m_seq_ops = {
	.start = p2mo_p2m_start, .next = p2mo_p2m_next,
	.stop = p2mo_seq_stop, .show = p2mo_p2m_show,
};

static int p2mo_seq_open(struct inode *inode, struct file *file,
			 const struct seq_operations *ops)
{
	int err = seq_open(file, ops);

	if (!err)
		((struct seq_file *)file->private_data)->private = inode->i_private;
	return err;
}

static int p2mo_m2p_open(struct inode *inode, struct file *file)
{
	return p2mo_seq_open(inode, file, &p2mo_m2p_seq_ops);
}

static int p2mo_p2m_open(struct inode *inode, struct file *file)
{
	return p2mo_seq_open(inode, file, &p2mo_p2m_seq_ops);
}

static const struct file_operations p2mo_m2p_fops = {
	.owner = THIS_MODULE, .open = p2mo_m2p_open, .read = seq_read,
	.llseek = seq_lseek, .release = seq_release,
};

static const struct file_operations p2mo_p2m_fops = {
	.owner = THIS_MODULE, .open = p2mo_p2m_open, .read = seq_read,
	.llseek = seq_lseek, .release = seq_release,
};

int p2mo_stats_show(struct seq_file *s, void *unused)
{
	struct p2mo_table *t = s->private;
	struct p2mo_stats st;
	unsigned int i;

	p2mo_table_stats(t, &st);
	seq_printf(s, "backend %s\n", t->be->name);
	seq_printf(s, "live_overrides %ld\n", p2mo_live_overrides(t));
	seq_printf(s, "foreign_tags_live %ld\n", p2mo_live_tags(t));
	seq_printf(s, "p2m_entries_live %ld\n", p2mo_live_p2m(t));
	for (i = 0; i < P2MO_STAT_NR; i++)
		seq_printf(s, "%s %llu\n", p2mo_stat_names[i], st.v[i]);
	seq_printf(s, "hook_missed %lu\n", p2mo_hooks_missed());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(p2mo_stats);

static int p2mo_count_foreign(void *arg, unsigned long pfn, unsigned long mfn)
{
	return 0;
}

int p2mo_scan_foreign_show(struct seq_file *s, void *unused)
{
	struct p2mo_table *t = s->private;
	struct p2mo_scan_stats st = { };
	int err;

	if (!t->be->ops->foreign_scan)
		return -EOPNOTSUPP;
	err = t->be->ops->foreign_scan(t->be, p2mo_count_foreign, NULL, &st);
	if (err)
		return err;
	seq_printf(s, "scanned_pfns %lu\nforeign_pfns %lu\nleaves %lu\nskipped_leaves %lu\n",
		   st.entries, st.foreign, st.leaves, st.skipped_leaves);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(p2mo_scan_foreign);

void p2mo_sync_report_show(struct seq_file *s, const struct p2mo_sync_report *r)
{
	unsigned int i;

	seq_printf(s, "stale %lu\nmissing %lu\nwrong_tag %lu\nscanned %lu\n",
		   r->stale, r->missing, r->wrong_tag, r->scan.entries);
	seq_printf(s, "leaves %lu\nskipped_leaves %lu\nforeign %lu\n",
		   r->scan.leaves, r->scan.skipped_leaves, r->scan.foreign);
	seq_printf(s, "added %lu\ndropped %lu\ntags_fixed %lu\ndeferred %lu\nerrors %lu\nus %llu\n",
		   r->added, r->dropped, r->tags_fixed, r->deferred, r->errors,
		   r->ns / NSEC_PER_USEC);
	for (i = 0; i < r->nr_offenders; i++)
		seq_printf(s, "%s %#lx %#lx\n", r->offenders[i].kind,
			   r->offenders[i].mfn, r->offenders[i].pfn);
}

int p2mo_verify_show(struct seq_file *s, void *unused)
{
	struct p2mo_sync_report *r = kzalloc(sizeof(*r), GFP_KERNEL);
	int err;

	if (!r)
		return -ENOMEM;
	err = p2mo_sync_verify(s->private, r);
	if (!err)
		p2mo_sync_report_show(s, r);
	kfree(r);
	return err;
}
DEFINE_SHOW_ATTRIBUTE(p2mo_verify);

/* Any write runs a repair pass now; its report goes to the log. */
static ssize_t p2mo_reconcile_write(struct file *file, const char __user *buf,
				    size_t len, loff_t *ppos)
{
	struct p2mo_table *t = file->private_data;
	struct p2mo_sync_report *r = kzalloc(sizeof(*r), GFP_KERNEL);
	int err;

	if (!r)
		return -ENOMEM;
	err = p2mo_sync_repair(t, r);
	if (!err)
		pr_info("reconcile: stale %lu missing %lu wrong_tag %lu: added %lu dropped %lu tags_fixed %lu deferred %lu in %llu us\n",
			r->stale, r->missing, r->wrong_tag, r->added,
			r->dropped, r->tags_fixed, r->deferred,
			r->ns / NSEC_PER_USEC);
	kfree(r);
	return err ? err : len;
}

static const struct file_operations p2mo_reconcile_fops = {
	.owner = THIS_MODULE, .open = simple_open,
	.write = p2mo_reconcile_write, .llseek = noop_llseek,
};

/* Failure to create debugfs files is not fatal, as debugfs intends. */
void p2mo_debugfs_init(struct p2mo_table *t)
{
	p2mo_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("m2p", 0400, p2mo_debugfs_dir, t, &p2mo_m2p_fops);
	debugfs_create_file("p2m", 0400, p2mo_debugfs_dir, t, &p2mo_p2m_fops);
	debugfs_create_file("stats", 0400, p2mo_debugfs_dir, t,
			    &p2mo_stats_fops);
	debugfs_create_file("scan_foreign", 0400, p2mo_debugfs_dir, t,
			    &p2mo_scan_foreign_fops);
	debugfs_create_file("verify", 0400, p2mo_debugfs_dir, t,
			    &p2mo_verify_fops);
	debugfs_create_file("reconcile", 0200, p2mo_debugfs_dir, t,
			    &p2mo_reconcile_fops);
	p2mo_hooktime_debugfs(p2mo_debugfs_dir);
}

void p2mo_debugfs_uninit(void)
{
	debugfs_remove_recursive(p2mo_debugfs_dir);
	p2mo_debugfs_dir = NULL;
}
