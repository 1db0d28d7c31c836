# Every virtual network rule names a subnet with the service's endpoint, and both dependencies are allowed: no findings.
privlink check --estate estate
