//! The example application behind `examples/axum.rs`, `examples/actix.rs` and
//! `examples/warp.rs`: the contract's handlers and start-up, shared so that the three servers
//! differ only in their framework glue.
//!
//! | event | answer |
//! |---|---|
//! | `ping` | `pong` |
//! | `push` | `New push to <ref>` |
//! | `issues.opened` | `Opened issue #<issue.number>` |
//! | `issues` (any other action) | `Issue event: <action>` |
//! | anything else | the library's `Hook not used` |

use std::convert::Infallible;
use std::net::SocketAddr;

use hookcore::{Config, Delivery, Hooks, Receiver, Registry};
use serde::Deserialize;

/// The default listen address.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8000";

/// The contract's handlers.
///
/// ```
/// let registry = hookserver::registry();
/// assert!(registry.handles("issues", Some("opened")));
/// assert!(registry.handles("issues", Some("closed")));
/// assert!(!registry.handles("star", Some("created")));
/// ```
pub fn registry() -> Registry {
    let built = Registry::builder()
        .on("ping", |_d: Delivery| async { Ok::<_, Infallible>("pong") })
        .on("push", |d: Delivery| async move {
            // One field, parsed alone: the rest of the payload is not read again.
            let git_ref: String = d.field_as("ref")?;
            Ok::<_, serde_json::Error>(format!("New push to {git_ref}"))
        })
        .on("issues.opened", |d: Delivery| async move {
            #[derive(Deserialize)]
            struct Issue {
                number: u64,
            }
            let issue: Issue = d.field_as("issue")?;
            Ok::<_, serde_json::Error>(format!("Opened issue #{}", issue.number))
        })
        .on("issues", |d: Delivery| async move {
            Ok::<_, Infallible>(format!("Issue event: {}", d.action().unwrap_or_default()))
        })
        .build();
    match built {
        Ok(registry) => registry,
        Err(dup) => unreachable!("the keys above are distinct: {dup}"),
    }
}

/// Everything a server needs from the environment: `HOOKS_ADDR`, the [`Config`] variables,
/// and the tuning knob `HOOKS_BLOCKING_THRESHOLD` (bodies from this many bytes on are
/// verified on a blocking thread; default 1 MiB). The message of an error names the variable.
pub fn from_env() -> Result<(SocketAddr, Hooks), String> {
    let addr = match std::env::var("HOOKS_ADDR") {
        Ok(addr) => addr.trim().parse().map_err(|_| {
            format!("HOOKS_ADDR: {addr:?} is not an address such as {DEFAULT_ADDR}")
        })?,
        Err(std::env::VarError::NotPresent) => DEFAULT_ADDR.parse().map_err(|_| "HOOKS_ADDR")?,
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err("HOOKS_ADDR: is not valid UTF-8".into());
        }
    };
    let mut config = Config::from_env().map_err(|e| e.to_string())?;
    if let Ok(bytes) = std::env::var("HOOKS_BLOCKING_THRESHOLD") {
        config.blocking_threshold = bytes
            .trim()
            .parse()
            .map_err(|_| format!("HOOKS_BLOCKING_THRESHOLD: {bytes:?} is not a number of bytes"))?;
    }
    let receiver = Receiver::new(config).map_err(|e| e.to_string())?;
    Ok((addr, Hooks::new(receiver, registry())))
}

/// [`from_env`], or a message on stderr and exit status 2: a server never starts on a
/// configuration it could not read.
pub fn from_env_or_exit() -> (SocketAddr, Hooks) {
    init_logging();
    from_env().unwrap_or_else(|msg| {
        eprintln!("hookserver: configuration error: {msg}");
        std::process::exit(2)
    })
}

/// A listening socket on `addr` (non-blocking, for any runtime), or a message naming
/// `HOOKS_ADDR` and exit status 1.
pub fn listen_or_exit(addr: SocketAddr) -> std::net::TcpListener {
    let listener = std::net::TcpListener::bind(addr).and_then(|l| {
        l.set_nonblocking(true)?;
        Ok(l)
    });
    listener.unwrap_or_else(|err| {
        eprintln!("hookserver: cannot listen on {addr} (HOOKS_ADDR): {err}");
        std::process::exit(1)
    })
}

/// Logs `info` and above to stderr (the examples need no logging crate of their own).
pub fn init_logging() {
    struct Stderr;
    impl log::Log for Stderr {
        fn enabled(&self, meta: &log::Metadata<'_>) -> bool {
            meta.level() <= log::Level::Info
        }
        fn log(&self, record: &log::Record<'_>) {
            if self.enabled(record.metadata()) {
                eprintln!("[{}] {}", record.level(), record.args());
            }
        }
        fn flush(&self) {}
    }
    static LOGGER: Stderr = Stderr;
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Info);
    }
}
