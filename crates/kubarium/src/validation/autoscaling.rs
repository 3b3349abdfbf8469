//! autoscaling validation (`pkg/apis/autoscaling/validation/validation.go`). The API server
//! converts v1 to the internal (v2-shaped) type first; errors about v1's
//! `targetCPUUtilizationPercentage` are reported at the v1 field, where the learner wrote it.

use super::core::{validate_object_meta, NameRule};
use super::{FieldPath, Obj, Shown, Validator};
use crate::yaml::{Node, Value};

fn validate_common(validator: &mut Validator, object: &Obj<'_>) -> Option<()> {
    validate_object_meta(validator, object, NameRule::Dns1123Subdomain);
    let empty = Node {
        value: Value::Map(Vec::new()),
        pos: object.pos(),
    };
    let spec = Obj::new(object.get("spec").unwrap_or(&empty), "spec");
    let path = spec.path();
    let min = spec.int("minReplicas").unwrap_or(1);
    if min < 1 {
        validator.invalid(
            &path.child("minReplicas"),
            spec.pos_of("minReplicas"),
            Shown::Int(min),
            "must be greater than or equal to 1",
        );
    }
    match spec.int("maxReplicas") {
        Some(max) if max < 1 => validator.invalid(
            &path.child("maxReplicas"),
            spec.pos_of("maxReplicas"),
            Shown::Int(max),
            "must be greater than 0",
        ),
        Some(max) if max < min => validator.invalid(
            &path.child("maxReplicas"),
            spec.pos_of("maxReplicas"),
            Shown::Int(max),
            "must be greater than or equal to `minReplicas`",
        ),
        Some(_) => {}
        None => validator.invalid(
            &path.child("maxReplicas"),
            spec.pos(),
            Shown::Int(0),
            "must be greater than 0",
        ),
    }
    let target = spec.get("scaleTargetRef");
    let target_path = path.child("scaleTargetRef");
    let target_obj = target.map(|target| Obj::new(target, ""));
    for field in ["kind", "name"] {
        let value = target_obj.as_ref().and_then(|target| target.str(field)).unwrap_or("");
        if value.is_empty() {
            validator.required(
                &target_path.child(field),
                target.map_or(spec.pos(), |target| target.pos),
                "",
            );
        } else if value == "." || value == ".." {
            validator.invalid(
                &target_path.child(field),
                target_obj.as_ref().map_or(spec.pos(), |target| target.pos_of(field)),
                Shown::Str(value),
                &format!("may not be '{value}'"),
            );
        } else if value.contains('/') || value.contains('%') {
            let character = if value.contains('/') { "/" } else { "%" };
            validator.invalid(
                &target_path.child(field),
                target_obj.as_ref().map_or(spec.pos(), |target| target.pos_of(field)),
                Shown::Str(value),
                &format!("may not contain '{character}'"),
            );
        }
    }
    Some(())
}

/// autoscaling/v1.
pub(crate) fn validate_v1(validator: &mut Validator, object: &Obj<'_>) {
    validate_common(validator, object);
    if let Some(spec) = object.get("spec") {
        let spec = Obj::new(spec, "spec");
        if let Some(target) = spec.int("targetCPUUtilizationPercentage") {
            if target < 1 {
                validator.invalid(
                    &spec.path().child("targetCPUUtilizationPercentage"),
                    spec.pos_of("targetCPUUtilizationPercentage"),
                    Shown::Int(target),
                    "must be greater than 0",
                );
            }
        }
    }
}

const METRIC_TYPES: &[&str] = &["ContainerResource", "External", "Object", "Pods", "Resource"];

/// autoscaling/v2: metrics and behavior.
pub(crate) fn validate_v2(validator: &mut Validator, object: &Obj<'_>) {
    validate_common(validator, object);
    let Some(spec) = object.get("spec") else {
        return;
    };
    let spec = Obj::new(spec, "spec");
    for (index, metric) in spec.seq("metrics").iter().enumerate() {
        let metric = Obj::new(metric, "");
        let metric_path = spec.path().child("metrics").index(index);
        let metric_type = metric.str("type").unwrap_or("");
        if metric_type.is_empty() {
            validator.required(
                &metric_path.child("type"),
                metric.pos(),
                "must specify a metric source type",
            );
            continue;
        }
        if !METRIC_TYPES.contains(&metric_type) {
            validator.not_supported(
                &metric_path.child("type"),
                metric.pos_of("type"),
                Shown::Str(metric_type),
                METRIC_TYPES,
            );
            continue;
        }
        let source_field = match metric_type {
            "ContainerResource" => "containerResource",
            "External" => "external",
            "Object" => "object",
            "Pods" => "pods",
            _ => "resource",
        };
        let Some(source) = metric.get(source_field) else {
            validator.required(
                &metric_path.child(source_field),
                metric.pos(),
                "must populate information for the given metric source",
            );
            continue;
        };
        for other in ["containerResource", "external", "object", "pods", "resource"] {
            if other != source_field && metric.get(other).is_some() {
                validator.forbidden(
                    &metric_path.child(other),
                    metric.pos_of(other),
                    "must populate the given metric source only",
                );
            }
        }
        let source = Obj::new(source, "");
        let target_path = metric_path.child(source_field).child("target");
        let Some(target) = source.get("target") else {
            validator.required(&target_path, source.pos(), "");
            continue;
        };
        let target = Obj::new(target, "");
        match target.str("type").unwrap_or("") {
            "" => validator.required(
                &target_path.child("type"),
                target.pos(),
                "must specify a metric target type",
            ),
            "Utilization" | "Value" | "AverageValue" => {}
            other => validator.invalid(
                &target_path.child("type"),
                target.pos_of("type"),
                Shown::Str(other),
                "must be either Utilization, Value, or AverageValue",
            ),
        }
        if let Some(utilization) = target.int("averageUtilization") {
            if utilization < 1 {
                validator.invalid(
                    &target_path.child("averageUtilization"),
                    target.pos_of("averageUtilization"),
                    Shown::Int(utilization),
                    "must be greater than 0",
                );
            }
        }
        if matches!(metric_type, "Resource" | "ContainerResource") {
            if source.str("name").is_none_or(str::is_empty) {
                validator.required(
                    &metric_path.child(source_field).child("name"),
                    source.pos(),
                    "must specify a resource name",
                );
            }
            match (
                target.get("averageUtilization").is_some(),
                target.get("averageValue").is_some(),
            ) {
                (false, false) => validator.required(
                    &target_path.child("averageUtilization"),
                    target.pos(),
                    "must set either a target raw value or a target utilization",
                ),
                (true, true) => validator.forbidden(
                    &target_path.child("averageValue"),
                    target.pos_of("averageValue"),
                    "may not set both a target raw value and a target utilization",
                ),
                _ => {}
            }
        }
    }
    let Some(behavior) = spec.get("behavior") else {
        return;
    };
    let behavior = Obj::new(behavior, "");
    for direction in ["scaleUp", "scaleDown"] {
        let Some(rules) = behavior.get(direction) else {
            continue;
        };
        let rules = Obj::new(rules, "");
        let rules_path = FieldPath::new("spec.behavior").child(direction);
        if let Some(window) = rules.int("stabilizationWindowSeconds") {
            if window < 0 {
                validator.invalid(
                    &rules_path.child("stabilizationWindowSeconds"),
                    rules.pos_of("stabilizationWindowSeconds"),
                    Shown::Int(window),
                    "must be greater than or equal to zero",
                );
            } else if window > 3600 {
                validator.invalid(
                    &rules_path.child("stabilizationWindowSeconds"),
                    rules.pos_of("stabilizationWindowSeconds"),
                    Shown::Int(window),
                    "must be less than or equal to 3600",
                );
            }
        }
        if let Some(select) = rules.str("selectPolicy") {
            if !["Disabled", "Max", "Min"].contains(&select) {
                validator.not_supported(
                    &rules_path.child("selectPolicy"),
                    rules.pos_of("selectPolicy"),
                    Shown::Str(select),
                    &["Disabled", "Max", "Min"],
                );
            }
        }
        if rules.get("policies").is_some() && rules.seq("policies").is_empty() {
            validator.required(
                &rules_path.child("policies"),
                rules.pos_of("policies"),
                "must specify at least one Policy",
            );
        }
        for (index, policy) in rules.seq("policies").iter().enumerate() {
            let policy = Obj::new(policy, "");
            let policy_path = rules_path.child("policies").index(index);
            if let Some(policy_type) = policy.str("type") {
                if !["Percent", "Pods"].contains(&policy_type) {
                    validator.not_supported(
                        &policy_path.child("type"),
                        policy.pos_of("type"),
                        Shown::Str(policy_type),
                        &["Percent", "Pods"],
                    );
                }
            }
            if let Some(value) = policy.int("value").filter(|value| *value <= 0) {
                validator.invalid(
                    &policy_path.child("value"),
                    policy.pos_of("value"),
                    Shown::Int(value),
                    "must be greater than zero",
                );
            }
            if let Some(period) = policy.int("periodSeconds") {
                if period <= 0 {
                    validator.invalid(
                        &policy_path.child("periodSeconds"),
                        policy.pos_of("periodSeconds"),
                        Shown::Int(period),
                        "must be greater than zero",
                    );
                } else if period > 1800 {
                    validator.invalid(
                        &policy_path.child("periodSeconds"),
                        policy.pos_of("periodSeconds"),
                        Shown::Int(period),
                        "must be less than or equal to 1800",
                    );
                }
            }
        }
    }
}
