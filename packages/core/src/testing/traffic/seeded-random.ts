/**
 * A small seeded random source for simulated traffic: uniform, normal, Poisson and
 * binomial draws. Same seed, same draws, on every platform (32-bit integer arithmetic
 * only), so a benchmark run can be reproduced from its seed.
 */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal. */
  normal(): number;
  /** Poisson with mean `lambda` (normal approximation above a mean of 50). */
  poisson(lambda: number): number;
  /** Binomial: successes in `n` trials of probability `p` (normal approximation for large means). */
  binomial(n: number, p: number): number;
}

/**
 * Mixes integers into one 32-bit seed (murmur3's finaliser over each part), so that
 * `hashSeed(trace, slot)` gives every slot of every trace its own independent stream.
 */
export function hashSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    // Parts above 2^32 (none expected) still move the hash.
    h = (h + Math.floor(part / 4294967296)) | 0;
  }
  return h >>> 0;
}

/**
 * A seeded random source (mulberry32).
 *
 * @example
 * ```ts
 * const rng = createSeededRandom(hashSeed(42, 7));
 * const errors = rng.binomial(1000, 0.004);
 * ```
 */
export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  let spare: number | null = null;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    // Box–Muller; 1 - next() is in (0, 1], so the log is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - next()));
    const angle = 2 * Math.PI * next();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
  const poisson = (lambda: number): number => {
    if (!(lambda > 0)) return 0;
    if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal()));
    // Inversion by sequential search: O(lambda) draws of nothing but one uniform.
    let u = next();
    let x = 0;
    let p = Math.exp(-lambda);
    while (u > p) {
      u -= p;
      x += 1;
      p *= lambda / x;
      if (p === 0) break;
    }
    return x;
  };
  const binomial = (n: number, p: number): number => {
    if (n <= 0 || !(p > 0)) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - binomial(n, 1 - p);
    if (n <= 16) {
      let x = 0;
      for (let i = 0; i < n; i++) if (next() < p) x += 1;
      return x;
    }
    const mean = n * p;
    if (mean > 40) {
      const x = Math.round(mean + Math.sqrt(mean * (1 - p)) * normal());
      return Math.min(n, Math.max(0, x));
    }
    // Inversion (BINV): the pmf by recurrence from q^n.
    const q = 1 - p;
    const s = p / q;
    const a = (n + 1) * s;
    let r = q ** n;
    let u = next();
    let x = 0;
    while (u > r) {
      u -= r;
      x += 1;
      if (x > n) return n;
      r *= a / x - s;
      if (r <= 0) break;
    }
    return x;
  };
  return { next, normal, poisson, binomial };
}
