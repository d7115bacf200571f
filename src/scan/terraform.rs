//! Terraform: source (`.tf`, one directory = one module) and plan/state JSON
//! (`terraform show -json`).
//!
//! **Source.** The `.tf` files of one directory are parsed with `hcl-rs` and evaluated
//! together by a small partial evaluator: variable defaults, `terraform.tfvars` and
//! `*.auto.tfvars` values (the files Terraform itself loads without `-var-file`; any other
//! `.tfvars` in the set is ignored with a note), `locals`, references to resources of the
//! same module (`aws_cloudwatch_log_group.ct.name`, `aws_sns_topic.alarms[0].arn`,
//! `aws_cloudwatch_log_metric_filter.x.id`, ...), string templates, conditionals, `for`
//! expressions, the usual collection and string functions (`join`, `format`, `lookup`,
//! `coalesce`, `merge`, `concat`, `contains`, `try`, ...), `count` and `for_each` (one
//! resource per instance: `aws_cloudwatch_log_metric_filter.this["IAMPolicyChanges"]`) and
//! `dynamic` blocks.
//!
//! What cannot be reduced to a literal becomes [`Val::Unresolved`] with a token that stands
//! for the expression: `var.x` for a variable without a value, the resource instance's
//! address for any attribute of a resource that is not a literal (`aws_sns_topic.alarms[0]`
//! for its ARN, `aws_cloudwatch_log_group.ct` for the name of a log group that has only a
//! `name_prefix`), and a rendering of the expression with those tokens for composite values
//! (`${var.prefix}-alerts`). Equal tokens therefore stand for equal values within the
//! module. A log group ARN built from a known name (`"${aws_cloudwatch_log_group.ct.arn}:*"`
//! or `format("arn:aws:logs:%s:%s:log-group:%s:*", ...)`) reduces to that name even when its
//! region and account are unknown.
//!
//! Module calls are not followed (a note says so): scan the called module's directory on its
//! own. `count` that cannot be evaluated is taken as one instance, `for_each` that cannot be
//! evaluated as one instance with unresolved `each.key`/`each.value` (with a note).
//!
//! **Plans and state.** `planned_values` (plan) or `values` (state), root module and child
//! modules: every value is a literal except those "known after apply", which become
//! [`Val::Unresolved`] named after the resource the `configuration` section says the
//! expression refers to (module-qualified), so that a trail and a filter that refer to the
//! same new log group, or an alarm and a subscription that refer to the same new topic, still
//! link up.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use hcl::edit::Span as _;
use hcl::expr::{
    BinaryOperator, Expression, ForExpr, FuncCall, ObjectKey, Operation, TemplateExpr, Traversal,
    TraversalOperator, UnaryOperator,
};
use hcl::template::{Directive, Element, Template};
use hcl::{Block, Body};

use super::model::{is_sns_arn, log_group_name, FieldSelector};
use super::{
    Alarm, Inventory, LoadError, Management, Metric, MetricFilter, Note, Origin, Seen, SourceFile,
    SourceKind, Subscription, Trail, Val,
};

/// The top-level block types of Terraform source.
const TERRAFORM_BLOCKS: [&str; 9] = [
    "resource",
    "data",
    "variable",
    "locals",
    "module",
    "provider",
    "terraform",
    "output",
    "moved",
];

/// Does `text` look like Terraform source: valid HCL with at least one top-level block of a
/// Terraform kind (`resource`, `variable`, `locals`, `module`, ...)?
pub fn looks_like_hcl(text: &str) -> bool {
    // Cheap test first: a line that starts with a Terraform block keyword.
    let keyword_line = text.lines().any(|line| {
        let line = line.trim_start();
        TERRAFORM_BLOCKS.iter().any(|kw| {
            line.strip_prefix(kw)
                .is_some_and(|rest| rest.starts_with([' ', '\t', '"', '{']))
        })
    });
    if !keyword_line {
        return false;
    }
    match hcl::edit::parser::parse_body(text) {
        Ok(body) => body
            .blocks()
            .any(|b| TERRAFORM_BLOCKS.contains(&b.ident.as_str())),
        Err(_) => false,
    }
}

/// The HCL syntax error of a file that is not valid Terraform source (line and column of the
/// parser's error), or a remark that the file is valid HCL without Terraform blocks.
pub fn syntax_error(path: &str, text: &str) -> LoadError {
    match hcl::edit::parser::parse_body(text) {
        Err(e) => parse_error(path, &e),
        Ok(_) => LoadError::new(
            path,
            "valid HCL, but no Terraform block (resource, variable, locals, module, ...)",
        ),
    }
}

fn parse_error(path: &str, e: &hcl::edit::parser::Error) -> LoadError {
    let loc = e.location();
    let line = u32::try_from(loc.line()).ok().filter(|&l| l > 0);
    let column = u32::try_from(loc.column()).ok().filter(|&c| c > 0);
    let excerpt = e.line().trim();
    let message = if excerpt.is_empty() {
        format!("Terraform (HCL) syntax error: {}", e.message())
    } else {
        format!(
            "Terraform (HCL) syntax error: {} (in `{}`)",
            e.message(),
            truncate(excerpt, 80)
        )
    };
    LoadError::new(path, message).at(line, column)
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

/// The 1-based line of byte offset `at` in `text`.
fn line_at(text: &str, at: usize) -> Option<u32> {
    let before = text.get(..at)?;
    u32::try_from(before.bytes().filter(|&b| b == b'\n').count() + 1).ok()
}

// ---------------------------------------------------------------------------------------
// Values of the partial evaluator.

/// An evaluated expression.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum V {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<V>),
    Map(BTreeMap<String, V>),
    Unknown(Unk),
}

/// An unknown value: a token that stands for it, and for strings built from known and
/// unknown parts, the parts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Unk {
    pub(super) token: String,
    pub(super) pieces: Option<Vec<Piece>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Piece {
    Lit(String),
    Unk(String),
}

/// The token of evaluation errors (a missing map key, a type error): `try` and `can` skip
/// them.
const ERROR: &str = "error: ";

impl V {
    pub(super) fn unknown(token: impl Into<String>) -> V {
        V::Unknown(Unk {
            token: token.into(),
            pieces: None,
        })
    }

    fn error(what: &str) -> V {
        V::unknown(format!("{ERROR}{what}"))
    }

    fn is_error(&self) -> bool {
        matches!(self, V::Unknown(u) if u.token.starts_with(ERROR))
    }

    /// Is there an unknown anywhere in it?
    pub(super) fn has_unknown(&self) -> bool {
        match self {
            V::Unknown(_) => true,
            V::List(l) => l.iter().any(V::has_unknown),
            V::Map(m) => m.values().any(V::has_unknown),
            _ => false,
        }
    }

    /// Terraform's string conversion of a primitive.
    pub(super) fn as_string(&self) -> Option<String> {
        match self {
            V::Str(s) => Some(s.clone()),
            V::Num(n) => Some(num_text(*n)),
            V::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub(super) fn as_bool(&self) -> Option<bool> {
        match self {
            V::Bool(b) => Some(*b),
            V::Str(s) if s == "true" => Some(true),
            V::Str(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    pub(super) fn as_num(&self) -> Option<f64> {
        match self {
            V::Num(n) => Some(*n),
            V::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// A rough size, charged to the evaluation budget when a value is copied.
    fn size(&self) -> u64 {
        match self {
            V::Str(s) => 1 + (s.len() as u64) / 16,
            V::List(l) => l.iter().fold(1u64, |n, v| n.saturating_add(v.size())),
            V::Map(m) => m.values().fold(1u64, |n, v| n.saturating_add(v.size())),
            V::Unknown(u) => 1 + (u.token.len() as u64) / 16,
            _ => 1,
        }
    }

    /// The value's pieces, for string building.
    pub(super) fn pieces(&self) -> Vec<Piece> {
        match self {
            V::Unknown(Unk {
                pieces: Some(p), ..
            }) => p.clone(),
            V::Unknown(u) => vec![Piece::Unk(u.token.clone())],
            v => match v.as_string() {
                Some(s) => vec![Piece::Lit(s)],
                None => vec![Piece::Unk(format!("{ERROR}not a string: {}", render(v)))],
            },
        }
    }
}

fn num_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A string from pieces: a literal when every piece is, else an unknown whose token renders
/// the unknown pieces as `${token}`.
pub(super) fn from_pieces(pieces: Vec<Piece>) -> V {
    let mut merged: Vec<Piece> = Vec::with_capacity(pieces.len());
    for p in pieces {
        match (merged.last_mut(), p) {
            (Some(Piece::Lit(a)), Piece::Lit(b)) => a.push_str(&b),
            (_, p) => merged.push(p),
        }
    }
    let unknowns = merged.iter().filter(|p| matches!(p, Piece::Unk(_))).count();
    match merged.as_slice() {
        [] => V::Str(String::new()),
        [Piece::Lit(s)] => V::Str(s.clone()),
        [Piece::Unk(t)] => V::unknown(t.clone()),
        _ if unknowns == 0 => V::Str(String::new()),
        _ => {
            if let Some(Piece::Unk(e)) = merged
                .iter()
                .find(|p| matches!(p, Piece::Unk(t) if t.starts_with(ERROR)))
            {
                return V::unknown(e.clone());
            }
            V::Unknown(Unk {
                token: render_pieces(&merged),
                pieces: Some(merged),
            })
        }
    }
}

fn render_pieces(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Lit(s) => out.push_str(s),
            Piece::Unk(t) => {
                out.push_str("${");
                out.push_str(t);
                out.push('}');
            }
        }
    }
    out
}

/// Tokens longer than this are shortened to a prefix and a hash of the whole rendering.
const TOKEN_CHARS: usize = 160;
/// At most this many nodes of a value are rendered into a token.
const RENDER_NODES: usize = 4096;
/// Values nested deeper than this are not kept (locals, variables, resource objects).
const MAX_VALUE_DEPTH: usize = 32;

/// A value in a token: literals as HCL literals, unknowns by their token. Long renderings
/// are shortened to a prefix and a hash, so that equal values still give equal tokens.
pub(super) fn render(v: &V) -> String {
    let mut out = String::new();
    let mut nodes = 0;
    let complete = render_into(v, &mut out, &mut nodes);
    if complete && out.chars().count() <= TOKEN_CHARS {
        return out;
    }
    let prefix: String = out.chars().take(TOKEN_CHARS).collect();
    if complete {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        out.hash(&mut h);
        format!("{prefix}…#{:016x}", h.finish())
    } else {
        // Too large to tell apart from another large value: a token equal to no other.
        static OPAQUE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = OPAQUE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{prefix}…#opaque{n}")
    }
}

fn render_into(v: &V, out: &mut String, nodes: &mut usize) -> bool {
    *nodes += 1;
    if *nodes > RENDER_NODES || out.len() > 64 * 1024 {
        return false;
    }
    match v {
        V::Null => out.push_str("null"),
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Num(n) => out.push_str(&num_text(*n)),
        V::Str(s) => out.push_str(&serde_json::to_string(s).unwrap_or_default()),
        V::List(l) => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if !render_into(x, out, nodes) {
                    return false;
                }
            }
            out.push(']');
        }
        V::Map(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push_str(" = ");
                if !render_into(x, out, nodes) {
                    return false;
                }
            }
            out.push('}');
        }
        V::Unknown(u) => out.push_str(&u.token),
    }
    true
}

/// Is `v` nested deeper than `limit`?
fn too_deep(v: &V, limit: usize) -> bool {
    match v {
        V::List(_) | V::Map(_) if limit == 0 => true,
        V::List(l) => l.iter().any(|x| too_deep(x, limit - 1)),
        V::Map(m) => m.values().any(|x| too_deep(x, limit - 1)),
        _ => false,
    }
}

/// A value as a [`Val`]: literals as text, unknowns by token, anything else (null, a list)
/// as unresolved with `fallback` as token.
pub(super) fn to_val(v: &V, fallback: &str) -> Val {
    match v {
        V::Unknown(u) => Val::unresolved(u.token.clone()),
        V::Null => Val::unresolved(fallback),
        v => match v.as_string() {
            Some(s) => Val::known(s),
            None => Val::unresolved(fallback),
        },
    }
}

/// A log group name or ARN as a log group name. A string built from known and unknown
/// parts (`arn:aws:logs:${region}:${account}:log-group:NAME:*`) is reduced when the name
/// itself is known, or is exactly one unknown part.
pub(super) fn log_group_val(v: &V, fallback: &str) -> Val {
    const BASE: u32 = 0xE000;
    match v {
        V::Str(s) => Val::known(log_group_name(s)),
        V::Unknown(Unk {
            pieces: Some(pieces),
            token,
        }) => {
            let mut text = String::new();
            let mut tokens = Vec::new();
            for p in pieces {
                match p {
                    Piece::Lit(s) => text.push_str(s),
                    Piece::Unk(t) => {
                        let mark = u32::try_from(tokens.len())
                            .ok()
                            .and_then(|i| char::from_u32(BASE + i.min(0x17FF)));
                        text.push(mark.unwrap_or('\u{E000}'));
                        tokens.push(t.clone());
                    }
                }
            }
            let name = log_group_name(&text);
            let marks: Vec<char> = name
                .chars()
                .filter(|c| (BASE..BASE + 0x1800).contains(&(*c as u32)))
                .collect();
            match marks.as_slice() {
                [] => Val::known(name),
                [one] if name.chars().count() == 1 => {
                    let i = (*one as u32 - BASE) as usize;
                    Val::unresolved(tokens.get(i).cloned().unwrap_or_else(|| token.clone()))
                }
                _ => Val::unresolved(token.clone()),
            }
        }
        v => to_val(v, fallback),
    }
}

// ---------------------------------------------------------------------------------------
// The declarations of a module.

struct ResourceDecl {
    kind: String,
    name: String,
    body: Body,
    file: String,
    line: Option<u32>,
}

impl ResourceDecl {
    fn address(&self) -> String {
        format!("{}.{}", self.kind, self.name)
    }
}

#[derive(Default)]
struct Decls {
    /// Variables: the default (or the tfvars value) expression, if any.
    vars: BTreeMap<String, Option<Expression>>,
    locals: BTreeMap<String, Expression>,
    resources: Vec<ResourceDecl>,
    notes: Vec<Note>,
}

/// Terraform's order for variable values: the default, `terraform.tfvars`, then
/// `*.auto.tfvars` in lexical order.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum FileKind {
    Source,
    Tfvars,
    AutoTfvars,
    OtherTfvars,
    JsonSyntax,
    Other,
}

fn file_kind(path: &str) -> FileKind {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    if name.ends_with(".tf.json") || name.ends_with(".tfvars.json") {
        FileKind::JsonSyntax
    } else if name.ends_with(".tf") {
        FileKind::Source
    } else if name == "terraform.tfvars" {
        FileKind::Tfvars
    } else if name.ends_with(".auto.tfvars") {
        FileKind::AutoTfvars
    } else if name.ends_with(".tfvars") {
        FileKind::OtherTfvars
    } else {
        FileKind::Other
    }
}

/// Reads the `.tf` files of one directory (one module) together, resolving variables,
/// locals and references between them. Files with errors are reported and skipped.
///
/// `terraform.tfvars` and `*.auto.tfvars` among `files` set variables (as `terraform plan`
/// would without `-var-file`); other `.tfvars` files and JSON-syntax files are ignored with
/// a note. Files of other kinds are read as `.tf` source.
pub fn load_module(files: &[SourceFile]) -> (Inventory, Vec<LoadError>) {
    let mut errors = Vec::new();
    let mut decls = Decls::default();
    let mut ordered: Vec<&SourceFile> = files.iter().collect();
    ordered.sort_by(|a, b| (file_kind(&a.path), &a.path).cmp(&(file_kind(&b.path), &b.path)));
    let mut tfvars: Vec<(String, Expression)> = Vec::new();
    for file in ordered {
        let kind = file_kind(&file.path);
        match kind {
            FileKind::OtherTfvars => {
                decls.notes.push(Note {
                    about: file.path.clone(),
                    message: "not read: Terraform loads only terraform.tfvars and \
                              *.auto.tfvars without -var-file"
                        .to_owned(),
                });
                continue;
            }
            FileKind::JsonSyntax => {
                decls.notes.push(Note {
                    about: file.path.clone(),
                    message: "not read: JSON-syntax Terraform files are not supported".to_owned(),
                });
                continue;
            }
            _ => {}
        }
        let body = match hcl::edit::parser::parse_body(&file.text) {
            Ok(body) => body,
            Err(e) => {
                errors.push(parse_error(&file.path, &e));
                continue;
            }
        };
        for structure in body {
            match structure {
                hcl::edit::structure::Structure::Attribute(attr) => {
                    if matches!(kind, FileKind::Tfvars | FileKind::AutoTfvars) {
                        let attr = hcl::Attribute::from(attr);
                        tfvars.push((attr.key.to_string(), attr.expr));
                    }
                }
                hcl::edit::structure::Structure::Block(block) => {
                    let line = block.span().and_then(|r| line_at(&file.text, r.start));
                    declare(&mut decls, Block::from(block), &file.path, line);
                }
            }
        }
    }
    for (name, expr) in tfvars {
        match decls.vars.get_mut(&name) {
            Some(value) => *value = Some(expr),
            None => decls.notes.push(Note {
                about: format!("var.{name}"),
                message: "set in a tfvars file but not declared by the module".to_owned(),
            }),
        }
    }
    let inventory = Evaluator::new(&decls).inventory();
    (inventory, errors)
}

fn label(block: &Block, i: usize) -> Option<&str> {
    block.labels.get(i).map(|l| l.as_str())
}

fn declare(decls: &mut Decls, block: Block, file: &str, line: Option<u32>) {
    match block.identifier.as_str() {
        "variable" => {
            if let Some(name) = label(&block, 0) {
                let default = block
                    .body
                    .attributes()
                    .find(|a| a.key.as_str() == "default")
                    .map(|a| a.expr.clone());
                decls.vars.entry(name.to_owned()).or_insert(default);
            }
        }
        "locals" => {
            for attr in block.body.attributes() {
                decls
                    .locals
                    .entry(attr.key.to_string())
                    .or_insert_with(|| attr.expr.clone());
            }
        }
        "resource" => {
            if let (Some(kind), Some(name)) = (label(&block, 0), label(&block, 1)) {
                let (kind, name) = (kind.to_owned(), name.to_owned());
                decls.resources.push(ResourceDecl {
                    kind,
                    name,
                    body: block.body,
                    file: file.to_owned(),
                    line,
                });
            }
        }
        "module" => {
            let name = label(&block, 0).unwrap_or("?");
            let source = block
                .body
                .attributes()
                .find(|a| a.key.as_str() == "source")
                .and_then(|a| match &a.expr {
                    Expression::String(s) => Some(s.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            let how = if source.starts_with("./") || source.starts_with("../") {
                "scan its directory separately"
            } else {
                "a remote module: its resources are not scanned"
            };
            decls.notes.push(Note {
                about: format!("module.{name}"),
                message: format!(
                    "module call (source \"{source}\") not followed: {how} ({file}{})",
                    line.map(|l| format!(":{l}")).unwrap_or_default()
                ),
            });
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------
// The evaluator.

/// How much work one module's evaluation may do (expression nodes plus the size of values
/// copied), so that adversarial `for` expressions and locals stay cheap.
const BUDGET: u64 = 1_000_000;
/// How deep evaluation may recurse (nested expressions, locals referring to locals,
/// resources referring to resources).
const MAX_DEPTH: usize = 96;
/// At most this many instances per `count` / `for_each`.
const MAX_INSTANCES: usize = 1000;

#[derive(Debug, Clone)]
struct Instance {
    address: String,
    /// `each.key` and `each.value`.
    each: Option<(V, V)>,
    /// `count.index`.
    index: Option<usize>,
    /// The key it is found by: `[0]` or `["key"]`.
    key: Option<V>,
}

#[derive(Debug, Clone, Default)]
struct Scope {
    each: Option<(V, V)>,
    index: Option<usize>,
    /// Variables bound by `for` expressions and `dynamic` blocks, innermost last.
    bound: Vec<(String, V)>,
}

impl Scope {
    fn of(instance: &Instance) -> Scope {
        Scope {
            each: instance.each.clone(),
            index: instance.index,
            bound: Vec::new(),
        }
    }

    fn with(&self, name: &str, value: V) -> Scope {
        let mut s = self.clone();
        s.bound.push((name.to_owned(), value));
        s
    }

    fn lookup(&self, name: &str) -> Option<&V> {
        self.bound
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

struct Evaluator<'d> {
    decls: &'d Decls,
    by_address: HashMap<(String, String), usize>,
    local_values: RefCell<HashMap<String, V>>,
    busy: RefCell<HashSet<String>>,
    instances: RefCell<HashMap<usize, Rc<Vec<Instance>>>>,
    objects: RefCell<HashMap<String, V>>,
    fuel: Cell<u64>,
    notes: RefCell<BTreeSet<(String, String)>>,
}

impl<'d> Evaluator<'d> {
    fn new(decls: &'d Decls) -> Evaluator<'d> {
        let mut by_address = HashMap::new();
        for (i, r) in decls.resources.iter().enumerate() {
            by_address
                .entry((r.kind.clone(), r.name.clone()))
                .or_insert(i);
        }
        Evaluator {
            decls,
            by_address,
            local_values: RefCell::default(),
            busy: RefCell::default(),
            instances: RefCell::default(),
            objects: RefCell::default(),
            fuel: Cell::new(BUDGET),
            notes: RefCell::default(),
        }
    }

    fn note(&self, about: impl Into<String>, message: impl Into<String>) {
        self.notes
            .borrow_mut()
            .insert((about.into(), message.into()));
    }

    /// Charges `n` to the budget; false when it is spent.
    fn charge(&self, n: u64) -> bool {
        let left = self.fuel.get();
        if left < n {
            if left > 0 {
                self.note(
                    "terraform",
                    "the module's expressions are too large to evaluate: values left unresolved",
                );
            }
            self.fuel.set(0);
            false
        } else {
            self.fuel.set(left - n);
            true
        }
    }

    /// A value to be cached: too deeply nested values are not kept (cached values are the
    /// only way values grow deeper than the evaluator recurses).
    fn keep(&self, v: V) -> V {
        if self.charge(v.size()) && !too_deep(&v, MAX_VALUE_DEPTH) {
            v
        } else {
            V::error("value too large or too deeply nested")
        }
    }

    fn copy(&self, v: &V) -> V {
        if self.charge(v.size()) {
            v.clone()
        } else {
            V::unknown("budget")
        }
    }

    fn eval(&self, e: &Expression, sc: &Scope, depth: usize) -> V {
        if depth > MAX_DEPTH {
            return V::error("nesting too deep");
        }
        if !self.charge(1) {
            return V::unknown("budget");
        }
        let d = depth + 1;
        match e {
            Expression::Null => V::Null,
            Expression::Bool(b) => V::Bool(*b),
            Expression::Number(n) => n.as_f64().map_or_else(|| V::error("number"), V::Num),
            Expression::String(s) => V::Str(s.clone()),
            Expression::Array(items) => {
                V::List(items.iter().map(|i| self.eval(i, sc, d)).collect())
            }
            Expression::Object(obj) => {
                let mut map = BTreeMap::new();
                for (k, v) in obj {
                    let key = match k {
                        ObjectKey::Identifier(id) => id.to_string(),
                        ObjectKey::Expression(Expression::Variable(var)) => var.to_string(),
                        ObjectKey::Expression(k) => match self.eval(k, sc, d) {
                            V::Unknown(u) => return V::Unknown(u),
                            k => match k.as_string() {
                                Some(s) => s,
                                None => return V::error("object key"),
                            },
                        },
                        _ => return V::error("object key"),
                    };
                    map.insert(key, self.eval(v, sc, d));
                }
                V::Map(map)
            }
            Expression::TemplateExpr(t) => self.template_expr(t, sc, d),
            Expression::Variable(var) => match sc.lookup(var.as_str()) {
                Some(v) => self.copy(v),
                None => V::unknown(var.to_string()),
            },
            Expression::Traversal(t) => self.traversal(t, sc, d),
            Expression::FuncCall(f) => self.call(f, sc, d),
            Expression::Parenthesis(inner) => self.eval(inner, sc, d),
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr, sc, d);
                match cond.as_bool() {
                    Some(true) => self.eval(&c.true_expr, sc, d),
                    Some(false) => self.eval(&c.false_expr, sc, d),
                    None => {
                        let a = self.eval(&c.true_expr, sc, d);
                        let b = self.eval(&c.false_expr, sc, d);
                        if a == b {
                            a
                        } else {
                            V::unknown(format!(
                                "({} ? {} : {})",
                                render(&cond),
                                render(&a),
                                render(&b)
                            ))
                        }
                    }
                }
            }
            Expression::Operation(op) => self.operation(op, sc, d),
            Expression::ForExpr(f) => self.for_expr(f, sc, d),
            _ => V::error("unsupported expression"),
        }
    }

    fn template_expr(&self, t: &TemplateExpr, sc: &Scope, depth: usize) -> V {
        match Template::from_expr(t) {
            Ok(template) => {
                let mut pieces = Vec::new();
                self.template(&template, sc, depth, &mut pieces);
                from_pieces(pieces)
            }
            Err(_) => V::error("template"),
        }
    }

    fn template(&self, t: &Template, sc: &Scope, depth: usize, out: &mut Vec<Piece>) {
        if depth > MAX_DEPTH {
            out.push(Piece::Unk(format!("{ERROR}nesting too deep")));
            return;
        }
        for element in t.elements() {
            match element {
                Element::Literal(s) => out.push(Piece::Lit(s.clone())),
                Element::Interpolation(i) => {
                    out.extend(self.eval(&i.expr, sc, depth + 1).pieces());
                }
                Element::Directive(dir) => match dir.as_ref() {
                    Directive::If(i) => match self.eval(&i.cond_expr, sc, depth + 1).as_bool() {
                        Some(true) => self.template(&i.true_template, sc, depth + 1, out),
                        Some(false) => {
                            if let Some(f) = &i.false_template {
                                self.template(f, sc, depth + 1, out);
                            }
                        }
                        None => out.push(Piece::Unk("%{if}".to_owned())),
                    },
                    Directive::For(f) => {
                        let coll = self.eval(&f.collection_expr, sc, depth + 1);
                        match iterate(&coll) {
                            Some(items) => {
                                for (k, v) in items {
                                    let mut inner = sc.with(f.value_var.as_str(), v);
                                    if let Some(kv) = &f.key_var {
                                        inner = inner.with(kv.as_str(), k);
                                    }
                                    self.template(&f.template, &inner, depth + 1, out);
                                }
                            }
                            None => out.push(Piece::Unk(format!("%{{for in {}}}", render(&coll)))),
                        }
                    }
                },
            }
        }
    }

    fn operation(&self, op: &Operation, sc: &Scope, d: usize) -> V {
        match op {
            Operation::Unary(u) => {
                let v = self.eval(&u.expr, sc, d);
                match (u.operator, &v) {
                    (UnaryOperator::Not, _) => match v.as_bool() {
                        Some(b) => V::Bool(!b),
                        None => V::unknown(format!("!{}", render(&v))),
                    },
                    (UnaryOperator::Neg, _) => match v.as_num() {
                        Some(n) => V::Num(-n),
                        None => V::unknown(format!("-{}", render(&v))),
                    },
                }
            }
            Operation::Binary(b) => {
                let lhs = self.eval(&b.lhs_expr, sc, d);
                // Short-circuit where the left side decides.
                match (b.operator, lhs.as_bool()) {
                    (BinaryOperator::And, Some(false)) => return V::Bool(false),
                    (BinaryOperator::Or, Some(true)) => return V::Bool(true),
                    _ => {}
                }
                let rhs = self.eval(&b.rhs_expr, sc, d);
                if !self.charge(lhs.size().saturating_add(rhs.size())) {
                    return V::unknown("budget");
                }
                binary(b.operator, &lhs, &rhs)
            }
        }
    }

    fn for_expr(&self, f: &ForExpr, sc: &Scope, d: usize) -> V {
        let coll = self.eval(&f.collection_expr, sc, d);
        if !self.charge(coll.size()) {
            return V::unknown("budget");
        }
        let Some(items) = iterate(&coll) else {
            return match coll {
                V::Unknown(u) => V::unknown(format!("[for … in {}]", u.token)),
                _ => V::error("for over a primitive"),
            };
        };
        let mut list = Vec::new();
        let mut map: BTreeMap<String, V> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<V>> = BTreeMap::new();
        for (k, v) in items {
            let mut inner = sc.with(f.value_var.as_str(), v);
            if let Some(kv) = &f.key_var {
                inner = inner.with(kv.as_str(), k);
            }
            if let Some(cond) = &f.cond_expr {
                match self.eval(cond, &inner, d).as_bool() {
                    Some(true) => {}
                    Some(false) => continue,
                    None => return V::unknown(format!("[for … in {} if …]", render(&coll))),
                }
            }
            let value = self.eval(&f.value_expr, &inner, d);
            match &f.key_expr {
                None => list.push(value),
                Some(ke) => {
                    let key = self.eval(ke, &inner, d);
                    let Some(key) = key.as_string() else {
                        return V::unknown(format!("{{for … : {} => …}}", render(&key)));
                    };
                    if f.grouping {
                        groups.entry(key).or_default().push(value);
                    } else {
                        map.insert(key, value);
                    }
                }
            }
        }
        if f.key_expr.is_none() {
            V::List(list)
        } else if f.grouping {
            V::Map(groups.into_iter().map(|(k, v)| (k, V::List(v))).collect())
        } else {
            V::Map(map)
        }
    }

    fn traversal(&self, t: &Traversal, sc: &Scope, d: usize) -> V {
        let ops = t.operators.as_slice();
        let Expression::Variable(root) = &t.expr else {
            let base = self.eval(&t.expr, sc, d);
            return self.apply(base, ops, sc, d);
        };
        let root = root.as_str();
        if let Some(v) = sc.lookup(root) {
            let v = self.copy(v);
            return self.apply(v, ops, sc, d);
        }
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str()),
            _ => None,
        };
        match root {
            "var" => match attr(0) {
                Some(name) => {
                    let v = self.var(name, d);
                    self.apply(v, &ops[1..], sc, d)
                }
                None => V::error("var"),
            },
            "local" => match attr(0) {
                Some(name) => {
                    let v = self.local(name, d);
                    self.apply(v, &ops[1..], sc, d)
                }
                None => V::error("local"),
            },
            "each" => match (&sc.each, attr(0)) {
                (Some((k, _)), Some("key")) => {
                    let k = self.copy(k);
                    self.apply(k, &ops[1..], sc, d)
                }
                (Some((_, v)), Some("value")) => {
                    let v = self.copy(v);
                    self.apply(v, &ops[1..], sc, d)
                }
                _ => V::unknown("each"),
            },
            "count" => match (sc.index, attr(0)) {
                (Some(i), Some("index")) => V::Num(i as f64),
                _ => V::unknown("count"),
            },
            "data" => match (attr(0), attr(1)) {
                (Some(kind), Some(name)) => V::unknown(format!("data.{kind}.{name}")),
                _ => V::unknown("data"),
            },
            "module" => match attr(0) {
                Some(name) => V::unknown(format!("module.{name}")),
                None => V::unknown("module"),
            },
            "path" | "terraform" | "self" => V::unknown(match attr(0) {
                Some(a) => format!("{root}.{a}"),
                None => root.to_owned(),
            }),
            kind => match attr(0) {
                Some(name) => self.resource_ref(kind, name, &ops[1..], sc, d),
                None => V::unknown(kind),
            },
        }
    }

    /// Applies traversal operators to a value.
    fn apply(&self, mut v: V, ops: &[TraversalOperator], sc: &Scope, d: usize) -> V {
        for (i, op) in ops.iter().enumerate() {
            v = match op {
                TraversalOperator::GetAttr(name) => get_attr(v, name.as_str()),
                TraversalOperator::Index(e) => {
                    let key = self.eval(e, sc, d);
                    index(v, &key)
                }
                TraversalOperator::LegacyIndex(n) => index(v, &V::Num(*n as f64)),
                TraversalOperator::AttrSplat | TraversalOperator::FullSplat => {
                    let rest = ops.get(i + 1..).unwrap_or_default();
                    return match v {
                        V::Null => V::List(Vec::new()),
                        V::List(items) => V::List(
                            items
                                .into_iter()
                                .map(|item| self.apply(item, rest, sc, d))
                                .collect(),
                        ),
                        V::Unknown(u) => V::unknown(format!("{}[*]", u.token)),
                        other => V::List(vec![self.apply(other, rest, sc, d)]),
                    };
                }
            };
        }
        v
    }

    fn var(&self, name: &str, d: usize) -> V {
        match self.decls.vars.get(name) {
            Some(Some(expr)) => {
                let key = format!("var.{name}");
                if let Some(v) = self.local_values.borrow().get(&key) {
                    return self.copy(v);
                }
                let v = self.keep(self.eval(expr, &Scope::default(), d));
                self.local_values.borrow_mut().insert(key, v.clone());
                v
            }
            Some(None) => V::unknown(format!("var.{name}")),
            None => {
                self.note(
                    format!("var.{name}"),
                    "referenced but not declared by the module",
                );
                V::unknown(format!("var.{name}"))
            }
        }
    }

    fn local(&self, name: &str, d: usize) -> V {
        let key = format!("local.{name}");
        if let Some(v) = self.local_values.borrow().get(&key) {
            return self.copy(v);
        }
        let Some(expr) = self.decls.locals.get(name) else {
            self.note(key.clone(), "referenced but not declared by the module");
            return V::unknown(key);
        };
        if !self.busy.borrow_mut().insert(key.clone()) {
            return V::error("cycle");
        }
        let v = self.keep(self.eval(expr, &Scope::default(), d));
        self.busy.borrow_mut().remove(&key);
        self.local_values.borrow_mut().insert(key, v.clone());
        v
    }

    /// A reference `kind.name…` to a resource of the module. Attributes that are not
    /// literals become unknown, named after the resource instance.
    fn resource_ref(
        &self,
        kind: &str,
        name: &str,
        ops: &[TraversalOperator],
        sc: &Scope,
        d: usize,
    ) -> V {
        let address = format!("{kind}.{name}");
        let Some(&ri) = self.by_address.get(&(kind.to_owned(), name.to_owned())) else {
            if kind.starts_with("aws_") {
                self.note(address.clone(), "referenced but not declared by the module");
            }
            return V::unknown(address);
        };
        let Some(decl) = self.decls.resources.get(ri) else {
            return V::unknown(address);
        };
        let instances = self.instances(ri, d);
        let repeated = has_attr(&decl.body, "count") || has_attr(&decl.body, "for_each");
        if !repeated {
            let Some(instance) = instances.first() else {
                return V::unknown(address);
            };
            return self.instance_ref(ri, instance, ops, sc, d);
        }
        match ops.first() {
            Some(TraversalOperator::Index(e)) => {
                let key = self.eval(e, sc, d);
                self.indexed_ref(ri, &instances, &key, &address, &ops[1..], sc, d)
            }
            Some(TraversalOperator::LegacyIndex(n)) => {
                let key = V::Num(*n as f64);
                self.indexed_ref(ri, &instances, &key, &address, &ops[1..], sc, d)
            }
            _ => {
                // The whole collection: a list (count) or map (for_each) of instances.
                let whole = if has_attr(&decl.body, "for_each") {
                    V::Map(
                        instances
                            .iter()
                            .map(|i| {
                                let key = i.key.as_ref().and_then(V::as_string).unwrap_or_default();
                                (key, self.object(ri, i, d))
                            })
                            .collect(),
                    )
                } else {
                    V::List(instances.iter().map(|i| self.object(ri, i, d)).collect())
                };
                self.apply(whole, ops, sc, d)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn indexed_ref(
        &self,
        ri: usize,
        instances: &[Instance],
        key: &V,
        address: &str,
        ops: &[TraversalOperator],
        sc: &Scope,
        d: usize,
    ) -> V {
        if key.has_unknown() {
            return V::unknown(address);
        }
        let found = instances.iter().find(|i| match (&i.key, key) {
            (Some(V::Num(a)), k) => k.as_num() == Some(*a),
            (Some(a), k) => a.as_string() == k.as_string(),
            (None, _) => false,
        });
        match found {
            Some(instance) => self.instance_ref(ri, instance, ops, sc, d),
            None => V::error("no such instance"),
        }
    }

    fn instance_ref(
        &self,
        ri: usize,
        instance: &Instance,
        ops: &[TraversalOperator],
        sc: &Scope,
        d: usize,
    ) -> V {
        let object = self.object(ri, instance, d);
        match ops.split_first() {
            Some((TraversalOperator::GetAttr(a), rest)) => {
                let v = match object {
                    V::Map(mut m) => m
                        .remove(a.as_str())
                        .unwrap_or_else(|| V::unknown(instance.address.clone())),
                    other => other,
                };
                self.apply(v, rest, sc, d)
            }
            _ => self.apply(object, ops, sc, d),
        }
    }

    /// The instances of a resource (`count`, `for_each`).
    fn instances(&self, ri: usize, d: usize) -> Rc<Vec<Instance>> {
        if let Some(found) = self.instances.borrow().get(&ri) {
            return Rc::clone(found);
        }
        let Some(decl) = self.decls.resources.get(ri) else {
            return Rc::new(Vec::new());
        };
        let address = decl.address();
        let busy_key = format!("instances of {address}");
        if !self.busy.borrow_mut().insert(busy_key.clone()) {
            return Rc::new(Vec::new());
        }
        let list = self.expand(decl, &address, d);
        self.busy.borrow_mut().remove(&busy_key);
        let list = Rc::new(list);
        self.instances.borrow_mut().insert(ri, Rc::clone(&list));
        list
    }

    fn expand(&self, decl: &ResourceDecl, address: &str, d: usize) -> Vec<Instance> {
        let empty = Scope::default();
        if let Some(count) = attr_expr(&decl.body, "count") {
            let v = self.eval(count, &empty, d);
            let n = match v.as_num() {
                Some(n) if n >= 0.0 && n.fract() == 0.0 => n as usize,
                _ => {
                    self.note(
                        address,
                        format!(
                            "count ({}) could not be evaluated: read as one instance",
                            render(&v)
                        ),
                    );
                    1
                }
            };
            if n > MAX_INSTANCES {
                self.note(
                    address,
                    format!("count {n}: only the first {MAX_INSTANCES} read"),
                );
            }
            return (0..n.min(MAX_INSTANCES))
                .map(|i| Instance {
                    address: format!("{address}[{i}]"),
                    each: None,
                    index: Some(i),
                    key: Some(V::Num(i as f64)),
                })
                .collect();
        }
        if let Some(for_each) = attr_expr(&decl.body, "for_each") {
            let v = self.eval(for_each, &empty, d);
            let pairs: Option<Vec<(String, V)>> = match &v {
                V::Map(m) => Some(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
                V::List(l) => l
                    .iter()
                    .map(|item| item.as_string().map(|s| (s, item.clone())))
                    .collect::<Option<Vec<_>>>()
                    .map(|mut p| {
                        p.sort_by(|a, b| a.0.cmp(&b.0));
                        p.dedup_by(|a, b| a.0 == b.0);
                        p
                    }),
                _ => None,
            };
            return match pairs {
                Some(pairs) => {
                    if pairs.len() > MAX_INSTANCES {
                        self.note(
                            address,
                            format!(
                                "for_each over {} keys: only {MAX_INSTANCES} read",
                                pairs.len()
                            ),
                        );
                    }
                    pairs
                        .into_iter()
                        .take(MAX_INSTANCES)
                        .map(|(k, value)| Instance {
                            address: format!(
                                "{address}[{}]",
                                serde_json::to_string(&k).unwrap_or_default()
                            ),
                            each: Some((V::Str(k.clone()), value)),
                            index: None,
                            key: Some(V::Str(k)),
                        })
                        .collect()
                }
                None => {
                    self.note(
                        address,
                        format!(
                            "for_each ({}) could not be evaluated: read as one instance with \
                             unresolved each.key and each.value",
                            render(&v)
                        ),
                    );
                    vec![Instance {
                        address: format!("{address}[each]"),
                        each: Some((
                            V::unknown(format!("{address}[each].key")),
                            V::unknown(format!("{address}[each].value")),
                        )),
                        index: None,
                        key: None,
                    }]
                }
            };
        }
        vec![Instance {
            address: address.to_owned(),
            each: None,
            index: None,
            key: None,
        }]
    }

    /// The attributes of a resource instance as seen from another resource: literals stay,
    /// anything not fully known becomes the instance's token; `id` and `arn` as the provider
    /// computes them for the resource types the chain uses.
    fn object(&self, ri: usize, instance: &Instance, d: usize) -> V {
        if let Some(v) = self.objects.borrow().get(&instance.address) {
            return self.copy(v);
        }
        let Some(decl) = self.decls.resources.get(ri) else {
            return V::unknown(instance.address.clone());
        };
        let busy_key = format!("object {}", instance.address);
        if d > MAX_DEPTH || !self.busy.borrow_mut().insert(busy_key.clone()) {
            return V::unknown(instance.address.clone());
        }
        let sc = Scope::of(instance);
        let mut map = match self.body(&decl.body, &sc, d + 1) {
            V::Map(m) => m,
            _ => BTreeMap::new(),
        };
        for v in map.values_mut() {
            if v.has_unknown() {
                *v = V::unknown(instance.address.clone());
            }
        }
        let name_attr = match decl.kind.as_str() {
            "aws_cloudwatch_log_group" | "aws_cloudwatch_log_metric_filter" => Some("name"),
            "aws_cloudwatch_metric_alarm" => Some("alarm_name"),
            "aws_cloudtrail" => Some("name"),
            _ => None,
        };
        if let Some(attr) = name_attr {
            let name = map
                .get(attr)
                .cloned()
                .unwrap_or_else(|| V::unknown(instance.address.clone()));
            map.insert(attr.to_owned(), name.clone());
            map.insert("id".to_owned(), name.clone());
            if decl.kind == "aws_cloudwatch_log_group" {
                // The ARN of a log group whose name is unknown still reduces to the
                // log group's token (see `log_group_val`).
                let arn = match name {
                    V::Str(n) => V::Str(format!("arn:aws:logs:::log-group:{n}")),
                    V::Unknown(u) => V::Unknown(Unk {
                        token: format!("arn:aws:logs:::log-group:${{{}}}", u.token),
                        pieces: Some(vec![
                            Piece::Lit("arn:aws:logs:::log-group:".to_owned()),
                            Piece::Unk(u.token),
                        ]),
                    }),
                    other => other,
                };
                map.insert("arn".to_owned(), arn);
            }
        }
        self.busy.borrow_mut().remove(&busy_key);
        let object = self.keep(V::Map(map));
        self.objects
            .borrow_mut()
            .insert(instance.address.clone(), object.clone());
        object
    }

    /// A block body as a map: attributes, nested blocks as lists of maps (`dynamic` blocks
    /// expanded).
    fn body(&self, body: &Body, sc: &Scope, d: usize) -> V {
        let mut map = BTreeMap::new();
        for attr in body.attributes() {
            let key = attr.key.as_str();
            if matches!(key, "count" | "for_each" | "depends_on" | "provider") {
                continue;
            }
            map.insert(key.to_owned(), self.eval(&attr.expr, sc, d));
        }
        let mut names: Vec<&str> = body
            .blocks()
            .map(|b| {
                if b.identifier.as_str() == "dynamic" {
                    label(b, 0).unwrap_or("dynamic")
                } else {
                    b.identifier.as_str()
                }
            })
            .filter(|n| !matches!(*n, "lifecycle" | "provisioner" | "connection"))
            .collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            let blocks = self.blocks(body, name, sc, d);
            let value = if blocks.unknown {
                V::unknown(format!("dynamic {name}"))
            } else {
                V::List(
                    blocks
                        .items
                        .iter()
                        .map(|(b, s)| self.body(b, s, d + 1))
                        .collect(),
                )
            };
            map.insert(name.to_owned(), value);
        }
        V::Map(map)
    }

    /// The nested blocks `name` of a body, with the scope each is read in.
    fn blocks<'b>(&self, body: &'b Body, name: &str, sc: &Scope, d: usize) -> Blocks<'b> {
        let mut out = Blocks::default();
        for block in body.blocks() {
            if block.identifier.as_str() == name {
                out.items.push((&block.body, sc.clone()));
            } else if block.identifier.as_str() == "dynamic" && label(block, 0) == Some(name) {
                let iterator = attr_expr(&block.body, "iterator")
                    .and_then(|e| match e {
                        Expression::Variable(v) => Some(v.to_string()),
                        _ => None,
                    })
                    .unwrap_or_else(|| name.to_owned());
                let content = block
                    .body
                    .blocks()
                    .find(|b| b.identifier.as_str() == "content");
                let coll = attr_expr(&block.body, "for_each").map(|e| self.eval(e, sc, d));
                match (content, coll.as_ref().and_then(iterate)) {
                    (Some(content), Some(items)) => {
                        for (k, v) in items {
                            let mut it = BTreeMap::new();
                            it.insert("key".to_owned(), k);
                            it.insert("value".to_owned(), v);
                            out.items
                                .push((&content.body, sc.with(&iterator, V::Map(it))));
                        }
                    }
                    _ => out.unknown = true,
                }
            }
        }
        out
    }

    /// An attribute of a resource instance, evaluated in its scope (`None`: absent).
    fn attr(&self, body: &Body, name: &str, sc: &Scope) -> Option<V> {
        attr_expr(body, name).map(|e| self.eval(e, sc, 0))
    }

    // -------------------------------------------------------------------------------
    // Functions.

    fn call(&self, f: &FuncCall, sc: &Scope, d: usize) -> V {
        let name = f.name.name.as_str();
        let mut args: Vec<V> = f.args.iter().map(|a| self.eval(a, sc, d)).collect();
        let size = args.iter().fold(0u64, |n, a| n.saturating_add(a.size()));
        if !self.charge(size) {
            return V::unknown("budget");
        }
        if f.expand_final {
            if let Some(V::List(last)) = args.pop() {
                args.extend(last);
            } else {
                return V::unknown(format!("{name}(…)"));
            }
        }
        let call_token = |args: &[V]| {
            format!(
                "{name}({})",
                args.iter().map(render).collect::<Vec<_>>().join(", ")
            )
        };
        // Functions that look at unknown arguments themselves.
        match name {
            "try" => {
                return args
                    .iter()
                    .find(|a| !a.is_error())
                    .cloned()
                    .unwrap_or_else(|| V::error("try"));
            }
            "can" => {
                return match args.first() {
                    Some(a) if a.is_error() => V::Bool(false),
                    Some(V::Unknown(u)) => V::unknown(format!("can({})", u.token)),
                    Some(_) => V::Bool(true),
                    None => V::error("can"),
                }
            }
            "coalesce" => {
                for a in &args {
                    match a {
                        V::Null => continue,
                        V::Str(s) if s.is_empty() => continue,
                        V::Unknown(_) => return V::unknown(call_token(&args)),
                        a => return a.clone(),
                    }
                }
                return V::error("coalesce: no non-empty argument");
            }
            "coalescelist" => {
                for a in &args {
                    match a {
                        V::List(l) if l.is_empty() => continue,
                        V::Unknown(_) => return V::unknown(call_token(&args)),
                        a => return a.clone(),
                    }
                }
                return V::error("coalescelist");
            }
            "join" => return join(&args, &call_token(&args)),
            "format" => return format_fn(&args, &call_token(&args)),
            "lookup" => {
                return match (args.first(), args.get(1), args.get(2)) {
                    (Some(V::Map(m)), Some(k), default) if !k.has_unknown() => {
                        match k.as_string().and_then(|k| m.get(&k)) {
                            Some(v) => v.clone(),
                            None => default.cloned().unwrap_or_else(|| V::error("lookup")),
                        }
                    }
                    _ => V::unknown(call_token(&args)),
                }
            }
            "file" | "templatefile" | "yamldecode" | "jsondecode" | "fileexists" | "filebase64"
            | "timestamp" | "uuid" => {
                self.note(
                    "terraform",
                    format!("{name}() is not evaluated: values built with it are unresolved"),
                );
                return V::unknown(call_token(&args));
            }
            _ => {}
        }
        // Collection functions work on lists and maps with unknown elements; an argument
        // that is unknown itself makes the result unknown.
        if args.iter().any(|a| matches!(a, V::Unknown(_))) {
            if let Some(e) = args.iter().find(|a| a.is_error()) {
                return e.clone();
            }
            return V::unknown(call_token(&args));
        }
        match function(name, args) {
            Some(v) => v,
            None => {
                self.note(
                    "terraform",
                    format!(
                        "function {name}() is not evaluated: values built with it are unresolved"
                    ),
                );
                V::unknown(format!("{name}(…)"))
            }
        }
    }

    // -------------------------------------------------------------------------------
    // The inventory.

    fn inventory(&self) -> Inventory {
        let mut inv = Inventory::default();
        for (ri, decl) in self.decls.resources.iter().enumerate() {
            let kind = decl.kind.as_str();
            if !matches!(
                kind,
                "aws_cloudtrail"
                    | "aws_cloudwatch_log_metric_filter"
                    | "aws_cloudwatch_metric_alarm"
                    | "aws_sns_topic_subscription"
            ) {
                continue;
            }
            if kind == "aws_cloudtrail" {
                inv.seen.trails = true;
                inv.seen.trail_status = true;
                inv.seen.event_selectors = true;
            }
            for instance in self.instances(ri, 0).iter() {
                let origin = Origin::new(SourceKind::Terraform, instance.address.clone())
                    .at(decl.file.clone(), decl.line);
                let sc = Scope::of(instance);
                match kind {
                    "aws_cloudtrail" => inv.trails.push(self.trail(&decl.body, &sc, origin)),
                    "aws_cloudwatch_log_metric_filter" => inv
                        .metric_filters
                        .push(self.metric_filter(&decl.body, &sc, origin)),
                    "aws_cloudwatch_metric_alarm" => {
                        inv.alarms.push(self.alarm(&decl.body, &sc, origin))
                    }
                    _ => inv
                        .subscriptions
                        .push(self.subscription(&decl.body, &sc, origin)),
                }
            }
        }
        inv.seen.metric_filters = true;
        inv.seen.alarms = true;
        inv.seen.subscriptions = true;
        inv.notes.extend(self.decls.notes.iter().cloned());
        inv.notes
            .extend(self.notes.borrow().iter().map(|(about, message)| Note {
                about: about.clone(),
                message: message.clone(),
            }));
        inv
    }

    fn val(&self, body: &Body, name: &str, sc: &Scope, origin: &Origin) -> Val {
        let fallback = format!("{}.{name}", origin.address);
        match self.attr(body, name, sc) {
            Some(v) => to_val(&v, &fallback),
            None => Val::unresolved(fallback),
        }
    }

    fn trail(&self, body: &Body, sc: &Scope, origin: Origin) -> Trail {
        let name = self.val(body, "name", sc, &origin);
        let flag = |attr: &str, default: bool| match self.attr(body, attr, sc) {
            None | Some(V::Null) => Some(default),
            Some(v) => v.as_bool(),
        };
        let log_group = match self.attr(body, "cloud_watch_logs_group_arn", sc) {
            None | Some(V::Null) => None,
            Some(v) => Some(log_group_val(&v, &format!("{}.log_group", origin.address))),
        };
        Trail {
            name,
            arn: None,
            home_region: None,
            multi_region: flag("is_multi_region_trail", false),
            logging: flag("enable_logging", true),
            log_group,
            management: self.management(body, sc),
            origin,
        }
    }

    fn management(&self, body: &Body, sc: &Scope) -> Option<Management> {
        let basic = self.blocks(body, "event_selector", sc, 0);
        let advanced = self.blocks(body, "advanced_event_selector", sc, 0);
        if basic.unknown || advanced.unknown {
            return None;
        }
        if basic.items.is_empty() && advanced.items.is_empty() {
            return Some(Management::ALL);
        }
        let mut all = Management::NONE;
        for (b, s) in &basic.items {
            let include = match self.attr(b, "include_management_events", s) {
                None | Some(V::Null) => true,
                Some(v) => v.as_bool()?,
            };
            if !include {
                continue;
            }
            let rw = match self.attr(b, "read_write_type", s) {
                None | Some(V::Null) => "All".to_owned(),
                Some(v) => v.as_string()?,
            };
            all = all.union(Management::of_read_write_type(&rw)?);
        }
        for (b, s) in &advanced.items {
            let fields = self.blocks(b, "field_selector", s, 0);
            if fields.unknown {
                return None;
            }
            let mut selector = Vec::new();
            for (f, fs) in &fields.items {
                let field = self.attr(f, "field", fs).and_then(|v| v.as_string())?;
                let list = |attr: &str| -> Option<Vec<String>> {
                    match self.attr(f, attr, fs) {
                        None | Some(V::Null) => Some(Vec::new()),
                        Some(V::List(l)) => l.iter().map(V::as_string).collect(),
                        Some(_) => None,
                    }
                };
                selector.push(FieldSelector {
                    field,
                    equals: list("equals")?,
                    not_equals: list("not_equals")?,
                });
            }
            all = all.union(Management::of_advanced(&selector));
        }
        Some(all)
    }

    fn metric_filter(&self, body: &Body, sc: &Scope, origin: Origin) -> MetricFilter {
        let log_group = match self.attr(body, "log_group_name", sc) {
            Some(v) => log_group_val(&v, &format!("{}.log_group_name", origin.address)),
            None => Val::unresolved(format!("{}.log_group_name", origin.address)),
        };
        let transformations = self.blocks(body, "metric_transformation", sc, 0);
        let metrics = transformations
            .items
            .iter()
            .map(|(b, s)| Metric {
                namespace: self.val(b, "namespace", s, &origin),
                name: self.val(b, "name", s, &origin),
            })
            .collect();
        MetricFilter {
            name: self.val(body, "name", sc, &origin),
            log_group,
            pattern: self.val(body, "pattern", sc, &origin),
            metrics,
            origin,
        }
    }

    fn alarm(&self, body: &Body, sc: &Scope, origin: Origin) -> Alarm {
        let mut metrics = Vec::new();
        if has_attr(body, "metric_name") {
            metrics.push(Metric {
                namespace: self.val(body, "namespace", sc, &origin),
                name: self.val(body, "metric_name", sc, &origin),
            });
        }
        for (q, qs) in self.blocks(body, "metric_query", sc, 0).items {
            for (m, ms) in self.blocks(q, "metric", &qs, 0).items {
                metrics.push(Metric {
                    namespace: self.val(m, "namespace", &ms, &origin),
                    name: self.val(m, "metric_name", &ms, &origin),
                });
            }
        }
        let topics = match self.attr(body, "alarm_actions", sc) {
            None | Some(V::Null) => Vec::new(),
            Some(V::List(actions)) => actions
                .iter()
                .filter(|a| match a.as_string() {
                    Some(arn) => is_sns_arn(&arn),
                    None => true,
                })
                .map(|a| to_val(a, &format!("{}.alarm_actions", origin.address)))
                .collect(),
            Some(v) => vec![to_val(&v, &format!("{}.alarm_actions", origin.address))],
        };
        let actions_enabled = match self.attr(body, "actions_enabled", sc) {
            None | Some(V::Null) => Some(true),
            Some(v) => v.as_bool(),
        };
        Alarm {
            name: self.val(body, "alarm_name", sc, &origin),
            metrics,
            topics,
            actions_enabled,
            origin,
        }
    }

    fn subscription(&self, body: &Body, sc: &Scope, origin: Origin) -> Subscription {
        let text = |attr: &str| self.attr(body, attr, sc).and_then(|v| v.as_string());
        Subscription {
            topic: self.val(body, "topic_arn", sc, &origin),
            protocol: text("protocol"),
            endpoint: text("endpoint"),
            confirmed: None,
            origin,
        }
    }
}

#[derive(Default)]
struct Blocks<'b> {
    items: Vec<(&'b Body, Scope)>,
    /// A `dynamic` block whose `for_each` could not be evaluated.
    unknown: bool,
}

fn attr_expr<'b>(body: &'b Body, name: &str) -> Option<&'b Expression> {
    body.attributes()
        .find(|a| a.key.as_str() == name)
        .map(|a| &a.expr)
}

fn has_attr(body: &Body, name: &str) -> bool {
    attr_expr(body, name).is_some()
}

/// The (key, value) pairs a `for` iterates over: list indexes or map keys.
fn iterate(v: &V) -> Option<Vec<(V, V)>> {
    match v {
        V::List(l) => Some(
            l.iter()
                .enumerate()
                .map(|(i, v)| (V::Num(i as f64), v.clone()))
                .collect(),
        ),
        V::Map(m) => Some(
            m.iter()
                .map(|(k, v)| (V::Str(k.clone()), v.clone()))
                .collect(),
        ),
        _ => None,
    }
}

fn get_attr(v: V, name: &str) -> V {
    match v {
        V::Map(mut m) => m
            .remove(name)
            .unwrap_or_else(|| V::error(&format!("no attribute {name}"))),
        V::Unknown(u) if u.token.starts_with(ERROR) => V::Unknown(u),
        V::Unknown(u) => V::unknown(format!("{}.{name}", u.token)),
        _ => V::error(&format!("attribute {name} of a primitive")),
    }
}

fn index(v: V, key: &V) -> V {
    if let V::Unknown(u) = key {
        return V::unknown(format!("{}[{}]", render(&v), u.token));
    }
    match v {
        V::List(mut l) => match key.as_num() {
            Some(n) if n >= 0.0 && n.fract() == 0.0 && (n as usize) < l.len() => {
                l.swap_remove(n as usize)
            }
            _ => V::error("index out of range"),
        },
        V::Map(mut m) => match key.as_string().and_then(|k| m.remove(&k)) {
            Some(v) => v,
            None => V::error(&format!("no key {}", render(key))),
        },
        V::Unknown(u) if u.token.starts_with(ERROR) => V::Unknown(u),
        V::Unknown(u) => V::unknown(format!("{}[{}]", u.token, render(key))),
        _ => V::error("index of a primitive"),
    }
}

fn binary(op: BinaryOperator, lhs: &V, rhs: &V) -> V {
    use BinaryOperator as B;
    if let Some(e) = [lhs, rhs].into_iter().find(|v| v.is_error()) {
        return e.clone();
    }
    if lhs.has_unknown() || rhs.has_unknown() {
        return V::unknown(format!("({} {} {})", render(lhs), op.as_str(), render(rhs)));
    }
    let nums = || Some((lhs.as_num()?, rhs.as_num()?));
    let bools = || Some((lhs.as_bool()?, rhs.as_bool()?));
    let out = match op {
        B::Eq => Some(V::Bool(equal(lhs, rhs))),
        B::NotEq => Some(V::Bool(!equal(lhs, rhs))),
        B::And => bools().map(|(a, b)| V::Bool(a && b)),
        B::Or => bools().map(|(a, b)| V::Bool(a || b)),
        B::Less => nums().map(|(a, b)| V::Bool(a < b)),
        B::LessEq => nums().map(|(a, b)| V::Bool(a <= b)),
        B::Greater => nums().map(|(a, b)| V::Bool(a > b)),
        B::GreaterEq => nums().map(|(a, b)| V::Bool(a >= b)),
        B::Plus => nums().map(|(a, b)| V::Num(a + b)),
        B::Minus => nums().map(|(a, b)| V::Num(a - b)),
        B::Mul => nums().map(|(a, b)| V::Num(a * b)),
        B::Div => nums().and_then(|(a, b)| (b != 0.0).then(|| V::Num(a / b))),
        B::Mod => nums().and_then(|(a, b)| (b != 0.0).then(|| V::Num(a % b))),
    };
    out.unwrap_or_else(|| V::error(&format!("operands of {}", op.as_str())))
}

fn equal(a: &V, b: &V) -> bool {
    match (a, b) {
        (V::Num(x), V::Num(y)) => x == y,
        _ => a == b,
    }
}

fn join(args: &[V], token: &str) -> V {
    let (Some(sep), Some(first)) = (args.first(), args.get(1)) else {
        return V::error("join");
    };
    let Some(sep) = sep.as_string() else {
        return V::unknown(token);
    };
    let mut pieces = Vec::new();
    let mut n = 0;
    for list in &args[1..] {
        let V::List(items) = list else {
            return if first.has_unknown() {
                V::unknown(token)
            } else {
                V::error("join of a non-list")
            };
        };
        for item in items {
            if n > 0 {
                pieces.push(Piece::Lit(sep.clone()));
            }
            n += 1;
            pieces.extend(item.pieces());
        }
    }
    from_pieces(pieces)
}

/// `format` with the verbs `%s`, `%d`, `%v`, `%q`, `%%` (no widths or flags).
fn format_fn(args: &[V], token: &str) -> V {
    let Some(spec) = args.first() else {
        return V::error("format");
    };
    let Some(spec) = spec.as_string() else {
        return V::unknown(token);
    };
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut next = 1;
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            literal.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => literal.push('%'),
            Some('s' | 'd' | 'v') => {
                pieces.push(Piece::Lit(std::mem::take(&mut literal)));
                match args.get(next) {
                    Some(v) => pieces.extend(v.pieces()),
                    None => return V::error("format: too few arguments"),
                }
                next += 1;
            }
            Some('q') => {
                pieces.push(Piece::Lit(std::mem::take(&mut literal)));
                match args.get(next).map(|v| (v, v.as_string())) {
                    Some((_, Some(s))) => {
                        pieces.push(Piece::Lit(serde_json::to_string(&s).unwrap_or_default()))
                    }
                    Some((v, None)) => pieces.extend(v.pieces()),
                    None => return V::error("format: too few arguments"),
                }
                next += 1;
            }
            _ => return V::unknown(token),
        }
    }
    pieces.push(Piece::Lit(literal));
    from_pieces(pieces)
}

/// The functions evaluated on known arguments (`None`: not supported).
fn function(name: &str, args: Vec<V>) -> Option<V> {
    let arg = |i: usize| args.get(i);
    let string = |i: usize| args.get(i).and_then(V::as_string);
    let bad = || V::error(name);
    Some(match name {
        "concat" => {
            let mut out = Vec::new();
            for a in &args {
                match a {
                    V::List(l) => out.extend(l.iter().cloned()),
                    _ => return Some(bad()),
                }
            }
            V::List(out)
        }
        "merge" => {
            let mut out = BTreeMap::new();
            for a in &args {
                match a {
                    V::Map(m) => out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
                    V::Null => {}
                    _ => return Some(bad()),
                }
            }
            V::Map(out)
        }
        "contains" => match arg(0) {
            Some(V::List(l)) => {
                let needle = arg(1).cloned().unwrap_or(V::Null);
                if l.iter().any(|x| equal(x, &needle)) {
                    V::Bool(true)
                } else if needle.has_unknown() || l.iter().any(V::has_unknown) {
                    V::unknown(format!(
                        "contains({}, {})",
                        render(&V::List(l.clone())),
                        render(&needle)
                    ))
                } else {
                    V::Bool(false)
                }
            }
            _ => bad(),
        },
        "compact" => match arg(0) {
            Some(V::List(l)) => V::List(
                l.iter()
                    .filter(|x| !matches!(x, V::Null) && !matches!(x, V::Str(s) if s.is_empty()))
                    .cloned()
                    .collect(),
            ),
            _ => bad(),
        },
        "distinct" => match arg(0) {
            Some(V::List(l)) => {
                let mut out: Vec<V> = Vec::new();
                for x in l {
                    if !out.contains(x) {
                        out.push(x.clone());
                    }
                }
                V::List(out)
            }
            _ => bad(),
        },
        "flatten" => match arg(0) {
            Some(V::List(l)) => {
                let mut out = Vec::new();
                flatten(l, &mut out, 0);
                V::List(out)
            }
            _ => bad(),
        },
        "keys" => match arg(0) {
            Some(V::Map(m)) => V::List(m.keys().map(|k| V::Str(k.clone())).collect()),
            _ => bad(),
        },
        "values" => match arg(0) {
            Some(V::Map(m)) => V::List(m.values().cloned().collect()),
            _ => bad(),
        },
        "length" => match arg(0) {
            Some(V::List(l)) => V::Num(l.len() as f64),
            Some(V::Map(m)) => V::Num(m.len() as f64),
            Some(V::Str(s)) => V::Num(s.chars().count() as f64),
            _ => bad(),
        },
        "element" => match (arg(0), arg(1).and_then(V::as_num)) {
            (Some(V::List(l)), Some(i)) if !l.is_empty() && i >= 0.0 => {
                l.get(i as usize % l.len()).cloned().unwrap_or_else(bad)
            }
            _ => bad(),
        },
        "one" => match arg(0) {
            Some(V::List(l)) if l.is_empty() => V::Null,
            Some(V::List(l)) if l.len() == 1 => l.first().cloned().unwrap_or(V::Null),
            _ => bad(),
        },
        "tolist" | "toset" => match arg(0) {
            Some(V::List(l)) if name == "toset" => {
                let mut l = l.clone();
                l.sort_by_key(render);
                l.dedup();
                V::List(l)
            }
            Some(v @ V::List(_)) => v.clone(),
            _ => bad(),
        },
        "tomap" => match arg(0) {
            Some(v @ V::Map(_)) => v.clone(),
            _ => bad(),
        },
        "tostring" => string(0).map(V::Str).unwrap_or_else(bad),
        "tonumber" => arg(0).and_then(V::as_num).map(V::Num).unwrap_or_else(bad),
        "tobool" => arg(0).and_then(V::as_bool).map(V::Bool).unwrap_or_else(bad),
        "lower" => string(0)
            .map(|s| V::Str(s.to_lowercase()))
            .unwrap_or_else(bad),
        "upper" => string(0)
            .map(|s| V::Str(s.to_uppercase()))
            .unwrap_or_else(bad),
        "trimspace" => string(0)
            .map(|s| V::Str(s.trim().to_owned()))
            .unwrap_or_else(bad),
        "chomp" => string(0)
            .map(|s| V::Str(s.trim_end_matches(['\n', '\r']).to_owned()))
            .unwrap_or_else(bad),
        "trimprefix" => match (string(0), string(1)) {
            (Some(s), Some(p)) => V::Str(s.strip_prefix(p.as_str()).unwrap_or(&s).to_owned()),
            _ => bad(),
        },
        "trimsuffix" => match (string(0), string(1)) {
            (Some(s), Some(p)) => V::Str(s.strip_suffix(p.as_str()).unwrap_or(&s).to_owned()),
            _ => bad(),
        },
        "replace" => match (string(0), string(1), string(2)) {
            // A /regex/ search string is not supported.
            (Some(_), Some(from), Some(_))
                if from.len() > 1 && from.starts_with('/') && from.ends_with('/') =>
            {
                return None
            }
            (Some(s), Some(from), Some(to)) if !from.is_empty() => V::Str(s.replace(&from, &to)),
            _ => bad(),
        },
        "split" => match (string(0), string(1)) {
            (Some(sep), Some(s)) if !sep.is_empty() => V::List(
                s.split(sep.as_str())
                    .map(|p| V::Str(p.to_owned()))
                    .collect(),
            ),
            _ => bad(),
        },
        _ => return None,
    })
}

fn flatten(items: &[V], out: &mut Vec<V>, depth: usize) {
    for item in items {
        match item {
            V::List(inner) if depth < MAX_DEPTH => flatten(inner, out, depth + 1),
            other => out.push(other.clone()),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Plan and state JSON.

/// Is this JSON a Terraform plan or state (`terraform show -json`)?
pub fn is_plan(value: &serde_json::Value) -> bool {
    let Some(obj) = value.as_object() else {
        return false;
    };
    obj.contains_key("format_version")
        && (obj.contains_key("planned_values")
            || obj.contains_key("values")
            || obj.contains_key("resource_changes")
            || obj.contains_key("terraform_version"))
}

/// Reads a Terraform plan or state JSON.
pub fn load_plan(
    path: &str,
    text: &str,
    value: &serde_json::Value,
) -> Result<Inventory, LoadError> {
    let root = value
        .get("planned_values")
        .or_else(|| value.get("values"))
        .and_then(|v| v.get("root_module"));
    let mut plan = Plan {
        path,
        text,
        unknown: HashMap::new(),
        config: HashMap::new(),
        calls: HashMap::new(),
        resources: Vec::new(),
    };
    if let Some(changes) = value.get("resource_changes").and_then(|v| v.as_array()) {
        for change in changes {
            if let (Some(address), Some(unknown)) = (
                change.get("address").and_then(|a| a.as_str()),
                change.get("change").and_then(|c| c.get("after_unknown")),
            ) {
                plan.unknown.insert(address.to_owned(), unknown);
            }
        }
    }
    if let Some(config) = value
        .get("configuration")
        .and_then(|c| c.get("root_module"))
    {
        plan.collect_config(config, "", 0);
    }
    if let Some(root) = root {
        plan.collect(root, 0);
    } else if !value.get("values").is_some_and(|v| v.is_null())
        && value.get("planned_values").is_none()
    {
        return Err(LoadError::new(
            path,
            "a Terraform plan/state JSON without planned_values or values.root_module",
        ));
    }
    Ok(plan.inventory())
}

struct Plan<'a> {
    path: &'a str,
    text: &'a str,
    /// `after_unknown` of each resource change, by address.
    unknown: HashMap<String, &'a serde_json::Value>,
    /// The `expressions` of each configured resource, by module-qualified address without
    /// instance keys (`module.a.aws_sns_topic.x`).
    config: HashMap<String, &'a serde_json::Value>,
    /// The `expressions` (input variables) of each module call, by the called module's
    /// prefix (`module.a.`).
    calls: HashMap<String, &'a serde_json::Value>,
    resources: Vec<&'a serde_json::Value>,
}

impl<'a> Plan<'a> {
    fn collect(&mut self, module: &'a serde_json::Value, depth: usize) {
        if depth > 32 {
            return;
        }
        if let Some(list) = module.get("resources").and_then(|r| r.as_array()) {
            self.resources.extend(list.iter());
        }
        if let Some(children) = module.get("child_modules").and_then(|c| c.as_array()) {
            for child in children {
                self.collect(child, depth + 1);
            }
        }
    }

    fn collect_config(&mut self, module: &'a serde_json::Value, prefix: &str, depth: usize) {
        if depth > 32 {
            return;
        }
        if let Some(list) = module.get("resources").and_then(|r| r.as_array()) {
            for r in list {
                if let (Some(address), Some(expressions)) = (
                    r.get("address").and_then(|a| a.as_str()),
                    r.get("expressions"),
                ) {
                    self.config
                        .insert(format!("{prefix}{address}"), expressions);
                }
            }
        }
        if let Some(calls) = module.get("module_calls").and_then(|c| c.as_object()) {
            for (name, call) in calls {
                if let Some(expressions) = call.get("expressions") {
                    self.calls
                        .insert(format!("{prefix}module.{name}."), expressions);
                }
                if let Some(inner) = call.get("module") {
                    self.collect_config(inner, &format!("{prefix}module.{name}."), depth + 1);
                }
            }
        }
    }

    fn inventory(&self) -> Inventory {
        let mut inv = Inventory {
            seen: Seen {
                trails: false,
                trail_status: false,
                event_selectors: false,
                metric_filters: true,
                alarms: true,
                subscriptions: true,
            },
            ..Inventory::default()
        };
        for r in &self.resources {
            if r.get("mode").and_then(|m| m.as_str()) == Some("data") {
                continue;
            }
            let (Some(kind), Some(address)) = (
                r.get("type").and_then(|t| t.as_str()),
                r.get("address").and_then(|a| a.as_str()),
            ) else {
                continue;
            };
            let empty = serde_json::Value::Null;
            let values = r.get("values").unwrap_or(&empty);
            let res = PlanResource {
                plan: self,
                address,
                values,
                unknown: self.unknown.get(address).copied().unwrap_or(&empty),
            };
            let line = line_of_address(self.text, address);
            let origin = Origin::new(SourceKind::TerraformPlan, address).at(self.path, line);
            match kind {
                "aws_cloudtrail" => {
                    inv.seen.trails = true;
                    inv.seen.trail_status = true;
                    inv.seen.event_selectors = true;
                    inv.trails.push(res.trail(origin));
                }
                "aws_cloudwatch_log_metric_filter" => inv.metric_filters.push(res.filter(origin)),
                "aws_cloudwatch_metric_alarm" => inv.alarms.push(res.alarm(origin)),
                "aws_sns_topic_subscription" => inv.subscriptions.push(res.subscription(origin)),
                _ => {}
            }
        }
        inv
    }
}

fn line_of_address(text: &str, address: &str) -> Option<u32> {
    let quoted = serde_json::to_string(address).ok()?;
    [
        format!("\"address\":{quoted}"),
        format!("\"address\": {quoted}"),
    ]
    .iter()
    .find_map(|needle| super::line_of(text, needle))
}

/// The module prefix of an address (`module.a.module.b.`) and the address without instance
/// keys.
fn config_address(address: &str) -> (String, String) {
    let mut prefix = String::new();
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after
            .find('.')
            .map(|i| i + "module.".len())
            .unwrap_or(rest.len());
        let (module, tail) = rest.split_at(end);
        prefix.push_str(&strip_keys(module));
        prefix.push('.');
        rest = tail.strip_prefix('.').unwrap_or(tail);
    }
    let bare = format!("{prefix}{}", strip_keys(rest));
    (prefix, bare)
}

/// `aws_x.y["k"]` → `aws_x.y`.
fn strip_keys(s: &str) -> String {
    match s.find('[') {
        Some(i) => s[..i].to_owned(),
        None => s.to_owned(),
    }
}

struct PlanResource<'p, 'a> {
    plan: &'p Plan<'a>,
    address: &'a str,
    values: &'a serde_json::Value,
    unknown: &'a serde_json::Value,
}

impl PlanResource<'_, '_> {
    fn is_unknown(&self, attr: &str) -> bool {
        self.unknown
            .get(attr)
            .is_some_and(|u| u.as_bool() == Some(true))
    }

    /// The token of an attribute known only after apply: the resource its configuration
    /// expression refers to (module-qualified), or this attribute.
    fn reference(&self, attr: &str) -> Option<String> {
        let (prefix, bare) = config_address(self.address);
        let refs = self.plan.config.get(&bare)?.get(attr)?.get("references")?;
        self.plan.resolve_references(refs, &prefix, 0)
    }

    fn unresolved(&self, attr: &str) -> Val {
        Val::unresolved(
            self.reference(attr)
                .unwrap_or_else(|| format!("{}.{attr}", self.address)),
        )
    }

    fn val(&self, attr: &str) -> Val {
        match self.values.get(attr).and_then(json_text) {
            Some(s) => Val::known(s),
            None => self.unresolved(attr),
        }
    }

    fn flag(&self, attr: &str, default: bool) -> Option<bool> {
        match self.values.get(attr) {
            Some(serde_json::Value::Bool(b)) => Some(*b),
            None | Some(serde_json::Value::Null) if !self.is_unknown(attr) => Some(default),
            _ => None,
        }
    }

    /// A log group ARN: reduced to its name; a reference to a log group of the plan whose
    /// name is known gives that name.
    fn log_group(&self, attr: &str) -> Option<Val> {
        match self.values.get(attr).and_then(|v| v.as_str()) {
            Some("") => None,
            Some(arn) => Some(Val::known(log_group_name(arn))),
            None if self.is_unknown(attr) => {
                let token = self.reference(attr);
                let name = token
                    .as_deref()
                    .and_then(|t| self.plan.log_group_name_of(t));
                Some(match (name, token) {
                    (Some(name), _) => Val::known(name),
                    (None, Some(t)) => Val::unresolved(t),
                    (None, None) => Val::unresolved(format!("{}.{attr}", self.address)),
                })
            }
            None => None,
        }
    }

    fn trail(&self, origin: Origin) -> Trail {
        Trail {
            name: self.val("name"),
            arn: self
                .values
                .get("arn")
                .and_then(|a| a.as_str())
                .map(str::to_owned),
            home_region: self
                .values
                .get("home_region")
                .and_then(|a| a.as_str())
                .map(str::to_owned),
            multi_region: self.flag("is_multi_region_trail", false),
            logging: self.flag("enable_logging", true),
            log_group: self.log_group("cloud_watch_logs_group_arn"),
            management: self.management(),
            origin,
        }
    }

    fn management(&self) -> Option<Management> {
        if self.is_unknown("event_selector") || self.is_unknown("advanced_event_selector") {
            return None;
        }
        let list = |attr: &str| {
            self.values
                .get(attr)
                .and_then(|v| v.as_array())
                .cloned()
                .unwrap_or_default()
        };
        let basic = list("event_selector");
        let advanced = list("advanced_event_selector");
        if basic.is_empty() && advanced.is_empty() {
            return Some(Management::ALL);
        }
        let mut all = Management::NONE;
        for s in &basic {
            if s.get("include_management_events").and_then(|v| v.as_bool()) == Some(false) {
                continue;
            }
            let rw = s
                .get("read_write_type")
                .and_then(|v| v.as_str())
                .unwrap_or("All");
            all = all.union(Management::of_read_write_type(rw)?);
        }
        for s in &advanced {
            let fields = s
                .get("field_selector")
                .and_then(|f| f.as_array())
                .cloned()
                .unwrap_or_default();
            let strings = |f: &serde_json::Value, attr: &str| -> Vec<String> {
                f.get(attr)
                    .and_then(|v| v.as_array())
                    .map(|l| {
                        l.iter()
                            .filter_map(|x| x.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let selector: Vec<FieldSelector> = fields
                .iter()
                .map(|f| FieldSelector {
                    field: f
                        .get("field")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned(),
                    equals: strings(f, "equals"),
                    not_equals: strings(f, "not_equals"),
                })
                .collect();
            all = all.union(Management::of_advanced(&selector));
        }
        Some(all)
    }

    fn metrics(&self, list: &str, name: &str, namespace: &str) -> Vec<Metric> {
        self.values
            .get(list)
            .and_then(|v| v.as_array())
            .map(|items| {
                items
                    .iter()
                    .map(|m| Metric {
                        namespace: m
                            .get(namespace)
                            .and_then(json_text)
                            .map_or_else(|| self.unresolved(list), Val::known),
                        name: m
                            .get(name)
                            .and_then(json_text)
                            .map_or_else(|| self.unresolved(list), Val::known),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn filter(&self, origin: Origin) -> MetricFilter {
        let log_group = match self.values.get("log_group_name").and_then(|v| v.as_str()) {
            Some(name) => Val::known(log_group_name(name)),
            None => {
                let token = self.reference("log_group_name");
                match token
                    .as_deref()
                    .and_then(|t| self.plan.log_group_name_of(t))
                {
                    Some(name) => Val::known(name),
                    None => self.unresolved("log_group_name"),
                }
            }
        };
        MetricFilter {
            name: self.val("name"),
            log_group,
            pattern: self.val("pattern"),
            metrics: self.metrics("metric_transformation", "name", "namespace"),
            origin,
        }
    }

    fn alarm(&self, origin: Origin) -> Alarm {
        let mut metrics = Vec::new();
        if self.values.get("metric_name").is_some_and(|v| !v.is_null())
            || self.is_unknown("metric_name")
        {
            metrics.push(Metric {
                namespace: self.val("namespace"),
                name: self.val("metric_name"),
            });
        }
        if let Some(queries) = self.values.get("metric_query").and_then(|q| q.as_array()) {
            for q in queries {
                if let Some(ms) = q.get("metric").and_then(|m| m.as_array()) {
                    for m in ms {
                        metrics.push(Metric {
                            namespace: m
                                .get("namespace")
                                .and_then(json_text)
                                .map_or_else(|| self.unresolved("metric_query"), Val::known),
                            name: m
                                .get("metric_name")
                                .and_then(json_text)
                                .map_or_else(|| self.unresolved("metric_query"), Val::known),
                        });
                    }
                }
            }
        }
        let mut topics: Vec<Val> = Vec::new();
        let actions = self.values.get("alarm_actions").and_then(|a| a.as_array());
        let unknown_actions = self.unknown.get("alarm_actions");
        if let Some(actions) = actions {
            for (i, a) in actions.iter().enumerate() {
                match a.as_str() {
                    Some(arn) if is_sns_arn(arn) => topics.push(Val::known(arn)),
                    Some(_) => {}
                    None => {
                        let _ = i;
                        topics.push(self.unresolved("alarm_actions"));
                    }
                }
            }
        }
        // Elements known only after apply.
        let unknown_count = match unknown_actions {
            Some(serde_json::Value::Bool(true)) => 1,
            Some(serde_json::Value::Array(flags)) => flags
                .iter()
                .filter(|f| f.as_bool() == Some(true))
                .count()
                .min(1),
            _ => 0,
        };
        if unknown_count > 0 && !topics.iter().any(|t| matches!(t, Val::Unresolved(_))) {
            topics.push(self.unresolved("alarm_actions"));
        }
        Alarm {
            name: self.val("alarm_name"),
            metrics,
            topics,
            actions_enabled: self.flag("actions_enabled", true),
            origin,
        }
    }

    fn subscription(&self, origin: Origin) -> Subscription {
        let text = |attr: &str| self.values.get(attr).and_then(json_text);
        Subscription {
            topic: self.val("topic_arn"),
            protocol: text("protocol"),
            endpoint: text("endpoint"),
            confirmed: None,
            origin,
        }
    }
}

impl Plan<'_> {
    /// The resource a configuration expression's `references` name: the shortest reference
    /// to a resource (`aws_sns_topic.x` rather than `aws_sns_topic.x.arn`), module-qualified;
    /// a module's input variable is followed to the module call's expression in the parent.
    fn resolve_references(
        &self,
        refs: &serde_json::Value,
        prefix: &str,
        depth: usize,
    ) -> Option<String> {
        let refs: Vec<&str> = refs.as_array()?.iter().filter_map(|r| r.as_str()).collect();
        let resource = refs
            .iter()
            .filter(|r| {
                !r.starts_with("var.")
                    && !r.starts_with("local.")
                    && !r.starts_with("each.")
                    && !r.starts_with("count.")
                    && r.matches('.').count() == 1
            })
            .min_by_key(|r| r.len());
        if let Some(r) = resource {
            return Some(format!("{prefix}{}", strip_keys(r)));
        }
        if depth > 8 || prefix.is_empty() {
            return None;
        }
        let var = refs.iter().find_map(|r| r.strip_prefix("var."))?;
        let var = var.split('.').next().unwrap_or(var);
        let call = self.calls.get(prefix)?.get(var)?.get("references")?;
        // The parent of `module.a.module.b.` is `module.a.`.
        let trimmed = prefix.strip_suffix('.').unwrap_or(prefix);
        let parent = match trimmed.rfind(".module.") {
            Some(i) => &prefix[..i + 1],
            None => "",
        };
        self.resolve_references(call, parent, depth + 1)
    }

    /// The name of the log group `token` (a module-qualified address without keys) when the
    /// plan knows it.
    fn log_group_name_of(&self, token: &str) -> Option<String> {
        self.resources.iter().find_map(|r| {
            let address = r.get("address")?.as_str()?;
            if r.get("type")?.as_str()? != "aws_cloudwatch_log_group"
                || config_address(address).1 != token
            {
                return None;
            }
            r.get("values")?.get("name")?.as_str().map(str::to_owned)
        })
    }
}

fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(text: &str) -> Inventory {
        let (inv, errors) = load_module(&[SourceFile {
            path: "main.tf".to_owned(),
            text: text.to_owned(),
        }]);
        assert!(errors.is_empty(), "{errors:?}");
        inv
    }

    #[test]
    fn detects_terraform_and_nothing_else() {
        assert!(looks_like_hcl(
            "resource \"aws_sns_topic\" \"a\" {\n  name = \"x\"\n}\n"
        ));
        assert!(looks_like_hcl("variable \"x\" {}\n"));
        assert!(!looks_like_hcl("name: x\non:\n  push: {}\n"));
        assert!(!looks_like_hcl(
            "# Title\n\nresource \"a\" is described here.\n"
        ));
        assert!(!looks_like_hcl("#!/bin/sh\nterraform {\n echo x\n"));
        assert!(!looks_like_hcl("{\"resource\": {}}"));
        assert!(!looks_like_hcl("a = 1\n"));
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let e = syntax_error("x.tf", "resource \"a\" \"b\" {\n  name = \n}\n");
        assert_eq!(e.file, "x.tf");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("syntax error"), "{}", e.message);
    }

    #[test]
    fn references_follow_the_identity_convention() {
        let inv = module(
            r#"
variable "prefix" { default = "cis" }
variable "email" {}
resource "aws_cloudwatch_log_group" "ct" { name = "${var.prefix}-trail" }
resource "aws_cloudwatch_log_group" "anon" { name_prefix = "x" }
resource "aws_cloudtrail" "t" {
  name                       = "main"
  is_multi_region_trail      = true
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.ct.arn}:*"
}
resource "aws_cloudtrail" "u" {
  name                       = "other"
  enable_logging             = false
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.anon.arn}:*"
  event_selector { read_write_type = "WriteOnly" }
}
resource "aws_cloudwatch_log_metric_filter" "f" {
  name           = "RootUsage"
  pattern        = "{ $.userIdentity.type = \"Root\" }"
  log_group_name = aws_cloudwatch_log_group.anon.name
  metric_transformation {
    name      = "RootUsage"
    namespace = "CIS"
    value     = "1"
  }
}
resource "aws_sns_topic" "alerts" { name = "alerts" }
resource "aws_cloudwatch_metric_alarm" "a" {
  alarm_name    = "root"
  metric_name   = aws_cloudwatch_log_metric_filter.f.id
  namespace     = "CIS"
  alarm_actions = [aws_sns_topic.alerts.arn, "arn:aws:autoscaling:us-east-1:1:x"]
}
resource "aws_sns_topic_subscription" "s" {
  topic_arn = aws_sns_topic.alerts.id
  protocol  = "email"
  endpoint  = var.email
}
"#,
        );
        let t = &inv.trails[0];
        assert_eq!(t.log_group, Some(Val::known("cis-trail")));
        assert_eq!(t.multi_region, Some(true));
        assert_eq!(t.logging, Some(true));
        assert_eq!(t.management, Some(Management::ALL));
        assert_eq!(t.origin.line, Some(6));
        let u = &inv.trails[1];
        assert_eq!(
            u.log_group,
            Some(Val::unresolved("aws_cloudwatch_log_group.anon"))
        );
        assert_eq!(u.multi_region, Some(false));
        assert_eq!(u.logging, Some(false));
        assert_eq!(
            u.management,
            Some(Management {
                read: false,
                write: true
            })
        );
        let f = &inv.metric_filters[0];
        assert_eq!(
            f.log_group,
            Val::unresolved("aws_cloudwatch_log_group.anon")
        );
        assert_eq!(f.pattern, Val::known("{ $.userIdentity.type = \"Root\" }"));
        let a = &inv.alarms[0];
        assert_eq!(a.metrics[0].name, Val::known("RootUsage"));
        assert_eq!(a.topics, vec![Val::unresolved("aws_sns_topic.alerts")]);
        assert_eq!(a.actions_enabled, Some(true));
        let s = &inv.subscriptions[0];
        assert_eq!(s.topic, Val::unresolved("aws_sns_topic.alerts"));
        assert_eq!(s.endpoint, None);
        assert!(inv.seen.trails && inv.seen.event_selectors);
    }

    #[test]
    fn for_each_over_a_locals_map_expands() {
        let inv = module(
            r#"
variable "create" { default = true }
variable "disabled" { default = ["B"] }
variable "namespace" { default = "CIS" }
locals {
  all = {
    A = { pattern = "{ $.a = 1 }" }
    B = { pattern = "{ $.b = 1 }" }
    C = { pattern = "{ $.c = 1 }", metric_name = "SeeMetric" }
  }
  controls = { for k, v in local.all : k => v if !contains(var.disabled, k) }
}
resource "aws_cloudwatch_log_metric_filter" "this" {
  for_each       = var.create ? local.controls : {}
  name           = lookup(each.value, "name", each.key)
  pattern        = each.value["pattern"]
  log_group_name = "lg"
  metric_transformation {
    name      = lookup(each.value, "metric_name", each.key)
    namespace = var.namespace
    value     = 1
  }
}
resource "aws_cloudwatch_metric_alarm" "this" {
  for_each    = aws_cloudwatch_log_metric_filter.this
  alarm_name  = "cis-${each.key}"
  metric_name = each.value.metric_transformation[0].name
  namespace   = var.namespace
}
"#,
        );
        let addresses: Vec<&str> = inv
            .metric_filters
            .iter()
            .map(|f| f.origin.address.as_str())
            .collect();
        assert_eq!(
            addresses,
            [
                "aws_cloudwatch_log_metric_filter.this[\"A\"]",
                "aws_cloudwatch_log_metric_filter.this[\"C\"]"
            ]
        );
        assert_eq!(
            inv.metric_filters[1].metrics[0].name,
            Val::known("SeeMetric")
        );
        assert_eq!(inv.alarms[1].metrics[0].name, Val::known("SeeMetric"));
        assert_eq!(inv.alarms[1].name, Val::known("cis-C"));
        assert!(!inv.seen.trails);
    }

    #[test]
    fn count_and_conditionals() {
        let inv = module(
            r#"
variable "enabled" { default = true }
variable "topic_arn" { default = "" }
locals {
  topic = var.topic_arn == "" ? aws_sns_topic.alarms[0].arn : var.topic_arn
}
resource "aws_sns_topic" "alarms" {
  count = var.topic_arn == "" ? 1 : 0
  name  = "alarms"
}
resource "aws_cloudwatch_metric_alarm" "off" {
  count       = var.enabled ? 0 : 1
  alarm_name  = "never"
}
resource "aws_cloudwatch_metric_alarm" "on" {
  count         = var.enabled ? 1 : 0
  alarm_name    = format("%s-%s", "cis", "root")
  metric_name   = "Root"
  namespace     = join("/", ["CIS", "Benchmark"])
  alarm_actions = [local.topic]
}
"#,
        );
        assert_eq!(inv.alarms.len(), 1);
        let a = &inv.alarms[0];
        assert_eq!(a.origin.address, "aws_cloudwatch_metric_alarm.on[0]");
        assert_eq!(a.name, Val::known("cis-root"));
        assert_eq!(a.metrics[0].namespace, Val::known("CIS/Benchmark"));
        assert_eq!(a.topics, vec![Val::unresolved("aws_sns_topic.alarms[0]")]);
    }

    #[test]
    fn unresolved_values_keep_distinct_tokens() {
        let inv = module(
            r#"
variable "p" {}
resource "aws_cloudwatch_log_metric_filter" "a" {
  name           = "${var.p}-a"
  pattern        = var.p
  log_group_name = format("arn:aws:logs:%s:%s:log-group:%s:*", var.r, var.a, "named")
  metric_transformation {
    name      = "${var.p}-b"
    namespace = file("ns.txt")
  }
}
"#,
        );
        let f = &inv.metric_filters[0];
        assert_eq!(f.name, Val::unresolved("${var.p}-a"));
        assert_eq!(f.metrics[0].name, Val::unresolved("${var.p}-b"));
        assert_eq!(f.pattern, Val::unresolved("var.p"));
        assert_eq!(f.log_group, Val::known("named"));
        assert_eq!(f.metrics[0].namespace, Val::unresolved("file(\"ns.txt\")"));
    }

    #[test]
    fn advanced_selectors() {
        let inv = module(
            r#"
resource "aws_cloudtrail" "t" {
  name = "t"
  advanced_event_selector {
    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
    field_selector {
      field  = "readOnly"
      equals = ["true"]
    }
  }
}
"#,
        );
        assert_eq!(
            inv.trails[0].management,
            Some(Management {
                read: true,
                write: false
            })
        );
    }

    #[test]
    fn adversarial_modules_stay_cheap() {
        let mut text = String::from("locals {\n  a0 = [\"x\", \"y\"]\n");
        for i in 1..60 {
            text.push_str(&format!(
                "  a{i} = [local.a{p}, local.a{p}, local.a{p}]\n",
                p = i - 1
            ));
        }
        text.push_str("  c1 = local.c2\n  c2 = local.c1\n}\n");
        text.push_str(
            "resource \"aws_cloudwatch_log_metric_filter\" \"f\" {\n  name = length(flatten(local.a59))\n  pattern = local.c1\n}\n",
        );
        let inv = module(&text);
        let deep = format!(
            "locals {{\n  a = {}1{}\n}}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(!looks_like_hcl(&deep));
        let deep_t = format!(
            "locals {{\n  a = \"{}1{}\"\n}}\n",
            "${\"".repeat(20_000),
            "\"}".repeat(20_000)
        );
        let _ = looks_like_hcl(&deep_t);
        let ops = format!("locals {{\n  a = {}1\n}}\n", "1 + ".repeat(100_000));
        let _ = looks_like_hcl(&ops);
        assert!(matches!(inv.metric_filters[0].name, Val::Unresolved(_)));
        assert!(matches!(inv.metric_filters[0].pattern, Val::Unresolved(_)));
    }
}
