//! Every recorded GitHub payload is signed, verified, parsed and routed by event and action.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::convert::Infallible;
use std::path::PathBuf;

use bytes::Bytes;
use common::{block_on, signed};
use hookcore::{Delivery, Registry};

fn corpus() -> Vec<(String, PathBuf)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/github");
    let mut files = Vec::new();
    for event in std::fs::read_dir(&root).unwrap() {
        let event = event.unwrap();
        for file in std::fs::read_dir(event.path()).unwrap() {
            files.push((
                event.file_name().into_string().unwrap(),
                file.unwrap().path(),
            ));
        }
    }
    files.sort();
    files
}

#[test]
fn every_recorded_payload_verifies_parses_and_routes() {
    let files = corpus();
    let events: std::collections::BTreeSet<_> = files.iter().map(|(e, _)| e.clone()).collect();
    assert_eq!(events.len(), 58, "58 events in the corpus");
    assert_eq!(files.len(), 238, "recorded payloads");

    let rx = common::receiver();
    // Each event gets a handler that echoes the route it was reached by; `issues.opened` and
    // `pull_request.closed` get their own, to prove action routing wins over event routing.
    let mut builder = Registry::builder()
        .on("issues.opened", |d: Delivery| async move {
            Ok::<_, Infallible>(format!(
                "action-route {} {}",
                d.event(),
                d.action().unwrap_or("")
            ))
        })
        .on("pull_request.closed", |d: Delivery| async move {
            Ok::<_, Infallible>(format!(
                "action-route {} {}",
                d.event(),
                d.action().unwrap_or("")
            ))
        });
    for event in &events {
        builder = builder.on(event, |d: Delivery| async move {
            Ok::<_, Infallible>(format!(
                "event-route {} {}",
                d.event(),
                d.action().unwrap_or("")
            ))
        });
    }
    let registry = builder.build().unwrap();

    let mut with_action = 0;
    for (event, path) in &files {
        let body = Bytes::from(std::fs::read(path).unwrap());
        let d = rx
            .verify(&signed(event, &body), body.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let expected: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(d.payload(), &expected, "{}", path.display());
        // Every top-level field, read alone, is the field of a full parse.
        for (key, value) in expected.as_object().unwrap() {
            let alone: serde_json::Value = d.field_as(key).unwrap();
            assert_eq!(&alone, value, "{}: {key}", path.display());
        }
        assert_eq!(d.field_as::<Option<String>>("no such field").unwrap(), None);
        let action = expected.get("action").and_then(|a| a.as_str());
        assert_eq!(d.action(), action, "{}", path.display());
        with_action += usize::from(action.is_some());

        let reply = block_on(registry.dispatch(d));
        assert_eq!(reply.status, 200);
        let route = if matches!(
            (event.as_str(), action),
            ("issues", Some("opened")) | ("pull_request", Some("closed"))
        ) {
            "action-route"
        } else {
            "event-route"
        };
        assert_eq!(
            String::from_utf8(reply.body.to_vec()).unwrap(),
            format!("{route} {event} {}", action.unwrap_or("")),
            "{}",
            path.display()
        );
    }
    assert!(
        with_action > 150,
        "most payloads carry an action ({with_action})"
    );
}

#[test]
fn every_recorded_payload_as_a_form_body() {
    let rx = common::receiver();
    for (event, path) in corpus() {
        let json = std::fs::read_to_string(&path).unwrap();
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("payload", &json)
            .finish();
        let mut h = signed(&event, form.as_bytes());
        h.insert(
            "content-type",
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        let d = rx
            .verify(&h, Bytes::from(form))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(d.json(), json.as_bytes());
    }
}
