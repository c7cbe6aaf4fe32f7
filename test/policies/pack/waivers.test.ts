import assert from "node:assert/strict";
import { mergeWaiversIntoConfig } from "../../../cli/commands/waivers";
import { parseWaivers } from "../../../cli/waivers-file";
import { runRules } from "apigw-guard/policies/engine/run";
import { buildReport, reportRules } from "../../../report";
import { RULES } from "apigw-guard/policies/rules/index";
import { inventoryFromPulumi } from "apigw-guard/policies/sources/pulumi/adapter";
import { PulumiResourceRecord } from "apigw-guard/policies/sources/pulumi/types";
import { Diagnostic, EngineResource, isSecret, PackProcess, PolicyPackConfig, reveal, runLikeEngine, RunResult } from "../../../testkit/engine";
import { insecureResources, NOW, T, urnOf } from "./fixtures";

/**
 * Waivers through the CrossGuard pack, driven as the engine drives it: every policy's config
 * accepts `waivers`, a waived failure is an advisory "waived: ..." diagnostic, an expired waiver
 * stops suppressing, and `pulumi preview` with the config `waivers to-policy-config` writes agrees
 * with `apigw-guard scan --waivers` on what is waived.
 */

const GET_ORDERS = urnOf(T.method, "get-orders");
const PROD = urnOf(T.stage, "prod");
const OLD_KEY = urnOf(T.key, "old-key");
const ROUTE = urnOf(T.v2Route, "open-route");

/** The diagnostics of one policy on one resource (as the pack reported it). */
function on(result: RunResult, policy: string, urn: string): Diagnostic[] {
    return result.diagnostics.filter(d => d.policyName === policy && (d.reportedUrn ?? d.urn) === urn && !d.message.startsWith("cannot tell yet"));
}

function waiver(resource: string, expires: string, reason = "accepted for the pilot"): Record<string, string> {
    return { resource, reason, approver: "sec-team@example.com", expires };
}

describe("CrossGuard pack: waivers in the policy config", function () {
    this.timeout(120_000);
    let pack: PackProcess;

    before(async () => {
        pack = await PackProcess.start({ env: { APIGW_GUARD_NOW: NOW } });
    });

    after(async () => {
        await pack?.close();
    });

    it("every policy's config schema accepts a 'waivers' list (added generically, not per rule)", async () => {
        const info = await pack.getAnalyzerInfo();
        assert.equal(info.policies.length, RULES.length);
        for (const policy of info.policies) {
            const schema = policy.configSchema?.properties?.waivers as { type?: string; items?: { required?: string[] } } | undefined;
            assert.equal(schema?.type, "array", policy.name);
            assert.deepEqual(schema?.items?.required, ["resource", "reason", "approver", "expires"], policy.name);
        }
        const expected = new Set(RULES.map(rule => rule.id));
        assert.equal(info.policies.filter(p => expected.has(p.name)).length, RULES.length);
    });

    describe("an insecure program with waivers", () => {
        let plain: RunResult;
        let waived: RunResult;
        before(async () => {
            plain = await runLikeEngine(insecureResources(), { pack });
            waived = await runLikeEngine(insecureResources(), {
                pack,
                config: {
                    // Contextual resource policy (decided in the stack pass): exact URN.
                    "apigateway-method-api-key-required": { waivers: [waiver(GET_ORDERS, "2026-12-31", "public webhook, signed payloads")] },
                    // Stack policy, advisory: a glob.
                    "apigateway-stage-waf": { waivers: [waiver("urn:pulumi:**::prod", "2026-06-01")] },
                    // Expired the day before the pinned clock: reported as before, saying so.
                    "apigateway-api-key-max-age": { waivers: [waiver(OLD_KEY, "2026-05-31")] },
                    // A level and waivers together.
                    "apigateway-v2-route-authorization": { enforcementLevel: "mandatory", waivers: [waiver("urn:pulumi:*::*::aws:apigatewayv2/route:Route::open-*", "2027-01-01")] },
                },
            });
        });

        it("without waivers, the failures are mandatory (the baseline of this test)", () => {
            assert.ok(on(plain, "apigateway-method-api-key-required", GET_ORDERS).some(d => d.enforcementLevel === "mandatory"));
            assert.ok(on(plain, "apigateway-v2-route-authorization", ROUTE).some(d => d.enforcementLevel === "mandatory"));
            assert.ok(on(plain, "apigateway-api-key-max-age", OLD_KEY).some(d => d.enforcementLevel === "mandatory"));
        });

        it("a waived failure of a resource policy is advisory, prefixed 'waived: reason (approver, until date)'", () => {
            const hits = on(waived, "apigateway-method-api-key-required", GET_ORDERS);
            assert.ok(hits.length > 0, "still reported");
            for (const d of hits) {
                assert.equal(d.enforcementLevel, "advisory");
                assert.match(d.message, /^waived: public webhook, signed payloads \(sec-team@example\.com, until 2026-12-31\): GET /);
            }
        });

        it("a glob selector matches (stack policy; a waiver applies through its expiry day)", () => {
            const hits = on(waived, "apigateway-stage-waf", PROD);
            assert.ok(hits.length > 0);
            assert.ok(hits.length > 0 && hits.every(d => d.enforcementLevel === "advisory" && d.message.startsWith("waived: accepted for the pilot (sec-team@example.com, until 2026-06-01)")));
        });

        it("a selector with '*' in several segments (stack, project, name prefix) matches", () => {
            const hits = on(waived, "apigateway-v2-route-authorization", ROUTE);
            assert.ok(hits.length > 0 && hits.every(d => d.enforcementLevel === "advisory" && d.message.startsWith("waived: ")));
        });

        it("an expired waiver stops suppressing: mandatory again, and the message says it expired", () => {
            const hits = on(waived, "apigateway-api-key-max-age", OLD_KEY);
            assert.ok(hits.some(d => d.enforcementLevel === "mandatory"));
            assert.ok(hits.length > 0 && hits.every(d => !d.message.startsWith("waived:")));
            assert.ok(hits.some(d => /\(the waiver for this resource expired on 2026-05-31\)$/.test(d.message)));
        });

        it("other resources and policies are untouched", () => {
            const others = (r: RunResult) => r.diagnostics
                .filter(d => !["apigateway-method-api-key-required", "apigateway-stage-waf", "apigateway-api-key-max-age", "apigateway-v2-route-authorization"].includes(d.policyName))
                .map(d => `${d.policyName} ${d.enforcementLevel} ${d.reportedUrn ?? d.urn} ${d.message}`).sort();
            assert.deepEqual(others(waived), others(plain));
        });

        it("the run still fails on the failures nobody waived", () => {
            assert.equal(waived.failed, true);
        });
    });

    it("a malformed waiver is refused by the engine's schema check, naming the field", async () => {
        await assert.rejects(
            runLikeEngine(insecureResources(), { pack, config: { "apigateway-stage-waf": { waivers: [{ resource: PROD, reason: "r", approver: "a", expires: "soon" }] } } }),
            /waivers|expires|pattern/,
        );
    });

    it("a waiver the engine's schema lets through but the kit rejects (not a calendar day) is a config error, not silence", async () => {
        await assert.rejects(
            runLikeEngine(insecureResources(), { pack, config: { "apigateway-stage-waf": { waivers: [waiver(PROD, "2026-02-30")] } } }),
            /waivers\.0\.expires|calendar/,
        );
    });

    it("pulumi preview (pack + `waivers to-policy-config`) and apigw-guard scan (--waivers) waive the same findings", async () => {
        const file = [
            "version: 1",
            "waivers:",
            "  - rule: apigateway-method-api-key-required",
            `    resource: "${GET_ORDERS}"`,
            "    reason: public webhook",
            "    approver: sec",
            "    expires: 2026-12-31",
            "  - rule: '*'",
            "    resource: \"urn:pulumi:**::plan-a\"",
            "    reason: legacy plan, removed in Q3",
            "    approver: sec",
            "    expires: 2026-09-30",
            "  - rule: apigateway-stage-waf",
            "    resource: \"urn:pulumi:**::prod\"",
            "    reason: WAF in the network stack",
            "    approver: net",
            "    expires: 2026-07-01",
            "  - rule: apigateway-api-key-max-age",
            `    resource: "${OLD_KEY}"`,
            "    reason: expired one",
            "    approver: sec",
            "    expires: 2026-01-01",
            "",
        ].join("\n");
        const waivers = parseWaivers(file, "waivers.yaml", { knownRules: new Set(RULES.map(r => r.id)) });
        const config = mergeWaiversIntoConfig({}, waivers) as PolicyPackConfig;

        const preview = await runLikeEngine(insecureResources(), { pack, config });
        const previewWaived = new Set(preview.diagnostics.filter(d => d.message.startsWith("waived: ")).map(d => `${d.policyName} ${d.reportedUrn ?? d.urn}`));

        const inventory = inventoryFromPulumi(insecureResources().map(recordOf));
        const { findings } = runRules(inventory, RULES, { now: new Date(NOW) });
        const report = buildReport({
            tool: { name: "apigw-guard", version: "0" }, generatedAt: new Date(NOW), failOn: "mandatory",
            inputs: [{ file: "stack.json", kind: "pulumi-export", findings, entities: inventory.size }],
            rules: reportRules(RULES, rule => rule.enforcementLevel),
            waivers,
        });
        const scanWaived = new Set(report.findings.filter(f => f.suppressed !== undefined && f.status === "fail").map(f => `${f.ruleId} ${f.entity?.provenance.urn}`));

        assert.ok(scanWaived.size >= 3, [...scanWaived].join("\n"));
        assert.ok([...scanWaived].some(w => w.startsWith("apigateway-usage-plan-limits ")), "the * rule waiver reached a rule");
        assert.deepEqual([...previewWaived].sort(), [...scanWaived].sort());
        assert.deepEqual(report.waivers?.expired.map(w => w.rule), ["apigateway-api-key-max-age"]);
    });
});

/** What the adapter reads from a resource the engine sends (values revealed, as `unproxied` does). */
function recordOf(resource: EngineResource): PulumiResourceRecord {
    const secretProps = new Set(Object.entries(resource.props).filter(([, value]) => isSecret(value)).map(([key]) => key));
    return {
        type: resource.type,
        urn: resource.urn ?? urnOf(resource.type, resource.name),
        name: resource.name,
        props: reveal(resource.props) as Record<string, unknown>,
        secretProps,
        dependencies: resource.dependencies ?? [],
        propertyDependencies: resource.propertyDependencies ?? {},
    };
}
