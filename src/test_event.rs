//! Test events for `POST /webhooks/invoke`: realistic defaults per event type, overridable
//! field by field, checked against the spec before anything is sent.

use chrono::{DateTime, Days, DurationRound, TimeDelta, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::{Error, InvalidField};
use crate::event_type::{EventType, Family};
use crate::field_path::FieldPath;
use crate::raw::types;
use crate::validate;

/// Namespace of the v5 UUIDs derived from a seed, so seeded ids never change between releases.
const SEED_NAMESPACE: Uuid = Uuid::from_u128(0x6f72_756d_2d77_6562_686f_6f6b_732d_7631);

/// A test event to fire with [`Client::invoke`](crate::Client::invoke).
///
/// Starts from defaults that are valid against the spec and consistent with the event type
/// (`person_verified` has status `verified`, `person_rejected` a `status_reasons` entry, ...).
/// Every field can be changed with [`set`](TestEvent::set) or the shortcuts. Nothing is
/// checked until [`build`](TestEvent::build) or [`to_json`](TestEvent::to_json), which
/// report the first bad field by path.
///
/// ```
/// use orum_webhooks::{TestEvent, raw::types::PersonEventType};
/// let json = TestEvent::person(PersonEventType::PersonVerified)
///     .first_name("Ada")
///     .set("data.addresses[0].city", "Austin")
///     .seed(7)
///     .to_json()?;
/// assert!(json.contains(r#""first_name":"Ada""#));
/// # Ok::<(), orum_webhooks::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct TestEvent {
    event_type: EventType,
    /// A body given as the generated type; sent as it is when nothing is edited.
    typed: Option<Box<types::PostInvokeBody>>,
    base: Option<Value>,
    status: Option<String>,
    seed: Option<u64>,
    now: Option<DateTime<Utc>>,
    edits: Vec<Edit>,
}

#[derive(Debug, Clone)]
enum Edit {
    Set(String, Result<Value, String>),
    SetText(String, String),
    Remove(String),
}

impl TestEvent {
    /// A test event of this type with the default data.
    pub fn new(event_type: impl Into<EventType>) -> Self {
        TestEvent {
            event_type: event_type.into(),
            typed: None,
            base: None,
            status: None,
            seed: None,
            now: None,
            edits: Vec::new(),
        }
    }

    /// A person event (`person_created`, `person_verified`, ...).
    pub fn person(event: types::PersonEventType) -> Self {
        Self::new(event)
    }

    /// A business event (`business_created`, `business_verified`, ...).
    pub fn business(event: types::BusinessEventType) -> Self {
        Self::new(event)
    }

    /// An external account event (`external_account_created`, ...).
    pub fn external_account(event: types::ExternalAccountEventType) -> Self {
        Self::new(event)
    }

    /// `transfer_updated` for a transfer in `status`; `failed` comes with a reason.
    pub fn transfer(status: types::TransferStatus) -> Self {
        Self::new(types::TransferEventType::TransferUpdated).status(status)
    }

    /// `verify_account_updated` with this `verification_status`.
    pub fn verify_account(status: types::VerificationStatus) -> Self {
        Self::new(types::VerifyAccountEventType::VerifyAccountUpdated).status(status)
    }

    /// `subledger_created`.
    pub fn subledger() -> Self {
        Self::new(types::SubledgerEventType::SubledgerCreated)
    }

    /// `book_transfer_updated` for a book transfer in `status`; `failed` comes with a reason.
    pub fn book_transfer(status: types::BookTransferStatus) -> Self {
        Self::new(types::BookTransferEventType::BookTransferUpdated).status(status)
    }

    /// A test event from a complete JSON body (`event_type` and `data`), such as one read from
    /// a file. It is checked like any other when built; edits apply on top of it.
    pub fn from_json(body: Value) -> Result<Self, Error> {
        let event_type: EventType = match body.get("event_type") {
            Some(Value::String(name)) => name.parse()?,
            Some(_) => return Err(invalid("event_type", "must be a string")),
            None => return Err(invalid("event_type", "is required")),
        };
        Ok(TestEvent {
            base: Some(body),
            ..Self::new(event_type)
        })
    }

    /// The event type this fires.
    pub fn event_type(&self) -> EventType {
        self.event_type
    }

    /// Derives ids and reference ids from `seed` instead of at random, so the body is the same
    /// on every run (with [`at`](TestEvent::at) for the timestamps).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Uses `now` instead of the clock for the timestamps.
    pub fn at(mut self, now: DateTime<Utc>) -> Self {
        self.now = Some(now);
        self
    }

    /// Sets the resource status the defaults are built around (`data.status`, or
    /// `data.verification_status` for Verify). A `rejected` or `failed` status comes with
    /// a reason and `closed` with `closed_at`, where the schema has those fields.
    pub fn status(mut self, status: impl std::fmt::Display) -> Self {
        self.status = Some(status.to_string());
        self
    }

    /// Sets the field at `path` (such as `data.addresses[0].city` or `data.metadata.plan`)
    /// to `value`, creating objects on the way. Applied in order after the defaults.
    pub fn set(mut self, path: &str, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value).map_err(|e| e.to_string());
        self.edits.push(Edit::Set(path.to_owned(), value));
        self
    }

    /// Sets the field at `path` from text, typed like the value it replaces: text for a
    /// string field (`data.first_name=123` stays a string), JSON otherwise (`data.amount=250`
    /// is a number), and text when it is not JSON (`data.metadata.plan=gold`). This is what
    /// the command line's `--set PATH=VALUE` does.
    pub fn set_text(mut self, path: &str, text: &str) -> Self {
        self.edits
            .push(Edit::SetText(path.to_owned(), text.to_owned()));
        self
    }

    /// Removes the field at `path`, for example an optional field the defaults fill in.
    pub fn remove(mut self, path: &str) -> Self {
        self.edits.push(Edit::Remove(path.to_owned()));
        self
    }

    /// Sets `data.first_name` (persons).
    pub fn first_name(self, name: &str) -> Self {
        self.set("data.first_name", name)
    }

    /// Sets `data.last_name` (persons).
    pub fn last_name(self, name: &str) -> Self {
        self.set("data.last_name", name)
    }

    /// Sets `data.legal_name` (businesses).
    pub fn legal_name(self, name: &str) -> Self {
        self.set("data.legal_name", name)
    }

    /// Sets `data.account_holder_name` (external accounts, Verify accounts, businesses).
    pub fn account_holder_name(self, name: &str) -> Self {
        self.set("data.account_holder_name", name)
    }

    /// Sets `data.amount` in cents (transfers, book transfers).
    pub fn amount(self, cents: u64) -> Self {
        self.set("data.amount", cents)
    }

    /// Sets `data.customer_reference_id`.
    pub fn customer_reference_id(self, id: &str) -> Self {
        self.set("data.customer_reference_id", id)
    }

    /// Adds one `data.metadata` entry.
    pub fn metadata(self, key: &str, value: impl Serialize) -> Self {
        let path = format!("data.metadata.{key}");
        self.set(&path, value)
    }

    /// The body as JSON, before it is checked against the spec.
    pub fn to_value(&self) -> Result<Value, Error> {
        let mut body = match (&self.typed, &self.base) {
            (Some(typed), _) => {
                serde_json::to_value(typed).map_err(|e| invalid("(body)", e.to_string()))?
            }
            (None, Some(base)) => base.clone(),
            (None, None) => json!({
                "event_type": self.event_type.as_str(),
                "data": Defaults::new(self).data(),
            }),
        };
        for edit in &self.edits {
            match edit {
                Edit::Set(path, Ok(value)) => {
                    FieldPath::parse(path)?.set(&mut body, value.clone())?
                }
                Edit::Set(path, Err(e)) => return Err(invalid(path, e.clone())),
                Edit::SetText(path, text) => {
                    let path = FieldPath::parse(path)?;
                    let value = match path.get(&body) {
                        Some(Value::String(_)) => Value::String(text.clone()),
                        _ => serde_json::from_str(text)
                            .unwrap_or_else(|_| Value::String(text.clone())),
                    };
                    path.set(&mut body, value)?;
                }
                Edit::Remove(path) => FieldPath::parse(path)?.remove(&mut body)?,
            }
        }
        Ok(body)
    }

    /// The body as the generated type, after checking it against the spec.
    pub fn build(&self) -> Result<types::PostInvokeBody, Error> {
        if let (Some(typed), true) = (&self.typed, self.edits.is_empty()) {
            validate::generated_body(typed)?;
            return Ok((**typed).clone());
        }
        let body = self.to_value()?;
        let (event_type, typed) = validate::invoke_body(&body)?;
        if event_type != self.event_type {
            return Err(invalid(
                "event_type",
                format!(
                    "was changed to `{event_type}`; start from TestEvent::new({event_type}) instead"
                ),
            ));
        }
        Ok(typed)
    }

    /// The exact JSON bytes [`Client::invoke`](crate::Client::invoke) sends.
    pub fn to_json(&self) -> Result<String, Error> {
        let body = self.build()?;
        serde_json::to_string(&body).map_err(|e| invalid("(body)", e.to_string()))
    }
}

impl From<types::PostInvokeBody> for TestEvent {
    /// A test event sending exactly this generated body. Built without edits, only the rules
    /// the generated types do not carry (item counts, metadata limits) are checked again.
    fn from(body: types::PostInvokeBody) -> Self {
        let event_type = match &body {
            types::PostInvokeBody::PersonTestRequest(r) => EventType::Person(r.event_type),
            types::PostInvokeBody::BusinessTestRequest(r) => EventType::Business(r.event_type),
            types::PostInvokeBody::ExternalAccountTestRequest(r) => {
                EventType::ExternalAccount(r.event_type)
            }
            types::PostInvokeBody::TransferTestRequest(r) => EventType::Transfer(r.event_type),
            types::PostInvokeBody::VerifyAccountTestRequest(r) => {
                EventType::VerifyAccount(r.event_type)
            }
            types::PostInvokeBody::SubledgerTestRequest(r) => EventType::Subledger(r.event_type),
            types::PostInvokeBody::BookTransferTestRequest(r) => {
                EventType::BookTransfer(r.event_type)
            }
        };
        TestEvent {
            typed: Some(Box::new(body)),
            ..TestEvent::new(event_type)
        }
    }
}

impl From<EventType> for TestEvent {
    fn from(event_type: EventType) -> Self {
        TestEvent::new(event_type)
    }
}

/// Builds the default `data` of each family from the event's seed, clock and status.
struct Defaults {
    event_type: EventType,
    seed: u64,
    status: String,
    now: DateTime<Utc>,
    /// Every resource's `created_at` and `updated_at`, formatted once.
    created_at: String,
    updated_at: String,
}

impl Defaults {
    fn new(event: &TestEvent) -> Self {
        // Resource timestamps carry microseconds, like Orum's.
        let now = event.now.unwrap_or_else(Utc::now);
        let now = now
            .duration_trunc(TimeDelta::microseconds(1))
            .unwrap_or(now);
        let format = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        Defaults {
            created_at: format(now - TimeDelta::hours(2)),
            updated_at: format(now),
            event_type: event.event_type,
            seed: event.seed.unwrap_or_else(|| Uuid::new_v4().as_u64_pair().0),
            status: event
                .status
                .clone()
                .unwrap_or_else(|| natural_status(event.event_type).to_owned()),
            now,
        }
    }

    fn id(&self, label: &str) -> String {
        Uuid::new_v5(&SEED_NAMESPACE, format!("{}:{label}", self.seed).as_bytes()).to_string()
    }

    /// A reference id of the kind customers choose: `customer-1b4e28ba`.
    fn reference(&self, kind: &str) -> String {
        format!("{kind}-{}", &self.id(&format!("{kind}.reference"))[..8])
    }

    /// Midnight of the next day, the way Orum writes estimated dates.
    fn next_midnight(&self) -> String {
        let day = self.now.date_naive().checked_add_days(Days::new(1));
        let midnight = day
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc());
        midnight
            .unwrap_or(self.now)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    fn data(&self) -> Value {
        let mut data = match self.event_type.family() {
            Family::Person => self.person(),
            Family::Business => self.business(),
            Family::ExternalAccount => self.external_account(),
            Family::Transfer => self.transfer(),
            Family::VerifyAccount => self.verify_account(),
            Family::Subledger => self.subledger(),
            Family::BookTransfer => self.book_transfer(),
        };
        if self.event_type.family() != Family::VerifyAccount {
            data["status"] = json!(self.status);
        }
        data
    }

    fn stamps(&self, label: &str) -> Value {
        json!({
            "id": self.id(label),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }

    fn with_stamps(&self, label: &str, fields: Value) -> Value {
        let mut out = self.stamps(label);
        merge(&mut out, fields);
        out
    }

    fn closed_at(&self, data: &mut Value) {
        if self.status == "closed" {
            data["closed_at"] = json!(self.updated_at);
        }
    }

    fn address(&self, kind: &str) -> Value {
        self.with_stamps(
            &format!("{kind}.address"),
            json!({
                "type": if kind == "business" { "legal" } else { "home" },
                "address1": "350 Fifth Avenue",
                "address2": "Floor 21",
                "city": "New York",
                "state": "NY",
                "country": "US",
                "zip5": "10118",
            }),
        )
    }

    fn contact(&self, label: &str, kind: &str, value: &str) -> Value {
        self.with_stamps(label, json!({ "type": kind, "value": value }))
    }

    fn person(&self) -> Value {
        let mut data = self.with_stamps(
            "person",
            json!({
                "customer_reference_id": self.reference("customer"),
                "first_name": "Ada",
                "last_name": "Lovelace",
                "date_of_birth": "1985-12-10",
                "addresses": [self.address("person")],
                "contacts": [
                    self.contact("person.email", "email", "ada.lovelace@example.com"),
                    self.contact("person.phone", "phone", "+12125550123"),
                ],
            }),
        );
        if self.status == "rejected" {
            data["status_reasons"] = json!([{
                "reason_code": "invalid_address_type",
                "reason_code_message": "Address submitted is a non-supported address type",
            }]);
        }
        self.closed_at(&mut data);
        data
    }

    fn business(&self) -> Value {
        let mut data = self.with_stamps(
            "business",
            json!({
                "customer_reference_id": self.reference("customer"),
                "legal_name": "Analytical Engines LLC",
                "business_name": "Analytical Engines",
                "entity_type": "llc",
                "tax_id_type": "ein",
                "account_holder_name": "Ada Lovelace",
                "incorporation_date": "2015-03-02",
                "addresses": [self.address("business")],
                "contacts": [
                    self.contact("business.email", "email", "ops@analytical-engines.example"),
                    self.contact("business.phone", "phone", "+12125550199"),
                    self.contact("business.website", "website", "https://analytical-engines.example"),
                ],
            }),
        );
        self.closed_at(&mut data);
        data
    }

    fn external_account(&self) -> Value {
        let mut data = self.with_stamps(
            "external_account",
            json!({
                "account_reference_id": self.reference("account"),
                "customer_reference_id": self.reference("customer"),
                "customer_resource_type": "person",
                "account_type": "checking",
                "account_number": "4100012345678",
                "routing_number": "021000021",
                "account_holder_name": "Ada Lovelace",
            }),
        );
        self.closed_at(&mut data);
        data
    }

    fn transfer(&self) -> Value {
        let mut data = self.with_stamps(
            "transfer",
            json!({
                "transfer_reference_id": self.reference("transfer"),
                "amount": 10000,
                "currency": "USD",
                "speed": "same_day",
                "source": {
                    "account_reference_id": self.reference("account"),
                    "customer_reference_id": self.reference("customer"),
                },
                "destination": {
                    "account_reference_id": self.reference("payee-account"),
                    "customer_reference_id": self.reference("payee"),
                },
                "estimated_funds_delivery_date": self.next_midnight(),
            }),
        );
        if self.status == "failed" {
            data["status_reasons"] = json!([{
                "destination": {
                    "reason_code": "closed_account",
                    "reason_code_message": "The destination account is closed.",
                    "network_reason_code": "R02",
                    "network_reason_code_message": "Account Closed",
                    "network_reason_code_rail_type": "ACH",
                }
            }]);
        }
        data
    }

    fn verify_account(&self) -> Value {
        let mut data = self.with_stamps(
            "verify_account",
            json!({
                "account_number": "4100012345678",
                "routing_number": "021000021",
                "account_holder_name": "Ada Lovelace",
                "verification_status": self.status,
                "estimated_verification_date": self.next_midnight(),
            }),
        );
        match self.status.as_str() {
            "valid" => {
                data["ownership_status"] = json!("full");
                data["person"] = json!({
                    "first_name": "Ada",
                    "last_name": "Lovelace",
                    "first_name_match": "match",
                    "last_name_match": "match",
                });
            }
            "invalid" | "closed" | "failed" => {
                data["status_reason"] = json!(match self.status.as_str() {
                    "closed" => "closed_account",
                    "invalid" => "invalid_account",
                    _ => "unexpected_error",
                });
            }
            _ => {}
        }
        data
    }

    fn subledger(&self) -> Value {
        let mut data = self.with_stamps(
            "subledger",
            json!({
                "subledger_reference_id": self.reference("subledger"),
                "customer_reference_id": self.reference("customer"),
                "customer_resource_type": "person",
            }),
        );
        self.closed_at(&mut data);
        data
    }

    fn book_transfer(&self) -> Value {
        let mut data = self.with_stamps(
            "book_transfer",
            json!({
                "book_transfer_reference_id": self.reference("book-transfer"),
                "amount": 2500,
                "currency": "USD",
                "source": { "subledger_reference_id": self.reference("subledger") },
                "destination": { "subledger_reference_id": self.reference("payee-subledger") },
            }),
        );
        if self.status == "failed" {
            data["status_reasons"] = json!([{
                "source": {
                    "reason_code": "insufficient_funds",
                    "reason_code_message": "The source subledger has insufficient funds.",
                }
            }]);
        }
        data
    }
}

/// The status a real event of this type carries.
fn natural_status(event_type: EventType) -> &'static str {
    match (event_type.family(), event_type.action()) {
        (Family::Transfer | Family::BookTransfer, _) => "completed",
        (Family::VerifyAccount, _) => "valid",
        // Orum: an unverified record goes back to `created`.
        (_, "unverified") => "created",
        (_, action) => action,
    }
}

fn merge(into: &mut Value, fields: Value) {
    if let (Value::Object(into), Value::Object(fields)) = (into, fields) {
        into.extend(fields);
    }
}

fn invalid(path: &str, rule: impl Into<String>) -> Error {
    Error::InvalidRequest(InvalidField {
        path: path.to_owned(),
        rule: rule.into(),
    })
}
