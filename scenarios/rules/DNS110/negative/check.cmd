# fwp-hub sets no enableProxy but inherits enableProxy true from its base policy fwp-base (§12.1: a child inherits its
# parent's DNS settings): the proxy is on.
privlink check --estate estate --select DNS110
