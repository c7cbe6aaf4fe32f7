import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Finding, runRules } from "apigw-guard/policies/engine/run";
import { Inventory } from "apigw-guard/policies/model/index";
import { RULES } from "apigw-guard/policies/rules/index";
import { inventoryFromStackExport } from "../../../sources/pulumi/stack-export";
import { inventoryFromTerraformState } from "../../../sources/terraform/state";
import { deployInventory, identityOf } from "./deploy";
import { assertNoKeyValueRequested, auditFake, NOW, REGION, startFake } from "./support";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const EXAMPLE_INFRA = path.join(ROOT, "test", "fixtures", "example-infra");

/**
 * Where the live account cannot agree with the code, by design (docs/audit.md):
 * - how a key value was provided (plain text in code or state, shared between keys) is a fact
 *   about the code; AWS holds every value server-side and the audit never reads one;
 * - the stand-in deploys only what API Gateway v1 holds: its CloudWatch Logs holds just the
 *   stages' destination groups (kept 400 days, see support.ts) and its API Gateway v2 no APIs.
 */
const NOT_COMPARABLE: ReadonlyMap<string, string> = new Map([
    ["apigateway-api-key-value-secret", "key values are never read from the account"],
    ["apigateway-log-group-retention", "the stand-in's log groups are not the code's"],
    ["apigateway-v2-route-authorization", "the stand-in deploys no HTTP or WebSocket APIs"],
]);

interface Source {
    readonly label: string;
    readonly file: string;
    read(json: unknown, file: string): Inventory;
}

const SOURCES: readonly Source[] = [
    { label: "Terraform state of the example infrastructure", file: path.join(EXAMPLE_INFRA, "state.json"), read: (json, file) => inventoryFromTerraformState(json, { file }) },
    { label: "Pulumi stack export of the example infrastructure", file: path.join(EXAMPLE_INFRA, "stack-export.json"), read: (json, file) => inventoryFromStackExport(json, { file }) },
    { label: "Pulumi stack export of the CLI fixture", file: path.join(ROOT, "test", "fixtures", "cli", "stack-export.json"), read: (json, file) => inventoryFromStackExport(json, { file }) },
];

/** `identity rule` → status, with the entity's name on that side for messages. */
type Outcomes = Map<string, { status: string; name: string }>;

function outcomes(inventory: Inventory, findings: readonly Finding[], skipRules: ReadonlySet<string>): Outcomes {
    assert.ok(findings.length > 0, "the rules found something to judge");
    const out: Outcomes = new Map();
    for (const finding of findings) {
        assert.equal(finding.error, undefined, `rule ${finding.ruleId} failed: ${finding.message}`);
        if (NOT_COMPARABLE.has(finding.ruleId) || skipRules.has(finding.ruleId) || !finding.entity) {
            continue;
        }
        const entity = inventory.get(finding.entity.ref);
        if (!entity || (entity.kind === "stage" && entity.apiVersion === "v2")) {
            continue;
        }
        const identity = identityOf(inventory, entity);
        if (identity === undefined) {
            continue;
        }
        const key = `${identity} · ${finding.ruleId}`;
        const previous = out.get(key);
        // An entity may get several outcomes from one rule; compare the worst.
        if (!previous || rank(finding.status) < rank(previous.status)) {
            out.set(key, { status: finding.status, name: entity.name });
        }
    }
    return out;
}

function rank(status: string): number {
    return ["fail", "unknown", "pass", "not-applicable"].indexOf(status);
}

describe("aws audit: the same findings as the other front ends", function () {
    this.timeout(60_000);

    for (const source of SOURCES) {
        const present = existsSync(source.file);
        (present ? it : it.skip)(`auditing what ${source.label} deployed gives its findings (${path.relative(ROOT, source.file)})`, async () => {
            const declared = source.read(JSON.parse(readFileSync(source.file, "utf8")), path.basename(source.file));
            const config = {};
            const expectedFindings = runRules(declared, RULES, { config, now: NOW }).findings;
            const fake = await startFake({ [REGION]: deployInventory(declared, { keyValue: id => `PLANTED-${id}-value-0123456789abcdef` }) }, { maxPageSize: 2 });
            try {
                const { inventory: live } = await auditFake(fake);
                assert.deepEqual(live.gaps, []);
                const liveFindings = runRules(live, RULES, { config, now: NOW }).findings;
                // Without account settings in the code, the code cannot say whether the CloudWatch
                // role is set; the account can. Compare that rule only when both know the settings.
                const skip = new Set(declared.ofKind("account").length === 0 ? ["apigateway-account-cloudwatch-role"] : []);
                const expected = outcomes(declared, expectedFindings, skip);
                const actual = outcomes(live, liveFindings, skip);
                const differences: string[] = [];
                for (const [key, { status, name }] of expected) {
                    const got = actual.get(key);
                    if (got?.status !== status) {
                        differences.push(`${key} (${name}): code says ${status}, account says ${got?.status ?? "nothing"}`);
                    }
                }
                for (const [key, { status, name }] of actual) {
                    if (!expected.has(key)) {
                        differences.push(`${key} (${name}): only the account says ${status}`);
                    }
                }
                assert.deepEqual(differences, [], `findings differ:\n${differences.join("\n")}`);
                assert.ok(expected.size >= 10, `too few comparable findings (${expected.size}) to mean anything`);
                assertNoKeyValueRequested(fake);
            } finally {
                await fake.stop();
            }
        });
    }
});
