//! How Go prints strings: `strconv.Quote`, which `%q` uses. Kubernetes' messages quote values
//! this way, and kubarium reproduces the messages.

/// Go's `strconv.Quote` (and so `%q`): printable characters stay, the usual escapes are used,
/// other control characters become `\xNN`, and other non-printable characters `\uNNNN` or
/// `\UNNNNNNNN`.
pub fn go_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            character if go_is_print(character) => quoted.push(character),
            '\u{7}' => quoted.push_str("\\a"),
            '\u{8}' => quoted.push_str("\\b"),
            '\u{c}' => quoted.push_str("\\f"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            '\u{b}' => quoted.push_str("\\v"),
            character if (character as u32) < 0x20 || character == '\u{7f}' => {
                quoted.push_str(&format!("\\x{:02x}", character as u32));
            }
            character if (character as u32) < 0x10000 => {
                quoted.push_str(&format!("\\u{:04x}", character as u32));
            }
            character => quoted.push_str(&format!("\\U{:08x}", character as u32)),
        }
    }
    quoted.push('"');
    quoted
}

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
/// Without Unicode tables this treats every character as printable except controls, spaces
/// other than U+0020, the format characters (Cf), private-use characters and noncharacters;
/// unassigned code points, which Go escapes, are left as they are.
fn go_is_print(character: char) -> bool {
    let code = character as u32;
    if character.is_ascii() {
        return (0x20..0x7f).contains(&code);
    }
    if character.is_control() || character.is_whitespace() {
        return false;
    }
    let format_or_private = matches!(
        code,
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
            | 0xE000..=0xF8FF
            | 0xF0000..=0x10FFFF
    );
    let noncharacter = (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE;
    !(format_or_private || noncharacter)
}
