"""crosswalk against its peers, in one run (issue 19, item 4). Started by run.sh, which makes
the venv; configured by the environment (README.md beside this file).

1. load the real NIST sources with the CLI into a fresh disk store (wall, peak RSS), export it
   as N-Quads, and bulk-load that export into the Oxigraph CLI, pyoxigraph (disk and memory)
   and rdflib;
2. ask the five reference questions (questions/*.rq) of every engine: crosswalk's CLI (`query`
   and the command that answers the same question), its HTTP server (/sparql and the JSON API,
   with and without the answer cache), a fresh pyoxigraph process on a read-only disk store,
   the Oxigraph CLI, and pyoxigraph / rdflib warm in one process; fail if any rows differ;
3. print the ratios (tool ÷ peer, median of PEERS_RUNS, same run), the loads, and the
   user-set scaling curve (synthetic SSSOM sets of PEERS_SIZES rows: load, coverage, RSS).
"""

import csv
import datetime
import http.client
import io
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import synth

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
QUESTIONS = HERE / "questions"
WORKER = [sys.executable, str(HERE / "worker.py")]
TIME = "/usr/bin/time"

PREFIXES = """PREFIX cw: <https://w3id.org/crosswalk/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def log(msg: str) -> None:
    print(f"[peers {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- configuration -----------------------------------------------------------------------------

@dataclass
class Config:
    bin: str
    sources: str
    runs: int
    sizes: list[int]
    scale_runs: int
    out: str | None
    keep: bool
    oxigraph: str | None  # the Oxigraph CLI, when the venv has it

    @staticmethod
    def from_env() -> "Config":
        sizes = [int(s) for s in os.environ.get("PEERS_SIZES", "10000,50000,100000").split(",") if s]
        if os.environ.get("PEERS_MILLION") == "1" and 1_000_000 not in sizes:
            sizes.append(1_000_000)
        ox = shutil.which("oxigraph", path=str(Path(sys.executable).parent))
        return Config(
            bin=os.environ["CROSSWALK_BIN"],
            sources=os.environ["CROSSWALK_SOURCES"],
            runs=int(os.environ.get("PEERS_RUNS", "20")),
            sizes=sizes,
            scale_runs=int(os.environ.get("PEERS_SCALE_RUNS", "3")),
            out=os.environ.get("PEERS_OUT") or os.environ.get("OUT"),
            keep=os.environ.get("PEERS_KEEP") == "1",
            oxigraph=ox,
        )


# -- processes ---------------------------------------------------------------------------------

@dataclass
class Measured:
    wall: float  # seconds
    rss_kib: int
    stdout: str


def measured(cmd: list[str], stdout=None) -> Measured:
    """Run cmd once: wall (perf_counter around it) and peak RSS (GNU time, else worker.py
    rusage, which reads RUSAGE_CHILDREN of a process that has just this one child)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        wrap = ([TIME, "-f", "%e %M", "-o", t.name] if os.access(TIME, os.X_OK)
                else WORKER + ["rusage", t.name])
        start = time.perf_counter()
        p = subprocess.run(wrap + cmd, stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        wall = time.perf_counter() - start
        if p.returncode != 0:
            sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-3000:]}")
        rss = int(t.read().split()[-1])
    return Measured(wall, rss, p.stdout or "")


def run(cmd: list[str]) -> str:
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-3000:]}")
    return p.stdout


def fresh(cmd: list[str], runs: int) -> tuple[str, list[float]]:
    """A fresh process per run: one untimed run first (its output gives the rows; it also
    warms the page cache, so every timed run starts alike), then `runs` timed ones (ms)."""
    out = run(cmd)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run(cmd)
        times.append((time.perf_counter() - start) * 1000)
    return out, times


def parse_csv(text: str) -> list[tuple[str, ...]]:
    """Rows of a CSV answer, header dropped."""
    return [tuple(r) for r in list(csv.reader(io.StringIO(text)))[1:]]


# -- the questions -----------------------------------------------------------------------------

def map_rows(records) -> list[tuple]:
    """`map` answers (CLI CSV or API JSON) in the questions' columns; its two-hop answers
    (how = via …) belong to another query."""
    return [(r["target"], r["relationship"], r["set"], r["how"], r["mapping"])
            for r in records if r["how"] in ("direct", "inverse")]


def covered_pairs(records, split) -> list[tuple]:
    return [(r["focal"], t) for r in records for t in split(r["covered_by"]) if t]


@dataclass
class Question:
    name: str        # questions/NAME.rq
    label: str
    command: list[str]   # the crosswalk command answering it (CSV)
    api: str         # the JSON API path answering it
    from_csv: object     # command CSV records → rows in the question's columns
    from_json: object    # API JSON → rows in the question's columns

    @property
    def text(self) -> str:
        return (QUESTIONS / f"{self.name}.rq").read_text(encoding="utf-8")


def gaps_rows(records) -> list[tuple]:
    return [(r["focal"],) for r in records]


QUESTION_LIST = [
    Question("a-crosswalk", "(a) GV.SC-07 → SP 800-53, olir-186",
             ["map", "GV.SC-07", "--to", "sp800-53", "--set", "olir-186"],
             "/api/v1/map/GV.SC-07?to=sp800-53&set=olir-186",
             map_rows, lambda j: map_rows(j["answers"])),
    Question("b-reverse", "(b) CSF → RA-3, any set",
             ["map", "RA-3", "--to", "csf"],
             "/api/v1/map/RA-3?to=csf",
             map_rows, lambda j: map_rows(j["answers"])),
    Question("c-coverage", "(c) coverage MODERATE, olir-186",
             ["coverage", "--from", "csf", "--to", "sp800-53", "--baseline", "MODERATE",
              "--set", "olir-186"],
             "/api/v1/coverage?from=csf&to=sp800-53&baseline=MODERATE&set=olir-186",
             lambda rs: covered_pairs(rs, lambda s: s.split("|")),
             lambda j: covered_pairs(j["rows"], lambda ts: ts)),
    Question("d-gaps", "(d) gaps LOW, olir-186",
             ["gaps", "--from", "csf", "--to", "sp800-53", "--baseline", "LOW",
              "--set", "olir-186"],
             "/api/v1/gaps?from=csf&to=sp800-53&baseline=LOW&set=olir-186",
             gaps_rows, lambda j: gaps_rows(j["rows"])),
    Question("e-cyber-ai", "(e) Cyber AI Secure p1, no LOW control",
             ["gaps", "--from", "csf", "--to", "sp800-53", "--baseline", "LOW",
              "--profile", "cyber-ai", "--focus", "secure", "--priority", "1"],
             "/api/v1/gaps?from=csf&to=sp800-53&baseline=LOW&profile=cyber-ai&focus=secure"
             "&priority=1",
             gaps_rows, lambda j: gaps_rows(j["rows"])),
]


@dataclass
class Answers:
    """Rows and times per engine and question; rows compared as sets of string tuples."""
    rows: dict = field(default_factory=dict)   # (engine, question) → list of tuples
    ms: dict = field(default_factory=dict)     # (engine, question) → list of ms

    def add(self, engine: str, q: str, rows, ms) -> None:
        self.rows[engine, q] = [tuple(r) for r in rows]
        self.ms[engine, q] = ms

    def median(self, engine: str, q: str) -> float | None:
        ms = self.ms.get((engine, q))
        return statistics.median(ms) if ms else None


# Engines answering the question's SPARQL, and those answering through crosswalk's own
# commands (rows in the same columns, compared with the SPARQL answer).
CLI_QUERY = "crosswalk CLI query"
CLI_COMMAND = "crosswalk CLI command"
HTTP_SPARQL = "crosswalk HTTP /sparql"
HTTP_API = "crosswalk HTTP API"
NOCACHE = " (--cache 0)"
PYOX_FRESH = "pyoxigraph fresh process (read-only disk)"
OX_CLI = "Oxigraph CLI query"
PYOX_MEM = "pyoxigraph-memory"
PYOX_DISK = "pyoxigraph-disk"
RDFLIB = "rdflib"


# -- crosswalk's server ------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`crosswalk serve` on a free loopback port, with one keep-alive connection to it."""

    def __init__(self, cfg: Config, store: Path, extra: list[str]):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [cfg.bin, "--store", str(store), "serve", "--bind", f"127.0.0.1:{self.port}"] + extra,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 180
        while True:
            try:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                self.request("GET", "/healthz")
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"crosswalk serve did not start (exit {self.proc.poll()})")
                time.sleep(0.2)

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict | None = None) -> str:
        self.conn.request(method, path, body=body.encode() if body else None,
                          headers=headers or {})
        r = self.conn.getresponse()
        data = r.read().decode()
        if r.status != 200:
            sys.exit(f"HTTP {r.status} for {method} {path}: {data[:500]}")
        return data

    def sparql(self, text: str) -> str:
        return self.request("POST", "/sparql", text, {
            "Content-Type": "application/sparql-query", "Accept": "text/csv"})

    def close(self) -> None:
        self.conn.close()
        self.proc.terminate()
        self.proc.wait(timeout=60)


def timed_requests(fn, runs: int) -> tuple[str, list[float]]:
    """One untimed request (with the cache on, the miss that fills it), then `runs` timed."""
    first = fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return first, times


def ask_http(cfg: Config, store: Path, answers: Answers, suffix: str, extra: list[str]) -> None:
    srv = Server(cfg, store, extra)
    try:
        for q in QUESTION_LIST:
            text = q.text
            out, ms = timed_requests(lambda: srv.sparql(text), cfg.runs)
            answers.add(HTTP_SPARQL + suffix, q.name, parse_csv(out), ms)
            out, ms = timed_requests(lambda: srv.request("GET", q.api), cfg.runs)
            answers.add(HTTP_API + suffix, q.name, q.from_json(json.loads(out)), ms)
    finally:
        srv.close()


# -- phases ------------------------------------------------------------------------------------

def cw(cfg: Config, store: Path, *args: str) -> list[str]:
    return [cfg.bin, "--store", str(store), *args]


def load_phase(cfg: Config, work: Path) -> tuple[Path, Path, dict]:
    """crosswalk's full load, its export, and the peers' bulk loads of that export."""
    store, nq = work / "store", work / "all.nq"
    loads = {}
    log(f"crosswalk load from {cfg.sources}")
    m = measured(cw(cfg, store, "load", "--sources", cfg.sources))
    quads = int(re.search(r"(\d+) quads in the store", m.stdout).group(1))
    loads["crosswalk load (raw NIST files → disk store, inference included)"] = (m.wall, m.rss_kib, quads)
    log("crosswalk export --format nq")
    with open(nq, "w") as f:
        subprocess.run(cw(cfg, store, "export", "--format", "nq"), stdout=f, check=True)
    if cfg.oxigraph:
        log("Oxigraph CLI load")
        m = measured([cfg.oxigraph, "load", "--location", str(work / "oxcli"), "--file", str(nq)])
        loads["Oxigraph CLI `load` of the export (disk)"] = (m.wall, m.rss_kib, None)
    for what, extra in (("disk", ["--path", str(work / "pyox")]), ("memory", [])):
        log(f"pyoxigraph bulk_load ({what})")
        m = measured(WORKER + ["bulkload", str(nq)] + extra)
        r = json.loads(m.stdout)
        loads[f"pyoxigraph `bulk_load` of the export ({what})"] = (m.wall, m.rss_kib, r["quads"])
    return store, nq, loads


def ask_cli(cfg: Config, store: Path, answers: Answers) -> None:
    for q in QUESTION_LIST:
        log(f"CLI {q.name}")
        out, ms = fresh(cw(cfg, store, "query", f"@{QUESTIONS / q.name}.rq", "--format", "csv"),
                        cfg.runs)
        answers.add(CLI_QUERY, q.name, parse_csv(out), ms)
        out, ms = fresh(cw(cfg, store, *q.command, "--format", "csv"), cfg.runs)
        answers.add(CLI_COMMAND, q.name, q.from_csv(list(csv.DictReader(io.StringIO(out)))), ms)


def ask_fresh_peers(cfg: Config, work: Path, answers: Answers) -> None:
    for q in QUESTION_LIST:
        log(f"fresh peers {q.name}")
        rq = str(QUESTIONS / f"{q.name}.rq")
        out, ms = fresh(WORKER + ["query", str(work / "pyox"), rq], cfg.runs)
        answers.add(PYOX_FRESH, q.name, parse_csv(out), ms)
        if cfg.oxigraph:
            out, ms = fresh([cfg.oxigraph, "query", "--location", str(work / "oxcli"),
                             "--query-file", rq, "--results-format", "csv",
                             "--union-default-graph"], cfg.runs)
            answers.add(OX_CLI, q.name, parse_csv(out), ms)


def ask_warm_peers(cfg: Config, work: Path, nq: Path, answers: Answers, loads: dict) -> None:
    for engine, source in ((PYOX_MEM, nq), (PYOX_DISK, work / "pyox"), (RDFLIB, nq)):
        log(f"warm {engine}")
        r = json.loads(run(WORKER + ["warm", engine, str(source), str(QUESTIONS), str(cfg.runs)]))
        for name, res in r["questions"].items():
            answers.add(engine, name, res["rows"], res["ms"])
        if engine == RDFLIB:
            loads["rdflib `Dataset.parse` of the export (memory; RSS of the process after it)"] = (
                r["load_wall"], r["load_rss_kib"], None)


def disagreements(answers: Answers) -> list[str]:
    """Every engine's rows against the CLI's answer to the same SPARQL, as sets."""
    out = []
    for q in QUESTION_LIST:
        ref = set(answers.rows[CLI_QUERY, q.name])
        for (engine, name), rows in answers.rows.items():
            if name != q.name or engine == CLI_QUERY:
                continue
            got = set(rows)
            if got != ref:
                only_ref = sorted(ref - got)[:8]
                only_got = sorted(got - ref)[:8]
                out.append(f"{q.name}: {engine} gives {len(got)} distinct rows, {CLI_QUERY} "
                           f"{len(ref)}; only in {CLI_QUERY}: {only_ref}; only in {engine}: "
                           f"{only_got}")
    return out


def multiplicities(answers: Answers) -> list[str]:
    """Same set, different row counts: duplicates a union default graph may or may not keep
    (a triple stored in two graphs). Reported, not a failure."""
    out = []
    for q in QUESTION_LIST:
        counts = {e: len(r) for (e, n), r in answers.rows.items() if n == q.name}
        if len(set(counts.values())) > 1:
            out.append(f"{q.name}: row counts {counts}")
    return out


# -- tables ------------------------------------------------------------------------------------

def fmt_ms(ms: float) -> str:
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.1f} ms" if ms >= 10 else f"{ms:.2f} ms"


def ratio_cell(answers: Answers, tool: str, peer: str, q: str) -> str:
    t, p = answers.median(tool, q), answers.median(peer, q)
    if t is None or p is None:
        return "—"
    return f"{t / p:.2f} ({fmt_ms(t)} / {fmt_ms(p)})"


def ratio_table(answers: Answers, runs: int) -> str:
    pairs = [
        (CLI_QUERY, PYOX_FRESH, "CLI `query` ÷ fresh pyoxigraph process (read-only disk)"),
        (CLI_QUERY, OX_CLI, "CLI `query` ÷ Oxigraph CLI `query` (fresh process)"),
        (CLI_COMMAND, PYOX_FRESH, "CLI command (`map`/`coverage`/`gaps`) ÷ fresh pyoxigraph"),
        (HTTP_SPARQL, PYOX_MEM, "HTTP /sparql (cache on, warm) ÷ pyoxigraph in-process (memory)"),
        (HTTP_SPARQL, PYOX_DISK, "HTTP /sparql (cache on, warm) ÷ pyoxigraph in-process (disk)"),
        (HTTP_SPARQL, RDFLIB, "HTTP /sparql (cache on, warm) ÷ rdflib in-process"),
        (HTTP_SPARQL + NOCACHE, PYOX_MEM, "HTTP /sparql (`--cache 0`) ÷ pyoxigraph in-process (memory)"),
        (HTTP_SPARQL + NOCACHE, PYOX_DISK, "HTTP /sparql (`--cache 0`) ÷ pyoxigraph in-process (disk)"),
        (HTTP_API, PYOX_MEM, "HTTP JSON API (cache on, warm) ÷ pyoxigraph in-process (memory)"),
        (HTTP_API + NOCACHE, PYOX_MEM, "HTTP JSON API (`--cache 0`) ÷ pyoxigraph in-process (memory)"),
    ]
    head = "| tool ÷ peer, median of %d (tool / peer) | " % runs + " | ".join(
        q.label for q in QUESTION_LIST) + " |"
    lines = [head, "|---" * (len(QUESTION_LIST) + 1) + "|"]
    for tool, peer, label in pairs:
        lines.append(f"| {label} | " + " | ".join(
            ratio_cell(answers, tool, peer, q.name) for q in QUESTION_LIST) + " |")
    rows = " | ".join(str(len(set(answers.rows[CLI_QUERY, q.name]))) for q in QUESTION_LIST)
    lines.append(f"| distinct answer rows (crosswalk `query`) | {rows} |")
    lines.append("")
    lines.append("Below 1: crosswalk is faster. A fresh process is start + store open + query + CSV "
                 "out; in-process is the query with every row turned into strings; HTTP is one "
                 "request on a keep-alive loopback connection, measured by the client.")
    return "\n".join(lines)


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def load_table(loads: dict) -> str:
    lines = ["| load | wall | peak RSS | quads |", "|---|---|---|---|"]
    for what, (wall, rss, quads) in loads.items():
        lines.append(f"| {what} | {wall:.2f} s | {mib(rss)} | {quads if quads else ''} |")
    cw_load = next(v for k, v in loads.items() if k.startswith("crosswalk"))
    peer_key = next((k for k in loads if k.startswith("Oxigraph CLI")),
                    next(k for k in loads if "(disk)" in k and k.startswith("pyoxigraph")))
    peer = loads[peer_key]
    lines.append("")
    lines.append(f"crosswalk load ÷ {peer_key.split(' of ')[0]}: wall {cw_load[0] / peer[0]:.2f}× "
                 f"(issue 19 target ≤ 0.6), peak RSS {cw_load[1] / peer[1]:.2f}× (target ≤ 1).")
    return "\n".join(lines)


# -- the user-set scaling curve ----------------------------------------------------------------

def notations(cfg: Config, store: Path, scheme: str) -> list[str]:
    """Active unit elements of a scheme (subcategories; controls and enhancements)."""
    text = PREFIXES + f'SELECT ?n WHERE {{ ?e cw:unitInScheme "{scheme}" ; skos:notation ?n }}'
    return [r[0] for r in parse_csv(run(cw(cfg, store, "query", text, "--format", "csv")))]


def coverage_rows_cli(text: str) -> set:
    """`coverage --format csv` as (focal, target, selected) — what coverage.rq returns."""
    out = set()
    for r in csv.DictReader(io.StringIO(text)):
        for col, sel in (("covered_by", "true"), ("mapped_outside_baseline", "false")):
            out.update((r["focal"], t, sel) for t in r[col].split("|") if t)
    return out


def scale_point(cfg: Config, work: Path, store: Path, set_name: str, n: int | None,
                quads_before: int, ids) -> tuple[dict, list[str]]:
    """One point of the curve: load the set into a copy of the store, time `coverage` on it, and
    the same two queries in pyoxigraph over its export. n=None: NIST's olir-186, already in."""
    row, problems = {"set": set_name, "n": n}, []
    copy = store
    if n is not None:
        path = work / f"{set_name}.sssom.tsv"
        synth.write(str(path), n, set_name, *ids)
        copy = work / f"store-{set_name}"
        shutil.copytree(store, copy, symlinks=True)
        log(f"load --mapping {set_name}")
        m = measured(cw(cfg, copy, "load", "--mapping", str(path), "--set-name", set_name))
        after = int(re.search(r"(\d+) quads in the store", m.stdout).group(1))
        row.update(load=m.wall, rss=m.rss_kib, added=after - quads_before)
    params = ["fromScheme=csf", "toScheme=sp800-53", f"setScheme={set_name}", "baseline=MODERATE"]
    log(f"coverage {set_name}")
    out, ms = fresh(cw(cfg, copy, "coverage", "--from", "csf", "--to", "sp800-53",
                       "--baseline", "MODERATE", "--set", set_name, "--format", "csv"),
                    cfg.scale_runs)
    ours = coverage_rows_cli(out)
    row.update(cw_ms=statistics.median(ms), covered=sum(
        1 for r in csv.DictReader(io.StringIO(out)) if r["covered"] == "yes"))
    nq, pyox = work / f"{set_name}.nq", work / f"pyox-{set_name}"
    with open(nq, "w") as f:
        subprocess.run(cw(cfg, copy, "export", "--format", "nq"), stdout=f, check=True)
    measured(WORKER + ["bulkload", str(nq), "--path", str(pyox)])
    if n is not None and cfg.oxigraph:
        # The peer of the set's load: the Oxigraph CLI bulk-loading the quads that load added
        # (the set's graph and its inferred partition) into a fresh store.
        added, oxcli = work / f"{set_name}-added.nq", work / f"oxcli-{set_name}"
        marks = (f"/graph/user%2F{set_name}>", f"/graph/inferred/mapping/user/{set_name}>")
        with open(nq) as src, open(added, "w") as dst:
            for line in src:
                if line.rstrip().rstrip(".").rstrip().endswith(marks):
                    dst.write(line)
        m = measured([cfg.oxigraph, "load", "--location", str(oxcli), "--file", str(added)])
        row.update(peer_load=m.wall, peer_rss=m.rss_kib)
        for p in (added, oxcli):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    cov = WORKER + ["coverage", str(pyox)]
    queries = str(ROOT / "queries")
    _, ms = fresh(cov + ["0", queries] + params, cfg.scale_runs)
    warm = json.loads(run(cov + [str(cfg.scale_runs), queries] + params))
    row.update(peer_ms=statistics.median(ms), peer_warm_ms=statistics.median(warm["ms"]))
    col = {name: i for i, name in enumerate(warm["names"])}
    theirs = {(r[col["focalNotation"]], r[col["targetNotation"]], r[col["selected"]])
              for r in warm["rows"]}
    if theirs != ours:
        problems.append(f"scaling {set_name}: coverage rows differ: only crosswalk "
                        f"{sorted(ours - theirs)[:8]}, only pyoxigraph {sorted(theirs - ours)[:8]}")
    for p in (nq, pyox) + ((copy,) if n is not None else ()):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    return row, problems


def scale_table(rows: list[dict], runs: int) -> str:
    lines = [
        f"| set | mappings | `load --mapping` wall | peak RSS | quads added | quads / mapping "
        f"| Oxigraph CLI `load` of the added quads (wall, RSS) | load ÷ Oxigraph CLI "
        f"| `coverage` MODERATE (CLI, median of {runs}) | same queries, fresh pyoxigraph "
        f"| ratio (CLI ÷ fresh pyoxigraph) | pyoxigraph in-process | covered |",
        "|---" * 13 + "|",
    ]
    for r in rows:
        n = r["n"]
        peer = (f"{r['peer_load']:.2f} s, {mib(r['peer_rss'])} | {r['load'] / r['peer_load']:.2f}"
                if "peer_load" in r else "— | —")
        load = (f"{r['load']:.2f} s | {mib(r['rss'])} | {r['added']:,} | {r['added'] / n:.1f} | {peer}"
                if n else "— (NIST's set, in the full load) | — | — | — | — | —")
        lines.append(
            f"| {r['set']} | {n or 746:,} | {load} | {fmt_ms(r['cw_ms'])} | {fmt_ms(r['peer_ms'])} "
            f"| {r['cw_ms'] / r['peer_ms']:.2f} | {fmt_ms(r['peer_warm_ms'])} | {r['covered']} |")
    return "\n".join(lines)


# -- the run -----------------------------------------------------------------------------------

def machine(cfg: Config) -> str:
    kind = ("release" if "/release/" in cfg.bin else "debug" if "debug" in cfg.bin else None)
    if kind is None:  # neither path says: `file` tells whether debug info is in
        desc = run(["file", "-L", cfg.bin]) if shutil.which("file") else ""
        kind = "probably debug (has debug_info)" if "debug_info" in desc else "probably release"
    import pyoxigraph
    import rdflib
    version = run([cfg.bin, "--version"]).strip()
    return "\n".join([
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}; "
        f"nproc: {os.cpu_count()}; load average at start: "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"- binary: `{cfg.bin}` ({version}, {kind} build)",
        f"- peers: pyoxigraph {pyoxigraph.__version__}, rdflib {rdflib.__version__}, Oxigraph CLI "
        + (run([cfg.oxigraph, "--version"]).strip() if cfg.oxigraph else "absent")
        + f"; Python {sys.version.split()[0]}",
        f"- runs per figure: {cfg.runs} (scaling: {cfg.scale_runs}); sources: `{cfg.sources}`",
    ])


def main() -> int:
    cfg = Config.from_env()
    work = Path(tempfile.mkdtemp(prefix="crosswalk-peers-", dir=os.environ.get("PEERS_TMP")))
    log(f"scratch directory {work}")
    try:
        header = machine(cfg)
        store, nq, loads = load_phase(cfg, work)
        quads_before = next(v for k, v in loads.items() if k.startswith("crosswalk"))[2]
        answers = Answers()
        ask_cli(cfg, store, answers)
        ask_fresh_peers(cfg, work, answers)
        ask_warm_peers(cfg, work, nq, answers, loads)
        log("HTTP, cache on")
        ask_http(cfg, store, answers, "", [])
        log("HTTP, --cache 0")
        ask_http(cfg, store, answers, NOCACHE, ["--cache", "0"])
        problems = disagreements(answers)
        ids = (notations(cfg, store, "csf"), notations(cfg, store, "sp800-53"))
        points = []
        for set_name, n in [("olir-186", None)] + [(f"synth{n}", n) for n in cfg.sizes]:
            row, bad = scale_point(cfg, work, store, set_name, n, quads_before, ids)
            points.append(row)
            problems += bad
    finally:
        if cfg.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    dupes = multiplicities(answers)
    report = "\n\n".join([
        "## Peer run", header,
        "### Five reference questions: tool ÷ peer", ratio_table(answers, cfg.runs),
        "### Loads", load_table(loads),
        "### User-set scaling curve (synthetic SSSOM, CSF 2.0 → SP 800-53)",
        scale_table(points, cfg.scale_runs),
    ] + (["Row counts that differ (duplicates through the union default graph; sets equal):\n"
          + "\n".join(f"- {m}" for m in dupes)] if dupes else [])
    ) + "\n"
    if problems:
        report += "\n**FAIL: engines disagree**\n\n" + "\n".join(f"- {p}" for p in problems) + "\n"
    print(report)
    if cfg.out:
        with open(cfg.out, "a", encoding="utf-8") as f:
            f.write(report + "\n")
    if problems:
        print("FAIL: the engines' rows disagree (above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
