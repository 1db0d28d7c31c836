"""Recall of privlink and of Checkov against the generator's expected findings.

privlink: the (code, resource) pairs of `check --format json` that are expected, over all expected.
Checkov: no Checkov ARM check reasons across resources (zone links, records, NIC addresses, NSG rule
order, connection state, app settings), so none maps to a seeded misconfiguration kind; a
misconfiguration counts as found only if Checkov fails a check *on the resource that carries it*
with a check id listed in MAPPING below (empty: we found no honest mapping). Prints two cells.
"""
import json
import sys

# Checkov check id -> misconfiguration kind it would reveal. None of Checkov's ARM checks looks at
# DNS zone links/records, private endpoint connection state, NSG rule precedence for a given port
# or App Service route-all, so this stays empty; see benches/RESULTS.md.
MAPPING = {}

expected_path, check_path, checkov_path, template_path = sys.argv[1:5]
expected = {(e["code"], e["resource"]) for e in json.load(open(expected_path))}
try:
    got = {(f["code"], f["resource"]) for f in json.load(open(check_path))["findings"]}
    ours = f"{len(expected & got)}/{len(expected)} (+{len(got - expected)} other)"
except Exception as e:  # noqa: BLE001
    ours = f"error: {e}"
try:
    if not open(checkov_path).read().strip():
        raise EOFError("Checkov wrote nothing (stopped after CHECKOV_TIMEOUT?)")
    raw = json.load(open(checkov_path))
    reports = raw if isinstance(raw, list) else [raw]
    failed = [c for r in reports for c in r.get("results", {}).get("failed_checks", [])]
    passed = sum(len(r.get("results", {}).get("passed_checks", [])) for r in reports)
    mapped = [c for c in failed if c.get("check_id") in MAPPING]
    theirs = f"0/{len(expected)} mapped ({len(failed)} failed, {passed} passed checks; {len(mapped)} mapped)"
except Exception as e:  # noqa: BLE001
    theirs = f"error: {e}"
print(ours.replace(" ", "\u00a0"), theirs.replace(" ", "\u00a0"))
