"""Names and argument forms a MicroPython script can use with MicroPython's msgpackrpc
module, which duet's has to take the same way."""
import msgpackrpc


def test_a_future_keeps_the_arguments_of_its_call(up):
    # MicroPython's Future has fargs: the call's arguments as a list.
    f = up.call_async("add", 40, 2)
    assert f.fargs == [40, 2]
    assert f.join() == 42
    assert f.fargs == [40, 2]
    assert up.call_async("cpu").fargs == []


def test_bind_takes_its_arguments_by_keyword_too(up):
    # MicroPython's bind(self, name, obj) is a Python method: name= and obj= work.
    up.bind(name="py_add", obj=lambda a, b: a + b)
    assert up.call("call_py", "py_add", [1, 2]) == [True, 3]
    up.bind("py_sub", obj=lambda a, b: a - b)
    assert up.call("call_py", "py_sub", [5, 2]) == [True, 3]


def test_a_script_run_by_duet_m7_finds_micropythons_msgpack_module(board, tmp_path):
    # On the board a script takes Ext from the msgpack module that msgpackrpc uses
    # (msgpack.Ext); CPython's own msgpack (if installed) has no Ext. duet_m7.py gives the
    # script a msgpack module with Ext, packb and unpackb, on duet's converter.
    import os
    import subprocess
    import sys

    from conftest import FIRMWARE, RUNNER

    script = tmp_path / "ext.py"
    script.write_text(
        "import msgpack\n"
        "import msgpackrpc\n"
        "rpc = msgpackrpc.MsgPackRPC()\n"
        "rpc.start(firmware=%d)\n"
        "e = msgpack.Ext(5, b'ab')\n"
        "print(e.type, e.data, rpc.call('echo', e) == e)\n"
        "print(msgpack.packb([1, 'a', None]).hex(), msgpack.unpackb(b'\\x92\\x01\\xa1a'))\n"
        "print(type(msgpack.unpackb(b'\\xa1\\xff')) is msgpack.InvalidString)\n" % FIRMWARE)
    out = subprocess.run([sys.executable, RUNNER, str(script)], env=dict(os.environ), capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["5 b'ab' True", "9301a161c0 [1, 'a']", "True"]


def test_bind_of_an_object_does_not_read_its_properties(up):
    # MicroPython's bind(name, obj) looks at the callables in the dictionary of obj's class,
    # where a property is a property object (not callable): it is never read. duet's bind
    # used to getattr every name dir(obj) lists, running each property's getter (a sensor
    # read, a getter that raises) while binding. Classmethods and staticmethods are still
    # bound, as before.
    import functools

    reads = []

    class Sensor:
        @property
        def temperature(self):
            reads.append("temperature")
            return 21

        @functools.cached_property
        def calibration(self):
            reads.append("calibration")
            return 1

        @property
        def broken(self):
            raise RuntimeError("not wired")

        def measure(self):
            return 7

        @classmethod
        def kind(cls):
            return cls.__name__

        @staticmethod
        def unit():
            return "C"

    s = Sensor()
    up.bind("sensor", s)
    assert reads == []
    assert up.call("call_py", "sensor.measure", []) == [True, 7]
    assert up.call("call_py", "sensor.kind", []) == [True, "Sensor"]
    assert up.call("call_py", "sensor.unit", []) == [True, "C"]
    ok, text = up.call("call_py", "sensor.temperature", [])
    assert not ok and "could not find function 'sensor.temperature'" in text


def test_ext_is_checked_when_made_and_prints_as_the_boards(up):
    # The board's Ext (msgpack.Ext) refuses a bad type or data when it is made, and str()
    # shows "Ext Object (Type: 5, Data: 0x61 0x62)"; duet's Ext was a bare named tuple that
    # took anything (the error came only when it was sent) and printed as one.
    import pytest

    with pytest.raises(TypeError, match="ext type is not type integer"):
        msgpackrpc.Ext("5", b"")
    with pytest.raises(ValueError, match=r"ext type value 300 is out of range \(-128 to 127\)"):
        msgpackrpc.Ext(300, b"")
    with pytest.raises(TypeError, match="ext data is not type 'bytes'"):
        msgpackrpc.Ext(5, "ab")
    e = msgpackrpc.Ext(type=5, data=b"ab")
    assert (e.type, e.data) == (5, b"ab")
    assert str(e) == "Ext Object (Type: 5, Data: 0x61 0x62)"
    assert str(msgpackrpc.Ext(-1, bytes(range(9)))) == (
        "Ext Object (Type: -1, Data: 0x00 0x01 0x02 0x03 0x04 0x05 0x06 0x07 ...)")
    assert str(msgpackrpc.Ext(0, b"")) == "Ext Object (Type: 0, Data: )"
    back = up.call("echo", e)
    assert back == e and type(back) is msgpackrpc.Ext and str(back) == str(e)
    assert hash(back) == hash(e)
