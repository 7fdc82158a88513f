#!/usr/bin/env python3
"""Count KUnit results (kunit.py --json) and print 'N passed, N failed'.
Exit 1 if anything failed or nothing ran."""
import json
import sys

passed = failed = skipped = 0


def walk(t):
    global passed, failed, skipped
    kids = t.get("sub_groups", []) + t.get("test_cases", [])
    if not kids:
        st = t.get("status")
        passed += st == "PASS"
        failed += st in ("FAIL", "ERROR", "CRASHED")
        skipped += st == "SKIP"
    for k in kids:
        walk(k)


try:
    d = json.load(open(sys.argv[1]))
    for g in d.get("sub_groups", []):
        walk(g)
except (OSError, ValueError) as e:
    print(f"no results: {e}")
    failed += 1
if skipped:
    print(f"{skipped} skipped")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
