//! The registry: routing precedence, the default answer, handler failures, duplicates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::convert::Infallible;

use bytes::Bytes;
use common::{block_on, signed};
use hookcore::{Delivery, DuplicateHandler, Registry, Reply};

fn delivery(event: &str, body: &'static str) -> Delivery {
    let rx = common::receiver();
    rx.verify(
        &signed(event, body.as_bytes()),
        Bytes::from_static(body.as_bytes()),
    )
    .unwrap()
}

fn text(s: &'static str) -> impl hookcore::Handler {
    move |_d: Delivery| async move { Ok::<_, Infallible>(s) }
}

fn body(reply: &Reply) -> &str {
    std::str::from_utf8(&reply.body).unwrap()
}

#[test]
fn action_beats_event_beats_fallback() {
    let registry = Registry::builder()
        .on("issues", text("event"))
        .on("issues.opened", text("action"))
        .fallback(text("fallback"))
        .build()
        .unwrap();
    let opened = block_on(registry.dispatch(delivery("issues", r#"{"action":"opened"}"#)));
    assert_eq!(body(&opened), "action");
    let closed = block_on(registry.dispatch(delivery("issues", r#"{"action":"closed"}"#)));
    assert_eq!(body(&closed), "event");
    let none = block_on(registry.dispatch(delivery("issues", "{}")));
    assert_eq!(body(&none), "event");
    let other = block_on(registry.dispatch(delivery("push", r#"{"action":"opened"}"#)));
    assert_eq!(body(&other), "fallback");
}

#[test]
fn only_an_action_handler_leaves_other_actions_unused() {
    let registry = Registry::builder()
        .on("issues.opened", text("action"))
        .build()
        .unwrap();
    let reply = block_on(registry.dispatch(delivery("issues", r#"{"action":"closed"}"#)));
    assert_eq!(
        (reply.status.as_u16(), body(&reply)),
        (200, "Hook not used\n")
    );
    assert_eq!(reply.content_type, "text/plain; charset=utf-8");
}

#[test]
fn handler_failures_are_500_with_a_generic_body() {
    let registry = Registry::builder()
        .on("push", |_d: Delivery| async {
            Err::<&str, _>("db password hunter2 rejected")
        })
        .build()
        .unwrap();
    let reply = block_on(registry.dispatch(delivery("push", "{}")));
    assert_eq!(reply.status, 500);
    assert_eq!(body(&reply), "Internal server error\n");
}

/// Ready on the second poll, so that a panic after it comes from a resumed future.
async fn yield_once() {
    let mut first = true;
    std::future::poll_fn(|cx| {
        if std::mem::take(&mut first) {
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await
}

#[test]
fn handler_panics_are_500_with_a_generic_body() {
    let registry = Registry::builder()
        .on(
            "sync",
            |_d: Delivery| -> std::future::Ready<Result<&'static str, Infallible>> {
                panic!("in the call")
            },
        )
        .on("async", |d: Delivery| async move {
            yield_once().await;
            if d.event() == "async" {
                panic!("{} after a pending poll", d.event());
            }
            Ok::<_, Infallible>("unreachable")
        })
        .on("ping", text("pong"))
        .build()
        .unwrap();
    for event in ["sync", "async", "sync"] {
        let reply = block_on(registry.dispatch(delivery(event, "{}")));
        assert_eq!(reply.status.as_u16(), 500, "{event}");
        assert_eq!(body(&reply), "Internal server error\n", "{event}");
    }
    // The registry and its other handlers are unharmed.
    let reply = block_on(registry.dispatch(delivery("ping", "{}")));
    assert_eq!((reply.status.as_u16(), body(&reply)), (200, "pong"));
}

#[test]
fn handlers_can_answer_any_status_and_json() {
    let registry = Registry::builder()
        .on("ping", |d: Delivery| async move {
            Ok::<_, Infallible>(
                Reply::json(&serde_json::json!({"zen": d.payload()["zen"]}))
                    .unwrap()
                    .with_status(http::StatusCode::ACCEPTED),
            )
        })
        .on("push", |_d: Delivery| async {
            Ok::<_, Infallible>(serde_json::json!({"ok": true}))
        })
        .build()
        .unwrap();
    let reply = block_on(registry.dispatch(delivery("ping", r#"{"zen":"Keep it simple."}"#)));
    assert_eq!(reply.status, 202);
    assert_eq!(reply.content_type, "application/json");
    assert_eq!(body(&reply), r#"{"zen":"Keep it simple."}"#);
    let reply = block_on(registry.dispatch(delivery("push", "{}")));
    assert_eq!(body(&reply), r#"{"ok":true}"#);
    let response: http::Response<Bytes> = reply.into_response();
    assert_eq!(response.headers()["content-type"], "application/json");
}

#[test]
fn registering_a_key_twice_is_reported() {
    let err = Registry::builder()
        .on("push", text("a"))
        .on("push", text("b"))
        .build()
        .unwrap_err();
    assert_eq!(err, DuplicateHandler("push".into()));
    let err = Registry::builder()
        .on("issues.opened", text("a"))
        .on("issues", text("b"))
        .on("issues.opened", text("c"))
        .build()
        .unwrap_err();
    assert_eq!(err, DuplicateHandler("issues.opened".into()));
    assert!(
        Registry::builder()
            .fallback(text("a"))
            .fallback(text("b"))
            .build()
            .is_err()
    );
    let ok = Registry::builder()
        .on("issues.opened", text("a"))
        .on("issues.closed", text("b"))
        .on("issues", text("c"))
        .build();
    assert!(ok.is_ok());
}

#[test]
fn errors_become_plain_text_replies() {
    let reply = hookcore::Error::MissingHeader("X-GitHub-Event").into_reply();
    assert_eq!(reply.status, 400);
    assert_eq!(body(&reply), "Missing header: X-GitHub-Event\n");
    assert_eq!(reply.content_type, "text/plain; charset=utf-8");
}
