//! `fail(message)`: the template stops the deployment with its own message (Bicep emits it for `fail()`,
//! Azure/bicep src/Bicep.Core/Semantics/Namespaces/SystemNamespaceType.cs). Reached during evaluation,
//! it fails evaluation too, so the twin does not deploy what Azure would refuse.

use super::{arity, brief, FunctionResult};
use crate::template::value::Value;

pub(super) fn call(name: &str, args: &[Value]) -> Option<FunctionResult> {
    (name == "fail").then(|| {
        arity("fail", args, 1, 1)?;
        let message = match &args[0] {
            Value::String(text) => text.clone(),
            Value::Unknown(u) => format!("(a message only known at deploy time: {})", u.reason),
            other => brief(other),
        };
        Err(format!("the template called fail(): {message}"))
    })
}

#[cfg(test)]
mod tests {
    use super::super::call_for_test as call;
    use crate::template::value::Value;

    #[test]
    fn fail_stops_with_the_message() {
        assert_eq!(
            call("fail", vec![Value::from("should have supplied one")]).unwrap_err(),
            "the template called fail(): should have supplied one"
        );
        let unknown = Value::unknown("a listKeys() result");
        assert!(call("fail", vec![unknown]).unwrap_err().contains("only known at deploy time: a listKeys() result"));
        assert!(call("fail", vec![]).unwrap_err().contains("'fail' takes 1 argument, got 0"));
    }
}
