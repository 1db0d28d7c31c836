# vnet-spoke lists 10.0.1.4 (fw-hub, DNS proxy off) before 168.63.129.16: every query waits for the first server's timeout,
# then Azure DNS of vnet-spoke answers (§1.8). Names still resolve, so a warning.
privlink check --estate estate --select DNS110
