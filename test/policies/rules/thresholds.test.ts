import assert from "node:assert/strict";
import { ConfigError, resolveRuleConfig } from "apigw-guard/policies/engine/config";
import { Entity } from "apigw-guard/policies/model/index";
import { example, exampleRef } from "apigw-guard/policies/model/examples";
import maxAge from "apigw-guard/policies/rules/apigateway-api-key-max-age";
import unused from "apigw-guard/policies/rules/apigateway-api-key-unused";
import valueSecret from "apigw-guard/policies/rules/apigateway-api-key-value-secret";
import retention from "apigw-guard/policies/rules/apigateway-log-group-retention";
import limits from "apigw-guard/policies/rules/apigateway-usage-plan-limits";
import { CatalogueRule, Outcome } from "apigw-guard/policies/rules/types";
import { outcomeFor, RULE_TEST_NOW, ruleRunner } from "./support";

/**
 * Every threshold a rule has, just below, at and just above, with the verdict the rule's
 * documentation (docs/rules.md, generated from the rule metadata) promises. Thresholds are
 * whole days or whole numbers, so "just" is one day or one unit. Each is tested at its default
 * and at a configured value, so a comparison against a constant would not pass.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = RULE_TEST_NOW;

function daysAgo(days: number): string {
    return new Date(NOW.getTime() - days * DAY_MS).toISOString();
}

/** A failure the engine reports as advisory is a warning. */
type Verdict = "pass" | "warn" | "fail" | "unknown" | "not-applicable";

function verdict(outcome: Outcome): Verdict {
    return outcome.status === "fail" && outcome.advisoryOnly === true ? "warn" : outcome.status;
}

function judge(rule: CatalogueRule, entities: readonly Entity[], ref: string, config: Record<string, unknown> = {}): Verdict {
    return verdict(outcomeFor(ruleRunner(rule, NOW)(entities, config), ref));
}

/** [value, verdict] rows: runs each and compares all at once, so a failure shows the whole edge. */
function assertEdge(rows: ReadonlyArray<readonly [number, Verdict]>, verdictAt: (value: number) => Verdict, what: string): void {
    assert.ok(rows.length >= 3, "below, at and above");
    assert.deepEqual(rows.map(([value]) => [value, verdictAt(value)]), rows.map(([value, expected]) => [value, expected]), what);
}

describe("rule thresholds: just below, at and just above each one", () => {
    describe("apigateway-api-key-max-age: 'older than' maxAgeDays fails, 'older than' warnAgeDays warns", () => {
        const keyRef = exampleRef("api-key", "k");
        const ageVerdict = (config: Record<string, unknown>) => (days: number) =>
            judge(maxAge, [example.apiKey("k", { createdDate: daysAgo(days) })], keyRef, config);

        it("defaults (warn 60, max 90)", () => {
            assertEdge([[59, "pass"], [60, "pass"], [61, "warn"]], ageVerdict({}), "warnAgeDays 60");
            assertEdge([[89, "warn"], [90, "warn"], [91, "fail"]], ageVerdict({}), "maxAgeDays 90");
        });

        it("configured (warn 20, max 30)", () => {
            const config = { warnAgeDays: 20, maxAgeDays: 30 };
            assertEdge([[19, "pass"], [20, "pass"], [21, "warn"]], ageVerdict(config), "warnAgeDays 20");
            assertEdge([[29, "warn"], [30, "warn"], [31, "fail"]], ageVerdict(config), "maxAgeDays 30");
        });

        it("warnAgeDays equal to maxAgeDays: no warning band, straight from pass to fail", () => {
            assertEdge([[29, "pass"], [30, "pass"], [31, "fail"]], ageVerdict({ warnAgeDays: 30, maxAgeDays: 30 }), "no band");
        });

        it("the smallest settings the schema allows (warn 0, max 1)", () => {
            assertEdge([[0, "pass"], [1, "warn"], [2, "fail"]], ageVerdict({ warnAgeDays: 0, maxAgeDays: 1 }), "max 1");
        });

        it("the rotation tag is judged against the same edges", () => {
            const tagged = (days: number) => judge(maxAge, [example.apiKey("k", { createdDate: undefined, tags: { "apigw-guard:rotated-at": daysAgo(days) } })], keyRef);
            assertEdge([[89, "warn"], [90, "warn"], [91, "fail"]], tagged, "maxAgeDays 90 from the tag");
        });

        it("a creation date up to a day ahead is clock skew (age 0); further ahead cannot be judged", () => {
            const ahead = (ms: number) => judge(maxAge, [example.apiKey("k", { createdDate: new Date(NOW.getTime() + ms).toISOString() })], keyRef);
            assert.equal(ahead(DAY_MS - 60_000), "pass");
            assert.equal(ahead(DAY_MS), "pass");
            assert.equal(ahead(DAY_MS + 60_000), "unknown");
        });
    });

    describe("apigateway-api-key-unused", () => {
        const keyRef = exampleRef("api-key", "key");

        it("a disabled key may remain disabledGraceDays days (default 30), and fails after", () => {
            const disabled = (config: Record<string, unknown>) => (days: number) =>
                judge(unused, [example.apiKey("key", { enabled: false, createdDate: daysAgo(days) })], keyRef, config);
            assertEdge([[29, "pass"], [30, "pass"], [31, "fail"]], disabled({}), "disabledGraceDays 30");
            assertEdge([[6, "pass"], [7, "pass"], [8, "fail"]], disabled({ disabledGraceDays: 7 }), "disabledGraceDays 7");
            assertEdge([[0, "pass"], [1, "fail"], [2, "fail"]], disabled({ disabledGraceDays: 0 }), "disabledGraceDays 0: delete it once it is a day old");
        });

        it("live audit: zero requests in the window is unused; one request is use", () => {
            const served = (requests: number) => judge(unused, [
                example.apiKey("key", { requestsInWindow: requests }), example.usagePlan("plan"), example.usagePlanKey("attach"),
            ], keyRef, { unusedDays: 14 });
            assertEdge([[0, "fail"], [1, "pass"], [2, "pass"]], served, "requests in the window");
        });

        it("a plan serves the key when it serves at least one stage: none fails, one or two pass", () => {
            const stage = (name: string) => ({ restApi: { kind: "entity" as const, ref: exampleRef("rest-api", "api") }, stageName: name, stage: { kind: "entity" as const, ref: exampleRef("stage", name) } });
            const withStages = (count: number) => judge(unused, [
                example.apiKey("key"), example.usagePlan("plan", { apiStages: ["prod", "dev"].slice(0, count).map(stage) }), example.usagePlanKey("attach"),
            ], keyRef);
            assertEdge([[0, "fail"], [1, "pass"], [2, "pass"]], withStages, "stages the key's plan serves");
        });

        it("one plan serving a stage is enough, beside a plan that serves none", () => {
            const entities = [
                example.apiKey("key"),
                example.usagePlan("idle", { apiStages: [] }), example.usagePlanKey("to-idle", { usagePlan: { kind: "entity", ref: exampleRef("usage-plan", "idle") } }),
            ];
            assert.equal(judge(unused, entities, keyRef), "fail", "only the idle plan");
            assert.equal(judge(unused, [...entities, example.usagePlan("plan"), example.usagePlanKey("attach")], keyRef), "pass");
        });
    });

    describe("apigateway-api-key-value-secret: a known length below minLength fails", () => {
        const keyRef = exampleRef("api-key", "k");
        const ofLength = (config: Record<string, unknown>) => (length: number) =>
            judge(valueSecret, [example.apiKey("k", { value: { handling: "generated", length } })], keyRef, config);

        it("default 20 (API Gateway's own minimum)", () => {
            assertEdge([[19, "fail"], [20, "pass"], [21, "pass"]], ofLength({}), "minLength 20");
        });

        it("configured 40", () => {
            assertEdge([[39, "fail"], [40, "pass"], [41, "pass"]], ofLength({ minLength: 40 }), "minLength 40");
        });
    });

    describe("apigateway-log-group-retention: at least minRetentionDays passes", () => {
        const groupRef = exampleRef("log-group", "access");
        const keeping = (config: Record<string, unknown>) => (days: number) =>
            judge(retention, [example.stage("prod"), example.logGroup("access", { retentionInDays: days })], groupRef, config);

        it("default 365", () => {
            assertEdge([[364, "fail"], [365, "pass"], [366, "pass"]], keeping({}), "minRetentionDays 365");
        });

        it("configured 30, and 1 (the smallest the schema allows)", () => {
            assertEdge([[29, "fail"], [30, "pass"], [31, "pass"]], keeping({ minRetentionDays: 30 }), "minRetentionDays 30");
            assertEdge([[0, "pass"], [1, "pass"], [2, "pass"]], keeping({ minRetentionDays: 1 }), "0 is 'never expires' (Terraform's unset), not zero days");
        });
    });

    describe("apigateway-usage-plan-limits", () => {
        const planRef = exampleRef("usage-plan", "plan");
        const plan = (throttle: { rateLimit: number; burstLimit: number }, quotaLimit = 1000) =>
            [example.usagePlan("plan", { throttle, quota: { limit: quotaLimit, period: "DAY" } })];

        it("rateLimit, burstLimit and the quota limit must be above 0", () => {
            assertEdge([[-1, "fail"], [0, "fail"], [1, "pass"]], rate => judge(limits, plan({ rateLimit: rate, burstLimit: 10 }), planRef), "rateLimit");
            assertEdge([[0, "fail"], [0.5, "pass"], [1, "pass"]], rate => judge(limits, plan({ rateLimit: rate, burstLimit: 10 }), planRef), "a fractional rate is a rate");
            assertEdge([[-1, "fail"], [0, "fail"], [1, "pass"]], burst => judge(limits, plan({ rateLimit: 10, burstLimit: burst }), planRef), "burstLimit");
            assertEdge([[-1, "fail"], [0, "fail"], [1, "pass"]], limit => judge(limits, plan({ rateLimit: 10, burstLimit: 10 }, limit), planRef), "quota limit");
        });

        it("maxRateLimit is the highest accepted rate; 0 means no cap", () => {
            assertEdge([[99, "pass"], [100, "pass"], [101, "fail"]], rate => judge(limits, plan({ rateLimit: rate, burstLimit: 200 }), planRef, { maxRateLimit: 100 }), "maxRateLimit 100");
            assertEdge([[99.5, "pass"], [100, "pass"], [100.5, "fail"]], rate => judge(limits, plan({ rateLimit: rate, burstLimit: 200 }), planRef, { maxRateLimit: 100 }), "maxRateLimit 100, fractional rates");
            assertEdge([[1, "pass"], [10_000, "pass"], [1_000_000, "pass"]], rate => judge(limits, plan({ rateLimit: rate, burstLimit: 200 }), planRef, { maxRateLimit: 0 }), "no cap");
        });
    });

    describe("the settings' own bounds, as the schemas declare them (below the minimum or above the maximum is refused)", () => {
        const cases: ReadonlyArray<readonly [CatalogueRule, string, number | undefined, number | undefined]> = [
            [maxAge, "maxAgeDays", 1, undefined],
            [maxAge, "warnAgeDays", 0, undefined],
            [unused, "disabledGraceDays", 0, undefined],
            [unused, "unusedDays", 1, 90],
            [valueSecret, "minLength", 20, 128],
            [retention, "minRetentionDays", 1, undefined],
            [limits, "maxRateLimit", 0, undefined],
        ];
        const accepts = (rule: CatalogueRule, setting: string, value: number): boolean => {
            try {
                resolveRuleConfig(rule, { [setting]: value });
                return true;
            } catch (error) {
                assert.ok(error instanceof ConfigError, String(error));
                return false;
            }
        };
        for (const [rule, setting, minimum, maximum] of cases) {
            it(`${rule.id}.${setting}: ${minimum ?? "-∞"} to ${maximum ?? "∞"}`, () => {
                const schema = rule.configSchema.properties[setting] as { minimum?: number; maximum?: number };
                assert.deepEqual([schema.minimum, schema.maximum], [minimum, maximum], "the bounds docs/rules.md is generated from");
                if (minimum !== undefined) {
                    assert.deepEqual([minimum - 1, minimum, minimum + 1].map(value => accepts(rule, setting, value)), [false, true, true]);
                }
                if (maximum !== undefined) {
                    assert.deepEqual([maximum - 1, maximum, maximum + 1].map(value => accepts(rule, setting, value)), [true, true, false]);
                }
            });
        }
    });
});
