//! Text for HTML pages: escaping, and a kubectl table's rows as the rows of an HTML table.

use crate::tables::Table;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// [`escape`], onto the end of `out`.
pub fn push_escaped(out: &mut String, text: &str) {
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
}

/// The first `limit` rows of `table` as HTML table rows (`<tr><td>…</td></tr>`, text
/// escaped), for a page to set on a table's body at once: the browser parses them in one go,
/// where building an element per cell from wasm costs a call across the boundary for each.
pub fn table_rows(table: &Table, limit: usize) -> String {
    let mut html = String::new();
    for row in table.rows.iter().take(limit) {
        html.push_str("<tr>");
        for cell in row {
            html.push_str("<td>");
            push_escaped(&mut html, cell);
            html.push_str("</td>");
        }
        html.push_str("</tr>");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_escape_their_text_and_stop_at_the_limit() {
        let table = Table {
            headers: vec!["NAME", "MESSAGE"],
            rows: vec![
                vec!["a".to_string(), "taint {x: } <none> & 'y' \"z\"".to_string()],
                vec!["b".to_string(), String::new()],
                vec!["c".to_string(), "hidden".to_string()],
            ],
        };
        assert_eq!(
            table_rows(&table, 2),
            "<tr><td>a</td><td>taint {x: } &lt;none&gt; &amp; &#39;y&#39; &quot;z&quot;</td></tr>\
             <tr><td>b</td><td></td></tr>"
        );
        assert_eq!(table_rows(&table, 0), "");
    }

    #[test]
    fn escaped_text_has_no_markup_left() {
        assert_eq!(
            escape(r#"<a href="x">it's & </a>"#),
            "&lt;a href=&quot;x&quot;&gt;it&#39;s &amp; &lt;/a&gt;"
        );
        assert_eq!(escape("plain"), "plain");
    }
}
