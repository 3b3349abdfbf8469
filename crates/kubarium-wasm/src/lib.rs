//! JavaScript bindings over the kubarium core: one `Simulation` class, view types converted with
//! serde-wasm-bindgen, errors as JS `Error`s carrying the position. Only this crate knows about
//! JavaScript; it holds no simulation logic of its own.

use kubarium::time::Millis;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
export interface PodView {
  uid: string;
  name: string;
  namespace: string;
  phase: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
  status: string;
  owner: string | null;
  node: string | null;
}
export interface NodeView {
  name: string; ready: boolean; unschedulable: boolean; roles: string[]; labels: string[]; taints: string[];
  cpuRequestedMilli: number; cpuAllocatableMilli: number; memoryRequestedBytes: number;
  memoryAllocatableBytes: number; podsAllocatable: number; pods: PodView[];
  /** Why not here: DaemonSets without a pod here and Pending pods that cannot come, with the reason. */
  whyNot: string[];
  /** The node lifecycle controller at work: silent kubelet, NoExecute taints, next eviction. */
  lifecycle: string[];
}
/** A pod a Service selects, and how its Endpoints list it. */
export interface ServicePodView { uid: string; name: string; node: string | null; endpoint: "ready" | "notReady" | "none" }
export interface ServiceView {
  uid: string; name: string; namespace: string;
  type: "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";
  /** CLUSTER-IP as kubectl prints it: an address, "None" (headless) or "<none>". */
  clusterIp: string;
  /** EXTERNAL-IP as kubectl prints it ("<pending>" for a LoadBalancer). */
  externalIp: string;
  /** Each port as PORT(S) prints it: "80/TCP", "80:30080/TCP". */
  ports: string[];
  /** NAME.NAMESPACE.svc.cluster.local */
  dnsName: string;
  selector: string[];
  externalTrafficPolicy: "Cluster" | "Local" | null;
  /** Nodes whose node port takes external traffic (under Local, only those with a ready local endpoint). */
  externalTrafficNodes: string[];
  pods: ServicePodView[];
}
export interface Snapshot { timeMs: number; nodes: NodeView[]; unscheduled: PodView[]; eventCount: number; services: ServiceView[] }
export interface EventRecord {
  timeMs: number; type: "Normal" | "Warning"; reason: string; object: string;
  namespace: string; message: string; source: string;
}
/** A `kubectl get` table. */
export interface Table { headers: string[]; rows: string[][] }
/** What `apply` did: objects applied, and fields accepted but not simulated. */
export interface ApplyResult { objects: number; notices: string[] }
/** One problem found in a manifest; lines and columns are 1-based. */
export interface Problem {
  document: number; path: string | null; line: number | null; column: number | null;
  message: string; context: string | null; hint: string | null;
}
/** Thrown by `apply`: every problem, and the first one's position. */
export interface ManifestError extends Error { document: number; line?: number; column?: number; problems: Problem[] }
"#;

/// A simulated cluster, driven from JavaScript: built empty (`new Simulation(nodes, seed)`),
/// or from a scenario file or manifests (`Simulation.load`), or from a share link
/// (`Simulation.fromLink`).
#[wasm_bindgen]
#[derive(Debug)]
pub struct Simulation {
    inner: kubarium::session::Session,
}

#[wasm_bindgen]
impl Simulation {
    /// A cluster of `nodeCount` Ready worker nodes (`node-1` ...), with the given seed.
    #[wasm_bindgen(constructor)]
    pub fn new(node_count: u32, seed: u32) -> Simulation {
        let mut config = kubarium::ClusterConfig::with_nodes("node", node_count as usize);
        config.seed = u64::from(seed);
        Simulation {
            inner: kubarium::session::Session::new(kubarium::Simulation::new(&config)),
        }
    }

    /// Loads a scenario file (its nodes, manifests, behaviour and actions) or plain manifests
    /// (on `defaultNodes` workers `node-1` ..., 3 if undefined). Throws a `ManifestError` with
    /// every problem's path, line and column (in `text`), or an `Error` for a bad scenario field.
    pub fn load(text: &str, default_nodes: Option<u32>) -> Result<Simulation, JsValue> {
        let nodes = default_nodes.map_or(kubarium::session::DEFAULT_NODES, |nodes| nodes as usize);
        match kubarium::session::Session::load_checked(text, nodes) {
            Ok(inner) => Ok(Simulation { inner }),
            Err(kubarium::session::LoadError::Manifests(error)) => Err(manifest_error(&error)),
            Err(error) => Err(JsError::new(&error.to_string()).into()),
        }
    }

    /// Opens a share link (a whole URL or its `#s=...` fragment) at the time it was made.
    #[wasm_bindgen(js_name = fromLink)]
    pub fn from_link(link: &str) -> Result<Simulation, JsError> {
        let inner = kubarium::session::Session::restore(link).map_err(|error| JsError::new(&error))?;
        Ok(Simulation { inner })
    }

    /// Runs a kubectl-like command now (`cordon node-2`, `scale ...`, `delete pod web`,
    /// `add node n4 disk=ssd`, ...); throws an `Error` with kubectl's words if it is refused.
    pub fn run(&mut self, command: &str) -> Result<(), JsError> {
        self.inner.run_command(command).map_err(|error| JsError::new(&error))
    }

    /// `kubectl get KIND` now, as `{headers, rows}` (`pods`, `nodes`, `daemonsets`, `jobs`,
    /// `cronjobs`, `events`, ...).
    #[wasm_bindgen(unchecked_return_type = "Table")]
    pub fn get(&self, kind: &str) -> Result<JsValue, JsError> {
        let table = kubarium::tables::get(&self.inner.simulation, kind).map_err(|error| JsError::new(&error))?;
        Ok(serde_wasm_bindgen::to_value(&table)?)
    }

    /// `kubectl describe pod NAME -n NAMESPACE` as text, its events included.
    pub fn describe(&self, namespace: &str, name: &str) -> Result<String, JsError> {
        kubarium::describe::pod(&self.inner.simulation, namespace, name).map_err(|error| JsError::new(&error))
    }

    /// The `s=...` fragment of a share link to this state (append it to the playground's URL
    /// after `#`).
    #[wasm_bindgen(js_name = shareFragment)]
    pub fn share_fragment(&self) -> Result<String, JsError> {
        let state = self.inner.shared_state().map_err(|error| JsError::new(&error))?;
        Ok(kubarium::share::encode_fragment(&state))
    }

    /// This session as a scenario file: what was loaded, with the commands run as actions.
    #[wasm_bindgen(js_name = scenarioText)]
    pub fn scenario_text(&self) -> Result<String, JsError> {
        self.inner.scenario_text().map_err(|error| JsError::new(&error))
    }

    /// Applies multi-document YAML: every object, or none if any document is invalid (then it
    /// throws a `ManifestError`). Returns how many objects were applied and the notices about
    /// fields that are accepted but not simulated.
    #[wasm_bindgen(unchecked_return_type = "ApplyResult")]
    pub fn apply(&mut self, manifests: &str) -> Result<JsValue, JsValue> {
        match self.inner.simulation.apply(manifests) {
            Ok(applied) => {
                let result = ApplyResult {
                    objects: applied.objects,
                    notices: applied.notices.iter().map(ToString::to_string).collect(),
                };
                serde_wasm_bindgen::to_value(&result).map_err(|error| JsValue::from(JsError::from(error)))
            }
            Err(error) => Err(manifest_error(&error)),
        }
    }

    /// `kubectl label node NAME key=value` (`value` undefined removes the label).
    #[wasm_bindgen(js_name = labelNode)]
    pub fn label_node(&mut self, name: &str, key: &str, value: Option<String>) -> Result<(), JsError> {
        Ok(self.inner.simulation.label_node(name, key, value.as_deref())?)
    }

    /// The machine dies: its kubelet stops reporting.
    #[wasm_bindgen(js_name = failNode)]
    pub fn fail_node(&mut self, name: &str) -> Result<(), JsError> {
        Ok(self.inner.simulation.fail_node(name)?)
    }

    /// The machine comes back.
    #[wasm_bindgen(js_name = recoverNode)]
    pub fn recover_node(&mut self, name: &str) -> Result<(), JsError> {
        Ok(self.inner.simulation.recover_node(name)?)
    }

    /// `kubectl delete pod NAME -n NAMESPACE`.
    #[wasm_bindgen(js_name = deletePod)]
    pub fn delete_pod(&mut self, namespace: &str, name: &str) -> Result<(), JsError> {
        Ok(self.inner.simulation.delete_pod(namespace, name)?)
    }

    /// Processes the next piece of work; false when nothing is queued. (A scenario's actions
    /// are performed by `runUntil` and `stepToNext`.)
    pub fn step(&mut self) -> bool {
        self.inner.simulation.step()
    }

    /// Plays to the next thing that happens (an event or a scenario action).
    #[wasm_bindgen(js_name = stepToNext)]
    pub fn step_to_next(&mut self) -> Result<(), JsError> {
        self.inner.step_to_next().map_err(|error| JsError::new(&error))
    }

    /// Plays up to `timeMs`, performing the scenario's actions at their times; throws if the
    /// step limit stops it.
    #[wasm_bindgen(js_name = runUntil)]
    pub fn run_until(&mut self, time_ms: f64) -> Result<(), JsError> {
        self.inner
            .advance_to(millis_from_js(time_ms)?)
            .map_err(|error| JsError::new(&error))
    }

    /// Shows the cluster as it was at `timeMs` (replayed from the start, exactly); playing on
    /// repeats the commands run later, unless a new command is run first. A time past the
    /// furthest point played (`recordedUntilMs`) stops there.
    #[wasm_bindgen(js_name = rewindTo)]
    pub fn rewind_to(&mut self, time_ms: f64) -> Result<(), JsError> {
        self.inner
            .rewind_to(millis_from_js(time_ms)?)
            .map_err(|error| JsError::new(&error))
    }

    /// The furthest simulated time played so far: how far `rewindTo` can go.
    #[wasm_bindgen(getter, js_name = recordedUntilMs)]
    pub fn recorded_until_ms(&self) -> f64 {
        self.inner.recorded_until() as f64
    }

    /// Simulated milliseconds since the start.
    #[wasm_bindgen(getter, js_name = nowMs)]
    pub fn now_ms(&self) -> f64 {
        self.inner.simulation.now() as f64
    }

    /// When the next piece of work or scenario action is due, or `undefined`.
    #[wasm_bindgen(js_name = nextEventTime)]
    pub fn next_event_time(&self) -> Option<f64> {
        self.inner.next_due().map(|time| time as f64)
    }

    /// The cluster now, as plain objects.
    #[wasm_bindgen(unchecked_return_type = "Snapshot")]
    pub fn snapshot(&self) -> Result<JsValue, JsError> {
        Ok(serde_wasm_bindgen::to_value(&self.inner.simulation.snapshot())?)
    }

    /// Every event so far, oldest first.
    #[wasm_bindgen(unchecked_return_type = "EventRecord[]")]
    pub fn events(&self) -> Result<JsValue, JsError> {
        Ok(serde_wasm_bindgen::to_value(self.inner.simulation.events())?)
    }

    /// The canonical event log, one line per event: equal to the native run's, byte for byte.
    #[wasm_bindgen(js_name = eventLog)]
    pub fn event_log(&self) -> String {
        self.inner
            .simulation
            .events()
            .iter()
            .map(|event| event.to_log_line() + "\n")
            .collect()
    }

    /// The FNV-1a hash of the canonical event log, as 16 hex digits.
    #[wasm_bindgen(js_name = eventLogHash)]
    pub fn event_log_hash(&self) -> String {
        format!("{:016x}", self.inner.simulation.event_log_hash())
    }
}

/// Runs a benchmark workload of the core (`daemonset`: `nodes` nodes and one DaemonSet;
/// `bare`: `pods` bare pods on `nodes` nodes; `job`: a Job of `pods` completions at a hundredth
/// of that parallelism on `nodes` nodes; `cron`: an every-minute CronJob on `nodes` nodes for
/// `pods` days) and returns what it did. Time it in JavaScript; `docs/PERFORMANCE.md` compares
/// it with the native run of the same workload.
#[wasm_bindgen(js_name = runBenchmark)]
pub fn run_benchmark(name: &str, nodes: u32, pods: u32) -> Result<JsValue, JsError> {
    let outcome = match name {
        "daemonset" => kubarium::bench::daemon_set_on_nodes(nodes as usize),
        "bare" => kubarium::bench::bare_pods_on_nodes(nodes as usize, pods as usize),
        "job" => kubarium::bench::job_completions(nodes as usize, pods as usize, (pods as usize / 100).max(1)),
        "cron" => kubarium::bench::cron_job_every_minute(nodes as usize, u64::from(pods)),
        other => {
            return Err(JsError::new(&format!(
                "unknown benchmark {other:?}: use \"daemonset\", \"bare\", \"job\" or \"cron\""
            )))
        }
    };
    Ok(serde_wasm_bindgen::to_value(&outcome)?)
}

/// The manifest of the foundation slice's default example.
#[wasm_bindgen(js_name = exampleManifest)]
pub fn example_manifest() -> String {
    kubarium::EXAMPLE_MYWEB_DS.to_string()
}

fn millis_from_js(time_ms: f64) -> Result<Millis, JsError> {
    if time_ms.is_finite() && (0.0..=9_007_199_254_740_991.0).contains(&time_ms) {
        Ok(time_ms as Millis)
    } else {
        Err(JsError::new(&format!(
            "time must be a whole number of milliseconds >= 0, got {time_ms}"
        )))
    }
}

/// What `apply` returns.
#[derive(serde::Serialize)]
struct ApplyResult {
    objects: usize,
    notices: Vec<String>,
}

/// One problem of a `ManifestError`, as plain data for JavaScript.
#[derive(serde::Serialize)]
struct ProblemView<'a> {
    document: usize,
    path: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
    context: Option<&'a str>,
    hint: Option<&'a str>,
}

/// A JS `Error` named `ManifestError` whose message lists every problem, with `problems` (each
/// with its path, line and column) and the first problem's `document`, `line` and `column`.
fn manifest_error(error: &kubarium::ManifestError) -> JsValue {
    let js_error = js_sys::Error::new(&error.to_string());
    js_error.set_name("ManifestError");
    let set = |key: &str, value: JsValue| {
        // Setting a property on a fresh Error object cannot fail.
        let _ = js_sys::Reflect::set(&js_error, &JsValue::from_str(key), &value);
    };
    let views: Vec<ProblemView<'_>> = error
        .problems
        .iter()
        .map(|problem| ProblemView {
            document: problem.document,
            path: problem.path.as_deref(),
            line: problem.pos.map(|pos| pos.line),
            column: problem.pos.map(|pos| pos.column),
            message: &problem.message,
            context: problem.context.as_deref(),
            hint: problem.hint.as_deref(),
        })
        .collect();
    if let Some(first) = views.first() {
        set("document", JsValue::from(first.document as u32));
        if let (Some(line), Some(column)) = (first.line, first.column) {
            set("line", JsValue::from(line));
            set("column", JsValue::from(column));
        }
    }
    set(
        "problems",
        serde_wasm_bindgen::to_value(&views).unwrap_or(JsValue::NULL),
    );
    js_error.into()
}
