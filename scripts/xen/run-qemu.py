#!/usr/bin/env python3
"""Boot Xen 4.17 + the Debian PV dom0 kernel with a test initramfs under QEMU (TCG),
stream the serial console to a log file, and print the dom0 test's TAP result.

stdout gets ONLY the TAP lines (`ok`/`not ok`), `# ` diagnostics and the final
`N passed, M failed` line; with --verbose the whole console is echoed live first.
If the guest times out or crashes, every expected check it did not report is
printed as `not ok` and a count line is synthesised.  Exit 0 iff the final line
was seen with 0 failed and no `not ok`.

The QEMU boot runs under an exclusive flock(2) on $P2MO_LOCK (default
/var/cache/p2m-override/heavy.lock, same lock as flock(1)); set P2MO_NOLOCK=1
when the caller already holds it.
"""
import argparse, fcntl, glob, os, re, selectors, subprocess, sys, time

CACHE = os.path.join(os.environ.get('P2MO_CACHE', '/var/cache/p2m-override'), 'xen')  # as common.sh
LOCK = os.environ.get('P2MO_LOCK', '/var/cache/p2m-override/heavy.lock')
CHECKS = ['dom0_is_pv', 'module_load', 'selftest', 'sample_backend', 'loopback_direct_io',
          'overrides_tracked', 'tracepoints_fire', 'unload_under_io', 'detach_under_io',
          'overrides_drained', 'adopt_at_load', 'nopersist_io', 'gntdev_loopback',
          'reload_loop', 'guest_block_io', 'guest_insmod_live', 'guest_net',
          'guest_destroyed_drained', 'module_unload', 'no_kernel_splat']


def default_kernel():
    kver = os.environ.get('KVER')
    if not kver:
        ks = [os.path.basename(p) for p in glob.glob('/lib/modules/6.1.0-*[0-9]-amd64')]
        ks.sort(key=lambda k: [int(x) if x.isdigit() else x for x in re.split(r'[.-]', k)])
        kver = ks[-1] if ks else '6.1.0-56-amd64'
    return f'/boot/vmlinuz-{kver}'


p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument('--initrd', required=True, help='initramfs from build-initramfs.sh')
p.add_argument('--xen', default=f'{CACHE}/xen-4.17-amd64', help='gunzipped hypervisor ELF')
p.add_argument('--kernel', default=default_kernel())
p.add_argument('--timeout', type=float, default=600, help='seconds for the whole boot (default 600)')
p.add_argument('--log', help=f'console log (default {CACHE}/logs/run-<time>.log)')
p.add_argument('--tap-file', help='also write the final TAP report to this file')
p.add_argument('--verbose', action='store_true', help='echo the console live to stdout')
p.add_argument('--no-report', action='store_true', help='do not print the TAP report to stdout')
p.add_argument('--xen-args', default='console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M '
               'dom0_max_vcpus=2 loglvl=all guest_loglvl=all')
p.add_argument('--dom0-args', default='console=hvc0 earlyprintk=xen loglevel=7 log_buf_len=4M')
# -smap: SMAP under QEMU 7.2 TCG breaks the PV dom0's ring-3 iretq.  -avx...: QEMU 7.2's
# TCG AVX is new and glibc picks AVX2 string functions when it is offered; with it off, the
# guest's console showed 26-34 crashed processes in 150 s of guest I/O against 65 with it
# on, one boot each (testing.rst, 2026-12-02): not proof, but nothing here needs AVX.
CPU = 'max,-smap,-avx,-avx2,-fma,-f16c'
p.add_argument('--cpu', default=CPU, help=f'QEMU -cpu model (default {CPU})')
p.add_argument('--extra-dom0-args', default='', help='e.g. rdshell')
a = p.parse_args()

for f in (a.xen, a.kernel, a.initrd):
    if not os.path.isfile(f):
        sys.exit(f'run-qemu: {f} not found (run setup-host.sh / build-initramfs.sh)')
log_path = a.log or f'{CACHE}/logs/run-{time.strftime("%Y%m%d-%H%M%S")}.log'
os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)

# QEMU's multiboot module list is comma separated: a comma inside the dom0 command line is ',,'
dom0 = f'{a.dom0_args} {a.extra_dom0_args}'.strip().replace(',', ',,')
cmd = ['qemu-system-x86_64', '-accel', 'tcg', '-machine', 'pc',
       '-cpu', a.cpu,
       '-smp', '2', '-m', '2048', '-display', 'none', '-vga', 'none', '-no-reboot',
       '-serial', 'stdio', '-monitor', 'none', '-nodefaults',
       '-kernel', a.xen, '-append', a.xen_args, '-initrd', f'{a.kernel} {dom0},{a.initrd}']

TAP = re.compile(r'^(?:(?:not )?ok \d+ - \S.*|# .*|#|\d+ passed, \d+ failed)$')
FINAL = re.compile(r'^(\d+) passed, (\d+) failed$')
HILITE = re.compile(r'^(==> |ok \d|not ok \d|\d+ passed)')


def splat_sh(name):
    """splat.sh's NAME='ERE': one pattern for dom0-test.sh and this script."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'splat.sh')) as f:
        return re.search(rf"^{name}='([^']*)'$", f.read(), re.M).group(1)


SPLAT = re.compile(splat_sh('SPLAT') + '|Kernel panic')
USER_FAULT = re.compile(splat_sh('USER_FAULT'))   # a user process's fault: not a splat
CRASH = re.compile(r'Kernel panic - not syncing|Dom0 crashed|Panic on CPU|\(XEN\) Reboot in')
live, block, in_block, block_done = [], [], False, False
crash_at, crash_line = None, ''
crash_ctx = []     # RIP and call-trace lines following the first splat (at most 12)
FRAME = re.compile(r'^(?:\[ *[0-9.]+\] )?(RIP: .*|\s+(?:\? )?[\w.]+\+0x[0-9a-f]+/0x[0-9a-f]+.*)$')

lockf = None
if os.environ.get('P2MO_NOLOCK') != '1':
    os.makedirs(os.path.dirname(LOCK), exist_ok=True)
    lockf = open(LOCK, 'a')
    try:
        fcntl.flock(lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f'run-qemu: waiting for {LOCK} ...', file=sys.stderr, flush=True)
        fcntl.flock(lockf, fcntl.LOCK_EX)

log = open(log_path, 'w')
log.write('CMD: ' + ' '.join(repr(c) if ' ' in c else c for c in cmd) + '\n')
print(f'run-qemu: booting, console log {log_path}', file=sys.stderr, flush=True)
t0 = time.monotonic()
proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
os.set_blocking(proc.stdout.fileno(), False)
sel = selectors.DefaultSelector()
sel.register(proc.stdout, selectors.EVENT_READ)
buf, timed_out = b'', False
# At the timeout, before the kill: Xen's debug keys on the serial line (three Ctrl-A switch
# its input from dom0 to Xen; '0' dumps dom0's vCPU registers and stacks), so that a dom0
# hung in the kernel, where its own hang_watch cannot run, still shows where each vCPU is.
XEN_KEYS, KEY_WAIT = b'\x01\x01\x010', 15
keys_at = None


def handle(line):
    global in_block, block_done, crash_at, crash_line
    t = time.monotonic() - t0
    log.write(f'[{t:7.2f}] {line}\n')
    log.flush()
    if a.verbose:   # on a terminal, progress (==>) and result lines in bold
        bold = HILITE.match(line) and sys.stdout.isatty()
        print(f'[{t:7.2f}] ' + (f'\033[1m{line}\033[0m' if bold else line), flush=True)
    if line == '@@TAP-BEGIN':
        in_block, block[:] = True, []
    elif line == '@@TAP-END':
        in_block, block_done = False, True
    elif TAP.match(line):
        (block if in_block else live).append(line)
    if crash_at is None and CRASH.search(line):
        crash_at = t
    if not crash_line and SPLAT.search(line) and not TAP.match(line) and not USER_FAULT.search(line):
        crash_line = line    # first kernel splat, quoted if the guest does not finish
    elif crash_line and len(crash_ctx) < 12 and not block_done and FRAME.match(line):
        crash_ctx.append(FRAME.match(line).group(1).strip())


while True:
    now = time.monotonic() - t0
    if crash_at is None and now > a.timeout and keys_at is None:
        keys_at = now
        log.write(f'[{now:7.2f}] run-qemu: timeout; sending Xen debug key 0 (dom0 vCPU stacks)\n')
        try:
            proc.stdin.write(XEN_KEYS)
            proc.stdin.flush()
        except OSError:
            pass
    if (keys_at is not None and now > keys_at + KEY_WAIT) or (crash_at is not None and now > crash_at + 20):
        timed_out = crash_at is None
        proc.kill()
        break
    if sel.select(timeout=1.0):
        chunk = proc.stdout.read()
        if chunk:
            buf += chunk
            *lines, buf = buf.split(b'\n')
            for raw in lines:
                handle(raw.decode('utf-8', 'replace').rstrip('\r'))
            continue
    if proc.poll() is not None:
        break
if buf:
    handle(buf.decode('utf-8', 'replace').rstrip('\r'))
rc = proc.wait()
elapsed = time.monotonic() - t0
if lockf:
    lockf.close()

# the replayed block is immune to interleaved kernel messages; fall back to the live lines
out = list(block if block_done else live)
final = next((FINAL.match(l) for l in reversed(out) if FINAL.match(l)), None)
out = [l for l in out if not FINAL.match(l)]
if not final:      # guest did not finish: report the checks it never got to
    why = 'guest timed out' if timed_out else ('guest crashed' if crash_at is not None else 'guest stopped early')
    seen = {m.group(1) for l in out for m in [re.match(r'^(?:not )?ok \d+ - (\S+)', l)] if m}
    for i, name in enumerate(CHECKS, 1):
        if name not in seen:
            out += [f'not ok {i} - {name}', f'# not reported: {why} after {elapsed:.0f} s (see {log_path})']
            if crash_line:
                out.append(f'# first splat on the console: {crash_line}')
                out += [f'#   {c}' for c in crash_ctx]
                crash_line = ''
npass = sum(1 for l in out if l.startswith('ok '))
nfail = sum(1 for l in out if l.startswith('not ok '))
if final and (int(final.group(1)), int(final.group(2))) != (npass, nfail):
    out.append(f'# guest counted {final.group(0)}')
out.append(f'{npass} passed, {nfail} failed')
report = '\n'.join(out) + '\n'
if not a.no_report:
    if a.verbose:
        print('=' * 72)
    sys.stdout.write(report)
    sys.stdout.flush()
if a.tap_file:
    with open(a.tap_file, 'w') as f:
        f.write(report)
log.write(f'RESULT: {npass} passed, {nfail} failed, qemu rc={rc}, {elapsed:.1f} s, timed_out={timed_out}\n')
log.close()
print(f'run-qemu: {elapsed:.0f} s, qemu rc={rc}, log {log_path}', file=sys.stderr)
sys.exit(0 if final and int(final.group(2)) == 0 and nfail == 0 else 1)
