/** The clock a limiter waits on; injectable so tests need not sleep. */
export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
};

/**
 * Spaces request starts at least `1000 / ratePerSecond` ms apart, with no burst: the probe runs
 * against production stages whose usage plans throttle the very key it uses, and a 429 proves
 * nothing. Any window of one second therefore holds at most `ceil(ratePerSecond)` starts.
 */
export class RateLimiter {
    private readonly intervalMs: number;
    private nextStart = Number.NEGATIVE_INFINITY;

    constructor(ratePerSecond: number, private readonly clock: Clock = systemClock) {
        if (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0) {
            throw new RangeError("ratePerSecond must be a positive number");
        }
        this.intervalMs = 1000 / ratePerSecond;
    }

    /** Resolves when the next request may start. Callers take turns (the probe is sequential). */
    async acquire(): Promise<void> {
        const now = this.clock.now();
        const start = Math.max(now, this.nextStart);
        this.nextStart = start + this.intervalMs;
        if (start > now) {
            // Timers may fire up to a millisecond early on some platforms; round up so the spacing holds.
            await this.clock.sleep(Math.ceil(start - now));
        }
    }
}

/** `5/s`, `5`, `120/min` (also `/sec`, `/second`, `/m`, `/minute`) → requests per second. */
export function parseRate(text: string): number | undefined {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/i.exec(text);
    if (!match) {
        return undefined;
    }
    const count = Number(match[1]);
    const unit = (match[2] ?? "s").toLowerCase();
    const perSecond = unit.startsWith("m") ? count / 60 : count;
    return Number.isFinite(perSecond) && perSecond > 0 ? perSecond : undefined;
}
