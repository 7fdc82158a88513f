// SPDX-License-Identifier: GPL-2.0
/*
 * The module's outer layer on a simulated default domain: the exported
 * API, the default tables (backend=sim), parameter checks, the debugfs
 * dumps.
 */
#include <linux/string.h>
#include "debugfs.h"
#include "default.h"
#include "params.h"
#include "p2m_override.h"
#include "util.h"

/* Map grant @ref of the default domain at its ballooned pfn @bpfn. */
static int api_map(struct p2mo_api_fix *c, int ref, unsigned long bpfn,
		   struct gnttab_map_grant_ref *op, struct page **page)
{
	*page = p2mo_sim_page(c->d, bpfn);
	gnttab_set_map_op(op, p2mo_sim_addr(bpfn), GNTMAP_host_map, ref, 0);
	return p2mo_map_refs(op, NULL, page, 1);
}

static int api_unmap(struct gnttab_map_grant_ref *map, struct page **page,
		     unsigned long bpfn)
{
	struct gnttab_unmap_grant_ref op;

	gnttab_set_unmap_op(&op, p2mo_sim_addr(bpfn), GNTMAP_host_map, map->handle);
	return p2mo_unmap_refs(&op, NULL, page, 1);
}

static void api_map_lookup_unmap(struct kunit *test)
{
	struct p2mo_api_fix *c = test->priv;
	unsigned long fpfn = 5, mfn = c->d->p2m[fpfn], bpfn = 1UL << 15, out[2];
	struct gnttab_map_grant_ref op;
	struct page *page;
	int ref = p2mo_sim_grant(c->d, 0, fpfn);

	KUNIT_ASSERT_GE(test, ref, 0);
	KUNIT_EXPECT_EQ(test, p2mo_mfn_to_pfn(mfn), fpfn);
	KUNIT_ASSERT_EQ(test, api_map(c, ref, bpfn, &op, &page), 0);
	KUNIT_EXPECT_EQ(test, p2mo_mfn_to_pfn(mfn), bpfn);
	KUNIT_EXPECT_EQ(test, p2mo_get_phys_to_machine(fpfn), P2MO_FOREIGN_FRAME(mfn));
	KUNIT_EXPECT_EQ(test, p2mo_pfn_to_mfn(bpfn), mfn);
	KUNIT_EXPECT_EQ(test, p2mo_find_overrides(mfn, out, 2), 1);
	KUNIT_EXPECT_EQ(test, out[0], bpfn);
	/* no array but room for two: refused, not dereferenced */
	KUNIT_EXPECT_EQ(test, p2mo_find_overrides(mfn, NULL, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_find_overrides(mfn, NULL, 0), 1);
	KUNIT_EXPECT_EQ(test, api_unmap(&op, &page, bpfn), 0);
	KUNIT_EXPECT_EQ(test, p2mo_mfn_to_pfn(mfn), fpfn);
	KUNIT_EXPECT_EQ(test, p2mo_get_phys_to_machine(fpfn), mfn);
	KUNIT_EXPECT_EQ(test, p2mo_find_overrides(mfn, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, p2mo_sim_end_grant(c->d, ref), 0);
}

static void api_unload_drains(struct kunit *test)
{
	struct p2mo_api_fix *c = test->priv;
	struct gnttab_map_grant_ref op;
	struct page *page;
	int ref = p2mo_sim_grant(c->d, 0, 6);

	KUNIT_ASSERT_EQ(test, api_map(c, ref, (1UL << 15) + 1, &op, &page), 0);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(p2mo_default), 1);
	/* what rmmod does: the live override is dropped, the tag cleared */
	KUNIT_EXPECT_EQ(test, p2mo_table_drain(p2mo_default), 1UL);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(p2mo_default), 0);
	KUNIT_EXPECT_EQ(test, p2mo_get_phys_to_machine(6), c->d->p2m[6]);
	/* the grant is still mapped in the machine: unmap it (untracked) */
	KUNIT_EXPECT_EQ(test, api_unmap(&op, &page, (1UL << 15) + 1), 0);
}

static void api_bad_batches(struct kunit *test)
{
	struct gnttab_map_grant_ref op = { };
	struct page *page = NULL;

	KUNIT_EXPECT_EQ(test, p2mo_map_refs(&op, NULL, &page, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_map_refs(NULL, NULL, &page, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_unmap_refs(NULL, NULL, &page, 1), -EINVAL);
}

static void api_params_checked(struct kunit *test)
{
	struct kernel_param kp = { .name = "hash_bits" };
	unsigned int v = 7;

	kp.arg = &v;
	KUNIT_EXPECT_EQ(test, p2mo_bits_ops.set("3", &kp), -EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_bits_ops.set("25", &kp), -EINVAL);
	KUNIT_EXPECT_EQ(test, p2mo_bits_ops.set("twelve", &kp), -EINVAL);
	KUNIT_EXPECT_EQ(test, v, 7U);
	KUNIT_EXPECT_EQ(test, p2mo_bits_ops.set("16", &kp), 0);
	KUNIT_EXPECT_EQ(test, v, 16U);
	KUNIT_EXPECT_EQ(test, p2mo_backend_ops.set("bogus", NULL), -EINVAL);
	KUNIT_EXPECT_STREQ(test, p2mo_param_backend, "sim");
	KUNIT_EXPECT_EQ(test, p2mo_backend_ops.set("none", NULL), 0);
	KUNIT_EXPECT_STREQ(test, p2mo_param_backend, "none");
	p2mo_backend_ops.set("sim", NULL);
}

static char *api_dump(struct kunit *test, const struct seq_operations *ops,
		      int (*show)(struct seq_file *, void *))
{
	struct seq_file *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	loff_t pos = 0;
	void *v;

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->size = 1 << 16;
	m->buf = kunit_kzalloc(test, m->size + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->buf);
	m->private = p2mo_default;
	if (show) {
		show(m, NULL);
		return m->buf;
	}
	for (v = ops->start(m, &pos); v; v = ops->next(m, v, &pos))
		ops->show(m, v);
	ops->stop(m, v);
	return m->buf;
}

static void api_debugfs_dumps(struct kunit *test)
{
	struct p2mo_api_fix *c = test->priv;
	unsigned long mfn = c->d->p2m[7], bpfn = (1UL << 15) + 2;
	struct gnttab_map_grant_ref op;
	struct page *page;
	char line[64];
	int ref = p2mo_sim_grant(c->d, 0, 7);

	KUNIT_ASSERT_EQ(test, api_map(c, ref, bpfn, &op, &page), 0);
	KUNIT_ASSERT_EQ(test, p2mo_p2m_set(p2mo_default, 9, 0x99), 0);
	KUNIT_EXPECT_NOT_NULL(test, strstr(api_dump(test, NULL, p2mo_stats_show),
					   "live_overrides 1\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(api_dump(test, NULL, p2mo_stats_show),
					   "foreign_tags_live 1\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(api_dump(test, NULL, p2mo_scan_foreign_show),
					   "foreign_pfns 1\n"));
	snprintf(line, sizeof(line), "%#lx %#lx\n", mfn, bpfn);
	KUNIT_EXPECT_NOT_NULL(test, strstr(api_dump(test, &p2mo_m2p_seq_ops, NULL), line));
	snprintf(line, sizeof(line), "0x7 %#lx tag\n", P2MO_FOREIGN_FRAME(mfn));
	KUNIT_EXPECT_NOT_NULL(test, strstr(api_dump(test, &p2mo_p2m_seq_ops, NULL), line));
	KUNIT_EXPECT_NOT_NULL(test, strstr(api_dump(test, &p2mo_p2m_seq_ops, NULL),
					   "0x9 0x99 set\n"));
	KUNIT_EXPECT_EQ(test, p2mo_p2m_clear(p2mo_default, 9), 0);
	KUNIT_EXPECT_EQ(test, api_unmap(&op, &page, bpfn), 0);
	p2mo_debugfs_init(p2mo_default);	/* the files come and go cleanly */
	p2mo_debugfs_uninit();
}

static struct kunit_case p2mo_api_cases[] = {
	KUNIT_CASE(api_map_lookup_unmap),
	KUNIT_CASE(api_unload_drains),
	KUNIT_CASE(api_bad_batches),
	KUNIT_CASE(api_params_checked),
	KUNIT_CASE(api_debugfs_dumps),
	{}
};

static struct kunit_suite p2mo_api_suite = {
	.name = "p2mo_api",
	.init = p2mo_api_fix_init,
	.exit = p2mo_api_fix_exit,
	.test_cases = p2mo_api_cases,
};

kunit_test_suite(p2mo_api_suite);
