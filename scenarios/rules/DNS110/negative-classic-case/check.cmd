# A classic firewall whose Network.DNS.EnableProxy is "True": the flag is read without regard to case (§12.1), so the proxy is on.
privlink check --estate estate --select DNS110
