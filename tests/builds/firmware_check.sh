#!/bin/sh
# firmware_check.sh [EXTRA_CFLAGS] - links the minimal firmware of `make size` for both cores
# (scripts/size-firmware.sh, with EXTRA_CFLAGS, e.g. -DDUET_SMALL=1 for the small
# configuration) and fails if it does not build, if duet's RAM beyond its configured
# buffers and tables (size.firmware.<cpu>.ram) is 1 KiB or more on either core, or if duet
# pulls one of libc's string functions into it other than memcpy and memset (duet measures
# its strings with its own loops, base/text.h: newlib's strlen and memcmp alone are 316 B).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
keep=$(mktemp -d "${TMPDIR:-/tmp}/firmware-check.XXXXXX")
trap 'rm -rf "$keep"' EXIT
out=$(EXTRA_CFLAGS="${1:-}" FIGURE_PREFIX=fw SIZE_KEEP="$keep" "$src/scripts/size-firmware.sh") || {
    echo "firmware_check.sh: the minimal firmware does not build with '${1:-}' (errors above)" >&2
    exit 1
}
echo "$out"
status=0
for cpu in m7 m4; do
    ram=$(echo "$out" | sed -n "s/^figure: fw\.$cpu\.ram = \([0-9]*\) bytes$/\1/p")
    flash=$(echo "$out" | sed -n "s/^figure: fw\.$cpu\.flash = \([0-9]*\) bytes$/\1/p")
    if [ -z "$ram" ] || [ -z "$flash" ]; then
        echo "firmware_check.sh: no flash or ram figure for the $cpu" >&2
        status=1
    elif [ "$ram" -ge 1024 ]; then
        echo "firmware_check.sh: the $cpu's RAM beyond the buffers is $ram bytes (aim: under 1024)" >&2
        status=1
    else
        echo "firmware_check.sh: $cpu: $ram bytes of RAM beyond the buffers, $flash bytes of flash"
    fi
    # The empty program links none of them, so each one in the minimal program is duet's.
    strings=$(${CROSS:-arm-none-eabi-}nm "$keep/$cpu.$cpu.elf" |
        awk '$3 ~ /^(str[a-z]*|mem(cmp|chr|move|rchr))$/ {print $3}' | tr '\n' ' ')
    if [ -n "$strings" ]; then
        echo "firmware_check.sh: the $cpu's minimal firmware links libc's $strings(duet's own loops are in src/base/text.h)" >&2
        status=1
    fi
done
exit $status
