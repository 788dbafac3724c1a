#!/bin/sh
# run-tsan.sh DIR COMMAND... - runs COMMAND (and every process it starts) under ThreadSanitizer's
# options, its reports written under DIR, and fails if COMMAND fails or any process of it
# reported a data race (a report ends a process at once: halt_on_error). setarch -R: TSan's
# shadow memory needs the fixed address-space layout that randomisation breaks on some kernels.
set -u
[ $# -ge 2 ] || { echo "usage: run-tsan.sh DIR COMMAND..." >&2; exit 2; }
dir=$1
shift
rm -rf "$dir"
mkdir -p "$dir"
TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 log_path=$dir/report" \
    setarch "$(uname -m)" -R "$@"
status=$?
if ls "$dir"/report* >/dev/null 2>&1; then
    cat "$dir"/report*
    echo "run-tsan.sh: ThreadSanitizer reported (above)" >&2
    exit 1
fi
exit "$status"
