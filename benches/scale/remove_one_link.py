"""Writes an estate without one private DNS zone's VNet link: the first link in id order.

    python3 benches/scale/remove_one_link.py estate.json estate-one-link-removed.json

The estate is what `estate-gen` writes (a JSON array of ARM documents, or `{"value": [...]}`).
Prints the id of the link removed. The scale benchmark diffs the two estates.
"""
import json
import sys

source, target = sys.argv[1:3]
doc = json.load(open(source))
resources = doc["value"] if isinstance(doc, dict) else doc
links = sorted(
    r["id"] for r in resources if r.get("type", "").lower() == "microsoft.network/privatednszones/virtualnetworklinks"
)
if not links:
    sys.exit(f"{source}: no private DNS zone VNet link to remove")
removed = links[0].lower()
kept = [r for r in resources if r.get("id", "").lower() != removed]
with open(target, "w") as out:
    json.dump({"value": kept} if isinstance(doc, dict) else kept, out)
print(links[0])
