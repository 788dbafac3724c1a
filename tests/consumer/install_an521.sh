#!/bin/sh
# install_an521.sh SOURCE WORK - make install's build (-DDUET_TESTS=OFF -DDUET_AN521=ON)
# cross-builds the AN521 port's libraries, which it installs, and none of the QEMU tests'
# images (dozens of programs linked for nothing: they made make install slow), nor the
# Armv7-M test project. Builds the port's cross project alone (a few seconds).
set -eu
src=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
cmake -S "$src" -B "$work/build" -DDUET_TESTS=OFF -DDUET_AN521=ON >"$work/configure.log" 2>&1 || {
    cat "$work/configure.log"; echo "install_an521.sh: the configure failed" >&2; exit 1; }
cmake --build "$work/build" --target an521 >"$work/build.log" 2>&1 || {
    cat "$work/build.log"; echo "install_an521.sh: the AN521 port's cross build failed" >&2; exit 1; }
status=0
for lib in libduet_an521.a libduet_an521_small.a; do
    [ -f "$work/build/an521/$lib" ] || { echo "FAIL: no $lib in the install's build" >&2; status=1; }
done
images=$(find "$work/build/an521" -name '*.elf' | wc -l)
echo "test images built for the install: $images"
[ "$images" -eq 0 ] || { echo "FAIL: the install's build made $images test images" >&2; status=1; }
[ ! -e "$work/build/armv7m" ] || { echo "FAIL: the install's build has the Armv7-M test project" >&2; status=1; }
rm -rf "$work"
exit $status
