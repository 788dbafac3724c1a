#!/bin/sh
# size-firmware.sh - what duet adds to a linked firmware, for a Cortex-M7 and a Cortex-M4.
#
# Links, with arm-none-eabi-gcc -Os, link-time optimisation (as duet-board builds a GIGA
# image), newlib-nano and --gc-sections, the minimal programs of bench/size/ (M7: one bound function, begin, one println, the poll loop; M4: begin, one
# call, one println, the poll loop) and an empty program with the same start-up code, over
# duet's core and the AN521 port (ports/an521, ports/cortex_m: a real port for a Cortex-M
# board: doorbells, boot, clock), and prints the difference:
#
#   figure: size.firmware.<cpu>.flash = <text + data of the program - of the empty one> bytes
#   figure: size.firmware.<cpu>.ram = <data + bss - of the empty one - buffers - tables> bytes
#   figure: size.firmware.<cpu>.buffers = <the buffers duet is configured with> bytes
#   figure: size.firmware.<cpu>.tables = <the rpc engine's tables, as configured> bytes
#   figure: size.firmware.<cpu>.flash_without_lto = <the same program linked without LTO> bytes
#   figure: size.firmware.<cpu>.<module>.flash = <what the module adds, linked without LTO> bytes
#   figure: size.firmware.<cpu>.<module>.ram = <its data + bss, the buffers included> bytes
#                                               (for a module that has any)
#
# Link-time optimisation inlines across modules, so the modules are measured in the program
# linked without it (the objects carry both codes: -ffat-lto-objects), whose total is
# flash_without_lto. A module is a layer of src/ (src/rpc/*.c is rpc), duet (src/duet.c), port (ports/),
# libc (newlib and the compiler's runtime the program pulls in) or program (the minimal
# program's own code), each counted from the linker's map: the sections placed, minus those
# the empty program places. They add up to about flash_without_lto: the map counts a text
# two files share in each, which the linker keeps once, and no padding between sections.
#
# The empty program is what a board's firmware has without duet: the port's vector table
# (which both programs place, so it cancels out), its reset code and its exit. The reset
# code copies .data and zeroes .bss word by word rather than with memcpy() and memset(),
# so that what duet's own calls of them pull from libc is counted as duet's (an empty
# program that linked them would hide them). The ram figures are static: data and bss;
# the stack a program reserves (its linker script's) is not counted.
#
# The buffers are what duet.c holds for the configured sizes (DUET_BUFFER_BYTES in
# duet/duet.h: RPC frames, results, reassembly, stream text), the tables what the rpc engine
# holds for its configured counts (DUET_RPC_MAX_METHODS bindings and DUET_RPC_MAX_INFLIGHT
# waiting calls, duet/config.h: the size of each is the target's); the ram figure is the rest.
# EXTRA_CFLAGS (e.g. -DDUET_CONFIG_FILE=...) is added to every compilation; FIGURE_PREFIX
# (default size.firmware) names the figures; SIZE_KEEP=DIR keeps the linked programs and
# their maps there (CPU.PROGRAM.elf, .map; CPU.PROGRAM.nolto.* linked without LTO) for a look
# at what takes the room.
set -eu

cd "$(dirname "$0")/.."

CROSS=${CROSS:-arm-none-eabi-}
PREFIX=${FIGURE_PREFIX:-size.firmware}
CFLAGS="-std=c11 -Os -flto -ffat-lto-objects -ffunction-sections -fdata-sections -Wall -Wextra -Werror ${EXTRA_CFLAGS:-}"
LDFLAGS="--specs=nano.specs -nostartfiles -Wl,--gc-sections -Lports/an521 -Wl,--undefined=duet_an521_vectors"

die() {
    echo "size-firmware.sh: $*" >&2
    exit 1
}

# The printf and scanf families' --wrap option, as every Cortex-M image is linked
# (ports/cortex_m/cortex_m.cmake).
stdio_wrap=$(sed -n 's/^set(DUET_CORTEX_M_STDIO_WRAP "\(.*\)")$/\1/p' ports/cortex_m/cortex_m.cmake)
[ -n "$stdio_wrap" ] || die "no DUET_CORTEX_M_STDIO_WRAP in ports/cortex_m/cortex_m.cmake"
LDFLAGS="$LDFLAGS $stdio_wrap"

# Each core's program is built on its own, duet included, with CORE_CM7 or CORE_CM4 defined,
# as Arduino's GIGA core builds it: a core links only its own transport role (duet/config.h,
# DUET_RPMSG_ROLES).
cpu_flags() {
    case $1 in
    m7) echo "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16 -DCORE_CM7" ;;
    m4) echo "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -DCORE_CM4" ;;
    esac
}

for tool in gcc gcc-ar size nm; do
    command -v "${CROSS}$tool" >/dev/null 2>&1 ||
        die "${CROSS}$tool not found (install the cross tools and newlib: scripts/deps.sh size)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/duet-firmware.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

INCLUDES="-Iinclude -Isrc -Iports/cortex_m/include -Iports/an521/include -I$tmp/include"
# duet/version.h is generated from the CMake project's version, as the build does.
version=$(sed -n 's/^project(duet VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
cmake -DDUET_VERSION="$version" -DDUET_VERSION_HEADER="$tmp/include/duet/version.h" \
    -P cmake/version_header.cmake >/dev/null || die "could not generate duet/version.h (is cmake installed?)"

# The files compiled without link-time optimisation: ports/cortex_m/cortex_m.cmake's
# DUET_CORTEX_M_NO_LTO_SOURCES, one ${DUET_CORTEX_M_DIR}/NAME or ${DUET_CORTEX_M_SRC}/PATH per line.
no_lto=$(sed -n -e '/^set(DUET_CORTEX_M_NO_LTO_SOURCES/,/)/s|.*[$][{]DUET_CORTEX_M_DIR[}]/\([A-Za-z0-9_]*\.c\).*|ports/cortex_m/\1|p' \
    -e '/^set(DUET_CORTEX_M_NO_LTO_SOURCES/,/)/s|.*[$][{]DUET_CORTEX_M_SRC[}]/\([A-Za-z0-9_/]*\.c\).*|src/\1|p' \
    ports/cortex_m/cortex_m.cmake | tr '\n' ' ')
[ -n "$no_lto" ] || die "no DUET_CORTEX_M_NO_LTO_SOURCES in ports/cortex_m/cortex_m.cmake"

sources=$(for f in src/*.c src/*/*.c ports/cortex_m/*.c ports/an521/*.c; do
    [ -e "$f" ] && echo "$f"
done)

# map_modules MAP - prints "module flash ram" for every module with sections in a GNU ld map.
map_modules() {
    awk '
# Sums, per module, the bytes of the input sections a GNU ld map placed (address != 0):
# prints "module flash ram". Module: src/<layer>/... -> layer, src/duet.c -> duet,
# ports/... -> port, the object of the program itself (no archive) -> program, the rest (newlib,
# libgcc) -> libc.
function module(obj,   m) {
    if (obj ~ /libduet\.a\(src\.[A-Za-z0-9_]+\.[A-Za-z0-9_]+\.c\.o\)/) {
        m = obj; sub(/.*libduet\.a\(src\./, "", m); sub(/\..*/, "", m); return m
    }
    if (obj ~ /libduet\.a\(src\.[A-Za-z0-9_]+\.c\.o\)/) {
        m = obj; sub(/.*libduet\.a\(src\./, "", m); sub(/\.c\.o\)$/, "", m); return m
    }
    if (obj ~ /libduet\.a\(ports\./) return "port"
    if (obj !~ /\(/) return "program"
    return "libc"
}
function hex(s,   i, v, c) {
    v = 0
    for (i = 3; i <= length(s); i++) {
        c = index("0123456789abcdef", tolower(substr(s, i, 1)))
        if (c == 0) break
        v = v * 16 + c - 1
    }
    return v
}
function add(sec, addr, size, obj,   m, kind) {
    if (addr + 0 == 0 || size == 0) return
    m = module(obj)
    if (sec ~ /^\.(bss|sbss)/ || sec == "COMMON") { ram[m] += size }
    else if (sec ~ /^\.(data|sdata)/) { ram[m] += size; flash[m] += size }
    else if (sec ~ /^\.(text|rodata|vectors)/) { flash[m] += size }
    seen[m] = 1
}
/^Linker script and memory map/ { inmap = 1; next }
!inmap { next }
# " .text.name  0xADDR  0xSIZE obj" on one line, or the name alone and the rest below.
/^ [.A-Za-z]/ && NF == 1 { pending = $1; next }
/^ [.A-Za-z]/ && NF >= 4 && $2 ~ /^0x/ { add($1, hex($2), hex($3), $4); pending = ""; next }
/^ +0x/ && pending != "" && NF >= 3 { add(pending, hex($1), hex($2), $3); pending = ""; next }
{ pending = "" }
END { for (m in seen) print m, flash[m] + 0, ram[m] + 0 }
    ' "$1"
}

# flash_ram ELF - prints "flash ram" (text + data, data + bss).
flash_ram() {
    "${CROSS}size" -B -d "$1" | awk 'NR == 2 { print $1 + $2, $2 + $3 }'
}

# The buffers duet.c holds for the configured sizes, as the preprocessor computes them.
# shellcheck disable=SC2086
buffers=$(printf '#include "duet/duet.h"\nduet_buffer_bytes = DUET_BUFFER_BYTES\n' |
    "${CROSS}gcc" $CFLAGS $INCLUDES -E -P - | sed -n 's/^duet_buffer_bytes = //p')
buffers=$(($buffers)) || die "could not evaluate DUET_BUFFER_BYTES of duet/duet.h"

# tables CPU - the bytes of the rpc engine's configured tables on that core (a symbol of
# their size, compiled for it, read back with nm).
tables() {
    # shellcheck disable=SC2046,SC2086
    printf '#include "duet/rpc.h"\nchar duet_tables[DUET_RPC_MAX_METHODS * sizeof(duet_rpc_binding) + DUET_RPC_MAX_INFLIGHT * sizeof(duet_rpc_slot)];\n' |
        "${CROSS}gcc" $CFLAGS -fno-lto $(cpu_flags "$1") $INCLUDES -x c -c - -o "$tmp/tables.o" &&
        "${CROSS}nm" -S "$tmp/tables.o" | awk '$4 == "duet_tables" { print "0x" $2 }'
}

for cpu in m7 m4; do
    mkdir "$tmp/$cpu"
    flags=$(cpu_flags "$cpu")
    for f in $sources; do
        # newlib's system calls stay machine code (DUET_CORTEX_M_NO_LTO_SOURCES).
        case " $no_lto " in *" $f "*) lto=-fno-lto ;; *) lto= ;; esac
        # shellcheck disable=SC2086
        "${CROSS}gcc" $CFLAGS $lto $flags $INCLUDES -c "$f" -o "$tmp/$cpu/$(echo "$f" | tr / .).o" ||
            die "$f does not compile for the $cpu (errors above)"
    done
    "${CROSS}gcc-ar" rcs "$tmp/$cpu/libduet.a" "$tmp/$cpu"/*.o
    case $cpu in m7) script=cpu0.ld ;; m4) script=cpu1.ld ;; esac
    # PROGRAM.elf with link-time optimisation, PROGRAM.nolto.elf (and its map) without.
    for program in "$cpu" empty; do
        for lto in lto nolto; do
            case $lto in lto) name=$program lto_flag=-flto ;; nolto) name=$program.nolto lto_flag=-fno-lto ;; esac
            # shellcheck disable=SC2086
            "${CROSS}gcc" $CFLAGS $flags $INCLUDES "bench/size/$program.c" $lto_flag $LDFLAGS -T "ports/an521/$script" \
                -Wl,--start-group "$tmp/$cpu/libduet.a" -lc_nano -Wl,--end-group \
                -Wl,-Map="$tmp/$cpu/$name.map" -o "$tmp/$cpu/$name.elf" ||
                die "bench/size/$program.c does not link for the $cpu with $lto_flag (errors above)"
        done
    done
    # shellcheck disable=SC2046
    set -- $(flash_ram "$tmp/$cpu/$cpu.elf") $(flash_ram "$tmp/$cpu/empty.elf") \
        $(flash_ram "$tmp/$cpu/$cpu.nolto.elf") $(flash_ram "$tmp/$cpu/empty.nolto.elf")
    table_bytes=$(($(tables "$cpu"))) || die "could not measure the rpc engine's tables (duet/rpc.h) for the $cpu"
    echo "figure: $PREFIX.$cpu.flash = $(($1 - $3)) bytes"
    echo "figure: $PREFIX.$cpu.ram = $(($2 - $4 - buffers - table_bytes)) bytes"
    echo "figure: $PREFIX.$cpu.buffers = $buffers bytes"
    echo "figure: $PREFIX.$cpu.tables = $table_bytes bytes"
    echo "figure: $PREFIX.$cpu.flash_without_lto = $(($5 - $7)) bytes"
    map_modules "$tmp/$cpu/empty.nolto.map" >"$tmp/$cpu/empty.modules"
    map_modules "$tmp/$cpu/$cpu.nolto.map" | LC_ALL=C sort | while read -r module flash ram; do
        # shellcheck disable=SC2046
        set -- $(awk -v m="$module" '$1 == m { print $2, $3 }' "$tmp/$cpu/empty.modules") 0 0
        echo "figure: $PREFIX.$cpu.$module.flash = $((flash - $1)) bytes"
        [ $((ram - $2)) -eq 0 ] || echo "figure: $PREFIX.$cpu.$module.ram = $((ram - $2)) bytes"
    done
    if [ -n "${SIZE_KEEP:-}" ]; then
        mkdir -p "$SIZE_KEEP"
        for program in "$cpu" empty "$cpu.nolto" empty.nolto; do
            cp "$tmp/$cpu/$program.elf" "$SIZE_KEEP/$cpu.$program.elf"
            cp "$tmp/$cpu/$program.map" "$SIZE_KEEP/$cpu.$program.map"
        done
    fi
done
