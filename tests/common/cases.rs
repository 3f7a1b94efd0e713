//! The conformance table: one function per case, named for what it checks. Every rule of the
//! contract has at least one row; expected statuses and bodies come from hookcore's `Error`.
#![allow(clippy::unwrap_used)]

use bytes::Bytes;
use hookcore::{Error, MetaError, Receiver, sign_sha1, sign_sha256};

use super::{Case, Expect, Req, SECRET, config};

/// Lists every case, for a macro that makes one test per case per harness.
#[macro_export]
macro_rules! for_each_case {
    ($callback:ident ! ($($args:tt)*)) => {
        $callback!($($args)*;
            // 1. method and path
            get_is_405, head_is_405, put_is_405, delete_is_405, other_path_is_404,
            other_path_get_is_404, trailing_slash_is_404, query_string_is_ignored,
            percent_encoded_path_is_404,
            method_is_checked_before_source, custom_hook_path_is_served,
            default_path_is_404_once_moved,
            // 2. source address
            source_outside_github_is_403, source_ipv6_github_is_allowed,
            source_ipv6_outside_is_403, source_mapped_ipv4_is_allowed,
            forwarded_for_from_untrusted_peer_is_ignored, forwarded_for_via_trusted_proxy,
            forwarded_for_spoofed_left_entry_is_ignored, forwarded_for_chain_of_proxies,
            forwarded_for_all_trusted_uses_left_most, forwarded_for_several_lines,
            forwarded_for_garbage_is_403, forwarded_for_unknown_is_403,
            rfc7239_forwarded_via_trusted_proxy, trusted_proxy_without_forwarding_is_403,
            ranges_unavailable_is_503, source_check_off_allows_anyone,
            source_is_checked_before_size,
            // 3. body size
            body_over_limit_is_413, body_at_limit_is_accepted, size_is_checked_before_signature,
            // 4. signature
            sha256_right, sha256_upper_case_hex, sha1_only_right, sha256_wrong,
            sha256_wrong_sha1_right, sha256_malformed_sha1_right, sha256_right_sha1_wrong,
            signature_missing, signature_missing_prefix, signature_short_hex,
            signature_long_hex, signature_not_hex, signature_empty, signature_wrong_algorithm,
            sha1_malformed, signature_wrong_secret, signature_over_tampered_body,
            require_sha256_refuses_sha1_only, signature_check_off_accepts_unsigned,
            signature_is_checked_before_headers,
            // 5. event and delivery headers
            event_missing, event_empty, delivery_missing, delivery_empty,
            headers_are_checked_before_content_type,
            // 6. content type and JSON
            json_with_charset, json_upper_case, no_content_type_is_json, form_body,
            form_without_payload, form_with_bad_json, text_plain_is_415, xml_is_415,
            content_type_is_checked_before_json, invalid_json, truncated_json,
            json_array_is_not_a_payload, empty_body_is_invalid_json,
            // 7. dispatch
            ping_pong, push_names_its_ref, issues_opened_names_its_number,
            issues_other_action, issues_without_action, event_action_beats_event,
            unknown_event_is_not_used, handler_failure_is_500,
        );
    };
}

const PING: &str = r#"{"zen":"Design for failure.","hook_id":1}"#;
const PUSH: &str = r#"{"ref":"refs/heads/main","before":"0","after":"1"}"#;
const OPENED: &str = r#"{"action":"opened","issue":{"number":42}}"#;

fn ping() -> Req {
    Req::delivery("ping", PING)
}

fn ok(req: Req, body: &'static str) -> Case {
    Case::new(req, Expect::Ok(body))
}

fn err(req: Req, error: Error) -> Case {
    Case::new(req, Expect::Err(error))
}

fn json_error() -> Error {
    Error::InvalidJson(serde_json::from_str::<serde_json::Value>("{").unwrap_err())
}

// 1. method and path

pub fn get_is_405() -> Case {
    err(ping().method("GET"), Error::MethodNotAllowed)
}
pub fn head_is_405() -> Case {
    err(ping().method("HEAD"), Error::MethodNotAllowed)
}
pub fn put_is_405() -> Case {
    err(ping().method("PUT"), Error::MethodNotAllowed)
}
pub fn delete_is_405() -> Case {
    err(ping().method("DELETE"), Error::MethodNotAllowed)
}
pub fn other_path_is_404() -> Case {
    err(ping().path("/other"), Error::NotFound)
}
pub fn other_path_get_is_404() -> Case {
    err(ping().method("GET").path("/hooks/deeper"), Error::NotFound)
}
pub fn trailing_slash_is_404() -> Case {
    err(ping().path("/hooks/"), Error::NotFound)
}
pub fn percent_encoded_path_is_404() -> Case {
    // The path is matched as sent, on every adapter (actix-web would decode it first).
    err(ping().path("/ho%6Fks"), Error::NotFound)
}
pub fn query_string_is_ignored() -> Case {
    ok(ping().path("/hooks?source=github&x=1"), "pong")
}
pub fn method_is_checked_before_source() -> Case {
    err(ping().method("GET"), Error::MethodNotAllowed).peer("8.8.8.8:1")
}

pub fn custom_hook_path_is_served() -> Case {
    ok(ping().path("/github/events?x=1"), "pong")
        .config(config().path("/github/events").build().unwrap())
}
pub fn default_path_is_404_once_moved() -> Case {
    err(ping(), Error::NotFound).config(config().path("/github/events").build().unwrap())
}

// 2. source address

pub fn source_outside_github_is_403() -> Case {
    err(ping(), Error::SourceNotAllowed).peer("8.8.8.8:5000")
}
pub fn source_ipv6_github_is_allowed() -> Case {
    ok(ping(), "pong").peer("[2606:50c0::7]:5000")
}
pub fn source_ipv6_outside_is_403() -> Case {
    err(ping(), Error::SourceNotAllowed).peer("[2001:db8::1]:5000")
}
pub fn source_mapped_ipv4_is_allowed() -> Case {
    ok(ping(), "pong").peer("[::ffff:140.82.112.9]:5000")
}
pub fn forwarded_for_from_untrusted_peer_is_ignored() -> Case {
    err(
        ping().set("X-Forwarded-For", Some("140.82.112.5")),
        Error::SourceNotAllowed,
    )
    .peer("8.8.8.8:5000")
}
pub fn forwarded_for_via_trusted_proxy() -> Case {
    ok(ping().set("X-Forwarded-For", Some("140.82.112.5")), "pong").peer("10.0.0.1:5000")
}
pub fn forwarded_for_spoofed_left_entry_is_ignored() -> Case {
    err(
        ping().set("X-Forwarded-For", Some("140.82.112.5, 8.8.8.8")),
        Error::SourceNotAllowed,
    )
    .peer("10.0.0.1:5000")
}
pub fn forwarded_for_chain_of_proxies() -> Case {
    ok(
        ping().set("X-Forwarded-For", Some("8.8.8.8, 140.82.112.5, 10.0.0.7")),
        "pong",
    )
    .peer("10.0.0.1:5000")
}
pub fn forwarded_for_all_trusted_uses_left_most() -> Case {
    err(
        ping().set("X-Forwarded-For", Some("10.0.0.7, 10.0.0.8")),
        Error::SourceNotAllowed,
    )
    .peer("10.0.0.1:5000")
}
pub fn forwarded_for_several_lines() -> Case {
    ok(
        ping()
            .add("X-Forwarded-For", "8.8.8.8")
            .add("X-Forwarded-For", "140.82.112.5"),
        "pong",
    )
    .peer("10.0.0.1:5000")
}
pub fn forwarded_for_garbage_is_403() -> Case {
    err(
        ping().set("X-Forwarded-For", Some("not-an-ip")),
        Error::InvalidForwardedAddress,
    )
    .peer("10.0.0.1:5000")
}
pub fn forwarded_for_unknown_is_403() -> Case {
    err(
        ping().set("X-Forwarded-For", Some("unknown")),
        Error::InvalidForwardedAddress,
    )
    .peer("10.0.0.1:5000")
}
pub fn rfc7239_forwarded_via_trusted_proxy() -> Case {
    ok(
        ping().set("Forwarded", Some("for=140.82.112.5;proto=https")),
        "pong",
    )
    .peer("10.0.0.1:5000")
}
pub fn trusted_proxy_without_forwarding_is_403() -> Case {
    err(ping(), Error::SourceNotAllowed).peer("10.0.0.1:5000")
}
pub fn ranges_unavailable_is_503() -> Case {
    let rx = Receiver::with_fetcher(config().build().unwrap(), || Err(MetaError::Http(500)));
    err(ping(), Error::RangesUnavailable(MetaError::Http(500))).receiver(rx.unwrap())
}
pub fn source_check_off_allows_anyone() -> Case {
    ok(ping(), "pong")
        .peer("8.8.8.8:1")
        .config(config().validate_ip(false).build().unwrap())
}
pub fn source_is_checked_before_size() -> Case {
    let big = vec![b' '; 64 * 1024 + 1];
    err(ping().body(big), Error::SourceNotAllowed).peer("8.8.8.8:1")
}

// 3. body size

fn padded(len: usize) -> Bytes {
    let mut body = br#"{"ref":"refs/heads/big","pad":""#.to_vec();
    body.resize(len - 2, b'x');
    body.extend_from_slice(b"\"}");
    body.into()
}

pub fn body_over_limit_is_413() -> Case {
    err(
        Req::delivery("push", padded(64 * 1024 + 1)),
        Error::PayloadTooLarge,
    )
}
pub fn body_at_limit_is_accepted() -> Case {
    ok(
        Req::delivery("push", padded(64 * 1024)),
        "New push to refs/heads/big",
    )
}
pub fn size_is_checked_before_signature() -> Case {
    let req = Req::delivery("push", padded(64 * 1024 + 1)).set("X-Hub-Signature-256", Some("x"));
    err(req, Error::PayloadTooLarge)
}

// 4. signature

fn sha256_of(body: &str, secret: &str) -> String {
    sign_sha256(secret.as_bytes(), body.as_bytes())
}

fn sha1_of(body: &str, secret: &str) -> String {
    sign_sha1(secret.as_bytes(), body.as_bytes())
}

fn with_sha256(value: &str) -> Req {
    ping().set("X-Hub-Signature-256", Some(value))
}

pub fn sha256_right() -> Case {
    ok(ping(), "pong")
}
pub fn sha256_upper_case_hex() -> Case {
    let sig = sha256_of(PING, SECRET)
        .to_uppercase()
        .replace("SHA256=", "sha256=");
    ok(with_sha256(&sig), "pong")
}
pub fn sha1_only_right() -> Case {
    let req = ping()
        .set("X-Hub-Signature-256", None)
        .set("X-Hub-Signature", Some(&sha1_of(PING, SECRET)));
    ok(req, "pong")
}
pub fn sha256_wrong() -> Case {
    err(with_sha256(&sha256_of(PING, "wrong")), Error::BadSignature)
}
pub fn sha256_wrong_sha1_right() -> Case {
    let req =
        with_sha256(&sha256_of(PING, "wrong")).set("X-Hub-Signature", Some(&sha1_of(PING, SECRET)));
    err(req, Error::BadSignature)
}
pub fn sha256_malformed_sha1_right() -> Case {
    let req = with_sha256("sha256=nothex").set("X-Hub-Signature", Some(&sha1_of(PING, SECRET)));
    err(req, Error::MalformedSignature("X-Hub-Signature-256"))
}
pub fn sha256_right_sha1_wrong() -> Case {
    ok(
        ping().set("X-Hub-Signature", Some(&sha1_of(PING, "wrong"))),
        "pong",
    )
}
pub fn signature_missing() -> Case {
    err(
        ping().set("X-Hub-Signature-256", None),
        Error::MissingHeader("X-Hub-Signature-256"),
    )
}
pub fn signature_missing_prefix() -> Case {
    let sig = sha256_of(PING, SECRET).replace("sha256=", "");
    err(
        with_sha256(&sig),
        Error::MalformedSignature("X-Hub-Signature-256"),
    )
}
pub fn signature_short_hex() -> Case {
    let sig = sha256_of(PING, SECRET);
    err(
        with_sha256(&sig[..sig.len() - 1]),
        Error::MalformedSignature("X-Hub-Signature-256"),
    )
}
pub fn signature_long_hex() -> Case {
    let sig = format!("{}00", sha256_of(PING, SECRET));
    err(
        with_sha256(&sig),
        Error::MalformedSignature("X-Hub-Signature-256"),
    )
}
pub fn signature_not_hex() -> Case {
    let sig = format!("sha256={}", "g".repeat(64));
    err(
        with_sha256(&sig),
        Error::MalformedSignature("X-Hub-Signature-256"),
    )
}
pub fn signature_empty() -> Case {
    err(
        with_sha256(""),
        Error::MalformedSignature("X-Hub-Signature-256"),
    )
}
pub fn signature_wrong_algorithm() -> Case {
    let sig = sha256_of(PING, SECRET).replace("sha256=", "sha1=");
    err(
        with_sha256(&sig),
        Error::MalformedSignature("X-Hub-Signature-256"),
    )
}
pub fn sha1_malformed() -> Case {
    let req = ping()
        .set("X-Hub-Signature-256", None)
        .set("X-Hub-Signature", Some("sha1=abc"));
    err(req, Error::MalformedSignature("X-Hub-Signature"))
}
pub fn signature_wrong_secret() -> Case {
    err(
        with_sha256(&sha256_of(PING, "It's a secret to everybody")),
        Error::BadSignature,
    )
}
pub fn signature_over_tampered_body() -> Case {
    err(
        ping().body(PING.replace("failure", "success")),
        Error::BadSignature,
    )
}
pub fn require_sha256_refuses_sha1_only() -> Case {
    let req = ping()
        .set("X-Hub-Signature-256", None)
        .set("X-Hub-Signature", Some(&sha1_of(PING, SECRET)));
    err(req, Error::MissingHeader("X-Hub-Signature-256"))
        .config(config().require_sha256(true).build().unwrap())
}
pub fn signature_check_off_accepts_unsigned() -> Case {
    ok(ping().set("X-Hub-Signature-256", None), "pong")
        .config(config().validate_signature(false).build().unwrap())
}
pub fn signature_is_checked_before_headers() -> Case {
    let req = with_sha256(&sha256_of(PING, "wrong")).set("X-GitHub-Event", None);
    err(req, Error::BadSignature)
}

// 5. event and delivery headers

pub fn event_missing() -> Case {
    err(
        ping().set("X-GitHub-Event", None),
        Error::MissingHeader("X-GitHub-Event"),
    )
}
pub fn event_empty() -> Case {
    err(
        ping().set("X-GitHub-Event", Some("")),
        Error::MissingHeader("X-GitHub-Event"),
    )
}
pub fn delivery_missing() -> Case {
    err(
        ping().set("X-GitHub-Delivery", None),
        Error::MissingHeader("X-GitHub-Delivery"),
    )
}
pub fn delivery_empty() -> Case {
    err(
        ping().set("X-GitHub-Delivery", Some("")),
        Error::MissingHeader("X-GitHub-Delivery"),
    )
}
pub fn headers_are_checked_before_content_type() -> Case {
    let req = ping()
        .set("X-GitHub-Event", None)
        .set("Content-Type", Some("text/plain"));
    err(req, Error::MissingHeader("X-GitHub-Event"))
}

// 6. content type and JSON

fn form(event: &str, json: &str) -> Req {
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", json)
        .finish();
    Req::delivery(event, body).set("Content-Type", Some("application/x-www-form-urlencoded"))
}

pub fn json_with_charset() -> Case {
    ok(
        ping().set("Content-Type", Some("application/json; charset=utf-8")),
        "pong",
    )
}
pub fn json_upper_case() -> Case {
    ok(ping().set("Content-Type", Some("Application/JSON")), "pong")
}
pub fn no_content_type_is_json() -> Case {
    ok(ping().set("Content-Type", None), "pong")
}
pub fn form_body() -> Case {
    ok(form("push", PUSH), "New push to refs/heads/main")
}
pub fn form_without_payload() -> Case {
    let req = Req::delivery("push", "other=1&more=2")
        .set("Content-Type", Some("application/x-www-form-urlencoded"));
    err(req, Error::MissingFormPayload)
}
pub fn form_with_bad_json() -> Case {
    err(form("push", "{nope"), json_error())
}
pub fn text_plain_is_415() -> Case {
    err(
        ping().set("Content-Type", Some("text/plain")),
        Error::UnsupportedContentType,
    )
}
pub fn xml_is_415() -> Case {
    err(
        ping().set("Content-Type", Some("application/xml")),
        Error::UnsupportedContentType,
    )
}
pub fn content_type_is_checked_before_json() -> Case {
    let req = Req::delivery("ping", "not json").set("Content-Type", Some("text/plain"));
    err(req, Error::UnsupportedContentType)
}
pub fn invalid_json() -> Case {
    err(Req::delivery("ping", "not json"), json_error())
}
pub fn truncated_json() -> Case {
    err(Req::delivery("ping", &PING[..10]), json_error())
}
pub fn json_array_is_not_a_payload() -> Case {
    err(Req::delivery("ping", "[1,2]"), json_error())
}
pub fn empty_body_is_invalid_json() -> Case {
    err(Req::delivery("ping", ""), json_error())
}

// 7. dispatch

pub fn ping_pong() -> Case {
    ok(ping(), "pong")
}
pub fn push_names_its_ref() -> Case {
    ok(Req::delivery("push", PUSH), "New push to refs/heads/main")
}
pub fn issues_opened_names_its_number() -> Case {
    ok(Req::delivery("issues", OPENED), "Opened issue #42")
}
pub fn issues_other_action() -> Case {
    ok(
        Req::delivery("issues", r#"{"action":"closed","issue":{"number":42}}"#),
        "Issue event: closed",
    )
}
pub fn issues_without_action() -> Case {
    ok(
        Req::delivery("issues", r#"{"issue":{"number":42}}"#),
        "Issue event: ",
    )
}
pub fn event_action_beats_event() -> Case {
    // The same payload under another event is not routed by its action.
    ok(Req::delivery("issue_comment", OPENED), "Hook not used\n")
}
pub fn unknown_event_is_not_used() -> Case {
    ok(
        Req::delivery("star", r#"{"action":"created"}"#),
        "Hook not used\n",
    )
}
pub fn handler_failure_is_500() -> Case {
    // A push without `ref` makes the example's handler fail.
    err(
        Req::delivery("push", r#"{"before":"0"}"#),
        Error::Handler("no ref".into()),
    )
}
