//! kubarium: a deterministic, sans-IO simulation of a Kubernetes control plane.
//!
//! The core owns a virtual clock in integer milliseconds and one seeded RNG. It never reads the
//! wall clock, OS randomness, files or the network: the CLI, the wasm facade and the web app only
//! drive it through [`Simulation`].
//!
//! This is the foundation slice: manifests are parsed into typed objects, a DaemonSet controller
//! creates one pod per node, a scheduler binds pods and a kubelet starts them, all as timed work
//! items on one event queue. The full engine, validation and controllers grow from here.

pub mod actions;
pub mod admission;
pub mod api;
pub mod apply;
pub mod behaviour;
pub mod bench;
pub mod controller;
pub mod cron;
pub mod defaults;
pub mod describe;
pub mod fasthash;
pub mod gc;
pub mod gostr;
pub mod history;
pub mod html;
pub mod kubelet;
pub mod labels;
pub mod manifest;
pub mod nodelifecycle;
pub mod quantity;
pub mod rng;
pub mod scenario;
pub mod scheduler;
pub mod schema;
pub mod service_alloc;
pub mod services;
pub mod session;
pub mod share;
pub mod sim;
pub mod sort;
pub mod store;
pub mod tables;
pub mod time;
pub mod tz;
pub mod validation;
pub mod view;
pub mod word;
pub mod yaml;

pub use manifest::{parse_manifests, ManifestError, Notice};
pub use sim::{ActionError, Applied, Cascade, ClusterConfig, EventRecord, NodeConfig, Simulation, StepLimitExceeded};
pub use view::{NodeView, PodView, PodViewCache, Snapshot};

/// The manifest of the foundation slice: the `myweb-ds` DaemonSet from the study notes.
pub const EXAMPLE_MYWEB_DS: &str = include_str!("../seeds/myweb-ds.yaml");
