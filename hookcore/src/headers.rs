//! The GitHub headers a delivery carries, and how the body's content type is read.

use http::header::{CONTENT_LENGTH, CONTENT_TYPE, FORWARDED};
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::Error;

const fn name(lower: &'static str) -> HeaderName {
    HeaderName::from_static(lower)
}

pub(crate) const X_FORWARDED_FOR: HeaderName = name("x-forwarded-for");

/// Every header the receiver reads. An adapter whose framework has its own header type copies
/// just these into an `http::HeaderMap`.
pub const READ_HEADERS: [HeaderName; 11] = [
    CONTENT_TYPE,
    CONTENT_LENGTH,
    name("x-hub-signature-256"),
    name("x-hub-signature"),
    name("x-github-event"),
    name("x-github-delivery"),
    name("x-github-hook-id"),
    name("x-github-hook-installation-target-type"),
    name("x-github-hook-installation-target-id"),
    X_FORWARDED_FOR,
    FORWARDED,
];

/// A header a delivery is checked by, as its place in [`Seen`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    SignatureSha256,
    SignatureSha1,
    Event,
    Delivery,
    HookId,
    TargetType,
    TargetId,
    ContentType,
    ContentLength,
}

impl Slot {
    /// The slot of a header name in lower case (as `HeaderName` keeps it).
    fn of(lower: &str) -> Option<Self> {
        Some(match lower {
            "x-hub-signature-256" => Self::SignatureSha256,
            "x-hub-signature" => Self::SignatureSha1,
            "x-github-event" => Self::Event,
            "x-github-delivery" => Self::Delivery,
            "x-github-hook-id" => Self::HookId,
            "x-github-hook-installation-target-type" => Self::TargetType,
            "x-github-hook-installation-target-id" => Self::TargetId,
            "content-type" => Self::ContentType,
            "content-length" => Self::ContentLength,
            _ => return None,
        })
    }

    /// The header's name as messages write it.
    pub(crate) const fn shown(self) -> &'static str {
        match self {
            Self::SignatureSha256 => "X-Hub-Signature-256",
            Self::SignatureSha1 => "X-Hub-Signature",
            Self::Event => "X-GitHub-Event",
            Self::Delivery => "X-GitHub-Delivery",
            Self::HookId => "X-GitHub-Hook-ID",
            Self::TargetType => "X-GitHub-Hook-Installation-Target-Type",
            Self::TargetId => "X-GitHub-Hook-Installation-Target-ID",
            Self::ContentType => "Content-Type",
            Self::ContentLength => "Content-Length",
        }
    }
}

/// A header value known to be visible ASCII, kept without copying.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Text(HeaderValue);

impl Text {
    pub(crate) fn as_str(&self) -> &str {
        // Checked to be visible ASCII at construction, so it is UTF-8 (and `from_utf8` checks
        // that faster than `to_str` checks visibility again).
        std::str::from_utf8(self.0.as_bytes()).unwrap_or_default()
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

impl<'h> Seen<'h> {
    pub(crate) fn read(headers: &'h HeaderMap) -> Self {
        let mut seen = Self::default();
        for (name, value) in headers {
            if let Some(slot) = Slot::of(name.as_str()) {
                let i = slot as usize;
                if seen.first[i].is_some() {
                    seen.repeated[i] = true;
                } else {
                    seen.first[i] = Some(value);
                }
            }
        }
        seen
    }

    /// The first value of the header in `slot`.
    pub(crate) fn get(&self, slot: Slot) -> Option<&'h HeaderValue> {
        self.first[slot as usize]
    }

    /// Whether the header in `slot` was sent more than once.
    pub(crate) fn repeated(&self, slot: Slot) -> bool {
        self.repeated[slot as usize]
    }
}

/// A header that must be present and not empty.
pub(crate) fn required(seen: &Seen<'_>, slot: Slot) -> Result<Text, Error> {
    optional(seen, slot)?.ok_or(Error::MissingHeader(slot.shown()))
}

/// A header that may be absent; present but empty counts as absent; otherwise it must be
/// visible ASCII.
pub(crate) fn optional(seen: &Seen<'_>, slot: Slot) -> Result<Option<Text>, Error> {
    let Some(value) = seen.get(slot) else {
        return Ok(None);
    };
    if value.is_empty() {
        return Ok(None);
    }
    if !visible_ascii(value.as_bytes()) {
        return Err(Error::InvalidHeader(slot.shown()));
    }
    Ok(Some(Text(value.clone())))
}

/// What `HeaderValue::to_str` accepts (tab and `' '..='~'`), checked without stopping at the
/// first bad byte so that the loop runs as SIMD rather than byte by byte.
fn visible_ascii(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |ok, &b| {
        ok & (b == b'\t' || (b' '..=b'~').contains(&b))
    })
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
        let Some(value) = seen.get(Slot::ContentType) else {
            return Ok(Self::Json);
        };
        if value.as_bytes() == b"application/json" {
            // What GitHub sends, read without the general parse below.
            return Ok(Self::Json);
        }
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
    fn every_slot_is_a_read_header_found_by_its_name() {
        let slots = [
            Slot::SignatureSha256,
            Slot::SignatureSha1,
            Slot::Event,
            Slot::Delivery,
            Slot::HookId,
            Slot::TargetType,
            Slot::TargetId,
            Slot::ContentType,
            Slot::ContentLength,
        ];
        for (i, slot) in slots.into_iter().enumerate() {
            assert_eq!(slot as usize, i);
            let lower = slot.shown().to_ascii_lowercase();
            assert_eq!(Slot::of(&lower), Some(slot));
            assert!(READ_HEADERS.iter().any(|h| h.as_str() == lower), "{lower}");
        }
        assert_eq!(Slot::of("x-github-events"), None);
    }

    #[test]
    fn visible_ascii_is_what_to_str_accepts() {
        for b in 0..=255u8 {
            let bytes = [b'a', b, b'z'];
            let value = HeaderValue::from_bytes(&bytes);
            let expected = value.as_ref().map(|v| v.to_str().is_ok());
            // Bytes HeaderValue refuses are control characters, which are not visible either.
            assert_eq!(visible_ascii(&bytes), expected.unwrap_or(false), "{b:#04x}");
        }
    }

    #[test]
    fn required_headers() {
        let mut headers = HeaderMap::new();
        assert!(matches!(
            required(&Seen::read(&headers), Slot::Event),
            Err(Error::MissingHeader("X-GitHub-Event"))
        ));
        headers.insert(
            HeaderName::from_static("x-github-event"),
            HeaderValue::from_static(""),
        );
        assert!(matches!(
            required(&Seen::read(&headers), Slot::Event),
            Err(Error::MissingHeader("X-GitHub-Event"))
        ));
        headers.insert(
            HeaderName::from_static("x-github-event"),
            HeaderValue::from_bytes(b"p\xffsh").unwrap(),
        );
        assert!(matches!(
            required(&Seen::read(&headers), Slot::Event),
            Err(Error::InvalidHeader("X-GitHub-Event"))
        ));
        headers.insert(
            HeaderName::from_static("x-github-event"),
            HeaderValue::from_static("push"),
        );
        assert_eq!(
            required(&Seen::read(&headers), Slot::Event)
                .unwrap()
                .as_str(),
            "push"
        );
    }
}
