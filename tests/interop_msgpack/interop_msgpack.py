#!/usr/bin/python3
"""interop_msgpack.py HELPER - duet's MessagePack codec against python3-msgpack.

Run by ctest as `/usr/bin/python3 interop_msgpack.py <path to interop_msgpack_helper>`.

1. Python -> duet: random values (seeded) packed by msgpack.packb(use_bin_type=True) go
   to `HELPER copy`, which decodes each with duet's reader and writes it back with duet's
   writer twice (a read_token-driven copy and a typed-getter copy) plus a description of
   what it read. Both copies must be byte-identical to Python's bytes, unpackb of them
   must equal the original, and the description must equal Python's own of the value.
2. duet -> Python: `HELPER gen SEED COUNT` writes random values (seeded) with duet's
   writer, each with a description of the value it meant. unpackb of duet's bytes must
   match the description, and packb of the result must give duet's bytes back.

Python's pure-Python msgpack.fallback is checked too, on every few records.
The seeds are printed; DUET_INTEROP_SEED and DUET_INTEROP_COUNT override them.
Prints a summary; exits 1 on any mismatch.
"""
import math
import os
import random
import struct
import subprocess
import sys

try:
    import msgpack
    from msgpack import ExtType, Timestamp
    from msgpack import fallback
except ImportError as exc:  # pragma: no cover
    print(f"interop_msgpack.py: cannot import msgpack ({exc}) with {sys.executable}; "
          "install python3-msgpack and run with /usr/bin/python3", file=sys.stderr)
    sys.exit(1)

SEED = int(os.environ.get("DUET_INTEROP_SEED", "0x6475657450590001"), 0)
COUNT = int(os.environ.get("DUET_INTEROP_COUNT", "3000"), 0)
FALLBACK_EVERY = 5
MAX_REPORTS = 10

# ----------------------------------------------------------------------- descriptions


def desc(o, f32=False):
    """The canonical description interop_msgpack_helper.c also builds."""
    if o is None:
        return "nil"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, int):
        return str(o)
    if isinstance(o, float):
        if f32:
            return "f:nan" if math.isnan(o) else "f:" + struct.pack(">f", o).hex()
        return "d:" + struct.pack(">d", o).hex()
    if isinstance(o, str):
        return "s:" + o.encode("utf-8").hex()
    if isinstance(o, bytes):
        return "b:" + o.hex()
    if isinstance(o, Timestamp):
        return f"t{o.seconds}.{o.nanoseconds}"
    if isinstance(o, ExtType):
        return f"e{o.code}:{o.data.hex()}"
    if isinstance(o, (list, tuple)):
        return "[" + ",".join(desc(x, f32) for x in o) + "]"
    if isinstance(o, dict):
        return "{" + ",".join(desc(k, f32) + "=" + desc(v, f32) for k, v in o.items()) + "}"
    raise TypeError(f"no description for {type(o)}")


def same(a, b):
    """Strict equality: types must agree (True is not 1), floats by bits, NaN equals NaN."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return struct.pack(">d", a) == struct.pack(">d", b)
    if isinstance(a, dict):
        if len(a) != len(b):
            return False
        return all(same(ka, kb) and same(va, vb) for (ka, va), (kb, vb) in zip(a.items(), b.items()))
    return a == b


def unpack(data, impl=msgpack):
    return impl.unpackb(data, raw=False, strict_map_key=False, use_list=False, timestamp=0)


def pack(obj, f32, impl=msgpack):
    if impl is fallback:
        return fallback.Packer(use_bin_type=True, use_single_float=f32).pack(obj)
    return msgpack.packb(obj, use_bin_type=True, use_single_float=f32)


# ------------------------------------------------------------------------ generator

U_BOUNDS = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
            0x100000000, 2**63 - 1, 2**63, 2**64 - 1]
I_BOUNDS = [-1, -31, -32, -33, -127, -128, -129, -32767, -32768, -32769, -2**31, -2**31 - 1,
            -2**63 + 1, -2**63]
F64_SPECIALS = [0x0, 0x8000000000000000, 0x7FF0000000000000, 0xFFF0000000000000,
                0x7FF8000000000000, 0xFFF8000000000000, 0x7FF0000000000001, 0x7FF8000000012345,
                0x1, 0x000FFFFFFFFFFFFF, 0x0010000000000000, 0x7FEFFFFFFFFFFFFF,
                0x3FF0000000000000, 0xBFF8000000000000]
F32_SPECIALS = [0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0x00000001,
                0x007FFFFF, 0x00800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x3F800000, 0xBFC00000]
NEAR_LENS = [0, 1, 15, 16, 30, 31, 32, 33, 100, 254, 255, 256, 257]
BIG_LENS = [65534, 65535, 65536, 65537]
EXT_LENS = [0, 1, 2, 3, 4, 5, 8, 12, 15, 16, 17, 255, 256]


def gen_len(rng):
    r = rng.random()
    if r < 0.80:
        return rng.randrange(24)
    if r < 0.95:
        return rng.choice(NEAR_LENS)
    if r < 0.99:
        return rng.randrange(300, 5000)
    return rng.choice(BIG_LENS)


def gen_int(rng):
    r = rng.random()
    if r < 0.3:
        v = rng.choice(U_BOUNDS) + rng.randrange(-2, 3)
        return min(max(v, 0), 2**64 - 1)
    if r < 0.6:
        v = rng.choice(I_BOUNDS) + rng.randrange(-2, 3)
        return min(max(v, -2**63), -1)
    if r < 0.8:
        return rng.getrandbits(64) >> rng.randrange(64)
    return -(rng.getrandbits(63) >> rng.randrange(63)) - 1


def gen_float(rng, f32):
    if f32:
        bits = rng.choice(F32_SPECIALS) if rng.random() < 0.3 else rng.getrandbits(32)
        return struct.unpack(">f", struct.pack(">I", bits))[0]
    r = rng.random()
    if r < 0.3:
        bits = rng.choice(F64_SPECIALS)
    elif r < 0.8:
        bits = rng.getrandbits(64)
    else:
        return rng.randrange(-4000, 4000) / 64.0
    return struct.unpack(">d", struct.pack(">Q", bits))[0]


def gen_char(rng, room):
    """A random character of at most room UTF-8 bytes (no surrogates)."""
    size = 1 if rng.random() < 0.6 else rng.randint(1, min(4, room))
    size = min(size, room)
    if size == 1:
        return chr(rng.randrange(0x80))
    if size == 2:
        return chr(rng.randrange(0x80, 0x800))
    if size == 3:
        while True:
            cp = rng.randrange(0x800, 0x10000)
            if not 0xD800 <= cp <= 0xDFFF:
                return chr(cp)
    return chr(rng.randrange(0x10000, 0x110000))


def gen_str(rng, nbytes):
    """A random str of exactly nbytes bytes of UTF-8."""
    if nbytes > 2000:  # long ones: a random chunk repeated, then padded
        chunk = gen_str(rng, 509)
        s = chunk * (nbytes // 509)
        return s + gen_str(rng, nbytes - len(s.encode("utf-8")))
    chars = []
    left = nbytes
    while left > 0:
        c = gen_char(rng, left)
        chars.append(c)
        left -= len(c.encode("utf-8"))
    return "".join(chars)


def gen_ts(rng):
    r = rng.random()
    if r < 0.5:
        sec = rng.choice([0, 1, 2**32 - 1, 2**32, 2**34 - 1, 2**34, -1, -2, -2**63, 2**63 - 1, 1700000000])
    elif r < 0.8:
        sec = rng.getrandbits(64) >> rng.randrange(30, 64)
    else:
        sec = rng.getrandbits(64) - 2**63
    nsec = rng.choice([0, 1, 999999999]) if rng.random() < 0.5 else rng.randrange(10**9)
    return Timestamp(sec, nsec)


def gen_scalar(rng, f32):
    k = rng.randrange(10)
    if k == 0:
        return None
    if k == 1:
        return rng.random() < 0.5
    if k in (2, 3):
        return gen_int(rng)
    if k == 4:
        return gen_float(rng, f32)
    if k == 5:
        return gen_str(rng, gen_len(rng))
    if k == 6:
        return rng.randbytes(gen_len(rng))
    if k == 7:
        n = rng.choice(EXT_LENS) if rng.random() < 0.7 else gen_len(rng)
        return ExtType(rng.randrange(128), rng.randbytes(n))
    return gen_ts(rng)


def gen_key(rng, f32):
    """A hashable key: a scalar other than NaN, or a tuple (array) of them."""
    while True:
        if rng.random() < 0.1:
            return tuple(gen_key(rng, f32) for _ in range(rng.randrange(4)))
        k = gen_scalar(rng, f32)
        if isinstance(k, float) and math.isnan(k):
            continue
        return k


def gen_count(rng, depth):
    r = rng.random()
    if r < 0.75:
        return rng.randrange(6)
    if r < 0.90:
        return rng.choice([15, 16, 17])
    if r < 0.997 or depth > 0:
        return rng.randrange(40)
    return 65536


def gen_value(rng, depth, budget, f32):
    budget[0] -= 1
    if depth < 6 and budget[0] > 0 and rng.random() < (0.5 if depth == 0 else 0.22):
        n = gen_count(rng, depth)
        if rng.random() < 0.5:
            if n == 65536:
                return [rng.randrange(-100, 200) for _ in range(n)]
            seq = [gen_value(rng, depth + 1, budget, f32) for _ in range(n)]
            return seq if rng.random() < 0.5 else tuple(seq)
        m = {}
        for i in range(n):
            if n == 65536:
                m[i] = rng.randrange(-100, 200)
            else:
                m[gen_key(rng, f32)] = gen_value(rng, depth + 1, budget, f32)
        return m
    return gen_scalar(rng, f32)


# --------------------------------------------------------------------------- helpers


class Mismatches:
    def __init__(self):
        self.count = 0

    def report(self, direction, index, what, **details):
        self.count += 1
        if self.count > MAX_REPORTS:
            return
        print(f"MISMATCH [{direction} #{index}] {what}", file=sys.stderr)
        for key, value in details.items():
            if isinstance(value, (bytes, bytearray)):
                shown = value[:96].hex(" ")
                value = f"{len(value)} bytes: {shown}{' ...' if len(value) > 96 else ''}"
            else:
                value = repr(value)
                if len(value) > 400:
                    value = value[:400] + " ..."
            print(f"    {key}: {value}", file=sys.stderr)


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError(f"helper output truncated at {self.pos} (wanted {n} of {len(self.data)})")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def blob(self):
        return self.take(self.u32())

    def done(self):
        return self.pos == len(self.data)


def run_helper(helper, args, data=b""):
    proc = subprocess.run([helper] + args, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
        raise SystemExit(f"interop_msgpack.py: {helper} {' '.join(args)} exited with {proc.returncode}")
    if proc.stderr:
        sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
    return proc.stdout


# ------------------------------------------------------------------------ directions


def python_to_duet(helper, mism):
    seed = SEED
    rng = random.Random(seed)
    values, packed, floats32 = [], [], []
    for _ in range(COUNT):
        f32 = rng.random() < 0.3
        value = gen_value(rng, 0, [400], f32)
        values.append(value)
        floats32.append(f32)
        packed.append(pack(value, f32))
    stream = b"".join(struct.pack(">I", len(p)) + p for p in packed)
    out = Reader(run_helper(helper, ["copy"], stream))
    checked = 0
    for i, (value, data, f32) in enumerate(zip(values, packed, floats32)):
        status, offset = out.u32(), out.u32()
        if status != 0:
            mism.report("python->duet", i, f"duet failed to read Python's bytes: error -{status} at offset {offset}",
                        message=out.blob().decode("utf-8", "replace"), python_bytes=data, value=value)
            continue
        copy_tokens, copy_typed, duet_desc = out.blob(), out.blob(), out.blob().decode("ascii")
        checked += 1
        if copy_tokens != data:
            mism.report("python->duet", i, "read_token copy differs from Python's bytes",
                        python_bytes=data, duet_bytes=copy_tokens, value=value)
        if copy_typed != data:
            mism.report("python->duet", i, "typed-getter copy differs from Python's bytes",
                        python_bytes=data, duet_bytes=copy_typed, value=value)
        want = desc(value, f32)
        if duet_desc != want:
            mism.report("python->duet", i, "duet read another value than Python packed",
                        python_bytes=data, python_desc=want, duet_desc=duet_desc)
        impls = [msgpack] + ([fallback] if i % FALLBACK_EVERY == 0 else [])
        for impl in impls:
            try:
                back = unpack(copy_tokens, impl)
            except Exception as exc:  # noqa: BLE001 - any failure is a mismatch
                mism.report("python->duet", i, f"{impl.__name__}.unpackb(duet bytes) raised {exc!r}",
                            duet_bytes=copy_tokens)
                continue
            if not same(back, value):
                mism.report("python->duet", i, f"{impl.__name__}.unpackb(duet bytes) != original",
                            duet_bytes=copy_tokens, original=value, unpacked=back)
    if not out.done():
        mism.report("python->duet", COUNT, "helper wrote more records than it was given")
    return checked


def duet_to_python(helper, mism):
    seed = SEED ^ 0x67656E
    out = Reader(run_helper(helper, ["gen", str(seed), str(COUNT)]))
    n = 0
    while not out.done():
        f32 = out.take(1)[0] == 1
        data, duet_desc = out.blob(), out.blob().decode("ascii")
        i = n
        n += 1
        impls = [msgpack] + ([fallback] if i % FALLBACK_EVERY == 0 else [])
        for impl in impls:
            name = impl.__name__
            try:
                value = unpack(data, impl)
            except Exception as exc:  # noqa: BLE001
                mism.report("duet->python", i, f"{name}.unpackb(duet bytes) raised {exc!r}",
                            duet_bytes=data, duet_desc=duet_desc)
                continue
            got = desc(value, f32)
            if got != duet_desc:
                mism.report("duet->python", i, f"{name} read another value than duet meant to write",
                            duet_bytes=data, duet_desc=duet_desc, python_desc=got)
            again = pack(value, f32, impl)
            if again != data:
                mism.report("duet->python", i, f"{name} packs the value to other bytes than duet",
                            duet_bytes=data, python_bytes=again, value=value)
    if n != COUNT:
        mism.report("duet->python", n, f"helper wrote {n} records, wanted {COUNT}")
    return n


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: interop_msgpack.py HELPER")
    helper = sys.argv[1]
    print(f"interop_msgpack.py: python {sys.version.split()[0]} ({sys.executable}), msgpack "
          f"{'.'.join(map(str, msgpack.version))}, seed=0x{SEED:x}, count={COUNT}, helper={helper}")
    sys.stdout.flush()
    mism = Mismatches()
    a = python_to_duet(helper, mism)
    bad_a = mism.count
    print(f"python->duet: {a} of {COUNT} values read and re-encoded by duet, {bad_a} mismatches")
    b = duet_to_python(helper, mism)
    bad_b = mism.count - bad_a
    print(f"duet->python: {b} values written by duet and read by Python, {bad_b} mismatches")
    if mism.count > MAX_REPORTS:
        print(f"... {mism.count - MAX_REPORTS} more mismatches not shown", file=sys.stderr)
    failed = (bad_a > 0) + (bad_b > 0)
    print(f"interop: {2 - failed} passed, {failed} failed")
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
