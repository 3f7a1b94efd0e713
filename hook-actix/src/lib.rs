#![doc = include_str!("../README.md")]

use std::future::Future;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
pub use hookcore::{self, Delivery, Error, Hooks, Receiver, Registry};
use hookcore::{Blocking, Reply};

/// A verified delivery, as an actix-web extractor.
///
/// Needs `web::Data<Hooks>` in the app data (`configure` adds it). The peer address comes from
/// the connection info. The raw payload is read as a stream, checked against the configured
/// limit as it arrives (actix-web's 256 KiB default does not apply), and hashed on the way.
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

impl std::fmt::Display for WebhookRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for WebhookRejection {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status().as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        respond(self.0.to_reply())
    }
}

/// Runs blocking work with `web::block`, on actix's blocking pool.
struct ActixBlocking;

impl Blocking for ActixBlocking {
    fn run<T, F>(work: F) -> impl Future<Output = Option<T>> + Send
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let task = web::block(work);
        async move { task.await.ok() }
    }
}

impl FromRequest for Webhook {
    type Error = WebhookRejection;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let Some(hooks) = req.app_data::<web::Data<Hooks>>() else {
                log::error!("hook-actix: no web::Data<Hooks> in the app data");
                return Err(Error::Internal.into());
            };
            let rx = hooks.receiver();
            // actix-web speaks http 0.2: copy over just the headers the core reads.
            let headers = core_headers(&req);
            let peer = req.peer_addr().map(|addr| addr.ip());
            let delivery = rx
                .receive::<ActixBlocking, _>(peer, &headers, |cx| payload.poll_next_unpin(cx))
                .await?;
            Ok(Self(delivery))
        })
    }
}

fn core_headers(req: &HttpRequest) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    for name in hookcore::READ_HEADERS {
        for value in req.headers().get_all(name.as_str()) {
            if let Ok(value) = http::HeaderValue::from_bytes(value.as_bytes()) {
                headers.append(name.clone(), value);
            }
        }
    }
    headers
}

fn respond(reply: Reply) -> HttpResponse {
    let status =
        StatusCode::from_u16(reply.status.as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status)
        .insert_header(("content-type", reply.content_type.as_bytes()))
        .body(reply.body)
}

/// Mounts `hooks` on the configured hook path, for any method (other methods than `POST` get
/// 405 from the core): `App::new().configure(hook_actix::configure(hooks.clone()))`.
pub fn configure(hooks: Hooks) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        let path = hooks.receiver().config().path.clone();
        cfg.app_data(web::Data::new(hooks))
            .service(web::resource(path).to(serve));
    }
}

async fn serve(req: HttpRequest, payload: web::Payload, hooks: web::Data<Hooks>) -> HttpResponse {
    // actix-web decodes %-escapes before routing (`/ho%6Fks` reaches this resource); the other
    // adapters match the path as sent, so the raw path must still end with the hook path.
    if !req
        .uri()
        .path()
        .ends_with(hooks.receiver().config().path.as_str())
    {
        return WebhookRejection(Error::NotFound).error_response();
    }
    let method = http::Method::from_bytes(req.method().as_str().as_bytes());
    if let Err(err) = method
        .map_err(|_| Error::MethodNotAllowed)
        .and_then(|m| hooks.receiver().check_method(&m))
    {
        return WebhookRejection(err).error_response();
    }
    let mut payload = payload.into_inner();
    match Webhook::from_request(&req, &mut payload).await {
        Ok(Webhook(delivery)) => respond(hooks.dispatch(delivery).await),
        Err(rejection) => rejection.error_response(),
    }
}

/// The core's 404, for `App::default_service`, so unknown paths answer like the rest.
pub async fn not_found() -> HttpResponse {
    WebhookRejection(Error::NotFound).error_response()
}
