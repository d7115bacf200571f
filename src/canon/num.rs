//! Exact decimal numbers.
//!
//! Invariant: a [`Num`] is `(-1)^neg × 0.d₁d₂…dₙ × 10^exp` with `digits` free of leading and
//! trailing zeros; zero is the empty digit string with `neg = false` and `exp = 0`. So every
//! value has exactly one representation, `==` is numeric equality and the derived order is
//! replaced by a numeric one. No floating point: `1e400`, `0.1` and `1e-400` compare exactly.

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;

/// The largest exponent magnitude kept exactly; larger ones saturate (far beyond any number
/// a pattern can write in 1024 characters, so comparisons with pattern numbers stay exact).
const EXP_LIMIT: i64 = 1 << 40;

/// An exact decimal number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Num {
    neg: bool,
    digits: Box<str>,
    exp: i64,
}

impl Num {
    /// Zero.
    pub fn zero() -> Num {
        Num {
            neg: false,
            digits: "".into(),
            exp: 0,
        }
    }

    /// Parses a number in the filter-pattern (and JSON) syntax:
    /// `[+-] digits [. digits] [(e|E) [+-] digits]`. Returns `None` for anything else.
    ///
    /// ```
    /// use cwpattern::canon::Num;
    /// assert_eq!(Num::parse("1e+3"), Num::parse("1000.00"));
    /// assert!(Num::parse("0.1").unwrap() < Num::parse("1e-0").unwrap());
    /// assert_eq!(Num::parse("abc"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Num> {
        let (neg, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(at) => (&rest[..at], Some(&rest[at + 1..])),
            None => (rest, None),
        };
        let (int, frac) = match mantissa.find('.') {
            Some(at) => (&mantissa[..at], Some(&mantissa[at + 1..])),
            None => (mantissa, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
            return None;
        }
        let exp10 = match exponent {
            None => 0,
            Some(e) => parse_exponent(e)?,
        };
        let frac = frac.unwrap_or("");
        let joined = format!("{int}{frac}");
        let leading = joined.len() - joined.trim_start_matches('0').len();
        let significant = joined.trim_start_matches('0').trim_end_matches('0');
        if significant.is_empty() {
            return Some(Num::zero());
        }
        let exp = (int.len() as i64) - (leading as i64) + exp10;
        Some(Num {
            neg,
            digits: significant.into(),
            exp: exp.clamp(-EXP_LIMIT, EXP_LIMIT),
        })
    }

    /// True for zero.
    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// The significant digits (no leading or trailing zeros); `None` for zero.
    pub(crate) fn digits(&self) -> Option<&str> {
        (!self.is_zero()).then_some(&*self.digits)
    }

    /// The exponent `e` of `0.digits × 10^e`; `None` for zero.
    pub(crate) fn exponent(&self) -> Option<i64> {
        (!self.is_zero()).then_some(self.exp)
    }

    /// `10^k`.
    pub(crate) fn pow10(k: i64) -> Num {
        Num {
            neg: false,
            digits: "1".into(),
            exp: k.saturating_add(1).clamp(-EXP_LIMIT, EXP_LIMIT),
        }
    }

    /// The position of the least significant digit: the value is a multiple of `10^lsd`.
    /// `None` for zero.
    pub(crate) fn lsd(&self) -> Option<i64> {
        (!self.is_zero()).then(|| self.exp - self.digits.len() as i64)
    }

    /// The exact sum, or `None` when the operands' digits lie more than 4096 places apart
    /// (never the case for numbers written in a pattern of 1024 characters, except with
    /// huge exponents, where the caller gives up honestly).
    pub(crate) fn checked_add(&self, other: &Num) -> Option<Num> {
        if self.is_zero() {
            return Some(other.clone());
        }
        if other.is_zero() {
            return Some(self.clone());
        }
        let low = self.lsd()?.min(other.lsd()?);
        let high = self.exp.max(other.exp);
        if high - low > 4096 {
            return None;
        }
        let width = (high - low) as usize + 1;
        let a = self.scaled(low, width);
        let b = other.scaled(low, width);
        let (neg, digits) = match (self.neg, other.neg) {
            (x, y) if x == y => (x, add_digits(&a, &b)),
            _ => match a.cmp(&b) {
                Ordering::Equal => return Some(Num::zero()),
                Ordering::Greater => (self.neg, sub_digits(&a, &b)),
                Ordering::Less => (other.neg, sub_digits(&b, &a)),
            },
        };
        let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
        let num = Num::parse(&format!("{}{text}e{low}", if neg { "-" } else { "" }))?;
        Some(num)
    }

    /// The negation.
    pub(crate) fn negated(&self) -> Num {
        let mut n = self.clone();
        n.neg = !n.neg && !n.is_zero();
        n
    }

    /// The magnitude as digits (most significant first) of `width` places, the last one
    /// being `10^low`.
    fn scaled(&self, low: i64, width: usize) -> Vec<u8> {
        let mut out = vec![0u8; width];
        for (i, d) in self.digits.bytes().enumerate() {
            // Digit i has place value 10^(exp - 1 - i).
            let place = self.exp - 1 - i as i64;
            let from_low = (place - low) as usize;
            if from_low < width {
                out[width - 1 - from_low] = d - b'0';
            }
        }
        out
    }

    fn cmp_magnitude(&self, other: &Num) -> Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => self
                .exp
                .cmp(&other.exp)
                .then_with(|| self.digits.cmp(&other.digits)),
        }
    }
}

/// Parses an exponent `[+-] digits`, saturating huge values.
fn parse_exponent(e: &str) -> Option<i64> {
    let (neg, digits) = match e.as_bytes().first()? {
        b'-' => (true, &e[1..]),
        b'+' => (false, &e[1..]),
        _ => (false, e),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = digits.trim_start_matches('0');
    let value = if trimmed.len() > 15 {
        EXP_LIMIT
    } else {
        trimmed.parse::<i64>().unwrap_or(0).min(EXP_LIMIT)
    };
    Some(if neg { -value } else { value })
}

fn add_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len() + 1];
    let mut carry = 0;
    for i in (0..a.len()).rev() {
        let sum = a[i] + b[i] + carry;
        out[i + 1] = sum % 10;
        carry = sum / 10;
    }
    out[0] = carry;
    out
}

/// `a - b` for `a >= b`, digit strings of equal length.
fn sub_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len()];
    let mut borrow = 0i8;
    for i in (0..a.len()).rev() {
        let mut d = a[i] as i8 - b[i] as i8 - borrow;
        borrow = 0;
        if d < 0 {
            d += 10;
            borrow = 1;
        }
        out[i] = d as u8;
    }
    out
}

impl Ord for Num {
    fn cmp(&self, other: &Num) -> Ordering {
        let self_neg = self.neg && !self.is_zero();
        let other_neg = other.neg && !other.is_zero();
        match (self_neg, other_neg) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Num) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The shortest plain form for ordinary magnitudes (`1000`, `0.25`, `-3`), scientific
/// notation otherwise (`1e400`, `2.5e-9`). The text parses back to the same number.
impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("0");
        }
        if self.neg {
            f.write_str("-")?;
        }
        let d = &*self.digits;
        let n = d.len() as i64;
        if (1..=21).contains(&self.exp) {
            if n <= self.exp {
                write!(f, "{d}{}", "0".repeat((self.exp - n) as usize))
            } else {
                let (int, frac) = d.split_at(self.exp as usize);
                write!(f, "{int}.{frac}")
            }
        } else if (-5..=0).contains(&self.exp) {
            write!(f, "0.{}{d}", "0".repeat((-self.exp) as usize))
        } else {
            let (first, more) = d.split_at(1);
            let point = if more.is_empty() { "" } else { "." };
            write!(f, "{first}{point}{more}e{}", self.exp - 1)
        }
    }
}

impl fmt::Debug for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Num({self})")
    }
}

impl Serialize for Num {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Num;

    fn n(s: &str) -> Num {
        Num::parse(s).unwrap_or_else(|| panic!("{s} is not a number"))
    }

    #[test]
    fn display_round_trips() {
        let cases = [
            ("1e+3", "1000"),
            ("0001000.000", "1000"),
            ("-0", "0"),
            ("+0.000", "0"),
            ("0.25", "0.25"),
            ("-3", "-3"),
            ("1e-3", "0.001"),
            ("1e-7", "1e-7"),
            ("25e-10", "2.5e-9"),
            ("1e400", "1e400"),
            ("123456789012345678901234", "1.23456789012345678901234e23"),
            ("55.5", "55.5"),
            ("10e3", "10000"),
        ];
        for (input, want) in cases {
            assert_eq!(n(input).to_string(), want, "input {input}");
            assert_eq!(n(want), n(input), "reparse {want}");
        }
    }

    #[test]
    fn order_is_numeric() {
        let ascending = [
            "-1e400", "-1000", "-2.5", "-0.001", "0", "1e-400", "0.001", "0.1", "1", "1.5", "2",
            "10", "1e400",
        ];
        for pair in ascending.windows(2) {
            assert!(n(pair[0]) < n(pair[1]), "{} < {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn exact_addition() {
        let cases = [
            ("1", "1", "2"),
            ("0.1", "0.2", "0.3"),
            ("-5", "3", "-2"),
            ("5", "-5", "0"),
            ("1e-7", "1", "1.0000001"),
            ("-0.5", "-0.25", "-0.75"),
            ("999", "1", "1000"),
            ("1e30", "-1", "999999999999999999999999999999"),
        ];
        for (a, b, sum) in cases {
            assert_eq!(n(a).checked_add(&n(b)), Some(n(sum)), "{a} + {b}");
        }
        assert_eq!(n("1e9000").checked_add(&n("1")), None);
        assert_eq!(Num::pow10(-3), n("0.001"));
        assert_eq!(n("1500").lsd(), Some(2));
    }

    #[test]
    fn rejects_non_numbers() {
        for s in [
            "", "-", "+", ".5", "5.", "1e", "1e+", "abc", "1.2.3", "NaN", "Infinity", "0x10",
            "1_000",
        ] {
            assert_eq!(Num::parse(s), None, "{s:?}");
        }
    }
}
