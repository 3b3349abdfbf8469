//! Admission of pods as the API server does it on create: the LimitRanger plugin (defaults,
//! then bounds) and the ResourceQuota plugin, for direct applies and for pods the controllers
//! create (`Simulation::try_create_pod`).

pub mod limitranger;
pub mod objects;
pub mod quota;

use crate::api::{LimitRange, Pod, ResourceList, ResourceQuota};

use crate::quantity::Quantity;
use crate::sim::{ObjectKey, Simulation, DEFAULT_NAMESPACE};
use crate::store::Store;
use crate::time::Millis;
pub use objects::ObjectRequest;

/// A quantity as Kubernetes prints it (`Quantity.String`): memory and storage amounts that are
/// whole multiples of 1024 with a binary suffix (`512Mi`, as manifests write them), other whole
/// amounts with the largest decimal suffix that keeps them whole (`2`, `1k`), fractions in
/// milli-units (`500m`). Go keeps the format a quantity was written in; kubarium keeps only
/// its value and guesses from the resource's name.
pub fn format_quantity(resource: &str, amount: Quantity) -> String {
    let shown = amount.to_string();
    if amount.is_zero() || shown.ends_with('m') || shown.ends_with('n') {
        return shown;
    }
    let value = amount.value();
    let bytes = resource.contains("memory") || resource.contains("storage") || resource.contains("hugepages");
    if bytes && value % 1024 == 0 {
        let mut mantissa = value;
        let mut suffix = 0;
        while mantissa % 1024 == 0 && suffix < 6 {
            mantissa /= 1024;
            suffix += 1;
        }
        return format!("{mantissa}{}", ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][suffix]);
    }
    let mut mantissa = value;
    let mut suffix = 0;
    while mantissa % 1000 == 0 && suffix < 6 {
        mantissa /= 1000;
        suffix += 1;
    }
    format!("{mantissa}{}", ["", "k", "M", "G", "T", "P", "E"][suffix])
}

/// The validating and mutating plugins in the API server's order for a pod being created:
/// LimitRanger's defaults (mutating), LimitRanger's bounds, then ResourceQuota (validating).
/// Returns the reason a pod is refused, without the `pods "NAME" is forbidden: ` before it.
pub fn admit_pod(
    limit_ranges: &[LimitRange],
    quotas: &mut [ResourceQuota],
    pod: &mut Pod,
    now: Millis,
) -> Result<(), String> {
    for limit_range in limit_ranges {
        limitranger::mutate_pod(limit_range, pod);
    }
    for limit_range in limit_ranges {
        limitranger::validate_pod(limit_range, pod)?;
    }
    quota::check_pod(quotas, pod, now)
}

/// `admission.NewForbidden` for a pod: its name, or its `generateName` when it has none yet.
pub fn forbidden(pod: &Pod, reason: &str) -> String {
    let name = if pod.metadata.name.is_empty() {
        &pod.metadata.generate_name
    } else {
        &pod.metadata.name
    };
    format!("pods \"{name}\" is forbidden: {reason}")
}

fn in_namespace<'a, T>(
    map: &'a std::collections::BTreeMap<ObjectKey, T>,
    namespace: &'a str,
) -> impl Iterator<Item = (&'a ObjectKey, &'a T)> + 'a {
    // An empty map has nothing to range over: no start key to allocate.
    let start = (!map.is_empty()).then(|| ObjectKey::new(namespace, ""));
    start
        .into_iter()
        .flat_map(move |start| map.range(start..))
        .take_while(move |(key, _)| key.namespace == namespace)
}

/// The namespace's LimitRanges and ResourceQuotas, copied for one admission.
fn namespace_policies(store: &Store, namespace: &str) -> (Vec<LimitRange>, Vec<ResourceQuota>) {
    (
        in_namespace(&store.limit_ranges, namespace)
            .map(|(_, range)| range.clone())
            .collect(),
        in_namespace(&store.resource_quotas, namespace)
            .map(|(_, quota)| quota.clone())
            .collect(),
    )
}

impl Simulation {
    /// The ResourceQuotas of every namespace, by namespace and name.
    pub fn resource_quotas(&self) -> impl Iterator<Item = &ResourceQuota> {
        self.store.resource_quotas.values()
    }

    /// The LimitRanges of every namespace, by namespace and name.
    pub fn limit_ranges(&self) -> impl Iterator<Item = &LimitRange> {
        self.store.limit_ranges.values()
    }

    /// Creates a pod through admission, as a controller's `CreatePods` does: the name generated
    /// first (`BeforeCreate`), then the plugins; refused, nothing is stored and the API
    /// server's message comes back (`pods "web-x7k2p" is forbidden: exceeded quota: ...`).
    pub(crate) fn try_create_pod(&mut self, mut pod: Pod) -> Result<ObjectKey, String> {
        if pod.metadata.namespace.is_empty() {
            pod.metadata.namespace = crate::api::Word::from_static(DEFAULT_NAMESPACE);
        }
        // Most clusters have neither LimitRanges nor ResourceQuotas: no look-up then.
        let namespace = &pod.metadata.namespace;
        let governed = in_namespace(&self.store.limit_ranges, namespace).next().is_some()
            || in_namespace(&self.store.resource_quotas, namespace).next().is_some();
        if !governed {
            return Ok(self.create_pod(pod));
        }
        let namespace = *namespace;
        if pod.metadata.name.is_empty() && !pod.metadata.generate_name.is_empty() {
            // A taken generated name is generated again (`RetryGenerateName`).
            loop {
                pod.metadata.name = self.rng.generate_name(&pod.metadata.generate_name);
                if self.store.pod(&ObjectKey::of(&pod.metadata)).is_none() {
                    break;
                }
            }
        }
        let (limit_ranges, mut quotas) = namespace_policies(&self.store, &namespace);
        admit_pod(&limit_ranges, &mut quotas, &mut pod, self.now()).map_err(|reason| forbidden(&pod, &reason))?;
        for quota in quotas {
            let key = ObjectKey::of(&quota.metadata);
            if let Some(stored) = self.store.resource_quotas.get_mut(&key) {
                stored.status = quota.status;
            }
        }
        Ok(self.create_pod(pod))
    }

    /// [`Simulation::admit_object`] for a controller's create of a `kind` an object count
    /// evaluator measures (a CronJob's Job, a Deployment's ReplicaSet): without a ResourceQuota
    /// in the namespace there is nothing to charge, and the request is not even written.
    pub(crate) fn admit_count(&mut self, kind: &str, namespace: &str, name: &str) -> Result<(), String> {
        let namespace = objects::namespace_or_default(namespace);
        if in_namespace(&self.store.resource_quotas, namespace).next().is_none() {
            return Ok(());
        }
        match ObjectRequest::count(kind, namespace, name) {
            Some(request) => self.admit_object(&request),
            None => Ok(()),
        }
    }

    /// The ResourceQuota plugin for an object other than a pod, as the API server runs it on
    /// create: checked against the namespace's quotas, whose `status.used` then include it.
    /// Refused, the API server's message comes back (`jobs.batch "pi" is forbidden: ...`).
    pub(crate) fn admit_object(&mut self, request: &ObjectRequest) -> Result<(), String> {
        let namespace = &request.namespace;
        let mut quotas: Vec<ResourceQuota> = in_namespace(&self.store.resource_quotas, namespace)
            .map(|(_, quota)| quota.clone())
            .collect();
        if quotas.is_empty() {
            return Ok(());
        }
        quota::check_request(&mut quotas, &request.request).map_err(|reason| request.forbidden(&reason))?;
        for quota in quotas {
            let key = ObjectKey::of(&quota.metadata);
            if let Some(stored) = self.store.resource_quotas.get_mut(&key) {
                stored.status = quota.status;
            }
        }
        Ok(())
    }
}

/// Admission run ahead on copies while an apply is checked, so that a batch is refused whole:
/// the batch's own LimitRanges and quotas count for the pods after them, and each admitted
/// pod for the pods after it.
#[derive(Debug, Default)]
pub struct DryRun {
    limit_ranges: std::collections::BTreeMap<ObjectKey, LimitRange>,
    quotas: std::collections::BTreeMap<ObjectKey, ResourceQuota>,
    /// What each object admitted so far uses, by namespace, with the pod for scoped quotas.
    admitted: Vec<(crate::api::Word, ResourceList, Option<Pod>)>,
}

impl DryRun {
    pub fn of(simulation: &Simulation) -> Self {
        DryRun {
            limit_ranges: simulation.store.limit_ranges.clone(),
            quotas: simulation.store.resource_quotas.clone(),
            admitted: Vec::new(),
        }
    }

    pub fn add_limit_range(&mut self, key: ObjectKey, limit_range: &LimitRange) {
        self.limit_ranges.insert(key, limit_range.clone());
    }

    /// A quota of the batch, with the status its controller computes at once on apply.
    pub fn add_quota(&mut self, simulation: &Simulation, key: ObjectKey, quota: &ResourceQuota) {
        let mut quota = quota.clone();
        quota.status = crate::controller::resourcequota::calculate_status(
            simulation,
            &key.namespace,
            &quota,
            self.admitted
                .iter()
                .filter(|(namespace, _, _)| *namespace == key.namespace)
                .map(|(_, usage, pod)| (usage, pod.as_ref())),
        );
        self.quotas.insert(key, quota);
    }

    /// Admits a copy of a pod the batch creates; the refusal is the API server's message.
    pub fn admit(&mut self, simulation: &Simulation, pod: &Pod) -> Result<(), String> {
        let mut pod = pod.clone();
        if pod.metadata.namespace.is_empty() {
            pod.metadata.namespace = crate::api::Word::from_static(DEFAULT_NAMESPACE);
        }
        let namespace = pod.metadata.namespace;
        let limit_ranges: Vec<LimitRange> = in_namespace(&self.limit_ranges, &namespace)
            .map(|(_, range)| range.clone())
            .collect();
        let keys: Vec<ObjectKey> = in_namespace(&self.quotas, &namespace)
            .map(|(key, _)| key.clone())
            .collect();
        let mut quotas: Vec<ResourceQuota> = keys.iter().map(|key| self.quotas[key].clone()).collect();
        admit_pod(&limit_ranges, &mut quotas, &mut pod, simulation.now()).map_err(|reason| forbidden(&pod, &reason))?;
        for (key, quota) in keys.into_iter().zip(quotas) {
            self.quotas.insert(key, quota);
        }
        let usage = quota::pod_usage(&pod, simulation.now());
        self.admitted.push((namespace, usage, Some(pod)));
        Ok(())
    }

    /// Admits an object other than a pod that the batch creates (or a Service it updates).
    pub fn admit_object(&mut self, request: &ObjectRequest) -> Result<(), String> {
        let namespace = &request.namespace;
        let keys: Vec<ObjectKey> = in_namespace(&self.quotas, namespace)
            .map(|(key, _)| key.clone())
            .collect();
        let mut quotas: Vec<ResourceQuota> = keys.iter().map(|key| self.quotas[key].clone()).collect();
        quota::check_request(&mut quotas, &request.request).map_err(|reason| request.forbidden(&reason))?;
        for (key, quota) in keys.into_iter().zip(quotas) {
            self.quotas.insert(key, quota);
        }
        self.admitted
            .push((crate::api::Word::new(namespace), request.request.usage.clone(), None));
        Ok(())
    }
}

#[cfg(test)]
mod tests;
