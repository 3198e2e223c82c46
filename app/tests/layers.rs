//! The crate's folders form layers that only point down, and no import
//! cycle spans two folders. Read from the sources: every `crate::name`
//! path outside a comment is an import of the folder (or file) `name`.

// A test or a benchmark: a panic is how it reports what went wrong.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each folder's layer; a folder not listed is a feature. A folder may
/// import its own layer or a lower one, and features may import each other
/// as long as no cycle forms. Pages compose features' sections; no
/// feature reaches the page that holds it.
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("infra", 1),
    ("api", 2),
    ("access", 3),
    ("ui", 4),
    ("account", 6),
    ("profile", 6),
    ("credentials", 6),
    ("routes", 7),
];
const FEATURE: u8 = 5;

fn layer(folder: &str) -> u8 {
    LAYERS.iter().find(|(name, _)| *name == folder).map_or(FEATURE, |(_, l)| *l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a line, without its comment (a `//` outside a string).
fn code(line: &str) -> &str {
    let mut in_string = false;
    let bytes = line.as_bytes();
    for i in 0..bytes.len() {
        match bytes[i] {
            b'"' if i == 0 || bytes[i - 1] != b'\\' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
    }
    line
}

/// `folder → (imported folder → the files that import it)`.
fn imports(src: &Path) -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut graph: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
        if first == "lib.rs" {
            continue;
        }
        let folder = first.trim_end_matches(".rs").to_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        let edges = graph.entry(folder.clone()).or_default();
        for line in text.lines() {
            let mut rest = code(line);
            while let Some(at) = rest.find("crate::") {
                let after = &rest[at + "crate::".len()..];
                let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() && name != folder {
                    edges.entry(name).or_default().insert(rel.display().to_string());
                }
                rest = after;
            }
        }
    }
    graph
}

/// Tarjan's strongly connected components of more than one folder.
fn cycles(graph: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flat_map(|e| e.keys()) {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.found
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_import_cycle_spans_two_folders() {
    let graph = imports(&src());
    assert!(graph.len() > 10, "the sources were read: {:?}", graph.keys());
    let found = cycles(&graph);
    let described: Vec<String> = found
        .iter()
        .map(|c| {
            let edges: Vec<String> = c
                .iter()
                .flat_map(|from| {
                    graph[from].iter().filter(|(to, _)| c.contains(to)).map(move |(to, files)| {
                        format!("  {from} → {to} ({})", files.iter().cloned().collect::<Vec<_>>().join(", "))
                    })
                })
                .collect();
            format!("cycle through {}:\n{}", c.join(", "), edges.join("\n"))
        })
        .collect();
    assert!(found.is_empty(), "{}", described.join("\n"));
}

#[test]
fn layers_only_point_down() {
    let graph = imports(&src());
    let mut upward = Vec::new();
    for (from, edges) in &graph {
        for (to, files) in edges {
            if layer(to) > layer(from) {
                upward.push(format!("{from} (layer {}) → {to} (layer {}) in {files:?}", layer(from), layer(to)));
            }
        }
    }
    assert!(upward.is_empty(), "imports that point up:\n{}", upward.join("\n"));
}

#[test]
fn the_checks_see_a_cycle_and_an_upward_import() {
    // The reader and the walk themselves, on a made-up graph.
    let mut graph: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (from, to) in [("tokens", "flash"), ("flash", "tokens"), ("billing", "usage")] {
        graph.entry(from.into()).or_default().entry(to.into()).or_default().insert("x.rs".into());
    }
    graph.entry("usage".into()).or_default();
    assert_eq!(cycles(&graph), vec![vec!["flash".to_owned(), "tokens".to_owned()]]);
    assert_eq!(code(r#"let a = "http://x"; // crate::nothing"#), r#"let a = "http://x"; "#);
    assert!(
        layer("infra") < layer("tokens") && layer("tokens") < layer("profile") && layer("profile") < layer("routes")
    );
}

/// The `app::name` paths in `text`'s code (comments left out).
fn app_paths(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let mut rest = code(line);
        while let Some(at) = rest.find("app::") {
            let before = rest[..at].chars().next_back();
            let after = &rest[at + "app::".len()..];
            if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
            rest = after;
        }
    }
    found
}

/// The server enters the app through one door: the routes (pages, API,
/// file routes, the worker, the demo) and the layers under every feature.
const SERVER_MAY_USE: &[&str] = &["routes", "infra", "access", "api", "error"];

#[test]
fn the_server_enters_the_app_through_one_door() {
    let server = Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/src");
    let mut files = Vec::new();
    rust_files(&server, &mut files);
    assert!(files.len() > 10, "the server's sources were read");
    let mut through_the_wall = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for name in app_paths(&text) {
            if !SERVER_MAY_USE.contains(&name.as_str()) {
                through_the_wall.push(format!("{} uses app::{name}", file.strip_prefix(&server).unwrap().display()));
            }
        }
    }
    assert!(through_the_wall.is_empty(), "the server reaches past app's door:\n{}", through_the_wall.join("\n"));
}

#[test]
fn the_door_check_reads_app_paths() {
    let text = "use app::usage::ssr::x; // app::billing\nlet y = sluice_app::tokens::z; app::routes::api::router()";
    assert_eq!(app_paths(text), BTreeSet::from(["usage".to_owned(), "routes".to_owned()]));
}

#[test]
fn the_architecture_map_names_every_folder() {
    let map = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/ARCHITECTURE.md")).unwrap();
    let (mut missing, mut folders) = (Vec::new(), 0);
    for entry in std::fs::read_dir(src()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            folders += 1;
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !map.contains(&format!("`{name}`")) && !map.contains(&format!("`{name}/`")) {
                missing.push(name);
            }
        }
    }
    assert!(folders > 20, "the folders were read");
    assert!(missing.is_empty(), "docs/ARCHITECTURE.md does not name: {missing:?}");
}
