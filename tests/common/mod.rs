//! Helpers shared by the integration tests.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};

/// The fixed clock of every reproducible test event.
pub fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 14, 15, 30, 45).unwrap() + chrono::TimeDelta::microseconds(123_456)
}
