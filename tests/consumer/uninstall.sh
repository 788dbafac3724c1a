#!/bin/sh
# uninstall.sh SOURCE PREFIX WORK - make uninstall's script on what install.sh installed into
# PREFIX (WORK/install_manifest.txt); then nothing of duet may be left: no file, no link,
# no directory named duet.
set -eu
src=$1
prefix=$2
work=$3
cmake -DMANIFEST="$work/install_manifest.txt" -P "$src/cmake/uninstall.cmake"
left=$(find "$prefix" \( -type f -o -type l -o -name "*duet*" \) -print)
if [ -n "$left" ]; then
    echo "uninstall.sh: left behind in $prefix:" >&2
    echo "$left" >&2
    exit 1
fi
echo "uninstall.sh: $prefix holds no file and no duet directory"
