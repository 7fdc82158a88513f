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
 *   lookup        (read-write, per open) mfns written in, then read back as
 *                 "mfn p2mo_mfn_to_pfn(mfn)" lines
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/mm.h>
#include <linux/mutex.h>
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

/*
 * lookup: one answer buffer per open file.  Each write() holds whole
 * tokens (mfns, any base kstrtoul() takes, separated by white space); its
 * answers are appended.  Reads return the answers not read yet, in order:
 * writes leave the file position alone, so the first read starts at the
 * first answer.
 */
#define P2MO_LOOKUP_BUF	(256 * 1024)
#define P2MO_LOOKUP_LINE 40	/* "%#lx %#lx\n" and its NUL, both 18 wide */

/**
 * struct p2mo_lookup - the answers of one open lookup file
 * @t:    the tables asked
 * @lock: serialises @len and @data between writers and readers of the file
 * @len:  bytes of answers in @data
 * @data: "mfn pfn" lines, P2MO_LOOKUP_BUF bytes
 */
struct p2mo_lookup {
	struct p2mo_table *t;
	struct mutex lock;	/* len and data */
	size_t len;
	char data[];
};

static int p2mo_lookup_open(struct inode *inode, struct file *file)
{
	struct p2mo_lookup *l = kvzalloc(sizeof(*l) + P2MO_LOOKUP_BUF,
					 GFP_KERNEL);

	if (!l)
		return -ENOMEM;
	l->t = inode->i_private;
	mutex_init(&l->lock);
	file->private_data = l;
	return nonseekable_open(inode, file);
}

static int p2mo_lookup_release(struct inode *inode, struct file *file)
{
	kvfree(file->private_data);
	return 0;
}

/* One token: its answer appended; -ENOSPC when the buffer is full. */
static int p2mo_lookup_one(struct p2mo_lookup *l, const char *tok)
{
	unsigned long mfn;
	int err = kstrtoul(tok, 0, &mfn);

	if (err) {
		pr_warn_ratelimited("lookup: '%.20s' is not a number\n", tok);
		return -EINVAL;
	}
	if (P2MO_LOOKUP_BUF - l->len < P2MO_LOOKUP_LINE)
		return -ENOSPC;
	l->len += scnprintf(l->data + l->len, P2MO_LOOKUP_BUF - l->len,
			    "%#lx %#lx\n", mfn,
			    p2mo_table_mfn_to_pfn(l->t, mfn));
	return 0;
}

/**
 * p2mo_lookup_write() - look up the mfns written, keep the answers
 * @file: an open lookup file
 * @buf:  whole tokens separated by white space, each an mfn
 * @len:  bytes in @buf, less than a page
 * @ppos: unused: the answers are read from the start
 *
 * Each answer is what p2mo_mfn_to_pfn() answers for the mfn; tokens before
 * a bad one are answered.
 *
 * Context: process context, may sleep.
 * Return: @len; -E2BIG (a page or more), -EFAULT, -ENOMEM, -EINVAL (a
 * token that is not a number) or -ENOSPC (the answers fill the buffer).
 */
static ssize_t p2mo_lookup_write(struct file *file, const char __user *buf,
				 size_t len, loff_t *ppos)
{
	struct p2mo_lookup *l = file->private_data;
	char *kbuf, *cur, *tok;
	int err = 0;

	if (len >= PAGE_SIZE)
		return -E2BIG;
	kbuf = memdup_user_nul(buf, len);
	if (IS_ERR(kbuf))
		return PTR_ERR(kbuf);
	mutex_lock(&l->lock);
	cur = kbuf;
	while (!err && (tok = strsep(&cur, " \t\n")))
		if (*tok)
			err = p2mo_lookup_one(l, tok);
	mutex_unlock(&l->lock);
	kfree(kbuf);
	return err ? err : len;
}

static ssize_t p2mo_lookup_read(struct file *file, char __user *buf,
				size_t len, loff_t *ppos)
{
	struct p2mo_lookup *l = file->private_data;
	ssize_t n;

	mutex_lock(&l->lock);
	n = simple_read_from_buffer(buf, len, ppos, l->data, l->len);
	mutex_unlock(&l->lock);
	return n;
}

static const struct file_operations p2mo_lookup_fops = {
	.owner = THIS_MODULE, .open = p2mo_lookup_open,
	.release = p2mo_lookup_release, .read = p2mo_lookup_read,
	.write = p2mo_lookup_write, .llseek = no_llseek,
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
	debugfs_create_file("lookup", 0600, p2mo_debugfs_dir, t,
			    &p2mo_lookup_fops);
}

void p2mo_debugfs_uninit(void)
{
	debugfs_remove_recursive(p2mo_debugfs_dir);
	p2mo_debugfs_dir = NULL;
}
