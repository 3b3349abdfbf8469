//! The manifest editor: a textarea over a highlighted copy of its text, with line numbers and
//! the last apply's problems marked at their lines.
//!
//! A light editor of our own rather than CodeMirror (about 119 KB gzipped) for the page's
//! size: the textarea keeps the caret, selection, undo, input methods and accessibility; its
//! text is transparent over a `<pre>` that shows the same text coloured as YAML, scrolled with
//! it. Tab indents (Shift+Tab outdents); Escape, then Tab, leaves the editor. A very long text
//! is shown plain (`HIGHLIGHT_LIMIT`).

use std::fmt::Write as _;

use kubarium::html::push_escaped;
use leptos::html::{Div, Pre, Textarea};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// One indentation step, as Kubernetes manifests are usually written.
const INDENT: &str = "  ";

/// Texts longer than this (in bytes) are shown plain: colouring them again on every keystroke
/// would make typing lag. Line numbers and marks stay.
const HIGHLIGHT_LIMIT: usize = 200_000;

/// A problem of the last apply at its line (1-based), with what it says there.
pub type Mark = (u32, String);

/// Where a plain (unquoted) key of a `key: value` line ends, if the text (after indentation
/// and list dashes) starts with one: the byte index of its colon.
fn plain_key_end(text: &str) -> Option<usize> {
    if text.starts_with(['{', '[', '#', '|', '>', '&', '*', '!', '%', '@', '`']) {
        return None;
    }
    let mut previous = ' ';
    for (index, character) in text.char_indices() {
        if character == '#' && previous == ' ' {
            return None;
        }
        if character == ':' {
            let next = text[index + 1..].chars().next();
            if next.is_none_or(|next| next == ' ') {
                return (index > 0).then_some(index);
            }
        }
        previous = character;
    }
    None
}

/// Where a quoted key ends (the colon after its closing quote), if `text` starts with one.
fn quoted_key_end(text: &str) -> Option<usize> {
    let quote = text.chars().next().filter(|quote| *quote == '"' || *quote == '\'')?;
    let close = text[1..].find(quote)? + 1;
    let after = &text[close + 1..];
    let colon = close + 1 + (after.len() - after.trim_start().len());
    let rest = &text[colon..];
    (rest.starts_with(':') && rest[1..].chars().next().is_none_or(|next| next == ' ')).then_some(colon)
}

/// Where a comment starts in a value (a `#` after a space, outside quotes).
fn comment_start(text: &str) -> Option<usize> {
    let mut quote = None;
    let mut previous = ' ';
    for (index, character) in text.char_indices() {
        match (quote, character) {
            (None, '"' | '\'') => quote = Some(character),
            (Some(open), _) if character == open => quote = None,
            (None, '#') if previous == ' ' || previous == '\t' => return Some(index),
            _ => {}
        }
        previous = character;
    }
    None
}

fn span(out: &mut String, class: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    let _ = write!(out, "<span class=\"{class}\">");
    push_escaped(out, text);
    out.push_str("</span>");
}

/// The class of a scalar value as YAML reads it.
fn scalar_class(value: &str) -> &'static str {
    let plain = value.trim();
    if plain.starts_with(['"', '\'']) {
        return "y-string";
    }
    if plain.starts_with(['|', '>']) && plain[1..].chars().all(|c| c == '-' || c == '+' || c.is_ascii_digit()) {
        return "y-punct";
    }
    if plain.starts_with(['&', '*']) {
        return "y-anchor";
    }
    if plain.starts_with('!') {
        return "y-tag";
    }
    if matches!(
        plain,
        "true" | "false" | "True" | "False" | "TRUE" | "FALSE" | "null" | "Null" | "NULL" | "~"
    ) {
        return "y-bool";
    }
    let number = plain.strip_prefix(['-', '+']).unwrap_or(plain);
    let is_number = !number.is_empty()
        && number.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '.')
        && (number.parse::<f64>().is_ok()
            || number
                .strip_prefix("0x")
                .is_some_and(|hex| !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit())));
    if is_number {
        return "y-number";
    }
    "y-value"
}

/// A flow collection (`{name: c, image: nginx}`, `[sleep, "10"]`): brackets, commas and
/// colons as punctuation, quoted strings as strings, the rest as values.
fn flow(out: &mut String, text: &str) {
    let mut plain_from = 0;
    let mut chars = text.char_indices().peekable();
    let flush = |out: &mut String, from: usize, to: usize| {
        let piece = &text[from..to];
        let trimmed = piece.trim();
        if trimmed.is_empty() {
            out.push_str(piece);
        } else {
            let lead = &piece[..piece.len() - piece.trim_start().len()];
            let tail = &piece[lead.len() + trimmed.len()..];
            out.push_str(lead);
            span(out, scalar_class(trimmed), trimmed);
            out.push_str(tail);
        }
    };
    while let Some((index, character)) = chars.next() {
        match character {
            '{' | '}' | '[' | ']' | ',' | ':' => {
                flush(out, plain_from, index);
                span(out, "y-punct", &character.to_string());
                plain_from = index + 1;
            }
            '"' | '\'' => {
                flush(out, plain_from, index);
                let close = text[index + 1..]
                    .find(character)
                    .map_or(text.len(), |at| index + 1 + at + 1);
                span(out, "y-string", &text[index..close]);
                while chars.peek().is_some_and(|(at, _)| *at < close) {
                    chars.next();
                }
                plain_from = close;
            }
            _ => {}
        }
    }
    flush(out, plain_from, text.len());
}

/// A value (what follows a key's colon, or a list item): its comment apart.
fn value(out: &mut String, text: &str) {
    let (value, comment) = match comment_start(text) {
        Some(at) => text.split_at(at),
        None => (text, ""),
    };
    let lead = &value[..value.len() - value.trim_start().len()];
    out.push_str(lead);
    let rest = &value[lead.len()..];
    if rest.starts_with(['{', '[']) {
        flow(out, rest);
    } else {
        let trimmed = rest.trim_end();
        span(out, scalar_class(trimmed), trimmed);
        out.push_str(&rest[trimmed.len()..]);
    }
    span(out, "y-comment", comment);
}

/// One line of YAML as highlighted HTML.
fn highlight_line(out: &mut String, line: &str) {
    let body = line.trim_start();
    let indent = &line[..line.len() - body.len()];
    out.push_str(indent);
    if body.starts_with('#') {
        span(out, "y-comment", body);
        return;
    }
    if body == "---" || body.starts_with("--- ") || body == "..." {
        span(out, "y-doc", body);
        return;
    }
    let mut rest = body;
    while rest == "-" || rest.starts_with("- ") {
        span(out, "y-punct", "-");
        let after = &rest[1..];
        let spaces = after.len() - after.trim_start().len();
        out.push_str(&after[..spaces]);
        rest = &after[spaces..];
    }
    match quoted_key_end(rest).or_else(|| plain_key_end(rest)) {
        Some(colon) => {
            span(out, "y-key", &rest[..colon]);
            span(out, "y-punct", ":");
            value(out, &rest[colon + 1..]);
        }
        None => value(out, rest),
    }
}

/// The text as a textarea shows it: the browser turns `\r\n` and a lone `\r` into `\n`.
fn as_shown(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        text.into()
    }
}

/// How many lines the textarea shows for `text`.
pub fn line_count(text: &str) -> usize {
    as_shown(text).split('\n').count()
}

/// A block scalar (`key: |`, `key: >-`) being read: lines more indented than its key's line
/// (and blank lines) are its text. A scenario's `manifests: |` holds YAML, coloured as such;
/// any other block is prose (a `description: >-`), coloured as one string.
#[derive(Clone, Copy)]
struct Block {
    indent: usize,
    yaml: bool,
}

/// The block scalar `line` opens, if its value is a block indicator.
fn opens_block(line: &str) -> Option<Block> {
    let body = line.trim_start();
    let indent = line.len() - body.len();
    let mut rest = body;
    while let Some(after) = rest.strip_prefix("- ") {
        rest = after.trim_start();
    }
    let colon = quoted_key_end(rest).or_else(|| plain_key_end(rest))?;
    let value = &rest[colon + 1..];
    let value = comment_start(value).map_or(value, |at| &value[..at]).trim();
    (value.starts_with(['|', '>']) && scalar_class(value) == "y-punct").then_some(Block {
        indent,
        yaml: &rest[..colon] == "manifests",
    })
}

/// What the marks say at line `number`.
fn problems_on(marks: &[Mark], number: u32) -> Vec<&str> {
    marks
        .iter()
        .filter(|(line, _)| *line == number)
        .map(|(_, text)| text.as_str())
        .collect()
}

/// `text` as highlighted HTML for the `<pre>` under the textarea: the same characters line for
/// line, coloured as YAML, marked lines underlined with their problems after them.
pub fn highlight(text: &str, marks: &[Mark]) -> String {
    let text = as_shown(text);
    let mut out = String::with_capacity(text.len() * 3);
    let mut block: Option<Block> = None;
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let body = line.trim_start();
        let inside = block.filter(|block| body.is_empty() || line.len() - body.len() > block.indent);
        let colour = |out: &mut String| match inside {
            Some(Block { yaml: false, .. }) => {
                out.push_str(&line[..line.len() - body.len()]);
                span(out, "y-string", body);
            }
            _ => highlight_line(out, line),
        };
        let problems = problems_on(marks, index as u32 + 1);
        if problems.is_empty() {
            colour(&mut out);
        } else {
            out.push_str("<span class=\"y-marked\">");
            colour(&mut out);
            out.push_str("</span><span class=\"y-problem\">");
            for problem in problems {
                out.push_str("  ⚠ ");
                // On the line it marks: a line break in it (a key can hold one) would push the
                // copy's lines below it out of line with the textarea's.
                let one_line: String = problem
                    .chars()
                    .map(|c| {
                        if matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}') {
                            '↵'
                        } else {
                            c
                        }
                    })
                    .collect();
                push_escaped(&mut out, &one_line);
            }
            out.push_str("</span>");
        }
        // The YAML inside `manifests: |` opens no blocks of its own here: its lines are
        // coloured as YAML, block scalars included.
        if inside.is_none() {
            block = opens_block(line);
        }
    }
    // A textarea shows a line after a final newline: so does the copy.
    out.push_str("\n ");
    out
}

/// The line numbers of `line_count` lines, the marked ones flagged with their problems.
pub fn gutter(line_count: usize, marks: &[Mark]) -> String {
    let mut out = String::with_capacity(line_count * 24);
    for number in 1..=line_count as u32 {
        let problems = problems_on(marks, number);
        if problems.is_empty() {
            let _ = writeln!(out, "{number}");
        } else {
            out.push_str("<span class=\"marked\" title=\"");
            push_escaped(&mut out, &problems.join("\n"));
            let _ = writeln!(out, "\">{number}</span>");
        }
    }
    out.push(' ');
    out
}

/// The byte index in `text` of UTF-16 offset `offset` (a textarea's selection counts UTF-16
/// code units), clamped to the text.
fn byte_index(text: &str, offset: u32) -> usize {
    let mut units = 0;
    for (index, character) in text.char_indices() {
        if units >= offset as usize {
            return index;
        }
        units += character.len_utf16();
    }
    text.len()
}

fn utf16_len(text: &str) -> u32 {
    text.encode_utf16().count() as u32
}

/// What Tab (or Shift+Tab, `outdent`) does to the lines a selection touches: the byte range
/// of those whole lines and the text that replaces them.
fn indent_lines(text: &str, start: usize, end: usize, outdent: bool) -> (usize, usize, String) {
    let from = text[..start].rfind('\n').map_or(0, |at| at + 1);
    // A selection ending at a line's start does not take that line.
    let to_search = if end > start && text[..end].ends_with('\n') {
        end - 1
    } else {
        end
    };
    let to = text[to_search..].find('\n').map_or(text.len(), |at| to_search + at);
    let lines: Vec<String> = text[from..to]
        .split('\n')
        .map(|line| {
            if outdent {
                let spaces = line.len() - line.trim_start_matches(' ').len();
                line[spaces.min(INDENT.len())..].to_string()
            } else {
                format!("{INDENT}{line}")
            }
        })
        .collect();
    (from, to, lines.join("\n"))
}

/// Replaces the textarea's UTF-16 range with `text` as typing would (so undo takes it back and
/// an `input` event follows), or by setting the range where the browser cannot.
fn type_over(textarea: &web_sys::HtmlTextAreaElement, start: u32, end: u32, text: &str) {
    let _ = textarea.set_selection_range(start, end);
    let typed = textarea
        .owner_document()
        .and_then(|document| document.dyn_into::<web_sys::HtmlDocument>().ok())
        .and_then(|document| {
            document
                .exec_command_with_show_ui_and_value("insertText", false, text)
                .ok()
        })
        .unwrap_or(false);
    if !typed {
        let _ = textarea.set_range_text_with_start_and_end(text, start, end);
        if let Ok(event) = web_sys::Event::new("input") {
            let _ = textarea.dispatch_event(&event);
        }
    }
}

/// Tab: two spaces at the caret, or the selected lines indented; Shift+Tab: the lines under the
/// caret or selection outdented.
fn on_tab(textarea: &web_sys::HtmlTextAreaElement, outdent: bool) {
    let text = textarea.value();
    let (Ok(Some(start)), Ok(Some(end))) = (textarea.selection_start(), textarea.selection_end()) else {
        return;
    };
    let (start_byte, end_byte) = (byte_index(&text, start), byte_index(&text, end));
    if !outdent && !text[start_byte..end_byte].contains('\n') {
        type_over(textarea, start, end, INDENT);
        return;
    }
    let (from, to, replaced) = indent_lines(&text, start_byte, end_byte, outdent);
    let (from16, to16) = (utf16_len(&text[..from]), utf16_len(&text[..to]));
    type_over(textarea, from16, to16, &replaced);
    let _ = textarea.set_selection_range(from16, from16 + utf16_len(&replaced));
}

/// The editor. `on_input` gets the text after every edit; Ctrl/Cmd+Enter calls `on_apply`.
#[component]
pub fn ManifestEditor(
    text: Signal<String>,
    marks: Signal<Vec<Mark>>,
    /// Moves when an apply failed: the first marked line is then scrolled into view.
    reveal: Signal<u64>,
    #[prop(into)] on_input: Callback<String>,
    #[prop(into)] on_apply: Callback<()>,
) -> impl IntoView {
    let (area, copy, numbers) = (NodeRef::<Textarea>::new(), NodeRef::<Pre>::new(), NodeRef::<Div>::new());
    let plain = Memo::new(move |_| text.with(|text| text.len() > HIGHLIGHT_LIMIT));
    let highlighted = Memo::new(move |_| {
        if plain.get() {
            return String::new();
        }
        text.with(|text| marks.with(|marks| highlight(text, marks)))
    });
    // The numbers change with the count of lines, not with every keystroke.
    let total_lines = Memo::new(move |_| text.with(|text| line_count(text)));
    let lines = Memo::new(move |_| marks.with(|marks| gutter(total_lines.get(), marks)));
    let follow_scroll = move || {
        if let Some(area) = area.get_untracked() {
            if let Some(copy) = copy.get_untracked() {
                copy.set_scroll_top(area.scroll_top());
                copy.set_scroll_left(area.scroll_left());
            }
            if let Some(numbers) = numbers.get_untracked() {
                numbers.set_scroll_top(area.scroll_top());
            }
        }
    };
    // After an apply that failed, the first marked line comes into view.
    Effect::new(move |_| {
        reveal.track();
        let first = marks.with_untracked(|marks| marks.iter().map(|(line, _)| *line).min());
        let (Some(line), Some(area)) = (first, area.get_untracked()) else {
            return;
        };
        let lines = total_lines.get_untracked().max(1) as f64;
        let line_height = f64::from(area.scroll_height()) / lines;
        let top = (f64::from(line - 1) * line_height - f64::from(area.client_height()) / 3.0).max(0.0);
        area.set_scroll_top(top as i32);
        follow_scroll();
    });
    // Escape, then Tab, moves the focus on as Tab does elsewhere.
    let escaped = StoredValue::new(false);
    view! {
        <div class="code-editor" data-testid="code-editor">
            <div class="code-area">
                <div class="code-gutter" aria-hidden="true" node_ref=numbers inner_html=move || lines.get()></div>
                <pre class="code-copy" aria-hidden="true" node_ref=copy inner_html=move || highlighted.get()></pre>
                <textarea
                    id="manifest"
                    data-testid="manifest-editor"
                    node_ref=area
                    class:plain=move || plain.get()
                    spellcheck="false"
                    autocapitalize="off"
                    autocomplete="off"
                    wrap="off"
                    aria-describedby="editor-keys"
                    prop:value=move || text.get()
                    on:input=move |event| {
                        on_input.run(event_target_value(&event));
                        follow_scroll();
                    }
                    on:scroll=move |_| follow_scroll()
                    on:keydown=move |event| {
                        let key = event.key();
                        if key == "Enter" && (event.ctrl_key() || event.meta_key()) {
                            event.prevent_default();
                            on_apply.run(());
                        } else if key == "Tab" && !escaped.get_value() && !event.ctrl_key() && !event.alt_key() && !event.meta_key() {
                            event.prevent_default();
                            if let Some(area) = area.get_untracked() {
                                on_tab(&area, event.shift_key());
                            }
                        }
                        // Shift for Shift+Tab comes between Escape and Tab.
                        if !matches!(key.as_str(), "Shift" | "Control" | "Alt" | "Meta") {
                            escaped.set_value(key == "Escape");
                        }
                    }
                ></textarea>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The copy under the textarea has the text's characters line for line: only tags added.
    fn text_of(html: &str) -> String {
        let mut text = String::new();
        let mut in_tag = false;
        for character in html.chars() {
            match character {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                _ if !in_tag => text.push(character),
                _ => {}
            }
        }
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    #[test]
    fn highlighting_keeps_every_character_in_place() {
        let text = "apiVersion: apps/v1\nkind: DaemonSet # a comment\nmetadata:\n  name: \"my-ds\"\n  labels: {app: web, 'tier': \"a#b\"}\nspec:\n  - name: c\n    args: [sleep, \"10\"]\n    ports: <none> & more\n---\nmanifests: |\n  replicas: 3\n";
        let html = highlight(text, &[]);
        assert_eq!(text_of(&html), format!("{text}\n "));
    }

    #[test]
    fn keys_values_comments_and_flow_collections_get_their_classes() {
        struct Case {
            line: &'static str,
            has: &'static [&'static str],
        }
        let cases = [
            Case {
                line: "kind: Job",
                has: &[
                    "<span class=\"y-key\">kind</span>",
                    "<span class=\"y-value\">Job</span>",
                ],
            },
            Case {
                line: "  replicas: 3 # three",
                has: &["y-number\">3<", "y-comment\"># three<"],
            },
            Case {
                line: "- name: \"c\"",
                has: &["y-punct\">-<", "y-key\">name<", "y-string\">&quot;c&quot;<"],
            },
            Case {
                line: "hostNetwork: true",
                has: &["y-bool\">true<"],
            },
            Case {
                line: "image: nginx:1.25",
                has: &["y-key\">image<", "y-value\">nginx:1.25<"],
            },
            Case {
                line: "command: [\"sleep\", 80]",
                has: &["y-string\">&quot;sleep&quot;<", "y-number\">80<", "y-punct\">[<"],
            },
            Case {
                line: "manifests: |",
                has: &["y-punct\">|<"],
            },
            Case {
                line: "# all a comment: yes",
                has: &["y-comment\"># all a comment: yes<"],
            },
            Case {
                line: "---",
                has: &["y-doc\">---<"],
            },
            Case {
                line: "url: http://example.com/#x",
                has: &["y-value\">http://example.com/#x<"],
            },
        ];
        for case in cases {
            let html = highlight(case.line, &[]);
            for expected in case.has {
                assert!(
                    html.contains(expected),
                    "{:?} should contain {expected:?}: {html}",
                    case.line
                );
            }
        }
    }

    #[test]
    fn line_endings_are_counted_as_the_textarea_shows_them() {
        let text = "a: 1\r\nb: 2\rc: 3\n";
        assert_eq!(line_count(text), 4);
        assert_eq!(text_of(&highlight(text, &[])), "a: 1\nb: 2\nc: 3\n\n ");
    }

    #[test]
    fn a_problem_with_a_line_break_stays_on_its_line() {
        let marks = vec![(1, "unknown field \"sel\nector\"".to_string())];
        assert_eq!(text_of(&highlight("a: 1\nb: 2", &marks)).lines().count(), 3);
    }

    #[test]
    fn block_scalars_are_prose_but_a_scenarios_manifests_are_yaml() {
        let text =
            "description: >-\n  The load: falls\n\n  back: in\nmanifests: |\n  kind: Pod\n  - name: c\nuntil: 3m";
        let html = highlight(text, &[]);
        assert_eq!(text_of(&html), format!("{text}\n "));
        let lines: Vec<&str> = html.split('\n').collect();
        assert_eq!(lines[1], "  <span class=\"y-string\">The load: falls</span>");
        assert_eq!(lines[3], "  <span class=\"y-string\">back: in</span>");
        assert!(lines[5].contains("<span class=\"y-key\">kind</span>"), "{}", lines[5]);
        assert!(lines[6].contains("<span class=\"y-key\">name</span>"), "{}", lines[6]);
        assert!(
            lines[7].starts_with("<span class=\"y-key\">until</span>"),
            "{}",
            lines[7]
        );
    }

    #[test]
    fn marked_lines_carry_their_problems_in_the_copy_and_the_gutter() {
        let marks = vec![(2, "unknown field \"spec.slector\"".to_string())];
        let html = highlight("spec:\n  slector: {}\n", &marks);
        assert!(
            html.contains("<span class=\"y-marked\">  <span class=\"y-key\">slector</span>"),
            "{html}"
        );
        assert!(html.contains("<span class=\"y-problem\">  ⚠ unknown field &quot;spec.slector&quot;</span>"));
        let numbers = gutter(3, &marks);
        assert_eq!(
            numbers,
            "1\n<span class=\"marked\" title=\"unknown field &quot;spec.slector&quot;\">2</span>\n3\n "
        );
    }

    #[test]
    fn tab_indents_and_shift_tab_outdents_the_lines_a_selection_touches() {
        struct Case {
            name: &'static str,
            text: &'static str,
            selection: (usize, usize),
            outdent: bool,
            expect: &'static str,
        }
        let cases = [
            Case {
                name: "two lines",
                text: "a:\nb:\nc:",
                selection: (0, 4),
                outdent: false,
                expect: "  a:\n  b:\nc:",
            },
            Case {
                name: "a selection ending at a line start leaves that line",
                text: "a:\nb:\nc:",
                selection: (0, 3),
                outdent: false,
                expect: "  a:\nb:\nc:",
            },
            Case {
                name: "outdent the caret's line",
                text: "x:\n    y: 1\n",
                selection: (8, 8),
                outdent: true,
                expect: "x:\n  y: 1\n",
            },
            Case {
                name: "outdent stops at the margin",
                text: " a\nb",
                selection: (0, 4),
                outdent: true,
                expect: "a\nb",
            },
        ];
        for case in cases {
            let (from, to, replaced) = indent_lines(case.text, case.selection.0, case.selection.1, case.outdent);
            let result = format!("{}{replaced}{}", &case.text[..from], &case.text[to..]);
            assert_eq!(result, case.expect, "{}", case.name);
        }
    }

    #[test]
    fn selections_count_utf16_units() {
        let text = "name: ünïcode 🚀\nnext";
        assert_eq!(byte_index(text, 0), 0);
        assert_eq!(byte_index(text, 7), "name: ü".len());
        let rocket = "name: ünïcode ".encode_utf16().count() as u32;
        assert_eq!(byte_index(text, rocket + 2), "name: ünïcode 🚀".len());
        assert_eq!(byte_index(text, 999), text.len());
    }
}
