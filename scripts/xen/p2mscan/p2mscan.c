// SPDX-License-Identifier: GPL-2.0
/*
 * p2mscan: test-only reader of a Xen PV domain's real p2m (xen_p2m_addr).
 *
 * /sys/kernel/debug/p2mo_p2mscan/foreign prints "0x<mfn> 0x<pfn>" for every
 * pfn in [0, xen_p2m_size) whose p2m entry has FOREIGN_FRAME_BIT set (and is
 * not INVALID_P2M_ENTRY), mfn being the entry without the FOREIGN and
 * IDENTITY bits, then "scanned <entries read> leaves <leaf pages read>".
 *
 * It shares no code with p2m_override, on purpose: the dom0 test compares
 * this set with the module's m2p dump, so that one bug cannot hide on both
 * sides.  Entry by entry the whole range takes 86 s under QEMU TCG, so it
 * skips what xen_rebuild_p2m_list() maps from the shared read-only pages:
 * a leaf (512 entries) whose pte is not present or not writable (the
 * p2m_missing/p2m_identity pages are mapped PAGE_KERNEL_RO), and a whole
 * PMD (512 leaves) whose pte page holds no present writable pte (the shared
 * p2m_missing_pte/p2m_identity_pte pages).  A leaf of its own (alloc_p2m())
 * is mapped PAGE_KERNEL, so every pfn that can be FOREIGN is read.
 *
 * foreign_noskip lists the same from every entry of [0, noskip_limit)
 * (module parameter, default 0x100000), read one by one without any page
 * table look-up, then "scanned <n> faults <n>": the check of the skipping.
 */
#include <linux/module.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/sched.h>
#include <linux/ktime.h>
#include <xen/xen.h>
#include <asm/pgtable.h>
#include <asm/xen/page.h>

#define ENTRIES_PER_PAGE	(PAGE_SIZE / sizeof(unsigned long))
#define ENTRIES_PER_PMD		(ENTRIES_PER_PAGE * PTRS_PER_PTE)

static struct dentry *dir;
static unsigned long last_ns;

static bool pte_page_shared(const pte_t *ptep)
{
	const pte_t *base = (const pte_t *)((unsigned long)ptep & PAGE_MASK);
	unsigned int i;

	for (i = 0; i < PTRS_PER_PTE; i++)
		if (pte_present(base[i]) && pte_write(base[i]))
			return false;
	return true;
}

static unsigned long noskip_limit = 0x100000;
module_param(noskip_limit, ulong, 0644);
MODULE_PARM_DESC(noskip_limit, "foreign_noskip reads pfns [0, noskip_limit) one by one");

static void show_entry(struct seq_file *s, unsigned long pfn, unsigned long e)
{
	if (e != INVALID_P2M_ENTRY && (e & FOREIGN_FRAME_BIT))
		seq_printf(s, "%#lx %#lx\n",
			   e & ~(FOREIGN_FRAME_BIT | IDENTITY_FRAME_BIT), pfn);
}

/* the check of the skipping: every entry of [0, noskip_limit), no page table look-up */
static int noskip_show(struct seq_file *s, void *unused)
{
	unsigned long size = min(xen_p2m_size, noskip_limit), pfn, e, faults = 0;

	for (pfn = 0; pfn < size; pfn++) {
		if (xen_safe_read_ulong(&xen_p2m_addr[pfn], &e))
			faults++;
		else
			show_entry(s, pfn, e);
		if (!(pfn & 0xffff)) {
			cond_resched();
			if (fatal_signal_pending(current))
				return -EINTR;
		}
	}
	seq_printf(s, "scanned %lu faults %lu\n", size, faults);
	return 0;
}

/* Every entry of a writable leaf, [pfn, end); returns how many were read. */
static unsigned long show_leaf(struct seq_file *s, unsigned long pfn,
			       unsigned long end)
{
	unsigned long n = end - pfn, e;

	for (; pfn < end; pfn++)
		if (!xen_safe_read_ulong(&xen_p2m_addr[pfn], &e))
			show_entry(s, pfn, e);
	return n;
}

static int foreign_show(struct seq_file *s, void *unused)
{
	unsigned long size = xen_p2m_size, pfn = 0, scanned = 0, leaves = 0;
	unsigned long pmds_skipped = 0, next;
	u64 t0 = ktime_get_ns();
	unsigned int level;
	pte_t *ptep;

	while (pfn < size) {
		unsigned long va = (unsigned long)&xen_p2m_addr[pfn];

		ptep = lookup_address(va, &level);
		if (!ptep) {
			/* no table below this level: skip to the next PMD */
			next = ALIGN(pfn + 1, ENTRIES_PER_PMD);
			pmds_skipped++;
		} else if (level == PG_LEVEL_4K) {
			if (!(pfn % ENTRIES_PER_PMD) && pte_page_shared(ptep)) {
				pmds_skipped++;
				next = pfn + ENTRIES_PER_PMD;
			} else {
				next = ALIGN(pfn + 1, ENTRIES_PER_PAGE);
				if (pte_present(*ptep) && pte_write(*ptep)) {
					leaves++;
					scanned += show_leaf(s, pfn, min(next, size));
				}
			}
		} else {
			/* a large or non-present mapping: never a p2m leaf of its own */
			next = ALIGN(pfn + 1, ENTRIES_PER_PMD);
			pmds_skipped++;
		}
		pfn = next;
		cond_resched();
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	last_ns = ktime_get_ns() - t0;
	seq_printf(s, "scanned %lu leaves %lu\n", scanned, leaves);
	pr_debug("p2mscan: %lu entries, %lu leaves, %lu pmds skipped, %llu us\n",
		 scanned, leaves, pmds_skipped, (unsigned long long)last_ns / 1000);
	return 0;
}

static int foreign_open(struct inode *inode, struct file *file)
{
	/* start big: seq_file reruns the whole scan each time it must grow */
	return single_open_size(file, foreign_show, NULL, 256 * 1024);
}

static int noskip_open(struct inode *inode, struct file *file)
{
	return single_open_size(file, noskip_show, NULL, 256 * 1024);
}

static const struct file_operations noskip_fops = {
	.owner = THIS_MODULE, .open = noskip_open, .read = seq_read,
	.llseek = seq_lseek, .release = single_release,
};

static const struct file_operations foreign_fops = {
	.owner = THIS_MODULE, .open = foreign_open, .read = seq_read,
	.llseek = seq_lseek, .release = single_release,
};

static int last_ns_get(void *data, u64 *val)
{
	*val = last_ns;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(last_ns_fops, last_ns_get, NULL, "%llu\n");

static int __init p2mscan_init(void)
{
	if (!xen_pv_domain())
		return -ENODEV;
	dir = debugfs_create_dir("p2mo_p2mscan", NULL);
	debugfs_create_file("foreign", 0400, dir, NULL, &foreign_fops);
	debugfs_create_file("foreign_noskip", 0400, dir, NULL, &noskip_fops);
	debugfs_create_file("last_ns", 0400, dir, NULL, &last_ns_fops);
	pr_info("p2mscan: xen_p2m_size %#lx\n", xen_p2m_size);
	return 0;
}

static void __exit p2mscan_exit(void)
{
	debugfs_remove_recursive(dir);
}

module_init(p2mscan_init);
module_exit(p2mscan_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("test only: list the FOREIGN entries of the real Xen p2m");
