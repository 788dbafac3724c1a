#!/bin/sh
# build_and_check.sh DUET_BOARD CORE SPLIT OUT.elf SOURCE... - builds a program for one core
# of the GIGA R1 with duet-board, then checks the image's placement (check_image.py, with
# CHECK_IMAGE_ARGS added, e.g. --no-long-division).
set -eu
board=$1 core=$2 split=$3 out=$4
shift 4
mkdir -p "$(dirname "$out")"
# What the build wrote is said on stderr, as on the other targets (it was on stdout, without
# "duet-board build:"); stdout stays empty.
"$board" build --target giga --core "$core" --split "$split" -o "$out" "$@" >"$out.stdout" 2>"$out.stderr" ||
    { cat "$out.stdout" "$out.stderr" >&2; exit 1; }
cat "$out.stderr" >&2
if [ -s "$out.stdout" ] || ! grep -q "^duet-board build: $out and ${out%.elf}.bin for the M[47] (split $split" \
    "$out.stderr"; then
    echo "build_and_check.sh: the build's report is not on stderr only:" >&2
    cat "$out.stdout" >&2
    exit 1
fi
# shellcheck disable=SC2086 # options, split on spaces
exec /usr/bin/python3 "$(dirname "$0")/check_image.py" --core "$core" --split "$split" ${CHECK_IMAGE_ARGS:-} \
    "$out" "${out%.elf}.bin"
