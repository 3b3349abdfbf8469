//! Stable sorting with one copy of the sort algorithm: the standard library's stable sort is
//! instantiated once per element type and comparator (about 3 KB of wasm each, 40 copies in
//! the playground), so the core sorts a list of indices instead, through one `dyn` comparator,
//! and then moves the elements into place. The result is exactly `slice::sort_by`'s: a stable
//! sort has one answer for a given order.

use std::cmp::Ordering;

/// Stable sorting through one shared instance of the sort algorithm (see the module comment).
pub trait StableSort<T> {
    /// As `slice::sort_by`.
    fn stable_sort_by(&mut self, compare: impl FnMut(&T, &T) -> Ordering);

    /// As `slice::sort_by_key`.
    fn stable_sort_by_key<K: Ord>(&mut self, mut key: impl FnMut(&T) -> K) {
        self.stable_sort_by(|left, right| key(left).cmp(&key(right)));
    }

    /// As `slice::sort`.
    fn stable_sort(&mut self)
    where
        T: Ord,
    {
        self.stable_sort_by(T::cmp);
    }
}

impl<T> StableSort<T> for [T] {
    fn stable_sort_by(&mut self, mut compare: impl FnMut(&T, &T) -> Ordering) {
        if self.len() < 2 {
            return;
        }
        let items = &*self;
        if let Some(order) = sorted_order(items.len(), &mut |left, right| compare(&items[left], &items[right])) {
            permute(self, order);
        }
    }
}

/// The indices `0..len` in stably sorted order: the only instance of the sort algorithm.
/// `None` when the items are in order already (a stable sort then leaves them as they are):
/// lists read from the store's ordered maps often are, and checking costs no allocation.
fn sorted_order(len: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Option<Vec<usize>> {
    if (1..len).all(|index| compare(index - 1, index) != Ordering::Greater) {
        return None;
    }
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|left, right| compare(*left, *right));
    Some(order)
}

/// Rearranges `items` so that position `i` holds what was at `order[i]`, following each cycle
/// of the permutation with swaps.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        let mut current = start;
        while order[current] != start {
            let next = order[current];
            items.swap(current, next);
            order[current] = current;
            current = next;
        }
        order[current] = current;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pseudo-random lists (a fixed linear congruential sequence) of pairs with many equal keys.
    fn lists() -> Vec<Vec<(u8, usize)>> {
        let mut state: u64 = 7;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        let mut lists: Vec<Vec<(u8, usize)>> = (0..200)
            .map(|length| {
                (0..length % 70)
                    .map(|position| ((next() % 5) as u8, position))
                    .collect()
            })
            .collect();
        // In order already, in reverse order, and all equal: the sort's early exit and its
        // neighbours.
        lists.push((0..40).map(|position| ((position / 7) as u8, position)).collect());
        lists.push((0..40).map(|position| ((40 - position / 3) as u8, position)).collect());
        lists.push((0..40).map(|position| (3, position)).collect());
        lists
    }

    #[test]
    fn stable_sort_by_key_equals_the_standard_stable_sort() {
        for list in lists() {
            let mut expected = list.clone();
            expected.sort_by_key(|pair| pair.0);
            let mut sorted = list.clone();
            sorted.stable_sort_by_key(|pair| pair.0);
            assert_eq!(sorted, expected, "input {list:?}");
        }
    }

    #[test]
    fn stable_sort_by_and_sort_equal_the_standard_ones() {
        for list in lists() {
            let mut expected = list.clone();
            expected.sort_by(|left, right| (right.0 % 3).cmp(&(left.0 % 3)).then(left.0.cmp(&right.0)));
            let mut sorted = list.clone();
            sorted.stable_sort_by(|left, right| (right.0 % 3).cmp(&(left.0 % 3)).then(left.0.cmp(&right.0)));
            assert_eq!(sorted, expected, "input {list:?}");

            let mut expected: Vec<String> = list.iter().map(|pair| format!("{}", pair.0)).collect();
            let mut sorted = expected.clone();
            expected.sort();
            sorted.stable_sort();
            assert_eq!(sorted, expected);
        }
    }
}
