//! Template evaluation end to end: expressions, copy loops, conditions, nested deployments and scopes.

use serde_json::{json, Value as Json};

use super::*;
use crate::template::UnsetParameters;

const SCHEMA: &str = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
const SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000001";

fn scope() -> DeploymentScope {
    DeploymentScope::resource_group(SUBSCRIPTION, "rg", "westeurope")
}

fn run(template: Json) -> Evaluation {
    run_with(template, Parameters::new(), EvaluateOptions::default())
}

fn run_with(template: Json, parameters: Parameters, options: EvaluateOptions) -> Evaluation {
    evaluate(&template, &parameters, &scope(), &options).unwrap_or_else(|e| panic!("{e}"))
}

fn fail(template: Json) -> TemplateError {
    evaluate(&template, &Parameters::new(), &scope(), &EvaluateOptions::default()).unwrap_err()
}

fn output(template: Json, expression: &str) -> Json {
    let mut template = template;
    template["outputs"] = json!({"result": {"type": "object", "value": expression}});
    run(template).outputs["result"].clone()
}

fn template() -> Json {
    json!({"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": []})
}

#[test]
fn missing_required_parameter_is_named() {
    let error = fail(json!({"$schema": SCHEMA, "parameters": {"vnetName": {"type": "string"}}, "resources": []}));
    assert_eq!(error.pointer, "/parameters/vnetName");
    assert!(error.message.contains("'vnetName'"), "{error}");
}

#[test]
fn parameters_from_files_overrides_and_defaults() {
    let template = json!({"$schema": SCHEMA, "parameters": {
        "name": {"type": "string"}, "count": {"type": "int", "defaultValue": 1}, "flag": {"type": "bool", "defaultValue": false},
        "derived": {"type": "string", "defaultValue": "[format('{0}-{1}', parameters('name'), parameters('count'))]"}
    }, "resources": [], "outputs": {"d": {"type": "string", "value": "[parameters('derived')]"}, "f": {"type": "bool", "value": "[parameters('flag')]"}}});
    let file = json!({"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "parameters": {"name": {"value": "app"}}});
    let options =
        EvaluateOptions { overrides: vec!["count=3".into(), "flag=true".into()], ..EvaluateOptions::default() };
    let evaluation = run_with(template, Parameters::from_document(&file).unwrap(), options);
    assert_eq!(evaluation.outputs["d"], "app-3");
    assert_eq!(evaluation.outputs["f"], true);
}

#[test]
fn schema_detection() {
    assert_eq!(detect_scope(&template()).unwrap(), TemplateScope::ResourceGroup);
    let sub = json!({"$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"});
    assert_eq!(detect_scope(&sub).unwrap(), TemplateScope::Subscription);
    let mg = json!({"$schema": "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#"});
    assert_eq!(detect_scope(&mg).unwrap(), TemplateScope::ManagementGroup);
    assert_eq!(detect_scope(&json!({})).unwrap_err().pointer, "/$schema");
}

#[test]
fn errors_name_the_expression_and_pointer() {
    let mut t = template();
    t["variables"] = json!({"bad": "[substring('abc', 1, 9)]"});
    t["outputs"] = json!({"o": {"type": "string", "value": "[variables('bad')]"}});
    let error = fail(t);
    assert_eq!(error.pointer, "/variables/bad");
    assert_eq!(error.expression.as_deref(), Some("[substring('abc', 1, 9)]"));

    let mut t = template();
    t["outputs"] = json!({"o": {"type": "string", "value": "[createArray(1, 2)[5]]"}});
    let error = fail(t);
    assert_eq!(error.pointer, "/outputs/o/value");
    assert!(error.message.contains("index 5 is out of range for an array of 2 items"), "{error}");

    let mut t = template();
    t["resources"] = json!([{"type": "Microsoft.Network/virtualNetworks", "name": "[frobnicate('x')]"}]);
    let error = fail(t);
    assert_eq!(error.pointer, "/resources/0/name");
    assert!(error.message.contains("'frobnicate' is not supported"), "{error}");

    let mut t = template();
    t["outputs"] = json!({"o": {"type": "string", "value": "[concat('a', ]"}});
    let error = fail(t);
    assert!(error.message.contains("offset"), "{error}");

    let mut t = template();
    t["outputs"] = json!({"o": {"type": "string", "value": "[toLower()]"}});
    assert!(fail(t)
        .to_string()
        .contains("at /outputs/o/value: the function 'toLower' takes 1 argument, got 0 (in expression `[toLower()]`)"));
}

#[test]
fn literal_brackets_and_environment() {
    assert_eq!(output(template(), "[[not evaluated]"), "[not evaluated]");
    assert_eq!(output(template(), "[environment().suffixes.sqlServerHostname]"), ".database.windows.net");
    assert_eq!(output(template(), "[resourceGroup().location]"), "westeurope");
    assert_eq!(output(template(), "[subscription().subscriptionId]"), SUBSCRIPTION);
}

#[test]
fn copy_loops_for_resources_properties_variables_and_outputs() {
    let evaluation = run(json!({"$schema": SCHEMA,
        "variables": {"copy": [{"name": "prefixes", "count": 2, "input": "[format('10.0.{0}.0/24', copyIndex('prefixes'))]"}]},
        "resources": [{
            "type": "Microsoft.Network/virtualNetworks", "name": "[format('vnet{0}', copyIndex(1))]",
            "copy": {"name": "vnets", "count": 2, "mode": "serial", "batchSize": 1},
            "properties": {"copy": [{"name": "subnets", "count": "[length(variables('prefixes'))]", "input": {
                "name": "[format('s{0}-{1}', copyIndex(), copyIndex('subnets'))]",
                "properties": {"addressPrefix": "[variables('prefixes')[copyIndex('subnets')]]"}}}]}
        }],
        "outputs": {"names": {"type": "array", "copy": {"count": 2, "input": "[format('n{0}', copyIndex())]"}}}
    }));
    assert_eq!(evaluation.resources.len(), 2);
    let second = &evaluation.resources[1].document;
    assert_eq!(second["name"], "vnet2");
    assert_eq!(second["properties"]["subnets"][1]["name"], "s1-1");
    assert_eq!(second["properties"]["subnets"][1]["properties"]["addressPrefix"], "10.0.1.0/24");
    assert_eq!(evaluation.outputs["names"], json!(["n0", "n1"]));
    assert_eq!(evaluation.resources[0].source, "/resources/0");
}

#[test]
fn conditions_and_child_resources() {
    let evaluation = run(json!({"$schema": SCHEMA, "resources": [
        {"condition": false, "type": "Microsoft.Network/publicIPAddresses", "name": "skipped"},
        {"type": "Microsoft.Network/privateDnsZones", "name": "privatelink.vaultcore.azure.net", "location": "global",
         "resources": [{"type": "virtualNetworkLinks", "name": "link", "location": "global", "properties": {"registrationEnabled": false}},
                       {"condition": "[equals(1, 2)]", "type": "virtualNetworkLinks", "name": "other"}]}
    ]}));
    assert_eq!(evaluation.resources.len(), 2);
    let link = &evaluation.resources[1].document;
    assert_eq!(link["type"], "Microsoft.Network/privateDnsZones/virtualNetworkLinks");
    assert_eq!(link["name"], "link");
    assert_eq!(
        link["id"],
        format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net/virtualNetworkLinks/link")
    );
    assert_eq!(evaluation.resources[1].source, "/resources/1/resources/0");
}

#[test]
fn resource_ids_for_every_scope() {
    let t = template();
    assert_eq!(
        output(t.clone(), "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]"),
        format!(
            "/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
        )
    );
    assert_eq!(
        output(t.clone(), "[resourceId('other', 'Microsoft.Network/virtualNetworks', 'v')]"),
        format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/other/providers/Microsoft.Network/virtualNetworks/v")
    );
    assert_eq!(
        output(t.clone(), "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'r')]"),
        format!("/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/r")
    );
    assert_eq!(
        output(t.clone(), "[tenantResourceId('Microsoft.Management/managementGroups', 'mg')]"),
        "/providers/Microsoft.Management/managementGroups/mg"
    );
    assert_eq!(
        output(
            t.clone(),
            "[extensionResourceId('/subscriptions/s/resourceGroups/r', 'Microsoft.Authorization/locks', 'l')]"
        ),
        "/subscriptions/s/resourceGroups/r/providers/Microsoft.Authorization/locks/l"
    );
    let mut bad = t;
    bad["outputs"] =
        json!({"o": {"type": "string", "value": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v')]"}});
    assert!(fail(bad)
        .message
        .contains("has 1 segment(s) but the type 'Microsoft.Network/virtualNetworks/subnets' needs 2"));
}

#[test]
fn nested_deployments_inner_outer_and_cross_resource_group() {
    let inner = json!({"$schema": SCHEMA, "parameters": {"zone": {"type": "string"}}, "resources": [
        {"type": "Microsoft.Network/privateDnsZones", "name": "[parameters('zone')]", "location": "global"}],
        "outputs": {"zoneId": {"type": "string", "value": "[resourceId('Microsoft.Network/privateDnsZones', parameters('zone'))]"},
                    "group": {"type": "string", "value": "[resourceGroup().name]"}}});
    let evaluation = run(
        json!({"$schema": SCHEMA, "parameters": {"p": {"type": "string", "defaultValue": "outer-value"}}, "resources": [
            {"type": "Microsoft.Resources/deployments", "name": "dns", "resourceGroup": "rg-dns",
             "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
                            "parameters": {"zone": {"value": "privatelink.blob.core.windows.net"}}, "template": inner}},
            {"type": "Microsoft.Resources/deployments", "name": "outer",
             "properties": {"mode": "Incremental", "template": {"$schema": SCHEMA, "resources": [
                {"type": "Microsoft.Network/publicIPAddresses", "name": "[parameters('p')]"}]}}},
            {"type": "Microsoft.Network/privateEndpoints", "name": "pe", "properties": {
                "zone": "[reference(resourceId('rg-dns', 'Microsoft.Resources/deployments', 'dns')).outputs.zoneId.value]",
                "group": "[reference('dns').outputs.group.value]"}}
        ]}),
    );
    let types: Vec<&str> = evaluation.resources.iter().map(|r| r.document["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "Microsoft.Network/privateDnsZones",
            "Microsoft.Network/publicIPAddresses",
            "Microsoft.Network/privateEndpoints"
        ]
    );
    let zone_id = format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net");
    assert_eq!(evaluation.resources[0].document["id"], zone_id);
    assert_eq!(evaluation.resources[0].source, "/resources/0/properties/template/resources/0");
    assert_eq!(evaluation.resources[1].document["name"], "outer-value");
    assert_eq!(evaluation.resources[2].document["properties"]["zone"], zone_id);
    assert_eq!(evaluation.resources[2].document["properties"]["group"], "rg-dns");
}

#[test]
fn language_version_2_symbolic_resources_and_existing() {
    let vnet_id =
        format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub");
    let template = json!({"$schema": SCHEMA, "languageVersion": "2.0", "resources": {
        "vnet": {"existing": true, "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-01-01", "name": "hub"},
        "other": {"existing": true, "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-01-01", "name": "elsewhere"},
        "zones": {"copy": {"name": "zones", "count": 2}, "type": "Microsoft.Network/privateDnsZones", "name": "[format('z{0}.example', copyIndex())]",
                  "properties": {"vnetLocation": "[reference('vnet').location]", "missing": "[reference('other').addressSpace]"}},
        "pe": {"type": "Microsoft.Network/privateEndpoints", "name": "pe", "dependsOn": ["zones"],
               "properties": {"zone": "[reference(format('zones[{0}]', 1), '2020-06-01', 'full').name]"}}
    }});
    let mut options = EvaluateOptions::default();
    options.existing.insert(
        vnet_id.to_ascii_lowercase(),
        json!({"id": vnet_id, "name": "hub", "properties": {"location": "northeurope"}}),
    );
    let evaluation = run_with(template, Parameters::new(), options);
    assert_eq!(evaluation.resources.len(), 3, "existing resources are not deployed");
    assert_eq!(evaluation.resources[0].document["properties"]["vnetLocation"], "northeurope");
    let missing = &evaluation.resources[0].document["properties"]["missing"];
    assert!(
        missing.as_str().unwrap().starts_with("[unknown] reference('other') is to a resource outside this deployment"),
        "{missing}"
    );
    assert_eq!(evaluation.resources[2].document["properties"]["zone"], "z1.example");
    assert!(evaluation.unknowns.iter().any(|u| u.pointer == "/properties/missing"));
}

#[test]
fn references_lists_a_collections_deployed_members() {
    // After learn.microsoft.com "template-functions-resource#references": a worker loop, one member
    // not deployed (false condition), read back by properties and in full.
    let collections = json!({"$schema": SCHEMA, "languageVersion": "2.0", "resources": {
        "workers": {"copy": {"name": "workers", "count": 3}, "condition": "[not(equals(copyIndex(), 1))]",
                    "type": "Microsoft.Network/privateDnsZones", "name": "[format('worker-{0}.example', copyIndex())]",
                    "properties": {"index": "[copyIndex()]"}},
        "single": {"type": "Microsoft.Network/privateDnsZones", "name": "single.example", "properties": {}}
    }, "outputs": {
        "indexes": {"type": "array", "value": "[map(references('workers'), lambda('w', lambdaVariables('w').index))]"},
        "names": {"type": "array", "value": "[map(references('Workers', 'Full'), lambda('w', lambdaVariables('w').name))]"},
        "explicit": {"type": "int", "value": "[length(references('workers', 'properties'))]"}
    }});
    let evaluation = run(collections.clone());
    assert_eq!(evaluation.outputs["indexes"], json!([0, 2]));
    assert_eq!(evaluation.outputs["names"], json!(["worker-0.example", "worker-2.example"]));
    assert_eq!(evaluation.outputs["explicit"], 2);

    let failing = |expression: &str| {
        let mut t = collections.clone();
        t["outputs"] = json!({"o": {"type": "array", "value": expression}});
        fail(t).message
    };
    assert!(failing("[references('single')]").contains("'references' takes a resource collection"));
    assert!(failing("[references('nothing')]").contains("'references' found no resource collection 'nothing'"));
    assert!(failing("[references('workers', 'all')]").contains("'references' takes 'Full' or 'Properties'"));
    assert!(failing("[references()]").contains("'references' takes 1 to 2 arguments"));
    assert!(failing("[references(1)]").contains("'references' expects a string as argument 1"));
    let mut t = template();
    t["outputs"] = json!({"o": {"type": "array", "value": "[references('workers')]"}});
    assert!(fail(t).message.contains("needs a template with symbolic resource names"));
}

#[test]
fn deployer_knows_the_tenant_only() {
    let mut t = template();
    t["outputs"] = json!({"deployer": {"type": "object", "value": "[deployer()]"}});
    let evaluation = run(t);
    let deployer = &evaluation.outputs["deployer"];
    assert_eq!(deployer["tenantId"], scope().tenant_id.as_str());
    for unknown in ["objectId", "userPrincipalName"] {
        assert!(deployer[unknown].as_str().unwrap().starts_with("[unknown] deployer()."), "{deployer}");
    }
    let mut t = template();
    t["outputs"] = json!({"o": {"type": "object", "value": "[deployer(1)]"}});
    assert!(fail(t).message.contains("'deployer' takes 0 arguments, got 1"));
}

#[test]
fn user_defined_functions_and_lambdas() {
    let mut t = template();
    t["functions"] = json!([{"namespace": "__bicep", "members": {"vnetName": {"parameters": [{"name": "subnetId", "type": "string"}],
        "output": {"type": "string", "value": "[split(parameters('subnetId'), '/')[8]]"}}}}]);
    assert_eq!(output(t, "[__bicep.vnetName('/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/hub/subnets/pe')]"), "hub");
    let t = template();
    assert_eq!(output(t.clone(), "[map(range(0, 3), lambda('i', mul(lambdaVariables('i'), 2)))]"), json!([0, 2, 4]));
    assert_eq!(
        output(t.clone(), "[filter(createArray(1, 5, 3), lambda('x', greater(lambdaVariables('x'), 2)))]"),
        json!([5, 3])
    );
    assert_eq!(
        output(
            t.clone(),
            "[reduce(createArray(1, 2, 3), 10, lambda('acc', 'x', add(lambdaVariables('acc'), lambdaVariables('x'))))]"
        ),
        json!(16)
    );
    assert_eq!(
        output(
            t.clone(),
            "[sort(createArray(3, 1, 2), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))]"
        ),
        json!([1, 2, 3])
    );
    assert_eq!(output(t.clone(), "[toObject(createArray('a', 'b'), lambda('k', lambdaVariables('k')), lambda('k', toUpper(lambdaVariables('k'))))]"), json!({"a": "A", "b": "B"}));
    assert_eq!(
        output(t.clone(), "[mapValues(createObject('a', 1), lambda('v', add(lambdaVariables('v'), 1)))]"),
        json!({"a": 2})
    );
    let mut bad = t;
    bad["outputs"] = json!({"o": {"type": "string", "value": "[lambda('x', 1)]"}});
    assert!(fail(bad).message.contains("lambda() can only be an argument"));
}

#[test]
fn unknowns_flow_through_functions() {
    let evaluation = run(json!({"$schema": SCHEMA, "resources": [
        {"type": "Microsoft.Storage/storageAccounts", "name": "st", "properties": {}},
        {"type": "Microsoft.Web/sites", "name": "app", "properties": {
            "key": "[concat('Key=', listKeys(resourceId('Microsoft.Storage/storageAccounts', 'st'), '2023-01-01').keys[0].value)]",
            "chosen": "[if(true(), 'known', listKeys('x', '1').keys)]",
            "first": "[coalesce(null(), 'a', listKeys('x', '1'))]",
            "either": "[or(true(), listKeys('x', '1').enabled)]",
            "endpoint": "[reference(resourceId('Microsoft.Storage/storageAccounts', 'st')).primaryEndpoints.blob]",
            "zones": "[pickZones('Microsoft.Compute', 'virtualMachines', 'westeurope', 2)]",
            "list": "[createArray('a', listSecrets('x', '1').value)]"}}
    ]}));
    let site = &evaluation.resources[1].document["properties"];
    assert!(site["key"].as_str().unwrap().starts_with("[unknown] listKeys(/subscriptions/"), "{}", site["key"]);
    assert_eq!(site["chosen"], "known");
    assert_eq!(site["first"], "a");
    assert_eq!(site["either"], true);
    assert!(site["endpoint"].as_str().unwrap().starts_with("[unknown] a runtime property"));
    assert_eq!(site["zones"], json!(["1", "2"]));
    assert_eq!(site["list"][0], "a");
    let pointers: Vec<&str> = evaluation.unknowns.iter().map(|u| u.pointer.as_str()).collect();
    assert_eq!(pointers, ["/properties/key", "/properties/endpoint", "/properties/list/1"]);
    assert!(evaluation.unknowns.iter().all(|u| u.resource_id.as_deref().is_some_and(|id| id.ends_with("/sites/app"))));
}

#[test]
fn reference_reads_evaluated_properties_and_network_sub_resource_ids() {
    let evaluation = run(json!({"$schema": SCHEMA, "resources": [
        {"type": "Microsoft.Web/sites", "name": "app", "properties": {"virtualNetworkSubnetId": "[reference('vnet').subnets[0].id]",
            "prefix": "[reference(resourceId('Microsoft.Network/virtualNetworks', 'vnet'), '2024-01-01').subnets[0].properties.addressPrefix]",
            "location": "[reference('vnet', '2024-01-01', 'Full').location]"}},
        {"type": "Microsoft.Network/virtualNetworks", "name": "vnet", "location": "westeurope",
         "properties": {"subnets": [{"name": "app", "properties": {"addressPrefix": "10.0.1.0/24"}}]}}
    ]}));
    let site = &evaluation.resources[0].document["properties"];
    assert_eq!(site["virtualNetworkSubnetId"], format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/app"));
    assert_eq!(site["prefix"], "10.0.1.0/24");
    assert_eq!(site["location"], "westeurope");
}

#[test]
fn dependency_cycles_are_warnings() {
    let evaluation = run(json!({"$schema": SCHEMA, "resources": [
        {"type": "Microsoft.Network/virtualNetworks", "name": "a", "dependsOn": ["[resourceId('Microsoft.Network/virtualNetworks', 'b')]"]},
        {"type": "Microsoft.Network/virtualNetworks", "name": "b", "dependsOn": ["Microsoft.Network/virtualNetworks/a"]}
    ]}));
    assert_eq!(evaluation.warnings, ["dependsOn cycle: /resources/0 -> /resources/1 -> /resources/0"]);
}

#[test]
fn clock_and_new_guid_are_injected() {
    let mut t = template();
    t["parameters"] = json!({"now": {"type": "string", "defaultValue": "[utcNow()]"}, "u": {"type": "string", "defaultValue": "[utcNow('u')]"},
                             "g1": {"type": "string", "defaultValue": "[newGuid()]"}, "g2": {"type": "string", "defaultValue": "[newGuid()]"}});
    t["outputs"] = json!({"now": {"type": "string", "value": "[parameters('now')]"}, "u": {"type": "string", "value": "[parameters('u')]"},
                          "g1": {"type": "string", "value": "[parameters('g1')]"}, "g2": {"type": "string", "value": "[parameters('g2')]"}});
    let options = EvaluateOptions { utc_now: "2026-03-04T05:06:07Z".into(), ..EvaluateOptions::default() };
    let first = run_with(t.clone(), Parameters::new(), options.clone());
    assert_eq!(first.outputs["now"], "20260304T050607Z");
    assert_eq!(first.outputs["u"], "2026-03-04 05:06:07Z");
    assert_ne!(first.outputs["g1"], first.outputs["g2"]);
    let second = run_with(t, Parameters::new(), options);
    assert_eq!(first, second, "evaluation is deterministic");
}

#[test]
fn date_functions_use_the_injected_clock() {
    // learn.microsoft.com "template-functions-date": the dateTimeAdd example, deployed at 2020-04-07 14:53:14Z.
    let mut t = template();
    t["parameters"] = json!({"baseTime": {"type": "string", "defaultValue": "[utcNow('u')]"}});
    t["variables"] = json!({"add3Years": "[dateTimeAdd(parameters('baseTime'), 'P3Y')]",
                            "subtract9Days": "[dateTimeAdd(parameters('baseTime'), '-P9D')]"});
    t["outputs"] = json!({"add3Years": {"type": "string", "value": "[variables('add3Years')]"},
                          "subtract9Days": {"type": "string", "value": "[variables('subtract9Days')]"},
                          "epoch": {"type": "int", "value": "[dateTimeToEpoch(dateTimeAdd(utcNow(), 'P1Y'))]"}});
    let options = EvaluateOptions { utc_now: "2020-04-07T14:53:14Z".into(), ..EvaluateOptions::default() };
    let evaluation = run_with(t, Parameters::new(), options);
    assert_eq!(evaluation.outputs["add3Years"], "2023-04-07T14:53:14Z");
    assert_eq!(evaluation.outputs["subtract9Days"], "2020-03-29T14:53:14Z");
    assert_eq!(evaluation.outputs["epoch"], 1_617_807_194);

    let mut t = template();
    t["outputs"] = json!({"o": {"type": "string", "value": "[dateTimeAdd('2020-01-01', 'P1W')]"}});
    let error = fail(t);
    assert_eq!(error.pointer, "/outputs/o/value");
    assert_eq!(error.expression.as_deref(), Some("[dateTimeAdd('2020-01-01', 'P1W')]"));
    assert!(error.message.contains("the function 'dateTimeAdd' expects an ISO 8601 duration"), "{error}");
}

#[test]
fn bicep_from_end_access_evaluates() {
    // What Bicep emits for `value.array[^1]`, `value.array[?^1]` and `value.?array[^3]` (Azure/bicep
    // src/Bicep.Decompiler.IntegrationTests/Files/Working/property-access/main.json, ExpressionConverter.cs).
    let mut t = template();
    t["variables"] = json!({"value": {"array": ["a", "b"]}});
    t["outputs"] = json!({
        "last": {"type": "string", "value": "[indexFromEnd(variables('value').array, 1)]"},
        "safe": {"type": "string", "value": "[tryIndexFromEnd(variables('value').array, 2)]"},
        "chained": {"type": "string", "value": "[tryGet(variables('value'), 'array', createObject('value', 3, 'fromEnd', true()))]"}
    });
    let evaluation = run(t);
    assert_eq!(evaluation.outputs["last"], "b");
    assert_eq!(evaluation.outputs["safe"], "a");
    assert_eq!(evaluation.outputs["chained"], Json::Null);
}

#[test]
fn duplicate_declarations_become_one_document() {
    let evaluation = run(json!({"$schema": SCHEMA, "resources": [
        {"type": "Microsoft.Network/virtualNetworks", "name": "v", "properties": {"n": 1}},
        {"type": "Microsoft.Resources/deployments", "name": "again", "properties": {"template": {"$schema": SCHEMA, "resources": [
            {"type": "Microsoft.Network/virtualNetworks", "name": "v", "properties": {"n": 2}}]}}}
    ]}));
    assert_eq!(evaluation.resources.len(), 1);
    assert_eq!(evaluation.resources[0].document["properties"]["n"], 2);
    assert_eq!(evaluation.warnings.len(), 1);
}

#[test]
fn subscription_deployments_create_groups_and_deploy_into_them() {
    let template = json!({"$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#", "resources": [
        {"type": "Microsoft.Resources/resourceGroups", "name": "rg-net", "location": "westeurope"},
        {"type": "Microsoft.Resources/deployments", "name": "net", "resourceGroup": "rg-net", "location": "westeurope",
         "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"}, "template": {"$schema": SCHEMA, "resources": [
            {"type": "Microsoft.Network/virtualNetworks", "name": "vnet", "location": "[resourceGroup().location]",
             "properties": {"group": "[resourceGroup().name]"}}]}}},
        {"type": "Microsoft.Resources/deployments", "name": "elsewhere", "resourceGroup": "rg-existing", "location": "westeurope",
         "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"}, "template": {"$schema": SCHEMA, "resources": [
            {"type": "Microsoft.Network/virtualNetworks", "name": "vnet2", "location": "[resourceGroup().location]"}]}}}
    ]});
    let scope = DeploymentScope::subscription(SUBSCRIPTION, "westeurope");
    let evaluation = evaluate(&template, &Parameters::new(), &scope, &EvaluateOptions::default()).unwrap();
    assert_eq!(evaluation.scope, TemplateScope::Subscription);
    assert_eq!(evaluation.resources[0].document["id"], format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-net"));
    let vnet = &evaluation.resources[1].document;
    assert_eq!(
        vnet["id"],
        format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet")
    );
    assert_eq!(vnet["properties"]["group"], "rg-net");
    assert_eq!(vnet["location"], "westeurope", "the location of the group the template creates");
    let elsewhere = &evaluation.resources[2].document;
    assert!(elsewhere["location"]
        .as_str()
        .unwrap()
        .starts_with("[unknown] the location of resource group 'rg-existing'"));
}

#[test]
fn parameter_values_must_match_type_and_allowed_values() {
    let template = json!({"$schema": SCHEMA, "parameters": {
        "sku": {"type": "string", "allowedValues": ["Basic", "Premium"], "defaultValue": "Basic"},
        "count": {"type": "int", "defaultValue": 1}}, "resources": []});
    let mut parameters = Parameters::new();
    parameters.set("sku", json!("Gold"));
    let error = evaluate(&template, &parameters, &scope(), &EvaluateOptions::default()).unwrap_err();
    assert_eq!(error.pointer, "/parameters/sku");
    assert!(error.message.contains("not one of its allowedValues"), "{error}");
    // ARM compares allowedValues without regard to case, and the value keeps the casing given.
    let mut parameters = Parameters::new();
    parameters.set("sku", json!("premium"));
    let mut echo = template.clone();
    echo["outputs"] = json!({"sku": {"type": "string", "value": "[parameters('sku')]"}});
    let evaluation = evaluate(&echo, &parameters, &scope(), &EvaluateOptions::default()).expect("premium is Premium");
    assert_eq!(evaluation.outputs.get("sku"), Some(&json!("premium")));
    let mut parameters = Parameters::new();
    parameters.set("count", json!("three"));
    let error = evaluate(&template, &parameters, &scope(), &EvaluateOptions::default()).unwrap_err();
    assert!(error.message.contains("declared int but its value is string"), "{error}");
}

#[test]
fn outer_scope_deployments_deploy_into_their_group_but_read_the_parent() {
    let evaluation = run(json!({"$schema": SCHEMA, "variables": {"name": "shared"}, "resources": [
        {"type": "Microsoft.Resources/deployments", "name": "other-group", "resourceGroup": "rg-other",
         "properties": {"mode": "Incremental", "template": {"$schema": SCHEMA, "resources": [
            {"type": "Microsoft.Network/privateDnsZones", "name": "[variables('name')]", "properties": {"group": "[resourceGroup().name]"}}]}}}
    ]}));
    let zone = &evaluation.resources[0].document;
    assert_eq!(
        zone["id"],
        format!(
            "/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-other/providers/Microsoft.Network/privateDnsZones/shared"
        )
    );
    assert_eq!(zone["properties"]["group"], "rg", "expressions of an outer-scope template are the parent's");
}

/// azure-semantics §18 quirks 1 and 10: ARM accepts a trailing '/' on `resourceId()`'s type (140
/// quickstart templates write it), and a nested deployment's empty `resourceGroup` is taken as
/// omitted, the parent's group (it made `/resourceGroups//` ids).
#[test]
fn trailing_slash_in_resource_id_types_and_empty_resource_group_deploy_as_azure_does() {
    let subnet = format!(
        "/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
    );
    let template = json!({"$schema": SCHEMA, "resources": [
        {"type": "Microsoft.Resources/deployments", "name": "net", "resourceGroup": "", "subscriptionId": "",
         "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"}, "template": {"$schema": SCHEMA, "resources": [
            {"type": "Microsoft.Network/privateDnsZones", "name": "z.example", "location": "global"}]}}},
        {"type": "Microsoft.Network/privateEndpoints", "name": "pe", "properties": {
            "subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets/', 'v', 's')]"}}}
    ]});
    let evaluation = run(template);
    let zone = &evaluation.resources[0].document["id"];
    assert_eq!(
        zone,
        &json!(format!(
            "/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/z.example"
        ))
    );
    assert_eq!(evaluation.resources[1].document["properties"]["subnet"]["id"], json!(subnet));
}

#[test]
fn every_missing_parameter_is_listed_in_one_error() {
    let template = json!({"$schema": SCHEMA, "resources": [], "parameters": {
        "vnetName": {"type": "string"}, "location": {"type": "string", "defaultValue": "westeurope"},
        "prefix": {"type": "string"}, "count": {"type": "int"}}});
    let error = fail(template);
    assert_eq!(error.pointer, "/parameters/vnetName");
    for name in ["'vnetName'", "'prefix'", "'count'"] {
        assert!(error.message.contains(name), "{error}");
    }
    assert!(!error.message.contains("'location'"), "a parameter with a default is not missing: {error}");
    assert!(error.message.contains("3 parameters"), "{error}");
    assert!(error.message.contains("--unset-parameters unknown"), "{error}");
}

#[test]
fn unset_parameters_can_be_unknown_values() {
    let template = json!({"$schema": SCHEMA, "parameters": {"vnetName": {"type": "string"}}, "resources": [
        {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "hub", "location": "westeurope",
         "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "tag": "[parameters('vnetName')]"}}]});
    let options = EvaluateOptions { unset_parameters: UnsetParameters::Unknown, ..EvaluateOptions::default() };
    let evaluation = run_with(template, Parameters::new(), options);
    let unknown = evaluation.unknowns.iter().find(|u| u.pointer == "/properties/tag").expect("the value is unknown");
    assert!(unknown.reason.contains("'vnetName' has no value"), "{}", unknown.reason);
    assert_eq!(evaluation.resources.len(), 1, "the template is evaluated anyway");
}

#[test]
fn a_nested_child_type_of_several_segments_is_relative_to_its_parent() {
    let template = json!({"$schema": SCHEMA, "resources": [
        {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "st1", "location": "westeurope",
         "resources": [{"type": "blobServices/containers", "apiVersion": "2023-01-01", "name": "default/logs",
                        "dependsOn": ["st1"]}]}]});
    let evaluation = run(template);
    let ids: Vec<&str> = evaluation.resources.iter().filter_map(|r| r.document["id"].as_str()).collect();
    assert!(ids.iter().any(|id| id.ends_with("/storageAccounts/st1/blobServices/default/containers/logs")), "{ids:?}");
}

#[test]
fn unicode_white_space_separates_arguments() {
    let value = output(template(), "[concat('a',\u{a0}'b')]");
    assert_eq!(value, json!("ab"));
}

#[test]
fn an_array_parameter_may_equal_one_of_allowed_arrays() {
    let declaration = json!({"type": "array", "defaultValue": ["free", "free"],
        "allowedValues": [["pernode", "OMS"], ["free", "free"]]});
    let ok = json!({"$schema": SCHEMA, "parameters": {"sku": declaration}, "resources": []});
    run(ok);
    let mut bad = json!({"$schema": SCHEMA, "parameters": {"sku": declaration}, "resources": []});
    bad["parameters"]["sku"]["defaultValue"] = json!(["basic"]);
    assert!(fail(bad).message.contains("allowedValues"));
}

#[test]
fn property_names_written_as_expressions_are_evaluated() {
    let mut t = template();
    t["variables"] = json!({"zones": {
        "[format('privatelink.blob.{0}', environment().suffixes.storage)]": "blob",
        "[[literal]": "kept"}});
    t["outputs"] = json!({"result": {"type": "object", "value": "[variables('zones')]"}});
    let value = run(t).outputs["result"].clone();
    assert_eq!(value, json!({"privatelink.blob.core.windows.net": "blob", "[literal]": "kept"}));
}
