#!/usr/bin/python3
"""check_image.py - checks a GIGA R1 image that duet-board built, without a board.

    check_image.py --core m7|m4 --split 50_50|75_25|100_0 [--no-long-division] [--no-libc-text]
                   [--no-float-format] IMAGE.elf IMAGE.bin

The addresses below are the board's (Arduino's flash splits, the STM32H747's memory
map), written here independently of the linker scripts so that a wrong script fails:
  - the vector table is the first thing in the image, at the partition's start;
  - its first word is the top of the core's RAM, its reset entry a Thumb address inside
    the image, and the doorbell interrupt (HSEM1 = vector 16+125 on the M7, HSEM2 =
    16+126 on the M4) points at the port's HSEM handler;
  - every section that is loaded lies inside the partition, every RAM section inside
    the core's RAM;
  - the M7's image boots the M4 where the split puts the M4's image (DUET_M4_BOOT), and its
    .bin says so where duet-board upload reads it: vector entry 7 (reserved by Armv7-M) holds
    the boot record's mark, the bytes "DM4B", entry 8 that address; an M4 image has no record;
  - the .bin is the flash image from the partition's start, fits the partition, and
    starts with the vector table;
  - the reset entry (giga_reset, with what link-time optimisation inlined into it, and
    duet_cortex_m_reset where it is a function of its own) runs no floating-point
    instruction: the FPU is off until it turns it on (the M4 starts with it off);
  - with --no-long-division (a program that divides no 64-bit numbers itself): the image
    links none of libgcc's 64-bit division, 700 B that duet and the port never need;
  - with --no-libc-text (a program that handles text only through duet): the image links
    none of newlib's printf (1.8 KiB that duet's own formatter, duet/format.h, makes
    needless) and none of its string functions but memcpy, memset and memmove (duet measures,
    compares and searches strings with its own loops);
  - with --no-float-format (a program that formats no text itself): the image links none
    of the formatter's floating conversions (duet_fmt_float, 2 KiB), which duet and the
    port leave out of their own texts (duet_format_vtext_nofloat).
Prints one line per failed check and exits 1, or prints "ok ..." and exits 0.
"""
import argparse
import struct
import subprocess
import sys

CROSS = "arm-none-eabi-"
# split -> (M7 flash end, M4 image start, M4 partition size)
SPLITS = {
    "50_50": (0x08100000, 0x08100000, 0x100000),  # 1MB M7 + 1MB M4
    "75_25": (0x08180000, 0x08180000, 0x80000),  # 1.5MB M7 + 0.5MB M4
    "100_0": (0x08200000, 0x60000000, 0x40000),  # 2MB M7 + M4 in SDRAM
}
M7_FLASH = 0x08040000  # after Arduino's bootloader
RAM = {"m7": (0x24000000, 0x80000), "m4": (0x10000000, 0x48000)}  # AXI SRAM, D2 SRAM
HSEM_VECTOR = {"m7": 16 + 125, "m4": 16 + 126}
BOOT_RECORD_MARK = struct.unpack("<I", b"DM4B")[0]  # vector entry 7 of an M7 image
VECTORS = 16 + 150

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def tool(name, *args):
    return subprocess.run([CROSS + name, *args], check=True, capture_output=True, text=True).stdout


def sections(elf):
    """(name, address, load address, size, flags) of each allocated section."""
    out = []
    loads = []
    for line in tool("readelf", "-lW", elf).splitlines():
        f = line.split()
        if f and f[0] == "LOAD":
            loads.append((int(f[1], 16), int(f[2], 16), int(f[3], 16), int(f[4], 16)))
    for line in tool("readelf", "-SW", elf).splitlines():
        line = line.replace("[ ", "[")
        f = line.split()
        if len(f) < 8 or not f[0].startswith("[") or f[1] in ("Name", "NULL") or f[0] == "[0]":
            continue
        name, addr, off, size, flags = f[1], int(f[3], 16), int(f[4], 16), int(f[5], 16), f[7]
        if "A" not in flags or size == 0:
            continue
        lma = addr
        for offset, vaddr, paddr, filesz in loads:
            if f[2] != "NOBITS" and offset <= off < offset + filesz:
                lma = paddr + (off - offset)
        out.append((name, addr, lma, size, f[2]))
    return out


def symbol(elf, name):
    """The address of name, or of its copy link-time optimisation made local (name.lto_priv.N,
    name.constprop.N...); None when neither is in the image."""
    for line in tool("nm", elf).splitlines():
        f = line.split()
        if len(f) == 3 and (f[2] == name or f[2].startswith(name + ".")):
            return int(f[0], 16)
    return None


def fpu_instructions(elf, name):
    """The floating-point instructions (VFP: every mnemonic starting with v) of function name,
    as objdump writes them; [] where the function is not in the image."""
    found = []
    for line in tool("objdump", "-d", f"--disassemble={name}", elf).splitlines():
        f = line.split("\t")
        if len(f) >= 3 and f[0].strip().endswith(":") and f[2].startswith("v"):
            found.append(line.strip())
    return found


def check_boot_record(core, words, m4_start):
    """The M7's record of where it boots the M4 (vector entries 7 and 8), none in an M4 image."""
    if core == "m4":
        check(words[7] != BOOT_RECORD_MARK, "the M4's image has the M7's boot record (vector entry 7)")
        return
    check(words[7] == BOOT_RECORD_MARK,
          f"vector entry 7 is {words[7]:#x}, not the boot record's mark {BOOT_RECORD_MARK:#x} (\"DM4B\")")
    check(words[8] == m4_start, f"the M7's boot record says it boots the M4 from {words[8]:#x}, "
                                f"not from the split's M4 image {m4_start:#x}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--core", choices=("m7", "m4"), required=True)
    ap.add_argument("--split", choices=tuple(SPLITS), required=True)
    ap.add_argument("--no-long-division", action="store_true")
    ap.add_argument("--no-libc-text", action="store_true")
    ap.add_argument("--no-float-format", action="store_true")
    ap.add_argument("elf")
    ap.add_argument("bin")
    a = ap.parse_args()

    m7_end, m4_start, m4_size = SPLITS[a.split]
    start, size = (M7_FLASH, m7_end - M7_FLASH) if a.core == "m7" else (m4_start, m4_size)
    ram_start, ram_size = RAM[a.core]

    secs = sections(a.elf)
    byname = {s[0]: s for s in secs}
    vec = byname.get(".vectors")
    check(vec is not None, "no .vectors section")
    if vec:
        check(vec[1] == start, f".vectors at {vec[1]:#x}, not at the partition's start {start:#x}")
        check(vec[3] == 4 * VECTORS, f".vectors holds {vec[3]} bytes, not {VECTORS} entries")
    check(start % 0x10000 == 0, f"image start {start:#x} is not on a 64 KiB boundary")
    for name, addr, lma, sz, kind in secs:
        if kind != "NOBITS":
            check(start <= lma and lma + sz <= start + size,
                  f"{name} loads at {lma:#x}..{lma + sz:#x}, outside {start:#x}..{start + size:#x}")
        if addr != lma or kind == "NOBITS":
            check(ram_start <= addr and addr + sz <= ram_start + ram_size,
                  f"{name} at {addr:#x}..{addr + sz:#x}, outside RAM {ram_start:#x}..{ram_start + ram_size:#x}")

    with open(a.bin, "rb") as f:
        image = f.read()
    check(0 < len(image) <= size, f"{a.bin}: {len(image)} bytes, the partition holds {size}")
    if len(image) >= 4 * VECTORS:
        words = struct.unpack_from(f"<{VECTORS}I", image)
        check(words[0] == ram_start + ram_size,
              f"initial stack pointer {words[0]:#x}, not the top of RAM {ram_start + ram_size:#x}")
        check(words[1] & 1 and start < words[1] < start + len(image),
              f"reset entry {words[1]:#x} is not a Thumb address inside the image")
        isr = symbol(a.elf, "giga_hsem_isr")
        check(isr is not None and words[HSEM_VECTOR[a.core]] == isr | 1,
              f"vector {HSEM_VECTOR[a.core]} (the HSEM doorbell) is {words[HSEM_VECTOR[a.core]]:#x}, "
              f"not giga_hsem_isr")
        reset = symbol(a.elf, "giga_reset")
        check(reset is not None and words[1] == reset | 1, "the reset entry is not giga_reset")
        check_boot_record(a.core, words, m4_start)
    else:
        check(False, f"{a.bin}: too short to hold the vector table")
    if a.core == "m7":
        boot = symbol(a.elf, "DUET_M4_BOOT")
        check(boot == m4_start, f"the M7 boots the M4 at {boot if boot is None else hex(boot)}, "
                                f"not at the split's M4 image {m4_start:#x}")

    # Built for one core (CORE_CM7 / CORE_CM4): only that core's RPMsg role is linked (the
    # host answers the name service, the remote announces itself). Link-time optimisation
    # may inline a role's functions into their callers, so each image is also searched for a
    # text only the other role's set-up uses (the remote's wait for the host's table, the
    # host's overlap check).
    other = "duet_rpmsg_ns_message" if a.core == "m7" else "duet_rpmsg_host_answer"
    check(symbol(a.elf, other) is None, f"{other} is linked: the image carries the other core's RPMsg role "
                                        f"(was it compiled without -DCORE_C{a.core.upper()}?)")
    other_text = (b"the host did not set up the shared memory in time" if a.core == "m7"
                  else b"table, vrings and pool overlap")
    check(other_text not in image, f"the other core's RPMsg set-up is linked into the {a.core.upper()}'s image "
                                   f"(was it compiled without -DCORE_C{a.core.upper()}?)")
    # A program that starts no thread links no scheduler (ports/cortex_m/thread.c). A thread's
    # start stores thread_entry's address, so the function stays a symbol of its own even
    # where link-time optimisation inlined duet_thread_create into its caller.
    if symbol(a.elf, "thread_entry") is None:
        check(symbol(a.elf, "duet_cortex_m_thread_switch") is None,
              "the thread scheduler is linked into a program that starts no thread")

    for name in ("giga_reset", "duet_cortex_m_reset"):
        fp = fpu_instructions(a.elf, name)
        check(not fp, f"{name} has a floating-point instruction, {fp[:1]}: the FPU is off until it turns "
                      f"it on (the program's start is ports/cortex_m/reset.c's start_program, never inlined)")

    if a.no_long_division:
        for name in ("__aeabi_uldivmod", "__aeabi_ldivmod", "__udivmoddi4"):
            check(symbol(a.elf, name) is None, f"{name} (libgcc's 64-bit division) is linked")

    if a.no_float_format:
        check(symbol(a.elf, "duet_fmt_float") is None,
              "duet_fmt_float (the formatter's floating conversions) is linked")
    if a.no_libc_text:
        for name in ("_svfprintf_r", "_svfiprintf_r", "_vfprintf_r", "_vfiprintf_r"):
            check(symbol(a.elf, name) is None, f"{name} (newlib's printf) is linked")
        for name in ("strlen", "strchr", "strcmp", "strncmp", "memcmp", "memchr", "strstr"):
            check(symbol(a.elf, name) is None, f"{name} (newlib's) is linked")

    for f in failures:
        print(f"check_image: {a.elf} ({a.core}, {a.split}): {f}")
    if failures:
        return 1
    print(f"ok {a.elf}: {a.core} image at {start:#x}, {len(image)} of {size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
