import assert from "node:assert/strict";
import rule from "apigw-guard/policies/rules/apigateway-api-key-max-age";
import { ApiKeyEntity, Inventory, unknown } from "apigw-guard/policies/model/index";
import { example } from "apigw-guard/policies/model/examples";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import { Outcome } from "apigw-guard/policies/rules/types";
import { ruleRunner } from "./support";

const now = new Date("2026-12-01T00:00:00Z");
const TAG = "apigw-guard:rotated-at";

/** An ISO date `days` days before `now`. */
function daysAgo(days: number): string {
    return new Date(now.getTime() - days * 24 * 60 * 60 * 1000).toISOString();
}

const run = ruleRunner(rule, now);

function judge(key: ApiKeyEntity, raw: Record<string, unknown> = {}): Outcome {
    const outcomes = run(new Inventory([key]), raw);
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0].ref, key.ref);
    return outcomes[0];
}

describe("apigateway-api-key-max-age", () => {
    it("passes a key younger than the warning age", () => {
        const outcome = judge(example.apiKey("partner", { createdDate: daysAgo(10) }));
        assert.equal(outcome.status, "pass");
        assert.match(outcome.message, /API key 'partner' is 10 days old \(from its creation date\)/);
    });

    it("fails a key older than maxAgeDays and says to rotate it", () => {
        const outcome = judge(example.apiKey("partner", { createdDate: daysAgo(120) }));
        assert.equal(outcome.status, "fail");
        assert.notEqual(outcome.advisoryOnly, true);
        assert.match(outcome.message, /API key 'partner' is 120 days old/);
        assert.match(outcome.message, /90-day maximum/);
        assert.match(outcome.message, /Rotate it/);
    });

    it("warns (advisory-only failure) inside the warning band", () => {
        const outcome = judge(example.apiKey("partner", { createdDate: daysAgo(70) }));
        assert.equal(outcome.status, "fail");
        assert.equal(outcome.advisoryOnly, true);
        assert.match(outcome.message, /70 days old.*past the 60-day warning age: rotate it; it fails the 90-day maximum in about 21 day\(s\)/);
    });

    it("treats the boundaries as 'older than': exactly 60 passes, exactly 90 warns, 91 fails", () => {
        assert.equal(judge(example.apiKey("k", { createdDate: daysAgo(60) })).status, "pass");
        const at90 = judge(example.apiKey("k", { createdDate: daysAgo(90) }));
        assert.deepEqual([at90.status, at90.advisoryOnly], ["fail", true]);
        const at91 = judge(example.apiKey("k", { createdDate: daysAgo(91) }));
        assert.deepEqual([at91.status, at91.advisoryOnly], ["fail", undefined]);
    });

    it("maxAgeDays: 30 turns a 45-day-old key into a failure", () => {
        const key = example.apiKey("partner", { createdDate: daysAgo(45) });
        assert.equal(judge(key).status, "pass");
        const outcome = judge(key, { maxAgeDays: 30, warnAgeDays: 20 });
        assert.equal(outcome.status, "fail");
        assert.notEqual(outcome.advisoryOnly, true);
        assert.match(outcome.message, /45 days old.*30-day maximum/);
    });

    it("has no warning band when warnAgeDays exceeds maxAgeDays", () => {
        // Default warnAgeDays (60) is above maxAgeDays (30): a 25-day-old key is simply fine.
        assert.equal(judge(example.apiKey("k", { createdDate: daysAgo(25) }), { maxAgeDays: 30 }).status, "pass");
        const old = judge(example.apiKey("k", { createdDate: daysAgo(31) }), { maxAgeDays: 30 });
        assert.deepEqual([old.status, old.advisoryOnly], ["fail", undefined]);
    });

    it("judges a new key at preview from its rotation tag", () => {
        const fresh = judge(example.apiKey("partner", {
            createdDate: unknown("computed: known only after the update"), tags: { [TAG]: daysAgo(5) },
        }));
        assert.equal(fresh.status, "pass");
        assert.match(fresh.message, /5 days old \(from its 'apigw-guard:rotated-at' tag\)/);
        const stale = judge(example.apiKey("partner", {
            createdDate: unknown("computed: known only after the update"), tags: { [TAG]: daysAgo(100) },
        }));
        assert.equal(stale.status, "fail");
        assert.match(stale.message, /100 days old \(from its 'apigw-guard:rotated-at' tag\)/);
    });

    it("reads the tag named by rotationTagKey", () => {
        const key = example.apiKey("partner", { createdDate: unknown("computed"), tags: { "team:rotated": daysAgo(100) } });
        assert.equal(judge(key).status, "unknown");
        assert.equal(judge(key, { rotationTagKey: "team:rotated" }).status, "fail");
    });

    it("does not let a rotation tag make a key look newer than its creation date", () => {
        // AWS cannot change a key's value in place: bumping the tag without replacing the key is not a rotation.
        const outcome = judge(example.apiKey("partner", { createdDate: daysAgo(200), tags: { [TAG]: daysAgo(1) } }));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /200 days old \(from its creation date\)/);
    });

    it("is unknown for a new key without a rotation tag", () => {
        const outcome = judge(example.apiKey("partner", { createdDate: unknown("computed: known only after the update"), tags: {} }));
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /^cannot tell yet how old API key 'partner' is: it is a new key: its creation date is known only after the update \(computed: known only after the update\)$/);
    });

    it("is unknown when the rotation tag value is computed, even with a creation date", () => {
        const outcome = judge(example.apiKey("partner", { createdDate: daysAgo(10), tags: { [TAG]: unknown("computed: known only after the update") } }));
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /'apigw-guard:rotated-at' tag is not known yet \(computed: known only after the update\)/);
    });

    it("falls back to the creation date when the tags are not known yet", () => {
        const outcome = judge(example.apiKey("partner", { createdDate: daysAgo(100), tags: unknown("computed") }));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /100 days old \(from its creation date; its tags are not known yet: computed\)/);
    });

    it("is unknown when there is neither a creation date nor a rotation tag, and suggests the tag", () => {
        const outcome = judge(example.apiKey("partner", { createdDate: undefined, tags: undefined }));
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /cannot tell yet how old API key 'partner' is: it has no creation date and no 'apigw-guard:rotated-at' tag/);
        assert.match(outcome.message, /Tag it with 'apigw-guard:rotated-at'/);
    });

    it("is unknown with the reason when the creation date does not parse", () => {
        const outcome = judge(example.apiKey("partner", { createdDate: "last tuesday", tags: {} }));
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /creation date "last tuesday" is not an ISO-8601 date/);
    });

    it("does not take loose Date.parse forms ('1' would be the year 2001) as dates", () => {
        const outcome = judge(example.apiKey("partner", { createdDate: undefined, tags: { [TAG]: "1" } }));
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /'apigw-guard:rotated-at' tag "1" is not an ISO-8601 date, so it was not used$/);
    });

    it("uses the creation date, and says so, when the rotation tag does not parse", () => {
        const outcome = judge(example.apiKey("partner", { createdDate: daysAgo(100), tags: { [TAG]: "soon" } }));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /from its creation date; its 'apigw-guard:rotated-at' tag "soon" is not an ISO-8601 date, so it was not used\)/);
    });

    it("is unknown for a date in the future (it would make a key look new forever)", () => {
        const outcome = judge(example.apiKey("partner", { createdDate: undefined, tags: { [TAG]: "2099-01-01T00:00:00Z" } }));
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /lies in the future/);
    });

    it("tolerates a few hours of clock skew", () => {
        const outcome = judge(example.apiKey("partner", { createdDate: new Date(now.getTime() + 3 * 3600 * 1000).toISOString() }));
        assert.equal(outcome.status, "pass");
        assert.match(outcome.message, /0 days old/);
    });

    it("reads a date-time without a zone as UTC, whatever the machine's time zone", () => {
        const outcome = judge(example.apiKey("partner", { createdDate: "2026-09-01T12:00:00" }));
        assert.match(outcome.message, /is 90 days old/);
    });

    it("uses the injected clock, not the machine's", () => {
        const key = example.apiKey("partner", { createdDate: "2026-01-01T00:00:00Z" });
        assert.equal(run(new Inventory([key]), {}, new Date("2026-01-15T00:00:00Z"))[0].status, "pass");
        assert.equal(run(new Inventory([key]), {}, new Date("2026-06-01T00:00:00Z"))[0].status, "fail");
    });

    it("does not judge disabled keys (the unused-key rule does)", () => {
        const outcome = judge(example.apiKey("old", { enabled: false, createdDate: daysAgo(400) }));
        assert.equal(outcome.status, "not-applicable");
        assert.match(outcome.message, /'old' is disabled.*apigateway-api-key-unused/);
    });

    it("is unknown when whether the key is enabled is not known", () => {
        const outcome = judge(example.apiKey("partner", { enabled: unknown("computed"), createdDate: daysAgo(400) }));
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /cannot tell yet whether API key 'partner' is enabled/);
    });

    it("rejects a non-positive maxAgeDays", () => {
        assert.throws(() => resolveRuleConfig(rule, { maxAgeDays: 0 }), /maxAgeDays/);
    });

    it("its compliant example has no failure and its non-compliant example fails", () => {
        // Examples carry fixed dates, so they are judged at the catalogue's example clock.
        const exampleClock = new Date("2026-06-01T00:00:00Z");
        const compliant = run(new Inventory(rule.examples.compliant.entities), {}, exampleClock);
        assert.ok(compliant.length > 0 && compliant.every(o => o.status === "pass"));
        const nonCompliant = run(new Inventory(rule.examples.nonCompliant.entities), {}, exampleClock);
        assert.ok(nonCompliant.some(o => o.status === "fail" && o.advisoryOnly !== true));
    });
});
