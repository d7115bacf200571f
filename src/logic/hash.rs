//! The engine's hash maps: [`FxHasher`] with a folded-multiply finish.
//!
//! FxHash alone leaves the low bits of its result (those `HashMap` uses to pick a bucket)
//! depending on few bits of the last words hashed: the 10,000 texts `Api00000` … `Api09999`
//! get 32 distinct low-15-bit values, so a map of them degenerates into 32 long probe
//! chains and interning the atoms of a 10,000-disjunct pattern became quadratic. The final
//! 64×64→128-bit multiply, its halves xor-ed, spreads every bit of the hash over the low
//! bits (about 8,500 distinct values for those texts, as many as a random hash gives).
//! The engine's maps use it, and the command line's cache of written witnesses; it changes
//! no answer (their order is never observed).

use std::hash::{BuildHasherDefault, Hasher};

use crate::fxhash::FxHasher;

/// The crate's FxHash (`src/fxhash.rs`), folded at the end.
#[derive(Debug, Default, Clone, Copy)]
pub struct FoldHasher(FxHasher);

const FOLD: u128 = 0x9e37_79b9_7f4a_7c15;

impl Hasher for FoldHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }

    fn write_u8(&mut self, i: u8) {
        self.0.write_u8(i);
    }

    fn write_u32(&mut self, i: u32) {
        self.0.write_u32(i);
    }

    fn write_u64(&mut self, i: u64) {
        self.0.write_u64(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.0.write_usize(i);
    }

    fn finish(&self) -> u64 {
        let wide = u128::from(self.0.finish()) * FOLD;
        (wide as u64) ^ ((wide >> 64) as u64)
    }
}

/// A `HashMap` with [`FoldHasher`].
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FoldHasher>>;

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;

    /// Similar short texts spread over the buckets (plain FxHash puts them in 32).
    #[test]
    fn similar_texts_spread_over_the_low_bits() {
        let build = BuildHasherDefault::<FoldHasher>::default();
        let low: std::collections::HashSet<u64> = (0..10_000)
            .map(|i| build.hash_one(format!("Api{i:05}").as_str()) & 0x7fff)
            .collect();
        assert!(low.len() > 8_000, "{} distinct low values", low.len());
    }
}
