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

  // ---------- IRIs: short on screen, whole on hover ----------

  const BASE = "https://w3id.org/crosswalk/";
  const ID_NS = `${BASE}id/`;
  // The prefixes the CLI's tables use (model::vocab::PREFIXES and render's display ones).
  const NAMESPACES = [
    ["cw", `${BASE}ontology#`],
    ["id", ID_NS],
    ["cwd", `${BASE}doc/`],
    ["mapping", `${BASE}mapping/`],
    ["cwg", `${BASE}graph/`],
    ["skos", "http://www.w3.org/2004/02/skos/core#"],
    ["rdfs", "http://www.w3.org/2000/01/rdf-schema#"],
    ["rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"],
    ["dcterms", "http://purl.org/dc/terms/"],
    ["xsd", "http://www.w3.org/2001/XMLSchema#"],
    ["owl", "http://www.w3.org/2002/07/owl#"],
    ["prov", "http://www.w3.org/ns/prov#"],
  ];

  /** `prefix:local` for an IRI in a known namespace, else the IRI itself. */
  function compactIri(iri) {
    for (const [prefix, ns] of NAMESPACES) {
      if (iri.startsWith(ns) && iri.length > ns.length) {
        const local = iri.slice(ns.length);
        try {
          return `${prefix}:${decodeURIComponent(local)}`;
        } catch (_) {
          return `${prefix}:${local}`;
        }
      }
    }
    return iri;
  }

  /** Where this server answers an IRI of ours (linked data: /id/, /doc/, /mapping/, /ontology). */
  function localHref(iri) {
    for (const path of ["id/", "doc/", "mapping/", "ontology"]) {
      if (iri.startsWith(BASE + path)) return "/" + iri.slice(BASE.length);
    }
    return null;
  }

  /** An IRI cell: its short form (a notation once known) linked, the IRI itself on hover. */
  function iriNode(iri) {
    const href = localHref(iri);
    const node = href ? el("a", { href, class: "iri", title: iri }, compactIri(iri))
      : el("span", { class: "iri", title: iri }, compactIri(iri));
    if (href && iri.startsWith(ID_NS)) node.setAttribute("data-iri", iri);
    return node;
  }

  // Only IRIs that cannot break out of `<…>` in a query are sent back to the server.
  const SAFE_IRI = /^[^\s<>"{}|^`\\]+$/;

  /**
   * Replaces element IRIs under `container` by their notations (one SPARQL query per 400),
   * each linked to its card (#browse=), the IRI staying on hover.
   */
  async function resolveNotations(container) {
    const links = Array.from(container.querySelectorAll("a.iri[data-iri]"));
    const iris = Array.from(new Set(links.map((a) => a.getAttribute("data-iri"))))
      .filter((i) => SAFE_IRI.test(i)).slice(0, 4000);
    const names = new Map();
    for (let i = 0; i < iris.length; i += 400) {
      const values = iris.slice(i, i + 400).map((x) => `<${x}>`).join(" ");
      const q = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        + `SELECT ?e ?n WHERE { VALUES ?e { ${values} } ?e skos:notation ?n }`;
      let json;
      try {
        json = await fetchJson("/sparql", sparqlRequest(q, SPARQL_JSON));
      } catch (_) {
        return; // the IRIs stay, shortened: still correct, only less readable
      }
      for (const b of (json.results && json.results.bindings) || []) {
        if (b.e && b.n && !names.has(b.e.value)) names.set(b.e.value, b.n.value);
      }
    }
    for (const a of links) {
      const n = names.get(a.getAttribute("data-iri"));
      if (!n) continue;
      a.textContent = n;
      a.className = "element-link";
      a.setAttribute("data-id", n);
      a.setAttribute("href", hashFor(n));
    }
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
        const td = el("td");
        const text = termText(term);
        if (term && term.type === "uri") td.appendChild(iriNode(String(term.value)));
        else if (text.length > 160) td.appendChild(el("div", { class: "long-text" }, text));
        else td.textContent = text;
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
    resolveNotations(container);
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

  const TABS = ["sparql", "named", "browse", "matrix", "coverage", "graph"];

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
      tab.addEventListener("click", () => {
        selectTab(t, false);
        if (t === "matrix" && !matrixState.shown) showMatrix(new URLSearchParams());
      });
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

  const namedState = { queries: new Map(), seq: 0, ready: null };

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

  /** `#named=NAME&param=value…`: the named query chosen, its parameters filled in, run. */
  async function openNamed(name, params) {
    selectTab("named", false);
    await namedState.ready;
    const select = $("named-select");
    if (!namedState.queries.has(name)) {
      showError($("named-error"), `unknown named query \`${name}\`; known: ${Array.from(namedState.queries.keys()).join(", ")}`);
      return;
    }
    select.value = name;
    showNamedQuery();
    for (const [k, v] of params) {
      const input = $(`param-${k}`);
      if (input) input.value = v;
    }
    runNamed();
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
    const table = el("table", { class: "results-table" });
    const hr = el("tr");
    for (const c of ["mapping", "set", "where", "flag"]) hr.appendChild(el("th", { scope: "col" }, c));
    const thead = el("thead");
    thead.appendChild(hr);
    table.appendChild(thead);
    const tbody = el("tbody");
    for (const d of dangling) {
      const tr = el("tr");
      const m = el("td");
      if (d && typeof d === "object" && !Array.isArray(d) && d.id) {
        // `side` says which end of the mapping the dangling id is.
        const other = d.other ? elementLink(String(d.other)) : document.createTextNode("?");
        const self = el("span", { class: "notation" }, String(d.id));
        const [a, b] = d.side === "subject" ? [self, other] : [other, self];
        m.appendChild(a);
        m.appendChild(document.createTextNode(" → "));
        m.appendChild(b);
        tr.appendChild(m);
        tr.appendChild(el("td", null, d.set || ""));
        tr.appendChild(el("td", null, d.location || ""));
        tr.appendChild(el("td", null, d.flag || ""));
      } else {
        // An unexpected shape: its text, never markup.
        m.textContent = Array.isArray(d) ? d.filter((x) => x !== null).join(" · ") : String(d);
        m.colSpan = 4;
        tr.appendChild(m);
      }
      tbody.appendChild(tr);
    }
    table.appendChild(tbody);
    const wrap = el("div", { class: "table-wrap" });
    wrap.appendChild(table);
    art.appendChild(wrap);
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

  /**
   * The view an address names: `#browse=ID`, `#graph=ID[&set=S]`, `#matrix[?function=GV&cell=ID/Secure]`,
   * `#coverage?from=…&to=…[&gaps=GROUP]` (so every view can be linked to and reloaded).
   */
  function parseHash() {
    const m = /^#([a-z]+)(?:=([^&?]*))?(?:[&?](.*))?$/.exec(location.hash);
    if (!m) return null;
    let value = null;
    if (m[2] !== undefined) {
      try {
        value = decodeURIComponent(m[2]);
      } catch (_) {
        value = m[2];
      }
    }
    return { view: m[1], value, params: new URLSearchParams(m[3] || "") };
  }

  function route() {
    const r = parseHash();
    if (!r) return;
    if (r.view === "browse" && r.value !== null) browse(r.value);
    else if (r.view === "named" && r.value) openNamed(r.value, r.params);
    else if (r.view === "matrix") showMatrix(r.params);
    else if (r.view === "coverage") showCoverage(r.params);
    else if (r.view === "graph") showGraph(r.value || "", r.params.get("set") || "");
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
    window.addEventListener("hashchange", route);
  }

  // ---------- SVG helpers ----------

  const SVG_NS = "http://www.w3.org/2000/svg";

  /** An SVG element; `text` becomes its textContent (never parsed). */
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) node.setAttribute(k, String(v));
    }
    if (text !== null && text !== undefined) node.textContent = String(text);
    return node;
  }

  // Tableau 10 (apart for the common kinds of colour blindness), then ten darker ones: the
  // Reference Tool alone brings 20 sets.
  const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    "#1f3b73", "#a0522d", "#2f6f3e", "#8c1c2b", "#3b8c88",
    "#8a7a00", "#5b2c6f", "#d45087", "#4d3b2a", "#6b6b6b"];

  function swatch(colour, kind) {
    return el("span", { class: `swatch swatch-${kind}`, style: `--swatch: ${colour}` });
  }

  // ---------- d. The Cyber AI Profile matrix ----------

  const FOCUS_AREAS = ["Secure", "Defend", "Thwart"];
  const PRIORITIES = [[1, "High"], [2, "Moderate"], [3, "Foundational"]];
  const matrixState = { rows: null, loading: null, shown: false, fn: null, seq: 0 };

  function bindingValue(b, v) {
    return b[v] && b[v].value !== undefined ? String(b[v].value) : null;
  }

  /** The named query `cyber-ai-matrix` as one row per subcategory (once per page). */
  function loadMatrix() {
    if (matrixState.rows) return Promise.resolve(matrixState.rows);
    if (!matrixState.loading) {
      matrixState.loading = fetchJson(apiPath("queries", "cyber-ai-matrix"),
        { headers: { Accept: SPARQL_JSON } }).then((json) => {
        const rows = new Map();
        for (const b of (json.results && json.results.bindings) || []) {
          const notation = bindingValue(b, "notation");
          if (!notation) continue;
          if (!rows.has(notation)) {
            rows.set(notation, {
              notation,
              iri: bindingValue(b, "subcategory"),
              statement: bindingValue(b, "statement"),
              category: bindingValue(b, "category"),
              categoryTitle: bindingValue(b, "categoryTitle"),
              fn: bindingValue(b, "function") || "",
              fnTitle: bindingValue(b, "functionTitle"),
              cells: {},
            });
          }
          const focus = bindingValue(b, "focus");
          const priority = Number(bindingValue(b, "priority"));
          if (focus) {
            rows.get(notation).cells[focus] = {
              priority, label: bindingValue(b, "priorityLabel") || String(priority),
            };
          }
        }
        matrixState.rows = Array.from(rows.values());
        return matrixState.rows;
      }, (e) => {
        matrixState.loading = null;
        throw e;
      });
    }
    return matrixState.loading;
  }

  function matrixHash(fn, cell) {
    const p = new URLSearchParams();
    if (fn) p.set("function", fn);
    if (cell) p.set("cell", cell);
    const q = p.toString();
    return q ? `#matrix?${q}` : "#matrix";
  }

  function renderMatrixCounts(rows) {
    const box = $("matrix-counts");
    clear(box);
    const table = el("table", { class: "results-table counts" });
    const hr = el("tr");
    hr.appendChild(el("th", { scope: "col" }, "Focus area"));
    for (const [p, label] of PRIORITIES) {
      const th = el("th", { scope: "col" });
      th.appendChild(el("span", { class: `prio-chip p${p}` }, label));
      hr.appendChild(th);
    }
    const thead = el("thead");
    thead.appendChild(hr);
    table.appendChild(thead);
    const tbody = el("tbody");
    for (const focus of FOCUS_AREAS) {
      const tr = el("tr");
      tr.appendChild(el("th", { scope: "row" }, focus));
      for (const [p] of PRIORITIES) {
        const n = rows.filter((r) => r.cells[focus] && r.cells[focus].priority === p).length;
        tr.appendChild(el("td", { "data-count": `${focus}/${p}` }, n));
      }
      tbody.appendChild(tr);
    }
    table.appendChild(tbody);
    box.appendChild(table);
  }

  function renderMatrixGrid(rows, fn) {
    const grid = $("matrix-grid");
    clear(grid);
    const table = el("table", { class: "results-table matrix" });
    const thead = el("thead");
    const hr = el("tr");
    hr.appendChild(el("th", { scope: "col" }, "Subcategory"));
    for (const f of FOCUS_AREAS) hr.appendChild(el("th", { scope: "col" }, f));
    thead.appendChild(hr);
    table.appendChild(thead);
    const tbody = el("tbody");
    let group = null;
    for (const r of rows) {
      if (r.fn !== group) {
        group = r.fn;
        const gr = el("tr", { class: "group" });
        gr.appendChild(el("th", { colspan: 4, scope: "rowgroup" },
          [r.fn, r.fnTitle].filter(Boolean).join(" ")));
        tbody.appendChild(gr);
      }
      const tr = el("tr");
      const th = el("th", { scope: "row" });
      const link = elementLink(r.notation);
      link.title = [r.statement, r.iri].filter(Boolean).join("\n");
      th.appendChild(link);
      tr.appendChild(th);
      for (const f of FOCUS_AREAS) {
        const c = r.cells[f];
        if (!c) {
          tr.appendChild(el("td", { class: "cell empty" }));
          continue;
        }
        const td = el("td", { class: `cell p${c.priority}`, "data-cell": `${f}/${c.priority}` });
        const a = el("a", {
          href: matrixHash(fn, `${r.notation}/${f}`),
          class: "cell-link",
          title: `${r.notation} · ${f}: ${c.label}`,
          "data-key": `${r.notation}/${f}`,
        }, c.label);
        td.appendChild(a);
        tr.appendChild(td);
      }
      tbody.appendChild(tr);
    }
    table.appendChild(tbody);
    grid.appendChild(table);
  }

  async function showMatrix(params) {
    selectTab("matrix", false);
    matrixState.shown = true;
    const error = $("matrix-error");
    const status = $("matrix-status");
    const seq = ++matrixState.seq;
    hideError(error);
    let rows;
    try {
      status.textContent = matrixState.rows ? "" : "Loading…";
      rows = await loadMatrix();
    } catch (e) {
      if (seq !== matrixState.seq) return;
      status.textContent = "";
      showError(error, `Could not load the Cyber AI Profile: ${e.message}`);
      return;
    }
    if (seq !== matrixState.seq) return;
    const select = $("matrix-function");
    if (select.options.length === 1) {
      const fns = new Map();
      for (const r of rows) if (r.fn && !fns.has(r.fn)) fns.set(r.fn, r.fnTitle);
      for (const [fn, title] of fns) select.appendChild(el("option", { value: fn }, [fn, title].filter(Boolean).join(" ")));
    }
    let fn = params.get("function") || "";
    if (fn && !rows.some((r) => r.fn === fn)) {
      const known = Array.from(new Set(rows.map((r) => r.fn))).join(", ");
      showError(error, `unknown function \`${fn}\`; known: ${known}`);
      fn = "";
    }
    select.value = fn;
    const shown = fn ? rows.filter((r) => r.fn === fn) : rows;
    if (matrixState.fn !== fn || !$("matrix-grid").firstChild) {
      renderMatrixGrid(shown, fn);
      renderMatrixCounts(shown);
      matrixState.fn = fn;
    }
    status.textContent = `${plural(shown.length, "subcategory", "subcategories")} × ${FOCUS_AREAS.length} focus areas`;
    const cell = params.get("cell");
    for (const a of document.querySelectorAll("#matrix-grid a.cell-link")) {
      a.parentNode.classList.toggle("selected", a.getAttribute("data-key") === cell);
    }
    if (cell) showMatrixCell(cell, seq);
  }

  async function showMatrixCell(key, seq) {
    const detail = $("matrix-detail");
    const cut = key.lastIndexOf("/");
    const [notation, focus] = cut > 0 ? [key.slice(0, cut), key.slice(cut + 1)] : [key, ""];
    clear(detail);
    detail.appendChild(el("p", { class: "status" }, `Loading ${notation}…`));
    let json;
    try {
      json = await fetchJson(apiPath("elements", notation), { headers: { Accept: "application/json" } });
    } catch (e) {
      if (seq !== matrixState.seq) return;
      clear(detail);
      detail.appendChild(el("p", { class: "error" }, e.message));
      return;
    }
    if (seq !== matrixState.seq) return;
    clear(detail);
    const cards = json && Array.isArray(json.cards) ? json.cards : [];
    const card = cards.find((c) => Array.isArray(c.profile_entries) && c.profile_entries.length) || cards[0];
    const entries = card && Array.isArray(card.profile_entries) ? card.profile_entries : [];
    const entry = entries.find((e) => e.focus === focus);
    const general = entries.find((e) => !e.focus);
    const h = el("h3");
    h.appendChild(elementLink(notation));
    h.appendChild(document.createTextNode(` · ${focus}`));
    if (entry && entry.priority) {
      h.appendChild(document.createTextNode(" "));
      h.appendChild(el("span", { class: `prio-chip p${entry.priority}` }, entry.priority_label || entry.priority));
    }
    detail.appendChild(h);
    if (card && card.statement) detail.appendChild(el("p", { class: "statement" }, card.statement));
    if (!entry) {
      detail.appendChild(el("p", { class: "note" }, `The profile has no ${focus} entry for ${notation}.`));
      return;
    }
    if (entry.focus_title) detail.appendChild(el("h4", null, entry.focus_title));
    detail.appendChild(el("p", { class: "considerations" }, entry.considerations || "(no considerations)"));
    const refs = (list, title, cls) => {
      if (!Array.isArray(list) || !list.length) return;
      detail.appendChild(el("h4", null, `${title} (${list.length})`));
      const ul = el("ul", { class: `refs ${cls}` });
      for (const r of list) {
        const li = el("li");
        if (/^https?:\/\//.test(r)) li.appendChild(el("a", { href: r, rel: "noopener noreferrer" }, r));
        else if (/^[A-Z]{2}-\d+(\(\d+\))?$/.test(r)) li.appendChild(elementLink(r));
        else li.textContent = r;
        ul.appendChild(li);
      }
      detail.appendChild(ul);
    };
    refs(entry.references, "References", "focus-refs");
    if (general) refs(general.references, "Informative references (all focus areas)", "general-refs");
    const more = el("p", { class: "links" });
    more.appendChild(el("a", { href: hashFor(notation) }, "card"));
    more.appendChild(document.createTextNode(" · "));
    more.appendChild(el("a", { href: `#graph=${encodeURIComponent(notation)}` }, "graph"));
    if (entry.page) more.appendChild(document.createTextNode(` · IR 8596 p. ${entry.page}`));
    detail.appendChild(more);
  }

  function setupMatrix() {
    $("matrix-function").addEventListener("change", () => {
      location.hash = matrixHash($("matrix-function").value, null);
    });
    $("matrix-form").addEventListener("submit", (e) => e.preventDefault());
  }

  // ---------- e. Coverage as a picture ----------

  const COVERAGE_FIELDS = ["from", "to", "set", "baseline", "focus", "priority", "group"];
  const coverageState = { key: null, answer: null, seq: 0, lists: false };

  /** The function (or family) and category a focal notation belongs to, read off its spelling. */
  function groupOf(notation, by) {
    let m = /^([A-Z]{2})\.([A-Z]{2})(?:-|$)/.exec(notation); // CSF 2.0 and 1.1: GV.OC-01
    if (m) return by === "category" ? `${m[1]}.${m[2]}` : m[1];
    m = /^([A-Z]+) (\d+)(?:\.|$)/.exec(notation); // AI RMF: GOVERN 1.1
    if (m) return by === "category" ? `${m[1]} ${m[2]}` : m[1];
    m = /^([A-Z]{2,3})-\d+/.exec(notation); // SP 800-53: AC-2(1) → AC
    if (m) return m[1];
    return notation.split(/[\s.\-(:]/)[0] || notation;
  }

  function coverageParams() {
    const p = new URLSearchParams();
    for (const f of COVERAGE_FIELDS) {
      const v = $(`coverage-${f}`).value.trim();
      if (v) p.set(f, v);
    }
    return p;
  }

  async function loadCoverageLists() {
    if (coverageState.lists) return;
    coverageState.lists = true;
    try {
      const [sets, docs] = await Promise.all([
        fetchJson(apiPath("mapping-sets"), { headers: { Accept: "application/json" } }),
        fetchJson(apiPath("documents"), { headers: { Accept: "application/json" } }),
      ]);
      const fill = (id, values) => {
        const list = $(id);
        for (const v of Array.from(new Set(values)).filter(Boolean).sort()) list.appendChild(el("option", { value: v }));
      };
      fill("coverage-sets", (sets.mapping_sets || []).map((r) => r.scheme));
      fill("coverage-schemes", (docs.documents || []).map((r) => r.scheme));
    } catch (_) {
      coverageState.lists = false; // suggestions only: the form works without them
    }
  }

  function coverageHash(p) {
    return `#coverage?${p.toString()}`;
  }

  async function showCoverage(params) {
    selectTab("coverage", false);
    loadCoverageLists();
    const error = $("coverage-error");
    const status = $("coverage-status");
    if (params.has("from")) {
      for (const f of COVERAGE_FIELDS) {
        const input = $(`coverage-${f}`);
        const v = params.get(f) || (f === "group" ? "function" : "");
        input.value = v;
      }
    }
    const p = coverageParams();
    const api = new URLSearchParams();
    for (const f of ["from", "to", "set", "baseline", "priority"]) if (p.get(f)) api.set(f, p.get(f));
    if (p.get("focus")) {
      api.set("profile", "cyber-ai");
      api.set("focus", p.get("focus").toLowerCase());
    }
    const key = api.toString();
    const seq = ++coverageState.seq;
    hideError(error);
    if (coverageState.key !== key) {
      status.textContent = "Loading…";
      clear($("coverage-chart"));
      clear($("coverage-gaps"));
      try {
        coverageState.answer = await fetchJson(`${apiPath("coverage")}?${key}`, { headers: { Accept: "application/json" } });
        coverageState.key = key;
      } catch (e) {
        if (seq !== coverageState.seq) return;
        coverageState.key = null;
        status.textContent = "";
        showError(error, e.message);
        return;
      }
      if (seq !== coverageState.seq) return;
    }
    const cov = coverageState.answer;
    const by = p.get("group") || "function";
    const groups = new Map();
    for (const r of cov.rows || []) {
      const g = groupOf(String(r.focal), by);
      if (!groups.has(g)) groups.set(g, { name: g, covered: [], gaps: [] });
      (r.covered ? groups.get(g).covered : groups.get(g).gaps).push(r);
    }
    drawCoverage(Array.from(groups.values()), p);
    status.textContent = `${cov.covered} of ${cov.total} ${cov.from} elements covered by ${cov.to}`
      + (cov.baseline ? ` in ${cov.baseline}` : "") + (cov.set ? ` (set ${cov.set})` : "")
      + `: ${cov.percent}%`;
    const chosen = params.get("gaps");
    showGaps(chosen ? groups.get(chosen) || { name: chosen, covered: [], gaps: [] } : null, cov);
  }

  function drawCoverage(groups, p) {
    const box = $("coverage-chart");
    clear(box);
    if (!groups.length) {
      box.appendChild(el("p", { class: "note" }, "No focal elements."));
      return;
    }
    const rowH = 28;
    const labelW = 110;
    const barW = 560;
    const width = labelW + barW + 110;
    const height = groups.length * rowH + 30;
    const max = Math.max(...groups.map((g) => g.covered.length + g.gaps.length));
    const chart = svg("svg", {
      viewBox: `0 0 ${width} ${height}`, width, height, role: "img", class: "coverage-svg",
      "aria-label": "Covered and not covered focal elements per group",
    });
    groups.forEach((g, i) => {
      const total = g.covered.length + g.gaps.length;
      const y = i * rowH + 4;
      const link = new URLSearchParams(p);
      link.set("gaps", g.name);
      const a = svg("a", { href: coverageHash(link), class: "bar", "data-group": g.name,
        "data-covered": g.covered.length, "data-gaps": g.gaps.length });
      a.appendChild(svg("title", null, `${g.name}: ${g.covered.length} of ${total} covered, ${g.gaps.length} not covered — show the gap list`));
      a.appendChild(svg("text", { x: labelW - 8, y: y + rowH / 2 + 1, "text-anchor": "end", class: "bar-label" }, g.name));
      const wc = (g.covered.length / max) * barW;
      const wg = (g.gaps.length / max) * barW;
      a.appendChild(svg("rect", { x: labelW, y, width: Math.max(wc, 0), height: rowH - 8, class: "covered" }));
      a.appendChild(svg("rect", { x: labelW + wc, y, width: Math.max(wg, 0), height: rowH - 8, class: "gap" }));
      a.appendChild(svg("text", { x: labelW + wc + wg + 6, y: y + rowH / 2 + 1, class: "bar-count" },
        `${g.covered.length}/${total}`));
      chart.appendChild(a);
    });
    const ly = groups.length * rowH + 18;
    chart.appendChild(svg("rect", { x: labelW, y: ly - 10, width: 12, height: 12, class: "covered" }));
    chart.appendChild(svg("text", { x: labelW + 16, y: ly, class: "bar-count" }, "covered"));
    chart.appendChild(svg("rect", { x: labelW + 100, y: ly - 10, width: 12, height: 12, class: "gap" }));
    chart.appendChild(svg("text", { x: labelW + 116, y: ly, class: "bar-count" }, "not covered (click a bar for the gap list)"));
    box.appendChild(chart);
  }

  function showGaps(group, cov) {
    const box = $("coverage-gaps");
    clear(box);
    for (const n of cov.notes || []) box.appendChild(el("p", { class: "note" }, n));
    if (!group) return;
    box.appendChild(el("h3", null, `Gaps in ${group.name} (${group.gaps.length} of ${group.gaps.length + group.covered.length})`));
    if (!group.gaps.length) {
      box.appendChild(el("p", { class: "note" }, `Every ${group.name} element is covered.`));
      return;
    }
    const table = el("table", { class: "results-table gap-list" });
    const hr = el("tr");
    for (const c of ["focal element", "mapped only outside the baseline"]) hr.appendChild(el("th", { scope: "col" }, c));
    const thead = el("thead");
    thead.appendChild(hr);
    table.appendChild(thead);
    const tbody = el("tbody");
    for (const r of group.gaps) {
      const tr = el("tr");
      const td = el("td");
      td.appendChild(elementLink(String(r.focal)));
      tr.appendChild(td);
      const out = el("td");
      (r.mapped_outside_baseline || []).forEach((t, i) => {
        if (i) out.appendChild(document.createTextNode(", "));
        out.appendChild(elementLink(String(t)));
      });
      tr.appendChild(out);
      tbody.appendChild(tr);
    }
    table.appendChild(tbody);
    box.appendChild(table);
  }

  function setupCoverage() {
    $("coverage-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const want = coverageHash(coverageParams());
      if (location.hash === want) showCoverage(coverageParams());
      else location.hash = want;
    });
  }

  // ---------- f. An element's neighbourhood as a graph ----------

  const graphState = { seq: 0 };
  const RELATIONSHIP_COLOURS = new Map([
    ["related", "#6e7781"], ["equal", "#1a7f37"], ["equivalent", "#1a7f37"],
    ["subset of", "#0969da"], ["superset of", "#8250df"], ["intersects with", "#bf8700"],
    ["not related", "#cf222e"], ["related via", "#d1242f"],
  ]);

  function relationshipColour(rel, extra) {
    if (RELATIONSHIP_COLOURS.has(rel)) return RELATIONSHIP_COLOURS.get(rel);
    if (!extra.has(rel)) extra.set(rel, PALETTE[(extra.size + 5) % PALETTE.length]);
    return extra.get(rel);
  }

  function graphHash(id, set) {
    return `#graph=${encodeURIComponent(id)}` + (set ? `&set=${encodeURIComponent(set)}` : "");
  }

  async function showGraph(id, set) {
    selectTab("graph", false);
    id = String(id || "").trim();
    $("graph-id").value = id;
    const error = $("graph-error");
    const status = $("graph-status");
    hideError(error);
    if (!id) return;
    const seq = ++graphState.seq;
    status.textContent = "Loading…";
    let json;
    try {
      json = await fetchJson(apiPath("map", id), { headers: { Accept: "application/json" } });
    } catch (e) {
      if (seq !== graphState.seq) return;
      status.textContent = "";
      clear($("graph-svg"));
      clear($("graph-legend"));
      showError(error, e.message);
      return;
    }
    if (seq !== graphState.seq) return;
    const all = Array.isArray(json.answers) ? json.answers : [];
    const counts = new Map();
    for (const a of all) counts.set(a.set, (counts.get(a.set) || 0) + 1);
    const select = $("graph-set");
    clear(select);
    select.appendChild(el("option", { value: "" }, `all sets (${all.length})`));
    for (const [s, n] of counts) select.appendChild(el("option", { value: s }, `${s} (${n})`));
    if (set && !counts.has(set)) {
      showError(error, `no mapping of ${id} in set \`${set}\`; its sets: ${Array.from(counts.keys()).join(", ")}`);
      set = "";
    }
    select.value = set;
    const answers = set ? all.filter((a) => a.set === set) : all;
    drawGraph(id, answers, Array.from(counts.keys()));
    status.textContent = `${plural(answers.length, "mapping", "mappings")} of ${id}`;
  }

  function drawGraph(center, answers, sets) {
    const box = $("graph-svg");
    const legend = $("graph-legend");
    clear(box);
    clear(legend);
    if (!answers.length) {
      box.appendChild(el("p", { class: "note" }, "No mappings."));
      return;
    }
    const setColour = new Map(sets.map((s, i) => [s, PALETTE[i % PALETTE.length]]));
    const relExtra = new Map();
    // Nodes: ring 1 holds what one mapping reaches (and the middle of two-hop paths), ring 2
    // the ends of two-hop paths, each beside the element it goes through.
    const nodes = new Map();
    const edges = new Map();
    const node = (key, notation, ring, info) => {
      if (!nodes.has(key)) nodes.set(key, { key, notation, ring, sets: new Set(), info: [], via: null });
      const n = nodes.get(key);
      if (ring < n.ring) n.ring = ring;
      if (info) n.info.push(info);
      return n;
    };
    const edge = (from, to, rel, dashed, set) => {
      const k = `${from}|${to}|${rel}|${dashed}`;
      if (!edges.has(k)) edges.set(k, { from, to, rel, dashed, sets: new Set() });
      edges.get(k).sets.add(set);
    };
    const C = "\u0000center";
    // One mapping away first, so that the middle of a two-hop path that is also mapped
    // directly is that same node.
    const byNotation = new Map();
    const ordered = answers.filter((a) => a.how !== "path").concat(answers.filter((a) => a.how === "path"));
    for (const a of ordered) {
      const tkey = `${a.target_scheme || ""}|${a.target}`;
      const info = `${a.relationship} (${a.how}) — ${a.set}`;
      if (a.how === "path" && a.via) {
        const via = notationOf(a.via);
        const vkey = byNotation.get(via) || `via|${via}`;
        const v = node(vkey, via, 1, `path via — ${a.set}`);
        v.sets.add(a.set);
        v.isVia = true;
        const t = node(tkey, a.target, 2, info);
        t.sets.add(a.set);
        t.title = a.target_title;
        if (!t.via) t.via = vkey;
        edge(C, vkey, "hop", false, a.set);
        edge(vkey, tkey, a.relationship, false, a.set);
      } else {
        const t = node(tkey, a.target, 1, info);
        t.sets.add(a.set);
        t.title = a.target_title;
        if (!byNotation.has(a.target)) byNotation.set(a.target, tkey);
        edge(C, tkey, a.relationship, a.how === "inverse", a.set);
      }
    }
    for (const n of nodes.values()) n.iri = null;
    for (const a of answers) {
      const n = nodes.get(`${a.target_scheme || ""}|${a.target}`);
      if (n && a.target_iri) n.iri = a.target_iri;
    }
    const ring1 = Array.from(nodes.values()).filter((n) => n.ring === 1);
    const ring2 = Array.from(nodes.values()).filter((n) => n.ring === 2);
    const firstSet = (n) => sets.indexOf(Array.from(n.sets)[0]);
    ring1.sort((a, b) => firstSet(a) - firstSet(b) || a.notation.localeCompare(b.notation));
    const r1Index = new Map(ring1.map((n, i) => [n.key, i]));
    ring2.sort((a, b) => (r1Index.get(a.via) || 0) - (r1Index.get(b.via) || 0) || a.notation.localeCompare(b.notation));
    const r1 = Math.max(130, (ring1.length * 15) / (2 * Math.PI));
    const r2 = ring2.length ? Math.max(r1 + 150, (ring2.length * 13) / (2 * Math.PI)) : r1;
    const pad = 150;
    const size = 2 * (r2 + pad);
    const cx = size / 2;
    const cy = size / 2;
    const place = (list, r) => list.forEach((n, i) => {
      n.angle = (2 * Math.PI * i) / list.length - Math.PI / 2;
      n.x = cx + r * Math.cos(n.angle);
      n.y = cy + r * Math.sin(n.angle);
    });
    place(ring1, r1);
    place(ring2, r2);
    // The middle of two-hop paths sits at the middle of the arc its path ends fill.
    for (const v of ring1.filter((n) => n.isVia)) {
      const ends = ring2.filter((n) => n.via === v.key);
      if (!ends.length) continue;
      const sx = ends.reduce((t, n) => t + Math.cos(n.angle), 0);
      const sy = ends.reduce((t, n) => t + Math.sin(n.angle), 0);
      v.angle = Math.atan2(sy, sx);
      v.x = cx + r1 * Math.cos(v.angle);
      v.y = cy + r1 * Math.sin(v.angle);
    }
    const pos = (k) => (k === C ? { x: cx, y: cy } : nodes.get(k));
    const g = svg("svg", {
      viewBox: `0 0 ${size} ${size}`, width: Math.min(size, 1000), height: Math.min(size, 1000),
      role: "img", class: "graph-svg", "aria-label": `Mappings of ${center}`,
    });
    const edgeLayer = svg("g", { class: "edges" });
    for (const e of edges.values()) {
      const a = pos(e.from);
      const b = pos(e.to);
      const colour = e.rel === "hop" ? "#afb8c1" : relationshipColour(e.rel, relExtra);
      const line = svg("line", {
        x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: colour,
        "stroke-dasharray": e.dashed ? "5 4" : null, class: "edge", "data-edge": e.rel,
      });
      line.appendChild(svg("title", null, `${e.rel}${e.dashed ? " (inverse)" : ""} — ${Array.from(e.sets).join(", ")}`));
      edgeLayer.appendChild(line);
    }
    g.appendChild(edgeLayer);
    const nodeLayer = svg("g", { class: "nodes" });
    for (const n of nodes.values()) {
      const a = svg("a", { href: graphHash(n.notation, ""), class: "node", "data-node": n.notation });
      a.appendChild(svg("title", null, [n.notation + (n.title ? ` ${n.title}` : ""), n.iri, ...n.info].filter(Boolean).join("\n")));
      const fill = setColour.get(Array.from(n.sets)[0]) || "#999";
      a.appendChild(svg("circle", { cx: n.x, cy: n.y, r: 6, fill, class: n.isVia ? "via" : null }));
      const flip = Math.cos(n.angle) < 0;
      const deg = (n.angle * 180) / Math.PI + (flip ? 180 : 0);
      const label = n.notation.length > 26 ? `${n.notation.slice(0, 25)}…` : n.notation;
      a.appendChild(svg("text", {
        x: n.x, y: n.y, dx: flip ? -10 : 10, dy: 4, "text-anchor": flip ? "end" : "start",
        transform: `rotate(${deg.toFixed(1)} ${n.x.toFixed(1)} ${n.y.toFixed(1)})`, class: "node-label",
      }, label));
      nodeLayer.appendChild(a);
    }
    const c = svg("a", { href: hashFor(center), class: "node center", "data-center": center });
    c.appendChild(svg("title", null, `${center}: open its card`));
    c.appendChild(svg("circle", { cx, cy, r: 12 }));
    c.appendChild(svg("text", { x: cx, y: cy - 18, "text-anchor": "middle", class: "center-label" }, center));
    nodeLayer.appendChild(c);
    g.appendChild(nodeLayer);
    box.appendChild(g);

    const used = new Set();
    for (const n of nodes.values()) for (const s of n.sets) used.add(s);
    const ls = el("ul", { class: "legend-list" });
    for (const s of sets) {
      if (!used.has(s)) continue;
      const li = el("li");
      li.appendChild(swatch(setColour.get(s), "dot"));
      li.appendChild(document.createTextNode(s));
      ls.appendChild(li);
    }
    const lr = el("ul", { class: "legend-list" });
    const rels = new Set(Array.from(edges.values()).map((e) => e.rel));
    for (const r of rels) {
      const li = el("li");
      li.appendChild(swatch(r === "hop" ? "#afb8c1" : relationshipColour(r, relExtra), "line"));
      li.appendChild(document.createTextNode(r === "hop" ? "first hop of a two-hop path" : r));
      lr.appendChild(li);
    }
    if (Array.from(edges.values()).some((e) => e.dashed)) {
      const li = el("li");
      li.appendChild(swatch("#6e7781", "dashed"));
      li.appendChild(document.createTextNode("inverse (the mapping is stated from the other side)"));
      lr.appendChild(li);
    }
    legend.appendChild(el("h4", null, "Sets (node colour)"));
    legend.appendChild(ls);
    legend.appendChild(el("h4", null, "Relationships (line colour)"));
    legend.appendChild(lr);
  }

  function setupGraph() {
    const go = () => {
      const id = $("graph-id").value.trim();
      if (!id) return;
      const want = graphHash(id, $("graph-set").value);
      if (location.hash === want) showGraph(id, $("graph-set").value);
      else location.hash = want;
    };
    $("graph-form").addEventListener("submit", (e) => {
      e.preventDefault();
      go();
    });
    $("graph-set").addEventListener("change", go);
    $("graph-id").addEventListener("input", () => {
      // a new element's sets are not the old one's
      clear($("graph-set"));
      $("graph-set").appendChild(el("option", { value: "" }, "all sets"));
    });
  }

  // ---------- start ----------

  function start() {
    setupTabs();
    setupSparql();
    setupNamed();
    setupBrowse();
    setupMatrix();
    setupCoverage();
    setupGraph();
    namedState.ready = loadNamedQueries();
    route();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
