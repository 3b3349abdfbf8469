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
