# SPDX-License-Identifier: GPL-2.0
# p2m-override: every command installs what it needs (Debian 12, apt-get).
#   make            the module, against the installed Debian headers
#   make kunit      KUnit suites in UML (KUNIT_VARIANT=plain|debug|kasan)
#   make check      build, checkpatch, sparse, kernel-doc, all KUnit variants, Xen harness
#   make xen-test   Xen + PV dom0 in QEMU: module, self-test, blkfront/blkback loopback
#   make demo       the same, narrated, for a human
#   make bench      the benchmark (UML), figures as ratios; bench-smp on x86_64 -smp 2
#   make bench-dom0 the module's cost to a PV dom0 (QEMU, one boot): fio without it,
#                   hooks=0, hooks=1; hook ns per event; insmod/verify with N grants
#   make coverage   gcov/lcov line coverage of the core (UML)
#   make dkms       dkms add/build/install against the Debian headers
#   make fresh-check make check in a fresh debootstrapped Debian 12 root (not in check)
#   make stress     SMP stress on x86_64 under QEMU with lockdep, PROVE_RCU, KASAN
#                   (KVARIANT=kcsan: under KCSAN; STRESS_SECS=10 by default)
ifneq ($(KERNELRELEASE),)
include $(src)/Kbuild
else

# Looked up when a recipe runs, after deps.sh may have installed headers.
# KDIR given (command line or environment): nothing is installed, deps.sh
# only checks KDIR and the tools and names what is missing.
ifeq ($(origin KDIR),undefined)
KDIR = $$(scripts/find-kdir.sh)
DEPS = scripts/deps.sh build
else
DEPS = scripts/deps.sh kdir "$(KDIR)"
export P2MO_NO_APT = 1
endif
PWD := $(CURDIR)
KUNIT_VARIANT ?= plain

.PHONY: all modules clean kunit check xen-test demo bench bench-smp bench-dom0 stress coverage dkms sparse checkpatch kerneldoc deps fresh-check

all modules: deps
	$(MAKE) -C $(KDIR) M=$(PWD) modules

deps:
	@$(DEPS)

clean:
	-k="$(KDIR)"; [ -d "$$k" ] && $(MAKE) -C "$$k" M=$(PWD) clean
	rm -f src/*.o kunit/*.o *.o *.ko *.mod *.mod.c modules.order Module.symvers

kunit:
	scripts/kunit.sh $(KUNIT_VARIANT)

sparse: deps
	scripts/deps.sh sparse
	$(MAKE) -C $(KDIR) M=$(PWD) C=2 CF=-D__CHECK_ENDIAN__ modules 2>&1 | tee /tmp/p2mo-sparse.log
	@! grep -E '^($(PWD)/)?(src|include|kunit)/.*(warning|error):' /tmp/p2mo-sparse.log

checkpatch:
	scripts/checkpatch.sh

kerneldoc:
	scripts/kerneldoc.sh

xen-test:
	scripts/xen/xen-test.sh

demo:
	scripts/xen/demo.sh

bench:
	scripts/bench.sh

bench-smp:
	scripts/bench.sh smp

bench-dom0:
	scripts/xen/bench-dom0.sh

# KVARIANT=kcsan: the same stress under KCSAN (no KASAN, no lockdep)
KVARIANT ?= stress
STRESS_SECS ?= 10
stress:
	scripts/kunit.sh x86-$(KVARIANT) 'p2mo_stress*' --kernel_args=p2m_override.stress_secs=$(STRESS_SECS)

coverage:
	scripts/coverage.sh

dkms:
	scripts/dkms.sh

check:
	scripts/check.sh

fresh-check:
	scripts/fresh-check.sh

endif
