//! The one rule for "which address did this request come from", used by server functions,
//! the REST API, sign-in rate limits and the audit trail alike.
//!
//! `X-Forwarded-For` is a list each proxy appends to, so only its right-hand end is
//! trustworthy: walking from the socket address leftwards through the header, every hop that is
//! one of *our* proxies may vouch for the next; the first address that is not ours is the
//! client. Anything further left was written by the client itself and is ignored. With no
//! trusted proxies configured, the header is ignored entirely.

use std::net::IpAddr;
use std::str::FromStr;

use http::HeaderMap;
use ipnet::IpNet;

/// The reverse proxies (addresses or CIDR blocks) allowed to say who the client is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{entry:?} is not an IP address or CIDR block (e.g. 10.0.0.5 or 10.0.0.0/24)")]
pub struct InvalidProxy {
    pub entry: String,
}

impl FromStr for TrustedProxies {
    type Err = InvalidProxy;

    /// A comma- or space-separated list, e.g. `127.0.0.1, 10.0.0.0/24`.
    fn from_str(list: &str) -> Result<Self, Self::Err> {
        list.split([',', ' '])
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| InvalidProxy {
                        entry: entry.to_owned(),
                    })
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }
}

impl TrustedProxies {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// Whether headers set by a proxy (`X-Forwarded-For`, `X-Forwarded-Proto`) may be believed
    /// for a request whose TCP peer is `peer`.
    pub fn vouches_for(&self, peer: Option<IpAddr>) -> bool {
        peer.is_some_and(|p| self.trusts(p))
    }

    /// The client's address: the right-most address of the forwarding chain that is not one of
    /// our proxies, or the socket address when the peer is not a trusted proxy.
    pub fn client_address(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer.map(canonical)?;
        if !self.trusts(peer) {
            return Some(peer);
        }
        let mut hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        while let Some(hop) = hops.pop() {
            // A garbled hop ends the chain: what is left of it cannot be believed.
            let Ok(ip) = hop.parse::<IpAddr>().map(canonical) else {
                break;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        Some(client)
    }
}

/// IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is the IPv4 address, so a v4 CIDR matches it.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().expect("header value"));
        }
        h
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().expect("ip"))
    }

    #[test]
    fn without_trusted_proxies_the_forwarded_header_is_ignored() {
        let none = TrustedProxies::default();
        let got = none.client_address(ip("203.0.113.9"), &headers(&["1.2.3.4"]));
        assert_eq!(got, ip("203.0.113.9"));
    }

    #[test]
    fn a_spoofed_leftmost_address_is_not_taken_for_the_client() {
        let proxies: TrustedProxies = "10.0.0.0/24".parse().expect("list");
        // The client wrote "6.6.6.6" itself; our proxy appended the address it saw.
        let got = proxies.client_address(ip("10.0.0.2"), &headers(&["6.6.6.6, 198.51.100.7"]));
        assert_eq!(got, ip("198.51.100.7"));
    }

    #[test]
    fn a_chain_of_trusted_proxies_is_walked_to_the_first_untrusted_hop() {
        let proxies: TrustedProxies = "10.0.0.1, 10.0.0.2".parse().expect("list");
        let got = proxies.client_address(
            ip("10.0.0.1"),
            &headers(&["6.6.6.6", "198.51.100.7, 10.0.0.2"]),
        );
        assert_eq!(got, ip("198.51.100.7"));
    }

    #[test]
    fn an_untrusted_peer_cannot_set_the_client_address() {
        let proxies: TrustedProxies = "10.0.0.1".parse().expect("list");
        let got = proxies.client_address(ip("198.51.100.7"), &headers(&["1.2.3.4"]));
        assert_eq!(got, ip("198.51.100.7"));
    }

    #[test]
    fn a_garbled_hop_stops_the_walk_at_the_last_believable_address() {
        let proxies: TrustedProxies = "10.0.0.1".parse().expect("list");
        let got = proxies.client_address(ip("10.0.0.1"), &headers(&["1.2.3.4, junk"]));
        assert_eq!(got, ip("10.0.0.1"));
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_blocks() {
        let proxies: TrustedProxies = "127.0.0.1".parse().expect("list");
        let got = proxies.client_address(ip("::ffff:127.0.0.1"), &headers(&["198.51.100.7"]));
        assert_eq!(got, ip("198.51.100.7"));
    }

    #[test]
    fn a_bad_entry_in_the_list_is_named() {
        let err = "10.0.0.1, not-an-ip".parse::<TrustedProxies>().unwrap_err();
        assert_eq!(err.entry, "not-an-ip");
    }
}
