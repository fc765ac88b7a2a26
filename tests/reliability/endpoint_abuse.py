#!/usr/bin/env python3
"""Endpoint abuse (RELIABILITY.md): `crosswalk serve --timeout 2` on loopback against
pathological SPARQL, slow and idle connections, an over-size body, and readers racing updates.

Checks, each printed as `ok` / `FAIL` with its figures, in this order (the ones that leave
work behind last):
  2. an over-size body gets 413;
  3. 500 idle or slow (one header byte at a time) connections do not starve other clients;
  4. 64 readers during a stream of updates (POST update=, bearer token) see the old or the new
     content of the updated graph, never a mix, with 0 errors;
  5. every pathological query (cross products, (p|^p)* closures, huge VALUES, deep nesting)
     gets 503 at the timeout (nesting past 64 brackets: 400 at once), and the server survives;
     the CPU it burns after its response is reported;
  6. p99 of a cheap lookup (GET /api/v1/map/GV.SC-07?to=sp800-53&set=olir-186) while those
     queries run, against idle: ratio <= 2;
  7. the server's CPU time (/proc/PID/stat utime+stime) stops growing within 2 s of the last
     timeout, and its RSS returns near idle (within 25 %).
(1 is the idle baseline.)

Stdlib only. Run from the crate root after a debug build:
  CROSSWALK_SOURCES=../shared/sources python3 tests/reliability/endpoint_abuse.py
By default the server loads the three sources the lookup needs (CSF 2.0, SP 800-53 5.0.1,
OLIR #186) into memory; --all-sources loads every source found. --json FILE writes the figures.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

TOKEN = "reliability-token"
CW = "https://w3id.org/crosswalk/ontology#"
LOOKUP = "/api/v1/map/GV.SC-07?to=sp800-53&set=olir-186"
SUBSET = [
    "nist/csf2/NIST_CSF_v2.0_catalog.json",
    "nist/sp800-53r5/v5.0.1/NIST_SP-800-53_rev5_catalog.json",
    "nist/mappings/Cybersecurity_Framework_v2-0_Concept_Crosswalk_800-53_5_2_0_draft.xlsx",
]
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def values(var_count, n):
    """A VALUES block of `n` rows over `var_count` variables."""
    vs = " ".join(f"?v{i}" for i in range(var_count))
    rows = " ".join("(" + " ".join(str(r * var_count + i) for i in range(var_count)) + ")" for r in range(n))
    return f"VALUES ({vs}) {{ {rows} }}"


def nested(depth, inner):
    return "{ " * depth + inner + " }" * depth


CROSS = "?a ?b ?c . ?d ?e ?f . ?g ?h ?i"
BAD = [
    ("cross product of three patterns", f"SELECT (COUNT(*) AS ?n) WHERE {{ {CROSS} }}"),
    (
        "(p|^p)* closure over every element",
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a (<{CW}relatedTo>|^<{CW}relatedTo>|<{CW}parent>|^<{CW}parent>)* ?b }}",
    ),
    ("(!p|^!p)* closure over every predicate", "SELECT (COUNT(*) AS ?n) WHERE { ?a (!<urn:x:none>|^!<urn:x:none>)* ?b }"),
    (
        "huge VALUES (2 x 20,000 rows) joined with everything",
        f"SELECT (COUNT(*) AS ?n) WHERE {{ {values(1, 20000)} {values(2, 20000).replace('?v0', '?w0').replace('?v1', '?w1')} ?s ?p ?o }}",
    ),
    ("cross product nested 60 groups deep", f"SELECT (COUNT(*) AS ?n) WHERE {nested(60, CROSS)}"),
    ("cross product nested 2,000 groups deep", f"SELECT (COUNT(*) AS ?n) WHERE {nested(2000, CROSS)}"),
    ("cross product nested 50,000 groups deep", f"SELECT (COUNT(*) AS ?n) WHERE {nested(50000, CROSS)}"),
    (
        "OPTIONAL nested 256 deep",
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c " + "OPTIONAL { ?d ?e ?f " * 256 + "}" * 256 + " }",
    ),
    (
        "expression nested 20,000 parentheses deep",
        f"SELECT (COUNT(*) AS ?n) WHERE {{ {CROSS} FILTER({'(' * 20000}?a = ?d{')' * 20000}) }}",
    ),
    (
        "regex join over all literals",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?t ?q ?l FILTER(isLiteral(?o) && REGEX(STR(?l), STR(?o))) }",
    ),
    ("ORDER BY over a cross product", f"SELECT ?a ?d WHERE {{ ?a ?b ?c . ?d ?e ?f }} ORDER BY ?c ?f LIMIT 1"),
]


class Server:
    def __init__(self, binary, sources, timeout, log):
        self.log = open(log, "wb")
        self.proc = subprocess.Popen(
            [binary, "--memory", "--sources", sources, "serve", "--bind", "127.0.0.1:0",
             "--timeout", str(timeout), "--update-token", TOKEN],
            stdout=subprocess.DEVNULL, stderr=self.log,
            env={**os.environ, "CROSSWALK_LOG": "warn"},
        )
        self.port = None
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode}: {open(log).read()}")
            m = re.search(r"on http://127\.0\.0\.1:(\d+)", open(log, errors="replace").read())
            if m:
                self.port = int(m.group(1))
                return
            time.sleep(0.2)
        raise SystemExit("server did not start in 15 minutes")

    def alive(self):
        return self.proc.poll() is None

    def cpu(self):
        """utime + stime of the server, in seconds."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def rss_mb(self):
        with open(f"/proc/{self.proc.pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE / 2**20

    def stop(self):
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def request(port, method, path, body=None, headers=None, timeout=60):
    """(status, body, seconds); status 0 with the exception text on a transport error."""
    t = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        return r.status, data, time.monotonic() - t
    except (OSError, http.client.HTTPException) as e:
        return 0, repr(e).encode(), time.monotonic() - t
    finally:
        c.close()


def raw_status(port, path, media, body):
    """The status of a POST whose body the server may refuse before reading it all (a client
    library would report the reset of its unfinished send instead of the response)."""
    sk = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {media}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    try:
        sk.sendall(head + body)
    except OSError:
        pass
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sk.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    sk.close()
    m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
    return int(m.group(1)) if m else 0


def query(port, text, timeout=60):
    body = urllib.parse.urlencode({"query": text})
    return request(port, "POST", "/sparql", body,
                   {"Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/sparql-results+json"}, timeout)


def percentile(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))
    return xs[k]


def lookups(port, clients, per_client, seconds=None):
    """Latencies (s) of the cheap lookup from `clients` threads (`per_client` each, or as many
    as `seconds` allow), and the non-200 count."""
    lat, errors, lock = [], [0], threading.Lock()
    until = time.monotonic() + seconds if seconds else None

    def run():
        n = 0
        while (until is None and n < per_client) or (until is not None and time.monotonic() < until):
            n += 1
            s, _, dt = request(port, "GET", LOOKUP, timeout=30)
            with lock:
                lat.append(dt)
                if s != 200:
                    errors[0] += 1

    ts = [threading.Thread(target=run) for _ in range(clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return lat, errors[0]


class Results:
    def __init__(self):
        self.failed = 0
        self.checks = 0
        self.figures = {}

    def check(self, name, ok, detail, depends=None):
        self.checks += 1
        tag = "ok  " if ok else "FAIL"
        note = f" [depends on: {depends}]" if depends and not ok else ""
        print(f"{tag} {name}: {detail}{note}", flush=True)
        self.figures[name] = {"ok": bool(ok), "detail": detail, "depends": depends}
        if not ok:
            self.failed += 1


def settle(srv, since, window=0.5, quiet=0.05, limit=15.0):
    """Seconds after `since` until the server's CPU time grows less than `quiet` s over `window`."""
    last = srv.cpu()
    t = time.monotonic()
    while time.monotonic() - since < limit:
        time.sleep(window)
        now = srv.cpu()
        if now - last < quiet:
            return time.monotonic() - window - since
        last = now
    return float("inf")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "debug", "crosswalk"))
    ap.add_argument("--sources", default=os.environ.get("CROSSWALK_SOURCES", "../shared/sources"))
    ap.add_argument("--all-sources", action="store_true")
    ap.add_argument("--timeout", type=float, default=2.0)
    ap.add_argument("--lookups", type=int, default=50, help="lookups per client per phase")
    ap.add_argument("--updates", type=int, default=8)
    ap.add_argument("--abuse-seconds", type=float, default=8.0, help="lookups measured this long under abuse")
    ap.add_argument("--json")
    a = ap.parse_args()
    if not os.path.isfile(os.path.join(a.sources, "nist/MANIFEST.md")):
        if os.environ.get("CI") == "true":
            raise SystemExit(f"CI=true but the NIST sources are not at {a.sources}")
        print(f"SKIP: NIST sources not found at {a.sources} (set CROSSWALK_SOURCES)")
        return 0
    work = tempfile.mkdtemp(prefix="cw-abuse-")
    sources = a.sources
    if not a.all_sources:
        sources = os.path.join(work, "sources")
        for rel in SUBSET:
            os.makedirs(os.path.dirname(os.path.join(sources, rel)), exist_ok=True)
            os.symlink(os.path.abspath(os.path.join(a.sources, rel)), os.path.join(sources, rel))
    print(f"== start: {a.bin} --memory serve --timeout {a.timeout} ({'all sources' if a.all_sources else 'CSF 2.0, SP 800-53 5.0.1, OLIR #186'})", flush=True)
    t0 = time.monotonic()
    srv = Server(a.bin, sources, a.timeout, os.path.join(work, "server.log"))
    print(f"   listening on 127.0.0.1:{srv.port} after {time.monotonic() - t0:.1f} s", flush=True)
    r = Results()
    try:
        run_checks(a, srv, r)
    finally:
        srv.stop()
        log = open(os.path.join(work, "server.log"), errors="replace").read()
        if "panicked" in log or "overflow" in log:
            print("server log:\n" + log[-3000:])
        shutil.rmtree(work, ignore_errors=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(r.figures, f, indent=2)
    print(f"== {r.checks - r.failed} ok, {r.failed} failed")
    return 1 if r.failed else 0


def run_checks(a, srv, r):
    port = srv.port
    s, body, _ = request(port, "GET", LOOKUP)
    if s != 200:
        raise SystemExit(f"the lookup fails before any abuse: {s} {body[:300]!r}")
    # Warm up, then the idle baseline.
    lookups(port, 2, 10)
    rss_idle = srv.rss_mb()
    idle, idle_err = lookups(port, 4, a.lookups)
    p99_idle = percentile(idle, 99)
    print(f"== 1. idle: {len(idle)} lookups, p50 {percentile(idle, 50)*1000:.1f} ms, p99 {p99_idle*1000:.1f} ms, {idle_err} errors; RSS {rss_idle:.0f} MB", flush=True)
    r.figures["idle"] = {"p50_ms": percentile(idle, 50) * 1000, "p99_ms": p99_idle * 1000, "rss_mb": rss_idle}

    print("== 2. over-size body", flush=True)
    big = "query=" + urllib.parse.quote("SELECT * WHERE { ?s ?p ?o } #" + "x" * (2 << 20))
    s = raw_status(port, "/sparql", "application/x-www-form-urlencoded", big.encode())
    s2 = raw_status(port, "/sparql", "application/sparql-query",
                    ("SELECT * WHERE { ?s ?p ?o } #" + "x" * (2 << 20)).encode())
    r.check("over-size body gets 413", s == 413 and s2 == 413, f"form {s}, sparql-query {s2} (2 MiB, limit 1 MiB)")

    print("== 3. 500 idle or slow connections", flush=True)
    socks, refused = [], 0
    for i in range(500):
        try:
            sk = socket.create_connection(("127.0.0.1", port), timeout=5)
            if i % 2:
                sk.sendall(b"GET " + LOOKUP.encode() + b" HTTP/1.1\r\nHost: x\r\n")
            socks.append(sk)
        except OSError:
            refused += 1
    drip_stop = threading.Event()

    def drip():
        # Slowloris: one more header byte on each slow connection every half second.
        while not drip_stop.is_set():
            for sk in socks[1::2]:
                try:
                    sk.send(b"X")
                except OSError:
                    pass
            drip_stop.wait(0.5)

    dt = threading.Thread(target=drip)
    dt.start()
    time.sleep(1.0)
    held, held_err = lookups(port, 4, a.lookups)
    drip_stop.set()
    dt.join()
    still_open = 0
    for sk in socks:
        try:
            sk.setblocking(False)
            still_open += sk.recv(1) != b""
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
        sk.close()
    p99_held = percentile(held, 99)
    r.check("500 idle/slow connections do not starve other clients", held_err == 0 and p99_held <= max(2 * p99_idle, 0.25),
            f"{500 - refused} connections held ({still_open} still open at the end); lookups p99 {p99_held*1000:.0f} ms "
            f"(idle {p99_idle*1000:.0f} ms), {held_err} errors of {len(held)}")

    print(f"== 4. 64 readers during {a.updates} updates", flush=True)
    g, subj, k = "urn:crosswalk-reliability:g", "urn:crosswalk-reliability:s", 8
    read = (f"SELECT ?p ?o WHERE {{ GRAPH <{g}> {{ <{subj}> ?p ?o }} }}")

    def update_text(v):
        triples = " ".join(f'<{subj}> <urn:crosswalk-reliability:p{i}> "v{v}" .' for i in range(k))
        return (f"DELETE WHERE {{ GRAPH <{g}> {{ <{subj}> ?p ?o }} }} ; "
                f"INSERT DATA {{ GRAPH <{g}> {{ {triples} }} }}")

    done = threading.Event()
    stats = {"reads": 0, "mixes": 0, "errors": 0, "backwards": 0, "seen": set()}
    lock = threading.Lock()

    def reader():
        last = -1
        while not done.is_set():
            s, body, _ = query(port, read, timeout=30)
            with lock:
                stats["reads"] += 1
                if s != 200:
                    stats["errors"] += 1
                    continue
            rows = json.loads(body)["results"]["bindings"]
            vs = {row["o"]["value"] for row in rows}
            with lock:
                if rows and (len(rows) != k or len(vs) != 1):
                    stats["mixes"] += 1
                    continue
                v = int(next(iter(vs))[1:]) if rows else 0
                stats["seen"].add(v)
                if v < last:
                    stats["backwards"] += 1
                last = v

    readers = [threading.Thread(target=reader) for _ in range(64)]
    for t in readers:
        t.start()
    upd = []
    for v in range(1, a.updates + 1):
        time.sleep(0.3)
        s, body, dt = request(port, "POST", "/sparql", urllib.parse.urlencode({"update": update_text(v)}),
                              {"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Bearer {TOKEN}"}, timeout=600)
        upd.append((s, dt))
        if s != 204:
            print(f"   update {v}: {s} {body[:200]!r}")
    time.sleep(0.5)
    done.set()
    for t in readers:
        t.join()
    upd_ok = sum(1 for s, _ in upd if s == 204)
    r.figures["updates"] = {"applied": upd_ok, "seconds": [round(d, 2) for _, d in upd]}
    r.check("64 readers during updates: old or new graph, never a mix, 0 errors",
            stats["mixes"] == 0 and stats["errors"] == 0 and stats["backwards"] == 0 and upd_ok == a.updates,
            f"{stats['reads']} reads, {stats['mixes']} mixes, {stats['errors']} errors, {stats['backwards']} went backwards; "
            f"{upd_ok}/{a.updates} updates applied (each {min(d for _, d in upd):.1f}-{max(d for _, d in upd):.1f} s); "
            f"versions seen {sorted(stats['seen'])}")
    rss_idle = srv.rss_mb()  # after the updates' re-inference: the baseline of check 7
    r.figures["rss_before_abuse_mb"] = rss_idle
    print("== 5. pathological queries, one at a time (CPU: during the request / in the 2 s after its response)", flush=True)
    for name, text in BAD:
        cpu0 = srv.cpu()
        s, body, dt = query(port, text, timeout=a.timeout * 30)
        done_at, alive = time.monotonic(), srv.alive()
        # Nesting past the limit is refused before parsing (400): better than a timeout.
        refused = s == 400 and b"nest deeper" in body
        ok = (s == 503 or refused) and dt <= a.timeout + 1.0 and alive
        if alive:
            cpu1 = srv.cpu()
            time.sleep(2.0)
            after = srv.cpu() - cpu1
            quiet = settle(srv, done_at, limit=20.0)
            detail = (f"{s} after {dt:.2f} s; CPU {cpu1 - cpu0:.1f} s during, {after:.1f} s in the 2 s after; "
                      f"quiet {quiet:.1f} s after the response")
            r.figures.setdefault("work_after_response", {})[name] = {"cpu_2s_after": after, "quiet_s": quiet}
        else:
            detail = f"{s} after {dt:.2f} s; SERVER DIED"
        if s not in (503, 0) and not ok:
            detail += f"; body {body[:160]!r}"
        r.check(f"503 at the timeout (or 400 for nesting): {name}", ok, detail,
                "cancellation in joins (vendor/spareval, this branch) and the server stopping work on timeout")
        if not alive:
            raise SystemExit("the server died; the remaining checks need it")

    print("== 6. lookups while pathological queries run", flush=True)
    stop = threading.Event()
    last_timeout = [time.monotonic()]
    bad_status = {}
    rss_peak = [srv.rss_mb()]

    def abuser(i):
        k = i
        while not stop.is_set():
            name, text = BAD[k % 4]  # the four plain shapes: each should cost one timeout
            k += 1
            s, _, _ = query(port, text, timeout=a.timeout * 30)
            bad_status[s] = bad_status.get(s, 0) + 1
            last_timeout[0] = time.monotonic()

    def sampler():
        while not stop.is_set():
            try:
                rss_peak[0] = max(rss_peak[0], srv.rss_mb())
            except OSError:
                return
            time.sleep(0.1)

    threads = [threading.Thread(target=abuser, args=(i,)) for i in range(4)] + [threading.Thread(target=sampler)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    # Long enough for each abusive client to run into several timeouts.
    loaded, loaded_err = lookups(port, 4, 0, seconds=a.abuse_seconds)
    stop.set()
    for t in threads:
        t.join()
    p99_loaded = percentile(loaded, 99)
    ratio = p99_loaded / p99_idle if p99_idle > 0 else float("inf")
    r.figures["loaded"] = {"p50_ms": percentile(loaded, 50) * 1000, "p99_ms": p99_loaded * 1000, "bad_status": bad_status}
    r.check(f"lookup p99 under 4 abusive clients ({a.abuse_seconds:.0f} s) <= 2x idle", ratio <= 2.0 and loaded_err == 0,
            f"p99 {p99_loaded*1000:.0f} ms vs idle {p99_idle*1000:.0f} ms = {ratio:.1f}x; p50 {percentile(loaded, 50)*1000:.0f} ms; "
            f"{loaded_err} lookup errors of {len(loaded)}; abusive responses {bad_status}",
            "CPU share: until its timeout each abusive query keeps a core busy, and this machine has 2; "
            "the server would have to admit fewer expensive queries than it has cores")

    print("== 7. CPU and memory after the timeouts", flush=True)
    since = last_timeout[0]
    quiet_after = settle(srv, since)
    time.sleep(max(0.0, since + 2.0 - time.monotonic()))
    c2 = srv.cpu()
    time.sleep(2.0)
    c4 = srv.cpu()
    rss_4 = srv.rss_mb()
    # The allocator hands freed memory back to the system lazily: RSS again 15 s on.
    time.sleep(max(0.0, since + 15.0 - time.monotonic()))
    rss_after = srv.rss_mb()
    r.check("CPU time stops growing within 2 s of the last timeout", quiet_after <= 2.0,
            f"quiet {quiet_after:.1f} s after the last 503; {c4 - c2:.2f} s CPU between +2 s and +4 s",
            "the server stopping work on timeout (another branch)")
    r.check("RSS returns near idle (within 25 %) 15 s after the last timeout", rss_after <= rss_idle * 1.25,
            f"before the abuse {rss_idle:.0f} MB, peak {rss_peak[0]:.0f} MB, {rss_4:.0f} MB at +4 s, {rss_after:.0f} MB at +15 s",
            "the server stopping work on timeout (another branch)")

    r.check("server alive at the end", srv.alive(), "running" if srv.alive() else f"exited {srv.proc.returncode}")


if __name__ == "__main__":
    sys.exit(main())
