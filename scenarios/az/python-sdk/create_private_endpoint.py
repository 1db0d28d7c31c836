"""The Azure SDK for Python against the twin: managed-identity sign-in (App Service protocol:
IDENTITY_ENDPOINT + IDENTITY_HEADER), then a private endpoint, a private DNS zone, its VNet link and
the endpoint's zone group, each a long-running operation polled the way the SDK does it.
TLS trust comes from REQUESTS_CA_BUNDLE, which `privlink up --print-env` exports."""

import json
import os
import sys

from azure.identity import ManagedIdentityCredential
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network.models import (
    PrivateDnsZoneConfig,
    PrivateDnsZoneGroup,
    PrivateEndpoint,
    PrivateLinkServiceConnection,
    Subnet,
)
from azure.mgmt.privatedns import PrivateDnsManagementClient
from azure.mgmt.privatedns.models import PrivateZone, SubResource, VirtualNetworkLink

state = os.environ["PRIVLINK_STATE"]
url = json.load(open(os.path.join(state, "twin.json")))["url"]
sub = "00000000-0000-0000-0000-000000000001"
rg = "rg-flask-pe"
vnet_id = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/vnet-flask-pe"
vault_id = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults/kv-flask-pe"
zone = "privatelink.vaultcore.azure.net"
scopes = ["https://management.core.windows.net/.default"]

credential = ManagedIdentityCredential()
token = credential.get_token(*scopes)
assert token.token.count(".") == 2, "a JWT"

network = NetworkManagementClient(credential, sub, base_url=url, credential_scopes=scopes)
dns = PrivateDnsManagementClient(credential, sub, base_url=url, credential_scopes=scopes)

endpoint = network.private_endpoints.begin_create_or_update(
    rg,
    "pe-kv-sdk",
    PrivateEndpoint(
        location="westeurope",
        subnet=Subnet(id=f"{vnet_id}/subnets/snet-private-endpoints"),
        private_link_service_connections=[
            PrivateLinkServiceConnection(name="pe-kv-sdk-conn", private_link_service_id=vault_id, group_ids=["vault"])
        ],
    ),
).result()
assert endpoint.provisioning_state == "Succeeded", endpoint.provisioning_state
nic_ip = endpoint.custom_dns_configs[0].ip_addresses[0]
assert nic_ip.startswith("10.30.2."), nic_ip

created_zone = dns.private_zones.begin_create_or_update(rg, zone, PrivateZone(location="global")).result()
assert created_zone.name == zone
link = dns.virtual_network_links.begin_create_or_update(
    rg, zone, "link-vnet-flask-pe",
    VirtualNetworkLink(location="global", virtual_network=SubResource(id=vnet_id), registration_enabled=False),
).result()
assert link.virtual_network.id.lower() == vnet_id.lower()

group = network.private_dns_zone_groups.begin_create_or_update(
    rg, "pe-kv-sdk", "default",
    PrivateDnsZoneGroup(private_dns_zone_configs=[PrivateDnsZoneConfig(name="vaultcore", private_dns_zone_id=created_zone.id)]),
).result()
assert group.private_dns_zone_configs[0].private_dns_zone_id.lower() == created_zone.id.lower()

names = sorted(pe.name for pe in network.private_endpoints.list(rg))
assert names == ["pe-kv-sdk"], names
print("python sdk: private endpoint, zone, link and zone group created", file=sys.stderr)
