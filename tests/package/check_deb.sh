#!/bin/sh
# check_deb.sh DIR VERSION - checks the Debian packages scripts/deb.sh built in DIR/deb/:
#  1. lintian reports no error (warnings are printed);
#  2. extracted into a throwaway root, they hold what docs/install.md says, where it says,
#     and the duet-board there builds a C pair and a sketch pair (tests/consumer) from that
#     root alone and runs them, and runs a MicroPython script as the M7 with the packaged
#     python module;
#  3. Depends: the libraries' from dpkg-shlibdeps (libc6), ours between the packages; the
#     libraries' packages have no maintainer scripts (ldconfig runs through the trigger);
#  4. as root, where dpkg may install (duet not installed already): dpkg -i, the files are
#     there and duet-rpc runs, then dpkg -P leaves none of them behind. The packages are
#     always purged again, even when a check fails.
set -eu

[ $# -eq 2 ] || { echo "usage: check_deb.sh DIR VERSION" >&2; exit 2; }
debdir=$1/deb
version=$2
soversion=$(echo "$version" | awk -F. '$1 == 0 { print $1 "." $2; next } { print $1 }')
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
lib=usr/lib/$multiarch

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

pkgs="libduet$soversion libduet-posix$soversion libduet-dev duet-tools"
debs=""
for p in $pkgs; do
    f=$debdir/${p}_$version-1_$arch.deb
    [ -f "$f" ] || { echo "FAIL: $f is missing (scripts/deb.sh builds it)" >&2; exit 1; }
    debs="$debs $f"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/duet-deb.XXXXXX")
installed=""
cleanup() {
    if [ -n "$installed" ]; then
        # shellcheck disable=SC2086
        dpkg -P $pkgs >/dev/null 2>&1 || echo "check_deb.sh: could not purge $pkgs: remove them by hand" >&2
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---------------------------------------------------------------- 1. lintian
status=0
# shellcheck disable=SC2086
# initial-upload-closes-no-bugs: a first upload to Debian closes its ITP bug; these packages
# are built from the repository, not uploaded to Debian, and there is no such bug to name.
lintian --fail-on error --tag-display-limit 0 --suppress-tags initial-upload-closes-no-bugs $debs >"$tmp/lintian.txt" 2>&1 || status=$?
grep -v "running with root privileges" "$tmp/lintian.txt" || true
[ "$status" -eq 0 ] || fail "lintian reports errors (above)"

# ---------------------------------------------------------------- 2. contents
root=$tmp/root
for f in $debs; do
    dpkg-deb -x "$f" "$root"
    dpkg-deb -c "$f" | awk '{ print $6 }' | sed 's|^\./||' | grep -v '^$' >>"$tmp/files"
done
expect() {
    for path in "$@"; do
        [ -e "$root/$path" ] || [ -L "$root/$path" ] || fail "no /$path in the packages"
    done
}
expect usr/include/duet/duet.h usr/include/duet/version.h usr/include/duet/posix/board.h \
    "$lib/libduet.so.$version" "$lib/libduet.so.$soversion" "$lib/libduet.so" "$lib/libduet.a" \
    "$lib/libduet-posix.so.$version" "$lib/libduet-posix.so.$soversion" "$lib/libduet-posix.so" \
    "$lib/libduet-posix.a" "$lib/libduet-posix-main.a" \
    "$lib/cmake/duet/duetConfig.cmake" "$lib/cmake/duet/duetConfigVersion.cmake" \
    "$lib/pkgconfig/duet.pc" "$lib/pkgconfig/duet-posix.pc" \
    "$lib/libduet-arduino.a" usr/include/duet/arduino/RPC.h usr/include/duet/arduino/Arduino.h \
    usr/bin/duet-rpc usr/bin/duet-board usr/share/man/man1/duet-rpc.1.gz usr/share/man/man1/duet-board.1.gz \
    usr/share/doc/duet/README.md usr/share/doc/duet/examples/rpc_sensor/m7.c \
    usr/include/duet/cortex_m.h usr/include/duet/giga.h usr/share/duet/giga/ports/stm32h747/ld/giga_m7.ld \
    usr/share/duet/giga/src/duet.c usr/share/duet/arduino/Arduino.cpp usr/share/duet/port_check/sources.cmake \
    usr/libexec/duet/duet-m7-python usr/lib/python3/dist-packages/duet_m7.py
ls "$root"/usr/lib/python3/dist-packages/msgpackrpc.cpython-*.so >/dev/null 2>&1 ||
    fail "no msgpackrpc module in /usr/lib/python3/dist-packages"
for p in $pkgs; do
    expect "usr/share/doc/$p/copyright" "usr/share/doc/$p/changelog.Debian.gz"
done
grep -q "^#define DUET_VERSION_STRING \"$version\"" "$root/usr/include/duet/version.h" ||
    fail "usr/include/duet/version.h does not say $version"
grep -qx "prefix=/usr" "$root/$lib/pkgconfig/duet.pc" || fail "duet.pc's prefix is not /usr"
soname=$(objdump -p "$root/$lib/libduet-posix.so.$version" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = "libduet-posix.so.$soversion" ] || fail "libduet-posix's soname is '$soname', not libduet-posix.so.$soversion"
if objdump -p "$root/$lib/libduet-posix.so.$version" | grep -q "R.*PATH"; then
    fail "libduet-posix.so has an RPATH or RUNPATH"
fi
[ -x "$root/usr/bin/duet-rpc" ] && "$root/usr/bin/duet-rpc" --version | grep -qx "duet-rpc $version" ||
    fail "the packaged duet-rpc --version does not say $version"

[ -x "$root/usr/bin/duet-board" ] && "$root/usr/bin/duet-board" --version | grep -qx "duet-board $version" ||
    fail "the packaged duet-board --version does not say $version"
# The packaged duet-board, from the throwaway root: build with what the packages hold, run.
consumer=$(cd "$(dirname "$0")/../consumer" && pwd)
board_pair() { # NAME M7-SOURCE M4-SOURCE SECONDS (a .py M7 is run as it is)
    m7=$tmp/$1_m7
    for core in m7 m4; do
        [ $core = m7 ] && s=$2 || s=$3
        case $s in *.py) m7=$s; continue ;; esac
        "$root/usr/bin/duet-board" build -v --core $core -o "$tmp/$1_$core" "$s" >"$tmp/$1.log" 2>&1 || {
            cat "$tmp/$1.log"
            fail "the packaged duet-board could not build $s"
            return
        }
        grep -q "$root/usr/include" "$tmp/$1.log" || fail "the packaged duet-board did not build against $root/usr"
    done
    "$root/usr/bin/duet-board" run --board "$tmp/board" --seconds "$4" --m7 "$m7" --m4 "$tmp/$1_m4" \
        >"$tmp/$1.out" 2>"$tmp/$1.err" || true
    if grep -q "add(40, 2) = 42" "$tmp/$1.out"; then
        echo "check_deb.sh: the packaged duet-board built and ran the $1 pair: $(grep "add(40, 2)" "$tmp/$1.out")"
    else
        cat "$tmp/$1.out" "$tmp/$1.err"
        fail "the $1 pair built by the packaged duet-board did not answer"
    fi
}
board_pair c "$consumer/pair/m7.c" "$consumer/pair/m4.c" 20
board_pair sketch "$consumer/sketch/add_m7.ino" "$consumer/sketch/add_m4.ino" 3
board_pair python "$consumer/python/add_m7.py" "$consumer/sketch/add_m4.ino" 20

# ---------------------------------------------------------------- 3. Depends
depends() { dpkg-deb -f "$debdir/${1}_$version-1_$arch.deb" Depends; }
depends "libduet$soversion" | grep -q "libc6" || fail "libduet$soversion does not depend on libc6: $(depends "libduet$soversion")"
depends "libduet-posix$soversion" | grep -q "libduet$soversion (= $version-1)" ||
    fail "libduet-posix$soversion does not depend on libduet$soversion (= $version-1): $(depends "libduet-posix$soversion")"
for p in "libduet$soversion" "libduet-posix$soversion"; do
    depends libduet-dev | grep -q "$p (= $version-1)" || fail "libduet-dev does not depend on $p: $(depends libduet-dev)"
done
depends duet-tools | grep -q "libjansson" || fail "duet-tools does not depend on libjansson: $(depends duet-tools)"
depends duet-tools | grep -q "libduet-dev (= $version-1)" || fail "duet-tools does not depend on libduet-dev: $(depends duet-tools)"
for p in "libduet$soversion" "libduet-posix$soversion"; do
    scripts=$(dpkg-deb -I "$debdir/${p}_$version-1_$arch.deb" | grep -E "^ +[0-9]+ bytes, +[0-9]+ lines +\*? *(postinst|postrm|preinst|prerm)" || true)
    [ -z "$scripts" ] || fail "$p has maintainer scripts (ldconfig runs through its trigger): $scripts"
done

# ---------------------------------------------------------------- 4. dpkg -i, dpkg -P
# One check at a time on this machine (several worktrees may run make test at once).
[ "$(id -u)" -ne 0 ] || { exec 8>/tmp/duet-check-deb.lock && flock 8; }
if [ "$(id -u)" -ne 0 ]; then
    echo "check_deb.sh: not root: dpkg -i / dpkg -P skipped"
elif dpkg-query -W -f='${Status}' $pkgs 2>/dev/null | grep -q "ok installed"; then
    echo "check_deb.sh: duet's packages are installed on this machine: dpkg -i / dpkg -P skipped (not touching them)"
else
    # Wait for apt or dpkg run by someone else (their lock), up to ten minutes.
    tries=0
    installed=yes
    # shellcheck disable=SC2086
    until dpkg -i $debs >"$tmp/dpkg.log" 2>&1; do
        if grep -q "lock" "$tmp/dpkg.log" && [ $tries -lt 120 ]; then
            tries=$((tries + 1))
            sleep 5
            continue
        fi
        cat "$tmp/dpkg.log"
        fail "dpkg -i failed"
        break
    done
    if [ "$failures" -eq 0 ]; then
        while read -r path; do
            case $path in */) continue ;; esac
            [ -e "/$path" ] || [ -L "/$path" ] || fail "/$path is not there after dpkg -i"
        done <"$tmp/files"
        /usr/bin/duet-rpc --version | grep -qx "duet-rpc $version" || fail "the installed duet-rpc --version does not say $version"
        [ "$(pkg-config --modversion duet-posix 2>&1)" = "$version" ] || fail "pkg-config does not find duet-posix $version after dpkg -i"
    fi
    # shellcheck disable=SC2086
    dpkg -P $pkgs >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg -P failed"; }
    installed=""
    while read -r path; do
        case $path in
        */) case $path in *duet*) [ -d "/$path" ] && fail "/$path is left after dpkg -P" ;; esac ;;
        *) { [ -e "/$path" ] || [ -L "/$path" ]; } && fail "/$path is left after dpkg -P" ;;
        esac
    done <"$tmp/files"
    echo "check_deb.sh: dpkg -i installed $(grep -cv '/$' "$tmp/files") files, dpkg -P removed them all"
fi

if [ "$failures" -ne 0 ]; then
    echo "check_deb.sh: $failures check(s) failed" >&2
    exit 1
fi
echo "check_deb.sh: the $(echo $pkgs | wc -w) packages of duet $version are as they should be"
