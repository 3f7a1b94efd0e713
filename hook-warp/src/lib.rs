#![doc = include_str!("../README.md")]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::Context;

use futures_util::Stream;
use hookcore::TokioBlocking;
pub use hookcore::{self, Delivery, Error, Hooks, Receiver, Registry};
use warp::http::HeaderMap;
use warp::path::FullPath;
use warp::reply::Response;
use warp::{Buf, Filter, Rejection};

/// A verified delivery, as extracted by [`webhook`].
#[derive(Debug)]
pub struct Webhook(pub Delivery);

/// Why a request is not a verified delivery. A warp rejection; [`recover`] turns it into the
/// core's status and message.
#[derive(Debug)]
pub struct WebhookRejection(pub Error);

impl warp::reject::Reject for WebhookRejection {}

impl From<Error> for WebhookRejection {
    fn from(err: Error) -> Self {
        Self(err)
    }
}

impl warp::Reply for WebhookRejection {
    fn into_response(self) -> Response {
        self.0.into_reply().into_response()
    }
}

/// A filter extracting a verified delivery: peer address from `warp::addr::remote()`, the body
/// streamed against the configured limit (no `Content-Length` needed) and hashed on the way.
pub fn webhook(
    receiver: Arc<Receiver>,
) -> impl Filter<Extract = (Webhook,), Error = Rejection> + Clone {
    warp::addr::remote()
        .and(warp::header::headers_cloned())
        .and(warp::body::stream())
        .and_then(move |peer: Option<SocketAddr>, headers: HeaderMap, body| {
            let rx = receiver.clone();
            async move {
                receive(&rx, peer, &headers, body)
                    .await
                    .map(Webhook)
                    .map_err(|err| warp::reject::custom(WebhookRejection(err)))
            }
        })
}

async fn receive(
    rx: &Receiver,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
    body: impl Stream<Item = Result<impl Buf, warp::Error>>,
) -> Result<Delivery, Error> {
    let mut body = std::pin::pin!(body);
    let next_chunk = |cx: &mut Context<'_>| {
        let chunk = body.as_mut().poll_next(cx);
        chunk.map(|c| c.map(|r| r.map(|mut buf| buf.copy_to_bytes(buf.remaining()))))
    };
    rx.receive::<TokioBlocking, _>(peer.map(|a| a.ip()), headers, next_chunk)
        .await
}

/// A filter serving `hooks` on the configured hook path, for any method (other methods than
/// `POST` are rejected with 405). Other paths are warp's not-found rejection; finish the
/// whole route with `.recover(hook_warp::recover)` so every rejection answers like the core.
pub fn serve(hooks: Hooks) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    let path: Arc<str> = hooks.receiver().config().path.as_str().into();
    let rx = hooks.receiver().clone();
    let registry = hooks.registry().clone();
    // The configured path (any number of segments) compared as sent, and the method, in one
    // synchronous step: a separate `and_then` for each cost ~0.1 µs per delivery.
    warp::path::full()
        .and(warp::method())
        .and_then(move |full: FullPath, method| {
            let checked = if full.as_str() == &*path {
                rx.check_method(&method).map_err(reject)
            } else {
                Err(warp::reject::not_found())
            };
            std::future::ready(checked)
        })
        .untuple_one()
        .and(webhook(hooks.receiver().clone()))
        .then(move |Webhook(delivery)| {
            let registry = registry.clone();
            async move { registry.dispatch(delivery).await.into_response() }
        })
}

fn reject(err: Error) -> Rejection {
    warp::reject::custom(WebhookRejection(err))
}

/// For `Filter::recover`: a [`WebhookRejection`] answers with the core's status and message,
/// and warp's not-found with the core's 404; any other rejection is passed on unchanged.
pub async fn recover(rejection: Rejection) -> Result<Response, Rejection> {
    if let Some(WebhookRejection(err)) = rejection.find() {
        return Ok(err.to_reply().into_response());
    }
    if rejection.is_not_found() {
        return Ok(Error::NotFound.into_reply().into_response());
    }
    Err(rejection)
}

/// [`recover`] for the end of a route made only of hookserver filters, where every rejection
/// must become a response: anything it does not know is logged and answered with the core's
/// generic 500. Routes with other filters of their own should use [`recover`].
pub async fn recover_all(rejection: Rejection) -> Result<Response, Infallible> {
    Ok(recover(rejection).await.unwrap_or_else(|other| {
        log::error!("unhandled warp rejection: {other:?}");
        Error::Internal.into_reply().into_response()
    }))
}
