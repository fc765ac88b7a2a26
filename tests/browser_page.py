#!/usr/bin/env python3
"""Drive the page of a running `crosswalk serve` in Debian's headless Chromium.

    python3 tests/browser_page.py http://127.0.0.1:PORT [SCREENSHOT_DIR]

Needs the PyPI package playwright (its Python API only: no `playwright install`; the
browser is /usr/bin/chromium from Debian's chromium package). Prints one line per check,
fails on any check, uncaught page error or unexpected console error, and exits non-zero.
With SCREENSHOT_DIR, saves a PNG of the page after each check.
"""
import os
import re
import sys

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000

CROSSWALK_QUERY = (
    "PREFIX cw: <https://w3id.org/crosswalk/ontology#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    'SELECT ?n WHERE { ?e cw:lookupKey "GV.SC-07" . ?m cw:subject ?e ; cw:object ?t ; '
    'cw:basis ?m ; cw:mappingSet ?set . ?set cw:scheme "olir-186" . ?t skos:notation ?n } '
    "ORDER BY ?n"
)
EXPECTED_CROSSWALK = ["RA-9", "SA-4", "SA-9", "SR-3", "SR-6"]
MALFORMED_QUERY = "SELECT ?n WHERE { ?e <https://w3id.org/crosswalk/ontology#lookupKey> "


class CheckFailed(AssertionError):
    pass


def expect(cond, message):
    if not cond:
        raise CheckFailed(message)


class Watch:
    """Collects uncaught page errors and console errors; some HTTP errors may be expected."""

    def __init__(self):
        self.problems = []
        self.expected_http = None  # (status, path suffix) while a check expects a failed request
        self.expected_seen = 0

    def on_console(self, msg):
        if msg.type != "error":
            return
        text = msg.text
        url = (msg.location or {}).get("url", "")
        if self.expected_http is not None:
            status, suffix = self.expected_http
            if text.startswith("Failed to load resource") and f"status of {status}" in text \
                    and url.split("?")[0].endswith(suffix):
                self.expected_seen += 1
                return
        self.problems.append(f"console error: {text} (at {url or 'unknown location'})")

    def on_pageerror(self, err):
        self.problems.append(f"uncaught page error: {err}")


def texts(locator):
    return [t.strip() for t in locator.all_text_contents()]


def wait_text(page, selector, pattern, what):
    """Waits until the element's textContent matches `pattern` (a regex string)."""
    try:
        page.wait_for_function(
            "([sel, pat]) => { const n = document.querySelector(sel);"
            " return !!n && new RegExp(pat).test(n.textContent); }",
            arg=[selector, pattern],
            timeout=TIMEOUT_MS,
        )
    except PlaywrightError:
        current = page.eval_on_selector(selector, "n => n.textContent") if page.query_selector(selector) else None
        raise CheckFailed(f"{what}: {selector} never matched /{pattern}/ (text now: {current!r})")


def page_errors(page):
    """The texts of visible error boxes, for failure messages."""
    return {
        sel: page.text_content(sel)
        for sel in ("#sparql-error", "#named-error", "#browse-error")
        if page.is_visible(sel)
    }


# ---------------------------------------------------------------- checks


def check_load(page, base, watch):
    resp = page.goto(base + "/")
    expect(resp is not None and resp.ok, f"GET / should be 200, got {resp.status if resp else None}")
    expect(page.is_visible("#sparql-editor"), "the SPARQL editor should be visible on load")
    sample = page.input_value("#sparql-editor")
    expect("skos:notation" in sample, f"the editor should be prefilled with a sample query, got {sample!r}")
    page.wait_for_selector("#named-select option[value='element']", state="attached", timeout=TIMEOUT_MS)
    names = page.eval_on_selector_all("#named-select option", "os => os.map(o => o.value).filter(Boolean)")
    expect("crosswalk" in names, f"named queries should include 'crosswalk', got {names!r}")
    return f"page loaded, {len(names)} named queries listed"


def check_sparql_table(page, base, watch):
    page.click("#tab-sparql")
    page.fill("#sparql-editor", CROSSWALK_QUERY)
    page.click("#sparql-run")
    wait_text(page, "#sparql-status", r"^\d+ rows? in \d+ ms$", "SPARQL run")
    page.wait_for_selector("#sparql-results table tbody", state="attached")
    header = texts(page.locator("#sparql-results table thead th"))
    expect(header == ["n"], f"results header should be ['n'], got {header!r}")
    cells = texts(page.locator("#sparql-results table tbody td"))
    expect(cells == EXPECTED_CROSSWALK, f"result cells should be {EXPECTED_CROSSWALK}, got {cells!r}")
    status = page.text_content("#sparql-status").strip()
    expect(status.startswith("5 rows in "), f"status should say 5 rows, got {status!r}")
    expect(not page.is_visible("#sparql-error"), f"no error expected, got {page_errors(page)!r}")
    expect(page.is_enabled("#download-csv") and page.is_enabled("#download-json"),
           "the download buttons should be enabled after a SELECT")
    return f"{cells} ({status})"


def check_sparql_downloads(page, base, watch):
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.click("#download-csv")
    csv = open(info.value.path(), encoding="utf-8").read().splitlines()
    expect(csv[:1] == ["n"] and csv[1:] == EXPECTED_CROSSWALK,
           f"the CSV download should be the header n and the 5 rows, got {csv!r}")
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.click("#download-json")
    body = open(info.value.path(), encoding="utf-8").read()
    expect('"vars"' in body and all(f'"{n}"' in body for n in EXPECTED_CROSSWALK),
           f"the JSON download should be the SPARQL JSON results, got {body[:200]!r}")
    return f"CSV with {len(csv) - 1} rows, JSON as {info.value.suggested_filename}"


def check_sparql_error(page, base, watch):
    page.click("#tab-sparql")
    page.fill("#sparql-editor", MALFORMED_QUERY)
    watch.expected_http, watch.expected_seen = (400, "/sparql"), 0
    try:
        page.click("#sparql-run")
        try:
            page.wait_for_selector("#sparql-error", state="visible", timeout=TIMEOUT_MS)
        except PlaywrightError:
            raise CheckFailed("a malformed query should show #sparql-error")
        message = page.text_content("#sparql-error").strip()
        expect(message, "#sparql-error should carry the server's message, it is empty")
        rows = page.locator("#sparql-results table tbody tr").count()
        expect(rows == 0, f"no result table should remain after an error, found {rows} rows")
        page.wait_for_timeout(200)  # let the browser's own "Failed to load resource" line arrive
    finally:
        watch.expected_http = None
    return f"error shown: {message.splitlines()[0][:80]!r}"


def check_named_query(page, base, watch):
    page.click("#tab-named")
    page.select_option("#named-select", "element")
    page.wait_for_selector("#param-element", state="visible", timeout=TIMEOUT_MS)
    question = page.text_content("#named-question").strip()
    expect(question, "choosing a named query should show its question")
    placeholder = page.get_attribute("#param-element", "placeholder")
    expect(placeholder == "element key", f"#param-element placeholder should be its kind 'element key', got {placeholder!r}")
    page.fill("#param-element", "AC-2")
    page.click("#named-run")
    try:
        page.wait_for_selector("#named-results table", state="attached", timeout=TIMEOUT_MS)
    except PlaywrightError:
        raise CheckFailed(f"the named query 'element' rendered no table; errors: {page_errors(page)!r}")
    header = texts(page.locator("#named-results table thead th"))
    expect("notation" in header, f"the 'element' results should have a notation column, got {header!r}")
    col = header.index("notation")
    values = page.eval_on_selector_all(
        "#named-results table tbody tr",
        "(rows, col) => rows.map(r => r.children[col] ? r.children[col].textContent.trim() : '')",
        col,
    )
    expect("AC-2" in values, f"the notation column should contain AC-2, got {values!r}")
    return f"element key=AC-2 → notation {values!r}"


def check_browse(page, base, watch):
    page.click("#tab-browse")
    page.fill("#browse-id", "GV.SC-07")
    page.click("#browse-go")
    try:
        page.wait_for_selector("#browse-map a.element-link", state="attached", timeout=TIMEOUT_MS)
    except PlaywrightError:
        raise CheckFailed(f"browsing GV.SC-07 showed no mapping links; errors: {page_errors(page)!r}")
    card = page.text_content("#browse-card")
    expect("GV.SC-07" in card, f"the card should show GV.SC-07, got {card[:200]!r}")
    links = texts(page.locator("#browse-map a.element-link"))
    for want in ("RA-9", "SR-6"):
        expect(want in links, f"#browse-map should link {want}, links are {links!r}")
    hrefs = page.eval_on_selector_all("#browse-map a.element-link", "as => as.map(a => a.getAttribute('href'))")
    expect("#browse=RA-9" in hrefs, f"the RA-9 link should point at #browse=RA-9, hrefs are {hrefs!r}")
    headings = texts(page.locator("#browse-map h4"))
    expect(headings, "the mappings should be grouped under one heading per set")
    return f"{len(links)} links in {len(headings)} set(s), incl. RA-9 and SR-6"


def check_follow_link(page, base, watch):
    page.locator("#browse-map a.element-link", has_text=re.compile(r"^\s*RA-9\s*$")).first.click()
    wait_text(page, "#browse-card", r"RA-9", "following the RA-9 link")
    notations = texts(page.locator("#browse-card .card .notation"))
    expect("RA-9" in notations, f"the card should now be RA-9's, card notations are {notations!r}")
    expect("GV.SC-07" not in notations, f"the old card should be gone, card notations are {notations!r}")
    expect(page.evaluate("location.hash") == "#browse=RA-9",
           f"the address should record the browsed id, hash is {page.evaluate('location.hash')!r}")
    expect(page.input_value("#browse-id") == "RA-9", "the id box should show RA-9")
    return f"card now {notations!r}"


def check_hash_start(page, base, watch):
    page.goto(base + "/#browse=AC-2")
    wait_text(page, "#browse-card", r"AC-2", "loading /#browse=AC-2")
    expect(page.is_visible("#panel-browse"), "a #browse= address should open the Browse tab")
    notations = texts(page.locator("#browse-card .card .notation"))
    expect("AC-2" in notations, f"the card should be AC-2's, got {notations!r}")
    return f"card {notations!r} from location.hash"


def check_matrix_click(page, base, watch):
    page.goto(base + "/#matrix")
    page.wait_for_selector("#matrix-grid td[data-cell] a.cell-link", state="attached", timeout=TIMEOUT_MS)
    secure = {p: page.locator(f'#matrix-grid td[data-cell="Secure/{p}"]').count() for p in (1, 2, 3)}
    expect(secure == {1: 23, 2: 33, 3: 50}, f"Secure cells by priority should be 23/33/50, got {secure!r}")
    page.select_option("#matrix-function", "PR")
    wait_text(page, "#matrix-status", r"subcategories", "filtering by PR")
    rows = page.eval_on_selector_all("#matrix-grid tbody th[scope=row] a", "as => as.map(a => a.textContent)")
    expect(rows and all(r.startswith("PR.") for r in rows), f"only PR rows expected, got {rows[:5]!r}")
    page.locator('#matrix-grid a.cell-link[data-key="PR.AA-01/Defend"]').click()
    wait_text(page, "#matrix-detail", r"PR\.AA-01 · Defend", "opening a cell")
    expect("References" in page.text_content("#matrix-detail") or "considerations" in page.text_content("#matrix-detail"),
           "the cell should show its considerations and references")
    expect("cell=PR.AA-01%2FDefend" in page.evaluate("location.hash") or "cell=PR.AA-01/Defend" in page.evaluate("location.hash"),
           f"the address should name the cell, got {page.evaluate('location.hash')!r}")
    return f"{len(rows)} PR rows, cell PR.AA-01/Defend opened"


def check_coverage_click(page, base, watch):
    page.click("#tab-coverage")
    page.click("#coverage-go")
    page.wait_for_selector("#coverage-chart a.bar", state="attached", timeout=TIMEOUT_MS)
    groups = page.eval_on_selector_all("#coverage-chart a.bar", "as => as.map(a => a.getAttribute('data-group'))")
    expect(groups == ["GV", "ID", "PR", "DE", "RS", "RC"], f"one bar per CSF function expected, got {groups!r}")
    page.locator('#coverage-chart a.bar[data-group="GV"] rect.gap').click()
    wait_text(page, "#coverage-gaps", r"Gaps in GV", "clicking the GV bar")
    gaps = texts(page.locator("#coverage-gaps table tbody tr td:first-child a"))
    expect(gaps and all(g.startswith("GV.") for g in gaps), f"the gap list should be GV's, got {gaps!r}")
    return f"{len(groups)} bars; GV gaps {gaps!r}"


def check_graph_click(page, base, watch):
    page.click("#tab-graph")
    page.fill("#graph-id", "GV.SC-07")
    page.click("#graph-go")
    page.wait_for_selector('#graph-svg a.node[data-node="RA-9"]', state="attached", timeout=TIMEOUT_MS)
    n = page.locator("#graph-svg a.node[data-node]").count()
    expect(n > 50, f"GV.SC-07 should have many neighbours, got {n}")
    page.locator('#graph-svg a.node[data-node="RA-9"]').click()
    page.wait_for_selector('#graph-svg a.node[data-center="RA-9"]', state="attached", timeout=TIMEOUT_MS)
    expect(page.evaluate("location.hash") == "#graph=RA-9", f"hash now {page.evaluate('location.hash')!r}")
    back = page.locator('#graph-svg a.node[data-node="GV.SC-07"]').count()
    expect(back >= 1, "RA-9's neighbourhood should lead back to GV.SC-07")
    return f"{n} nodes around GV.SC-07; RA-9 re-centred"


CHECKS = [
    ("load /", check_load),
    ("SPARQL table", check_sparql_table),
    ("SPARQL downloads", check_sparql_downloads),
    ("SPARQL error", check_sparql_error),
    ("named query", check_named_query),
    ("browse", check_browse),
    ("follow element link", check_follow_link),
    ("#browse= at startup", check_hash_start),
    ("matrix: filter and open a cell", check_matrix_click),
    ("coverage: click a bar for its gaps", check_coverage_click),
    ("graph: click a node to re-centre", check_graph_click),
]


def main(argv):
    if len(argv) not in (2, 3):
        print(f"usage: {argv[0]} http://127.0.0.1:PORT [SCREENSHOT_DIR]", file=sys.stderr)
        return 2
    base = argv[1].rstrip("/")
    shots = argv[2] if len(argv) == 3 else None
    if shots:
        os.makedirs(shots, exist_ok=True)
    if not os.path.exists(CHROMIUM):
        print(f"FAIL: {CHROMIUM} not found (apt-get install chromium)", file=sys.stderr)
        return 1
    failures = []
    watch = Watch()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(accept_downloads=True)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on("console", watch.on_console)
            page.on("pageerror", watch.on_pageerror)
            for i, (name, check) in enumerate(CHECKS, 1):
                before = len(watch.problems)
                try:
                    detail = check(page, base, watch)
                    page.wait_for_timeout(50)  # let late console messages of this check arrive
                    new = watch.problems[before:]
                    expect(not new, "; ".join(new))
                except CheckFailed as e:
                    failures.append((name, str(e)))
                    print(f"FAIL {name}: {e}")
                except PlaywrightError as e:
                    failures.append((name, f"playwright: {e.message.splitlines()[0]}"))
                    print(f"FAIL {name}: playwright: {e.message}")
                else:
                    print(f"ok   {name}: {detail}")
                if shots:
                    page.screenshot(path=os.path.join(shots, f"{i:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.png"),
                                    full_page=True)
        finally:
            browser.close()
    print()
    print(f"{len(CHECKS) - len(failures)} passed, {len(failures)} failed")
    if failures:
        for name, message in failures:
            print(f"  - {name}: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
