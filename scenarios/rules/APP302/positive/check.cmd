privlink check --estate estate --select APP302
