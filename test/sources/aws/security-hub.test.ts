import assert from "node:assert/strict";
import { BatchImportFindingsCommand, SecurityHubClient } from "@aws-sdk/client-securityhub";
import { RULES } from "apigw-guard/policies/rules/index";
import { asffFindings, AsffFinding, buildReport, InputFinding, reportRules } from "../../../report";
import { BatchOutcome, importBatches, sendToSecurityHub } from "../../../sources/aws/security-hub";
import { FakeAws } from "../../../testkit/fake-aws";
import { FakeSecurityHub, FakeSecurityHubOptions } from "../../../testkit/fake-securityhub";
import { CREDENTIALS, FAST_RETRY, NOW } from "./support";

const ACCOUNT = "111111111111";
const RULE = RULES.find(rule => rule.id === "apigateway-method-api-key-required")!;

/** `count` failed findings of distinct methods, through the real report model and ASFF writer. */
function findings(count: number, region = "us-east-1", account = ACCOUNT): AsffFinding[] {
    const inputs: InputFinding[] = Array.from({ length: count }, (_, index) => ({
        ruleId: RULE.id,
        title: RULE.title,
        severity: RULE.severity,
        enforcementLevel: "mandatory",
        status: "fail",
        message: `method ${index} does not require an API key`,
        remediation: RULE.remediation,
        entity: { ref: `aws_api_gateway_method.m${index}`, kind: "method", name: `m${index}`, provenance: { source: "terraform", address: `aws_api_gateway_method.m${index}` } },
    }));
    const report = buildReport({
        tool: { name: "apigw-guard", version: "0.0.0-test" },
        generatedAt: NOW,
        inputs: [{ file: "plan.json", kind: "terraform-plan", findings: inputs, entities: count }],
        rules: reportRules(RULES, rule => rule.enforcementLevel),
        failOn: "mandatory",
    });
    return asffFindings(report, { account, region });
}

interface Started {
    readonly aws: FakeAws;
    readonly hub: FakeSecurityHub;
    readonly url: string;
}

async function startHub(options: FakeSecurityHubOptions = {}): Promise<Started> {
    const hub = new FakeSecurityHub(options);
    const aws = new FakeAws({ services: { securityhub: hub.handler }, defaultAccount: ACCOUNT });
    const url = await aws.start();
    return { aws, hub, url };
}

describe("sources/aws: sending findings to Security Hub (BatchImportFindings)", function () {
    this.timeout(60_000);
    let started: Started | undefined;

    afterEach(async () => {
        await started?.aws.stop();
        started = undefined;
    });

    const send = (batch: readonly AsffFinding[], onBatch?: (outcome: BatchOutcome) => void) =>
        sendToSecurityHub(batch, { endpointUrl: started!.url, credentials: CREDENTIALS, retry: FAST_RETRY, requestTimeoutMs: 5_000, ...(onBatch ? { onBatch } : {}) });

    it("sends 250 findings in requests of 100, 100 and 50, and Security Hub holds all 250", async () => {
        started = await startHub();
        const outcomes: BatchOutcome[] = [];
        const summary = await send(findings(250), outcome => outcomes.push(outcome));
        assert.deepEqual(started.hub.requests.map(request => [request.findings, request.status, request.region, request.account]), [
            [100, 200, "us-east-1", ACCOUNT], [100, 200, "us-east-1", ACCOUNT], [50, 200, "us-east-1", ACCOUNT],
        ]);
        assert.deepEqual(started.hub.requests.map(request => (JSON.parse(request.body) as { Findings: unknown[] }).Findings.length), [100, 100, 50]);
        assert.deepEqual([summary.findings, summary.imported, summary.notImported, summary.requests], [250, 250, 0, 3]);
        assert.deepEqual(outcomes.map(outcome => [outcome.index, outcome.of, outcome.sent, outcome.imported, outcome.failed.length]), [[1, 3, 100, 100, 0], [2, 3, 100, 100, 0], [3, 3, 50, 50, 0]]);
        assert.equal(started.hub.stored.size, 250);
    });

    it("a re-import of the same findings updates them: Security Hub still holds 250", async () => {
        started = await startHub();
        await send(findings(250));
        const again = await send(findings(250));
        assert.equal(again.imported, 250);
        assert.equal(started.hub.stored.size, 250);
        assert.equal(started.hub.updates, 250);
    });

    it("sends each account and region's findings to that region, signed for it", async () => {
        started = await startHub();
        const summary = await send([...findings(3, "us-east-1"), ...findings(2, "eu-west-1"), ...findings(1, "us-east-1")]);
        assert.deepEqual(started.hub.requests.map(request => [request.region, request.findings]), [["us-east-1", 4], ["eu-west-1", 2]]);
        assert.equal(summary.imported, 6);
    });

    it("reports the findings AWS rejects, one by one, and counts them as not imported", async () => {
        const sent = findings(120);
        const rejected = new Set([sent[3].Id, sent[110].Id]);
        started = await startHub({ reject: finding => (rejected.has(String(finding.Id)) ? { code: "InvalidInput", message: "Finding does not adhere to Amazon Finding Format." } : undefined) });
        const summary = await send(sent);
        assert.deepEqual([summary.imported, summary.notImported], [118, 2]);
        const failed = summary.batches.flatMap(outcome => outcome.failed);
        assert.deepEqual(failed.map(item => [item.id, item.errorCode]), [[sent[3].Id, "InvalidInput"], [sent[110].Id, "InvalidInput"]]);
        assert.deepEqual(summary.batches.map(outcome => outcome.failed.length), [1, 1]);
        assert.equal(started.hub.stored.size, 118);
    });

    it("retries throttled requests with back-off, and imports everything", async () => {
        started = await startHub({ throttleFirst: 2 });
        const summary = await send(findings(150));
        assert.deepEqual(started.hub.requests.map(request => request.status), [429, 429, 200, 200]);
        assert.deepEqual([summary.imported, summary.requests, summary.throttled], [150, 2, 2]);
        assert.equal(started.hub.stored.size, 150);
    });

    it("a refused caller (findings of another account) is reported, and that account's other requests are not sent", async () => {
        started = await startHub();
        const summary = await send([...findings(150, "us-east-1", "999999999999"), ...findings(5)]);
        assert.deepEqual(started.hub.requests.map(request => request.status), [403, 200]);
        const [first, second, third] = summary.batches;
        assert.match(first.error ?? "", /^AccessDeniedException: .*not authorized to perform: securityhub:BatchImportFindings/);
        assert.match(second.error ?? "", /^not sent: AccessDeniedException/);
        assert.deepEqual([third.account, third.imported], [ACCOUNT, 5]);
        assert.deepEqual([summary.imported, summary.notImported], [5, 150]);
    });

    it("Security Hub not enabled in a region is reported for that region only", async () => {
        started = await startHub({ notEnabledIn: ["eu-west-1"] });
        const summary = await send([...findings(2, "eu-west-1"), ...findings(2, "us-east-1")]);
        assert.match(summary.batches[0].error ?? "", /^InvalidAccessException: .*not subscribed to AWS Security Hub/);
        assert.equal(summary.batches[1].imported, 2);
    });

    it("cuts batches by size as well as by count", () => {
        const sent = findings(10);
        const size = Buffer.byteLength(JSON.stringify(sent[0]), "utf8");
        const batches = importBatches(sent, { maxBytes: 1024 + size * 3 + 10 });
        assert.deepEqual(batches.map(batch => batch.findings.length), [3, 3, 3, 1]);
        assert.ok(batches.every(batch => batch.bytes <= size * 3 + 10));
        assert.deepEqual(importBatches(findings(250)).map(batch => batch.findings.length), [100, 100, 50]);
    });

    it("the fake holds to Security Hub's limits: more than 100 findings fail the request, a malformed finding fails alone", async () => {
        started = await startHub();
        const client = new SecurityHubClient({ region: "us-east-1", endpoint: started.url, credentials: CREDENTIALS, maxAttempts: 1 });
        try {
            await assert.rejects(client.send(new BatchImportFindingsCommand({ Findings: findings(101) as never })), (error: Error) => error.name === "InvalidInputException");
            const [good, bad] = findings(2);
            const { Title: _title, ...untitled } = bad;
            const answer = await client.send(new BatchImportFindingsCommand({ Findings: [good, untitled] as never }));
            assert.deepEqual([answer.SuccessCount, answer.FailedCount], [1, 1]);
            assert.equal(answer.FailedFindings?.[0].Id, bad.Id);
            assert.equal(answer.FailedFindings?.[0].ErrorCode, "InvalidInput");
            assert.match(answer.FailedFindings?.[0].ErrorMessage ?? "", /required property 'Title'/);
        } finally {
            client.destroy();
        }
    });
});
