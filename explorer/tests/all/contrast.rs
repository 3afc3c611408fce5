//! The buttons' text against their background, as the stylesheet the explorer serves sets them:
//! WCAG 2.x AA asks a contrast ratio of at least 4.5:1 for text. The cascade is read the way a
//! browser reads it for these selectors — the rules whose selector list names `.button`, then
//! those naming the variant (higher specificity), each in source order — and `var(--x)` from
//! `:root`.

const CSS: &str = include_str!("../../../static/app.css");

/// (selector, properties) of every top-level rule, in source order; the rules inside at-rules
/// (`@media print`, narrow screens) are left out: the buttons are checked on a wide screen.
fn rules(css: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (mut prelude, mut body) = (String::new(), String::new());
    let mut depth = 0;
    let mut in_at_rule = false;
    for c in css.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 && prelude.trim().starts_with('@') {
                    in_at_rule = true;
                }
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    if !in_at_rule {
                        out.push((prelude.trim().to_string(), body.clone()));
                    }
                    in_at_rule = false;
                    prelude.clear();
                    body.clear();
                }
            }
            _ if depth == 0 => prelude.push(c),
            _ => body.push(c),
        }
    }
    out
}

fn without_comments(css: &str) -> String {
    let mut out = String::new();
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .split_once("*/")
            .map_or("", |(_, after)| after);
    }
    out.push_str(rest);
    out
}

fn property(body: &str, name: &str) -> Option<String> {
    body.split(';').find_map(|d| {
        let (k, v) = d.split_once(':')?;
        (k.trim() == name).then(|| v.trim().to_string())
    })
}

fn resolve(value: &str, root: &str) -> String {
    match value.strip_prefix("var(").and_then(|v| v.strip_suffix(')')) {
        Some(name) => property(root, name.trim()).unwrap(),
        None => value.to_string(),
    }
}

/// The button's (text colour, background) for `variant` (".quiet", ".primary").
fn button_colours(variant: &str) -> (String, String) {
    let all = rules(&without_comments(CSS));
    let root = &all.iter().find(|(s, _)| s == ":root").unwrap().1;
    let names = |s: &str, wanted: &str| s.split(',').any(|part| part.trim() == wanted);
    let (mut colour, mut background) = (None, None);
    for wanted in [".button".to_string(), format!(".button{variant}")] {
        for (_, body) in all.iter().filter(|(s, _)| names(s, &wanted)) {
            colour = property(body, "color").or(colour);
            background = property(body, "background")
                .or_else(|| property(body, "background-color"))
                .or(background);
        }
    }
    (
        resolve(&colour.unwrap(), root),
        resolve(&background.unwrap(), root),
    )
}

fn luminance(hex: &str) -> f64 {
    let hex = hex.trim_start_matches('#');
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn the_contrast_formula_gives_the_known_ratios() {
    // Black on white is 21:1; #767676 on white is the classic 4.54:1.
    assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
    assert!((contrast("#767676", "#ffffff") - 4.54).abs() < 0.01);
}

#[test]
fn quiet_and_primary_buttons_are_readable_wcag_aa() {
    for variant in [".quiet", ".primary"] {
        let (colour, background) = button_colours(variant);
        let ratio = contrast(&colour, &background);
        assert!(
            ratio >= 4.5,
            ".button{variant}: {colour} on {background} is {ratio:.2}:1, below 4.5:1"
        );
    }
}
