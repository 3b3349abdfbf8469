//! The scheduler's pure parts.

use super::*;

#[test]
fn feasible_nodes_to_find_follows_the_adaptive_percentage() {
    // (nodes, how many feasible nodes end the search)
    let cases = [
        (3, 3),
        (99, 99),
        (100, 100),
        (500, 230),
        (1_000, 420),
        (5_000, 500),
        (6_000, 300),
        (10_000, 500),
    ];
    for (nodes, expected) in cases {
        assert_eq!(feasible_nodes_to_find(nodes), expected, "{nodes} nodes");
    }
}

#[test]
fn zero_nodes() {
    assert_eq!(
        fit_error_message(0, &BTreeMap::new()),
        "no nodes available to schedule pods"
    );
}

#[test]
fn reasons_sort_as_strings() {
    let mut verdicts = BTreeMap::new();
    for index in 0..10 {
        verdicts.insert(
            format!("a{index}"),
            Verdict::Unschedulable(vec!["Insufficient cpu".to_string()]),
        );
    }
    for index in 0..2 {
        verdicts.insert(
            format!("b{index}"),
            Verdict::Unresolvable(vec![REASON_NODE_AFFINITY.to_string()]),
        );
    }
    assert_eq!(
        fit_error_message(12, &verdicts),
        "0/12 nodes are available: 10 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/12 nodes are available: 10 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling."
    );
}

/// The window pick keeps the node the plain loop keeps: over the window's nodes in order,
/// `below(seen) == 0` for each node tied with the best, on scores with many ties, windows that
/// wrap around and windows of one node.
#[test]
fn window_pick_keeps_what_the_draw_per_tied_node_keeps() {
    let mut scores_rng = crate::rng::Rng::new(42);
    let mut divisors = crate::rng::Divisors::default();
    for round in 0..300_u64 {
        let scores: Vec<i32> = (0..(round % 37 + 1))
            .map(|_| 150 + scores_rng.below(3) as i32)
            .collect();
        let start = (round as usize * 7) % scores.len();
        let count = 1 + (round as usize * 13) % scores.len();
        let window: Vec<i32> = (0..count)
            .map(|offset| scores[(start + offset) % scores.len()])
            .collect();
        let mut reference_rng = crate::rng::Rng::new(round);
        let mut picking_rng = crate::rng::Rng::new(round);
        let best = window.iter().copied().max().unwrap();
        let mut expected = 0;
        let mut seen = 0;
        if count > 1 {
            for (offset, score) in window.iter().enumerate() {
                if *score == best {
                    seen += 1;
                    if reference_rng.below(seen) == 0 {
                        expected = offset;
                    }
                }
            }
        }
        let picked = pick_in_window(window_parts(&scores, start, count), &mut picking_rng, &mut divisors);
        assert_eq!(picked, expected, "round {round}: {window:?}");
        assert_eq!(
            picking_rng.next_u64(),
            reference_rng.next_u64(),
            "round {round}: the same draws"
        );
    }
}
