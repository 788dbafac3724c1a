"""Python functions the M4 calls: bind of callables and objects, errors, nesting,
notifications from the M4, and serving while the script sleeps."""
import sys
import threading
import time

import pytest


def call_from_m4(rpc, name, *args):
    """Has the M4 call the Python function name(*args); returns [ok, result or error text]."""
    return rpc.call("call_py", name, list(args))


def test_bound_function_called_by_the_m4(up):
    up.bind("sub", lambda a, b: a - b)
    assert call_from_m4(up, "sub", 5, 3) == [True, 2]


def test_bind_works_after_start_and_replaces(up):
    up.bind("f", lambda: "first")
    assert call_from_m4(up, "f") == [True, "first"]
    up.bind("f", lambda: "second")
    assert call_from_m4(up, "f") == [True, "second"]


def test_a_callable_bound_again_under_its_name_is_let_go(up):
    # Every binding used to be kept until the MsgPackRPC died: binding a name again in a
    # loop held every callable ever bound there (and its memory).
    import gc
    import weakref

    class Handler:
        def __init__(self, tag):
            self.tag = tag

        def __call__(self):
            return self.tag

    first = Handler("first")
    gone = weakref.ref(first)
    up.bind("h", first)
    up.bind("h", Handler("second"))
    del first
    gc.collect()
    assert gone() is None
    assert call_from_m4(up, "h") == [True, "second"]

    def rebinds_itself():  # the running handler's own binding goes: nothing breaks
        up.bind("me", lambda: "after")
        return "before"

    up.bind("me", rebinds_itself)
    assert call_from_m4(up, "me") == [True, "before"]
    assert call_from_m4(up, "me") == [True, "after"]


class Base:
    def scale(self, x):
        return x * self.k


class Foo(Base):
    def __init__(self):
        self.k = 10

    def add(self, a, b):
        return a + b

    def sub(self, a, b):
        return a - b

    def _hidden(self):
        return "no"


def test_bind_object_binds_its_public_methods(up):
    up.bind("foo1", Foo())
    assert call_from_m4(up, "foo1.add", 1, 2) == [True, 3]
    assert call_from_m4(up, "foo1.sub", 2, 1) == [True, 1]
    assert call_from_m4(up, "foo1.scale", 4) == [True, 40]
    ok, text = call_from_m4(up, "foo1._hidden")
    assert not ok and "could not find function 'foo1._hidden'" in text


def test_bound_method_and_callable_instance(up):
    class Counter:
        def __init__(self):
            self.n = 0

        def __call__(self, step):
            self.n += step
            return self.n

    c = Counter()
    up.bind("count", c)  # callable: bound as one function
    assert call_from_m4(up, "count", 2) == [True, 2]
    up.bind("sub", Foo().add)
    assert call_from_m4(up, "sub", 2, 1) == [True, 3]


def test_bind_object_binds_what_is_set_on_it_too_and_a_module_s_functions(up):
    import types

    foo = Foo()
    foo.extra = lambda: "set on the object"
    foo.Inner = Base  # a class is no function: not bound
    up.bind("foo2", foo)
    assert call_from_m4(up, "foo2.extra") == [True, "set on the object"]
    assert call_from_m4(up, "foo2.add", 1, 2) == [True, 3]
    ok, text = call_from_m4(up, "foo2.Inner")
    assert not ok and "could not find function 'foo2.Inner'" in text
    leds = types.ModuleType("leds")
    leds.on = lambda pin: "on %d" % pin
    leds._private = lambda: "no"
    up.bind("leds", leds)
    assert call_from_m4(up, "leds.on", 3) == [True, "on 3"]
    ok, text = call_from_m4(up, "leds._private")
    assert not ok and "could not find function 'leds._private'" in text


def test_bind_refuses_what_it_cannot_bind(rpc):
    with pytest.raises(TypeError, match="name must be a str"):
        rpc.bind(1, print)
    # A built-in value is no object to serve: binding its type's methods (5's bit_length,
    # to_bytes ...) was never what was meant.
    for value, kind in ((5, "an int"), ("led", "a str"), ([print], "a list"), (None, "a NoneType"),
                        (object(), "an object")):
        with pytest.raises(TypeError, match=r"bind\('x', obj\): obj is %s, which is neither callable" % kind):
            rpc.bind("x", value)

    class Empty:
        pass

    with pytest.raises(TypeError, match=r"obj \(an Empty\) has no public functions to bind"):
        rpc.bind("x", Empty())
    with pytest.raises(ValueError, match="1 to 200"):
        rpc.bind("", print)


def test_a_handler_that_raises_sends_an_error_response(up):
    def boom(pin):
        raise ValueError(f"no pin {pin}")

    up.bind("boom", boom)
    assert call_from_m4(up, "boom", 7) == [False, "boom: ValueError: no pin 7"]
    ok, text = call_from_m4(up, "boom")  # wrong argument count: Python's own TypeError
    assert not ok and text.startswith("boom: TypeError:")


def test_a_result_without_messagepack_form_is_an_error_response(up):
    up.bind("give_set", lambda: {1, 2})
    ok, text = call_from_m4(up, "give_set")
    assert not ok
    assert "the result of 'give_set' is a set, which has no MessagePack form" in text


def test_nested_calls_between_python_and_c(up):
    def twice_add(a, b):
        return 2 * up.call("add", a, b)  # Python -> M4 -> Python -> M4

    up.bind("twice_add", twice_add)
    assert call_from_m4(up, "twice_add", 2, 3) == [True, 10]


def test_a_handler_of_a_large_request_gets_a_large_answer(up):
    # Each message is over one RPMsg buffer (496 bytes), so each travels in fragments: the
    # M4's request to Python is reassembled, and the answer to the call its handler makes
    # (the M4's echo, 600 bytes) arrives while that request is still being delivered.
    def measure(data):
        return len(up.call("echo", data[:600], timeout=3000))

    up.bind("measure", measure)
    for fill in (b"x", b"y"):  # and again, from the start
        assert up.call("call_py", "measure", [fill * 700], timeout=20000) == [True, 600]


def test_notifications_from_the_m4_reach_a_handler(up):
    got = []
    done = threading.Event()

    def note(*args):
        got.append(args)
        done.set()

    up.bind("py_note", note)
    up.call("notify_py", "py_note", [7, "x"])
    assert done.wait(2.0)
    assert got == [(7, "x")]


def test_a_notification_handler_that_raises_is_reported_and_serving_goes_on(up, monkeypatch):
    reported = []
    seen = threading.Event()

    def hook(unraisable):
        reported.append(unraisable.exc_type)
        seen.set()

    monkeypatch.setattr(sys, "unraisablehook", hook)
    up.bind("bad_note", lambda: 1 / 0)
    up.call("notify_py", "bad_note", [])
    assert seen.wait(2.0)
    assert reported == [ZeroDivisionError]
    assert up.call("add", 1, 1) == 2


def test_handlers_are_served_while_the_script_sleeps(up):
    ran = threading.Event()
    main = threading.get_ident()
    where = []

    def ping():
        where.append(threading.get_ident())
        ran.set()
        return "pong"

    up.bind("ping", ping)
    f = up.call_async("call_py_after", 150, "ping", [])
    time.sleep(0.6)  # the script sleeps; the M4's call to ping (150 ms later) is served meanwhile
    assert ran.is_set()
    assert where[0] != main
    assert f.join() == [True, "pong"]


def test_hostile_arguments_from_the_m4_never_reach_the_handler(up):
    called = []
    up.bind("echo_py", lambda *a: called.append(a) or a)
    # params [ {{}: 2} ]: a map key Python cannot hold
    ok, text = up.call("call_py_raw", "echo_py", b"\x91\x81\x80\x02")
    assert not ok and "map key of type dict" in text
    assert called == []
    assert up.call("call_py_raw", "echo_py", b"\x92\x01\xa1a") == [True, [1, "a"]]
