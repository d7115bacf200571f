//! The parser: body text to [`Sequence`]s of [`Piece`]s, validating as it goes.
//!
//! A single left-to-right pass with one char of lookahead (two inside a class,
//! to recognise ranges). There is no recursion: groups do not exist, so the
//! only nesting is a class inside the top-level sequence.

use super::{Atom, CharClass, Piece, RegexError, RegexErrorKind, Sequence};

/// The largest count allowed in `{n}`, `{m,n}`, `{m,}` and `{,n}`.
pub(crate) const MAX_REPEAT: u32 = 1000;

/// Parses a whole body into its top-level alternatives (at least one).
pub(crate) fn parse(src: &str) -> Result<Vec<Sequence>, RegexError> {
    let mut p = Parser { src, pos: 0 };
    let mut alternatives = Vec::new();
    let mut pieces: Vec<Piece> = Vec::new();
    // Whether the last piece is a char-consuming atom without a quantifier yet.
    let mut can_repeat = false;
    while let Some(c) = p.peek() {
        let start = p.pos;
        match c {
            '|' => {
                p.bump();
                alternatives.push(Sequence {
                    pieces: std::mem::take(&mut pieces),
                });
                can_repeat = false;
            }
            '*' | '+' | '?' => {
                p.bump();
                let (min, max) = match c {
                    '*' => (0, None),
                    '+' => (1, None),
                    _ => (0, Some(1)),
                };
                quantify(&mut pieces, can_repeat, c, start, p.pos, min, max)?;
                can_repeat = false;
            }
            '{' => {
                let (min, max) = p.counted()?;
                quantify(&mut pieces, can_repeat, c, start, p.pos, min, max)?;
                can_repeat = false;
            }
            '^' | '$' => {
                p.bump();
                let atom = if c == '^' { Atom::Start } else { Atom::End };
                pieces.push(Piece::once(atom));
                can_repeat = false;
            }
            '.' => {
                p.bump();
                pieces.push(Piece::once(Atom::Class(CharClass::dot())));
                can_repeat = true;
            }
            '[' => {
                let class = p.class()?;
                pieces.push(Piece::once(Atom::Class(class)));
                can_repeat = true;
            }
            '\\' => {
                p.bump();
                let class = match p.escape(start)? {
                    Item::Char(ch) => CharClass::single(ch),
                    Item::Set(set) => set,
                };
                pieces.push(Piece::once(Atom::Class(class)));
                can_repeat = true;
            }
            _ => {
                p.bump();
                check_literal(c, false)
                    .map_err(|kind| RegexError::new(kind, start, c.len_utf8()))?;
                pieces.push(Piece::once(Atom::Class(CharClass::single(c))));
                can_repeat = true;
            }
        }
    }
    alternatives.push(Sequence { pieces });
    Ok(alternatives)
}

/// Applies a quantifier spanning `start..end` to the last piece, or reports
/// that there is nothing to repeat.
fn quantify(
    pieces: &mut [Piece],
    can_repeat: bool,
    quantifier: char,
    start: usize,
    end: usize,
    min: u32,
    max: Option<u32>,
) -> Result<(), RegexError> {
    match pieces.last_mut() {
        Some(last) if can_repeat => {
            last.min = min;
            last.max = max;
            Ok(())
        }
        _ => Err(RegexError::new(
            RegexErrorKind::NothingToRepeat { quantifier },
            start,
            end - start,
        )),
    }
}

/// Checks a char that stands for itself. Inside a class some operator
/// characters are literals too (`. * + ? $ | { } ^`).
fn check_literal(c: char, in_class: bool) -> Result<(), RegexErrorKind> {
    let allowed = c.is_ascii_alphanumeric()
        || matches!(c, ':' | '_' | '#' | '=' | '@' | '/' | ';' | ',' | '-' | ' ')
        || (in_class && matches!(c, '.' | '*' | '+' | '?' | '$' | '|' | '{' | '}' | '^'));
    if allowed {
        Ok(())
    } else if c == '(' || c == ')' {
        Err(RegexErrorKind::Parenthesis { ch: c })
    } else if !c.is_ascii() {
        Err(RegexErrorKind::NonAscii { ch: c })
    } else {
        Err(RegexErrorKind::DisallowedChar { ch: c })
    }
}

/// One class item or escape: a single char, or a set (`\d` and friends).
enum Item {
    Char(char),
    Set(CharClass),
}

/// A run of decimal digits: its value (saturating) and byte span.
struct Digits {
    value: u64,
    offset: usize,
    len: usize,
}

struct Parser<'a> {
    src: &'a str,
    /// Byte offset of the next char; always a char boundary of `src`.
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek2(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn err<T>(&self, kind: RegexErrorKind, offset: usize, len: usize) -> Result<T, RegexError> {
        Err(RegexError::new(kind, offset, len))
    }

    /// Parses the escape whose `\` (at `start`) has just been consumed.
    fn escape(&mut self, start: usize) -> Result<Item, RegexError> {
        let Some(c) = self.bump() else {
            return self.err(RegexErrorKind::TrailingBackslash, start, 1);
        };
        Ok(match c {
            'd' => Item::Set(CharClass::digit()),
            'D' => Item::Set(CharClass::digit().negate()),
            's' => Item::Set(CharClass::space()),
            'S' => Item::Set(CharClass::space().negate()),
            'w' => Item::Set(CharClass::word()),
            'W' => Item::Set(CharClass::word().negate()),
            'x' => {
                let mut end = self.pos;
                let mut value = 0u32;
                let mut hex_digits = 0;
                for h in self.rest().chars().take(2) {
                    end += h.len_utf8();
                    if let Some(d) = h.to_digit(16) {
                        value = value * 16 + d;
                        hex_digits += 1;
                    } else {
                        break;
                    }
                }
                if hex_digits != 2 {
                    return self.err(RegexErrorKind::InvalidHexEscape, start, end - start);
                }
                self.pos = end;
                match u8::try_from(value) {
                    Ok(byte) if byte.is_ascii() => Item::Char(char::from(byte)),
                    _ => {
                        let value = u8::try_from(value).unwrap_or(u8::MAX);
                        return self.err(
                            RegexErrorKind::HexEscapeNotAscii { value },
                            start,
                            end - start,
                        );
                    }
                }
            }
            c if c.is_ascii_punctuation() => Item::Char(c),
            c if !c.is_ascii() => {
                return self.err(RegexErrorKind::NonAscii { ch: c }, start + 1, c.len_utf8());
            }
            c => {
                return self.err(
                    RegexErrorKind::UnknownEscape { ch: c },
                    start,
                    1 + c.len_utf8(),
                )
            }
        })
    }

    /// Parses `[...]` starting at the `[`.
    fn class(&mut self) -> Result<CharClass, RegexError> {
        let start = self.pos;
        self.bump();
        let negated = self.peek() == Some('^');
        if negated {
            self.bump();
        }
        let mut ranges: Vec<(char, char)> = Vec::new();
        let mut items = 0usize;
        loop {
            let Some(c) = self.peek() else {
                return self.err(RegexErrorKind::UnclosedClass, start, self.pos - start);
            };
            if c == ']' {
                self.bump();
                if items == 0 {
                    return self.err(RegexErrorKind::EmptyClass, start, self.pos - start);
                }
                break;
            }
            items += 1;
            let item_start = self.pos;
            match self.class_item()? {
                Item::Set(set) => ranges.extend_from_slice(set.ranges()),
                Item::Char(lo) => {
                    // `-` makes a range unless it is the class's last char.
                    let is_range =
                        self.peek() == Some('-') && self.peek2().is_some_and(|n| n != ']');
                    if !is_range {
                        ranges.push((lo, lo));
                        continue;
                    }
                    self.bump();
                    match self.class_item()? {
                        Item::Char(hi) if lo <= hi => ranges.push((lo, hi)),
                        Item::Char(hi) => {
                            return self.err(
                                RegexErrorKind::ReversedRange { start: lo, end: hi },
                                item_start,
                                self.pos - item_start,
                            );
                        }
                        Item::Set(_) => {
                            return self.err(
                                RegexErrorKind::ClassRangeEndpoint,
                                item_start,
                                self.pos - item_start,
                            );
                        }
                    }
                }
            }
        }
        let class = CharClass::new(ranges);
        Ok(if negated { class.negate() } else { class })
    }

    /// One char or escape inside a class (the caller has checked one exists).
    fn class_item(&mut self) -> Result<Item, RegexError> {
        let start = self.pos;
        match self.bump() {
            None => self.err(RegexErrorKind::UnclosedClass, start, 0),
            Some('\\') => self.escape(start),
            Some(c) => match check_literal(c, true) {
                Ok(()) => Ok(Item::Char(c)),
                Err(kind) => self.err(kind, start, c.len_utf8()),
            },
        }
    }

    /// Reads a (possibly empty) run of ASCII digits.
    fn digits(&mut self) -> Option<Digits> {
        let offset = self.pos;
        let mut value = 0u64;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            self.bump();
            value = value.saturating_mul(10).saturating_add(u64::from(d));
        }
        let len = self.pos - offset;
        (len > 0).then_some(Digits { value, offset, len })
    }

    /// Parses a counted repetition starting at the `{`: `{n}`, `{m,n}`,
    /// `{m,}` or `{,n}`. Returns `(min, max)`, `max == None` for unbounded.
    fn counted(&mut self) -> Result<(u32, Option<u32>), RegexError> {
        let start = self.pos;
        self.bump();
        let lo = self.digits();
        let comma = self.peek() == Some(',');
        if comma {
            self.bump();
        }
        let hi = if comma { self.digits() } else { None };
        let closed = self.peek() == Some('}');
        if !closed || (lo.is_none() && hi.is_none()) {
            let end = self.pos + self.peek().map_or(0, char::len_utf8);
            return self.err(RegexErrorKind::InvalidRepetition, start, end - start);
        }
        self.bump();
        let check = |d: &Option<Digits>| -> Result<Option<u32>, RegexError> {
            match d {
                None => Ok(None),
                Some(d) => match u32::try_from(d.value) {
                    Ok(v) if v <= MAX_REPEAT => Ok(Some(v)),
                    _ => Err(RegexError::new(
                        RegexErrorKind::RepetitionTooLarge { count: d.value },
                        d.offset,
                        d.len,
                    )),
                },
            }
        };
        let lo = check(&lo)?;
        let hi = check(&hi)?;
        let min = lo.unwrap_or(0);
        let max = if comma { hi } else { lo };
        if let Some(max) = max {
            if min > max {
                return self.err(
                    RegexErrorKind::RepetitionReversed { min, max },
                    start,
                    self.pos - start,
                );
            }
        }
        Ok((min, max))
    }
}
