# kv1 is reached through a route to a virtual appliance the estate does not describe (§4.4): the trace is unknown,
# decided by the route, and no rule diagnoses it: a warning on the route.
privlink check --estate estate
