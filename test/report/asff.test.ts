import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv, { ValidateFunction } from "ajv";
import { RULES } from "apigw-guard/policies/rules/index";
import {
    AsffError, asffFindings, AsffFinding, AsffOptions, buildReport, createReporter, InputFinding, Report, ReportEntity, reportRules,
} from "../../report";
import { assertNoExampleLeak } from "../support/planted";
import { ALL_EXAMPLE_INPUTS, EXAMPLE_INFRA, exampleReport, GOLDEN_NOW, GOLDEN_TOOL, goldenReport, ROOT } from "./fixture";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const FLAGS: AsffOptions = { account: ACCOUNT, region: REGION };

let validator: ValidateFunction | undefined;

/** The findings file against the schema written from the Security Hub API reference (test/fixtures/asff). */
function assertValidAsff(document: unknown): void {
    if (!validator) {
        const ajv = new Ajv({ allErrors: true, strict: true });
        validator = ajv.compile(JSON.parse(readFileSync(path.join(ROOT, "test", "fixtures", "asff", "asff-findings.schema.json"), "utf8")) as object);
    }
    const valid = validator(document);
    assert.ok(valid, `not valid ASFF: ${JSON.stringify(validator.errors?.slice(0, 5))}`);
}

function rendered(report: Report, options: AsffOptions): { Findings: AsffFinding[] } {
    return JSON.parse(createReporter("asff", { asff: options }).render(report)) as { Findings: AsffFinding[] };
}

const RULE = RULES.find(rule => rule.id === "apigateway-stage-execution-logging")!;
const NO_CONTROL_RULE = RULES.find(rule => rule.id === "apigateway-api-key-max-age")!;

function entity(ref: string, kind: ReportEntity["kind"], provenance: Partial<ReportEntity["provenance"]> = {}): ReportEntity {
    return { ref, kind, name: ref.split(".").pop() ?? ref, provenance: { source: "terraform", address: ref, ...provenance } };
}

function finding(overrides: Partial<InputFinding> & Pick<InputFinding, "status">): InputFinding {
    return {
        ruleId: RULE.id,
        title: RULE.title,
        severity: RULE.severity,
        enforcementLevel: "mandatory",
        message: "stage 'dev' has no execution logging",
        remediation: RULE.remediation,
        entity: entity("aws_api_gateway_stage.dev", "stage"),
        ...overrides,
    };
}

function reportOf(findings: readonly InputFinding[], file = "plan.json"): Report {
    return buildReport({
        tool: GOLDEN_TOOL,
        generatedAt: GOLDEN_NOW,
        inputs: [{ file, kind: "terraform-plan", findings, entities: findings.length }],
        rules: reportRules(RULES, rule => rule.enforcementLevel),
        failOn: "mandatory",
    });
}

describe("report: ASFF (AWS Security Hub)", function () {
    this.timeout(60_000);
    let golden: Report;
    let everyInput: Report;

    before(async () => {
        golden = await goldenReport();
        everyInput = await exampleReport({ inputs: ALL_EXAMPLE_INPUTS });
    });

    it("writes valid ASFF for the golden report and for all four example inputs, passes included", () => {
        for (const report of [golden, everyInput]) {
            for (const includePassed of [false, true]) {
                const document = rendered(report, { ...FLAGS, includePassed });
                assertValidAsff(document);
                assert.ok(document.Findings.length > 0);
            }
        }
    });

    it("one finding per failed or unknown outcome (passes only when asked, not-applicable never), merged by Id", () => {
        const byStatus = (statuses: readonly string[]) => new Set(everyInput.findings
            .filter(item => statuses.includes(item.status))
            .map(item => `${item.ruleId}/${item.fingerprint}`));
        const ids = (options: AsffOptions) => new Set(asffFindings(everyInput, options).map(item => item.Id.split("/").slice(3).join("/")));
        // The plan and the state of the same infrastructure name the same resources: one Id each.
        assert.deepEqual(ids(FLAGS), byStatus(["fail", "unknown"]));
        assert.deepEqual(ids({ ...FLAGS, includePassed: true }), byStatus(["fail", "unknown", "pass"]));
        const all = asffFindings(everyInput, { ...FLAGS, includePassed: true });
        assert.equal(new Set(all.map(item => item.Id)).size, all.length, "no Id twice in one file");
        assert.ok(everyInput.findings.some(item => item.status === "not-applicable"), "the report has not-applicable outcomes to leave out");
    });

    it("Ids are stable: the same scan twice, a changed message, another input file give the same Id; another account or region another", async () => {
        const again = await exampleReport({ inputs: ALL_EXAMPLE_INPUTS });
        assert.deepEqual(asffFindings(again, FLAGS).map(item => item.Id), asffFindings(everyInput, FLAGS).map(item => item.Id));
        const before = asffFindings(reportOf([finding({ status: "fail" })]), FLAGS)[0];
        const reworded = asffFindings(reportOf([finding({ status: "fail", message: "a different message, line and field", line: 99, field: "loggingLevel" })], "other/plan.json"), FLAGS)[0];
        assert.equal(reworded.Id, before.Id);
        assert.notEqual(reworded.Description, before.Description);
        assert.equal(before.Id, `apigw-guard/${ACCOUNT}/${REGION}/${RULE.id}/${reportOf([finding({ status: "fail" })]).findings[0].fingerprint}`);
        assert.notEqual(asffFindings(reportOf([finding({ status: "fail" })]), { ...FLAGS, account: "210987654321" })[0].Id, before.Id);
        assert.notEqual(asffFindings(reportOf([finding({ status: "fail" })]), { ...FLAGS, region: "us-east-2" })[0].Id, before.Id);
        // A fix re-imported as a pass updates the same Id (and archives it).
        const fixed = asffFindings(reportOf([finding({ status: "pass" })]), { ...FLAGS, includePassed: true })[0];
        assert.equal(fixed.Id, before.Id);
        assert.equal(fixed.Compliance.Status, "PASSED");
        assert.equal(fixed.RecordState, "ARCHIVED");
    });

    it("maps severity and status: failures by the rule's severity, unknown LOW/WARNING, pass INFORMATIONAL/PASSED", () => {
        const labels = { low: "LOW", medium: "MEDIUM", high: "HIGH", critical: "CRITICAL" } as const;
        for (const [severity, label] of Object.entries(labels)) {
            const [out] = asffFindings(reportOf([finding({ status: "fail", severity: severity as keyof typeof labels })]), FLAGS);
            assert.equal(out.Severity.Label, label, severity);
            assert.deepEqual(out.FindingProviderFields.Severity, out.Severity);
            assert.equal(out.Compliance.Status, "FAILED");
            assert.equal(out.RecordState, "ACTIVE");
        }
        const [unknown] = asffFindings(reportOf([finding({ status: "unknown", severity: "critical" })]), FLAGS);
        assert.equal(unknown.Severity.Label, "LOW");
        assert.equal(unknown.Compliance.Status, "WARNING");
        assert.equal(unknown.RecordState, "ACTIVE");
        assert.equal(unknown.ProductFields["apigw-guard/Status"], "unknown");
        assert.deepEqual(asffFindings(reportOf([finding({ status: "pass" }), finding({ status: "not-applicable" })]), FLAGS), []);
        const [pass] = asffFindings(reportOf([finding({ status: "pass" })]), { ...FLAGS, includePassed: true });
        assert.equal(pass.Severity.Label, "INFORMATIONAL");
    });

    it("names the rule's Security Hub control and framework requirements, and none for a rule without one", () => {
        const [mapped] = asffFindings(reportOf([finding({ status: "fail" })]), FLAGS);
        assert.deepEqual(RULE.controls.awsSecurityHub, ["APIGateway.1"]);
        assert.equal(mapped.Compliance.SecurityControlId, "APIGateway.1");
        assert.deepEqual(mapped.Compliance.RelatedRequirements, [
            ...RULE.controls.nist80053.map(control => `NIST.800-53.r5 ${control}`),
            ...RULE.controls.pciDssV4.map(control => `PCI DSS v4.0/${control}`),
        ]);
        assert.equal(mapped.GeneratorId, `apigw-guard/${RULE.id}`);
        assert.equal(mapped.Title, RULE.title);
        assert.equal(mapped.Remediation.Recommendation.Text, RULE.remediation);
        assert.equal(mapped.ProductFields["apigw-guard/RuleId"], RULE.id);
        assert.equal(mapped.ProductFields["apigw-guard/ToolVersion"], GOLDEN_TOOL.version);
        assert.equal(mapped.CreatedAt, GOLDEN_NOW.toISOString());
        assert.equal(mapped.UpdatedAt, GOLDEN_NOW.toISOString());
        const [unmapped] = asffFindings(reportOf([finding({ status: "fail", ruleId: NO_CONTROL_RULE.id, title: NO_CONTROL_RULE.title, entity: entity("aws_api_gateway_api_key.old", "api-key") })]), FLAGS);
        assert.equal(unmapped.Compliance.SecurityControlId, undefined);
        assert.equal(unmapped.Resources[0].Type, "Other");
    });

    it("takes account and region from the provenance (a live audit), then the resource's ARN (state), then the flags", () => {
        const live = finding({
            status: "fail",
            entity: entity("arn:aws-cn:apigateway:cn-north-1::/restapis/abc/stages/prod", "stage", {
                source: "aws", address: undefined, arn: "arn:aws-cn:apigateway:cn-north-1::/restapis/abc/stages/prod", account: "222233334444", region: "cn-north-1",
            }),
        });
        const state = finding({
            status: "fail",
            entity: entity("aws_cloudwatch_log_group.logs", "log-group", { arn: "arn:aws:logs:us-west-2:555566667777:log-group:/aws/apigateway/x" }),
        });
        const stateApiGateway = finding({ status: "fail", entity: entity("aws_api_gateway_stage.prod", "stage", { arn: "arn:aws:apigateway:ap-south-1::/restapis/abc/stages/prod" }) });
        const plan = finding({ status: "fail", entity: entity("aws_api_gateway_stage.staging", "stage") });
        const out = asffFindings(reportOf([live, state, stateApiGateway, plan]), FLAGS);
        const where = (resource: string) => out.find(item => item.Resources[0].Id === resource)!;
        const cn = where("arn:aws-cn:apigateway:cn-north-1::/restapis/abc/stages/prod");
        assert.deepEqual([cn.AwsAccountId, cn.Resources[0].Region, cn.Resources[0].Partition, cn.ProductArn],
            ["222233334444", "cn-north-1", "aws-cn", "arn:aws-cn:securityhub:cn-north-1:222233334444:product/222233334444/default"]);
        assert.equal(cn.Resources[0].Type, "AwsApiGatewayStage");
        const logs = where("arn:aws:logs:us-west-2:555566667777:log-group:/aws/apigateway/x");
        assert.deepEqual([logs.AwsAccountId, logs.Resources[0].Region], ["555566667777", "us-west-2"]);
        const apiGateway = where("arn:aws:apigateway:ap-south-1::/restapis/abc/stages/prod");
        assert.deepEqual([apiGateway.AwsAccountId, apiGateway.Resources[0].Region], [ACCOUNT, "ap-south-1"], "API Gateway ARNs carry no account: the flag's");
        const iac = where("aws_api_gateway_stage.staging");
        assert.deepEqual([iac.AwsAccountId, iac.Resources[0].Region, iac.ProductArn], [ACCOUNT, REGION, `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`]);
    });

    it("refuses, naming the flag, when a finding has no account or no region: an id is never invented", () => {
        const report = reportOf([finding({ status: "fail" })]);
        assert.throws(() => asffFindings(report, { region: REGION }), (error: unknown) =>
            error instanceof AsffError && error.flag === "--account-id" && /^ASFF needs an AWS account id: pass --account-id \(the finding of apigateway-stage-execution-logging on aws_api_gateway_stage\.dev has none\)$/.test(error.message));
        assert.throws(() => asffFindings(report, { account: ACCOUNT }), (error: unknown) =>
            error instanceof AsffError && error.flag === "--region" && /ASFF needs an AWS region: pass --region/.test(error.message));
        assert.throws(() => createReporter("asff").render(report), AsffError);
        assert.throws(() => asffFindings(report, { account: "12345", region: REGION }), /--account-id: '12345' is not an AWS account id/);
        assert.throws(() => asffFindings(report, { account: ACCOUNT, region: "Europe" }), /--region: 'Europe' is not an AWS region name/);
        // Nothing to write needs no account.
        assert.deepEqual(asffFindings(reportOf([finding({ status: "pass" })]), {}), []);
    });

    it("types API Gateway resources as Security Hub does, and names IaC resources by address or URN", () => {
        const urn = "urn:pulumi:dev::orders::aws:apigatewayv2/stage:Stage::default";
        const out = asffFindings(reportOf([
            finding({ status: "fail", entity: entity("aws_api_gateway_rest_api.api", "rest-api") }),
            finding({ status: "fail", entity: entity("aws_apigatewayv2_api.http", "v2-api") }),
            finding({ status: "fail", entity: { ref: urn, kind: "stage", name: "default", provenance: { source: "pulumi", urn, resourceType: "aws:apigatewayv2/stage:Stage" } } }),
            finding({ status: "fail", entity: entity("aws_api_gateway_method_settings.all", "method-settings") }),
            finding({ status: "fail", entity: entity("aws_api_gateway_usage_plan.basic", "usage-plan") }),
            finding({ status: "unknown", entity: undefined }),
        ]), FLAGS);
        assert.deepEqual(out.map(item => `${item.Resources[0].Type} ${item.Resources[0].Id}`).sort(), [
            `AwsApiGatewayRestApi aws_api_gateway_rest_api.api`,
            `AwsApiGatewayStage aws_api_gateway_method_settings.all`,
            `AwsApiGatewayV2Api aws_apigatewayv2_api.http`,
            `AwsApiGatewayV2Stage ${urn}`,
            `Other apigw-guard/rule/${RULE.id}`,
            `Other aws_api_gateway_usage_plan.basic`,
        ]);
    });

    it("marks waived findings SUPPRESSED with the waiver, and keeps every text within Security Hub's limits", () => {
        const waived = golden.findings.find(item => item.suppressed !== undefined && (item.status === "fail" || item.status === "unknown"))!;
        const out = asffFindings(golden, FLAGS).find(item => item.ProductFields["apigw-guard/Fingerprint"] === waived.fingerprint)!;
        assert.deepEqual(out.Workflow, { Status: "SUPPRESSED" });
        assert.equal(out.ProductFields["apigw-guard/Waiver"], waived.suppressed!.waiver);
        assert.ok(asffFindings(golden, FLAGS).filter(item => item.ProductFields["apigw-guard/Waiver"] === undefined).every(item => item.Workflow === undefined));
        const long = "x".repeat(3000);
        const [clipped] = asffFindings(reportOf([finding({ status: "fail", message: long, title: `t${long}`, remediation: `r${long}` })]), FLAGS);
        assert.equal(clipped.Description.length, 1024);
        assert.equal(clipped.Title.length, 256);
        assert.equal(clipped.Remediation.Recommendation.Text.length, 512);
        assert.ok(clipped.Description.endsWith("\u2026"));
        assertValidAsff({ Findings: [clipped] });
    });

    it("holds no key value of the example infrastructure", () => {
        const text = createReporter("asff", { asff: { ...FLAGS, includePassed: true } }).render(everyInput);
        assert.ok(readFileSync(path.join(ROOT, EXAMPLE_INFRA, "plan.json"), "utf8").includes("PLANTED-apigw-guard-key-"));
        assertNoExampleLeak("asff", text);
    });
});
