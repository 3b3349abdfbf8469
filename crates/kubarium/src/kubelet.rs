//! The kubelet of every node: pulls images, runs containers, restarts them with back-off, keeps
//! the pod's status and phase, enforces `activeDeadlineSeconds`, and stops pods gracefully.
//!
//! `sync_pod` is level-triggered like the real `syncPod`: it looks at the pod and the time, does
//! what is due, and asks to be woken at the next moment something will be due. Container
//! behaviour (durations, exit codes) comes from `behaviour.rs`. Sources:
//! `pkg/kubelet/kubelet.go` (`syncPod`), `pkg/kubelet/kuberuntime/kuberuntime_manager.go`
//! (`computePodActions`, `doBackOff`), `pkg/kubelet/kubelet_pods.go` (`getPhase`),
//! `pkg/kubelet/active_deadline.go`.

mod admission;

use crate::api::{
    set_condition, Container, ContainerState, ContainerStatus, ObjectMeta, OwnerReference, Pod, PodPhase,
};
use crate::behaviour::RunOutcome;
use crate::sim::{ObjectKey, Simulation, Work};
use crate::time::{Millis, SECOND_MS};

const SOURCE: &str = "kubelet";

/// How long a simulated image pull takes when the node does not have the image yet.
pub const IMAGE_PULL_MS: Millis = SECOND_MS;
/// The container restart back-off: 10s doubling to 5m (`pkg/kubelet/kubelet.go`
/// `backOffPeriod`, `MaxContainerBackOff`).
pub const BACKOFF_INITIAL_MS: Millis = 10 * SECOND_MS;
pub const BACKOFF_MAX_MS: Millis = 300 * SECOND_MS;
/// The mirror pod annotation (`kubetypes.ConfigMirrorAnnotationKey`).
pub const MIRROR_ANNOTATION: &str = "kubernetes.io/config.mirror";

/// What the kubelet remembers about a pod beyond its API status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRuntime {
    stage: Stage,
    containers: Vec<ContainerRuntime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Pulling images until the given time.
    Pulling { done_at: Millis },
    /// Running init container `index` (run number `attempt`), which exits at the given time
    /// with `exit_code`.
    Init {
        index: usize,
        attempt: u32,
        exits_at: Millis,
        exit_code: i32,
    },
    /// Waiting to restart a failed init container (`Init:CrashLoopBackOff`).
    InitBackOff {
        index: usize,
        attempt: u32,
        restart_at: Millis,
    },
    /// The app containers have been started.
    Running,
    /// Stopping for a deletion: the containers are gone at the given time.
    Stopping { done_at: Millis },
    /// The pod is finished or was killed; nothing more happens.
    Finished,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ContainerRuntime {
    /// Runs so far (the first run is 0).
    attempts: u32,
    /// When the current run exits, if it exits by itself.
    exits_at: Option<Millis>,
    exit_code: i32,
    /// While in back-off: when the next restart happens.
    restart_at: Option<Millis>,
    /// `flowcontrol.Backoff` entry: the current back-off and when it was last updated.
    backoff_ms: Option<Millis>,
    backoff_updated_ms: Millis,
    /// Exited for good (OnFailure success, or Never).
    done: bool,
}

impl Pod {
    /// The pod's `Ready` condition.
    pub fn is_ready(&self) -> bool {
        crate::api::condition_status(&self.status.conditions, "Ready") == Some("True")
    }

    pub fn is_mirror(&self) -> bool {
        self.metadata.annotations.contains_key(MIRROR_ANNOTATION)
    }
}

/// The kubelet's `Created` and `Started` events for a container (`startContainer`; since
/// 1.35 without the container's name, which the event's `fieldPath` carries: PR #134043).
fn record_container_started(simulation: &mut Simulation, key: &ObjectKey) {
    simulation.record_pod_event("Normal", "Created", key, "Container created", SOURCE);
    simulation.record_pod_event("Normal", "Started", key, "Container started", SOURCE);
}

/// `syncPod` for one pod on its node.
pub fn sync_pod(simulation: &mut Simulation, key: &ObjectKey) {
    let now = simulation.now();
    let Some(pod) = simulation.store.pod(key) else {
        return;
    };
    let alive = simulation
        .kubelets
        .get(&pod.spec.node_name)
        .is_some_and(|kubelet| kubelet.alive);
    if !alive {
        // No kubelet runs this pod: a missing node's pods wait for the pod garbage collector,
        // a dead node's pods for the node to come back.
        return;
    }
    if pod.metadata.is_terminating() {
        stop_pod(simulation, key);
        return;
    }
    if pod.status.phase.is_terminal() {
        return;
    }
    if let Some(deadline_s) = pod.spec.active_deadline_seconds {
        if let Some(start) = pod.status.start_time_ms {
            let deadline_at = start.saturating_add((deadline_s.max(0) as Millis).saturating_mul(SECOND_MS));
            if now >= deadline_at {
                kill_for_deadline(simulation, key);
                return;
            }
        }
    }
    if !simulation.runtimes.contains_key(key) {
        if let Some((reason, message)) = admission::refusal(simulation, key) {
            admission::reject(simulation, key, reason, &message);
            return;
        }
        start_pod(simulation, key);
    }
    let progressed = advance(simulation, key);
    // The kubelet rewrites the pod's conditions on every status sync (after a node comes back,
    // Ready is true again without anything else happening). When `advance` moved a running pod
    // forward, its last step already did (`start_app_containers` and `advance_containers` end
    // with `update_phase`), and a second pass would find nothing to write.
    if !progressed
        && simulation
            .runtimes
            .get(key)
            .is_some_and(|runtime| runtime.stage == Stage::Running)
    {
        update_phase(simulation, key);
    }
    schedule_next_wakeup(simulation, key);
}

/// First sight of a bound pod: status, IPs, and the image pulls.
fn start_pod(simulation: &mut Simulation, key: &ObjectKey) {
    let now = simulation.now();
    let Some((node_name, host_network)) = simulation
        .store
        .pod(key)
        .map(|pod| (pod.spec.node_name, pod.spec.host_network))
    else {
        return;
    };
    let host_ip = simulation
        .kubelets
        .get(&node_name)
        .map(|kubelet| kubelet.host_ip)
        .unwrap_or_default();
    // A pod on the host's network shares the node's IP; the others get one of its pod subnet.
    let pod_ip = if host_network {
        host_ip.to_string()
    } else {
        simulation.allocate_pod_ip(node_name)
    };
    let Some(pod) = simulation.store.pod(key) else {
        return;
    };
    let has_init = !pod.spec.init_containers.is_empty();
    let images = Images::of(pod);
    // Shared with the pod's spec, not copied.
    let app_containers: std::sync::Arc<[Container]> = pod.spec.containers.clone();
    let waiting_reason = if has_init {
        "PodInitializing"
    } else {
        "ContainerCreating"
    };
    simulation.store.update_pod(key, |pod| {
        pod.status.start_time_ms = Some(now);
        pod.status.host_ip = host_ip;
        pod.status.pod_ip = pod_ip;
        // Kubelet-owned: a pod pinned with `nodeName` is reported scheduled by its kubelet
        // (the scheduler's is kept, with its time).
        set_condition(&mut pod.status.conditions, now, "PodScheduled", "True", "", "");
        set_condition(
            &mut pod.status.conditions,
            now,
            "PodReadyToStartContainers",
            "True",
            "",
            "",
        );
        set_condition(
            &mut pod.status.conditions,
            now,
            "Initialized",
            if has_init { "False" } else { "True" },
            if has_init { "ContainersNotInitialized" } else { "" },
            "",
        );
        set_condition(
            &mut pod.status.conditions,
            now,
            "Ready",
            "False",
            "ContainersNotReady",
            "",
        );
        set_condition(
            &mut pod.status.conditions,
            now,
            "ContainersReady",
            "False",
            "ContainersNotReady",
            "",
        );
        // `generateAPIPodStatus` lists PodScheduled after the kubelet's own conditions, as
        // `kubectl describe pod` shows them.
        if let Some(scheduled) = pod
            .status
            .conditions
            .iter()
            .position(|condition| condition.condition_type == "PodScheduled")
        {
            let scheduled = pod.status.conditions.remove(scheduled);
            pod.status.conditions.push(scheduled);
        }
        pod.status.container_statuses = app_containers
            .iter()
            .map(|container| ContainerStatus {
                name: container.name.as_str().into(),
                image: container.image.as_str().into(),
                ready: false,
                restart_count: 0,
                started: false,
                state: ContainerState::Waiting {
                    reason: waiting_reason.to_string(),
                    message: String::new(),
                },
                last_state: None,
            })
            .collect();
    });
    // The pod has an IP now: the endpoint controllers list it (not ready yet).
    crate::controller::endpoints::on_stored_pod_changed(simulation, key);
    // Images the node lacks are pulled one after another; present ones are used at once.
    let mut pull_ms = 0;
    let mut pulled: Vec<&str> = Vec::new();
    for image in images.iter() {
        let present = simulation
            .kubelets
            .get(node_name.as_str())
            .is_some_and(|kubelet| kubelet.images.contains(image));
        if present || pulled.contains(&image) {
            continue;
        }
        simulation.record_pod_event(
            "Normal",
            "Pulling",
            key,
            format_args!("Pulling image \"{image}\""),
            SOURCE,
        );
        pull_ms += IMAGE_PULL_MS;
        pulled.push(image);
    }
    let runtime = PodRuntime {
        stage: Stage::Pulling { done_at: now + pull_ms },
        containers: vec![ContainerRuntime::default(); app_containers.len()],
    };
    simulation.runtimes.insert(key.clone(), runtime);
}

/// The images of a pod's init and app containers, in that order; the app containers' list is
/// shared with the pod (`Arc`), not copied.
struct Images {
    init: Vec<String>,
    app: std::sync::Arc<[Container]>,
}

impl Images {
    fn of(pod: &Pod) -> Images {
        Images {
            init: pod
                .spec
                .init_containers
                .iter()
                .map(|container| container.image.clone())
                .collect(),
            app: pod.spec.containers.clone(),
        }
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        let init = self.init.iter().map(String::as_str);
        init.chain(self.app.iter().map(|container| container.image.as_str()))
    }
}

/// Does everything that is due now, in order, until nothing more is. Returns whether anything
/// was.
fn advance(simulation: &mut Simulation, key: &ObjectKey) -> bool {
    let mut progressed_any = false;
    // Each pass moves at least one stage or container forward; a bound keeps a bug from looping.
    for _ in 0..64 {
        let now = simulation.now();
        let Some(runtime) = simulation.runtimes.get(key) else {
            return progressed_any;
        };
        let progressed = match runtime.stage {
            Stage::Pulling { done_at } if done_at <= now => {
                finish_pulls(simulation, key);
                true
            }
            Stage::Init {
                index,
                attempt,
                exits_at,
                exit_code,
            } if exits_at <= now => {
                finish_init_container(simulation, key, index, attempt, exit_code);
                true
            }
            Stage::InitBackOff {
                index,
                attempt,
                restart_at,
            } if restart_at <= now => {
                start_init_container(simulation, key, index, attempt);
                true
            }
            Stage::Running => advance_containers(simulation, key),
            _ => false,
        };
        if !progressed {
            return progressed_any;
        }
        progressed_any = true;
    }
    progressed_any
}

fn finish_pulls(simulation: &mut Simulation, key: &ObjectKey) {
    let now = simulation.now();
    let Some(pod) = simulation.store.pod(key) else {
        return;
    };
    let node_name = pod.spec.node_name;
    let images = Images::of(pod);
    let has_init = !pod.spec.init_containers.is_empty();
    for image in images.iter() {
        let kubelet = simulation.kubelets.get_mut(&node_name);
        let newly =
            kubelet.is_some_and(|kubelet| !kubelet.images.contains(image) && kubelet.images.insert(image.to_string()));
        if newly {
            let message = ["Successfully pulled image \"", image, "\" in 1s (1s including waiting)"];
            simulation.record_pod_event("Normal", "Pulled", key, crate::sim::EventPieces(message), SOURCE);
        } else {
            let message = ["Container image \"", image, "\" already present on machine"];
            simulation.record_pod_event("Normal", "Pulled", key, crate::sim::EventPieces(message), SOURCE);
        }
    }
    if has_init {
        start_init_container(simulation, key, 0, 0);
    } else {
        start_app_containers(simulation, key);
    }
    let _ = now;
}

fn start_init_container(simulation: &mut Simulation, key: &ObjectKey, index: usize, attempt: u32) {
    let now = simulation.now();
    let Some(pod) = simulation.store.pod(key) else {
        return;
    };
    let Some(container) = pod.spec.init_containers.get(index).cloned() else {
        start_app_containers(simulation, key);
        return;
    };
    // Init containers must finish: they run as batch containers do.
    let mut batch_pod = pod.clone();
    batch_pod.spec.restart_policy = crate::word::Word::from_static("Never");
    let outcome = simulation.behaviour.outcome(&batch_pod, &container, attempt);
    let exits_at = now.saturating_add(outcome.run_ms.unwrap_or(SECOND_MS));
    record_container_started(simulation, key);
    if let Some(runtime) = simulation.runtimes.get_mut(key) {
        runtime.stage = Stage::Init {
            index,
            attempt,
            exits_at,
            exit_code: outcome.exit_code,
        };
    }
}

/// An init container exited: the next one starts; a failure fails the pod under `Never` and is
/// retried with back-off otherwise (`computeInitContainerActions`).
fn finish_init_container(simulation: &mut Simulation, key: &ObjectKey, index: usize, attempt: u32, exit_code: i32) {
    let now = simulation.now();
    if exit_code != 0 {
        let restart_policy = simulation
            .store
            .pod(key)
            .map(|pod| pod.spec.restart_policy)
            .unwrap_or_default();
        if restart_policy == "Never" {
            let resource_version = simulation.bump_resource_version();
            simulation.store.update_pod(key, |pod| {
                pod.status.phase = PodPhase::Failed;
                pod.metadata.resource_version = resource_version;
                set_condition(&mut pod.status.conditions, now, "Ready", "False", "PodFailed", "");
                set_condition(
                    &mut pod.status.conditions,
                    now,
                    "ContainersReady",
                    "False",
                    "PodFailed",
                    "",
                );
                for status in &mut pod.status.container_statuses {
                    status.state = ContainerState::Terminated {
                        exit_code: 0,
                        reason: "Init:Error".to_string(),
                        started_at_ms: now,
                        finished_at_ms: now,
                    };
                }
            });
            if let Some(runtime) = simulation.runtimes.get_mut(key) {
                runtime.stage = Stage::Finished;
            }
            simulation.pod_status_changed(key);
            simulation.pod_became_terminal();
            return;
        }
        let delay = if attempt == 0 {
            0
        } else {
            (BACKOFF_INITIAL_MS << (attempt - 1).min(5)).min(BACKOFF_MAX_MS)
        };
        if delay > 0 {
            let name = simulation
                .store
                .pod(key)
                .and_then(|pod| {
                    pod.spec
                        .init_containers
                        .get(index)
                        .map(|container| container.name.clone())
                })
                .unwrap_or_default();
            simulation.record_pod_event(
                "Warning",
                "BackOff",
                key,
                format!(
                    "Back-off restarting failed container {name} in pod {}_{}",
                    key.name, key.namespace
                ),
                SOURCE,
            );
        }
        if let Some(runtime) = simulation.runtimes.get_mut(key) {
            runtime.stage = Stage::InitBackOff {
                index,
                attempt: attempt + 1,
                restart_at: now + delay,
            };
        }
        return;
    }
    let count = simulation
        .store
        .pod(key)
        .map_or(0, |pod| pod.spec.init_containers.len());
    if index + 1 < count {
        start_init_container(simulation, key, index + 1, 0);
        return;
    }
    simulation.store.update_pod(key, |pod| {
        set_condition(&mut pod.status.conditions, now, "Initialized", "True", "", "")
    });
    start_app_containers(simulation, key);
}

fn start_app_containers(simulation: &mut Simulation, key: &ObjectKey) {
    let Some(pod) = simulation.store.pod(key) else {
        return;
    };
    let count = pod.spec.containers.len();
    if let Some(runtime) = simulation.runtimes.get_mut(key) {
        runtime.stage = Stage::Running;
    }
    for index in 0..count {
        start_container(simulation, key, index);
    }
    update_phase(simulation, key);
}

/// Starts (or restarts) app container `index`.
fn start_container(simulation: &mut Simulation, key: &ObjectKey, index: usize) {
    let now = simulation.now();
    let Some(pod) = simulation.store.pod(key) else {
        return;
    };
    // The pod's container list is shared (`Arc`), so holding it costs no copy.
    let containers = pod.spec.containers.clone();
    let Some(container) = containers.get(index) else {
        return;
    };
    // Runs are counted only for containers with a `fail_first` behaviour, the only one that
    // reads the count.
    let mut counted = None;
    let outcome: RunOutcome = simulation.behaviour.outcome_with(pod, container, || {
        let attempt_key = attempt_key(pod, container);
        let attempt = simulation.behaviour_attempts(&attempt_key);
        counted = Some(attempt_key);
        attempt
    });
    if let Some(attempt_key) = counted {
        simulation.record_behaviour_attempt(attempt_key);
    }
    let restarting = simulation
        .runtimes
        .get(key)
        .and_then(|runtime| runtime.containers.get(index))
        .is_some_and(|container| container.attempts > 0);
    if restarting {
        simulation.record_pod_event(
            "Normal",
            "Pulled",
            key,
            format_args!("Container image \"{}\" already present on machine", container.image),
            SOURCE,
        );
    }
    record_container_started(simulation, key);
    if let Some(runtime) = simulation
        .runtimes
        .get_mut(key)
        .and_then(|runtime| runtime.containers.get_mut(index))
    {
        runtime.exits_at = outcome.run_ms.map(|run_ms| now + run_ms);
        runtime.exit_code = outcome.exit_code;
        runtime.restart_at = None;
        runtime.attempts += 1;
    }
    simulation.store.update_pod(key, |pod| {
        if let Some(status) = pod.status.container_statuses.get_mut(index) {
            if restarting {
                status.restart_count += 1;
            }
            status.state = ContainerState::Running { started_at_ms: now };
            status.ready = true;
            status.started = true;
        }
    });
}

/// The key that counts runs for `fail_first`: the controlling owner and container name, so a
/// Job's replacement pods continue the count; the pod itself when it has no owner.
fn attempt_key(pod: &Pod, container: &Container) -> String {
    let owner = pod
        .metadata
        .controller_of()
        .map_or(&pod.metadata.uid, |owner| &owner.uid);
    format!("{owner}/{}", container.name)
}

/// Exits and restarts that are due. Returns whether anything changed.
fn advance_containers(simulation: &mut Simulation, key: &ObjectKey) -> bool {
    let now = simulation.now();
    let Some(count) = simulation.runtimes.get(key).map(|runtime| runtime.containers.len()) else {
        return false;
    };
    let mut progressed = false;
    // Each container's handling changes only that container's runtime, so reading each one
    // as its turn comes sees what a copy taken before the loop would.
    for index in 0..count {
        let Some(container) = simulation
            .runtimes
            .get(key)
            .and_then(|runtime| runtime.containers.get(index).copied())
        else {
            break;
        };
        if container.done {
            continue;
        }
        if let Some(exits_at) = container.exits_at.filter(|exits_at| *exits_at <= now) {
            container_exited(simulation, key, index, exits_at);
            progressed = true;
        } else if let Some(restart_at) = container.restart_at.filter(|restart_at| *restart_at <= now) {
            let _ = restart_at;
            start_container(simulation, key, index);
            progressed = true;
        }
    }
    if progressed {
        update_phase(simulation, key);
    }
    progressed
}

/// A container's process ended: record it, then restart it now, later (back-off) or never,
/// as the restart policy says.
fn container_exited(simulation: &mut Simulation, key: &ObjectKey, index: usize, finished_at: Millis) {
    let now = simulation.now();
    let Some(pod) = simulation.store.pod(key) else {
        return;
    };
    let Some(runtime) = simulation
        .runtimes
        .get(key)
        .and_then(|runtime| runtime.containers.get(index))
        .copied()
    else {
        return;
    };
    let exit_code = runtime.exit_code;
    let restart = match pod.spec.restart_policy.as_str() {
        "Always" => true,
        "OnFailure" => exit_code != 0,
        _ => false,
    };
    let reason = if exit_code == 0 { "Completed" } else { "Error" };
    let started_at = pod
        .status
        .container_statuses
        .get(index)
        .and_then(|status| match status.state {
            ContainerState::Running { started_at_ms } => Some(started_at_ms),
            _ => None,
        })
        .unwrap_or(finished_at);
    // The names go into the back-off messages only.
    let (container_name, pod_name, pod_uid) = if restart {
        let container_name = pod
            .spec
            .containers
            .get(index)
            .map(|container| container.name.clone())
            .unwrap_or_default();
        (container_name, pod.metadata.name.clone(), pod.metadata.uid.clone())
    } else {
        Default::default()
    };
    let terminated = ContainerState::Terminated {
        exit_code,
        reason: reason.to_string(),
        started_at_ms: started_at,
        finished_at_ms: finished_at,
    };
    let mut container_runtime = runtime;
    container_runtime.exits_at = None;
    if !restart {
        container_runtime.done = true;
        simulation.store.update_pod(key, |pod| {
            if let Some(status) = pod.status.container_statuses.get_mut(index) {
                status.state = terminated;
                status.ready = false;
                status.started = false;
            }
        });
    } else {
        // `doBackOff` over `flowcontrol.Backoff`: an entry unused for twice the maximum is
        // forgotten; a fresh entry lets the restart happen at once and arms 10s; an armed one
        // holds the container in CrashLoopBackOff for its duration, then doubles.
        let expired = container_runtime
            .backoff_ms
            .is_some_and(|_| now.saturating_sub(container_runtime.backoff_updated_ms) > 2 * BACKOFF_MAX_MS);
        let delay = match container_runtime.backoff_ms {
            Some(backoff) if !expired => backoff,
            _ => 0,
        };
        let next_backoff = match container_runtime.backoff_ms {
            Some(backoff) if !expired => (backoff * 2).min(BACKOFF_MAX_MS),
            _ => BACKOFF_INITIAL_MS,
        };
        container_runtime.backoff_ms = Some(next_backoff);
        // `flowcontrol.Backoff.Next` stamps the entry when the restart happens.
        container_runtime.backoff_updated_ms = now + delay;
        container_runtime.restart_at = Some(now + delay);
        let waiting = if delay > 0 {
            Some(ContainerState::Waiting {
                reason: "CrashLoopBackOff".to_string(),
                message: format!(
                    "back-off {} restarting failed container={container_name} pod={pod_name}_{}({pod_uid})",
                    crate::time::format_duration(delay),
                    key.namespace
                ),
            })
        } else {
            None
        };
        if delay > 0 {
            simulation.record_pod_event(
                "Warning",
                "BackOff",
                key,
                format!(
                    "Back-off restarting failed container {container_name} in pod {pod_name}_{}({pod_uid})",
                    key.namespace
                ),
                SOURCE,
            );
        }
        simulation.store.update_pod(key, |pod| {
            if let Some(status) = pod.status.container_statuses.get_mut(index) {
                status.last_state = Some(Box::new(terminated.clone()));
                status.state = waiting.unwrap_or(terminated);
                status.ready = false;
                status.started = false;
            }
        });
    }
    if let Some(slot) = simulation
        .runtimes
        .get_mut(key)
        .and_then(|runtime| runtime.containers.get_mut(index))
    {
        *slot = container_runtime;
    }
}

/// `getPhase` (`pkg/kubelet/kubelet_pods.go`) and the Ready conditions.
fn update_phase(simulation: &mut Simulation, key: &ObjectKey) {
    let now = simulation.now();
    let Some(runtime) = simulation.runtimes.get(key) else {
        return;
    };
    let Some(pod) = simulation.store.pod(key) else {
        return;
    };
    let before = (pod.status.phase, pod.is_ready());
    let restart_policy = pod.spec.restart_policy.as_str();
    let all_done = runtime.containers.iter().all(|container| container.done);
    let no_containers = runtime.containers.is_empty();
    let any_failed = pod
        .status
        .container_statuses
        .iter()
        .any(|status| matches!(status.state, ContainerState::Terminated { exit_code, .. } if exit_code != 0));
    let all_running = pod
        .status
        .container_statuses
        .iter()
        .all(|status| matches!(status.state, ContainerState::Running { .. }));
    let phase = if all_done && !no_containers {
        match restart_policy {
            "Never" if any_failed => PodPhase::Failed,
            _ => PodPhase::Succeeded,
        }
    } else {
        PodPhase::Running
    };
    // Nothing to write when the phase and readiness already say so (no new resourceVersion).
    let ready_now = !phase.is_terminal() && all_running;
    if before == (phase, ready_now)
        && crate::api::condition_status(&pod.status.conditions, "ContainersReady")
            == Some(if ready_now { "True" } else { "False" })
    {
        return;
    }
    let resource_version = simulation.bump_resource_version();
    simulation.store.update_pod(key, |pod| {
        pod.status.phase = phase;
        pod.metadata.resource_version = resource_version;
        if phase.is_terminal() {
            let reason = if phase == PodPhase::Failed {
                "PodFailed"
            } else {
                "PodCompleted"
            };
            set_condition(&mut pod.status.conditions, now, "Ready", "False", reason, "");
            set_condition(&mut pod.status.conditions, now, "ContainersReady", "False", reason, "");
        } else if all_running {
            set_condition(&mut pod.status.conditions, now, "ContainersReady", "True", "", "");
            set_condition(&mut pod.status.conditions, now, "Ready", "True", "", "");
        } else {
            set_condition(
                &mut pod.status.conditions,
                now,
                "ContainersReady",
                "False",
                "ContainersNotReady",
                "",
            );
            set_condition(
                &mut pod.status.conditions,
                now,
                "Ready",
                "False",
                "ContainersNotReady",
                "",
            );
        }
    });
    if phase.is_terminal() {
        if let Some(runtime) = simulation.runtimes.get_mut(key) {
            runtime.stage = Stage::Finished;
        }
        simulation.pod_became_terminal();
    }
    // The pod's Ready condition is now `ready_now`, as set above.
    if before != (phase, ready_now) {
        simulation.pod_status_changed(key);
    }
}

/// `activeDeadlineSeconds` passed: the kubelet kills the pod and fails it
/// (`pkg/kubelet/active_deadline.go`).
fn kill_for_deadline(simulation: &mut Simulation, key: &ObjectKey) {
    let now = simulation.now();
    let names: Vec<String> = simulation
        .store
        .pod(key)
        .map(|pod| {
            pod.status
                .container_statuses
                .iter()
                .filter(|status| matches!(status.state, ContainerState::Running { .. }))
                .map(|status| status.name.to_string())
                .collect()
        })
        .unwrap_or_default();
    for name in &names {
        simulation.record_pod_event("Normal", "Killing", key, format!("Stopping container {name}"), SOURCE);
    }
    simulation.record_pod_event(
        "Normal",
        "DeadlineExceeded",
        key,
        "Pod was active on the node longer than the specified deadline".to_string(),
        SOURCE,
    );
    let resource_version = simulation.bump_resource_version();
    simulation.store.update_pod(key, |pod| {
        pod.status.phase = PodPhase::Failed;
        pod.status.reason = crate::word::Word::from_static("DeadlineExceeded");
        pod.status.message = "Pod was active on the node longer than the specified deadline".into();
        pod.metadata.resource_version = resource_version;
        for status in &mut pod.status.container_statuses {
            let started_at = match status.state {
                ContainerState::Running { started_at_ms } => started_at_ms,
                _ => now,
            };
            status.state = ContainerState::Terminated {
                exit_code: 137,
                reason: "Error".to_string(),
                started_at_ms: started_at,
                finished_at_ms: now,
            };
            status.ready = false;
            status.started = false;
        }
        set_condition(&mut pod.status.conditions, now, "Ready", "False", "PodFailed", "");
        set_condition(
            &mut pod.status.conditions,
            now,
            "ContainersReady",
            "False",
            "PodFailed",
            "",
        );
    });
    if let Some(runtime) = simulation.runtimes.get_mut(key) {
        runtime.stage = Stage::Finished;
    }
    simulation.pod_status_changed(key);
    simulation.pod_became_terminal();
}

/// Graceful termination: `Killing` each running container (SIGTERM), then the pod is removed
/// once they have stopped. A container whose main process is `sleep` ignores SIGTERM as PID 1
/// does and is killed when the grace period ends; other containers stop at once.
fn stop_pod(simulation: &mut Simulation, key: &ObjectKey) {
    let now = simulation.now();
    let Some(pod) = simulation.store.pod(key).cloned() else {
        return;
    };
    let stage = simulation.runtimes.get(key).map(|runtime| runtime.stage);
    match stage {
        Some(Stage::Stopping { done_at }) if done_at <= now => {
            simulation.remove_pod_now(key);
        }
        Some(Stage::Stopping { done_at }) => simulation.enqueue_at(Work::KubeletSyncPod(key.clone()), done_at),
        _ => {
            let running: Vec<&Container> = pod
                .spec
                .containers
                .iter()
                .zip(&pod.status.container_statuses)
                .filter(|(_, status)| matches!(status.state, ContainerState::Running { .. }))
                .map(|(container, _)| container)
                .collect();
            for container in &running {
                simulation.record_pod_event(
                    "Normal",
                    "Killing",
                    key,
                    format!("Stopping container {}", container.name),
                    SOURCE,
                );
            }
            let deadline = pod.metadata.deletion_timestamp_ms.unwrap_or(now);
            let ignores_sigterm = running.iter().any(|container| ignores_sigterm(container));
            let done_at = if ignores_sigterm { deadline.max(now) } else { now };
            simulation
                .runtimes
                .entry(key.clone())
                .or_insert_with(|| PodRuntime {
                    stage: Stage::Finished,
                    containers: Vec::new(),
                })
                .stage = Stage::Stopping { done_at };
            if done_at <= now {
                simulation.remove_pod_now(key);
            } else {
                simulation.enqueue_at(Work::KubeletSyncPod(key.clone()), done_at);
            }
        }
    }
}

/// Whether a container's main process is `sleep`, which ignores SIGTERM as PID 1 and is killed
/// when the grace period ends.
pub(crate) fn ignores_sigterm(container: &Container) -> bool {
    container
        .command
        .first()
        .or(container.args.first())
        .is_some_and(|program| program.rsplit('/').next() == Some("sleep"))
}

/// Asks to be woken at the next moment something is due for this pod.
fn schedule_next_wakeup(simulation: &mut Simulation, key: &ObjectKey) {
    let Some(runtime) = simulation.runtimes.get(key) else {
        return;
    };
    let Some(pod) = simulation.store.pod(key) else {
        return;
    };
    if pod.status.phase.is_terminal() {
        return;
    }
    let mut next: Option<Millis> = match runtime.stage {
        Stage::Pulling { done_at } => Some(done_at),
        Stage::Init { exits_at, .. } => Some(exits_at),
        Stage::InitBackOff { restart_at, .. } => Some(restart_at),
        Stage::Stopping { done_at } => Some(done_at),
        Stage::Running => runtime
            .containers
            .iter()
            .filter(|container| !container.done)
            .filter_map(|container| container.exits_at.or(container.restart_at))
            .min(),
        Stage::Finished => None,
    };
    if let (Some(deadline_s), Some(start)) = (pod.spec.active_deadline_seconds, pod.status.start_time_ms) {
        let deadline_at = start.saturating_add((deadline_s.max(0) as Millis).saturating_mul(SECOND_MS));
        next = Some(next.map_or(deadline_at, |next| next.min(deadline_at)));
    }
    if let Some(next) = next {
        simulation.enqueue_at(Work::KubeletSyncPod(key.clone()), next);
    }
}

/// The kubelet's static pods: each manifest runs on the node, with a mirror pod in the API named
/// `<name>-<node>` (`pkg/kubelet/pod/mirror_client.go`).
pub fn start_static_pods(simulation: &mut Simulation, node_name: &str) {
    let Some(kubelet) = simulation.kubelets.get(node_name) else {
        return;
    };
    if !kubelet.alive {
        return;
    }
    let manifests = kubelet.static_pods.clone();
    let node_uid = simulation
        .store
        .nodes
        .get(node_name)
        .map(|node| node.metadata.uid.clone())
        .unwrap_or_default();
    for manifest in manifests {
        let name = format!("{}-{node_name}", manifest.metadata.name);
        let namespace = if manifest.metadata.namespace.is_empty() {
            crate::api::Word::from_static("default")
        } else {
            manifest.metadata.namespace
        };
        let key = ObjectKey::new(&namespace, &name);
        if simulation.store.pod(&key).is_some() {
            continue;
        }
        let mut pod = manifest.clone();
        pod.metadata = ObjectMeta {
            name,
            namespace,
            labels: manifest.metadata.labels.clone(),
            annotations: manifest.metadata.annotations.clone(),
            ..ObjectMeta::default()
        };
        pod.metadata.annotations.insert(
            MIRROR_ANNOTATION.to_string(),
            format!("{:016x}", fnv(&manifest.metadata.name)),
        );
        pod.metadata
            .annotations
            .insert("kubernetes.io/config.source".to_string(), "file".to_string());
        pod.metadata.owner_references.push(OwnerReference {
            api_version: "v1".to_string(),
            kind: "Node".to_string(),
            name: node_name.to_string(),
            uid: node_uid.clone(),
            controller: true,
            block_owner_deletion: false,
        });
        pod.spec.node_name = crate::word::Word::new(node_name);
        // File static pods tolerate every NoExecute taint (`kubelet/config/common.go`
        // `applyDefaults`): node failures never evict them.
        pod.spec.tolerations.to_mut().push(crate::api::Toleration {
            operator: "Exists".into(),
            effect: "NoExecute".into(),
            ..crate::api::Toleration::default()
        });
        let previous = simulation.mirror_status.remove(&key);
        let key = simulation.create_pod(pod);
        if let Some((status, runtime)) = previous {
            // The static pod kept running; only its mirror was gone.
            simulation.store.update_pod(&key, |pod| pod.status = status);
            simulation.runtimes.insert(key.clone(), runtime);
        }
    }
}

/// A pod left the API. For a static pod's mirror, the kubelet puts the mirror back: the static
/// pod itself never stopped.
pub fn on_pod_removed(simulation: &mut Simulation, pod: &Pod, runtime: Option<PodRuntime>) {
    if !pod.is_mirror() {
        return;
    }
    let node_name = pod.spec.node_name;
    let alive = simulation
        .kubelets
        .get(node_name.as_str())
        .is_some_and(|kubelet| kubelet.alive);
    let still_configured = simulation.kubelets.get(&node_name).is_some_and(|kubelet| {
        kubelet
            .static_pods
            .iter()
            .any(|manifest| format!("{}-{node_name}", manifest.metadata.name) == pod.metadata.name)
    });
    if alive && still_configured {
        if let Some(runtime) = runtime {
            simulation
                .mirror_status
                .insert(ObjectKey::of(&pod.metadata), (pod.status.clone(), runtime));
        }
        simulation.enqueue_at(
            Work::SyncStaticPods(node_name.to_string()),
            simulation.now() + SECOND_MS,
        );
    }
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
