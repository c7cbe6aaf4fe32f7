/**
 * A small seeded PRNG (mulberry32) and helpers. `Math.random` is never used by the generator:
 * the same seed must give the same estate, byte for byte, on every machine and Node version.
 */
export class Prng {
    private state: number;

    constructor(seed: number) {
        this.state = seed >>> 0;
    }

    /** Uniform in [0, 1). */
    next(): number {
        this.state = (this.state + 0x6d2b79f5) >>> 0;
        let t = this.state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    /** Integer in [min, max], both included. */
    int(min: number, max: number): number {
        return min + Math.floor(this.next() * (max - min + 1));
    }

    chance(probability: number): boolean {
        return this.next() < probability;
    }

    pick<T>(items: readonly T[]): T {
        return items[Math.floor(this.next() * items.length)];
    }

    /** `count` characters drawn from `alphabet`. */
    chars(count: number, alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"): string {
        let out = "";
        for (let i = 0; i < count; i++) {
            out += alphabet[Math.floor(this.next() * alphabet.length)];
        }
        return out;
    }
}

/** Mixes a seed and an index into an independent seed (splitmix32 finaliser). */
export function deriveSeed(seed: number, index: number): number {
    let z = (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) >>> 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
}
