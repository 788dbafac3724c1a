#!/bin/sh
# build-check.sh COMPILER DIR - builds the libraries, tools and examples once more, the way a
# user or a package does (Release, -DDUET_TESTS=OFF, for /usr as scripts/deb.sh configures
# it, so that tests/package packs this build), with COMPILER (gcc, clang) into DIR,
# and fails on any warning from CMake, the compiler or the linker. DIR is kept between runs,
# so a second run only rebuilds what changed. make test runs it for each compiler.
set -eu

[ $# -eq 2 ] || { echo "usage: build-check.sh COMPILER DIR" >&2; exit 2; }
compiler=$1
dir=$2
case $compiler in
gcc*) cxx=g++${compiler#gcc} ;;
clang*) cxx=clang++${compiler#clang} ;;
*) cxx=c++ ;;
esac
src=$(cd "$(dirname "$0")/.." && pwd)
log=$dir.log
mkdir -p "$dir"

status=0
{
    cmake -S "$src" -B "$dir" -DCMAKE_C_COMPILER="$compiler" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release \
        -DDUET_TESTS=OFF -DDUET_WERROR=ON -DCMAKE_INSTALL_PREFIX=/usr -DDUET_DEB=ON &&
        cmake --build "$dir" -j"${JOBS:-1}"
} >"$log" 2>&1 || status=$?

if [ "$status" -ne 0 ] || grep -qi "warning" "$log"; then
    cat "$log"
    echo "build-check.sh: the Release build with $compiler failed or warned (output above; log in $log)" >&2
    exit 1
fi
echo "build-check.sh: Release build with $compiler: no warnings ($(grep -c 'Building' "$log") files compiled)"
