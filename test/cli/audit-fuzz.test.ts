import assert from "node:assert/strict";
import { Command, CommanderError } from "commander";
import fc from "fast-check";
import { registerAuditCommand } from "../../cli/commands/audit";
import { CliIO } from "../../cli/command";
import { oneLine } from "../../cli/errors";
import { FakeApiGateway } from "../../testkit/fake-apigateway";
import { assertNoKeyValueRequested, CREDENTIALS, FAST_RETRY, smallAccount, startFake } from "../sources/aws/support";
import { auditInProcess } from "./audit-helpers";
import { cleanEnv, CliRun, NOW } from "./helpers";

/** Fewer attempts and a short request timeout: each generated case ends fast. */
const audit = (args: readonly string[]): Promise<CliRun> => auditInProcess(args, { overrides: { retry: { ...FAST_RETRY, maxAttempts: 2, maxNetworkAttempts: 1 }, requestTimeoutMs: 2_000 } });

/**
 * Property: whatever an endpoint answers to any one of the audit's reads, `apigw-guard audit`
 * exits 0, 1 or 2, never reports itself as buggy, and never prints a key value the answer
 * carried (issue 15, the fuzz test of the audit's response parsing). Bounded in runs and time.
 */

const REGION = "us-east-1";
const PLANTED = "PLANTEDkeyVALUE0000000000000000fuzz";
const ACCOUNT_VALUES = smallAccount().apiKeys.map(key => key.value);

const ROUTES = [
    "/restapis", "/apikeys", "/usageplans", "/domainnames", "/account",
    "/restapis/api111/resources", "/restapis/api111/stages", "/usageplans/plan1/keys", "/usageplans/plan1/usage",
];


/**
 * Anything JSON in the fields the audit reads. The planted key value goes where key values travel
 * (`value`, a method's stray `apiKey`, unparseable text): names and paths are printed by design,
 * so a value planted there would prove nothing.
 */
const field = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(null), fc.date({ noInvalidDate: true }).map(d => d.getTime() / 1000));
const item = fc.oneof(
    fc.constant(null),
    fc.jsonValue({ maxDepth: 2 }),
    fc.record({
        id: fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null), fc.constant("api111"), fc.constant("keyidle")),
        value: fc.constant(PLANTED),
        name: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
        enabled: field,
        createdDate: field,
        tags: fc.oneof(field, fc.dictionary(fc.string({ maxLength: 4 }), field, { maxKeys: 3 })),
        stageName: fc.oneof(fc.string({ maxLength: 6 }), field),
        path: field,
        resourceMethods: fc.oneof(field, fc.dictionary(fc.constantFrom("GET", "POST", "ANY"), fc.oneof(field, fc.record({ httpMethod: field, apiKeyRequired: field, authorizationType: field, apiKey: fc.constant(PLANTED) })), { maxKeys: 3 })),
        methodSettings: fc.oneof(field, fc.dictionary(fc.constantFrom("*/*", "orders/GET"), fc.oneof(field, fc.record({ loggingLevel: field, cachingEnabled: field })), { maxKeys: 2 })),
        accessLogSettings: fc.oneof(field, fc.record({ destinationArn: field, format: field })),
        apiStages: fc.oneof(field, fc.array(fc.oneof(field, fc.record({ apiId: field, stage: field })), { maxLength: 3 })),
        throttle: fc.oneof(field, fc.record({ rateLimit: field, burstLimit: field })),
        quota: fc.oneof(field, fc.record({ limit: field, period: field })),
        domainName: fc.oneof(fc.string({ maxLength: 8 }), field),
        securityPolicy: field,
        cloudwatchRoleArn: field,
    }, { requiredKeys: [] }),
);
const body = fc.oneof(
    fc.record({ item: fc.oneof(fc.array(item, { maxLength: 4 }), field), position: fc.option(fc.string({ maxLength: 6 }), { nil: undefined }) }, { requiredKeys: [] }).map(page => JSON.stringify(page)),
    fc.record({ values: fc.oneof(field, fc.dictionary(fc.string({ maxLength: 6 }), field, { maxKeys: 3 })), item: field }, { requiredKeys: [] }).map(page => JSON.stringify(page)),
    item.map(value => JSON.stringify(value)),
    fc.string({ maxLength: 40 }).map(text => `${text}${PLANTED}`),
);

describe("cli: apigw-guard audit over arbitrary answers (fuzz)", function () {
    this.timeout(120_000);
    let fake: FakeApiGateway;
    before(async () => {
        fake = await startFake({ [REGION]: smallAccount() });
    });
    after(async () => {
        assertNoKeyValueRequested(fake);
        await fake.stop();
    });

    it("exits 0, 1 or 2, never calls itself buggy, and never prints a key value", async () => {
        await fc.assert(
            fc.asyncProperty(fc.constantFrom(...ROUTES), body, fc.constantFrom("text", "json", "sarif", "markdown"), async (route, text, format) => {
                fake.faults = { hostile: [{ path: new RegExp(`^${route}$`), answer: { kind: "body", body: text } }] };
                const run = await audit(["--region", REGION, "--endpoint-url", fake.url, "--format", format, "--show-passes"]);
                assert.ok([0, 1, 2].includes(run.status), `exit ${run.status}: ${run.stderr}`);
                assert.ok(!run.stderr.includes("this is a bug"), run.stderr);
                for (const value of [PLANTED, ...ACCOUNT_VALUES]) {
                    assert.ok(!run.stdout.includes(value) && !run.stderr.includes(value), "a key value was printed");
                }
            }),
            { numRuns: 60, interruptAfterTimeLimit: 60_000, seed: Number(process.env.FUZZ_SEED ?? 1515) },
        );
    });
});
