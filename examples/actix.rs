//! The contract's example server on actix-web: `cargo run --release --example actix`.
//! Configured by environment variables only (see README.md).

use actix_web::web::{self, ServiceConfig};
use hookcore::Hooks;

/// The whole application: the hook route and the core's 404 for every other path.
pub fn app(hooks: Hooks) -> impl FnOnce(&mut ServiceConfig) {
    move |cfg| {
        hook_actix::configure(hooks)(cfg);
        cfg.default_service(web::to(hook_actix::not_found));
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let (addr, hooks) = hookserver::from_env_or_exit();
    let listener = hookserver::listen_or_exit(addr);
    log::info!(
        "actix example listening on http://{addr}{}",
        hooks.receiver().config().path
    );
    actix_web::HttpServer::new(move || actix_web::App::new().configure(app(hooks.clone())))
        .listen(listener)?
        .run()
        .await
}
