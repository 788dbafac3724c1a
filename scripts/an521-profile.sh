#!/bin/sh
# an521-profile.sh [--per N] [--top K] M7.elf M4.elf - where the guest instructions of an
# image pair go under QEMU's mps2-an521: runs the pair once as an521-qemu.sh does
# (-icount shift=0, one instruction per translated block, every block logged), counts the
# instructions executed at each address and prints the K functions (default 40) that ran the
# most, each as "core function count", core 0 the M7 (CPU0) and 1 the M4 (CPU1), counts
# divided by N (default 1: the whole run). For the QEMU benchmark (bench/qemu), N = 1050
# (its warm-up and measured round trips) gives instructions per add(1, 2) round trip:
#   scripts/an521-profile.sh --per 1050 build/an521/images/an521_bench_m7.elf \
#       build/an521/images/an521_bench_m4.elf
# Slow (minutes): QEMU writes a line per instruction. Not part of make bench.
set -eu

per=1
top=40
while [ $# -gt 0 ]; do
    case $1 in
    --per) per=$2; shift 2 ;;
    --top) top=$2; shift 2 ;;
    -*) echo "an521-profile.sh: unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
    *) break ;;
    esac
done
[ $# -eq 2 ] || { echo "usage: an521-profile.sh [--per N] [--top K] M7.elf M4.elf" >&2; exit 2; }
case $per$top in *[!0-9]*) echo "an521-profile.sh: --per and --top take positive integers" >&2; exit 2 ;; esac
for image in "$@"; do
    [ -r "$image" ] || { echo "an521-profile.sh: cannot read the image $image" >&2; exit 2; }
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/duet-an521-profile.XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkfifo "$dir/trace"
# "Trace N: HOST [CS_BASE/PC/FLAGS/CFLAGS] ...": core N ran the block at PC (one instruction).
awk '/^Trace/ { split($4, a, "/"); n[substr($2, 1, 1) " " a[2]]++ }
     END { for (k in n) print k, n[k] }' "$dir/trace" >"$dir/counts" &
counter=$!
timeout --kill-after=5 600 qemu-system-arm -M mps2-an521 -icount shift=0,sleep=off -singlestep \
    -d exec,nochain -D "$dir/trace" -display none -monitor none -nodefaults -nic user,restrict=on,ipv6=off \
    -semihosting-config enable=on,target=native -serial null -serial null \
    -kernel "$1" -device loader,file="$2" </dev/null || true
wait "$counter"

# Per core: the image's function symbols and the counted addresses, merged in address order
# (fixed-width hex sorts as numbers); each count goes to the function at or below it.
for core in 0 1; do
    if [ "$core" = 0 ]; then image=$1; else image=$2; fi
    {
        arm-none-eabi-nm --defined-only "$image" | awk '$2 ~ /^[tTwW]$/ { print $1, "S", $3 }'
        awk -v c="$core" '$1 == c { print $2, "P", $3 }' "$dir/counts"
    } | sort -k1,1 -k2,2r | awk -v c="$core" '
        $2 == "S" { fn = $3; next }
        { n[fn == "" ? "?" : fn] += $3 }
        END { for (f in n) print c, f, n[f] }'
done | sort -k3,3nr | head -n "$top" | awk -v per="$per" '{ printf "%s %-44s %10.1f\n", $1, $2, $3 / per }'
