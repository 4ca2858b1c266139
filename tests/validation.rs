//! Bad values are refused before any request, with the field path and the rule.

use orum_webhooks::raw::types::{PersonEventType, TransferStatus};
use orum_webhooks::{Error, EventType, InvalidField, TestEvent};
use serde_json::json;

fn refused(event: TestEvent) -> InvalidField {
    match event.build() {
        Err(Error::InvalidRequest(field)) => field,
        other => panic!("expected an invalid request, got {other:?}"),
    }
}

fn person() -> TestEvent {
    TestEvent::person(PersonEventType::PersonVerified)
}

#[test]
fn zip5_of_four_digits() {
    let f = refused(person().set("data.addresses[0].zip5", "1234"));
    assert_eq!(f.path, "data.addresses[0].zip5");
    assert_eq!(f.rule, r"must match the pattern ^\d{5}$");
}

#[test]
fn lowercase_state() {
    let f = refused(person().set("data.addresses[0].state", "ny"));
    assert_eq!(f.path, "data.addresses[0].state");
    assert!(f.rule.contains("^[A-Z]{2}$"), "{}", f.rule);
}

#[test]
fn eight_digit_routing_number() {
    let f = refused(TestEvent::new(EventType::ALL[12]).set("data.routing_number", "02100002"));
    assert_eq!(f.path, "data.routing_number");
    assert!(f.rule.contains(r"^\d{9}$"), "{}", f.rule);
}

#[test]
fn zero_amount() {
    let f = refused(TestEvent::transfer(TransferStatus::Completed).amount(0));
    assert_eq!(f.path, "data.amount");
    assert_eq!(
        f.rule,
        "must be a whole number of at least 1 (got integer `0`)"
    );
}

#[test]
fn account_number_with_letters() {
    let f = refused(TestEvent::new(EventType::ALL[12]).set("data.account_number", "12345abc"));
    assert_eq!(f.path, "data.account_number");
    assert!(f.rule.contains("must match the pattern"), "{}", f.rule);
}

#[test]
fn data_of_another_family() {
    let business = TestEvent::new(EventType::ALL[6])
        .seed(3)
        .to_value()
        .unwrap();
    let f = refused(person().set("data", &business["data"]));
    assert_eq!(f.path, "data");
    assert!(
        f.rule.starts_with(
            "is a business resource, but event_type `person_verified` needs a person resource (PersonResponseBase)"
        ),
        "{}",
        f.rule
    );
}

#[test]
fn missing_required_field_names_the_field() {
    let f = refused(person().remove("data.first_name"));
    assert_eq!(
        (f.path.as_str(), f.rule.as_str()),
        ("data.first_name", "is required")
    );
}

#[test]
fn unknown_field_is_refused_not_dropped() {
    let f = refused(person().set("data.frist_name", "Ada"));
    assert_eq!(f.path, "data.frist_name");
    assert!(f.rule.contains("not a field"), "{}", f.rule);
    let f = refused(person().set("data.addresses[0].zip", "10118"));
    assert_eq!(f.path, "data.addresses[0].zip");
}

#[test]
fn enum_value_outside_the_spec() {
    let f = refused(person().set("data.status", "approved"));
    assert_eq!(f.path, "data.status");
    assert!(f.rule.contains("unknown variant `approved`"), "{}", f.rule);
}

#[test]
fn default_status_outside_the_spec() {
    let f = refused(person().status("approved"));
    assert_eq!(f.path, "data.status");
    assert!(f.rule.contains("unknown variant `approved`"), "{}", f.rule);
    // The same check holds when edits follow, and for Verify's own status field.
    let f = refused(person().status("approved").first_name("Ada"));
    assert_eq!(f.path, "data.status");
    let verify = TestEvent::new("verify_account_updated".parse::<EventType>().unwrap());
    let f = refused(verify.status("maybe"));
    assert_eq!(f.path, "data.verification_status");
}

#[test]
fn wrong_json_type() {
    let f = refused(TestEvent::transfer(TransferStatus::Completed).set("data.amount", "100"));
    assert_eq!(f.path, "data.amount");
    assert_eq!(
        f.rule,
        r#"must be a whole number of at least 1 (got string "100")"#
    );
}

#[test]
fn bad_timestamp_and_uuid() {
    let f = refused(person().set("data.created_at", "yesterday"));
    assert_eq!(f.path, "data.created_at");
    let f = refused(person().set("data.id", "not-a-uuid"));
    assert_eq!(f.path, "data.id");
}

#[test]
fn item_counts_the_generator_does_not_enforce() {
    let contact = json!({"id": "0b1c7a8e-4a4f-4a5e-9c53-5f1f0d1b2c3d", "type": "email",
        "value": "a@example.com", "created_at": "2024-01-02T03:04:05Z", "updated_at": "2024-01-02T03:04:05Z"});
    let f = refused(person().set("data.contacts[2]", &contact));
    assert_eq!(
        (f.path.as_str(), f.rule.as_str()),
        ("data.contacts", "must have 1 to 2 items (has 3)")
    );
    let f = refused(person().set("data.contacts", json!([])));
    assert_eq!(f.rule, "must have 1 to 2 items (has 0)");
    let f = refused(person().set("data.addresses[1]", json!({})));
    assert_eq!(f.path, "data.addresses");
    assert_eq!(f.rule, "must have exactly 1 item (has 2)");
}

#[test]
fn metadata_limits() {
    let f = refused(person().metadata("a_key_longer_than_twenty", "x"));
    assert_eq!(f.path, "data.metadata.a_key_longer_than_twenty");
    assert!(f.rule.contains("at most 20 characters"), "{}", f.rule);
    let f = refused(person().metadata("plan", "x".repeat(51)));
    assert!(f.rule.contains("at most 50 characters"), "{}", f.rule);
    let six = (0..6).fold(person(), |e, i| e.metadata(&format!("k{i}"), i));
    assert_eq!(
        refused(six).rule,
        "may hold at most 5 key-value pairs (has 6)"
    );
}

#[test]
fn long_patterns_are_summarised_not_quoted() {
    let f = refused(TestEvent::new(EventType::ALL[19]).account_holder_name("Ada 😀"));
    assert_eq!(f.path, "data.account_holder_name");
    assert!(
        f.rule.len() < 120 && f.rule.contains("does not allow"),
        "{}",
        f.rule
    );
}

#[test]
fn bad_paths_are_reported() {
    let f = refused(person().set("data.addresses[5].city", "Austin"));
    assert_eq!(f.path, "data.addresses[5].city");
    assert!(f.rule.contains("out of range"), "{}", f.rule);
    let f = refused(person().set("data..city", "Austin"));
    assert!(f.rule.contains("not a field path"), "{}", f.rule);
}

#[test]
fn event_type_changed_by_an_edit() {
    let f = refused(person().set("event_type", "business_verified"));
    assert_eq!(f.path, "data");
    let f = refused(person().set("event_type", "person_closed"));
    assert_eq!(f.path, "event_type");
    assert!(f.rule.contains("person_closed"), "{}", f.rule);
}

#[test]
fn json_bodies_are_checked_too() {
    let err = TestEvent::from_json(json!({"data": {}}))
        .unwrap_err()
        .to_string();
    assert_eq!(err, "invalid request: event_type: is required");
    let err = TestEvent::from_json(json!({"event_type": "person_verifed", "data": {}}))
        .unwrap_err()
        .to_string();
    assert!(err.contains("did you mean person_verified"), "{err}");
    let f = refused(TestEvent::from_json(json!({"event_type": "subledger_created"})).unwrap());
    assert_eq!((f.path.as_str(), f.rule.as_str()), ("data", "is required"));
}

#[test]
fn event_type_names() {
    assert_eq!(EventType::ALL.len(), 22);
    for e in EventType::ALL {
        assert_eq!(e.as_str().parse::<EventType>().unwrap(), e);
        assert_eq!(e.to_string(), e.as_str());
        assert!(!e.meaning().is_empty(), "{e}");
    }
    let err = "transfer_update".parse::<EventType>().unwrap_err();
    let Error::UnknownEventType(u) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(u.suggestions.first(), Some(&"transfer_updated"));
    assert_eq!(
        err.to_string(),
        "unknown event type `transfer_update`; did you mean transfer_updated, book_transfer_updated?"
    );
    let err = "zzz".parse::<EventType>().unwrap_err().to_string();
    assert!(err.contains("`orum-webhooks events` lists"), "{err}");
}

#[test]
fn generated_bodies_are_sent_as_they_are_and_checked_for_what_types_miss() {
    let event = person().seed(4).at("2024-05-14T15:30:45Z".parse().unwrap());
    let built = event.build().unwrap();
    let again = TestEvent::from(built.clone());
    assert_eq!(again.to_json().unwrap(), event.to_json().unwrap());
    assert_eq!(again.event_type(), event.event_type());
    // Edits still apply, and are checked like any other.
    let edited = TestEvent::from(built.clone())
        .first_name("Grace")
        .to_json()
        .unwrap();
    assert!(edited.contains(r#""first_name":"Grace""#));
    let f = refused(TestEvent::from(built.clone()).set("data.addresses[0].zip5", "1"));
    assert_eq!(f.path, "data.addresses[0].zip5");

    let orum_webhooks::raw::types::PostInvokeBody::PersonTestRequest(mut request) = built else {
        panic!("a person body")
    };
    let contact = request.data.contacts[0].clone();
    request.data.contacts.push(contact);
    let f = refused(TestEvent::from(
        orum_webhooks::raw::types::PostInvokeBody::from(request.clone()),
    ));
    assert_eq!(
        (f.path.as_str(), f.rule.as_str()),
        ("data.contacts", "must have 1 to 2 items (has 3)")
    );
    request.data.contacts.truncate(1);
    for i in 0..6 {
        request.data.metadata.insert(format!("k{i}"), json!(i));
    }
    let f = refused(TestEvent::from(
        orum_webhooks::raw::types::PostInvokeBody::from(request),
    ));
    assert_eq!(f.path, "data.metadata");
}
