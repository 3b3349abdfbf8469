//! batch/v1 validation (`pkg/apis/batch/validation/validation.go`): Job and CronJob.

use super::core::{
    selector_matches, validate_label_selector, validate_object_meta, validate_pod_template, NameRule, TemplateRules,
};
use super::{FieldPath, Obj, Shown, Validator};
use crate::yaml::{Node, Value};

/// The labels the API server adds to a Job's template when it generates the selector
/// (`pkg/registry/batch/job/strategy.go` `generateSelector`); a user's selector must select them.
const GENERATED_LABELS: &[&str] = &[
    "batch.kubernetes.io/controller-uid",
    "batch.kubernetes.io/job-name",
    "controller-uid",
    "job-name",
];

/// `ValidateJob`.
pub(crate) fn validate_job(validator: &mut Validator, object: &Obj<'_>) {
    validate_object_meta(validator, object, NameRule::Dns1123Subdomain);
    let empty = Node {
        value: Value::Map(Vec::new()),
        pos: object.pos(),
    };
    let spec = Obj::new(object.get("spec").unwrap_or(&empty), "spec");
    validate_job_spec(validator, &spec, JobContext::Job);
    // Indexed Jobs name their pods `<job>-<index>`, which must be a DNS label.
    let name = object
        .get("metadata")
        .and_then(|metadata| metadata.get("name"))
        .and_then(Node::as_str)
        .unwrap_or("");
    if spec.str("completionMode") == Some("Indexed") {
        if let Some(completions) = spec.int("completions").filter(|completions| *completions > 0) {
            let last_pod = format!("{name}-{}", completions - 1);
            if !super::is_dns1123_label(&last_pod).is_empty() {
                let metadata = Obj::new(object.get("metadata").unwrap_or(&empty), "metadata");
                validator.invalid(
                    &FieldPath::new("metadata.name"),
                    metadata.pos_of("name"),
                    Shown::Str(name),
                    &format!("will not able to create pod with invalid DNS label: {last_pod}"),
                );
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JobContext {
    Job,
    CronJobTemplate,
}

/// `validateJobSpec`, at `spec` or `spec.jobTemplate.spec`.
fn validate_job_spec(validator: &mut Validator, spec: &Obj<'_>, context: JobContext) {
    let path = spec.path();
    for field in [
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
        "backoffLimitPerIndex",
        "maxFailedIndexes",
    ] {
        validator.non_negative(spec, field);
    }
    validate_pod_template(validator, spec, "Job", TemplateRules::Batch);
    validate_job_selector(validator, spec, context);

    let indexed = match spec.str("completionMode") {
        None | Some("NonIndexed") => false,
        Some("Indexed") => true,
        Some(other) => {
            validator.not_supported(
                &path.child("completionMode"),
                spec.pos_of("completionMode"),
                Shown::Str(other),
                &["NonIndexed", "Indexed"],
            );
            false
        }
    };
    let completions = spec.int("completions");
    if indexed {
        if completions.is_none() {
            validator.required(
                &path.child("completions"),
                spec.pos_of("completionMode"),
                "when completion mode is Indexed",
            );
        }
        if let Some(parallelism) = spec.int("parallelism").filter(|parallelism| *parallelism > 100_000) {
            validator.invalid(
                &path.child("parallelism"),
                spec.pos_of("parallelism"),
                Shown::Int(parallelism),
                "must be less than or equal to 100000 when completion mode is Indexed",
            );
        }
        if let Some(max_failed) = spec.int("maxFailedIndexes") {
            if completions.is_some_and(|completions| max_failed > completions) {
                validator.invalid(
                    &path.child("maxFailedIndexes"),
                    spec.pos_of("maxFailedIndexes"),
                    Shown::Int(max_failed),
                    "must be less than or equal to completions",
                );
            }
            if max_failed > 100_000 {
                validator.invalid(
                    &path.child("maxFailedIndexes"),
                    spec.pos_of("maxFailedIndexes"),
                    Shown::Int(max_failed),
                    "must be less than or equal to 100000",
                );
            }
        }
    } else {
        for field in ["backoffLimitPerIndex", "maxFailedIndexes"] {
            if let Some(value) = spec.int(field) {
                validator.invalid(
                    &path.child(field),
                    spec.pos_of(field),
                    Shown::Int(value),
                    "requires indexed completion mode",
                );
            }
        }
    }
    if spec.int("maxFailedIndexes").is_some() && spec.int("backoffLimitPerIndex").is_none() {
        validator.required(
            &path.child("backoffLimitPerIndex"),
            spec.pos_of("maxFailedIndexes"),
            "when maxFailedIndexes is specified",
        );
    }
    validate_pod_failure_policy(validator, spec);
    validate_success_policy(validator, spec, indexed, completions);
    if let Some(policy) = spec.str("podReplacementPolicy") {
        let supported: &[&str] = if spec.get("podFailurePolicy").is_some() {
            &["Failed"]
        } else {
            &["Failed", "TerminatingOrFailed"]
        };
        if !supported.contains(&policy) {
            validator.not_supported(
                &path.child("podReplacementPolicy"),
                spec.pos_of("podReplacementPolicy"),
                Shown::Str(policy),
                supported,
            );
        }
    }
}

fn validate_job_selector(validator: &mut Validator, spec: &Obj<'_>, context: JobContext) {
    let path = spec.path();
    let manual = spec.bool("manualSelector").unwrap_or(false);
    match context {
        JobContext::CronJobTemplate => {
            if let Some(selector) = spec.get("selector") {
                let selector_path = path.child("selector");
                let selector_path_text = selector_path.as_str().to_string();
                validator.invalid(
                    &selector_path,
                    selector.pos,
                    Shown::Raw(super::go_label_selector(&Obj::new(selector, &selector_path_text))),
                    "`selector` will be auto-generated",
                );
            }
            if manual {
                validator.not_supported(
                    &path.child("manualSelector"),
                    spec.pos_of("manualSelector"),
                    Shown::Raw("true".to_string()),
                    &["nil", "false"],
                );
            }
        }
        JobContext::Job => {
            let Some(selector_node) = spec.get("selector") else {
                if manual {
                    validator.required(&path.child("selector"), spec.pos(), "");
                }
                return;
            };
            let selector_path = path.child("selector");
            let selector_path_text = selector_path.as_str().to_string();
            let selector = Obj::new(selector_node, &selector_path_text);
            validate_label_selector(validator, &selector);
            let template_labels = spec
                .get("template")
                .and_then(|template| template.get("metadata"))
                .map(|metadata| Obj::new(metadata, "").map_entries("labels"))
                .unwrap_or(&[]);
            let mut labels = template_labels.to_vec();
            if !manual {
                // Generated labels hold values only the API server knows; a selector on them
                // cannot be checked here, so only the user's own labels are compared.
                labels.retain(|entry| !GENERATED_LABELS.contains(&entry.key.as_str()));
            }
            let selector_without_generated = strip_generated(selector_node);
            if !selector_matches(&Obj::new(&selector_without_generated, ""), &labels) {
                validator.invalid(
                    &path.child("template").child("metadata").child("labels"),
                    spec.pos_of("template"),
                    Shown::Raw(super::go_string_map(template_labels)),
                    "`selector` does not match template `labels`",
                );
            }
        }
    }
}

fn strip_generated(selector: &Node) -> Node {
    let mut selector = selector.clone();
    if let Value::Map(entries) = &mut selector.value {
        for entry in entries.iter_mut().filter(|entry| entry.key == "matchLabels") {
            if let Value::Map(labels) = &mut entry.value.value {
                labels.retain(|label| !GENERATED_LABELS.contains(&label.key.as_str()));
            }
        }
    }
    selector
}

/// `validatePodFailurePolicy`: the rule shapes a learner writes.
fn validate_pod_failure_policy(validator: &mut Validator, spec: &Obj<'_>) {
    let Some(policy) = spec.get("podFailurePolicy") else {
        return;
    };
    let path = spec.path().child("podFailurePolicy").child("rules");
    let policy = Obj::new(policy, "");
    let restart_policy = spec
        .get("template")
        .and_then(|template| template.get("spec"))
        .and_then(|pod_spec| pod_spec.get("restartPolicy"))
        .and_then(Node::as_str);
    if restart_policy == Some("OnFailure") {
        validator.invalid(
            &spec.path().child("template").child("spec").child("restartPolicy"),
            spec.pos_of("template"),
            Shown::Str("OnFailure"),
            "only \"Never\" is supported when podFailurePolicy is specified",
        );
    }
    let rules = policy.seq("rules");
    if rules.len() > 20 {
        validator.push_raw(
            &path,
            policy.pos_of("rules"),
            format!("Too many: {}: must have at most 20 items", rules.len()),
        );
    }
    let container_names: Vec<&str> = spec
        .get("template")
        .and_then(|template| template.get("spec"))
        .map(|pod_spec| {
            let pod_spec = Obj::new(pod_spec, "");
            pod_spec
                .seq("containers")
                .iter()
                .chain(pod_spec.seq("initContainers"))
                .filter_map(|container| container.get("name").and_then(Node::as_str))
                .collect()
        })
        .unwrap_or_default();
    for (index, rule) in rules.iter().enumerate() {
        let rule = Obj::new(rule, "");
        let rule_path = path.index(index);
        match rule.str("action") {
            None | Some("") => validator.required(
                &rule_path.child("action"),
                rule.pos(),
                "valid values: [\"Count\" \"FailIndex\" \"FailJob\" \"Ignore\"]",
            ),
            Some("FailIndex") if spec.int("backoffLimitPerIndex").is_none() => validator.invalid(
                &rule_path.child("action"),
                rule.pos_of("action"),
                Shown::Str("FailIndex"),
                "requires the backoffLimitPerIndex to be set",
            ),
            Some("Count" | "FailIndex" | "FailJob" | "Ignore") => {}
            Some(other) => validator.not_supported(
                &rule_path.child("action"),
                rule.pos_of("action"),
                Shown::Str(other),
                &["Count", "FailIndex", "FailJob", "Ignore"],
            ),
        }
        let exit_codes = rule.get("onExitCodes");
        let conditions = rule.seq("onPodConditions");
        match (exit_codes.is_some(), !conditions.is_empty()) {
            (true, true) => validator.push_raw(
                &rule_path,
                rule.pos(),
                "Invalid value: specifying both OnExitCodes and OnPodConditions is not supported".to_string(),
            ),
            (false, false) => validator.push_raw(
                &rule_path,
                rule.pos(),
                "Invalid value: specifying one of OnExitCodes and OnPodConditions is required".to_string(),
            ),
            _ => {}
        }
        if let Some(exit_codes) = exit_codes {
            let exit_codes = Obj::new(exit_codes, "");
            let codes_path = rule_path.child("onExitCodes");
            let operator = exit_codes.str("operator").unwrap_or("");
            match operator {
                "In" | "NotIn" => {}
                "" => validator.required(
                    &codes_path.child("operator"),
                    exit_codes.pos(),
                    "valid values: [\"In\" \"NotIn\"]",
                ),
                other => validator.not_supported(
                    &codes_path.child("operator"),
                    exit_codes.pos_of("operator"),
                    Shown::Str(other),
                    &["In", "NotIn"],
                ),
            }
            if let Some(container) = exit_codes.str("containerName") {
                if !container_names.contains(&container) {
                    validator.invalid(
                        &codes_path.child("containerName"),
                        exit_codes.pos_of("containerName"),
                        Shown::Str(container),
                        "must be one of the container or initContainer names in the pod template",
                    );
                }
            }
            let values = exit_codes.seq("values");
            if values.is_empty() {
                validator.invalid(
                    &codes_path.child("values"),
                    exit_codes.pos(),
                    Shown::Raw("[]int32(nil)".to_string()),
                    "at least one value is required",
                );
            }
            let mut previous: Option<i64> = None;
            for (value_index, value) in values.iter().enumerate() {
                let Value::Int(code) = value.value else {
                    continue;
                };
                let value_path = codes_path.child("values").index(value_index);
                if operator == "In" && code == 0 {
                    validator.invalid(
                        &value_path,
                        value.pos,
                        Shown::Int(code),
                        "must not be 0 for the In operator",
                    );
                }
                if previous == Some(code) {
                    validator.duplicate(&value_path, value.pos, Shown::Int(code));
                } else if previous.is_some_and(|previous| previous > code) {
                    validator.invalid(&value_path, value.pos, Shown::Int(code), "must be ordered");
                }
                previous = Some(code);
            }
        }
        for (condition_index, condition) in conditions.iter().enumerate() {
            let condition = Obj::new(condition, "");
            let condition_path = rule_path.child("onPodConditions").index(condition_index);
            // A missing or empty status is defaulted to `True` before validation runs on the
            // API server (`SetDefaults_PodFailurePolicyOnPodConditionsPattern`), so it is never
            // reported as required.
            match condition.str("status") {
                None | Some("" | "True" | "False" | "Unknown") => {}
                Some(other) => validator.not_supported(
                    &condition_path.child("status"),
                    condition.pos_of("status"),
                    Shown::Str(other),
                    &["False", "True", "Unknown"],
                ),
            }
        }
    }
}

fn validate_success_policy(validator: &mut Validator, spec: &Obj<'_>, indexed: bool, completions: Option<i64>) {
    let Some(policy) = spec.get("successPolicy") else {
        return;
    };
    let path = spec.path().child("successPolicy");
    let policy = Obj::new(policy, "");
    if !indexed {
        validator.push_raw(
            &path,
            policy.pos(),
            "Invalid value: requires indexed completion mode".to_string(),
        );
    }
    let rules = policy.seq("rules");
    if rules.is_empty() {
        validator.required(
            &path.child("rules"),
            policy.pos(),
            "at least one rules must be specified when the successPolicy is specified",
        );
    }
    for (index, rule) in rules.iter().enumerate() {
        let rule = Obj::new(rule, "");
        let rule_path = path.child("rules").index(index);
        let count = rule.int("succeededCount");
        if count.is_none() && rule.str("succeededIndexes").is_none() {
            validator.required(
                &rule_path,
                rule.pos(),
                "at least one of succeededCount or succeededIndexes must be specified",
            );
        }
        if let (Some(count), Some(completions)) = (count, completions) {
            if count > completions {
                validator.invalid(
                    &rule_path.child("succeededCount"),
                    rule.pos_of("succeededCount"),
                    Shown::Int(count),
                    &format!("must be less than or equal to {completions} (the number of specified completions)"),
                );
            }
        }
    }
}

/// `ValidateCronJobCreate`.
pub(crate) fn validate_cron_job(validator: &mut Validator, object: &Obj<'_>) {
    validate_object_meta(validator, object, NameRule::Dns1123Subdomain);
    let empty = Node {
        value: Value::Map(Vec::new()),
        pos: object.pos(),
    };
    if let Some(metadata) = object.get("metadata") {
        let metadata = Obj::new(metadata, "metadata");
        // Job names add an 11-character suffix to the CronJob's name (`<name>-<minutes>`).
        if let Some(name) = metadata.str("name").filter(|name| name.len() > 52) {
            validator.invalid(
                &FieldPath::new("metadata.name"),
                metadata.pos_of("name"),
                Shown::Str(name),
                "must be no more than 52 characters",
            );
        }
    }
    let spec = Obj::new(object.get("spec").unwrap_or(&empty), "spec");
    let path = spec.path();
    match spec.str("schedule").filter(|schedule| !schedule.is_empty()) {
        None => validator.required(&path.child("schedule"), spec.pos_of("schedule"), ""),
        Some(schedule) => {
            // `validateScheduleFormat`: the parser's error, then the TZ rule (both can apply).
            // The parser knows the zones `time.LoadLocation` finds, so `CRON_TZ=Europe/Paris`
            // gets only the TZ rule's message.
            if let Err(error) = crate::cron::parse_standard_with_zones(schedule, &crate::tz::zone_exists) {
                validator.invalid(
                    &path.child("schedule"),
                    spec.pos_of("schedule"),
                    Shown::Str(schedule),
                    &error.to_string(),
                );
            }
            if schedule.contains("TZ") {
                validator.invalid(
                    &path.child("schedule"),
                    spec.pos_of("schedule"),
                    Shown::Str(schedule),
                    "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
                );
            }
        }
    }
    if let Some(zone) = spec.get("timeZone").and_then(Node::as_str) {
        if let Err(message) = validate_time_zone_name(zone) {
            validator.invalid(
                &path.child("timeZone"),
                spec.pos_of("timeZone"),
                Shown::Str(zone),
                &message,
            );
        }
    }
    if let Some(policy) = spec.str("concurrencyPolicy") {
        if !["Allow", "Forbid", "Replace"].contains(&policy) {
            validator.not_supported(
                &path.child("concurrencyPolicy"),
                spec.pos_of("concurrencyPolicy"),
                Shown::Str(policy),
                &["Allow", "Forbid", "Replace"],
            );
        }
    }
    for field in [
        "startingDeadlineSeconds",
        "successfulJobsHistoryLimit",
        "failedJobsHistoryLimit",
    ] {
        validator.non_negative(&spec, field);
    }
    let job_spec_path = "spec.jobTemplate.spec";
    let job_spec = spec
        .get("jobTemplate")
        .and_then(|template| template.get("spec"))
        .unwrap_or(&empty);
    validate_job_spec(
        validator,
        &Obj::new(job_spec, job_spec_path),
        JobContext::CronJobTemplate,
    );
}

/// `validateTimeZone` (`pkg/apis/batch/validation/validation.go`): the name's form, then
/// whether `time.LoadLocation` knows the zone.
fn validate_time_zone_name(zone: &str) -> Result<(), String> {
    if zone.is_empty() {
        return Err("timeZone must be nil or non-empty string".to_string());
    }
    if zone.eq_ignore_ascii_case("local") {
        return Err("timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones".to_string());
    }
    // `time.LoadLocation`'s own name check: each component matches `^[A-Za-z\.\-_0-9+]{1,14}$`
    // and is not `.`, `..` or led by `-`.
    let valid_component = |component: &str| {
        (1..=14).contains(&component.len())
            && component != "."
            && component != ".."
            && !component.starts_with('-')
            && component
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b".-_+".contains(&byte))
    };
    if !zone.split('/').all(valid_component) {
        return Err(format!("unknown time zone {zone}"));
    }
    // Then `time.LoadLocation` itself, against the bundled database (`crate::tz`).
    crate::cron::load_location(zone, &crate::tz::zone_exists)
}
