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
async fn main() {
    let (addr, hooks) = hookserver::from_env_or_exit();
    log::info!(
        "actix example listening on http://{addr}{}",
        hooks.receiver().config().path
    );
    let server =
        actix_web::HttpServer::new(move || actix_web::App::new().configure(app(hooks.clone())))
            .bind(addr);
    let result = match server {
        Ok(server) => server.run().await,
        Err(err) => {
            eprintln!("hookserver: cannot listen on {addr} (HOOKS_ADDR): {err}");
            std::process::exit(1)
        }
    };
    if let Err(err) = result {
        eprintln!("hookserver: {err}");
        std::process::exit(1)
    }
}
