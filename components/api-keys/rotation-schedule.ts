/**
 * The two-slot rotation schedule, as pure date arithmetic.
 *
 * Time since `epoch` is cut into half-periods of `rotationDays / 2`. Slot `a` is renewed at the
 * start of every even half-period, slot `b` at every odd one. So each key lives exactly
 * `rotationDays`, a fresh key appears every `rotationDays / 2`, and when a slot is renewed the other
 * slot's key (the one clients were told to move to) is already half a period old: that half period
 * is the overlap window in which clients switch without downtime.
 *
 * The schedule is a function of the clock, so every `pulumi up` knows which key is due, and the
 * rotation time it writes into the key's tag is known at preview.
 */
export const ROTATION_SLOTS = ["a", "b"] as const;
export type RotationSlot = (typeof ROTATION_SLOTS)[number];

export const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_ROTATION_EPOCH = "2024-01-01T00:00:00Z";

export interface SlotWindow {
    readonly slot: RotationSlot;
    /** When the slot's current key was (or is due to be) issued. */
    readonly rotatedAt: Date;
    /** When the slot is next renewed: `rotatedAt + rotationDays`. */
    readonly rotatesAt: Date;
}

export interface RotationState {
    /** Both slots, `a` then `b`. */
    readonly slots: readonly [SlotWindow, SlotWindow];
    /** The slot holding the newest key: the one clients should use. */
    readonly current: RotationSlot;
    /** The slot holding the older key, which goes away at the next renewal. */
    readonly previous: RotationSlot;
    /** The overlap window: how long clients have to move to the current key. */
    readonly overlapDays: number;
}

export function rotationState(now: Date, rotationDays: number, epoch: Date): RotationState {
    const half = (rotationDays * DAY_MS) / 2;
    const index = Math.floor((now.getTime() - epoch.getTime()) / half);
    const lastStart = (parity: 0 | 1): number => {
        // The latest half-period index <= `index` with the given parity (may be -1 for slot b
        // right after the epoch: that key then started half a period before the epoch).
        const k = ((index % 2) + 2) % 2 === parity ? index : index - 1;
        return epoch.getTime() + k * half;
    };
    const window = (slot: RotationSlot, start: number): SlotWindow => ({
        slot,
        rotatedAt: new Date(start),
        rotatesAt: new Date(start + rotationDays * DAY_MS),
    });
    const a = window("a", lastStart(0));
    const b = window("b", lastStart(1));
    const current = a.rotatedAt.getTime() >= b.rotatedAt.getTime() ? "a" : "b";
    return { slots: [a, b], current, previous: current === "a" ? "b" : "a", overlapDays: rotationDays / 2 };
}

/** RFC3339 in UTC without milliseconds, the form `@pulumiverse/time` and AWS tags use. */
export function rfc3339(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
