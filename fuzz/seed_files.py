"""seed_files.py - what the fuzz targets' make_seeds.py scripts share: writing the seeds."""
import os
import sys


def write_seeds(script, *groups, width=20):
    """Writes every NAME: BYTES of the groups as a file NAME in the seeds folder next to
    script (or the folder given as the first argument), and prints each one's size."""
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(script)), "seeds")
    os.makedirs(out, exist_ok=True)
    for group in groups:
        for name, data in group.items():
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)
            print(f"{name:{width}} {len(data):5} bytes")
