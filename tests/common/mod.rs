//! The conformance suite's machinery: the harnesses that send one `http::Request` to each
//! adapter's example application in-process, and the oracle that runs hookcore directly.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod cases;
pub mod net;

use std::net::SocketAddr;

use bytes::Bytes;
use hookcore::{Config, ConfigBuilder, Hooks, IpNet, Receiver};

#[path = "../../examples/actix.rs"]
#[allow(dead_code)]
mod actix_example;
#[path = "../../examples/axum.rs"]
#[allow(dead_code)]
mod axum_example;
#[path = "../../examples/warp.rs"]
#[allow(dead_code)]
mod warp_example;

pub const SECRET: &str = "It's a Secret to Everybody";

/// GitHub's hook ranges, from the meta fixture.
pub fn github_ranges() -> Vec<IpNet> {
    let doc = include_bytes!("../../hookcore/tests/fixtures/github-meta.json");
    hookcore::parse_meta(doc).unwrap().nets().to_vec()
}

/// The suite's usual configuration: a secret, GitHub's ranges, proxies in 10.0.0.0/8, and a
/// 64 KiB body limit (the 25 MiB default is exercised over real sockets).
pub fn config() -> ConfigBuilder {
    Config::builder()
        .secret(SECRET)
        .allowed_ranges(github_ranges())
        .trusted_proxy("10.0.0.0/8".parse().unwrap())
        .max_body(64 * 1024)
}

pub fn hooks(receiver: Receiver) -> Hooks {
    Hooks::new(receiver, hookserver::registry())
}

/// What came back: status, content type, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Bytes,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request to one implementation of the contract.
pub trait Harness {
    const NAME: &'static str;
    fn send(hooks: Hooks, request: http::Request<Bytes>, peer: SocketAddr) -> Answer;
}

fn content_type(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
}

fn tokio() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

pub struct Axum;

impl Harness for Axum {
    const NAME: &'static str = "axum";
    fn send(hooks: Hooks, request: http::Request<Bytes>, peer: SocketAddr) -> Answer {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        tokio().block_on(async move {
            let mut request = request.map(axum::body::Body::from);
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
            let response = axum_example::app(hooks).oneshot(request).await.unwrap();
            let (parts, body) = response.into_parts();
            Answer {
                status: parts.status.as_u16(),
                content_type: content_type(&parts.headers),
                body: body.collect().await.unwrap().to_bytes(),
            }
        })
    }
}

pub struct Actix;

impl Harness for Actix {
    const NAME: &'static str = "actix";
    fn send(hooks: Hooks, request: http::Request<Bytes>, peer: SocketAddr) -> Answer {
        use actix_web::test;
        actix_web::rt::System::new().block_on(async move {
            let app =
                test::init_service(actix_web::App::new().configure(actix_example::app(hooks)))
                    .await;
            let (parts, body) = request.into_parts();
            let method =
                actix_web::http::Method::from_bytes(parts.method.as_str().as_bytes()).unwrap();
            let mut req = test::TestRequest::default()
                .method(method)
                .uri(&parts.uri.to_string())
                .peer_addr(peer);
            for (name, value) in &parts.headers {
                req = req.append_header((name.as_str(), value.as_bytes()));
            }
            let response = test::call_service(&app, req.set_payload(body).to_request()).await;
            Answer {
                status: response.status().as_u16(),
                content_type: response
                    .headers()
                    .get("content-type")
                    .map(|v| v.to_str().unwrap().to_owned()),
                body: test::read_body(response).await,
            }
        })
    }
}

pub struct Warp;

impl Harness for Warp {
    const NAME: &'static str = "warp";
    fn send(hooks: Hooks, request: http::Request<Bytes>, peer: SocketAddr) -> Answer {
        tokio().block_on(async move {
            let (parts, body) = request.into_parts();
            let mut req = warp::test::request()
                .method(parts.method.as_str())
                .path(&parts.uri.to_string())
                .remote_addr(peer)
                .body(&body);
            // warp::test sets one value per name: repeated lines are sent as one list, which
            // is what they mean (RFC 9110 5.3). The real-socket tests send them as lines.
            for name in parts.headers.keys() {
                let joined: Vec<&str> = parts
                    .headers
                    .get_all(name)
                    .iter()
                    .map(|v| v.to_str().unwrap())
                    .collect();
                req = req.header(name.as_str(), joined.join(", "));
            }
            let response = req.reply(&warp_example::app(hooks)).await;
            Answer {
                status: response.status().as_u16(),
                content_type: content_type(response.headers()),
                body: response.into_body(),
            }
        })
    }
}

/// The oracle: hookcore's steps called directly, as a custom server would.
pub struct Core;

impl Harness for Core {
    const NAME: &'static str = "core";
    fn send(hooks: Hooks, request: http::Request<Bytes>, peer: SocketAddr) -> Answer {
        let rx = hooks.receiver();
        let (parts, body) = request.into_parts();
        let reply = match rx
            .check_route(&parts.method, parts.uri.path())
            .and_then(|()| rx.check_source_blocking(Some(peer.ip()), &parts.headers))
            .and_then(|()| rx.verify(&parts.headers, body))
        {
            Ok(delivery) => tokio().block_on(hooks.dispatch(delivery)),
            Err(err) => err.into_reply(),
        };
        Answer {
            status: reply.status.as_u16(),
            content_type: Some(reply.content_type.to_str().unwrap().to_owned()),
            body: reply.body,
        }
    }
}

/// A signed request builder for the suite.
pub struct Req {
    pub method: &'static str,
    pub path: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Req {
    /// A POST of `body` for `event`, signed with sha256 under `SECRET`, JSON content type.
    pub fn delivery(event: &str, body: impl Into<Bytes>) -> Self {
        let body = body.into();
        Self {
            method: "POST",
            path: "/hooks",
            headers: vec![
                (
                    "X-Hub-Signature-256".into(),
                    hookcore::sign_sha256(SECRET.as_bytes(), &body),
                ),
                ("X-GitHub-Event".into(), event.into()),
                (
                    "X-GitHub-Delivery".into(),
                    "72d3162e-cc78-11e3-81ab-4c9367dc0958".into(),
                ),
                ("Content-Type".into(), "application/json".into()),
            ],
            body,
        }
    }

    pub fn method(mut self, method: &'static str) -> Self {
        self.method = method;
        self
    }

    pub fn path(mut self, path: &'static str) -> Self {
        self.path = path;
        self
    }

    /// Replaces every line of `name` with one line (or none, for `None`).
    pub fn set(mut self, name: &str, value: Option<&str>) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        if let Some(v) = value {
            self.headers.push((name.into(), v.into()));
        }
        self
    }

    /// Adds one more line of `name`.
    pub fn add(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Replaces the body, keeping the signature made for the old one.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    pub fn build(self) -> http::Request<Bytes> {
        let mut b = http::Request::builder().method(self.method).uri(self.path);
        for (n, v) in &self.headers {
            b = b.header(n.as_str(), v.as_str());
        }
        b.body(self.body).unwrap()
    }
}

/// One row of the table.
pub struct Case {
    pub receiver: Receiver,
    pub request: Req,
    pub peer: SocketAddr,
    pub expect: Expect,
}

/// What a case must answer: a handler's reply, or the core's error.
pub enum Expect {
    Ok(&'static str),
    Err(hookcore::Error),
}

impl Expect {
    pub fn status_body(&self) -> (u16, String) {
        match self {
            Self::Ok(body) => (200, (*body).to_owned()),
            Self::Err(err) => (err.status().as_u16(), err.body()),
        }
    }
}

/// The usual GitHub peer address.
pub fn github_peer() -> SocketAddr {
    "140.82.112.5:40000".parse().unwrap()
}

impl Case {
    pub fn new(request: Req, expect: Expect) -> Self {
        Self {
            receiver: Receiver::new(config().build().unwrap()).unwrap(),
            request,
            peer: github_peer(),
            expect,
        }
    }

    pub fn peer(mut self, peer: &str) -> Self {
        self.peer = peer.parse().unwrap();
        self
    }

    pub fn receiver(mut self, receiver: Receiver) -> Self {
        self.receiver = receiver;
        self
    }

    pub fn config(self, config: Config) -> Self {
        self.receiver(Receiver::new(config).unwrap())
    }
}

/// Runs a case on one harness and checks status, body (an error's, or the handler's, with an
/// optional trailing newline for `Hook not used`), and that the body is plain text or JSON.
pub fn run<H: Harness>(case: Case) -> Answer {
    let (status, body) = case.expect.status_body();
    let head = case.request.method == "HEAD";
    let mut answer = H::send(hooks(case.receiver), case.request.build(), case.peer);
    assert_eq!(
        answer.status,
        status,
        "{}: status; body was {:?}",
        H::NAME,
        answer.text()
    );
    if head {
        // A HEAD answer may drop its body (servers do so on the wire anyway).
        assert!(
            answer.body.is_empty() || answer.text() == body,
            "{}: HEAD body",
            H::NAME
        );
        answer.body = Bytes::new();
        answer.content_type = None;
        return answer;
    }
    assert_eq!(answer.text(), body, "{}: body", H::NAME);
    if !answer.body.is_empty() {
        let ct = answer.content_type.as_deref().unwrap_or_default();
        assert!(
            ct.starts_with("text/plain"),
            "{}: content type {ct:?}",
            H::NAME
        );
    }
    answer
}

/// Runs a case on every adapter and checks that all three answer the same, byte for byte.
pub fn differential(make: fn() -> Case) {
    let a = run::<Axum>(make());
    let b = run::<Actix>(make());
    let c = run::<Warp>(make());
    assert_eq!(a, b, "axum and actix differ");
    assert_eq!(a, c, "axum and warp differ");
}
