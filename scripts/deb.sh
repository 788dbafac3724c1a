#!/bin/sh
# deb.sh [DIR] - builds duet's Debian packages (make deb): configures DIR (default build-deb)
# as a package builds it (Release, prefix /usr, no tests), builds it and runs CPack. The
# .deb files land in DIR/deb/; their names are printed. Extra CMake options: CMAKE_FLAGS.
set -eu

dir=${1:-build-deb}
src=$(cd "$(dirname "$0")/.." && pwd)

# shellcheck disable=SC2086
cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DDUET_TESTS=OFF -DDUET_DEB=ON ${CMAKE_FLAGS:-} >/dev/null
cmake --build "$dir" -j"${JOBS:-2}"
rm -f "$dir"/deb/*.deb
(cd "$dir" && cpack -G DEB >/dev/null) || {
    echo "deb.sh: cpack failed; its messages are in $dir/deb/_CPack_Packages/*/" >&2
    exit 1
}
# The library packages run ldconfig through dpkg's trigger (packaging/debian/triggers);
# CPack adds postinst and postrm scripts that call it too, which Debian's policy no longer
# wants (lintian: maintscript-calls-ldconfig): they are taken out again.
for deb in "$dir"/deb/libduet*.deb; do
    case $deb in *-dev_*) continue ;; esac
    tmp=$(mktemp -d)
    dpkg-deb -R "$deb" "$tmp/root"
    rm -f "$tmp/root/DEBIAN/postinst" "$tmp/root/DEBIAN/postrm"
    dpkg-deb --root-owner-group -b "$tmp/root" "$deb" >/dev/null
    rm -rf "$tmp"
done
ls "$dir"/deb/*.deb
