//! The ResourceQuota plugin for objects other than pods: which evaluator a manifest's object
//! meets on create (and a Service on update, as `serviceEvaluator.Handles` says), and the
//! message of a refusal (`admission.NewForbidden`).

use crate::manifest::Manifest;
use crate::sim::{ObjectKey, Simulation, DEFAULT_NAMESPACE};

use super::quota::{service_usage, subtract_non_negative, Evaluator, QuotaRequest};

/// A request for quota from an object being created: its namespace, name and resource, as
/// the refusal names them.
#[derive(Debug, Clone)]
pub struct ObjectRequest {
    pub namespace: String,
    pub name: String,
    /// `GroupResource.String()`: `services`, `deployments.apps`.
    pub resource: &'static str,
    pub request: QuotaRequest<'static>,
}

impl ObjectRequest {
    /// A create measured by an object count evaluator, for a kind kubarium plays.
    pub fn count(kind: &str, namespace: &str, name: &str) -> Option<ObjectRequest> {
        let (evaluator, resource) = Evaluator::of_kind(kind)?;
        Some(ObjectRequest {
            namespace: namespace_or_default(namespace).to_string(),
            name: name.to_string(),
            resource,
            request: QuotaRequest::count(evaluator),
        })
    }

    /// `admission.NewForbidden`: `deployments.apps "web" is forbidden: exceeded quota: ...`.
    pub fn forbidden(&self, reason: &str) -> String {
        format!("{} \"{}\" is forbidden: {reason}", self.resource, self.name)
    }
}

pub(crate) fn namespace_or_default(namespace: &str) -> &str {
    if namespace.is_empty() {
        DEFAULT_NAMESPACE
    } else {
        namespace
    }
}

/// The quota request an apply of this manifest makes: a create of any namespaced kind but
/// pods (admitted with LimitRanger first, see `DryRun::admit`), or the update of a Service
/// (charged what it adds: `SubtractWithNonNegativeResult`). None when no quota is involved.
pub fn manifest_request(simulation: &Simulation, manifest: &Manifest) -> Option<ObjectRequest> {
    let store = &simulation.store;
    let (kind, metadata, exists) = match manifest {
        Manifest::Service(service) => {
            let namespace = namespace_or_default(&service.metadata.namespace);
            let key = ObjectKey::new(namespace, &service.metadata.name);
            let old = store.services.by_key.get(&key).map(service_usage);
            let new = service_usage(service);
            let usage = match old {
                Some(old) => subtract_non_negative(&new, &old),
                None => new,
            };
            return Some(ObjectRequest {
                namespace: namespace.to_string(),
                name: service.metadata.name.clone(),
                resource: "services",
                request: QuotaRequest {
                    evaluator: Evaluator::Service,
                    usage,
                    pod: None,
                },
            });
        }
        Manifest::ResourceQuota(quota) => (
            "ResourceQuota",
            &quota.metadata,
            exists(&store.resource_quotas, &quota.metadata),
        ),
        Manifest::LimitRange(range) => (
            "LimitRange",
            &range.metadata,
            exists(&store.limit_ranges, &range.metadata),
        ),
        Manifest::ReplicationController(controller) => (
            "ReplicationController",
            &controller.metadata,
            exists(&store.replication_controllers, &controller.metadata),
        ),
        Manifest::Deployment(deployment) => (
            "Deployment",
            &deployment.metadata,
            exists(&store.deployments, &deployment.metadata),
        ),
        Manifest::ReplicaSet(replica_set) => (
            "ReplicaSet",
            &replica_set.metadata,
            exists(&store.replica_sets, &replica_set.metadata),
        ),
        Manifest::DaemonSet(daemon_set) => (
            "DaemonSet",
            &daemon_set.metadata,
            exists(&store.daemon_sets, &daemon_set.metadata),
        ),
        Manifest::Job(job) => ("Job", &job.metadata, exists(&store.jobs, &job.metadata)),
        Manifest::CronJob(cron_job) => (
            "CronJob",
            &cron_job.metadata,
            exists(&store.cron_jobs, &cron_job.metadata),
        ),
        Manifest::HorizontalPodAutoscaler(hpa) => (
            "HorizontalPodAutoscaler",
            &hpa.metadata,
            exists(&store.horizontal_pod_autoscalers, &hpa.metadata),
        ),
        Manifest::Pod(_) | Manifest::Namespace(_) | Manifest::Node(_) | Manifest::NotSimulated { .. } => return None,
    };
    if exists {
        return None;
    }
    ObjectRequest::count(kind, &metadata.namespace, &metadata.name)
}

fn exists<T>(map: &std::collections::BTreeMap<ObjectKey, T>, metadata: &crate::api::ObjectMeta) -> bool {
    map.contains_key(&ObjectKey::new(
        namespace_or_default(&metadata.namespace),
        &metadata.name,
    ))
}
