//! The replica calculator for CPU utilization, as pure functions of the pods, their metrics and
//! the time (`pkg/controller/podautoscaler/replica_calculator.go` `GetResourceReplicas`,
//! `groupPods`, `calculateRequests`, and `metrics/utilization.go`
//! `GetResourceUtilizationRatio`).

use std::collections::{BTreeMap, BTreeSet};

use crate::time::{Millis, SECOND_MS};

/// `--horizontal-pod-autoscaler-tolerance`: changes of the usage ratio within 10% are ignored.
pub const TOLERANCE: f64 = 0.1;
/// `--horizontal-pod-autoscaler-cpu-initialization-period` (5 minutes by default).
pub const CPU_INITIALIZATION_PERIOD_MS: Millis = 300 * SECOND_MS;
/// `--horizontal-pod-autoscaler-initial-readiness-delay` (30 seconds by default).
pub const DELAY_OF_INITIAL_READINESS_STATUS_MS: Millis = 30 * SECOND_MS;

/// What the calculator needs of one pod that the HPA's selector matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodFacts {
    pub name: String,
    /// `Pending`, `Running`, `Succeeded`, `Failed`.
    pub phase: crate::api::PodPhase,
    pub deleting: bool,
    /// The Ready condition: whether it is `True`, and when it last changed.
    pub ready: Option<(bool, Millis)>,
    pub start_time_ms: Option<Millis>,
    /// The CPU request summed over the containers (and sidecars), in millicores, or the error
    /// `calculatePodRequestsFromContainers` gives for a container without one.
    pub cpu_request_milli: Result<i64, String>,
}

/// One pod's CPU usage as the resource metrics API reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PodMetric {
    pub usage_milli: i64,
    /// The end of the sampling window.
    pub timestamp_ms: Millis,
    pub window_ms: Millis,
}

/// What `GetResourceReplicas` returns besides the error: the proposal, the utilization in
/// percent of the requests, and the raw average usage in millicores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceReplicas {
    pub replicas: i32,
    pub utilization: i32,
    pub raw_average_milli: i64,
}

/// The pods `groupPods` sorts out: counted ready, unready (no sample yet worth using), missing a
/// metric, or ignored (being deleted or failed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodGroups {
    pub ready_count: usize,
    pub unready: BTreeSet<String>,
    pub missing: BTreeSet<String>,
    pub ignored: BTreeSet<String>,
}

/// `groupPods`, for the CPU resource.
pub fn group_pods(pods: &[PodFacts], metrics: &BTreeMap<String, PodMetric>, now: Millis) -> PodGroups {
    let mut groups = PodGroups::default();
    for pod in pods {
        if pod.deleting || pod.phase == crate::api::PodPhase::Failed {
            groups.ignored.insert(pod.name.clone());
            continue;
        }
        if pod.phase == crate::api::PodPhase::Pending {
            groups.unready.insert(pod.name.clone());
            continue;
        }
        let Some(metric) = metrics.get(&pod.name) else {
            groups.missing.insert(pod.name.clone());
            continue;
        };
        if cpu_sample_unready(pod, metric, now) {
            groups.unready.insert(pod.name.clone());
            continue;
        }
        groups.ready_count += 1;
    }
    groups
}

/// The CPU rule of `groupPods`: within the initialization period a sample counts only if the pod
/// is ready and a whole metric window passed since its readiness changed; after it, only pods that
/// were never ready are left out.
fn cpu_sample_unready(pod: &PodFacts, metric: &PodMetric, now: Millis) -> bool {
    let (Some((ready, transition_ms)), Some(start_ms)) = (pod.ready, pod.start_time_ms) else {
        return true;
    };
    if start_ms + CPU_INITIALIZATION_PERIOD_MS > now {
        !ready || metric.timestamp_ms < transition_ms + metric.window_ms
    } else {
        !ready && start_ms + DELAY_OF_INITIAL_READINESS_STATUS_MS > transition_ms
    }
}

/// `GetResourceUtilizationRatio`: the usage ratio to the target, the utilization in whole
/// percent (integer division, as Go's), and the raw average usage.
pub fn utilization_ratio(
    metrics: &BTreeMap<String, i64>,
    requests: &BTreeMap<String, i64>,
    target_utilization: i32,
) -> Result<(f64, i32, i64), String> {
    let mut metrics_total: i64 = 0;
    let mut requests_total: i64 = 0;
    let mut entries: i64 = 0;
    for (name, usage) in metrics {
        // Metrics of pods without a known request are extraneous.
        let Some(request) = requests.get(name) else { continue };
        metrics_total += usage;
        requests_total += request;
        entries += 1;
    }
    if requests_total == 0 {
        return Err("no metrics returned matched known pods".to_string());
    }
    let utilization = i32::try_from(metrics_total * 100 / requests_total).unwrap_or(i32::MAX);
    Ok((
        f64::from(utilization) / f64::from(target_utilization),
        utilization,
        metrics_total / entries,
    ))
}

/// `Tolerances.isWithin` with the default 10% both ways.
fn within_tolerance(usage_ratio: f64) -> bool {
    ((1.0 - TOLERANCE)..=(1.0 + TOLERANCE)).contains(&usage_ratio)
}

/// `ceil` of a replica count computed in floating point, as Go's `int32(math.Ceil(x))`.
fn ceil_replicas(value: f64) -> i32 {
    let ceiled = value.ceil();
    if ceiled >= f64::from(i32::MAX) {
        i32::MAX
    } else {
        ceiled as i32
    }
}

/// `GetResourceReplicas` for CPU utilization. `metrics` holds the pods the metrics API
/// reported; an empty map is the metrics client's error.
pub fn resource_replicas(
    current_replicas: i32,
    target_utilization: i32,
    pods: &[PodFacts],
    metrics: &BTreeMap<String, PodMetric>,
    now: Millis,
) -> Result<ResourceReplicas, String> {
    if metrics.is_empty() {
        return Err(
            "unable to get metrics for resource cpu: no metrics returned from resource metrics API".to_string(),
        );
    }
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".to_string());
    }
    let groups = group_pods(pods, metrics, now);
    let mut usage: BTreeMap<String, i64> = metrics
        .iter()
        .filter(|(name, _)| !groups.ignored.contains(*name) && !groups.unready.contains(*name))
        .map(|(name, metric)| (name.clone(), metric.usage_milli))
        .collect();
    if usage.is_empty() {
        return Err("did not receive metrics for targeted pods (pods might be unready)".to_string());
    }
    let mut requests = BTreeMap::new();
    for pod in pods {
        requests.insert(pod.name.clone(), pod.cpu_request_milli.clone()?);
    }
    let (usage_ratio, utilization, raw_average_milli) = utilization_ratio(&usage, &requests, target_utilization)?;
    let result = |replicas| ResourceReplicas {
        replicas,
        utilization,
        raw_average_milli,
    };
    let scale_up_with_unready = !groups.unready.is_empty() && usage_ratio > 1.0;
    if !scale_up_with_unready && groups.missing.is_empty() {
        if within_tolerance(usage_ratio) {
            return Ok(result(current_replicas));
        }
        return Ok(result(ceil_replicas(usage_ratio * groups.ready_count as f64)));
    }
    if !groups.missing.is_empty() {
        // On a scale-down missing pods count as using 100% of their request (or the target when
        // it is above 100%); on a scale-up as using nothing.
        let fallback = i64::from(target_utilization.max(100));
        for name in &groups.missing {
            if usage_ratio < 1.0 {
                usage.insert(name.clone(), requests.get(name).copied().unwrap_or(0) * fallback / 100);
            } else if usage_ratio > 1.0 {
                usage.insert(name.clone(), 0);
            }
        }
    }
    if scale_up_with_unready {
        for name in &groups.unready {
            usage.insert(name.clone(), 0);
        }
    }
    let (new_usage_ratio, _, _) = utilization_ratio(&usage, &requests, target_utilization)?;
    if within_tolerance(new_usage_ratio)
        || (usage_ratio < 1.0 && new_usage_ratio > 1.0)
        || (usage_ratio > 1.0 && new_usage_ratio < 1.0)
    {
        return Ok(result(current_replicas));
    }
    let new_replicas = ceil_replicas(new_usage_ratio * usage.len() as f64);
    if (new_usage_ratio < 1.0 && new_replicas > current_replicas)
        || (new_usage_ratio > 1.0 && new_replicas < current_replicas)
    {
        return Ok(result(current_replicas));
    }
    Ok(result(new_replicas))
}

#[cfg(test)]
mod tests;
