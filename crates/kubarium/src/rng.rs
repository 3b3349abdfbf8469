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

    /// Draws `below(1)`, `below(2)`, ..., `below(count)` in turn, as reservoir sampling over
    /// `count` equal candidates does, and returns the last `j - 1` whose `below(j)` was 0:
    /// the candidate kept. The scheduler's tie-breaking (`selectHost`) asks this once per pod.
    pub fn reservoir_pick(&mut self, count: u64, divisors: &mut Divisors) -> u64 {
        divisors.prepare(count);
        // The state in a local, so the loop keeps it in a register.
        let mut local = Rng { state: self.state };
        let mut kept = 0;
        let tabled = count.min(Divisors::TABLE_LIMIT);
        for (bound, &(inverse, limit)) in (1..=tabled).zip(&divisors.constants) {
            let mut value = local.next_u64();
            while !in_zone(value, bound) {
                value = local.next_u64();
            }
            if value.wrapping_mul(inverse).rotate_right(bound.trailing_zeros()) <= limit {
                kept = bound - 1;
            }
        }
        for bound in tabled + 1..=count {
            if local.below(bound) == 0 {
                kept = bound - 1;
            }
        }
        self.state = local.state;
        kept
    }

    /// `names.SimpleNameGenerator.GenerateName` in `k8s.io/apiserver/pkg/storage/names`: the
    /// base, cut so the whole name fits in 63 characters, plus five random characters.
    pub fn generate_name(&mut self, base: &str) -> String {
        let max_base = MAX_NAME_LENGTH - RANDOM_SUFFIX_LENGTH;
        // The first `max_base` characters (not bytes), copied at once.
        let cut = base.char_indices().nth(max_base).map_or(base.len(), |(index, _)| index);
        let mut name = String::with_capacity(cut + RANDOM_SUFFIX_LENGTH);
        name.push_str(&base[..cut]);
        for _ in 0..RANDOM_SUFFIX_LENGTH {
            let index = self.below(NAME_SUFFIX_ALPHABET.len() as u64) as usize;
            name.push(NAME_SUFFIX_ALPHABET[index] as char);
        }
        name
    }
}

/// Whether `below` keeps a drawn value, `value < u64::MAX - u64::MAX % bound`. That zone is
/// above `u64::MAX - bound`, so a value at most that is inside it without dividing.
fn in_zone(value: u64, bound: u64) -> bool {
    value <= u64::MAX - bound || value < u64::MAX - (u64::MAX % bound)
}

/// Exact tests of `value % divisor == 0` for small divisors without dividing: multiplying by the
/// inverse of the divisor's odd part modulo 2^64, rotating out its factors of two, and comparing
/// with `u64::MAX / divisor` (Hacker's Delight, section 10-17, as compilers test a remainder
/// by a constant). The constants are computed once per divisor, when first asked for.
#[derive(Debug, Clone, Default)]
pub struct Divisors {
    /// For divisor `d` at index `d - 1`: the inverse of its odd part and `u64::MAX / d`.
    constants: Vec<(u64, u64)>,
}

impl Divisors {
    /// Divisors above this are tested with `%`.
    const TABLE_LIMIT: u64 = 1 << 16;

    /// Whether `divisor` divides `value`.
    #[inline]
    pub fn divides(&mut self, divisor: u64, value: u64) -> bool {
        self.prepare(divisor);
        self.divides_prepared(divisor, value)
    }

    /// Computes the constants of the divisors up to `divisor` not computed yet.
    #[inline]
    fn prepare(&mut self, divisor: u64) {
        let wanted = divisor.min(Self::TABLE_LIMIT) as usize;
        if self.constants.len() < wanted {
            self.grow(wanted);
        }
    }

    #[cold]
    fn grow(&mut self, wanted: usize) {
        while self.constants.len() < wanted {
            let next = self.constants.len() as u64 + 1;
            self.constants
                .push((odd_inverse(next >> next.trailing_zeros()), u64::MAX / next));
        }
    }

    /// `divides`, once `prepare` has computed the divisor's constants.
    #[inline]
    fn divides_prepared(&self, divisor: u64, value: u64) -> bool {
        debug_assert!(divisor > 0);
        match self.constants.get((divisor - 1) as usize) {
            Some(&(inverse, limit)) => value.wrapping_mul(inverse).rotate_right(divisor.trailing_zeros()) <= limit,
            None => value.is_multiple_of(divisor),
        }
    }
}

/// The inverse of an odd number modulo 2^64, by Newton's iteration (each step doubles the
/// correct low bits; `odd * odd ≡ 1 (mod 8)` gives the first three).
fn odd_inverse(odd: u64) -> u64 {
    let mut inverse = odd;
    for _ in 0..5 {
        inverse = inverse.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(inverse)));
    }
    inverse
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
        // The cut is by characters: a multi-byte base keeps what `chars().take(58)` keeps
        // (names are ASCII once validated, where characters and bytes agree).
        for base in [
            "é".repeat(70),
            format!("{}é-", "a".repeat(57)),
            "ab€".repeat(19),
            String::new(),
        ] {
            let name = rng.generate_name(&base);
            let kept: String = base.chars().take(MAX_NAME_LENGTH - RANDOM_SUFFIX_LENGTH).collect();
            assert!(name.starts_with(&kept), "{base}");
            assert_eq!(name.len(), kept.len() + RANDOM_SUFFIX_LENGTH, "{base}");
        }
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

    #[test]
    fn divisors_agree_with_the_remainder() {
        let mut divisors = Divisors::default();
        let mut rng = Rng::new(11);
        for divisor in 1..=1_100_u64 {
            let mut values = vec![0, 1, u64::MAX, u64::MAX - 1, divisor, divisor - 1, divisor + 1];
            let top = u64::MAX / divisor * divisor;
            values.extend([top, top - 1, top.wrapping_add(1), top - divisor, 7 * divisor]);
            values.extend((0..40).map(|_| rng.next_u64()));
            values.extend((0..40).map(|_| rng.next_u64() / divisor * divisor));
            for value in values {
                assert_eq!(
                    divisors.divides(divisor, value),
                    value.is_multiple_of(divisor),
                    "{value} by {divisor}"
                );
            }
        }
        for divisor in [(1 << 16) + 1, 1 << 40, 3 << 50, u64::MAX] {
            assert!(divisors.divides(divisor, 0));
            assert!(divisors.divides(divisor, divisor));
            assert!(!divisors.divides(divisor, divisor - 1));
        }
    }

    #[test]
    fn the_zone_shortcut_agrees_with_below() {
        for bound in [1_u64, 2, 3, 7, 500, 1 << 32, (1 << 63) + 5, u64::MAX] {
            let zone = u64::MAX - (u64::MAX % bound);
            let edges = [0, 1, u64::MAX - bound, zone.saturating_sub(1), zone, u64::MAX];
            for edge in edges {
                for value in [edge.saturating_sub(1), edge, edge.saturating_add(1)] {
                    assert_eq!(in_zone(value, bound), value < zone, "{value} for {bound}");
                }
            }
        }
    }

    #[test]
    fn reservoir_pick_keeps_what_the_below_loop_keeps() {
        let mut divisors = Divisors::default();
        for seed in [1_u64, 8, 1234] {
            let mut plain = Rng::new(seed);
            let mut fast = Rng::new(seed);
            for count in (1..300_u64).chain([999, 4_000, Divisors::TABLE_LIMIT + 3]) {
                let mut kept = 0;
                for bound in 1..=count {
                    if plain.below(bound) == 0 {
                        kept = bound - 1;
                    }
                }
                assert_eq!(
                    fast.reservoir_pick(count, &mut divisors),
                    kept,
                    "seed {seed}, {count} candidates"
                );
                assert_eq!(fast.state, plain.state);
            }
        }
    }
}
