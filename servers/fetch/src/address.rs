//! Address rules: which IP addresses and host names a fetch may connect to.
//!
//! Owns the pure rules ([`address_allowed`], [`host_name_allowed`], [`classify`]) and the
//! [`AddressPolicy`] they read. Must not do I/O: resolving names belongs to `resolver`,
//! connecting to `fetcher`. Every check of a URL, a redirect hop, a DNS answer and a
//! connected peer ends up here, so the rules live in exactly one place.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What the user allowed beyond the public internet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    /// Allow loopback, private (RFC 1918, unique local), link-local and shared (CGNAT)
    /// addresses, and the `localhost` names. Cloud metadata, unspecified, multicast,
    /// broadcast, documentation and reserved addresses stay refused even then.
    pub allow_private: bool,
    /// Exact addresses allowed whatever their class (an advanced and testing knob: a test
    /// allows its own `127.0.0.1` server while every other loopback address stays refused).
    /// IPv4-mapped IPv6 forms of a listed IPv4 address match it too.
    pub allowed: Vec<IpAddr>,
}

/// Why an address is not on the public internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressClass {
    /// `0.0.0.0/8`, `::`: "this host"; connecting to it reaches the local machine.
    Unspecified,
    /// `127.0.0.0/8`, `::1`: this computer.
    Loopback,
    /// `10/8`, `172.16/12`, `192.168/16`, `fc00::/7`, `fec0::/10`, `64:ff9b:1::/48`.
    Private,
    /// `169.254/16`, `fe80::/10`.
    LinkLocal,
    /// `100.64/10`, the carrier-grade NAT shared address space.
    SharedAddressSpace,
    /// A cloud instance metadata endpoint, such as `169.254.169.254`.
    Metadata,
    /// `224/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// Documentation ranges: `192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`,
    /// `3fff::/20`.
    Documentation,
    /// Reserved or special-purpose: `240/4`, `192.0.0/24`, `198.18/15`, `192.88.99/24`,
    /// `100::/64`, `2001::/23` (Teredo included), deprecated IPv4-compatible IPv6, and any
    /// IPv6 address outside global unicast `2000::/3`.
    Reserved,
}

impl AddressClass {
    /// Whether the user's "allow private addresses" setting unlocks this class.
    pub fn unlocked_by_private_setting(self) -> bool {
        matches!(
            self,
            Self::Loopback | Self::Private | Self::LinkLocal | Self::SharedAddressSpace
        )
    }

    /// A phrase that completes "X is …".
    pub fn description(self) -> &'static str {
        match self {
            Self::Unspecified => "an unspecified address (it means this computer)",
            Self::Loopback => "a loopback address (this computer)",
            Self::Private => "a private network address",
            Self::LinkLocal => "a link-local address",
            Self::SharedAddressSpace => "a carrier-grade NAT (shared) address",
            Self::Metadata => "a cloud metadata endpoint",
            Self::Multicast => "a multicast address",
            Self::Broadcast => "a broadcast address",
            Self::Documentation => "a documentation-only address",
            Self::Reserved => "a reserved address",
        }
    }
}

/// The class an address falls in, and the IPv4 address it embeds when the verdict came
/// from one (IPv4-mapped, IPv4-compatible, NAT64, 6to4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    /// Why the address is special.
    pub class: AddressClass,
    /// The embedded IPv4 address the class was read from, if any.
    pub embedded: Option<Ipv4Addr>,
}

/// An address the policy refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct AddressRefusal {
    /// The address as it was met (in the URL, in a DNS answer, as the connected peer).
    pub address: IpAddr,
    /// Why it was refused.
    pub class: AddressClass,
    /// The embedded IPv4 address the verdict came from, if any.
    pub embedded: Option<Ipv4Addr>,
}

impl fmt::Display for AddressRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is {}", self.address, self.class.description())?;
        if let Some(v4) = self.embedded {
            write!(f, " (it embeds the IPv4 address {v4})")?;
        }
        Ok(())
    }
}

/// Why a host name is refused before it is even resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameClass {
    /// `localhost` and `*.localhost` (RFC 6761): always this computer.
    Localhost,
    /// A well-known cloud metadata host name, such as `metadata.google.internal`.
    Metadata,
}

/// A host name the policy refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name} is {}", match .class {
    NameClass::Localhost => "a name for this computer (loopback)",
    NameClass::Metadata => "the name of a cloud metadata endpoint",
})]
pub struct NameRefusal {
    /// The host name, normalised (lower case, no trailing dot).
    pub name: String,
    /// Why it was refused.
    pub class: NameClass,
}

impl NameRefusal {
    /// Whether the user's "allow private addresses" setting would have allowed this name.
    pub fn unlocked_by_private_setting(&self) -> bool {
        self.class == NameClass::Localhost
    }
}

/// Host names of cloud metadata services. They resolve to addresses that are refused
/// anyway; naming them here refuses them before any DNS query leaves the machine.
const METADATA_NAMES: &[&str] = &[
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "metadata.azure.internal",
    "instance-data",
    "instance-data.ec2.internal",
    "metadata.tencentyun.com",
    "metadata.platformequinix.com",
];

/// IPv4 addresses of cloud metadata services (AWS, GCP, Azure, OpenStack; AWS ECS task
/// metadata; Alibaba Cloud).
const METADATA_V4: &[Ipv4Addr] = &[
    Ipv4Addr::new(169, 254, 169, 254),
    Ipv4Addr::new(169, 254, 170, 2),
    Ipv4Addr::new(169, 254, 169, 253),
    Ipv4Addr::new(100, 100, 100, 200),
];

/// IPv6 addresses of cloud metadata services (AWS IMDS and its DNS resolver over IPv6).
const METADATA_V6: &[Ipv6Addr] = &[
    Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254),
    Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0023),
];

/// Whether a connection to `ip` is allowed under `policy`.
pub fn address_allowed(ip: IpAddr, policy: &AddressPolicy) -> Result<(), AddressRefusal> {
    let wanted = canonical(ip);
    if policy.allowed.iter().any(|&a| canonical(a) == wanted) {
        return Ok(());
    }
    match classify(ip) {
        None => Ok(()),
        Some(found) if policy.allow_private && found.class.unlocked_by_private_setting() => Ok(()),
        Some(found) => Err(AddressRefusal {
            address: ip,
            class: found.class,
            embedded: found.embedded,
        }),
    }
}

/// Whether a host name may be looked up under `policy`. IP literals are not names: check
/// them with [`address_allowed`].
pub fn host_name_allowed(name: &str, policy: &AddressPolicy) -> Result<(), NameRefusal> {
    let name = normalise_name(name);
    let class = if name == "localhost" || name.ends_with(".localhost") {
        NameClass::Localhost
    } else if METADATA_NAMES.contains(&name.as_str()) {
        NameClass::Metadata
    } else {
        return Ok(());
    };
    let refusal = NameRefusal { name, class };
    if policy.allow_private && refusal.unlocked_by_private_setting() {
        Ok(())
    } else {
        Err(refusal)
    }
}

/// Lower case, without the trailing dot of a fully qualified name.
fn normalise_name(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// IPv4-mapped IPv6 addresses are the IPv4 address they map; everything else is itself.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The class of a non-public address, or `None` for a public (global unicast) one.
pub fn classify(ip: IpAddr) -> Option<Classification> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4).map(|class| Classification {
            class,
            embedded: None,
        }),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<AddressClass> {
    let [a, b, c, _] = ip.octets();
    let class = if METADATA_V4.contains(&ip) {
        AddressClass::Metadata
    } else if a == 0 {
        AddressClass::Unspecified
    } else if a == 127 {
        AddressClass::Loopback
    } else if a == 10 || (a == 172 && (16..=31).contains(&b)) || (a == 192 && b == 168) {
        AddressClass::Private
    } else if a == 169 && b == 254 {
        AddressClass::LinkLocal
    } else if a == 100 && (64..=127).contains(&b) {
        AddressClass::SharedAddressSpace
    } else if (a == 192 && b == 0 && c == 2)
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
    {
        AddressClass::Documentation
    } else if (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || (a == 192 && b == 88 && c == 99)
    {
        AddressClass::Reserved
    } else if ip == Ipv4Addr::BROADCAST {
        AddressClass::Broadcast
    } else if (224..=239).contains(&a) {
        AddressClass::Multicast
    } else if a >= 240 {
        AddressClass::Reserved
    } else {
        return None;
    };
    Some(class)
}

fn classify_v6(ip: Ipv6Addr) -> Option<Classification> {
    let plain = |class| {
        Some(Classification {
            class,
            embedded: None,
        })
    };
    // An IPv6 address that carries an IPv4 address is judged by the IPv4 address.
    let embedding = |v4: Ipv4Addr, otherwise: Option<AddressClass>| match classify_v4(v4) {
        Some(class) => Some(Classification {
            class,
            embedded: Some(v4),
        }),
        None => otherwise.map(|class| Classification {
            class,
            embedded: None,
        }),
    };
    let s = ip.segments();
    let low_v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);

    if METADATA_V6.contains(&ip) {
        return plain(AddressClass::Metadata);
    }
    if ip.is_unspecified() {
        return plain(AddressClass::Unspecified);
    }
    if ip.is_loopback() {
        return plain(AddressClass::Loopback);
    }
    // ::ffff:a.b.c.d (IPv4-mapped): it is the IPv4 address.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return embedding(v4, None);
    }
    // ::a.b.c.d (IPv4-compatible, deprecated): refused, and named after the embedded
    // address when that one is special.
    if s[..6] == [0, 0, 0, 0, 0, 0] {
        if low_v4.octets()[0] == 0 {
            return plain(AddressClass::Reserved);
        }
        return embedding(low_v4, Some(AddressClass::Reserved));
    }
    // ::ffff:0:a.b.c.d (IPv4-translated, SIIT).
    if s[..6] == [0, 0, 0, 0, 0xffff, 0] {
        return embedding(low_v4, Some(AddressClass::Reserved));
    }
    // 64:ff9b::/96 (NAT64 well-known prefix): reaches the embedded IPv4 address.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return embedding(low_v4, None);
    }
    // 64:ff9b:1::/48 (NAT64 local use).
    if s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1 {
        return plain(AddressClass::Private);
    }
    // 2002::/16 (6to4): the IPv4 address sits in bits 16..48.
    if s[0] == 0x2002 {
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        return embedding(v4, None);
    }
    // 2001:db8::/32 and 3fff::/20 (documentation).
    if (s[0] == 0x2001 && s[1] == 0x0db8) || (s[0] & 0xfff0) == 0x3ff0 {
        return plain(AddressClass::Documentation);
    }
    // 2001::/23 (IETF protocol assignments, Teredo 2001::/32 among them).
    if s[0] == 0x2001 && s[1] < 0x0200 {
        return plain(AddressClass::Reserved);
    }
    // 100::/64 (discard only).
    if s[..4] == [0x0100, 0, 0, 0] {
        return plain(AddressClass::Reserved);
    }
    match s[0] {
        x if (x & 0xfe00) == 0xfc00 => plain(AddressClass::Private), // fc00::/7
        x if (x & 0xffc0) == 0xfe80 => plain(AddressClass::LinkLocal), // fe80::/10
        x if (x & 0xffc0) == 0xfec0 => plain(AddressClass::Private), // fec0::/10
        x if (x & 0xff00) == 0xff00 => plain(AddressClass::Multicast), // ff00::/8
        x if (x & 0xe000) == 0x2000 => None,                         // 2000::/3
        _ => plain(AddressClass::Reserved),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("test address")
    }

    fn verdict(text: &str) -> Option<AddressClass> {
        classify(ip(text)).map(|c| c.class)
    }

    #[test]
    fn public_addresses_are_allowed() {
        for text in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.215.14",
            "172.15.255.255",
            "172.32.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "169.253.255.255",
            "192.167.255.255",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2a00:1450:4001:80b::200e",
            "2001:4860:4860::8888",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "::ffff:8.8.8.8",
        ] {
            assert_eq!(verdict(text), None, "{text} is public");
            assert!(
                address_allowed(ip(text), &AddressPolicy::default()).is_ok(),
                "{text} must be allowed by default"
            );
        }
    }

    #[test]
    fn every_special_range_has_its_class() {
        use AddressClass::*;
        let cases = [
            ("0.0.0.0", Unspecified),
            ("0.1.2.3", Unspecified),
            ("127.0.0.1", Loopback),
            ("127.0.0.2", Loopback),
            ("127.255.255.254", Loopback),
            ("10.0.0.1", Private),
            ("10.255.255.255", Private),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("192.168.1.1", Private),
            ("169.254.0.1", LinkLocal),
            ("169.254.169.254", Metadata),
            ("169.254.170.2", Metadata),
            ("100.100.100.200", Metadata),
            ("100.64.0.1", SharedAddressSpace),
            ("100.127.255.255", SharedAddressSpace),
            ("224.0.0.1", Multicast),
            ("239.255.255.250", Multicast),
            ("255.255.255.255", Broadcast),
            ("240.0.0.1", Reserved),
            ("192.0.0.8", Reserved),
            ("198.18.0.1", Reserved),
            ("198.19.255.255", Reserved),
            ("192.88.99.1", Reserved),
            ("192.0.2.1", Documentation),
            ("198.51.100.7", Documentation),
            ("203.0.113.9", Documentation),
            ("::", Unspecified),
            ("::1", Loopback),
            ("fc00::1", Private),
            ("fd12:3456::1", Private),
            ("fec0::1", Private),
            ("fe80::1", LinkLocal),
            ("febf::1", LinkLocal),
            ("fd00:ec2::254", Metadata),
            ("ff02::1", Multicast),
            ("2001:db8::1", Documentation),
            ("3fff::1", Documentation),
            ("2001::1", Reserved),
            ("2001:0:4136:e378:8000:63bf:3fff:fdd2", Reserved),
            ("100::1", Reserved),
            ("64:ff9b:1::a00:1", Private),
            ("4000::1", Reserved),
            ("::2", Reserved),
        ];
        for (text, class) in cases {
            assert_eq!(verdict(text), Some(class), "class of {text}");
        }
    }

    #[test]
    fn ipv6_forms_that_embed_a_refused_ipv4_address_are_refused_by_it() {
        let cases = [
            ("::ffff:127.0.0.1", "127.0.0.1", AddressClass::Loopback),
            ("::ffff:7f00:1", "127.0.0.1", AddressClass::Loopback),
            (
                "::ffff:169.254.169.254",
                "169.254.169.254",
                AddressClass::Metadata,
            ),
            ("::127.0.0.1", "127.0.0.1", AddressClass::Loopback),
            ("::ffff:0:10.0.0.1", "10.0.0.1", AddressClass::Private),
            ("64:ff9b::127.0.0.1", "127.0.0.1", AddressClass::Loopback),
            (
                "64:ff9b::a9fe:a9fe",
                "169.254.169.254",
                AddressClass::Metadata,
            ),
            ("2002:7f00:1::", "127.0.0.1", AddressClass::Loopback),
            ("2002:c0a8:101::1", "192.168.1.1", AddressClass::Private),
        ];
        for (text, v4, class) in cases {
            let refusal = address_allowed(ip(text), &AddressPolicy::default())
                .expect_err(&format!("{text} must be refused"));
            assert_eq!(refusal.class, class, "class of {text}");
            assert_eq!(
                refusal.embedded,
                Some(v4.parse().unwrap()),
                "{text} embeds {v4}"
            );
            assert!(
                refusal.to_string().contains(v4),
                "the message names the embedded address: {refusal}"
            );
        }
    }

    #[test]
    fn the_private_setting_unlocks_local_networks_but_not_metadata_or_reserved() {
        let open = AddressPolicy {
            allow_private: true,
            allowed: Vec::new(),
        };
        for text in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.10",
            "169.254.1.1",
            "100.64.1.1",
            "::1",
            "fe80::1",
            "fd12::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(
                address_allowed(ip(text), &open).is_ok(),
                "{text} is allowed once the user allows private addresses"
            );
            assert!(
                address_allowed(ip(text), &AddressPolicy::default()).is_err(),
                "{text} is refused by default"
            );
        }
        for text in [
            "169.254.169.254",
            "fd00:ec2::254",
            "100.100.100.200",
            "0.0.0.0",
            "::",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "240.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(
                address_allowed(ip(text), &open).is_err(),
                "{text} stays refused even with private addresses allowed"
            );
        }
    }

    #[test]
    fn an_exact_allowed_address_opens_only_itself() {
        let policy = AddressPolicy {
            allow_private: false,
            allowed: vec![ip("127.0.0.1")],
        };
        assert!(address_allowed(ip("127.0.0.1"), &policy).is_ok());
        assert!(
            address_allowed(ip("::ffff:127.0.0.1"), &policy).is_ok(),
            "the mapped form is the same address"
        );
        assert!(address_allowed(ip("127.0.0.2"), &policy).is_err());
        assert!(address_allowed(ip("::1"), &policy).is_err());
        assert!(address_allowed(ip("169.254.169.254"), &policy).is_err());
    }

    #[test]
    fn refusals_say_what_and_why() {
        let refusal = address_allowed(ip("10.0.0.5"), &AddressPolicy::default()).unwrap_err();
        assert_eq!(refusal.to_string(), "10.0.0.5 is a private network address");
    }

    #[test]
    fn localhost_names_are_refused_unless_private_addresses_are_allowed() {
        let closed = AddressPolicy::default();
        let open = AddressPolicy {
            allow_private: true,
            allowed: Vec::new(),
        };
        for name in [
            "localhost",
            "LOCALHOST",
            "localhost.",
            "app.localhost",
            "a.b.localhost.",
        ] {
            let refusal = host_name_allowed(name, &closed).expect_err(name);
            assert_eq!(refusal.class, NameClass::Localhost, "{name}");
            assert!(
                host_name_allowed(name, &open).is_ok(),
                "{name} with the setting"
            );
        }
        for name in ["localhost.example.com", "notlocalhost", "example.com"] {
            assert!(
                host_name_allowed(name, &closed).is_ok(),
                "{name} is an ordinary name"
            );
        }
    }

    #[test]
    fn metadata_names_are_always_refused() {
        let open = AddressPolicy {
            allow_private: true,
            allowed: vec![ip("169.254.169.254")],
        };
        for name in [
            "metadata.google.internal",
            "Metadata.Google.Internal.",
            "metadata",
        ] {
            let refusal = host_name_allowed(name, &open).expect_err(name);
            assert_eq!(refusal.class, NameClass::Metadata);
            assert!(refusal.to_string().contains("cloud metadata"), "{refusal}");
        }
    }
}
