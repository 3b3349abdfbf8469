//! One entry point, `parse`, over whichever YAML library the feature selects: YAML text to
//! JSON values, as kubarium needs it. Built as a wasm cdylib to measure each library's size.

#[cfg(feature = "saphyr")]
#[path = "../../../crates/kubarium/src/yaml.rs"]
pub mod yaml;

/// Parses every document and returns them as JSON values, or the error's text.
pub fn parse_to_json(text: &str) -> Result<Vec<serde_json::Value>, String> {
    #[cfg(feature = "base")]
    {
        return serde_json::from_str(text).map(|value| vec![value]).map_err(|error| error.to_string());
    }
    #[cfg(feature = "serde_yaml")]
    {
        use serde::Deserialize;
        return serde_yaml::Deserializer::from_str(text)
            .map(|document| serde_json::Value::deserialize(document).map_err(|error| error.to_string()))
            .collect();
    }
    #[cfg(feature = "serde_yaml_ng")]
    {
        use serde::Deserialize;
        return serde_yaml_ng::Deserializer::from_str(text)
            .map(|document| serde_json::Value::deserialize(document).map_err(|error| error.to_string()))
            .collect();
    }
    #[cfg(feature = "serde_norway")]
    {
        use serde::Deserialize;
        return serde_norway::Deserializer::from_str(text)
            .map(|document| serde_json::Value::deserialize(document).map_err(|error| error.to_string()))
            .collect();
    }
    #[cfg(feature = "saphyr")]
    {
        return yaml::parse_stream(text)
            .map(|documents| documents.iter().map(|document| document.root.to_json()).collect())
            .map_err(|error| error.to_string());
    }
    #[allow(unreachable_code)]
    Err(format!("no library selected for {} bytes", text.len()))
}

/// The wasm export: parses `len` bytes at `ptr`; returns the number of documents, or -1.
#[no_mangle]
pub extern "C" fn parse(ptr: *const u8, len: usize) -> i32 {
    // SAFETY: the caller passes a buffer it owns; this is a measurement harness only.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    match std::str::from_utf8(bytes).map_err(|error| error.to_string()).and_then(parse_to_json) {
        Ok(documents) => documents.len() as i32,
        Err(_) => -1,
    }
}
