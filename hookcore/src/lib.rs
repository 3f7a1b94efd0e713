#![doc = include_str!("../README.md")]

mod cache;
mod client_addr;
mod config;
mod delivery;
mod dispatch;
mod error;
mod headers;
mod hooks;
mod incoming;
mod json;
#[cfg(feature = "meta")]
mod meta;
mod ranges;
mod receiver;
mod signature;

pub use cache::{CachePolicy, FetchRanges, RangeCache};
pub use client_addr::client_ip;
pub use config::{Config, ConfigBuilder, ConfigError, GITHUB_MAX_BODY, GITHUB_META_URL, Secret};
pub use delivery::Delivery;
pub use dispatch::{
    BoxError, BoxFuture, DuplicateHandler, Handler, Registry, RegistryBuilder, Reply,
};
pub use error::Error;
pub use headers::READ_HEADERS;
pub use hooks::Hooks;
#[cfg(feature = "tokio")]
pub use hooks::TokioBlocking;
pub use incoming::Incoming;
#[cfg(feature = "meta")]
pub use meta::{MetaFetcher, load_github_hooks};
pub use ranges::{IpRanges, MetaError, parse_meta};
pub use receiver::{Blocking, Receiver};
pub use signature::{sign_sha1, sign_sha256};

pub use ipnet::IpNet;
