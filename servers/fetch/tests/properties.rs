//! Property tests of the address rules: the classifier agrees with an independent table
//! of refused IPv4 ranges, every IPv6 form that embeds an IPv4 address gets that address's
//! verdict, the user's setting opens exactly the local classes, and exact allowances open
//! exactly themselves.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use server_fetch::address::{AddressClass, AddressPolicy, address_allowed, classify};

/// Refused IPv4 ranges, written out independently of the classifier.
const REFUSED_V4: &[([u8; 4], u8)] = &[
    ([0, 0, 0, 0], 8),
    ([10, 0, 0, 0], 8),
    ([100, 64, 0, 0], 10),
    ([127, 0, 0, 0], 8),
    ([169, 254, 0, 0], 16),
    ([172, 16, 0, 0], 12),
    ([192, 0, 0, 0], 24),
    ([192, 0, 2, 0], 24),
    ([192, 88, 99, 0], 24),
    ([192, 168, 0, 0], 16),
    ([198, 18, 0, 0], 15),
    ([198, 51, 100, 0], 24),
    ([203, 0, 113, 0], 24),
    ([224, 0, 0, 0], 4),
    ([240, 0, 0, 0], 4),
    ([100, 100, 100, 200], 32),
];

fn in_refused_range(ip: Ipv4Addr) -> bool {
    REFUSED_V4.iter().any(|&(network, prefix)| {
        let mask = if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - prefix)
        };
        u32::from(ip) & mask == u32::from(Ipv4Addr::from(network)) & mask
    })
}

fn refused(ip: IpAddr, policy: &AddressPolicy) -> bool {
    address_allowed(ip, policy).is_err()
}

fn any_v4() -> impl Strategy<Value = Ipv4Addr> {
    prop_oneof![
        any::<u32>().prop_map(Ipv4Addr::from),
        // Bias towards the edges of the special ranges.
        (
            prop::sample::select(REFUSED_V4.to_vec()),
            any::<u32>(),
            any::<bool>()
        )
            .prop_map(|((network, prefix), noise, just_outside)| {
                let base = u32::from(Ipv4Addr::from(network));
                let size = if prefix == 0 {
                    u32::MAX
                } else {
                    (1u64 << (32 - prefix)) as u32
                };
                if just_outside {
                    Ipv4Addr::from(base.wrapping_add(size))
                } else {
                    Ipv4Addr::from(base.wrapping_add(noise % size.max(1)))
                }
            }),
    ]
}

proptest! {
    #[test]
    fn ipv4_verdicts_agree_with_the_range_table(v4 in any_v4()) {
        let by_table = in_refused_range(v4);
        let by_rules = refused(IpAddr::V4(v4), &AddressPolicy::default());
        prop_assert_eq!(by_rules, by_table, "{}", v4);
    }

    #[test]
    fn ipv6_forms_embedding_ipv4_share_its_verdict(v4 in any_v4(), suffix in any::<u16>()) {
        let policy = AddressPolicy::default();
        let expected = refused(IpAddr::V4(v4), &policy);
        let [a, b, c, d] = v4.octets();
        let high = u16::from_be_bytes([a, b]);
        let low = u16::from_be_bytes([c, d]);
        let mapped = v4.to_ipv6_mapped();
        let nat64 = Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, high, low);
        let six_to_four = Ipv6Addr::new(0x2002, high, low, suffix, 0, 0, 0, 1);
        for form in [mapped, nat64, six_to_four] {
            prop_assert_eq!(refused(IpAddr::V6(form), &policy), expected, "{} for {}", form, v4);
        }
        // The deprecated IPv4-compatible form is refused whatever it embeds.
        let compatible = Ipv6Addr::new(0, 0, 0, 0, 0, 0, high, low);
        prop_assert!(refused(IpAddr::V6(compatible), &policy), "{}", compatible);
    }

    #[test]
    fn the_private_setting_opens_exactly_the_local_classes(v4 in any_v4()) {
        let open = AddressPolicy { allow_private: true, allowed: Vec::new() };
        let ip = IpAddr::V4(v4);
        let local = classify(ip).is_some_and(|c| matches!(
            c.class,
            AddressClass::Loopback | AddressClass::Private | AddressClass::LinkLocal | AddressClass::SharedAddressSpace
        ));
        prop_assert_eq!(refused(ip, &open), in_refused_range(v4) && !local, "{}", v4);
        if [Ipv4Addr::new(169, 254, 169, 254), Ipv4Addr::new(100, 100, 100, 200)].contains(&v4) {
            prop_assert!(refused(ip, &open), "metadata stays refused");
        }
    }

    #[test]
    fn an_exact_allowance_opens_only_itself(allowed in any_v4(), other in any_v4()) {
        let policy = AddressPolicy { allow_private: false, allowed: vec![IpAddr::V4(allowed)] };
        prop_assert!(!refused(IpAddr::V4(allowed), &policy));
        prop_assert!(!refused(IpAddr::V6(allowed.to_ipv6_mapped()), &policy));
        if other != allowed {
            prop_assert_eq!(refused(IpAddr::V4(other), &policy), in_refused_range(other));
        }
    }

    #[test]
    fn ipv6_outside_global_unicast_is_refused(first in 0x4000u16..0xffff, rest in any::<[u16; 7]>()) {
        let ip = Ipv6Addr::new(first, rest[0], rest[1], rest[2], rest[3], rest[4], rest[5], rest[6]);
        prop_assert!(refused(IpAddr::V6(ip), &AddressPolicy::default()), "{}", ip);
    }

    #[test]
    fn ordinary_global_unicast_ipv6_is_allowed(first in 0x2400u16..0x3fef, rest in any::<[u16; 7]>()) {
        let ip = Ipv6Addr::new(first, rest[0], rest[1], rest[2], rest[3], rest[4], rest[5], rest[6]);
        prop_assert!(!refused(IpAddr::V6(ip), &AddressPolicy::default()), "{}", ip);
    }
}
