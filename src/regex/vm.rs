//! The matcher: a Thompson NFA compiled from the pieces, run as a Pike VM.
//!
//! Every thread is just a program counter (there are no captures), so a step
//! keeps a *set* of pcs, deduplicated with a per-position stamp. Each char of
//! the haystack is looked at once and each instruction is entered at most once
//! per position, so a search costs `O(len(haystack) × len(program))` time and
//! `O(len(program))` memory, whatever the regex. Epsilon closures use an
//! explicit stack, never recursion.

use std::collections::BTreeMap;

use super::{Atom, CharClass, Sequence};

/// The most instructions a compiled program may have.
pub(crate) const MAX_STATES: usize = 20_000;

/// One NFA instruction. `Class`, `Start` and `End` continue at `pc + 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inst {
    /// Consume one char that is in `classes[i]`.
    Class(usize),
    /// Zero-width: holds only at position 0 of the haystack.
    Start,
    /// Zero-width: holds only at the end of the haystack.
    End,
    /// Continue at both targets.
    Split(usize, usize),
    /// Continue at the target.
    Jmp(usize),
    /// An alternative has matched.
    Match,
}

/// A class with a precomputed bitmap for the ASCII fast path.
#[derive(Debug, Clone)]
struct ClassEntry {
    ascii: u128,
    class: CharClass,
}

impl ClassEntry {
    fn matches(&self, c: char) -> bool {
        let code = u32::from(c);
        if code < 128 {
            (self.ascii >> code) & 1 == 1
        } else {
            self.class.contains(c)
        }
    }
}

/// A compiled regex.
#[derive(Debug, Clone)]
pub(crate) struct Program {
    insts: Vec<Inst>,
    classes: Vec<ClassEntry>,
    /// The first instruction of each alternative.
    starts: Vec<usize>,
    /// Every alternative begins with `^`, so threads only start at position 0.
    anchored: bool,
}

/// Builds a program, refusing to grow past [`MAX_STATES`] instructions.
struct Compiler {
    insts: Vec<Inst>,
    classes: Vec<ClassEntry>,
    class_ids: BTreeMap<CharClass, usize>,
}

impl Compiler {
    /// Appends an instruction and returns its pc, or `None` if the program is full.
    fn push(&mut self, inst: Inst) -> Option<usize> {
        if self.insts.len() >= MAX_STATES {
            return None;
        }
        self.insts.push(inst);
        Some(self.insts.len() - 1)
    }

    fn atom(&mut self, atom: &Atom) -> Option<usize> {
        let inst = match atom {
            Atom::Start => Inst::Start,
            Atom::End => Inst::End,
            Atom::Class(class) => {
                let next_id = self.classes.len();
                let id = *self.class_ids.entry(class.clone()).or_insert(next_id);
                if id == next_id {
                    self.classes.push(ClassEntry {
                        ascii: class.ascii_bitmap(),
                        class: class.clone(),
                    });
                }
                Inst::Class(id)
            }
        };
        self.push(inst)
    }

    fn patch(&mut self, pc: usize, target: usize) {
        if let Some(Inst::Split(_, second)) = self.insts.get_mut(pc) {
            *second = target;
        }
    }

    /// `atom{min,max}`: `min` copies, then either a loop or `max - min`
    /// optional copies that each may skip to the end.
    fn piece(&mut self, atom: &Atom, min: u32, max: Option<u32>) -> Option<()> {
        for _ in 0..min {
            self.atom(atom)?;
        }
        match max {
            None if min == 0 => {
                // L: split(L+1, out); atom; jmp L; out:
                let split = self.push(Inst::Split(0, 0))?;
                let body = self.atom(atom)?;
                self.push(Inst::Jmp(split))?;
                let out = self.insts.len();
                if let Some(inst) = self.insts.get_mut(split) {
                    *inst = Inst::Split(body, out);
                }
            }
            None => {
                // The last mandatory copy may repeat: split(last, out).
                let last = self.insts.len().saturating_sub(1);
                let split = self.push(Inst::Split(last, 0))?;
                self.patch(split, split + 1);
            }
            Some(max) => {
                let mut skips = Vec::new();
                for _ in min..max {
                    let split = self.push(Inst::Split(0, 0))?;
                    if let Some(inst) = self.insts.get_mut(split) {
                        *inst = Inst::Split(split + 1, 0);
                    }
                    skips.push(split);
                    self.atom(atom)?;
                }
                let out = self.insts.len();
                for split in skips {
                    self.patch(split, out);
                }
            }
        }
        Some(())
    }
}

impl Program {
    /// Compiles the alternatives; `None` if the program would exceed [`MAX_STATES`].
    pub(crate) fn compile(alternatives: &[Sequence]) -> Option<Program> {
        let mut c = Compiler {
            insts: Vec::new(),
            classes: Vec::new(),
            class_ids: BTreeMap::new(),
        };
        let mut starts = Vec::with_capacity(alternatives.len());
        for alternative in alternatives {
            starts.push(c.insts.len());
            for piece in alternative.pieces() {
                c.piece(piece.atom(), piece.min(), piece.max())?;
            }
            c.push(Inst::Match)?;
        }
        let anchored = alternatives
            .iter()
            .all(|alt| matches!(alt.pieces().first().map(|p| p.atom()), Some(Atom::Start)));
        Some(Program {
            insts: c.insts,
            classes: c.classes,
            starts,
            anchored,
        })
    }

    /// Unanchored search: does some alternative match some substring?
    pub(crate) fn is_match(&self, haystack: &str) -> bool {
        let mut run = Run {
            prog: self,
            seen: vec![usize::MAX; self.insts.len()],
            stack: Vec::new(),
            len: haystack.len(),
        };
        let mut current: Vec<usize> = Vec::new();
        let mut next: Vec<usize> = Vec::new();
        let mut step = 0usize;
        if run.start_threads(&mut current, step, 0) {
            return true;
        }
        for (at, ch) in haystack.char_indices() {
            if current.is_empty() && self.anchored {
                return false;
            }
            let pos = at + ch.len_utf8();
            step += 1;
            next.clear();
            for &pc in &current {
                let Some(&Inst::Class(id)) = self.insts.get(pc) else {
                    continue;
                };
                if self.classes.get(id).is_some_and(|entry| entry.matches(ch))
                    && run.closure(pc + 1, &mut next, step, pos)
                {
                    return true;
                }
            }
            if !self.anchored && run.start_threads(&mut next, step, pos) {
                return true;
            }
            std::mem::swap(&mut current, &mut next);
        }
        false
    }
}

/// The scratch state of one search.
struct Run<'p> {
    prog: &'p Program,
    /// `seen[pc] == step` once `pc` has been entered at the current position.
    seen: Vec<usize>,
    stack: Vec<usize>,
    /// Byte length of the haystack, for `$`.
    len: usize,
}

impl Run<'_> {
    /// Starts a thread at every alternative at byte position `pos`.
    fn start_threads(&mut self, list: &mut Vec<usize>, step: usize, pos: usize) -> bool {
        let prog = self.prog;
        prog.starts
            .iter()
            .any(|&pc| self.closure(pc, list, step, pos))
    }

    /// Follows every epsilon edge from `pc` at byte position `pos`, adding the
    /// char-consuming instructions reached to `list`. True if `Match` is reached.
    fn closure(&mut self, pc: usize, list: &mut Vec<usize>, step: usize, pos: usize) -> bool {
        self.stack.clear();
        self.stack.push(pc);
        while let Some(pc) = self.stack.pop() {
            match self.seen.get_mut(pc) {
                Some(mark) if *mark != step => *mark = step,
                _ => continue,
            }
            match self.prog.insts.get(pc) {
                Some(Inst::Class(_)) => list.push(pc),
                Some(Inst::Match) => return true,
                Some(Inst::Start) if pos == 0 => self.stack.push(pc + 1),
                Some(Inst::End) if pos == self.len => self.stack.push(pc + 1),
                Some(&Inst::Jmp(target)) => self.stack.push(target),
                Some(&Inst::Split(first, second)) => {
                    self.stack.push(second);
                    self.stack.push(first);
                }
                _ => {}
            }
        }
        false
    }
}
