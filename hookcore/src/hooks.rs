//! What an adapter serves: a receiver and the registry its deliveries go to.

use std::sync::Arc;

use crate::{Delivery, Receiver, Registry, Reply};

/// A [`Receiver`] and a [`Registry`], shared (cheap to clone) by every request an adapter
/// serves.
#[derive(Debug, Clone)]
pub struct Hooks {
    receiver: Arc<Receiver>,
    registry: Arc<Registry>,
}

impl Hooks {
    /// Serves `registry` behind `receiver`.
    pub fn new(receiver: Receiver, registry: Registry) -> Self {
        Self {
            receiver: Arc::new(receiver),
            registry: Arc::new(registry),
        }
    }

    /// The receiver that checks requests.
    pub fn receiver(&self) -> &Arc<Receiver> {
        &self.receiver
    }

    /// The handlers.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// Runs the delivery's handler (see [`Registry::dispatch`]).
    pub async fn dispatch(&self, delivery: Delivery) -> Reply {
        self.registry.dispatch(delivery).await
    }
}

/// Runs blocking work on tokio's blocking pool (feature `tokio`), for the adapters of
/// tokio-based frameworks.
#[cfg(feature = "tokio")]
#[derive(Debug, Clone, Copy)]
pub struct TokioBlocking;

#[cfg(feature = "tokio")]
impl crate::Blocking for TokioBlocking {
    fn run<T, F>(work: F) -> impl std::future::Future<Output = Option<T>> + Send
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let task = tokio::task::spawn_blocking(work);
        async move { task.await.ok() }
    }
}
