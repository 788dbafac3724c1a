#!/bin/sh
# check.sh CC INCLUDE_DIR... - the compiler must accept good.c and refuse each bad_*.c with
# the message its "expect:" line names (a wrong type in DUET_CALL is a compile error).
set -u
cc=$1
shift
dir=$(dirname "$0")
flags="-std=c11 -Wall -Wextra -Werror -fsyntax-only"
for inc in "$@"; do
    flags="$flags -I$inc"
done
status=0
# shellcheck disable=SC2086
if ! out=$("$cc" $flags "$dir/good.c" 2>&1); then
    echo "FAIL good.c does not compile:"
    echo "$out"
    exit 1
fi
echo "ok   good.c compiles"
for f in "$dir"/bad_*.c; do
    want=$(sed -n 's/^ \* expect: \(.*\) \*\/$/\1/p' "$f")
    # shellcheck disable=SC2086
    if out=$("$cc" $flags "$f" 2>&1); then
        echo "FAIL $(basename "$f") compiled; the compiler should refuse it"
        status=1
    elif ! printf '%s\n' "$out" | grep -qi -- "$want"; then
        echo "FAIL $(basename "$f") refused, but without \"$want\":"
        printf '%s\n' "$out" | head -5
        status=1
    else
        echo "ok   $(basename "$f") refused ($want)"
    fi
done
exit $status
