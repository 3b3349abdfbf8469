//! Defaulting, as the API server applies it after decoding (`pkg/apis/core/v1/defaults.go`,
//! `pkg/apis/apps/v1/defaults.go`, `pkg/apis/batch/v1/defaults.go`,
//! `pkg/apis/autoscaling/v{1,2}/defaults.go`). It works on the object's JSON, so every kind is
//! defaulted the same way whether or not the simulation plays it; the typed decode then reads the
//! defaulted object. The table of defaults with sources: `docs/notes/validation-rules.md` §8.

use serde_json::{json, Map, Value};

/// Sets `object[key]` to `value` when it is absent or null.
fn default(object: &mut Map<String, Value>, key: &str, value: Value) {
    if object.get(key).is_none_or(Value::is_null) {
        object.insert(key.to_string(), value);
    }
}

/// The child object at `key`, created when absent.
fn child<'a>(object: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Map<String, Value>> {
    default(object, key, json!({}));
    object.get_mut(key).and_then(Value::as_object_mut)
}

fn each_object(value: Option<&mut Value>, mut apply: impl FnMut(&mut Map<String, Value>)) {
    if let Some(Value::Array(items)) = value {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            apply(item);
        }
    }
}

/// Applies the defaults of `kind` in `api_version` to a decoded object.
pub fn apply_defaults(api_version: &str, kind: &str, object: &mut Value) {
    let Some(root) = object.as_object_mut() else { return };
    match (api_version, kind) {
        ("v1", "Pod") => {
            if let Some(spec) = child(root, "spec") {
                pod_spec(spec, true);
            }
        }
        ("v1", "ReplicationController") => replication_controller(root),
        ("v1", "Service") => {
            if let Some(spec) = child(root, "spec") {
                service(spec);
            }
        }
        ("v1", "Namespace") => {
            let name = root
                .get("metadata")
                .and_then(|metadata| metadata.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if let Some(labels) = child(root, "metadata").and_then(|metadata| child(metadata, "labels")) {
                labels.insert("kubernetes.io/metadata.name".to_string(), Value::String(name));
            }
        }
        ("v1", "Endpoints") => each_object(root.get_mut("subsets"), |subset| {
            each_object(subset.get_mut("ports"), |port| default(port, "protocol", json!("TCP")))
        }),
        ("v1", "LimitRange") => {
            if let Some(spec) = child(root, "spec") {
                each_object(spec.get_mut("limits"), limit_range_item);
            }
        }
        ("apps/v1", "DaemonSet") => daemon_set(root),
        ("apps/v1", "ReplicaSet") => {
            if let Some(spec) = child(root, "spec") {
                default(spec, "replicas", json!(1));
                template(spec);
            }
        }
        ("apps/v1", "Deployment") => deployment(root),
        ("batch/v1", "Job") => job(root),
        ("batch/v1", "CronJob") => cron_job(root),
        ("autoscaling/v1", "HorizontalPodAutoscaler") => {
            if let Some(spec) = child(root, "spec") {
                default(spec, "minReplicas", json!(1));
                // Applied in conversion to the internal type (`autoscaling.DefaultCPUUtilization`).
                default(spec, "targetCPUUtilizationPercentage", json!(80));
            }
        }
        ("autoscaling/v2", "HorizontalPodAutoscaler") => hpa_v2(root),
        _ => {}
    }
}

/// `SetDefaults_PodSpec` and `SetDefaults_Container`; `SetDefaults_Pod` too for pods (not
/// templates): requests copied from limits, `enableServiceLinks`, host ports with hostNetwork.
fn pod_spec(spec: &mut Map<String, Value>, is_pod: bool) {
    default(spec, "dnsPolicy", json!("ClusterFirst"));
    default(spec, "restartPolicy", json!("Always"));
    default(spec, "securityContext", json!({}));
    default(spec, "terminationGracePeriodSeconds", json!(30));
    default(spec, "schedulerName", json!("default-scheduler"));
    if is_pod {
        default(spec, "enableServiceLinks", json!(true));
    }
    let host_network = spec.get("hostNetwork").and_then(Value::as_bool).unwrap_or(false);
    for field in ["initContainers", "containers"] {
        each_object(spec.get_mut(field), |container| {
            self::container(container, is_pod, host_network);
        });
    }
    each_object(spec.get_mut("volumes"), |volume| {
        if volume.len() == 1 {
            volume.insert("emptyDir".to_string(), json!({}));
        }
    });
}

fn container(container: &mut Map<String, Value>, is_pod: bool, host_network: bool) {
    let image = container.get("image").and_then(Value::as_str).unwrap_or("").to_string();
    default(
        container,
        "imagePullPolicy",
        json!(if image_tag_is_latest(&image) {
            "Always"
        } else {
            "IfNotPresent"
        }),
    );
    default(container, "terminationMessagePath", json!("/dev/termination-log"));
    default(container, "terminationMessagePolicy", json!("File"));
    each_object(container.get_mut("ports"), |port| {
        default(port, "protocol", json!("TCP"));
        if host_network && is_pod {
            let container_port = port.get("containerPort").cloned().unwrap_or(json!(0));
            if port.get("hostPort").and_then(Value::as_i64).unwrap_or(0) == 0 {
                port.insert("hostPort".to_string(), container_port);
            }
        }
    });
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(Value::Object(probe)) = container.get_mut(probe) {
            default(probe, "timeoutSeconds", json!(1));
            default(probe, "periodSeconds", json!(10));
            default(probe, "successThreshold", json!(1));
            default(probe, "failureThreshold", json!(3));
            if let Some(Value::Object(http)) = probe.get_mut("httpGet") {
                default(http, "path", json!("/"));
                default(http, "scheme", json!("HTTP"));
            }
        }
    }
    if is_pod {
        if let Some(Value::Object(resources)) = container.get_mut("resources") {
            let limits = resources
                .get("limits")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            if !limits.is_empty() {
                if let Some(requests) = child(resources, "requests") {
                    for (name, amount) in limits {
                        default(requests, &name, amount);
                    }
                }
            }
        }
    }
}

/// `parsers.ParseImageName`: no tag and no digest means `latest`.
fn image_tag_is_latest(image: &str) -> bool {
    if image.contains('@') {
        return false;
    }
    let last_segment = image.rsplit('/').next().unwrap_or(image);
    match last_segment.rsplit_once(':') {
        Some((_, tag)) => tag == "latest",
        None => true,
    }
}

/// A workload's `spec.template.spec` gets the PodSpec defaults (not the Pod-only ones).
fn template(spec: &mut Map<String, Value>) {
    if let Some(pod_spec) = child(spec, "template").and_then(|template| child(template, "spec")) {
        self::pod_spec(pod_spec, false);
    }
}

fn template_labels(spec: &Map<String, Value>) -> Option<Value> {
    spec.get("template")?.get("metadata")?.get("labels").cloned()
}

fn replication_controller(root: &mut Map<String, Value>) {
    let Some(spec) = child(root, "spec") else { return };
    default(spec, "replicas", json!(1));
    let labels = template_labels(spec);
    if let Some(labels) = labels.clone() {
        default(spec, "selector", labels);
    }
    template(spec);
    if let Some(labels) = labels {
        if let Some(metadata) = child(root, "metadata") {
            default(metadata, "labels", labels);
        }
    }
}

/// `SetDefaults_Service`.
fn service(spec: &mut Map<String, Value>) {
    default(spec, "sessionAffinity", json!("None"));
    if spec.get("sessionAffinity").and_then(Value::as_str) == Some("None") {
        spec.remove("sessionAffinityConfig");
    }
    default(spec, "type", json!("ClusterIP"));
    let service_type = spec
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("ClusterIP")
        .to_string();
    each_object(spec.get_mut("ports"), |port| {
        default(port, "protocol", json!("TCP"));
        let target_unset = match port.get("targetPort") {
            None | Some(Value::Null) => true,
            Some(Value::Number(number)) => number.as_i64() == Some(0),
            Some(Value::String(text)) => text.is_empty(),
            Some(_) => false,
        };
        if target_unset {
            if let Some(number) = port.get("port").cloned() {
                port.insert("targetPort".to_string(), number);
            }
        }
    });
    // `service.ExternallyAccessible`: a ClusterIP Service with external IPs is too.
    let external_ips = spec
        .get("externalIPs")
        .and_then(Value::as_array)
        .is_some_and(|ips| !ips.is_empty());
    if matches!(service_type.as_str(), "NodePort" | "LoadBalancer") || (service_type == "ClusterIP" && external_ips) {
        default(spec, "externalTrafficPolicy", json!("Cluster"));
    }
    if service_type != "ExternalName" {
        default(spec, "internalTrafficPolicy", json!("Cluster"));
    }
    if service_type == "LoadBalancer" {
        default(spec, "allocateLoadBalancerNodePorts", json!(true));
    }
}

/// `SetDefaults_LimitRangeItem`: for containers, `default` from `max` and `defaultRequest` from
/// `default`, else `min`.
fn limit_range_item(item: &mut Map<String, Value>) {
    if item.get("type").and_then(Value::as_str) != Some("Container") {
        return;
    }
    let max = item.get("max").and_then(Value::as_object).cloned().unwrap_or_default();
    let min = item.get("min").and_then(Value::as_object).cloned().unwrap_or_default();
    if let Some(defaults) = child(item, "default") {
        for (name, amount) in &max {
            default(defaults, name, amount.clone());
        }
    }
    let defaults = item
        .get("default")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(requests) = child(item, "defaultRequest") {
        for (name, amount) in defaults.iter().chain(min.iter()) {
            default(requests, name, amount.clone());
        }
    }
    for field in ["default", "defaultRequest"] {
        if item.get(field).and_then(Value::as_object).is_some_and(Map::is_empty) {
            item.remove(field);
        }
    }
}

fn daemon_set(root: &mut Map<String, Value>) {
    let Some(spec) = child(root, "spec") else { return };
    if let Some(strategy) = child(spec, "updateStrategy") {
        default(strategy, "type", json!("RollingUpdate"));
        if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
            if let Some(rolling) = child(strategy, "rollingUpdate") {
                default(rolling, "maxUnavailable", json!(1));
                default(rolling, "maxSurge", json!(0));
            }
        }
    }
    default(spec, "revisionHistoryLimit", json!(10));
    template(spec);
}

fn deployment(root: &mut Map<String, Value>) {
    let Some(spec) = child(root, "spec") else { return };
    default(spec, "replicas", json!(1));
    if let Some(strategy) = child(spec, "strategy") {
        default(strategy, "type", json!("RollingUpdate"));
        if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
            if let Some(rolling) = child(strategy, "rollingUpdate") {
                default(rolling, "maxUnavailable", json!("25%"));
                default(rolling, "maxSurge", json!("25%"));
            }
        }
    }
    default(spec, "revisionHistoryLimit", json!(10));
    default(spec, "progressDeadlineSeconds", json!(600));
    template(spec);
}

/// `SetDefaults_Job`, shared by CronJob job templates.
fn job_spec(spec: &mut Map<String, Value>) {
    let completions_unset = spec.get("completions").is_none_or(Value::is_null);
    let parallelism_unset = spec.get("parallelism").is_none_or(Value::is_null);
    if completions_unset && parallelism_unset {
        spec.insert("completions".to_string(), json!(1));
        spec.insert("parallelism".to_string(), json!(1));
    } else if parallelism_unset {
        spec.insert("parallelism".to_string(), json!(1));
    }
    let per_index = spec.get("backoffLimitPerIndex").is_some_and(|value| !value.is_null());
    default(
        spec,
        "backoffLimit",
        json!(if per_index { i64::from(i32::MAX) } else { 6 }),
    );
    default(spec, "completionMode", json!("NonIndexed"));
    default(spec, "suspend", json!(false));
    let failure_policy = spec.get("podFailurePolicy").is_some_and(|value| !value.is_null());
    default(
        spec,
        "podReplacementPolicy",
        json!(if failure_policy {
            "Failed"
        } else {
            "TerminatingOrFailed"
        }),
    );
    default(spec, "manualSelector", json!(false));
    if let Some(Value::Object(policy)) = spec.get_mut("podFailurePolicy") {
        each_object(policy.get_mut("rules"), |rule| {
            each_object(rule.get_mut("onPodConditions"), |pattern| {
                // `SetDefaults_PodFailurePolicyOnPodConditionsPattern`: an empty status too.
                if pattern
                    .get("status")
                    .is_none_or(|status| status.is_null() || status == "")
                {
                    pattern.insert("status".to_string(), json!("True"));
                }
            })
        });
    }
    template(spec);
}

fn job(root: &mut Map<String, Value>) {
    let labels = root
        .get("spec")
        .and_then(|spec| spec.as_object())
        .and_then(template_labels);
    if let Some(spec) = child(root, "spec") {
        job_spec(spec);
    }
    if let Some(labels) = labels {
        if let Some(metadata) = child(root, "metadata") {
            default(metadata, "labels", labels);
        }
    }
}

fn cron_job(root: &mut Map<String, Value>) {
    let Some(spec) = child(root, "spec") else { return };
    default(spec, "concurrencyPolicy", json!("Allow"));
    default(spec, "suspend", json!(false));
    default(spec, "successfulJobsHistoryLimit", json!(3));
    default(spec, "failedJobsHistoryLimit", json!(1));
    if let Some(job) = child(spec, "jobTemplate").and_then(|template| child(template, "spec")) {
        job_spec(job);
    }
}

fn hpa_v2(root: &mut Map<String, Value>) {
    let Some(spec) = child(root, "spec") else { return };
    default(spec, "minReplicas", json!(1));
    if spec.get("metrics").and_then(Value::as_array).is_none_or(Vec::is_empty) {
        spec.insert(
            "metrics".to_string(),
            json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]),
        );
    }
    let Some(Value::Object(behavior)) = spec.get_mut("behavior") else {
        return;
    };
    if let Some(up) = child(behavior, "scaleUp") {
        default(up, "stabilizationWindowSeconds", json!(0));
        default(up, "selectPolicy", json!("Max"));
        default(
            up,
            "policies",
            json!([{"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]),
        );
    }
    if let Some(down) = child(behavior, "scaleDown") {
        default(down, "selectPolicy", json!("Max"));
        default(
            down,
            "policies",
            json!([{"type": "Percent", "value": 100, "periodSeconds": 15}]),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaulted(api_version: &str, kind: &str, object: Value) -> Value {
        let mut object = object;
        apply_defaults(api_version, kind, &mut object);
        object
    }

    #[test]
    fn pod_and_container_defaults() {
        let pod = defaulted(
            "v1",
            "Pod",
            json!({"spec": {"containers": [
                {"name": "a", "image": "nginx", "resources": {"limits": {"cpu": "1"}}, "ports": [{"containerPort": 80}]},
                {"name": "b", "image": "nginx:1.25"},
                {"name": "c", "image": "registry.local:5000/app"},
            ]}}),
        );
        let spec = &pod["spec"];
        assert_eq!(spec["restartPolicy"], "Always");
        assert_eq!(spec["terminationGracePeriodSeconds"], 30);
        assert_eq!(spec["schedulerName"], "default-scheduler");
        assert_eq!(spec["dnsPolicy"], "ClusterFirst");
        let pull: Vec<&str> = spec["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|container| container["imagePullPolicy"].as_str().unwrap())
            .collect();
        assert_eq!(pull, ["Always", "IfNotPresent", "Always"]);
        assert_eq!(spec["containers"][0]["resources"]["requests"]["cpu"], "1");
        assert_eq!(spec["containers"][0]["ports"][0]["protocol"], "TCP");
    }

    #[test]
    fn workload_defaults() {
        let daemon_set = defaulted(
            "apps/v1",
            "DaemonSet",
            json!({"spec": {"template": {"spec": {"containers": []}}}}),
        );
        assert_eq!(
            daemon_set["spec"]["updateStrategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
        );
        assert_eq!(daemon_set["spec"]["revisionHistoryLimit"], 10);
        let deployment = defaulted("apps/v1", "Deployment", json!({"spec": {}}));
        assert_eq!(
            deployment["spec"]["strategy"]["rollingUpdate"],
            json!({"maxUnavailable": "25%", "maxSurge": "25%"})
        );
        assert_eq!(
            (
                deployment["spec"]["replicas"].clone(),
                deployment["spec"]["progressDeadlineSeconds"].clone()
            ),
            (json!(1), json!(600))
        );
        let recreate = defaulted(
            "apps/v1",
            "Deployment",
            json!({"spec": {"strategy": {"type": "Recreate"}}}),
        );
        assert!(recreate["spec"]["strategy"].get("rollingUpdate").is_none());
    }

    #[test]
    fn job_and_cron_job_defaults() {
        let job = defaulted(
            "batch/v1",
            "Job",
            json!({"spec": {"template": {"metadata": {"labels": {"app": "pi"}}, "spec": {}}}}),
        );
        assert_eq!(
            (
                job["spec"]["completions"].clone(),
                job["spec"]["parallelism"].clone(),
                job["spec"]["backoffLimit"].clone()
            ),
            (json!(1), json!(1), json!(6))
        );
        assert_eq!(job["metadata"]["labels"], json!({"app": "pi"}));
        let work_queue = defaulted("batch/v1", "Job", json!({"spec": {"parallelism": 3}}));
        assert!(
            work_queue["spec"].get("completions").is_none(),
            "completions stays unset with parallelism alone"
        );
        let per_index = defaulted(
            "batch/v1",
            "Job",
            json!({"spec": {"completions": 3, "backoffLimitPerIndex": 1}}),
        );
        assert_eq!(per_index["spec"]["backoffLimit"], i64::from(i32::MAX));
        let cron = defaulted("batch/v1", "CronJob", json!({"spec": {"jobTemplate": {"spec": {}}}}));
        assert_eq!(cron["spec"]["concurrencyPolicy"], "Allow");
        assert_eq!(
            (
                cron["spec"]["successfulJobsHistoryLimit"].clone(),
                cron["spec"]["failedJobsHistoryLimit"].clone()
            ),
            (json!(3), json!(1))
        );
        assert_eq!(cron["spec"]["jobTemplate"]["spec"]["backoffLimit"], 6);
    }

    /// `SetDefaults_Service`: no session affinity config without affinity, and the traffic
    /// policies by type (a ClusterIP Service with external IPs is externally accessible).
    #[test]
    fn service_defaults_follow_the_type() {
        let spec = |spec: Value| defaulted("v1", "Service", json!({ "spec": spec }))["spec"].clone();
        let cluster_ip =
            spec(json!({"sessionAffinityConfig": {"clientIP": {}}, "ports": [{"port": 80, "targetPort": 0}]}));
        assert_eq!(cluster_ip["type"], "ClusterIP");
        assert_eq!(cluster_ip["sessionAffinity"], "None");
        assert!(cluster_ip.get("sessionAffinityConfig").is_none());
        assert_eq!(cluster_ip["ports"][0]["targetPort"], 80);
        assert_eq!(cluster_ip["internalTrafficPolicy"], "Cluster");
        assert!(cluster_ip.get("externalTrafficPolicy").is_none());
        let external_ips = spec(json!({"externalIPs": ["1.2.3.4"], "ports": [{"port": 80}]}));
        assert_eq!(external_ips["externalTrafficPolicy"], "Cluster");
        let load_balancer = spec(json!({"type": "LoadBalancer", "ports": [{"port": 80, "targetPort": "http"}]}));
        assert_eq!(load_balancer["allocateLoadBalancerNodePorts"], true);
        assert_eq!(load_balancer["ports"][0]["targetPort"], "http");
        let external_name = spec(json!({"type": "ExternalName", "externalName": "example.com"}));
        assert!(external_name.get("internalTrafficPolicy").is_none());
    }

    #[test]
    fn service_and_hpa_defaults() {
        let service = defaulted(
            "v1",
            "Service",
            json!({"spec": {"type": "NodePort", "ports": [{"port": 80}]}}),
        );
        assert_eq!(
            service["spec"]["ports"][0],
            json!({"port": 80, "protocol": "TCP", "targetPort": 80})
        );
        assert_eq!(service["spec"]["externalTrafficPolicy"], "Cluster");
        let hpa = defaulted(
            "autoscaling/v2",
            "HorizontalPodAutoscaler",
            json!({"spec": {"behavior": {}}}),
        );
        assert_eq!(
            hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
            80
        );
        assert_eq!(
            hpa["spec"]["behavior"]["scaleUp"]["policies"][0],
            json!({"type": "Pods", "value": 4, "periodSeconds": 15})
        );
        assert!(hpa["spec"]["behavior"]["scaleDown"]
            .get("stabilizationWindowSeconds")
            .is_none());
    }
}
