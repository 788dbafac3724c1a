#!/usr/bin/python3
"""rewrite_boot_record.py IN.bin OUT.bin none|ADDRESS - writes a copy of IN.bin, an M7 image
duet-board built, with its record of where it boots the M4 (vector entries 7 and 8,
ports/stm32h747/startup.c) changed, for duet-board upload to refuse (tests/giga/CMakeLists.txt):
  none     no record, as an older duet-board's image or another tool's: entries 7 to 10
           point at the fault handler, as entries 2 to 6 do;
  ADDRESS  the record kept, naming ADDRESS (e.g. 0x08080000) as the M4's boot address."""
import struct
import sys

MARK = struct.unpack("<I", b"DM4B")[0]


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    src, dst, what = sys.argv[1:]
    with open(src, "rb") as f:
        image = bytearray(f.read())
    if len(image) < 11 * 4 or struct.unpack_from("<I", image, 7 * 4)[0] != MARK:
        print(f"rewrite_boot_record: {src} is no M7 image with a boot record")
        return 1
    if what == "none":
        fault = struct.unpack_from("<I", image, 2 * 4)[0]
        struct.pack_into("<4I", image, 7 * 4, fault, fault, fault, fault)
    else:
        struct.pack_into("<I", image, 8 * 4, int(what, 0))
    with open(dst, "wb") as f:
        f.write(image)
    print(f"wrote {dst}: {src} with the boot record {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
