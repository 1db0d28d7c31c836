//! `uniqueString()` and `guid()`, bit-exact with Azure Resource Manager.
//!
//! Neither algorithm is documented by Microsoft; both are verified against values Azure and Azure's
//! own expression library produced (see the tests for the vectors and where they were published).

use super::{arity, type_error, FunctionResult};
use crate::template::value::Value;

pub(super) fn call(name: &str, args: &[Value]) -> Option<FunctionResult> {
    let result = match name {
        "uniquestring" => joined_strings(name, args).map(|s| Value::String(unique_string(&s))),
        "guid" => joined_strings(name, args).map(|s| Value::String(arm_guid(&s))),
        _ => return None,
    };
    Some(result)
}

/// Both functions hash their string arguments joined with `-`.
fn joined_strings(name: &str, args: &[Value]) -> Result<String, String> {
    arity(name, args, 1, usize::MAX)?;
    let mut parts = Vec::with_capacity(args.len());
    for arg in args {
        match arg {
            Value::String(s) => parts.push(s.as_str()),
            other => return Err(type_error(name, "string arguments", other)),
        }
    }
    Ok(parts.join("-"))
}

/// ARM's `uniqueString()`: a 64-bit MurmurHash variant (two interleaved 32-bit lanes, as in
/// Microsoft.WindowsAzure.ResourceStack's `ComputeMurmurHash64`) over the UTF-8 bytes, written as
/// 13 base-32 characters (`a-z2-7`), five bits at a time from the most significant end.
pub fn unique_string(text: &str) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut hash = murmur_hash64(text.as_bytes());
    let mut out = String::with_capacity(13);
    for _ in 0..13 {
        out.push(ALPHABET[(hash >> 59) as usize] as char);
        hash <<= 5;
    }
    out
}

fn murmur_hash64(data: &[u8]) -> u64 {
    const C1: u32 = 0x239b_961b;
    const C2: u32 = 0xab0e_9789;
    let word = |bytes: &[u8]| bytes.iter().rev().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
    let mix_lane1 = |k: u32| k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
    let mix_lane2 = |k: u32| k.wrapping_mul(C2).rotate_left(17).wrapping_mul(C1);
    let (mut h1, mut h2) = (0u32, 0u32);
    let mut blocks = data.chunks_exact(8);
    for block in blocks.by_ref() {
        h1 ^= mix_lane1(word(&block[..4]));
        h1 = h1.rotate_left(19).wrapping_add(h2).wrapping_mul(5).wrapping_add(0x561c_cd1b);
        h2 ^= mix_lane2(word(&block[4..]));
        h2 = h2.rotate_left(13).wrapping_add(h1).wrapping_mul(5).wrapping_add(0x0bca_a747);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        h1 ^= mix_lane1(word(&tail[..tail.len().min(4)]));
        if tail.len() > 4 {
            h2 ^= mix_lane2(word(&tail[4..]));
        }
    }
    let length = data.len() as u32;
    h1 ^= length;
    h2 ^= length;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = final_mix(h1);
    h2 = final_mix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (u64::from(h2) << 32) | u64::from(h1)
}

fn final_mix(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// ARM's `guid()` (in the engine: the rules' fixes name documents with it too).
pub fn arm_guid(text: &str) -> String {
    privlink_engine::guid::arm_guid(text)
}

#[cfg(test)]
mod tests {
    use super::super::call_for_test as call;
    use super::*;

    #[test]
    fn unique_string_matches_a_value_azure_returned() {
        // An ARM deployment output published in the Azure Marketplace "modm" project's unit tests
        // (Modm.Tests.UnitTests.ArmFunctionsTests: "UniqueStringShouldEqualValueCreatedFromArmTemplate").
        let id = "/subscriptions/31e9f9a0-9fd2-4294-a0a3-0101246d9700/resourceGroups/rg-modm201-20230913120256/providers/Microsoft.Compute/virtualMachines/bobjacmodm201";
        assert_eq!(unique_string(id), "yvjxno3je5on2");
    }

    #[test]
    fn unique_string_matches_a_value_bicep_computed() {
        // A second, independent vector: a public deployment-preflight test asserts that local
        // Bicep (`bicep build-params`, Azure's own expression library) evaluates
        // `uniqueString('<rg id>', 'p84fixture')` to the storage name suffix `52p2c4jfs43ig`
        // (its fixture's group id is `/subscriptions/00000000-0000-4000-8000-000000000084/resourceGroups/rg-p84`).
        // It also settles which of the two values published for the vector above is Azure's:
        // an earlier version of that test expected `yeygmhukyx3qg`, the later one `yvjxno3je5on2`.
        let joined = call(
            "uniqueString",
            vec![
                "/subscriptions/00000000-0000-4000-8000-000000000084/resourceGroups/rg-p84".into(),
                "p84fixture".into(),
            ],
        )
        .unwrap();
        assert_eq!(joined, Value::String("52p2c4jfs43ig".into()));
    }

    #[test]
    fn unique_string_joins_arguments_with_a_hyphen() {
        let joined = call("uniqueString", vec!["a".into(), "b".into()]).unwrap();
        assert_eq!(joined, Value::String(unique_string("a-b")));
        for text in ["", "a", "abcdefg", "abcdefgh", "abcdefghijklm"] {
            let value = unique_string(text);
            assert_eq!(value.len(), 13);
            assert!(value.bytes().all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b)), "{value}");
        }
        assert!(call("uniqueString", vec![]).unwrap_err().contains("at least 1"));
        assert!(call("uniqueString", vec![Value::Int(1)]).unwrap_err().contains("string arguments"));
    }

    #[test]
    fn unique_string_matches_values_azures_expression_library_computed() {
        // Bicep folds calls with literal arguments through Azure's own expression library
        // (Azure.Deployments.Templates, the one Resource Manager runs) and its tests assert the results:
        // Azure/bicep src/Bicep.Core.UnitTests/TypeSystem/FunctionResolverTests.cs (GetLiteralTransformations)
        // and src/Bicep.Core.Samples/Files/baselines_bicepparam/Expressions/parameters.json
        // (`bicep build-params` of the parameters.bicepparam beside it).
        let cases = [(vec!["snap", "crackle", "pop"], "byghxckddilkc"), (vec!["asd", "asdf", "asdf"], "iizpqit7ih3cc")];
        for (args, expected) in cases {
            let args = args.into_iter().map(Value::from).collect();
            assert_eq!(call("uniqueString", args).unwrap(), Value::from(expected));
        }
    }

    #[test]
    fn guid_matches_values_azures_expression_library_computed() {
        // Azure/bicep src/Bicep.Core.UnitTests/TypeSystem/FunctionResolverTests.cs (GetLiteralTransformations):
        // Bicep's type checker evaluates guid('foo', 'bar', 'baz') with Azure.Deployments.Templates
        // (ArmFunctionReturnTypeEvaluator) and the test asserts the literal type it gets.
        assert_eq!(
            call("guid", vec!["foo".into(), "bar".into(), "baz".into()]).unwrap(),
            Value::from("2ed86837-7c7c-5eaa-9864-dd077fd19b0d")
        );
        // Azure/bicep src/Bicep.Core.Samples/Files/baselines_bicepparam/Expressions/parameters.json:
        // `bicep build-params` (the same library) writes guid('asdf') from parameters.bicepparam as this value.
        assert_eq!(call("guid", vec!["asdf".into()]).unwrap(), Value::from("228d27cc-6fdb-5934-b7ac-1efccebade04"));
    }

    #[test]
    fn guid_uses_the_arm_namespace_and_hyphen_joined_arguments() {
        // Computed independently with Python: uuid.uuid5(UUID('11fb06fb-712d-4ddd-98c7-e71bbd588830'), text).
        assert_eq!(arm_guid("abc"), "a9b46cc2-65a6-5559-9f14-7091827ab32f");
        assert_eq!(
            call("guid", vec!["abc".into(), "efg".into()]).unwrap(),
            Value::from("61d06a12-4dad-5505-8b24-d6eafb52a77d")
        );
        assert!(call("guid", vec![Value::Null]).unwrap_err().contains("string arguments"));
    }
}
