"""kill -9 in the middle of a harvest, restart, and check the warehouse is the same.

    .venv/bin/python bench/kill_resume.py [--n 20000] [--trials 10] [--seed 7] [--out DIR]

One synthetic OAI-PMH server (../shared/bench/oai_server.py, no faults, a small per-request
latency so that a clean harvest takes ~15-30 s) serves every harvest of the benchmark, so
that the source name (`url:127.0.0.1:PORT/oai`) and every page are the same throughout.

1. A clean reference harvest: `oer harvest --url URL --db ref.duckdb --json`.
2. Per trial, into a fresh warehouse: start `oer harvest`, SIGKILL it at a seeded random
   moment, start it again (auto mode resumes the killed run), up to --max-kills times,
   then let it finish. Kill moments: one trial as soon as the server has answered Identify,
   one before Identify (start-up, migrations), one when the server has served the last
   ListRecords page (final loads, finish), one in the last 5 % of the reference wall time,
   the others uniform over the reference wall time (later kills of a trial likewise).
3. Compare each trial with the reference: `resources` on every model column
   (transforms.model.RECORD_SCHEMA), `raw_records`, `resource_history` content and
   per-record counts (EXCEPT ALL both ways), the status of the last run.
4. Count the pages each killed attempt fetched but had not committed (server requests
   minus raw_pages rows of its run): the pages re-fetched after that resume.

Prints a JSON summary (also written to OUT/summary.json) and a markdown table; exits 1
unless every trial is identical to the reference.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from benchkit import OER_CMD, BenchServer, code_state, prepare

from transforms.model import RECORD_SCHEMA

POLL_S = 0.005


MODEL_COLUMNS = ", ".join(f'"{name}"' for name in RECORD_SCHEMA.names)
RAW_COLUMNS = "source, oai_identifier, metadata_prefix, payload_sha256, payload"
HISTORY_COLUMNS = "record_id, change, changed_fields, new_hash"


# --------------------------------------------------------------------------- server


def verb_counts(server: BenchServer) -> dict[str, int]:
    """Requests the server answered, by verb, and its OAI error answers ("errors")."""
    stats = server.stats()
    return {**stats["by_verb"], "errors": stats["errors"]}


def delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}


# --------------------------------------------------------------------------- harvests


def harvest_cmd(url: str, db: Path) -> list[str]:
    return [*OER_CMD, "harvest", "--url", url, "--prefix", "oai_dc", "--db", str(db), "--json"]


def attempt(
    server: BenchServer,
    url: str,
    db: Path,
    trigger: tuple | None,
    timeout_s: float,
    settle_s: float,
    log_path: Path,
) -> dict:
    """One `oer harvest` process; SIGKILL when `trigger` fires, else wait for its end.

    trigger: ("time", seconds after start) | ("verb", name, count): when the server has
    answered `count` more requests of verb `name` than before the start | None.
    """
    code = code_state()["digest"]  # the code may change between attempts: say so
    before = verb_counts(server)
    started, started_epoch = time.monotonic(), time.time()
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(harvest_cmd(url, db), stdout=subprocess.PIPE, stderr=log)
        killed_at = None
        try:
            deadline = started + timeout_s
            while proc.poll() is None and time.monotonic() < deadline:
                now = time.monotonic() - started
                fire = False
                if trigger and trigger[0] == "time":
                    fire = now >= trigger[1]
                elif trigger and trigger[0] == "verb":
                    fire = delta(verb_counts(server), before).get(trigger[1], 0) >= trigger[2]
                if fire and proc.poll() is None:
                    os.kill(proc.pid, signal.SIGKILL)
                    killed_at = now
                    break
                time.sleep(POLL_S)
            if proc.poll() is None and killed_at is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
                raise RuntimeError(f"oer harvest ran longer than {timeout_s:.0f} s: killed")
            out, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
    wall = time.monotonic() - started
    time.sleep(settle_s)  # requests in flight at the kill are still answered (and counted)
    lines = out.decode(errors="replace").strip().splitlines()
    result = None
    if lines:
        try:
            result = json.loads(lines[-1])
        except ValueError:
            result = None
    return {
        "trigger": list(trigger) if trigger else None,
        "started_epoch": started_epoch,
        "code_digest": code,
        "killed": killed_at is not None,
        "killed_at_s": None if killed_at is None else round(killed_at, 3),
        "rc": proc.returncode,
        "wall_s": round(wall, 3),
        "requests": delta(verb_counts(server), before),
        "result": result,
    }


# --------------------------------------------------------------------------- comparison


def remove_db(db: Path) -> None:
    for f in (db, db.with_name(db.name + ".wal")):
        f.unlink(missing_ok=True)


def compare(ref: Path, trial: Path) -> dict:
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{ref}' AS r (READ_ONLY)")
        con.execute(f"ATTACH '{trial}' AS t (READ_ONLY)")

        def one(sql: str):
            row = con.execute(sql).fetchone()
            return row[0] if row else None

        def both_ways(table: str, columns: str) -> dict:
            a = f"SELECT {columns} FROM r.{table}"
            b = f"SELECT {columns} FROM t.{table}"
            return {
                "ref_rows": one(f"SELECT count(*) FROM r.{table}"),
                "trial_rows": one(f"SELECT count(*) FROM t.{table}"),
                "only_in_ref": one(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})"),
                "only_in_trial": one(f"SELECT count(*) FROM ({b} EXCEPT ALL {a})"),
            }

        out = {
            "resources": both_ways("resources", MODEL_COLUMNS),
            "raw_records": both_ways("raw_records", RAW_COLUMNS),
            "resource_history": both_ways("resource_history", HISTORY_COLUMNS),
            "history_counts": both_ways(
                "resource_history",
                "record_id, count(*) OVER (PARTITION BY record_id) AS n",
            ),
        }
        # the same rows in record_id order: the first record_id that differs, if any
        out["resources"]["first_difference"] = one(
            f"SELECT min(record_id) FROM ((SELECT {MODEL_COLUMNS} FROM r.resources EXCEPT ALL "
            f"SELECT {MODEL_COLUMNS} FROM t.resources) UNION ALL (SELECT {MODEL_COLUMNS} "
            f"FROM t.resources EXCEPT ALL SELECT {MODEL_COLUMNS} FROM r.resources))"
        )
        out["duplicate_new_rows"] = one(
            "SELECT count(*) FROM (SELECT record_id FROM t.resource_history "
            "WHERE change = 'new' GROUP BY record_id HAVING count(*) > 1)"
        )
        out["last_run_status"] = one(
            "SELECT status FROM t.harvest_runs ORDER BY started_at DESC, run_id DESC LIMIT 1"
        )
        out["run_statuses"] = dict(
            con.execute("SELECT status, count(*) FROM t.harvest_runs GROUP BY 1").fetchall()
        )
        out["identical"] = (
            all(
                out[k]["only_in_ref"] == 0
                and out[k]["only_in_trial"] == 0
                and out[k]["ref_rows"] == out[k]["trial_rows"]
                for k in ("resources", "raw_records", "resource_history", "history_counts")
            )
            and out["duplicate_new_rows"] == 0
            and out["last_run_status"] == "ok"
        )
        return out
    finally:
        con.close()


def runs_of(db: Path) -> list[dict]:
    """Every run of the trial warehouse in start order, with its committed pages and how
    many of them repeat a page URL committed by an earlier run."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT r.run_id, r.started_at, r.mode, r.status, r.resumed_from_run_id, "
            "  r.records_seen, "
            "  (SELECT count(*) FROM raw_pages p WHERE p.run_id = r.run_id) AS pages, "
            "  (SELECT count(*) FROM raw_pages p WHERE p.run_id = r.run_id AND EXISTS ("
            "     SELECT 1 FROM raw_pages q JOIN harvest_runs e ON e.run_id = q.run_id "
            "     WHERE q.url = p.url AND e.started_at < r.started_at)) AS pages_again, "
            "  (SELECT count(*) FROM harvest_windows w WHERE w.run_id = r.run_id "
            "     AND w.carried_from_run_id IS NOT NULL AND w.status = 'done') AS carried_done "
            "FROM harvest_runs r ORDER BY r.started_at, r.run_id"
        ).fetchall()
        names = [d[0] for d in con.description]
        return [dict(zip(names, row, strict=True)) for row in rows]
    finally:
        con.close()


# --------------------------------------------------------------------------- plan


def plan(trials: int, max_kills: int, rng: random.Random, ref: dict) -> list[list[tuple]]:
    """Kill triggers per trial (the last attempt of each trial runs to its end)."""
    wall, t_identify, list_pages = ref["wall_s"], ref["t_identify_s"], ref["list_records"]
    special = [
        [("verb", "Identify", 1)],  # during Identify: as soon as the server answered it
        [("time", round(rng.uniform(0.05, max(0.1, t_identify * 0.95)), 3))],  # start-up
        [("verb", "ListRecords", list_pages)],  # the last page served: final loads, finish
        [("time", round(rng.uniform(0.95, 0.995) * wall, 3))],  # very late
    ]
    out = []
    for i in range(trials):
        if i < len(special):
            out.append(special[i])
            continue
        kills = rng.randint(1, max_kills)
        out.append([("time", round(rng.uniform(0.02, 0.97) * wall, 3)) for _ in range(kills)])
    return out


def reference(server: BenchServer, workdir: Path, timeout_s: float, settle_s: float) -> dict:
    """The clean harvest; also when the server first answered Identify (for the plan)."""
    db = workdir / "ref.duckdb"
    remove_db(db)
    before = verb_counts(server)
    started = time.monotonic()
    t_identify = None
    with open(workdir / "ref.log", "wb") as log:
        proc = subprocess.Popen(harvest_cmd(server.url, db), stdout=subprocess.PIPE, stderr=log)
        try:
            deadline = started + timeout_s
            while proc.poll() is None and time.monotonic() < deadline:
                if t_identify is None and delta(verb_counts(server), before).get("Identify"):
                    t_identify = time.monotonic() - started
                time.sleep(POLL_S)
            if proc.poll() is None:
                raise RuntimeError("reference harvest timed out")
            out, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
    wall = time.monotonic() - started
    time.sleep(settle_s)
    result = json.loads(out.decode().strip().splitlines()[-1])
    if proc.returncode != 0 or result["status"] != "ok":
        raise RuntimeError(f"reference harvest did not end ok: {result}")
    requests = delta(verb_counts(server), before)
    return {
        "db": str(db),
        "wall_s": round(wall, 3),
        "t_identify_s": round(t_identify or 0.5, 3),
        "requests": requests,
        "list_records": requests.get("ListRecords", 0),
        "pages": result["pages"],
        "windows": result["windows"],
        "result": result,
    }


# --------------------------------------------------------------------------- main


def run_trial(
    index: int, triggers: list[tuple], server: BenchServer, workdir: Path, ref: dict, args
) -> dict:
    db = workdir / f"trial{index:02d}.duckdb"
    log = workdir / f"trial{index:02d}.log"
    remove_db(db)
    log.unlink(missing_ok=True)
    timeout_s = max(120.0, 10 * ref["wall_s"])
    attempts = []
    for trigger in [*triggers, None]:
        attempts.append(attempt(server, server.url, db, trigger, timeout_s, args.settle, log))
        if not attempts[-1]["killed"]:
            break  # finished before the kill moment (or the final attempt): done
    last = attempts[-1]
    runs = runs_of(db) if db.exists() else []
    # map runs to attempts by start time: an attempt killed before it created its run
    # has none
    for a in attempts:
        a["run_id"] = None
    for run in runs:
        owner = [a for a in attempts if a["started_epoch"] <= run["started_at"].timestamp()]
        if owner:
            owner[-1]["run_id"] = run["run_id"]
    by_id = {r["run_id"]: r for r in runs}
    resumes = []
    for a in attempts:
        run = by_id.get(a["run_id"]) if a["run_id"] else None
        # pages (ListRecords answers that were not OAI errors such as noRecordsMatch)
        fetched = a["requests"].get("ListRecords", 0) - a["requests"].get("errors", 0)
        committed = run["pages"] if run else 0
        a["pages_fetched"] = fetched
        a["pages_committed"] = committed
        a["run_status"] = run["status"] if run else None
        if a["killed"]:
            # pages the killed process fetched but had not committed: the next attempt
            # fetches them again
            resumes.append(max(0, fetched - committed))
    cmp = compare(Path(ref["db"]), db) if db.exists() else {"identical": False}
    total_lr = sum(a["requests"].get("ListRecords", 0) for a in attempts)
    wall = sum(a["wall_s"] for a in attempts)
    return {
        "trial": index,
        "kills": sum(a["killed"] for a in attempts),
        "attempts": attempts,
        "runs": runs,
        "final_rc": last["rc"],
        "final_status": (last["result"] or {}).get("status"),
        "final_resumed_from": (last["result"] or {}).get("resumed_from"),
        "refetched_per_resume": resumes,
        "list_records_total": total_lr,
        "extra_list_records": total_lr - ref["list_records"],
        "committed_pages_repeated": sum(r["pages_again"] for r in runs),
        "wall_s_total": round(wall, 2),
        "overhead_s": round(wall - ref["wall_s"], 2),
        "stale_running_runs": sum(1 for r in runs if r["status"] == "running"),
        "compare": cmp,
        "identical": bool(cmp.get("identical")) and last["rc"] == 0,
    }


def describe(trigger: list | None, ref: dict) -> str:
    if trigger is None:
        return "-"
    if trigger[0] == "verb" and trigger[1] == "Identify":
        return "Identify answered"
    if trigger[0] == "verb":
        return f"ListRecords #{trigger[2]} answered (last page)"
    return f"{trigger[1]:.2f} s ({100 * trigger[1] / ref['wall_s']:.0f} %)"


def markdown(summary: dict) -> str:
    ref = summary["reference"]
    lines = [
        "| trial | kill moments | kills | runs (statuses) | pages re-fetched per resume "
        "| extra ListRecords | wall s (ref "
        f"{ref['wall_s']:.1f}) | identical |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in summary["trials"]:
        moments = "; ".join(
            describe(a["trigger"], ref)
            + ("" if a["killed"] else " (ended first)")
            + (" (its run had ended ok)" if a["killed"] and a["run_status"] == "ok" else "")
            for a in t["attempts"]
            if a["trigger"]
        )
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(t["compare"]["run_statuses"].items()))
        lines.append(
            f"| {t['trial']} | {moments} | {t['kills']} | {len(t['runs'])} ({statuses}) "
            f"| {', '.join(map(str, t['refetched_per_resume'])) or '-'} "
            f"| {t['extra_list_records']} | {t['wall_s_total']:.1f} "
            f"| {'yes' if t['identical'] else 'NO'} |"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--max-kills", type=int, default=3, help="kills per random trial, at most")
    ap.add_argument("--seed", type=int, default=7, help="seed of the kill moments")
    ap.add_argument("--latency-ms", type=float, default=60.0, help="server delay per request")
    ap.add_argument("--settle", type=float, default=0.3, help="s to wait after each process")
    ap.add_argument("--out", type=Path, default=None, help="work dir (default: under /tmp)")
    ap.add_argument("--keep", action="store_true", help="keep the warehouses")
    ap.add_argument("--oer", default=None, help="command that runs the CLI (default .venv/bin/oer)")
    args = ap.parse_args()
    workdir = prepare(args.oer, args.out, "kill-resume-")
    if workdir is None:
        return 2
    code_at_start = code_state()
    rng = random.Random(args.seed)
    server = BenchServer(workdir, ["--n", str(args.n), "--latency-ms", str(args.latency_ms)])
    try:
        ref = reference(server, workdir, max(300.0, args.n / 20), args.settle)
        print(
            f"reference: {ref['result']['records']} records, {ref['pages']} pages, "
            f"{ref['windows']} windows in {ref['wall_s']:.1f} s (Identify at "
            f"{ref['t_identify_s']:.2f} s)",
            file=sys.stderr,
        )
        trials = []
        for i, triggers in enumerate(plan(args.trials, args.max_kills, rng, ref)):
            trial = run_trial(i, triggers, server, workdir, ref, args)
            trials.append(trial)
            print(
                f"trial {i}: kills {trial['kills']}, re-fetched {trial['refetched_per_resume']}, "
                f"final {trial['final_status']}, identical {trial['identical']}",
                file=sys.stderr,
            )
    finally:
        server.stop()
    resumes = [n for t in trials for n in t["refetched_per_resume"]]
    identical = sum(t["identical"] for t in trials)
    code_at_end = code_state()
    summary = {
        "code": code_at_start,
        "code_changed_during_run": code_at_end["digest"] != code_at_start["digest"]
        or any(a["code_digest"] != code_at_start["digest"] for t in trials for a in t["attempts"]),
        "n": args.n,
        "seed": args.seed,
        "latency_ms": args.latency_ms,
        "server": server.info,
        "workdir": str(workdir),
        "reference": {k: v for k, v in ref.items() if k != "result"},
        "trials_identical": f"{identical}/{len(trials)}",
        "kills_total": sum(t["kills"] for t in trials),
        "refetched_pages_per_resume": {
            "min": min(resumes, default=None),
            "median": sorted(resumes)[len(resumes) // 2] if resumes else None,
            "max": max(resumes, default=None),
            "mean": round(sum(resumes) / len(resumes), 1) if resumes else None,
        },
        "committed_pages_repeated": sum(t["committed_pages_repeated"] for t in trials),
        "stale_running_runs": sum(t["stale_running_runs"] for t in trials),
        "trials": trials,
    }
    (workdir / "summary.json").write_text(json.dumps(summary, indent=1, default=str))
    print(json.dumps({k: v for k, v in summary.items() if k != "trials"}, default=str))
    print(markdown(summary))
    if not args.keep and identical == len(trials):
        for f in workdir.glob("*.duckdb*"):
            f.unlink()
    elif not args.keep:
        print(f"warehouses kept for inspection in {workdir}", file=sys.stderr)
    return 0 if identical == len(trials) else 1


if __name__ == "__main__":
    sys.exit(main())
