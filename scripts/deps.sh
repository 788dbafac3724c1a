#!/bin/sh
# deps.sh GROUP... - make sure the Debian packages a make target needs are installed.
# As root, installs what is missing (apt-get update once, then apt-get install -y);
# otherwise prints the exact apt-get line to run and fails.
set -eu

packages_for() {
    case "$1" in
    build) echo "cmake gcc g++ make libjansson-dev pkg-config" ;;
    test) echo "cmake gcc g++ make pkg-config libjansson-dev libcmocka-dev libmsgpack-dev libmsgpack-cxx-dev python3 python3-msgpack clang libclang-rt-14-dev libtsan2 cppcheck $(packages_for qemu)" ;;
    bench) echo "cmake gcc make pkg-config libjansson-dev libmsgpack-dev valgrind" ;;
    size) echo "cmake gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib" ;;
    qemu) echo "qemu-system-arm gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib" ;;
    demo) echo "cmake gcc g++ make pkg-config libjansson-dev" ;;
    deb) echo "cmake gcc g++ make pkg-config libjansson-dev dpkg-dev file lintian binutils mount" ;;
    *) echo "deps.sh: unknown group '$1'" >&2; exit 2 ;;
    esac
}

wanted=""
for group in "$@"; do
    wanted="$wanted $(packages_for "$group")"
    # python/ (the msgpackrpc module is built by make and packaged by make deb, its pytest
    # suite run by make test)
    case "$group" in
    build|deb) wanted="$wanted python3-dev" ;;
    test) wanted="$wanted python3-dev python3-pytest"
        # duet-board --vcd is checked by GTKWave's own reader (its vcd2fst and fst2vcd)
        wanted="$wanted gtkwave" ;;
    esac
    # duet-board run --web (tools/board/web*.c): served with libmicrohttpd; its page is
    # tested in headless chromium through selenium.
    case "$group" in
    build|demo|deb) wanted="$wanted libmicrohttpd-dev" ;;
    test) wanted="$wanted libmicrohttpd-dev chromium chromium-driver python3-selenium" ;;
    esac
done

missing=""
for pkg in $wanted; do
    case " $missing " in *" $pkg "*) continue ;; esac
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $pkg" ;;
    esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps.sh: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=900 update -qq
    # shellcheck disable=SC2086
    apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends $missing
    exit 0
fi

echo "deps.sh: missing Debian packages. Run:" >&2
echo "  sudo apt-get install -y$missing" >&2
exit 1
