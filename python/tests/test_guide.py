"""The guide's MicroPython LED script, unchanged, as the M7 of the board (run by duet_m7.py),
against the guide's LED sketch on the M4; and the MicroPython names duet_m7.py provides."""
import os
import re
import signal
import subprocess
import sys
import time

from conftest import RUNNER

HERE = os.path.dirname(os.path.abspath(__file__))


def run_m7(script, env, seconds):
    """Runs script as the M7 for about seconds, then Ctrl-C; returns (status, stdout, stderr)."""
    p = subprocess.Popen([sys.executable, RUNNER, script], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
    return p.returncode, out, err


def test_the_guides_led_script_toggles_the_led_every_500_ms(board, monkeypatch):
    monkeypatch.setenv("DUET_PY_M4", "led")
    status, out, err = run_m7(os.path.join(HERE, "guide_led.py"), dict(os.environ), 2.4)
    assert status == 130, err  # stopped by Ctrl-C, as on the board
    events = re.findall(r"M4 (\d+) ms: LED (on|off)", out)
    assert len(events) >= 4, out + err
    states = [s for _, s in events]
    assert states[:4] == ["on", "off", "on", "off"]
    times = [int(t) for t, _ in events]
    gaps = [b - a for a, b in zip(times, times[1:])]
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


def test_runner_without_a_script(tmp_path):
    p = subprocess.run([sys.executable, RUNNER, str(tmp_path / "missing.py")], capture_output=True, text=True)
    assert p.returncode == 2 and "no such script" in p.stderr
