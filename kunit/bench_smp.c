// SPDX-License-Identifier: GPL-2.0
/*
 * SMP lookup scaling (CONFIG_P2M_OVERRIDE_BENCH, `make bench-smp`: x86_64
 * under QEMU -smp 2): lookup throughput of one reader, then of two
 * readers (one per CPU), while a writer adds and removes overrides, for
 * p2m-override and for the 3.x design (legacy.c), and of the raw
 * translation (m2p read + p2m check) with the same writer: the scaling
 * the machine itself allows.  Under TCG absolute rates mean nothing: the
 * figures are the ratios, two readers over one, each the median of
 * SB_REPS paired runs.
 *
 * Two reader windows of 1024 live overrides: "dense", 1024 frames in a
 * row (their m2p, p2m and view words on a few guest pages), and
 * "spread", every 64th frame of the 64k (on some 320 guest pages).  The
 * spread window measures QEMU more than the tables: each guest page a
 * loop touches costs a soft-TLB fill under TCG, and those fills do not
 * scale over two vCPUs (the raw translation, which takes no lock and
 * writes nothing, scales about 1.3-1.5x there, a loop without table loads
 * 2x).  Both are printed; the summary lines are the dense window's.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include "legacy.h"
#include "util.h"

#define SB_N		65536	/* live overrides, local frames */
#define SB_EXTRA	256	/* frames the writer churns */
#define SB_W		1024	/* reader working set */
#define SB_MS		1000	/* one timed run */
#define SB_REPS		5	/* paired runs (one reader, two) per figure */

struct sb {
	struct p2mo_sim_machine *m;
	struct p2mo_sim_domain *d;
	struct p2mo_table t;
	struct p2mo_legacy leg;
	unsigned long base;
	unsigned long win[SB_W];	/* read by both readers */
	enum sb_kind { SB_OURS, SB_LEGACY, SB_RAW } kind;
	/* written while readers run: each on a line of its own */
	bool stop ____cacheline_aligned;
	unsigned long writes ____cacheline_aligned;
	atomic_long_t ops[2] ____cacheline_aligned;
	struct completion done[3];
};

struct sb_thread {
	struct sb *b;
	int id;
};

static unsigned long sb_sink;

static unsigned long sb_raw(struct sb *b, unsigned long mfn)
{
	unsigned long pfn = mfn < b->m->nr_mfns ? p2mo_load_once(b->m->m2p[mfn]) :
						  P2MO_INVALID_ENTRY;

	return pfn < b->d->nr_pfns && p2mo_load_once(b->d->p2m[pfn]) == mfn ?
	       pfn : P2MO_INVALID_ENTRY;
}

static unsigned long sb_lookup(struct sb *b, unsigned long mfn)
{
	switch (b->kind) {
	case SB_LEGACY:
		return p2mo_legacy_mfn_to_pfn(&b->leg, mfn);
	case SB_RAW:
		return sb_raw(b, mfn);
	default:
		return p2mo_table_mfn_to_pfn(&b->t, mfn);
	}
}

static int sb_reader(void *arg)
{
	struct sb_thread *th = arg;
	struct sb *b = th->b;
	unsigned long n = 0, sink = 0;
	unsigned int i;

	while (!READ_ONCE(b->stop)) {
		for (i = 0; i < SB_W; i++)
			sink += sb_lookup(b, b->win[i]);
		n += SB_W;
		cond_resched();
	}
	WRITE_ONCE(sb_sink, sink);
	atomic_long_set(&b->ops[th->id], n);
	complete(&b->done[th->id]);
	return 0;
}

/* Churns overrides of extra frames: 16 add+remove pairs, then a nap. */
static int sb_writer(void *arg)
{
	struct sb_thread *th = arg;
	struct sb *b = th->b;
	unsigned int j = 0, k;

	while (!READ_ONCE(b->stop)) {
		for (k = 0; k < 16; k++, j = (j + 1) % SB_EXTRA) {
			unsigned long mfn = b->d->p2m[SB_N + j];
			unsigned long bpfn = b->base + SB_N + j;

			if (b->kind == SB_LEGACY) {
				p2mo_legacy_add(&b->leg, mfn, bpfn);
				p2mo_legacy_remove(&b->leg, bpfn);
			} else {
				p2mo_override_add(&b->t, mfn, bpfn, GFP_KERNEL);
				p2mo_override_remove(&b->t, mfn, bpfn);
			}
			b->writes++;
		}
		usleep_range(50, 100);
	}
	complete(&b->done[2]);
	return 0;
}

static struct task_struct *sb_start(struct kunit *test, int (*fn)(void *),
				    struct sb_thread *th, int cpu)
{
	struct task_struct *t = kthread_create(fn, th, "p2mo-sb%d", th->id);

	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	if (cpu >= 0)
		kthread_bind(t, cpu);
	wake_up_process(t);
	return t;
}

/* Lookups per second summed over @readers readers, with the writer on. */
static u64 sb_run(struct kunit *test, struct sb *b, enum sb_kind kind,
		  int readers)
{
	struct sb_thread th[3] = { { b, 0 }, { b, 1 }, { b, 2 } };
	int i;

	b->kind = kind;
	b->stop = false;
	for (i = 0; i < 3; i++)
		init_completion(&b->done[i]);
	for (i = 0; i < readers; i++)
		sb_start(test, sb_reader, &th[i], i);
	sb_start(test, sb_writer, &th[2], -1);
	msleep(SB_MS);
	WRITE_ONCE(b->stop, true);
	for (i = 0; i < readers; i++)
		wait_for_completion(&b->done[i]);
	wait_for_completion(&b->done[2]);
	return (atomic_long_read(&b->ops[0]) +
		(readers > 1 ? atomic_long_read(&b->ops[1]) : 0)) * 1000 / SB_MS;
}

/*
 * SB_REPS pairs of runs, one reader then two, of @kind: prints the median
 * rates and the median of the per-pair ratios (x100, returned).
 */
static u64 sb_scaling(struct kunit *test, struct sb *b, enum sb_kind kind,
		      const char *name, const char *win)
{
	u64 one[SB_REPS], two[SB_REPS], ratio[SB_REPS], x;
	unsigned int i;

	for (i = 0; i < SB_REPS; i++) {
		one[i] = sb_run(test, b, kind, 1);
		two[i] = sb_run(test, b, kind, 2);
		ratio[i] = one[i] ? two[i] * 100 / one[i] : 0;
	}
	x = p2mo_median(ratio, SB_REPS);
	pr_info("bench: %ssmp_1reader%s %llu lookups/s\n", name, win,
		p2mo_median(one, SB_REPS));
	pr_info("bench: %ssmp_2readers%s %llu lookups/s\n", name, win,
		p2mo_median(two, SB_REPS));
	pr_info("bench: %ssmp_2readers_vs_1%s %llu.%02llu x\n", name, win,
		x / 100, x % 100);
	return x;
}

/* Reader window: 1024 live frames, @stride apart; answers checked. */
static void sb_window(struct kunit *test, struct sb *b, unsigned int stride)
{
	unsigned long i, k;

	for (i = 0; i < SB_W; i++) {
		k = (i * stride + 7) % SB_N;
		b->win[i] = b->d->p2m[k];
		KUNIT_EXPECT_EQ(test, p2mo_table_mfn_to_pfn(&b->t, b->win[i]),
				b->base + k);
		KUNIT_EXPECT_EQ(test, p2mo_legacy_mfn_to_pfn(&b->leg, b->win[i]),
				b->base + k);
	}
}

static void bench_smp_readers(struct kunit *test)
{
	struct p2mo_params params = { .m2p_bits = 16, .p2m_bits = 10,
				      .lock_bits = 8 };
	struct sb *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	unsigned long local = SB_N + SB_EXTRA, i;
	u64 ours;

	KUNIT_ASSERT_NOT_NULL(test, b);
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs 2 CPUs (make bench-smp)");
	b->base = local;
	b->m = p2mo_sim_machine_create(local + 16, 16);
	KUNIT_ASSERT_NOT_NULL(test, b->m);
	b->d = p2mo_sim_domain_create(b->m, 0, 2 * local, local, 16);
	KUNIT_ASSERT_NOT_NULL(test, b->d);
	KUNIT_ASSERT_EQ(test, p2mo_table_init(&b->t, &b->d->be, &params), 0);
	KUNIT_ASSERT_EQ(test, p2mo_legacy_init(&b->leg, b->d->p2m, b->d->nr_pfns,
					       b->m->m2p, b->m->nr_mfns), 0);
	for (i = 0; i < SB_N; i++) {
		KUNIT_ASSERT_EQ(test, p2mo_override_add(&b->t, b->d->p2m[i], b->base + i,
							GFP_KERNEL), 0);
		p2mo_legacy_add(&b->leg, b->d->p2m[i], b->base + i);
	}
	sb_window(test, b, 64);
	sb_scaling(test, b, SB_RAW, "raw_", "_spread");
	sb_scaling(test, b, SB_OURS, "", "_spread");
	sb_window(test, b, 1);
	sb_scaling(test, b, SB_RAW, "raw_", "");
	ours = sb_scaling(test, b, SB_OURS, "", "");
	sb_scaling(test, b, SB_LEGACY, "legacy_", "");
	pr_info("bench: smp_writer_ops %lu\n", b->writes);
	KUNIT_EXPECT_GT(test, ours, 0ULL);
	KUNIT_EXPECT_GT(test, b->writes, 0UL);
	KUNIT_EXPECT_EQ(test, p2mo_live_overrides(&b->t), (long)SB_N);
	p2mo_table_drain(&b->t);
	p2mo_table_uninit(&b->t);
	p2mo_legacy_uninit(&b->leg);
	p2mo_sim_machine_destroy(b->m);
}

static struct kunit_case p2mo_smp_bench_cases[] = {
	KUNIT_CASE(bench_smp_readers),
	{}
};

static struct kunit_suite p2mo_smp_bench_suite = {
	.name = "p2mo_smp_bench",
	.test_cases = p2mo_smp_bench_cases,
};

kunit_test_suite(p2mo_smp_bench_suite);
