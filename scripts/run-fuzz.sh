#!/bin/sh
# run-fuzz.sh BINARY CORPUS_DIR SEED_DIR SECONDS - run one libFuzzer target for a bounded time.
# New inputs go to CORPUS_DIR (in the build tree); the seeds in the repo are only read.
set -eu
bin=$1 corpus=$2 seeds=$3 seconds=$4
mkdir -p "$corpus"
exec "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    "$corpus" "$seeds"
