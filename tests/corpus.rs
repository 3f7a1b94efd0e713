//! Every recorded GitHub payload goes through every adapter's example application and gets the
//! contract's answer for its event and action.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;

use common::{Actix, Axum, Case, Core, Expect, Harness, Req, Warp, run};

/// (event, body, the contract's answer), for every payload in the fixtures.
fn corpus() -> Vec<(String, Vec<u8>, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/github");
    let mut out = Vec::new();
    for event in std::fs::read_dir(root).unwrap() {
        let event = event.unwrap();
        let name = event.file_name().into_string().unwrap();
        for file in std::fs::read_dir(event.path()).unwrap() {
            let body = std::fs::read(file.unwrap().path()).unwrap();
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let answer = match (name.as_str(), v["action"].as_str()) {
                ("ping", _) => "pong".to_owned(),
                ("push", _) => format!("New push to {}", v["ref"].as_str().unwrap()),
                ("issues", Some("opened")) => format!("Opened issue #{}", v["issue"]["number"]),
                ("issues", action) => format!("Issue event: {}", action.unwrap_or_default()),
                _ => "Hook not used\n".to_owned(),
            };
            out.push((name.clone(), body, answer));
        }
    }
    assert_eq!(out.len(), 238);
    out
}

fn every_payload<H: Harness>() {
    let mut routed = 0;
    for (event, body, answer) in corpus() {
        routed += usize::from(answer != "Hook not used\n");
        let answer: &'static str = Box::leak(answer.into_boxed_str());
        let mut case = Case::new(Req::delivery(&event, body), Expect::Ok(answer));
        // Some recorded payloads are larger than the suite's 64 KiB default.
        case = case.config(
            common::config()
                .max_body(hookcore::GITHUB_MAX_BODY)
                .build()
                .unwrap(),
        );
        run::<H>(case);
    }
    assert!(
        routed > 10,
        "the contract's handlers took {routed} payloads"
    );
}

#[test]
fn axum() {
    every_payload::<Axum>();
}

#[test]
fn actix() {
    every_payload::<Actix>();
}

#[test]
fn warp() {
    every_payload::<Warp>();
}

#[test]
fn core() {
    every_payload::<Core>();
}
