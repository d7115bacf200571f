//! Property tests of the syntax and canonical layers.
//!
//! Strategies generate syntax trees and "logical" patterns over tiny vocabularies (fields
//! `a`, `b`, `c`; a few strings, numbers, wildcards and regexes) so that overlaps and
//! repetitions actually happen.

use proptest::prelude::*;
use serde_json::Value;

use cwpattern::canon::{self, Canonical};
use cwpattern::syntax::ast::{
    CmpOp, Condition, Entry, Expr, FieldCondition, Pattern, PatternKind, Selector, Step, Term,
    TermPrefix, TermText, Test, Value as AstValue, ValueKind,
};
use cwpattern::syntax::{self, ParseOptions, Span};

const RELAXED: ParseOptions = ParseOptions {
    aws_limits: false,
    max_depth: 100,
};

fn parse(text: &str) -> Pattern {
    syntax::parse_with(text, RELAXED).unwrap_or_else(|e| panic!("{text:?} does not parse:\n{e}"))
}

fn canonical(text: &str) -> Canonical {
    canon::lower(&parse(text))
}

/// The tree as JSON with every span removed, for comparing trees modulo layout.
fn without_spans(pattern: &Pattern) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|k, _| !k.ends_with("span"));
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(pattern).expect("a tree serialises");
    strip(&mut v);
    v
}

// ------------------------------------------------------------------ syntax-tree strategies

fn span() -> Span {
    Span::default()
}

fn regex(body: &str) -> cwpattern::regex::Regex {
    cwpattern::regex::Regex::parse(body).expect("strategy regexes are valid")
}

fn value_kind(ordering: bool) -> BoxedStrategy<ValueKind> {
    let numbers = prop::sample::select(vec!["0", "1", "-2", "1.5", "1e3", "+7", "10E-1"]);
    if ordering {
        return numbers
            .prop_map(|n| ValueKind::Number(n.to_owned()))
            .boxed();
    }
    let bare = prop::sample::select(vec![
        "x",
        "y",
        "x*",
        "*y",
        "*x*",
        "Put*Policy",
        "iam.amazonaws.com",
        "*",
        "-z",
        "a_b",
    ]);
    let quoted = prop::sample::select(vec![
        "x",
        "x y",
        "a\"b",
        "back\\slash",
        "",
        "*",
        "é",
        "200",
        "y*",
    ]);
    let regexes = prop::sample::select(vec!["x", "^a.b$", "[0-9]+", "a|b", "\\d{2,3}"]);
    prop_oneof![
        numbers.prop_map(|n| ValueKind::Number(n.to_owned())),
        bare.prop_map(|s| ValueKind::Bare(s.to_owned())),
        quoted.prop_map(|s| ValueKind::Quoted(s.to_owned())),
        regexes.prop_map(|r| ValueKind::Regex(regex(r))),
    ]
    .boxed()
}

fn cmp_op() -> impl Strategy<Value = CmpOp> {
    prop::sample::select(vec![
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ])
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        prop::sample::select(vec!["a", "b", "c-d", "e_1"]).prop_map(|k| Step::Key(k.to_owned())),
        prop::sample::select(vec!["k.x", "a", "with space"])
            .prop_map(|k| Step::QuotedKey(k.to_owned())),
        (0u64..3).prop_map(Step::Index),
        Just(Step::AnyIndex),
        Just(Step::AnyKey),
    ]
}

fn selector() -> impl Strategy<Value = Selector> {
    // The first step follows `$.`, so it must be a key, a quoted key or `.*`.
    let first = prop_oneof![
        prop::sample::select(vec!["a", "b", "eventName"]).prop_map(|k| Step::Key(k.to_owned())),
        Just(Step::QuotedKey("k.x".to_owned())),
        Just(Step::AnyKey),
    ];
    (first, prop::collection::vec(step(), 0..3)).prop_map(|(first, more)| {
        let mut steps = vec![first];
        steps.extend(more);
        Selector {
            steps,
            span: span(),
        }
    })
}

fn condition() -> impl Strategy<Value = Condition> {
    let compare = cmp_op().prop_flat_map(|op| {
        value_kind(op.is_ordering()).prop_map(move |kind| Test::Compare {
            op,
            value: AstValue { kind, span: span() },
        })
    });
    let test = prop_oneof![
        4 => compare,
        1 => prop::sample::select(vec![Test::IsNull, Test::IsTrue, Test::IsFalse, Test::NotExists]),
    ];
    (selector(), test).prop_map(|(selector, test)| Condition {
        selector,
        test,
        span: span(),
    })
}

/// Well-formed expressions: `And` operands are leaves or parentheses, `Or` operands are
/// anything but `Or`.
fn expr<T: Clone + std::fmt::Debug + 'static>(leaf: BoxedStrategy<T>) -> BoxedStrategy<Expr<T>> {
    let leaf_expr = leaf.prop_map(|leaf| Expr::Leaf { leaf });
    leaf_expr
        .prop_recursive(3, 16, 4, |inner| {
            let paren = inner.clone().prop_map(|e| Expr::Paren {
                inner: Box::new(e),
                span: span(),
            });
            let and_operand = prop_oneof![
                inner
                    .clone()
                    .prop_filter("leaf", |e| matches!(e, Expr::Leaf { .. })),
                paren.clone()
            ];
            let and = prop::collection::vec(and_operand, 2..4).prop_map(|operands| Expr::And {
                operands,
                span: span(),
            });
            let or_operand = prop_oneof![
                inner
                    .clone()
                    .prop_filter("no or", |e| !matches!(e, Expr::Or { .. })),
                and.clone(),
            ];
            let or = prop::collection::vec(or_operand, 2..4).prop_map(|operands| Expr::Or {
                operands,
                span: span(),
            });
            prop_oneof![paren, and, or]
        })
        .boxed()
}

fn term() -> impl Strategy<Value = Term> {
    let prefix = prop::sample::select(vec![
        TermPrefix::Required,
        TermPrefix::Excluded,
        TermPrefix::Optional,
    ]);
    let text = prop_oneof![
        prop::sample::select(vec!["ERROR", "WARN", "x_1", "a-b", "#tag", "50%"])
            .prop_map(|s| TermText::Bare(s.to_owned())),
        prop::sample::select(vec!["a phrase", "[ERROR]", "q\"uote", "", " ", "{x}"])
            .prop_map(|s| TermText::Quoted(s.to_owned())),
        prop::sample::select(vec!["ERR.R", "^start", "x|y"])
            .prop_map(|r| TermText::Regex(regex(r))),
    ];
    (prefix, text).prop_map(|(prefix, text)| Term {
        prefix,
        text,
        span: span(),
    })
}

fn field_condition(name: &'static str) -> BoxedStrategy<FieldCondition> {
    cmp_op()
        .prop_flat_map(move |op| {
            value_kind(op.is_ordering()).prop_map(move |kind| FieldCondition {
                name: name.to_owned(),
                op,
                value: AstValue { kind, span: span() },
                span: span(),
            })
        })
        .boxed()
}

fn entries() -> impl Strategy<Value = Vec<Entry>> {
    let names = ["f1", "f2", "f3", "f4"];
    let entry = |name: &'static str| {
        prop_oneof![
            Just(Entry::Field {
                name: name.to_owned(),
                name_span: span(),
                conditions: None,
                span: span()
            }),
            expr(field_condition(name)).prop_map(move |e| Entry::Field {
                name: name.to_owned(),
                name_span: span(),
                conditions: Some(e),
                span: span(),
            }),
            Just(Entry::Empty { span: span() }),
        ]
    };
    (
        entry(names[0]),
        entry(names[1]),
        entry(names[2]),
        entry(names[3]),
        0usize..5,
        0usize..5,
        any::<bool>(),
    )
        .prop_map(|(a, b, c, d, len, ellipsis_at, with_ellipsis)| {
            let mut list: Vec<Entry> = vec![a, b, c, d].into_iter().take(len).collect();
            if with_ellipsis {
                list.insert(
                    ellipsis_at.min(list.len()),
                    Entry::Ellipsis { span: span() },
                );
            }
            // A lone empty entry prints as `[]`, which is the pattern with no entries.
            if list.len() == 1 && matches!(list[0], Entry::Empty { .. }) {
                list.clear();
            }
            list
        })
}

fn pattern() -> impl Strategy<Value = Pattern> {
    let terms = prop::collection::vec(term(), 1..5).prop_filter("a term pattern cannot start with { or [", |terms| {
        !matches!(&terms[0], Term { prefix: TermPrefix::Required, text: TermText::Bare(s), .. } if s.starts_with(['{', '[']))
    });
    let kind = prop_oneof![
        Just(PatternKind::Empty),
        terms.prop_map(|terms| PatternKind::Terms { terms }),
        expr(condition().boxed()).prop_map(|expr| PatternKind::Json { expr }),
        entries().prop_map(|entries| PatternKind::Delimited { entries }),
    ];
    kind.prop_map(|kind| Pattern { kind, span: span() })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// (a) Printing a syntax tree and parsing it back gives the same tree.
    #[test]
    fn print_parse_roundtrip(tree in pattern()) {
        let text = tree.to_string();
        let back = parse(&text);
        prop_assert_eq!(without_spans(&back), without_spans(&tree), "printed as {:?}", text);
        prop_assert_eq!(back.to_string(), text);
    }

    /// (b) The canonical form is idempotent, and (d) its text parses to the same form.
    #[test]
    fn canonical_is_idempotent(tree in pattern()) {
        let once = canon::lower(&parse(&tree.to_string()));
        let text = once.to_string();
        let twice = canonical(&text);
        prop_assert_eq!(&twice, &once, "canonical text {:?}", text);
        prop_assert_eq!(twice.to_string(), text);
    }
}

// -------------------------------------------------------- surface variations of one meaning

/// A JSON pattern's meaning as nested groups: `Or` of `And` of … of atoms.
#[derive(Debug, Clone)]
enum Logic {
    Atom(&'static str, &'static str, &'static str),
    And(Vec<Logic>),
    Or(Vec<Logic>),
}

fn logic() -> impl Strategy<Value = Logic> {
    let atom = (
        prop::sample::select(vec!["a", "b", "c"]),
        prop::sample::select(vec!["=", "!="]),
        prop::sample::select(vec![
            "x",
            "y",
            "Put*",
            "*z",
            "CreatePolicy",
            "iam.amazonaws.com",
        ]),
    )
        .prop_map(|(f, op, v)| Logic::Atom(f, op, v));
    atom.prop_recursive(3, 20, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Logic::And),
            prop::collection::vec(inner, 1..4).prop_map(Logic::Or),
        ]
    })
}

/// How to write a [`Logic`]: the random choices behind one surface form.
#[derive(Debug, Clone)]
struct Style {
    choices: Vec<u8>,
}

impl Style {
    fn pick(&mut self, n: u8) -> u8 {
        let c = self.choices.pop().unwrap_or(0);
        c % n.max(1)
    }

    fn space(&mut self) -> &'static str {
        ["", " ", "  ", "\n", "\t", " \n "][self.pick(6) as usize]
    }
}

/// Writes `logic` with shuffled and duplicated operands, extra parentheses, requoted values
/// and varied whitespace. `parent_and` tells whether an `Or` needs parentheses here.
fn render(logic: &Logic, style: &mut Style, parent_and: bool) -> String {
    match logic {
        Logic::Atom(field, op, value) => {
            let value = if style.pick(2) == 0 {
                value.to_string()
            } else {
                format!("\"{value}\"")
            };
            let field = if style.pick(3) == 0 {
                format!("$.['{field}']")
            } else {
                format!("$.{field}")
            };
            let atom = format!("{field}{}{op}{}{value}", style.space(), style.space());
            if style.pick(3) == 0 {
                format!("({}{atom}{})", style.space(), style.space())
            } else {
                atom
            }
        }
        Logic::And(items) | Logic::Or(items) => {
            let is_and = matches!(logic, Logic::And(_));
            let mut order: Vec<&Logic> = items.iter().collect();
            for i in (1..order.len()).rev() {
                let j = style.pick(i as u8 + 1) as usize;
                order.swap(i, j);
            }
            if style.pick(3) == 0 {
                if let Some(&first) = order.first() {
                    order.push(first);
                }
            }
            let sep = if is_and { "&&" } else { "||" };
            // A group of one is written as its member, which then sits in the parent's
            // context: it needs parentheses if it is an `||` under an `&&` there.
            let context = if order.len() == 1 { parent_and } else { is_and };
            let parts: Vec<String> = order.iter().map(|l| render(l, style, context)).collect();
            let joined = parts.join(&format!("{}{sep}{}", style.space(), style.space()));
            let needs_parens = parts.len() > 1 && !is_and && parent_and;
            if needs_parens || style.pick(4) == 0 {
                format!("({joined})")
            } else {
                joined
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// (c) Permuting, duplicating or re-parenthesising operands, re-quoting values and
    /// changing whitespace never changes the canonical text.
    #[test]
    fn canonical_text_ignores_surface(logic in logic(), s1 in prop::collection::vec(any::<u8>(), 64), s2 in prop::collection::vec(any::<u8>(), 64)) {
        let one = format!("{{{}}}", render(&logic, &mut Style { choices: s1 }, false));
        let two = format!("{{ {} }}", render(&logic, &mut Style { choices: s2 }, false));
        let (c1, c2) = (canonical(&one), canonical(&two));
        prop_assert_eq!(c1.to_string(), c2.to_string(), "{:?} vs {:?}", one, two);
    }
}
