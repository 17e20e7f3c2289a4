"""report.py - ok / not ok lines, notes, and the last line with the counts."""

import sys


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.numbers = []

    def check(self, cond, what, why=""):
        if cond:
            self.passed += 1
            print("ok - %s" % what)
        else:
            self.failed += 1
            print("not ok - %s%s" % (what, ": " + why if why else ""))
        sys.stdout.flush()
        return bool(cond)

    def note(self, text):
        print("# " + text)
        sys.stdout.flush()

    def number(self, text):
        """A figure of this run, for docs/scaling.md."""
        self.numbers.append(text)

    def finish(self):
        for n in self.numbers:
            print("# numbers: " + n)
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.stdout.flush()
        return 1 if self.failed else 0
