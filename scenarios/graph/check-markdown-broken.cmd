# check --format markdown on a broken estate: the findings with their az fixes, and a mermaid diagram of
# what is broken (the denied edge red, the NSG whose rule denied it with a red border).
privlink check --estate ../trace/nsg-deny-integration/estate --format markdown
