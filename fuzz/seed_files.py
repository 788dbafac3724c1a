"""seed_files.py - what the fuzz targets' make_seeds.py scripts share: msgpack-RPC messages
and writing the seeds."""
import os
import struct
import sys


def mp_str(s):
    """A MessagePack str (fixstr, str8 or str16) of s (text or bytes)."""
    b = s.encode() if isinstance(s, str) else s
    if len(b) < 32:
        return bytes([0xA0 | len(b)]) + b
    if len(b) < 256:
        return b"\xd9" + bytes([len(b)]) + b
    return b"\xda" + struct.pack(">H", len(b)) + b


def request(msgid, method, params=b"\x90"):
    return b"\x94\x00" + bytes([msgid]) + mp_str(method) + params


def response(msgid, result=b"\xc0", error=b"\xc0"):
    return b"\x94\x01" + bytes([msgid]) + error + result


def notify(method, params=b"\x90"):
    return b"\x93\x02" + mp_str(method) + params


def write_seeds(script, *groups, width=20):
    """Writes every NAME: BYTES of the groups as a file NAME in the seeds folder next to
    script (or the folder given as the first argument), and prints each one's size."""
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(script)), "seeds")
    os.makedirs(out, exist_ok=True)
    for group in groups:
        for name, data in group.items():
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)
            print(f"{name:{width}} {len(data):5} bytes")
