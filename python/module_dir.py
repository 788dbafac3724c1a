"""module_dir.py PREFIX - prints where this python3 looks for modules installed below PREFIX,
relative to PREFIX (e.g. lib/python3/dist-packages for /usr, lib/python3.11/dist-packages
for /usr/local, lib/python3.11/site-packages for ~/.local, the user's own directory), or
nothing when it looks nowhere below PREFIX (python/CMakeLists.txt: make install's directory
for the msgpackrpc module)."""
import os
import site
import sys


def searched_dirs():
    """The directories this interpreter imports third-party modules from."""
    dirs = [p for p in sys.path if p.endswith(("dist-packages", "site-packages"))]
    if site.ENABLE_USER_SITE:
        # Searched once it exists (python adds it at start-up only then).
        dirs.append(site.getusersitepackages())
    return dirs


def main():
    prefix = os.path.realpath(sys.argv[1])
    for d in searched_dirs():
        real = os.path.realpath(d)
        if not real.startswith(prefix.rstrip("/") + "/"):
            continue
        # /usr/local/lib/... is below /usr too, but it is /usr/local's.
        relative = os.path.relpath(real, prefix)
        if relative.startswith(("lib/", "lib64/")):
            print(relative)
            return


main()
