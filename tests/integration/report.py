"""report.py - TAP-like output: `ok - name` / `not ok - name: why`, and the total."""

import sys
import traceback


class Failed(Exception):
    """A check's own failure: its message is the reason printed."""


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, name):
        self.passed += 1
        print("ok - %s" % name, flush=True)

    def fail(self, name, why):
        self.failed += 1
        why = " ".join(str(why).split())[:600]
        print("not ok - %s: %s" % (name, why), flush=True)

    def check(self, name, fn, *args):
        """Runs fn(*args); passes unless it raises. Returns fn's result or None."""
        try:
            res = fn(*args)
        except Failed as e:
            self.fail(name, e)
            return None
        except Exception as e:  # a broken check is a failed check, said why
            tb = traceback.extract_tb(sys.exc_info()[2])[-1]
            self.fail(name, "%s: %s (%s:%d)" % (type(e).__name__, e,
                                                tb.filename.split("/")[-1], tb.lineno))
            return None
        self.ok(name)
        return res

    def summary(self):
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)


def expect(cond, why):
    if not cond:
        raise Failed(why)
