//! Manifests: multi-document YAML (or JSON) into typed API objects.
//!
//! The slice decodes each document in two steps, as kubectl does: untyped first (to read
//! `apiVersion` and `kind`), then typed. Strict field validation with paths, positions and hints
//! is the core issue's work and replaces this module's typed decode.

use serde::Deserialize;
use thiserror::Error;

use crate::api::DaemonSet;

/// An object read from a manifest.
#[derive(Debug, Clone, PartialEq)]
pub enum Manifest {
    DaemonSet(DaemonSet),
}

/// Why a manifest could not be read. Lines and columns are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", self.render())]
pub struct ManifestError {
    /// The 0-based index of the YAML document in the input.
    pub document: usize,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl ManifestError {
    fn render(&self) -> String {
        match (self.line, self.column) {
            (Some(line), Some(column)) => format!("line {line}, column {column}: {}", self.message),
            _ => format!("document {}: {}", self.document + 1, self.message),
        }
    }
}

/// Parses every document of `text` into API objects. Empty documents are skipped, as
/// `kubectl apply` skips them.
pub fn parse_manifests(text: &str) -> Result<Vec<Manifest>, ManifestError> {
    let mut manifests = Vec::new();
    for (document, deserializer) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let value = serde_yaml::Value::deserialize(deserializer).map_err(|error| {
            let location = error.location();
            ManifestError {
                document,
                line: location.as_ref().map(|location| location.line()),
                column: location.as_ref().map(|location| location.column()),
                message: error.to_string(),
            }
        })?;
        if value.is_null() {
            continue;
        }
        manifests.push(decode_document(document, value)?);
    }
    Ok(manifests)
}

fn decode_document(document: usize, value: serde_yaml::Value) -> Result<Manifest, ManifestError> {
    let error = |message: String| ManifestError {
        document,
        line: None,
        column: None,
        message,
    };
    let field = |name: &str| value.get(name).and_then(serde_yaml::Value::as_str).unwrap_or("");
    let api_version = field("apiVersion").to_string();
    let kind = field("kind").to_string();
    if api_version.is_empty() {
        return Err(error("Object 'apiVersion' is missing".to_string()));
    }
    if kind.is_empty() {
        return Err(error("Object 'Kind' is missing".to_string()));
    }
    match (api_version.as_str(), kind.as_str()) {
        ("apps/v1", "DaemonSet") => serde_yaml::from_value(value)
            .map(Manifest::DaemonSet)
            .map_err(|decode_error| error(format!("DaemonSet: {decode_error}"))),
        _ => Err(error(format!(
            "no matches for kind \"{kind}\" in version \"{api_version}\" (the foundation slice knows apps/v1 DaemonSet)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_myweb_daemonset() {
        let manifests = parse_manifests(crate::EXAMPLE_MYWEB_DS).expect("example parses");
        let [Manifest::DaemonSet(daemon_set)] = manifests.as_slice() else {
            panic!("expected one DaemonSet, got {manifests:?}");
        };
        assert_eq!(daemon_set.metadata.name, "myweb-ds");
        assert_eq!(daemon_set.spec.selector.match_expressions.len(), 2);
        assert_eq!(daemon_set.spec.template.spec.containers[0].ports[0].container_port, 8080);
        assert_eq!(daemon_set.spec.template.spec.restart_policy, "Always");
    }

    #[test]
    fn skips_empty_documents() {
        let text = format!("---\n---\n{}\n---\n", crate::EXAMPLE_MYWEB_DS);
        assert_eq!(parse_manifests(&text).expect("parses").len(), 1);
    }

    #[test]
    fn yaml_syntax_error_has_a_position() {
        let error = parse_manifests("apiVersion: apps/v1\nkind: [DaemonSet\n").unwrap_err();
        assert_eq!(error.document, 0);
        assert!(error.line.is_some(), "{error:?}");
        assert!(error.column.is_some(), "{error:?}");
    }

    #[test]
    fn unknown_kind_is_named() {
        let error = parse_manifests("apiVersion: v9\nkind: Widget\nmetadata: {name: w}\n").unwrap_err();
        assert!(error.message.contains("no matches for kind \"Widget\" in version \"v9\""), "{error}");
    }

    #[test]
    fn missing_kind_uses_kubectl_wording() {
        let error = parse_manifests("apiVersion: apps/v1\nmetadata: {name: x}\n").unwrap_err();
        assert_eq!(error.message, "Object 'Kind' is missing");
    }
}
