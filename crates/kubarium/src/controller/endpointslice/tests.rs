//! The EndpointSlice reconciler's decisions: endpoints and their conditions, the placeholder,
//! 100 endpoints per slice, existing slices kept and refilled.

use std::collections::BTreeMap;

use super::*;
use crate::api::{PodPhase, Service};
use crate::manifest::{parse_manifests, Manifest};

fn service(spec: &str) -> Service {
    let text = format!("apiVersion: v1\nkind: Service\nmetadata: {{name: web, namespace: default}}\nspec:\n{spec}");
    let mut service = match parse_manifests(&text).expect("valid").remove(0) {
        Manifest::Service(service) => *service,
        other => panic!("not a Service: {other:?}"),
    };
    service.metadata.uid = "service-uid".into();
    service.spec.cluster_ip = "10.96.5.5".to_string();
    service
}

fn pod(index: usize, ready: bool) -> Pod {
    let mut pod = Pod::default();
    pod.metadata.name = format!("web-{index:03}");
    pod.metadata.namespace = "default".into();
    pod.metadata.uid = format!("uid-{index}").into();
    pod.spec.node_name = "node-1".into();
    pod.status.phase = PodPhase::Running;
    pod.status.pod_ip = format!("10.244.{}.{}", index / 250, 2 + index % 250);
    let status = if ready { "True" } else { "False" };
    crate::api::set_condition(&mut pod.status.conditions, 0, "Ready", status, "", "");
    pod
}

fn nodes() -> BTreeMap<String, Node> {
    let mut node = Node::default();
    node.metadata.name = "node-1".to_string();
    node.metadata
        .labels
        .insert(LABEL_ZONE.to_string(), "zone-a".to_string());
    BTreeMap::from([("node-1".to_string(), node)])
}

/// Gives each slice to create a name, as the API server would.
fn named(mut slices: Vec<EndpointSlice>) -> Vec<EndpointSlice> {
    for (index, slice) in slices.iter_mut().enumerate() {
        slice.metadata.name = format!("web-{index}");
    }
    slices
}

#[test]
fn endpoints_carry_the_pods_conditions() {
    let service = service("  selector: {app: web}\n  ports: [{port: 80}]\n");
    let mut terminating = pod(2, true);
    terminating.metadata.deletion_timestamp_ms = Some(1);
    let pods = [pod(0, true), pod(1, false), terminating];
    let references: Vec<&Pod> = pods.iter().collect();
    let plan = reconcile(&service, &references, &nodes(), Vec::new(), MAX_ENDPOINTS_PER_SLICE);
    assert_eq!(plan.create.len(), 1);
    let slice = &plan.create[0];
    assert_eq!(slice.metadata.generate_name, "web-");
    assert_eq!(
        slice.metadata.labels.get(LABEL_SERVICE_NAME).map(String::as_str),
        Some("web")
    );
    assert_eq!(
        slice.metadata.labels.get(LABEL_MANAGED_BY).map(String::as_str),
        Some(CONTROLLER_NAME)
    );
    assert_eq!(slice.metadata.owner_references[0].uid, "service-uid");
    assert_eq!(slice.ports[0].port, Some(80));
    let conditions: Vec<(Option<bool>, Option<bool>, Option<bool>)> = slice
        .endpoints
        .iter()
        .map(|endpoint| {
            (
                endpoint.conditions.ready,
                endpoint.conditions.serving,
                endpoint.conditions.terminating,
            )
        })
        .collect();
    assert_eq!(
        conditions,
        [
            (Some(true), Some(true), Some(false)),
            (Some(false), Some(false), Some(false)),
            (Some(false), Some(true), Some(true)),
        ]
    );
    assert_eq!(slice.endpoints[0].zone.as_deref(), Some("zone-a"));
    assert_eq!(slice.endpoints[0].node_name.as_deref(), Some("node-1"));
}

#[test]
fn a_service_without_endpoints_keeps_one_placeholder() {
    let service = service("  selector: {app: web}\n  ports: [{port: 80}]\n");
    let plan = reconcile(&service, &[], &nodes(), Vec::new(), MAX_ENDPOINTS_PER_SLICE);
    assert_eq!(plan.create.len(), 1);
    assert!(plan.create[0].ports.is_empty() && plan.create[0].endpoints.is_empty());
    let existing = named(plan.create);
    let again = reconcile(&service, &[], &nodes(), existing, MAX_ENDPOINTS_PER_SLICE);
    assert_eq!(again, Plan::default(), "the placeholder is left alone");
    // A pod whose node is gone is left out, so the placeholder stays.
    let mut lost = pod(0, true);
    lost.spec.node_name = "gone".into();
    let lonely = reconcile(&service, &[&lost], &nodes(), Vec::new(), MAX_ENDPOINTS_PER_SLICE);
    assert!(lonely.create[0].endpoints.is_empty());
}

#[test]
fn at_most_a_hundred_endpoints_per_slice_and_existing_slices_are_refilled() {
    let service = service("  selector: {app: web}\n  ports: [{port: 80}]\n");
    let pods: Vec<Pod> = (0..250).map(|index| pod(index, true)).collect();
    let references: Vec<&Pod> = pods.iter().collect();
    let plan = reconcile(&service, &references, &nodes(), Vec::new(), MAX_ENDPOINTS_PER_SLICE);
    let sizes: Vec<usize> = plan.create.iter().map(|slice| slice.endpoints.len()).collect();
    assert_eq!(sizes, [100, 100, 50]);
    let existing = named(plan.create);

    // Ten pods go and five come: the slice that lost endpoints is updated and refilled, no
    // slice is created.
    let mut changed: Vec<Pod> = pods[10..].to_vec();
    changed.extend((250..255).map(|index| pod(index, true)));
    let references: Vec<&Pod> = changed.iter().collect();
    let plan = reconcile(
        &service,
        &references,
        &nodes(),
        existing.clone(),
        MAX_ENDPOINTS_PER_SLICE,
    );
    assert!(plan.create.is_empty() && plan.delete.is_empty(), "{plan:?}");
    assert_eq!(plan.update.len(), 1);
    assert_eq!(plan.update[0].metadata.name, "web-0");
    assert_eq!(plan.update[0].endpoints.len(), 95);

    // Every pod gone: the slices are reused for the placeholder, or deleted.
    let plan = reconcile(&service, &[], &nodes(), existing, MAX_ENDPOINTS_PER_SLICE);
    assert!(plan.create.is_empty(), "{plan:?}");
    assert_eq!(plan.update.len(), 1, "one slice becomes the placeholder");
    assert!(plan.update[0].endpoints.is_empty() && plan.update[0].ports.is_empty());
    assert_eq!(plan.delete.len(), 2);
}

#[test]
fn a_readiness_change_updates_the_endpoint_in_place() {
    let service = service("  selector: {app: web}\n  ports: [{port: 80}]\n");
    let pods = [pod(0, true), pod(1, true)];
    let references: Vec<&Pod> = pods.iter().collect();
    let existing = named(reconcile(&service, &references, &nodes(), Vec::new(), 100).create);
    let not_ready = [pod(0, true), pod(1, false)];
    let references: Vec<&Pod> = not_ready.iter().collect();
    let plan = reconcile(&service, &references, &nodes(), existing, 100);
    assert_eq!(plan.update.len(), 1);
    assert_eq!(plan.update[0].endpoints[1].conditions.ready, Some(false));
}

#[test]
fn the_fullest_unchanged_slice_that_fits_is_filled() {
    let slice = |count: usize| EndpointSlice {
        endpoints: vec![Endpoint::default(); count],
        ..EndpointSlice::default()
    };
    let slices = [slice(90), slice(50), slice(97)];
    assert_eq!(slice_to_fill(&slices, 3, 100), Some(2), "97 + 3 fills one exactly");
    assert_eq!(slice_to_fill(&slices, 10, 100), Some(0));
    assert_eq!(slice_to_fill(&slices, 60, 100), None);
}
