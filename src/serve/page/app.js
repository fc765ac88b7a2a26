// crosswalk's offline page: vanilla ES2020, no dependencies, no build step.
// Every piece of data is inserted with textContent / DOM nodes, never innerHTML.
"use strict";

(() => {
  const SPARQL_JSON = "application/sparql-results+json";

  // ---------- small DOM helpers ----------

  const $ = (id) => document.getElementById(id);

  /** Creates an element; `text` (if not null/undefined) becomes its textContent. */
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === "class") node.className = v;
        else node.setAttribute(k, v === true ? "" : String(v));
      }
    }
    if (text !== null && text !== undefined) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function showError(node, message) {
    node.textContent = message;
    node.hidden = false;
  }

  function hideError(node) {
    node.textContent = "";
    node.hidden = true;
  }

  function plural(n, one, many) {
    return `${n} ${n === 1 ? one : many}`;
  }

  // ---------- HTTP ----------

  /** The message of a failed response: `{"error":{"message"}}` for the API, plain text otherwise. */
  async function failureMessage(res) {
    let text = "";
    try {
      text = await res.text();
    } catch (_) {
      /* body unreadable: fall back to the status line */
    }
    const trimmed = text.trim();
    if (trimmed.startsWith("{")) {
      try {
        const body = JSON.parse(trimmed);
        if (body && body.error) {
          if (typeof body.error === "string") return body.error;
          if (body.error.message) return String(body.error.message);
        }
      } catch (_) {
        /* not JSON after all */
      }
    }
    if (trimmed) return trimmed;
    return `HTTP ${res.status} ${res.statusText || ""}`.trim();
  }

  /** fetch + JSON; throws an Error whose message is the server's on any non-2xx status. */
  async function fetchJson(url, options) {
    let res;
    try {
      res = await fetch(url, options);
    } catch (e) {
      throw new Error(`request failed: ${e && e.message ? e.message : e}`);
    }
    if (!res.ok) {
      const err = new Error(await failureMessage(res));
      err.status = res.status;
      throw err;
    }
    try {
      return await res.json();
    } catch (e) {
      throw new Error(`the server sent a response that is not JSON: ${e.message}`);
    }
  }

  function apiPath(...segments) {
    return "/api/v1/" + segments.map((s) => encodeURIComponent(s)).join("/");
  }

  function sparqlRequest(query, accept) {
    return {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: accept,
      },
      body: new URLSearchParams({ query }).toString(),
    };
  }

  // ---------- SPARQL results table ----------

  function termText(term) {
    if (!term) return "";
    if (term.type === "bnode") return `_:${term.value}`;
    if (term.type === "triple" && term.value && typeof term.value === "object") {
      const t = term.value;
      return `<< ${termText(t.subject)} ${termText(t.predicate)} ${termText(t.object)} >>`;
    }
    return term.value === undefined || term.value === null ? "" : String(term.value);
  }

  /**
   * Renders SPARQL 1.1 JSON results (SELECT or ASK) into `container`.
   * Returns the number of rows (1 for ASK).
   */
  function renderResults(container, json) {
    clear(container);
    if (json && typeof json.boolean === "boolean") {
      container.appendChild(el("p", { class: "boolean" }, json.boolean ? "true" : "false"));
      return 1;
    }
    const vars = (json && json.head && Array.isArray(json.head.vars)) ? json.head.vars : [];
    const bindings = (json && json.results && Array.isArray(json.results.bindings))
      ? json.results.bindings : [];
    const table = el("table", { class: "results-table" });
    const thead = el("thead");
    const headRow = el("tr");
    for (const v of vars) headRow.appendChild(el("th", { scope: "col" }, v));
    thead.appendChild(headRow);
    const tbody = el("tbody");
    for (const row of bindings) {
      const tr = el("tr");
      for (const v of vars) {
        const term = row[v];
        const td = el("td", null, termText(term));
        if (term) {
          td.className = `term-${term.type}`;
          if (term.datatype) td.title = term.datatype;
          else if (term["xml:lang"]) td.title = `@${term["xml:lang"]}`;
        }
        tr.appendChild(td);
      }
      tbody.appendChild(tr);
    }
    table.appendChild(thead);
    table.appendChild(tbody);
    const wrap = el("div", { class: "table-wrap" });
    wrap.appendChild(table);
    container.appendChild(wrap);
    if (bindings.length === 0) container.appendChild(el("p", { class: "note" }, "No results."));
    return bindings.length;
  }

  function download(blob, filename) {
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: filename });
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // ---------- tabs ----------

  const TABS = ["sparql", "named", "browse"];

  function selectTab(name, focus) {
    for (const t of TABS) {
      const tab = $(`tab-${t}`);
      const panel = $(`panel-${t}`);
      const on = t === name;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      panel.hidden = !on;
      if (on && focus) tab.focus();
    }
  }

  function setupTabs() {
    TABS.forEach((t, i) => {
      const tab = $(`tab-${t}`);
      tab.addEventListener("click", () => selectTab(t, false));
      tab.addEventListener("keydown", (e) => {
        let next = null;
        if (e.key === "ArrowRight") next = TABS[(i + 1) % TABS.length];
        else if (e.key === "ArrowLeft") next = TABS[(i + TABS.length - 1) % TABS.length];
        else if (e.key === "Home") next = TABS[0];
        else if (e.key === "End") next = TABS[TABS.length - 1];
        if (next) {
          e.preventDefault();
          selectTab(next, true);
        }
      });
    });
  }

  // ---------- a. SPARQL ----------

  const sparqlState = { query: null, json: null, seq: 0 };

  async function runSparql() {
    const editor = $("sparql-editor");
    const results = $("sparql-results");
    const error = $("sparql-error");
    const status = $("sparql-status");
    const run = $("sparql-run");
    const query = editor.value;
    const seq = ++sparqlState.seq;
    hideError(error);
    status.textContent = "Running…";
    run.disabled = true;
    const started = performance.now();
    try {
      const json = await fetchJson("/sparql", sparqlRequest(query, SPARQL_JSON));
      if (seq !== sparqlState.seq) return;
      const ms = Math.round(performance.now() - started);
      const n = renderResults(results, json);
      sparqlState.query = query;
      sparqlState.json = json;
      $("download-csv").disabled = typeof json.boolean === "boolean";
      $("download-json").disabled = false;
      status.textContent = typeof json.boolean === "boolean"
        ? `answered in ${ms} ms`
        : `${plural(n, "row", "rows")} in ${ms} ms`;
    } catch (e) {
      if (seq !== sparqlState.seq) return;
      clear(results);
      sparqlState.query = null;
      sparqlState.json = null;
      $("download-csv").disabled = true;
      $("download-json").disabled = true;
      status.textContent = "";
      showError(error, e.message);
    } finally {
      if (seq === sparqlState.seq) run.disabled = false;
    }
  }

  async function downloadCsv() {
    if (sparqlState.query === null) return;
    const error = $("sparql-error");
    hideError(error);
    try {
      const res = await fetch("/sparql", sparqlRequest(sparqlState.query, "text/csv"));
      if (!res.ok) throw new Error(await failureMessage(res));
      download(await res.blob(), "results.csv");
    } catch (e) {
      showError(error, e.message);
    }
  }

  function downloadJson() {
    if (sparqlState.json === null) return;
    const blob = new Blob([JSON.stringify(sparqlState.json, null, 2) + "\n"], { type: SPARQL_JSON });
    download(blob, "results.srj");
  }

  function setupSparql() {
    $("sparql-form").addEventListener("submit", (e) => {
      e.preventDefault();
      runSparql();
    });
    $("sparql-editor").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        runSparql();
      }
    });
    $("download-csv").addEventListener("click", downloadCsv);
    $("download-json").addEventListener("click", downloadJson);
  }

  // ---------- b. Named queries ----------

  const namedState = { queries: new Map(), seq: 0 };

  async function loadNamedQueries() {
    const select = $("named-select");
    const error = $("named-error");
    try {
      const json = await fetchJson(apiPath("queries"), { headers: { Accept: "application/json" } });
      const list = json && Array.isArray(json.queries) ? json.queries : [];
      namedState.queries.clear();
      for (const q of list) {
        if (!q || typeof q.name !== "string") continue;
        namedState.queries.set(q.name, q);
        select.appendChild(el("option", { value: q.name }, q.name));
      }
      if (list.length === 0) showError(error, "The server offers no named queries.");
    } catch (e) {
      showError(error, `Could not load the named queries: ${e.message}`);
    }
  }

  function showNamedQuery() {
    const name = $("named-select").value;
    const q = namedState.queries.get(name);
    const params = $("named-params");
    clear(params);
    clear($("named-results"));
    hideError($("named-error"));
    $("named-status").textContent = "";
    $("named-question").textContent = q ? (q.question || "") : "";
    $("named-example").textContent = q && q.example ? `CLI: ${q.example}` : "";
    $("named-run").disabled = !q;
    if (!q) return;
    for (const p of Array.isArray(q.params) ? q.params : []) {
      if (!p || typeof p.name !== "string") continue;
      const id = `param-${p.name}`;
      const row = el("div", { class: "param" });
      row.appendChild(el("label", { for: id }, p.name));
      const input = el("input", {
        id,
        name: p.name,
        type: "text",
        placeholder: p.kind || "",
        title: p.doc || "",
        autocomplete: "off",
        spellcheck: "false",
      });
      row.appendChild(input);
      if (p.doc) row.appendChild(el("span", { class: "param-doc" }, p.doc));
      params.appendChild(row);
    }
  }

  async function runNamed() {
    const name = $("named-select").value;
    const q = namedState.queries.get(name);
    if (!q) return;
    const results = $("named-results");
    const error = $("named-error");
    const status = $("named-status");
    const seq = ++namedState.seq;
    const search = new URLSearchParams();
    for (const p of Array.isArray(q.params) ? q.params : []) {
      const input = $(`param-${p.name}`);
      if (input && input.value !== "") search.append(p.name, input.value);
    }
    const qs = search.toString();
    hideError(error);
    status.textContent = "Running…";
    const started = performance.now();
    try {
      const json = await fetchJson(apiPath("queries", name) + (qs ? `?${qs}` : ""), {
        headers: { Accept: SPARQL_JSON + ", application/json;q=0.9" },
      });
      if (seq !== namedState.seq) return;
      const n = renderResults(results, json);
      status.textContent = `${plural(n, "row", "rows")} in ${Math.round(performance.now() - started)} ms`;
    } catch (e) {
      if (seq !== namedState.seq) return;
      clear(results);
      status.textContent = "";
      showError(error, e.message);
    }
  }

  function setupNamed() {
    $("named-select").addEventListener("change", showNamedQuery);
    $("named-form").addEventListener("submit", (e) => {
      e.preventDefault();
      runNamed();
    });
  }

  // ---------- c. Browse ----------

  const browseState = { seq: 0 };

  function hashFor(id) {
    return `#browse=${encodeURIComponent(id)}`;
  }

  /** An `<a class="element-link">` that browses `id` when followed. */
  function elementLink(id, text) {
    return el("a", { href: hashFor(id), class: "element-link", "data-id": id },
      text === undefined ? id : text);
  }

  /** The notation of a value that may be a notation string, an [notation, …] tuple or an object. */
  function notationOf(v) {
    if (v === null || v === undefined) return null;
    if (typeof v === "string") return v;
    if (Array.isArray(v)) return v.length ? notationOf(v[0]) : null;
    if (typeof v === "object") return v.notation || v.element || v.id || v.iri || null;
    return String(v);
  }

  function field(dl, label, value) {
    if (value === null || value === undefined || value === "") return;
    dl.appendChild(el("dt", null, label));
    const dd = el("dd");
    if (value instanceof Node) dd.appendChild(value);
    else dd.textContent = String(value);
    dl.appendChild(dd);
  }

  function renderCard(card) {
    const art = el("article", { class: "card" });
    const h = el("h3");
    h.appendChild(el("span", { class: "notation" }, card.notation || card.iri || "(no notation)"));
    if (card.title) {
      h.appendChild(document.createTextNode(" "));
      h.appendChild(el("span", { class: "title" }, card.title));
    }
    art.appendChild(h);

    const meta = el("p", { class: "meta" });
    if (card.kind) meta.appendChild(el("span", { class: "kind" }, card.kind));
    const doc = [card.document_title || card.document, card.version].filter(Boolean).join(" ");
    if (doc) {
      if (meta.firstChild) meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(el("span", { class: "document" }, doc));
    }
    if (card.document_status) {
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(el("span", { class: "badge" }, card.document_status));
    }
    if (card.status) {
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(el("span", { class: "badge badge-warn" }, card.status));
    }
    art.appendChild(meta);

    if (card.statement) art.appendChild(el("p", { class: "statement" }, card.statement));

    const dl = el("dl", { class: "fields" });
    const parent = notationOf(card.parent);
    if (parent) field(dl, "Parent", elementLink(parent));
    if (Array.isArray(card.withdrawn_to) && card.withdrawn_to.length) {
      const ul = el("ul", { class: "plain" });
      for (const w of card.withdrawn_to) {
        const [relation, notation] = Array.isArray(w) ? w : [null, notationOf(w)];
        const li = el("li");
        if (relation) li.appendChild(document.createTextNode(`${relation} `));
        if (notation) li.appendChild(elementLink(notation));
        ul.appendChild(li);
      }
      field(dl, "Withdrawn to", ul);
    }
    if (Array.isArray(card.baselines) && card.baselines.length) {
      field(dl, "Baselines", card.baselines.join(", "));
    }
    field(dl, "IRI", card.iri);
    if (dl.firstChild) art.appendChild(dl);

    if (card.guidance) {
      const det = el("details", { class: "guidance" });
      det.appendChild(el("summary", null, "Guidance"));
      det.appendChild(el("p", null, card.guidance));
      art.appendChild(det);
    }

    if (Array.isArray(card.children) && card.children.length) {
      art.appendChild(el("h4", null, `Children (${card.children.length})`));
      const ul = el("ul", { class: "children" });
      for (const c of card.children) {
        const [notation, kind, title] = Array.isArray(c) ? c : [notationOf(c), c && c.kind, c && c.title];
        if (!notation) continue;
        const li = el("li");
        li.appendChild(elementLink(notation));
        if (title) li.appendChild(document.createTextNode(` ${title}`));
        if (kind) li.appendChild(el("span", { class: "kind" }, ` (${kind})`));
        ul.appendChild(li);
      }
      art.appendChild(ul);
    }
    return art;
  }

  function renderDangling(container, dangling) {
    const art = el("article", { class: "card dangling" });
    art.appendChild(el("h3", null, "Referenced but not defined"));
    art.appendChild(el("p", { class: "note" },
      "No loaded document defines this id; it is only referenced by mappings."));
    const ul = el("ul", { class: "plain" });
    for (const d of dangling) {
      if (typeof d === "string") ul.appendChild(el("li", null, d));
      else if (Array.isArray(d)) ul.appendChild(el("li", null, d.filter((x) => x !== null).join(" · ")));
      else if (d && typeof d === "object") {
        const parts = [d.notation, d.title, d.scheme, d.iri].filter(Boolean);
        ul.appendChild(el("li", null, parts.length ? parts.join(" · ") : JSON.stringify(d)));
      } else ul.appendChild(el("li", null, String(d)));
    }
    art.appendChild(ul);
    container.appendChild(art);
  }

  function renderMap(container, json) {
    clear(container);
    const answers = json && Array.isArray(json.answers) ? json.answers : [];
    const heading = el("h3", null, `Mappings of ${json && json.element ? json.element : ""}`.trim());
    container.appendChild(heading);
    if (answers.length === 0) {
      container.appendChild(el("p", { class: "note" }, "No mappings."));
      return;
    }
    const groups = new Map();
    for (const a of answers) {
      const set = a && a.set ? String(a.set) : "(no set)";
      if (!groups.has(set)) groups.set(set, []);
      groups.get(set).push(a);
    }
    for (const [set, rows] of groups) {
      const section = el("section", { class: "map-set" });
      section.appendChild(el("h4", null, `${set} (${rows.length})`));
      const table = el("table", { class: "results-table" });
      const thead = el("thead");
      const hr = el("tr");
      for (const c of ["target", "title", "relationship", "how", "status"]) {
        hr.appendChild(el("th", { scope: "col" }, c));
      }
      thead.appendChild(hr);
      const tbody = el("tbody");
      for (const a of rows) {
        const tr = el("tr");
        const target = el("td");
        if (a.target) {
          if (a.target_scheme) {
            // An element of a referenced-only scheme: still browsable (shows as dangling).
            target.appendChild(elementLink(a.target));
            target.appendChild(el("span", { class: "scheme" }, ` ${a.target_scheme}`));
          } else {
            target.appendChild(elementLink(a.target));
          }
        }
        if (Array.isArray(a.explanation) && a.explanation.length) {
          target.title = a.explanation
            .map((x) => (typeof x === "string" ? x : JSON.stringify(x)))
            .join("\n");
        }
        tr.appendChild(target);
        tr.appendChild(el("td", null, a.target_title || ""));
        tr.appendChild(el("td", null, a.relationship || ""));
        const how = el("td", null, a.how || "");
        if (a.via) how.appendChild(el("span", { class: "via" }, ` via ${notationOf(a.via)}`));
        tr.appendChild(how);
        const st = [a.status, ...(Array.isArray(a.flags) ? a.flags : [])].filter(Boolean).join(", ");
        tr.appendChild(el("td", null, st));
        tbody.appendChild(tr);
      }
      table.appendChild(thead);
      table.appendChild(tbody);
      const wrap = el("div", { class: "table-wrap" });
      wrap.appendChild(table);
      section.appendChild(wrap);
      container.appendChild(section);
    }
  }

  /** Search results for `text` into `box`; false when the search itself failed. */
  async function searchInto(box, status, text, seq) {
    let json;
    try {
      json = await fetchJson(`${apiPath("search")}?q=${encodeURIComponent(text)}&limit=20`,
        { headers: { Accept: "application/json" } });
    } catch (e) {
      return false;
    }
    if (seq !== browseState.seq) return true;
    const hits = json && Array.isArray(json.hits) ? json.hits : [];
    const list = el("ol", { class: "search-hits" });
    for (const h of hits) {
      const li = el("li");
      li.appendChild(elementLink(h.notation));
      li.appendChild(document.createTextNode(` ${h.title || ""} (${h.kind}, ${h.scheme})`));
      li.appendChild(el("div", { class: "note" }, `${h.field}: ${h.snippet}`));
      list.appendChild(li);
    }
    box.appendChild(list);
    status.textContent = `${plural(hits.length, "element", "elements")} match “${text}”`;
    return true;
  }

  async function browse(id) {
    id = String(id || "").trim();
    const card = $("browse-card");
    const map = $("browse-map");
    const error = $("browse-error");
    const status = $("browse-status");
    selectTab("browse", false);
    $("browse-id").value = id;
    hideError(error);
    if (!id) return;
    const seq = ++browseState.seq;
    status.textContent = "Loading…";
    clear(card);
    clear(map);
    let dangling = false;
    try {
      const json = await fetchJson(apiPath("elements", id), { headers: { Accept: "application/json" } });
      if (seq !== browseState.seq) return;
      if (json && Array.isArray(json.cards) && json.cards.length) {
        for (const c of json.cards) card.appendChild(renderCard(c));
      } else if (json && Array.isArray(json.dangling)) {
        dangling = true;
        renderDangling(card, json.dangling);
      } else {
        card.appendChild(el("p", { class: "note" }, "Nothing is known about this id."));
      }
    } catch (e) {
      if (seq !== browseState.seq) return;
      // Not an id: words, so search for them (GET /api/v1/search) and link the hits' cards.
      if (e.status === 404 && await searchInto(card, status, id, seq)) return;
      status.textContent = "";
      showError(error, e.message);
      return;
    }
    try {
      const json = await fetchJson(apiPath("map", id), { headers: { Accept: "application/json" } });
      if (seq !== browseState.seq) return;
      renderMap(map, json);
      const n = json && Array.isArray(json.answers) ? json.answers.length : 0;
      status.textContent = plural(n, "mapping", "mappings");
    } catch (e) {
      if (seq !== browseState.seq) return;
      status.textContent = "";
      if (dangling && e.status === 404) return;
      showError(error, e.message);
    }
  }

  function idFromHash() {
    const h = location.hash.replace(/^#/, "");
    if (!h.startsWith("browse=")) return null;
    try {
      return decodeURIComponent(h.slice("browse=".length));
    } catch (_) {
      return h.slice("browse=".length);
    }
  }

  /** Browses `id` and records it in the address bar (so Back works and links can be shared). */
  function navigate(id) {
    const want = hashFor(id);
    if (location.hash === want) browse(id);
    else location.hash = want; // the hashchange handler browses
  }

  function setupBrowse() {
    $("browse-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const id = $("browse-id").value.trim();
      if (id) navigate(id);
    });
    document.addEventListener("click", (e) => {
      const a = e.target instanceof Element ? e.target.closest("a.element-link") : null;
      if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(a.getAttribute("data-id") || "");
    });
    window.addEventListener("hashchange", () => {
      const id = idFromHash();
      if (id !== null) browse(id);
    });
  }

  // ---------- start ----------

  function start() {
    setupTabs();
    setupSparql();
    setupNamed();
    setupBrowse();
    loadNamedQueries();
    const id = idFromHash();
    if (id !== null) browse(id);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
