"""checks.py - a tiny check counter for the interop tests: every check prints one line,
the summary says how many passed, and the exit status is non-zero if any failed."""
import sys
import traceback


class Checks:
    def __init__(self, title):
        self.title = title
        self.passed = 0
        self.failed = []

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("  ok    %s" % name)
        else:
            self.failed.append(name)
            print("  FAIL  %s%s" % (name, ("\n        " + str(detail)) if detail != "" else ""))
        sys.stdout.flush()
        return ok

    def equal(self, name, got, want):
        return self.check(name, got == want, "got  %s\n        want %s" % (_short(got), _short(want)))

    def contains(self, name, text, part):
        return self.check(name, text is not None and part in str(text), "%s does not contain %r" % (_short(text), part))

    def section(self, name, fn, *args):
        """Runs fn(*args); an exception fails the section instead of stopping the test."""
        print("%s:" % name)
        sys.stdout.flush()
        try:
            fn(*args)
        except Exception as e:
            tb = traceback.format_exc().strip()
            self.check("%s (raised %s: %s)" % (name, type(e).__name__, _short(str(e), 200)), False,
                       tb if len(tb) < 3000 else tb[:1500] + "\n...\n" + tb[-1500:])

    def summary(self):
        total = self.passed + len(self.failed)
        print("%s: %d of %d checks passed" % (self.title, self.passed, total))
        for name in self.failed:
            print("  failed: %s" % name)
        sys.stdout.flush()
        return 0 if not self.failed and total > 0 else 1


def _short(v, limit=300):
    r = v if isinstance(v, str) and limit == 200 else repr(v)
    return r if len(r) <= limit else r[:limit] + "...(%d chars)" % len(r)
