"""The M4's "raw" stream text, readable from Python, never mixed into RPC."""
import re

import pytest

from conftest import read_line


def test_the_m4s_text_is_readable(up):
    assert up.call("print", "Hello from M4\n") == 14
    assert up.read(timeout=1000) == b"Hello from M4\n"
    assert up.available() == 0
    assert up.read() == b""


def test_text_that_looks_like_messagepack_does_not_break_rpc(up):
    junk = "\x93\x01\x02\xc1 [1, 0, 'add']"
    up.call("print", junk)
    assert up.call("add", 1, 2) == 3
    got = b""
    while len(got) < len(junk.encode()):
        chunk = up.read(timeout=1000)
        assert chunk
        got += chunk
    assert got == junk.encode()


def test_read_size_and_available(up):
    up.call("print", "abcdef")
    up.call("add", 0, 0)  # the text arrives before this answer
    assert up.available() == 6
    assert up.read(2) == b"ab"
    assert up.read(10) == b"cdef"


def test_write_to_an_m4_that_does_not_read_says_what_became_of_the_bytes(up):
    # The M4 here never reads its stream. The error used to say "1 of 1 bytes reached the
    # M4" for bytes that were only gathered (they go out later), and that bytes reached it
    # that did not.
    with pytest.raises(OSError) as failed:
        for _ in range(100):
            up.write(b"x" * 4096)
    assert re.fullmatch(r"write: (\d+) of 4096 bytes were taken before sending timed out .the M4 does "
                        r"not read its stream fast enough.; the rest was not taken", str(failed.value))
    with pytest.raises(OSError, match=r"^write: the 1 bytes were taken, but sending timed out .the M4 "
                                      r"does not read its stream fast enough.: they go out once it reads$"):
        up.write(b"y")


def test_read_with_a_size_past_what_the_stream_holds(up):
    # The buffer for size bytes used to be allocated whole: read(2**40) raised MemoryError.
    up.call("print", "abc")
    up.call("add", 0, 0)
    assert up.read(2**40) == b"abc"
    assert up.read(2**62, timeout=10) == b""


def test_read_waits_for_text_up_to_its_timeout(up):
    import time

    t = time.monotonic()
    assert up.read(timeout=150) == b""
    assert 0.14 < time.monotonic() - t < 1.0


def test_one_channel_waits_for_rpc_and_still_answers_raw(rpc):
    rpc.start(num_channels=1)
    assert rpc.call("print", "still here\n") == 11
    assert rpc.read(timeout=1000) == b"still here\n"


def test_text_written_just_before_the_m4_ends_is_read(up):
    # The M4 writes its line and ends without answering: the line is in shared memory before
    # the M7 learns of the end, and read() returns it; only then do calls say the M4 stopped.
    with pytest.raises(OSError, match="the M4 stopped"):
        up.call("say_and_exit", "last words\n")
    with pytest.raises(OSError, match="the M4 stopped"):  # writing says why, text unread or not
        up.write("anyone?")
    assert read_line(up, 2000) == b"last words\n"
