//! A fast, deterministic hasher for maps that are only looked up, never iterated.
//!
//! The rustc/Firefox "Fx" hash (one multiply and rotate per word) with a final mix. It has no
//! random seed, so the same input always hashes the same; still, nothing may iterate these maps,
//! because their order is not meaningful (everything iterated is a `BTreeMap`).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// `FxHasher` (as in `rustc-hash`).
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }

    fn write_u32(&mut self, value: u32) {
        self.add(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    /// The multiply leaves the low bits depending only on the low bits of the input, and hash
    /// tables index by the low bits (all of them on 32-bit wasm), so the state is mixed once more
    /// (MurmurHash3's `fmix64`) before it is used.
    fn finish(&self) -> u64 {
        let mut hash = self.hash;
        hash ^= hash >> 33;
        hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
        hash ^= hash >> 33;
        hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        hash ^ (hash >> 33)
    }
}

/// A `HashMap` with `FxHasher`: for look-ups only.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
/// A `HashSet` with `FxHasher`: for look-ups only.
pub type FastSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, BuildHasherDefault};

    #[test]
    fn keys_that_differ_late_spread_over_the_low_bits() {
        let build = BuildHasherDefault::<FxHasher>::default();
        let low_bits: std::collections::BTreeSet<u64> = (0..1000)
            .map(|index| build.hash_one(format!("pod-{index:04}")) & 0xfff)
            .collect();
        assert!(
            low_bits.len() > 700,
            "only {} distinct low-bit buckets of 1000 keys",
            low_bits.len()
        );
    }
}
