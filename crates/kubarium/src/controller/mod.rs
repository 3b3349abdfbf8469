//! Controllers: one module per Kubernetes controller, each with a `sync` for one object key.

pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod endpoints;
pub mod endpointslice;
pub mod job;
pub mod job_policies;
pub mod podautoscaler;
pub mod replicaset;
pub mod resourcequota;
pub mod retry;
