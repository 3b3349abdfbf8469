//! The API server's Service allocators: cluster IPs from the service CIDR
//! (`pkg/registry/core/service/ipallocator/ipallocator.go`) and node ports from the node port
//! range (`pkg/registry/core/service/portallocator/allocator.go` over
//! `pkg/registry/core/service/allocator/bitmap.go`), with the errors they return.
//!
//! Both split their range as KEP-3070 does: random allocations come from the upper part first,
//! so that the lower part (16 to 256 addresses, 16 to 128 ports) stays free for values users ask
//! for. Random draws use the simulation's seeded generator.

use std::collections::BTreeSet;

use crate::rng::Rng;

/// A kubeadm cluster's `serviceSubnet`.
pub const DEFAULT_SERVICE_CIDR: (u32, u8) = (0x0a60_0000, 12);
/// The API server's `--service-node-port-range` default.
pub const DEFAULT_NODE_PORT_BASE: i32 = 30000;
pub const DEFAULT_NODE_PORT_SIZE: i32 = 2768;

/// Why an allocation failed, in the allocators' words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllocError {
    /// `ErrAllocated`.
    Allocated { what: &'static str },
    /// `ErrNotInRange`, with the message of its kind.
    NotInRange(String),
    /// `ErrFull`.
    Full,
}

impl std::fmt::Display for AllocError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AllocError::Allocated { what } => write!(formatter, "provided {what} is already allocated"),
            AllocError::NotInRange(message) => formatter.write_str(message),
            AllocError::Full => formatter.write_str("range is full"),
        }
    }
}

/// `calculateRangeOffset` of the IP allocator: `min(max(16, size/16), 256)`, 0 for a range of
/// 16 addresses or fewer. `size` is the whole CIDR (`netutils.RangeSize`).
pub fn ip_range_offset(cidr_size: u64) -> u64 {
    if cidr_size <= 16 {
        return 0;
    }
    (cidr_size / 16).clamp(16, 256)
}

/// `calculateRangeOffset` of the port allocator: `min(max(16, size/32), 128)`, 0 for a range
/// of 16 ports or fewer.
pub fn port_range_offset(range_size: i32) -> i32 {
    if range_size <= 16 {
        return 0;
    }
    (range_size / 32).clamp(16, 128)
}

/// Offsets `[0, size)` split at `offset`: a random free one from `[offset, size)` first
/// (`randomScanStrategyWithOffset.AllocateBit`, `allocateNextService`), scanning forward from a
/// random start and wrapping, then from `[0, offset)` the same way.
fn next_free(taken: impl Fn(u64) -> bool, size: u64, offset: u64, rng: &mut Rng) -> Option<u64> {
    let upper = size - offset;
    if upper > 0 {
        let start = rng.below(upper);
        if let Some(found) = (0..upper)
            .map(|step| offset + (start + step) % upper)
            .find(|at| !taken(*at))
        {
            return Some(found);
        }
    }
    if offset > 0 {
        let start = rng.below(offset);
        return (0..offset).map(|step| (start + step) % offset).find(|at| !taken(*at));
    }
    None
}

/// The cluster IP range: every address of the CIDR but the network and broadcast ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpRange {
    network: u32,
    prefix_len: u8,
    allocated: BTreeSet<u32>,
}

/// Dotted IPv4 text.
pub fn format_ipv4(address: u32) -> String {
    let [a, b, c, d] = address.to_be_bytes();
    format!("{a}.{b}.{c}.{d}")
}

/// Parses dotted IPv4 text (`net.ParseIP` for IPv4: four decimal octets).
pub fn parse_ipv4(text: &str) -> Option<u32> {
    let octets: Vec<u8> = text
        .split('.')
        .map(|part| {
            if part.is_empty() || part.len() > 3 || !part.bytes().all(|byte| byte.is_ascii_digit()) {
                None
            } else {
                part.parse().ok()
            }
        })
        .collect::<Option<_>>()?;
    let [a, b, c, d] = octets.as_slice() else {
        return None;
    };
    Some(u32::from_be_bytes([*a, *b, *c, *d]))
}

impl IpRange {
    pub fn new(network: u32, prefix_len: u8) -> Self {
        IpRange {
            network,
            prefix_len,
            allocated: BTreeSet::new(),
        }
    }

    fn cidr_size(&self) -> u64 {
        1u64 << (32 - u32::from(self.prefix_len))
    }

    fn first(&self) -> u32 {
        self.network + 1
    }

    /// The number of allocatable addresses (`hostsPerNetwork`).
    fn size(&self) -> u64 {
        self.cidr_size().saturating_sub(2)
    }

    pub fn cidr(&self) -> String {
        format!("{}/{}", format_ipv4(self.network), self.prefix_len)
    }

    /// `Allocate`: reserves a requested address.
    pub fn allocate(&mut self, ip: &str) -> Result<(), AllocError> {
        let not_in_range = || {
            AllocError::NotInRange(format!(
                "the provided IP ({ip}) is not in the valid range. The range of valid IPs is {}",
                self.cidr()
            ))
        };
        let address = parse_ipv4(ip).ok_or_else(not_in_range)?;
        let offset = u64::from(address.wrapping_sub(self.first()));
        if address < self.first() || offset >= self.size() {
            return Err(not_in_range());
        }
        if !self.allocated.insert(address) {
            return Err(AllocError::Allocated { what: "IP" });
        }
        Ok(())
    }

    /// `AllocateNext`: a random free address, from the upper part of the range first.
    pub fn allocate_next(&mut self, rng: &mut Rng) -> Result<String, AllocError> {
        let first = self.first();
        let size = self.size();
        let offset = ip_range_offset(self.cidr_size()).min(size);
        let found =
            next_free(|at| self.allocated.contains(&(first + at as u32)), size, offset, rng).ok_or(AllocError::Full)?;
        let address = first + found as u32;
        self.allocated.insert(address);
        Ok(format_ipv4(address))
    }

    /// `Release`: freeing an address not held is a no-op.
    pub fn release(&mut self, ip: &str) {
        if let Some(address) = parse_ipv4(ip) {
            self.allocated.remove(&address);
        }
    }

    pub fn is_allocated(&self, ip: &str) -> bool {
        parse_ipv4(ip).is_some_and(|address| self.allocated.contains(&address))
    }
}

/// The node port range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortRange {
    base: i32,
    size: i32,
    allocated: BTreeSet<i32>,
}

impl PortRange {
    pub fn new(base: i32, size: i32) -> Self {
        PortRange {
            base,
            size,
            allocated: BTreeSet::new(),
        }
    }

    /// `net.PortRange.String`: `30000-32767`.
    pub fn range_text(&self) -> String {
        format!("{}-{}", self.base, self.base + self.size - 1)
    }

    /// `Allocate`: reserves a requested port.
    pub fn allocate(&mut self, port: i32) -> Result<(), AllocError> {
        if port < self.base || port >= self.base + self.size {
            return Err(AllocError::NotInRange(format!(
                "provided port is not in the valid range. The range of valid ports is {}",
                self.range_text()
            )));
        }
        if !self.allocated.insert(port) {
            return Err(AllocError::Allocated { what: "port" });
        }
        Ok(())
    }

    /// `AllocateNext`: a random free port, from the upper part of the range first.
    pub fn allocate_next(&mut self, rng: &mut Rng) -> Result<i32, AllocError> {
        let base = self.base;
        let offset = port_range_offset(self.size);
        let found = next_free(
            |at| self.allocated.contains(&(base + at as i32)),
            self.size as u64,
            offset as u64,
            rng,
        )
        .ok_or(AllocError::Full)?;
        let port = base + found as i32;
        self.allocated.insert(port);
        Ok(port)
    }

    pub fn release(&mut self, port: i32) {
        self.allocated.remove(&port);
    }

    pub fn is_allocated(&self, port: i32) -> bool {
        self.allocated.contains(&port)
    }
}

/// The allocators of one cluster, as the API server holds them (its `RangeAllocation`s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAllocators {
    pub ips: IpRange,
    pub node_ports: PortRange,
}

impl Default for ServiceAllocators {
    fn default() -> Self {
        ServiceAllocators {
            ips: IpRange::new(DEFAULT_SERVICE_CIDR.0, DEFAULT_SERVICE_CIDR.1),
            node_ports: PortRange::new(DEFAULT_NODE_PORT_BASE, DEFAULT_NODE_PORT_SIZE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_offsets_follow_kep_3070() {
        struct Case {
            name: &'static str,
            size: u64,
            offset: u64,
        }
        let cases = [
            Case {
                name: "a /28 has no static band",
                size: 16,
                offset: 0,
            },
            Case {
                name: "a /24 keeps the minimum of 16",
                size: 256,
                offset: 16,
            },
            Case {
                name: "a /20 keeps size/16",
                size: 4096,
                offset: 256,
            },
            Case {
                name: "kubeadm's /12 is capped at 256",
                size: 1 << 20,
                offset: 256,
            },
        ];
        for case in cases {
            assert_eq!(ip_range_offset(case.size), case.offset, "{}", case.name);
        }
        assert_eq!(port_range_offset(2768), 86, "30000-32767: 2768/32");
        assert_eq!(port_range_offset(10), 0);
        assert_eq!(port_range_offset(100_000), 128);
    }

    #[test]
    fn requested_ips_are_checked_against_the_range_and_the_taken_ones() {
        let mut allocators = ServiceAllocators::default();
        assert_eq!(allocators.ips.cidr(), "10.96.0.0/12");
        assert_eq!(allocators.ips.allocate("10.96.0.1"), Ok(()));
        assert_eq!(
            allocators.ips.allocate("10.96.0.1").unwrap_err().to_string(),
            "provided IP is already allocated"
        );
        for outside in ["10.96.0.0", "10.111.255.255", "10.112.0.1", "1.2.3.4", "not-an-ip"] {
            assert_eq!(
                allocators.ips.allocate(outside).unwrap_err().to_string(),
                format!(
                    "the provided IP ({outside}) is not in the valid range. The range of valid IPs is 10.96.0.0/12"
                )
            );
        }
        assert_eq!(allocators.ips.allocate("10.111.255.254"), Ok(()));
        allocators.ips.release("10.96.0.1");
        assert!(!allocators.ips.is_allocated("10.96.0.1"));
        assert_eq!(allocators.ips.allocate("10.96.0.1"), Ok(()));
    }

    #[test]
    fn random_ips_come_from_the_upper_band_and_never_repeat() {
        let mut ips = IpRange::new(DEFAULT_SERVICE_CIDR.0, DEFAULT_SERVICE_CIDR.1);
        let mut rng = Rng::new(5);
        let lowest_dynamic = parse_ipv4("10.96.1.1").expect("ip");
        let mut seen = BTreeSet::new();
        for _ in 0..200 {
            let ip = ips.allocate_next(&mut rng).expect("room");
            let address = parse_ipv4(&ip).expect("dotted");
            assert!(address >= lowest_dynamic, "{ip} is in the static band");
            assert!(seen.insert(address), "{ip} allocated twice");
        }
    }

    #[test]
    fn a_small_range_fills_the_upper_band_then_the_lower_then_is_full() {
        // A /27: 30 addresses, a static band of 16 (.1 to .16), a dynamic band of 14.
        let mut ips = IpRange::new(parse_ipv4("192.168.0.0").expect("ip"), 27);
        let mut rng = Rng::new(9);
        let order: Vec<u32> = (0..30)
            .map(|_| parse_ipv4(&ips.allocate_next(&mut rng).expect("room")).expect("ip") & 0xff)
            .collect();
        assert!(order[..14].iter().all(|last| (17..=30).contains(last)), "{order:?}");
        assert!(order[14..].iter().all(|last| (1..=16).contains(last)), "{order:?}");
        assert_eq!(ips.allocate_next(&mut rng), Err(AllocError::Full));
    }

    #[test]
    fn node_ports_are_checked_and_drawn_above_the_static_band() {
        let mut ports = PortRange::new(DEFAULT_NODE_PORT_BASE, DEFAULT_NODE_PORT_SIZE);
        assert_eq!(ports.allocate(30080), Ok(()));
        assert_eq!(
            ports.allocate(30080).unwrap_err().to_string(),
            "provided port is already allocated"
        );
        assert_eq!(
            ports.allocate(8080).unwrap_err().to_string(),
            "provided port is not in the valid range. The range of valid ports is 30000-32767"
        );
        assert!(ports.allocate(32768).is_err());
        let mut rng = Rng::new(1);
        for _ in 0..100 {
            let port = ports.allocate_next(&mut rng).expect("room");
            assert!((30086..=32767).contains(&port), "{port}");
        }
        ports.release(30080);
        assert!(!ports.is_allocated(30080));
    }
}
