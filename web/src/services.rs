//! Services as boxes above the nodes: addresses, ports and DNS name, and the pods the selector
//! picks, each marked as the Endpoints list it. Hovering or focusing a box lights up its pods'
//! chips in the node cards (the link between a Service and its pods).

use kubarium::view::ServiceView;
use leptos::prelude::*;

/// The uids of the pods the hovered Service selects; pod chips read it to light up.
#[derive(Clone, Copy)]
pub struct Highlight(pub RwSignal<Vec<String>>);

#[component]
pub fn ServiceStrip(shown: Signal<Vec<ServiceView>>) -> impl IntoView {
    // The `kubernetes` Service every cluster has is drawn only if the user asked for more.
    let user_services = move || {
        shown
            .get()
            .into_iter()
            .filter(|service| !(service.name == "kubernetes" && service.namespace == "default"))
            .collect::<Vec<_>>()
    };
    view! {
        <Show when=move || !user_services().is_empty()>
            <section class="services" aria-label="Services">
                {move || user_services().into_iter().map(|service| view! { <ServiceBox service=service/> }).collect_view()}
            </section>
        </Show>
    }
}

#[component]
fn ServiceBox(service: ServiceView) -> impl IntoView {
    let highlight = use_context::<Highlight>();
    let selected = StoredValue::new(service.pods.iter().map(|pod| pod.uid.clone()).collect::<Vec<_>>());
    let light = move || {
        if let Some(Highlight(signal)) = highlight {
            signal.set(selected.get_value());
        }
    };
    let dark = move || {
        if let Some(Highlight(signal)) = highlight {
            signal.set(Vec::new());
        }
    };
    let address = match service.service_type.as_str() {
        "ExternalName" => format!("→ {}", service.external_ip),
        _ => service.cluster_ip.clone(),
    };
    let external = (service.service_type == "LoadBalancer").then(|| format!("EXTERNAL-IP {}", service.external_ip));
    let ready = service.pods.iter().filter(|pod| pod.endpoint == "ready").count();
    let selector = if service.selector.is_empty() {
        "no selector: Endpoints are managed by hand".to_string()
    } else {
        format!("selector {}", service.selector.join(","))
    };
    view! {
        <article
            class="service-box"
            data-testid="service-box"
            data-service=service.name.clone()
            tabindex="0"
            on:mouseenter=move |_| light()
            on:focus=move |_| light()
            on:mouseleave=move |_| dark()
            on:blur=move |_| dark()
        >
            <header>
                <h2>{format!("svc/{}", service.name)}</h2>
                <span class="badge">{service.service_type.clone()}</span>
            </header>
            <p class="service-address">{address}" · "{service.ports.join(", ")}</p>
            {external.map(|external| view! { <p class="service-meta">{external}" (no cloud provider)"</p> })}
            <p class="service-meta" title="the Service's DNS name">{service.dns_name.clone()}</p>
            <p class="service-meta">{selector}</p>
            {(!service.external_traffic_nodes.is_empty()).then(|| view! {
                <p class="service-meta" title="externalTrafficPolicy: which nodes' node port takes traffic">
                    {format!(
                        "{} → nodes {}",
                        service.external_traffic_policy.clone().unwrap_or_default(),
                        service.external_traffic_nodes.join(", ")
                    )}
                </p>
            })}
            <p class="service-meta">{format!("endpoints: {ready} ready of {} selected", service.pods.len())}</p>
            <ul class="service-pods">
                {service.pods.iter().map(|pod| {
                    let (icon, words) = match pod.endpoint {
                        "ready" => ("✓", "ready address"),
                        "notReady" => ("◌", "not ready address"),
                        _ => ("–", "not listed"),
                    };
                    view! {
                        <li class=format!("endpoint-{}", pod.endpoint) data-testid="service-pod" data-endpoint=pod.endpoint>
                            <span aria-hidden="true">{icon}</span>" "{pod.name.clone()}<span class="pod-status">{format!(" {words}")}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </article>
    }
}
