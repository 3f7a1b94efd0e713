//! HMAC signatures: the `X-Hub-Signature-256` / `X-Hub-Signature` headers, signing helpers,
//! and the running MACs that verify a body as it arrives.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;

use crate::Error;
use crate::headers::{Seen, Slot};

/// `sha256=<hex>`: the value GitHub sends in `X-Hub-Signature-256` for `body` under `secret`.
///
/// ```
/// let sig = hookcore::sign_sha256(b"It's a Secret to Everybody", b"Hello, World!");
/// assert_eq!(
///     sig,
///     "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
/// );
/// ```
pub fn sign_sha256(secret: &[u8], body: &[u8]) -> String {
    let mut mac = key::<Sha256>(secret);
    mac.update(body);
    format!("sha256={}", hex(&mac.finalize().into_bytes()))
}

/// `sha1=<hex>`: the value GitHub sends in the legacy `X-Hub-Signature` header.
pub fn sign_sha1(secret: &[u8], body: &[u8]) -> String {
    let mut mac = key::<Sha1>(secret);
    mac.update(body);
    format!("sha1={}", hex(&mac.finalize().into_bytes()))
}

fn key<D>(secret: &[u8]) -> Hmac<D>
where
    D: hmac::EagerHash,
    Hmac<D>: KeyInit,
{
    // HMAC is defined for keys of every length: new_from_slice cannot fail here.
    match <Hmac<D> as KeyInit>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// Each byte's value as a hex digit (either case), or 0xFF when it is none.
const HEX_DIGITS: [u8; 256] = {
    let mut table = [0xFF; 256];
    let mut i = 0;
    while i < 16 {
        table[b"0123456789abcdef"[i] as usize] = i as u8;
        table[b"0123456789ABCDEF"[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Decodes exactly `N` bytes of hex, either case; anything else is `None`. Branch-free over
/// the digits: an invalid one sets the high bits of `bad`, checked once at the end.
fn unhex<const N: usize>(text: &[u8]) -> Option<[u8; N]> {
    if text.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    let mut bad = 0u8;
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let (hi, lo) = (
            HEX_DIGITS[usize::from(pair[0])],
            HEX_DIGITS[usize::from(pair[1])],
        );
        bad |= hi | lo;
        *byte = hi << 4 | lo;
    }
    (bad < 16).then_some(out)
}

/// The digest a request claims, from the header that decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claimed {
    Sha256([u8; 32]),
    Sha1([u8; 20]),
}

impl Claimed {
    /// Reads the claimed signature. `X-Hub-Signature-256`, when present at all, alone decides:
    /// a malformed one is an error even if a good `X-Hub-Signature` is sent beside it.
    pub(crate) fn from_headers(headers: &Seen<'_>, require_sha256: bool) -> Result<Self, Error> {
        let (sha256, sha1) = (Slot::SignatureSha256, Slot::SignatureSha1);
        if let Some(value) = single(headers, sha256)? {
            return parse::<32>(value, b"sha256=")
                .map(Self::Sha256)
                .ok_or(Error::MalformedSignature(sha256.shown()));
        }
        if require_sha256 {
            return Err(Error::MissingHeader(sha256.shown()));
        }
        match single(headers, sha1)? {
            Some(value) => parse::<20>(value, b"sha1=")
                .map(Self::Sha1)
                .ok_or(Error::MalformedSignature(sha1.shown())),
            None => Err(Error::MissingHeader(sha256.shown())),
        }
    }
}

/// The one value of a signature header; two values make it ambiguous, so malformed.
fn single<'h>(headers: &Seen<'h>, slot: Slot) -> Result<Option<&'h [u8]>, Error> {
    if headers.repeated(slot) {
        return Err(Error::MalformedSignature(slot.shown()));
    }
    Ok(headers.get(slot).map(|v| v.as_bytes()))
}

fn parse<const N: usize>(value: &[u8], prefix: &[u8]) -> Option<[u8; N]> {
    let (head, digits) = value.split_at_checked(prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| unhex::<N>(digits))
        .flatten()
}

/// The HMAC keys of the configured secrets, keyed once and cloned for each request.
#[derive(Clone)]
pub(crate) struct Keys {
    sha256: Macs<Sha256>,
    sha1: Macs<Sha1>,
}

/// One keyed MAC per secret: the first inline, any others (while rotating) in a `Vec`, so that
/// the usual single secret costs no allocation per request.
#[derive(Clone)]
pub(crate) struct Macs<D: hmac::EagerHash> {
    first: Option<Hmac<D>>,
    rest: Vec<Hmac<D>>,
}

impl<D> Macs<D>
where
    D: hmac::EagerHash,
    Hmac<D>: KeyInit + Mac + Clone,
{
    fn new<'a>(mut secrets: impl Iterator<Item = &'a [u8]>) -> Self {
        Self {
            first: secrets.next().map(key::<D>),
            rest: secrets.map(key::<D>).collect(),
        }
    }

    fn update(&mut self, chunk: &[u8]) {
        self.first
            .iter_mut()
            .chain(&mut self.rest)
            .for_each(|m| m.update(chunk));
    }

    /// Whether any secret's MAC equals `digest`, each compared in constant time by
    /// `verify_slice`; every secret is tried, whichever matches.
    fn verify(self, digest: &[u8]) -> bool {
        self.first
            .into_iter()
            .chain(self.rest)
            .fold(false, |ok, m| m.verify_slice(digest).is_ok() | ok)
    }
}

impl Keys {
    pub(crate) fn new<'a>(secrets: impl Iterator<Item = &'a [u8]> + Clone) -> Self {
        Self {
            sha256: Macs::new(secrets.clone()),
            sha1: Macs::new(secrets),
        }
    }

    /// Running MACs for the algorithm `claimed` uses, one per secret.
    pub(crate) fn start(&self, claimed: Claimed) -> Running {
        match claimed {
            Claimed::Sha256(digest) => Running::Sha256(self.sha256.clone(), digest),
            Claimed::Sha1(digest) => Running::Sha1(self.sha1.clone(), digest),
        }
    }
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = usize::from(self.sha256.first.is_some()) + self.sha256.rest.len();
        write!(f, "Keys({n} secrets, redacted)")
    }
}

/// MACs fed with the body as it arrives, and the digest they must end at.
#[derive(Clone)]
pub(crate) enum Running {
    Sha256(Macs<Sha256>, [u8; 32]),
    Sha1(Macs<Sha1>, [u8; 20]),
}

impl Running {
    pub(crate) fn update(&mut self, chunk: &[u8]) {
        match self {
            Self::Sha256(macs, _) => macs.update(chunk),
            Self::Sha1(macs, _) => macs.update(chunk),
        }
    }

    /// Constant-time comparison through the MAC's own `verify_slice`, against every secret.
    pub(crate) fn verify(self) -> Result<(), Error> {
        let matched = match self {
            Self::Sha256(macs, digest) => macs.verify(&digest),
            Self::Sha1(macs, digest) => macs.verify(&digest),
        };
        if matched {
            Ok(())
        } else {
            Err(Error::BadSignature)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, HeaderValue};

    const SECRET: &[u8] = b"It's a Secret to Everybody";
    const BODY: &[u8] = b"Hello, World!";
    const VECTOR: &str = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    fn check(pairs: &[(&'static str, &str)], require_sha256: bool) -> Result<(), Error> {
        let claimed = Claimed::from_headers(&Seen::read(&headers(pairs)), require_sha256)?;
        let mut running = Keys::new([SECRET].into_iter()).start(claimed);
        running.update(BODY);
        running.verify()
    }

    #[test]
    fn githubs_documented_vector() {
        assert_eq!(sign_sha256(SECRET, BODY), format!("sha256={VECTOR}"));
        let sig = format!("sha256={VECTOR}");
        assert!(check(&[("x-hub-signature-256", &sig)], false).is_ok());
    }

    #[test]
    fn hex_is_read_in_either_case() {
        let upper = format!("sha256={}", VECTOR.to_uppercase());
        assert!(check(&[("x-hub-signature-256", &upper)], false).is_ok());
        let sha1 = sign_sha1(SECRET, BODY)
            .to_uppercase()
            .replace("SHA1=", "sha1=");
        assert!(check(&[("x-hub-signature", &sha1)], false).is_ok());
    }

    #[test]
    fn sha1_is_accepted_alone() {
        let sha1 = sign_sha1(SECRET, BODY);
        assert!(sha1.starts_with("sha1=") && sha1.len() == 45);
        assert!(check(&[("x-hub-signature", &sha1)], false).is_ok());
    }

    #[test]
    fn require_sha256_refuses_sha1_alone() {
        let sha1 = sign_sha1(SECRET, BODY);
        let err = check(&[("x-hub-signature", &sha1)], true).unwrap_err();
        assert!(matches!(err, Error::MissingHeader("X-Hub-Signature-256")));
    }

    #[test]
    fn no_downgrade_when_sha256_is_present() {
        let sha1 = sign_sha1(SECRET, BODY);
        let wrong256 = format!("sha256={}", "0".repeat(64));
        let err = check(
            &[
                ("x-hub-signature-256", &wrong256),
                ("x-hub-signature", &sha1),
            ],
            false,
        )
        .unwrap_err();
        assert!(matches!(err, Error::BadSignature));
        // A malformed sha256 header decides too: it is not skipped for the sha1 one.
        let err = check(
            &[
                ("x-hub-signature-256", "sha256=zz"),
                ("x-hub-signature", &sha1),
            ],
            false,
        )
        .unwrap_err();
        assert!(matches!(
            err,
            Error::MalformedSignature("X-Hub-Signature-256")
        ));
        let err = check(
            &[("x-hub-signature-256", ""), ("x-hub-signature", &sha1)],
            false,
        )
        .unwrap_err();
        assert!(matches!(err, Error::MalformedSignature(_)));
    }

    #[test]
    fn every_malformed_shape_is_rejected() {
        let good = VECTOR;
        let shapes = [
            String::new(),
            good.to_string(),                   // no prefix
            format!("sha1={good}"),             // wrong algorithm for the header
            format!("sha256:{good}"),           // wrong separator
            format!("sha256= {good}"),          // inner space
            format!("sha256={}", &good[..63]),  // one digit short
            format!("sha256={good}0"),          // one digit long
            format!("sha256={}g", &good[..63]), // not hex
            format!("sha256={}", &good[..62]),  // one byte short
            format!("sha256={good}{good}"),     // twice as long
            "sha256=".to_string(),              // empty digest
            format!("sha512={good}"),           // other algorithm
            format!("sha256={}é", &good[..62]), // non-ascii
        ];
        for shape in shapes {
            let err = check(&[("x-hub-signature-256", &shape)], false).unwrap_err();
            assert!(
                matches!(err, Error::MalformedSignature("X-Hub-Signature-256")),
                "{shape:?} gave {err:?}"
            );
        }
        for shape in ["sha1=", "sha1=abc", "sha256=", "md5=00"] {
            let err = check(&[("x-hub-signature", shape)], false).unwrap_err();
            assert!(
                matches!(err, Error::MalformedSignature("X-Hub-Signature")),
                "{shape}"
            );
        }
    }

    #[test]
    fn unhex_agrees_with_the_standard_parser_on_every_byte_pair() {
        for hi in 0..=255u8 {
            for lo in 0..=255u8 {
                let pair = [hi, lo];
                let reference = std::str::from_utf8(&pair)
                    .ok()
                    .filter(|s| s.bytes().all(|b| b.is_ascii_hexdigit()))
                    .and_then(|s| u8::from_str_radix(s, 16).ok());
                assert_eq!(unhex::<1>(&pair).map(|[b]| b), reference, "{pair:?}");
            }
        }
        assert_eq!(unhex::<2>(b"0aF"), None);
        assert_eq!(unhex::<2>(b"0aFf"), Some([0x0a, 0xff]));
    }

    #[test]
    fn upper_case_algorithm_name_is_read() {
        let sig = format!("SHA256={VECTOR}");
        assert!(check(&[("x-hub-signature-256", &sig)], false).is_ok());
    }

    #[test]
    fn two_signature_headers_are_ambiguous() {
        let sig = format!("sha256={VECTOR}");
        let err = check(
            &[("x-hub-signature-256", &sig), ("x-hub-signature-256", &sig)],
            false,
        )
        .unwrap_err();
        assert!(matches!(err, Error::MalformedSignature(_)));
    }

    #[test]
    fn missing_signature_names_the_sha256_header() {
        let err = check(&[], false).unwrap_err();
        assert!(matches!(err, Error::MissingHeader("X-Hub-Signature-256")));
    }

    #[test]
    fn wrong_secret_or_body_fails() {
        let sig = sign_sha256(b"another secret", BODY);
        assert!(matches!(
            check(&[("x-hub-signature-256", &sig)], false),
            Err(Error::BadSignature)
        ));
        let sig = sign_sha1(b"another secret", BODY);
        assert!(matches!(
            check(&[("x-hub-signature", &sig)], false),
            Err(Error::BadSignature)
        ));
    }

    #[test]
    fn any_of_several_secrets_verifies() {
        let secrets: [&[u8]; 2] = [b"old", b"new"];
        let keys = Keys::new(secrets.into_iter());
        for secret in secrets {
            let sig = sign_sha256(secret, BODY);
            let claimed = Claimed::from_headers(
                &Seen::read(&headers(&[("x-hub-signature-256", &sig)])),
                false,
            )
            .unwrap();
            let mut running = keys.start(claimed);
            running.update(BODY);
            assert!(running.verify().is_ok());
        }
    }

    #[test]
    fn chunked_updates_equal_one_update() {
        let sig = format!("sha256={VECTOR}");
        let claimed = Claimed::from_headers(
            &Seen::read(&headers(&[("x-hub-signature-256", &sig)])),
            false,
        )
        .unwrap();
        let mut running = Keys::new([SECRET].into_iter()).start(claimed);
        for chunk in BODY.chunks(3) {
            running.update(chunk);
        }
        assert!(running.verify().is_ok());
    }
}
