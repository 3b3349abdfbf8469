//! Sharing and embedding: the page's address (query options, share link fragment), the Share
//! panel with its link and embed snippets, "Download scenario" and "Open file", and the
//! messages an embedded page exchanges with the page around it.
//!
//! The link format and the embed options are the core's (`kubarium::share`); this module only
//! reads and writes the browser's side of them.

use kubarium::share::{encode_fragment, SharedState};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// The page's address, split: the playground's own URL (no query, no fragment), the query and
/// the fragment.
#[derive(Debug, Clone, Default)]
pub struct Address {
    pub base: String,
    pub query: String,
    pub fragment: String,
}

pub fn address() -> Address {
    let Some(location) = web_sys::window().map(|window| window.location()) else {
        return Address::default();
    };
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    Address {
        base: format!("{origin}{path}"),
        query: location.search().unwrap_or_default(),
        fragment: location.hash().unwrap_or_default().trim_start_matches('#').to_string(),
    }
}

/// Removes a share link's fragment from the address bar (keeping the query), once the page no
/// longer shows what the link holds, so a reload brings back the user's own work.
pub fn forget_link_in_address_bar() {
    let Some(window) = web_sys::window() else { return };
    if window.location().hash().unwrap_or_default().is_empty() {
        return;
    }
    let current = address();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("{}{}", current.base, current.query)));
    }
}

/// A `data:` URL holding `text`, for the download link.
fn data_url(text: &str) -> String {
    format!("data:text/yaml;charset=utf-8,{}", js_sys::encode_uri_component(text))
}

/// What the Share panel shows for one state.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareLinks {
    pub link: String,
    pub iframe: String,
    pub element: String,
    pub download: String,
}

pub fn share_links(base: &str, state: &SharedState) -> ShareLinks {
    let fragment = encode_fragment(state);
    let link = format!("{base}#{fragment}");
    let iframe = format!(
        "<iframe src=\"{}\" title=\"kubarium playground\" width=\"100%\" height=\"560\" style=\"border:0\" loading=\"lazy\"></iframe>",
        kubarium::html::escape(&format!("{base}?embed&autoplay#{fragment}"))
    );
    let element = format!(
        "<script type=\"module\" src=\"{}\"></script>\n<kubarium-playground autoplay>\n{}</kubarium-playground>",
        kubarium::html::escape(&format!("{base}kubarium-playground.js")),
        kubarium::html::escape(&state.scenario)
    );
    ShareLinks {
        link,
        iframe,
        element,
        download: data_url(&state.scenario),
    }
}

/// Tells the page that embeds this one (if any) how tall the content is, so it can size the
/// frame to it: `{type: "kubarium:size", height}`.
/// Posts the size now and whenever the body's size changes, for the page's whole life.
pub fn post_size_on_resize() {
    use wasm_bindgen::closure::Closure;
    let Some(body) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.body())
    else {
        return;
    };
    let callback = Closure::<dyn FnMut()>::new(post_size);
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        // Observing starts with one call, so the first size goes out at once.
        observer.observe(&body);
    }
    // The observer lives as long as the page; so does its callback.
    callback.forget();
}

pub fn post_size() {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    if parent == window {
        return;
    }
    // The body's own height: the root element's is never less than the frame's.
    let height = window
        .document()
        .and_then(|document| document.body())
        .map_or(0, |body| body.offset_height());
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"type".into(), &"kubarium:size".into());
    let _ = js_sys::Reflect::set(&message, &"height".into(), &JsValue::from(height));
    // The height is no secret: any page may embed the playground.
    let _ = parent.post_message(&message, "*");
}

/// Reads the file chosen in a file input as text.
pub async fn read_chosen_file(input: web_sys::HtmlInputElement) -> Result<String, String> {
    let file = input
        .files()
        .and_then(|files| files.get(0))
        .ok_or_else(|| "no file chosen".to_string())?;
    if file.size() > kubarium::share::MAX_TEXT_LEN as f64 {
        return Err(format!(
            "{} is larger than {} bytes",
            file.name(),
            kubarium::share::MAX_TEXT_LEN
        ));
    }
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .map_err(|_| format!("{} could not be read", file.name()))?;
    text.as_string().ok_or_else(|| format!("{} is not text", file.name()))
}

/// The Share panel: the link (with its length), the two embed snippets, and the download.
#[component]
pub fn SharePanel(links: Result<ShareLinks, String>, on_close: impl Fn() + 'static + Copy) -> impl IntoView {
    let body = match links {
        Err(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
        Ok(links) => {
            let length = links.link.chars().count();
            view! {
                <label for="share-link">{format!("Link ({length} characters): the scenario, what you typed, and the time")}</label>
                <input id="share-link" data-testid="share-link" readonly=true prop:value=links.link.clone()
                    on:focus=move |event| select_all(&event) />
                <label for="share-iframe">"Embed with an iframe"</label>
                <textarea id="share-iframe" data-testid="share-iframe" readonly=true rows="3" prop:value=links.iframe.clone()
                    on:focus=move |event| select_all(&event)></textarea>
                <label for="share-element">"Embed as an element (the scenario stays readable in your post's HTML)"</label>
                <textarea id="share-element" data-testid="share-element" readonly=true rows="6" prop:value=links.element.clone()
                    on:focus=move |event| select_all(&event)></textarea>
                <a class="button" data-testid="download" href=links.download download="kubarium-scenario.yaml">"Download scenario"</a>
            }
            .into_any()
        }
    };
    view! {
        <section class="share-panel" data-testid="share-panel" aria-label="Share">
            <header>
                <h2>"Share"</h2>
                <button on:click=move |_| on_close() aria-label="Close">"×"</button>
            </header>
            <p class="hint">"Everything is in the link's #fragment: nothing is sent to a server."</p>
            {body}
        </section>
    }
}

fn select_all(event: &web_sys::FocusEvent) {
    let Some(target) = event.target() else { return };
    if let Some(input) = target.dyn_ref::<web_sys::HtmlInputElement>() {
        input.select();
    } else if let Some(area) = target.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        area.select();
    }
}
