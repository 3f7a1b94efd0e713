//! A handler that panics answers like one that fails, in every adapter and in the core: 500
//! with the generic body (no connection dropped without an answer), and the next delivery is
//! served as usual.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Harness, Req, config, github_peer};
use hookcore::{Delivery, Hooks, Receiver, Registry};

/// A push handler that panics for one ref, while its future runs.
fn hooks() -> Hooks {
    let registry = Registry::builder()
        .on("push", |d: Delivery| async move {
            let git_ref: String = d.field_as("ref")?;
            assert_ne!(git_ref, "refs/heads/panic", "a bug in the handler");
            Ok::<_, serde_json::Error>(git_ref)
        })
        .build()
        .unwrap();
    Hooks::new(Receiver::new(config().build().unwrap()).unwrap(), registry)
}

fn panicking_then_served<H: Harness>() {
    let hooks = hooks();
    let push = |git_ref: &str| Req::delivery("push", format!(r#"{{"ref":"{git_ref}"}}"#)).build();
    let panicked = H::send(hooks.clone(), push("refs/heads/panic"), github_peer());
    assert_eq!(
        (panicked.status, panicked.text().as_str()),
        (500, "Internal server error\n"),
        "{}",
        H::NAME
    );
    let served = H::send(hooks, push("refs/heads/main"), github_peer());
    assert_eq!(
        (served.status, served.text().as_str()),
        (200, "refs/heads/main"),
        "{}",
        H::NAME
    );
}

#[test]
fn axum() {
    panicking_then_served::<common::Axum>();
}

#[test]
fn actix() {
    panicking_then_served::<common::Actix>();
}

#[test]
fn warp() {
    panicking_then_served::<common::Warp>();
}

#[test]
fn core() {
    panicking_then_served::<common::Core>();
}
