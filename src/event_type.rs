//! The 22 event types `POST /webhooks/invoke` accepts, over the spec's seven family enums.

use std::{fmt, str::FromStr};

use crate::error::{Error, UnknownEventType};
use crate::raw::types::{
    BookTransferEventType, BusinessEventType, ExternalAccountEventType, PersonEventType,
    SubledgerEventType, TransferEventType, VerifyAccountEventType,
};

/// The resource family an event is about; each has its own request schema in the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// `PersonTestRequest`: persons (KYC).
    Person,
    /// `BusinessTestRequest`: businesses (KYB).
    Business,
    /// `ExternalAccountTestRequest`: bank accounts outside Orum.
    ExternalAccount,
    /// `TransferTestRequest`: transfers.
    Transfer,
    /// `VerifyAccountTestRequest`: Verify account checks.
    VerifyAccount,
    /// `SubledgerTestRequest`: subledgers.
    Subledger,
    /// `BookTransferTestRequest`: book transfers between subledgers.
    BookTransfer,
}

impl Family {
    /// All seven families, in the spec's order.
    pub const ALL: [Family; 7] = [
        Family::Person,
        Family::Business,
        Family::ExternalAccount,
        Family::Transfer,
        Family::VerifyAccount,
        Family::Subledger,
        Family::BookTransfer,
    ];

    /// The snake_case name Orum uses as the prefix of event types and as the key under
    /// `event_data` in deliveries (`account` for Verify, see [`Family::event_data_key`]).
    pub fn name(self) -> &'static str {
        match self {
            Family::Person => "person",
            Family::Business => "business",
            Family::ExternalAccount => "external_account",
            Family::Transfer => "transfer",
            Family::VerifyAccount => "verify_account",
            Family::Subledger => "subledger",
            Family::BookTransfer => "book_transfer",
        }
    }

    /// The key naming the resource under `event_data` in a delivered webhook.
    pub fn event_data_key(self) -> &'static str {
        match self {
            Family::VerifyAccount => "account",
            other => other.name(),
        }
    }

    /// The name of this family's `data` schema in the spec.
    pub fn data_schema(self) -> &'static str {
        match self {
            Family::Person => "PersonResponseBase",
            Family::Business => "BusinessResponseBase",
            Family::ExternalAccount => "ExternalAccountResponseBase",
            Family::Transfer => "TransferResponseBaseObject",
            Family::VerifyAccount => "VerifyAccountResponseBase",
            Family::Subledger => "SubledgerResponseBase",
            Family::BookTransfer => "BookTransfer",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An event type that `POST /webhooks/invoke` can fire, wrapping the generated family enum.
///
/// ```
/// use orum_webhooks::EventType;
/// let e: EventType = "person_verified".parse().unwrap();
/// assert_eq!(e.as_str(), "person_verified");
/// assert!("person_verifed".parse::<EventType>().unwrap_err().to_string().contains("person_verified"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)] // each variant is its family's generated enum
pub enum EventType {
    Person(PersonEventType),
    Business(BusinessEventType),
    ExternalAccount(ExternalAccountEventType),
    Transfer(TransferEventType),
    VerifyAccount(VerifyAccountEventType),
    Subledger(SubledgerEventType),
    BookTransfer(BookTransferEventType),
}

/// Each invokable event type with its wire name; `tests/spec_conformance.rs` checks this
/// table against the spec's enums.
const NAMES: [(EventType, &str); 22] = {
    use EventType as E;
    [
        (E::Person(PersonEventType::PersonCreated), "person_created"),
        (
            E::Person(PersonEventType::PersonVerified),
            "person_verified",
        ),
        (
            E::Person(PersonEventType::PersonRejected),
            "person_rejected",
        ),
        (
            E::Person(PersonEventType::PersonRestricted),
            "person_restricted",
        ),
        (
            E::Person(PersonEventType::PersonUnverified),
            "person_unverified",
        ),
        (E::Person(PersonEventType::PersonClosed), "person_closed"),
        (
            E::Business(BusinessEventType::BusinessCreated),
            "business_created",
        ),
        (
            E::Business(BusinessEventType::BusinessVerified),
            "business_verified",
        ),
        (
            E::Business(BusinessEventType::BusinessRejected),
            "business_rejected",
        ),
        (
            E::Business(BusinessEventType::BusinessRestricted),
            "business_restricted",
        ),
        (
            E::Business(BusinessEventType::BusinessUnverified),
            "business_unverified",
        ),
        (
            E::Business(BusinessEventType::BusinessClosed),
            "business_closed",
        ),
        (
            E::ExternalAccount(ExternalAccountEventType::ExternalAccountCreated),
            "external_account_created",
        ),
        (
            E::ExternalAccount(ExternalAccountEventType::ExternalAccountVerified),
            "external_account_verified",
        ),
        (
            E::ExternalAccount(ExternalAccountEventType::ExternalAccountRejected),
            "external_account_rejected",
        ),
        (
            E::ExternalAccount(ExternalAccountEventType::ExternalAccountRestricted),
            "external_account_restricted",
        ),
        (
            E::ExternalAccount(ExternalAccountEventType::ExternalAccountUnverified),
            "external_account_unverified",
        ),
        (
            E::ExternalAccount(ExternalAccountEventType::ExternalAccountClosed),
            "external_account_closed",
        ),
        (
            E::Transfer(TransferEventType::TransferUpdated),
            "transfer_updated",
        ),
        (
            E::VerifyAccount(VerifyAccountEventType::VerifyAccountUpdated),
            "verify_account_updated",
        ),
        (
            E::Subledger(SubledgerEventType::SubledgerCreated),
            "subledger_created",
        ),
        (
            E::BookTransfer(BookTransferEventType::BookTransferUpdated),
            "book_transfer_updated",
        ),
    ]
};

impl EventType {
    /// Every invokable event type, grouped by family in the spec's order.
    pub const ALL: [EventType; 22] = {
        let mut all = [NAMES[0].0; 22];
        let mut i = 0;
        while i < NAMES.len() {
            all[i] = NAMES[i].0;
            i += 1;
        }
        all
    };

    /// The family whose `data` schema this event carries.
    pub fn family(self) -> Family {
        match self {
            EventType::Person(_) => Family::Person,
            EventType::Business(_) => Family::Business,
            EventType::ExternalAccount(_) => Family::ExternalAccount,
            EventType::Transfer(_) => Family::Transfer,
            EventType::VerifyAccount(_) => Family::VerifyAccount,
            EventType::Subledger(_) => Family::Subledger,
            EventType::BookTransfer(_) => Family::BookTransfer,
        }
    }

    /// The name on the wire, such as `person_verified`.
    pub fn as_str(self) -> &'static str {
        NAMES
            .iter()
            .find(|(e, _)| *e == self)
            .map_or("", |(_, name)| name)
    }

    /// The lifecycle step the event reports: `verified` for `person_verified`, `updated` for
    /// `transfer_updated`.
    pub fn action(self) -> &'static str {
        &self.as_str()[self.family().name().len() + 1..]
    }

    /// What the event means, in one line.
    pub fn meaning(self) -> &'static str {
        match (self.family(), self.action()) {
            (Family::Transfer, _) => {
                "a transfer changed status (created, pending, completed, settled, failed)"
            }
            (Family::VerifyAccount, _) => {
                "an account verification result (verification, ownership, control or debit status) changed"
            }
            (Family::Subledger, _) => "a subledger was created",
            (Family::BookTransfer, _) => {
                "a book transfer changed status (created, completed, failed)"
            }
            (_, "created") => "the record was created; it cannot transact until verified",
            (_, "verified") => "the record passed verification and can transact",
            (_, "rejected") => "the record failed verification; status_reasons say why",
            (_, "restricted") => "the record matched a watch list and is restricted",
            (_, "unverified") => {
                "the record changed and must be verified again (status back to created)"
            }
            (_, "closed") => "the record was closed (terminal)",
            _ => "",
        }
    }

    /// Event type names close to `name`, best first, for "did you mean" messages.
    pub fn closest(name: &str) -> Vec<&'static str> {
        let name = name.trim().to_ascii_lowercase();
        let mut scored: Vec<(f64, &'static str)> = EventType::ALL
            .iter()
            .map(|e| (strsim::jaro_winkler(&name, e.as_str()), e.as_str()))
            .filter(|(score, _)| *score >= 0.8)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.into_iter().take(3).map(|(_, n)| n).collect()
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventType {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        EventType::ALL
            .into_iter()
            .find(|e| e.as_str() == name)
            .ok_or_else(|| {
                Error::UnknownEventType(UnknownEventType {
                    name: name.to_owned(),
                    suggestions: EventType::closest(name),
                })
            })
    }
}

macro_rules! from_family_enum {
    ($($variant:ident($ty:ty)),* $(,)?) => {$(
        impl From<$ty> for EventType {
            fn from(e: $ty) -> Self {
                EventType::$variant(e)
            }
        }
    )*};
}
from_family_enum!(
    Person(PersonEventType),
    Business(BusinessEventType),
    ExternalAccount(ExternalAccountEventType),
    Transfer(TransferEventType),
    VerifyAccount(VerifyAccountEventType),
    Subledger(SubledgerEventType),
    BookTransfer(BookTransferEventType),
);

impl serde::Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for EventType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}
