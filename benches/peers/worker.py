"""The peers' side of the harness, run as its own process by peers.py so that each load's peak
memory and each fresh-process query time is that process's alone.

    worker.py bulkload NQ [--path DIR]         pyoxigraph bulk_load into memory (or DIR); prints JSON
    worker.py query DIR QUERY.rq [K=V ...]    a fresh process: open DIR read-only, one query, CSV on stdout
    worker.py warm ENGINE NQ|DIR QDIR RUNS    load once, then every QDIR/*.rq RUNS times; JSON on stdout
    worker.py coverage DIR RUNS K=V ...       the `coverage` command's two queries, in process; JSON
    worker.py rusage FILE CMD ...             run CMD, write "WALL_S PEAK_RSS_KIB" to FILE (as time -f '%e %M')

ENGINE: pyoxigraph-memory (NQ), pyoxigraph-disk (DIR, loaded by bulkload), rdflib (NQ).
Imports are lazy: a fresh `query` process pays for pyoxigraph only, as a user's script would.
"""

import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> None:
    mode, args = argv[0], argv[1:]
    {"bulkload": bulkload, "query": query, "warm": warm, "coverage": coverage,
     "rusage": rusage}[mode](args)


# -- terms to strings, the same for every engine ----------------------------------------------

def pyox_rows(results) -> tuple[list[str], list[tuple[str, ...]]]:
    names = [v.value for v in results.variables]
    rows = [tuple("" if s[i] is None else s[i].value for i in range(len(names))) for s in results]
    return names, rows


def rdflib_rows(results) -> tuple[list[str], list[tuple[str, ...]]]:
    names = [str(v) for v in results.vars]
    rows = [tuple("" if t is None else str(t) for t in r) for r in results]
    return names, rows


def peak_rss_kib() -> int:
    # ru_maxrss is KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# -- modes -------------------------------------------------------------------------------------

def bulkload(args: list[str]) -> None:
    import pyoxigraph as ox
    nq = args[0]
    path = args[2] if len(args) > 2 and args[1] == "--path" else None
    start = time.perf_counter()
    store = ox.Store(path) if path else ox.Store()
    store.bulk_load(path=nq, format=ox.RdfFormat.N_QUADS)
    if path:
        store.flush()
    wall = time.perf_counter() - start
    print(json.dumps({"wall": wall, "quads": len(store), "rss_kib": peak_rss_kib()}))


def substitutions(pairs: list[str]) -> dict:
    """K=V → {Variable(K): Literal(V)}: the named queries' parameters are plain literals, bound
    as crosswalk binds them (SEP-0007 substitution, before evaluation)."""
    import pyoxigraph as ox
    return {ox.Variable(k): ox.Literal(v) for k, v in (p.split("=", 1) for p in pairs)}


def query(args: list[str]) -> None:
    import pyoxigraph as ox
    store = ox.Store.read_only(args[0])
    text = Path(args[1]).read_text(encoding="utf-8")
    res = store.query(text, use_default_graph_as_union=True, substitutions=substitutions(args[2:]))
    names, rows = pyox_rows(res)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(names)
    out.writerows(rows)


class Engine:
    """One peer loaded once: run(text) → (names, rows)."""

    def __init__(self, kind: str, source: str):
        start = time.perf_counter()
        if kind == "rdflib":
            import rdflib
            self.ds = rdflib.Dataset(default_union=True)
            self.ds.parse(source, format="nquads")
            self.run = lambda text: rdflib_rows(self.ds.query(text))
        else:
            import pyoxigraph as ox
            if kind == "pyoxigraph-memory":
                self.store = ox.Store()
                self.store.bulk_load(path=source, format=ox.RdfFormat.N_QUADS)
            else:  # pyoxigraph-disk: the store `bulkload --path` wrote
                self.store = ox.Store(source)
            self.run = lambda text, subs=None: pyox_rows(
                self.store.query(text, use_default_graph_as_union=True, substitutions=subs))
        self.load_wall = time.perf_counter() - start
        self.load_rss_kib = peak_rss_kib()


def timed(fn, runs: int) -> tuple[object, list[float]]:
    """fn() once untimed (the warm-up: caches, lazy plans), then `runs` timed calls, in ms."""
    first = fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return first, times


def warm(args: list[str]) -> None:
    kind, source, qdir, runs = args[0], args[1], Path(args[2]), int(args[3])
    engine = Engine(kind, source)
    out = {"engine": kind, "load_wall": engine.load_wall, "load_rss_kib": engine.load_rss_kib,
           "questions": {}}
    for q in sorted(qdir.glob("*.rq")):
        text = q.read_text(encoding="utf-8")
        (names, rows), times = timed(lambda: engine.run(text), runs)
        out["questions"][q.stem] = {"names": names, "rows": rows, "ms": times}
    print(json.dumps(out))


def coverage(args: list[str]) -> None:
    """What `crosswalk coverage` evaluates: queries/focal-units.rq and queries/coverage.rq with
    the same parameters, timed together (warm, in this process) on a disk store."""
    import pyoxigraph as ox
    store_dir, runs, queries, params = args[0], int(args[1]), Path(args[2]), args[3:]
    store = ox.Store.read_only(store_dir)
    subs = substitutions(params)
    units_subs = {k: v for k, v in subs.items() if k.value == "fromScheme"}
    units_text = (queries / "focal-units.rq").read_text(encoding="utf-8")
    cov_text = (queries / "coverage.rq").read_text(encoding="utf-8")

    def both():
        q = lambda t, s: pyox_rows(store.query(t, use_default_graph_as_union=True, substitutions=s))
        return q(units_text, units_subs), q(cov_text, subs)

    (_, (names, rows)), times = timed(both, runs)
    print(json.dumps({"names": names, "rows": rows, "ms": times}))


def rusage(args: list[str]) -> None:
    """The fallback when /usr/bin/time is absent, in its `-f '%e %M' -o FILE` shape:
    RUSAGE_CHILDREN of this small process is its one child's peak."""
    start = time.perf_counter()
    code = subprocess.call(args[1:])
    wall = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    Path(args[0]).write_text(f"{wall:.2f} {rss}\n")
    sys.exit(code)


if __name__ == "__main__":
    main(sys.argv[1:])
