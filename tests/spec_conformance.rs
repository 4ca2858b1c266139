//! The generated types, the crate's defaults and the JSON Schema agree with `openapi/orum.yaml`.

mod common;

use std::collections::BTreeMap;

use orum_webhooks::raw::types;
use orum_webhooks::{EventType, Family, TestEvent};
use serde_json::Value;

fn spec() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/orum.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

fn spec_schemas() -> BTreeMap<String, Value> {
    let spec = spec();
    spec["components"]["schemas"]
        .as_object()
        .unwrap()
        .clone()
        .into_iter()
        .collect()
}

fn enum_values(schema: &Value) -> Vec<String> {
    schema["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_default_body_is_valid_for_its_family() {
    for event_type in EventType::ALL {
        let bytes = TestEvent::new(event_type).to_json().unwrap();
        let body: types::PostInvokeBody = serde_json::from_str(&bytes).unwrap();
        let family = match body {
            types::PostInvokeBody::PersonTestRequest(_) => Family::Person,
            types::PostInvokeBody::BusinessTestRequest(_) => Family::Business,
            types::PostInvokeBody::ExternalAccountTestRequest(_) => Family::ExternalAccount,
            types::PostInvokeBody::TransferTestRequest(_) => Family::Transfer,
            types::PostInvokeBody::VerifyAccountTestRequest(_) => Family::VerifyAccount,
            types::PostInvokeBody::SubledgerTestRequest(_) => Family::Subledger,
            types::PostInvokeBody::BookTransferTestRequest(_) => Family::BookTransfer,
        };
        assert_eq!(family, event_type.family(), "{event_type}");
        // Serializing the typed body again changes nothing: no field was dropped.
        assert_eq!(serde_json::to_string(&body).unwrap(), bytes, "{event_type}");
    }
}

#[test]
fn defaults_are_consistent_with_the_event() {
    let data = |name: &str| {
        TestEvent::new(name.parse::<EventType>().unwrap())
            .to_value()
            .unwrap()["data"]
            .clone()
    };
    for family in ["person", "business", "external_account"] {
        assert_eq!(data(&format!("{family}_verified"))["status"], "verified");
        assert_eq!(data(&format!("{family}_rejected"))["status"], "rejected");
        assert_eq!(data(&format!("{family}_unverified"))["status"], "created");
        let closed = data(&format!("{family}_closed"));
        assert_eq!(closed["status"], "closed");
        assert_eq!(closed["closed_at"], closed["updated_at"]);
        assert!(
            data(&format!("{family}_created"))
                .get("closed_at")
                .is_none()
        );
    }
    assert_eq!(
        data("person_rejected")["status_reasons"][0]["reason_code"],
        "invalid_address_type"
    );
    assert!(data("person_verified").get("status_reasons").is_none());
    let transfer = data("transfer_updated");
    assert_eq!(
        (transfer["currency"].as_str(), transfer["amount"].as_u64()),
        (Some("USD"), Some(10000))
    );
    assert!(transfer["source"]["account_reference_id"].is_string());
    assert!(transfer["destination"]["account_reference_id"].is_string());
    assert_eq!(
        data("verify_account_updated")["verification_status"],
        "valid"
    );
}

#[test]
fn the_event_type_list_is_the_specs() {
    let schemas = spec_schemas();
    let from_spec: Vec<String> = [
        "PersonEventType",
        "BusinessEventType",
        "ExternalAccountEventType",
        "TransferEventType",
        "VerifyAccountEventType",
        "SubledgerEventType",
        "BookTransferEventType",
    ]
    .iter()
    .flat_map(|name| enum_values(&schemas[*name]))
    .collect();
    let ours: Vec<String> = EventType::ALL
        .iter()
        .map(|e| e.as_str().to_owned())
        .collect();
    assert_eq!(ours, from_spec);
    // Each name is also what the generated family enum writes.
    for e in EventType::ALL {
        let generated = match e {
            EventType::Person(x) => x.to_string(),
            EventType::Business(x) => x.to_string(),
            EventType::ExternalAccount(x) => x.to_string(),
            EventType::Transfer(x) => x.to_string(),
            EventType::VerifyAccount(x) => x.to_string(),
            EventType::Subledger(x) => x.to_string(),
            EventType::BookTransfer(x) => x.to_string(),
        };
        assert_eq!(generated, e.as_str());
    }
}

/// Every schema schemars derives from the generated types, by name.
fn derived_schemas() -> BTreeMap<String, Value> {
    let roots = [
        serde_json::to_value(schemars::schema_for!(types::PostInvokeBody)).unwrap(),
        serde_json::to_value(schemars::schema_for!(types::OauthTokenBody)).unwrap(),
        serde_json::to_value(schemars::schema_for!(types::OauthTokenResponse)).unwrap(),
        serde_json::to_value(schemars::schema_for!(types::SecretResponse)).unwrap(),
        serde_json::to_value(schemars::schema_for!(types::ConfigurationRequest)).unwrap(),
        serde_json::to_value(schemars::schema_for!(types::ConfigurationsResponse)).unwrap(),
        serde_json::to_value(schemars::schema_for!(types::ConfigurationResponse)).unwrap(),
        serde_json::to_value(schemars::schema_for!(types::ErrorResponse)).unwrap(),
        serde_json::to_value(schemars::schema_for!(types::OrumVersion)).unwrap(),
    ];
    let mut out = BTreeMap::new();
    for root in roots {
        if let Some(defs) = root["$defs"].as_object() {
            out.extend(defs.clone());
        }
        let title = root["title"].as_str().unwrap().to_owned();
        out.insert(title, root);
    }
    out
}

/// Patterns and lengths are not in the derived schema (typify's newtypes derive a plain string
/// schema); they are enforced when the newtypes deserialize, see `tests/validation.rs`.
#[test]
fn json_schema_has_the_specs_required_fields_and_enums() {
    let derived = derived_schemas();
    let mut compared = 0;
    for (name, schema) in spec_schemas() {
        let Some(ours) = derived.get(&name) else {
            // Plain strings and formats (OrumId, CreatedAt, ...) are inlined by schemars.
            assert!(
                schema.get("enum").is_none() && schema.get("required").is_none(),
                "{name} missing"
            );
            continue;
        };
        let sorted = |v: &Value| {
            let mut names: Vec<String> = v
                .as_array()
                .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default();
            names.sort();
            names
        };
        assert_eq!(
            sorted(&ours["required"]),
            sorted(&schema["required"]),
            "required of {name}"
        );
        if schema.get("enum").is_some() {
            let mut theirs = enum_values(&schema);
            let mut mine: Vec<String> = ours["enum"]
                .as_array()
                .or_else(|| ours["oneOf"].as_array())
                .map(|a| {
                    a.iter()
                        .flat_map(|v| match v.get("enum").or(v.get("const")) {
                            Some(Value::Array(values)) => values
                                .iter()
                                .map(|s| s.as_str().unwrap().to_owned())
                                .collect(),
                            Some(Value::String(s)) => vec![s.clone()],
                            _ => vec![v.as_str().unwrap_or_default().to_owned()],
                        })
                        .collect()
                })
                .unwrap_or_default();
            theirs.sort();
            mine.sort();
            assert_eq!(mine, theirs, "enum of {name}");
        }
        compared += 1;
    }
    assert!(compared >= 60, "only {compared} schemas compared");
}
