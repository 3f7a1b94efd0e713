//! One light validating pass over the payload: checks that it is a UTF-8 JSON object and picks
//! out `action`, building nothing else.
//!
//! Values are walked with `deserialize_any`, not `IgnoredAny`: serde_json skips an ignored value
//! without its nesting limit or number range checks, so a payload 200 levels deep or holding
//! `1e400` would pass here and then fail to become a `Value` in a handler. Walking every value
//! the way a full parse does (borrowing strings, building nothing) accepts exactly what
//! [`Delivery::payload`](crate::Delivery::payload) can parse.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::Error;

/// Validates `json` as one JSON object and returns its top-level `action`, if that is a string.
pub(crate) fn validate(json: &[u8]) -> Result<Option<String>, Error> {
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
                    map.next_value::<Skip>()?;
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

/// `action` when it is a string; any other value is read past and counts as no action.
struct Action(Option<String>);

impl<'de> de::Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Walk { keep_str: true }).map(Action)
    }
}

/// Any JSON value, read through and dropped.
struct Skip;

impl<'de> de::Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Walk { keep_str: false }).map(|_| Skip)
    }
}

/// Visits one value as a full parse would, keeping a string only when asked to.
struct Walk {
    keep_str: bool,
}

impl<'de> Visitor<'de> for Walk {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.keep_str.then(|| v.to_owned()))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_out_a_string_action() {
        assert_eq!(
            validate(br#"{"action":"opened","x":1}"#)
                .unwrap()
                .as_deref(),
            Some("opened")
        );
        assert_eq!(validate(br#"{"x":{"action":"inner"}}"#).unwrap(), None);
        assert_eq!(
            validate(br#"{"act\u0069on":"escaped"}"#)
                .unwrap()
                .as_deref(),
            Some("escaped")
        );
        assert_eq!(
            validate(br#"{"action":"a\"b"}"#).unwrap().as_deref(),
            Some("a\"b")
        );
        assert_eq!(
            validate(br#"{"action":"a","action":"b"}"#)
                .unwrap()
                .as_deref(),
            Some("b")
        );
        assert_eq!(validate(b"{}").unwrap(), None);
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
    fn rejects_what_a_full_parse_rejects() {
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
        ] {
            assert!(
                validate(body).is_err(),
                "{:?}",
                String::from_utf8_lossy(body)
            );
            // Whatever passes the light pass must also build a Value (checked the other way).
        }
        assert!(validate(b"  {\"a\": [1, 2.5e3, null]}\n").is_ok());
    }

    #[test]
    fn agrees_with_a_full_parse_on_nesting_limits() {
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(200), "]".repeat(200));
        assert!(validate(deep.as_bytes()).is_err());
        assert!(serde_json::from_str::<serde_json::Value>(&deep).is_err());
        let ok = format!("{{\"a\":{}{}}}", "[".repeat(100), "]".repeat(100));
        assert!(validate(ok.as_bytes()).is_ok());
        assert!(serde_json::from_str::<serde_json::Value>(&ok).is_ok());
        for number in ["1e400", "-1e400"] {
            let body = format!("{{\"a\":{number}}}");
            assert!(validate(body.as_bytes()).is_err(), "{number}");
            assert!(serde_json::from_str::<serde_json::Value>(&body).is_err());
        }
    }
}
