import { Severity } from "apigw-guard/policies/rules/types";
import { ACCOUNT_ID_PATTERN, partitionOf, REGION_PATTERN } from "../sources/aws/arn";
import { locationOf, Report, ReportFinding, ReportRule } from "./model";
import { Reporter } from "./reporter";

/**
 * The AWS Security Finding Format (ASFF), what AWS Security Hub imports with
 * `BatchImportFindings`: one finding per failed or unknown outcome (and, with `includePassed`, per
 * passed one), as the request body `{"Findings": [...]}` (the file works with
 * `aws securityhub batch-import-findings --cli-input-json file://findings.json` when it holds at
 * most 100 findings; `--send-to-security-hub` batches any number).
 *
 * - Id: `apigw-guard/<account>/<region>/<rule>/<fingerprint>`. The fingerprint names the rule and
 *   the resource only (report/fingerprint.ts), never a message, file or position, so the next
 *   scan's finding about the same resource has the same Id and Security Hub updates it instead of
 *   adding a duplicate. Findings with the same Id in one report (the plan and the state of the
 *   same infrastructure) are one ASFF finding: the worst status wins.
 * - ProductArn: the account's default custom-integration product,
 *   `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`; Security Hub only
 *   takes it from that account, in that region.
 * - Severity: a failure carries the rule's severity. An unknown is `LOW` with Compliance
 *   `WARNING`: Security Hub defines WARNING as "some information is missing", which is what unknown
 *   means here; LOW ("does not require action on its own") keeps undecided checks out of the
 *   critical/high counts without calling them fine (INFORMATIONAL means "no issue was found", which
 *   an unknown is not). A pass is `INFORMATIONAL`, Compliance `PASSED`.
 * - Passes (`includePassed`) go out with RecordState `ARCHIVED`: re-importing an Id that was
 *   FAILED as PASSED+ARCHIVED takes it out of Security Hub's active findings (for custom findings,
 *   Security Hub resolves nothing by itself), and a pass never imported before is stored archived,
 *   out of sight. If it fails again, the ACTIVE re-import resets its workflow to NEW.
 * - Waived findings keep their status and carry the waiver in ProductFields; they are sent with
 *   Workflow `SUPPRESSED`, which Security Hub applies when it creates a finding (afterwards the
 *   workflow belongs to the people triaging in Security Hub: imports cannot change it).
 * - Account and region: the finding's provenance (a live audit knows both), else the ARN of the
 *   resource (state files: API Gateway ARNs carry the region, most others the account too), else
 *   the caller's (`--account-id`, `--region`). A finding with no account or region after that is an
 *   `AsffError`: an id is never invented.
 *
 * Findings carry no value (the Report holds none), only rule ids, messages, titles, remediation and
 * resource names, so nothing secret can reach Security Hub.
 */
export class AsffReporter implements Reporter {
    constructor(private readonly options: AsffOptions = {}) {}

    render(report: Report): string {
        return `${JSON.stringify({ Findings: asffFindings(report, this.options) }, null, 2)}\n`;
    }
}

export interface AsffOptions {
    /** The account of findings whose provenance names none (12 digits). */
    readonly account?: string;
    /** The region of findings whose provenance names none. */
    readonly region?: string;
    /** Also passed findings (PASSED, archived), so that resolved findings leave Security Hub's active view. */
    readonly includePassed?: boolean;
}

/** Why findings cannot be written as ASFF (a missing or malformed account or region); one line. */
export class AsffError extends Error {
    constructor(message: string, readonly flag: "--account-id" | "--region") {
        super(message);
        this.name = "AsffError";
    }
}

export const ASFF_SCHEMA_VERSION = "2018-10-08";
/** The start of every Id: fixed (not the tool name a caller may change) so Ids stay stable. */
export const ASFF_ID_PREFIX = "apigw-guard";
export const ASFF_FINDING_TYPE = "Software and Configuration Checks/AWS Security Best Practices";

export type AsffSeverityLabel = "INFORMATIONAL" | "LOW" | "MEDIUM" | "HIGH" | "CRITICAL";
export type AsffComplianceStatus = "PASSED" | "WARNING" | "FAILED" | "NOT_AVAILABLE";

export interface AsffResource {
    readonly Type: string;
    readonly Id: string;
    readonly Partition: string;
    readonly Region: string;
}

/** The part of `AwsSecurityFinding` this kit writes (field names and limits from the Security Hub API reference). */
export interface AsffFinding {
    readonly SchemaVersion: typeof ASFF_SCHEMA_VERSION;
    readonly Id: string;
    readonly ProductArn: string;
    readonly ProductName: string;
    readonly GeneratorId: string;
    readonly AwsAccountId: string;
    readonly Types: readonly string[];
    readonly CreatedAt: string;
    readonly UpdatedAt: string;
    readonly Severity: { readonly Label: AsffSeverityLabel; readonly Original: string };
    readonly Title: string;
    readonly Description: string;
    readonly Remediation: { readonly Recommendation: { readonly Text: string } };
    readonly ProductFields: Readonly<Record<string, string>>;
    readonly Resources: readonly AsffResource[];
    readonly Compliance: {
        readonly Status: AsffComplianceStatus;
        readonly SecurityControlId?: string;
        readonly RelatedRequirements?: readonly string[];
    };
    readonly RecordState: "ACTIVE" | "ARCHIVED";
    readonly Workflow?: { readonly Status: "SUPPRESSED" };
    /** Where finding providers update Severity and Types (the top-level ones belong to customers once imported). */
    readonly FindingProviderFields: {
        readonly Severity: { readonly Label: AsffSeverityLabel; readonly Original: string };
        readonly Types: readonly string[];
    };
}

/** Limits of the Security Hub API reference (`AwsSecurityFinding`, `Recommendation`, `ProductFields`). */
const MAX_TITLE = 256;
const MAX_DESCRIPTION = 1024;
const MAX_REMEDIATION = 512;
const MAX_PRODUCT_FIELD_VALUE = 2048;
const MAX_RELATED_REQUIREMENTS = 32;

const FAILED_SEVERITY: Readonly<Record<Severity, AsffSeverityLabel>> = { low: "LOW", medium: "MEDIUM", high: "HIGH", critical: "CRITICAL" };
/** Which finding of several with one Id speaks for them: a failure over an unknown over a pass. */
const STATUS_RANK: Readonly<Record<string, number>> = { fail: 0, unknown: 1, pass: 2 };

/** Throws `AsffError` for a malformed account id or region. */
export function checkAsffOptions(options: AsffOptions): void {
    if (options.account !== undefined && !ACCOUNT_ID_PATTERN.test(options.account)) {
        throw new AsffError(`--account-id: '${options.account.slice(0, 40)}' is not an AWS account id (12 digits)`, "--account-id");
    }
    if (options.region !== undefined && !REGION_PATTERN.test(options.region)) {
        throw new AsffError(`--region: '${options.region.slice(0, 40)}' is not an AWS region name (e.g. us-east-1, eu-west-2)`, "--region");
    }
}

/**
 * The report's findings as ASFF, in report order (findings that share an Id merged into the first).
 * Throws `AsffError` when a finding to be written has no account or region, or an option is malformed.
 */
export function asffFindings(report: Report, options: AsffOptions = {}): AsffFinding[] {
    checkAsffOptions(options);
    const rules = new Map(report.rules.map(rule => [rule.id, rule]));
    const groups = new Map<string, { readonly account: string; readonly region: string; readonly findings: ReportFinding[] }>();
    const missing = { account: [] as ReportFinding[], region: [] as ReportFinding[] };
    for (const finding of report.findings) {
        if (!(finding.status === "fail" || finding.status === "unknown" || (finding.status === "pass" && options.includePassed === true))) {
            continue;
        }
        const { account, region } = whereIs(finding, options);
        if (account === undefined || region === undefined) {
            if (account === undefined) {
                missing.account.push(finding);
            }
            if (region === undefined) {
                missing.region.push(finding);
            }
            continue;
        }
        const id = asffId(account, region, finding);
        const group = groups.get(id);
        if (group === undefined) {
            groups.set(id, { account, region, findings: [finding] });
        } else {
            group.findings.push(finding);
        }
    }
    if (missing.account.length > 0) {
        throw new AsffError(`ASFF needs an AWS account id: pass --account-id (${describeMissing(missing.account)})`, "--account-id");
    }
    if (missing.region.length > 0) {
        throw new AsffError(`ASFF needs an AWS region: pass --region (${describeMissing(missing.region)})`, "--region");
    }
    const out: AsffFinding[] = [];
    for (const [id, group] of groups) {
        out.push(toAsff(id, group.account, group.region, group.findings, rules, report));
    }
    return out;
}

/** `apigw-guard/<account>/<region>/<rule>/<fingerprint>`: the same rule about the same resource, the same Id. */
export function asffId(account: string, region: string, finding: Pick<ReportFinding, "ruleId" | "fingerprint">): string {
    return `${ASFF_ID_PREFIX}/${account}/${region}/${finding.ruleId}/${finding.fingerprint}`;
}

/** The account's default product for custom findings: the one every account may import into. */
export function defaultProductArn(account: string, region: string): string {
    return `arn:${partitionOf(region)}:securityhub:${region}:${account}:product/${account}/default`;
}

function describeMissing(findings: readonly ReportFinding[]): string {
    const example = locationOf(findings[0]) || findings[0].ruleId;
    return findings.length === 1 ? `the finding of ${findings[0].ruleId} on ${example} has none` : `${findings.length} findings have none, e.g. ${findings[0].ruleId} on ${example}`;
}

/** Account and region: provenance, then the resource's ARN, then the caller's defaults. */
function whereIs(finding: ReportFinding, options: AsffOptions): { account?: string; region?: string } {
    const provenance = finding.entity?.provenance;
    const arn = provenance?.arn !== undefined ? parseArn(provenance.arn) : undefined;
    // The first that is well formed: an ARN pattern such as `...:*:log-group:...` names no account.
    const account = [provenance?.account, arn?.account, options.account].find(value => value !== undefined && ACCOUNT_ID_PATTERN.test(value));
    const region = [provenance?.region, arn?.region, options.region].find(value => value !== undefined && REGION_PATTERN.test(value));
    return { ...(account !== undefined ? { account } : {}), ...(region !== undefined ? { region } : {}) };
}

/** The region and account fields of an ARN, where present (API Gateway ARNs have no account). */
function parseArn(arn: string): { account?: string; region?: string } | undefined {
    const parts = arn.split(":");
    if (parts.length < 6 || parts[0] !== "arn") {
        return undefined;
    }
    return { ...(parts[3] !== "" ? { region: parts[3] } : {}), ...(parts[4] !== "" ? { account: parts[4] } : {}) };
}

function toAsff(id: string, account: string, region: string, findings: readonly ReportFinding[], rules: ReadonlyMap<string, ReportRule>, report: Report): AsffFinding {
    // The finding that speaks for the Id: the worst status, then the first in report order.
    const lead = findings.reduce((best, finding) => (STATUS_RANK[finding.status] < STATUS_RANK[best.status] ? finding : best));
    const rule = rules.get(lead.ruleId);
    const severity = severityOf(lead);
    const types = [ASFF_FINDING_TYPE];
    const securityHubControls = rule?.controls.awsSecurityHub ?? [];
    const related = rule !== undefined ? relatedRequirements(rule) : [];
    const inputs = [...new Set(findings.map(finding => finding.input))];
    const productFields: Record<string, string> = {};
    const field = (name: string, value: string | undefined): void => {
        if (value !== undefined && value.trim() !== "") {
            productFields[`${ASFF_ID_PREFIX}/${name}`] = clip(value, MAX_PRODUCT_FIELD_VALUE);
        }
    };
    field("RuleId", lead.ruleId);
    field("Status", lead.status);
    field("EnforcementLevel", lead.enforcementLevel);
    field("Fingerprint", lead.fingerprint);
    field("ToolVersion", report.tool.version);
    field("Inputs", inputs.join(", "));
    field("Location", locationOf(lead));
    field("File", lead.entity?.provenance.file);
    field("Line", lead.line !== undefined ? String(lead.line) : lead.entity?.provenance.line !== undefined ? String(lead.entity.provenance.line) : undefined);
    field("Field", lead.field);
    field("SecurityHubControls", securityHubControls.length > 1 ? securityHubControls.join(", ") : undefined);
    if (lead.suppressed !== undefined) {
        field("Waiver", lead.suppressed.waiver);
        field("WaiverApprover", lead.suppressed.approver);
        field("WaiverExpires", lead.suppressed.expires);
        field("WaiverReason", lead.suppressed.reason);
    }
    field("Baseline", lead.baseline);
    return {
        SchemaVersion: ASFF_SCHEMA_VERSION,
        Id: id,
        ProductArn: defaultProductArn(account, region),
        ProductName: clip(report.tool.name, 128),
        GeneratorId: `${ASFF_ID_PREFIX}/${lead.ruleId}`,
        AwsAccountId: account,
        Types: types,
        CreatedAt: report.generatedAt,
        UpdatedAt: report.generatedAt,
        Severity: severity,
        Title: clip(lead.title, MAX_TITLE),
        Description: clip(lead.message, MAX_DESCRIPTION),
        Remediation: { Recommendation: { Text: clip(lead.remediation, MAX_REMEDIATION) } },
        ProductFields: productFields,
        Resources: [resourceOf(lead, findings, region)],
        Compliance: {
            Status: complianceOf(lead),
            ...(securityHubControls.length > 0 ? { SecurityControlId: securityHubControls[0] } : {}),
            ...(related.length > 0 ? { RelatedRequirements: related.slice(0, MAX_RELATED_REQUIREMENTS) } : {}),
        },
        RecordState: lead.status === "pass" ? "ARCHIVED" : "ACTIVE",
        ...(lead.suppressed !== undefined ? { Workflow: { Status: "SUPPRESSED" as const } } : {}),
        FindingProviderFields: { Severity: severity, Types: types },
    };
}

function severityOf(finding: ReportFinding): AsffFinding["Severity"] {
    switch (finding.status) {
        case "fail":
            return { Label: FAILED_SEVERITY[finding.severity], Original: finding.severity };
        case "unknown":
            return { Label: "LOW", Original: `${finding.severity} (unknown)` };
        default:
            return { Label: "INFORMATIONAL", Original: `${finding.severity} (passed)` };
    }
}

function complianceOf(finding: ReportFinding): AsffComplianceStatus {
    return finding.status === "fail" ? "FAILED" : finding.status === "unknown" ? "WARNING" : "PASSED";
}

/** The rule's framework controls, as Security Hub's own control findings write them. */
function relatedRequirements(rule: ReportRule): string[] {
    return [
        ...rule.controls.nist80053.map(control => `NIST.800-53.r5 ${control}`),
        ...rule.controls.pciDssV4.map(control => `PCI DSS v4.0/${control}`),
    ];
}

/**
 * The resource: its ARN when known (a live audit, a state file), else the Pulumi URN or Terraform
 * address. Of several findings merged into one Id, the first that has an ARN names it.
 */
function resourceOf(lead: ReportFinding, findings: readonly ReportFinding[], region: string): AsffResource {
    const entity = (findings.find(finding => finding.entity?.provenance.arn !== undefined) ?? lead).entity;
    if (entity === undefined) {
        return { Type: "Other", Id: `${ASFF_ID_PREFIX}/rule/${lead.ruleId}`, Partition: partitionOf(region), Region: region };
    }
    const p = entity.provenance;
    return { Type: resourceType(entity.kind, p.resourceType, p.arn), Id: p.arn ?? p.urn ?? p.address ?? entity.ref, Partition: partitionOf(region), Region: region };
}

/** Security Hub's resource types for API Gateway; everything it has no type for is `Other`. */
function resourceType(kind: string, iacType: string | undefined, arn: string | undefined): string {
    const v2 = /apigatewayv2/i.test(iacType ?? "") || /::\/(v2\/)?apis\//.test(arn ?? "");
    switch (kind) {
        case "rest-api":
            return "AwsApiGatewayRestApi";
        case "v2-api":
            return "AwsApiGatewayV2Api";
        case "stage":
            return v2 ? "AwsApiGatewayV2Stage" : "AwsApiGatewayStage";
        case "method-settings":
            // A v1 stage's `methodSettings` (Security Hub's APIGateway.1 is judged on the stage).
            return "AwsApiGatewayStage";
        default:
            return "Other";
    }
}

/** At most `max` UTF-16 units, cut with an ellipsis; never empty (ASFF strings must hold a non-space). */
function clip(text: string, max: number): string {
    const trimmed = text.trim() === "" ? "-" : text;
    if (trimmed.length <= max) {
        return trimmed;
    }
    // Not between the halves of a surrogate pair.
    const end = /[\uD800-\uDBFF]/.test(trimmed[max - 2]) ? max - 2 : max - 1;
    return `${trimmed.slice(0, end)}\u2026`;
}
