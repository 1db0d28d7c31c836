# With every rule, APP309 names the cause on app1 (on the dependency's path): the safety net stays silent.
privlink check --estate estate
