#!/bin/sh
# install.sh BUILD PREFIX WORK - installs the build in BUILD into PREFIX (emptied first), as
# make install does, and keeps the install manifest as WORK/install_manifest.txt. The
# build's own install_manifest.txt (from a make install of the user's) is put back.
set -eu
build=$1
prefix=$2
work=$3
manifest=$build/install_manifest.txt
mkdir -p "$work"
rm -rf "$prefix" "$work/user_manifest.txt"
[ -f "$manifest" ] && cp -p "$manifest" "$work/user_manifest.txt"
status=0
cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 || status=$?
mv "$manifest" "$work/install_manifest.txt" 2>/dev/null || true
[ -f "$work/user_manifest.txt" ] && mv "$work/user_manifest.txt" "$manifest"
if [ "$status" -ne 0 ]; then
    cat "$work/install.log"
    echo "install.sh: cmake --install $build --prefix $prefix failed" >&2
    exit 1
fi
echo "install.sh: installed $(wc -l <"$work/install_manifest.txt") files into $prefix"
