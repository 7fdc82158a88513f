#!/usr/bin/env python3
# The import graph of src/: one node per concept (foo.c and foo.h are one
# node), an edge A -> B when a file of A includes B's header or A's object
# uses a symbol B's object defines.  Prints the edges with --edges, and
# fails (exit 1) on a circle, naming it.  Needs the objects: run after make.
#   usage: scripts/import-graph.py [--edges] [SRC_DIR]
import os, re, subprocess, sys

args = [a for a in sys.argv[1:] if not a.startswith('--')]
src = args[0] if args else os.path.join(os.path.dirname(__file__), '..', 'src')
alias = {'p2mo_trace': 'trace'}	# the tracepoints' header and trace.c
def node(f):
    stem = os.path.splitext(os.path.basename(f))[0]
    return alias.get(stem, stem)

files = sorted(f for f in os.listdir(src) if f.endswith(('.c', '.h')))
nodes = {node(f) for f in files}
edges = {n: set() for n in nodes}
inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
for f in files:
    for h in inc.findall(open(os.path.join(src, f)).read()):
        b = node(h)
        if b in nodes and b != node(f):
            edges[node(f)].add(b)

defs, uses = {}, {}
for f in files:
    o = os.path.join(src, f[:-2] + '.o')
    if not f.endswith('.c') or not os.path.exists(o):
        continue
    out = subprocess.run(['nm', o], capture_output=True, text=True).stdout
    for line in out.splitlines():
        p = line.split()
        if len(p) == 2 and p[0] == 'U':
            uses.setdefault(node(f), set()).add(p[1])
        elif len(p) == 3 and p[1] in 'TDRBG':
            defs[p[2]] = node(f)
if not defs:
    sys.exit('import-graph: no objects under %s: build first' % src)
for a, syms in uses.items():
    for s in syms:
        b = defs.get(s)
        if b and b != a:
            edges[a].add(b)

if '--edges' in sys.argv:
    for a in sorted(edges):
        print('%s -> %s' % (a, ' '.join(sorted(edges[a])) or '-'))

# a circle: depth-first search for a back edge
state, stack, circles = {}, [], []
def visit(n):
    state[n] = 1
    stack.append(n)
    for m in sorted(edges[n]):
        if state.get(m) == 1:
            circles.append(stack[stack.index(m):] + [m])
        elif not state.get(m):
            visit(m)
    stack.pop()
    state[n] = 2
for n in sorted(nodes):
    if not state.get(n):
        visit(n)
for c in circles:
    print('circle: ' + ' -> '.join(c))
print('import graph: %d nodes, %d edges, %d circles' %
      (len(nodes), sum(len(e) for e in edges.values()), len(circles)))
sys.exit(1 if circles else 0)
