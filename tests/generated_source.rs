//! The code build.rs generates from the spec, kept as a snapshot so that a change to the spec
//! or to progenitor shows up as a reviewable diff (`cargo insta review`, or
//! `INSTA_UPDATE=always cargo test --test generated_source` and `git diff`).

#[test]
fn generated_source_matches_the_snapshot() {
    let source = include_str!(concat!(env!("OUT_DIR"), "/orum_raw.rs"));
    insta::assert_snapshot!("orum_raw.rs", source);
}
