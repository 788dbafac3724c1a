#!/bin/sh
# c_library.sh DUET_BOARD CC SOURCE_DIR WORK_DIR - the C library as the Cortex-M ports give it.
# C's printf and scanf families (ports/cortex_m/stdio_printf.c, duet's formatter in place of
# newlib-nano's; stdio_scanf.c, newlib's with its float scanner): c_stdio.c, plain C, built with
# the host's compiler and glibc, and with duet-board for the AN521's M7, given the same stdin
# (the M7's UART under QEMU), writes the same bytes to stdout; built for the GIGA's two cores,
# it links with duet's printf and none of newlib's. C's clocks and files
# (ports/cortex_m/time_syscalls.c, console.c): c_system.c passes its checks on the AN521's M7 and on the emulated board's (its clocks and
# sleeps: ports/posix/board_libc.c), and links for the GIGA. Signals (syscalls.c): c_abort.c.
set -eu
board=$1
cc=$2
src=$3
work=$4
rm -rf "$work"
mkdir -p "$work"
program=$src/tests/an521/c_stdio.c
"$cc" -std=c11 -Wall -Wextra -Werror -o "$work/host" "$program" -lm
# The console's input: the AN521's M7 reads it from its UART (QEMU's stdin).
input='a line for fgets
-17 0.125 word'
printf '%s\n' "$input" | "$work/host" >"$work/host.txt"
"$board" build --target an521 --core m7 -o "$work/an521_m7.elf" "$program"
printf '%s\n' "$input" | "$board" run --target an521 --m7 "$work/an521_m7.elf" --seconds 20 >"$work/an521.txt"
if ! cmp -s "$work/host.txt" "$work/an521.txt"; then
    echo "c_library.sh: the AN521's printf and scanf wrote otherwise than glibc's (< glibc, > AN521):" >&2
    diff "$work/host.txt" "$work/an521.txt" >&2 || true
    exit 1
fi
lines=$(wc -l <"$work/an521.txt")
[ "$lines" -ge 10 ] || { echo "c_library.sh: only $lines lines written" >&2; exit 1; }
for core in m7 m4; do
    "$board" build --target giga --core $core -o "$work/giga_$core.elf" "$program"
    # Its printf is duet's, and none of newlib-nano's formatting (_printf_i) came with it.
    arm-none-eabi-nm "$work/giga_$core.elf" >"$work/giga_$core.nm"
    grep -q ' T __wrap_printf$' "$work/giga_$core.nm" ||
        { echo "c_library.sh: the GIGA's $core image has no __wrap_printf" >&2; exit 1; }
    if grep -q ' T _printf_i$' "$work/giga_$core.nm"; then
        echo "c_library.sh: the GIGA's $core image links newlib-nano's printf (_printf_i)" >&2
        exit 1
    fi
    # Its sscanf reads floats: newlib-nano's float scanner came with it.
    grep -q ' _scanf_float$' "$work/giga_$core.nm" ||
        { echo "c_library.sh: the GIGA's $core image has no float scanner (_scanf_float)" >&2; exit 1; }
done

system_program=$src/tests/an521/c_system.c
"$board" build --target an521 --core m7 -o "$work/c_system.elf" "$system_program"
"$board" run --target an521 --m7 "$work/c_system.elf" --seconds 20 >"$work/c_system.txt" ||
    { cat "$work/c_system.txt" >&2; echo "c_library.sh: c_system failed on the AN521" >&2; exit 1; }
cat "$work/c_system.txt"
grep -q '^c_system: [1-9][0-9]* checks passed, 0 failed$' "$work/c_system.txt" ||
    { echo "c_library.sh: c_system did not pass its checks" >&2; exit 1; }
# A signal raised with no handler: ignored by default (SIGCHLD) it returns, SIGABRT (a failed
# assert) ends the program with status 1 and a line that names it.
"$board" build --target an521 --core m7 -o "$work/c_abort.elf" "$src/tests/an521/c_abort.c"
status=0
"$board" run --target an521 --m7 "$work/c_abort.elf" --seconds 20 >"$work/c_abort.txt" 2>"$work/c_abort.err" || status=$?
cat "$work/c_abort.txt"
[ "$status" -eq 1 ] && grep -q "the M7 program returned 1" "$work/c_abort.err" &&
    grep -q '^raise(SIGCHLD): 0' "$work/c_abort.txt" && grep -q 'assertion "x == 2" failed' "$work/c_abort.txt" &&
    grep -q '^duet: stopped by signal 6 (SIGABRT)' "$work/c_abort.txt" && ! grep -q 'not reached' "$work/c_abort.txt" ||
    { cat "$work/c_abort.err" >&2; echo "c_library.sh: abort() on the AN521 (status $status) did not end as it should" >&2; exit 1; }

# The same clocks and sleeps on the emulated board (ports/posix/board_libc.c), whose
# programs have the PC's files.
"$board" build --core m7 -DC_SYSTEM_PC_FILES -o "$work/c_system_posix" "$system_program"
"$board" run --m7 "$work/c_system_posix" --seconds 20 >"$work/c_system_posix.txt" ||
    { cat "$work/c_system_posix.txt" >&2; echo "c_library.sh: c_system failed on the emulated board" >&2; exit 1; }
cat "$work/c_system_posix.txt"
grep -q '^c_system: [1-9][0-9]* checks passed, 0 failed$' "$work/c_system_posix.txt" ||
    { echo "c_library.sh: c_system did not pass its checks on the emulated board" >&2; exit 1; }
for core in m7 m4; do
    "$board" build --target giga --core $core -o "$work/giga_c_system_$core.elf" "$system_program"
    # It calls no scanf, only strftime (whose tzset calls newlib's siscanf): no float scanner.
    if arm-none-eabi-nm "$work/giga_c_system_$core.elf" | grep -q ' _scanf_float$'; then
        echo "c_library.sh: the GIGA's $core image of c_system.c links the float scanner" >&2
        exit 1
    fi
done
echo "c_library.sh: $lines lines, the same from the AN521's printf and scanf as from glibc's; C's clocks, sleeps and files on the AN521 and the emulated board; the GIGA's images link"
