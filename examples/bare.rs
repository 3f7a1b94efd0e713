//! The floors for load tests, one route per framework, `POST /hooks`:
//! `cargo run --release --example bare -- axum|actix|warp [floor]`
//! (listens on `HOOKS_ADDR`, default 127.0.0.1:8000).
//!
//! - bare: reads the whole body and answers `200 ok`, with no checks at all;
//! - `floor`: the same route plus the core benchmark's floor, the least any correct receiver
//!   does: HMAC-SHA256 of the body against `X-Hub-Signature-256` (secret from
//!   `GITHUB_WEBHOOKS_KEY`) and a light `serde_json` pass picking out `action`; `400` when
//!   either fails. No event, delivery id or content-type checks, no dispatch.
//!
//! Not webhook servers: see BENCHMARKS.md.

use std::net::SocketAddr;
use std::sync::OnceLock;

use hmac::{Hmac, KeyInit, Mac};
use http::{HeaderMap, StatusCode};
use sha2::Sha256;

static SECRET: OnceLock<Vec<u8>> = OnceLock::new();

/// The floor's verdict on one request, given its `X-Hub-Signature-256`: `Err` answers 400.
fn floor(signature: Option<&[u8]>, body: &[u8]) -> Result<&'static str, &'static str> {
    #[derive(serde::Deserialize)]
    struct Light<'a> {
        #[serde(borrow)]
        #[allow(dead_code)] // parsed only to validate and pick it out, as the floor does
        action: Option<std::borrow::Cow<'a, str>>,
    }
    let signed = signature
        .and_then(|v| v.strip_prefix(b"sha256="))
        .and_then(unhex)
        .ok_or("bad signature")?;
    let key = SECRET.get_or_init(Vec::new);
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|_| "bad key")?;
    mac.update(body);
    mac.verify_slice(&signed).map_err(|_| "bad signature")?;
    serde_json::from_slice::<Light<'_>>(body).map_err(|_| "bad json")?;
    Ok("ok")
}

/// [`floor`] for the frameworks on `http` 1.
fn floor_reply(headers: &HeaderMap, body: &[u8]) -> (StatusCode, &'static str) {
    let signature = headers.get("x-hub-signature-256").map(|v| v.as_bytes());
    match floor(signature, body) {
        Ok(text) => (StatusCode::OK, text),
        Err(text) => (StatusCode::BAD_REQUEST, text),
    }
}

fn unhex(hex: &[u8]) -> Option<[u8; 32]> {
    let mut out = [0; 32];
    if hex.len() != 64 {
        return None;
    }
    for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(out)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let framework = args.next().unwrap_or_default();
    let checked = match args.next().as_deref() {
        None => false,
        Some("floor") => true,
        Some(_) => usage(),
    };
    SECRET.get_or_init(|| {
        std::env::var("GITHUB_WEBHOOKS_KEY")
            .unwrap_or_default()
            .into_bytes()
    });
    let addr: SocketAddr = std::env::var("HOOKS_ADDR")
        .unwrap_or_else(|_| hookserver::DEFAULT_ADDR.to_owned())
        .parse()
        .unwrap_or_else(|_| {
            eprintln!("HOOKS_ADDR: not an address");
            std::process::exit(2)
        });
    match framework.as_str() {
        "axum" => tokio_main(async move {
            use axum::body::Bytes;
            use axum::routing::post;
            let route = if checked {
                post(|headers: HeaderMap, body: Bytes| async move { floor_reply(&headers, &body) })
            } else {
                post(|_body: Bytes| async { "ok" })
            };
            let app = axum::Router::new().route("/hooks", route).layer(
                axum::extract::DefaultBodyLimit::max(hookcore::GITHUB_MAX_BODY),
            );
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .unwrap_or_else(fail);
            axum::serve(listener, app).await.unwrap_or_else(fail);
        }),
        "warp" => tokio_main(async move {
            use warp::Filter;
            let path = warp::post().and(warp::path("hooks")).and(warp::path::end());
            if checked {
                let route = path
                    .and(warp::header::headers_cloned())
                    .and(warp::body::bytes())
                    .map(|headers: HeaderMap, body: bytes::Bytes| {
                        let (status, text) = floor_reply(&headers, &body);
                        warp::reply::with_status(text, status)
                    });
                warp::serve(route).run(addr).await;
            } else {
                let route = path
                    .and(warp::body::bytes())
                    .map(|_body: bytes::Bytes| "ok");
                warp::serve(route).run(addr).await;
            }
        }),
        "actix" => actix_web::rt::System::new().block_on(async move {
            use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
            let server = HttpServer::new(move || {
                let route = if checked {
                    web::post().to(|req: HttpRequest, body: web::Bytes| async move {
                        let signature = req.headers().get("x-hub-signature-256");
                        match floor(signature.map(|v| v.as_bytes()), &body) {
                            Ok(text) => HttpResponse::Ok().body(text),
                            Err(text) => HttpResponse::BadRequest().body(text),
                        }
                    })
                } else {
                    web::post().to(|_body: web::Bytes| async { "ok" })
                };
                App::new()
                    .app_data(web::PayloadConfig::new(hookcore::GITHUB_MAX_BODY))
                    .route("/hooks", route)
            })
            .bind(addr)
            .unwrap_or_else(fail);
            server.run().await.unwrap_or_else(fail);
        }),
        _ => usage(),
    }
}

fn usage<T>() -> T {
    eprintln!("usage: bare axum|actix|warp [floor]");
    std::process::exit(2)
}

fn tokio_main(fut: impl std::future::Future<Output = ()>) {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(fail)
        .block_on(fut);
}

fn fail<T>(err: impl std::fmt::Display) -> T {
    eprintln!("bare: {err}");
    std::process::exit(1)
}
