//! The GitHub headers a delivery carries, and how the body's content type is read.

use http::header::{CONTENT_LENGTH, CONTENT_TYPE, FORWARDED};
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::Error;

/// A header as looked up (a ready `HeaderName`, so lookups skip parsing the name) and as
/// named in messages.
pub(crate) type Name = (HeaderName, &'static str);

const fn lower(name: &'static str) -> HeaderName {
    HeaderName::from_static(name)
}

const SIGNATURE_SHA256_STR: &str = "x-hub-signature-256";
const SIGNATURE_SHA1_STR: &str = "x-hub-signature";
const EVENT_STR: &str = "x-github-event";
const DELIVERY_STR: &str = "x-github-delivery";
const HOOK_ID_STR: &str = "x-github-hook-id";
const TARGET_TYPE_STR: &str = "x-github-hook-installation-target-type";
const TARGET_ID_STR: &str = "x-github-hook-installation-target-id";

const SIGNATURE_SHA256_NAME: HeaderName = lower(SIGNATURE_SHA256_STR);
const SIGNATURE_SHA1_NAME: HeaderName = lower(SIGNATURE_SHA1_STR);
const EVENT_NAME: HeaderName = lower(EVENT_STR);
const DELIVERY_NAME: HeaderName = lower(DELIVERY_STR);
const HOOK_ID_NAME: HeaderName = lower(HOOK_ID_STR);
const TARGET_TYPE_NAME: HeaderName = lower(TARGET_TYPE_STR);
const TARGET_ID_NAME: HeaderName = lower(TARGET_ID_STR);
pub(crate) const X_FORWARDED_FOR: HeaderName = lower("x-forwarded-for");

pub(crate) const SIGNATURE_SHA256: Name = (SIGNATURE_SHA256_NAME, "X-Hub-Signature-256");
pub(crate) const SIGNATURE_SHA1: Name = (SIGNATURE_SHA1_NAME, "X-Hub-Signature");
pub(crate) const EVENT: Name = (EVENT_NAME, "X-GitHub-Event");
pub(crate) const DELIVERY: Name = (DELIVERY_NAME, "X-GitHub-Delivery");
pub(crate) const HOOK_ID: Name = (HOOK_ID_NAME, "X-GitHub-Hook-ID");
pub(crate) const TARGET_TYPE: Name = (TARGET_TYPE_NAME, "X-GitHub-Hook-Installation-Target-Type");
pub(crate) const TARGET_ID: Name = (TARGET_ID_NAME, "X-GitHub-Hook-Installation-Target-ID");

/// Every header the receiver reads. An adapter whose framework has its own header type copies
/// just these into an `http::HeaderMap`.
pub const READ_HEADERS: [HeaderName; 11] = [
    CONTENT_TYPE,
    CONTENT_LENGTH,
    SIGNATURE_SHA256_NAME,
    SIGNATURE_SHA1_NAME,
    EVENT_NAME,
    DELIVERY_NAME,
    HOOK_ID_NAME,
    TARGET_TYPE_NAME,
    TARGET_ID_NAME,
    X_FORWARDED_FOR,
    FORWARDED,
];

/// A header value known to be visible ASCII, kept without copying.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Text(HeaderValue);

impl Text {
    pub(crate) fn as_str(&self) -> &str {
        // Checked visible ASCII at construction, so `to_str` cannot fail.
        self.0.to_str().unwrap_or_default()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// The headers a delivery is checked by, found in one pass over the map: a hashed lookup
/// per name costs about 30 ns each, one pass matching every name about 40 ns for them all.
#[derive(Debug, Default)]
pub(crate) struct Seen<'h> {
    first: [Option<&'h HeaderValue>; 9],
    repeated: [bool; 9],
}

/// Where a header the receiver reads is kept in [`Seen`].
fn slot(lower: &str) -> Option<usize> {
    Some(match lower {
        SIGNATURE_SHA256_STR => 0,
        SIGNATURE_SHA1_STR => 1,
        EVENT_STR => 2,
        DELIVERY_STR => 3,
        HOOK_ID_STR => 4,
        TARGET_TYPE_STR => 5,
        TARGET_ID_STR => 6,
        "content-type" => 7,
        "content-length" => 8,
        _ => return None,
    })
}

impl<'h> Seen<'h> {
    pub(crate) fn read(headers: &'h HeaderMap) -> Self {
        let mut seen = Self::default();
        for (name, value) in headers {
            if let Some(i) = slot(name.as_str()) {
                if seen.first[i].is_some() {
                    seen.repeated[i] = true;
                } else {
                    seen.first[i] = Some(value);
                }
            }
        }
        seen
    }

    /// The first value of `name`.
    pub(crate) fn get(&self, name: &HeaderName) -> Option<&'h HeaderValue> {
        slot(name.as_str()).and_then(|i| self.first[i])
    }

    /// Whether `name` was sent more than once.
    pub(crate) fn repeated(&self, name: &HeaderName) -> bool {
        slot(name.as_str()).is_some_and(|i| self.repeated[i])
    }
}

/// A header that must be present and not empty.
pub(crate) fn required(seen: &Seen<'_>, name: &Name) -> Result<Text, Error> {
    optional(seen, name)?.ok_or(Error::MissingHeader(name.1))
}

/// A header that may be absent; present but empty counts as absent.
pub(crate) fn optional(seen: &Seen<'_>, name: &Name) -> Result<Option<Text>, Error> {
    let Some(value) = seen.get(&name.0) else {
        return Ok(None);
    };
    if value.is_empty() {
        return Ok(None);
    }
    if value.to_str().is_err() {
        return Err(Error::InvalidHeader(name.1));
    }
    Ok(Some(Text(value.clone())))
}

/// How the body carries its JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// The body is the JSON (`application/json`, or no content type).
    Json,
    /// `application/x-www-form-urlencoded`, the JSON in the `payload` field.
    Form,
}

impl BodyKind {
    /// Reads `Content-Type`: the media type before any parameter, in any letter case.
    pub(crate) fn from_headers(seen: &Seen<'_>) -> Result<Self, Error> {
        let Some(value) = seen.get(&CONTENT_TYPE) else {
            return Ok(Self::Json);
        };
        let essence = value
            .as_bytes()
            .split(|&b| b == b';')
            .next()
            .unwrap_or_default();
        let essence = essence.trim_ascii();
        // An empty value says no more than no header at all.
        let blank = value.as_bytes().trim_ascii().is_empty();
        if blank || essence.eq_ignore_ascii_case(b"application/json") {
            Ok(Self::Json)
        } else if essence.eq_ignore_ascii_case(b"application/x-www-form-urlencoded") {
            Ok(Self::Form)
        } else {
            Err(Error::UnsupportedContentType)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(value: Option<&str>) -> Result<BodyKind, Error> {
        let mut headers = HeaderMap::new();
        if let Some(v) = value {
            headers.insert(CONTENT_TYPE, HeaderValue::from_str(v).unwrap());
        }
        BodyKind::from_headers(&Seen::read(&headers))
    }

    #[test]
    fn content_types() {
        assert_eq!(kind(None).unwrap(), BodyKind::Json);
        assert_eq!(kind(Some("")).unwrap(), BodyKind::Json);
        assert_eq!(kind(Some("application/json")).unwrap(), BodyKind::Json);
        assert_eq!(
            kind(Some("Application/JSON; charset=UTF-8")).unwrap(),
            BodyKind::Json
        );
        assert_eq!(
            kind(Some("application/json ;charset=utf-8")).unwrap(),
            BodyKind::Json
        );
        assert_eq!(
            kind(Some("application/x-www-form-urlencoded")).unwrap(),
            BodyKind::Form
        );
        assert_eq!(
            kind(Some("APPLICATION/X-WWW-FORM-URLENCODED; charset=utf-8")).unwrap(),
            BodyKind::Form
        );
        for other in [
            "text/plain",
            "application/xml",
            "multipart/form-data; boundary=x",
            "application/jsonx",
            "application/vnd.github+json",
            ";charset=utf-8",
        ] {
            assert!(
                matches!(kind(Some(other)), Err(Error::UnsupportedContentType)),
                "{other}"
            );
        }
    }

    #[test]
    fn required_headers() {
        let mut headers = HeaderMap::new();
        assert!(matches!(
            required(&Seen::read(&headers), &EVENT),
            Err(Error::MissingHeader("X-GitHub-Event"))
        ));
        headers.insert(EVENT.0.clone(), HeaderValue::from_static(""));
        assert!(matches!(
            required(&Seen::read(&headers), &EVENT),
            Err(Error::MissingHeader("X-GitHub-Event"))
        ));
        headers.insert(
            EVENT.0.clone(),
            HeaderValue::from_bytes(b"p\xffsh").unwrap(),
        );
        assert!(matches!(
            required(&Seen::read(&headers), &EVENT),
            Err(Error::InvalidHeader("X-GitHub-Event"))
        ));
        headers.insert(EVENT.0.clone(), HeaderValue::from_static("push"));
        assert_eq!(
            required(&Seen::read(&headers), &EVENT).unwrap().as_str(),
            "push"
        );
    }
}
