#!/bin/sh
# make_install_prefix.sh SOURCE WORK - make install PREFIX=/usr configures its build for that
# prefix, so that what depends on the prefix is chosen for it (docs/install.md, docs/python.md):
# the msgpackrpc module where Debian's python3 looks for /usr's modules
# (lib/python3/dist-packages, not lib/python3.X/dist-packages, which it does not search), the
# multiarch library directory, and the module's directory that the installed duet-m7-python
# looks in. Runs the configure command `make -n install` prints (nothing is built or installed).
set -eu
src=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
configure=$(cd "$src" && make -s -n install PREFIX=/usr BUILD="$work" | grep '^cmake -S ')
[ -n "$configure" ] || { echo "make_install_prefix.sh: make -n install printed no configure command" >&2; exit 1; }
# Its output goes to /dev/null in the recipe; keep it for a failure.
configure=$(printf '%s\n' "$configure" | sed 's| *>/dev/null$||')
(cd "$src" && sh -c "$configure -DDUET_AN521=OFF") >"$work/configure.log" 2>&1 || {
    cat "$work/configure.log"; echo "make_install_prefix.sh: the configure failed" >&2; exit 1; }
build=$work/for-install
status=0
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
echo "CMAKE_INSTALL_PREFIX: $prefix"
[ "$prefix" = /usr ] || { echo "FAIL: the install build is configured for $prefix, not /usr" >&2; status=1; }
if [ -f "$build/python/cmake_install.cmake" ]; then
    dest=$(grep -o '"${CMAKE_INSTALL_PREFIX}/lib/python[^"]*"' "$build/python/cmake_install.cmake" | sort -u)
    echo "python module destination: $dest"
    [ "$dest" = '"${CMAKE_INSTALL_PREFIX}/lib/python3/dist-packages"' ] ||
        { echo "FAIL: the module goes to $dest, where /usr/bin/python3 does not look" >&2; status=1; }
    grep -rqs 'DUET_PY_DIR=\\"/usr/lib/python3/dist-packages\\"' "$build/python/CMakeFiles/duet_install_m7_python.dir/flags.make" ||
        { echo "FAIL: the installed duet-m7-python does not look in /usr/lib/python3/dist-packages" >&2; status=1; }
fi
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt")
echo "CMAKE_INSTALL_LIBDIR: $libdir"
case $libdir in lib/*-linux-*) ;; *) echo "FAIL: libdir $libdir is not lib/<multiarch>" >&2; status=1 ;; esac
rm -rf "$work"
exit $status
