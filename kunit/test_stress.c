// SPDX-License-Identifier: GPL-2.0
/*
 * SMP stress (CONFIG_P2M_OVERRIDE_STRESS; `make stress`: x86_64 under
 * QEMU -smp 2 with PROVE_LOCKING, PROVE_RCU, DEBUG_ATOMIC_SLEEP, KASAN).
 *
 * Two writers (one per CPU) cycle their frames through four states,
 *   0: no override   1: {B1}   2: {B1, B2}   3: {B2}      (B1 < B2)
 * publishing a per-frame sequence number around every change (odd while
 * changing, as a seqcount), and map/unmap grant batches of other frames.
 * Two readers (one per CPU) look frames up and walk their reverse maps;
 * every answer must be the answer of a state the frame held at some
 * instant of the call, i.e. between the sequence numbers read before and
 * after it.  One writer reuses removed entries from its pool, the other
 * gives them back to the slab at once (after a grace period): KASAN
 * catches any read of a freed entry.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include "util.h"

#define S_FRAMES	32	/* pfns 0..31, all local: tags flip too */
#define S_BATCH		8	/* map batches: pfns 64..71 */
#define S_B1(f)		FIX_BPFN(2 * (f))
#define S_B2(f)		FIX_BPFN(2 * (f) + 1)
#define S_BATCH_BPFN(i)	FIX_BPFN(2 * S_FRAMES + (i))

static uint stress_secs = 10;
module_param(stress_secs, uint, 0444);
MODULE_PARM_DESC(stress_secs, "KUnit SMP stress: seconds to run");

struct stress {
	struct p2mo_fix *f;
	atomic_long_t gen[S_FRAMES];
	bool stop;
	atomic_long_t reads, walks, checked, unchecked, violations;
	atomic_long_t writes, batches, errors;
	struct completion done[4];
};

struct stress_thread {
	struct stress *s;
	int id;
};

static unsigned long s_mfn(struct stress *s, int f)
{
	return fix_mfn(s->f->d0, f);
}

/* The answers of state st of frame f. */
static unsigned long s_pfn_of(int f, unsigned int st)
{
	return st == 0 ? f : st == 3 ? S_B2(f) : S_B1(f);
}

static unsigned int s_set_of(int f, unsigned int st, unsigned long *out)
{
	unsigned int n = 0;

	if (st == 1 || st == 2)
		out[n++] = S_B1(f);
	if (st == 2 || st == 3)
		out[n++] = S_B2(f);
	return n;
}

static bool s_valid(struct stress *s, int f, long g1, long g2,
		    unsigned long pfn, unsigned long view,
		    const unsigned long *set, unsigned int n)
{
	long st;
	bool pfn_ok = false, view_ok = false, set_ok = false;

	for (st = g1 / 2; st <= (g2 + 1) / 2; st++) {
		unsigned long want[2];
		unsigned int k = s_set_of(f, st % 4, want);

		pfn_ok |= pfn == s_pfn_of(f, st % 4);
		view_ok |= view == (st % 4 ? P2MO_FOREIGN_FRAME(s_mfn(s, f)) :
				    s_mfn(s, f));
		set_ok |= k == n && !memcmp(want, set, n * sizeof(*set));
	}
	return pfn_ok && view_ok && set_ok;
}

static void s_read_one(struct stress *s, int f)
{
	unsigned long set[4], pfn, view;
	unsigned int n;
	long g1, g2;

	g1 = atomic_long_read_acquire(&s->gen[f]);
	pfn = p2mo_table_mfn_to_pfn(&s->f->t, s_mfn(s, f));
	view = p2mo_table_get_p2m(&s->f->t, f);
	n = p2mo_m2p_find_all(&s->f->t, s_mfn(s, f), set, ARRAY_SIZE(set));
	smp_rmb();	/* the reads above before the closing count: seqcount */
	g2 = atomic_long_read(&s->gen[f]);
	atomic_long_add(3, &s->reads);
	atomic_long_inc(&s->walks);
	if (g2 - g1 >= 6 || n > 2) {	/* a whole cycle passed: any answer */
		atomic_long_inc(&s->unchecked);
		return;
	}
	if (s_valid(s, f, g1, g2, pfn, view, set, n)) {
		atomic_long_inc(&s->checked);
		return;
	}
	if (atomic_long_inc_return(&s->violations) < 5)
		pr_err("stress: frame %d gen %ld..%ld: pfn %#lx view %#lx n %u\n",
		       f, g1, g2, pfn, view, n);
}

static int s_reader(void *arg)
{
	struct stress_thread *th = arg;
	struct stress *s = th->s;
	unsigned int i = th->id;

	while (!READ_ONCE(s->stop)) {
		s_read_one(s, i++ % S_FRAMES);
		cond_resched();
	}
	complete(&s->done[th->id]);
	return 0;
}

/* One step of frame f: to the next state, inside an odd generation. */
static void s_write_one(struct stress *s, int f)
{
	long g = atomic_long_read(&s->gen[f]);
	int err;

	atomic_long_set_release(&s->gen[f], g + 1);
	smp_wmb();	/* the odd count before the change: seqcount */
	switch ((g / 2) % 4) {
	case 0:
		err = p2mo_override_add(&s->f->t, s_mfn(s, f), S_B1(f), GFP_KERNEL);
		break;
	case 1:
		err = p2mo_override_add(&s->f->t, s_mfn(s, f), S_B2(f), GFP_KERNEL);
		break;
	case 2:
		err = p2mo_override_remove(&s->f->t, s_mfn(s, f), S_B1(f));
		break;
	default:
		err = p2mo_override_remove(&s->f->t, s_mfn(s, f), S_B2(f));
	}
	smp_wmb();	/* the change before the even count */
	atomic_long_set_release(&s->gen[f], g + 2);
	atomic_long_inc(&s->writes);
	if (err)
		atomic_long_inc(&s->errors);
}

/* A batch of S_BATCH / 2 grants mapped and unmapped by writer @id. */
static void s_batch(struct stress *s, int id, int *refs)
{
	struct gnttab_map_grant_ref map[S_BATCH / 2];
	struct gnttab_unmap_grant_ref unmap[S_BATCH / 2];
	struct page *pages[S_BATCH / 2];
	int i, b;

	for (i = 0; i < S_BATCH / 2; i++) {
		b = id * S_BATCH / 2 + i;
		fix_map_op(&map[i], s->f->d0, refs[b], S_BATCH_BPFN(b));
		pages[i] = p2mo_sim_page(s->f->d0, S_BATCH_BPFN(b));
	}
	if (p2mo_table_map_refs(&s->f->t, map, NULL, pages, S_BATCH / 2)) {
		atomic_long_inc(&s->errors);
		return;
	}
	for (i = 0; i < S_BATCH / 2; i++)
		fix_unmap_op(&unmap[i], &map[i], S_BATCH_BPFN(id * S_BATCH / 2 + i));
	if (p2mo_table_unmap_refs(&s->f->t, unmap, NULL, pages, S_BATCH / 2))
		atomic_long_inc(&s->errors);
	atomic_long_inc(&s->batches);
}

struct s_writer_arg {
	struct stress_thread th;
	int *refs;
};

static int s_writer(void *arg)
{
	struct s_writer_arg *w = arg;
	struct stress *s = w->th.s;
	unsigned int i = 0;

	while (!READ_ONCE(s->stop)) {
		/* writer 0 owns the even frames, writer 1 the odd ones */
		s_write_one(s, 2 * (i % (S_FRAMES / 2)) + w->th.id - 2);
		if (!(++i % 16))
			s_batch(s, w->th.id - 2, w->refs);
		/*
		 * Writer 0 sends its removed entries to the slab at once,
		 * under the readers (they must go after a grace period);
		 * writer 1 keeps them in its CPU's pool, and reuses them
		 * under the readers (who must see the seqcount move).
		 */
		if (w->th.id == 2)
			p2mo_pool_trim(s->f->t.pool);
		cond_resched();
	}
	/* leave every frame empty: run each to state 0 */
	for (i = w->th.id - 2; i < S_FRAMES; i += 2)
		while ((atomic_long_read(&s->gen[i]) / 2) % 4)
			s_write_one(s, i);
	complete(&s->done[w->th.id]);
	return 0;
}

static void stress_smp(struct kunit *test)
{
	struct stress *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct s_writer_arg w[2];
	struct stress_thread r[2];
	struct task_struct *tsk;
	int refs[S_BATCH], i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->f = p2mo_fix(test);
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs 2 CPUs (make stress)");
	for (i = 0; i < S_BATCH; i++)
		refs[i] = fix_grant(test, s->f->d0, 64 + i);
	for (i = 0; i < 4; i++)
		init_completion(&s->done[i]);
	for (i = 0; i < 2; i++) {
		r[i] = (struct stress_thread){ .s = s, .id = i };
		w[i] = (struct s_writer_arg){ .th = { .s = s, .id = 2 + i },
					      .refs = refs };
		tsk = kthread_create(s_reader, &r[i], "p2mo-rd%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(tsk));
		kthread_bind(tsk, i);
		wake_up_process(tsk);
		tsk = kthread_create(s_writer, &w[i], "p2mo-wr%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(tsk));
		kthread_bind(tsk, i);
		wake_up_process(tsk);
	}
	msleep(stress_secs * 1000);
	WRITE_ONCE(s->stop, true);
	for (i = 0; i < 4; i++)
		wait_for_completion(&s->done[i]);
	kunit_info(test, "stress: %us on %u CPUs: %ld lookups, %ld reverse-map walks, %ld answers checked, %ld unchecked, %ld violations; %ld override changes, %ld map/unmap batches, %ld errors",
		   stress_secs, num_online_cpus(), atomic_long_read(&s->reads),
		   atomic_long_read(&s->walks), atomic_long_read(&s->checked),
		   atomic_long_read(&s->unchecked), atomic_long_read(&s->violations),
		   atomic_long_read(&s->writes), atomic_long_read(&s->batches),
		   atomic_long_read(&s->errors));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->violations), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->errors), 0L);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->checked), 1000L);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->batches), 10L);
	KUNIT_EXPECT_EQ(test, p2mo_live_overrides(&s->f->t), 0L);
	KUNIT_EXPECT_EQ(test, p2mo_live_tags(&s->f->t), 0L);
}

static struct kunit_case p2mo_stress_cases[] = {
	KUNIT_CASE(stress_smp),
	{}
};

static struct kunit_suite p2mo_stress_suite = {
	.name = "p2mo_stress",
	.init = p2mo_fix_init,
	.exit = p2mo_fix_exit,
	.test_cases = p2mo_stress_cases,
};

kunit_test_suite(p2mo_stress_suite);
