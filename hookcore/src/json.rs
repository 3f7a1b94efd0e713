//! One light validating pass over the payload: checks that it is a UTF-8 JSON object and picks
//! out `action`, building nothing else.
//!
//! Every value but `action` is skipped with serde's `IgnoredAny`, which serde_json reads with a
//! validating skip (the full grammar: brackets, commas, literals, number syntax, escapes,
//! control characters) that builds nothing and runs several times faster than a parse into
//! `serde_json::Value`. Such a skip does not apply three limits of a full parse, so a payload
//! that is valid JSON and yet more than 128 levels deep, or holding a number beyond `f64`
//! (`1e400`), or a lone UTF-16 surrogate escape (`"\ud800"`) passes here; for those,
//! [`Delivery::payload`](crate::Delivery::payload) is `Null` and
//! [`Delivery::payload_as`](crate::Delivery::payload_as) reports the error. With signatures
//! checked, only the secret's holder (GitHub) can send a body that reaches this pass.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::Error;

/// Validates `json` as one JSON object and returns its top-level `action`, if that is a string.
pub(crate) fn validate(json: &[u8]) -> Result<Option<String>, Error> {
    // serde_json skips strings in a byte slice without checking their UTF-8; checking the
    // whole body first (tens of GB/s) makes the text a `str`, which it then trusts.
    let text = std::str::from_utf8(json).map_err(|_| Error::InvalidUtf8)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let action = de.deserialize_map(TopLevel).map_err(Error::InvalidJson)?;
    de.end().map_err(Error::InvalidJson)?;
    Ok(action)
}

struct TopLevel;

impl<'de> Visitor<'de> for TopLevel {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut action = None;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                // A repeated `action` keeps the last, as a full parse would.
                Key::Action => action = map.next_value::<Action>()?.0,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(action)
    }
}

enum Key {
    Action,
    Other,
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
                Ok(if key == "action" {
                    Key::Action
                } else {
                    Key::Other
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// `action` when it is a string; any other value is skipped and counts as no action.
struct Action(Option<String>);

impl<'de> de::Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ActionVisitor;
        impl<'de> Visitor<'de> for ActionVisitor {
            type Value = Action;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Action, E> {
                Ok(Action(Some(v.to_owned())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Action, E> {
                Ok(Action(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Action, E> {
                Ok(Action(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Action, E> {
                Ok(Action(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Action, E> {
                Ok(Action(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Action, E> {
                Ok(Action(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Action, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Action(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Action, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Action(None))
            }
        }
        d.deserialize_any(ActionVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_out_a_string_action() {
        let action = |body: &str| validate(body.as_bytes()).unwrap();
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
            assert_eq!(validate(body.as_bytes()).unwrap(), None, "{body}");
        }
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
