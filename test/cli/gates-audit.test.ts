import assert from "node:assert/strict";
import { Command, CommanderError } from "commander";
import { registerAuditCommand } from "../../cli/commands/audit";
import { oneLine } from "../../cli/errors";
import { CliIO } from "../../cli/command";
import { FakeApiGateway } from "../../testkit/fake-apigateway";
import { assertNoKeyValueRequested, CREDENTIALS, FAST_RETRY, smallAccount, startFake } from "../sources/aws/support";
import { auditInProcess } from "./audit-helpers";
import { cleanEnv, CliRun, NOW, Scratch } from "./helpers";

const audit = (args: readonly string[]): Promise<CliRun> => auditInProcess(args);

/** The gates over a live account (`audit`): ARN selectors, severity gates and the framework view. */

const REGION = "us-east-1";
const IDLE_KEY = "arn:aws:apigateway:us-east-1::/apikeys/keyidle";


interface AuditReport {
    findings: Array<{ ruleId: string; status: string; severity: string; suppressed?: { waiver: string }; entity?: { ref: string } }>;
    waivers?: { stale: Array<{ waiver: string }> };
    frameworks?: { controls: Array<{ id: string; framework: string }> };
    summary: { gate: { blocking: number } };
}

describe("cli: gates over a live account (apigw-guard audit)", function () {
    this.timeout(60_000);
    let fake: FakeApiGateway;
    let scratch: Scratch;

    before(() => {
        scratch = new Scratch();
    });

    after(() => scratch.cleanup());

    beforeEach(async () => {
        fake = await startFake({ [REGION]: smallAccount() });
    });

    afterEach(async () => {
        assertNoKeyValueRequested(fake);
        await fake.stop();
    });

    it("waives by ARN glob; what is left decides the exit code", async () => {
        const plain = JSON.parse((await audit(["--region", REGION, "--endpoint-url", fake.url, "--format", "json"])).stdout) as AuditReport;
        const blocking = plain.findings.filter(f => f.status === "fail");
        assert.ok(blocking.some(f => f.entity?.ref === IDLE_KEY && f.ruleId === "apigateway-api-key-unused"));
        const waivers = scratch.file("audit-waivers.yaml", [
            "waivers:",
            "  - id: OPS-7",
            "    rule: apigateway-api-key-unused",
            "    resource: \"arn:aws:apigateway:*::/apikeys/*\"",
            "    reason: seasonal partner, idle out of season",
            "    approver: ops",
            "    expires: 2026-09-30",
            "  - rule: '*'",
            "    resource: \"arn:aws:apigateway:eu-west-1::/**\"",
            "    reason: another region",
            "    approver: ops",
            "    expires: 2026-09-30",
            "",
        ].join("\n"));
        const run = await audit(["--region", REGION, "--endpoint-url", fake.url, "--format", "json", "--waivers", waivers]);
        const json = JSON.parse(run.stdout) as AuditReport;
        const idle = json.findings.find(f => f.entity?.ref === IDLE_KEY && f.ruleId === "apigateway-api-key-unused");
        assert.equal(idle?.suppressed?.waiver, "OPS-7");
        assert.deepEqual(json.waivers?.stale.map(w => w.waiver), [`${waivers}#2`]);
        assert.ok(json.summary.gate.blocking < plain.summary.gate.blocking);
    });

    it("--fail-on by severity and --framework work on an audit too", async () => {
        const none = await audit(["--region", REGION, "--endpoint-url", fake.url, "--format", "json", "--fail-on", "critical", "--framework", "aws-security-hub"]);
        const json = JSON.parse(none.stdout) as AuditReport;
        const critical = json.findings.filter(f => f.status === "fail" && f.severity === "critical").length;
        assert.equal(json.summary.gate.blocking, critical);
        assert.equal(none.status, critical > 0 ? 1 : 0);
        assert.ok((json.frameworks?.controls.length ?? 0) > 0 && json.frameworks?.controls.every(c => c.framework === "aws-security-hub"));
    });
});
