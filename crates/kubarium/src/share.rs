//! Share links: a whole playground state (the scenario, the commands typed so far, and the
//! simulated time) in the fragment of a URL, so that nothing is sent to a server.
//!
//! A link's payload is one text: a header line `kubarium 1 t=<milliseconds>` and then a scenario
//! file. The commands the user typed become the scenario's `actions` at the times they were
//! typed, so a link restores exactly what the sender saw: the simulation is deterministic, and
//! replaying the same scenario to the same time gives the same cluster. The text is compressed
//! with raw DEFLATE (RFC 1951) and written in base64url without padding (RFC 4648 §5), the
//! alphabet that needs no escaping in a URL fragment.
//!
//! A link is untrusted input: decoding bounds the fragment's length and the inflated size, and
//! every failure is a [`LinkError`] with a sentence for the user, never a panic.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::scenario::looks_like_scenario;
use crate::time::{format_duration, Millis};

/// The fragment key of a share link: `https://host/path/#s=<payload>`.
pub const FRAGMENT_KEY: &str = "s";
/// The longest fragment payload read (browsers keep URLs of a few MB; a scenario is KBs).
pub const MAX_ENCODED_LEN: usize = 256 * 1024;
/// The largest scenario text a link may inflate to: stops a "zip bomb" link.
pub const MAX_TEXT_LEN: usize = 1024 * 1024;
/// The header's first words; the number is the format's version.
const HEADER: &str = "kubarium 1";
/// Compression level: 9 (the best). Links are made rarely, read once.
const LEVEL: u8 = 9;

/// What a share link holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedState {
    /// A scenario file (typed commands already among its actions).
    pub scenario: String,
    /// The simulated time the sender was at.
    pub time_ms: Millis,
}

/// Why a link could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link has no scenario in it (no `#{FRAGMENT_KEY}=` part)")]
    Missing,
    #[error("the link is too long to be a kubarium link ({0} characters)")]
    TooLong(usize),
    #[error("the link is damaged: it is not base64url text (was it cut or changed?)")]
    NotBase64,
    #[error("the link is damaged: its data does not decompress (was it cut short?)")]
    NotDeflate,
    #[error("the link's scenario is larger than {MAX_TEXT_LEN} bytes")]
    TooLarge,
    #[error("the link's scenario is not UTF-8 text")]
    NotText,
    #[error("the link was not made by this version of kubarium (it starts with {0:?})")]
    UnknownVersion(String),
}

/// The URL fragment (without `#`) for `state`: `s=<base64url of raw DEFLATE>`.
pub fn encode_fragment(state: &SharedState) -> String {
    let payload = format!("{HEADER} t={}\n{}", state.time_ms, state.scenario);
    let compressed = miniz_oxide::deflate::compress_to_vec(payload.as_bytes(), LEVEL);
    format!("{FRAGMENT_KEY}={}", URL_SAFE_NO_PAD.encode(compressed))
}

/// Reads a share link's fragment (`s=...`, with or without the leading `#`, or a whole URL).
pub fn decode_fragment(link: &str) -> Result<SharedState, LinkError> {
    let fragment = link.rsplit_once('#').map_or(link, |(_, fragment)| fragment);
    let encoded = fragment
        .split('&')
        .find_map(|part| part.strip_prefix(FRAGMENT_KEY)?.strip_prefix('='))
        .ok_or(LinkError::Missing)?
        .trim();
    if encoded.len() > MAX_ENCODED_LEN {
        return Err(LinkError::TooLong(encoded.len()));
    }
    // Some mail and chat programs re-pad or keep a trailing `=`: padding carries nothing.
    let compressed = URL_SAFE_NO_PAD
        .decode(encoded.trim_end_matches('='))
        .map_err(|_| LinkError::NotBase64)?;
    let inflated = miniz_oxide::inflate::decompress_to_vec_with_limit(&compressed, MAX_TEXT_LEN).map_err(|error| {
        match error.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => LinkError::TooLarge,
            _ => LinkError::NotDeflate,
        }
    })?;
    let payload = String::from_utf8(inflated).map_err(|_| LinkError::NotText)?;
    let (header, scenario) = payload.split_once('\n').unwrap_or((&payload, ""));
    let time_ms = header
        .strip_prefix(HEADER)
        .and_then(|rest| rest.trim().strip_prefix("t="))
        .and_then(|time| time.parse::<Millis>().ok())
        .ok_or_else(|| LinkError::UnknownVersion(header.chars().take(40).collect()))?;
    Ok(SharedState {
        scenario: scenario.to_string(),
        time_ms,
    })
}

/// The playground's text as a scenario file with the user's typed `commands` among its actions.
///
/// Plain manifests become a scenario on `default_nodes` workers named `node-N` (as the
/// playground plays them). A scenario keeps its text, comments and all; the commands are added
/// to its `actions:` block, or as a new one. Commands are written as JSON strings, which YAML
/// reads back unchanged whatever they contain.
pub fn scenario_with_commands(
    text: &str,
    commands: &[(Millis, String)],
    default_nodes: usize,
) -> Result<String, String> {
    let items: Vec<String> = commands
        .iter()
        .map(|(at, command)| {
            let quoted = serde_json::to_string(command).unwrap_or_else(|_| "\"\"".to_string());
            format!("- {{at: {}, do: {quoted}}}", format_duration(*at))
        })
        .collect();
    if !looks_like_scenario(text) {
        let mut out = format!("nodes:\n  - {{count: {default_nodes}, prefix: node}}\nmanifests: |\n");
        for line in text.lines() {
            if line.trim().is_empty() {
                out.push('\n');
            } else {
                out.push_str("  ");
                out.push_str(line);
                out.push('\n');
            }
        }
        push_actions_block(&mut out, &items);
        return Ok(out);
    }
    if items.is_empty() {
        return Ok(text.to_string());
    }
    let lines: Vec<&str> = text.lines().collect();
    let Some(key_index) = lines.iter().position(|line| line.starts_with("actions:")) else {
        let mut out = text.to_string();
        push_actions_block(&mut out, &items);
        return Ok(out);
    };
    let rest = lines[key_index]["actions:".len()..].trim();
    let rest = rest.split(" #").next().unwrap_or_default().trim();
    match rest {
        "" | "[]" => {
            let mut lines = lines;
            lines[key_index] = "actions:";
            Ok(insert_into_block(&lines, key_index, &items))
        }
        _ => Err(
            "the typed commands cannot be added to a flow-style `actions: [...]`; write the actions one per line"
                .to_string(),
        ),
    }
}

fn push_actions_block(out: &mut String, items: &[String]) {
    if items.is_empty() {
        return;
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("actions:\n");
    for item in items {
        out.push_str("  ");
        out.push_str(item);
        out.push('\n');
    }
}

/// Adds `items` after the last item of the block sequence under `lines[key_index]`, at the
/// block's own indentation.
fn insert_into_block(lines: &[&str], key_index: usize, items: &[String]) -> String {
    let mut last = key_index;
    let mut indent = None;
    for (index, line) in lines.iter().enumerate().skip(key_index + 1) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let belongs = line.starts_with(' ') || line.starts_with('-');
        if !belongs {
            break;
        }
        if indent.is_none() && trimmed.starts_with('-') {
            indent = Some(line.len() - trimmed.len());
        }
        last = index;
    }
    let indent = " ".repeat(indent.unwrap_or(2));
    let mut out: Vec<String> = lines[..=last].iter().map(|line| (*line).to_string()).collect();
    out.extend(items.iter().map(|item| format!("{indent}{item}")));
    out.extend(lines[last + 1..].iter().map(|line| (*line).to_string()));
    out.join("\n") + "\n"
}

/// Options of the embed mode, from the page's query string
/// (`?embed&autoplay&speed=60&t=30s&panels=editor,log&theme=dark&lang=en`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedOptions {
    /// Minimal chrome: no header, the cluster view first, sized to its container.
    pub embed: bool,
    pub autoplay: bool,
    /// Simulated seconds per real second.
    pub speed: Option<u64>,
    /// Where to open: the simulated time to play to first (a share link's own time wins).
    pub start_ms: Option<Millis>,
    pub panels: Panels,
    pub theme: Theme,
    /// The interface language. Only English exists so far; others fall back to it.
    pub lang: String,
    /// What could not be understood, to show rather than silently ignore.
    pub problems: Vec<String>,
}

/// Which panels the page shows. The full page shows all; an embed only the cluster view and
/// time controls unless `panels=` names more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panels {
    pub editor: bool,
    /// The actions log (done and upcoming), the scenario's timeline.
    pub log: bool,
    /// The kubectl command line.
    pub command: bool,
    /// The `kubectl get` tables.
    pub tables: bool,
}

/// The colour theme: the reader's system setting, or forced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// The panel names `panels=` takes.
pub const PANEL_NAMES: &[&str] = &["editor", "log", "command", "tables"];

impl EmbedOptions {
    /// Reads a query string (with or without the leading `?`). Never fails: what it does not
    /// understand is listed in `problems` and left at its default.
    pub fn from_query(query: &str) -> EmbedOptions {
        let mut options = EmbedOptions {
            embed: false,
            autoplay: false,
            speed: None,
            start_ms: None,
            panels: Panels {
                editor: true,
                log: true,
                command: true,
                tables: true,
            },
            theme: Theme::Auto,
            lang: "en".to_string(),
            problems: Vec::new(),
        };
        let mut panels = None;
        for pair in query.trim_start_matches('?').split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let flag = !matches!(value, "0" | "false" | "no");
            match key {
                "embed" => options.embed = flag,
                "autoplay" => options.autoplay = flag,
                "speed" => match value.parse::<u64>() {
                    Ok(speed) if (1..=86_400).contains(&speed) => options.speed = Some(speed),
                    _ => options.problems.push(format!(
                        "speed={value}: expected 1 to 86400 (simulated seconds per second)"
                    )),
                },
                "t" => match crate::time::parse_duration(value) {
                    Ok(start) => options.start_ms = Some(start),
                    Err(problem) => options.problems.push(format!("t={value}: {problem}")),
                },
                "panels" => {
                    let mut chosen = Panels {
                        editor: false,
                        log: false,
                        command: false,
                        tables: false,
                    };
                    for name in value.split([',', '+', ' ']).filter(|name| !name.is_empty()) {
                        match name {
                            "editor" => chosen.editor = true,
                            "log" | "timeline" => chosen.log = true,
                            "command" => chosen.command = true,
                            "tables" => chosen.tables = true,
                            other => options.problems.push(format!(
                                "panels: unknown panel {other:?} (known: {})",
                                PANEL_NAMES.join(", ")
                            )),
                        }
                    }
                    panels = Some(chosen);
                }
                "theme" => match value {
                    "light" => options.theme = Theme::Light,
                    "dark" => options.theme = Theme::Dark,
                    "auto" | "" => options.theme = Theme::Auto,
                    other => options
                        .problems
                        .push(format!("theme={other}: expected light, dark or auto")),
                },
                "lang" => {
                    if value != "en" {
                        options
                            .problems
                            .push(format!("lang={value}: only English (en) is available so far"));
                    }
                }
                other => options.problems.push(format!("unknown option {other:?}")),
            }
        }
        options.panels = match (panels, options.embed) {
            (Some(chosen), _) => chosen,
            (None, true) => Panels {
                editor: false,
                log: false,
                command: false,
                tables: false,
            },
            (None, false) => options.panels,
        };
        options
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::parse_action;
    use crate::scenario::Scenario;
    use crate::time::SECOND_MS;

    const SCENARIO: &str = "description: d\nnodes:\n  - {count: 2, prefix: worker}\nmanifests: |\n  apiVersion: v1\n  kind: Pod\n  metadata: {name: web}\n  spec:\n    containers: [{name: web, image: nginx}]\nactions:\n  # a comment\n  - {at: 30s, do: \"cordon worker-1\"}\n\nuntil: 2m\n";

    fn commands() -> Vec<(Millis, String)> {
        vec![
            (12_300, "label node worker-2 disk=ssd".to_string()),
            (40 * SECOND_MS, "taint node worker-2 a=\"b\\c\":NoSchedule".to_string()),
        ]
    }

    fn actions_of(text: &str) -> Vec<(Millis, String)> {
        let scenario = Scenario::parse(text).unwrap_or_else(|error| panic!("{error}\n{text}"));
        scenario
            .actions
            .iter()
            .map(|(at, action)| (*at, action.to_string()))
            .collect()
    }

    #[test]
    fn embed_options_are_read_from_the_query() {
        let full = EmbedOptions::from_query("");
        assert!(!full.embed && full.panels.editor && full.panels.tables && full.problems.is_empty());
        let embed = EmbedOptions::from_query("?embed&autoplay=1&speed=600&t=1m30s&theme=dark");
        assert!(embed.embed && embed.autoplay);
        assert_eq!(
            (embed.speed, embed.start_ms, embed.theme),
            (Some(600), Some(90_000), Theme::Dark)
        );
        assert_eq!(
            embed.panels,
            Panels {
                editor: false,
                log: false,
                command: false,
                tables: false
            }
        );
        let chosen = EmbedOptions::from_query("embed=1&panels=editor,log&autoplay=0");
        assert!(!chosen.autoplay);
        assert_eq!(
            chosen.panels,
            Panels {
                editor: true,
                log: true,
                command: false,
                tables: false
            }
        );
        let wrong = EmbedOptions::from_query("embed&speed=fast&panels=editor,clock&theme=pink&lang=ko&zoom=2");
        assert_eq!(wrong.speed, None);
        assert_eq!(wrong.theme, Theme::Auto);
        assert_eq!(wrong.problems.len(), 5, "{:?}", wrong.problems);
        assert!(wrong.problems[1].contains("\"clock\""), "{:?}", wrong.problems);
    }

    #[test]
    fn a_link_round_trips_text_and_time() {
        let state = SharedState {
            scenario: SCENARIO.to_string(),
            time_ms: 95_250,
        };
        let fragment = encode_fragment(&state);
        assert!(fragment.starts_with("s="));
        assert!(fragment[2..]
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'));
        assert_eq!(decode_fragment(&fragment), Ok(state.clone()));
        let url = format!("https://example.org/kubarium/#{fragment}");
        assert_eq!(decode_fragment(&url), Ok(state));
    }

    #[test]
    fn damaged_links_say_what_is_wrong() {
        let good = encode_fragment(&SharedState {
            scenario: SCENARIO.to_string(),
            time_ms: 0,
        });
        let cases: [(&str, LinkError); 4] = [
            ("https://example.org/", LinkError::Missing),
            ("s=a!b", LinkError::NotBase64),
            (&good[..good.len() / 2], LinkError::NotDeflate),
            ("s=AAAA", LinkError::NotDeflate),
        ];
        for (link, expected) in cases {
            assert_eq!(decode_fragment(link), Err(expected), "{link}");
        }
        let long = format!("s={}", "A".repeat(MAX_ENCODED_LEN + 1));
        assert_eq!(decode_fragment(&long), Err(LinkError::TooLong(MAX_ENCODED_LEN + 1)));
    }

    #[test]
    fn a_link_that_inflates_too_far_is_refused() {
        let huge = "a".repeat(MAX_TEXT_LEN + 10);
        let bomb = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(huge.as_bytes(), 9));
        assert!(bomb.len() < 4096, "{}", bomb.len());
        assert_eq!(decode_fragment(&format!("s={bomb}")), Err(LinkError::TooLarge));
    }

    #[test]
    fn a_payload_without_the_header_is_another_version() {
        let other = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(b"kubarium 2\nnodes: []", 9));
        assert_eq!(
            decode_fragment(&format!("s={other}")),
            Err(LinkError::UnknownVersion("kubarium 2".to_string()))
        );
    }

    #[test]
    fn commands_join_a_scenarios_actions_block() {
        let text = scenario_with_commands(SCENARIO, &commands(), 3).expect("block");
        assert!(text.contains("# a comment"), "comments stay:\n{text}");
        assert!(text.contains("until: 2m"), "{text}");
        let actions = actions_of(&text);
        assert_eq!(
            actions,
            [
                (12_300, "label node worker-2 disk=ssd".to_string()),
                (30 * SECOND_MS, "cordon worker-1".to_string()),
                (
                    40 * SECOND_MS,
                    parse_action(&commands()[1].1, None).expect("valid").to_string()
                ),
            ]
        );
    }

    #[test]
    fn commands_make_an_actions_block_where_there_is_none() {
        let without = SCENARIO.replace("actions:\n  # a comment\n  - {at: 30s, do: \"cordon worker-1\"}\n", "");
        let text = scenario_with_commands(&without, &commands(), 3).expect("appended");
        assert_eq!(actions_of(&text).len(), 2);
        let empty_flow = SCENARIO.replace(
            "actions:\n  # a comment\n  - {at: 30s, do: \"cordon worker-1\"}\n",
            "actions: []\n",
        );
        let text = scenario_with_commands(&empty_flow, &commands(), 3).expect("flow");
        assert_eq!(actions_of(&text).len(), 2);
        let flow = SCENARIO.replace(
            "actions:\n  # a comment\n  - {at: 30s, do: \"cordon worker-1\"}\n",
            "actions: [{at: 1s, do: \"cordon worker-1\"}]\n",
        );
        assert!(scenario_with_commands(&flow, &commands(), 3).is_err());
        assert_eq!(scenario_with_commands(&flow, &[], 3).as_deref(), Ok(flow.as_str()));
    }

    #[test]
    fn plain_manifests_become_a_scenario_on_the_default_nodes() {
        let manifests =
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n\nspec:\n  containers: [{name: web, image: nginx}]\n";
        let text = scenario_with_commands(manifests, &commands()[..1], 3).expect("wrapped");
        let scenario = Scenario::parse(&text).expect("a scenario");
        assert_eq!(scenario.manifests, manifests);
        let names: Vec<&str> = scenario.config.nodes.iter().map(|node| node.name.as_str()).collect();
        assert_eq!(names, ["node-1", "node-2", "node-3"]);
        assert_eq!(actions_of(&text).len(), 1);
    }
}
