//! §3.3: whether an integrated app's traffic enters the VNet, and the address it carries there.

use super::{backend_type, DecidedBy, Egress};
use crate::{catalog, nsg};
use privlink_model::{Model, ResourceId, Site, Subnet};
use std::net::IpAddr;

/// The address an integrated app's traffic carries in the VNet. The instance's real address
/// (`WEBSITE_PRIVATE_IP`) changes, so the subnet's first assignable address (Azure reserves the
/// first four) stands for it ([`super::assumptions`] A1).
pub fn representative_app_address(subnet: &Subnet) -> Option<IpAddr> {
    let prefix = subnet.prefixes.iter().find(|p| p.addr().is_ipv4())?;
    let IpAddr::V4(network) = prefix.network() else { return None };
    Some(IpAddr::V4((u32::from(network).saturating_add(4)).into()))
}

/// §3.3: whether the app's traffic to `dest` enters the VNet, and which setting said so.
pub(super) fn choose_egress(
    model: &Model,
    site: &Site,
    dest: IpAddr,
    backend: Option<&ResourceId>,
) -> (Egress, DecidedBy, String) {
    let site_id = &site.meta.id;
    let Some(subnet) = &site.integration_subnet else {
        return (
            Egress::Platform,
            DecidedBy::new("site", site_id),
            format!("{} has no regional VNet integration (virtualNetworkSubnetId is not set)", site.meta.name),
        );
    };
    let routing = &site.outbound_vnet_routing;
    let setting = |name: &str| {
        (
            Egress::Vnet,
            DecidedBy::new("site-setting", site_id),
            format!("{name} is true on {}: all application traffic enters the VNet", site.meta.name),
        )
    };
    if routing.all_traffic == Some(true) {
        return setting("outboundVnetRouting.allTraffic");
    }
    if routing.application_traffic == Some(true) {
        return setting("outboundVnetRouting.applicationTraffic");
    }
    if let Some(flag) = site.vnet_route_all_enabled.as_ref().filter(|f| f.value) {
        return (
            Egress::Vnet,
            DecidedBy::new("site-setting", &flag.source),
            format!("vnetRouteAllEnabled is true in {}: all application traffic enters the VNet", flag.source),
        );
    }
    // `true` is accepted as well as the documented `1` (assumptions A2).
    if site.app_setting("WEBSITE_VNET_ROUTE_ALL").is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true")) {
        let source = site.app_settings_source.as_ref().unwrap_or(site_id);
        return (
            Egress::Vnet,
            DecidedBy::new("site-setting", source),
            format!("app setting WEBSITE_VNET_ROUTE_ALL=1 in {source}: all application traffic enters the VNet"),
        );
    }
    if nsg::is_rfc1918(dest) {
        return (
            Egress::Vnet,
            DecidedBy::new("subnet", &subnet.value),
            format!(
                "{dest} is an RFC 1918 address: it enters the VNet through {} even without route-all",
                subnet.value
            ),
        );
    }
    let service_endpoint =
        backend.map(|b| backend_type(model, b)).and_then(|t| catalog::service_endpoint_service(&t)).filter(|se| {
            model
                .resources
                .subnets
                .get(&subnet.value)
                .is_some_and(|s| s.service_endpoints.iter().any(|x| x.eq_ignore_ascii_case(se)))
        });
    if let Some(se) = service_endpoint {
        return (
            Egress::Vnet,
            DecidedBy::new("subnet", &subnet.value),
            format!(
                "the integration subnet {} has the {se} service endpoint: traffic to the service enters the VNet even without route-all",
                subnet.value.name()
            ),
        );
    }
    (
        Egress::Platform,
        DecidedBy::new("site", site_id),
        format!(
            "route-all is off on {} (outboundVnetRouting.allTraffic/applicationTraffic, vnetRouteAllEnabled, WEBSITE_VNET_ROUTE_ALL) and {dest} is not RFC 1918: it leaves from the App Service platform",
            site.meta.name
        ),
    )
}

/// Whether all of the app's outbound traffic enters the VNet (`outboundVnetRouting.allTraffic` or
/// `applicationTraffic`, `vnetRouteAllEnabled`, `WEBSITE_VNET_ROUTE_ALL`), as the egress step reads them.
pub fn route_all_enabled(site: &Site) -> bool {
    let routing = &site.outbound_vnet_routing;
    routing.all_traffic == Some(true)
        || routing.application_traffic == Some(true)
        || site.vnet_route_all_enabled.as_ref().is_some_and(|f| f.value)
        || site.app_setting("WEBSITE_VNET_ROUTE_ALL").is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}
