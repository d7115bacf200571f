//! [`CharClass`]: a set of Unicode scalar values stored as canonical ranges.

use std::cmp::Ordering;

/// A set of `char`s (Unicode scalar values), stored in canonical form.
///
/// The canonical form is a list of inclusive `(start, end)` ranges that are
/// sorted, non-overlapping and non-adjacent: between two consecutive ranges
/// there is at least one scalar value that is in neither. The surrogate gap
/// `U+D800..=U+DFFF` holds no scalar values, so `'\u{D7FF}'` and `'\u{E000}'`
/// count as adjacent and `[('\0', char::MAX)]` is the one canonical form of
/// "every char". Every constructor and operation returns canonical values, so
/// two classes are equal (`==`) exactly when they hold the same chars, and the
/// derived `Ord` sorts classes by their ranges.
///
/// ```
/// use cwpattern::regex::CharClass;
/// let c = CharClass::new([('c', 'e'), ('a', 'b'), ('x', 'x')]);
/// assert_eq!(c.ranges(), &[('a', 'e'), ('x', 'x')]);
/// assert!(c.contains('d') && !c.contains('f'));
/// assert_eq!(c.negate().negate(), c);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CharClass {
    ranges: Vec<(char, char)>,
}

/// The scalar value after `c`, skipping the surrogate gap; `None` after `char::MAX`.
fn next_scalar(c: char) -> Option<char> {
    match c {
        '\u{D7FF}' => Some('\u{E000}'),
        char::MAX => None,
        _ => char::from_u32(u32::from(c) + 1),
    }
}

/// The scalar value before `c`, skipping the surrogate gap; `None` before `'\0'`.
fn prev_scalar(c: char) -> Option<char> {
    match c {
        '\u{E000}' => Some('\u{D7FF}'),
        '\0' => None,
        _ => char::from_u32(u32::from(c) - 1),
    }
}

impl CharClass {
    /// Builds a class from inclusive ranges given in any order, possibly
    /// overlapping or adjacent, and canonicalises them (see the type docs).
    /// A pair whose start is greater than its end denotes the empty interval
    /// and contributes nothing.
    pub fn new(ranges: impl IntoIterator<Item = (char, char)>) -> Self {
        let mut input: Vec<(char, char)> = ranges.into_iter().filter(|(lo, hi)| lo <= hi).collect();
        input.sort_unstable();
        let mut out: Vec<(char, char)> = Vec::with_capacity(input.len());
        for (lo, hi) in input {
            if let Some(last) = out.last_mut() {
                // `None` means `last` already reaches char::MAX, so it covers `lo..=hi`.
                let touches = next_scalar(last.1).map_or(true, |after| lo <= after);
                if touches {
                    if hi > last.1 {
                        last.1 = hi;
                    }
                    continue;
                }
            }
            out.push((lo, hi));
        }
        CharClass { ranges: out }
    }

    /// The empty class (matches no char).
    pub fn empty() -> Self {
        CharClass { ranges: Vec::new() }
    }

    /// The class of every Unicode scalar value, `'\0'..=char::MAX`.
    pub fn any() -> Self {
        CharClass {
            ranges: vec![('\0', char::MAX)],
        }
    }

    /// The class holding exactly the char `c`.
    pub fn single(c: char) -> Self {
        CharClass {
            ranges: vec![(c, c)],
        }
    }

    /// The canonical ranges: sorted, non-overlapping, non-adjacent, inclusive.
    pub fn ranges(&self) -> &[(char, char)] {
        &self.ranges
    }

    /// Whether `c` is in the class (binary search, `O(log ranges)`).
    pub fn contains(&self, c: char) -> bool {
        self.ranges
            .binary_search_by(|&(lo, hi)| {
                if hi < c {
                    Ordering::Less
                } else if lo > c {
                    Ordering::Greater
                } else {
                    Ordering::Equal
                }
            })
            .is_ok()
    }

    /// Whether the class holds no char at all.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Whether the class holds every Unicode scalar value.
    pub fn is_any(&self) -> bool {
        self.ranges == [('\0', char::MAX)]
    }

    /// The complement over all Unicode scalar values (surrogates are never
    /// members of either side). `c.negate().negate() == c` always holds.
    pub fn negate(&self) -> Self {
        let mut out = Vec::with_capacity(self.ranges.len() + 1);
        let mut next = Some('\0');
        for &(lo, hi) in &self.ranges {
            if let Some(from) = next {
                if from < lo {
                    if let Some(to) = prev_scalar(lo) {
                        out.push((from, to));
                    }
                }
            }
            next = next_scalar(hi);
        }
        if let Some(from) = next {
            out.push((from, char::MAX));
        }
        CharClass { ranges: out }
    }

    /// The chars in `self` or in `other`.
    pub fn union(&self, other: &CharClass) -> Self {
        CharClass::new(self.ranges.iter().chain(other.ranges.iter()).copied())
    }

    /// The chars in both `self` and `other`.
    pub fn intersect(&self, other: &CharClass) -> Self {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while let (Some(&(alo, ahi)), Some(&(blo, bhi))) = (self.ranges.get(i), other.ranges.get(j))
        {
            let lo = alo.max(blo);
            let hi = ahi.min(bhi);
            if lo <= hi {
                out.push((lo, hi));
            }
            if ahi < bhi {
                i += 1;
            } else {
                j += 1;
            }
        }
        CharClass::new(out)
    }

    /// The chars in `self` but not in `other`.
    pub fn difference(&self, other: &CharClass) -> Self {
        self.intersect(&other.negate())
    }

    /// Whether every char of `self` is also in `other`.
    pub fn is_subset(&self, other: &CharClass) -> bool {
        self.difference(other).is_empty()
    }

    /// `\d`: the ASCII digits `0-9`.
    pub(crate) fn digit() -> Self {
        CharClass {
            ranges: vec![('0', '9')],
        }
    }

    /// `\w`: `[0-9A-Z_a-z]`.
    pub(crate) fn word() -> Self {
        CharClass {
            ranges: vec![('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')],
        }
    }

    /// `\s`: tab, newline, vertical tab, form feed, carriage return and space.
    pub(crate) fn space() -> Self {
        CharClass {
            ranges: vec![('\t', '\r'), (' ', ' ')],
        }
    }

    /// `.`: every char except `\n`.
    pub(crate) fn dot() -> Self {
        CharClass::single('\n').negate()
    }

    /// Bit `i` is set iff the ASCII char with code `i` is in the class.
    pub(crate) fn ascii_bitmap(&self) -> u128 {
        let mut bits = 0u128;
        for &(lo, hi) in &self.ranges {
            let lo = u32::from(lo);
            if lo > 127 {
                break;
            }
            let hi = u32::from(hi).min(127);
            for code in lo..=hi {
                bits |= 1u128 << code;
            }
        }
        bits
    }
}
