#!/bin/sh
# run.sh [--expect-fault CORE] MACHINE IMAGE.elf - runs an Armv7-M test image on QEMU's MACHINE
# (mps2-an500 or mps2-an386) for at most 20 s, its semihosting output on stdout. Exits 0 when
# the program's last line is "N passed, 0 failed" (N > 0) and it ended with status 0; with
# --expect-fault CORE (M7 or M4), when it stopped at an unexpected exception instead, and
# duet's fault report named CORE as the one that faulted.
set -u
expect_fault=0
if [ "${1:-}" = "--expect-fault" ] && [ $# -ge 2 ]; then
    expect_fault=1
    fault_core=$2
    shift 2
fi
if [ $# -ne 2 ]; then
    echo "usage: run.sh [--expect-fault M7|M4] MACHINE IMAGE.elf" >&2
    exit 2
fi
[ -r "$2" ] || { echo "run.sh: cannot read the image $2" >&2; exit 2; }
command -v qemu-system-arm >/dev/null 2>&1 ||
    { echo "run.sh: qemu-system-arm not found (install it: scripts/deps.sh test)" >&2; exit 2; }

out=$(mktemp "${TMPDIR:-/tmp}/duet-armv7m.XXXXXX")
trap 'rm -f "$out"' EXIT
# Semihosting's console is QEMU's stderr: both go to the file. The board's Ethernet chip is
# given an isolated network, as scripts/an521-qemu.sh does (else QEMU warns of it).
status=0
timeout --kill-after=5 20 qemu-system-arm -M "$1" -display none -monitor none -nodefaults \
    -nic user,restrict=on,ipv6=off -semihosting-config enable=on,target=native \
    -kernel "$2" </dev/null >"$out" 2>&1 || status=$?
cat "$out"
if [ "$expect_fault" -eq 1 ]; then
    grep -q "^duet: unexpected exception [0-9]* on the $fault_core at pc " "$out" && [ "$status" -gt 128 ] || exit 1
    exit 0
fi
if [ "$status" -ne 0 ]; then
    echo "run.sh: the program ended with status $status" >&2
    exit 1
fi
tail -n 1 "$out" | grep -Eq '^[1-9][0-9]* passed, 0 failed$' ||
    { echo "run.sh: no \"N passed, 0 failed\" at the end" >&2; exit 1; }
