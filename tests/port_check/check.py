#!/usr/bin/python3
"""check.py MODE ... - runs the port check's pair (tools/port_check) and judges what it said.

  check.py posix DUET_BOARD M7 M4          the pair on the emulated board (duet-board run):
                                           every check passes, the summary says PASS, status 0,
                                           and the pair's processes took under half as many
                                           CPU seconds as the run's seconds (a core waiting for
                                           the other sleeps in wait(): nothing busy-waits)
  check.py posix-faults DUET_BOARD M7 M4   the fault-injecting pair (faults.c) once per fault of
                                           FAULTS, named by $PORT_CHECK_FAULT: the check fails
                                           with the fault's line, says FAIL, status not 0; a
                                           fault that hangs a core (HANGS) is ended by the
                                           run's time limit, and the core's last line names
                                           the check it hung in
  check.py an521 QEMU_SCRIPT M7.elf M4.elf [FAULT]
                                           the pair under QEMU (scripts/an521-qemu.sh, -icount
                                           as every AN521 test; --realtime for the faults of
                                           REALTIME): as posix, or, with FAULT (built into the
                                           images), as one fault of posix-faults

Each run has a time limit. Prints a line per run and exits 1 on any failure.
"""
import os
import re
import resource
import subprocess
import sys
import time

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
    "pending_lost_m7": [r"FAIL M7 doorbell pending: .*a ring while this core was not waiting was lost"],
    "wait_late_m4": [r"FAIL M4 doorbell timeout: wait\(200\) with no ring returned after [6-9]\d\d ms"],
    "wait_forever_m4": [r"FAIL M7 hello: no word from the M4", r"last M4 doorbell timeout: wait\(0\) twice, then wait\(200\)"],
    "wait_forever_m7": [r"last M7 doorbell timeout: wait\(0\) twice, then wait\(200\)"],
    "boot_twice_m7": [r"FAIL M7 boot again: a second boot\(0x[0-9a-f]+\) returned 0, not DUET_ERR_STATE"],
    "boot_none_m7": [r"FAIL M7 hello: no word from the M4"],
    "lock_flat_m4": [r"FAIL M7 lock: the M4 took its lock twice and did not come back"],
    "lock_half_m7": [r"FAIL M7 lock and unlock: lock set, unlock NULL"],
    "peer_never_m7": [r"FAIL M7 peer_stopped: still NULL"],
    "peer_always_m7": [r"FAIL M7 peer_stopped: the M4 stopped \(a fault\): said while the other core runs"],
    "thread_error_m4": [r"FAIL M4 thread_error: "],
}
SECONDS = 60
# The faults that hang a core for good (its wait() never returns): the run's time limit,
# HANG_SECONDS, ends them; each names the core and the check of its "last" line above.
HANGS = {"wait_forever_m7"}
HANG_SECONDS = 10
# The AN521's faults that only the two cores at once show (QEMU's --realtime): a ring pending
# before a wait needs the waiter awake while the other core rings, and under -icount one core
# runs at a time (the pending check then says "not checked").
REALTIME = {"pending_lost_m7"}
# A check line of a core: PASS, FAIL, a note, or the line before a check that calls the port.
CHECK_LINE = r"(PASS|FAIL|  --|  \.\.) %s "


def last_line(out, core):
    """The last check line core printed (its lines in a posix run follow 'stdout: ')."""
    lines = [line for line in out.splitlines() if re.search(CHECK_LINE % core, line)]
    return lines[-1] if lines else ""


def found(want, out):
    """True if out holds want: a pattern, or 'last CORE text', the core's last check line."""
    if want.startswith("last "):
        core, text = want[5:].split(" ", 1)
        return re.search(r"  \.\. %s %s" % (core, text), last_line(out, core)) is not None
    return re.search(want, out) is not None


def cpu_seconds():
    """CPU seconds of this process's ended children (and theirs, which they waited for)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(argv, env=None):
    """(status, stdout + stderr) of argv, or (None, what it printed) if it overran."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=SECONDS + 30, env=env)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") + (e.stderr or b"").decode(errors="replace")
        return None, out


def busy(seconds, cpu):
    """Why the pair kept a core busy, or "": its CPU seconds must be under half its seconds."""
    if cpu < seconds / 2:
        return ""
    return ("its processes took %.2f CPU seconds in %.2f s: a core busy-waits (a core waiting for the other "
            "sleeps in wait())" % (cpu, seconds))


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
        missing = [want for want in FAULTS[fault] if not found(want, out)]
        summary = re.search(r"^port check: (PASS|FAIL), ", out, re.M)
        if fault in HANGS:  # the time limit ended the run (duet-board then says status 0)
            problem = "missing: " + " | ".join(missing) if missing else "a summary: it did not hang" if summary else ""
        else:
            problem = ("missing: " + " | ".join(missing) if missing else
                       "status 0" if status == 0 else
                       "" if summary and summary.group(1) == "FAIL" else "no FAIL summary")
    print(("ok: " if not problem else "FAILED: ") + what + ("" if not problem else ": " + problem))
    if problem:
        print(out)
    return not problem


def posix(board, m7, m4, fault=None):
    env = dict(os.environ, PORT_CHECK_FAULT=fault or "")
    seconds = HANG_SECONDS if fault in HANGS else SECONDS
    t0, cpu0 = time.monotonic(), cpu_seconds()
    status, out = run([board, "run", "--seconds", str(seconds), "--m7", m7, "--m4", m4], env)
    seconds, cpu = time.monotonic() - t0, cpu_seconds() - cpu0
    if not judge("posix" + (" fault " + fault if fault else ""), status, out, fault):
        return False
    if fault:
        return True
    problem = busy(seconds, cpu)
    print(("FAILED: posix: " + problem) if problem else "ok: posix: %.2f CPU seconds in %.2f s" % (cpu, seconds))
    return not problem


def an521(script, m7, m4, fault=None):
    realtime = ["--realtime"] if fault in REALTIME else []
    status, out = run([script] + realtime + ["--seconds", str(SECONDS), m7, m4])
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
