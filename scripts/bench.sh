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

SUITES="codec rpc"

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
suite_codec() {
    prog=$(bench_program bench_codec)
    base=$(callgrind_count codec.empty "$prog" empty "$BENCH_N")
    for op in encode decode; do
        duet_total=$(callgrind_count "codec.$op.duet" "$prog" "$op-duet" "$BENCH_N")
        mpc_total=$(callgrind_count "codec.$op.msgpack_c" "$prog" "$op-msgpack_c" "$BENCH_N")
        duet=$(per_iteration "$duet_total" "$base" "$BENCH_N")
        mpc=$(per_iteration "$mpc_total" "$base" "$BENCH_N")
        figure "codec.$op.duet" "$(rounded "$duet")" instructions
        figure "codec.$op.msgpack_c" "$(rounded "$mpc")" instructions
        figure "codec.$op.ratio" "$(ratio "$duet" "$mpc")"
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
suite_rpc() {
    prog=$(bench_program bench_rpc)
    base=$(callgrind_count rpc.empty "$prog" empty "$BENCH_N")
    total=$(callgrind_count rpc.roundtrip "$prog" roundtrip "$BENCH_N")
    figure rpc.roundtrip.instructions "$(rounded "$(per_iteration "$total" "$base" "$BENCH_N")")" instructions
    for mode in sync async; do
        figure "rpc.$mode.calls_per_s" "$(wall_clock_rate "rpc.$mode" "$prog" "$mode" "$BENCH_SECONDS")" calls/s
    done
}

# ------------------------------------------------------------------ main

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
