# The faults of faults.c the port check's AN521 tests build into an image pair each (the
# Cortex-M port's own doorbell, clock, boot, lock and wait broken): read by the cross build
# (images.cmake) and by the host build, which registers a test for each (CMakeLists.txt).
set(DUET_PORT_CHECK_AN521_FAULTS ring_none_m4 pending_lost_m7 clock_slow_m4 boot_twice_m7 lock_flat_m4 wait_forever_m4)
