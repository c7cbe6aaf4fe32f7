import assert from "node:assert/strict";
import fc from "fast-check";
import { DAY_MS, rfc3339, rotationState } from "../../../components/api-keys/rotation-schedule";

const EPOCH = new Date("2024-01-01T00:00:00Z");

describe("rotation schedule", () => {
    it("staggers the two slots by half a period", () => {
        const state = rotationState(new Date("2024-01-20T00:00:00Z"), 30, EPOCH);
        assert.deepEqual(state.slots.map(s => [s.slot, rfc3339(s.rotatedAt), rfc3339(s.rotatesAt)]), [
            ["a", "2024-01-01T00:00:00Z", "2024-01-31T00:00:00Z"],
            ["b", "2024-01-16T00:00:00Z", "2024-02-15T00:00:00Z"],
        ]);
        assert.equal(state.current, "b");
        assert.equal(state.previous, "a");
        assert.equal(state.overlapDays, 15);
    });

    it("starts slot b half a period before the epoch, so both slots hold a key from the first run", () => {
        const state = rotationState(EPOCH, 30, EPOCH);
        assert.equal(rfc3339(state.slots[0].rotatedAt), "2024-01-01T00:00:00Z");
        assert.equal(rfc3339(state.slots[1].rotatedAt), "2023-12-17T00:00:00Z");
        assert.equal(state.current, "a");
    });

    it("renews one slot at a time; no key outlives the period; the current key is the newest", () => {
        fc.assert(fc.property(
            fc.integer({ min: 2, max: 365 }),
            fc.integer({ min: 0, max: 3 * 365 * DAY_MS }),
            fc.integer({ min: 1, max: 40 * DAY_MS }),
            (days, offset, step) => {
                const now = new Date(EPOCH.getTime() + offset);
                const later = new Date(now.getTime() + step);
                const before = rotationState(now, days, EPOCH);
                const after = rotationState(later, days, EPOCH);
                for (const window of before.slots) {
                    assert.ok(window.rotatedAt.getTime() <= now.getTime(), "never issued in the future");
                    assert.ok(now.getTime() - window.rotatedAt.getTime() < days * DAY_MS, "younger than the period");
                    assert.equal(window.rotatesAt.getTime() - window.rotatedAt.getTime(), days * DAY_MS);
                }
                const current = before.slots.find(s => s.slot === before.current)!;
                const previous = before.slots.find(s => s.slot === before.previous)!;
                assert.ok(current.rotatedAt > previous.rotatedAt);
                assert.equal(current.rotatedAt.getTime() - previous.rotatedAt.getTime(), (days * DAY_MS) / 2);
                // Within less than half a period at most one slot is renewed: the other key survives.
                if (step < (days * DAY_MS) / 2) {
                    const changed = before.slots.filter((s, i) => s.rotatedAt.getTime() !== after.slots[i].rotatedAt.getTime());
                    assert.ok(changed.length <= 1);
                    if (changed.length === 1) {
                        assert.equal(changed[0].slot, before.previous, "the older key is the one replaced");
                    }
                }
            },
        ), { numRuns: 300 });
    });
});
