"""call, call_async + Future.join, notify, and the errors they raise."""
import os
import signal
import threading
import time

import pytest

import msgpackrpc


def test_call_returns_the_result(up):
    assert up.call("add", 40, 2) == 42
    assert up.call("add", -5, 3) == -2


def test_call_takes_a_timeout_and_only_that_keyword(up):
    assert up.call("add", 1, 2, timeout=1000) == 3
    with pytest.raises(TypeError, match="timeout"):
        up.call("add", 1, 2, retries=3)
    # Its errors used to name call_async, which the script did not call.
    with pytest.raises(TypeError, match=r"^call: the function name must be a str, not int$"):
        up.call(42)
    with pytest.raises(TypeError, match=r"^call\(\) needs the name of the function to call$"):
        up.call()
    with pytest.raises(TypeError, match=r"^call_async: the function name must be a str"):
        up.call_async(42)


def test_a_name_with_a_nul_character_is_refused(up):
    # The name used to be cut at the NUL: call("add\0junk") called "add".
    for send in (up.call, up.call_async, up.notify):
        with pytest.raises(ValueError, match="the function name holds a NUL character"):
            send("add\0junk", 1, 2)
    with pytest.raises(ValueError, match="the function name holds a NUL character"):
        up.bind("py\0junk", print)
    assert up.call("add", 1, 2) == 3


def test_a_nan_timeout_is_a_value_error(up):
    # NaN compared false with everything, so it used to mean "wait forever", silently.
    nan = float("nan")
    with pytest.raises(ValueError, match="timeout must be a number of milliseconds, not NaN"):
        up.call("add", 1, 2, timeout=nan)
    with pytest.raises(ValueError, match="not NaN"):
        up.call_async("add", 1, 2).join(timeout=nan)
    with pytest.raises(ValueError, match="not NaN"):
        up.read(timeout=nan)
    with pytest.raises(ValueError, match="not NaN"):
        msgpackrpc.MsgPackRPC().start(timeout=nan)
    assert up.call("add", 1, 2, timeout=float("inf")) == 3


def test_call_timeout_raises_and_the_late_answer_is_dropped(up):
    t = time.monotonic()
    with pytest.raises(OSError, match="Timeout joining function sleep_ms"):
        up.call("sleep_ms", 400, timeout=100)
    assert 0.09 < time.monotonic() - t < 1.0
    assert up.call("add", 2, 3) == 5  # the late answer to sleep_ms does not confuse this one


def test_remote_error_is_an_oserror_with_its_text(up):
    with pytest.raises(OSError, match="fail: no such pin"):
        up.call("fail", "no such pin")
    with pytest.raises(OSError, match="could not find function 'nope'"):
        up.call("nope", 1)
    with pytest.raises(OSError, match="expected 2 arguments, got 1"):
        up.call("add", 1)


def test_call_async_returns_a_future_with_join(up):
    f = up.call_async("add", 20, 22)
    assert isinstance(f, msgpackrpc.Future)
    assert f.fname == "add"
    assert f.join() == 42
    assert f.join() == 42  # joined again: the same answer


def test_msgids_count_up_from_zero(up):
    ids = [up.call_async("add", i, 0).msgid for i in range(3)]
    assert ids[1] == ids[0] + 1 and ids[2] == ids[1] + 1


def test_many_futures_joined_out_of_order(up):
    futures = [up.call_async("add", i, 1000) for i in range(30)]
    order = list(range(30))
    order = order[1::2] + order[0::2][::-1]
    for i in order:
        assert futures[i].join(timeout=2000) == i + 1000


def test_too_many_waiting_calls_is_a_clear_error(up):
    futures = []
    with pytest.raises(OSError, match="join some of the futures first"):
        for i in range(100):
            futures.append(up.call_async("add", i, i))
    assert len(futures) >= 8
    assert [f.join() for f in futures] == [2 * i for i in range(len(futures))]


def test_join_timeout_then_join_again(up):
    f = up.call_async("sleep_ms", 500)
    t = time.monotonic()
    with pytest.raises(OSError, match="Timeout joining function sleep_ms"):
        f.join(timeout=100)
    assert 0.09 < time.monotonic() - t < 1.0
    assert f.join() == 500


def test_join_wakes_when_the_answer_arrives(up):
    # MicroPython's join polls in 100 ms steps; this one wakes with the answer. Best of three,
    # so that a busy machine does not decide.
    for ms in (5, 20):
        took = []
        for _ in range(3):
            f = up.call_async("sleep_ms", ms)
            t = time.monotonic()
            assert f.join() == ms
            took.append((time.monotonic() - t) * 1000)
        assert min(took) < ms + 60, f"join took {min(took):.0f} ms for a {ms} ms call"


def test_remote_error_through_join(up):
    f = up.call_async("fail", "busy")
    with pytest.raises(OSError, match="fail: busy"):
        f.join()
    with pytest.raises(OSError, match="fail: busy"):
        f.join()


def test_joining_a_failed_future_again_does_not_grow_its_error(up):
    # Each join raised the one stored exception again, and every raise added to its
    # traceback (and, from an except block, set its __context__): it grew without end.
    f = up.call_async("fail", "busy")
    seen = []
    for _ in range(50):
        try:
            f.join()
        except OSError as e:
            seen.append(e)
    depth, tb = 0, seen[-1].__traceback__
    while tb:
        depth, tb = depth + 1, tb.tb_next
    assert depth == 1
    assert seen[-1].args == seen[0].args == ("fail: busy",) and seen[-1].__context__ is None


def test_one_future_joined_from_several_threads_at_once(up):
    # The threads that did not take the answer used to run the finish again on a future
    # already taken: SystemError (a result returned with an exception set), and a leak.
    for _ in range(5):
        f = up.call_async("sleep_ms", 50)
        got = []

        def joiner():
            try:
                got.append(f.join(timeout=5000))
            except Exception as e:  # noqa: BLE001 - compared below
                got.append(e)

        threads = [threading.Thread(target=joiner) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert got == [50, 50, 50]
    g = up.call_async("fail", "busy")
    errors = []

    def fail_joiner():
        with pytest.raises(OSError, match="fail: busy"):
            g.join(timeout=5000)
        errors.append(True)

    threads = [threading.Thread(target=fail_joiner) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [True, True, True]


def test_calls_from_several_threads(up):
    errors = []

    def worker(k):
        try:
            for i in range(20):
                assert up.call("add", k, i) == k + i
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k * 100,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_a_killed_m4_ends_the_wait_with_oserror(up, board):
    f = up.call_async("sleep_ms", 5000)
    pid = msgpackrpc._board_m4_pid(board)
    assert pid > 0
    os.kill(pid, signal.SIGKILL)
    t = time.monotonic()
    with pytest.raises(OSError, match="killed by signal 9"):
        f.join()
    assert time.monotonic() - t < 2.0
    with pytest.raises(OSError, match="killed by signal 9"):
        up.call("add", 1, 2)


def test_an_m4_that_exits_during_a_call(up):
    with pytest.raises(OSError, match="exited with status 7"):
        up.call("exit", 7)


def test_notify_reaches_the_m4(up):
    assert up.notify("m4_note", 1, 2, 3) is None
    up.notify("m4_note", 4, 5)
    assert up.call("notes") == [2, [4, 5]]
