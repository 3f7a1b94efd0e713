//! Routing verified deliveries to async handlers by `event.action`, then `event`, then a
//! fallback. Runtime-agnostic: handlers return futures, and nothing here spawns.

use std::any::Any;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use bytes::Bytes;
use http::{HeaderValue, StatusCode};

use crate::{Delivery, Error};

/// A boxed error, as handlers may return.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A boxed future, as [`Handler::call`] returns.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// What a handler answers: status, content type, body.
///
/// Strings become `200 text/plain`, `serde_json::Value` becomes `200 application/json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The response status.
    pub status: StatusCode,
    /// The response `Content-Type`.
    pub content_type: HeaderValue,
    /// The response body.
    pub body: Bytes,
}

impl Reply {
    /// `200 text/plain; charset=utf-8`.
    pub fn text(body: impl Into<Bytes>) -> Self {
        Self {
            status: StatusCode::OK,
            content_type: HeaderValue::from_static("text/plain; charset=utf-8"),
            body: body.into(),
        }
    }

    /// `200 application/json` with `value` serialised.
    pub fn json(value: &impl serde::Serialize) -> Result<Self, serde_json::Error> {
        Ok(Self {
            status: StatusCode::OK,
            content_type: HeaderValue::from_static("application/json"),
            body: serde_json::to_vec(value)?.into(),
        })
    }

    /// The same reply with another status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// The library's answer when no handler takes a delivery: `200 Hook not used`.
    pub fn not_used() -> Self {
        Self::text("Hook not used\n")
    }

    /// Builds an `http::Response` of any body type that can be made from `Bytes`.
    pub fn into_response<B: From<Bytes>>(self) -> http::Response<B> {
        let mut response = http::Response::new(B::from(self.body));
        *response.status_mut() = self.status;
        response
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, self.content_type);
        response
    }
}

impl From<&'static str> for Reply {
    fn from(s: &'static str) -> Self {
        Self::text(s)
    }
}

impl From<String> for Reply {
    fn from(s: String) -> Self {
        Self::text(s)
    }
}

impl From<serde_json::Value> for Reply {
    fn from(v: serde_json::Value) -> Self {
        Self {
            status: StatusCode::OK,
            content_type: HeaderValue::from_static("application/json"),
            body: v.to_string().into(),
        }
    }
}

impl From<Error> for Reply {
    fn from(e: Error) -> Self {
        e.into_reply()
    }
}

/// An async handler of deliveries. Any `Fn(Delivery) -> impl Future<Output = Result<R, E>>`
/// with `R: Into<Reply>` and `E: Into<BoxError>` is one.
pub trait Handler: Send + Sync + 'static {
    /// Handles one delivery.
    fn call(&self, delivery: Delivery) -> BoxFuture<Result<Reply, BoxError>>;
}

impl<F, Fut, R, E> Handler for F
where
    F: Fn(Delivery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, E>> + Send + 'static,
    R: Into<Reply>,
    E: Into<BoxError>,
{
    fn call(&self, delivery: Delivery) -> BoxFuture<Result<Reply, BoxError>> {
        let fut = self(delivery);
        Box::pin(async move { fut.await.map(Into::into).map_err(Into::into) })
    }
}

type Shared = Arc<dyn Handler>;

#[derive(Default)]
struct Routes {
    any: Option<Shared>,
    actions: HashMap<Box<str>, Shared>,
}

/// Handlers by event and action, built once by [`RegistryBuilder`].
///
/// ```
/// use hookcore::{Registry, Reply};
/// let registry = Registry::builder()
///     .on("ping", |_d| async { Ok::<_, std::convert::Infallible>("pong") })
///     .on("issues.opened", |d: hookcore::Delivery| async move {
///         let number = d.payload()["issue"]["number"].clone();
///         Ok::<_, std::convert::Infallible>(format!("Opened issue #{number}"))
///     })
///     .build()
///     .unwrap();
/// assert!(registry.handles("issues", Some("opened")));
/// assert!(!registry.handles("issues", Some("closed")));
/// ```
#[derive(Default)]
pub struct Registry {
    events: HashMap<Box<str>, Routes>,
    fallback: Option<Shared>,
}

/// Two handlers were registered for one key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("more than one handler is registered for {0:?}")]
pub struct DuplicateHandler(pub String);

/// Collects handlers; [`RegistryBuilder::build`] reports a key registered twice.
#[derive(Default)]
pub struct RegistryBuilder {
    entries: Vec<(String, Shared)>,
    fallback: Vec<Shared>,
}

impl Registry {
    /// A builder with no handlers.
    pub fn builder() -> RegistryBuilder {
        RegistryBuilder::default()
    }

    fn route(&self, event: &str, action: Option<&str>) -> Option<&Shared> {
        let routes = self.events.get(event);
        action
            .and_then(|a| routes?.actions.get(a))
            .or_else(|| routes?.any.as_ref())
            .or(self.fallback.as_ref())
    }

    /// Whether some handler (the fallback included) takes this event and action.
    pub fn handles(&self, event: &str, action: Option<&str>) -> bool {
        self.route(event, action).is_some()
    }

    /// Runs the handler for the delivery: `event.action` wins over `event`, which wins over
    /// the fallback. With none, `200 Hook not used`. A handler's error is logged with the
    /// delivery id and answered `500` with a generic body; so is a handler's panic (where
    /// panics unwind), which would otherwise drop the connection without an answer.
    pub async fn dispatch(&self, delivery: Delivery) -> Reply {
        let Some(handler) = self.route(delivery.event(), delivery.action()) else {
            return Reply::not_used();
        };
        let id = delivery.id.clone();
        match guarded(handler, delivery).await {
            Ok(reply) => reply,
            Err(err) => {
                log::error!(
                    "handler failed for delivery {}: {}",
                    id.as_str(),
                    chain(&*err)
                );
                let err = Error::Handler(err);
                Reply::text(err.body()).with_status(err.status())
            }
        }
    }
}

/// Runs `handler`, turning a panic, whether in the call or while its future runs, into an error
/// like any other. The future is dropped at its panic and never polled again; like a panicking
/// thread or task, it may leave state of its own (behind its `Arc`) half-changed, which is why
/// asserting unwind safety here is the handler's own concern, as with `tokio::spawn`.
async fn guarded(handler: &Shared, delivery: Delivery) -> Result<Reply, BoxError> {
    let mut running =
        catch_unwind(AssertUnwindSafe(|| handler.call(delivery))).map_err(panicked)?;
    std::future::poll_fn(|cx| {
        catch_unwind(AssertUnwindSafe(|| running.as_mut().poll(cx)))
            .unwrap_or_else(|panic| Poll::Ready(Err(panicked(panic))))
    })
    .await
}

/// A panic's message as a handler error.
fn panicked(panic: Box<dyn Any + Send>) -> BoxError {
    let message = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    format!("the handler panicked: {message}").into()
}

/// An error and its sources on one line, for logs.
pub(crate) fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut next = err.source();
    while let Some(e) = next {
        out.push_str(": ");
        out.push_str(&e.to_string());
        next = e.source();
    }
    out
}

impl RegistryBuilder {
    /// Registers `handler` for `key`: an event (`"push"`) or an event and action
    /// (`"issues.opened"`).
    pub fn on(mut self, key: &str, handler: impl Handler) -> Self {
        self.entries.push((key.to_owned(), Arc::new(handler)));
        self
    }

    /// Registers the handler for deliveries no other handler takes.
    pub fn fallback(mut self, handler: impl Handler) -> Self {
        self.fallback.push(Arc::new(handler));
        self
    }

    /// The registry, or the first key that was registered twice.
    pub fn build(self) -> Result<Registry, DuplicateHandler> {
        let mut registry = Registry::default();
        if self.fallback.len() > 1 {
            return Err(DuplicateHandler("<fallback>".into()));
        }
        registry.fallback = self.fallback.into_iter().next();
        for (key, handler) in self.entries {
            let (event, action) = match key.split_once('.') {
                Some((e, a)) => (e, Some(a)),
                None => (key.as_str(), None),
            };
            let routes = registry.events.entry(event.into()).or_default();
            let taken = match action {
                None => routes.any.replace(handler).is_some(),
                Some(a) => match routes.actions.entry(a.into()) {
                    Entry::Occupied(_) => true,
                    Entry::Vacant(slot) => {
                        slot.insert(handler);
                        false
                    }
                },
            };
            if taken {
                return Err(DuplicateHandler(key));
            }
        }
        Ok(registry)
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut keys: Vec<String> = Vec::new();
        for (event, routes) in &self.events {
            if routes.any.is_some() {
                keys.push(event.to_string());
            }
            keys.extend(routes.actions.keys().map(|a| format!("{event}.{a}")));
        }
        keys.sort();
        f.debug_struct("Registry")
            .field("handlers", &keys)
            .field("fallback", &self.fallback.is_some())
            .finish()
    }
}

impl std::fmt::Debug for RegistryBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<&str> = self.entries.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("RegistryBuilder")
            .field("handlers", &keys)
            .finish()
    }
}
