//! Webhooks as Orum delivers them: `event_id`, `event_type`, `created_at`, and `event_data`
//! holding one resource under a key that names it. The resource is the same generated type
//! the invoke side sends.

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::de::{self, Deserializer as _, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::event_type::{EventType, Family};
use crate::raw::types;
use crate::validate;

/// A webhook delivered by Orum.
///
/// ```
/// use orum_webhooks::{EventData, WebhookEvent};
/// let body = br#"{"event_id":"2d5lde32","event_type":"card_verified",
///     "created_at":"2022-07-26T18:45:17.441Z","event_data":{"card":{"id":"c1"}}}"#;
/// let event = WebhookEvent::from_slice(body)?;
/// assert!(matches!(event.data, EventData::Unknown { ref key, .. } if key == "card"));
/// # Ok::<(), orum_webhooks::VerifyError>(())
/// ```
#[derive(Debug, Clone)]
pub struct WebhookEvent {
    /// Unique id of the event; deliveries of the same event share it (deduplicate on it).
    /// A string: Orum's published samples are not UUIDs.
    pub event_id: String,
    /// The event type as delivered, known to this crate or not.
    pub event_type: String,
    /// When Orum created the event.
    pub created_at: DateTime<Utc>,
    /// The resource the event is about.
    pub data: EventData,
}

/// The resource in a delivered webhook, by family.
#[derive(Debug, Clone)]
#[non_exhaustive]
#[allow(missing_docs)] // each variant holds its family's generated type
pub enum EventData {
    Person(types::PersonResponseBase),
    Business(types::BusinessResponseBase),
    ExternalAccount(types::ExternalAccountResponseBase),
    Transfer(types::TransferResponseBaseObject),
    VerifyAccount(types::VerifyAccountResponseBase),
    Subledger(types::SubledgerResponseBase),
    BookTransfer(types::BookTransfer),
    /// An event type this crate does not know (Orum adds them without a new version), kept
    /// as delivered: `key` is the resource key under `event_data`, `value` the resource.
    Unknown {
        key: String,
        value: Value,
    },
}

impl WebhookEvent {
    /// The event type, if it is one this crate knows.
    pub fn known_type(&self) -> Option<EventType> {
        self.event_type.parse().ok()
    }

    /// The webhook Orum delivers for a test event fired with `body`.
    pub fn from_invoked(
        body: types::PostInvokeBody,
        event_id: impl Into<String>,
        created_at: DateTime<Utc>,
    ) -> Self {
        use types::PostInvokeBody as B;
        let (event_type, data) = match body {
            B::PersonTestRequest(r) => (r.event_type.to_string(), EventData::Person(r.data)),
            B::BusinessTestRequest(r) => (r.event_type.to_string(), EventData::Business(r.data)),
            B::ExternalAccountTestRequest(r) => {
                (r.event_type.to_string(), EventData::ExternalAccount(r.data))
            }
            B::TransferTestRequest(r) => (r.event_type.to_string(), EventData::Transfer(r.data)),
            B::VerifyAccountTestRequest(r) => {
                (r.event_type.to_string(), EventData::VerifyAccount(r.data))
            }
            B::SubledgerTestRequest(r) => (r.event_type.to_string(), EventData::Subledger(r.data)),
            B::BookTransferTestRequest(r) => {
                (r.event_type.to_string(), EventData::BookTransfer(r.data))
            }
        };
        WebhookEvent {
            event_id: event_id.into(),
            event_type,
            created_at,
            data,
        }
    }

    /// Parses a delivered body (without checking its signature: see
    /// [`Verifier`](crate::Verifier)).
    pub fn from_slice(body: &[u8]) -> Result<Self, crate::VerifyError> {
        match Self::from_slice_typed(body) {
            Some((_, event)) => Ok(event),
            None => Self::from_slice_checked(body),
        }
    }

    /// Parses through `Value`, slower, to report the field path and the rule when a body
    /// does not parse.
    pub(crate) fn from_slice_checked(body: &[u8]) -> Result<Self, crate::VerifyError> {
        let envelope: Value = serde_json::from_slice(body).map_err(|e| malformed("(body)", e))?;
        Self::from_value(&envelope)
    }

    /// Parses a well-formed delivery of a known event type in one pass, straight into the
    /// generated type, and returns `created_at` as written too (the signature covers it).
    /// `None` for anything else, which [`from_slice`](Self::from_slice) explains.
    pub(crate) fn from_slice_typed(body: &[u8]) -> Option<(Cow<'_, str>, Self)> {
        // One UTF-8 check of the whole body is cheaper than one per string.
        let mut de = serde_json::Deserializer::from_str(std::str::from_utf8(body).ok()?);
        let envelope = de.deserialize_map(EnvelopeVisitor).ok()?;
        de.end().ok()?;
        envelope
    }

    fn from_value(envelope: &Value) -> Result<Self, crate::VerifyError> {
        let field = |name: &str| {
            envelope
                .get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| malformed(name, "is required and must be a string"))
        };
        let event_id = field("event_id")?.to_owned();
        let event_type = field("event_type")?.to_owned();
        let created_at = DateTime::parse_from_rfc3339(field("created_at")?)
            .map_err(|e| malformed("created_at", format!("is not an RFC 3339 time: {e}")))?
            .with_timezone(&Utc);
        let Some(Value::Object(event_data)) = envelope.get("event_data") else {
            return Err(malformed("event_data", "is required and must be an object"));
        };
        let data = match event_type.parse::<EventType>() {
            Ok(known) => EventData::parse(known.family(), event_data)?,
            Err(_) => match single_entry(event_data) {
                Some((key, value)) => EventData::Unknown {
                    key: key.clone(),
                    value: value.clone(),
                },
                None => EventData::Unknown {
                    key: String::new(),
                    value: Value::Object(event_data.clone()),
                },
            },
        };
        Ok(WebhookEvent {
            event_id,
            event_type,
            created_at,
            data,
        })
    }
}

impl EventData {
    fn parse(family: Family, event_data: &Map<String, Value>) -> Result<Self, crate::VerifyError> {
        let key = family.event_data_key();
        let value = event_data
            .get(key)
            .ok_or_else(|| malformed(&format!("event_data.{key}"), "is required"))?;
        let typed =
            |e: crate::InvalidField| malformed(&format!("event_data.{key}.{}", e.path), e.rule);
        // Orum adds response fields without a new version: unknown fields are accepted here.
        Ok(match family {
            Family::Person => EventData::Person(validate::lenient(value).map_err(typed)?),
            Family::Business => EventData::Business(validate::lenient(value).map_err(typed)?),
            Family::ExternalAccount => {
                EventData::ExternalAccount(validate::lenient(value).map_err(typed)?)
            }
            Family::Transfer => EventData::Transfer(validate::lenient(value).map_err(typed)?),
            Family::VerifyAccount => {
                EventData::VerifyAccount(validate::lenient(value).map_err(typed)?)
            }
            Family::Subledger => EventData::Subledger(validate::lenient(value).map_err(typed)?),
            Family::BookTransfer => {
                EventData::BookTransfer(validate::lenient(value).map_err(typed)?)
            }
        })
    }

    /// The key naming the resource under `event_data`.
    pub fn key(&self) -> &str {
        match self {
            EventData::Person(_) => Family::Person.event_data_key(),
            EventData::Business(_) => Family::Business.event_data_key(),
            EventData::ExternalAccount(_) => Family::ExternalAccount.event_data_key(),
            EventData::Transfer(_) => Family::Transfer.event_data_key(),
            EventData::VerifyAccount(_) => Family::VerifyAccount.event_data_key(),
            EventData::Subledger(_) => Family::Subledger.event_data_key(),
            EventData::BookTransfer(_) => Family::BookTransfer.event_data_key(),
            EventData::Unknown { key, .. } => key,
        }
    }

    fn to_value(&self) -> Result<Value, serde_json::Error> {
        match self {
            EventData::Person(d) => serde_json::to_value(d),
            EventData::Business(d) => serde_json::to_value(d),
            EventData::ExternalAccount(d) => serde_json::to_value(d),
            EventData::Transfer(d) => serde_json::to_value(d),
            EventData::VerifyAccount(d) => serde_json::to_value(d),
            EventData::Subledger(d) => serde_json::to_value(d),
            EventData::BookTransfer(d) => serde_json::to_value(d),
            EventData::Unknown { value, .. } => Ok(value.clone()),
        }
    }
}

impl EventData {
    /// The resource's status (`verification_status` for Verify), if it has one.
    pub fn status(&self) -> Option<String> {
        match self {
            EventData::Person(d) => Some(d.status.to_string()),
            EventData::Business(d) => Some(d.status.to_string()),
            EventData::ExternalAccount(d) => Some(d.status.to_string()),
            EventData::Transfer(d) => Some(d.status.to_string()),
            EventData::VerifyAccount(d) => Some(d.verification_status.to_string()),
            EventData::Subledger(d) => Some(d.status.to_string()),
            EventData::BookTransfer(d) => Some(d.status.to_string()),
            EventData::Unknown { value, .. } => value.get("status")?.as_str().map(str::to_owned),
        }
    }
}

impl std::fmt::Display for WebhookEvent {
    /// One line: `person_verified evt_1 person verified`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.event_type,
            self.event_id,
            self.data.key()
        )?;
        if let Some(status) = self.data.status() {
            write!(f, " {status}")?;
        }
        if let EventData::Transfer(t) = &self.data {
            write!(f, " ({} cents)", t.amount.0)?;
        }
        Ok(())
    }
}

impl serde::Serialize for WebhookEvent {
    /// Orum's envelope, with `created_at` in milliseconds as Orum writes it.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let data = self.data.to_value().map_err(serde::ser::Error::custom)?;
        let mut event_data = Map::new();
        match (&self.data, data) {
            (EventData::Unknown { key, .. }, Value::Object(all)) if key.is_empty() => {
                event_data = all;
            }
            (_, data) => {
                event_data.insert(self.data.key().to_owned(), data);
            }
        }
        let mut map = s.serialize_map(Some(4))?;
        map.serialize_entry("event_id", &self.event_id)?;
        map.serialize_entry("event_type", &self.event_type)?;
        map.serialize_entry(
            "created_at",
            &self.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        )?;
        map.serialize_entry("event_data", &event_data)?;
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for WebhookEvent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let envelope = Value::deserialize(d)?;
        WebhookEvent::from_value(&envelope).map_err(serde::de::Error::custom)
    }
}

/// Visits the envelope's fields in any order. `event_data` is parsed straight into its
/// generated type when `event_type` comes first (as Orum writes it), else kept raw meanwhile.
struct EnvelopeVisitor;

impl<'de> Visitor<'de> for EnvelopeVisitor {
    type Value = Option<(Cow<'de, str>, WebhookEvent)>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a webhook envelope")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut event_id, mut event_type, mut created_at) = (None, None, None);
        let (mut data, mut raw_data) = (None, None::<&'de RawValue>);
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "event_id" if event_id.is_none() => event_id = Some(map.next_value::<String>()?),
                "event_type" if event_type.is_none() => {
                    let name = map.next_value::<String>()?;
                    let Ok(known) = name.parse::<EventType>() else {
                        return Ok(None);
                    };
                    event_type = Some((name, known.family()));
                }
                "created_at" if created_at.is_none() => {
                    created_at = Some(map.next_value::<Cow<'de, str>>()?)
                }
                "event_data" if data.is_none() && raw_data.is_none() => match &event_type {
                    Some((_, family)) => data = map.next_value_seed(EventDataSeed(*family))?,
                    None => raw_data = Some(map.next_value()?),
                },
                "event_id" | "event_type" | "created_at" | "event_data" => {
                    return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
                }
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        let (Some(event_id), Some((event_type, family)), Some(created_at)) =
            (event_id, event_type, created_at)
        else {
            return Ok(None);
        };
        if let Some(raw) = raw_data {
            let mut de = serde_json::Deserializer::from_str(raw.get());
            data = de::DeserializeSeed::deserialize(EventDataSeed(family), &mut de)
                .map_err(de::Error::custom)?;
        }
        let Ok(time) = DateTime::parse_from_rfc3339(&created_at) else {
            return Ok(None);
        };
        Ok(data.map(|data| {
            let event = WebhookEvent {
                event_id,
                event_type,
                created_at: time.with_timezone(&Utc),
                data,
            };
            (created_at, event)
        }))
    }
}

/// `event_data` of a known family: the resource under the family's key, other keys ignored.
struct EventDataSeed(Family);

impl<'de> de::DeserializeSeed<'de> for EventDataSeed {
    type Value = Option<EventData>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EventDataSeed {
    type Value = Option<EventData>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "event_data holding a {}", self.0.event_data_key())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut data = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key != self.0.event_data_key() {
                map.next_value::<de::IgnoredAny>()?;
                continue;
            }
            if data.is_some() {
                return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
            }
            data = Some(match self.0 {
                Family::Person => EventData::Person(map.next_value()?),
                Family::Business => EventData::Business(map.next_value()?),
                Family::ExternalAccount => EventData::ExternalAccount(map.next_value()?),
                Family::Transfer => EventData::Transfer(map.next_value()?),
                Family::VerifyAccount => EventData::VerifyAccount(map.next_value()?),
                Family::Subledger => EventData::Subledger(map.next_value()?),
                Family::BookTransfer => EventData::BookTransfer(map.next_value()?),
            });
        }
        Ok(data)
    }
}

fn single_entry(map: &Map<String, Value>) -> Option<(&String, &Value)> {
    let mut entries = map.iter();
    match (entries.next(), entries.next()) {
        (Some(entry), None) => Some(entry),
        _ => None,
    }
}

fn malformed(path: &str, rule: impl std::fmt::Display) -> crate::VerifyError {
    crate::VerifyError::MalformedBody(format!("{path}: {rule}"))
}
