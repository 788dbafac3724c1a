#!/bin/sh
# consumer.sh WAY PREFIX WORK SOURCE BUILD - an outside project using the duet installed in
# PREFIX, the way a user does it with the source and build trees out of reach: the install
# and the project's own sources (pair/, sketch/, python/, version/, too_new/, beside this script) are
# copied to a new temporary directory (so the prefix has moved too), and where the kernel
# lets a user do it (unshare) SOURCE and BUILD are hidden under empty directories. WAY is
#   cmake       find_package(duet CONFIG REQUIRED) and duet::posix (pair/CMakeLists.txt)
#   pkg-config  cc $(pkg-config --cflags --libs duet-posix)
#   cc          cc -I PREFIX/include -L PREFIX/lib -lduet-posix -lduet
#   board       duet-board build of the C pair (pair/m7.c, pair/m4.c)
#   sketch      duet-board build of an Arduino sketch pair (sketch/add_m7.ino, add_m4.ino)
#   an521       duet-board build --target an521 of a pair (the M7 a sketch, the M4 in C:
#               sketch/add_m7.ino, pair/m4.c) against the AN521 port an install from a build
#               with it carries, run under QEMU with duet-board run --target an521
#   giga        duet-board build --target giga of the same pair from the GIGA R1's sources
#               the install keeps; the images are made (there is no board to run them on)
#   python      a MicroPython script as the M7 (python/add_m7.py: duet-board run --m7 SCRIPT.py,
#               the installed module) with the sketch pair's M4 built by the installed duet-board
#   version     check_version.c (DUET_VERSION_* against duet_version()), built the cc way
#   headers     each installed header alone in a file of its own, compiled with -pedantic -Werror
#               as C11 and as C++11 (duet/*.h, duet/posix/*.h) and as C++17 (duet/arduino/*.h,
#               which sketches use, with duet-board's include path)
#   too-new     find_package(duet 99.0) must fail, and say which version there is
#   port-check  the port check's installed sources (share/duet/port_check) built with plain cc,
#               an image per core, and run with the installed duet-board: every check passes
#   plugin      a duet-rpc plugin (plugin/plugin.c, duet/rpc_plugin.h) built with
#               $(pkg-config --cflags duet), loaded by the installed duet-rpc serve --stdio and
#               called through the installed duet-rpc call --exec: mul(6, 7) = 42
# Every pair runs on a fresh emulated board with the installed duet-board; the M4's answer,
# add(40, 2) = 42, must come back through the M7. WORK keeps the logs.
set -eu

[ $# -eq 5 ] || { echo "usage: consumer.sh cmake|pkg-config|cc|board|sketch|an521|giga|python|version|headers|too-new|plugin|port-check PREFIX WORK SOURCE BUILD" >&2; exit 2; }
way=$1
prefix=$2
work=$3/$way
src=$4
build=$5
here=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-cc}
cxx=${CXX:-c++}

# First pass: copy, hide the trees, run the second pass there.
if [ -z "${DUET_CONSUMER_AWAY:-}" ]; then
    rm -rf "$work"
    mkdir -p "$work"
    [ -x "$prefix/bin/duet-board" ] || { echo "consumer.sh: no duet installed in $prefix (consumer_install installs it)" >&2; exit 1; }
    away=$(mktemp -d "${TMPDIR:-/tmp}/duet-consumer.XXXXXX")
    trap 'rm -rf "$away"' EXIT
    cp -a "$prefix" "$away/duet"
    mkdir "$away/project"
    cp -a "$here/pair" "$here/sketch" "$here/python" "$here/version" "$here/too_new" "$here/plugin" "$here/consumer.sh" \
        "$away/project/"
    status=0
    if unshare --user --map-root-user --mount mount -t tmpfs none "$away/project" 2>/dev/null; then
        echo "consumer.sh: duet moved to $away/duet; $src and $build hidden"
        DUET_CONSUMER_AWAY=hidden unshare --user --map-root-user --mount sh -c '
            mount -t tmpfs none "$4" && mount -t tmpfs none "$3" &&
            exec sh "$2/project/consumer.sh" "$1" "$2/duet" "$2/work" "$3" "$4"' \
            sh "$way" "$away" "$src" "$build" || status=$?
    else
        echo "consumer.sh: duet moved to $away/duet; this kernel does not let a user hide $src and $build" \
            "(unshare), so the check below that no command names them stands alone"
        DUET_CONSUMER_AWAY=visible sh "$away/project/consumer.sh" "$way" "$away/duet" "$away/work" "$src" "$build" ||
            status=$?
    fi
    cp -a "$away/work/$way/." "$work/" 2>/dev/null || true
    exit $status
fi

mkdir -p "$work"
if [ "$DUET_CONSUMER_AWAY" = hidden ] && { [ -e "$src/CMakeLists.txt" ] || [ -e "$build/CMakeCache.txt" ]; }; then
    echo "consumer.sh: $src or $build is still in reach" >&2
    exit 1
fi
here=$(cd "$(dirname "$0")" && pwd)
libdir=$(dirname "$(find "$prefix" -name libduet.so -print | head -1)")
[ -d "$libdir" ] || { echo "consumer.sh: no libduet.so under $prefix: install duet there first" >&2; exit 1; }

# no_tree FILE - fails if FILE (commands run, a build's log) names the source or build tree.
no_tree() {
    if grep -n -e "$src/" -e "$build/" "$1"; then
        echo "consumer.sh ($way): the lines above use the source or build tree" >&2
        exit 1
    fi
}

# run_pair M7 M4 SECONDS - runs the pair on a board of its own with the installed duet-board;
# prints what the M7 printed, which must hold the M4's answer.
run_pair() {
    "$prefix/bin/duet-board" run --board "$work/board" --seconds "$3" --m7 "$1" --m4 "$2" \
        >"$work/out.txt" 2>"$work/err.txt" || {
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

# board_build CORE SOURCE OUT [OPTION...] - duet-board build -v into OUT, its commands checked.
# The Cortex-M targets keep what they compile in a cache of this test's own.
board_build() {
    core=$1 source=$2 out=$3
    shift 3
    DUET_BOARD_CACHE=$work/cache "$prefix/bin/duet-board" build -v "$@" --core "$core" -o "$out" "$source" \
        >"$work/build_$core.log" 2>&1 || {
        cat "$work/build_$core.log"
        echo "consumer.sh ($way): the installed duet-board could not build $source $*" >&2
        exit 1
    }
    cat "$work/build_$core.log"
    no_tree "$work/build_$core.log"
}

case $way in
cmake)
    cmake -S "$here/pair" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" >"$work/cmake.log" 2>&1 &&
        cmake --build "$work/build" -- VERBOSE=1 >>"$work/cmake.log" 2>&1 || {
        cat "$work/cmake.log"
        echo "consumer.sh: the CMake project did not build against $prefix" >&2
        exit 1
    }
    no_tree "$work/cmake.log"
    run_pair "$work/build/pair_m7" "$work/build/pair_m4" 20
    ;;
pkg-config)
    # A moved prefix: the .pc files name it from their own place (${pcfiledir}).
    export PKG_CONFIG_LIBDIR="$libdir/pkgconfig"
    flags=$(pkg-config --cflags --libs duet-posix)
    echo "pkg-config --cflags --libs duet-posix: $flags"
    case $flags in
    "-I$prefix/"*) ;;
    *) echo "consumer.sh ($way): pkg-config does not name the moved prefix $prefix" >&2; exit 1 ;;
    esac
    for core in m7 m4; do
        # shellcheck disable=SC2086
        "$cc" -std=c11 -Wall -Wextra -Werror "$here/pair/$core.c" $flags -Wl,-rpath,"$libdir" -o "$work/pair_$core"
    done
    run_pair "$work/pair_m7" "$work/pair_m4" 20
    ;;
cc)
    for core in m7 m4; do
        "$cc" -std=c11 -Wall -Wextra -Werror "$here/pair/$core.c" -I"$prefix/include" \
            -L"$libdir" -lduet-posix -lduet -Wl,-rpath,"$libdir" -o "$work/pair_$core"
    done
    run_pair "$work/pair_m7" "$work/pair_m4" 20
    ;;
port-check)
    pc=$prefix/share/duet/port_check
    [ -f "$pc/sources.cmake" ] || { echo "consumer.sh ($way): no port check in $pc" >&2; exit 1; }
    for core in m7 m4; do
        other=m4
        [ $core = m4 ] && other=m7
        # shellcheck disable=SC2046 # the check's files, one word each
        "$cc" -std=c11 -Wall -Wextra -Werror -I"$pc" -I"$prefix/include" $(ls "$pc"/*.c | grep -v "/port_check_$other\.c$") \
            -L"$libdir" -lduet-posix -lduet -Wl,-rpath,"$libdir" -o "$work/port_check_$core"
    done
    "$prefix/bin/duet-board" run --board "$work/board" --seconds 60 --m7 "$work/port_check_m7" \
        --m4 "$work/port_check_m4" >"$work/out.txt" 2>"$work/err.txt" || {
        cat "$work/out.txt" "$work/err.txt"
        echo "consumer.sh ($way): the port check failed on the board" >&2
        exit 1
    }
    cat "$work/out.txt"
    grep -q "^port check: PASS, " "$work/out.txt"
    ;;
board)
    "$prefix/bin/duet-board" --version
    board_build m7 "$here/pair/m7.c" "$work/m7"
    board_build m4 "$here/pair/m4.c" "$work/m4"
    run_pair "$work/m7" "$work/m4" 20
    ;;
sketch)
    board_build m7 "$here/sketch/add_m7.ino" "$work/m7"
    board_build m4 "$here/sketch/add_m4.ino" "$work/m4"
    run_pair "$work/m7" "$work/m4" 3
    ;;
an521)
    board_build m7 "$here/sketch/add_m7.ino" "$work/m7.elf" --target an521
    board_build m4 "$here/pair/m4.c" "$work/m4.elf" --target an521
    "$prefix/bin/duet-board" run --target an521 --m7 "$work/m7.elf" --m4 "$work/m4.elf" --seconds 8 \
        >"$work/out.txt" 2>"$work/err.txt" || true
    cat "$work/out.txt"
    grep -q "add(40, 2) = 42" "$work/out.txt" || {
        cat "$work/err.txt"
        echo "consumer.sh ($way): the M4's answer did not come back under QEMU" >&2
        exit 1
    }
    ;;
giga)
    board_build m7 "$here/sketch/add_m7.ino" "$work/m7.elf" --target giga
    board_build m4 "$here/pair/m4.c" "$work/m4.elf" --target giga
    for core in m7 m4; do
        [ -s "$work/$core.bin" ] || { echo "consumer.sh ($way): no $work/$core.bin" >&2; exit 1; }
    done
    ;;
python)
    board_build m4 "$here/sketch/add_m4.ino" "$work/m4"
    run_pair "$here/python/add_m7.py" "$work/m4" 20
    ;;
version)
    "$cc" -std=c11 -Wall -Wextra -Werror "$here/version/check_version.c" -I"$prefix/include" \
        -L"$libdir" -lduet -Wl,-rpath,"$libdir" -o "$work/check_version"
    "$work/check_version"
    ;;
plugin)
    export PKG_CONFIG_LIBDIR="$libdir/pkgconfig"
    flags=$(pkg-config --cflags duet)
    echo "pkg-config --cflags duet: $flags"
    # shellcheck disable=SC2086
    "$cc" -std=c11 -Wall -Wextra -Werror -shared -fPIC $flags "$here/plugin/plugin.c" -o "$work/plugin.so"
    answer=$("$prefix/bin/duet-rpc" call --exec "\"$prefix/bin/duet-rpc\" serve --stdio --load \"$work/plugin.so\"" mul 6 7)
    echo "mul(6, 7) = $answer"
    [ "$answer" = 42 ] || { echo "consumer.sh ($way): the plugin's mul(6, 7) answered '$answer'" >&2; exit 1; }
    ;;
headers)
    # header_alone COMPILER SUFFIX HEADER OPTION... - HEADER as the one include of a file.
    header_alone() {
        compiler=$1 suffix=$2 header=$3
        shift 3
        file=$work/alone.$suffix
        printf '#include "%s"\nint duet_header_alone;\n' "$header" >"$file"
        "$compiler" "$@" -pedantic -Wall -Wextra -Werror -fsyntax-only -I"$prefix/include" "$file" \
            >"$work/alone.log" 2>&1 || {
            cat "$work/alone.log"
            echo "consumer.sh ($way): $header alone does not compile with $compiler $*" >&2
            failed=1
        }
    }
    failed=0
    count=0
    for header in "$prefix"/include/duet/*.h "$prefix"/include/duet/posix/*.h; do
        header=${header#"$prefix/include/"}
        header_alone "$cc" c "$header" -std=c11
        header_alone "$cxx" cpp "$header" -std=c++11
        count=$((count + 1))
    done
    for header in "$prefix"/include/duet/arduino/*.h; do
        header=${header#"$prefix/include/"}
        header_alone "$cxx" cpp "$header" -std=c++17 -I"$prefix/include/duet/arduino"
        count=$((count + 1))
    done
    [ "$count" -gt 30 ] || { echo "consumer.sh ($way): only $count headers in $prefix/include/duet" >&2; exit 1; }
    [ "$failed" -eq 0 ] || exit 1
    echo "consumer.sh ($way): $count headers compile alone"
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
