//! Generates the raw client from `openapi/orum.yaml` with progenitor.
//!
//! The output goes to `$OUT_DIR/orum_raw.rs` and is included by `src/raw.rs`. It is never
//! committed; `tests/generated_source.rs` snapshots it so spec changes show up as a diff.

use std::{env, fs, path::Path};

const SPEC: &str = "openapi/orum.yaml";

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build.rs");

    let text = fs::read_to_string(SPEC).unwrap_or_else(|e| fail(&format!("read {SPEC}: {e}")));
    let spec: openapiv3::OpenAPI =
        serde_yaml::from_str(&text).unwrap_or_else(|e| fail(&format!("parse {SPEC}: {e}")));

    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_derive("schemars::JsonSchema")
        .with_inner_type(quote::quote!(crate::transport::Transport))
        // Authorization and response capture live in `src/transport.rs`.
        .with_hooks(progenitor::HooksMode::Expected);

    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .unwrap_or_else(|e| fail(&format!("generate from {SPEC}: {e}")));
    let file: syn::File =
        syn::parse2(tokens).unwrap_or_else(|e| fail(&format!("parse generated code: {e}")));
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("orum_raw.rs");
    fs::write(&out, prettyplease::unparse(&file))
        .unwrap_or_else(|e| fail(&format!("write {}: {e}", out.display())));
}

fn fail(msg: &str) -> ! {
    eprintln!("orum-webhooks build.rs: {msg}");
    std::process::exit(1);
}
