//! One light validating pass over the payload: checks that it is a UTF-8 JSON object, picks out
//! `action`, and notes where each top-level field lies, building nothing else.
//!
//! Every top-level value is skipped as a borrowed `RawValue`, which serde_json reads with the
//! validating skip it uses for `IgnoredAny` (the full grammar: brackets, commas, literals,
//! number syntax, escapes, control characters): it builds nothing and runs several times
//! faster than a parse into `serde_json::Value`. Such a skip does not apply three limits of a full parse, so a payload
//! that is valid JSON and yet more than 128 levels deep, or holding a number beyond `f64`
//! (`1e400`), or a lone UTF-16 surrogate escape (`"\ud800"`) passes here; for those,
//! [`Delivery::payload`](crate::Delivery::payload) is `Null` and
//! [`Delivery::payload_as`](crate::Delivery::payload_as) reports the error. With signatures
//! checked, only the secret's holder (GitHub) can send a body that reaches this pass.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::Error;

/// What the light pass leaves behind: the top-level `action`, and where each top-level field's
/// key and value lie in the text, so that a handler can parse one field without the rest.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Outline {
    action: Action,
    /// Where each field's key and value lie, in document order.
    fields: Vec<Field>,
    /// Some key had escapes and is not in `fields`: a lookup must fall back to a full parse.
    pub(crate) partial: bool,
}

impl Outline {
    /// The top-level `action`, when it is a JSON string; `json` is the outlined text.
    pub(crate) fn action<'a>(&'a self, json: &'a [u8]) -> Option<&'a str> {
        match &self.action {
            Action::None => None,
            Action::At(at, len) => std::str::from_utf8(slice(json, *at, *len)?).ok(),
            Action::Decoded(action) => Some(action),
        }
    }

    /// The raw JSON of the last top-level field named `key` (the one a full parse keeps),
    /// or `None` when there is none. `Err(())` when the outline cannot tell (escaped keys).
    pub(crate) fn field<'t>(&self, json: &'t [u8], key: &str) -> Result<Option<&'t [u8]>, ()> {
        let found = self
            .fields
            .iter()
            .rev()
            .find(|f| slice(json, f.key, f.key_len) == Some(key.as_bytes()));
        match found {
            Some(f) => Ok(slice(json, f.value, f.value_len)),
            None if self.partial => Err(()),
            None => Ok(None),
        }
    }
}

/// The top-level `action`, kept without allocating when it is a plain string (as GitHub's are).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
enum Action {
    /// No `action`, or one that is not a string.
    #[default]
    None,
    /// A string without escapes: where its text lies, between the quotes.
    At(u32, u32),
    /// A string with escapes (or in a text too long for u32 offsets), decoded.
    Decoded(String),
}

/// A top-level field's key and value, as byte offsets and lengths in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Field {
    key: u32,
    key_len: u32,
    value: u32,
    value_len: u32,
}

fn slice(json: &[u8], at: u32, len: u32) -> Option<&[u8]> {
    json.get(at as usize..(at as usize).saturating_add(len as usize))
}

/// Validates `json` as one JSON object and outlines its top level.
pub(crate) fn validate(json: &[u8]) -> Result<Outline, Error> {
    // serde_json skips strings in a byte slice without checking their UTF-8; checking the
    // whole body first (tens of GB/s) makes the text a `str`, which it then trusts.
    let text = std::str::from_utf8(json).map_err(|_| Error::InvalidUtf8)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let outline = de
        .deserialize_map(TopLevel {
            base: text.as_ptr() as usize,
            // Offsets are kept as u32: a longer text is outlined as if every key were escaped.
            outline: u32::try_from(text.len()).is_ok(),
        })
        .map_err(Error::InvalidJson)?;
    de.end().map_err(Error::InvalidJson)?;
    Ok(outline)
}

struct TopLevel {
    base: usize,
    /// Whether the text is short enough for u32 offsets.
    outline: bool,
}

impl TopLevel {
    /// Where `part`, borrowed from the text, starts in it. Only called when the text's length
    /// fits in u32, so every offset and length does (the casts cannot truncate).
    fn at(&self, part: &str) -> u32 {
        (part.as_ptr() as usize).wrapping_sub(self.base) as u32
    }

    /// Where `key` and `value`, borrowed from the text, lie in it.
    fn field(&self, key: &str, value: &str) -> Field {
        Field {
            key: self.at(key),
            key_len: key.len() as u32,
            value: self.at(value),
            value_len: value.len() as u32,
        }
    }

    /// `action` from its raw value: a place in the text when it is a string without escapes.
    fn action(&self, raw: &str) -> Action {
        let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) else {
            return Action::None;
        };
        if self.outline && !inner.contains('\\') {
            return Action::At(self.at(inner), inner.len() as u32);
        }
        serde_json::from_str(raw).map_or(Action::None, Action::Decoded)
    }
}

impl<'de> Visitor<'de> for TopLevel {
    type Value = Outline;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Outline, A::Error> {
        let mut outline = Outline {
            // GitHub payloads have a few dozen top-level fields at most: one allocation.
            fields: Vec::with_capacity(map.size_hint().unwrap_or(32)),
            ..Outline::default()
        };
        while let Some(key) = map.next_key::<Key<'de>>()? {
            // A RawValue is skipped by the same validating skip as IgnoredAny, and borrowed.
            let value: &'de RawValue = map.next_value()?;
            let value = value.get();
            match key {
                Key::Borrowed(key) => {
                    if key == "action" {
                        // A repeated `action` keeps the last, as a full parse would.
                        outline.action = self.action(value);
                    }
                    if self.outline {
                        outline.fields.push(self.field(key, value));
                    } else {
                        outline.partial = true;
                    }
                }
                Key::Escaped(key) => {
                    if key == "action" {
                        outline.action = self.action(value);
                    }
                    outline.partial = true;
                }
            }
        }
        Ok(outline)
    }
}

/// A top-level key: borrowed from the text, or decoded when it had escapes.
enum Key<'de> {
    Borrowed(&'de str),
    Escaped(String),
}

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(key))
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key::Escaped(key.to_owned()))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_out_a_string_action() {
        let action = |body: &str| {
            let outline = validate(body.as_bytes()).unwrap();
            outline.action(body.as_bytes()).map(str::to_owned)
        };
        assert_eq!(
            action(r#"{"action":"opened","x":1}"#).as_deref(),
            Some("opened")
        );
        assert_eq!(action(r#"{"x":{"action":"inner"}}"#), None);
        assert_eq!(
            action(r#"{"act\u0069on":"escaped"}"#).as_deref(),
            Some("escaped")
        );
        assert_eq!(action(r#"{"action":"a\"b"}"#).as_deref(), Some("a\"b"));
        assert_eq!(
            action(r#"{"action":"a","action":"b"}"#).as_deref(),
            Some("b")
        );
        assert_eq!(action("{}"), None);
        assert_eq!(action(r#"{"action":""}"#).as_deref(), Some(""));
        assert_eq!(action(r#"{"action":"créé"}"#).as_deref(), Some("créé"));
    }

    #[test]
    fn a_plain_action_is_kept_as_a_place_in_the_text() {
        let kept = |body: &str| validate(body.as_bytes()).unwrap().action;
        assert_eq!(kept(r#"{"a":1, "action" : "opened"}"#), Action::At(20, 6));
        assert_eq!(
            kept(r#"{"action":"tab\there"}"#),
            Action::Decoded("tab\there".into())
        );
        assert_eq!(kept(r#"{"action":"x","action":7}"#), Action::None);
    }

    #[test]
    fn non_string_actions_are_no_action() {
        for body in [
            r#"{"action":null}"#,
            r#"{"action":1}"#,
            r#"{"action":-1.5}"#,
            r#"{"action":true}"#,
            r#"{"action":[1,{"a":2}]}"#,
            r#"{"action":{"b":[]}}"#,
        ] {
            let outline = validate(body.as_bytes()).unwrap();
            assert_eq!(outline.action, Action::None, "{body}");
        }
    }

    #[test]
    fn outlines_the_top_level_fields() {
        let text = br#"{"ref":"refs/heads/main", "n" : [1,{"ref":"inner"}] ,"ref":"last","e":{}}"#;
        let outline = validate(text).unwrap();
        assert!(!outline.partial);
        let field = |key| outline.field(text, key);
        assert_eq!(
            field("ref"),
            Ok(Some(&br#""last""#[..])),
            "the last one wins"
        );
        assert_eq!(field("n"), Ok(Some(&br#"[1,{"ref":"inner"}]"#[..])));
        assert_eq!(field("e"), Ok(Some(&b"{}"[..])));
        assert_eq!(field("missing"), Ok(None));
        let text = br#"{"r\u0065f":"x","a":1}"#;
        let outline = validate(text).unwrap();
        assert!(outline.partial);
        assert_eq!(outline.field(text, "a"), Ok(Some(&b"1"[..])));
        let hidden = outline.field(text, "ref");
        assert_eq!(hidden, Err(()), "an escaped key cannot be ruled out");
    }

    #[test]
    fn rejects_what_is_not_a_json_object() {
        for body in [
            &b""[..],
            b"{",
            b"not json",
            b"[]",
            b"\"text\"",
            b"null",
            b"{} {}",
            b"{\"a\":1,}",
            b"{\"a\":\"\\x\"}",
            b"{\"a\":\"\xff\"}",
            b"{\"a\":[1,2}",
            b"{\"a\":01}",
            b"{\"a\":tru}",
            b"{\"a\":\"tab\there\"}",
            b"{\"a\":[1 2]}",
            b"{'a':1}",
        ] {
            assert!(
                validate(body).is_err(),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
        assert!(validate(b"  {\"a\": [1, 2.5e3, null]}\n").is_ok());
    }

    #[test]
    fn whatever_passes_a_full_parse_passes_here() {
        let corpus = [
            r#"{"a":"\ud83d\ude00 \u00e9 é 😀"}"#,
            r#"{"n":[0,-0,1.5e-300,12345678901234567890,-9223372036854775808]}"#,
            r#"{"deep":[[[[[[[[[[{"x":[]}]]]]]]]]]]}"#,
        ];
        for body in corpus {
            assert!(serde_json::from_str::<serde_json::Value>(body).is_ok());
            assert!(validate(body.as_bytes()).is_ok(), "{body}");
        }
    }

    #[test]
    fn valid_json_beyond_a_value_passes_without_panicking() {
        // The three documented cases: valid JSON a `Value` cannot hold.
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(5000), "]".repeat(5000));
        for body in [deep.as_str(), r#"{"a":1e400}"#, r#"{"a":"\ud800"}"#] {
            assert!(serde_json::from_str::<serde_json::Value>(body).is_err());
            assert!(validate(body.as_bytes()).is_ok());
        }
    }
}
