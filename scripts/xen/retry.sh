# shellcheck shell=dash
# Sourced by dom0-test.sh and by the guest's /init: each image has it as /retry.sh
# (build-initramfs.sh, build-guest.sh).  The sourcing script sets RETRY_PREFIX first.
#
# retry_crash CMD...: CMD, run again (5 runs in all, 0.2 s apart) only while it dies of
# a signal.  Under this TCG-emulated Xen, user processes of dom0 and of the guest crash
# now and then (SIGSEGV, SIGABRT), in bursts, while the guest does block I/O, with
# p2m_override never loaded too (testing.rst, 2026-12-02); an exit status of their own
# (an I/O error, a difference) is never retried.
RETRY_RUNS=5
RETRY_CONSOLE=${RETRY_CONSOLE:-/dev/console}
retry_crash() {
  _rn=1
  while :; do
    "$@"; _rs=$?
    [ $_rs -gt 128 ] && [ $_rn -lt $RETRY_RUNS ] || return $_rs
    # to the console, not stderr: callers redirect or parse CMD's stderr
    echo "${RETRY_PREFIX}retry_crash: '$*' died of signal $((_rs - 128)) (run $_rn of $RETRY_RUNS)" >> "$RETRY_CONSOLE"
    _rn=$((_rn + 1))
    sleep 0.2 2> /dev/null    # out of the burst; a crashed sleep only ends it early
  done
}
# md5_of FILE: FILE's md5 alone
md5_of() { md5sum "$1" > /tmp/md5.out || return; cut -d' ' -f1 /tmp/md5.out; }
