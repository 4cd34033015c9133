#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fault campaign (issue 13): N seeded random `mtkbak read` / `mtkbak pull` runs against
the simulated watch, each with one simulator fault (bit flips, dropped bytes, stalls, cable
drops with and without replug, boot-ROM error statuses, secure parts, lying JEDEC IDs), some
with --no-da, some stopped with SIGINT or SIGKILL at a random time and then run again with
the same command, a share of them on an ASan+UBSan build. Every run's outcome is judged:

  silent corruption  exit 0 but the image is not byte for byte the simulated flash
  hang               the run did not end within its deadline
  crash              death by a signal we did not send, or a sanitizer report
  resume mismatch    the rerun after SIGINT/SIGKILL ended 0 with an inexact image, or left
                     no .part behind to continue from where it said it kept bytes
  write              the simulated flash's nor_log is not empty (read-only broken)
(mirror counts exit-0 images that are the flash repeated to the larger size a lying JEDEC ID
claimed: every byte right, the size not; shown, not counted as a failure.)

--restore N adds N `mtkbak restore` runs (issue 15): a full image onto a watch whose code
regions differ, each with one fault of the simulated NOR or the link (a power cut at a random
erase/program, bit flips, a lost byte, a cable drop, a worn sector), some stopped with SIGINT or
SIGKILL, then the same command once more without the fault. Judged: silent failure (exit 0 or
"Restored" while the watch's flash is not the image), hang, crash, and "unrecovered" (the
rerun did not end exact, except after a worn sector, which must stay an error).

Prints a table per fault kind and ends with "N passed, N failed". Exit 0 when nothing failed.
  campaign.py --mtkbak build/mtkbak [--asan build-asan/mtkbak] [--fwimg build/tests/fwimg]
              [-n 40] [--seed 1] [--asan-share 0.25] [--timeout 60] [--restore 0]
"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

FAULTS = {
    "clean": lambda r: "",
    "corrupt": lambda r: "corrupt=%d" % r.choice([997, 4093, 65549, 100003]),
    "corrupt-burst": lambda r: "corrupt=%d,corruptcount=%d" % (r.choice([65549, 4093]), r.randint(1, 4)),
    "drop": lambda r: "drop=%d" % r.randint(1000, 4_000_000),
    "stall": lambda r: "stall=%d,stallms=%d" % (r.randint(1000, 4_000_000), r.choice([300, 1500, 6000])),
    "disconnect-replug": lambda r: "disconnect=%d,replug=%d" % (r.randint(10_000, 4_000_000), r.choice([100, 500])),
    "disconnect-gone": lambda r: "disconnect=%d" % r.randint(10_000, 4_000_000),
    "brom-error": lambda r: "fail=%s" % r.choice(["d1:1d07", "d7:1d0d", "d5:1d16", "e1:1d02"]),
    "secure": lambda r: "secure",
    "lying-jedec": lambda r: "jedec=%s" % r.choice(["C84018", "EF4014", "C22536", "000000"]),
    "window": lambda r: "window=%d,stall=1,stallms=%d" % (r.choice([40, 200]), r.choice([150, 400])),
    "watchdog": lambda r: "wdt=%d" % r.choice([200, 1000, 3000]),
    "late-plug": lambda r: "plug=%d" % r.choice([300, 1500]),
    "agent-fault": lambda r: r.choice(["agent=hang", "agent=die:%d" % r.randint(100, 3_000_000),
                                       "agent=badstream", "spi=fail", "sfc=slow:%d" % r.choice([100, 0x200000])]),
}
SIGNALS = [None, None, None, "INT", "KILL"]
RESTORE_FAULTS = {
    "restore-clean": lambda r: "",
    "restore-norcut": lambda r: "norcut=%d" % r.randint(1, 200),
    "restore-corrupt": lambda r: "corrupt=%d,corruptcount=3" % r.randint(2000, 7000),
    "restore-drop": lambda r: "drop=%d" % r.randint(1000, 3_000_000),
    "restore-disconnect": lambda r: "disconnect=%d" % r.randint(1000, 4_000_000),
    "restore-norbad": lambda r: "norbad=%d" % (r.randint(16, 159) * 4096),
}


def restore_run(a, rng, work, i, good, watch, stats):
    """One restore run and its rerun; a list of problems (empty: passed)."""
    kind = sorted(RESTORE_FAULTS)[i % len(RESTORE_FAULTS)]
    fault = RESTORE_FAULTS[kind](rng)
    sig = rng.choice(SIGNALS)
    exe = a.asan if a.asan and rng.random() < a.asan_share else a.mtkbak
    d = os.path.join(work, "s%d" % i)
    os.mkdir(d)
    w0, w1, w2 = (os.path.join(d, n) for n in ("w0.bin", "w1.bin", "w2.bin"))
    shutil.copyfile(watch, w0)
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:exitcode=99",
               UBSAN_OPTIONS="halt_on_error=1:exitcode=98")
    env.pop("MTKBAK_SIM_NOR_LOG", None)

    def port(src, dst, opts):
        # persist: the saved flash holds every change even when the run is killed
        return "sim:%s,norspeed=200,seed=%d,save=%s,persist%s" % (src, rng.randint(1, 1 << 30), dst,
                                                                  "," + opts if opts else "")

    def cmd(p):
        return [exe, "restore", good, "--port", p, "--yes", "--other-watch", "--with-nvram",
                "--timeout", "5"]

    s = judge(stats, kind, None)
    s["runs"] += 1
    problems = []
    want = open(good, "rb").read()
    c1 = cmd(port(w0, w1, fault))
    # in the run's folder: the restore record and the undo image are written there
    rc, err, sent = run(c1, a.timeout, rng.uniform(0.05, 0.6) if sig else None, sig, env, d)
    if sent:
        s["stopped"] = s.get("stopped", 0) + 1
    if rc is None:
        s["hang"] += 1
        problems.append("hang")
    elif (rc < 0 and not sent) or rc in (98, 99) or "Sanitizer" in err or "runtime error" in err:
        s["crash"] += 1
        problems.append("crash (exit %s): %s" % (rc, err[-300:]))
    exact1 = verdict(w1, want) == "exact"
    if (rc == 0 or "Restored" in err) and not exact1:
        s["silent"] += 1
        problems.append("silent failure: exit %s, the flash is not the image" % rc)
    if rc is not None and rc >= 0:
        s["exits"][rc] = s["exits"].get(rc, 0) + 1
    if rc != 0 and os.path.exists(w1):
        # the same command again, without the fault, from the flash the first run left
        # (norbad is a property of the part: it stays, and the rerun must fail loudly)
        keep = fault if kind == "restore-norbad" else ""
        rc2, err2, _ = run(cmd(port(w1, w2, keep)), a.timeout, env=env, cwd=d)
        exact2 = verdict(w2, want) == "exact"
        if rc2 is None:
            s["hang"] += 1
            problems.append("rerun hang")
        elif rc2 in (98, 99) or rc2 < 0 or "Sanitizer" in err2 or "runtime error" in err2:
            s["crash"] += 1
            problems.append("rerun crash (exit %s): %s" % (rc2, err2[-300:]))
        elif (rc2 == 0 or "Restored" in err2) and not exact2:
            s["silent"] += 1
            problems.append("silent failure on the rerun")
        elif kind != "restore-norbad" and not (rc2 == 0 and exact2):
            s["resume"] += 1
            problems.append("unrecovered: rerun exit %s: %s" % (rc2, err2[-300:]))
    if not problems:
        shutil.rmtree(d, ignore_errors=True)
    else:
        print("FAIL restore run %d (%s, %s): %s\n  %s" % (i, kind, sent or "no signal",
                                                         "; ".join(problems), " ".join(c1)))
    return problems


def run(cmd, timeout, kill_after=None, sig=None, env=None, cwd=None):
    """(exit code or None for a hang, stderr text, signal sent). With cwd (restore runs) it
    runs there and the text is stdout and stderr together."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE if cwd else subprocess.DEVNULL,
                         stderr=subprocess.STDOUT if cwd else subprocess.PIPE, env=env, text=True,
                         errors="replace", cwd=cwd)
    sent = None
    try:
        if kill_after is not None:
            try:
                p.wait(timeout=kill_after)
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGINT if sig == "INT" else signal.SIGKILL)
                sent = sig
        out = p.communicate(timeout=max(1, timeout - (time.monotonic() - t0)))[0 if cwd else 1]
        return p.returncode, out, sent
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return None, "", sent


def verdict(path, flash):
    """'exact', 'mirror' (the flash repeated to a larger size a lying JEDEC ID asked for:
    right bytes, wrong size, not counted as corruption), 'missing' or 'wrong'."""
    if not os.path.exists(path):
        return "missing"
    data = open(path, "rb").read()
    if data == flash:
        return "exact"
    if len(data) > len(flash) and len(data) % len(flash) == 0 and data == flash * (len(data) // len(flash)):
        return "mirror"
    return "wrong"


def judge(stats, kind, why):
    stats.setdefault(kind, {"runs": 0, "exits": {}, "silent": 0, "hang": 0, "crash": 0,
                            "resume": 0, "write": 0, "mirror": 0, "failed": 0})
    return stats[kind]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mtkbak", required=True)
    ap.add_argument("--asan")
    ap.add_argument("--fwimg", required=True)
    ap.add_argument("-n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--asan-share", type=float, default=0.25)
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--restore", type=int, default=0, help="restore runs (issue 15)")
    a = ap.parse_args()
    a.mtkbak = os.path.abspath(a.mtkbak)  # restore runs run in their own folders
    a.asan = os.path.abspath(a.asan) if a.asan else None
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="mtkbak-campaign-")
    stats = {}
    passed = failed = 0
    try:
        img = os.path.join(work, "img.bin")
        subprocess.run([a.fwimg, "demo", "4M", img], check=True, stdout=subprocess.DEVNULL)
        flash = open(img, "rb").read()
        for i in range(a.n):
            kind = sorted(FAULTS)[i % len(FAULTS)]  # every fault kind, in turn
            opts = FAULTS[kind](rng)
            cmdname = rng.choice(["read", "read", "pull"])
            no_da = rng.random() < 0.25
            sig = rng.choice(SIGNALS)
            exe = a.asan if a.asan and rng.random() < a.asan_share else a.mtkbak
            sim_seed = rng.randint(1, 1 << 30)
            d = os.path.join(work, "r%d" % i)
            os.mkdir(d)
            nor = os.path.join(d, "nor.log")
            env = dict(os.environ, MTKBAK_SIM_NOR_LOG=nor, ASAN_OPTIONS="detect_leaks=1:exitcode=99",
                       UBSAN_OPTIONS="halt_on_error=1:exitcode=98")
            port = "sim:%s,seed=%d%s%s" % (img, sim_seed, "," if opts else "", opts)
            if sig:
                port += ",link=fs"  # slow enough to be stopped in the middle
            out = os.path.join(d, "o.bin") if cmdname == "read" else os.path.join(d, "kit")
            image = out if cmdname == "read" else os.path.join(out, "readback.bin")
            cmd = [exe, cmdname, "-o", out, "--port", port, "--reconnect-timeout", "2"]
            if cmdname == "read":
                cmd += ["--timeout", "5"]
            if no_da:
                cmd.append("--no-da")
            elif rng.random() < 0.3:
                cmd += ["--compress", "off"]  # raw packets (fault positions count raw bytes)
            s = judge(stats, kind, None)
            s["runs"] += 1
            problems = []
            rc, err, sent = run(cmd, a.timeout, rng.uniform(0.3, 3.0) if sig else None, sig, env)
            if sent:
                # the same command again, without the link model and the stop
                cmd2 = [c if c != port else port.replace(",link=fs", "") for c in cmd]
                rc0 = rc
                rc, err, _ = run(cmd2, a.timeout, env=env)
                if rc == 0 and verdict(image, flash) not in ("exact", "mirror"):
                    s["resume"] += 1
                    problems.append("resume mismatch after SIG%s (first exit %s)" % (sent, rc0))
            if rc is None:
                s["hang"] += 1
                problems.append("hang")
            elif rc < 0 or rc in (98, 99) or "Sanitizer" in err or "runtime error" in err:
                s["crash"] += 1
                problems.append("crash (exit %s): %s" % (rc, err[-300:]))
            else:
                s["exits"][rc] = s["exits"].get(rc, 0) + 1
                if rc == 2:
                    problems.append("usage error: " + err[-300:])
                v = verdict(image, flash) if rc == 0 else None
                if v == "mirror":
                    s["mirror"] += 1
                elif rc == 0 and v != "exact":
                    s["silent"] += 1
                    problems.append("silent corruption (%s)" % v)
            if os.path.exists(nor) and os.path.getsize(nor):
                s["write"] += 1
                problems.append("the flash was written: " + open(nor).read()[:200])
            if problems:
                failed += 1
                s["failed"] += 1
                print("FAIL run %d (%s): %s\n  %s" % (i, kind, "; ".join(problems), " ".join(cmd)))
            else:
                passed += 1
                shutil.rmtree(d, ignore_errors=True)
        if a.restore:
            good = os.path.join(work, "good.bin")
            watch = os.path.join(work, "watch.bin")
            shutil.copyfile(img, good)
            subprocess.run([a.fwimg, "corrupt", good, "-o", watch, "--fill", "0x10000:0x90000:00"],
                           check=True, stdout=subprocess.DEVNULL)
            for i in range(a.restore):
                if restore_run(a, rng, work, i, good, watch, stats):
                    failed += 1
                    stats[sorted(RESTORE_FAULTS)[i % len(RESTORE_FAULTS)]]["failed"] += 1
                else:
                    passed += 1
        print("%-18s %5s %-28s %6s %5s %7s %6s %6s %6s" % ("fault", "runs", "exit codes", "silent",
                                                          "hangs", "crashes", "resume", "writes",
                                                          "mirror"))
        tot = {"silent": 0}
        for k in sorted(stats):
            s = stats[k]
            ex = " ".join("%s:%d" % (c, n) for c, n in sorted(s["exits"].items()))
            print("%-18s %5d %-28s %6d %5d %7d %6d %6d %6d" % (k, s["runs"], ex, s["silent"], s["hang"],
                                                              s["crash"], s["resume"], s["write"],
                                                              s["mirror"]))
            tot["silent"] += s["silent"]
        stopped = sum(v.get("stopped", 0) for v in stats.values())
        if a.restore:
            print("restore runs stopped by SIGINT/SIGKILL: %d" % stopped)
        print("seed %d, %d runs: %d silent corruptions" % (a.seed, a.n + a.restore, tot["silent"]))
        print("%d passed, %d failed" % (passed, failed))
        return 0 if failed == 0 else 1
    finally:
        if failed == 0:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept the failed runs in", work)


if __name__ == "__main__":
    sys.exit(main())
