#!/bin/sh
# consumer.sh WAY PREFIX WORK - an outside project using the duet installed in PREFIX, built
# in WORK/WAY with nothing from the source tree but its own sources (pair/, version/,
# too_new/, beside this script). WAY is one of
#   cmake       find_package(duet CONFIG REQUIRED) and duet::posix (pair/CMakeLists.txt)
#   pkg-config  cc $(pkg-config --cflags --libs duet-posix)
#   cc          cc -I PREFIX/include -L PREFIX/lib -lduet-posix -lduet
#   version     check_version.c (DUET_VERSION_* against duet_version()), built the cc way
#   too-new     find_package(duet 99.0) must fail, and say which version there is
# The pairs run on a fresh emulated board with PREFIX/bin/duet-board; the M4's answer,
# add(40, 2) = 42, must come back through the M7.
set -eu

[ $# -eq 3 ] || { echo "usage: consumer.sh cmake|pkg-config|cc|version|too-new PREFIX WORK" >&2; exit 2; }
way=$1
prefix=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$3/$way
cc=${CC:-cc}
rm -rf "$work"
mkdir -p "$work"
libdir=$(dirname "$(find "$prefix" -name libduet.so -print | head -1)")
[ -d "$libdir" ] || { echo "consumer.sh: no libduet.so under $prefix: install duet there first" >&2; exit 1; }

# run_pair M7 M4 - runs the pair on a board of its own; prints what the M7 printed. With
# the installed duet-board, or else the installed examples' run_example, built the cc way.
run_pair() {
    if [ -x "$prefix/bin/duet-board" ]; then
        set -- "$prefix/bin/duet-board" run --board "$work/board" --seconds 20 --m7 "$1" --m4 "$2"
    else
        "$cc" -std=c11 "$prefix/share/doc/duet/examples/run_example.c" -I"$prefix/include" \
            -L"$libdir" -lduet-posix -lduet -Wl,-rpath,"$libdir" -o "$work/run_example"
        set -- "$work/run_example" "$1" "$2"
    fi
    "$@" >"$work/out.txt" 2>"$work/err.txt" || {
        cat "$work/out.txt" "$work/err.txt"
        echo "consumer.sh ($way): the pair failed on the board" >&2
        exit 1
    }
    cat "$work/out.txt"
    grep -q "add(40, 2) = 42" "$work/out.txt" || {
        cat "$work/err.txt"
        echo "consumer.sh ($way): the M4's answer did not come back" >&2
        exit 1
    }
}

case $way in
cmake)
    cmake -S "$here/pair" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" >"$work/cmake.log" 2>&1 &&
        cmake --build "$work/build" >>"$work/cmake.log" 2>&1 || {
        cat "$work/cmake.log"
        echo "consumer.sh: the CMake project did not build against $prefix" >&2
        exit 1
    }
    run_pair "$work/build/pair_m7" "$work/build/pair_m4"
    ;;
pkg-config)
    export PKG_CONFIG_LIBDIR="$libdir/pkgconfig"
    flags=$(pkg-config --cflags --libs duet-posix)
    echo "pkg-config --cflags --libs duet-posix: $flags"
    for core in m7 m4; do
        # shellcheck disable=SC2086
        "$cc" -std=c11 -Wall -Wextra -Werror "$here/pair/$core.c" $flags -Wl,-rpath,"$libdir" -o "$work/pair_$core"
    done
    run_pair "$work/pair_m7" "$work/pair_m4"
    ;;
cc)
    for core in m7 m4; do
        "$cc" -std=c11 -Wall -Wextra -Werror "$here/pair/$core.c" -I"$prefix/include" \
            -L"$libdir" -lduet-posix -lduet -Wl,-rpath,"$libdir" -o "$work/pair_$core"
    done
    run_pair "$work/pair_m7" "$work/pair_m4"
    ;;
version)
    "$cc" -std=c11 -Wall -Wextra -Werror "$here/version/check_version.c" -I"$prefix/include" \
        -L"$libdir" -lduet -Wl,-rpath,"$libdir" -o "$work/check_version"
    "$work/check_version"
    ;;
too-new)
    if cmake -S "$here/too_new" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" >"$work/cmake.log" 2>&1; then
        cat "$work/cmake.log"
        echo "consumer.sh: find_package(duet 99.0) succeeded against $prefix" >&2
        exit 1
    fi
    version=$(sed -n 's/^#define DUET_VERSION_STRING "\(.*\)"$/\1/p' "$prefix/include/duet/version.h")
    grep -A8 "CMake Error" "$work/cmake.log"
    grep -q 'requested version "99.0"' "$work/cmake.log" && grep -q "version: $version" "$work/cmake.log" || {
        echo "consumer.sh: find_package(duet 99.0) failed without saying that $version is installed" >&2
        exit 1
    }
    ;;
*)
    echo "consumer.sh: unknown way '$way'" >&2
    exit 2
    ;;
esac
