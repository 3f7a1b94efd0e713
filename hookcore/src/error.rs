//! The one error type of a delivery, and the HTTP status each variant stands for.

use http::StatusCode;

/// Why a request was not turned into a verified [`Delivery`](crate::Delivery).
///
/// Every variant knows its HTTP status ([`Error::status`]) and its public message (its
/// `Display`): adapters send exactly these and never choose a status themselves. The message
/// says what was wrong without internal detail; the detail, where there is any, is in
/// [`std::error::Error::source`] for logs.
///
/// ```
/// use hookcore::Error;
/// let err = Error::MissingHeader("X-GitHub-Event");
/// assert_eq!(err.status(), 400);
/// assert_eq!(err.to_string(), "Missing header: X-GitHub-Event");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request's path is not the hook path (404).
    #[error("Not found")]
    NotFound,
    /// The hook path was asked with a method other than `POST` (405).
    #[error("Method not allowed")]
    MethodNotAllowed,
    /// The client address is not in GitHub's hook ranges (403).
    #[error("Source address not allowed")]
    SourceNotAllowed,
    /// A forwarding header entry that decides the client address is not an IP address (403).
    #[error("Invalid forwarded address")]
    InvalidForwardedAddress,
    /// The server could not tell the TCP peer's address, so the source cannot be checked
    /// (500: the server is set up wrongly, e.g. axum without `ConnectInfo`).
    #[error("Internal server error")]
    PeerAddressUnknown,
    /// GitHub's hook ranges could not be had and no earlier good copy is at hand (503).
    #[error("GitHub hook ranges unavailable")]
    RangesUnavailable(#[source] crate::MetaError),
    /// The body is larger than the configured maximum (413).
    #[error("Payload too large")]
    PayloadTooLarge,
    /// The request body could not be read to its end (400).
    #[error("Could not read request body")]
    BodyRead,
    /// A required header is absent or empty (400).
    #[error("Missing header: {0}")]
    MissingHeader(&'static str),
    /// A header is present but unreadable (400).
    #[error("Invalid header: {0}")]
    InvalidHeader(&'static str),
    /// The signature header is not `<algorithm>=<hex digest>` of the right length (400).
    #[error("Malformed signature: {0}")]
    MalformedSignature(&'static str),
    /// The signature does not match the body under any configured secret (400).
    #[error("Invalid signature")]
    BadSignature,
    /// The content type is neither JSON nor a urlencoded form (415).
    #[error("Unsupported content type")]
    UnsupportedContentType,
    /// The payload is not a JSON object (400).
    #[error("Invalid JSON payload")]
    InvalidJson(#[source] serde_json::Error),
    /// The payload is not UTF-8 (400).
    #[error("Invalid JSON payload")]
    InvalidUtf8,
    /// A urlencoded form body without a `payload` field (400).
    #[error("Missing form field: payload")]
    MissingFormPayload,
    /// A handler failed; the detail is logged, never sent (500).
    #[error("Internal server error")]
    Handler(#[source] crate::BoxError),
    /// Work moved off the async executor did not come back (500).
    #[error("Internal server error")]
    Internal,
}

impl Error {
    /// The HTTP status that answers this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::SourceNotAllowed | Self::InvalidForwardedAddress => StatusCode::FORBIDDEN,
            Self::RangesUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::BodyRead
            | Self::MissingHeader(_)
            | Self::InvalidHeader(_)
            | Self::MalformedSignature(_)
            | Self::BadSignature
            | Self::InvalidJson(_)
            | Self::InvalidUtf8
            | Self::MissingFormPayload => StatusCode::BAD_REQUEST,
            Self::PeerAddressUnknown | Self::Handler(_) | Self::Internal => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// The plain-text body that answers this error: its message and a newline.
    pub fn body(&self) -> String {
        format!("{self}\n")
    }

    /// The whole response as a [`Reply`](crate::Reply): status, `text/plain`, [`Error::body`].
    /// Server-side errors (5xx) are logged with their source chain here.
    pub fn to_reply(&self) -> crate::Reply {
        if self.status().is_server_error() {
            log::error!("webhook request failed: {}", crate::dispatch::chain(self));
        }
        crate::Reply::text(self.body()).with_status(self.status())
    }

    /// [`Error::to_reply`], consuming the error.
    pub fn into_reply(self) -> crate::Reply {
        self.to_reply()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_its_status() {
        let cases: Vec<(Error, u16)> = vec![
            (Error::NotFound, 404),
            (Error::MethodNotAllowed, 405),
            (Error::SourceNotAllowed, 403),
            (Error::InvalidForwardedAddress, 403),
            (Error::PeerAddressUnknown, 500),
            (Error::RangesUnavailable(crate::MetaError::NoHooks), 503),
            (Error::PayloadTooLarge, 413),
            (Error::BodyRead, 400),
            (Error::MissingHeader("X-GitHub-Event"), 400),
            (Error::InvalidHeader("X-GitHub-Event"), 400),
            (Error::MalformedSignature("X-Hub-Signature-256"), 400),
            (Error::BadSignature, 400),
            (Error::UnsupportedContentType, 415),
            (Error::InvalidUtf8, 400),
            (Error::MissingFormPayload, 400),
            (Error::Handler("boom".into()), 500),
            (Error::Internal, 500),
        ];
        for (err, status) in cases {
            assert_eq!(err.status().as_u16(), status, "{err:?}");
        }
        let json = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        assert_eq!(Error::InvalidJson(json).status(), 400);
    }

    #[test]
    fn messages_hide_internal_detail() {
        let err = Error::Handler("database password is hunter2".into());
        assert_eq!(err.body(), "Internal server error\n");
        let err = Error::RangesUnavailable(crate::MetaError::Http(502));
        assert_eq!(err.to_string(), "GitHub hook ranges unavailable");
        assert_eq!(
            Error::MissingHeader("X-GitHub-Delivery").to_string(),
            "Missing header: X-GitHub-Delivery"
        );
    }
}
