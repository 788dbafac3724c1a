"""Fixtures of the msgpackrpc tests: a fresh emulated board with the test M4 program
uploaded at 0x08180000, and a MsgPackRPC that is closed after each test. The build tells
where things are: PYTHONPATH has the module, DUET_PY_BIN the M4 programs, DUET_PY_RUNNER
duet_m7.py."""
import os

import pytest

import msgpackrpc

FIRMWARE = 0x08180000
BIN = os.environ.get("DUET_PY_BIN", "")
RUNNER = os.environ.get("DUET_PY_RUNNER", "")
M4_PEER = os.path.join(BIN, "python_m4_peer")


def read_line(rpc, timeout=5000):
    """The M4's stream text up to its first newline; fails if a read() brings nothing."""
    got = b""
    while not got.endswith(b"\n"):
        chunk = rpc.read(timeout=timeout)
        assert chunk, "read() brought nothing in %d ms; got so far: %r" % (timeout, got)
        got += chunk
    return got


@pytest.fixture
def board(tmp_path, monkeypatch):
    """A new board directory with the test M4 program in flash; DUET_BOARD names it."""
    d = str(tmp_path / "board")
    msgpackrpc._board_create(d)
    msgpackrpc._board_upload(d, FIRMWARE, M4_PEER)
    monkeypatch.setenv("DUET_BOARD", d)
    monkeypatch.setenv("DUET_PY_M4", "serve")
    yield d
    msgpackrpc._board_reset(d)


@pytest.fixture
def rpc(board):
    """A MsgPackRPC not started yet; closed (its M4 stopped) after the test."""
    r = msgpackrpc.MsgPackRPC()
    yield r
    r.close()


@pytest.fixture
def up(rpc):
    """A started MsgPackRPC talking to the test M4 program."""
    rpc.start(firmware=FIRMWARE)
    return rpc
