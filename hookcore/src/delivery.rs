//! A verified delivery: its headers, its raw body, and its payload parsed on demand.

use std::sync::OnceLock;

use bytes::Bytes;
use serde::de::{Deserialize, DeserializeOwned};

use crate::headers::Text;
use crate::json::Outline;

/// One webhook delivery whose source, size, signature, headers and JSON have been checked.
///
/// The raw body is kept as received (no copy). The payload is parsed only when asked:
/// [`Delivery::payload`] builds a `serde_json::Value` once and keeps it;
/// [`Delivery::payload_as`] parses straight into the caller's type; [`Delivery::field_as`]
/// parses one top-level field alone, which the validating pass has already located.
#[derive(Debug)]
pub struct Delivery {
    pub(crate) event: Text,
    /// The light pass's findings: `action` and where the top-level fields lie.
    pub(crate) outline: Outline,
    pub(crate) id: Text,
    pub(crate) hook_id: Option<Text>,
    pub(crate) target_type: Option<Text>,
    pub(crate) target_id: Option<Text>,
    pub(crate) body: Bytes,
    /// A form body's decoded `payload` field; `None` when the body itself is the JSON.
    pub(crate) form_json: Option<Bytes>,
    pub(crate) value: OnceLock<serde_json::Value>,
}

impl Delivery {
    /// The event name, from `X-GitHub-Event` (`push`, `issues`, ...).
    pub fn event(&self) -> &str {
        self.event.as_str()
    }

    /// The payload's top-level `action`, when it is a string (`opened`, `closed`, ...).
    pub fn action(&self) -> Option<&str> {
        self.outline.action(self.json())
    }

    /// The delivery's unique id, from `X-GitHub-Delivery`.
    pub fn id(&self) -> &str {
        self.id.as_str()
    }

    /// The id of the hook that sent it, from `X-GitHub-Hook-ID`, when sent.
    pub fn hook_id(&self) -> Option<&str> {
        self.hook_id.as_ref().map(Text::as_str)
    }

    /// `X-GitHub-Hook-Installation-Target-Type` (`repository`, `organization`, ...), when sent.
    pub fn target_type(&self) -> Option<&str> {
        self.target_type.as_ref().map(Text::as_str)
    }

    /// `X-GitHub-Hook-Installation-Target-ID`, when sent.
    pub fn target_id(&self) -> Option<&str> {
        self.target_id.as_ref().map(Text::as_str)
    }

    /// The raw body exactly as received and signed (for a form, the whole form).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The payload's JSON text (for a form body, its decoded `payload` field).
    pub fn json(&self) -> &[u8] {
        self.form_json.as_ref().unwrap_or(&self.body)
    }

    /// The payload as a `serde_json::Value`, parsed on the first call and kept.
    ///
    /// The JSON was validated before this delivery existed. A payload that is valid JSON yet
    /// beyond what a `Value` holds (nested more than 128 deep, a number beyond `f64`, a lone
    /// UTF-16 surrogate escape) reads as `Null` here; [`Delivery::payload_as`] reports it.
    pub fn payload(&self) -> &serde_json::Value {
        self.value
            .get_or_init(|| serde_json::from_slice(self.json()).unwrap_or(serde_json::Value::Null))
    }

    /// The payload parsed straight from the bytes into the caller's own type.
    ///
    /// ```
    /// # use hookcore::{Config, Receiver, sign_sha256};
    /// #[derive(serde::Deserialize)]
    /// struct Push { r#ref: String }
    ///
    /// # let rx = Receiver::new(Config::builder().secret("s").validate_ip(false).build()?)?;
    /// # let body = br#"{"ref":"refs/heads/main"}"#;
    /// # let req = http::Request::post("/hooks")
    /// #     .header("X-Hub-Signature-256", sign_sha256(b"s", body))
    /// #     .header("X-GitHub-Event", "push").header("X-GitHub-Delivery", "1")
    /// #     .body(()).unwrap();
    /// # let delivery = rx.verify(req.headers(), bytes::Bytes::from_static(body))?;
    /// let push: Push = delivery.payload_as()?;
    /// assert_eq!(push.r#ref, "refs/heads/main");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn payload_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(self.json())
    }

    /// One top-level field of the payload, parsed alone into the caller's type: the light
    /// validating pass noted where each top-level field lies, so nothing else is read again.
    /// A missing field reads as JSON `null` (so `Option<T>` gives `None`); when the key is
    /// repeated, the last one counts, as in a full parse.
    ///
    /// ```
    /// # use hookcore::{Config, Receiver, sign_sha256};
    /// #[derive(serde::Deserialize)]
    /// struct Issue { number: u64 }
    ///
    /// # let rx = Receiver::new(Config::builder().secret("s").validate_ip(false).build()?)?;
    /// # let body = br#"{"action":"opened","issue":{"number":7,"title":"t"},"sender":{}}"#;
    /// # let req = http::Request::post("/hooks")
    /// #     .header("X-Hub-Signature-256", sign_sha256(b"s", body))
    /// #     .header("X-GitHub-Event", "issues").header("X-GitHub-Delivery", "1")
    /// #     .body(()).unwrap();
    /// # let delivery = rx.verify(req.headers(), bytes::Bytes::from_static(body))?;
    /// let issue: Issue = delivery.field_as("issue")?;
    /// assert_eq!(issue.number, 7);
    /// let label: Option<String> = delivery.field_as("label")?;
    /// assert_eq!(label, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn field_as<'a, T: Deserialize<'a>>(&'a self, key: &str) -> Result<T, serde_json::Error> {
        match self.raw_field(key)? {
            Some(raw) => serde_json::from_slice(raw),
            None => serde_json::from_slice(b"null"),
        }
    }

    /// Where `key`'s value lies; for escaped keys, found by reading the top level in full.
    fn raw_field(&self, key: &str) -> Result<Option<&[u8]>, serde_json::Error> {
        match self.outline.field(self.json(), key) {
            Ok(found) => Ok(found),
            Err(()) => {
                let all: std::collections::HashMap<String, &serde_json::value::RawValue> =
                    serde_json::from_slice(self.json())?;
                Ok(all.get(key).and_then(|raw| {
                    // Give back the same bytes, borrowed from the body rather than the map.
                    let at =
                        (raw.get().as_ptr() as usize).checked_sub(self.json().as_ptr() as usize)?;
                    self.json().get(at..at + raw.get().len())
                }))
            }
        }
    }

    /// The raw JSON text of one top-level field, as located by the validating pass.
    pub fn field_json(&self, key: &str) -> Option<&str> {
        let raw = self.raw_field(key).ok()??;
        std::str::from_utf8(raw).ok()
    }
}
