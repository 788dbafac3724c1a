#!/usr/bin/env python3
"""make_seeds.py - writes the seed corpus of fuzz_web_request (the input format is at
next_request in fuzz_web_request.c): python3 fuzz/web_request/make_seeds.py fuzz/web_request/seeds

Each seed is a server (its address, port 8080 or 80, whether the M7 takes Serial text) and
requests on one or more connections: the page's files, the state, the event stream, each POST
with good and bad bodies, other sites' Host and Origin, bodies around the 64 KiB limit,
chunked bodies, Expect: 100-continue, pipelined requests, raw bytes.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seed_files import write_seeds  # noqa: E402

# The server: conf byte
LOCAL4, LOCAL6, ANY, OTHER4 = range(4)
PORT80, REFUSES = 4, 8
# Methods, paths
GET, HEAD, POST, PUT, DELETE, OPTIONS, POST_LOWER, PATCH = range(8)
PATHS = ["/", "/index.html", "/page.css", "/page.js", "/board.svg", "/api/state", "/api/events", "/api/analog",
         "/api/serial", "/api/reset", "/api/nothing", "/index.html/..", "/API/STATE", "/web.c", "/api/analog/",
         "/page.js.map"]
SAFE, PERCENT, QUERY = 16, 17, 18
# Host choices (host_value), Origin choices (origin_value)
NO_HOST, H_V4, H_LOCALHOST, H_V6, H_OWN, H_EVIL, H_CUSTOM, H_NO_PORT, H_OTHER_PORT, H_CASE, H_SUFFIX, H_WRAP, \
    H_OPEN_BRACKET, H_ZERO, H_SIGN, H_V6_BARE = range(16)
NO_ORIGIN, O_OWN, O_EVIL, O_NULL, O_CUSTOM, O_UPPER, O_HTTPS, O_SLASH, O_SCHEME_UPPER = range(9)
# Bodies (body_value)
B_ANALOG, B_SERIAL, B_EMPTY_OBJECT, B_NONE, B_BYTES, B_NEAR_LIMIT, B_ARRAY, B_MIXED = range(8)
# How the body goes (bits 3-4 of the extra byte)
SENT, DECLARED_BIG, NO_LENGTH = 0, 1, 2


def take(b):
    b = b.encode() if isinstance(b, str) else b
    return bytes([len(b)]) + b


def body(kind, *args):
    if kind == B_ANALOG:  # args: pin index, how, value (-30..1069)
        pin, how, value = args
        return bytes([kind, pin, how]) + struct.pack(">H", value + 30)
    if kind == B_SERIAL:  # args: text, use "txt" instead
        text, wrong = (args + (False,))[:2]
        return bytes([kind]) + take(text) + bytes([1 if wrong else 0])
    if kind == B_BYTES:
        return bytes([kind]) + take(args[0])
    if kind == B_NEAR_LIMIT:  # args: bytes over (or under, negative) 65536
        return bytes([kind, args[0] & 0xFF])
    if kind == B_MIXED:
        text, pin, value = args
        return bytes([kind]) + take(text) + bytes([pin]) + struct.pack(">H", value)
    return bytes([kind])


def req(method=GET, path=0, host=H_V4, origin=NO_ORIGIN, bod=body(B_NONE), http10=False, new_conn=False,
        expect=False, chunked=False, how=SENT, connection=False, headers=(), path_extra=b"", host_extra=b"",
        origin_extra=b"", tail=b""):
    flags = method | (8 if http10 else 0) | (0x10 if new_conn else 0) | (0x40 if expect else 0) | \
        (0x80 if chunked else 0)
    out = bytes([flags, path]) + path_extra + bytes([host, origin]) + host_extra + origin_extra
    out += bytes([len(headers) | (4 if connection else 0) | how << 3])
    for name, value in headers:
        out += bytes([name]) + take(value)
    return out + bod + tail


def raw(data, new_conn=True):
    return bytes([PATCH | 0x20 | (0x10 if new_conn else 0)]) + struct.pack(">H", len(data)) + data


def analog(pin, value, **kw):
    return req(POST, 7, bod=body(B_ANALOG, pin, 0, value), **kw)


def serial(text, **kw):
    return req(POST, 8, bod=body(B_SERIAL, text), **kw)


def nc(r):
    """r, then a new connection."""
    return bytes([r[0] | 0x10]) + r[1:]


SEEDS = {
    "page_files": bytes([LOCAL4]) + b"".join(req(GET, i) for i in range(5)) + req(HEAD, 3) + req(GET, 5)
    + req(GET, 10) + req(GET, 11) + req(GET, 12) + req(GET, 13),
    "analog_good_bad": bytes([LOCAL4]) + analog(0, 512) + analog(1, 1023) + analog(2, 0) + analog(0, 1024)
    + analog(0, -1) + req(POST, 7, bod=body(B_ANALOG, 0, 1 << 2, 5)) + req(POST, 7, bod=body(B_ANALOG, 0, 2 << 2, 5))
    + req(POST, 7, bod=body(B_ANALOG, 4, 0, 5)) + req(POST, 7, bod=body(B_ANALOG, 0, 1, 5))
    + req(POST, 7, bod=body(B_ANALOG, 0, 7 << 2, 5)) + req(POST, 7, bod=body(B_ANALOG, 7, 0, 5)),
    "serial_and_reset": bytes([LOCAL4]) + serial("hello\n") + serial(b"\xe2\x82\xac \x01\x1f") + serial(b"\xff\xfe")
    + req(POST, 8, bod=body(B_SERIAL, "x", True)) + req(POST, 9) + req(POST, 9, bod=body(B_EMPTY_OBJECT))
    + req(POST, 9, bod=body(B_BYTES, "{oops")) + req(POST, 9, bod=body(B_ARRAY)),
    "serial_refused": bytes([LOCAL6 | REFUSES]) + serial("typed while stopped\n", host=H_V6) + req(POST, 9, host=H_OWN),
    "other_sites": bytes([LOCAL4]) + analog(5, 100, origin=O_EVIL) + analog(5, 100, origin=O_NULL)
    + analog(5, 101, origin=O_OWN) + analog(5, 102, origin=O_UPPER) + analog(5, 103, origin=O_HTTPS)
    + analog(5, 104, origin=O_SLASH) + analog(5, 105, origin=O_SCHEME_UPPER)
    + req(GET, 5, host=H_EVIL) + analog(1, 1, host=H_EVIL, origin=O_OWN) + req(GET, 5, host=H_CASE)
    + req(GET, 5, host=H_OTHER_PORT, host_extra=b"\x00") + req(GET, 5, host=H_SUFFIX, host_extra=take("x"))
    + req(GET, 5, host=H_WRAP) + req(GET, 5, host=H_ZERO) + req(GET, 5, host=H_SIGN, host_extra=b"\x01")
    + req(GET, 5, host=H_NO_PORT, host_extra=b"\x01") + req(GET, 5, host=H_CUSTOM, host_extra=take("127.0.0.1:8080 x")),
    "hosts_v6": bytes([LOCAL6]) + req(GET, 5, host=H_V6) + req(GET, 5, host=H_OWN) + req(GET, 5, host=H_V6_BARE)
    + req(GET, 5, host=H_OPEN_BRACKET, host_extra=take("x")) + req(GET, 5, host=H_V4),
    "hosts_any": bytes([ANY]) + req(GET, 5, host=H_EVIL) + analog(3, 3, host=H_EVIL, origin=O_OWN)
    + req(GET, 5, host=H_CUSTOM, host_extra=take("[fe80::1]:8080")),
    "hosts_port80": bytes([OTHER4 | PORT80]) + req(GET, 5, host=H_NO_PORT, host_extra=b"\x01")
    + analog(2, 7, host=H_NO_PORT, host_extra=b"\x01", origin=O_OWN) + req(GET, 5, host=H_OWN)
    + req(GET, 5, host=H_NO_PORT, host_extra=b"\x00"),
    "methods": bytes([LOCAL4]) + req(DELETE, 5) + req(PUT, 0, bod=body(B_BYTES, "x")) + req(GET, 7) + req(OPTIONS, 9)
    + req(POST_LOWER, 7, bod=body(B_ANALOG, 0, 0, 5)) + req(PATCH, 8) + req(POST, 10, bod=body(B_EMPTY_OBJECT))
    + req(POST, 5) + req(HEAD, 5) + req(HEAD, 6),
    "limit_sizes": bytes([LOCAL4]) + req(POST, 8, bod=body(B_NEAR_LIMIT, 0)) + req(POST, 8, bod=body(B_NEAR_LIMIT, 1))
    + req(POST, 8, bod=body(B_NEAR_LIMIT, -1)) + req(POST, 8, bod=body(B_NEAR_LIMIT, 100), chunked=True, tail=bytes([255] * 8))
    + req(POST, 7, bod=body(B_NEAR_LIMIT, 1), origin=O_EVIL) + req(POST, 9, how=DECLARED_BIG, tail=b"\x00"),
    "declared_big_expect": bytes([LOCAL4]) + req(POST, 8, how=DECLARED_BIG, expect=True, bod=body(B_SERIAL, "x"), tail=b"\x01"),
    "chunked_expect": bytes([LOCAL4]) + req(POST, 8, bod=body(B_SERIAL, "chunks " * 30), chunked=True, tail=b"\x00\x01\x00\x00\x00")
    + req(POST, 7, bod=body(B_ANALOG, 3, 0, 300), expect=True) + req(POST, 9, expect=True, chunked=True),
    "events": bytes([LOCAL4]) + req(GET, 5) + req(GET, 6) + nc(req(GET, 6, origin=O_EVIL)) + req(GET, 6, origin=O_OWN)
    + nc(req(HEAD, 6)) + req(GET, 5),
    "pages_limit": bytes([LOCAL4]) + b"".join(nc(req(GET, 6)) for _ in range(17)) + req(GET, 5),
    "paths_odd": bytes([LOCAL4]) + req(GET, SAFE, path_extra=take(b"\x01\x02\x0a")) + req(GET, PERCENT, path_extra=take(b"page.js"))
    + req(GET, PERCENT, path_extra=take(b"\xff\xfe\xc3")) + req(GET, PERCENT, path_extra=take(b"\xe2\x82" * 60))
    + req(GET, QUERY, path_extra=b"\x05" + take("a=b")) + req(POST, QUERY, path_extra=b"\x07" + take("x"), bod=body(B_ANALOG, 1, 0, 9)),
    "http10_keepalive": bytes([LOCAL4]) + req(GET, 5, http10=True, connection=True) + analog(6, 66, http10=True, connection=True)
    + req(GET, 1, http10=True) + req(GET, 5),
    "no_host_11": bytes([LOCAL4]) + req(GET, 5, host=NO_HOST) + nc(req(GET, 5, host=NO_HOST, http10=True)) + req(GET, 5),
    "connection_close": bytes([LOCAL4]) + req(GET, 5, connection=True) + req(GET, 5),
    "headers_more": bytes([LOCAL4]) + req(POST, 7, headers=[(0, "text/plain"), (3, "a=b"), (4, "http://evil.example/")],
                                          bod=body(B_ANALOG, 0, 0, 77)),
    "get_with_body": bytes([LOCAL4]) + req(GET, 5, bod=body(B_BYTES, "abc")) + req(GET, 5),
    "raw_bytes": bytes([LOCAL4]) + raw(b"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n")
    + raw(b"POST /api/reset HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 2\r\n\r\n{}")
    + raw(b"GET /\x00 HTTP/1.1\r\nHost: localhost:8080\r\n\r\n") + raw(b"\r\n\r\nGARBAGE\r\n\r\n")
    + raw(b"POST /api/serial HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
    # The inputs of the fixes of web_request.c and web.c (each failed before its fix):
    # Host's port read with strtoul ("8080x" was the port 8080),
    "found_host_port": bytes([LOCAL4]) + req(POST, 7, host=H_SUFFIX, host_extra=take("x"), bod=body(B_ANALOG, 0, 0, 5))
    + req(GET, 5, host=H_WRAP) + req(GET, 5, host=H_SIGN, host_extra=b"\x00"),
    # a 404 quoting a path that is not UTF-8 got no answer at all,
    "found_refusal_not_utf8": bytes([LOCAL4]) + req(GET, PERCENT, path_extra=take(b"\xff\xfe\xc3")) + req(GET, 5)
    + req(GET, 5, host=H_CUSTOM, host_extra=take(b"\xc3:8080")),
    # a GET closed its connection after its answer (answered before the request was all read),
    "found_get_keepalive": bytes([LOCAL4]) + req(GET, 5) + req(GET, 0) + req(HEAD, 2) + analog(1, 10),
    # HEAD /api/events: a stray last chunk after the headers,
    "found_head_events": bytes([LOCAL4]) + req(HEAD, 6) + req(GET, 5),
    # a stream that opened while the server stopped (pipelined after another) aborted it.
    "found_stream_at_stop": bytes([LOCAL4 | 0x10]) + req(GET, 6) + req(GET, 6) + req(GET, 5),
    # libmicrohttpd closes after its 100 Continue when the next request is waiting (not a bug
    # of duet-board's: the harness allows it).
    "expect_pipelined": bytes([LOCAL4 | 0x10]) + req(POST, 9, expect=True) + req(GET, 5),
}


def main():
    write_seeds(__file__, SEEDS)


if __name__ == "__main__":
    main()
