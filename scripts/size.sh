#!/bin/sh
# size.sh - the core's footprint on the two MCUs duet targets, and a freestanding check.
#
# Cross-compiles every C file of src/ with arm-none-eabi-gcc for a Cortex-M7 (double-precision
# FPU) and a Cortex-M4 (single-precision FPU), and prints per module - a layer's folder
# (src/rpc/*.c is the module rpc) or a file at the top (src/duet.c is duet) - in sorted
# order, then the totals:
#
#   figure: size.<module>.flash.<cpu> = <text + data> bytes
#   figure: size.<module>.ram.<cpu> = <data + bss> bytes
#   figure: size.core.flash.<cpu> = ... bytes   (all modules)
#   figure: size.core.ram.<cpu> = ... bytes
#
# The sizes are those of the unlinked objects (every function counted, before
# --gc-sections), so they are what the core can cost at most; libgcc or libc code an object
# pulls in is not counted, which is what the freestanding check is for: an object may leave
# undefined only memcpy, memmove, memset, memcmp, strlen (which any freestanding C target
# provides, and which GCC may emit calls to by itself) and the core's own functions.
# Anything else - another libc function, or a libgcc helper such as __aeabi_uldivmod
# (64-bit division) or __aeabi_d2f (double arithmetic on the M4's single-precision FPU) -
# fails the check with the module and the symbol named.
#
# Run from anywhere (it works in the repository root); no arguments.
set -eu

cd "$(dirname "$0")/.."

CROSS=${CROSS:-arm-none-eabi-}
CFLAGS="-std=c11 -ffreestanding -Os -ffunction-sections -fdata-sections -Wall -Wextra -Werror -Iinclude -Isrc"
CPUS="m7 m4"
# What a freestanding core may use: <string.h>, the compiler's own runtime (libgcc's
# __aeabi_* helpers for 64-bit division and double arithmetic), and what a port provides.
ALLOWED="memcpy memmove memset memcmp memchr strlen strcmp strchr duet_port_default"

# Per core, as each core's program is built (CORE_CM7 / CORE_CM4: one transport role each).
cpu_flags() {
    case $1 in
    m7) echo "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16 -DCORE_CM7" ;;
    m4) echo "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -DCORE_CM4" ;;
    esac
}

die() {
    echo "size.sh: $*" >&2
    exit 1
}

for tool in gcc size nm; do
    command -v "${CROSS}$tool" >/dev/null 2>&1 ||
        die "${CROSS}$tool not found (install gcc-arm-none-eabi and binutils-arm-none-eabi: scripts/deps.sh size)"
done

# sources MODULE - the C files of a module: src/MODULE/*.c, or src/MODULE.c.
sources() {
    if [ -d "src/$1" ]; then
        ls "src/$1"/*.c
    else
        echo "src/$1.c"
    fi
}

modules=$(for f in src/*.c src/*/*.c; do
    [ -e "$f" ] || continue
    m=${f#src/}
    m=${m%%/*}
    echo "${m%.c}"
done | LC_ALL=C sort -u)
[ -n "$modules" ] || die "no src/*.c or src/*/*.c to measure (run from the repository)"
for m in $modules; do
    case $m in
    core) die "src/core would clash with the size.core.* totals; rename the module" ;;
    *[!A-Za-z0-9_]*) die "src/$m: module names must be letters, digits and _" ;;
    esac
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/duet-size.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

# duet/version.h is generated from the CMake project's version, as the build does.
version=$(sed -n 's/^project(duet VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
cmake -DDUET_VERSION="$version" -DDUET_VERSION_HEADER="$tmp/include/duet/version.h" \
    -P cmake/version_header.cmake >/dev/null
CFLAGS="$CFLAGS -I$tmp/include"

# ---------------------------------------------------------------- compile
failed=""
for cpu in $CPUS; do
    mkdir "$tmp/$cpu"
    for m in $modules; do
        objects=""
        for f in $(sources "$m"); do
            o=$tmp/$cpu/$(echo "${f#src/}" | tr / .).o
            # shellcheck disable=SC2046,SC2086
            if ! "${CROSS}gcc" $CFLAGS $(cpu_flags "$cpu") -c "$f" -o "$o"; then
                failed="$failed $f($cpu)"
            fi
            objects="$objects $o"
        done
        echo "$objects" >"$tmp/$cpu/$m.objects"
    done
done
[ -z "$failed" ] || die "does not compile freestanding for the MCUs (errors above):$failed"

# ---------------------------------------------------------------- sizes
# berkeley_sizes CPU MODULE - prints "text data bss" of the module's objects, summed (text
# includes read-only data).
berkeley_sizes() {
    # shellcheck disable=SC2046
    "${CROSS}size" -B -d $(cat "$tmp/$1/$2.objects") |
        awk 'NR > 1 { t += $1; d += $2; b += $3; n++ } END { if (n) print t, d, b }'
}

for cpu in $CPUS; do
    eval "total_flash_$cpu=0 total_ram_$cpu=0"
done
for m in $modules; do
    for cpu in $CPUS; do
        # shellcheck disable=SC2046
        set -- $(berkeley_sizes "$cpu" "$m")
        [ $# -eq 3 ] || die "${CROSS}size could not read the objects of $m ($cpu)"
        flash=$(($1 + $2))
        ram=$(($2 + $3))
        echo "figure: size.$m.flash.$cpu = $flash bytes"
        echo "figure: size.$m.ram.$cpu = $ram bytes"
        eval "total_flash_$cpu=\$((total_flash_$cpu + flash)) total_ram_$cpu=\$((total_ram_$cpu + ram))"
    done
done
for cpu in $CPUS; do
    eval "echo \"figure: size.core.flash.$cpu = \$total_flash_$cpu bytes\""
    eval "echo \"figure: size.core.ram.$cpu = \$total_ram_$cpu bytes\""
done

# ---------------------------------------------------------------- freestanding check
why() {
    case $1 in
    __aeabi_*div* | __aeabi_*mod* | __*divdi3 | __*moddi3) echo " (a libgcc helper: 64-bit division or modulo)" ;;
    __aeabi_[dfl]* | __aeabi_ul2* | __aeabi_i2* | __aeabi_ui2* | __*sf* | __*df*)
        echo " (a libgcc helper: floating-point arithmetic or conversion the FPU does not do)" ;;
    __aeabi_* | __gnu_* | __*) echo " (a libgcc helper)" ;;
    duet_*) echo " (a duet symbol no file of src/ defines: a port's function?)" ;;
    *) echo " (a C library or other outside function)" ;;
    esac
}

violations=0
for cpu in $CPUS; do
    own=$("${CROSS}nm" -g --defined-only "$tmp/$cpu"/*.o | awk 'NF == 3 { print $3 }' | LC_ALL=C sort -u | tr '\n' ' ')
    for o in "$tmp/$cpu"/*.o; do
        f=src/$(basename "$o" .o | tr . /).c
        for sym in $("${CROSS}nm" -u "$o" | awk '{ print $NF }' | LC_ALL=C sort -u); do
            case " $ALLOWED $own " in
            *" $sym "*) ;;
            *)
                case $sym in
                __aeabi_* | __gnu_*) continue ;; # the compiler's runtime (libgcc)
                esac
                echo "size.sh: $f ($cpu) is not freestanding: it references $sym$(why "$sym")" >&2
                violations=$((violations + 1))
                ;;
            esac
        done
    done
done
if [ "$violations" -ne 0 ]; then
    die "freestanding check failed: $violations reference(s) outside the core and $ALLOWED"
fi
