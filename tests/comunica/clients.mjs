// Comunica (npm @comunica/query-sparql 4.x, the line that runs on Debian's Node 20) against a
// running `crosswalk serve`: SELECT, ASK and CONSTRUCT through the library (a source typed
// `sparql`, and a bare URL that Comunica identifies as a SPARQL endpoint by reading the
// endpoint's service description) and through its CLI, `comunica-sparql`, with and without the
// `sparql@` source prefix. Run by tests/http.sh:
//
//     node tests/comunica/clients.mjs http://127.0.0.1:PORT
//
// One line per check; exits 1 if any check fails (all checks run).
import { QueryEngine } from '@comunica/query-sparql';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const base = process.argv[2];
if (!base) {
  console.error('usage: node clients.mjs http://127.0.0.1:PORT');
  process.exit(2);
}
const endpoint = `${base}/sparql`;
const CW = 'https://w3id.org/crosswalk/ontology#';
const SKOS = 'http://www.w3.org/2004/02/skos/core#';
// The crosswalk question the other clients ask too (tests/http_clients.py): what GV.SC-07 maps
// to in SP 800-53 through NIST's OLIR set.
const CROSSWALK = `PREFIX cw: <${CW}> PREFIX skos: <${SKOS}>
SELECT DISTINCT ?n WHERE { ?e cw:lookupKey "GV.SC-07" .
  ?m cw:subject ?e ; cw:object ?t ; cw:basis ?m ; cw:mappingSet ?set .
  ?set cw:scheme "olir-186" . ?t skos:notation ?n }`;
const EXPECTED = ['RA-9', 'SA-4', 'SA-9', 'SR-3', 'SR-6'];
const ASK_YES = `ASK { ?e <${CW}lookupKey> "AC-2" }`;
const ASK_NO = `ASK { ?e <${CW}lookupKey> "ZZ-99" }`;
const CONSTRUCT = `CONSTRUCT { ?e <${SKOS}notation> ?n }
  WHERE { ?e <${CW}lookupKey> "GV.SC-07" ; <${SKOS}notation> ?n }`;

const engine = new QueryEngine();
const sources = {
  'typed sparql source': [{ type: 'sparql', value: endpoint }],
  'auto-detected': [endpoint],
};
let failed = 0;
async function check(name, body) {
  try {
    await body();
    console.log(`ok   ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}: ${e && e.message ? e.message : e}`);
  }
}
function expectEqual(got, want, what) {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  if (g !== w) throw new Error(`${what}: got ${g}, want ${w}`);
}

for (const [how, src] of Object.entries(sources)) {
  const ctx = { sources: src, lenient: false };
  await check(`Comunica SELECT (${how}): GV.SC-07 → SP 800-53 (OLIR) is ${EXPECTED.join(', ')}`, async () => {
    const rows = await (await engine.queryBindings(CROSSWALK, ctx)).toArray();
    const got = rows.map((b) => b.get('n').value).sort();
    expectEqual(got, EXPECTED, 'notations');
    for (const b of rows) {
      const n = b.get('n');
      if (n.termType !== 'Literal') throw new Error(`?n is a ${n.termType}`);
    }
  });
  await check(`Comunica ASK (${how}): true for AC-2, false for ZZ-99`, async () => {
    expectEqual(await engine.queryBoolean(ASK_YES, ctx), true, 'ASK AC-2');
    expectEqual(await engine.queryBoolean(ASK_NO, ctx), false, 'ASK ZZ-99');
  });
  await check(`Comunica CONSTRUCT (${how}): GV.SC-07's notation triple`, async () => {
    const quads = await (await engine.queryQuads(CONSTRUCT, ctx)).toArray();
    expectEqual(quads.length, 1, 'triples');
    const [q] = quads;
    expectEqual(q.predicate.value, `${SKOS}notation`, 'predicate');
    expectEqual(q.object.value, 'GV.SC-07', 'object');
    if (!q.subject.value.startsWith('https://w3id.org/crosswalk/id/csf/')) {
      throw new Error(`subject ${q.subject.value} is not a CSF element IRI`);
    }
  });
}
// The CLI, as users type it: `comunica-sparql sparql@URL QUERY` and `comunica-sparql URL QUERY`.
const cli = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', '.bin', 'comunica-sparql');
function comunicaCli(source, query, type) {
  const args = [source, '-t', type, query];
  return execFileSync(cli, args, { encoding: 'utf8', timeout: 120000 });
}
for (const [how, source] of [['sparql@ prefix', `sparql@${endpoint}`], ['no prefix', endpoint]]) {
  await check(`comunica-sparql CLI SELECT (${how})`, async () => {
    const doc = JSON.parse(comunicaCli(source, CROSSWALK, 'application/sparql-results+json'));
    const got = doc.results.bindings.map((b) => b.n.value).sort();
    expectEqual(got, EXPECTED, 'notations');
  });
  await check(`comunica-sparql CLI ASK (${how})`, async () => {
    expectEqual(comunicaCli(source, ASK_YES, 'simple').trim(), 'true', 'ASK AC-2');
    expectEqual(comunicaCli(source, ASK_NO, 'simple').trim(), 'false', 'ASK ZZ-99');
  });
  await check(`comunica-sparql CLI CONSTRUCT (${how})`, async () => {
    const nt = comunicaCli(source, CONSTRUCT, 'application/n-triples').trim().split('\n');
    expectEqual(nt.length, 1, 'N-Triples lines');
    if (!nt[0].endsWith(`<${SKOS}notation> "GV.SC-07" .`)) throw new Error(`got ${nt[0]}`);
  });
}

if (failed) {
  console.log(`${failed} Comunica check(s) failed`);
  process.exit(1);
}
