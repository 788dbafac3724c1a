#!/bin/sh
# firmware_ram.sh [EXTRA_CFLAGS] - links the minimal firmware of `make size` for both cores
# (scripts/size-firmware.sh, with EXTRA_CFLAGS, e.g. -DDUET_SMALL=1 for the small
# configuration) and fails if it does not build, or if duet's RAM beyond its configured
# buffers and tables (size.firmware.<cpu>.ram) is 1 KiB or more on either core.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$(EXTRA_CFLAGS="${1:-}" FIGURE_PREFIX=fw "$src/scripts/size-firmware.sh") || {
    echo "firmware_ram.sh: the minimal firmware does not build with '${1:-}' (errors above)" >&2
    exit 1
}
echo "$out"
status=0
for cpu in m7 m4; do
    ram=$(echo "$out" | sed -n "s/^figure: fw\.$cpu\.ram = \([0-9]*\) bytes$/\1/p")
    flash=$(echo "$out" | sed -n "s/^figure: fw\.$cpu\.flash = \([0-9]*\) bytes$/\1/p")
    if [ -z "$ram" ] || [ -z "$flash" ]; then
        echo "firmware_ram.sh: no flash or ram figure for the $cpu" >&2
        status=1
    elif [ "$ram" -ge 1024 ]; then
        echo "firmware_ram.sh: the $cpu's RAM beyond the buffers is $ram bytes (aim: under 1024)" >&2
        status=1
    else
        echo "firmware_ram.sh: $cpu: $ram bytes of RAM beyond the buffers, $flash bytes of flash"
    fi
done
exit $status
