//! CloudFormation templates, JSON and YAML (with the short intrinsic tags `!Ref`, `!Sub`,
//! `!GetAtt`, ...).
//!
//! Both syntaxes are read into one tree (a YAML `!Ref X` is `{"Ref": "X"}`) and evaluated
//! by a partial evaluator: `Ref` to a parameter gives its `Default` (else it is unresolved
//! under the parameter's name), `Ref`/`Fn::GetAtt` to a resource follow the identity
//! convention of [`super::model`] (a log group with a literal `LogGroupName` is that name,
//! its `Arn` an ARN that reduces to it; anything else, a topic's ARN included, is unresolved
//! under the resource's logical id), `Fn::Sub` (both forms), `Fn::Join`, `Fn::Select`,
//! `Fn::Split`, `Fn::FindInMap` (from `Mappings`), `Fn::If` with the template's `Conditions`
//! (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or` over parameter defaults), `AWS::NoValue`.
//! Pseudo parameters (`AWS::Region`, `AWS::AccountId`, ...), `Fn::ImportValue` and
//! conditions that depend on them stay unresolved. A resource whose `Condition` is false is
//! left out.
//!
//! Locations are the line of the logical id's key under `Resources`.

use std::cell::RefCell;
use std::collections::HashSet;

use serde::Deserialize as _;

use super::model::{is_sns_arn, FieldSelector};
use super::terraform::{from_pieces, log_group_val, render, to_val, Piece, Unk, V};
use super::{
    Alarm, Inventory, LoadError, Management, Metric, MetricFilter, Note, Origin, SourceKind,
    Subscription, Trail, Val,
};

/// A template value, from JSON or YAML: a YAML short tag `!Ref X` is read as the long form
/// `{"Ref": X}`.
#[derive(Debug, Clone, PartialEq)]
enum Cf {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Cf>),
    Map(Vec<(String, Cf)>),
}

impl Cf {
    fn get(&self, key: &str) -> Option<&Cf> {
        match self {
            Cf::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Cf::Str(s) => Some(s),
            _ => None,
        }
    }

    fn entries(&self) -> &[(String, Cf)] {
        match self {
            Cf::Map(m) => m,
            _ => &[],
        }
    }
}

/// The intrinsic functions with a YAML short form (`!Name` → `Fn::Name`).
const FUNCTIONS: [&str; 18] = [
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "And",
    "Equals",
    "If",
    "Not",
    "Or",
    "ToJsonString",
    "Length",
];

fn from_json(v: &serde_json::Value) -> Cf {
    match v {
        serde_json::Value::Null => Cf::Null,
        serde_json::Value::Bool(b) => Cf::Bool(*b),
        serde_json::Value::Number(n) => n.as_f64().map_or(Cf::Null, Cf::Num),
        serde_json::Value::String(s) => Cf::Str(s.clone()),
        serde_json::Value::Array(a) => Cf::List(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            Cf::Map(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}

/// A YAML value as a template value; `Err(tag)` for a tag that is no intrinsic function.
fn from_yaml(v: &serde_yaml::Value) -> Result<Cf, String> {
    Ok(match v {
        serde_yaml::Value::Null => Cf::Null,
        serde_yaml::Value::Bool(b) => Cf::Bool(*b),
        serde_yaml::Value::Number(n) => n.as_f64().map_or(Cf::Null, Cf::Num),
        serde_yaml::Value::String(s) => Cf::Str(s.clone()),
        serde_yaml::Value::Sequence(s) => {
            Cf::List(s.iter().map(from_yaml).collect::<Result<_, _>>()?)
        }
        serde_yaml::Value::Mapping(m) => {
            let mut out = Vec::with_capacity(m.len());
            for (k, v) in m {
                let key = match k {
                    serde_yaml::Value::String(s) => s.clone(),
                    serde_yaml::Value::Bool(b) => b.to_string(),
                    serde_yaml::Value::Number(n) => n.to_string(),
                    _ => continue,
                };
                out.push((key, from_yaml(v)?));
            }
            Cf::Map(out)
        }
        serde_yaml::Value::Tagged(t) => {
            let tag = t.tag.to_string();
            let name = tag.trim_start_matches('!');
            let key = match name {
                "Ref" | "Condition" => name.to_owned(),
                _ if FUNCTIONS.contains(&name) => format!("Fn::{name}"),
                _ => return Err(tag),
            };
            let mut inner = from_yaml(&t.value)?;
            // `!GetAtt A.B` is the scalar form of `Fn::GetAtt: [A, B]`.
            if key == "Fn::GetAtt" {
                if let Cf::Str(s) = &inner {
                    if let Some((a, b)) = s.split_once('.') {
                        inner = Cf::List(vec![Cf::Str(a.to_owned()), Cf::Str(b.to_owned())]);
                    }
                }
            }
            Cf::Map(vec![(key, inner)])
        }
    })
}

/// Is this JSON a CloudFormation template?
pub fn is_template(value: &serde_json::Value) -> bool {
    is_template_tree(&from_json_shallow(value))
}

/// The top level of a JSON value, enough for [`is_template_tree`].
fn from_json_shallow(value: &serde_json::Value) -> Cf {
    let Some(obj) = value.as_object() else {
        return Cf::Null;
    };
    let mut out = Vec::new();
    for (k, v) in obj {
        let v = match (k.as_str(), v) {
            ("Resources", serde_json::Value::Object(r)) => Cf::Map(
                r.iter()
                    .map(|(id, res)| {
                        let ty = res
                            .get("Type")
                            .and_then(|t| t.as_str())
                            .map_or(Cf::Null, |t| Cf::Str(t.to_owned()));
                        (id.clone(), Cf::Map(vec![("Type".to_owned(), ty)]))
                    })
                    .collect(),
            ),
            ("AWSTemplateFormatVersion", v) => from_json(v),
            _ => Cf::Null,
        };
        out.push((k.clone(), v));
    }
    Cf::Map(out)
}

fn is_template_tree(v: &Cf) -> bool {
    if v.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    v.get("Resources").is_some_and(|r| {
        r.entries().iter().any(|(_, res)| {
            res.get("Type")
                .and_then(Cf::as_str)
                .is_some_and(|t| t.contains("::"))
        })
    })
}

/// Reads a CloudFormation template in JSON.
pub fn load_json(
    path: &str,
    text: &str,
    value: &serde_json::Value,
) -> Result<Inventory, LoadError> {
    load(path, text, &from_json(value), true)
}

/// Reads `text` as a CloudFormation template in YAML: `None` when it is not one.
///
/// A file of several YAML documents is read as the first document that is a template.
/// A file that cannot be parsed is a template with a problem (`Some(Err)`) when its text
/// looks like one (an `AWSTemplateFormatVersion` or `Resources` line and an `AWS::` type).
pub fn load_yaml(path: &str, text: &str) -> Option<Result<Inventory, LoadError>> {
    if let Some(at) = flow_too_deep(text) {
        return looks_like_template(text).then(|| Err(too_deep_error(path, at)));
    }
    for document in serde_yaml::Deserializer::from_str(text) {
        match serde_yaml::Value::deserialize(document) {
            Ok(value) => {
                if !is_yaml_template(&value) {
                    continue;
                }
                return Some(match from_yaml(&value) {
                    Ok(tree) => load(path, text, &tree, false),
                    Err(tag) => Err(tag_error(path, text, &tag)),
                });
            }
            Err(e) => {
                return looks_like_template(text).then(|| Err(yaml_parse_error(path, &e)));
            }
        }
    }
    None
}

fn is_yaml_template(value: &serde_yaml::Value) -> bool {
    let Some(map) = value.as_mapping() else {
        return false;
    };
    if map.contains_key("AWSTemplateFormatVersion") {
        return true;
    }
    map.get("Resources")
        .and_then(|r| r.as_mapping())
        .is_some_and(|r| {
            r.values().any(|res| {
                res.get("Type")
                    .and_then(|t| t.as_str())
                    .is_some_and(|t| t.contains("::"))
            })
        })
}

/// Flow collections (`[`, `{`) nested deeper than this are rejected before parsing: the
/// YAML parser is quadratic in their depth, and the reader's recursion limit (128) would
/// refuse them anyway.
const MAX_FLOW_DEPTH: usize = 128;

/// The line and column where flow collections nest deeper than [`MAX_FLOW_DEPTH`] (quoted
/// scalars and comments skipped roughly; block scalars are not told apart, which can only
/// overcount in text no template has).
fn flow_too_deep(text: &str) -> Option<(u32, u32)> {
    let mut depth = 0usize;
    for (i, line) in text.lines().enumerate() {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (col, c) in line.chars().enumerate() {
            match quote {
                Some(q) => {
                    if c == q {
                        quote = None;
                    }
                }
                None => match c {
                    '#' if prev == ' ' || prev == '\t' => break,
                    '"' | '\'' => quote = Some(c),
                    '[' | '{' => {
                        depth += 1;
                        if depth > MAX_FLOW_DEPTH {
                            return Some((
                                u32::try_from(i + 1).unwrap_or(u32::MAX),
                                u32::try_from(col + 1).unwrap_or(u32::MAX),
                            ));
                        }
                    }
                    ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                },
            }
            prev = c;
        }
    }
    None
}

fn too_deep_error(path: &str, (line, column): (u32, u32)) -> LoadError {
    LoadError::new(
        path,
        format!("invalid YAML: flow collections nested deeper than {MAX_FLOW_DEPTH} levels"),
    )
    .at(Some(line), Some(column))
}

/// Does the text of a file that YAML cannot parse look like a template?
fn looks_like_template(text: &str) -> bool {
    let top = |key: &str| {
        text.lines().any(|l| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
    };
    top("AWSTemplateFormatVersion")
        || (top("Resources") && (text.contains("Type: AWS::") || text.contains("Type: \"AWS::")))
}

fn yaml_parse_error(path: &str, e: &serde_yaml::Error) -> LoadError {
    let (line, column) = match e.location() {
        Some(loc) => (
            u32::try_from(loc.line()).ok().filter(|&l| l > 0),
            u32::try_from(loc.column()).ok().filter(|&c| c > 0),
        ),
        None => (None, None),
    };
    LoadError::new(path, format!("invalid YAML: {e}")).at(line, column)
}

fn tag_error(path: &str, text: &str, tag: &str) -> LoadError {
    let (line, column) = match text.find(tag) {
        Some(at) => {
            let before = text.get(..at).unwrap_or_default();
            let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
            let column = at - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            (u32::try_from(line).ok(), u32::try_from(column).ok())
        }
        None => (None, None),
    };
    LoadError::new(
        path,
        format!("unknown CloudFormation tag {tag} (not an intrinsic function's short form)"),
    )
    .at(line, column)
}

/// The YAML syntax error of `text`, naming the file, line and column; `None` when `text`
/// is valid YAML (and so simply not a template).
pub fn yaml_error(path: &str, text: &str) -> Option<LoadError> {
    if let Some(at) = flow_too_deep(text) {
        return Some(too_deep_error(path, at));
    }
    for document in serde_yaml::Deserializer::from_str(text) {
        if let Err(e) = serde_yaml::Value::deserialize(document) {
            return Some(yaml_parse_error(path, &e));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------

/// How deep evaluation may recurse (nested intrinsic functions, conditions).
const MAX_DEPTH: usize = 64;

struct Template<'t> {
    tree: &'t Cf,
    notes: RefCell<Vec<Note>>,
    busy: RefCell<HashSet<String>>,
    path: &'t str,
}

fn load(path: &str, text: &str, tree: &Cf, json: bool) -> Result<Inventory, LoadError> {
    let Some(resources) = tree.get("Resources") else {
        return Err(LoadError::new(
            path,
            "a CloudFormation template without Resources",
        ));
    };
    if !matches!(resources, Cf::Map(_)) {
        let line = super::line_of(text, "Resources");
        return Err(
            LoadError::new(path, "Resources is not a mapping of logical ids").at(line, None),
        );
    }
    let t = Template {
        tree,
        notes: RefCell::default(),
        busy: RefCell::default(),
        path,
    };
    if tree.get("Transform").is_some() {
        t.note(
            "Transform",
            "the template declares a Transform: resources created by macros are not seen",
        );
    }
    let lines = ResourceLines::new(text, json);
    let mut inv = Inventory::default();
    for (id, res) in resources.entries() {
        let Some(kind) = res.get("Type").and_then(Cf::as_str) else {
            continue;
        };
        if !matches!(
            kind,
            "AWS::CloudTrail::Trail"
                | "AWS::Logs::MetricFilter"
                | "AWS::CloudWatch::Alarm"
                | "AWS::SNS::Topic"
                | "AWS::SNS::Subscription"
        ) {
            continue;
        }
        if kind == "AWS::CloudTrail::Trail" {
            inv.seen.trails = true;
            inv.seen.trail_status = true;
            inv.seen.event_selectors = true;
        }
        if let Some(cond) = res.get("Condition").and_then(Cf::as_str) {
            match t.condition(cond, 0) {
                Some(true) => {}
                Some(false) => continue,
                None => t.note(
                    id,
                    format!("condition {cond} cannot be decided: the resource is read as created"),
                ),
            }
        }
        let empty = Cf::Map(Vec::new());
        let props = res.get("Properties").unwrap_or(&empty);
        let origin =
            Origin::new(SourceKind::Cloudformation, id.clone()).at(path, lines.line(text, id));
        let r = Res { t: &t, props, id };
        match kind {
            "AWS::CloudTrail::Trail" => inv.trails.push(r.trail(origin)),
            "AWS::Logs::MetricFilter" => inv.metric_filters.push(r.filter(origin)),
            "AWS::CloudWatch::Alarm" => inv.alarms.push(r.alarm(origin)),
            "AWS::SNS::Topic" => inv.subscriptions.extend(r.inline_subscriptions(&origin)),
            _ => inv.subscriptions.push(r.subscription(origin)),
        }
    }
    inv.seen.metric_filters = true;
    inv.seen.alarms = true;
    inv.seen.subscriptions = true;
    inv.notes.extend(t.notes.into_inner());
    Ok(inv)
}

impl Template<'_> {
    fn note(&self, about: &str, message: impl Into<String>) {
        let note = Note {
            about: format!("{}: {about}", self.path),
            message: message.into(),
        };
        let mut notes = self.notes.borrow_mut();
        if !notes.contains(&note) {
            notes.push(note);
        }
    }

    fn resource(&self, id: &str) -> Option<&Cf> {
        self.tree.get("Resources")?.get(id)
    }

    fn resource_type(&self, id: &str) -> Option<&str> {
        self.resource(id)?.get("Type")?.as_str()
    }

    fn property(&self, id: &str, name: &str) -> Option<&Cf> {
        self.resource(id)?.get("Properties")?.get(name)
    }

    /// Evaluates a template value.
    fn eval(&self, v: &Cf, depth: usize) -> V {
        if depth > MAX_DEPTH {
            return V::unknown("nesting too deep");
        }
        let d = depth + 1;
        match v {
            Cf::Null => V::Null,
            Cf::Bool(b) => V::Bool(*b),
            Cf::Num(n) => V::Num(*n),
            Cf::Str(s) => V::Str(s.clone()),
            Cf::List(items) => V::List(
                items
                    .iter()
                    .map(|i| self.eval(i, d))
                    .filter(|v| !matches!(v, V::Null))
                    .collect(),
            ),
            Cf::Map(entries) => {
                if let [(key, arg)] = entries.as_slice() {
                    if key == "Ref" || key.starts_with("Fn::") {
                        return self.intrinsic(key, arg, d);
                    }
                }
                V::Map(
                    entries
                        .iter()
                        .map(|(k, v)| (k.clone(), self.eval(v, d)))
                        .collect(),
                )
            }
        }
    }

    fn intrinsic(&self, name: &str, arg: &Cf, d: usize) -> V {
        match name {
            "Ref" => match arg.as_str() {
                Some(target) => self.reference(target, d),
                None => V::unknown("Ref"),
            },
            "Fn::GetAtt" => {
                let parts: Vec<String> = match self.eval(arg, d) {
                    V::List(l) => l.iter().filter_map(V::as_string).collect(),
                    V::Str(s) => s.split('.').map(str::to_owned).collect(),
                    _ => Vec::new(),
                };
                match parts.as_slice() {
                    [id, attr, ..] => self.get_att(id, attr, d),
                    _ => V::unknown("GetAtt"),
                }
            }
            "Fn::Sub" => self.sub(arg, d),
            "Fn::Join" => {
                let (Cf::List(args), true) = (arg, true) else {
                    return V::unknown("Join");
                };
                let (Some(delim), Some(list)) = (args.first(), args.get(1)) else {
                    return V::unknown("Join");
                };
                let delim = self.eval(delim, d);
                let list = self.eval(list, d);
                match (delim.as_string(), list) {
                    (Some(delim), V::List(items)) => {
                        let mut pieces = Vec::new();
                        for (i, item) in items.iter().enumerate() {
                            if i > 0 {
                                pieces.push(Piece::Lit(delim.clone()));
                            }
                            pieces.extend(item.pieces());
                        }
                        from_pieces(pieces)
                    }
                    (_, list) => V::unknown(format!("Join({})", render(&list))),
                }
            }
            "Fn::Select" => {
                let args = self.eval(arg, d);
                match args {
                    V::List(a) => match (a.first().and_then(V::as_num), a.get(1)) {
                        (Some(i), Some(V::List(l))) if i >= 0.0 => l
                            .get(i as usize)
                            .cloned()
                            .unwrap_or_else(|| V::unknown("Select")),
                        _ => V::unknown(format!("Select({})", render(&V::List(a)))),
                    },
                    other => V::unknown(format!("Select({})", render(&other))),
                }
            }
            "Fn::Split" => match self.eval(arg, d) {
                V::List(a) => match (a.first().and_then(V::as_string), a.get(1)) {
                    (Some(sep), Some(V::Str(s))) if !sep.is_empty() => V::List(
                        s.split(sep.as_str())
                            .map(|p| V::Str(p.to_owned()))
                            .collect(),
                    ),
                    _ => V::unknown(format!("Split({})", render(&V::List(a)))),
                },
                other => V::unknown(format!("Split({})", render(&other))),
            },
            "Fn::FindInMap" => {
                let args = self.eval(arg, d);
                let keys: Option<Vec<String>> = match &args {
                    V::List(a) if a.len() >= 3 => a.iter().take(3).map(V::as_string).collect(),
                    _ => None,
                };
                let found = keys.as_ref().and_then(|k| {
                    let (m, k1, k2) = (k.first()?, k.get(1)?, k.get(2)?);
                    self.tree.get("Mappings")?.get(m)?.get(k1)?.get(k2)
                });
                match found {
                    Some(v) => self.eval(v, d),
                    None => V::unknown(format!("FindInMap({})", render(&args))),
                }
            }
            "Fn::If" => {
                let Cf::List(args) = arg else {
                    return V::unknown("If");
                };
                let (Some(cond), Some(a), Some(b)) =
                    (args.first().and_then(Cf::as_str), args.get(1), args.get(2))
                else {
                    return V::unknown("If");
                };
                match self.condition(cond, d) {
                    Some(true) => self.eval(a, d),
                    Some(false) => self.eval(b, d),
                    None => {
                        let (a, b) = (self.eval(a, d), self.eval(b, d));
                        if a == b {
                            a
                        } else {
                            V::unknown(format!("If({cond}, {}, {})", render(&a), render(&b)))
                        }
                    }
                }
            }
            "Fn::ImportValue" => V::unknown(format!("ImportValue({})", render(&self.eval(arg, d)))),
            other => V::unknown(format!(
                "{}({})",
                other.trim_start_matches("Fn::"),
                render(&self.eval(arg, d))
            )),
        }
    }

    /// `Ref`: a parameter's default, a pseudo parameter, or a resource's identity.
    fn reference(&self, target: &str, d: usize) -> V {
        if target == "AWS::NoValue" {
            return V::Null;
        }
        if target.starts_with("AWS::") {
            return V::unknown(target);
        }
        if let Some(param) = self.tree.get("Parameters").and_then(|p| p.get(target)) {
            let ty = param.get("Type").and_then(Cf::as_str).unwrap_or("String");
            return match param.get("Default") {
                None => V::unknown(target),
                Some(default) => {
                    let v = self.eval(default, d);
                    match (v, ty.starts_with("List<") || ty == "CommaDelimitedList") {
                        (V::Str(s), true) => {
                            V::List(s.split(',').map(|p| V::Str(p.trim().to_owned())).collect())
                        }
                        (v, _) => v,
                    }
                }
            };
        }
        let Some(kind) = self.resource_type(target) else {
            self.note(
                target,
                "Ref to a name that is neither a parameter nor a resource",
            );
            return V::unknown(target);
        };
        let name_property = match kind {
            "AWS::Logs::LogGroup" => "LogGroupName",
            "AWS::Logs::MetricFilter" => "FilterName",
            "AWS::CloudWatch::Alarm" => "AlarmName",
            "AWS::CloudTrail::Trail" => "TrailName",
            _ => return V::unknown(target),
        };
        self.literal_property(target, name_property, d)
    }

    /// A resource's property when it evaluates to a literal, else the resource's token.
    fn literal_property(&self, id: &str, name: &str, d: usize) -> V {
        let key = format!("{id}.{name}");
        if !self.busy.borrow_mut().insert(key.clone()) {
            return V::unknown(id);
        }
        let v = self
            .property(id, name)
            .map(|p| self.eval(p, d))
            .filter(|v| matches!(v, V::Str(_)));
        self.busy.borrow_mut().remove(&key);
        v.unwrap_or_else(|| V::unknown(id))
    }

    fn get_att(&self, id: &str, attr: &str, d: usize) -> V {
        match (self.resource_type(id), attr) {
            (Some("AWS::Logs::LogGroup"), "Arn") => {
                // An ARN that reduces to the log group's name (or token).
                let name = self.literal_property(id, "LogGroupName", d);
                let mut pieces = vec![Piece::Lit("arn:aws:logs:::log-group:".to_owned())];
                pieces.extend(name.pieces());
                pieces.push(Piece::Lit(":*".to_owned()));
                from_pieces(pieces)
            }
            (Some("AWS::SNS::Topic"), "TopicName") => self.literal_property(id, "TopicName", d),
            (Some(_), _) => V::unknown(id),
            (None, _) => {
                self.note(id, "GetAtt of a resource the template does not declare");
                V::unknown(id)
            }
        }
    }

    /// `Fn::Sub`: `${Param}`, `${Res.Attr}`, `${!Literal}`, and the variables of the list
    /// form.
    fn sub(&self, arg: &Cf, d: usize) -> V {
        let (template, vars) = match arg {
            Cf::Str(s) => (s.as_str(), None),
            Cf::List(l) => match (l.first().and_then(Cf::as_str), l.get(1)) {
                (Some(s), vars) => (s, vars),
                _ => return V::unknown("Sub"),
            },
            _ => return V::unknown("Sub"),
        };
        let mut pieces = Vec::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            pieces.push(Piece::Lit(rest[..start].to_owned()));
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                pieces.push(Piece::Lit(rest[start..].to_owned()));
                rest = "";
                break;
            };
            let name = after[..end].trim();
            rest = &after[end + 1..];
            if let Some(literal) = name.strip_prefix('!') {
                pieces.push(Piece::Lit(format!("${{{literal}}}")));
                continue;
            }
            let value = match vars.and_then(|v| v.get(name)) {
                Some(v) => self.eval(v, d),
                None => match name.split_once('.') {
                    Some((id, attr)) => self.get_att(id, attr, d),
                    None => self.reference(name, d),
                },
            };
            pieces.extend(value.pieces());
        }
        pieces.push(Piece::Lit(rest.to_owned()));
        from_pieces(pieces)
    }

    /// The value of a condition of `Conditions` (`None`: cannot tell).
    fn condition(&self, name: &str, d: usize) -> Option<bool> {
        let expr = self.tree.get("Conditions")?.get(name)?;
        if d > MAX_DEPTH || !self.busy.borrow_mut().insert(format!("condition {name}")) {
            return None;
        }
        let v = self.condition_expr(expr, d + 1);
        self.busy.borrow_mut().remove(&format!("condition {name}"));
        v
    }

    fn condition_expr(&self, expr: &Cf, d: usize) -> Option<bool> {
        if d > MAX_DEPTH {
            return None;
        }
        let [(key, arg)] = expr.entries() else {
            return None;
        };
        let args = match arg {
            Cf::List(l) => l.as_slice(),
            other => std::slice::from_ref(other),
        };
        match key.as_str() {
            "Condition" => self.condition(arg.as_str()?, d + 1),
            "Fn::Equals" => {
                let (a, b) = (self.eval(args.first()?, d), self.eval(args.get(1)?, d));
                if a.has_unknown() || b.has_unknown() {
                    return None;
                }
                Some(a.as_string()? == b.as_string()?)
            }
            "Fn::Not" => self.condition_expr(args.first()?, d + 1).map(|b| !b),
            "Fn::And" => {
                let values: Vec<Option<bool>> =
                    args.iter().map(|c| self.condition_expr(c, d + 1)).collect();
                if values.contains(&Some(false)) {
                    Some(false)
                } else if values.iter().all(|v| *v == Some(true)) {
                    Some(true)
                } else {
                    None
                }
            }
            "Fn::Or" => {
                let values: Vec<Option<bool>> =
                    args.iter().map(|c| self.condition_expr(c, d + 1)).collect();
                if values.contains(&Some(true)) {
                    Some(true)
                } else if values.iter().all(|v| *v == Some(false)) {
                    Some(false)
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

/// One resource's properties.
struct Res<'a> {
    t: &'a Template<'a>,
    props: &'a Cf,
    id: &'a str,
}

impl Res<'_> {
    fn get(&self, name: &str) -> Option<V> {
        self.props.get(name).map(|v| self.t.eval(v, 0))
    }

    /// A property as a value: its literal, or unresolved (a generated name when absent is
    /// the resource's own token).
    fn val(&self, name: &str) -> Val {
        match self.get(name) {
            Some(V::Null) | None => Val::unresolved(self.id),
            Some(v) => to_val(&v, &format!("{}.{name}", self.id)),
        }
    }

    fn flag(&self, name: &str, default: Option<bool>) -> Option<bool> {
        match self.get(name) {
            None | Some(V::Null) => default,
            Some(v) => v.as_bool().or(match v {
                V::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
                V::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
                _ => None,
            }),
        }
    }

    fn trail(&self, origin: Origin) -> Trail {
        let log_group = match self.get("CloudWatchLogsLogGroupArn") {
            None | Some(V::Null) => None,
            Some(v) => Some(log_group_val(
                &v,
                &format!("{}.CloudWatchLogsLogGroupArn", self.id),
            )),
        };
        Trail {
            name: self.val("TrailName"),
            arn: None,
            home_region: None,
            multi_region: self.flag("IsMultiRegionTrail", Some(false)),
            logging: self.flag("IsLogging", None),
            log_group,
            management: self.management(),
            origin,
        }
    }

    fn management(&self) -> Option<Management> {
        let list = |name: &str| -> Option<Vec<V>> {
            match self.get(name) {
                None | Some(V::Null) => Some(Vec::new()),
                Some(V::List(l)) => Some(l),
                Some(_) => None,
            }
        };
        let basic = list("EventSelectors")?;
        let advanced = list("AdvancedEventSelectors")?;
        if basic.is_empty() && advanced.is_empty() {
            return Some(Management::ALL);
        }
        let field = |v: &V, name: &str| match v {
            V::Map(m) => m.get(name).cloned(),
            _ => None,
        };
        let mut all = Management::NONE;
        for s in &basic {
            let include = match field(s, "IncludeManagementEvents") {
                None | Some(V::Null) => true,
                Some(v) => v.as_bool()?,
            };
            if !include {
                continue;
            }
            let rw = match field(s, "ReadWriteType") {
                None | Some(V::Null) => "All".to_owned(),
                Some(v) => v.as_string()?,
            };
            all = all.union(Management::of_read_write_type(&rw)?);
        }
        for s in &advanced {
            let Some(V::List(fields)) = field(s, "FieldSelectors") else {
                return None;
            };
            let strings = |f: &V, name: &str| -> Option<Vec<String>> {
                match field(f, name) {
                    None | Some(V::Null) => Some(Vec::new()),
                    Some(V::List(l)) => l.iter().map(V::as_string).collect(),
                    Some(_) => None,
                }
            };
            let mut selector = Vec::new();
            for f in &fields {
                selector.push(FieldSelector {
                    field: field(f, "Field")?.as_string()?,
                    equals: strings(f, "Equals")?,
                    not_equals: strings(f, "NotEquals")?,
                });
            }
            all = all.union(Management::of_advanced(&selector));
        }
        Some(all)
    }

    fn filter(&self, origin: Origin) -> MetricFilter {
        let log_group = match self.get("LogGroupName") {
            Some(v) => log_group_val(&v, &format!("{}.LogGroupName", self.id)),
            None => Val::unresolved(format!("{}.LogGroupName", self.id)),
        };
        let metrics = match self.get("MetricTransformations") {
            Some(V::List(items)) => items
                .iter()
                .map(|m| Metric {
                    namespace: map_val(m, "MetricNamespace", self.id),
                    name: map_val(m, "MetricName", self.id),
                })
                .collect(),
            _ => Vec::new(),
        };
        MetricFilter {
            name: self.val("FilterName"),
            log_group,
            pattern: match self.get("FilterPattern") {
                Some(v) => to_val(&v, &format!("{}.FilterPattern", self.id)),
                None => Val::unresolved(format!("{}.FilterPattern", self.id)),
            },
            metrics,
            origin,
        }
    }

    fn alarm(&self, origin: Origin) -> Alarm {
        let mut metrics = Vec::new();
        if self.props.get("MetricName").is_some() {
            metrics.push(Metric {
                namespace: match self.get("Namespace") {
                    Some(v) => to_val(&v, &format!("{}.Namespace", self.id)),
                    None => Val::unresolved(format!("{}.Namespace", self.id)),
                },
                name: self.val("MetricName"),
            });
        }
        if let Some(V::List(queries)) = self.get("Metrics") {
            for q in &queries {
                let metric = match q {
                    V::Map(m) => m.get("MetricStat").and_then(|s| match s {
                        V::Map(s) => s.get("Metric").cloned(),
                        _ => None,
                    }),
                    _ => None,
                };
                if let Some(m) = metric {
                    metrics.push(Metric {
                        namespace: map_val(&m, "Namespace", self.id),
                        name: map_val(&m, "MetricName", self.id),
                    });
                }
            }
        }
        let topics = match self.get("AlarmActions") {
            None | Some(V::Null) => Vec::new(),
            Some(V::List(actions)) => actions
                .iter()
                .filter(|a| a.as_string().map_or(true, |arn| is_sns_arn(&arn)))
                .map(|a| to_val(a, &format!("{}.AlarmActions", self.id)))
                .collect(),
            Some(v) => vec![to_val(&v, &format!("{}.AlarmActions", self.id))],
        };
        Alarm {
            name: self.val("AlarmName"),
            metrics,
            topics,
            actions_enabled: self.flag("ActionsEnabled", Some(true)),
            origin,
        }
    }

    /// The `Subscription` list of an `AWS::SNS::Topic`.
    fn inline_subscriptions(&self, origin: &Origin) -> Vec<Subscription> {
        let Some(V::List(items)) = self.get("Subscription") else {
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut origin = origin.clone();
                origin.address = format!("{}.Subscription[{i}]", self.id);
                Subscription {
                    topic: Val::unresolved(self.id),
                    protocol: map_text(s, "Protocol"),
                    endpoint: map_text(s, "Endpoint"),
                    confirmed: None,
                    origin,
                }
            })
            .collect()
    }

    fn subscription(&self, origin: Origin) -> Subscription {
        let text = |name: &str| self.get(name).and_then(|v| v.as_string());
        Subscription {
            topic: match self.get("TopicArn") {
                Some(v) => to_val(&v, &format!("{}.TopicArn", self.id)),
                None => Val::unresolved(format!("{}.TopicArn", self.id)),
            },
            protocol: text("Protocol"),
            endpoint: text("Endpoint"),
            confirmed: None,
            origin,
        }
    }
}

fn map_val(v: &V, name: &str, id: &str) -> Val {
    match v {
        V::Map(m) => match m.get(name) {
            Some(x) => to_val(x, &format!("{id}.{name}")),
            None => Val::unresolved(format!("{id}.{name}")),
        },
        V::Unknown(Unk { token, .. }) => Val::unresolved(token.clone()),
        _ => Val::unresolved(format!("{id}.{name}")),
    }
}

fn map_text(v: &V, name: &str) -> Option<String> {
    match v {
        V::Map(m) => m.get(name).and_then(V::as_string),
        _ => None,
    }
}

/// The lines of the logical ids under `Resources`.
struct ResourceLines {
    /// Byte offset where `Resources` starts.
    start: Option<usize>,
    /// YAML: the indentation of the logical ids.
    indent: Option<usize>,
    json: bool,
}

impl ResourceLines {
    fn new(text: &str, json: bool) -> ResourceLines {
        let start = if json {
            text.find("\"Resources\"")
        } else {
            let mut offset = 0;
            let mut found = None;
            for line in text.split_inclusive('\n') {
                let key = line.trim_end();
                let key = key.strip_suffix(':').map(str::trim_end).unwrap_or_default();
                if matches!(key, "Resources" | "\"Resources\"" | "'Resources'") {
                    found = Some(offset + line.len());
                    break;
                }
                offset += line.len();
            }
            found
        };
        let indent = match (json, start) {
            (false, Some(s)) => text.get(s..).and_then(|rest| {
                rest.lines()
                    .find(|l| {
                        let t = l.trim_start();
                        !t.is_empty() && !t.starts_with('#')
                    })
                    .map(|l| l.len() - l.trim_start().len())
            }),
            _ => None,
        };
        ResourceLines {
            start,
            indent,
            json,
        }
    }

    fn line(&self, text: &str, id: &str) -> Option<u32> {
        let start = self.start?;
        let rest = text.get(start..)?;
        let at = if self.json {
            let quoted = format!("\"{id}\"");
            let mut from = 0;
            loop {
                let i = from + rest.get(from..)?.find(&quoted)?;
                let after = rest.get(i + quoted.len()..)?.trim_start();
                if after.starts_with(':') {
                    break i;
                }
                from = i + quoted.len();
            }
        } else {
            let indent = self.indent?;
            let mut offset = 0;
            let mut found = None;
            for line in rest.split_inclusive('\n') {
                let t = line.trim_start();
                let this_indent = line.len() - t.len();
                if !t.is_empty() && !t.starts_with('#') && this_indent == 0 {
                    break;
                }
                if this_indent == indent {
                    let key = t.split(':').next().unwrap_or_default().trim();
                    let key = key.trim_matches(|c| c == '"' || c == '\'');
                    if key == id {
                        found = Some(offset);
                        break;
                    }
                }
                offset += line.len();
            }
            found?
        };
        let before = text.get(..start + at)?;
        u32::try_from(before.bytes().filter(|&b| b == b'\n').count() + 1).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Namespace:
    Type: String
    Default: CISBenchmark
  Email:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Namespace, CISBenchmark]
Mappings:
  Names:
    Filters:
      Root: RootAccountUsage
Resources:
  TrailLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub "${Namespace}-trail"
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      IsMultiRegionTrail: true
      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn
      CloudWatchLogsRoleArn: !GetAtt [Role, Arn]
  RootFilter:
    Type: AWS::Logs::MetricFilter
    Properties:
      FilterName: !FindInMap [Names, Filters, Root]
      LogGroupName: !Ref TrailLogs
      FilterPattern: '{ $.userIdentity.type = "Root" }'
      MetricTransformations:
        - MetricName: RootAccountUsage
          MetricNamespace: !Ref Namespace
          MetricValue: "1"
  Alerts:
    Type: AWS::SNS::Topic
    Properties:
      Subscription:
        - Endpoint: !Ref Email
          Protocol: email
  RootAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: !If [IsProd, root-prod, root-dev]
      MetricName: RootAccountUsage
      Namespace: !Ref Namespace
      AlarmActions: [!Ref Alerts]
  Sub:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !GetAtt Alerts.TopicArn
      Protocol: email
      Endpoint: a@example.com
"#;

    #[test]
    fn yaml_short_tags_resolve() {
        let inv = load_yaml("t.yaml", YAML)
            .expect("a template")
            .expect("readable");
        let t = &inv.trails[0];
        assert_eq!(t.log_group, Some(Val::known("CISBenchmark-trail")));
        assert_eq!(t.multi_region, Some(true));
        assert_eq!(t.logging, Some(true));
        assert_eq!(t.name, Val::unresolved("Trail"));
        assert_eq!(t.origin.line, Some(19));
        let f = &inv.metric_filters[0];
        assert_eq!(f.name, Val::known("RootAccountUsage"));
        assert_eq!(f.log_group, Val::known("CISBenchmark-trail"));
        assert_eq!(f.metrics[0].namespace, Val::known("CISBenchmark"));
        let a = &inv.alarms[0];
        assert_eq!(a.name, Val::known("root-prod"));
        assert_eq!(a.topics, vec![Val::unresolved("Alerts")]);
        assert_eq!(inv.subscriptions.len(), 2);
        assert!(inv
            .subscriptions
            .iter()
            .all(|s| s.topic == Val::unresolved("Alerts")));
        assert_eq!(inv.subscriptions[0].endpoint, None);
        assert_eq!(inv.subscriptions[1].origin.line, Some(49));
    }

    #[test]
    fn not_templates_are_none() {
        assert!(load_yaml("ci.yml", "name: CI\non:\n  push: {}\njobs: {}\n").is_none());
        assert!(load_yaml(
            "k.yaml",
            "apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Service\n"
        )
        .is_none());
        assert!(load_yaml("README.md", "# Title\n\nSome *text*: here.\n\n- a\n- b\n").is_none());
        assert!(load_yaml("x.sh", "#!/bin/sh\necho \"a: b\" | grep x\n").is_none());
    }

    #[test]
    fn broken_templates_are_errors_with_lines() {
        let bad = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A:\n    Type: AWS::SNS::Topic\n   Properties: {}\n";
        let e = load_yaml("b.yaml", bad)
            .expect("a template")
            .expect_err("broken");
        assert!(e.line.is_some(), "{e}");
        let tag = "Resources:\n  A:\n    Type: AWS::SNS::Subscription\n    Properties:\n      TopicArn: !Reff Topic\n";
        let e = load_yaml("t.yaml", tag)
            .expect("a template")
            .expect_err("bad tag");
        assert_eq!((e.line, e.column), (Some(5), Some(17)));
        assert!(e.message.contains("!Reff"), "{e}");
    }

    #[test]
    fn aliases_and_nesting_do_not_crash() {
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nResources: {}\n";
        let _ = load_yaml("bomb.yaml", bomb);
        let deep = format!(
            "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let _ = load_yaml("deep.yaml", &deep);
        let nested_if = format!(
            "Resources:\n  A:\n    Type: AWS::SNS::Subscription\n    Properties:\n      TopicArn: {}x{}\n",
            "!Select [0, [".repeat(120),
            "]]".repeat(120)
        );
        let _ = load_yaml(
            "dash.yaml",
            &format!("Resources:\n  A: {}x\n", "- ".repeat(100_000)),
        );
        let mut ind = String::from("Resources:\n");
        for i in 0..3000 {
            ind.push_str(&" ".repeat(i + 1));
            ind.push_str("k:\n");
        }
        let _ = load_yaml("ind.yaml", &ind);
        let r = load_yaml("nested.yaml", &nested_if);
        assert!(matches!(r, Some(Err(_))));
    }

    #[test]
    fn json_templates_and_lines() {
        let text = r#"{
  "Resources": {
    "Topic": {"Type": "AWS::SNS::Topic"},
    "Alarm": {
      "Type": "AWS::CloudWatch::Alarm",
      "Properties": {
        "AlarmName": {"Fn::Join": ["-", ["cis", {"Ref": "AWS::Region"}]]},
        "Metrics": [{"Id": "m", "MetricStat": {"Metric": {"MetricName": "M", "Namespace": "N"}}}],
        "AlarmActions": [{"Ref": "Topic"}, "arn:aws:automate:us-east-1:ec2:stop"],
        "ActionsEnabled": false
      }
    }
  }
}"#;
        let value: serde_json::Value = serde_json::from_str(text).expect("json");
        assert!(is_template(&value));
        let inv = load_json("t.json", text, &value).expect("readable");
        let a = &inv.alarms[0];
        assert_eq!(a.origin.line, Some(4));
        assert_eq!(a.name, Val::unresolved("cis-${AWS::Region}"));
        assert_eq!(
            a.metrics,
            vec![Metric {
                namespace: Val::known("N"),
                name: Val::known("M")
            }]
        );
        assert_eq!(a.topics, vec![Val::unresolved("Topic")]);
        assert_eq!(a.actions_enabled, Some(false));
        assert!(!inv.seen.trails);
        assert!(!is_template(
            &serde_json::json!({"name": "x", "dependencies": {}})
        ));
    }
}
