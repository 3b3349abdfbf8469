//! apps/v1 validation (`pkg/apis/apps/validation/validation.go`): DaemonSet, ReplicaSet and
//! Deployment.

use super::core::{
    validate_object_meta, validate_pod_template, validate_selector_and_template_labels, NameRule, TemplateRules,
};
use super::{FieldPath, Obj, Shown, Validator};
use crate::yaml::{Node, Value};

const PERCENT_MESSAGE: &str = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/// An `intstr.IntOrString` as written: `Some(percent?, value)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IntOrPercent {
    value: i64,
    is_percent: bool,
}

/// `ValidatePositiveIntOrPercent` and `IsNotMoreThan100Percent` (the latter when `cap_percent`).
/// Returns the parsed value when it is valid.
fn validate_int_or_percent(
    validator: &mut Validator,
    parent: &Obj<'_>,
    field: &str,
    cap_percent: bool,
) -> Option<IntOrPercent> {
    let node = parent.get(field)?;
    let path = parent.path().child(field);
    match &node.value {
        Value::Int(value) => {
            if *value < 0 {
                validator.invalid(
                    &path,
                    node.pos,
                    Shown::Int(*value),
                    "must be greater than or equal to 0",
                );
                return None;
            }
            Some(IntOrPercent {
                value: *value,
                is_percent: false,
            })
        }
        Value::String(text) => {
            let Some(value) = text
                .strip_suffix('%')
                .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|digits| digits.parse::<i64>().ok())
            else {
                validator.invalid(&path, node.pos, Shown::Str(text), PERCENT_MESSAGE);
                return None;
            };
            if cap_percent && value > 100 {
                validator.invalid(
                    &path,
                    node.pos,
                    Shown::Raw(text.clone()),
                    "must not be greater than 100%",
                );
            }
            Some(IntOrPercent {
                value,
                is_percent: true,
            })
        }
        _ => None,
    }
}

fn shown(value: IntOrPercent) -> Shown<'static> {
    if value.is_percent {
        Shown::Raw(format!("{}%", value.value))
    } else {
        Shown::Int(value.value)
    }
}

fn spec_of<'a>(object: &Obj<'a>, empty: &'a Node) -> Obj<'a> {
    Obj::new(object.get("spec").unwrap_or(empty), "spec")
}

/// `ValidateDaemonSet`.
pub(crate) fn validate_daemon_set(validator: &mut Validator, object: &Obj<'_>) {
    validate_object_meta(validator, object, NameRule::Dns1123Subdomain);
    let empty = Node {
        value: Value::Map(Vec::new()),
        pos: object.pos(),
    };
    let spec = spec_of(object, &empty);
    validate_selector_and_template_labels(validator, &spec, "daemonset", false);
    validate_pod_template(validator, &spec, "DaemonSet", TemplateRules::AlwaysRestart);
    for field in ["minReadySeconds", "templateGeneration", "revisionHistoryLimit"] {
        validator.non_negative(&spec, field);
    }
    let Some(strategy) = spec.get("updateStrategy") else {
        return;
    };
    let strategy = Obj::new(strategy, "spec.updateStrategy");
    match strategy.str("type").unwrap_or("RollingUpdate") {
        "OnDelete" => {}
        "RollingUpdate" => {
            let Some(rolling) = strategy.get("rollingUpdate") else {
                return;
            };
            let rolling = Obj::new(rolling, "spec.updateStrategy.rollingUpdate");
            // `ValidateRollingUpdateDaemonSet`; defaults: maxUnavailable 1, maxSurge 0.
            let unavailable = validate_int_or_percent(validator, &rolling, "maxUnavailable", true);
            let surge = validate_int_or_percent(validator, &rolling, "maxSurge", true);
            let unavailable_value = unavailable.map_or(1, |value| value.value);
            let surge_value = surge.map_or(0, |value| value.value);
            if unavailable_value != 0 && surge_value != 0 {
                if let Some(surge) = surge {
                    validator.invalid(
                        &rolling.path().child("maxSurge"),
                        rolling.pos_of("maxSurge"),
                        shown(surge),
                        "may not be set when maxUnavailable is non-zero",
                    );
                }
            }
            if unavailable_value == 0
                && surge_value == 0
                && (rolling.get("maxUnavailable").is_some() || rolling.get("maxSurge").is_some())
            {
                validator.required(
                    &rolling.path().child("maxUnavailable"),
                    rolling.pos_of("maxUnavailable"),
                    "cannot be 0 when maxSurge is 0",
                );
            }
        }
        other => validator.not_supported(
            &FieldPath::new("spec.updateStrategy"),
            strategy.pos_of("type"),
            Shown::Raw(format!(
                "apps.DaemonSetUpdateStrategy{{Type:{}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}}",
                super::go_quote(other)
            )),
            &["RollingUpdate", "OnDelete"],
        ),
    }
}

/// `ValidateReplicaSetSpec`.
pub(crate) fn validate_replica_set(validator: &mut Validator, object: &Obj<'_>) {
    validate_object_meta(validator, object, NameRule::Dns1123Subdomain);
    let empty = Node {
        value: Value::Map(Vec::new()),
        pos: object.pos(),
    };
    let spec = spec_of(object, &empty);
    validator.non_negative(&spec, "replicas");
    validator.non_negative(&spec, "minReadySeconds");
    // The ReplicaSet code says "for deployment" too.
    validate_selector_and_template_labels(validator, &spec, "deployment", true);
    validate_pod_template(validator, &spec, "ReplicaSet", TemplateRules::AlwaysRestart);
}

/// `ValidateDeploymentSpec`, `ValidateDeploymentStrategy`, `ValidateRollingUpdateDeployment`.
pub(crate) fn validate_deployment(validator: &mut Validator, object: &Obj<'_>) {
    validate_object_meta(validator, object, NameRule::Dns1123Subdomain);
    let empty = Node {
        value: Value::Map(Vec::new()),
        pos: object.pos(),
    };
    let spec = spec_of(object, &empty);
    validator.non_negative(&spec, "replicas");
    validate_selector_and_template_labels(validator, &spec, "deployment", true);
    // Deployments reuse the ReplicaSet template check, message included.
    validate_pod_template(validator, &spec, "ReplicaSet", TemplateRules::AlwaysRestart);
    for field in ["minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"] {
        validator.non_negative(&spec, field);
    }
    let min_ready = spec.int("minReadySeconds").unwrap_or(0);
    if let Some(deadline) = spec.int("progressDeadlineSeconds") {
        if deadline >= 0 && deadline <= min_ready {
            validator.invalid(
                &spec.path().child("progressDeadlineSeconds"),
                spec.pos_of("progressDeadlineSeconds"),
                Shown::Int(deadline),
                "must be greater than minReadySeconds",
            );
        }
    }
    let Some(strategy) = spec.get("strategy") else {
        return;
    };
    let strategy = Obj::new(strategy, "spec.strategy");
    match strategy.str("type").unwrap_or("RollingUpdate") {
        "Recreate" => {
            if strategy.get("rollingUpdate").is_some() {
                validator.forbidden(
                    &strategy.path().child("rollingUpdate"),
                    strategy.pos_of("rollingUpdate"),
                    "may not be specified when strategy `type` is 'Recreate'",
                );
            }
        }
        "RollingUpdate" => {
            let Some(rolling) = strategy.get("rollingUpdate") else {
                return;
            };
            let rolling = Obj::new(rolling, "spec.strategy.rollingUpdate");
            let unavailable = validate_int_or_percent(validator, &rolling, "maxUnavailable", true);
            let surge = validate_int_or_percent(validator, &rolling, "maxSurge", false);
            // Defaults: 25% and 25%.
            let unavailable_value = unavailable.map_or(25, |value| value.value);
            let surge_value = surge.map_or(25, |value| value.value);
            if unavailable_value == 0 && surge_value == 0 {
                validator.invalid(
                    &rolling.path().child("maxUnavailable"),
                    rolling.pos_of("maxUnavailable"),
                    unavailable.map_or(Shown::Int(0), shown),
                    "may not be 0 when `maxSurge` is 0",
                );
            }
        }
        other => validator.not_supported(
            &FieldPath::new("spec.strategy"),
            strategy.pos_of("type"),
            Shown::Raw(format!(
                "apps.DeploymentStrategy{{Type:{}, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}}",
                super::go_quote(other)
            )),
            &["Recreate", "RollingUpdate"],
        ),
    }
}
