//! The receiver's checks, one numbered step of the contract at a time, and their order.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bytes::Bytes;
use common::{SECRET, block_on, headers, signed};
use hookcore::{Config, Error, Receiver, sign_sha1, sign_sha256};
use http::Method;

const BODY: &[u8] = br#"{"action":"opened","issue":{"number":42},"ref":"refs/heads/main"}"#;

fn receiver() -> Receiver {
    common::receiver()
}

fn status(result: Result<hookcore::Delivery, Error>) -> u16 {
    match result {
        Ok(_) => 200,
        Err(e) => e.status().as_u16(),
    }
}

#[test]
fn route_only_post_on_the_hook_path() {
    let rx = receiver();
    assert!(rx.check_route(&Method::POST, "/hooks").is_ok());
    for m in [
        Method::GET,
        Method::HEAD,
        Method::PUT,
        Method::DELETE,
        Method::OPTIONS,
    ] {
        assert!(
            matches!(rx.check_route(&m, "/hooks"), Err(Error::MethodNotAllowed)),
            "{m}"
        );
    }
    for p in ["/", "/hooks/", "/hooksx", "/HOOKS", "/other"] {
        assert!(
            matches!(rx.check_route(&Method::POST, p), Err(Error::NotFound)),
            "{p}"
        );
        assert!(
            matches!(rx.check_route(&Method::GET, p), Err(Error::NotFound)),
            "{p}"
        );
    }
}

#[test]
fn a_good_delivery_and_what_it_carries() {
    let rx = receiver();
    let mut h = signed("issues", BODY);
    h.insert("x-github-hook-id", "292430182".parse().unwrap());
    h.insert(
        "x-github-hook-installation-target-type",
        "repository".parse().unwrap(),
    );
    h.insert(
        "x-github-hook-installation-target-id",
        "79929171".parse().unwrap(),
    );
    let body = Bytes::from_static(BODY);
    let d = rx.verify(&h, body.clone()).unwrap();
    assert_eq!(d.event(), "issues");
    assert_eq!(d.action(), Some("opened"));
    assert_eq!(d.id(), "72d3162e-cc78-11e3-81ab-4c9367dc0958");
    assert_eq!(d.hook_id(), Some("292430182"));
    assert_eq!(d.target_type(), Some("repository"));
    assert_eq!(d.target_id(), Some("79929171"));
    assert_eq!(
        d.body().as_ptr(),
        body.as_ptr(),
        "the body is kept, not copied"
    );
    assert_eq!(d.payload()["issue"]["number"], 42);
    assert!(
        std::ptr::eq(d.payload(), d.payload()),
        "the Value is built once"
    );
    #[derive(serde::Deserialize)]
    struct Issues {
        issue: Issue,
    }
    #[derive(serde::Deserialize)]
    struct Issue {
        number: u64,
    }
    assert_eq!(d.payload_as::<Issues>().unwrap().issue.number, 42);
    let d = rx
        .verify(&signed("push", b"{}"), Bytes::from_static(b"{}"))
        .unwrap();
    assert_eq!(
        (d.action(), d.hook_id(), d.target_type()),
        (None, None, None)
    );
}

#[test]
fn body_size_limit_inclusive() {
    let rx = Receiver::new(
        Config::builder()
            .secret(SECRET)
            .validate_ip(false)
            .max_body(BODY.len())
            .build()
            .unwrap(),
    )
    .unwrap();
    assert!(
        rx.verify(&signed("issues", BODY), Bytes::from_static(BODY))
            .is_ok()
    );
    let mut bigger = BODY.to_vec();
    bigger.push(b' ');
    let err = rx
        .verify(&signed("issues", &bigger), bigger.into())
        .unwrap_err();
    assert!(matches!(err, Error::PayloadTooLarge));
}

#[test]
fn content_length_over_the_limit_fails_before_the_body() {
    let rx = Receiver::new(
        Config::builder()
            .secret(SECRET)
            .validate_ip(false)
            .max_body(10)
            .build()
            .unwrap(),
    )
    .unwrap();
    let mut h = signed("push", b"{}");
    h.insert("content-length", "11".parse().unwrap());
    assert!(matches!(rx.begin(&h), Err(Error::PayloadTooLarge)));
    h.insert("content-length", "10".parse().unwrap());
    assert!(rx.begin(&h).is_ok());
}

#[test]
fn streaming_stops_at_the_limit_and_matches_one_shot() {
    let rx = Receiver::new(
        Config::builder()
            .secret(SECRET)
            .validate_ip(false)
            .max_body(100)
            .build()
            .unwrap(),
    )
    .unwrap();
    // In chunks, even one byte at a time, the result is the one-shot result.
    let mut incoming = rx.begin(&signed("issues", BODY)).unwrap();
    for b in BODY.chunks(1) {
        incoming.push(b).unwrap();
    }
    assert_eq!(incoming.len(), BODY.len());
    let d = incoming.finish().unwrap();
    assert_eq!(d.body().as_ref(), BODY);
    assert_eq!(d.action(), Some("opened"));
    // Mixed push_bytes / push joins the chunks.
    let mut incoming = rx.begin(&signed("issues", BODY)).unwrap();
    incoming
        .push_bytes(Bytes::from_static(&BODY[..10]))
        .unwrap();
    incoming.push(&BODY[10..20]).unwrap();
    incoming
        .push_bytes(Bytes::from_static(&BODY[20..]))
        .unwrap();
    assert_eq!(incoming.finish().unwrap().body().as_ref(), BODY);
    // Over the limit: the push that crosses it fails.
    let mut incoming = rx.begin(&signed("issues", BODY)).unwrap();
    incoming.push(&[b' '; 60]).unwrap();
    assert!(matches!(
        incoming.push(&[b' '; 41]),
        Err(Error::PayloadTooLarge)
    ));
}

#[test]
fn a_flipped_bit_anywhere_fails() {
    let rx = receiver();
    let h = signed("issues", BODY);
    for i in 0..BODY.len() {
        let mut body = BODY.to_vec();
        body[i] ^= 1;
        assert!(
            matches!(rx.verify(&h, body.into()), Err(Error::BadSignature)),
            "byte {i}"
        );
    }
}

#[test]
fn the_order_of_checks() {
    let rx = Receiver::new(
        Config::builder()
            .secret(SECRET)
            .validate_ip(false)
            .max_body(64)
            .build()
            .unwrap(),
    )
    .unwrap();
    let big = vec![b'x'; 65];
    let bad_everything = headers(&[
        ("x-hub-signature-256", "sha256=zz"),
        ("content-type", "text/plain"),
    ]);
    // 3 before 4: too large wins over a malformed signature, also while streaming.
    assert_eq!(status(rx.verify(&bad_everything, big.clone().into())), 413);
    let mut incoming = rx.begin(&bad_everything).unwrap();
    incoming.push(&big[..60]).unwrap();
    assert!(matches!(
        incoming.push(&big[60..]),
        Err(Error::PayloadTooLarge)
    ));
    // 4 before 5 and 6.
    let err = rx
        .verify(&bad_everything, Bytes::from_static(b"{}"))
        .unwrap_err();
    assert!(matches!(
        err,
        Error::MalformedSignature("X-Hub-Signature-256")
    ));
    // 5 before 6: missing event wins over the content type.
    let sig = sign_sha256(SECRET.as_bytes(), b"nope");
    let h = headers(&[
        ("x-hub-signature-256", &sig),
        ("content-type", "text/plain"),
    ]);
    assert!(matches!(
        rx.verify(&h, Bytes::from_static(b"nope")),
        Err(Error::MissingHeader("X-GitHub-Event"))
    ));
    let h = headers(&[
        ("x-hub-signature-256", &sig),
        ("x-github-event", "push"),
        ("content-type", "text/plain"),
    ]);
    assert!(matches!(
        rx.verify(&h, Bytes::from_static(b"nope")),
        Err(Error::MissingHeader("X-GitHub-Delivery"))
    ));
    // 6 before the JSON: the content type is refused before the body is read as JSON.
    let h = headers(&[
        ("x-hub-signature-256", &sig),
        ("x-github-event", "push"),
        ("x-github-delivery", "1"),
        ("content-type", "text/plain"),
    ]);
    assert!(matches!(
        rx.verify(&h, Bytes::from_static(b"nope")),
        Err(Error::UnsupportedContentType)
    ));
    let h = headers(&[
        ("x-hub-signature-256", &sig),
        ("x-github-event", "push"),
        ("x-github-delivery", "1"),
    ]);
    let err = rx.verify(&h, Bytes::from_static(b"nope")).unwrap_err();
    assert!(matches!(err, Error::InvalidJson(_)));
    assert_eq!(err.status(), 400);
}

#[test]
fn empty_event_or_delivery_headers_are_missing() {
    let rx = receiver();
    let sig = sign_sha256(SECRET.as_bytes(), b"{}");
    for (event, id, missing) in [
        ("", "1", "X-GitHub-Event"),
        ("push", "", "X-GitHub-Delivery"),
    ] {
        let h = headers(&[
            ("x-hub-signature-256", &sig),
            ("x-github-event", event),
            ("x-github-delivery", id),
        ]);
        match rx.verify(&h, Bytes::from_static(b"{}")) {
            Err(Error::MissingHeader(name)) => assert_eq!(name, missing),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn form_bodies_carry_the_json_in_payload() {
    let rx = receiver();
    let json = r#"{"action":"created","comment":{"body":"a+b & c=d 100%"}}"#;
    let form: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", json)
        .finish();
    assert!(form.contains('%') && form.contains('+'));
    let mut h = signed("issue_comment", form.as_bytes());
    h.insert(
        "content-type",
        "application/x-www-form-urlencoded".parse().unwrap(),
    );
    let d = rx.verify(&h, form.clone().into()).unwrap();
    assert_eq!(d.action(), Some("created"));
    assert_eq!(d.json(), json.as_bytes());
    assert_eq!(
        d.body().as_ref(),
        form.as_bytes(),
        "the raw form is what was signed"
    );
    assert_eq!(d.payload()["comment"]["body"], "a+b & c=d 100%");
    // The signature covers the raw form, not the decoded JSON.
    let mut h2 = signed("issue_comment", json.as_bytes());
    h2.insert(
        "content-type",
        "application/x-www-form-urlencoded".parse().unwrap(),
    );
    assert!(matches!(
        rx.verify(&h2, form.clone().into()),
        Err(Error::BadSignature)
    ));
    // No payload field, or one that is not JSON.
    for body in ["other=1", "", "payload=%7Bnot", "payload=%5B%5D"] {
        let mut h = signed("push", body.as_bytes());
        h.insert(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8"
                .parse()
                .unwrap(),
        );
        let err = rx.verify(&h, Bytes::from(body.to_owned())).unwrap_err();
        assert_eq!(err.status(), 400, "{body}: {err:?}");
    }
}

#[test]
fn sha1_only_deliveries_and_require_sha256() {
    let rx = receiver();
    let mut h = signed("push", b"{}");
    h.remove("x-hub-signature-256");
    h.insert(
        "x-hub-signature",
        sign_sha1(SECRET.as_bytes(), b"{}").parse().unwrap(),
    );
    assert!(rx.verify(&h, Bytes::from_static(b"{}")).is_ok());
    let strict = Receiver::new(
        Config::builder()
            .secret(SECRET)
            .validate_ip(false)
            .require_sha256(true)
            .build()
            .unwrap(),
    )
    .unwrap();
    let err = strict.verify(&h, Bytes::from_static(b"{}")).unwrap_err();
    assert!(matches!(err, Error::MissingHeader("X-Hub-Signature-256")));
}

#[test]
fn sha256_wrong_sha1_right_is_refused() {
    let rx = receiver();
    let mut h = signed("push", b"{}");
    h.insert(
        "x-hub-signature-256",
        sign_sha256(b"wrong", b"{}").parse().unwrap(),
    );
    h.insert(
        "x-hub-signature",
        sign_sha1(SECRET.as_bytes(), b"{}").parse().unwrap(),
    );
    assert!(matches!(
        rx.verify(&h, Bytes::from_static(b"{}")),
        Err(Error::BadSignature)
    ));
}

#[test]
fn signature_checks_can_be_turned_off() {
    let rx = Receiver::new(
        Config::builder()
            .validate_signature(false)
            .validate_ip(false)
            .build()
            .unwrap(),
    )
    .unwrap();
    let h = headers(&[("x-github-event", "ping"), ("x-github-delivery", "1")]);
    assert!(rx.verify(&h, Bytes::from_static(b"{}")).is_ok());
}

#[test]
fn rotated_secrets_both_verify() {
    let rx = Receiver::new(
        Config::builder()
            .secret("new")
            .secret("old")
            .validate_ip(false)
            .build()
            .unwrap(),
    )
    .unwrap();
    for secret in ["new", "old"] {
        let mut h = signed("push", b"{}");
        h.insert(
            "x-hub-signature-256",
            sign_sha256(secret.as_bytes(), b"{}").parse().unwrap(),
        );
        assert!(rx.verify(&h, Bytes::from_static(b"{}")).is_ok(), "{secret}");
    }
}

fn ip_receiver(proxies: &[&str]) -> Receiver {
    let mut b = Config::builder().secret(SECRET).allowed_ranges([
        "140.82.112.0/20".parse().unwrap(),
        "2606:50c0::/32".parse().unwrap(),
    ]);
    for p in proxies {
        b = b.trusted_proxy(p.parse().unwrap());
    }
    Receiver::new(b.build().unwrap()).unwrap()
}

#[test]
fn source_addresses() {
    let rx = ip_receiver(&["10.0.0.0/8"]);
    let none = headers(&[]);
    let check = |peer: &str, h: &http::HeaderMap| {
        block_on(rx.check_source::<common::OsThread>(Some(peer.parse().unwrap()), h))
    };
    assert!(check("140.82.112.7", &none).is_ok());
    assert!(check("2606:50c0::7", &none).is_ok());
    assert!(check("::ffff:140.82.112.7", &none).is_ok());
    assert!(matches!(
        check("127.0.0.1", &none),
        Err(Error::SourceNotAllowed)
    ));
    assert!(matches!(
        check("2001:db8::1", &none),
        Err(Error::SourceNotAllowed)
    ));
    // Behind a trusted proxy, the forwarded address decides; spoofing on the left is ignored.
    let fwd = headers(&[("x-forwarded-for", "140.82.112.9, 203.0.113.1")]);
    assert!(matches!(
        check("10.1.1.1", &fwd),
        Err(Error::SourceNotAllowed)
    ));
    let fwd = headers(&[("x-forwarded-for", "203.0.113.1, 140.82.112.9")]);
    assert!(check("10.1.1.1", &fwd).is_ok());
    // An untrusted peer cannot forward.
    assert!(matches!(
        check("203.0.113.1", &fwd),
        Err(Error::SourceNotAllowed)
    ));
    let junk = headers(&[("x-forwarded-for", "nonsense")]);
    assert!(matches!(
        check("10.1.1.1", &junk),
        Err(Error::InvalidForwardedAddress)
    ));
    // No peer address at all: the server is set up wrongly.
    let err = block_on(rx.check_source::<common::OsThread>(None, &none)).unwrap_err();
    assert_eq!(err.status(), 500);
    // Blocking flavour agrees.
    assert!(
        rx.check_source_blocking(Some("140.82.112.1".parse().unwrap()), &none)
            .is_ok()
    );
    assert!(
        rx.check_source_blocking(Some("1.1.1.1".parse().unwrap()), &none)
            .is_err()
    );
}

#[test]
fn unavailable_ranges_are_503_and_fetch_off_thread() {
    let caller = std::thread::current().id();
    let config = Config::builder().secret(SECRET).build().unwrap();
    let rx = Receiver::with_fetcher(config, move || {
        assert_ne!(
            std::thread::current().id(),
            caller,
            "fetched on the caller's thread"
        );
        Err(hookcore::MetaError::Http(502))
    })
    .unwrap();
    let err = block_on(
        rx.check_source::<common::OsThread>(Some("140.82.112.1".parse().unwrap()), &headers(&[])),
    )
    .unwrap_err();
    assert_eq!(err.status(), 503);
    assert_eq!(err.to_string(), "GitHub hook ranges unavailable");
}

#[test]
fn source_checks_can_be_turned_off() {
    let rx = receiver();
    assert_eq!(rx.source_ip(None, &headers(&[])).unwrap(), None);
    assert!(block_on(rx.check_source::<common::OsThread>(None, &headers(&[]))).is_ok());
}

/// A `Blocking` runner that counts the work it is given (used by one test only).
struct Counted;

static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl hookcore::Blocking for Counted {
    fn run<T, F>(work: F) -> impl std::future::Future<Output = Option<T>> + Send
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        <common::OsThread as hookcore::Blocking>::run(work)
    }
}

#[test]
fn large_bodies_finish_on_a_blocking_thread() {
    let runs = || RUNS.load(std::sync::atomic::Ordering::SeqCst);
    let rx = Receiver::new(
        Config::builder()
            .secret(SECRET)
            .validate_ip(false)
            .blocking_threshold(BODY.len())
            .build()
            .unwrap(),
    )
    .unwrap();
    // At the threshold: moved to the blocking runner.
    let mut incoming = rx.begin(&signed("issues", BODY)).unwrap();
    incoming.push(BODY).unwrap();
    let d = block_on(rx.finish::<Counted>(incoming)).unwrap();
    assert_eq!(d.action(), Some("opened"));
    assert_eq!(runs(), 1);
    // Under it: finished in place.
    let small = br#"{"action":"closed"}"#;
    assert!(small.len() < BODY.len());
    let mut incoming = rx.begin(&signed("issues", small)).unwrap();
    incoming.push(small).unwrap();
    assert!(block_on(rx.finish::<Counted>(incoming)).is_ok());
    assert_eq!(runs(), 1, "a small body never left the caller");
}

#[test]
fn valid_json_beyond_a_value_is_accepted_without_surprises() {
    // Valid JSON that serde_json's Value cannot hold: documented as Null from payload(), an
    // error from payload_as(), never a panic.
    let rx = receiver();
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(300), "]".repeat(300));
    for body in [deep, r#"{"action":"opened","n":1e400}"#.to_owned()] {
        let d = rx
            .verify(&signed("issues", body.as_bytes()), body.clone().into())
            .unwrap();
        assert!(d.payload().is_null());
        assert!(d.payload_as::<serde_json::Value>().is_err());
    }
}

#[test]
fn fields_alone_even_behind_escaped_keys() {
    let rx = receiver();
    let body = r#"{"\u0072ef":"refs/heads/escaped","issue":{"number":9},"issue":{"number":10}}"#;
    let d = rx
        .verify(
            &signed("push", body.as_bytes()),
            Bytes::from_static(body.as_bytes()),
        )
        .unwrap();
    assert_eq!(d.field_as::<String>("ref").unwrap(), "refs/heads/escaped");
    assert_eq!(d.field_json("ref"), Some(r#""refs/heads/escaped""#));
    #[derive(serde::Deserialize)]
    struct Issue {
        number: u64,
    }
    assert_eq!(
        d.field_as::<Issue>("issue").unwrap().number,
        10,
        "the last key counts"
    );
    assert!(
        d.field_as::<String>("missing").is_err(),
        "null is no string"
    );
    assert_eq!(d.field_as::<Option<String>>("missing").unwrap(), None);
}
