#!/bin/sh
# make_install_prefix.sh SOURCE WORK - make install PREFIX=... configures its build for that
# prefix, so that what depends on the prefix is chosen for it (docs/install.md, docs/python.md):
# the msgpackrpc module where Debian's python3 looks for the prefix's modules (/usr:
# lib/python3/dist-packages, not lib/python3.X/dist-packages, which it does not search; a
# user's ~/.local: lib/python3.X/site-packages, not dist-packages), the multiarch library
# directory, and the module's directory that the installed duet-m7-python looks in. Runs the
# configure command `make -n install` prints (nothing is built or installed).
set -eu
src=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
status=0
minor=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')

# check PREFIX MODULE_DIR - make install PREFIX=PREFIX configures its build for PREFIX, with
# the module in PREFIX/MODULE_DIR.
check() {
    build=$work/build
    rm -rf "$build"
    configure=$(cd "$src" && make -s -n install PREFIX="$1" BUILD="$build" | grep '^cmake -S ')
    [ -n "$configure" ] || { echo "make_install_prefix.sh: make -n install printed no configure command" >&2; exit 1; }
    # Its output goes to /dev/null in the recipe; keep it for a failure.
    configure=$(printf '%s\n' "$configure" | sed 's| *>/dev/null$||')
    (cd "$src" && sh -c "$configure -DDUET_AN521=OFF") >"$work/configure.log" 2>&1 || {
        cat "$work/configure.log"; echo "make_install_prefix.sh: the configure failed" >&2; exit 1; }
    build=$build/for-install
    prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
    echo "CMAKE_INSTALL_PREFIX: $prefix"
    [ "$prefix" = "$1" ] || { echo "FAIL: the install build is configured for $prefix, not $1" >&2; status=1; }
    if [ -f "$build/python/cmake_install.cmake" ]; then
        dest=$(grep -o '"${CMAKE_INSTALL_PREFIX}/lib/python[^"]*"' "$build/python/cmake_install.cmake" | sort -u)
        echo "python module destination: $dest"
        [ "$dest" = "\"\${CMAKE_INSTALL_PREFIX}/$2\"" ] ||
            { echo "FAIL: the module goes to $dest, where /usr/bin/python3 does not look ($2)" >&2; status=1; }
        grep -rqsF "DUET_PY_DIR=\\\"$1/$2\\\"" "$build/python/CMakeFiles/duet_install_m7_python.dir/flags.make" ||
            { echo "FAIL: the installed duet-m7-python does not look in $1/$2" >&2; status=1; }
    fi
    libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt")
    echo "CMAKE_INSTALL_LIBDIR: $libdir"
    # /usr's libraries are in the multiarch directory (another prefix's in lib).
    [ "$1" != /usr ] || case $libdir in lib/*-linux-*) ;; *) echo "FAIL: libdir $libdir is not lib/<multiarch>" >&2; status=1 ;; esac
}

# unsearched PREFIX - for a prefix python3 does not search, make install's configure says on
# stderr (the recipe sends its stdout to /dev/null) where the module goes and that it needs
# PYTHONPATH.
unsearched() {
    build=$work/build
    rm -rf "$build"
    configure=$(cd "$src" && make -s -n install PREFIX="$1" BUILD="$build" | grep '^cmake -S ')
    (cd "$src" && sh -c "$configure -DDUET_AN521=OFF" 2>"$work/configure.err") || {
        cat "$work/configure.err"; echo "make_install_prefix.sh: the configure failed" >&2; exit 1; }
    want="make install puts msgpackrpc in $1/lib/python$minor/dist-packages (import it with PYTHONPATH set to that directory)"
    tr '\n' ' ' <"$work/configure.err" | tr -s ' ' | grep -qF "$want" || {
        cat "$work/configure.err"
        echo "FAIL: make install PREFIX=$1 does not say, where a user sees it, that the module needs PYTHONPATH" >&2
        status=1
    }
}

check /usr lib/python3/dist-packages
unsearched /opt/duet-unsearched
# A user's own prefix, as `make install PREFIX=$HOME/.local` (python3's user site).
HOME=$work/home
export HOME
check "$HOME/.local" "lib/python$minor/site-packages"
check /usr/local "lib/python$minor/dist-packages"
rm -rf "$work"
exit $status
