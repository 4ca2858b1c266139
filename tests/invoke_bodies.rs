//! The exact bytes `invoke` puts on the wire for every event type, as insta snapshots.

mod common;

use orum_webhooks::raw::types::{
    BookTransferStatus, PersonEventType, TransferSpeed, TransferStatus, VerificationStatus,
};
use orum_webhooks::{EventType, TestEvent};

#[test]
fn default_body_of_every_event_type() {
    for event_type in EventType::ALL {
        let body = TestEvent::new(event_type)
            .seed(1)
            .at(common::fixed_now())
            .to_json()
            .unwrap_or_else(|e| panic!("{event_type}: {e}"));
        insta::assert_snapshot!(event_type.as_str(), body);
    }
}

#[test]
fn same_seed_and_clock_give_the_same_bytes_and_another_seed_does_not() {
    let body = |seed| {
        TestEvent::new(EventType::ALL[0])
            .seed(seed)
            .at(common::fixed_now())
            .to_json()
            .unwrap()
    };
    assert_eq!(body(5), body(5));
    assert_ne!(body(5), body(6));
    let unseeded = || TestEvent::new(EventType::ALL[0]).to_json().unwrap();
    assert_ne!(unseeded(), unseeded(), "without a seed ids are random");
}

fn reproducible(event: TestEvent) -> String {
    event.seed(1).at(common::fixed_now()).to_json().unwrap()
}

#[test]
fn person_with_overrides() {
    let body = reproducible(
        TestEvent::person(PersonEventType::PersonVerified)
            .first_name("Grace")
            .last_name("Hopper")
            .set("data.middle_name", "Brewster")
            .set("data.addresses[0].city", "Arlington")
            .set("data.addresses[0].state", "VA")
            .set("data.addresses[0].zip5", "22201")
            .remove("data.addresses[0].address2")
            .remove("data.contacts[1]")
            .metadata("plan", "gold")
            .customer_reference_id("user-42"),
    );
    insta::assert_snapshot!(body);
}

#[test]
fn failed_transfer_with_overrides() {
    let body = reproducible(
        TestEvent::transfer(TransferStatus::Failed)
            .amount(12_345)
            .set("data.speed", TransferSpeed::Standard)
            .set("data.account_statement_descriptor", "RENT MAY"),
    );
    insta::assert_snapshot!(body);
}

#[test]
fn failed_book_transfer_and_invalid_verify_account() {
    insta::assert_snapshot!(
        "book_transfer_failed",
        reproducible(TestEvent::book_transfer(BookTransferStatus::Failed))
    );
    insta::assert_snapshot!(
        "verify_account_invalid",
        reproducible(TestEvent::verify_account(VerificationStatus::Invalid))
    );
}

#[test]
fn body_from_a_json_file_keeps_the_callers_values() {
    let body = serde_json::json!({
        "event_type": "subledger_created",
        "data": {
            "id": "0b1c7a8e-4a4f-4a5e-9c53-5f1f0d1b2c3d",
            "subledger_reference_id": "ledger-1",
            "customer_reference_id": "cust-1",
            "customer_resource_type": "business",
            "status": "created",
            "created_at": "2024-01-02T03:04:05.000Z",
            "updated_at": "2024-01-02T03:04:05.500Z"
        }
    });
    let event = TestEvent::from_json(body).unwrap();
    insta::assert_snapshot!(event.to_json().unwrap());
}
