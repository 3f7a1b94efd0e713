//! The client's address: the TCP peer, or what trusted proxies say in front of it.

use std::net::{IpAddr, SocketAddr};

use http::HeaderMap;
use http::header::FORWARDED;

use crate::headers::X_FORWARDED_FOR;
use crate::ranges::unmap;
use crate::{Error, IpRanges};

/// Resolves the address a request comes from.
///
/// The TCP `peer` decides unless it lies in `trusted` (proxies whose forwarding headers are
/// believed). Then the `X-Forwarded-For` entries (every such header line, read as one list in
/// order) are walked from the right, and the first that is not itself a trusted proxy is the
/// client; when every entry is trusted, the left-most one is. With no `X-Forwarded-For`, the
/// `for=` entries of RFC 7239 `Forwarded` are read the same way. An entry reached on that walk
/// that is not an IP address (`unknown`, an obfuscated `_id`, garbage) is an
/// [`Error::InvalidForwardedAddress`]. Entries left of the client are never read, so whatever
/// a client puts there to spoof its address is ignored. IPv4-mapped IPv6 addresses are
/// unwrapped. A peer that is not trusted has its forwarding headers ignored.
///
/// ```
/// use hookcore::{IpRanges, client_ip};
/// let trusted: IpRanges = ["10.0.0.0/8".parse().unwrap()].into_iter().collect();
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-forwarded-for", "6.6.6.6, 140.82.112.9, 10.0.0.2".parse().unwrap());
/// let ip = client_ip("10.0.0.1".parse().unwrap(), &headers, &trusted).unwrap();
/// assert_eq!(ip.to_string(), "140.82.112.9");
/// ```
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &IpRanges) -> Result<IpAddr, Error> {
    let peer = unmap(peer);
    if trusted.is_empty() || !trusted.contains(peer) {
        return Ok(peer);
    }
    let chain = if headers.contains_key(&X_FORWARDED_FOR) {
        entries(headers, &X_FORWARDED_FOR, xff_entry)
    } else {
        entries(headers, &FORWARDED, forwarded_for)
    };
    let mut leftmost = None;
    for entry in chain.into_iter().rev() {
        let ip = entry.map(unmap).ok_or(Error::InvalidForwardedAddress)?;
        if !trusted.contains(ip) {
            return Ok(ip);
        }
        leftmost = Some(ip);
    }
    Ok(leftmost.unwrap_or(peer))
}

/// Every comma-separated element of every line of `name`, in order, each read by `read`
/// (`None` for an element that is no address). Empty elements are skipped.
fn entries(
    headers: &HeaderMap,
    name: &http::HeaderName,
    read: fn(&str) -> Option<Option<IpAddr>>,
) -> Vec<Option<IpAddr>> {
    let mut out = Vec::new();
    for line in headers.get_all(name) {
        let Ok(line) = line.to_str() else {
            out.push(None);
            continue;
        };
        out.extend(
            line.split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .filter_map(read),
        );
    }
    out
}

/// An `X-Forwarded-For` element: an address, with or without a port (`[v6]:port`, `v4:port`).
fn xff_entry(text: &str) -> Option<Option<IpAddr>> {
    Some(parse_node(text))
}

/// The `for=` of a `Forwarded` element (`for=1.2.3.4;proto=https`); elements without `for=`
/// say nothing about the client and are skipped.
fn forwarded_for(element: &str) -> Option<Option<IpAddr>> {
    let value = element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("for")
            .then_some(value.trim())
    })?;
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    Some(parse_node(value))
}

fn parse_node(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sock) = text.parse::<SocketAddr>() {
        return Some(sock.ip());
    }
    // `[v6]` without a port.
    text.strip_prefix('[')?.strip_suffix(']')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn trusted(cidrs: &[&str]) -> IpRanges {
        cidrs
            .iter()
            .map(|c| crate::ranges::parse_net(c, true).unwrap())
            .collect()
    }

    fn resolve(
        peer: &str,
        lines: &[(&'static str, &str)],
        proxies: &[&str],
    ) -> Result<String, Error> {
        let mut headers = HeaderMap::new();
        for (k, v) in lines {
            headers.append(*k, HeaderValue::from_str(v).unwrap());
        }
        client_ip(peer.parse().unwrap(), &headers, &trusted(proxies)).map(|ip| ip.to_string())
    }

    const XFF: &str = "x-forwarded-for";

    #[test]
    fn untrusted_peer_headers_are_ignored() {
        let r = resolve("203.0.113.9", &[(XFF, "140.82.112.1")], &["10.0.0.0/8"]);
        assert_eq!(r.unwrap(), "203.0.113.9");
        let r = resolve("203.0.113.9", &[(XFF, "140.82.112.1")], &[]);
        assert_eq!(r.unwrap(), "203.0.113.9");
        let r = resolve("203.0.113.9", &[(XFF, "garbage")], &[]);
        assert_eq!(
            r.unwrap(),
            "203.0.113.9",
            "garbage from an untrusted peer is not read"
        );
    }

    #[test]
    fn right_most_untrusted_entry_wins() {
        let proxies = &["10.0.0.0/8", "192.168.1.1"];
        let r = resolve("10.0.0.1", &[(XFF, "140.82.112.1")], proxies);
        assert_eq!(r.unwrap(), "140.82.112.1");
        let r = resolve(
            "10.0.0.1",
            &[(XFF, "1.1.1.1, 140.82.112.1, 192.168.1.1")],
            proxies,
        );
        assert_eq!(r.unwrap(), "140.82.112.1");
    }

    #[test]
    fn spoofed_left_entries_are_ignored() {
        // The client wrote a GitHub address first; the proxy appended the real one.
        let r = resolve(
            "10.0.0.1",
            &[(XFF, "140.82.112.1, 203.0.113.7")],
            &["10.0.0.0/8"],
        );
        assert_eq!(r.unwrap(), "203.0.113.7");
        let r = resolve(
            "10.0.0.1",
            &[(XFF, "garbage, 203.0.113.7")],
            &["10.0.0.0/8"],
        );
        assert_eq!(r.unwrap(), "203.0.113.7", "unreached garbage is not read");
    }

    #[test]
    fn several_lines_read_as_one_list() {
        let lines = [(XFF, "203.0.113.7"), (XFF, "140.82.112.1, 10.0.0.3")];
        assert_eq!(
            resolve("10.0.0.1", &lines, &["10.0.0.0/8"]).unwrap(),
            "140.82.112.1"
        );
    }

    #[test]
    fn all_trusted_means_left_most() {
        let r = resolve("10.0.0.1", &[(XFF, "10.0.0.7, 10.0.0.8")], &["10.0.0.0/8"]);
        assert_eq!(r.unwrap(), "10.0.0.7");
        let r = resolve("10.0.0.1", &[], &["10.0.0.0/8"]);
        assert_eq!(r.unwrap(), "10.0.0.1", "no header: the peer itself");
    }

    #[test]
    fn non_addresses_are_refused_when_reached() {
        for bad in [
            "unknown",
            "garbage",
            "1.2.3",
            "_hidden",
            "140.82.112.1 10.0.0.1",
        ] {
            let r = resolve("10.0.0.1", &[(XFF, bad)], &["10.0.0.0/8"]);
            assert!(matches!(r, Err(Error::InvalidForwardedAddress)), "{bad}");
        }
        let r = resolve("10.0.0.1", &[(XFF, "garbage, 10.0.0.2")], &["10.0.0.0/8"]);
        assert!(matches!(r, Err(Error::InvalidForwardedAddress)));
    }

    #[test]
    fn ports_brackets_and_mapped_addresses() {
        let p = &["10.0.0.0/8", "::1"];
        assert_eq!(
            resolve("10.0.0.1", &[(XFF, "140.82.112.1:443")], p).unwrap(),
            "140.82.112.1"
        );
        assert_eq!(
            resolve("10.0.0.1", &[(XFF, "[2606:50c0::1]:80")], p).unwrap(),
            "2606:50c0::1"
        );
        assert_eq!(
            resolve("10.0.0.1", &[(XFF, "[2606:50c0::1]")], p).unwrap(),
            "2606:50c0::1"
        );
        assert_eq!(
            resolve("::1", &[(XFF, "::ffff:140.82.112.1")], p).unwrap(),
            "140.82.112.1"
        );
        assert_eq!(
            resolve("::ffff:10.0.0.1", &[(XFF, "140.82.112.1")], p).unwrap(),
            "140.82.112.1"
        );
        assert_eq!(
            resolve("::ffff:203.0.113.1", &[], p).unwrap(),
            "203.0.113.1"
        );
    }

    #[test]
    fn rfc7239_forwarded() {
        let fwd = "forwarded";
        let p = &["10.0.0.0/8"];
        let r = resolve("10.0.0.1", &[(fwd, "for=140.82.112.1;proto=https")], p);
        assert_eq!(r.unwrap(), "140.82.112.1");
        let r = resolve(
            "10.0.0.1",
            &[(fwd, r#"for=1.1.1.1, for="[2606:50c0::2]:4711""#)],
            p,
        );
        assert_eq!(r.unwrap(), "2606:50c0::2");
        let r = resolve("10.0.0.1", &[(fwd, "For=203.0.113.5, for=10.0.0.9")], p);
        assert_eq!(r.unwrap(), "203.0.113.5");
        let r = resolve("10.0.0.1", &[(fwd, "for=_hidden")], p);
        assert!(matches!(r, Err(Error::InvalidForwardedAddress)));
        // X-Forwarded-For, when sent, is the one read.
        let r = resolve(
            "10.0.0.1",
            &[(fwd, "for=1.1.1.1"), (XFF, "140.82.112.1")],
            p,
        );
        assert_eq!(r.unwrap(), "140.82.112.1");
    }
}
