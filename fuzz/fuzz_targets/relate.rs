//! Two patterns built from a small grammar (so that they overlap) and a few events: the
//! relation is consistent with the evaluator on the witnesses and on the events, and
//! swapping the sides swaps the relation.
#![no_main]

use arbitrary::Arbitrary;
use cwpattern::eval::Matcher;
use cwpattern::logic::{relate_with, Limits, Relation};
use cwpattern::{canon, syntax};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug, Clone)]
enum Expr {
    Cond(u8, u8, u8),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

const FIELDS: &[&str] = &["$.a", "$.b", "$.a.b", "$.a[0]", "$.a[*]", "$.c.*"];
const VALUES: &[&str] = &["x", "y", "\"x*\"", "\"*y\"", "*", "1", "2", "\"1\"", "%^x%", "\"x*y\"", "-1.5", "1e1"];

impl Expr {
    fn render(&self, depth: u8) -> String {
        match self {
            Expr::Cond(f, op, v) => {
                let field = FIELDS[*f as usize % FIELDS.len()];
                let value = VALUES[*v as usize % VALUES.len()];
                match op % 9 {
                    0 => format!("{field} = {value}"),
                    1 => format!("{field} != {value}"),
                    2 => format!("{field} > {}", ["0", "1", "1.5"][*v as usize % 3]),
                    3 => format!("{field} <= {}", ["0", "1", "2"][*v as usize % 3]),
                    4 => format!("{field} IS NULL"),
                    5 => format!("{field} NOT EXISTS"),
                    6 => format!("{field} IS TRUE"),
                    _ => format!("{field} = {value}"),
                }
            }
            _ if depth > 3 => "$.a = x".to_owned(),
            Expr::And(a, b) => format!("({} && {})", a.render(depth + 1), b.render(depth + 1)),
            Expr::Or(a, b) => format!("({} || {})", a.render(depth + 1), b.render(depth + 1)),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    left: Expr,
    right: Expr,
    events: Vec<(u8, u8, u8)>,
}

fn event((a, b, c): (u8, u8, u8)) -> String {
    let values = ["\"x\"", "\"y\"", "\"xy\"", "1", "2", "\"1\"", "true", "null", "[\"x\"]", "{\"b\":\"y\"}", "[1,\"y\"]", "1.0"];
    let pick = |n: u8| values[n as usize % values.len()];
    let mut fields = Vec::new();
    if a % 4 != 0 {
        fields.push(format!("\"a\":{}", pick(a / 4)));
    }
    if b % 3 != 0 {
        fields.push(format!("\"b\":{}", pick(b / 3)));
    }
    if c % 3 != 0 {
        fields.push(format!("\"c\":{{\"k\":{}}}", pick(c / 3)));
    }
    format!("{{{}}}", fields.join(","))
}

fuzz_target!(|input: Input| {
    let parse = |e: &Expr| {
        let text = format!("{{ {} }}", e.render(0));
        syntax::parse(&text).ok().map(|ast| (text, canon::lower(&ast)))
    };
    let (Some((lt, l)), Some((rt, r))) = (parse(&input.left), parse(&input.right)) else { return };
    let limits = Limits { max_steps: 200_000, max_witnesses: 2 };
    let answer = relate_with(&l, &r, &limits);
    let (lm, rm) = (Matcher::new(&l), Matcher::new(&r));
    for w in &answer.left_only {
        assert!(lm.matches(w.message()) && !rm.matches(w.message()), "left_only witness {w:?} for {lt} vs {rt}");
    }
    for w in &answer.right_only {
        assert!(rm.matches(w.message()) && !lm.matches(w.message()), "right_only witness {w:?} for {lt} vs {rt}");
    }
    for e in input.events.iter().take(8).map(|t| event(*t)) {
        let (a, b) = (lm.matches(&e), rm.matches(&e));
        let contradiction = match answer.relation {
            Relation::Equivalent => a != b,
            Relation::Subset => a && !b,
            Relation::Superset => b && !a,
            Relation::Disjoint => a && b,
            _ => false,
        };
        assert!(!contradiction, "{:?} for {lt} vs {rt} contradicted by {e}", answer.relation);
    }
    let swapped = relate_with(&r, &l, &limits);
    let expected = match &answer.relation {
        Relation::Subset => Relation::Superset,
        Relation::Superset => Relation::Subset,
        other => other.clone(),
    };
    if !matches!(answer.relation, Relation::Unknown(_)) && !matches!(swapped.relation, Relation::Unknown(_)) {
        assert_eq!(swapped.relation, expected, "swap law for {lt} vs {rt}");
    }
});
