//! The DNS hook of the HTTP client: resolve a host name, then hand the client only the
//! addresses the policy allows.
//!
//! Owns [`GuardedResolver`] and [`ResolveFailure`]. Because the client connects only to
//! addresses this hook returned, a name that answers differently the second time (DNS
//! rebinding) cannot slip past the check: there is no second time. Must not judge
//! addresses itself: the rules are in `address`.

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::address::{
    AddressPolicy, AddressRefusal, NameRefusal, address_allowed, host_name_allowed,
};

/// Why a name could not be turned into allowed addresses. The fetcher finds it in the
/// client's error chain and turns it into a precise tool error.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ResolveFailure {
    /// The name itself is refused.
    #[error("{0}")]
    NameRefused(NameRefusal),
    /// Every address the name resolved to is refused.
    #[error("{host} resolves only to refused addresses")]
    AddressesRefused {
        /// The name.
        host: String,
        /// One refusal per address.
        refusals: Vec<AddressRefusal>,
    },
    /// The lookup failed or found nothing.
    #[error("{detail}")]
    Lookup {
        /// The name.
        host: String,
        /// What the system resolver said.
        detail: String,
    },
}

/// Resolves with the system resolver and filters the answer through the policy.
#[derive(Debug, Clone)]
pub(crate) struct GuardedResolver {
    policy: Arc<AddressPolicy>,
}

impl GuardedResolver {
    pub(crate) fn new(policy: Arc<AddressPolicy>) -> Self {
        Self { policy }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let allowed = resolve_allowed(&host, &policy).await?;
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// The allowed addresses of `host`, in the resolver's order.
async fn resolve_allowed(
    host: &str,
    policy: &AddressPolicy,
) -> Result<Vec<SocketAddr>, ResolveFailure> {
    host_name_allowed(host, policy).map_err(ResolveFailure::NameRefused)?;
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|error| ResolveFailure::Lookup {
            host: host.to_owned(),
            detail: error.to_string(),
        })?
        .collect();
    let (allowed, refusals) = partition(found, policy);
    if !allowed.is_empty() {
        return Ok(allowed);
    }
    if refusals.is_empty() {
        return Err(ResolveFailure::Lookup {
            host: host.to_owned(),
            detail: "the name has no addresses".to_owned(),
        });
    }
    tracing::debug!(refused = refusals.len(), "every resolved address refused");
    Err(ResolveFailure::AddressesRefused {
        host: host.to_owned(),
        refusals,
    })
}

/// Splits a DNS answer into the addresses to connect to and the refusals of the rest.
fn partition(
    found: Vec<SocketAddr>,
    policy: &AddressPolicy,
) -> (Vec<SocketAddr>, Vec<AddressRefusal>) {
    let mut allowed = Vec::with_capacity(found.len());
    let mut refusals = Vec::new();
    for address in found {
        match address_allowed(address.ip(), policy) {
            Ok(()) => allowed.push(address),
            Err(refusal) => {
                if !refusals.contains(&refusal) {
                    refusals.push(refusal);
                }
            }
        }
    }
    (allowed, refusals)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> SocketAddr {
        SocketAddr::new(text.parse().unwrap(), 0)
    }

    #[test]
    fn a_mixed_answer_keeps_only_the_public_addresses() {
        let (allowed, refusals) = partition(
            vec![
                addr("127.0.0.1"),
                addr("93.184.215.14"),
                addr("::1"),
                addr("10.0.0.1"),
            ],
            &AddressPolicy::default(),
        );
        assert_eq!(allowed, vec![addr("93.184.215.14")]);
        assert_eq!(refusals.len(), 3, "{refusals:?}");
    }

    #[tokio::test]
    async fn localhost_is_refused_before_any_lookup() {
        let failure = resolve_allowed("localhost", &AddressPolicy::default())
            .await
            .unwrap_err();
        assert!(
            matches!(failure, ResolveFailure::NameRefused(_)),
            "{failure:?}"
        );
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused_by_address() {
        // A numeric name is answered by the system resolver without any query; the
        // answer is then judged by address like any other.
        let failure = resolve_allowed("127.0.0.1", &AddressPolicy::default())
            .await
            .unwrap_err();
        match failure {
            ResolveFailure::AddressesRefused { refusals, .. } => {
                assert_eq!(
                    refusals[0].address,
                    "127.0.0.1".parse::<std::net::IpAddr>().unwrap()
                )
            }
            other => panic!("expected an address refusal, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn the_private_setting_lets_localhost_resolve() {
        let policy = AddressPolicy {
            allow_private: true,
            allowed: vec![],
        };
        let found = resolve_allowed("localhost", &policy).await.unwrap();
        assert!(found.iter().all(|a| a.ip().is_loopback()), "{found:?}");
    }
}
