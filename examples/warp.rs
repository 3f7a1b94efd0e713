//! The contract's example server on warp: `cargo run --release --example warp`.
//! Configured by environment variables only (see README.md).

use hookcore::Hooks;
use warp::Filter;
use warp::reply::Response;

/// The whole application: the hook route, with every rejection answered like the core.
pub fn app(
    hooks: Hooks,
) -> impl Filter<Extract = (Response,), Error = std::convert::Infallible> + Clone {
    hook_warp::serve(hooks)
        .recover(hook_warp::recover_all)
        .unify()
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let (addr, hooks) = hookserver::from_env_or_exit();
    let listener = tokio::net::TcpListener::from_std(hookserver::listen_or_exit(addr))?;
    log::info!(
        "warp example listening on http://{addr}{}",
        hooks.receiver().config().path
    );
    warp::serve(app(hooks)).incoming(listener).run().await;
    Ok(())
}
