#!/bin/sh
# bench.sh BUILD_DIR [SUITE...] - run the benchmark suites (all of them by default) on the
# programs built in BUILD_DIR and print one line per figure:
#
#   figure: <name> = <value> [<unit>]
#
# Most figures are instruction counts from valgrind's callgrind, which are exact and
# repeatable (no timer noise); the rpc suite's calls_per_s figures are wall-clock rates of a
# native run (CLOCK_MONOTONIC), which vary from run to run and machine to machine. Each
# benchmark program brackets its measured loop with CALLGRIND_TOGGLE_COLLECT and runs under
# --collect-atstart=no, so only that loop (callees included) is counted; a suite subtracts
# the same loop run empty and divides by the number of iterations. The callgrind profiles
# stay in BUILD_DIR/bench/callgrind/ for `callgrind_annotate --inclusive=yes FILE`.
#
# A new suite is a function suite_<name> that prints its figures with `figure`, and its
# name in SUITES.
set -eu

SUITES="codec rpc two_core qemu web"

# Iterations per measured loop. The per-message figures do not depend on it (callgrind
# counts are exact); it only has to be large enough to make one-off effects vanish.
BENCH_N=${BENCH_N:-10000}

die() {
    echo "bench.sh: $*" >&2
    exit 1
}

[ $# -ge 1 ] || die "usage: scripts/bench.sh BUILD_DIR [SUITE...] (suites: $SUITES)"
BUILD=$1
shift
[ -d "$BUILD" ] || die "no build directory '$BUILD' (run make bench)"
command -v valgrind >/dev/null 2>&1 || die "valgrind not found (run scripts/deps.sh bench)"
case $BENCH_N in '' | *[!0-9]* | 0) die "BENCH_N must be a positive integer" ;; esac
# Seconds of each wall-clock measurement (after a warm-up of a fifth of that).
BENCH_SECONDS=${BENCH_SECONDS:-1}
case $BENCH_SECONDS in '' | . | *[!0-9.]* | *.*.*) die "BENCH_SECONDS must be a positive number" ;; esac

# The codec's figures mean something only with the optimised core (the benchmark programs
# themselves are always compiled -O2). An empty cache entry is the project's default,
# RelWithDebInfo.
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)
case $build_type in
'' | RelWithDebInfo | Release) ;;
*) echo "bench.sh: warning: $BUILD is a '$build_type' build; the figures assume RelWithDebInfo (-O2)" >&2 ;;
esac

PROFILES=$BUILD/bench/callgrind
mkdir -p "$PROFILES"

# figure NAME VALUE [UNIT] - print one figure line.
figure() {
    if [ $# -ge 3 ]; then
        echo "figure: $1 = $2 $3"
    else
        echo "figure: $1 = $2"
    fi
}

# bench_program NAME - the path of a benchmark program built in $BUILD, or a clear failure.
bench_program() {
    prog=$BUILD/bench/$1
    [ -x "$prog" ] || die "$prog was not built (it needs libmsgpack-dev and valgrind; run make bench)"
    echo "$prog"
}

# callgrind_count LABEL PROGRAM ARGS... - run PROGRAM under callgrind and print the number of
# instructions collected between its CALLGRIND_TOGGLE_COLLECT requests. The profile is kept
# as $PROFILES/LABEL.out, the program's output as $PROFILES/LABEL.log.
callgrind_count() {
    label=$1
    shift
    out=$PROFILES/$label.out
    log=$PROFILES/$label.log
    rm -f "$out"
    status=0
    valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$out" \
        --error-exitcode=99 -q "$@" >"$log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        cat "$log" >&2
        die "$label: '$*' failed under callgrind (exit $status)"
    fi
    count=$(awk '$1 == "totals:" { print $2 }' "$out" 2>/dev/null || true)
    case $count in '' | *[!0-9]*) die "$label: no instruction total in $out" ;; esac
    echo "$count"
}

# per_iteration TOTAL BASELINE N - (TOTAL - BASELINE) / N, exact (awk floating point).
per_iteration() {
    awk -v t="$1" -v b="$2" -v n="$3" 'BEGIN {
        if (t <= b) exit 1
        printf "%.6f\n", (t - b) / n
    }' || die "a measured loop counted no more instructions than the empty one ($1 <= $2)"
}

# rounded X - X to the nearest integer.
rounded() {
    awk -v x="$1" 'BEGIN { printf "%.0f\n", x }'
}

# ratio A B - A / B with two decimals.
# median NUMBER... - the middle one of the numbers (the upper of the two middle ones for an
# even count).
median() {
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int(NR / 2) + 1] }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a / b }'
}

# wall_clock_rate LABEL PROGRAM ARGS... - run PROGRAM natively and print the rate from its
# line `calls_per_s <rate>`. Its output is kept as $PROFILES/LABEL.log.
wall_clock_rate() {
    label=$1
    shift
    log=$PROFILES/$label.log
    status=0
    "$@" >"$log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        cat "$log" >&2
        die "$label: '$*' failed (exit $status)"
    fi
    rate=$(awk '$1 == "calls_per_s" { print $2 }' "$log")
    case $rate in '' | *[!0-9]*) die "$label: no calls_per_s line in $log" ;; esac
    echo "$rate"
}

# ------------------------------------------------------------------ suites

# codec: encode and decode the msgpack-RPC request [0, 1, "add", [1, 2]] with duet's
# MessagePack writer and reader and with msgpack-c at its fastest (bench/codec/), in
# instructions per message; ratio = duet / msgpack-c (below 1: duet does less work).
# msgpack-c's encoder is measured two ways, its packer with a write callback into a fixed
# buffer and its pack template instantiated for that buffer; the ratio is taken against
# the better of the two, whichever that is in this run.
suite_codec() {
    prog=$(bench_program bench_codec)
    base=$(callgrind_count codec.empty "$prog" empty "$BENCH_N")
    for op in encode decode; do
        duet_total=$(callgrind_count "codec.$op.duet" "$prog" "$op-duet" "$BENCH_N")
        duet=$(per_iteration "$duet_total" "$base" "$BENCH_N")
        figure "codec.$op.duet" "$(rounded "$duet")" instructions
        variants="msgpack_c"
        [ "$op" = encode ] && variants="msgpack_c msgpack_c-template"
        best=""
        for variant in $variants; do
            total=$(callgrind_count "codec.$op.$variant" "$prog" "$op-$variant" "$BENCH_N")
            value=$(per_iteration "$total" "$base" "$BENCH_N")
            [ "$variant" != msgpack_c ] && figure "codec.$op.$(echo "$variant" | tr - _)" "$(rounded "$value")" instructions
            if [ -z "$best" ] || awk -v a="$value" -v b="$best" 'BEGIN { exit !(a < b) }'; then
                best=$value
            fi
        done
        figure "codec.$op.msgpack_c" "$(rounded "$best")" instructions
        figure "codec.$op.ratio" "$(ratio "$duet" "$best")"
    done
}

# rpc: the msgpack-RPC engine over the in-memory link pair (bench/rpc/): engine A calls
# add(1, 2) ("ii:i") bound on engine B, in one thread; A's link waits by polling B.
#   rpc.roundtrip.instructions  one whole round trip, both sides (A encodes and sends the
#                               request, B decodes it, runs add and answers, A decodes the
#                               result), per call, with msgids past 65535 (uint32 on the wire)
#   rpc.sync.calls_per_s        duet_rpc_call per second, wall clock
#   rpc.async.calls_per_s       DUET_RPC_MAX_INFLIGHT call_async, one poll of B, every future
#                               waited, repeated: calls per second, wall clock
#   rpc.tcp.clients_1.calls_per_s, rpc.tcp.clients_50.calls_per_s
#                               the same add over TCP (loopback) against one `duet-rpc serve
#                               --tcp` (bench/rpc_tcp/): 1 and 50 concurrent clients, each
#                               with its own engine, 10000 synchronous calls in all; the median
#                               of BENCH_TCP_ROUNDS runs (default 5), beside rpc.sync.calls_per_s
#   rpc.tcp.raw.clients_N.round_trips_per_s
#                               the baseline: the same clients and round trips with no RPC
#                               (a 16-byte message each way, answered by one poll() loop in
#                               another process: bench_rpc_tcp --raw), each of its runs right
#                               before duet's; the median likewise
#   rpc.tcp.clients_N.ratio     duet's median / the baseline's (1: as fast as bare TCP)
suite_rpc() {
    prog=$(bench_program bench_rpc)
    base=$(callgrind_count rpc.empty "$prog" empty "$BENCH_N")
    total=$(callgrind_count rpc.roundtrip "$prog" roundtrip "$BENCH_N")
    figure rpc.roundtrip.instructions "$(rounded "$(per_iteration "$total" "$base" "$BENCH_N")")" instructions
    for mode in sync async; do
        figure "rpc.$mode.calls_per_s" "$(wall_clock_rate "rpc.$mode" "$prog" "$mode" "$BENCH_SECONDS")" calls/s
    done
    tcp_prog=$(bench_program bench_rpc_tcp)
    [ -x "$BUILD/bin/duet-rpc" ] || die "$BUILD/bin/duet-rpc was not built (needs libjansson-dev)"
    tcp_rounds=${BENCH_TCP_ROUNDS:-5}
    case $tcp_rounds in '' | *[!0-9]* | 0*) die "BENCH_TCP_ROUNDS must be a positive integer" ;; esac
    for clients in 1 50; do
        rates=""
        raw_rates=""
        r=1
        while [ "$r" -le "$tcp_rounds" ]; do
            raw_rates="$raw_rates $(wall_clock_rate "rpc.tcp.raw.clients_$clients.$r" "$tcp_prog" --raw "$clients" $((10000 / clients)))"
            rates="$rates $(wall_clock_rate "rpc.tcp.clients_$clients.$r" "$tcp_prog" "$BUILD/bin/duet-rpc" "$clients" $((10000 / clients)))"
            r=$((r + 1))
        done
        # shellcheck disable=SC2086 # the words of $rates and $raw_rates
        duet_rate=$(median $rates)
        # shellcheck disable=SC2086
        raw_rate=$(median $raw_rates)
        figure "rpc.tcp.clients_$clients.calls_per_s" "$duet_rate" calls/s
        figure "rpc.tcp.raw.clients_$clients.round_trips_per_s" "$raw_rate" round_trips/s
        figure "rpc.tcp.clients_$clients.ratio" "$(ratio "$duet_rate" "$raw_rate")"
    done
}

# two_core_run LABEL ARGS... - runs bench_two_core ARGS; its output is kept as
# $PROFILES/LABEL.log (shown, and the suite stops, if it fails).
two_core_run() {
    tc_label=$1
    shift
    tc_status=0
    "$TWO_CORE_PROG" "$@" >"$PROFILES/$tc_label.log" 2>&1 || tc_status=$?
    if [ "$tc_status" -ne 0 ]; then
        cat "$PROFILES/$tc_label.log" >&2
        die "$tc_label: 'bench_two_core $*' failed (exit $tc_status)"
    fi
}

# two_core_value LABEL KEY - the value on the line `KEY value` of LABEL's log.
two_core_value() {
    tc_v=$(awk -v k="$2" '$1 == k { print $2 }' "$PROFILES/$1.log")
    case $tc_v in '' | *[!0-9.]* | *.*.*) die "$1: no '$2' line in $PROFILES/$1.log" ;; esac
    echo "$tc_v"
}

# two_core_median X... - the median of the numbers.
two_core_median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) printf "%s\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# two_core_figure NAME KEY UNIT [DECIMALS] - prints the median over the rounds of KEY (from
# the words KEY=value in $tc_lists) as figure NAME; no unit if UNIT is empty.
# shellcheck disable=SC2046,SC2086 # the words of $tc_lists; UNIT may be empty: no word
two_core_figure() {
    tc_m=$(two_core_median $(printf '%s\n' $tc_lists | sed -n "s/^$2=//p"))
    figure "$1" "$(awk -v x="$tc_m" -v d="${4:-3}" 'BEGIN { printf "%.*f\n", d, x }')" $3
}

# two_core: duet between two processes on the emulated board (bench/two_core/), the M7 pinned
# to CPU 0 and the M4 to CPU 1, next to the bare limits of the same machine: two processes
# pinned the same way and one shared mapping. M7 calls M4's add(1, 2) with duet_call; the
# stream goes M4 -> M7. Wall clock (CLOCK_MONOTONIC): the figures vary with the machine, and
# the host of a VM moves its vCPUs about between runs, so every case runs in
# BENCH_TWO_CORE_ROUNDS rounds (default 3), each baseline right before its duet case; a figure
# is the median over the rounds, a ratio the median of the rounds' ratios.
#   shm.pingpong.futex.median_us, .p99_us    a flag between two processes, FUTEX_WAIT/WAKE
#   shm.pingpong.spin.median_us, .p99_us     the same, spinning
#   rtt.blocking.median_us, .p99_us, .ratio  duet_call add(1, 2), M7 -> M4, DUET_WAIT=block;
#                                            ratio = median / the futex ping-pong's median
#   rtt.adaptive.median_us, .p99_us, .ratio  the same with DUET_WAIT=adaptive, against the
#                                            spinning ping-pong
#   stream.mb_per_s                          M4 -> M7, duet_write of 4 KiB chunks on the M4,
#                                            duet_stream_read_bytes on the M7, every byte
#                                            checked, DUET_WAIT=adaptive (MB = 10^6 bytes)
#   stream.blocking.mb_per_s                 the same with DUET_WAIT=block
#   stream.memcpy.mb_per_s                   the same bytes and checks through a bare SPSC ring
#                                            of 64 KiB (SRAM4's size), spinning
#   stream.ratio                             stream.mb_per_s / stream.memcpy.mb_per_s
#   stream.pieces.mb_per_s                   the bare ring cut as RPMsg cuts a stream: 512-byte
#                                            slots, each a 16-byte header and 496 bytes at most
#                                            (no protocol: what the buffer layout costs alone;
#                                            a chunk's slots staged, then copied at once)
#   stream.pieces.ratio                      stream.pieces.mb_per_s / stream.memcpy.mb_per_s:
#                                            the most a stream over those buffers can reach
#   stream.of_pieces.ratio                   stream.mb_per_s / stream.pieces.mb_per_s
# BENCH_TWO_CORE_N round trips per latency case (default 20000, after 2000 unmeasured),
# BENCH_TWO_CORE_MIB MiB per stream (default 64, after 8 unmeasured). The logs, with what each
# side's doorbell and RPMsg layer did, are $PROFILES/two_core.*.log.
suite_two_core() {
    TWO_CORE_PROG=$BUILD/bench/bench_two_core
    if [ ! -x "$TWO_CORE_PROG" ] || [ ! -x "$BUILD/bench/bench_two_core_m4" ]; then
        die "$TWO_CORE_PROG was not built (run make bench)"
    fi
    tc_rounds=${BENCH_TWO_CORE_ROUNDS:-3}
    tc_n=${BENCH_TWO_CORE_N:-20000}
    tc_mib=${BENCH_TWO_CORE_MIB:-64}
    for tc_x in "$tc_rounds" "$tc_n" "$tc_mib"; do
        case $tc_x in '' | *[!0-9]* | 0*) die "BENCH_TWO_CORE_ROUNDS, _N and _MIB must be positive integers" ;; esac
    done
    # Per round: key=value words, appended to one list per figure.
    tc_lists=""
    tc_r=1
    while [ "$tc_r" -le "$tc_rounds" ]; do
        two_core_run "two_core.pingpong.futex.$tc_r" pingpong futex "$tc_n"
        two_core_run "two_core.rtt.blocking.$tc_r" rtt block "$tc_n"
        two_core_run "two_core.pingpong.spin.$tc_r" pingpong spin "$tc_n"
        two_core_run "two_core.rtt.adaptive.$tc_r" rtt adaptive "$tc_n"
        two_core_run "two_core.stream.memcpy.$tc_r" copy "$tc_mib"
        two_core_run "two_core.stream.pieces.$tc_r" pieces "$tc_mib"
        two_core_run "two_core.stream.adaptive.$tc_r" stream adaptive "$tc_mib"
        two_core_run "two_core.stream.blocking.$tc_r" stream block "$tc_mib"
        for tc_case in pingpong.futex rtt.blocking pingpong.spin rtt.adaptive; do
            for tc_key in median_us p99_us; do
                tc_lists="$tc_lists $tc_case.$tc_key=$(two_core_value "two_core.$tc_case.$tc_r" "$tc_key")"
            done
        done
        for tc_case in stream.memcpy stream.pieces stream.adaptive stream.blocking; do
            tc_lists="$tc_lists $tc_case.mb_per_s=$(two_core_value "two_core.$tc_case.$tc_r" mb_per_s)"
        done
        tc_lists="$tc_lists rtt.blocking.ratio=$(awk -v a="$(two_core_value "two_core.rtt.blocking.$tc_r" median_us)" \
            -v b="$(two_core_value "two_core.pingpong.futex.$tc_r" median_us)" 'BEGIN { printf "%.4f", a / b }')"
        tc_lists="$tc_lists rtt.adaptive.ratio=$(awk -v a="$(two_core_value "two_core.rtt.adaptive.$tc_r" median_us)" \
            -v b="$(two_core_value "two_core.pingpong.spin.$tc_r" median_us)" 'BEGIN { printf "%.4f", a / b }')"
        tc_lists="$tc_lists stream.ratio=$(awk -v a="$(two_core_value "two_core.stream.adaptive.$tc_r" mb_per_s)" \
            -v b="$(two_core_value "two_core.stream.memcpy.$tc_r" mb_per_s)" 'BEGIN { printf "%.4f", a / b }')"
        tc_lists="$tc_lists stream.pieces.ratio=$(awk -v a="$(two_core_value "two_core.stream.pieces.$tc_r" mb_per_s)" \
            -v b="$(two_core_value "two_core.stream.memcpy.$tc_r" mb_per_s)" 'BEGIN { printf "%.4f", a / b }')"
        tc_lists="$tc_lists stream.of_pieces.ratio=$(awk -v a="$(two_core_value "two_core.stream.adaptive.$tc_r" mb_per_s)" \
            -v b="$(two_core_value "two_core.stream.pieces.$tc_r" mb_per_s)" 'BEGIN { printf "%.4f", a / b }')"
        tc_r=$((tc_r + 1))
    done
    two_core_figure shm.pingpong.futex.median_us pingpong.futex.median_us us
    two_core_figure shm.pingpong.futex.p99_us pingpong.futex.p99_us us
    two_core_figure shm.pingpong.spin.median_us pingpong.spin.median_us us
    two_core_figure shm.pingpong.spin.p99_us pingpong.spin.p99_us us
    two_core_figure rtt.blocking.median_us rtt.blocking.median_us us
    two_core_figure rtt.blocking.p99_us rtt.blocking.p99_us us
    two_core_figure rtt.blocking.ratio rtt.blocking.ratio "" 2
    two_core_figure rtt.adaptive.median_us rtt.adaptive.median_us us
    two_core_figure rtt.adaptive.p99_us rtt.adaptive.p99_us us
    two_core_figure rtt.adaptive.ratio rtt.adaptive.ratio "" 2
    two_core_figure stream.mb_per_s stream.adaptive.mb_per_s MB/s 1
    two_core_figure stream.blocking.mb_per_s stream.blocking.mb_per_s MB/s 1
    two_core_figure stream.memcpy.mb_per_s stream.memcpy.mb_per_s MB/s 1
    two_core_figure stream.ratio stream.ratio "" 2
    two_core_figure stream.pieces.mb_per_s stream.pieces.mb_per_s MB/s 1
    two_core_figure stream.pieces.ratio stream.pieces.ratio "" 2
    two_core_figure stream.of_pieces.ratio stream.of_pieces.ratio "" 2
}

# ------------------------------------------------------------------ main

# qemu: duet between the two Cortex-M33 of QEMU's mps2-an521 (bench/qemu/, ports/an521),
# under -icount shift=0: one guest instruction is one nanosecond of virtual time, so the
# figures count instructions of both cores together and do not move with the host's load.
#   qemu.pingpong.ns      a bare round trip: a word in shared SRAM and the MHU doorbell each
#                         way, each core asleep in WFI until its doorbell (the baseline)
#   qemu.roundtrip.ns     duet_call("add", 1, 2) from the M7 (CPU0) to the M4 (CPU1) and back
#   qemu.roundtrip.ratio  the round trip over the ping-pong
suite_qemu() {
    qemu_images=$BUILD/an521/images
    if [ ! -r "$qemu_images/an521_bench_m7.elf" ] || [ ! -r "$qemu_images/an521_bench_m4.elf" ]; then
        die "$qemu_images/an521_bench_m7.elf was not built (run make bench; it needs DUET_AN521=ON)"
    fi
    qemu_status=0
    "$(dirname "$0")/an521-qemu.sh" --seconds 120 "$qemu_images/an521_bench_m7.elf" \
        "$qemu_images/an521_bench_m4.elf" >"$PROFILES/qemu.log" 2>&1 || qemu_status=$?
    if [ "$qemu_status" -ne 0 ]; then
        cat "$PROFILES/qemu.log" >&2
        die "qemu: the benchmark's images failed under QEMU (exit $qemu_status)"
    fi
    for qemu_name in qemu.pingpong.ns qemu.roundtrip.ns qemu.roundtrip.ratio; do
        grep -q "^figure: $qemu_name = " "$PROFILES/qemu.log" || die "qemu: no $qemu_name in $PROFILES/qemu.log"
    done
    grep '^figure: qemu\.' "$PROFILES/qemu.log"
}

# web: duet-board run --web in headless chromium (bench/web/bench_web.py): how soon a pin
# change reaches the page (against the POST's own round trip), and the board's pace with
# three pages open against none (BENCH_WEB_SECONDS each, default 10).
suite_web() {
    [ -x "$BUILD/bin/web_board_m7" ] || die "$BUILD/bin/web_board_m7 was not built (run make bench)"
    /usr/bin/python3 "$(dirname "$0")/../bench/web/bench_web.py" "$BUILD" "${BENCH_WEB_SECONDS:-10}"
}

[ $# -gt 0 ] || set -- $SUITES
for suite in "$@"; do
    case " $SUITES " in
    *" $suite "*) ;;
    *) die "unknown suite '$suite' (suites: $SUITES)" ;;
    esac
done
for suite in "$@"; do
    "suite_$suite"
done
echo "bench.sh: callgrind profiles in $PROFILES (callgrind_annotate --inclusive=yes FILE)" >&2
