//! Feeds hostile and tricky inputs to the selected library and prints what it does.
use std::time::Instant;

fn billion_laughs() -> String {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..10 {
        let p = level - 1;
        text.push_str(&format!("a{level}: &a{level} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
    }
    text
}

fn main() {
    let cases: Vec<(&str, String)> = vec![
        ("billion laughs (10^10 nodes)", billion_laughs()),
        ("flow nesting 100k deep", "[".repeat(100_000)),
        ("block nesting 5k deep", (0..5_000).map(|depth| format!("{}a:\n", " ".repeat(depth))).collect()),
        ("yes/on/y as values and keys", "a: yes\nb: on\ny: 1\nc: 1.10\nd: 0755\n".to_string()),
        ("duplicate key", "a: 1\na: 2\n".to_string()),
        ("syntax error", "apiVersion: v1\nkind: [Pod\n".to_string()),
    ];
    for (name, text) in cases {
        let started = Instant::now();
        let result = std::panic::catch_unwind(|| yaml_compare::parse_to_json(&text));
        let elapsed = started.elapsed();
        let outcome = match result {
            Ok(Ok(documents)) => format!("ok: {}", serde_json::to_string(&documents).unwrap_or_default().chars().take(100).collect::<String>()),
            Ok(Err(error)) => format!("error: {}", error.chars().take(140).collect::<String>()),
            Err(_) => "PANIC".to_string(),
        };
        println!("  {name:<32} {:>9.1} ms  {outcome}", elapsed.as_secs_f64() * 1000.0);
    }
}
