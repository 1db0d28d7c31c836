# The same estate with app1 integrated into snet-int: it resolves through vnet-app's linked zones and reaches pe-kv1.
privlink check --estate estate --select APP308
