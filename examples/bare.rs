//! The floor for load tests: a bare route per framework that reads the whole body and answers
//! `200 ok`, with no checks at all. `cargo run --release --example bare -- axum|actix|warp`
//! (listens on `HOOKS_ADDR`, default 127.0.0.1:8000). Not a webhook server: see BENCHMARKS.md.

use std::net::SocketAddr;

fn main() {
    let framework = std::env::args().nth(1).unwrap_or_default();
    let addr: SocketAddr = std::env::var("HOOKS_ADDR")
        .unwrap_or_else(|_| hookserver::DEFAULT_ADDR.to_owned())
        .parse()
        .unwrap_or_else(|_| {
            eprintln!("HOOKS_ADDR: not an address");
            std::process::exit(2)
        });
    match framework.as_str() {
        "axum" => tokio_main(async move {
            use axum::routing::post;
            let app = axum::Router::new()
                .route("/hooks", post(|_body: axum::body::Bytes| async { "ok" }))
                .layer(axum::extract::DefaultBodyLimit::max(
                    hookcore::GITHUB_MAX_BODY,
                ));
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .unwrap_or_else(fail);
            axum::serve(listener, app).await.unwrap_or_else(fail);
        }),
        "warp" => tokio_main(async move {
            use warp::Filter;
            let route = warp::post()
                .and(warp::path("hooks"))
                .and(warp::path::end())
                .and(warp::body::bytes())
                .map(|_body: bytes::Bytes| "ok");
            warp::serve(route).run(addr).await;
        }),
        "actix" => actix_web::rt::System::new().block_on(async move {
            use actix_web::{App, HttpServer, web};
            let server = HttpServer::new(|| {
                App::new()
                    .app_data(web::PayloadConfig::new(hookcore::GITHUB_MAX_BODY))
                    .route("/hooks", web::post().to(|_body: web::Bytes| async { "ok" }))
            })
            .bind(addr)
            .unwrap_or_else(fail);
            server.run().await.unwrap_or_else(fail);
        }),
        _ => {
            eprintln!("usage: bare axum|actix|warp");
            std::process::exit(2)
        }
    }
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
