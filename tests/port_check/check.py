#!/usr/bin/python3
"""check.py MODE ... - runs the port check's pair (tools/port_check) and judges what it said.

  check.py posix DUET_BOARD M7 M4          the pair on the emulated board (duet-board run):
                                           every check passes, the summary says PASS, status 0
  check.py posix-faults DUET_BOARD M7 M4   the fault-injecting pair (faults.c) once per fault of
                                           FAULTS, named by $PORT_CHECK_FAULT: the check fails
                                           with the fault's line, says FAIL, status not 0
  check.py an521 QEMU_SCRIPT M7.elf M4.elf [FAULT]
                                           the pair under QEMU (scripts/an521-qemu.sh) in the
                                           host's time (--realtime: the two cores at once, as
                                           on a chip; under -icount a core that spins on the
                                           region, as the check's mailbox does, holds the
                                           other off): as posix, or, with FAULT (built into
                                           the images), as one fault of posix-faults

Each run has a time limit. Prints a line per run and exits 1 on any failure.
"""
import os
import re
import subprocess
import sys

# Each fault (faults.c; the suffix names the core it is put into) and the lines the check
# must print for it.
FAULTS = {
    "cpu_id_m4": [r"FAIL M4 cpu_id: 3, not DUET_CPU_M4", r"FAIL M7 cpu_id both: the M4's is 3"],
    "size_m4": [r"FAIL M4 layout: ", r"FAIL M7 region both: the M4's is 0x8000 bytes"],
    "alignment_m4": [r"FAIL M4 alignment: shm 0x[0-9a-f]+, shm_da 0x38000000, shm_size 0xfffe are not all multiples of 4"],
    "map_m7": [r"FAIL M7 map: duet_port_map does not map exactly 0xffff8000\.\.0x100007fff: the region's device "
               r"addresses must end within 32 bits", r"FAIL M7 layout: "],
    "functions_m4": [r"FAIL M4 functions: ring is NULL", r"FAIL M7 hello: no word from the M4"],
    "boot_error_m7": [r"FAIL M7 boot: boot\(0x08100000\) returned -21, DUET_ERR_BOOT: no M4 image at that address"],
    "layout_m7": [r"FAIL M7 layout: device addresses 0x38000000\.\.0x3800ffff are not all in"],
    "region_m4": [r"FAIL M4 region: of what the M7 wrote over 0x38000100\.\.0x3800ffff, 6\d+ bytes differ"],
    "clock_stopped_m7": [r"FAIL M7 clock: now_ms\(\) read 1000\.\.1000"],
    "clock_slow_m4": [r"FAIL M7 clock rate: the M4's now_ms\(\) counted 2\d\d ms while the M7's counted 5\d\d to 5\d\d"],
    "ring_none_m4": [r"FAIL M7 doorbell wakes: .*the ring does not wake a sleeping core"],
    "ring_lost_m7": [r"FAIL M4 doorbell rounds: .* 1 of the other core's rings slept through"],
    "pending_lost_m7": [r"FAIL M7 doorbell pending: .*a ring while this core was not waiting was lost"],
    "wait_late_m4": [r"FAIL M4 doorbell timeout: wait\(200\) with no ring returned after [6-9]\d\d ms"],
    "wait_forever_m4": [r"FAIL M7 doorbell timeout: the M4 did not come back from wait\(200\)"],
    "boot_twice_m7": [r"FAIL M7 boot again: a second boot\(0x[0-9a-f]+\) returned 0, not DUET_ERR_STATE"],
    "boot_none_m7": [r"FAIL M7 hello: no word from the M4"],
    "lock_flat_m4": [r"FAIL M7 lock: the M4 took its lock twice and did not come back"],
    "lock_half_m7": [r"FAIL M7 lock and unlock: lock set, unlock NULL"],
    "peer_never_m7": [r"FAIL M7 peer_stopped: still NULL"],
    "peer_always_m7": [r"FAIL M7 peer_stopped: the M4 stopped \(a fault\): said while the other core runs"],
    "thread_error_m4": [r"FAIL M4 thread_error: "],
}
SECONDS = 60


def run(argv, env=None):
    """(status, stdout + stderr) of argv, or (None, what it printed) if it overran."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=SECONDS + 30, env=env)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") + (e.stderr or b"").decode(errors="replace")
        return None, out


def judge(what, status, out, fault):
    """True if the run said what it should: all passed, or the fault's lines and a failure."""
    if status is None:
        problem = "it did not end within %d s" % (SECONDS + 30)
    elif fault is None:
        fails = [line for line in out.splitlines() if "FAIL " in line]
        problem = ("status %d" % status if status else
                   "; ".join(fails) if fails else
                   "" if re.search(r"^port check: PASS, \d+ checks", out, re.M) else "no PASS summary")
    else:
        missing = [want for want in FAULTS[fault] if not re.search(want, out)]
        problem = ("missing: " + " | ".join(missing) if missing else
                   "status 0" if status == 0 else
                   "" if re.search(r"^port check: FAIL, ", out, re.M) else "no FAIL summary")
    print(("ok: " if not problem else "FAILED: ") + what + ("" if not problem else ": " + problem))
    if problem:
        print(out)
    return not problem


def posix(board, m7, m4, fault=None):
    env = dict(os.environ, PORT_CHECK_FAULT=fault or "")
    status, out = run([board, "run", "--seconds", str(SECONDS), "--m7", m7, "--m4", m4], env)
    return judge("posix" + (" fault " + fault if fault else ""), status, out, fault)


def an521(script, m7, m4, fault=None):
    status, out = run([script, "--realtime", "--seconds", str(SECONDS), m7, m4])
    return judge("an521" + (" fault " + fault if fault else ""), status, out, fault)


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "posix":
        ok = posix(*args)
    elif mode == "posix-faults":
        ok = all([posix(*args, fault=f) for f in FAULTS])
    elif mode == "an521":
        ok = an521(*args)
    else:
        sys.exit("check.py: unknown mode " + mode)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
