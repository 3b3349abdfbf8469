//! The autoscalers as the playground draws them: each HPA with its target, replicas between
//! min and max, `kubectl get hpa`'s TARGETS, and the simulated CPU load set on its target
//! (which the UI's slider changes with the `load` command).

use serde::Serialize;

use crate::controller::podautoscaler::CpuLoad;
use crate::sim::{Simulation, WorkloadKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoscalerView {
    pub namespace: String,
    pub name: String,
    /// `deployment/web`, as the `load` command names it.
    pub target: String,
    pub min_replicas: i32,
    pub max_replicas: i32,
    pub current_replicas: i32,
    pub desired_replicas: i32,
    /// `cpu: 45%/50%`, as `kubectl get hpa` prints TARGETS.
    pub targets: String,
    /// The load set on the target, as the `load` command's flag (`--cpu=80%`), or None.
    pub load: Option<String>,
    /// The load as a percentage of each pod's CPU request, when it is set that way.
    pub load_percent: Option<i64>,
}

/// Every HPA, in name order (namespace, then name).
pub fn autoscalers(simulation: &Simulation) -> Vec<AutoscalerView> {
    simulation
        .horizontal_pod_autoscalers()
        .map(|hpa| {
            let target = &hpa.spec.scale_target_ref;
            let kind = WorkloadKind::parse(&target.kind.to_lowercase());
            let load = kind.and_then(|kind| simulation.cpu_load(&hpa.metadata.namespace, kind, &target.name));
            AutoscalerView {
                namespace: hpa.metadata.namespace.to_string(),
                name: hpa.metadata.name.clone(),
                target: format!(
                    "{}/{}",
                    kind.map_or(target.kind.to_lowercase(), |kind| kind.name().to_string()),
                    target.name
                ),
                // `minReplicas` defaults to 1 (`SetDefaults_HorizontalPodAutoscaler`).
                min_replicas: hpa.spec.min_replicas.unwrap_or(1),
                max_replicas: hpa.spec.max_replicas,
                current_replicas: hpa.status.current_replicas,
                desired_replicas: hpa.status.desired_replicas,
                targets: crate::tables::autoscaling::format_metrics(hpa),
                load: load.map(|load| load.to_string()),
                load_percent: match load {
                    Some(CpuLoad::PercentOfRequest { percent }) => Some(percent),
                    _ => None,
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SECOND_MS;

    /// The HPA example: before any load the targets are unknown; `load --cpu=80%` shows as
    /// the slider's value, and the HPA's replicas follow.
    #[test]
    fn an_autoscaler_shows_its_target_replicas_and_load() {
        let text = include_str!("../../../../tests/scenarios/hpa-scale-out-in.yaml");
        let mut session = crate::session::Session::load(text, 3).expect("loads");
        session.advance_to(10 * SECOND_MS).expect("plays");
        let views = autoscalers(&session.simulation);
        assert_eq!(views.len(), 1, "{views:?}");
        assert_eq!(views[0].target, "deployment/web");
        assert_eq!(views[0].load, None);
        session.run_command("load deployment/web --cpu=80%").expect("loads");
        // (The scenario's own load comes at 40s.)
        session.advance_to(35 * SECOND_MS).expect("plays");
        let view = &autoscalers(&session.simulation)[0];
        assert_eq!(view.load.as_deref(), Some("--cpu=80%"));
        assert_eq!(view.load_percent, Some(80));
        assert!(view.current_replicas >= view.min_replicas && view.current_replicas <= view.max_replicas);
        assert!(view.targets.starts_with("cpu: "), "{}", view.targets);
    }
}
