"""repo_files.py - the repository's files, for the checks that read the source tree
(tests/shape/check_shape.py, tests/docs/check_docs.py)."""
import os
import subprocess


def tracked(repo):
    """The files git tracks in repo; outside a git checkout (a source tarball), every file
    except hidden ones and build trees."""
    git = subprocess.run(["git", "-C", repo, "ls-files"], capture_output=True, text=True)
    if git.returncode == 0:
        return [p for p in git.stdout.split("\n") if p]
    found = []
    for top, dirs, names in os.walk(repo):
        dirs[:] = [d for d in dirs if not d.startswith((".", "build"))]
        found += [os.path.relpath(os.path.join(top, n), repo) for n in names]
    return found
