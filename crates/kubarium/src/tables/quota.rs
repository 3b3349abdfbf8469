//! `kubectl get resourcequotas` and `kubectl get limitranges` (`printResourceQuota`,
//! `printLimitRange` in `pkg/printers/internalversion/printers.go`).

use super::{age, Table};
use crate::admission::format_quantity;
use crate::sim::Simulation;

/// `kubectl get quota`: NAME, AGE, and `resource: used/hard` pairs by resource name, the
/// `limits.*` ones under LIMIT and the others under REQUEST.
pub fn resource_quotas(simulation: &Simulation) -> Table {
    let rows = simulation
        .resource_quotas()
        .map(|quota| {
            let mut request = Vec::new();
            let mut limit = Vec::new();
            for (resource, hard) in &quota.status.hard {
                let used = quota.status.used.get(resource).copied().unwrap_or_default();
                let cell = format!(
                    "{resource}: {}/{}",
                    format_quantity(resource, used),
                    format_quantity(resource, *hard)
                );
                if resource.split('.').next() == Some("limits") && resource.contains('.') {
                    limit.push(cell);
                } else {
                    request.push(cell);
                }
            }
            vec![
                quota.metadata.name.clone(),
                age(simulation, quota.metadata.creation_timestamp_ms),
                request.join(", "),
                limit.join(", "),
            ]
        })
        .collect();
    Table {
        headers: vec!["NAME", "AGE", "REQUEST", "LIMIT"],
        rows,
    }
}

/// `kubectl get limitranges`: NAME and CREATED AT (RFC 3339, UTC).
pub fn limit_ranges(simulation: &Simulation) -> Table {
    let rows = simulation
        .limit_ranges()
        .map(|limit_range| {
            let created = simulation.start_unix_seconds()
                + (limit_range.metadata.creation_timestamp_ms / crate::time::SECOND_MS) as i64;
            vec![
                limit_range.metadata.name.clone(),
                crate::time::format_rfc3339(created, 0),
            ]
        })
        .collect();
    Table {
        headers: vec!["NAME", "CREATED AT"],
        rows,
    }
}

#[cfg(test)]
mod tests {
    use crate::sim::{ClusterConfig, Simulation};

    #[test]
    fn quota_and_limit_range_tables_are_kubectls() {
        let mut simulation = Simulation::new(&ClusterConfig::with_nodes("n", 1));
        simulation
            .apply("apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: compute}\nspec:\n  hard: {pods: '4', requests.cpu: '1', requests.memory: 1Gi, limits.cpu: '2'}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: c, image: nginx, resources: {requests: {cpu: 500m, memory: 256Mi}, limits: {cpu: '1'}}}]\n---\napiVersion: v1\nkind: LimitRange\nmetadata: {name: defaults}\nspec:\n  limits: [{type: Container, default: {cpu: 500m}}]\n")
            .expect("applied");
        let quotas = super::resource_quotas(&simulation);
        assert_eq!(quotas.headers, ["NAME", "AGE", "REQUEST", "LIMIT"]);
        assert_eq!(
            quotas.rows,
            [[
                "compute",
                "0s",
                "pods: 1/4, requests.cpu: 500m/1, requests.memory: 256Mi/1Gi",
                "limits.cpu: 1/2"
            ]]
        );
        let ranges = super::limit_ranges(&simulation);
        assert_eq!(ranges.headers, ["NAME", "CREATED AT"]);
        assert_eq!(ranges.rows[0][0], "defaults");
        assert!(ranges.rows[0][1].ends_with('Z'), "{:?}", ranges.rows);
        assert_eq!(crate::tables::get(&simulation, "quota").expect("known"), quotas);
        assert_eq!(crate::tables::get(&simulation, "limits").expect("known"), ranges);
    }
}
