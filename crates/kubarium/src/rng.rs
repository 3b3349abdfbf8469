//! The simulation's one seeded random number generator.
//!
//! Kubernetes is random in few places that a user can see; generated name suffixes are the main
//! one. All of them draw from this generator, so the same input and seed give the same names and
//! the same event log, natively and in wasm.

/// SplitMix64: small, fast, and identical on every platform (only wrapping 64-bit integer maths).
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

/// The alphabet of `k8s.io/apimachinery/pkg/util/rand.String`: no vowels, and no digits or
/// letters that are easily confused, so generated names never spell words.
const NAME_SUFFIX_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// `k8s.io/apiserver/pkg/storage/names`: `maxNameLength` 63, `randomLength` 5.
const MAX_NAME_LENGTH: usize = 63;
const RANDOM_SUFFIX_LENGTH: usize = 5;

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniformly distributed integer in `0..bound` (`bound > 0`), without modulo bias.
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "Rng::below needs a positive bound");
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let value = self.next_u64();
            if value < zone {
                return value % bound;
            }
        }
    }

    /// `names.SimpleNameGenerator.GenerateName` in `k8s.io/apiserver/pkg/storage/names`: the
    /// base, cut so the whole name fits in 63 characters, plus five random characters.
    pub fn generate_name(&mut self, base: &str) -> String {
        let max_base = MAX_NAME_LENGTH - RANDOM_SUFFIX_LENGTH;
        let mut name: String = base.chars().take(max_base).collect();
        for _ in 0..RANDOM_SUFFIX_LENGTH {
            let index = self.below(NAME_SUFFIX_ALPHABET.len() as u64) as usize;
            name.push(NAME_SUFFIX_ALPHABET[index] as char);
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_names() {
        let mut first = Rng::new(7);
        let mut second = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(first.generate_name("web-"), second.generate_name("web-"));
        }
    }

    #[test]
    fn generated_names_use_kubernetes_alphabet_and_length() {
        let mut rng = Rng::new(1);
        let name = rng.generate_name("myweb-ds-");
        assert!(name.starts_with("myweb-ds-"));
        assert_eq!(name.len(), "myweb-ds-".len() + 5);
        assert!(name["myweb-ds-".len()..]
            .bytes()
            .all(|byte| NAME_SUFFIX_ALPHABET.contains(&byte)));
        let long_base = "x".repeat(80);
        assert_eq!(rng.generate_name(&long_base).len(), MAX_NAME_LENGTH);
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = Rng::new(3);
        for bound in [1_u64, 2, 27, 1000] {
            for _ in 0..200 {
                assert!(rng.below(bound) < bound);
            }
        }
    }
}
