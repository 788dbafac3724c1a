# The QEMU benchmark's images (bench/qemu), built by the cross project ports/an521; the
# qemu suite of scripts/bench.sh runs them. Linked with link-time optimisation: the figures
# are those of duet built for speed (-O3 and LTO), as a user's fastest build would be.
duet_an521_image(an521_bench_m7 0 ${CMAKE_CURRENT_LIST_DIR}/m7.c)
duet_an521_image(an521_bench_m4 1 ${CMAKE_CURRENT_LIST_DIR}/m4.c)
duet_an521_lto(an521_bench_m7)
duet_an521_lto(an521_bench_m4)
