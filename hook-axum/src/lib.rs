#![doc = include_str!("../README.md")]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRef, FromRequest, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use futures_util::StreamExt;
use hookcore::TokioBlocking;
pub use hookcore::{self, Delivery, Error, Hooks, Receiver, Registry};

/// A verified delivery, as an axum extractor.
///
/// The state must give an `Arc<Receiver>` (`Hooks` does). The peer address comes from
/// `ConnectInfo<SocketAddr>` (serve with `into_make_service_with_connect_info`); without it,
/// source checks answer 500. The body is read as a stream, checked against the configured
/// limit as it arrives (axum's own 2 MB default does not apply), and hashed on the way.
#[derive(Debug)]
pub struct Webhook(pub Delivery);

/// Why a request is not a verified delivery; answers with the core's status and message.
#[derive(Debug)]
pub struct WebhookRejection(pub Error);

impl From<Error> for WebhookRejection {
    fn from(err: Error) -> Self {
        Self(err)
    }
}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        self.0.into_reply().into_response::<Body>()
    }
}

impl<S> FromRequest<S> for Webhook
where
    S: Send + Sync,
    Arc<Receiver>: FromRef<S>,
{
    type Rejection = WebhookRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let rx = Arc::<Receiver>::from_ref(state);
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let (parts, body) = req.into_parts();
        let mut body = body.into_data_stream();
        let delivery = rx
            .receive::<TokioBlocking, _>(peer, &parts.headers, |cx| body.poll_next_unpin(cx))
            .await?;
        Ok(Self(delivery))
    }
}

/// A router serving `hooks` on the configured hook path, for any method (other methods than
/// `POST` get 405 from the core). `merge` or `nest` it into your application.
pub fn router<S>(hooks: Hooks) -> Router<S> {
    let path = hooks.receiver().config().path.clone();
    Router::new().route(&path, any(serve)).with_state(hooks)
}

async fn serve(State(hooks): State<Hooks>, req: Request) -> Response {
    if let Err(err) = hooks.receiver().check_method(req.method()) {
        return WebhookRejection(err).into_response();
    }
    match Webhook::from_request(req, hooks.receiver()).await {
        Ok(Webhook(delivery)) => hooks.dispatch(delivery).await.into_response::<Body>(),
        Err(rejection) => rejection.into_response(),
    }
}

/// The core's 404, for `Router::fallback`, so unknown paths answer like the rest.
pub async fn not_found() -> WebhookRejection {
    WebhookRejection(Error::NotFound)
}
