#!/bin/sh
# build_and_check.sh DUET_BOARD CORE SPLIT OUT.elf SOURCE... - builds a program for one core
# of the GIGA R1 with duet-board, then checks the image's placement (check_image.py, with
# CHECK_IMAGE_ARGS added, e.g. --no-long-division).
set -eu
board=$1 core=$2 split=$3 out=$4
shift 4
mkdir -p "$(dirname "$out")"
"$board" build --target giga --core "$core" --split "$split" -o "$out" "$@"
# shellcheck disable=SC2086 # options, split on spaces
exec /usr/bin/python3 "$(dirname "$0")/check_image.py" --core "$core" --split "$split" ${CHECK_IMAGE_ARGS:-} \
    "$out" "${out%.elf}.bin"
