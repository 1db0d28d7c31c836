//! Azure regions, compared the way ARM compares locations.

use serde::Serialize;
use std::fmt;

/// An Azure region (a resource's `location`), normalised once: ARM compares locations
/// case-insensitively and ignoring whitespace, so `West Europe` and `westeurope` are one region.
/// The normalised text is ARM's short name (`westeurope`): what ARM stores, what regional host
/// names (`{region}.data.azurecr.io`) and operation URLs contain.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Region(String);

impl Region {
    /// The region a location names, in either its display (`West Europe`) or short form.
    pub fn new(location: &str) -> Region {
        Region(location.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase())
    }

    /// The short name, e.g. `westeurope`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the location was empty or only whitespace.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Region> for String {
    fn from(region: Region) -> String {
        region.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_short_names_are_one_region() {
        assert_eq!(Region::new("West Europe"), Region::new("westeurope"));
        assert_eq!(Region::new(" North  Europe ").as_str(), "northeurope");
        assert_ne!(Region::new("westeurope"), Region::new("westus"));
        assert!(Region::new("  ").is_empty());
    }
}
