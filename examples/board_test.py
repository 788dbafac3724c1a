"""board_test.py - runs a program pair on the emulated board with duet-board and reads what
a person would see: the Serial Monitor (stdout), the event log, and the --vcd file."""
import os
import re
import subprocess
import tempfile

LOG_LINE = re.compile(r"^\[ *(\d+\.\d+) s\] (\S+) +(.*)$")


class Run:
    """One `duet-board run`: serial (str), log (list of (seconds, core, text)), vcd (Vcd)."""

    def __init__(self, tool, m7, m4=None, seconds=3, split=None, analog=(), trace=False, env=None, keep_vcd=False):
        with tempfile.TemporaryDirectory(prefix="duet-example.") as tmp:
            vcd_path = os.path.join(tmp, "board.vcd")
            if keep_vcd:  # the caller reads and removes it (vcd_path)
                fd, vcd_path = tempfile.mkstemp(prefix="duet-example.", suffix=".vcd")
                os.close(fd)
            self.vcd_path = vcd_path
            args = [tool, "run", "--seconds", str(seconds), "--m7", m7, "--vcd", vcd_path]
            if m4:
                args += ["--m4", m4]
            if split:
                args += ["--split", split]
            for a in analog:
                args += ["--analog", a]
            if trace:
                args.append("--trace")
            p = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 30,
                               env=dict(os.environ, **(env or {})), stdin=subprocess.DEVNULL)
            self.status = p.returncode
            self.serial = p.stdout
            self.stderr = p.stderr
            self.log = []
            for line in p.stderr.splitlines():
                m = LOG_LINE.match(line)
                if m:
                    self.log.append((float(m.group(1)), m.group(2), m.group(3)))
            with open(vcd_path) as f:
                self.vcd = Vcd(f.read())

    def events(self, pattern, core=None):
        """(time, match) for each log line whose text matches pattern (and core)."""
        rx = re.compile(pattern)
        out = []
        for t, c, text in self.log:
            m = rx.fullmatch(text)
            if m and (core is None or c == core):
                out.append((t, m))
        return out

    def serial_lines(self):
        return [line.rstrip("\r") for line in self.serial.split("\n") if line.rstrip("\r")]


class VcdError(Exception):
    pass


class Vcd:
    """A strict reader of the Value Change Dump subset duet-board writes (IEEE 1364 §18):
    header sections, $var wire declarations, #time, scalar and b-vector changes."""

    def __init__(self, text):
        self.timescale = None
        self.signals = {}   # name -> (id, width)
        self.changes = {}   # name -> [(time, value or None for x)]
        ids = {}
        tokens = text.split()
        i = 0
        defs_done = False
        time = None
        in_dumpvars = False
        while i < len(tokens):
            tok = tokens[i]
            if not defs_done:
                if not tok.startswith("$"):
                    raise VcdError(f"unexpected {tok!r} in the header")
                end = tokens.index("$end", i)
                body = tokens[i + 1:end]
                if tok == "$timescale":
                    self.timescale = " ".join(body)
                elif tok == "$var":
                    if len(body) != 4 or body[0] not in ("wire", "reg", "integer"):
                        raise VcdError(f"bad $var {body}")
                    width, ident, name = int(body[1]), body[2], body[3]
                    if ident in ids:
                        raise VcdError(f"identifier {ident} declared twice")
                    ids[ident] = name
                    self.signals[name] = (ident, width)
                    self.changes[name] = []
                elif tok == "$enddefinitions":
                    defs_done = True
                elif tok not in ("$date", "$version", "$scope", "$upscope", "$comment"):
                    raise VcdError(f"unknown section {tok}")
                i = end + 1
                continue
            if tok.startswith("#"):
                t = int(tok[1:])
                if time is not None and t < time:
                    raise VcdError(f"time goes back from {time} to {t}")
                time = t
            elif tok == "$dumpvars":
                in_dumpvars = True
            elif tok == "$end":
                if not in_dumpvars:
                    raise VcdError("$end outside a section")
                in_dumpvars = False
            elif tok[0] in "01xXzZ":
                self._change(ids, tok[1:], time, tok[0])
            elif tok[0] in "bB":
                self._change(ids, tokens[i + 1], time, tok[1:])
                i += 1
            else:
                raise VcdError(f"unexpected {tok!r}")
            i += 1

    def _change(self, ids, ident, time, value):
        if ident not in ids:
            raise VcdError(f"change of undeclared identifier {ident!r}")
        if time is None:
            raise VcdError("a change before the first #time")
        name = ids[ident]
        width = self.signals[name][1]
        if set(value) <= set("01"):
            if len(value) > width:
                raise VcdError(f"{name}: {value} is wider than {width} bits")
            v = int(value, 2)
        elif set(value.lower()) <= {"x"}:
            v = None
        else:
            raise VcdError(f"{name}: bad value {value!r}")
        self.changes[name].append((time, v))

    def values(self, name):
        """[(time_us, value)] of a signal, without the initial unknown."""
        return [(t, v) for t, v in self.changes.get(name, []) if v is not None]
