//! One delivery through hookcore on wasm32-unknown-unknown, with fixed hook ranges (a wasm host
//! cannot fetch them): `check()` is 0 when every step answers as on the host, else the number
//! of the first step that did not.

use hookcore::{Config, Receiver, sign_sha256};

#[unsafe(no_mangle)]
pub extern "C" fn check() -> u32 {
    let github = "140.82.115.1".parse().ok();
    let elsewhere = "192.0.2.1".parse().ok();
    let Ok(config) = Config::builder()
        .secret("s3cret")
        .allowed_ranges("140.82.112.0/20".parse::<hookcore::IpNet>())
        .build()
    else {
        return 1;
    };
    let Ok(rx) = Receiver::new(config) else {
        return 2;
    };
    let body = br#"{"action":"opened","issue":{"number":7}}"#;
    let Ok(request) = http::Request::post("/hooks")
        .header("X-Hub-Signature-256", sign_sha256(b"s3cret", body))
        .header("X-GitHub-Event", "issues")
        .header("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
        .body(())
    else {
        return 3;
    };
    let headers = request.headers();
    if rx.check_source_blocking(github, headers).is_err() {
        return 4;
    }
    if !matches!(rx.check_source_blocking(elsewhere, headers), Err(e) if e.status() == 403) {
        return 5;
    }
    let Ok(delivery) = rx.verify(headers, bytes::Bytes::from_static(body)) else {
        return 6;
    };
    if delivery.action() != Some("opened") || delivery.payload()["issue"]["number"] != 7 {
        return 7;
    }
    let mut tampered = body.to_vec();
    tampered[2] ^= 1;
    match rx.verify(headers, tampered.into()) {
        Err(e) if e.status() == 400 => 0,
        _ => 8,
    }
}
