//! The client and types progenitor generates from `openapi/orum.yaml`, as they are.
//!
//! `types` holds one Rust type per schema; constrained strings are newtypes that check their
//! pattern and length on construction and on deserialization. `Client` has one builder
//! method per operation. Prefer the hand-written [`crate::Client`], which wraps these.
#![allow(missing_docs, clippy::all, clippy::pedantic, rustdoc::all)]

include!(concat!(env!("OUT_DIR"), "/orum_raw.rs"));
