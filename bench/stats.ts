/** Small statistics for noisy timings: medians, spreads, log-log slopes. */

export function median(values: readonly number[]): number {
    if (values.length === 0) {
        return Number.NaN;
    }
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Quartiles by linear interpolation (q in [0, 1]). */
export function quantile(values: readonly number[], q: number): number {
    if (values.length === 0) {
        return Number.NaN;
    }
    const sorted = [...values].sort((a, b) => a - b);
    const at = (sorted.length - 1) * q;
    const low = Math.floor(at);
    const high = Math.ceil(at);
    return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
}

export interface Spread {
    readonly median: number;
    readonly min: number;
    readonly max: number;
    readonly q1: number;
    readonly q3: number;
    readonly runs: number;
}

export function spread(values: readonly number[]): Spread {
    return {
        median: round(median(values)),
        min: round(Math.min(...values)),
        max: round(Math.max(...values)),
        q1: round(quantile(values, 0.25)),
        q3: round(quantile(values, 0.75)),
        runs: values.length,
    };
}

/** Least-squares slope of log(y) against log(x): the growth exponent (1 = linear). */
export function logLogSlope(points: readonly { x: number; y: number }[]): number {
    const usable = points.filter(p => p.x > 0 && p.y > 0);
    if (usable.length < 2) {
        return Number.NaN;
    }
    const xs = usable.map(p => Math.log(p.x));
    const ys = usable.map(p => Math.log(p.y));
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    let num = 0;
    let den = 0;
    for (let i = 0; i < xs.length; i++) {
        num += (xs[i] - mx) * (ys[i] - my);
        den += (xs[i] - mx) ** 2;
    }
    return den === 0 ? Number.NaN : round(num / den, 3);
}

export function round(value: number, digits = 2): number {
    const f = 10 ** digits;
    return Math.round(value * f) / f;
}
