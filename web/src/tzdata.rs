//! The time zone database, fetched on demand: the playground's core is built without it (it
//! would be about 56 KB of the download, gzipped), and `tzdata.bin`, next to the page, is
//! fetched and handed to the core (`kubarium::tz::install`) the first time something about to
//! be loaded names a time zone. The core stays sans-IO: it only receives the bytes.

use wasm_bindgen::JsCast;

/// The file, relative to the page: the site works from any sub-path.
const URL: &str = "tzdata.bin";

/// Whether loading this text (a scenario, a command line) needs the database first: it may set
/// `spec.timeZone` (block or flow style, or a patch), and the database is not in yet.
pub fn needed(text: &str) -> bool {
    (text.contains("timeZone") || text.contains("TZ=")) && !kubarium::tz::database_ready()
}

/// Runs `then` once the database is in the core: at once when it is not `needed`, else after
/// fetching it, with the reason when that failed.
pub fn then(needed: bool, then: impl FnOnce(Result<(), String>) + 'static) {
    if !needed {
        then(Ok(()));
        return;
    }
    leptos::task::spawn_local(async move { then(fetch().await) });
}

async fn fetch() -> Result<(), String> {
    let failed = |why: String| format!("The time zone database ({URL}) could not be loaded: {why}");
    let describe = |error: wasm_bindgen::JsValue| format!("{error:?}");
    let window = web_sys::window().ok_or_else(|| failed("no window".to_string()))?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(URL))
        .await
        .map_err(|error| failed(describe(error)))?
        .dyn_into::<web_sys::Response>()
        .map_err(|error| failed(describe(error)))?;
    if !response.ok() {
        return Err(failed(format!("HTTP {}", response.status())));
    }
    let buffer = response.array_buffer().map_err(|error| failed(describe(error)))?;
    let buffer = wasm_bindgen_futures::JsFuture::from(buffer)
        .await
        .map_err(|error| failed(describe(error)))?;
    kubarium::tz::install(&js_sys::Uint8Array::new(&buffer).to_vec()).map_err(failed)
}
