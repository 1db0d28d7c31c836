# snet-int has the Microsoft.KeyVault and Microsoft.Sql service endpoints its rules need; the rules for snet-other name
# a subnet outside the estate, whose endpoints privlink cannot see: no finding.
privlink check --estate estate --select SEC405
