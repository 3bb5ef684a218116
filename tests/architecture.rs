//! The shape of the tree the developers' guide asks for: no source file
//! over 600 lines, and no two files that import each other.
//!
//! Imports are read from the sources, without the compiler: `use` items, and
//! paths in code that start with `crate`, `self`, `super`, a child module or
//! a module brought in by `use`. A path is resolved to the file that defines
//! what it names, through `use` re-exports (`pub use session::Session` in
//! `lake/mod.rs` leads `super::Session` to `lake/session.rs`). Declaring a
//! child (`mod x;`) and re-exporting its items are not imports of it; using
//! a re-exported name in the file's own code is. Inside an `impl T` block,
//! `self.m()` and `Self::m()` import the file whose `impl T` defines `m`, so
//! a type's methods spread over files that use each other show up too.
//! Other method calls are not seen (that needs the compiler's types).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Longest a source file may be.
const MAX_LINES: usize = 600;

/// Every `.rs` file under `src/`, by path relative to the repository.
fn sources() -> BTreeMap<String, String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files: BTreeMap<String, String> = walkdir::WalkDir::new(repo.join("src"))
        .into_iter()
        .map(|e| e.expect("walk src"))
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| {
            let relative = e.path().strip_prefix(repo).expect("below the repository");
            let name = relative
                .iter()
                .map(|s| s.to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            (name, std::fs::read_to_string(e.path()).expect("read a source file"))
        })
        .collect();
    assert!(
        files.contains_key("src/lib.rs"),
        "no src/lib.rs under {}",
        repo.display()
    );
    files
}

#[test]
fn no_source_file_is_over_600_lines() {
    let long: Vec<String> = sources()
        .iter()
        .map(|(path, text)| (path, text.lines().count()))
        .filter(|(_, lines)| *lines > MAX_LINES)
        .map(|(path, lines)| format!("{path}: {lines} lines"))
        .collect();
    assert!(long.is_empty(), "files over {MAX_LINES} lines:\n{}", long.join("\n"));
}

#[test]
fn every_source_file_is_in_the_module_tree() {
    let tree = Tree::new(&sources());
    assert!(
        tree.unreached.is_empty(),
        "files no crate root reaches through `mod` (dead, or the analysis misses them):\n{}",
        tree.unreached.join("\n")
    );
}

/// The analysis below would pass on a tree it cannot read: every `use` of
/// this crate's own items must lead it to a file.
#[test]
fn every_internal_import_resolves_to_a_file() {
    let tree = Tree::new(&sources());
    let mut lost = Vec::new();
    for (file, (krate, module)) in &tree.file_module {
        for u in &tree.facts[file].uses {
            let internal = ["crate", "super", "self"].contains(&u.path[0].as_str())
                || (krate != "lib" && u.path[0] == "lakescope");
            let from: Vec<String> = module.iter().chain(&u.within).cloned().collect();
            if internal && tree.target(krate, &from, &u.path).is_none() {
                lost.push(format!("{file}:{} `use {}`", u.line, u.path.join("::")));
            }
        }
    }
    assert!(
        lost.is_empty(),
        "imports the analysis cannot follow:\n{}",
        lost.join("\n")
    );
    assert!(tree.imports().len() > tree.file_module.len(), "too few imports found");
}

#[test]
fn no_two_files_import_each_other() {
    let cycles = Tree::new(&sources()).cycles();
    assert!(
        cycles.is_empty(),
        "{} pair(s) of files import each other:\n{}",
        cycles.len(),
        cycles.join("\n")
    );
}

// ---------------------------------------------------------------- tokens

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Punct(String),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

/// Identifiers, string literals and punctuation (`::` is one token);
/// comments, numbers, characters and lifetimes are dropped.
fn tokenize(src: &str) -> Vec<Token> {
    let c: Vec<char> = src.chars().collect();
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let ident_start = |ch: char| ch.is_alphabetic() || ch == '_';
    let ident_char = |ch: char| ch.is_alphanumeric() || ch == '_';
    let (mut out, mut i, mut line) = (Vec::new(), 0, 1);
    while i < c.len() {
        let ch = c[i];
        let start_line = line;
        // Raw strings: r"…", r#"…"#, br"…".
        let raw_at = if ch == 'r' {
            Some(i + 1)
        } else if ch == 'b' && at(i + 1) == 'r' {
            Some(i + 2)
        } else {
            None
        };
        if let Some(mut j) = raw_at.filter(|&j| at(j) == '"' || (at(j) == '#' && at(j + 1) != '[')) {
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            if at(j) == '"' {
                let body_start = j + 1;
                let closing: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                let mut k = body_start;
                while k < c.len() && !c[k..].starts_with(&closing) {
                    k += 1;
                }
                let body: String = c[body_start..k.min(c.len())].iter().collect();
                line += body.matches('\n').count();
                out.push(Token {
                    tok: Tok::Str(body),
                    line: start_line,
                });
                i = k + closing.len();
                continue;
            }
        }
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                if i >= c.len() {
                    break;
                } else if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(c[i] == '\n');
                    i += 1;
                }
            }
        } else if ch == '"' || (ch == 'b' && at(i + 1) == '"') {
            i += if ch == 'b' { 2 } else { 1 };
            let mut body = String::new();
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    body.push(c[i]);
                    i += 1;
                }
                line += usize::from(at(i) == '\n');
                body.push(at(i));
                i += 1;
            }
            out.push(Token {
                tok: Tok::Str(body),
                line: start_line,
            });
            i += 1;
        } else if ch == '\'' || (ch == 'b' && at(i + 1) == '\'') {
            // A character ('x', '\n', '\u{..}') or a lifetime ('a).
            let j = if ch == 'b' { i + 2 } else { i + 1 };
            if at(j) == '\\' {
                let mut k = j + 2;
                while k < c.len() && c[k] != '\'' {
                    k += 1;
                }
                i = k + 1;
            } else if at(j + 1) == '\'' {
                i = j + 2;
            } else {
                i = j;
                while ident_char(at(i)) {
                    i += 1;
                }
            }
        } else if ident_start(ch) {
            let mut j = i;
            if ch == 'r' && at(i + 1) == '#' && ident_start(at(i + 2)) {
                j += 2;
            }
            let begin = j;
            while ident_char(at(j)) {
                j += 1;
            }
            out.push(Token {
                tok: Tok::Ident(c[begin..j].iter().collect()),
                line,
            });
            i = j;
        } else if ch.is_ascii_digit() {
            while ident_char(at(i)) || (at(i) == '.' && at(i + 1).is_ascii_digit()) {
                i += 1;
            }
        } else if ch == ':' && at(i + 1) == ':' {
            out.push(Token {
                tok: Tok::Punct("::".into()),
                line,
            });
            i += 2;
        } else {
            out.push(Token {
                tok: Tok::Punct(ch.to_string()),
                line,
            });
            i += 1;
        }
    }
    out
}

// ---------------------------------------------------------------- facts

/// A module declaration: `mod name;` or `mod name { … }`.
#[derive(Debug)]
struct ModDecl {
    /// Inline modules around it, within its file.
    within: Vec<String>,
    name: String,
    inline: bool,
    path_attr: Option<String>,
}

/// One leaf of a `use` tree.
#[derive(Debug)]
struct UseEntry {
    within: Vec<String>,
    path: Vec<String>,
    /// The name it brings into scope; None for a glob.
    alias: Option<String>,
    /// `pub use` (any visibility): a re-export, not an import.
    public: bool,
    line: usize,
}

/// A path in code: `super::x::y`, `crate::a::B`, `child::f`…
#[derive(Debug)]
struct PathRef {
    within: Vec<String>,
    segments: Vec<String>,
    line: usize,
}

/// An `impl` block: the type it is for, the methods it defines, and the
/// methods it calls on `self` (whose type is known without the compiler).
#[derive(Debug)]
struct ImplBlock {
    within: Vec<String>,
    /// The implemented type's path as written (`Session`, `super::App`).
    self_type: Vec<String>,
    /// `impl T { … }` rather than `impl Trait for T { … }`.
    inherent: bool,
    line: usize,
    methods: BTreeSet<String>,
    /// `self.name(…)` and `Self::name(…)`, with a line.
    calls: Vec<(String, usize)>,
}

/// What one file declares, defines and refers to.
#[derive(Debug, Default)]
struct Facts {
    mods: Vec<ModDecl>,
    /// Items defined, by inline module.
    defs: BTreeMap<Vec<String>, BTreeSet<String>>,
    uses: Vec<UseEntry>,
    paths: Vec<PathRef>,
    impls: Vec<ImplBlock>,
    /// Identifiers in the file's code (not in `use` items), with a line.
    idents: BTreeMap<String, usize>,
}

const ITEM_KEYWORDS: [&str; 8] = ["struct", "enum", "union", "trait", "type", "fn", "const", "static"];

/// An open brace.
enum Frame {
    Module(String),
    Impl(usize),
    Block,
}

fn facts(src: &str) -> Facts {
    let t = tokenize(src);
    let ident = |i: usize| match t.get(i).map(|t| &t.tok) {
        Some(Tok::Ident(s)) => Some(s.as_str()),
        _ => None,
    };
    let punct = |i: usize, p: &str| matches!(t.get(i).map(|t| &t.tok), Some(Tok::Punct(s)) if s == p);
    let mut f = Facts::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut path_attr: Option<String> = None;
    let mut i = 0;
    while i < t.len() {
        let within: Vec<String> = stack
            .iter()
            .filter_map(|f| match f {
                Frame::Module(name) => Some(name.clone()),
                _ => None,
            })
            .collect();
        let top = stack.last();
        let module_level = matches!(top, None | Some(Frame::Module(_)));
        let in_impl = stack.iter().rev().find_map(|f| match f {
            Frame::Impl(k) => Some(*k),
            _ => None,
        });
        let word = ident(i);
        if word == Some("use") && (ident(i + 1).is_some() || punct(i + 1, "::") || punct(i + 1, "{")) {
            let public = ident(i.wrapping_sub(1)) == Some("pub")
                || (punct(i.wrapping_sub(1), ")") && {
                    let open = (0..i).rev().find(|&k| punct(k, "("));
                    open.is_some_and(|k| ident(k.wrapping_sub(1)) == Some("pub"))
                });
            let mut j = i + 1;
            let mut leaves = Vec::new();
            use_tree(&t, &mut j, Vec::new(), &mut leaves);
            for (path, alias) in leaves {
                f.uses.push(UseEntry {
                    within: within.clone(),
                    path,
                    alias,
                    public,
                    line: t[i].line,
                });
            }
            while j < t.len() && !punct(j, ";") {
                j += 1;
            }
            i = j + 1;
            continue;
        }
        if punct(i, "#")
            && punct(i + 1, "[")
            && ident(i + 2) == Some("path")
            && punct(i + 3, "=")
            && let Some(Tok::Str(p)) = t.get(i + 4).map(|t| &t.tok)
        {
            path_attr = Some(p.clone());
        }
        if word == Some("mod")
            && let Some(name) = ident(i + 1)
        {
            let inline = punct(i + 2, "{");
            f.mods.push(ModDecl {
                within: within.clone(),
                name: name.to_string(),
                inline,
                path_attr: path_attr.take(),
            });
            if inline {
                stack.push(Frame::Module(name.to_string()));
                i += 3;
            } else {
                i += 2;
            }
            continue;
        }
        // An impl item (not `-> impl Trait` or `x: impl Fn()`): its header up to `{`.
        let item_start = i == 0
            || [";", "}", "{", "]"].iter().any(|p| punct(i - 1, p))
            || matches!(ident(i - 1), Some("unsafe" | "default"));
        if word == Some("impl") && module_level && item_start {
            let (block, open) = impl_header(&t, i, within.clone());
            if let Some(open) = open {
                f.impls.push(block);
                stack.push(Frame::Impl(f.impls.len() - 1));
                i = open + 1;
                continue;
            }
        }
        if module_level && let Some(name) = word.filter(|w| ITEM_KEYWORDS.contains(w)).and_then(|_| ident(i + 1)) {
            f.defs.entry(within.clone()).or_default().insert(name.to_string());
        }
        if let (Some(Frame::Impl(k)), Some("fn"), Some(name)) = (top, word, ident(i + 1)) {
            f.impls[*k].methods.insert(name.to_string());
        }
        if module_level
            && word == Some("macro_rules")
            && punct(i + 1, "!")
            && let Some(name) = ident(i + 2)
        {
            f.defs.entry(within.clone()).or_default().insert(name.to_string());
        }
        if let (Some(k), Some("self"), true, Some(name), true) =
            (in_impl, word, punct(i + 1, "."), ident(i + 2), punct(i + 3, "("))
        {
            f.impls[k].calls.push((name.to_string(), t[i].line));
        }
        if let Some(first) = word {
            let after_path = punct(i.wrapping_sub(1), "::") || punct(i.wrapping_sub(1), "$");
            if !after_path && punct(i + 1, "::") {
                let mut segments = vec![first.to_string()];
                let mut j = i + 1;
                while punct(j, "::")
                    && let Some(next) = ident(j + 1)
                {
                    segments.push(next.to_string());
                    j += 2;
                }
                for s in &segments {
                    f.idents.entry(s.clone()).or_insert(t[i].line);
                }
                if let (Some(k), "Self", 2, true) = (in_impl, first, segments.len(), punct(j, "(")) {
                    f.impls[k].calls.push((segments[1].clone(), t[i].line));
                }
                f.paths.push(PathRef {
                    within,
                    segments,
                    line: t[i].line,
                });
                i = j;
                continue;
            }
            f.idents.entry(first.to_string()).or_insert(t[i].line);
        }
        if punct(i, "{") {
            stack.push(Frame::Block);
        } else if punct(i, "}") {
            stack.pop();
        }
        if punct(i, ";") || punct(i, "{") || punct(i, "}") {
            path_attr = None;
        }
        i += 1;
    }
    f
}

/// The `impl` at `t[at]` and the index of its opening brace (None for a
/// header this reader does not understand).
fn impl_header(t: &[Token], at: usize, within: Vec<String>) -> (ImplBlock, Option<usize>) {
    let mut parts: Vec<Vec<String>> = vec![Vec::new()];
    let mut depth = 0i32;
    let mut open = None;
    let mut in_where = false;
    for (k, token) in t.iter().enumerate().skip(at + 1) {
        match &token.tok {
            Tok::Punct(p) if p == "{" && depth == 0 => {
                open = Some(k);
                break;
            }
            Tok::Punct(p) if p == "<" => depth += 1,
            Tok::Punct(p) if p == ">" && !matches!(&t[k - 1].tok, Tok::Punct(m) if m == "-") => depth -= 1,
            Tok::Punct(p) if p == ";" => break,
            Tok::Ident(w) if depth == 0 && w == "where" => in_where = true,
            Tok::Ident(w) if depth == 0 && !in_where && w == "for" => parts.push(Vec::new()),
            Tok::Ident(w) if depth == 0 && !in_where && !["dyn", "mut", "unsafe"].contains(&w.as_str()) => {
                if let Some(last) = parts.last_mut() {
                    last.push(w.clone());
                }
            }
            _ => {}
        }
    }
    let block = ImplBlock {
        within,
        inherent: parts.len() == 1,
        self_type: parts.pop().unwrap_or_default(),
        line: t[at].line,
        methods: BTreeSet::new(),
        calls: Vec::new(),
    };
    (block, open)
}

/// Leaves of the use tree starting at `t[*j]`: (path, alias or None for a glob).
fn use_tree(t: &[Token], j: &mut usize, prefix: Vec<String>, out: &mut Vec<(Vec<String>, Option<String>)>) {
    let is = |j: usize, p: &str| matches!(t.get(j).map(|t| &t.tok), Some(Tok::Punct(s)) if s == p);
    let mut path = prefix;
    if is(*j, "::") {
        *j += 1;
    }
    loop {
        match t.get(*j).map(|t| &t.tok) {
            Some(Tok::Ident(name)) => {
                *j += 1;
                if is(*j, "::") {
                    path.push(name.clone());
                    *j += 1;
                    continue;
                }
                let mut alias = if name == "self" {
                    path.last().cloned()
                } else {
                    Some(name.clone())
                };
                if name != "self" {
                    path.push(name.clone());
                }
                if let (Some(Tok::Ident(as_kw)), Some(Tok::Ident(renamed))) =
                    (t.get(*j).map(|t| &t.tok), t.get(*j + 1).map(|t| &t.tok))
                    && as_kw == "as"
                {
                    alias = Some(renamed.clone());
                    *j += 2;
                }
                out.push((path, alias));
                return;
            }
            Some(Tok::Punct(p)) if p == "*" => {
                *j += 1;
                out.push((path, None));
                return;
            }
            Some(Tok::Punct(p)) if p == "{" => {
                *j += 1;
                while *j < t.len() && !is(*j, "}") {
                    use_tree(t, j, path.clone(), out);
                    if is(*j, ",") {
                        *j += 1;
                    }
                }
                *j += 1;
                return;
            }
            _ => return,
        }
    }
}

// ---------------------------------------------------------------- tree

/// A module: which crate, its path in it, and where it is written.
#[derive(Debug, Clone)]
struct Place {
    file: String,
    /// Inline modules within the file (empty for the file's own module).
    within: Vec<String>,
}

type ModKey = (String, Vec<String>);

/// A resolved path: a module, and maybe an item named in it.
type Resolved = (String, Vec<String>, Option<String>);

/// A type: the file that defines it, and its name.
type TypeKey = (String, String);

struct Tree {
    facts: BTreeMap<String, Facts>,
    modules: BTreeMap<ModKey, Place>,
    /// The module each file is.
    file_module: BTreeMap<String, ModKey>,
    unreached: Vec<String>,
}

const DEPTH: usize = 24;

impl Tree {
    fn new(files: &BTreeMap<String, String>) -> Tree {
        let facts: BTreeMap<String, Facts> = files.iter().map(|(p, s)| (p.clone(), facts(s))).collect();
        let mut tree = Tree {
            facts,
            modules: BTreeMap::new(),
            file_module: BTreeMap::new(),
            unreached: Vec::new(),
        };
        let mut queue: Vec<(String, Vec<String>, String)> = Vec::new();
        for file in files.keys() {
            let krate = match file.as_str() {
                "src/lib.rs" => Some("lib".to_string()),
                "src/main.rs" => Some("main".to_string()),
                other => other
                    .strip_prefix("src/bin/")
                    .map(|rest| rest.trim_end_matches(".rs").trim_end_matches("/main").to_string())
                    .filter(|name| !name.contains('/')),
            };
            if let Some(krate) = krate {
                queue.push((krate, Vec::new(), file.clone()));
            }
        }
        while let Some((krate, path, file)) = queue.pop() {
            if tree.file_module.contains_key(&file) {
                continue;
            }
            tree.file_module.insert(file.clone(), (krate.clone(), path.clone()));
            let place = Place {
                file: file.clone(),
                within: Vec::new(),
            };
            tree.modules.insert((krate.clone(), path.clone()), place);
            let (dir, name) = file.rsplit_once('/').unwrap_or(("", file.as_str()));
            let own_dir = if ["mod.rs", "lib.rs", "main.rs"].contains(&name) || dir == "src/bin" {
                dir.to_string()
            } else {
                format!("{dir}/{}", name.trim_end_matches(".rs"))
            };
            for decl in &tree.facts[&file].mods {
                let mut child = path.clone();
                child.extend(decl.within.iter().cloned());
                child.push(decl.name.clone());
                if decl.inline {
                    let mut within = decl.within.clone();
                    within.push(decl.name.clone());
                    tree.modules.insert(
                        (krate.clone(), child),
                        Place {
                            file: file.clone(),
                            within,
                        },
                    );
                    continue;
                }
                let candidates = match (&decl.path_attr, decl.within.is_empty()) {
                    (Some(p), true) => vec![format!("{dir}/{p}")],
                    _ => {
                        let base = std::iter::once(own_dir.clone())
                            .chain(decl.within.iter().cloned())
                            .collect::<Vec<_>>();
                        let base = base.join("/");
                        vec![
                            format!("{base}/{}.rs", decl.name),
                            format!("{base}/{}/mod.rs", decl.name),
                        ]
                    }
                };
                if let Some(found) = candidates.into_iter().find(|c| files.contains_key(c)) {
                    queue.push((krate.clone(), child, found));
                }
            }
        }
        tree.unreached = files
            .keys()
            .filter(|f| !tree.file_module.contains_key(*f))
            .cloned()
            .collect();
        tree
    }

    fn is_module(&self, krate: &str, path: &[String]) -> bool {
        self.modules.contains_key(&(krate.to_string(), path.to_vec()))
    }

    fn uses_in<'a>(&'a self, krate: &str, path: &[String]) -> Vec<&'a UseEntry> {
        match self.modules.get(&(krate.to_string(), path.to_vec())) {
            Some(place) => self.facts[&place.file]
                .uses
                .iter()
                .filter(|u| u.within == place.within)
                .collect(),
            None => Vec::new(),
        }
    }

    fn defines(&self, krate: &str, path: &[String], name: &str) -> bool {
        self.modules
            .get(&(krate.to_string(), path.to_vec()))
            .is_some_and(|place| {
                self.facts[&place.file]
                    .defs
                    .get(&place.within)
                    .is_some_and(|d| d.contains(name))
            })
    }

    /// A module that `name` stands for in module `path` because of a `use`.
    fn alias(&self, krate: &str, path: &[String], name: &str, depth: usize) -> Option<(String, Vec<String>)> {
        self.uses_in(krate, path)
            .into_iter()
            .filter(|u| u.alias.as_deref() == Some(name))
            .find_map(|u| match self.resolve(krate, path, &u.path, depth + 1) {
                Some((k, m, None)) => Some((k, m)),
                _ => None,
            })
    }

    /// The module (and item in it) that `segments` names, seen from module
    /// `path` of `krate`; None for paths into other crates.
    fn resolve(&self, krate: &str, path: &[String], segments: &[String], depth: usize) -> Option<Resolved> {
        if depth > DEPTH || segments.is_empty() {
            return None;
        }
        let first = segments[0].as_str();
        let (k, mut m, mut rest) = match first {
            "crate" => (krate.to_string(), Vec::new(), 1),
            "lakescope" if krate != "lib" => ("lib".to_string(), Vec::new(), 1),
            "self" => (krate.to_string(), path.to_vec(), 1),
            "super" => {
                let ups = segments.iter().take_while(|s| *s == "super").count();
                let keep = path.len().checked_sub(ups)?;
                (krate.to_string(), path[..keep].to_vec(), ups)
            }
            _ => {
                let mut child = path.to_vec();
                child.push(first.to_string());
                if self.is_module(krate, &child) {
                    (krate.to_string(), child, 1)
                } else {
                    let (k, m) = self.alias(krate, path, first, depth)?;
                    (k, m, 1)
                }
            }
        };
        while let Some(seg) = segments.get(rest) {
            let mut child = m.clone();
            child.push(seg.clone());
            if !self.is_module(&k, &child) {
                return Some((k, m, Some(seg.clone())));
            }
            m = child;
            rest += 1;
        }
        Some((k, m, None))
    }

    /// The file that defines `item` of module `path` (the module's own file
    /// when it is defined there or cannot be traced further).
    fn defining_file(&self, krate: &str, path: &[String], item: Option<&str>, depth: usize) -> Option<String> {
        let place = self.modules.get(&(krate.to_string(), path.to_vec()))?;
        let Some(name) = item else {
            return Some(place.file.clone());
        };
        if self.defines(krate, path, name) || depth > DEPTH {
            return Some(place.file.clone());
        }
        let uses = self.uses_in(krate, path);
        for u in uses.iter().filter(|u| u.alias.as_deref() == Some(name)) {
            if let Some((k, m, it)) = self.resolve(krate, path, &u.path, depth + 1) {
                return self.defining_file(&k, &m, it.as_deref(), depth + 1);
            }
        }
        for u in uses.iter().filter(|u| u.alias.is_none()) {
            if let Some((k, m, None)) = self.resolve(krate, path, &u.path, depth + 1) {
                let there =
                    self.defines(&k, &m, name) || self.uses_in(&k, &m).iter().any(|v| v.alias.as_deref() == Some(name));
                if there {
                    return self.defining_file(&k, &m, Some(name), depth + 1);
                }
            }
        }
        Some(place.file.clone())
    }

    fn target(&self, krate: &str, path: &[String], segments: &[String]) -> Option<String> {
        let (k, m, item) = self.resolve(krate, path, segments, 0)?;
        self.defining_file(&k, &m, item.as_deref(), 0)
    }

    /// Every file each file imports, with the first line that does it.
    fn imports(&self) -> BTreeMap<(String, String), String> {
        let mut edges: BTreeMap<(String, String), String> = BTreeMap::new();
        let methods = self.methods();
        for (file, (krate, module)) in &self.file_module {
            let facts = &self.facts[file];
            let mut add = |to: Option<String>, line: usize, what: String| {
                if let Some(to) = to.filter(|to| to != file) {
                    edges
                        .entry((file.clone(), to))
                        .or_insert(format!("{file}:{line} {what}"));
                }
            };
            let here = |within: &[String]| -> Vec<String> { module.iter().chain(within).cloned().collect() };
            for u in &facts.uses {
                let from = here(&u.within);
                let shown = u.path.join("::");
                match (&u.alias, u.public) {
                    (None, false) => add(self.target(krate, &from, &u.path), u.line, format!("`use {shown}::*`")),
                    (Some(_), false) => {
                        // A module brought in is an import where it is used.
                        if !matches!(self.resolve(krate, &from, &u.path, 0), Some((_, _, None))) {
                            add(self.target(krate, &from, &u.path), u.line, format!("`use {shown}`"));
                        }
                    }
                    (Some(alias), true) => {
                        if let Some(&line) = facts.idents.get(alias) {
                            add(
                                self.target(krate, &from, &u.path),
                                line,
                                format!("`{alias}` (re-exported from {shown})"),
                            );
                        }
                    }
                    (None, true) => {
                        let Some((k, m, None)) = self.resolve(krate, &from, &u.path, 0) else {
                            continue;
                        };
                        for (name, &line) in &facts.idents {
                            if self.defines(&k, &m, name) {
                                add(
                                    self.defining_file(&k, &m, Some(name), 0),
                                    line,
                                    format!("`{name}` (re-exported from {shown}::*)"),
                                );
                            }
                        }
                    }
                }
            }
            for p in &facts.paths {
                let from = here(&p.within);
                add(
                    self.target(krate, &from, &p.segments),
                    p.line,
                    format!("`{}`", p.segments.join("::")),
                );
            }
            for block in &facts.impls {
                let Some(ty) = self.type_key(krate, &here(&block.within), &block.self_type) else {
                    continue;
                };
                for (method, line) in &block.calls {
                    if let Some((defined_in, at)) = methods.get(&(ty.clone(), method.clone())) {
                        let what = format!("`self.{method}()` (in `impl {}` at {defined_in}:{at})", ty.1);
                        add(Some(defined_in.clone()), *line, what);
                    }
                }
            }
        }
        edges
    }

    /// Where each type's inherent methods are defined: (type, method) → (file, line).
    fn methods(&self) -> BTreeMap<(TypeKey, String), (String, usize)> {
        let mut methods = BTreeMap::new();
        for (file, (krate, module)) in &self.file_module {
            for block in self.facts[file].impls.iter().filter(|b| b.inherent) {
                let from: Vec<String> = module.iter().chain(&block.within).cloned().collect();
                let Some(ty) = self.type_key(krate, &from, &block.self_type) else {
                    continue;
                };
                for m in &block.methods {
                    methods.insert((ty.clone(), m.clone()), (file.clone(), block.line));
                }
            }
        }
        methods
    }

    /// The file that defines the type named `segments` in module `path`, and its name.
    fn type_key(&self, krate: &str, path: &[String], segments: &[String]) -> Option<TypeKey> {
        let name = segments.last()?;
        if segments.len() > 1 {
            let (k, m, item) = self.resolve(krate, path, segments, 0)?;
            let item = item?;
            return Some((self.defining_file(&k, &m, Some(&item), 0)?, item));
        }
        if self.defines(krate, path, name) {
            return Some((
                self.modules.get(&(krate.to_string(), path.to_vec()))?.file.clone(),
                name.clone(),
            ));
        }
        let uses = self.uses_in(krate, path);
        if let Some(u) = uses.iter().find(|u| u.alias.as_deref() == Some(name)) {
            let (k, m, item) = self.resolve(krate, path, &u.path, 0)?;
            let item = item?;
            return Some((self.defining_file(&k, &m, Some(&item), 0)?, item));
        }
        uses.iter()
            .filter(|u| u.alias.is_none())
            .find_map(|u| match self.resolve(krate, path, &u.path, 0) {
                Some((k, m, None)) if self.defines(&k, &m, name) => {
                    Some((self.defining_file(&k, &m, Some(name), 0)?, name.clone()))
                }
                _ => None,
            })
    }

    /// Pairs of files that import each other, with the evidence.
    fn cycles(&self) -> Vec<String> {
        let edges = self.imports();
        edges
            .iter()
            .filter(|((a, b), _)| a < b)
            .filter_map(|((a, b), why)| {
                let back = edges.get(&(b.clone(), a.clone()))?;
                Some(format!("{a} <-> {b}\n    {why}\n    {back}"))
            })
            .collect()
    }
}

// ---------------------------------------------------------------- the analysis on small trees

mod resolver {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> Tree {
        Tree::new(&files.iter().map(|(p, s)| (p.to_string(), s.to_string())).collect())
    }

    fn imports(files: &[(&str, &str)]) -> Vec<(String, String)> {
        tree(files).imports().into_keys().collect()
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_string(), b.to_string())
    }

    #[test]
    fn a_child_using_its_parent_and_the_parent_using_the_child_is_a_cycle() {
        let t = tree(&[
            ("src/lib.rs", "mod m;"),
            ("src/m/mod.rs", "mod c;\npub struct Lake;\nfn open() { c::helper(); }"),
            ("src/m/c.rs", "use super::Lake;\npub fn helper() {}"),
        ]);
        let cycles = t.cycles();
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        assert!(cycles[0].starts_with("src/m/c.rs <-> src/m/mod.rs"), "{cycles:?}");
        assert!(cycles[0].contains("src/m/mod.rs:3 `c::helper`"), "{cycles:?}");
        assert!(cycles[0].contains("src/m/c.rs:1 `use super::Lake`"), "{cycles:?}");
    }

    #[test]
    fn declaring_and_re_exporting_a_child_is_not_an_import() {
        let files = [
            ("src/lib.rs", "pub mod m;"),
            ("src/m/mod.rs", "mod c;\npub use c::Helper;\npub struct Lake;"),
            ("src/m/c.rs", "use super::Lake;\npub struct Helper(Lake);"),
        ];
        assert_eq!(imports(&files), [pair("src/m/c.rs", "src/m/mod.rs")]);
        // Using the re-exported name in the parent's own code is.
        let files = [
            ("src/lib.rs", "pub mod m;"),
            (
                "src/m/mod.rs",
                "mod c;\npub use c::Helper;\npub struct Lake;\nfn f(h: Helper) {}",
            ),
            ("src/m/c.rs", "use super::Lake;\npub struct Helper(Lake);"),
        ];
        assert_eq!(tree(&files).cycles().len(), 1);
    }

    #[test]
    fn a_re_export_leads_to_the_file_that_defines_the_item() {
        let files = [
            ("src/lib.rs", "pub mod lake;\nmod tui;"),
            (
                "src/lake/mod.rs",
                "mod session;\nmod scope;\npub use session::Session;\npub use scope::*;",
            ),
            ("src/lake/session.rs", "use super::Scope;\npub struct Session;"),
            ("src/lake/scope.rs", "pub struct Scope;"),
            ("src/tui.rs", "use crate::lake::{Session, Scope as S};"),
        ];
        assert_eq!(
            imports(&files),
            [
                pair("src/lake/session.rs", "src/lake/scope.rs"),
                pair("src/tui.rs", "src/lake/scope.rs"),
                pair("src/tui.rs", "src/lake/session.rs"),
            ]
        );
    }

    #[test]
    fn siblings_naming_each_other_by_any_path_form_are_a_cycle() {
        let files = [
            ("src/lib.rs", "mod a;\nmod b;"),
            ("src/a.rs", "pub struct A;\nfn f() -> crate::b::B { todo!() }"),
            ("src/b.rs", "use super::a;\npub struct B;\nfn g(x: a::A) {}"),
        ];
        assert_eq!(
            imports(&files),
            [pair("src/a.rs", "src/b.rs"), pair("src/b.rs", "src/a.rs")]
        );
        let cycle = &tree(&files).cycles()[0];
        assert!(cycle.contains("src/b.rs:3 `a::A`"), "{cycle}");
    }

    #[test]
    fn tests_inline_and_self_references_are_not_imports() {
        let files = [
            ("src/lib.rs", "mod a;"),
            (
                "src/a.rs",
                "pub struct A;\nfn f() -> self::A { A }\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use super::super::a::A;\n}",
            ),
        ];
        assert!(imports(&files).is_empty(), "{:?}", imports(&files));
    }

    #[test]
    fn a_path_attribute_and_a_grandparent_are_followed() {
        let files = [
            ("src/lib.rs", "mod sync;"),
            ("src/sync/mod.rs", "mod plan;\npub struct Filter;"),
            (
                "src/sync/plan.rs",
                "pub fn parse() {}\n#[cfg(test)]\n#[path = \"plan_tests.rs\"]\nmod tests;",
            ),
            ("src/sync/plan_tests.rs", "use super::parse;\nuse super::super::Filter;"),
        ];
        let t = tree(&files);
        assert!(t.unreached.is_empty(), "{:?}", t.unreached);
        assert_eq!(
            imports(&files),
            [
                pair("src/sync/plan_tests.rs", "src/sync/mod.rs"),
                pair("src/sync/plan_tests.rs", "src/sync/plan.rs")
            ]
        );
    }

    #[test]
    fn comments_strings_and_other_crates_are_ignored() {
        let files = [
            ("src/lib.rs", "mod a;\nmod b;"),
            (
                "src/a.rs",
                "// use super::b::B;\n/* crate::b::B */\nconst S: &str = \"super::b::B\";\nconst R: &str = r#\"crate::b\"#;\nuse std::path::Path;\nfn f<'a>(c: char) -> bool { c == '\"' }\n/// [`crate::b::B`]\npub struct A;",
            ),
            ("src/b.rs", "use crate::a::A;\npub struct B;"),
        ];
        assert_eq!(imports(&files), [pair("src/b.rs", "src/a.rs")]);
    }

    #[test]
    fn the_binary_reaches_the_library_by_its_name() {
        let files = [
            ("src/lib.rs", "pub mod cli;"),
            ("src/cli.rs", "pub fn run() {}"),
            ("src/main.rs", "fn main() { lakescope::cli::run() }"),
            ("src/stray.rs", "pub fn lost() {}"),
        ];
        let t = tree(&files);
        assert_eq!(
            t.imports().into_keys().collect::<Vec<_>>(),
            [pair("src/main.rs", "src/cli.rs")]
        );
        assert_eq!(t.unreached, ["src/stray.rs"]);
    }

    #[test]
    fn calling_a_method_defined_in_another_files_impl_is_an_import() {
        let files = [
            ("src/lib.rs", "mod lake;"),
            (
                "src/lake/mod.rs",
                "mod session;\nmod pivots;\nmod timeline;\npub use session::Session;",
            ),
            (
                "src/lake/session.rs",
                "pub struct Session;\nimpl Session { pub fn query(&self) {} }",
            ),
            (
                "src/lake/pivots.rs",
                "use super::Session;\npub struct EventQuery;\nimpl Session {\n    pub fn actor(&self) {\n        self.first_sightings();\n        self.query();\n    }\n}",
            ),
            (
                "src/lake/timeline.rs",
                "use super::pivots::EventQuery;\nuse super::session::Session;\nimpl Session {\n    pub fn first_sightings(&self) -> Vec<EventQuery> { Self::helper() }\n    fn helper() -> Vec<EventQuery> { vec![] }\n}\nimpl std::fmt::Debug for Session { fn fmt(&self) { self.first_sightings(); } }",
            ),
        ];
        let t = tree(&files);
        let cycles = t.cycles();
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        assert!(
            cycles[0].starts_with("src/lake/pivots.rs <-> src/lake/timeline.rs"),
            "{cycles:?}"
        );
        assert!(
            cycles[0].contains(
                "src/lake/pivots.rs:5 `self.first_sightings()` (in `impl Session` at src/lake/timeline.rs:3)"
            ),
            "{cycles:?}"
        );
        assert_eq!(
            t.imports().into_keys().collect::<Vec<_>>(),
            [
                pair("src/lake/pivots.rs", "src/lake/session.rs"),
                pair("src/lake/pivots.rs", "src/lake/timeline.rs"),
                pair("src/lake/timeline.rs", "src/lake/pivots.rs"),
                pair("src/lake/timeline.rs", "src/lake/session.rs"),
            ]
        );
    }

    #[test]
    fn impl_headers_name_their_type() {
        let t = tokenize("impl<'a, F: Fn() -> u8> fmt::Display for super::Wrapper<'a, F> where F: Copy { }");
        let (block, open) = impl_header(&t, 0, Vec::new());
        assert_eq!(block.self_type, ["super", "Wrapper"]);
        assert!(!block.inherent);
        assert_eq!(open, Some(t.len() - 2));
        let t = tokenize("fn f() -> impl Iterator<Item = u8> { todo!() }\nimpl App { fn g(&self) {} }");
        let f = facts_of(&t);
        assert_eq!(f.impls.len(), 1);
        assert_eq!(f.impls[0].self_type, ["App"]);
        assert_eq!(f.impls[0].methods.iter().collect::<Vec<_>>(), ["g"]);
    }

    fn facts_of(t: &[Token]) -> Facts {
        let text: Vec<String> = t
            .iter()
            .map(|t| match &t.tok {
                Tok::Ident(s) | Tok::Punct(s) => s.clone(),
                Tok::Str(s) => format!("{s:?}"),
            })
            .collect();
        facts(&text.join(" "))
    }

    #[test]
    fn use_trees_nest_and_rename() {
        let t = tokenize("use a::{b, c::{self, d as e}, f::*};");
        let mut j = 1;
        let mut leaves = Vec::new();
        use_tree(&t, &mut j, Vec::new(), &mut leaves);
        let shown: Vec<String> = leaves
            .iter()
            .map(|(p, a)| format!("{} as {}", p.join("::"), a.as_deref().unwrap_or("*")))
            .collect();
        assert_eq!(shown, ["a::b as b", "a::c as c", "a::c::d as e", "a::f as *"]);
    }
}
