# Azure SDK for Python (azure-identity ManagedIdentityCredential, azure-mgmt-network,
# azure-mgmt-privatedns) creates a private endpoint and its zone group against the twin.
"${PRIVLINK_PYTHON:?set PRIVLINK_PYTHON to the venv python with the Azure SDK}" create_private_endpoint.py
