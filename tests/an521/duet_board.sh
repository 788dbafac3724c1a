#!/bin/sh
# duet_board.sh DUET_BOARD SOURCE_DIR WORK_DIR - duet-board with --target an521 as a user runs
# it: builds the guide's USB serial example for both cores, runs the pair under QEMU, and
# checks the M7's output (its Serial on stdout); then that a wrong option is refused.
set -eu
board=$1
src=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
"$board" build --target an521 --core m7 -I"$src/examples/common" -o "$work/serial_m7.elf" "$src/examples/rpc_serial/m7.c"
"$board" build --target an521 --core m4 -I"$src/examples/common" -o "$work/serial_m4.elf" "$src/examples/rpc_serial/m4.c"
"$board" run --target an521 --m7 "$work/serial_m7.elf" --m4 "$work/serial_m4.elf" --seconds 15 >"$work/out.txt" 2>"$work/run_err.txt"
cat "$work/out.txt"
cat "$work/run_err.txt" >&2
# What a person watches is the programs' output only: no warning from QEMU itself.
if grep -q "qemu-system-arm" "$work/run_err.txt"; then
    echo "duet_board.sh: QEMU printed to the Serial Monitor's terminal (above)" >&2
    exit 1
fi
# The M4 prints once a second through the M7; the run ends when the time is up. QEMU runs
# on the host's clock here (as a person watches it), so a host busy with other work (a
# parallel make test on two CPUs) can take seconds to start it: two lines are asked for,
# in 15 s, to show the prints repeat.
lines=$(grep -c '^Printed from M4 core' "$work/out.txt" || true)
if [ "$lines" -lt 2 ]; then
    echo "duet_board.sh: expected at least 2 'Printed from M4 core' lines from the M7 in 15 s, got $lines" >&2
    exit 1
fi
# SIGTERM to duet-board alone (a process manager, kill, a test harness) ends the run with
# 128 + 15 and stops the QEMU it started: duet-board used to end at once and leave QEMU
# running, with nobody left to stop it.
"$board" run --target an521 --m7 "$work/serial_m7.elf" --m4 "$work/serial_m4.elf" >"$work/term_out.txt" \
    2>"$work/term_err.txt" &
run_pid=$!
sleep 2
qemu_pid=$(pgrep -P "$run_pid" || true)
[ -n "$qemu_pid" ] || { echo "duet_board.sh: no QEMU under duet-board run" >&2; cat "$work/term_err.txt" >&2; exit 1; }
kill -TERM "$run_pid"
status=0
wait "$run_pid" || status=$?
sleep 0.5
if kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid"
    echo "duet_board.sh: QEMU ($qemu_pid) still ran after duet-board run ended on SIGTERM" >&2
    exit 1
fi
[ "$status" -eq 143 ] || { echo "duet_board.sh: run ended on SIGTERM with $status, not 143" >&2; exit 1; }
if grep -q "qemu-system-arm" "$work/term_err.txt" "$work/term_out.txt"; then
    echo "duet_board.sh: QEMU's words about the signal reached the terminal" >&2
    exit 1
fi
# --seconds is kept to the fraction, as on the emulated board (it was rounded up to whole
# seconds: 0.2 ran for one).
start=$(date +%s%N)
"$board" run --target an521 --m7 "$work/serial_m7.elf" --m4 "$work/serial_m4.elf" --seconds 0.2 >/dev/null 2>&1
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$took_ms" -ge 800 ]; then
    echo "duet_board.sh: run --seconds 0.2 took $took_ms ms" >&2
    exit 1
fi
# A part QEMU lacks is refused with a sentence, not ignored.
if "$board" run --target an521 --m7 "$work/serial_m7.elf" --analog A0=512 2>"$work/err.txt"; then
    echo "duet_board.sh: --analog was accepted by --target an521" >&2
    exit 1
fi
grep -q "not supported by --target an521 (QEMU has no such part" "$work/err.txt" || { cat "$work/err.txt" >&2; exit 1; }
# --board is refused for what it is: the target keeps no flash between runs.
if "$board" run --target an521 --board "$work/b" --m7 "$work/serial_m7.elf" 2>"$work/err.txt"; then
    echo "duet_board.sh: --board was accepted by --target an521" >&2
    exit 1
fi
grep -q "^duet-board run: --board is not supported by --target an521 (it keeps no flash between runs" "$work/err.txt" ||
    { cat "$work/err.txt" >&2; exit 1; }
# So are the verbs of a board that keeps its flash: the sentence says what to do instead.
if "$board" upload --target an521 --core m7 "$work/serial_m7.elf" 2>"$work/err.txt"; then
    echo "duet_board.sh: upload was accepted by --target an521" >&2
    exit 1
fi
grep -q "^duet-board upload: target an521 has no upload: it keeps no flash between runs (give run the images" \
    "$work/err.txt" || { cat "$work/err.txt" >&2; exit 1; }
# The M4's UART into a file (2>FILE) keeps what the M4 printed: it went into the file through
# a description of its own, and duet-board's sentence at the end, written at the start of
# the file, went over it (the M4's line and its fault's were lost). A fault of the M4 is not
# told as the M7 program's return.
cat >"$work/fault_m4.c" <<'EOF_C'
#include <stdio.h>
#include "duet/board.h"
#include "duet/duet.h"
void setup(void) { duet_begin(); printf("M4 about to fault\n"); __builtin_trap(); }
void loop(void) {}
EOF_C
cat >"$work/wait_m7.c" <<'EOF_C'
#include "duet/board.h"
#include "duet/duet.h"
void setup(void) { duet_begin(); }
void loop(void) { delay(10); }
EOF_C
"$board" build --target an521 --core m4 -o "$work/fault_m4.elf" "$work/fault_m4.c" 2>/dev/null
"$board" build --target an521 --core m7 -o "$work/wait_m7.elf" "$work/wait_m7.c" 2>/dev/null
status=0
"$board" run --target an521 --m7 "$work/wait_m7.elf" --m4 "$work/fault_m4.elf" --seconds 10 >/dev/null \
    2>"$work/fault_err.txt" || status=$?
[ "$status" -eq 1 ] || { echo "duet_board.sh: a faulting M4 ended the run with $status, not 1" >&2; exit 1; }
for want in "^M4 about to fault" "^duet: unexpected exception 00[0-9] on the M4 at pc 102" \
    "^duet-board run: a core faulted (status 13[0-9]: 128 + exception [0-9]); its line above names it (on the M7 or the M4)"; do
    grep -q "$want" "$work/fault_err.txt" ||
        { echo "duet_board.sh: no '$want' in stderr (a file):" >&2; cat "$work/fault_err.txt" >&2; exit 1; }
done
# A fault of the M7 while the M4 runs: its report, on the M7's UART (stdout), names the M7.
cat >"$work/fault_m7.c" <<'EOF_C'
#include <stdio.h>
#include "duet/board.h"
#include "duet/duet.h"
void setup(void) { duet_begin(); delay(100); printf("M7 about to fault\n"); __builtin_trap(); }
void loop(void) {}
EOF_C
cat >"$work/wait_m4.c" <<'EOF_C'
#include "duet/board.h"
#include "duet/duet.h"
void setup(void) { duet_begin(); }
void loop(void) { delay(10); }
EOF_C
"$board" build --target an521 --core m7 -o "$work/fault_m7.elf" "$work/fault_m7.c" 2>/dev/null
"$board" build --target an521 --core m4 -o "$work/wait_m4.elf" "$work/wait_m4.c" 2>/dev/null
status=0
"$board" run --target an521 --m7 "$work/fault_m7.elf" --m4 "$work/wait_m4.elf" --seconds 10 >"$work/fault_out.txt" \
    2>"$work/fault_err.txt" || status=$?
[ "$status" -eq 1 ] || { echo "duet_board.sh: a faulting M7 ended the run with $status, not 1" >&2; exit 1; }
for want in "^M7 about to fault" "^duet: unexpected exception 00[0-9] on the M7 at pc 100"; do
    grep -q "$want" "$work/fault_out.txt" ||
        { echo "duet_board.sh: no '$want' on stdout:" >&2; cat "$work/fault_out.txt" >&2; exit 1; }
done
# An image for the other CPU, or for this PC, is refused with a sentence before QEMU starts
# (QEMU locked up on it and printed its registers, "QEMU stopped: SIGABRT").
refused() { # WANT ARGS...: run with ARGS fails with status 1 and the sentence WANT
    want=$1
    shift
    status=0
    "$board" run --target an521 "$@" --seconds 5 >"$work/out.txt" 2>"$work/err.txt" || status=$?
    if [ "$status" -ne 1 ] || [ "$(cat "$work/err.txt")" != "$want" ]; then
        echo "duet_board.sh: run $* ended with $status and said:" >&2
        cat "$work/err.txt" >&2
        echo "(expected 1 and: $want)" >&2
        exit 1
    fi
}
refused "duet-board run: $work/fault_m4.elf was built for the M4 (duet-board build --target an521 --core m4), not the \
M7: give the M7 a program built with --core m7" --m7 "$work/fault_m4.elf"
refused "duet-board run: $work/wait_m7.elf was built for the M7 (duet-board build --target an521 --core m7), not the \
M4: give the M4 a program built with --core m4" --m7 "$work/wait_m7.elf" --m4 "$work/wait_m7.elf"
cp "$board" "$work/pc_program" # a program for this PC
refused "duet-board run: $work/pc_program is not a program for the AN521 (a Cortex-M ELF image): build it with \
duet-board build --target an521" --m7 "$work/pc_program"
echo "duet_board.sh: build and run on --target an521 work"
