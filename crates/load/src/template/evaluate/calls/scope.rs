//! What the deployment runs in: `resourceGroup()`, `subscription()`, `tenant()`, `deployer()`,
//! `managementGroup()`, `deployment()`, `environment()`, and the resource id functions
//! (learn.microsoft.com "template-functions-scope", "template-functions-deployment",
//! "template-functions-resource").

use super::reference::mark_runtime;
use super::{Call, Deployment, Env, Eval, Failure, World};
use crate::template::evaluate::expand::build_resource_id;
use crate::template::expr::Expr;
use crate::template::functions::{self, arity, FunctionResult};
use crate::template::scope::{public_cloud_environment, DeploymentScope};
use crate::template::value::{Object, Value};
use privlink_model::arm_type;

pub(super) fn call<'t>(world: &World<'t>, context: &Deployment<'t>, call: &Call<'_>, env: &Env) -> Option<Eval<Value>> {
    let scope = &context.scope;
    let none = |display| without_arguments(world, context, call.args, env, display);
    Some(match call.lower {
        "resourcegroup" => none("resourceGroup").and_then(|()| resource_group_object(scope).map_err(Failure::from)),
        "subscription" => none("subscription").map(|()| subscription_object(scope)),
        "tenant" => none("tenant").map(|()| tenant_object(scope)),
        "deployer" => none("deployer").map(|()| deployer_object(scope)),
        "managementgroup" => management_group(scope),
        "deployment" => none("deployment").map(|()| deployment_object(context)),
        "environment" => none("environment").map(|()| Value::from_json(&public_cloud_environment())),
        "resourceid"
        | "subscriptionresourceid"
        | "tenantresourceid"
        | "extensionresourceid"
        | "managementgroupresourceid" => resource_id(world, context, call, env),
        _ => return None,
    })
}

/// Evaluates the arguments of a function that takes none, so that passing some is an error.
fn without_arguments<'t>(
    world: &World<'t>,
    context: &Deployment<'t>,
    args: &[Expr],
    env: &Env,
    display: &str,
) -> Eval<()> {
    let args = world.eval_args(context, args, env)?;
    Ok(arity(display, &args, 0, 0)?)
}

fn resource_id<'t>(world: &World<'t>, context: &Deployment<'t>, call: &Call<'_>, env: &Env) -> Eval<Value> {
    let args = world.eval_args(context, call.args, env)?;
    if let Some(u) = args.iter().find_map(|a| if let Value::Unknown(u) = a { Some(u.clone()) } else { None }) {
        return Ok(Value::Unknown(u));
    }
    Ok(resource_id_function(call.lower, &args, &context.scope)?)
}

/// `managementGroup()`; it reads no arguments.
fn management_group(scope: &DeploymentScope) -> Eval<Value> {
    match &scope.management_group {
        Some(mg) => {
            let mut object = Object::new();
            object.insert("id", Value::from(format!("/providers/{}/{mg}", arm_type::MANAGEMENT_GROUPS)));
            object.insert("name", Value::from(mg.as_str()));
            object.insert("type", Value::from(arm_type::MANAGEMENT_GROUPS));
            object.runtime_extensible = Some("managementGroup() properties are only known at deploy time".into());
            Ok(Value::Object(object))
        }
        None => Err("managementGroup() is only available in management group deployments".to_string().into()),
    }
}

fn subscription_object(scope: &DeploymentScope) -> Value {
    let mut object = Object::new();
    object.insert("id", Value::from(scope.subscription_resource_id()));
    object.insert("subscriptionId", Value::from(scope.subscription_id.as_str()));
    object.insert("tenantId", Value::from(scope.tenant_id.as_str()));
    object.insert("displayName", Value::from(scope.subscription_display_name.as_str()));
    Value::Object(object)
}

fn tenant_object(scope: &DeploymentScope) -> Value {
    let mut object = Object::new();
    object.insert("tenantId", Value::from(scope.tenant_id.as_str()));
    object.insert("countryCode", Value::unknown("tenant().countryCode is only known at deploy time"));
    object.insert("displayName", Value::unknown("tenant().displayName is only known at deploy time"));
    Value::Object(object)
}

fn resource_id_segments(function: &str, args: &[Value]) -> Result<(String, String), String> {
    let strings: Vec<String> = args
        .iter()
        .map(|a| match a {
            Value::String(s) => Ok(s.clone()),
            other => Err(functions::type_error(function, "string arguments", other)),
        })
        .collect::<Result<_, _>>()?;
    let Some(resource_type) = strings.first() else {
        return Err(format!("the function '{function}' needs a resource type and names"));
    };
    let names = strings[1..].join("/");
    Ok((resource_type.clone(), names))
}

/// `resourceId`, `subscriptionResourceId`, `tenantResourceId`, `extensionResourceId`,
/// `managementGroupResourceId` (learn.microsoft.com "template-functions-resource").
fn resource_id_function(function: &str, args: &[Value], scope: &DeploymentScope) -> FunctionResult {
    let display = match function {
        "resourceid" => "resourceId",
        "subscriptionresourceid" => "subscriptionResourceId",
        "tenantresourceid" => "tenantResourceId",
        "extensionresourceid" => "extensionResourceId",
        _ => "managementGroupResourceId",
    };
    arity(display, args, 2, usize::MAX)?;
    // The first argument containing '/' is the resource type; arguments before it are scope.
    let type_index = args
        .iter()
        .position(|a| a.as_str().is_some_and(|s| s.contains('/')) && !a.as_str().is_some_and(|s| s.starts_with('/')))
        .ok_or_else(|| {
            format!("the function '{display}' needs a resource type such as '{}'", arm_type::VIRTUAL_NETWORKS)
        })?;
    let (leading, rest) = args.split_at(type_index);
    let (resource_type, names) = resource_id_segments(display, rest)?;
    // ARM accepts a trailing '/' on the type (`…/virtualNetworks/subnets/`), as the
    // Learn syntax page's own example writes it (azure-semantics §18 quirk 1).
    let resource_type = resource_type.trim_end_matches('/').to_string();
    let leading: Vec<&str> = leading.iter().map(|a| a.as_str().unwrap_or_default()).collect();
    let prefix = match (function, leading.as_slice()) {
        ("resourceid", []) => scope.resource_id_prefix(),
        ("resourceid", [group]) => format!("/subscriptions/{}/resourceGroups/{group}", scope.subscription_id),
        ("resourceid", [subscription, group]) => format!("/subscriptions/{subscription}/resourceGroups/{group}"),
        ("subscriptionresourceid", []) => scope.subscription_resource_id(),
        ("subscriptionresourceid", [subscription]) => format!("/subscriptions/{subscription}"),
        ("tenantresourceid", []) => String::new(),
        ("extensionresourceid", [base]) => base.trim_end_matches('/').to_string(),
        ("managementgroupresourceid", []) => {
            format!("/providers/{}/{}", arm_type::MANAGEMENT_GROUPS, scope.management_group.clone().unwrap_or_default())
        }
        ("managementgroupresourceid", [group]) => format!("/providers/{}/{group}", arm_type::MANAGEMENT_GROUPS),
        _ => {
            return Err(format!("the function '{display}' got {} argument(s) before the resource type", leading.len()))
        }
    };
    if function == "extensionresourceid" && leading.is_empty() {
        return Err("the function 'extensionResourceId' needs the id of the resource it extends first".to_string());
    }
    build_resource_id(&prefix, &resource_type, &names).map(Value::String)
}

fn resource_group_object(scope: &DeploymentScope) -> Result<Value, String> {
    let Some(group) = &scope.resource_group else {
        return Err("resourceGroup() is only available in resource group deployments".to_string());
    };
    let mut object = Object::new();
    object.insert("id", Value::from(scope.resource_group_id().unwrap_or_default()));
    object.insert("name", Value::from(group.name.as_str()));
    object.insert("type", Value::from(arm_type::RESOURCE_GROUPS));
    object.insert(
        "location",
        match &group.location {
            Some(l) => Value::from(l.as_str()),
            None => {
                Value::unknown(format!("the location of resource group '{}' is only known at deploy time", group.name))
            }
        },
    );
    object
        .insert("tags", Value::Object(group.tags.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect()));
    let mut properties = Object::new();
    properties.insert("provisioningState", Value::from("Succeeded"));
    object.insert("properties", Value::Object(properties));
    Ok(Value::Object(object))
}

/// `deployer()`: the principal running the deployment. Its object id and user principal name are only
/// known to Azure; its tenant is the one the deployment runs in (ARM takes tokens from the
/// subscription's tenant), the value `tenant()` and `subscription()` report.
fn deployer_object(scope: &DeploymentScope) -> Value {
    let mut object = Object::new();
    object.insert(
        "objectId",
        Value::unknown("deployer().objectId is the deploying principal's: only known at deploy time"),
    );
    object.insert("tenantId", Value::from(scope.tenant_id.as_str()));
    object.insert(
        "userPrincipalName",
        Value::unknown("deployer().userPrincipalName is the deploying principal's: only known at deploy time"),
    );
    Value::Object(object)
}

fn deployment_object(context: &Deployment<'_>) -> Value {
    let mut template = Object::new();
    for key in ["$schema", "contentVersion"] {
        if let Some(value) = context.template.get(key) {
            template.insert(key, Value::from_json(value));
        }
    }
    let mut properties = Object::new();
    properties.insert("template", Value::Object(template));
    properties.insert("mode", Value::from("Incremental"));
    properties.insert("provisioningState", Value::from("Accepted"));
    let mut object = Object::new();
    object.insert("name", Value::from(context.scope.deployment_name.as_str()));
    if context.scope.resource_group.is_none() {
        if let Some(location) = &context.scope.location {
            object.insert("location", Value::from(location.as_str()));
        }
    }
    object.insert("properties", Value::Object(properties));
    Value::Object(
        mark_runtime(Value::Object(object), "this deployment() property is only known at deploy time")
            .as_object()
            .cloned()
            .unwrap_or_default(),
    )
}
