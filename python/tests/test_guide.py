"""The guide's MicroPython LED script, unchanged, as the M7 of the board (run by duet_m7.py),
against the guide's LED sketch on the M4 (the green LED in the board's event feed); and the
MicroPython names duet_m7.py provides."""
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import time

import msgpackrpc
from conftest import BIN, FIRMWARE, RUNNER

LAUNCHER = os.environ.get("DUET_PY_LAUNCHER", "")  # duet-m7-python
M4_LED = os.path.join(BIN, "python_m4_led")  # the guide's LED sketch, in C on duet/board.h
# A record of the board's event feed (ports/posix/include/duet/posix/events.h): len, kind,
# core, pin, value, reserved, time_us; then len bytes of data.
EVENT = struct.Struct("<IBBHiIQ")
EV_PIN = 4
M4 = 1
LEDG = 87

HERE = os.path.dirname(os.path.abspath(__file__))


def run_m7(script, env, seconds, pass_fds=()):
    """Runs script as the M7 for about seconds, then Ctrl-C; returns (status, stdout, stderr)."""
    p = subprocess.Popen([sys.executable, RUNNER, script], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, pass_fds=pass_fds)
    try:
        out, err = p.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
    return p.returncode, out, err


def read_events(fd, seconds):
    """The board's event records from the pipe fd, until every writer closed it."""
    data = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        if not ready:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data += chunk
    events = []
    while len(data) >= EVENT.size:
        length, kind, core, pin, value, _, time_us = EVENT.unpack_from(data)
        events.append((kind, core, pin, value, time_us))
        data = data[EVENT.size + length:]
    return events


def test_the_guides_led_script_toggles_the_led_every_500_ms(board):
    msgpackrpc._board_upload(board, FIRMWARE, M4_LED)
    r, w = os.pipe()
    try:
        env = dict(os.environ, DUET_BOARD_EVENTS=str(w))
        status, out, err = run_m7(os.path.join(HERE, "guide_led.py"), env, 4.0, pass_fds=(w,))
        os.close(w)
        w = -1
        events = read_events(r, 10)
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)
    assert status == 130, err  # stopped by Ctrl-C, as on the board
    led = [(value, t) for kind, core, pin, value, t in events if kind == EV_PIN and core == M4 and pin == LEDG]
    while led and led[0][0] != 0:  # from the first time it lights (active low)
        led.pop(0)
    assert [v for v, _ in led[:4]] == [0, 1, 0, 1], events
    gaps = [(b - a) / 1000 for (_, a), (_, b) in zip(led, led[1:])]
    assert all(450 <= g <= 900 for g in gaps), gaps
    assert sorted(gaps)[len(gaps) // 2] <= 650, gaps  # most of them close to 500 ms


def test_micropython_names_and_print_reach_stdout_as_written(tmp_path, board):
    script = tmp_path / "names.py"
    script.write_text(
        "import time\n"
        "from micropython import const\n"
        "import msgpackrpc\n"
        "X = const(5)\n"
        "t = time.ticks_ms()\n"
        "time.sleep_ms(120)\n"
        "d = time.ticks_diff(time.ticks_ms(), t)\n"
        "print('slept', 110 <= d < 400, X)\n"
        "print('wrap', time.ticks_diff(time.ticks_add(2**30 - 5, 10), 2**30 - 5))\n"
        "rpc = msgpackrpc.MsgPackRPC()\n"
        "rpc.start()\n"
        "print('sum', rpc.call('add', 2, 3))\n"
        "time.sleep_us(10)\n"
    )
    t = time.monotonic()
    status, out, err = run_m7(str(script), dict(os.environ), 20)
    assert status == 0, err
    assert out.splitlines() == ["slept True 5", "wrap 10", "sum 5"]
    assert time.monotonic() - t < 10


def test_the_m7_image_runs_the_script_uploaded_next_to_it_or_named(tmp_path, board):
    script = tmp_path / "sum.py"
    script.write_text("import msgpackrpc\nrpc = msgpackrpc.MsgPackRPC()\nrpc.start()\nprint('sum', rpc.call('add', 2, 3))\n")
    image = tmp_path / "image"
    shutil.copy(LAUNCHER, image)
    shutil.copy(script, str(image) + ".py")
    env = dict(os.environ, PYTHONPATH="")
    p = subprocess.run([str(image)], env=env, capture_output=True, text=True, timeout=30)
    assert (p.returncode, p.stdout) == (0, "sum 5\n"), p.stderr
    msgpackrpc._board_reset(board)
    env["DUET_M7_SCRIPT"] = str(script)
    p = subprocess.run([LAUNCHER], env=env, capture_output=True, text=True, timeout=30)
    assert (p.returncode, p.stdout) == (0, "sum 5\n"), p.stderr
    del env["DUET_M7_SCRIPT"]
    p = subprocess.run([LAUNCHER], env=env, capture_output=True, text=True, timeout=30)
    assert p.returncode == 127 and "DUET_M7_SCRIPT" in p.stderr


def test_a_scripts_traceback_names_the_script_as_uploaded(tmp_path):
    # duet-board uploads SCRIPT.py as flash/0x08040000.py (with its name in 0x08040000.name):
    # a traceback named that file, in a board directory the run removed, after frames of
    # duet_m7.py and runpy that are not the user's.
    image = tmp_path / "0x08040000"
    shutil.copy(LAUNCHER, image)
    (tmp_path / "0x08040000.py").write_text("x = 1\n\nraise ValueError('boom')\n")
    (tmp_path / "0x08040000.name").write_text("mine.py")
    p = subprocess.run([str(image)], env=dict(os.environ, PYTHONPATH=""), capture_output=True, text=True, timeout=30)
    assert p.returncode == 1, p.stderr
    assert p.stderr == ('Traceback (most recent call last):\n  File "mine.py", line 3, in <module>\n'
                        "    raise ValueError('boom')\nValueError: boom\n"), p.stderr
    # Run by hand on a script of its own, the script's own path.
    script = tmp_path / "own.py"
    script.write_text("def f():\n    return 1 / 0\nf()\n")
    p = subprocess.run([sys.executable, RUNNER, str(script)], capture_output=True, text=True, timeout=30)
    assert p.returncode == 1, p.stderr
    assert p.stderr.startswith('Traceback (most recent call last):\n  File "%s", line 3, in <module>\n' % script), p.stderr
    assert "duet_m7.py" not in p.stderr and "runpy" not in p.stderr, p.stderr
    assert p.stderr.endswith("ZeroDivisionError: division by zero\n"), p.stderr


def test_runner_without_a_script(tmp_path):
    p = subprocess.run([sys.executable, RUNNER, str(tmp_path / "missing.py")], capture_output=True, text=True)
    assert p.returncode == 2 and "no such script" in p.stderr
