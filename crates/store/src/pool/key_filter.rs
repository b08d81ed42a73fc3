//! Keys seen in a batch, kept small: a blocked Bloom filter over the keys'
//! fingerprints that says "certainly new" or "maybe seen". It never misses a
//! repeated key; a "maybe" is settled exactly by the writer against the rows the
//! batch has written. About 2 bytes per key (10 million keys in 32 MB), one cache line
//! touched per layer; the filter grows by adding a layer twice the size of the last
//! (a million keys fit the first).

/// Bits set per key, all inside one 512-bit block.
const PROBES: u32 = 7;
/// Keys the first layer holds before the next one is added.
const FIRST_CAPACITY: usize = 1 << 20;
/// Bits per key a layer is sized for (at least; sizes round up to powers of two).
const BITS_PER_KEY: usize = 16;

struct Layer {
    blocks: Vec<[u64; 8]>,
    capacity: usize,
    count: usize,
}

impl Layer {
    fn new(capacity: usize) -> Layer {
        let blocks = (capacity * BITS_PER_KEY / 512).next_power_of_two().max(1);
        Layer {
            blocks: vec![[0u64; 8]; blocks],
            capacity,
            count: 0,
        }
    }

    /// The block and the bits of a fingerprint.
    fn place(&self, fp: u128) -> (usize, [u16; PROBES as usize]) {
        let block = (fp as u64 as usize) & (self.blocks.len() - 1);
        let mut h = (fp >> 64) as u64;
        let mut bits = [0u16; PROBES as usize];
        for b in &mut bits {
            *b = (h & 511) as u16;
            h >>= 9;
        }
        (block, bits)
    }

    fn contains(&self, fp: u128) -> bool {
        let (block, bits) = self.place(fp);
        let b = &self.blocks[block];
        bits.iter()
            .all(|&bit| b[usize::from(bit >> 6)] & (1 << (bit & 63)) != 0)
    }

    fn insert(&mut self, fp: u128) {
        let (block, bits) = self.place(fp);
        let b = &mut self.blocks[block];
        for bit in bits {
            b[usize::from(bit >> 6)] |= 1 << (bit & 63);
        }
        self.count += 1;
    }
}

#[derive(Default)]
pub struct KeyFilter {
    layers: Vec<Layer>,
}

impl KeyFilter {
    /// Records a key's fingerprint; true when it may have been recorded before (a
    /// repeated key always answers true, a new one rarely does).
    pub fn check_and_insert(&mut self, fp: u128) -> bool {
        if self.layers.iter().any(|l| l.contains(fp)) {
            return true;
        }
        if self.layers.last().is_none_or(|l| l.count >= l.capacity) {
            let capacity = self
                .layers
                .last()
                .map_or(FIRST_CAPACITY, |l| l.capacity * 2);
            self.layers.push(Layer::new(capacity));
        }
        if let Some(layer) = self.layers.last_mut() {
            layer.insert(fp);
        }
        false
    }

    /// Bytes the filter takes.
    pub fn bytes(&self) -> usize {
        self.layers.iter().map(|l| l.blocks.len() * 64).sum()
    }
}

/// A 128-bit fingerprint of a key (two differently seeded 64-bit hashes).
pub fn fingerprint(key: &str) -> u128 {
    use std::hash::{Hash, Hasher};
    let half = |seed: u8| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        seed.hash(&mut h);
        key.hash(&mut h);
        h.finish() as u128
    };
    (half(1) << 64) | half(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_always_caught_and_new_ones_rarely_suspected() {
        let mut f = KeyFilter::default();
        let n = 2_000_000;
        let mut suspected = 0;
        for i in 0..n {
            if f.check_and_insert(fingerprint(&format!("5001{i:014}"))) {
                suspected += 1;
            }
        }
        for i in (0..n).step_by(997) {
            assert!(f.check_and_insert(fingerprint(&format!("5001{i:014}"))));
        }
        // Well under 1% of new keys are suspected, and the filter stays small.
        assert!(suspected < n / 200, "{suspected} false suspicions");
        assert!(f.bytes() < 8 << 20, "{} bytes", f.bytes());
    }
}
