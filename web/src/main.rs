//! The kubarium playground: manifests in, nodes as cards with their pods out.
//!
//! Components stay thin: the simulation and the view model live in the core (`kubarium`), and
//! this crate only renders snapshots and forwards clicks.

mod app;
mod autoscaling;
mod chips;
mod cluster;
mod editor;
mod examples;
mod services;
mod share;
mod timeline;
mod tzdata;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
