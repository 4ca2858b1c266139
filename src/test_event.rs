//! Test events for `POST /webhooks/invoke`: realistic defaults per event type, overridable
//! field by field, checked against the spec before anything is sent.

use chrono::{DateTime, Days, DurationRound, TimeDelta, Utc};
use std::num::NonZeroU64;
use std::sync::LazyLock;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde::de::value::StringDeserializer;
use serde_json::{Map, Value};
use xxhash_rust::xxh3::xxh3_128_with_seed;

use crate::error::{Error, InvalidField};
use crate::event_type::{EventType, Family};
use crate::field_path::FieldPath;
use crate::raw::types;
use crate::validate;

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
        let start = match (&self.base, &self.typed) {
            (Some(base), _) => Ok(base.clone()),
            (None, Some(typed)) => serde_json::to_value(typed),
            (None, None) => serde_json::to_value(Defaults::new(self).body()?),
        };
        let mut body = start.map_err(|e| invalid("(body)", e.to_string()))?;
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
        if self.base.is_none() && self.edits.is_empty() {
            let body = self.unedited()?;
            validate::generated_body(&body)?;
            return Ok(body);
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

    /// [`build`](TestEvent::build), without copying a generated body given unedited.
    pub(crate) fn into_body(self) -> Result<types::PostInvokeBody, Error> {
        match self {
            TestEvent {
                typed: Some(body),
                base: None,
                edits,
                ..
            } if edits.is_empty() => {
                validate::generated_body(&body)?;
                Ok(*body)
            }
            event => event.build(),
        }
    }

    /// The generated body given, or the defaults, before any edit.
    fn unedited(&self) -> Result<types::PostInvokeBody, Error> {
        match &self.typed {
            Some(typed) => Ok((**typed).clone()),
            None => Defaults::new(self).body(),
        }
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

/// Builds the default body of each family, as the generated types, from the event's seed,
/// clock and status.
struct Defaults<'a> {
    event_type: EventType,
    seed: u64,
    status: &'a str,
    /// Every resource's `created_at` and `updated_at`.
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl<'a> Defaults<'a> {
    fn new(event: &'a TestEvent) -> Self {
        // Resource timestamps carry microseconds, like Orum's.
        let now = event.now.unwrap_or_else(Utc::now);
        let now = now
            .duration_trunc(TimeDelta::microseconds(1))
            .unwrap_or(now);
        Defaults {
            created_at: now - TimeDelta::hours(2),
            updated_at: now,
            event_type: event.event_type,
            seed: event.seed.unwrap_or_else(|| fastrand::u64(..)),
            status: event
                .status
                .as_deref()
                .unwrap_or_else(|| natural_status(event.event_type)),
        }
    }

    fn body(&self) -> Result<types::PostInvokeBody, Error> {
        use EventType as E;
        Ok(match self.event_type {
            E::Person(event_type) => types::PersonTestRequest {
                data: self.person()?,
                event_type,
            }
            .into(),
            E::Business(event_type) => types::BusinessTestRequest {
                data: self.business()?,
                event_type,
            }
            .into(),
            E::ExternalAccount(event_type) => types::ExternalAccountTestRequest {
                data: self.external_account()?,
                event_type,
            }
            .into(),
            E::Transfer(event_type) => types::TransferTestRequest {
                data: self.transfer()?,
                event_type,
            }
            .into(),
            E::VerifyAccount(event_type) => types::VerifyAccountTestRequest {
                data: self.verify_account()?,
                event_type,
            }
            .into(),
            E::Subledger(event_type) => types::SubledgerTestRequest {
                data: self.subledger()?,
                event_type,
            }
            .into(),
            E::BookTransfer(event_type) => types::BookTransferTestRequest {
                data: self.book_transfer()?,
                event_type,
            }
            .into(),
        })
    }

    /// A v4 UUID derived from the seed and what it identifies. XXH3 is a fixed algorithm, so
    /// a seeded id never changes between releases, and each id is independent of the others.
    fn id(&self, label: &str) -> types::OrumId {
        let bits = xxh3_128_with_seed(label.as_bytes(), self.seed);
        types::OrumId(uuid::Builder::from_random_bytes(bits.to_le_bytes()).into_uuid())
    }

    /// A reference id of the kind customers choose: `customer-1b4e28ba`. Hashed with the
    /// seed's complement so that no reference repeats an id.
    fn reference<T: DeserializeOwned>(&self, field: &'static str, kind: &str) -> Result<T, Error> {
        let bits = xxh3_128_with_seed(kind.as_bytes(), !self.seed);
        let mut reference = String::with_capacity(kind.len() + 9);
        reference.push_str(kind);
        reference.push('-');
        for shift in (96..128).step_by(4).rev() {
            reference.push(char::from(
                b"0123456789abcdef"[(bits >> shift) as usize & 0xf],
            ));
        }
        text(field, reference)
    }

    fn status<T: DeserializeOwned>(&self, field: &'static str) -> Result<T, Error> {
        text(field, self.status)
    }

    fn created_at(&self) -> types::CreatedAt {
        types::CreatedAt(self.created_at)
    }

    fn updated_at(&self) -> types::UpdatedAt {
        types::UpdatedAt(self.updated_at)
    }

    fn closed_at(&self) -> Option<types::ClosedAt> {
        (self.status == "closed").then_some(types::ClosedAt(self.updated_at))
    }

    /// Midnight of the next day, the way Orum writes estimated dates.
    fn next_midnight(&self) -> DateTime<Utc> {
        let day = self.updated_at.date_naive().checked_add_days(Days::new(1));
        let midnight = day.and_then(|d| d.and_hms_opt(0, 0, 0));
        midnight.map_or(self.updated_at, |t| t.and_utc())
    }

    fn address(&self, kind: &str) -> Result<types::PostalAddressResponse, Error> {
        let fixed = Fixed::get()?;
        Ok(types::PostalAddressResponse {
            address1: fixed.address1.clone(),
            address2: Some(fixed.address2.clone()),
            city: fixed.city.clone(),
            country: types::Country::Us,
            created_at: self.created_at(),
            id: self.id(&format!("{kind}.address")),
            state: fixed.state.clone(),
            type_: if kind == "business" {
                types::AddressType::Legal
            } else {
                types::AddressType::Home
            },
            updated_at: self.updated_at(),
            zip5: fixed.zip5.clone(),
        })
    }

    fn person(&self) -> Result<types::PersonResponseBase, Error> {
        let contact = |label, type_, value: &str| types::ContactResponsePerson {
            created_at: self.created_at(),
            id: self.id(label),
            type_,
            updated_at: self.updated_at(),
            value: value.to_owned(),
        };
        let status_reasons = match self.status {
            "rejected" => vec![types::StatusReason {
                reason_code: types::ReasonCode("invalid_address_type".into()),
                reason_code_message: types::ReasonCodeMessage(
                    "Address submitted is a non-supported address type".into(),
                ),
            }],
            _ => Vec::new(),
        };
        Ok(types::PersonResponseBase {
            addresses: Some([self.address("person")?]),
            closed_at: self.closed_at(),
            contacts: vec![
                contact(
                    "person.email",
                    types::ContactTypePerson::Email,
                    "ada.lovelace@example.com",
                ),
                contact(
                    "person.phone",
                    types::ContactTypePerson::Phone,
                    "+12125550123",
                ),
            ],
            created_at: self.created_at(),
            customer_reference_id: self.reference("data.customer_reference_id", "customer")?,
            date_of_birth: Some("1985-12-10".into()),
            first_name: "Ada".into(),
            id: self.id("person"),
            last_name: "Lovelace".into(),
            metadata: Map::new(),
            middle_name: None,
            status: self.status("data.status")?,
            status_reasons,
            updated_at: self.updated_at(),
        })
    }

    fn business(&self) -> Result<types::BusinessResponseBase, Error> {
        let contact = |label, type_, value: &str| types::ContactResponseBusiness {
            created_at: self.created_at(),
            id: self.id(label),
            type_,
            updated_at: self.updated_at(),
            value: value.to_owned(),
        };
        use types::ContactTypeBusiness as Contact;
        Ok(types::BusinessResponseBase {
            account_holder_name: Some("Ada Lovelace".into()),
            addresses: Some([self.address("business")?]),
            business_name: Some("Analytical Engines".into()),
            closed_at: self.closed_at(),
            contacts: vec![
                contact(
                    "business.email",
                    Contact::Email,
                    "ops@analytical-engines.example",
                ),
                contact("business.phone", Contact::Phone, "+12125550199"),
                contact(
                    "business.website",
                    Contact::Website,
                    "https://analytical-engines.example",
                ),
            ],
            created_at: self.created_at(),
            customer_reference_id: self.reference("data.customer_reference_id", "customer")?,
            entity_type: Some("llc".into()),
            id: self.id("business"),
            incorporation_date: Some("2015-03-02".into()),
            legal_name: "Analytical Engines LLC".into(),
            metadata: Map::new(),
            status: self.status("data.status")?,
            tax_id_type: Some("ein".into()),
            updated_at: self.updated_at(),
        })
    }

    fn external_account(&self) -> Result<types::ExternalAccountResponseBase, Error> {
        Ok(types::ExternalAccountResponseBase {
            account_holder_name: "Ada Lovelace".into(),
            account_number: Fixed::get()?.account_number.clone(),
            account_reference_id: self.reference("data.account_reference_id", "account")?,
            account_type: types::AccountType::Checking,
            closed_at: self.closed_at(),
            created_at: self.created_at(),
            customer_reference_id: self.reference("data.customer_reference_id", "customer")?,
            customer_resource_type: types::EndCustomerResourceType::Person,
            id: self.id("external_account"),
            metadata: None,
            routing_number: Fixed::get()?.routing_number.clone(),
            status: self.status("data.status")?,
            updated_at: self.updated_at(),
        })
    }

    fn transfer(&self) -> Result<types::TransferResponseBaseObject, Error> {
        let status_reasons = match self.status {
            "failed" => vec![types::TransferStatusReason {
                destination: Some(types::ReasonCodes {
                    network_reason_code: Some("R02".into()),
                    network_reason_code_message: Some("Account Closed".into()),
                    network_reason_code_rail_type: Some("ACH".into()),
                    reason_code: "closed_account".into(),
                    reason_code_message: "The destination account is closed.".into(),
                }),
                source: None,
            }],
            _ => Vec::new(),
        };
        Ok(types::TransferResponseBaseObject {
            account_statement_descriptor: None,
            amount: amount(10_000),
            created_at: self.created_at(),
            currency: types::Currency::Usd,
            destination: Some(types::DestinationTransferPartyResponse {
                account_reference_id: self
                    .reference("data.destination.account_reference_id", "payee-account")?,
                customer_reference_id: self
                    .reference("data.destination.customer_reference_id", "payee")?,
                return_trace_number: None,
                statement_display_name: None,
                trace_number: None,
            }),
            estimated_funds_delivery_date: Some(self.next_midnight()),
            id: self.id("transfer"),
            metadata: None,
            schedule_id: None,
            source: Some(types::SourceTransferPartyResponse {
                account_reference_id: self
                    .reference("data.source.account_reference_id", "account")?,
                customer_reference_id: self
                    .reference("data.source.customer_reference_id", "customer")?,
                return_trace_number: None,
                statement_display_name: None,
                trace_number: None,
            }),
            speed: types::TransferSpeed::SameDay,
            status: self.status("data.status")?,
            status_reasons,
            subledger_reference_id: None,
            transfer_group_id: None,
            transfer_reference_id: self.reference("data.transfer_reference_id", "transfer")?,
            updated_at: self.updated_at(),
        })
    }

    fn verify_account(&self) -> Result<types::VerifyAccountResponseBase, Error> {
        use types::VerificationStatusReason as Reason;
        let valid = self.status == "valid";
        let status_reason = match self.status {
            "closed" => Some(Reason::ClosedAccount),
            "invalid" => Some(Reason::InvalidAccount),
            "failed" => Some(Reason::UnexpectedError),
            _ => None,
        };
        Ok(types::VerifyAccountResponseBase {
            account_holder_name: Fixed::get()?.account_holder_name.clone(),
            account_number: Fixed::get()?.account_number.clone(),
            business: None,
            control_status: None,
            created_at: self.created_at(),
            debit_status: None,
            debit_status_reason: None,
            email: None,
            estimated_verification_date: Some(types::EstimatedVerificationDate(
                self.next_midnight(),
            )),
            id: self.id("verify_account"),
            ownership_status: valid.then_some(types::OwnershipStatus::Full),
            person: valid.then(|| types::OwnershipPerson {
                first_name: "Ada".into(),
                first_name_match: Some(types::OwnershipResult::Match),
                last_name: "Lovelace".into(),
                last_name_match: Some(types::OwnershipResult::Match),
                phone_number: None,
                phone_number_match: None,
                ssn_match: None,
            }),
            routing_number: Fixed::get()?.routing_number.clone(),
            sender_name: None,
            status_reason,
            updated_at: self.updated_at(),
            verification_status: self.status("data.verification_status")?,
        })
    }

    fn subledger(&self) -> Result<types::SubledgerResponseBase, Error> {
        Ok(types::SubledgerResponseBase {
            closed_at: self.closed_at(),
            created_at: self.created_at(),
            customer_reference_id: self.reference("data.customer_reference_id", "customer")?,
            customer_resource_type: types::EndCustomerResourceType::Person,
            id: self.id("subledger"),
            status: self.status("data.status")?,
            subledger_reference_id: self.reference("data.subledger_reference_id", "subledger")?,
            updated_at: self.updated_at(),
        })
    }

    fn book_transfer(&self) -> Result<types::BookTransfer, Error> {
        let status_reasons = match self.status {
            "failed" => vec![types::BookTransferStatusReason {
                destination: None,
                source: Some(types::BookTransferReasonCode {
                    reason_code: "insufficient_funds".into(),
                    reason_code_message: "The source subledger has insufficient funds.".into(),
                }),
            }],
            _ => Vec::new(),
        };
        Ok(types::BookTransfer {
            amount: amount(2_500),
            book_transfer_reference_id: self
                .reference("data.book_transfer_reference_id", "book-transfer")?,
            created_at: self.created_at(),
            currency: types::Currency::Usd,
            destination: Some(types::BookTransferDestinationObject {
                subledger_reference_id: self
                    .reference("data.destination.subledger_reference_id", "payee-subledger")?,
            }),
            id: self.id("book_transfer"),
            metadata: None,
            source: Some(types::BookTransferSourceObject {
                subledger_reference_id: self
                    .reference("data.source.subledger_reference_id", "subledger")?,
            }),
            status: self.status("data.status")?,
            status_reasons,
            updated_at: self.updated_at(),
        })
    }
}

/// The default values whose types check a pattern, checked once rather than on every build.
struct Fixed {
    address1: types::Address1,
    address2: types::Address2,
    city: types::City,
    state: types::State,
    zip5: types::Zip5,
    account_number: types::UsBankAccountNumber,
    routing_number: types::AbaRoutingNumber,
    account_holder_name: types::AccountHolderName,
}

impl Fixed {
    fn get() -> Result<&'static Fixed, Error> {
        static FIXED: LazyLock<Result<Fixed, Error>> = LazyLock::new(|| {
            Ok(Fixed {
                address1: text("data.addresses[0].address1", "350 Fifth Avenue")?,
                address2: text("data.addresses[0].address2", "Floor 21")?,
                city: text("data.addresses[0].city", "New York")?,
                state: text("data.addresses[0].state", "NY")?,
                zip5: text("data.addresses[0].zip5", "10118")?,
                account_number: text("data.account_number", "4100012345678")?,
                routing_number: text("data.routing_number", "021000021")?,
                account_holder_name: text("data.account_holder_name", "Ada Lovelace")?,
            })
        });
        FIXED.as_ref().map_err(Error::clone)
    }
}

/// A string-valued field of a generated type, checked by the type's own rules.
fn text<T: DeserializeOwned>(field: &'static str, value: impl Into<String>) -> Result<T, Error> {
    T::deserialize(StringDeserializer::<serde::de::value::Error>::new(
        value.into(),
    ))
    .map_err(|e| invalid(field, e.to_string()))
}

fn amount(cents: u64) -> types::TransferAmount {
    types::TransferAmount(NonZeroU64::new(cents).unwrap_or(NonZeroU64::MIN))
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

fn invalid(path: &str, rule: impl Into<String>) -> Error {
    Error::InvalidRequest(InvalidField {
        path: path.to_owned(),
        rule: rule.into(),
    })
}
