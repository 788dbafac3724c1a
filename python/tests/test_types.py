"""Every MessagePack type both ways, and the errors for values that have no form."""
import threading

import pytest

import msgpackrpc

# (value sent, value that comes back)
VALUES = [
    (None, None),
    (True, True),
    (False, False),
    (0, 0),
    (-1, -1),
    (127, 127),
    (128, 128),
    (-33, -33),
    (2**31, 2**31),
    (-(2**31) - 1, -(2**31) - 1),
    (2**63 - 1, 2**63 - 1),
    (-(2**63), -(2**63)),
    (2**64 - 1, 2**64 - 1),
    (1.5, 1.5),
    (-0.0, -0.0),
    (1e300, 1e300),
    ("", ""),
    ("héllo ✓", "héllo ✓"),
    ("x" * 300, "x" * 300),
    (b"", b""),
    (b"\x00\xff\x93", b"\x00\xff\x93"),
    (bytearray(b"ab"), b"ab"),
    (memoryview(b"cd"), b"cd"),
    ([], []),
    ([1, [2, [3, "four"]]], [1, [2, [3, "four"]]]),
    ((1, 2), [1, 2]),
    ({}, {}),
    ({"a": 1, 2: [None, True], "nested": {"b": b"x"}}, {"a": 1, 2: [None, True], "nested": {"b": b"x"}}),
    (msgpackrpc.Ext(5, b"xy"), msgpackrpc.Ext(5, b"xy")),
]


@pytest.mark.parametrize("value,back", VALUES, ids=[repr(v)[:30] for v, _ in VALUES])
def test_python_to_c_and_back(up, value, back):
    got = up.call("echo", value)
    assert got == back and type(got) is type(back)


def test_c_to_python_and_back(up):
    up.bind("echo_py", lambda v: v)
    for value, back in VALUES:
        ok, got = up.call("call_py", "echo_py", [value])
        assert ok, got
        assert got == back and type(got) is type(back)


def test_values_only_c_sends(up):
    assert up.call("bad", "float32") == 1.5
    assert up.call("bad", "u64max") == 2**64 - 1
    assert up.call("bad", "i64min") == -(2**63)
    assert up.call("bad", "ext") == msgpackrpc.Ext(5, b"\x01\x02\x03")
    deep = up.call("bad", "deep")
    for _ in range(20):
        assert isinstance(deep, list) and len(deep) == 1
        deep = deep[0]
    assert deep is None


def test_hostile_answers_raise_a_clear_error_and_the_link_stays_up(up):
    with pytest.raises(ValueError, match="map key of type dict"):
        up.call("bad", "mapkey_map")
    assert up.call("add", 1, 1) == 2


def test_an_array_as_a_map_key_comes_back_as_a_tuple(up):
    got = up.call("bad", "mapkey")  # {[1]: 2}, from C
    assert got == {(1,): 2} and type(next(iter(got))) is tuple
    value = {(1, (2, "x")): [3, [4]], "k": [(5, 6)]}
    got = up.call("echo", value)
    assert got == {(1, (2, "x")): [3, [4]], "k": [[5, 6]]}
    key = next(iter(got))
    assert type(key) is tuple and type(key[1]) is tuple  # arrays inside a key are tuples too
    assert type(got[key]) is list and type(got[key][1]) is list  # values stay lists
    up.bind("echo_py", lambda v: v)
    ok, got = up.call("call_py", "echo_py", [value])  # decoded as a handler's argument too
    assert ok, got
    assert got == {(1, (2, "x")): [3, [4]], "k": [[5, 6]]}


def test_a_value_without_messagepack_form_is_a_type_error_naming_the_argument(up):
    with pytest.raises(TypeError, match=r"call\('echo'\): argument 1 is a set, which has no MessagePack form"):
        up.call("echo", {1, 2})
    with pytest.raises(TypeError, match=r"call\('add'\): argument 2 is an object"):
        up.call("add", 1, object())
    with pytest.raises(TypeError, match=r"argument 1\[1\]\['k'\] is a builtin_function_or_method"):
        up.call("echo", [0, {"k": print}])
    with pytest.raises(TypeError, match=r"notify\('m4_note'\): argument 1 is a complex"):
        up.notify("m4_note", 1j)
    with pytest.raises(TypeError, match=r"call\('add'\): argument 1 is a set"):
        up.call_async("add", set())
    assert up.call("add", 1, 1) == 2


def test_values_out_of_range_or_too_deep_or_too_large(up):
    with pytest.raises(OverflowError, match=r"argument 1 is an int outside MessagePack's range"):
        up.call("echo", 2**64)
    with pytest.raises(OverflowError, match=r"argument 1 is an int outside"):
        up.call("echo", -(2**63) - 1)
    deep = []
    for _ in range(40):
        deep = [deep]
    with pytest.raises(ValueError, match="deeper than"):
        up.call("echo", deep)
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="deeper than"):
        up.call("echo", loop)
    with pytest.raises(ValueError, match="the arguments take more than"):
        up.call("echo", "x" * 100000)
    # A name too long for a message: the error used to be the name itself, cut at 400
    # characters before the reason.
    for send in (up.call, up.call_async, up.notify):
        with pytest.raises(ValueError, match=r"\('x{80}\.\.\.'\): the function name \(100000 bytes\) and the arguments "
                                             r"take more than the \d+ bytes one message to the M4 carries"):
            send("x" * 100000)
    assert up.call("add", 1, 2) == 3
    with pytest.raises(ValueError, match="surrogate"):
        up.call("echo", "\udc80")
    # Ext() itself refuses the type (test_parity.py); tuple.__new__ reaches the encoder's check.
    with pytest.raises(ValueError, match="Ext whose type"):
        up.call("echo", tuple.__new__(msgpackrpc.Ext, (300, b"")))
    assert up.call("add", 2, 2) == 4


def test_malformed_ext_is_refused_cleanly(up):
    # tuple.__new__ makes an Ext of any length: the encoder used to read items that were not there.
    for items in [(), (5,), (5, b"x", b"y")]:
        with pytest.raises(TypeError, match=r"argument 1 is an Ext that does not hold two items"):
            up.call("echo", tuple.__new__(msgpackrpc.Ext, items))
    # A type past a long used to go out as ext type -1 (the overflow's -1 taken as the type).
    for big in [2**64, 2**100, -(2**70)]:
        with pytest.raises(ValueError, match="Ext whose type"):
            up.call("echo", tuple.__new__(msgpackrpc.Ext, (big, b"")))
    assert up.call("echo", msgpackrpc.Ext(-128, b"z")) == msgpackrpc.Ext(-128, b"z")


def test_memoryview_without_plain_bytes_is_a_type_error_naming_the_argument(up):
    # These used to raise BufferError or ValueError from the buffer protocol, naming nothing.
    gone = memoryview(b"gone")
    gone.release()
    for view in [memoryview(b"abcd")[::2], gone]:
        with pytest.raises(TypeError, match=r"argument 1\[0\] is a memoryview that is released or not contiguous"):
            up.call("echo", [view])
    assert up.call("echo", memoryview(b"abcd").cast("H")) == b"abcd"
    assert up.call("echo", memoryview(b"ab")[::2]) == b"a"  # one item: contiguous


def test_no_python_code_runs_while_a_value_is_encoded(up):
    # The encoder used to take repr() of every dict key it passed (for its error text): a key
    # whose repr() emptied the dict freed the key as it was being encoded.
    class Key(int):
        victim = None

        def __repr__(self):
            if Key.victim is not None:
                Key.victim.clear()
                Key.victim = None
            return "Key"

    d = {Key(1): "one"}
    Key.victim = d
    assert up.call("echo", d) == {1: "one"}
    assert d == {1: "one"}  # repr() did not run
    d[Key(2)] = {3, 4}
    with pytest.raises(TypeError, match=r"argument 1\[Key\] is a set"):
        up.call("echo", d)  # an error's text runs it: the dict is emptied, nothing breaks
    assert d == {} and up.call("add", 1, 1) == 2


def test_a_dict_key_too_large_for_the_message_is_the_size_error(up):
    # The value after a key that ran out of room used to be looked at anyway (here: an int
    # out of range), unlike a list's elements after one that ran out of room.
    with pytest.raises(ValueError, match="the arguments take more than"):
        up.call("echo", {"x" * 100000: 2**64})
    with pytest.raises(ValueError, match="the arguments take more than"):
        up.call("echo", ["x" * 100000, 2**64])


# A MessagePack str that is not valid UTF-8 (Latin-1 text from a sensor, a C string with a
# stray byte). On the board u-msgpack's _unpack_string tries bytes.decode(data, "utf-8"),
# which MicroPython's GIGA build checks (MICROPY_PY_BUILTINS_STR_UNICODE_CHECK) and refuses
# with UnicodeError; allow_invalid_utf8 defaults to True in Arduino's copy, so the value is
# InvalidString(data), a bytes subclass, wherever the str arrives. duet gives the same.


def test_a_str_that_is_not_utf8_is_an_invalid_string_holding_its_bytes(up):
    got = up.call("bad", "utf8")
    assert type(got) is msgpackrpc.InvalidString
    assert isinstance(got, bytes) and got == b"ok\xff\xfe"
    assert up.call("add", 1, 1) == 2


def test_an_invalid_string_nested_in_a_list_or_dict_and_as_a_map_key(up):
    # [ {"k": "\xff"}, {"\xe9t\xe9": 2}, "fine" ]
    got = up.call("answer_raw", b"\x93\x81\xa1k\xa1\xff\x81\xa3\xe9t\xe9\x02\xa4fine")
    assert got == [{"k": b"\xff"}, {b"\xe9t\xe9": 2}, "fine"]
    assert type(got[0]["k"]) is msgpackrpc.InvalidString
    assert [type(k) for k in got[1]] == [msgpackrpc.InvalidString]
    assert type(got[2]) is str


def test_a_remote_error_text_that_is_not_utf8_is_an_oserror_of_an_invalid_string(up):
    # The board raises OSError(obj[2]): the InvalidString itself is the exception's argument.
    with pytest.raises(OSError) as e:
        up.call("fail_raw", b"caf\xe9")
    assert type(e.value.args[0]) is msgpackrpc.InvalidString
    assert e.value.args[0].endswith(b"caf\xe9")
    assert up.call("add", 1, 1) == 2


def test_a_handler_gets_an_invalid_string_argument_and_answers_with_it(up):
    called = []
    up.bind("echo_py", lambda *a: called.append(a) or a[0])
    # params [ "ok\xff", ["\x80"] ]
    assert up.call("call_py_raw", "echo_py", b"\x92\xa3ok\xff\x91\xa1\x80") == [True, b"ok\xff"]
    assert called == [(b"ok\xff", [b"\x80"])]
    assert type(called[0][0]) is msgpackrpc.InvalidString
    assert type(called[0][1][0]) is msgpackrpc.InvalidString


def test_a_notification_handler_gets_an_invalid_string_argument(up):
    got = []
    done = threading.Event()

    def note(*args):
        got.append(args)
        done.set()

    up.bind("py_note", note)
    up.call("notify_py_raw", "py_note", b"\x91\xa4caf\xe9")
    assert done.wait(2.0)
    assert got == [(b"caf\xe9",)]
    assert type(got[0][0]) is msgpackrpc.InvalidString


def test_unpackb_gives_an_invalid_string_and_packb_sends_it_as_bin():
    v = msgpackrpc._unpackb(b"\xa2\xc3(")
    assert type(v) is msgpackrpc.InvalidString and v == b"\xc3("
    assert msgpackrpc._packb(v) == b"\xc4\x02\xc3("
    assert repr(v) == "b'\\xc3('"
