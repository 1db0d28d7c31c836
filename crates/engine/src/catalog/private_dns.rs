//! Private DNS zone limits Azure reports on every zone.

/// Per-zone limits. Source: Learn "Azure subscription and service limits, quotas, and constraints",
/// private DNS zones (https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#azure-private-dns-limits;
/// azure-semantics S-DNSLIM, §1.5): 25000 record sets and 1000 virtual network links per zone,
/// 100 of them with auto-registration.
pub const MAX_RECORD_SETS_PER_ZONE: u64 = 25_000;
pub const MAX_LINKS_PER_ZONE: u64 = 1_000;
pub const MAX_REGISTRATION_LINKS_PER_ZONE: u64 = 100;
