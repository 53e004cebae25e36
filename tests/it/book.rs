//! The book cannot drift from the code: every `{{#include}}` names a file and
//! an anchor that exist, every test it names exists, and no Rust code is
//! pasted into it.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every chapter of the book, with its text.
fn chapters() -> Vec<(PathBuf, String)> {
    let src = root().join("docs/src");
    let mut found: Vec<_> = fs::read_dir(&src)
        .expect("read docs/src")
        .map(|e| e.expect("list docs/src").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| {
            let text = fs::read_to_string(&p).expect("read a chapter");
            (p, text)
        })
        .collect();
    found.sort();
    assert!(found.len() >= 3, "the book has too few chapters: {found:?}");
    found
}

/// The `{{#include PATH:ANCHOR}}` directives of a chapter.
fn includes(text: &str) -> Vec<&str> {
    text.split("{{#include ")
        .skip(1)
        .map(|rest| {
            rest.split_once("}}")
                .expect("an unclosed {{#include")
                .0
                .trim()
        })
        .collect()
}

#[test]
fn every_include_names_a_file_and_an_anchor_that_exist() {
    let mut checked = 0;
    for (chapter, text) in chapters() {
        for target in includes(&text) {
            let (path, anchor) = target.rsplit_once(':').unwrap_or_else(|| {
                panic!(
                    "{chapter:?}: {target} includes a whole file, not an anchor"
                )
            });
            assert!(
                !anchor.is_empty()
                    && !anchor
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_digit()),
                "{chapter:?}: {target} uses line numbers, which drift; use an anchor"
            );
            let file = chapter.parent().expect("docs/src").join(path);
            let code = fs::read_to_string(&file).unwrap_or_else(|e| {
                panic!("{chapter:?}: {target}: cannot read {file:?}: {e}")
            });
            let start = code.find(&format!("ANCHOR: {anchor}\n"));
            let end = code.find(&format!("ANCHOR_END: {anchor}\n"));
            // mdBook drops every line that holds an anchor, code and all:
            // `} // ANCHOR_END: x` would cut the brace from the book.
            for line in code.lines().filter(|l| {
                l.ends_with(&format!("ANCHOR: {anchor}"))
                    || l.ends_with(&format!("ANCHOR_END: {anchor}"))
            }) {
                let before = line.trim_start().split("ANCHOR").next();
                assert!(
                    matches!(before, Some("// " | "# " | "<!-- ")),
                    "{chapter:?}: {target}: code shares a line with the \
                     anchor, and mdBook drops that line: {line:?}"
                );
            }
            match (start, end) {
                (Some(s), Some(e)) if s < e => checked += 1,
                _ => panic!(
                    "{chapter:?}: {target}: no ANCHOR/ANCHOR_END pair named {anchor:?} in {file:?}"
                ),
            }
        }
    }
    assert!(checked >= 10, "only {checked} includes checked");
}

#[test]
fn every_test_the_book_names_exists() {
    let mut checked = 0;
    for (chapter, text) in chapters() {
        for quoted in text.split('`').skip(1).step_by(2) {
            let Some((file, name)) = quoted.split_once(".rs::") else {
                continue;
            };
            let path = root().join(format!("{file}.rs"));
            let code = fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!("{chapter:?} names {quoted}, but {path:?}: {e}")
            });
            // `#[test]`, other attributes (`#[ignore = ...]`), the fn.
            let declared = code.split("#[test]").skip(1).any(|after| {
                let mut lines = after.lines().map(str::trim_start);
                lines
                    .find(|l| !l.is_empty() && !l.starts_with("#["))
                    .is_some_and(|l| l.starts_with(&format!("fn {name}(")))
            }) || code
                .contains(&format!("figure_test!({name},"));
            // (`figure_test!` declares a figure's #[test], tests/it/figures/.)
            assert!(
                declared,
                "{chapter:?} names {quoted}, which is not a #[test] in {path:?}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} test names checked");
}

#[test]
fn rust_code_in_the_book_only_comes_by_anchor() {
    for (chapter, text) in chapters() {
        for block in text.split("```rust").skip(1) {
            let body = block.split_once('\n').expect("a code fence line").1;
            let body =
                body.split_once("```").expect("an unclosed code block").0;
            for line in body.lines().filter(|l| !l.trim().is_empty()) {
                assert!(
                    line.trim().starts_with("{{#include ")
                        || line.trim().starts_with("{{#rustdoc_include "),
                    "{chapter:?}: Rust pasted into the book instead of included by anchor: {line}"
                );
            }
        }
    }
}

#[test]
fn the_summary_lists_every_chapter_and_nothing_else() {
    let summary = fs::read_to_string(root().join("docs/src/SUMMARY.md"))
        .expect("read SUMMARY.md");
    let listed: Vec<&str> = summary
        .split("](")
        .skip(1)
        .map(|rest| rest.split_once(')').expect("a link").0)
        .collect();
    for (chapter, _) in chapters() {
        let name = chapter
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a name");
        assert!(
            name == "SUMMARY.md" || listed.contains(&name),
            "{name} is not in SUMMARY.md"
        );
    }
    for name in listed {
        assert!(
            root().join("docs/src").join(name).is_file(),
            "SUMMARY.md lists {name}, which does not exist"
        );
    }
}

/// The id mdBook gives a heading: lower case, spaces to '-', and only
/// letters, digits, '-' and '_' kept.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn every_internal_link_leads_somewhere() {
    let mut checked = 0;
    for (chapter, text) in chapters() {
        for rest in text.split("](").skip(1) {
            let Some((target, _)) = rest.split_once(')') else {
                continue;
            };
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
            let path = if file.is_empty() {
                chapter.clone()
            } else {
                chapter.parent().expect("docs/src").join(file)
            };
            let linked = fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!("{chapter:?} links to {target}: {e}")
            });
            if !anchor.is_empty() {
                let id = format!("id=\"{anchor}\"");
                let found = linked.contains(&id)
                    || linked
                        .lines()
                        .filter_map(|l| {
                            l.trim_start_matches('#')
                                .strip_prefix(' ')
                                .filter(|_| l.starts_with('#'))
                        })
                        .any(|heading| slug(heading) == anchor);
                assert!(
                    found,
                    "{chapter:?} links to {target}, but {path:?} has no heading with the id {anchor:?}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} links checked");
}

/// The widest line a code block, transcript or diagram may have: what the
/// book's column shows without scrolling at 800 px.
const MAX_COLUMNS: usize = 80;

/// The lines of the region `anchor` of a source file, as mdBook includes
/// them: without the anchor lines themselves.
fn anchored<'a>(code: &'a str, anchor: &str) -> Vec<&'a str> {
    let start = code.find(&format!("ANCHOR: {anchor}\n")).expect("anchor");
    let end = code.find(&format!("ANCHOR_END: {anchor}\n")).expect("end");
    code[start..end]
        .lines()
        .skip(1)
        .filter(|l| !l.contains("ANCHOR"))
        .collect()
}

#[test]
fn no_code_block_is_wider_than_the_column() {
    let mut too_wide = Vec::new();
    let mut checked = 0;
    for (chapter, text) in chapters() {
        let name = chapter.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let mut fenced = false;
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                continue;
            }
            if !fenced {
                continue;
            }
            if let Some(target) = includes(line).first() {
                let (path, anchor) = target.rsplit_once(':').expect("anchor");
                let file = chapter.parent().expect("docs/src").join(path);
                let code = fs::read_to_string(&file).expect("an included file");
                for code_line in anchored(&code, anchor) {
                    checked += 1;
                    if code_line.chars().count() > MAX_COLUMNS {
                        too_wide.push(format!(
                            "{name}:{}: {target}: {code_line}",
                            n + 1
                        ));
                    }
                }
            } else {
                checked += 1;
                if line.chars().count() > MAX_COLUMNS {
                    too_wide.push(format!("{name}:{}: {line}", n + 1));
                }
            }
        }
    }
    assert!(checked >= 500, "only {checked} lines checked");
    assert!(
        too_wide.is_empty(),
        "{} lines are wider than {MAX_COLUMNS} columns:\n{}",
        too_wide.len(),
        too_wide.join("\n")
    );
}

#[test]
fn code_blocks_are_not_included_inside_list_items() {
    // An included file's lines are not indented like the list item's
    // fence around them, and CommonMark ends the item at the first one.
    for (chapter, text) in chapters() {
        for line in text.lines() {
            assert!(
                !(line.starts_with(' ') && line.contains("{{#include")),
                "{chapter:?}: an indented include: {line}"
            );
        }
    }
}

#[test]
fn the_proofs_appendix_lists_every_test_the_chapters_name() {
    let proofs = fs::read_to_string(root().join("docs/src/proofs.md"))
        .expect("read proofs.md");
    let mut checked = 0;
    for (chapter, text) in chapters() {
        if chapter.ends_with("proofs.md") {
            continue;
        }
        for quoted in text.split('`').skip(1).step_by(2) {
            if quoted.contains(".rs::") && !quoted.contains(' ') {
                assert!(
                    proofs.contains(&format!("`{quoted}`")),
                    "{chapter:?} names {quoted}, which proofs.md does not list"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 50, "only {checked} names checked");
}

#[test]
fn every_command_block_is_run_by_a_test_or_says_why_not() {
    let mut checked = 0;
    for (chapter, text) in chapters() {
        let lines: Vec<&str> = text.lines().collect();
        for (at, line) in lines.iter().enumerate() {
            if line.trim() != "```text" {
                continue;
            }
            let body = lines[at + 1..].iter().take_while(|l| l.trim() != "```");
            let commands = body
                .filter(|l| l.starts_with("$ ") || l.starts_with("# "))
                .count();
            if commands == 0 {
                continue;
            }
            checked += 1;
            let marker = lines[..at]
                .iter()
                .rev()
                .find(|l| !l.trim().is_empty())
                .map_or("", |l| l.trim());
            let why = marker
                .strip_prefix("<!-- not run: ")
                .and_then(|r| r.strip_suffix("-->"))
                .map(str::trim);
            assert!(
                marker.starts_with("<!-- transcript:")
                    || marker == "<!-- servers of the next transcript -->"
                    || why.is_some_and(|w| w.len() >= 10),
                "{chapter:?}:{}: commands that no test runs, and no \
                 <!-- not run: REASON --> marker saying why",
                at + 1
            );
        }
    }
    assert!(checked >= 40, "only {checked} command blocks checked");
}
