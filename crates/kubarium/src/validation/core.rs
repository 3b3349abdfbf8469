//! core/v1 validation (`pkg/apis/core/validation/validation.go`): object metadata, labels,
//! selectors, pod specs and templates, and the other core kinds.

use std::collections::BTreeSet;

use super::names::{
    is_dns1035_label, is_dns1123_label, is_dns1123_subdomain, label_key_errors, label_value_errors, port_name_errors,
};
use super::{go_string_map, FieldPath, Obj, Shown, Validator};
use crate::gostr::go_quote;
use crate::quantity::Quantity;
use crate::yaml::{Node, Value};

/// Which rule a kind's names follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameRule {
    Dns1123Subdomain,
    Dns1123Label,
    Dns1035Label,
}

impl NameRule {
    fn check(self, name: &str) -> Vec<String> {
        match self {
            NameRule::Dns1123Subdomain => is_dns1123_subdomain(name),
            NameRule::Dns1123Label => is_dns1123_label(name),
            NameRule::Dns1035Label => is_dns1035_label(name),
        }
    }
}

/// `ValidateObjectMeta`: name or generateName, the name's format, namespace, labels and
/// annotations.
pub(crate) fn validate_object_meta(validator: &mut Validator, object: &Obj<'_>, rule: NameRule) {
    let Some(metadata_node) = object.get("metadata") else {
        validator.required(
            &FieldPath::new("metadata.name"),
            object.pos(),
            "name or generateName is required",
        );
        return;
    };
    let metadata = Obj::new(metadata_node, "metadata");
    let path = metadata.path();
    if let Some(generate_name) = metadata.str("generateName").filter(|name| !name.is_empty()) {
        // `maskTrailingDash`: a generated name's prefix may end in a dash.
        let masked = match generate_name.strip_suffix('-') {
            Some(stem) => format!("{stem}a"),
            None => generate_name.to_string(),
        };
        for message in rule.check(&masked) {
            validator.invalid(
                &path.child("generateName"),
                metadata.pos_of("generateName"),
                Shown::Str(generate_name),
                &message,
            );
        }
    }
    match metadata.str("name").filter(|name| !name.is_empty()) {
        None if metadata.str("generateName").is_none_or(str::is_empty) => {
            validator.required(&path.child("name"), metadata.pos(), "name or generateName is required");
        }
        None => {}
        Some(name) => {
            for message in rule.check(name) {
                validator.invalid(&path.child("name"), metadata.pos_of("name"), Shown::Str(name), &message);
            }
        }
    }
    if let Some(namespace) = metadata.str("namespace").filter(|namespace| !namespace.is_empty()) {
        for message in is_dns1123_label(namespace) {
            validator.invalid(
                &path.child("namespace"),
                metadata.pos_of("namespace"),
                Shown::Str(namespace),
                &message,
            );
        }
    }
    validator.non_negative(&metadata, "generation");
    validate_labels(validator, &metadata, "labels");
    for entry in metadata.map_entries("annotations") {
        for message in label_key_errors(&entry.key.to_ascii_lowercase()) {
            validator.invalid(
                &path.child("annotations"),
                entry.key_pos,
                Shown::Str(&entry.key),
                &message,
            );
        }
    }
}

/// `ValidateLabels`: every key and value of a string map, reported at the map's path.
pub(crate) fn validate_labels(validator: &mut Validator, parent: &Obj<'_>, field: &str) {
    let path = parent.path().child(field);
    for entry in parent.map_entries(field) {
        for message in label_key_errors(&entry.key) {
            validator.invalid(&path, entry.key_pos, Shown::Str(&entry.key), &message);
        }
        let value = entry.value.as_str().unwrap_or("");
        for message in label_value_errors(value) {
            validator.invalid(&path, entry.value.pos, Shown::Str(value), &message);
        }
    }
}

/// `ValidateLabelSelector` for a `metav1.LabelSelector`.
pub(crate) fn validate_label_selector(validator: &mut Validator, selector: &Obj<'_>) {
    validate_labels(validator, selector, "matchLabels");
    let path = selector.path().child("matchExpressions");
    for (index, expression) in selector.seq("matchExpressions").iter().enumerate() {
        let expression_path = path.index(index);
        let expression_path_text = expression_path.as_str().to_string();
        let expression = Obj::new(expression, &expression_path_text);
        let values = expression.seq("values");
        match expression.str("operator").unwrap_or("") {
            "In" | "NotIn" => {
                if values.is_empty() {
                    validator.required(
                        &expression_path.child("values"),
                        expression.pos(),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    );
                }
            }
            "Exists" | "DoesNotExist" => {
                if !values.is_empty() {
                    validator.forbidden(
                        &expression_path.child("values"),
                        expression.pos_of("values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    );
                }
            }
            other => validator.invalid(
                &expression_path.child("operator"),
                expression.pos_of("operator"),
                Shown::Str(other),
                "not a valid selector operator",
            ),
        }
        let key = expression.str("key").unwrap_or("");
        for message in label_key_errors(key) {
            validator.invalid(
                &expression_path.child("key"),
                expression.pos_of("key"),
                Shown::Str(key),
                &message,
            );
        }
        for (value_index, value) in values.iter().enumerate() {
            let text = value.as_str().unwrap_or("");
            for message in label_value_errors(text) {
                validator.invalid(
                    &expression_path.child("values").index(value_index),
                    value.pos,
                    Shown::Str(text),
                    &message,
                );
            }
        }
    }
}

/// Whether a `metav1.LabelSelector` (as written) selects `labels`, as `LabelSelectorAsSelector`
/// then `Matches` decide. Unknown operators select nothing.
pub(crate) fn selector_matches(selector: &Obj<'_>, labels: &[crate::yaml::Entry]) -> bool {
    let label = |key: &str| {
        labels
            .iter()
            .rev()
            .find(|entry| entry.key == key)
            .map(|entry| entry.value.as_str().unwrap_or(""))
    };
    let labels_match = selector
        .map_entries("matchLabels")
        .iter()
        .all(|entry| label(&entry.key) == Some(entry.value.as_str().unwrap_or("")));
    labels_match
        && selector.seq("matchExpressions").iter().all(|expression| {
            let expression = Obj::new(expression, "");
            let value = label(expression.str("key").unwrap_or(""));
            let listed = |value: &str| {
                expression
                    .seq("values")
                    .iter()
                    .any(|listed| listed.as_str() == Some(value))
            };
            match expression.str("operator").unwrap_or("") {
                "In" => value.is_some_and(listed),
                "NotIn" => value.is_none_or(|value| !listed(value)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => false,
            }
        })
}

/// Whether `LabelSelectorAsSelector` can convert the selector: known operators with the values
/// they need. Only a convertible selector is compared with the template's labels.
pub(crate) fn selector_is_convertible(selector: &Obj<'_>) -> bool {
    selector.seq("matchExpressions").iter().all(|expression| {
        let expression = Obj::new(expression, "");
        let has_values = !expression.seq("values").is_empty();
        match expression.str("operator").unwrap_or("") {
            "In" | "NotIn" => has_values,
            "Exists" | "DoesNotExist" => !has_values,
            _ => false,
        }
    })
}

/// Whether a selector has no requirements at all (`metav1.LabelSelector{}`).
pub(crate) fn selector_is_empty(selector: &Obj<'_>) -> bool {
    selector.map_entries("matchLabels").is_empty() && selector.seq("matchExpressions").is_empty()
}

/// The selector and template checks shared by workloads (`ValidateDaemonSetSpec`,
/// `ValidateReplicaSetSpec`, `validateJobSpec`): the selector is valid and not empty, and it
/// selects the template's labels. A missing selector selects nothing
/// (`LabelSelectorAsSelector(nil)` is `labels.Nothing()`), so the template never matches it.
pub(crate) fn validate_selector_and_template_labels(
    validator: &mut Validator,
    spec: &Obj<'_>,
    empty_selector_kind: &str,
    selector_required: bool,
) {
    let template_metadata = spec.get("template").and_then(|template| template.get("metadata"));
    let template_labels = template_metadata
        .map(|metadata| Obj::new(metadata, "").map_entries("labels"))
        .unwrap_or(&[]);
    let labels_path = spec.path().child("template").child("metadata").child("labels");
    let labels_pos = template_metadata
        .map(|metadata| Obj::new(metadata, "").pos_of("labels"))
        .unwrap_or(spec.pos_of("template"));
    let selector_path = spec.path().child("selector");
    let selector_path_text = selector_path.as_str().to_string();
    let mismatch = |validator: &mut Validator| {
        validator.invalid(
            &labels_path,
            labels_pos,
            Shown::Raw(go_string_map(template_labels)),
            "`selector` does not match template `labels`",
        );
    };
    match spec.get("selector") {
        None => {
            if selector_required {
                validator.required(&selector_path, spec.pos(), "");
            }
            mismatch(validator);
        }
        Some(selector_node) => {
            let selector = Obj::new(selector_node, &selector_path_text);
            validate_label_selector(validator, &selector);
            if selector_is_empty(&selector) {
                validator.invalid(
                    &selector_path,
                    selector.pos(),
                    Shown::Raw(super::go_label_selector(&selector)),
                    &format!("empty selector is invalid for {empty_selector_kind}"),
                );
            } else if selector_is_convertible(&selector) && !selector_matches(&selector, template_labels) {
                mismatch(validator);
            }
        }
    }
}

/// `ValidatePodTemplateSpec` at `<spec>.template`, with the restart policies the owner allows.
pub(crate) fn validate_pod_template(
    validator: &mut Validator,
    spec: &Obj<'_>,
    owner_kind: &str,
    template_rules: TemplateRules,
) {
    let template_path = spec.path().child("template");
    let template_path_text = template_path.as_str().to_string();
    let Some(template_node) = spec.get("template") else {
        validator.required(&template_path, spec.pos(), "");
        return;
    };
    let template = Obj::new(template_node, &template_path_text);
    if let Some(metadata) = template.get("metadata") {
        let metadata_path = template_path.child("metadata");
        let metadata_path_text = metadata_path.as_str().to_string();
        let metadata = Obj::new(metadata, &metadata_path_text);
        validate_labels(validator, &metadata, "labels");
    }
    let pod_spec_path = template_path.child("spec");
    let pod_spec_path_text = pod_spec_path.as_str().to_string();
    let empty = Node {
        value: Value::Map(Vec::new()),
        pos: template.pos(),
    };
    let pod_spec = Obj::new(template.get("spec").unwrap_or(&empty), &pod_spec_path_text);
    validate_pod_spec(validator, &pod_spec, PodSpecRules { is_pod: false });
    let restart_policy = pod_spec.str("restartPolicy").unwrap_or("Always");
    match template_rules {
        TemplateRules::AlwaysRestart => {
            if restart_policy != "Always" && ["OnFailure", "Never"].contains(&restart_policy) {
                validator.not_supported(
                    &pod_spec_path.child("restartPolicy"),
                    pod_spec.pos_of("restartPolicy"),
                    Shown::Str(restart_policy),
                    &["Always"],
                );
            }
            if pod_spec.int("activeDeadlineSeconds").is_some() {
                validator.forbidden(
                    &pod_spec_path.child("activeDeadlineSeconds"),
                    pod_spec.pos_of("activeDeadlineSeconds"),
                    &format!("activeDeadlineSeconds in {owner_kind} is not Supported"),
                );
            }
        }
        TemplateRules::Batch => {
            // `validateJobSpec` (pkg/apis/batch/validation): the template defaults to Always,
            // so leaving restartPolicy out reads as "Required".
            match restart_policy {
                "OnFailure" | "Never" => {}
                "Always" | "" => validator.required(
                    &pod_spec_path.child("restartPolicy"),
                    pod_spec.pos_of("restartPolicy"),
                    "valid values: \"OnFailure\", \"Never\"",
                ),
                _ => {}
            }
        }
    }
}

/// What a workload allows in its pod template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TemplateRules {
    /// DaemonSet, ReplicaSet, Deployment, ReplicationController.
    AlwaysRestart,
    /// Job and CronJob.
    Batch,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct PodSpecRules {
    /// Pods (not templates) also get the checks of `ValidatePodCreate`.
    pub is_pod: bool,
}

pub(super) const PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];

/// `ValidatePodSpec`, the checks a learner meets.
pub(crate) fn validate_pod_spec(validator: &mut Validator, spec: &Obj<'_>, rules: PodSpecRules) {
    let path = spec.path();
    let volume_names = validate_volumes(validator, spec);
    let containers = spec.seq("containers");
    if containers.is_empty() {
        validator.required(&path.child("containers"), spec.pos_of("containers"), "");
    }
    let mut container_names = BTreeSet::new();
    for (index, container) in spec.seq("initContainers").iter().enumerate() {
        let container_path = path.child("initContainers").index(index);
        validate_container(
            validator,
            container,
            &container_path,
            &mut container_names,
            &volume_names,
            rules,
            true,
        );
    }
    let mut host_ports = BTreeSet::new();
    for (index, container) in containers.iter().enumerate() {
        let container_path = path.child("containers").index(index);
        validate_container(
            validator,
            container,
            &container_path,
            &mut container_names,
            &volume_names,
            rules,
            false,
        );
        // `AccumulateUniqueHostPorts`.
        let container_path_text = container_path.as_str().to_string();
        let container_obj = Obj::new(container, &container_path_text);
        for (port_index, port) in container_obj.seq("ports").iter().enumerate() {
            let port = Obj::new(port, "");
            let Some(host_port) = port.int("hostPort").filter(|port| *port != 0) else {
                continue;
            };
            let key = format!(
                "{}/{}/{host_port}",
                port.str("protocol").unwrap_or("TCP"),
                port.str("hostIP").unwrap_or("")
            );
            if !host_ports.insert(key.clone()) {
                validator.duplicate(
                    &container_path.child("ports").index(port_index).child("hostPort"),
                    port.pos_of("hostPort"),
                    Shown::Str(&key),
                );
            }
        }
    }
    if let Some(policy) = spec.str("restartPolicy") {
        if !["Always", "OnFailure", "Never"].contains(&policy) {
            validator.not_supported(
                &path.child("restartPolicy"),
                spec.pos_of("restartPolicy"),
                Shown::Str(policy),
                &["Always", "OnFailure", "Never"],
            );
        }
    }
    if let Some(policy) = spec.str("dnsPolicy") {
        let supported = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
        if !supported.contains(&policy) {
            validator.not_supported(
                &path.child("dnsPolicy"),
                spec.pos_of("dnsPolicy"),
                Shown::Str(policy),
                &supported,
            );
        } else if policy == "None" && spec.get("dnsConfig").is_none() {
            validator.required(
                &path.child("dnsConfig"),
                spec.pos_of("dnsPolicy"),
                "must provide `dnsConfig` when `dnsPolicy` is None",
            );
        }
    }
    validate_labels(validator, spec, "nodeSelector");
    if let Some(node_name) = spec.str("nodeName").filter(|name| !name.is_empty()) {
        for message in is_dns1123_subdomain(node_name) {
            validator.invalid(
                &path.child("nodeName"),
                spec.pos_of("nodeName"),
                Shown::Str(node_name),
                &message,
            );
        }
    }
    if rules.is_pod {
        if let Some(deadline) = spec.int("activeDeadlineSeconds") {
            if !(1..=i64::from(i32::MAX)).contains(&deadline) {
                validator.invalid(
                    &path.child("activeDeadlineSeconds"),
                    spec.pos_of("activeDeadlineSeconds"),
                    Shown::Int(deadline),
                    "must be between 1 and 2147483647, inclusive",
                );
            }
        }
    }
    for field in ["hostname", "subdomain"] {
        if let Some(value) = spec.str(field).filter(|value| !value.is_empty()) {
            for message in is_dns1123_label(value) {
                validator.invalid(&path.child(field), spec.pos_of(field), Shown::Str(value), &message);
            }
        }
    }
    validate_tolerations(validator, spec);
    validate_node_affinity(validator, spec);
}

fn validate_volumes(validator: &mut Validator, spec: &Obj<'_>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let path = spec.path().child("volumes");
    for (index, volume) in spec.seq("volumes").iter().enumerate() {
        let volume = Obj::new(volume, "");
        let volume_path = path.index(index);
        match volume.str("name").filter(|name| !name.is_empty()) {
            None => validator.required(&volume_path.child("name"), volume.pos(), ""),
            Some(name) => {
                for message in is_dns1123_label(name) {
                    validator.invalid(
                        &volume_path.child("name"),
                        volume.pos_of("name"),
                        Shown::Str(name),
                        &message,
                    );
                }
                if !names.insert(name.to_string()) {
                    validator.duplicate(&volume_path.child("name"), volume.pos_of("name"), Shown::Str(name));
                }
            }
        }
        let sources = match &volume.node.value {
            Value::Map(entries) => entries.iter().filter(|entry| entry.key != "name").count(),
            _ => 0,
        };
        if sources > 1 {
            validator.forbidden(&volume_path, volume.pos(), "may not specify more than 1 volume type");
        }
    }
    names
}

fn validate_container(
    validator: &mut Validator,
    container: &Node,
    path: &FieldPath,
    names: &mut BTreeSet<String>,
    volume_names: &BTreeSet<String>,
    rules: PodSpecRules,
    is_init: bool,
) {
    let path_text = path.as_str().to_string();
    let container = Obj::new(container, &path_text);
    match container.str("name").filter(|name| !name.is_empty()) {
        None => validator.required(&path.child("name"), container.pos(), ""),
        Some(name) => {
            for message in is_dns1123_label(name) {
                validator.invalid(
                    &path.child("name"),
                    container.pos_of("name"),
                    Shown::Str(name),
                    &message,
                );
            }
            if !names.insert(name.to_string()) {
                validator.duplicate(&path.child("name"), container.pos_of("name"), Shown::Str(name));
            }
        }
    }
    match container.str("image") {
        None | Some("") => validator.required(&path.child("image"), container.pos(), ""),
        Some(image) if rules.is_pod && image.trim() != image => validator.invalid(
            &path.child("image"),
            container.pos_of("image"),
            Shown::Str(image),
            "must not have leading or trailing whitespace",
        ),
        Some(_) => {}
    }
    if let Some(policy) = container.str("imagePullPolicy") {
        let supported = ["Always", "IfNotPresent", "Never"];
        if !supported.contains(&policy) {
            validator.not_supported(
                &path.child("imagePullPolicy"),
                container.pos_of("imagePullPolicy"),
                Shown::Str(policy),
                &supported,
            );
        }
    }
    if let Some(policy) = container.str("restartPolicy") {
        if !is_init {
            validator.forbidden(
                &path.child("restartPolicy"),
                container.pos_of("restartPolicy"),
                "may not be set for non-init containers",
            );
        } else if policy != "Always" {
            validator.not_supported(
                &path.child("restartPolicy"),
                container.pos_of("restartPolicy"),
                Shown::Str(policy),
                &["Always"],
            );
        }
    }
    validate_container_ports(validator, &container, path);
    let mut mount_paths = BTreeSet::new();
    for (index, mount) in container.seq("volumeMounts").iter().enumerate() {
        let mount = Obj::new(mount, "");
        let mount_path = path.child("volumeMounts").index(index);
        let name = mount.str("name").unwrap_or("");
        if !volume_names.contains(name) {
            validator.not_found(&mount_path.child("name"), mount.pos_of("name"), Shown::Str(name));
        }
        match mount.str("mountPath").filter(|value| !value.is_empty()) {
            None => validator.required(&mount_path.child("mountPath"), mount.pos(), ""),
            Some(mount_at) => {
                if !mount_paths.insert(mount_at.to_string()) {
                    validator.invalid(
                        &mount_path.child("mountPath"),
                        mount.pos_of("mountPath"),
                        Shown::Str(mount_at),
                        "must be unique",
                    );
                }
            }
        }
    }
    for (index, variable) in container.seq("env").iter().enumerate() {
        let variable = Obj::new(variable, "");
        if variable.str("name").is_none_or(str::is_empty) {
            validator.required(&path.child("env").index(index).child("name"), variable.pos(), "");
        }
    }
    validate_resources(validator, &container, path);
}

fn validate_container_ports(validator: &mut Validator, container: &Obj<'_>, path: &FieldPath) {
    let mut port_names = BTreeSet::new();
    for (index, port) in container.seq("ports").iter().enumerate() {
        let port = Obj::new(port, "");
        let port_path = path.child("ports").index(index);
        match port.int("containerPort") {
            None | Some(0) => validator.required(&port_path.child("containerPort"), port.pos(), ""),
            Some(number) if !(1..=65535).contains(&number) => validator.invalid(
                &port_path.child("containerPort"),
                port.pos_of("containerPort"),
                Shown::Int(number),
                "must be between 1 and 65535, inclusive",
            ),
            Some(_) => {}
        }
        if let Some(host_port) = port.int("hostPort").filter(|port| *port != 0) {
            if !(1..=65535).contains(&host_port) {
                validator.invalid(
                    &port_path.child("hostPort"),
                    port.pos_of("hostPort"),
                    Shown::Int(host_port),
                    "must be between 1 and 65535, inclusive",
                );
            }
        }
        if let Some(name) = port.str("name").filter(|name| !name.is_empty()) {
            for message in port_name_errors(name) {
                validator.invalid(
                    &port_path.child("name"),
                    port.pos_of("name"),
                    Shown::Str(name),
                    &message,
                );
            }
            if !port_names.insert(name.to_string()) {
                validator.duplicate(&port_path.child("name"), port.pos_of("name"), Shown::Str(name));
            }
        }
        if let Some(protocol) = port.str("protocol") {
            if !PROTOCOLS.contains(&protocol) {
                validator.not_supported(
                    &port_path.child("protocol"),
                    port.pos_of("protocol"),
                    Shown::Str(protocol),
                    PROTOCOLS,
                );
            }
        }
    }
}

/// Negative quantities, and requests above limits (`validateResourceRequirements`).
fn validate_resources(validator: &mut Validator, container: &Obj<'_>, path: &FieldPath) {
    let Some(resources) = container.get("resources") else {
        return;
    };
    let resources_path = path.child("resources");
    let resources_path_text = resources_path.as_str().to_string();
    let resources = Obj::new(resources, &resources_path_text);
    let quantity = |node: &Node| match &node.value {
        Value::String(text) => Quantity::parse(text.trim())
            .ok()
            .map(|quantity| (quantity, text.clone())),
        Value::Int(number) => Some((Quantity::from_units(*number), number.to_string())),
        Value::Float(number) => Quantity::parse(&number.to_string())
            .ok()
            .map(|quantity| (quantity, number.to_string())),
        _ => None,
    };
    for field in ["limits", "requests"] {
        for entry in resources.map_entries(field) {
            if let Some((amount, text)) = quantity(&entry.value) {
                if amount.is_negative() {
                    validator.invalid(
                        &resources_path.child(field).key(&entry.key),
                        entry.value.pos,
                        Shown::Str(&text),
                        "must be greater than or equal to 0",
                    );
                }
            }
        }
    }
    for request in resources.map_entries("requests") {
        let limit = resources
            .map_entries("limits")
            .iter()
            .rev()
            .find(|limit| limit.key == request.key);
        let (Some((requested, requested_text)), Some((limited, limited_text))) =
            (quantity(&request.value), limit.and_then(|limit| quantity(&limit.value)))
        else {
            continue;
        };
        if requested > limited {
            validator.invalid(
                &resources_path.child("requests"),
                request.value.pos,
                Shown::Str(&requested_text),
                &format!("must be less than or equal to {} limit of {limited_text}", request.key),
            );
        }
    }
}

const TAINT_EFFECTS: &[&str] = &["NoSchedule", "PreferNoSchedule", "NoExecute"];

/// `ValidateTolerations`.
fn validate_tolerations(validator: &mut Validator, spec: &Obj<'_>) {
    let path = spec.path().child("tolerations");
    for (index, toleration) in spec.seq("tolerations").iter().enumerate() {
        let toleration = Obj::new(toleration, "");
        let toleration_path = path.index(index);
        let key = toleration.str("key").unwrap_or("");
        let operator = toleration.str("operator").unwrap_or("Equal");
        let value = toleration.str("value").unwrap_or("");
        if !key.is_empty() {
            for message in label_key_errors(key) {
                validator.invalid(
                    &toleration_path.child("key"),
                    toleration.pos_of("key"),
                    Shown::Str(key),
                    &message,
                );
            }
        }
        if key.is_empty() && operator != "Exists" {
            validator.invalid(
                &toleration_path.child("operator"),
                toleration.pos_of("operator"),
                Shown::Str(operator),
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            );
        }
        let effect = toleration.str("effect").unwrap_or("");
        if toleration.int("tolerationSeconds").is_some() && effect != "NoExecute" {
            validator.invalid(
                &toleration_path.child("effect"),
                toleration.pos_of("effect"),
                Shown::Str(effect),
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            );
        }
        match operator {
            "Equal" | "" => {
                let errors = label_value_errors(value);
                if !errors.is_empty() {
                    validator.invalid(
                        &toleration_path.child("operator"),
                        toleration.pos_of("value"),
                        Shown::Str(value),
                        &errors.join(";"),
                    );
                }
            }
            "Exists" => {
                if !value.is_empty() {
                    validator.invalid(
                        &toleration_path.child("operator"),
                        toleration.pos_of("value"),
                        Shown::Str(value),
                        "value must be empty when `operator` is 'Exists'",
                    );
                }
            }
            other => validator.not_supported(
                &toleration_path.child("operator"),
                toleration.pos_of("operator"),
                Shown::Str(other),
                &["Equal", "Exists"],
            ),
        }
        if !effect.is_empty() && !TAINT_EFFECTS.contains(&effect) {
            validator.not_supported(
                &toleration_path.child("effect"),
                toleration.pos_of("effect"),
                Shown::Str(effect),
                TAINT_EFFECTS,
            );
        }
    }
}

/// `ValidateNodeSelectorRequirement` for required node affinity terms.
fn validate_node_affinity(validator: &mut Validator, spec: &Obj<'_>) {
    let Some(required) = spec
        .get("affinity")
        .and_then(|affinity| affinity.get("nodeAffinity"))
        .and_then(|node_affinity| node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution"))
    else {
        return;
    };
    let path = spec
        .path()
        .child("affinity")
        .child("nodeAffinity")
        .child("requiredDuringSchedulingIgnoredDuringExecution");
    let required = Obj::new(required, "");
    let terms = required.seq("nodeSelectorTerms");
    if terms.is_empty() {
        validator.required(
            &path.child("nodeSelectorTerms"),
            required.pos(),
            "must have at least one node selector term",
        );
    }
    for (term_index, term) in terms.iter().enumerate() {
        let term = Obj::new(term, "");
        for field in ["matchExpressions", "matchFields"] {
            for (index, requirement) in term.seq(field).iter().enumerate() {
                let requirement = Obj::new(requirement, "");
                let requirement_path = path
                    .child("nodeSelectorTerms")
                    .index(term_index)
                    .child(field)
                    .index(index);
                let values = requirement.seq("values");
                match requirement.str("operator").unwrap_or("") {
                    "In" | "NotIn" if values.is_empty() => validator.required(
                        &requirement_path.child("values"),
                        requirement.pos(),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    ),
                    "Exists" | "DoesNotExist" if !values.is_empty() => validator.forbidden(
                        &requirement_path.child("values"),
                        requirement.pos_of("values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ),
                    "Gt" | "Lt" if values.len() != 1 => validator.required(
                        &requirement_path.child("values"),
                        requirement.pos(),
                        "must be specified single value when `operator` is 'Lt' or 'Gt'",
                    ),
                    "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt" => {}
                    other => validator.invalid(
                        &requirement_path.child("operator"),
                        requirement.pos_of("operator"),
                        Shown::Str(other),
                        "not a valid selector operator",
                    ),
                }
            }
        }
    }
}

/// `ValidatePodCreate`.
pub(crate) fn validate_pod(validator: &mut Validator, object: &Obj<'_>) {
    validate_object_meta(validator, object, NameRule::Dns1123Subdomain);
    let empty = Node {
        value: Value::Map(Vec::new()),
        pos: object.pos(),
    };
    let spec = Obj::new(object.get("spec").unwrap_or(&empty), "spec");
    validate_pod_spec(validator, &spec, PodSpecRules { is_pod: true });
}

pub(crate) fn validate_node(validator: &mut Validator, object: &Obj<'_>) {
    validate_object_meta(validator, object, NameRule::Dns1123Subdomain);
    let Some(spec) = object.get("spec") else {
        return;
    };
    let spec = Obj::new(spec, "spec");
    for (index, taint) in spec.seq("taints").iter().enumerate() {
        let taint = Obj::new(taint, "");
        let taint_path = spec.path().child("taints").index(index);
        let key = taint.str("key").unwrap_or("");
        if key.is_empty() {
            validator.required(&taint_path.child("key"), taint.pos(), "");
        }
        for message in label_key_errors(key).into_iter().filter(|_| !key.is_empty()) {
            validator.invalid(&taint_path.child("key"), taint.pos_of("key"), Shown::Str(key), &message);
        }
        match taint.str("effect") {
            None | Some("") => validator.required(&taint_path.child("effect"), taint.pos(), ""),
            Some(effect) if !TAINT_EFFECTS.contains(&effect) => validator.not_supported(
                &taint_path.child("effect"),
                taint.pos_of("effect"),
                Shown::Str(effect),
                TAINT_EFFECTS,
            ),
            Some(_) => {}
        }
    }
}

pub(crate) fn validate_namespace(validator: &mut Validator, object: &Obj<'_>) {
    validate_object_meta(validator, object, NameRule::Dns1123Label);
}

pub(crate) fn validate_endpoints(validator: &mut Validator, object: &Obj<'_>) {
    validate_object_meta(validator, object, NameRule::Dns1123Subdomain);
    for (index, subset) in object.seq("subsets").iter().enumerate() {
        let subset = Obj::new(subset, "");
        if subset.seq("addresses").is_empty() && subset.seq("notReadyAddresses").is_empty() {
            validator.required(
                &FieldPath::new("subsets").index(index),
                subset.pos(),
                "must specify `addresses` or `notReadyAddresses`",
            );
        }
        for (port_index, port) in subset.seq("ports").iter().enumerate() {
            let port = Obj::new(port, "");
            if let Some(number) = port.int("port").filter(|number| !(1..=65535).contains(number)) {
                validator.invalid(
                    &FieldPath::new("subsets")
                        .index(index)
                        .child("ports")
                        .index(port_index)
                        .child("port"),
                    port.pos_of("port"),
                    Shown::Int(number),
                    "must be between 1 and 65535, inclusive",
                );
            }
        }
    }
}

/// `ValidateReplicationController`: like a ReplicaSet, with a map selector that defaults to the
/// template's labels.
pub(crate) fn validate_replication_controller(validator: &mut Validator, object: &Obj<'_>) {
    validate_object_meta(validator, object, NameRule::Dns1123Subdomain);
    let empty = Node {
        value: Value::Map(Vec::new()),
        pos: object.pos(),
    };
    let spec = Obj::new(object.get("spec").unwrap_or(&empty), "spec");
    validator.non_negative(&spec, "replicas");
    validator.non_negative(&spec, "minReadySeconds");
    validate_labels(validator, &spec, "selector");
    let template_labels = spec
        .get("template")
        .and_then(|template| template.get("metadata"))
        .map(|metadata| Obj::new(metadata, "").map_entries("labels"))
        .unwrap_or(&[]);
    let selector = spec.map_entries("selector");
    if !selector.is_empty() {
        let matches = selector.iter().all(|wanted| {
            template_labels
                .iter()
                .rev()
                .find(|label| label.key == wanted.key)
                .is_some_and(|label| label.value.as_str() == wanted.value.as_str())
        });
        if !matches {
            validator.invalid(
                &FieldPath::new("spec.template.metadata.labels"),
                spec.pos_of("template"),
                Shown::Raw(go_string_map(template_labels)),
                "`selector` does not match template `labels`",
            );
        }
    } else if template_labels.is_empty() {
        // The selector defaults to the template's labels; with neither, it stays empty.
        validator.required(&FieldPath::new("spec.selector"), spec.pos(), "");
    }
    validate_pod_template(validator, &spec, "ReplicationController", TemplateRules::AlwaysRestart);
}

/// `ValidateResourceQuota`: non-negative amounts of known resources.
pub(crate) fn validate_resource_quota(validator: &mut Validator, object: &Obj<'_>) {
    validate_object_meta(validator, object, NameRule::Dns1123Subdomain);
    let Some(spec) = object.get("spec") else {
        return;
    };
    let spec = Obj::new(spec, "spec");
    for entry in spec.map_entries("hard") {
        let path = FieldPath::new("spec.hard").key(&entry.key);
        let standard = is_standard_quota_resource(&entry.key);
        if !standard && !entry.key.contains('/') {
            validator.invalid(
                &path,
                entry.key_pos,
                Shown::Str(&entry.key),
                "must be a standard resource for quota",
            );
        }
        let amount = match &entry.value.value {
            Value::String(text) => Quantity::parse(text.trim()).ok(),
            Value::Int(number) => Some(Quantity::from_units(*number)),
            _ => None,
        };
        if amount.is_some_and(|amount| amount.is_negative()) {
            let text = match &entry.value.value {
                Value::String(text) => text.clone(),
                other => format!("{other:?}"),
            };
            validator.invalid(
                &path,
                entry.value.pos,
                Shown::Str(&text),
                "must be greater than or equal to 0",
            );
        }
    }
    validate_quota_scopes(validator, &spec);
}

/// `IsStandardResourceQuotaScope` (with `CrossNamespacePodAffinity`; `VolumeAttributesClass`
/// needs its feature gate).
const QUOTA_SCOPES: &[&str] = &[
    "Terminating",
    "NotTerminating",
    "BestEffort",
    "NotBestEffort",
    "PriorityClass",
    "CrossNamespacePodAffinity",
];

/// `IsStandardQuotaResourceName`: `standardQuotaResources` and the huge page prefixes.
fn is_standard_quota_resource_name(name: &str) -> bool {
    const STANDARD: &[&str] = &[
        "cpu",
        "memory",
        "ephemeral-storage",
        "requests.cpu",
        "requests.memory",
        "requests.storage",
        "requests.ephemeral-storage",
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
        "pods",
        "resourcequotas",
        "services",
        "replicationcontrollers",
        "secrets",
        "persistentvolumeclaims",
        "configmaps",
        "services.nodeports",
        "services.loadbalancers",
    ];
    STANDARD.contains(&name) || name.starts_with("hugepages-") || name.starts_with("requests.hugepages-")
}

/// `IsResourceQuotaScopeValidForResource`: the pod scopes apply to `pods` and the compute
/// resources, `BestEffort` to `pods` only.
pub(crate) fn is_quota_scope_valid_for_resource(scope: &str, resource: &str) -> bool {
    const POD_COMPUTE: &[&str] = &[
        "cpu",
        "memory",
        "limits.cpu",
        "limits.memory",
        "requests.cpu",
        "requests.memory",
    ];
    match scope {
        "Terminating" | "NotTerminating" | "NotBestEffort" | "PriorityClass" | "CrossNamespacePodAffinity" => {
            resource == "pods" || POD_COMPUTE.contains(&resource)
        }
        "BestEffort" => resource == "pods",
        _ => true,
    }
}

/// Go's `%#v` of a `[]core.ResourceQuotaScope`.
fn go_scopes(scopes: &[&str]) -> String {
    if scopes.is_empty() {
        return "[]core.ResourceQuotaScope(nil)".to_string();
    }
    let quoted: Vec<String> = scopes.iter().map(|scope| go_quote(scope)).collect();
    format!("[]core.ResourceQuotaScope{{{}}}", quoted.join(", "))
}

/// Go's `%#v` of a `*core.ScopeSelector`.
fn go_scope_selector(requirements: &[(&str, &str, Vec<&str>)]) -> String {
    let items: Vec<String> = requirements
        .iter()
        .map(|(scope, operator, values)| {
            let values = if values.is_empty() {
                "[]string(nil)".to_string()
            } else {
                let quoted: Vec<String> = values.iter().map(|value| go_quote(value)).collect();
                format!("[]string{{{}}}", quoted.join(", "))
            };
            format!(
                "core.ScopedResourceSelectorRequirement{{ScopeName:{}, Operator:{}, Values:{values}}}",
                go_quote(scope),
                go_quote(operator)
            )
        })
        .collect();
    format!(
        "&core.ScopeSelector{{MatchExpressions:[]core.ScopedResourceSelectorRequirement{{{}}}}}",
        items.join(", ")
    )
}

/// `validateResourceQuotaScopes` and `validateScopedResourceSelectorRequirement`: known scopes,
/// each valid for every standard resource the quota limits, not both of a pair, and the
/// selector's operators and values.
fn validate_quota_scopes(validator: &mut Validator, spec: &Obj<'_>) {
    let hard: BTreeSet<&str> = spec
        .map_entries("hard")
        .iter()
        .map(|entry| entry.key.as_str())
        .collect();
    let scopes: Vec<&str> = spec.seq("scopes").iter().filter_map(Node::as_str).collect();
    let scopes_path = FieldPath::new("spec.scopes");
    let scopes_pos = spec.pos_of("scopes");
    let conflicting = |set: &BTreeSet<&str>| {
        (set.contains("BestEffort") && set.contains("NotBestEffort"))
            || (set.contains("Terminating") && set.contains("NotTerminating"))
    };
    for scope in &scopes {
        if !QUOTA_SCOPES.contains(scope) {
            validator.invalid(
                &scopes_path,
                scopes_pos,
                Shown::Raw(go_scopes(&scopes)),
                "unsupported scope",
            );
        }
        for resource in &hard {
            if is_standard_quota_resource_name(resource) && !is_quota_scope_valid_for_resource(scope, resource) {
                let value = Shown::Raw(go_scopes(&scopes));
                validator.invalid(&scopes_path, scopes_pos, value, "unsupported scope applied to resource");
            }
        }
    }
    if conflicting(&scopes.iter().copied().collect()) {
        validator.invalid(
            &scopes_path,
            scopes_pos,
            Shown::Raw(go_scopes(&scopes)),
            "conflicting scopes",
        );
    }
    let Some(selector) = spec.get("scopeSelector") else {
        return;
    };
    let selector = Obj::new(selector, "spec.scopeSelector");
    let expressions_path = FieldPath::new("spec.scopeSelector.matchExpressions");
    let requirements: Vec<(&str, &str, Vec<&str>)> = selector
        .seq("matchExpressions")
        .iter()
        .map(|node| {
            let requirement = Obj::new(node, "");
            let values = requirement.seq("values").iter().filter_map(Node::as_str).collect();
            (
                requirement.str("scopeName").unwrap_or(""),
                requirement.str("operator").unwrap_or(""),
                values,
            )
        })
        .collect();
    let mut names = BTreeSet::new();
    for (node, (scope, operator, values)) in selector.seq("matchExpressions").iter().zip(&requirements) {
        let requirement = Obj::new(node, "");
        if !QUOTA_SCOPES.contains(scope) {
            validator.invalid(
                &expressions_path.child("scopeName"),
                requirement.pos_of("scopeName"),
                Shown::Str(scope),
                "unsupported scope",
            );
        }
        for resource in &hard {
            if is_standard_quota_resource_name(resource) && !is_quota_scope_valid_for_resource(scope, resource) {
                let value = Shown::Raw(go_scope_selector(&requirements));
                validator.invalid(
                    &expressions_path,
                    node.pos,
                    value,
                    "unsupported scope applied to resource",
                );
            }
        }
        let exists_only = [
            "BestEffort",
            "NotBestEffort",
            "Terminating",
            "NotTerminating",
            "CrossNamespacePodAffinity",
        ];
        if exists_only.contains(scope) && *operator != "Exists" {
            validator.invalid(
                &expressions_path.child("operator"),
                requirement.pos_of("operator"),
                Shown::Str(operator),
                "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
            );
        }
        match *operator {
            "In" | "NotIn" if values.is_empty() => validator.required(
                &expressions_path.child("values"),
                requirement.pos_of("values"),
                "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
            ),
            "Exists" | "DoesNotExist" if !values.is_empty() => {
                let quoted: Vec<String> = values.iter().map(|value| go_quote(value)).collect();
                validator.invalid(
                    &expressions_path.child("values"),
                    requirement.pos_of("values"),
                    Shown::Raw(format!("[]string{{{}}}", quoted.join(", "))),
                    "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
                );
            }
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            other => validator.invalid(
                &expressions_path.child("operator"),
                requirement.pos_of("operator"),
                Shown::Str(other),
                "not a valid selector operator",
            ),
        }
        names.insert(*scope);
    }
    if conflicting(&names) {
        validator.invalid(
            &expressions_path,
            selector.pos(),
            Shown::Raw(go_scopes(&scopes)),
            "conflicting scopes",
        );
    }
}

fn is_standard_quota_resource(name: &str) -> bool {
    const STANDARD: &[&str] = &[
        "pods",
        "services",
        "replicationcontrollers",
        "resourcequotas",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
        "services.nodeports",
        "services.loadbalancers",
        "cpu",
        "memory",
        "requests.cpu",
        "requests.memory",
        "requests.storage",
        "requests.ephemeral-storage",
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
        "ephemeral-storage",
    ];
    STANDARD.contains(&name) || name.starts_with("count/") || name.starts_with("requests.hugepages-")
}

/// `ValidateLimitRange`: known types, unique per list, and min <= default request <= default
/// <= max for each resource.
pub(crate) fn validate_limit_range(validator: &mut Validator, object: &Obj<'_>) {
    validate_object_meta(validator, object, NameRule::Dns1123Subdomain);
    let Some(spec) = object.get("spec") else {
        return;
    };
    let spec = Obj::new(spec, "spec");
    let mut types = BTreeSet::new();
    for (index, limit) in spec.seq("limits").iter().enumerate() {
        let limit = Obj::new(limit, "");
        let path = FieldPath::new("spec.limits").index(index);
        let limit_type = limit.str("type").unwrap_or("");
        if !["Pod", "Container", "PersistentVolumeClaim"].contains(&limit_type) && !limit_type.contains('/') {
            validator.invalid(
                &path.child("type"),
                limit.pos_of("type"),
                Shown::Str(limit_type),
                "must be a standard limit type or fully qualified",
            );
        }
        if !types.insert(limit_type.to_string()) {
            validator.duplicate(&path.child("type"), limit.pos_of("type"), Shown::Str(limit_type));
        }
        if limit_type == "Pod" {
            for field in ["default", "defaultRequest"] {
                if limit.get(field).is_some() {
                    validator.forbidden(
                        &path.child(field),
                        limit.pos_of(field),
                        "may not be specified when `type` is 'Pod'",
                    );
                }
            }
        }
        let amount = |field: &str, resource: &str| {
            limit
                .map_entries(field)
                .iter()
                .rev()
                .find(|entry| entry.key == resource)
                .and_then(|entry| match &entry.value.value {
                    Value::String(text) => Quantity::parse(text.trim())
                        .ok()
                        .map(|quantity| (quantity, text.clone(), entry.value.pos)),
                    Value::Int(number) => Some((Quantity::from_units(*number), number.to_string(), entry.value.pos)),
                    _ => None,
                })
        };
        let mut resources = BTreeSet::new();
        for field in ["min", "max", "default", "defaultRequest"] {
            resources.extend(limit.map_entries(field).iter().map(|entry| entry.key.clone()));
        }
        for resource in resources {
            let min = amount("min", &resource);
            let max = amount("max", &resource);
            let default = amount("default", &resource);
            let default_request = amount("defaultRequest", &resource);
            let mut order = |lower: &Option<(Quantity, String, crate::yaml::Pos)>,
                             upper: &Option<(Quantity, String, crate::yaml::Pos)>,
                             field: &str,
                             lower_name: &str,
                             upper_name: &str| {
                if let (Some((low, low_text, low_pos)), Some((high, high_text, _))) = (lower, upper) {
                    if low > high {
                        validator.invalid(
                            &path.child(field).key(&resource),
                            *low_pos,
                            Shown::Str(low_text),
                            &format!("{lower_name} value {low_text} is greater than {upper_name} value {high_text}"),
                        );
                    }
                }
            };
            order(&min, &max, "min", "min", "max");
            order(&min, &default_request, "min", "min", "default request");
            order(&default_request, &max, "defaultRequest", "default request", "max");
            order(
                &default_request,
                &default,
                "defaultRequest",
                "default request",
                "default limit",
            );
            order(&min, &default, "min", "min", "default");
            order(&default, &max, "default", "default", "max");
        }
    }
}
