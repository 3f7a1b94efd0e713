//! What both benchmarks share: the payloads, the signed headers and the floor.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use hmac::{Hmac, KeyInit, Mac};
use http::HeaderMap;
use sha2::Sha256;

pub const SECRET: &[u8] = b"It's a Secret to Everybody";

/// A realistic push payload of about `size` bytes: the recorded push, with as many commits
/// as it takes (or trimmed, below its own size).
pub fn push_of(size: usize) -> Vec<u8> {
    let fixture = include_bytes!("../../../tests/fixtures/github/push/00.json");
    let mut v: serde_json::Value = serde_json::from_slice(fixture).unwrap();
    if size < fixture.len() {
        let keep = [
            "ref", "before", "after", "created", "deleted", "forced", "compare", "pusher",
        ];
        v.as_object_mut()
            .unwrap()
            .retain(|k, _| keep.contains(&k.as_str()));
        v["commits"] = serde_json::json!([]);
    }
    let commit = serde_json::json!({
        "id": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
        "tree_id": "f9d2a07e9488b91af2641b26b9407fe22a451433",
        "distinct": true,
        "message": "Update README.md\n\nA longer body, with \"quotes\", unicode — and numbers 12345.",
        "timestamp": "2015-05-05T19:40:15-04:00",
        "url": "https://github.com/baxterthehacker/public-repo/commit/0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
        "author": {"name": "baxterthehacker", "email": "baxterthehacker@users.noreply.github.com", "username": "baxterthehacker"},
        "committer": {"name": "baxterthehacker", "email": "baxterthehacker@users.noreply.github.com", "username": "baxterthehacker"},
        "added": [], "removed": [], "modified": ["README.md", "src/lib.rs"]
    });
    let step = commit.to_string().len() + 1;
    let now = v.to_string().len();
    let commits = v["commits"].as_array_mut().unwrap();
    for _ in 0..size.saturating_sub(now) / step {
        commits.push(commit.clone());
    }
    let mut body = v.to_string().into_bytes();
    // Pad with spaces (valid JSON whitespace) to the exact size.
    body.resize(size.max(body.len()), b' ');
    body
}

/// The receiver both benchmarks verify with (no source check: no peer here).
pub fn receiver() -> hookcore::Receiver {
    let config = hookcore::Config::builder()
        .secret(SECRET)
        .validate_ip(false)
        .build();
    hookcore::Receiver::new(config.unwrap()).unwrap()
}

pub fn headers(body: &[u8]) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        "x-hub-signature-256",
        hookcore::sign_sha256(SECRET, body).parse().unwrap(),
    );
    h.insert("x-github-event", "push".parse().unwrap());
    h.insert(
        "x-github-delivery",
        "72d3162e-cc78-11e3-81ab-4c9367dc0958".parse().unwrap(),
    );
    h.insert("content-type", "application/json".parse().unwrap());
    h
}

/// The floor: what any correct implementation must at least do.
pub fn floor(expected: &[u8; 32], body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Light<'a> {
        #[serde(borrow)]
        action: Option<std::borrow::Cow<'a, str>>,
    }
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET).unwrap();
    mac.update(body);
    mac.verify_slice(expected).ok()?;
    let light: Light<'_> = serde_json::from_slice(body).ok()?;
    Some(light.action.map(|a| a.into_owned()).unwrap_or_default())
}

pub fn digest(body: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET).unwrap();
    mac.update(body);
    mac.finalize().into_bytes().into()
}
