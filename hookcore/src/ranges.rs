//! Sets of IP ranges with fast membership, and GitHub's meta document that lists them.

use std::net::IpAddr;

use ipnet::IpNet;

/// A set of CIDR ranges, IPv4 and IPv6, held as sorted disjoint intervals so that a lookup is a
/// binary search however many ranges there are.
///
/// ```
/// use hookcore::IpRanges;
/// let ranges: IpRanges = ["192.30.252.0/22", "2606:50c0::/32"].iter().map(|c| c.parse().unwrap()).collect();
/// assert!(ranges.contains("192.30.253.7".parse().unwrap()));
/// assert!(ranges.contains("2606:50c0::1".parse().unwrap()));
/// assert!(!ranges.contains("10.0.0.1".parse().unwrap()));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IpRanges {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
    nets: Vec<IpNet>,
}

impl IpRanges {
    /// Whether `ip` lies in one of the ranges. An IPv4-mapped IPv6 address is read as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match unmap(ip) {
            IpAddr::V4(ip) => find(&self.v4, u32::from(ip)),
            IpAddr::V6(ip) => find(&self.v6, u128::from(ip)),
        }
    }

    /// The ranges as given (host bits cleared), in the order given.
    pub fn nets(&self) -> &[IpNet] {
        &self.nets
    }

    /// Whether there are no ranges at all.
    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }
}

impl FromIterator<IpNet> for IpRanges {
    fn from_iter<I: IntoIterator<Item = IpNet>>(iter: I) -> Self {
        let nets: Vec<IpNet> = iter.into_iter().map(|n| n.trunc()).collect();
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        for net in &nets {
            match net {
                IpNet::V4(n) => v4.push((u32::from(n.network()), u32::from(n.broadcast()))),
                IpNet::V6(n) => v6.push((u128::from(n.network()), u128::from(n.broadcast()))),
            }
        }
        Self {
            v4: merge(v4),
            v6: merge(v6),
            nets,
        }
    }
}

/// Sorts intervals and joins those that overlap or touch.
fn merge<T: Ord + Copy + num::Step>(mut spans: Vec<(T, T)>) -> Vec<(T, T)> {
    spans.sort_unstable();
    let mut out: Vec<(T, T)> = Vec::with_capacity(spans.len());
    for (lo, hi) in spans {
        match out.last_mut() {
            Some(last) if lo <= last.1.next_or_max() => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out.shrink_to_fit();
    out
}

fn find<T: Ord + Copy>(spans: &[(T, T)], x: T) -> bool {
    let i = spans.partition_point(|&(lo, _)| lo <= x);
    i > 0 && x <= spans[i - 1].1
}

/// Reads an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as the IPv4 address it carries.
pub(crate) fn unmap(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

mod num {
    /// The next value, saturating at the maximum.
    pub(super) trait Step {
        fn next_or_max(self) -> Self;
    }
    impl Step for u32 {
        fn next_or_max(self) -> Self {
            self.saturating_add(1)
        }
    }
    impl Step for u128 {
        fn next_or_max(self) -> Self {
            self.saturating_add(1)
        }
    }
}

/// Parses one CIDR; a bare address is a single host (/32 or /128) when `bare_is_host`.
pub(crate) fn parse_net(text: &str, bare_is_host: bool) -> Option<IpNet> {
    let text = text.trim();
    if let Ok(net) = text.parse::<IpNet>() {
        return Some(net.trunc());
    }
    if bare_is_host {
        return text.parse::<IpAddr>().ok().map(IpNet::from);
    }
    None
}

/// Why GitHub's hook ranges could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MetaError {
    /// The meta server answered with an HTTP error status.
    #[error("meta server answered HTTP {0}")]
    Http(u16),
    /// The meta server could not be reached, or did not answer in time.
    #[error("meta server unreachable: {0}")]
    Transport(String),
    /// The document is not JSON, or not an object.
    #[error("meta document is not a JSON object: {0}")]
    Json(String),
    /// The document has no `hooks` list of strings.
    #[error("meta document has no `hooks` list")]
    NoHooks,
    /// A `hooks` entry is not a CIDR.
    #[error("meta document lists {0:?}, which is not a CIDR")]
    BadCidr(String),
    /// No fetcher is configured (the `meta` feature is off and no ranges were given).
    #[error("no way to fetch the hook ranges is configured")]
    NoFetcher,
}

/// Reads the `hooks` ranges out of a meta document (`GET /meta`).
///
/// ```
/// let doc = br#"{"hooks": ["192.30.252.0/22", "2a0a:a440::/29"], "web": []}"#;
/// let ranges = hookcore::parse_meta(doc).unwrap();
/// assert!(ranges.contains("192.30.252.1".parse().unwrap()));
/// assert!(hookcore::parse_meta(br#"{"web": []}"#).is_err());
/// ```
pub fn parse_meta(document: &[u8]) -> Result<IpRanges, MetaError> {
    #[derive(serde::Deserialize)]
    struct Meta {
        hooks: Option<Vec<String>>,
    }
    let meta: Meta =
        serde_json::from_slice(document).map_err(|e| MetaError::Json(e.to_string()))?;
    let hooks = meta.hooks.ok_or(MetaError::NoHooks)?;
    hooks
        .iter()
        .map(|cidr| parse_net(cidr, false).ok_or_else(|| MetaError::BadCidr(cidr.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(cidrs: &[&str]) -> IpRanges {
        cidrs.iter().map(|c| c.parse::<IpNet>().unwrap()).collect()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn membership_at_the_edges() {
        let r = ranges(&["192.30.252.0/22", "140.82.112.0/20", "2a0a:a440::/29"]);
        assert!(r.contains(ip("192.30.252.0")));
        assert!(r.contains(ip("192.30.255.255")));
        assert!(!r.contains(ip("192.30.251.255")));
        assert!(!r.contains(ip("192.31.0.0")));
        assert!(r.contains(ip("140.82.127.255")));
        assert!(!r.contains(ip("140.82.128.0")));
        assert!(r.contains(ip("2a0a:a440::1")));
        assert!(r.contains(ip("2a0a:a447:ffff::")));
        assert!(!r.contains(ip("2a0a:a448::")));
        assert!(!r.contains(ip("::1")));
        assert!(
            r.contains(ip("::ffff:192.30.252.9")),
            "mapped IPv4 is read as IPv4"
        );
    }

    #[test]
    fn overlapping_and_whole_space_ranges() {
        let r = ranges(&["10.0.0.0/8", "10.1.0.0/16", "11.0.0.0/8", "0.0.0.0/0"]);
        assert!(r.contains(ip("255.255.255.255")));
        assert!(r.contains(ip("0.0.0.0")));
        assert!(!r.contains(ip("::1")));
        let r = ranges(&["::/0"]);
        assert!(r.contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
        assert!(IpRanges::default().is_empty());
        assert!(!IpRanges::default().contains(ip("1.2.3.4")));
    }

    #[test]
    fn agrees_with_ipnet_on_many_ranges() {
        // 2,000 pseudo-random ranges; 20,000 probes compared with a linear scan.
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let nets: Vec<IpNet> = (0..2000)
            .map(|_| {
                let v = next();
                let len = 8 + (v % 25) as u8;
                format!("{}/{len}", std::net::Ipv4Addr::from((v >> 32) as u32))
                    .parse::<IpNet>()
                    .unwrap()
                    .trunc()
            })
            .collect();
        let r: IpRanges = nets.iter().copied().collect();
        for _ in 0..20_000 {
            let probe = IpAddr::V4(std::net::Ipv4Addr::from((next() >> 32) as u32));
            let linear = nets.iter().any(|n| n.contains(&probe));
            assert_eq!(r.contains(probe), linear, "{probe}");
        }
    }

    #[test]
    fn meta_document() {
        let doc = include_bytes!("../tests/fixtures/github-meta.json");
        let r = parse_meta(doc).unwrap();
        assert_eq!(r.nets().len(), 6);
        assert!(r.contains(ip("140.82.115.4")));
        assert!(r.contains(ip("2606:50c0::9")));
        assert!(
            !r.contains(ip("20.201.28.151")),
            "a `web` range is not a hook range"
        );
    }

    #[test]
    fn host_bits_are_accepted_as_the_network() {
        let r = parse_meta(br#"{"hooks":["192.30.252.77/22"]}"#).unwrap();
        assert_eq!(r.nets()[0].to_string(), "192.30.252.0/22");
        assert!(r.contains(ip("192.30.255.1")));
    }

    #[test]
    fn malformed_documents() {
        assert!(matches!(parse_meta(b"<html>"), Err(MetaError::Json(_))));
        assert!(matches!(parse_meta(b"[]"), Err(MetaError::Json(_))));
        assert!(matches!(
            parse_meta(br#"{"hooks":"1.2.3.0/24"}"#),
            Err(MetaError::Json(_))
        ));
        assert!(matches!(
            parse_meta(br#"{"hooks":[1]}"#),
            Err(MetaError::Json(_))
        ));
        assert!(matches!(
            parse_meta(br#"{"web":[]}"#),
            Err(MetaError::NoHooks)
        ));
        assert!(matches!(
            parse_meta(br#"{"hooks":null}"#),
            Err(MetaError::NoHooks)
        ));
        for bad in ["not-a-cidr", "1.2.3.4/33", "300.1.1.1/8", "1.2.3.4", ""] {
            let doc = format!(r#"{{"hooks":["192.30.252.0/22","{bad}"]}}"#);
            assert!(
                matches!(parse_meta(doc.as_bytes()), Err(MetaError::BadCidr(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn bare_addresses_are_hosts_only_where_asked() {
        assert_eq!(
            parse_net("10.0.0.1", true).unwrap().to_string(),
            "10.0.0.1/32"
        );
        assert_eq!(parse_net("::1", true).unwrap().to_string(), "::1/128");
        assert!(parse_net("10.0.0.1", false).is_none());
        assert!(parse_net("nope", true).is_none());
    }
}
