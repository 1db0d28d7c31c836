# An app does not depend on its own inbound private endpoint: nothing to trace.
privlink trace --estate estate --from app-api --all
