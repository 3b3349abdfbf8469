//! Namespace policy verbs: `kubectl delete resourcequota NAME` and `kubectl delete limitrange
//! NAME` (with the `quota` and `limits` short names and the `KIND/NAME` form).

use crate::sim::{ActionError, ObjectKey, Simulation, DEFAULT_NAMESPACE};

/// One namespace policy action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyAction {
    /// `delete resourcequota NAME`.
    DeleteQuota { namespace: String, name: String },
    /// `delete limitrange NAME`.
    DeleteLimitRange { namespace: String, name: String },
}

impl std::fmt::Display for PolicyAction {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kind, namespace, name) = match self {
            PolicyAction::DeleteQuota { namespace, name } => ("resourcequota", namespace, name),
            PolicyAction::DeleteLimitRange { namespace, name } => ("limitrange", namespace, name),
        };
        write!(formatter, "delete {kind} {name}")?;
        if namespace != DEFAULT_NAMESPACE {
            write!(formatter, " -n {namespace}")?;
        }
        Ok(())
    }
}

fn is_quota(kind: &str) -> bool {
    matches!(kind, "resourcequota" | "resourcequotas" | "quota")
}

fn is_limit_range(kind: &str) -> bool {
    matches!(kind, "limitrange" | "limitranges" | "limits")
}

/// The parse of a policy command, or None when the words are some other command.
pub(super) fn parse(args: &[&str], namespace: &str) -> Option<Result<PolicyAction, String>> {
    let (kind, name) = match args {
        ["delete", kind, name] => (*kind, *name),
        ["delete", target] => target.split_once('/')?,
        _ => return None,
    };
    let namespace = namespace.to_string();
    let name = name.to_string();
    if is_quota(kind) {
        Some(Ok(PolicyAction::DeleteQuota { namespace, name }))
    } else if is_limit_range(kind) {
        Some(Ok(PolicyAction::DeleteLimitRange { namespace, name }))
    } else {
        None
    }
}

impl Simulation {
    /// Performs a policy action now.
    pub(super) fn perform_policy(&mut self, action: &PolicyAction) -> Result<(), ActionError> {
        match action {
            PolicyAction::DeleteQuota { namespace, name } => self.delete_resource_quota(namespace, name),
            PolicyAction::DeleteLimitRange { namespace, name } => self.delete_limit_range(namespace, name),
        }
    }

    /// `kubectl delete resourcequota NAME`: nothing owns or is owned by a quota; the pods it
    /// admitted stay, and the namespace's other quotas recount (`resourcequotas`).
    pub fn delete_resource_quota(&mut self, namespace: &str, name: &str) -> Result<(), ActionError> {
        let key = ObjectKey::new(namespace, name);
        if self.store.resource_quotas.remove(&key).is_none() {
            return Err(ActionError(format!("resourcequotas \"{name}\" not found")));
        }
        crate::controller::resourcequota::replenish(self, namespace);
        Ok(())
    }

    /// `kubectl delete limitrange NAME`: pods created from then on get no defaults from it.
    pub fn delete_limit_range(&mut self, namespace: &str, name: &str) -> Result<(), ActionError> {
        let key = ObjectKey::new(namespace, name);
        if self.store.limit_ranges.remove(&key).is_none() {
            return Err(ActionError(format!("limitranges \"{name}\" not found")));
        }
        crate::controller::resourcequota::replenish(self, namespace);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::sim::{ClusterConfig, ObjectKey, Simulation};

    #[test]
    fn parses_and_prints_policy_commands() {
        struct Case {
            line: &'static str,
            printed: &'static str,
        }
        let cases = [
            Case {
                line: "kubectl delete quota compute",
                printed: "delete resourcequota compute",
            },
            Case {
                line: "delete resourcequotas/compute -n shop",
                printed: "delete resourcequota compute -n shop",
            },
            Case {
                line: "delete limits cpu-defaults",
                printed: "delete limitrange cpu-defaults",
            },
            Case {
                line: "kubectl delete limitrange/cpu-defaults",
                printed: "delete limitrange cpu-defaults",
            },
        ];
        for case in cases {
            let action = crate::actions::parse_action(case.line, None).expect(case.line);
            assert_eq!(action.to_string(), case.printed, "{}", case.line);
            assert_eq!(crate::actions::parse_action(&action.to_string(), None), Ok(action));
        }
    }

    #[test]
    fn deleting_a_quota_lets_pods_in_and_a_missing_one_is_not_found() {
        let mut simulation = Simulation::new(&ClusterConfig::with_nodes("n", 1));
        simulation
            .apply("apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec:\n  hard: {pods: '0'}\n---\napiVersion: v1\nkind: LimitRange\nmetadata: {name: l}\nspec:\n  limits: [{type: Container, defaultRequest: {cpu: 100m}}]\n")
            .expect("applied");
        let pod = |name: &str| {
            format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers: [{{name: c, image: nginx}}]\n")
        };
        assert!(simulation.apply(&pod("a")).is_err());
        let run = |simulation: &mut Simulation, line: &str| {
            let action = crate::actions::parse_action(line, None).expect(line);
            simulation.perform(&action).map_err(|error| error.0)
        };
        run(&mut simulation, "kubectl delete quota q").expect("deleted");
        assert_eq!(
            run(&mut simulation, "kubectl delete quota q"),
            Err("resourcequotas \"q\" not found".to_string())
        );
        simulation.apply(&pod("a")).expect("no quota any more");
        let defaulted = simulation.pod("default", "a").expect("created").spec.containers[0]
            .resources
            .requests
            .clone();
        assert_eq!(defaulted.get("cpu").map(ToString::to_string).as_deref(), Some("100m"));
        run(&mut simulation, "delete limits/l").expect("deleted");
        assert_eq!(
            run(&mut simulation, "delete limitrange l"),
            Err("limitranges \"l\" not found".to_string())
        );
        simulation.apply(&pod("b")).expect("admitted");
        assert!(simulation.pod("default", "b").expect("created").spec.containers[0]
            .resources
            .requests
            .is_empty());
        assert!(!simulation
            .store
            .limit_ranges
            .contains_key(&ObjectKey::new("default", "l")));
    }
}
