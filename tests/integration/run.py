#!/usr/bin/env python3
"""Runs one integration test for ctest: run.py MODULE.CLASS.METHOD

Exit status 0 only if exactly that one test ran and passed: a skip, an
expected failure or a name that matches nothing is a failure.

run.py --check-registered ID...  fails unless the IDs given (those
integration.cmake registers) are exactly the tests defined in test_*.py, so
that a test cannot be written and then silently never run.
"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def all_ids():
    suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    out = []

    def walk(s):
        for t in s:
            if isinstance(t, unittest.TestSuite):
                walk(t)
            else:
                out.append(t.id())
    walk(suite)
    return sorted(out)


def main(argv):
    if len(argv) >= 2 and argv[1] == "--check-registered":
        defined = all_ids()
        bad = [i for i in defined if i.startswith("unittest.loader")]
        if bad:
            print("test modules failed to import: %s" % bad)
            return 1
        registered = sorted(argv[2:])
        missing = sorted(set(defined) - set(registered))
        stale = sorted(set(registered) - set(defined))
        for i in missing:
            print("defined but not registered in integration.cmake: %s" % i)
        for i in stale:
            print("registered in integration.cmake but not defined: %s" % i)
        print("%d tests defined, %d registered" % (len(defined), len(registered)))
        return 1 if missing or stale else 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    suite = unittest.defaultTestLoader.loadTestsFromName(argv[1])
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    if result.testsRun != 1:
        print("FAIL: %s ran %d tests, expected exactly 1" % (argv[1], result.testsRun))
        return 1
    if result.skipped or result.expectedFailures or result.unexpectedSuccesses:
        print("FAIL: a skipped test is not a passed test")
        return 1
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
