# The positive estate without the endpoint's NIC (an export that left it out): the zone still lacks the record and the
# name is NXDOMAIN (azure-semantics §1.3), so the finding stays, but with no address to write it has no fix.
privlink check --estate estate --select DNS102
