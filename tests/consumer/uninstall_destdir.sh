#!/bin/sh
# uninstall_destdir.sh SOURCE WORK - make uninstall after a staged make install (DESTDIR=...)
# removes the staged files, not those at the paths the install manifest lists (CMake writes
# them without DESTDIR), which are another install's: make install PREFIX=/usr
# DESTDIR=/tmp/stage, then make uninstall, removed /usr's files (those of the Debian packages,
# when they are installed) and left the stage. A made-up prefix under WORK stands for /usr;
# both DESTDIR given to make uninstall and the one make install recorded are tried.
set -eu
src=$1
work=$2
rm -rf "$work"
status=0
for how in given recorded; do
    prefix=$work/$how/usr
    stage=$work/$how/stage
    build=$work/$how/build
    mkdir -p "$build/for-install" "$prefix/share/duet" "$stage$prefix/share/duet"
    echo "$prefix/share/duet/file.txt" >"$build/for-install/install_manifest.txt"
    echo other >"$prefix/share/duet/file.txt"
    echo staged >"$stage$prefix/share/duet/file.txt"
    if [ $how = given ]; then
        (cd "$src" && make -s uninstall BUILD="$build" DESTDIR="$stage")
    else
        printf '%s\n' "$stage" >"$build/for-install/install_destdir.txt"
        (cd "$src" && env -u DESTDIR make -s uninstall BUILD="$build")
    fi
    if [ ! -f "$prefix/share/duet/file.txt" ]; then
        echo "FAIL ($how DESTDIR): make uninstall removed $prefix/share/duet/file.txt, which the staged install never wrote" >&2
        status=1
    fi
    if [ -e "$stage$prefix/share/duet/file.txt" ] || [ -e "$stage$prefix/share/duet" ]; then
        echo "FAIL ($how DESTDIR): make uninstall left the staged $stage$prefix/share/duet/file.txt" >&2
        status=1
    fi
done
[ $status = 0 ] && echo "uninstall_destdir.sh: make uninstall removed the staged files only" && rm -rf "$work"
exit $status
