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
