//! Pure functions checked against results Azure's own expression library computed.
//!
//! Bicep folds calls with literal arguments through Azure.Deployments.Templates (the library Resource
//! Manager evaluates templates with), and `bicep build-params` evaluates parameter files with it; Bicep's
//! tests assert those results. Each case names the file it comes from in the Azure/bicep repository.

use serde_json::{json, Value as Json};

use super::call_for_test as call;
use crate::template::value::Value;

fn v(j: Json) -> Value {
    Value::from_json(&j)
}

fn check(name: &str, args: Vec<Json>, expected: Json) {
    let args = args.into_iter().map(v).collect();
    let got = call(name, args).unwrap_or_else(|e| panic!("{name}: {e}")).to_json();
    assert_eq!(got, expected, "{name}");
}

/// src/Bicep.Core.UnitTests/TypeSystem/FunctionResolverTests.cs (GetLiteralTransformations): the
/// literal types Bicep's type checker gets by evaluating each call with Azure.Deployments.Templates.
#[test]
fn literal_transformations_of_bicep_function_resolver_tests() {
    let cases: Vec<(&str, Vec<Json>, Json)> = vec![
        ("base64", vec![json!(" Fizz ")], json!("IEZpenog")),
        ("base64ToString", vec![json!("IEZpenog")], json!(" Fizz ")),
        ("dataUri", vec![json!(" Fizz ")], json!("data:text/plain;charset=utf-8;base64,IEZpenog")),
        ("dataUriToString", vec![json!("data:text/plain;charset=utf-8;base64,IEZpenog")], json!(" Fizz ")),
        ("first", vec![json!("Fizz")], json!("F")),
        ("last", vec![json!("Fizz")], json!("z")),
        ("toLower", vec![json!(" Fizz ")], json!(" fizz ")),
        ("toUpper", vec![json!(" Fizz ")], json!(" FIZZ ")),
        ("trim", vec![json!(" Fizz ")], json!("Fizz")),
        ("uriComponent", vec![json!(" Fizz ")], json!("%20Fizz%20")),
        ("uriComponentToString", vec![json!("%20Fizz%20")], json!(" Fizz ")),
        ("replace", vec![json!("foot"), json!("t"), json!("d")], json!("food")),
        ("format", vec![json!("{0}/{1}/{2}/{3}"), json!(1), json!(2), json!(3), json!(true)], json!("1/2/3/True")),
        ("padLeft", vec![json!("00"), json!(5), json!(" ")], json!("   00")),
        ("length", vec![json!("table")], json!(5)),
        ("length", vec![json!([1, 2, 3, 4, 5])], json!(5)),
        (
            "uri",
            vec![json!("https://github.com/another/repo"), json!("/Azure/bicep")],
            json!("https://github.com/Azure/bicep"),
        ),
        ("substring", vec![json!("foot"), json!(0), json!(3)], json!("foo")),
        ("take", vec![json!("foot"), json!(3)], json!("foo")),
        ("skip", vec![json!("foot"), json!(3)], json!("t")),
        ("empty", vec![json!("non-empty string")], json!(false)),
        ("contains", vec![json!("foot"), json!("foo")], json!(true)),
        ("indexOf", vec![json!("food"), json!("o")], json!(1)),
        ("lastIndexOf", vec![json!("food"), json!("o")], json!(2)),
        ("startsWith", vec![json!("food"), json!("foo")], json!(true)),
        ("endsWith", vec![json!("foot"), json!("t")], json!(true)),
        ("min", vec![json!(10), json!(4), json!(1), json!(6)], json!(1)),
        ("max", vec![json!(10), json!(4), json!(1), json!(6)], json!(10)),
        ("split", vec![json!("fizz,buzz,pop"), json!(",")], json!(["fizz", "buzz", "pop"])),
        ("take", vec![json!(["fizz", "buzz", "pop"]), json!(2)], json!(["fizz", "buzz"])),
        ("contains", vec![json!(["fizz", "buzz", "pop"]), json!("fizz")], json!(true)),
        ("intersection", vec![json!(["fizz", "buzz", "pop"]), json!(["snap", "crackle", "pop"])], json!(["pop"])),
        ("union", vec![json!(["fizz", "buzz"]), json!(["pop"])], json!(["fizz", "buzz", "pop"])),
        ("first", vec![json!(["fizz", "buzz", "pop"])], json!("fizz")),
        ("first", vec![json!([])], Json::Null),
        ("last", vec![json!(["fizz", "buzz", "pop"])], json!("pop")),
        ("last", vec![json!([])], Json::Null),
        ("indexOf", vec![json!(["fizz", "buzz", "pop", "fizz"]), json!("fizz")], json!(0)),
        ("lastIndexOf", vec![json!(["fizz", "buzz", "pop", "fizz"]), json!("fizz")], json!(3)),
        ("min", vec![json!([10, 4, 1, 6])], json!(1)),
        ("max", vec![json!([10, 4, 1, 6])], json!(10)),
        ("join", vec![json!(["foo", "bar", "baz"]), json!("/")], json!("foo/bar/baz")),
        ("join", vec![json!(["abc", 123, true]), json!("/")], json!("abc/123/True")),
    ];
    for (name, args, expected) in cases {
        check(name, args, expected);
    }
}

/// src/Bicep.Core.Samples/Files/baselines_bicepparam/Expressions/parameters.json: what
/// `bicep build-params` wrote for the calls in parameters.bicepparam beside it.
#[test]
fn build_params_expressions_baseline() {
    let cases: Vec<(&str, Vec<Json>, Json)> = vec![
        ("base64ToJson", vec![json!("eyJoaSI6ICJ0aGVyZSJ9")], json!({"hi": "there"})),
        ("concat", vec![json!(["abc"]), json!(["def"])], json!(["abc", "def"])),
        ("contains", vec![json!("foo/bar"), json!("/")], json!(true)),
        ("dataUriToString", vec![json!("data:text/plain;charset=utf-8;base64,YWJj")], json!("abc")),
        ("endsWith", vec![json!("foo"), json!("o")], json!(true)),
        ("flatten", vec![json!([["abc"], ["def"]])], json!(["abc", "def"])),
        ("format", vec![json!("->{0}<-"), json!(123)], json!("->123<-")),
        ("indexOf", vec![json!("abc"), json!("b")], json!(1)),
        ("intersection", vec![json!([1, 2, 3]), json!([2, 3, 4])], json!([2, 3])),
        (
            "items",
            vec![json!({"foo": "abc", "bar": 123})],
            json!([{"key": "bar", "value": 123}, {"key": "foo", "value": "abc"}]),
        ),
        ("join", vec![json!(["abc", "def", "ghi"]), json!("/")], json!("abc/def/ghi")),
        ("lastIndexOf", vec![json!("abcba"), json!("b")], json!(3)),
        ("padLeft", vec![json!(13), json!(5)], json!("   13")),
        ("range", vec![json!(0), json!(3)], json!([0, 1, 2])),
        ("replace", vec![json!("abc"), json!("b"), json!("/")], json!("a/c")),
        ("skip", vec![json!([1, 2, 3]), json!(1)], json!([2, 3])),
        ("split", vec![json!("a/b/c"), json!("/")], json!(["a", "b", "c"])),
        ("string", vec![json!("asdf")], json!("asdf")),
        ("substring", vec![json!("asdfasf"), json!(3)], json!("fasf")),
        ("toLower", vec![json!("AiKInIniIN")], json!("aikininiin")),
        ("toUpper", vec![json!("AiKInIniIN")], json!("AIKININIIN")),
        ("trim", vec![json!("  adf asdf  ")], json!("adf asdf")),
        ("union", vec![json!({"abc": "def"}), json!({"def": "ghi"})], json!({"abc": "def", "def": "ghi"})),
        ("uri", vec![json!("https://github.com"), json!("Azure/bicep")], json!("https://github.com/Azure/bicep")),
        ("uriComponent", vec![json!("UB*8h 0+=_)9h9n")], json!("UB%2A8h%200%2B%3D_%299h9n")),
        ("uriComponentToString", vec![json!("%20%25%20")], json!(" % ")),
    ];
    for (name, args, expected) in cases {
        check(name, args, expected);
    }
}
