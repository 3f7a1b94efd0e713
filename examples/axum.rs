//! The contract's example server on axum: `cargo run --release --example axum`.
//! Configured by environment variables only (see README.md).

use std::net::SocketAddr;

use axum::Router;
use hookcore::Hooks;

/// The whole application: the hook route and the core's 404 for every other path.
pub fn app(hooks: Hooks) -> Router {
    hook_axum::router(hooks).fallback(hook_axum::not_found)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let (addr, hooks) = hookserver::from_env_or_exit();
    let listener = tokio::net::TcpListener::from_std(hookserver::listen_or_exit(addr))?;
    log::info!(
        "axum example listening on http://{addr}{}",
        hooks.receiver().config().path
    );
    axum::serve(
        listener,
        app(hooks).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}
