"""Each fault of the shared server against `oer harvest`, checked against the server's truth.

    .venv/bin/python bench/faults_vs_truth.py [--n 2000] [--seed 42] [--retries N] [--out DIR]

For the clean server and each of the three faults of ../shared/bench/oai_server.py
(`--fault-503 0.05 --retry-after 1 --retry-after-http-date`, `--fault-bad-token`,
`--fault-invalid-char 0.01`) it starts a fresh server (faults fire once per server
lifetime) with `--truth-file`, runs `oer harvest --url URL --prefix oai_dc --db X --json`,
stops the server by PID and checks:

- the run's status (ok; partial is accepted only for the illegal-character fault, whose
  issue code implies partial) and that the server really injected its fault (/stats);
- identity: the (identifier, deleted) pairs in `resources` equal the truth file's, and the
  (identifier, datestamp, deleted) triples equal the server's own records (its generator
  run in-process with the same --n and --seed, no HTTP);
- field values: every model column (transforms.model.RECORD_SCHEMA, less record_id, source,
  content_hash and raw_sha256, which depend on the source name, i.e. the port) equals the
  clean harvest's, record by record;
- the fault is named in `run_issues`: `retried` for each 503 served, `bad_resumption_token`
  (or a `retried` whose reason is bad_resumption_token) for the token, one
  `illegal_xml_char` warning per record the server put an illegal character in, naming
  exactly those records.

Prints a markdown table and a JSON line (also OUT/faults.json); exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from benchkit import OER_CMD, SHARED_BENCH, BenchServer, code_state, prepare

from transforms.model import RECORD_SCHEMA

PORT_DEPENDENT = {"record_id", "source", "content_hash", "raw_sha256"}
FIELDS = [name for name in RECORD_SCHEMA.names if name not in PORT_DEPENDENT]

# Expected statuses: retried 503s and a redone/retried token lose nothing (ok); removed
# illegal characters lose nothing either, but issue_codes lets illegal_xml_char make a run
# partial (when records had to be quarantined), so both are accepted there.


SCENARIOS = [
    ("clean", [], ("ok",)),
    (
        "503, Retry-After as HTTP-date (5 % of pages)",
        ["--fault-503", "0.05", "--retry-after", "1", "--retry-after-http-date"],
        ("ok",),
    ),
    # page 2 (offset 200): the default middle page (offset 1000 at N=2000) lies beyond the
    # end of every date window our harvester lists, so the fault would never fire
    ("badResumptionToken once (page 2)", ["--fault-bad-token", "--bad-token-page", "2"], ("ok",)),
    (
        "illegal XML character (1 % of records)",
        ["--fault-invalid-char", "0.01"],
        ("ok", "partial"),
    ),
]


def load_server_module():
    spec = importlib.util.spec_from_file_location("oai_server", SHARED_BENCH / "oai_server.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(SHARED_BENCH))  # for its `import synth_vocab`
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(SHARED_BENCH))
    return module


def server_truth(n: int, seed: int, flags: list[str]) -> dict:
    """The server's records, generated in-process exactly as the server does."""
    server = load_server_module()
    repo = server.Repository(server.build_args(["--n", str(n), "--seed", str(seed), *flags]))
    triples = {(r.ident, r.datestamp, r.deleted) for r in repo.records}
    faulted = {
        r.ident for r in repo.records if r.dc and any(c in r.dc for c in server.INVALID_CHARS)
    }
    return {"triples": triples, "faulted": faulted}


def harvest(url: str, db: Path, retries: int | None, timeout_s: float, log: Path) -> dict:
    cmd = [*OER_CMD, "harvest", "--url", url, "--prefix", "oai_dc", "--db", str(db), "--json"]
    if retries is not None:
        cmd += ["--retries", str(retries)]
    started = time.monotonic()
    with open(log, "wb") as err:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=err, timeout=timeout_s)
    lines = proc.stdout.decode(errors="replace").strip().splitlines()
    try:
        result = json.loads(lines[-1]) if lines else None
    except ValueError:
        result = None
    return {"rc": proc.returncode, "wall_s": round(time.monotonic() - started, 2), "result": result}


def read_db(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        pairs = set(con.execute("SELECT oai_identifier, deleted FROM resources").fetchall())
        triples = set(
            con.execute("SELECT oai_identifier, datestamp, deleted FROM resources").fetchall()
        )
        issues = con.execute(
            "SELECT code, message, oai_identifier FROM run_issues ORDER BY run_id, seq"
        ).fetchall()
        runs = con.execute("SELECT status, error_code FROM harvest_runs").fetchall()
        return {"pairs": pairs, "triples": triples, "issues": issues, "runs": runs}
    finally:
        con.close()


def field_differences(clean: Path, db: Path) -> dict:
    """(oai_identifier → differing model columns) between two warehouses of one data set."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{clean}' AS c (READ_ONLY)")
        con.execute(f"ATTACH '{db}' AS f (READ_ONLY)")
        differing: dict[str, list[str]] = {}
        for name in FIELDS:
            rows = con.execute(
                f"SELECT oai_identifier FROM c.resources a JOIN f.resources b USING "
                f'(oai_identifier) WHERE a."{name}" IS DISTINCT FROM b."{name}"'
            ).fetchall()
            for (ident,) in rows:
                differing.setdefault(ident, []).append(name)
        only = con.execute(
            "SELECT count(*) FROM (SELECT oai_identifier FROM c.resources EXCEPT "
            "SELECT oai_identifier FROM f.resources) UNION ALL SELECT count(*) FROM ("
            "SELECT oai_identifier FROM f.resources EXCEPT SELECT oai_identifier FROM c.resources)"
        ).fetchall()
        return {"differing": differing, "only_in_clean": only[0][0], "only_in_fault": only[1][0]}
    finally:
        con.close()


def truth_pairs(path: Path) -> set[tuple[str, bool]]:
    with open(path, encoding="utf-8") as f:
        return {(row["identifier"], row["deleted"]) for row in map(json.loads, f)}


def check(name: str, flags: list[str], expected: tuple, outcome: dict, args) -> dict:
    """The checks of one scenario → a row of the table."""
    result = outcome["result"] or {}
    db = read_db(outcome["db"])
    truth = server_truth(args.n, args.seed, flags)
    stats = outcome["stats"]
    codes: dict[str, int] = {}
    for code, _, _ in db["issues"]:
        codes[code] = codes.get(code, 0) + 1
    row: dict = {
        "scenario": name,
        "flags": " ".join(flags),
        "rc": outcome["rc"],
        "status": result.get("status"),
        "expected_status": "|".join(expected),
        "wall_s": outcome["wall_s"],
        "records": len(db["pairs"]),
        "issue_codes": codes,
        "server": {k: stats[k] for k in ("http_503", "bad_token_injected", "errors")},
        "truth_file_identity": db["pairs"] == outcome["truth_pairs"],
        "server_identity": db["triples"] == truth["triples"],
        "missing": len(truth["triples"] - db["triples"]),
        "unexpected": len(db["triples"] - truth["triples"]),
    }
    diff = outcome["fields"]
    faulted = truth["faulted"]
    differing = diff["differing"] if diff else {}
    row["records_differing_from_clean"] = len(differing)
    row["differing_columns"] = sorted({c for cols in differing.values() for c in cols})
    row["differing_faulted_only"] = set(differing) <= faulted
    row["fields_equal_clean"] = (
        diff is not None
        and diff["only_in_clean"] == 0
        and diff["only_in_fault"] == 0
        # the illegal characters are removed, so even the faulted records must be equal
        and not differing
    )
    fault_named = True
    named_by = "-"
    if "--fault-503" in flags:
        retried_503 = sum(1 for c, m, _ in db["issues"] if c == "retried" and "http_503" in m)
        row["retried_503"] = retried_503
        fault_named = stats["http_503"] > 0 and retried_503 == stats["http_503"]
        named_by = f"retried ×{retried_503} (server sent {stats['http_503']} × 503)"
    if "--fault-bad-token" in flags:
        own = codes.get("bad_resumption_token", 0)
        via_retry = sum(
            1 for c, m, _ in db["issues"] if c == "retried" and "bad_resumption_token" in m
        )
        row["bad_token_issues"] = {"bad_resumption_token": own, "retried(bad token)": via_retry}
        fault_named = stats["bad_token_injected"] == 1 and (own + via_retry) >= 1
        named_by = (
            f"bad_resumption_token ×{own}, retried (reason bad_resumption_token) ×{via_retry}"
        )
    if "--fault-invalid-char" in flags:
        warned = [i for c, _, i in db["issues"] if c == "illegal_xml_char"]
        named = {i for i in warned if i}
        row["illegal_xml_char"] = {
            "warnings": len(warned),
            "without_identifier": sum(1 for i in warned if not i),
            "records_faulted_by_server": len(faulted),
            "warned_not_faulted": sorted(named - faulted)[:5],
            "faulted_not_warned": sorted(faulted - named)[:5],
        }
        fault_named = bool(faulted) and named == faulted and len(warned) == len(faulted)
        named_by = f"illegal_xml_char ×{len(warned)} for {len(faulted)} faulted records"
    row["fault_named"] = fault_named
    row["named_by"] = named_by
    row["pass"] = bool(
        row["status"] in expected
        and row["truth_file_identity"]
        and row["server_identity"]
        and row["fields_equal_clean"]
        and fault_named
    )
    return row


def markdown(rows: list[dict]) -> str:
    out = [
        "| scenario | status (expected) | records | = truth file (id, deleted) "
        "| = server (id, datestamp, deleted) | fields = clean harvest | fault in run_issues "
        "| other issue codes | wall s | pass |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        other = ", ".join(
            f"{c} {n}"
            for c, n in sorted(r["issue_codes"].items())
            if c not in ("retried", "bad_resumption_token", "illegal_xml_char")
        )
        fields = "yes"
        if not r["fields_equal_clean"]:
            columns = ", ".join(r["differing_columns"])
            fields = f"NO: {r['records_differing_from_clean']} records ({columns})"
        out.append(
            f"| {r['scenario']} | {r['status']} ({r['expected_status']}) | {r['records']} "
            f"| {'yes' if r['truth_file_identity'] else 'NO'} "
            f"| {'yes' if r['server_identity'] else 'NO'} | {fields} | {r['named_by']} "
            f"| {other or '-'} | {r['wall_s']:.1f} | {'yes' if r['pass'] else 'NO'} |"
        )
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument(
        "--seed",
        type=int,
        default=231,
        help="the server's seed (231: its 503 pages are at offsets 0 and 200, which date "
        "windows reach; with 42 the first is at 2300, beyond every window, so none fires)",
    )
    ap.add_argument("--retries", type=int, default=None, help="oer harvest --retries")
    ap.add_argument("--out", type=Path, default=None, help="work dir (default: under /tmp)")
    ap.add_argument("--oer", default=None, help="command that runs the CLI (default .venv/bin/oer)")
    args = ap.parse_args()
    workdir = prepare(args.oer, args.out, "faults-")
    if workdir is None:
        return 2
    code_at_start = code_state()
    rows, clean_db = [], None
    for i, (name, flags, expected) in enumerate(SCENARIOS):
        d = workdir / f"s{i}"
        d.mkdir(exist_ok=True)
        db = d / "ours.duckdb"
        for f in d.glob("ours.duckdb*"):
            f.unlink()
        server = BenchServer(
            d,
            [
                *("--n", str(args.n), "--seed", str(args.seed)),
                *("--truth-file", str(d / "truth.jsonl")),
                *flags,
            ],
        )
        try:
            outcome = harvest(server.url, db, args.retries, max(300.0, args.n / 10), d / "oer.log")
            outcome["stats"] = server.stats()
        finally:
            server.stop()
        outcome["db"] = db
        outcome["truth_pairs"] = truth_pairs(d / "truth.jsonl")
        if name == "clean":
            clean_db = db
        outcome["fields"] = field_differences(clean_db, db) if clean_db else None
        row = check(name, flags, expected, outcome, args)
        rows.append(row)
        print(json.dumps(row, default=str), file=sys.stderr)
    (workdir / "faults.json").write_text(json.dumps(rows, indent=1, default=str))
    passed = sum(r["pass"] for r in rows)
    summary = {
        "n": args.n,
        "seed": args.seed,
        "passed": f"{passed}/{len(rows)}",
        "code": code_at_start,
        "code_changed_during_run": code_state()["digest"] != code_at_start["digest"],
        "workdir": str(workdir),
    }
    print(json.dumps(summary))
    print(markdown(rows))
    return 0 if passed == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
