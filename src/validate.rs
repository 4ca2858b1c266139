//! Checks JSON against the generated types, reporting the field path and the broken rule.
//!
//! The generated types carry the spec's rules (enums, patterns, lengths, formats, required
//! fields); deserializing into them is the validation. What the generator drops is checked
//! here: item counts of `Vec` fields, and the metadata limits Orum states in prose.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, InvalidField};
use crate::event_type::{EventType, Family};
use crate::raw::types;

/// Item counts from the spec that the generated `Vec` fields do not enforce;
/// `addresses` is a one-item array in Rust; checking it here gives a clearer message.
const ITEM_COUNTS: &[(Family, &str, usize, usize)] = &[
    (Family::Person, "addresses", 1, 1),
    (Family::Person, "contacts", 1, 2),
    (Family::Business, "addresses", 1, 1),
    (Family::Business, "contacts", 1, 3),
];

/// Orum's metadata limits: at most 5 pairs, keys up to 20 and values up to 50 characters.
const METADATA_PAIRS: usize = 5;
const METADATA_KEY_CHARS: usize = 20;
const METADATA_VALUE_CHARS: usize = 50;

/// Checks a complete `POST /webhooks/invoke` body and returns it as the generated type.
pub(crate) fn invoke_body(body: &Value) -> Result<(EventType, types::PostInvokeBody), Error> {
    let Some(object) = body.as_object() else {
        return Err(invalid(
            "(body)",
            "must be a JSON object with event_type and data",
        ));
    };
    let event_type = match object.get("event_type") {
        None => return Err(invalid("event_type", "is required")),
        Some(Value::String(name)) => name.parse::<EventType>().map_err(|e| match e {
            Error::UnknownEventType(u) => invalid("event_type", u.to_string()),
            other => other,
        })?,
        Some(_) => return Err(invalid("event_type", "must be a string")),
    };
    let Some(data) = object.get("data") else {
        return Err(invalid("data", "is required"));
    };
    let family = event_type.family();
    let typed = check_item_counts(data, family)
        .and_then(|()| typed_body(body, family))
        .map_err(|field| match other_family_of(data, family) {
            Some(other) => invalid(
                "data",
                format!(
                    "is a {other} resource, but event_type `{event_type}` needs a {family} \
                     resource ({}); first problem: {field}",
                    family.data_schema()
                ),
            ),
            None => Error::InvalidRequest(field),
        })?;
    check_metadata(data)?;
    Ok((event_type, typed))
}

fn typed_body(body: &Value, family: Family) -> Result<types::PostInvokeBody, InvalidField> {
    Ok(match family {
        Family::Person => typed::<types::PersonTestRequest>(body)?.into(),
        Family::Business => typed::<types::BusinessTestRequest>(body)?.into(),
        Family::ExternalAccount => typed::<types::ExternalAccountTestRequest>(body)?.into(),
        Family::Transfer => typed::<types::TransferTestRequest>(body)?.into(),
        Family::VerifyAccount => typed::<types::VerifyAccountTestRequest>(body)?.into(),
        Family::Subledger => typed::<types::SubledgerTestRequest>(body)?.into(),
        Family::BookTransfer => typed::<types::BookTransferTestRequest>(body)?.into(),
    })
}

/// Deserializes `value` into `T`, refusing fields `T` does not have (they would be dropped).
pub(crate) fn typed<T: DeserializeOwned>(value: &Value) -> Result<T, InvalidField> {
    let mut ignored = Vec::new();
    let mut on_ignored = |path: serde_ignored::Path<'_>| ignored.push(ignored_path(&path));
    // Paths are tracked only to explain a failure: the common, valid case goes without.
    let typed = T::deserialize(serde_ignored::Deserializer::new(value, &mut on_ignored))
        .or_else(|_| lenient(value))?;
    match ignored.into_iter().next() {
        None => Ok(typed),
        Some(path) => Err(InvalidField {
            path,
            rule: "is not a field of Orum's schema here (check the spelling)".into(),
        }),
    }
}

/// Deserializes `value` into `T`, ignoring fields `T` does not have.
pub(crate) fn lenient<T: DeserializeOwned>(value: &Value) -> Result<T, InvalidField> {
    serde_path_to_error::deserialize(value).map_err(|e| path_error(&e))
}

fn path_error(e: &serde_path_to_error::Error<serde_json::Error>) -> InvalidField {
    let mut path = e.path().to_string();
    if path == "." {
        path = "(body)".into();
    }
    field_error(path, &e.inner().to_string())
}

/// The family whose data schema `data` matches exactly, other than `expected`.
fn other_family_of(data: &Value, expected: Family) -> Option<Family> {
    Family::ALL
        .into_iter()
        .filter(|f| *f != expected)
        .find(|f| match f {
            Family::Person => typed::<types::PersonResponseBase>(data).is_ok(),
            Family::Business => typed::<types::BusinessResponseBase>(data).is_ok(),
            Family::ExternalAccount => typed::<types::ExternalAccountResponseBase>(data).is_ok(),
            Family::Transfer => typed::<types::TransferResponseBaseObject>(data).is_ok(),
            Family::VerifyAccount => typed::<types::VerifyAccountResponseBase>(data).is_ok(),
            Family::Subledger => typed::<types::SubledgerResponseBase>(data).is_ok(),
            Family::BookTransfer => typed::<types::BookTransfer>(data).is_ok(),
        })
}

fn check_item_counts(data: &Value, family: Family) -> Result<(), InvalidField> {
    for (_, field, ..) in ITEM_COUNTS.iter().filter(|(f, ..)| *f == family) {
        if let Some(Value::Array(items)) = data.get(field) {
            check_count(family, field, items.len())?;
        }
    }
    Ok(())
}

fn check_count(family: Family, field: &str, count: usize) -> Result<(), InvalidField> {
    let Some((.., min, max)) = ITEM_COUNTS
        .iter()
        .find(|(f, name, ..)| *f == family && *name == field)
    else {
        return Ok(());
    };
    if (*min..=*max).contains(&count) {
        return Ok(());
    }
    let allowed = match (min, max) {
        (min, max) if min == max => format!("exactly {min} item"),
        (min, max) => format!("{min} to {max} items"),
    };
    Err(InvalidField {
        path: format!("data.{field}"),
        rule: format!("must have {allowed} (has {count})"),
    })
}

fn check_metadata(data: &Value) -> Result<(), Error> {
    match data.get("metadata") {
        Some(Value::Object(metadata)) => check_metadata_map(metadata),
        _ => Ok(()),
    }
}

fn check_metadata_map(metadata: &serde_json::Map<String, Value>) -> Result<(), Error> {
    if metadata.len() > METADATA_PAIRS {
        return Err(invalid(
            "data.metadata",
            format!(
                "may hold at most {METADATA_PAIRS} key-value pairs (has {})",
                metadata.len()
            ),
        ));
    }
    for (key, value) in metadata {
        let path = format!("data.metadata.{key}");
        if key.chars().count() > METADATA_KEY_CHARS {
            return Err(invalid(
                &path,
                format!("keys may be at most {METADATA_KEY_CHARS} characters"),
            ));
        }
        let chars = match value {
            Value::String(s) => s.chars().count(),
            other => other.to_string().chars().count(),
        };
        if chars > METADATA_VALUE_CHARS {
            return Err(invalid(
                &path,
                format!("values may be at most {METADATA_VALUE_CHARS} characters"),
            ));
        }
    }
    Ok(())
}

/// Checks a body that is already the generated type: only the rules the types do not carry.
/// (An empty `contacts` is the same as none once typed: it is not sent.)
pub(crate) fn generated_body(body: &types::PostInvokeBody) -> Result<(), Error> {
    use types::PostInvokeBody as B;
    let (family, contacts, metadata) = match body {
        B::PersonTestRequest(r) => (
            Family::Person,
            r.data.contacts.len(),
            Some(&r.data.metadata),
        ),
        B::BusinessTestRequest(r) => (
            Family::Business,
            r.data.contacts.len(),
            Some(&r.data.metadata),
        ),
        B::ExternalAccountTestRequest(r) => (
            Family::ExternalAccount,
            0,
            r.data.metadata.as_ref().map(|m| &m.0),
        ),
        B::TransferTestRequest(r) => (Family::Transfer, 0, r.data.metadata.as_ref().map(|m| &m.0)),
        B::BookTransferTestRequest(r) => (
            Family::BookTransfer,
            0,
            r.data.metadata.as_ref().map(|m| &m.0),
        ),
        B::VerifyAccountTestRequest(_) => (Family::VerifyAccount, 0, None),
        B::SubledgerTestRequest(_) => (Family::Subledger, 0, None),
    };
    if contacts > 0 {
        check_count(family, "contacts", contacts).map_err(Error::InvalidRequest)?;
    }
    metadata.map_or(Ok(()), check_metadata_map)
}

/// Turns a serde message into a rule, moving a missing field's name into the path.
fn field_error(path: String, message: &str) -> InvalidField {
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.strip_suffix('`'))
    {
        let path = if path == "(body)" {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        return InvalidField {
            path,
            rule: "is required".into(),
        };
    }
    let rule = if let Some(got) = message.strip_suffix(", expected a nonzero u64") {
        let got = got.split_once(": ").map_or(got, |(_, got)| got);
        format!("must be a whole number of at least 1 (got {got})")
    } else if let Some(pattern) = message
        .strip_prefix("doesn't match pattern \"")
        .and_then(|p| p.strip_suffix('"'))
    {
        if pattern.chars().count() > 40 {
            "contains characters this field does not allow (printable Latin characters and \
             diacritics only)"
                .to_owned()
        } else {
            format!("must match the pattern {pattern}")
        }
    } else {
        message.to_owned()
    };
    InvalidField { path, rule }
}

/// Formats a serde_ignored path the way serde_path_to_error does: `data.addresses[0].x`.
fn ignored_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path as P;
    match path {
        P::Root => String::new(),
        P::Seq { parent, index } => format!("{}[{index}]", ignored_path(parent)),
        P::Map { parent, key } => match ignored_path(parent) {
            p if p.is_empty() => key.clone(),
            p => format!("{p}.{key}"),
        },
        P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
            ignored_path(parent)
        }
    }
}

fn invalid(path: &str, rule: impl Into<String>) -> Error {
    Error::InvalidRequest(InvalidField {
        path: path.to_owned(),
        rule: rule.into(),
    })
}
