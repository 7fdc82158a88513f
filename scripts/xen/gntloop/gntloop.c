// SPDX-License-Identifier: GPL-2.0
/*
 * gntloop: grant pages from dom0 to dom0 itself and use the mapping for
 * block I/O, for the dom0 test's gntdev_loopback check.
 *
 *   gntloop DEV NPAGES STATEFILE [SECTOR_OFFSET]
 *
 * 1. /dev/xen/gntalloc: NPAGES writable grants to domain 0 (ourselves),
 *    mmap()ed and filled with a pattern (the "frontend" pages).
 * 2. /dev/xen/gntdev: IOCTL_GNTDEV_MAP_GRANT_REF of those grants + mmap()
 *    (the "backend" pages: their pfns become FOREIGN in the real p2m).
 * 3. O_DIRECT write of the gntdev mapping to DEV, O_DIRECT read back into
 *    a plain buffer, compare; O_DIRECT read from DEV into the gntdev
 *    mapping, compare through the gntalloc view (the same frames).
 * 4. fork(): the child touches the inherited mappings (gntdev sets
 *    VM_DONTCOPY on PV, so a SIGSEGV there is reported, not fatal), maps
 *    the first grant again through its own gntdev fd, checks it, and
 *    exits without unmapping (the fd release unmaps).
 * 5. writes "mapped" to STATEFILE and waits for SIGUSR1 (60 s at most);
 *    munmap + IOCTL_GNTDEV_UNMAP_GRANT_REF; writes "unmapped" and waits
 *    for SIGUSR1 again; frees the grants; writes "done".
 * Exit status 0 iff every check passed; progress on stdout, "gntloop: ".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
/* the uapi gntdev.h's copy ioctl uses these Xen types without defining them */
typedef uint32_t grant_ref_t;
typedef uint16_t domid_t;
#include <xen/gntalloc.h>
#include <xen/gntdev.h>

#define PG 4096UL

static int failures;
static const char *statefile;

#define FAIL(...) do {						\
		printf("gntloop: FAIL: " __VA_ARGS__);			\
		putchar('\n');						\
		fflush(stdout);						\
		failures++;						\
	} while (0)
#define SAY(...)  do { printf("gntloop: " __VA_ARGS__); putchar('\n'); fflush(stdout); } while (0)

static void state(const char *s)
{
	FILE *f = fopen(statefile, "w");

	if (!f) {
		FAIL("cannot write %s: %s", statefile, strerror(errno));
		return;
	}
	fprintf(f, "%s\n", s);
	fclose(f);
}

static void wait_usr1(const char *what)
{
	struct timespec to = { .tv_sec = 60 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	SAY("%s: waiting for SIGUSR1", what);
	if (sigtimedwait(&set, NULL, &to) < 0)
		FAIL("%s: no SIGUSR1 within 60 s (%s)", what, strerror(errno));
}

static void fill(unsigned char *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)((i * 131 + seed * 7 + (i >> 12)) ^ (seed >> 3));
}

static size_t first_diff(const unsigned char *a, const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return i;
	return n;
}

static int rw_all(int write_it, int fd, void *buf, size_t n, off_t off)
{
	ssize_t r = write_it ? pwrite(fd, buf, n, off) : pread(fd, buf, n, off);

	if (r != (ssize_t)n) {
		FAIL("O_DIRECT %s of %zu bytes at %lld: %zd (%s)", write_it ? "write" : "read",
		     n, (long long)off, r, r < 0 ? strerror(errno) : "short");
		return -1;
	}
	return 0;
}

static sigjmp_buf segv_jmp;
static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(segv_jmp, 1);
}

/* map one grant of ours through a fresh gntdev fd; returns the mapping or NULL */
static void *map_one(int *fdp, uint32_t ref, uint64_t *index)
{
	struct ioctl_gntdev_map_grant_ref m = { .count = 1 };
	void *p;
	int fd = open("/dev/xen/gntdev", O_RDWR);

	if (fd < 0)
		return NULL;
	m.refs[0].domid = 0;
	m.refs[0].ref = ref;
	if (ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, &m)) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.index);
	if (p == MAP_FAILED) {
		close(fd);
		return NULL;
	}
	*fdp = fd;
	*index = m.index;
	return p;
}

static int child(unsigned char *shared, unsigned char *mapped, uint32_t ref0,
		 size_t len)
{
	struct sigaction sa = { .sa_handler = on_segv };
	volatile int inherited = 0;
	unsigned char *again;
	uint64_t idx;
	volatile int rc = 0;
	int fd;

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	/* the gntalloc view is inherited: a write there shows in the grant */
	shared[len - 1] ^= 0x5a;
	if (!sigsetjmp(segv_jmp, 1)) {
		inherited = mapped[len - 1] == shared[len - 1];
		SAY("child: inherited gntdev mapping readable, %s the gntalloc view",
		    inherited ? "agrees with" : "DIFFERS from");
		if (!inherited)
			rc = 1;
	} else {
		SAY("child: inherited gntdev mapping not accessible (VM_DONTCOPY)");
	}
	shared[len - 1] ^= 0x5a;
	again = map_one(&fd, ref0, &idx);
	if (!again) {
		printf("gntloop: FAIL: child: second gntdev map of gref %u failed: %s\n",
		       ref0, strerror(errno));
		return 1;
	}
	if (memcmp(again, shared, PG)) {
		printf("gntloop: FAIL: child: second mapping of gref %u differs\n", ref0);
		rc = 1;
	}
	again[17] ^= 1;
	if (shared[17] == again[17])
		shared[17] = again[17] ^ 1;	/* undo through the other view */
	else
		rc = 1;
	SAY("child: gref %u mapped a second time, exiting without unmap", ref0);
	fflush(stdout);
	_exit(rc);	/* the fd release unmaps */
}

int main(int argc, char **argv)
{
	struct ioctl_gntalloc_alloc_gref *a;
	struct ioctl_gntdev_map_grant_ref *m;
	struct ioctl_gntdev_unmap_grant_ref um = { 0 };
	struct ioctl_gntalloc_dealloc_gref da = { 0 };
	unsigned char *shared, *mapped, *pat, *buf;
	size_t n, len, d;
	off_t off;
	sigset_t set;
	int ga, gd, dev, st;
	pid_t pid;
	unsigned int i;

	if (argc < 4) {
		fprintf(stderr, "usage: %s DEV NPAGES STATEFILE [SECTOR_OFFSET]\n", argv[0]);
		return 2;
	}
	statefile = argv[3];
	n = strtoul(argv[2], NULL, 0);
	off = argc > 4 ? (off_t)strtoull(argv[4], NULL, 0) * 512 : 0;
	len = n * PG;
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);	/* no SIGUSR1 lost before we wait */
	state("starting");

	ga = open("/dev/xen/gntalloc", O_RDWR);
	gd = open("/dev/xen/gntdev", O_RDWR);
	dev = open(argv[1], O_RDWR | O_DIRECT);
	if (ga < 0 || gd < 0 || dev < 0) {
		FAIL("open: gntalloc %d gntdev %d %s %d: %s", ga, gd, argv[1],
		     dev, strerror(errno));
		state("failed");
		return 1;
	}

	a = calloc(1, sizeof(*a) + n * sizeof(a->gref_ids[0]));
	m = calloc(1, sizeof(*m) + n * sizeof(m->refs[0]));
	a->domid = 0;
	a->flags = GNTALLOC_FLAG_WRITABLE;
	a->count = n;
	if (ioctl(ga, IOCTL_GNTALLOC_ALLOC_GREF, a)) {
		FAIL("IOCTL_GNTALLOC_ALLOC_GREF(%zu): %s", n, strerror(errno));
		state("failed");
		return 1;
	}
	shared = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, ga, a->index);
	if (shared == MAP_FAILED) {
		FAIL("mmap gntalloc: %s", strerror(errno));
		state("failed");
		return 1;
	}
	SAY("%zu grants to dom0: gref %u..%u", n, a->gref_ids[0], a->gref_ids[n - 1]);

	m->count = n;
	for (i = 0; i < n; i++) {
		m->refs[i].domid = 0;
		m->refs[i].ref = a->gref_ids[i];
	}
	if (ioctl(gd, IOCTL_GNTDEV_MAP_GRANT_REF, m)) {
		FAIL("IOCTL_GNTDEV_MAP_GRANT_REF(%zu): %s", n, strerror(errno));
		state("failed");
		return 1;
	}
	mapped = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, gd, m->index);
	if (mapped == MAP_FAILED) {
		FAIL("mmap gntdev: %s", strerror(errno));
		state("failed");
		return 1;
	}

	pat = malloc(len);
	if (posix_memalign((void **)&buf, PG, len) || !pat)
		return 1;
	fill(pat, len, (unsigned int)getpid());
	memcpy(shared, pat, len);
	d = first_diff(mapped, pat, len);
	if (d != len)
		FAIL("gntdev mapping differs from the gntalloc pages at byte %zu", d);
	else
		SAY("gntdev mapping of %zu pages shows the gntalloc pattern", n);

	/* the mapping as the source of an O_DIRECT write, then a plain read back */
	if (!rw_all(1, dev, mapped, len, off) && !rw_all(0, dev, buf, len, off)) {
		d = first_diff(buf, pat, len);
		if (d != len)
			FAIL("O_DIRECT write from the gntdev mapping: read back differs at byte %zu",
			     d);
		else
			SAY("O_DIRECT write from the gntdev mapping to %s verified", argv[1]);
	}
	/* the mapping as the target of an O_DIRECT read */
	fill(pat, len, (unsigned int)getpid() + 1);
	memcpy(buf, pat, len);
	if (!rw_all(1, dev, buf, len, off)) {
		memset(mapped, 0, len);
		if (!rw_all(0, dev, mapped, len, off)) {
			d = first_diff(shared, pat, len);
			if (d != len)
				FAIL("O_DIRECT read into the gntdev mapping: gntalloc view differs at byte %zu",
				     d);
			else
				SAY("O_DIRECT read from %s into the gntdev mapping verified",
				    argv[1]);
		}
	}

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		child(shared, mapped, a->gref_ids[0], len);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		FAIL("fork/waitpid: %s", strerror(errno));
	else if (!WIFEXITED(st) || WEXITSTATUS(st))
		FAIL("child: status %#x", st);
	d = first_diff(shared, pat, len);
	if (d != len)
		FAIL("after the child: gntalloc view differs at byte %zu", d);
	d = first_diff(mapped, pat, len);
	if (d != len)
		FAIL("after the child: gntdev mapping differs at byte %zu", d);

	state("mapped");
	wait_usr1("mapped");

	if (munmap(mapped, len))
		FAIL("munmap gntdev: %s", strerror(errno));
	um.index = m->index;
	um.count = n;
	if (ioctl(gd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &um))
		FAIL("IOCTL_GNTDEV_UNMAP_GRANT_REF: %s", strerror(errno));
	close(gd);
	SAY("gntdev mapping unmapped");
	state("unmapped");
	wait_usr1("unmapped");

	munmap(shared, len);
	da.index = a->index;
	da.count = n;
	if (ioctl(ga, IOCTL_GNTALLOC_DEALLOC_GREF, &da))
		FAIL("IOCTL_GNTALLOC_DEALLOC_GREF: %s", strerror(errno));
	close(ga);
	close(dev);
	SAY("%s (%d failures)", failures ? "FAILED" : "passed", failures);
	state("done");
	return failures ? 1 : 0;
}
