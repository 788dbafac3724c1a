#!/bin/sh
# loop_calls.sh DUET_BOARD SOURCE_DIR WORK_DIR - both cores calling each other from loop()
# (tests/an521/loop_calls.c) under duet-board run --target an521, QEMU in the host's time: the
# M7's 1000 calls must take well under 20 s (a millisecond or so each; with the sleep after a
# loop() that rang left at a second they took minutes).
set -eu
board=$1
src=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
for core in m7 m4; do
    "$board" build --target an521 --core $core -o "$work/$core.elf" "$src/tests/an521/loop_calls.c"
done
status=0
"$board" run --target an521 --m7 "$work/m7.elf" --m4 "$work/m4.elf" --seconds 90 >"$work/out.txt" || status=$?
cat "$work/out.txt"
ms=$(sed -n 's/^loop_calls: 1000 calls in \([0-9]*\) ms$/\1/p' "$work/out.txt")
if [ "$status" -ne 0 ] || [ -z "$ms" ]; then
    echo "loop_calls.sh: the M7 did not make its 1000 calls in 90 s (status $status)" >&2
    exit 1
fi
if [ "$ms" -ge 20000 ]; then
    echo "loop_calls.sh: 1000 calls from loop() took $ms ms: the cores slept between them" >&2
    exit 1
fi
