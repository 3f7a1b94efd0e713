//! A delivery being received: fed its body chunk by chunk (hashing as it goes, stopping at the
//! size limit), then finished into a [`Delivery`] or an [`Error`].

use std::sync::OnceLock;

use bytes::{Bytes, BytesMut};

use crate::headers::{self, BodyKind, Seen, Slot, Text};
use crate::signature::Running;
use crate::{Delivery, Error, json};

/// A delivery whose headers have been read and whose body is arriving.
///
/// Made by [`Receiver::begin`](crate::Receiver::begin); fed with [`Incoming::push`] (or
/// [`Incoming::push_bytes`], which keeps a single chunk without copying); ended by
/// [`Incoming::finish`]. Sans-IO: it never reads a socket or spawns.
///
/// Header problems are found at once but reported by `finish`, in the contract's order: a body
/// over the limit (413) is reported before a bad signature (400), which is reported before a
/// missing event header (400) and an unsupported content type (415).
#[derive(Debug)]
pub struct Incoming {
    max: usize,
    len: usize,
    declared: usize,
    body: Body,
    /// `None` when signatures are not checked.
    signature: Option<Result<Running, Error>>,
    head: Result<Head, Error>,
    kind: Result<BodyKind, Error>,
}

#[derive(Debug)]
struct Head {
    event: Text,
    id: Text,
    hook_id: Option<Text>,
    target_type: Option<Text>,
    target_id: Option<Text>,
}

#[derive(Debug)]
enum Body {
    Empty,
    One(Bytes),
    Many(BytesMut),
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Sha256(..) => "Running(sha256)",
            Self::Sha1(..) => "Running(sha1)",
        })
    }
}

impl Incoming {
    pub(crate) fn new(
        headers: &Seen<'_>,
        max: usize,
        signature: Option<Result<Running, Error>>,
    ) -> Result<Self, Error> {
        let declared = headers
            .get(Slot::ContentLength)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > max as u64) {
            return Err(Error::PayloadTooLarge);
        }
        let head = (|| {
            Ok(Head {
                event: headers::required(headers, Slot::Event)?,
                id: headers::required(headers, Slot::Delivery)?,
                hook_id: headers::optional(headers, Slot::HookId)?,
                target_type: headers::optional(headers, Slot::TargetType)?,
                target_id: headers::optional(headers, Slot::TargetId)?,
            })
        })();
        Ok(Self {
            max,
            len: 0,
            // What was announced (never more than the limit), reserved once chunks must join.
            declared: declared.map_or(0, |n| n as usize),
            body: Body::Empty,
            signature,
            head,
            kind: BodyKind::from_headers(headers),
        })
    }

    /// Bytes received so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no body byte has arrived yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Feeds the next chunk of the body. Fails with [`Error::PayloadTooLarge`] as soon as the
    /// body passes the limit: stop reading then.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), Error> {
        if !self.take(chunk)? {
            return Ok(());
        }
        match &mut self.body {
            Body::Many(buf) => buf.extend_from_slice(chunk),
            body => {
                let mut buf = BytesMut::with_capacity(self.len.max(self.declared));
                if let Body::One(first) = body {
                    buf.extend_from_slice(first);
                }
                buf.extend_from_slice(chunk);
                *body = Body::Many(buf);
            }
        }
        Ok(())
    }

    /// Feeds the next chunk as `Bytes`: a body that arrives in one chunk is kept as it is.
    pub fn push_bytes(&mut self, chunk: Bytes) -> Result<(), Error> {
        match &self.body {
            Body::Empty => {
                if self.take(&chunk)? {
                    self.body = Body::One(chunk);
                }
                Ok(())
            }
            _ => self.push(&chunk),
        }
    }

    /// Counts and hashes a chunk; whether its bytes are worth keeping.
    fn take(&mut self, chunk: &[u8]) -> Result<bool, Error> {
        self.len = self.len.saturating_add(chunk.len());
        if self.len > self.max {
            return Err(Error::PayloadTooLarge);
        }
        match &mut self.signature {
            Some(Ok(running)) => running.update(chunk),
            // The signature header is already known bad: the body only needs counting.
            Some(Err(_)) => return Ok(false),
            None => {}
        }
        Ok(true)
    }

    /// Checks what the body and headers claim, in the contract's order, and returns the
    /// delivery: signature, then `X-GitHub-Event` / `X-GitHub-Delivery`, then content type,
    /// then one light validating pass over the JSON (which also picks out `action`).
    pub fn finish(self) -> Result<Delivery, Error> {
        if let Some(signature) = self.signature {
            signature?.verify()?;
        }
        let head = self.head?;
        let kind = self.kind?;
        let body = match self.body {
            Body::Empty => Bytes::new(),
            Body::One(b) => b,
            Body::Many(b) => b.freeze(),
        };
        let form_json = match kind {
            BodyKind::Json => None,
            BodyKind::Form => Some(form_payload(&body)?),
        };
        let outline = json::validate(form_json.as_ref().unwrap_or(&body))?;
        Ok(Delivery {
            event: head.event,
            outline,
            id: head.id,
            hook_id: head.hook_id,
            target_type: head.target_type,
            target_id: head.target_id,
            body,
            form_json,
            value: OnceLock::new(),
        })
    }
}

/// The decoded `payload` field of a urlencoded form (the first, if sent twice).
fn form_payload(body: &[u8]) -> Result<Bytes, Error> {
    form_urlencoded::parse(body)
        .find(|(key, _)| key == "payload")
        .map(|(_, value)| Bytes::from(value.into_owned()))
        .ok_or(Error::MissingFormPayload)
}
