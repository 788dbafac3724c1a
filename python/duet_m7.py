"""duet_m7.py SCRIPT [ARG...] - runs a MicroPython script written for the GIGA R1's M7 on
CPython, as the M7 of duet's emulated board ($DUET_BOARD): the msgpackrpc module is duet's,
and the MicroPython names such a script uses (time.sleep_ms, time.ticks_ms, ...,
micropython.const) are provided. print() reaches stdout (the Serial Monitor) as it is
written."""
import builtins
import linecache
import os
import sys
import time
import traceback
import types

_TICKS_PERIOD = 1 << 30  # MicroPython's ticks wrap at 2**30
_start_ns = time.monotonic_ns()


def _ticks(divisor):
    return ((time.monotonic_ns() - _start_ns) // divisor) % _TICKS_PERIOD


def ticks_diff(new, old):
    """Signed difference of two ticks values, across the wrap."""
    half = _TICKS_PERIOD // 2
    return ((new - old + half) % _TICKS_PERIOD) - half


def ticks_add(ticks, delta):
    """ticks + delta, wrapped as ticks are."""
    return (ticks + delta) % _TICKS_PERIOD


def add_micropython_names():
    """Adds MicroPython's time functions and a micropython module to this interpreter."""
    time.sleep_ms = lambda ms: time.sleep(ms / 1000)
    time.sleep_us = lambda us: time.sleep(us / 1000000)
    time.ticks_ms = lambda: _ticks(1000000)
    time.ticks_us = lambda: _ticks(1000)
    time.ticks_cpu = lambda: _ticks(1)
    time.ticks_diff = ticks_diff
    time.ticks_add = ticks_add
    if "micropython" not in sys.modules:
        mp = types.ModuleType("micropython", "MicroPython's micropython module, as far as CPython can have it.")
        mp.const = lambda value: value
        mp.native = mp.viper = lambda fn: fn
        sys.modules["micropython"] = mp
    add_msgpack_module()


def add_msgpack_module():
    """Gives the script the msgpack module msgpackrpc uses on the board: Ext,
    InvalidString, packb and unpackb (on duet's converter). It takes the place of CPython's msgpack, if installed,
    whose names differ (ExtType)."""
    import msgpackrpc

    mp = types.ModuleType("msgpack", "The board's msgpack module, as far as msgpackrpc's scripts use it.")
    mp.Ext = msgpackrpc.Ext
    mp.InvalidString = msgpackrpc.InvalidString
    mp.packb = msgpackrpc._packb
    mp.unpackb = msgpackrpc._unpackb
    sys.modules["msgpack"] = mp


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    script = argv[1]
    if not os.path.isfile(script):
        print(f"duet_m7.py: no such script: {script}", file=sys.stderr)
        return 2
    sys.stdout.reconfigure(line_buffering=True)
    add_micropython_names()
    sys.argv = argv[1:]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    return run_script(script)


def shown_name(script):
    """The name a traceback gives the script: the one it was uploaded as, which duet-board
    keeps next to it (flash/0x08040000.py's in 0x08040000.name), else its path."""
    try:
        with open(os.path.splitext(script)[0] + ".name", encoding="utf-8") as f:
            name = f.read().strip()
    except (OSError, UnicodeError):
        return script
    return name if name.endswith(".py") else script


def run_script(script):
    """Runs script as __main__; an exception it does not catch is printed as Python prints
    one, without this file's frames (the user's own start at the script), and ends it with 1."""
    main_module = types.ModuleType("__main__")
    main_module.__file__ = script
    main_module.__builtins__ = builtins
    sys.modules["__main__"] = main_module
    try:
        with open(script, "rb") as f:
            source = f.read()
        name = shown_name(script)
        # A traceback shows the script's lines under that name, wherever the run's directory is.
        text = source.decode("utf-8", "replace")
        linecache.cache[name] = (len(text), None, text.splitlines(True), name)
        code = compile(source, name, "exec")
        exec(code, main_module.__dict__)
    except KeyboardInterrupt:
        return 130
    except SystemExit:
        raise
    except BaseException as e:
        tb = e.__traceback__.tb_next if isinstance(e, Exception) and e.__traceback__ else None
        traceback.print_exception(type(e), e, tb if not isinstance(e, SyntaxError) else None)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
