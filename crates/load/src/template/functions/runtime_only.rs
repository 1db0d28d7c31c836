//! Functions whose answer lives in Azure's own records, not in the template: the deprecated
//! `providers()` reads the resource provider registry, and `toLogicalZone(s)`/`toPhysicalZone(s)`
//! read a subscription's availability-zone mapping (which logical zone is which datacenter differs per
//! subscription). The arguments are still checked; the result is an unknown value saying why.

use super::{arity, str_arg, type_error, FunctionResult};
use crate::template::value::Value;

pub(super) fn call(name: &str, args: &[Value]) -> Option<FunctionResult> {
    let result = match name {
        "providers" => providers(args),
        "tologicalzone" => one_zone("toLogicalZone", args),
        "tophysicalzone" => one_zone("toPhysicalZone", args),
        "tologicalzones" => zones("toLogicalZones", args),
        "tophysicalzones" => zones("toPhysicalZones", args),
        _ => return None,
    };
    Some(result)
}

fn providers(args: &[Value]) -> FunctionResult {
    arity("providers", args, 1, 2)?;
    let namespace = str_arg("providers", args, 0)?;
    if args.len() == 2 {
        str_arg("providers", args, 1)?;
    }
    Ok(Value::unknown(format!(
        "providers('{namespace}') reads Azure's resource provider registry: only known to Azure"
    )))
}

fn zone_mapping(name: &str, args: &[Value]) -> Result<String, String> {
    arity(name, args, 3, 3)?;
    let subscription = str_arg(name, args, 0)?;
    let location = str_arg(name, args, 1)?;
    Ok(format!("{name}: the zone mapping of subscription '{subscription}' in '{location}' is only known to Azure"))
}

fn one_zone(name: &str, args: &[Value]) -> FunctionResult {
    let reason = zone_mapping(name, args)?;
    str_arg(name, args, 2)?;
    Ok(Value::unknown(reason))
}

/// One unknown zone for each zone asked about, so the result's length is known.
fn zones(name: &str, args: &[Value]) -> FunctionResult {
    let reason = zone_mapping(name, args)?;
    let Value::Array(zones) = &args[2] else {
        return Err(type_error(name, "an array of zones as argument 3", &args[2]));
    };
    zones
        .iter()
        .map(|zone| match zone {
            Value::String(_) | Value::Unknown(_) => Ok(Value::unknown(reason.clone())),
            other => Err(type_error(name, "zone names (strings)", other)),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

#[cfg(test)]
mod tests {
    use super::super::call_for_test as call;
    use crate::template::value::Value;

    fn s(text: &str) -> Value {
        Value::from(text)
    }

    const SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000001";

    #[test]
    fn providers_is_unknown() {
        let result = call("providers", vec![s("Microsoft.Web"), s("sites")]).unwrap();
        assert!(matches!(&result, Value::Unknown(u) if u.reason.contains("providers('Microsoft.Web')")), "{result:?}");
        assert!(call("providers", vec![]).unwrap_err().contains("'providers' takes 1 to 2 arguments"));
        assert!(call("providers", vec![Value::Int(1)])
            .unwrap_err()
            .contains("'providers' expects a string as argument 1"));
    }

    #[test]
    fn zone_mappings_are_unknown_but_keep_their_shape() {
        // The calls of Azure/bicep src/Bicep.Core.IntegrationTests/AzTemplateTests.cs.
        let logical = call("toLogicalZone", vec![s(SUBSCRIPTION), s("eastus"), s("eastus-az1")]).unwrap();
        assert!(
            matches!(&logical, Value::Unknown(u) if u.reason.contains("zone mapping of subscription")),
            "{logical:?}"
        );
        assert!(call("toPhysicalZone", vec![s(SUBSCRIPTION), s("eastus"), s("1")]).unwrap().is_unknown());
        let zones =
            call("toPhysicalZones", vec![s(SUBSCRIPTION), s("eastus"), Value::Array(vec![s("1"), s("2")])]).unwrap();
        assert!(matches!(&zones, Value::Array(z) if z.len() == 2 && z.iter().all(Value::is_unknown)), "{zones:?}");
        let none = call("toLogicalZones", vec![s(SUBSCRIPTION), s("eastus"), Value::Array(vec![])]).unwrap();
        assert_eq!(none, Value::Array(vec![]));
    }

    #[test]
    fn zone_functions_check_their_arguments() {
        let error = call("toLogicalZone", vec![s(SUBSCRIPTION), s("eastus")]).unwrap_err();
        assert!(error.contains("'toLogicalZone' takes 3 arguments, got 2"), "{error}");
        let error = call("toPhysicalZone", vec![s(SUBSCRIPTION), Value::Int(1), s("1")]).unwrap_err();
        assert!(error.contains("'toPhysicalZone' expects a string as argument 2"), "{error}");
        let error = call("toPhysicalZones", vec![s(SUBSCRIPTION), s("eastus"), s("1")]).unwrap_err();
        assert!(error.contains("'toPhysicalZones' expects an array of zones as argument 3"), "{error}");
        let error =
            call("toLogicalZones", vec![s(SUBSCRIPTION), s("eastus"), Value::Array(vec![Value::Int(1)])]).unwrap_err();
        assert!(error.contains("'toLogicalZones' expects zone names (strings)"), "{error}");
    }
}
