"""start(): booting the M4, its defaults, and every way it fails with OSError."""
import os
import shutil
import subprocess
import time

import pytest

import msgpackrpc
from conftest import FIRMWARE, M4_PEER, read_line


def test_start_defaults_boot_the_m4_at_0x08180000(rpc):
    rpc.start()  # firmware=0x08180000, num_channels=2, timeout=3000
    assert rpc.call("cpu") == 1  # the M4's HAL_GetCurrentCPUID()
    assert rpc.call("add", 1, 2) == 3
    assert rpc.streaming is False


def test_streaming_argument_is_kept(board):
    r = msgpackrpc.MsgPackRPC(streaming=True)
    try:
        assert r.streaming is True
        r.start()
        assert r.call("add", 2, 2) == 4
    finally:
        r.close()


def test_start_with_a_path_uploads_and_boots_it(rpc, board):
    msgpackrpc._board_reset(board)
    os.unlink(os.path.join(board, "flash", "0x08180000"))
    rpc.start(firmware=M4_PEER)
    assert rpc.call("add", 20, 22) == 42


def _flash(board):
    with open(os.path.join(board, "flash", "0x08180000"), "rb") as f:
        return f.read()


def test_start_with_a_path_that_is_not_there_says_so_once(rpc, board, tmp_path):
    # It said "uploading PATH: upload: PATH: No such file or directory", with no word on what
    # start() takes.
    before = _flash(board)
    missing = str(tmp_path / "m4_typo")
    with pytest.raises(OSError) as e:
        rpc.start(firmware=missing)
    assert str(e.value) == ("start: %s: No such file or directory: give start() the path of an M4 program "
                            "(duet-board build --core m4) or its flash address, e.g. 0x08180000; nothing was "
                            "uploaded" % missing)
    assert _flash(board) == before


def test_start_with_a_path_the_m4_cannot_run_uploads_nothing(rpc, board, tmp_path):
    # Such a file used to be uploaded over the image in flash, and only the boot refused it.
    before = _flash(board)
    text = tmp_path / "m4.c"
    text.write_text("int main(void) { return 0; }\n")
    with pytest.raises(OSError, match="m4.c is no program the M4 can run .*nothing was uploaded"):
        rpc.start(firmware=str(text))
    other = msgpackrpc.MsgPackRPC()
    arm = tmp_path / "m4_arm.elf"  # an ELF header for another machine (e_machine 40, ARM; or 62 on ARM hosts)
    with open("/proc/self/exe", "rb") as f:
        own = bytearray(f.read(64))
    machine = 62 if own[18:20] == bytes([40, 0]) else 40
    arm.write_bytes(bytes(own[:18]) + bytes([machine, 0]) + bytes(own[20:]))
    with pytest.raises(OSError, match="m4_arm.elf is an ELF program for another machine .e_machine %d" % machine):
        other.start(firmware=str(arm))
    other.close()
    assert _flash(board) == before


def test_start_with_a_program_built_for_the_m7_uploads_nothing(rpc, board, tmp_path):
    # duet-board build --core m7 marks the program (the absolute symbol duet_board_core_m7);
    # duet-board's upload and run refuse it in the M4's place, where it would run the M7's
    # part. start(firmware=PATH) uploaded it and booted it as the M4.
    cc = shutil.which("cc")
    if not cc:
        pytest.skip("no cc to build a marked program with")
    src = tmp_path / "blink.c"
    src.write_text("int main(void) { return 0; }\n")
    m7 = tmp_path / "blink_m7"
    subprocess.run([cc, str(src), "-o", str(m7), "-Wl,--defsym=duet_board_core_m7=0"], check=True)
    before = _flash(board)
    with pytest.raises(OSError, match="blink_m7 was built for the M7 .duet-board build --core m7., not the M4: "
                                      ".*--core m4; nothing was uploaded"):
        rpc.start(firmware=str(m7))
    assert _flash(board) == before
    # A program marked for the M4, or not marked (built without duet-board), is taken.
    m4 = tmp_path / "blink_m4"
    subprocess.run([cc, str(src), "-o", str(m4), "-Wl,--defsym=duet_board_core_m4=0"], check=True)
    other = msgpackrpc.MsgPackRPC()
    with pytest.raises(OSError, match="the M4 stopped: its program exited"):
        other.start(firmware=str(m4))  # uploaded and booted: it exits at once
    other.close()
    assert _flash(board) != before


def test_start_with_a_path_refused_at_boot_says_it_was_uploaded(board, monkeypatch):
    # The M4 of the first object exits; its start failed, but the M4 was started once: the
    # board refuses a second boot until it is reset. The upload has happened by then.
    monkeypatch.setenv("DUET_PY_M4", "exit")
    first = msgpackrpc.MsgPackRPC()
    with pytest.raises(OSError, match="exited"):
        first.start(timeout=5000)
    second = msgpackrpc.MsgPackRPC()
    with pytest.raises(OSError, match=r"started already.*python_m4_peer was uploaded to 0x08180000 before that"):
        second.start(firmware=M4_PEER)
    first.close()
    second.close()


def test_start_other_split_address(rpc, board):
    msgpackrpc._board_upload(board, 0x08100000, M4_PEER)
    rpc.start(firmware=0x08100000, num_channels=1, timeout=2000)
    assert rpc.call("add", 1, 1) == 2


def test_start_times_out_with_oserror_when_the_m4_stays_silent(rpc, monkeypatch):
    monkeypatch.setenv("DUET_PY_M4", "silent")
    t = time.monotonic()
    with pytest.raises(OSError, match="timeout waiting for the remote processor to start"):
        rpc.start(timeout=300)
    assert 0.25 < time.monotonic() - t < 2.0


def test_start_fails_when_the_m4_program_exits(rpc, monkeypatch):
    monkeypatch.setenv("DUET_PY_M4", "exit")
    t = time.monotonic()
    with pytest.raises(OSError, match="exited with status 3"):
        rpc.start(timeout=5000)
    assert time.monotonic() - t < 2.0


def test_start_fails_with_nothing_in_flash(rpc):
    with pytest.raises(OSError, match=r"boot 0x60000000: no M4 program there \(the 100_0 split's place\)"):
        rpc.start(firmware=0x60000000)


def test_start_without_a_board(monkeypatch):
    monkeypatch.delenv("DUET_BOARD", raising=False)
    with pytest.raises(OSError, match="DUET_BOARD"):
        msgpackrpc.MsgPackRPC().start()


def test_start_argument_errors(rpc):
    with pytest.raises(ValueError, match="num_channels"):
        rpc.start(num_channels=3)
    with pytest.raises(TypeError, match="firmware"):
        rpc.start(firmware=1.5)
    with pytest.raises(TypeError, match="firmware"):
        rpc.start(firmware=True)  # a bool is an int in Python: it was taken as address 1
    with pytest.raises(ValueError, match="NUL"):
        rpc.start(firmware="m4\0.elf")  # the path was cut at the NUL


def test_start_twice_is_refused(up):
    with pytest.raises(OSError, match="called already"):
        up.start()
    # The refusal used to close the link it refused to start again.
    assert up.call("add", 1, 2) == 3


def test_start_again_after_a_failed_start_is_refused(board, monkeypatch):
    # A start() that failed before the boot used to leave an object that a second start()
    # brought up without its service thread, and whose close() left the M4 running.
    monkeypatch.delenv("DUET_BOARD")
    r = msgpackrpc.MsgPackRPC()
    with pytest.raises(OSError, match="DUET_BOARD"):
        r.start()
    monkeypatch.setenv("DUET_BOARD", board)
    with pytest.raises(OSError, match="called already .a new MsgPackRPC can start again"):
        r.start()
    r.close()
    assert msgpackrpc._board_m4_pid(board) == 0


def test_a_second_object_that_cannot_boot_leaves_the_running_m4_alone(up, board):
    # Its failed start() used to reset the board's M4, which the first object had booted.
    pid = msgpackrpc._board_m4_pid(board)
    other = msgpackrpc.MsgPackRPC()
    with pytest.raises(OSError, match="started already"):
        other.start()
    other.close()
    assert msgpackrpc._board_m4_pid(board) == pid
    assert up.call("add", 1, 2) == 3


def test_calls_before_start_say_so(rpc):
    with pytest.raises(OSError, match="call start"):
        rpc.call("add", 1, 2)
    with pytest.raises(OSError, match="call start"):
        rpc.notify("m4_note", 1)


def test_close_stops_the_m4_and_calls_fail_after(up, board):
    assert msgpackrpc._board_m4_pid(board) > 0
    up.close()
    assert msgpackrpc._board_m4_pid(board) == 0
    with pytest.raises(OSError, match="closed"):
        up.call("add", 1, 2)
    up.close()  # twice is fine


def test_context_manager_closes(board):
    with msgpackrpc.MsgPackRPC() as r:
        r.start(firmware=FIRMWARE)
        assert r.call("add", 3, 4) == 7
    assert msgpackrpc._board_m4_pid(board) == 0


def test_an_rpc_dropped_in_a_cycle_is_collected_and_its_m4_stops(board):
    import gc

    r = msgpackrpc.MsgPackRPC()
    r.bind("again", lambda: r.call("add", 1, 1))  # the handler holds r: a cycle
    r.start(firmware=FIRMWARE)
    assert r.call("call_py", "again", []) == [True, 2]
    assert msgpackrpc._board_m4_pid(board) > 0
    del r
    gc.collect()
    assert msgpackrpc._board_m4_pid(board) == 0


def test_an_rpc_in_a_cycle_through_a_future_is_collected(board):
    # A Future was not known to the garbage collector: a cycle that went through one (an
    # object bound to the rpc keeps the futures of its calls) was never collected, and its
    # M4 ran on until the program ended.
    import gc

    class Device:
        def __init__(self, rpc):
            self.rpc = rpc
            self.pending = []
            rpc.bind("device", self)

        def ask(self):
            self.pending.append(self.rpc.call_async("add", 2, 3))

    r = msgpackrpc.MsgPackRPC()
    device = Device(r)
    r.start(firmware=FIRMWARE)
    device.ask()
    assert device.pending[0].join() == 5
    assert msgpackrpc._board_m4_pid(board) > 0
    del r, device
    gc.collect()
    assert msgpackrpc._board_m4_pid(board) == 0


def wait_for(condition, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_a_handler_may_close_its_own_rpc(up, board):
    up.bind("stop", lambda: up.close())
    with pytest.raises(OSError, match="closed"):
        up.call("call_py", "stop", [])
    assert wait_for(lambda: msgpackrpc._board_m4_pid(board) == 0, 3)


def test_a_handler_may_drop_the_last_reference_to_its_rpc(board):
    import threading

    done = threading.Event()
    holder = [msgpackrpc.MsgPackRPC()]
    holder[0].bind("drop", lambda: (holder.clear(), done.set()))
    holder[0].start(firmware=FIRMWARE)
    f = holder[0].call_async("call_py_after", 150, "drop", [])
    del f  # only holder keeps the MsgPackRPC now; the M4 calls drop in 150 ms
    assert done.wait(3)
    assert wait_for(lambda: msgpackrpc._board_m4_pid(board) == 0, 3)


def test_a_call_from_the_m4_right_after_the_handshake_is_answered(rpc, monkeypatch):
    # The M4 calls as soon as its duet_begin() returns: the request may arrive while start()
    # is still waiting for the handshake, and its answer must not be lost.
    monkeypatch.setenv("DUET_PY_M4", "call_first")
    rpc.bind("py_add", lambda a, b: a + b)
    rpc.start(firmware=0x08180000)
    assert read_line(rpc, 8000) == b"py_add = 3\n"
