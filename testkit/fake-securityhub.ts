import { IncomingMessage, ServerResponse } from "node:http";
import type { FakeCall, FakeHandler } from "./fake-aws";
import { readBody } from "./local-server";

/**
 * A local stand-in for AWS Security Hub's `BatchImportFindings`, mounted behind `FakeAws` (signing
 * name `securityhub`). Wire format as the SDK v3 serializes and parses it (restJson1):
 * `POST /findings/import` with `{"Findings":[...]}`, answered `200 {"FailedCount","SuccessCount",
 * "FailedFindings":[{"Id","ErrorCode","ErrorMessage"}]}`; errors as `x-amzn-ErrorType` with
 * `{"Message","Code"}` (InvalidInputException 400, InvalidAccessException 401, AccessDeniedException
 * 403, LimitExceededException 429).
 *
 * What it holds to, as AWS does:
 * - at most 100 findings and 6 MB per request (more: the whole request fails, InvalidInputException);
 * - a finding is taken only from the account it names, into the region of its ProductArn, and only
 *   for that account's default product: anything else refuses the request (AccessDeniedException,
 *   "is not authorized to perform: securityhub:BatchImportFindings on resource: <ProductArn>");
 * - a finding missing a required attribute, of the wrong type or over a length limit is rejected
 *   alone in FailedFindings (`InvalidInput`, "Finding does not adhere to Amazon Finding Format. ..."),
 *   and so is a finding over 240 KB;
 * - findings are stored by ProductArn and Id: importing an Id again updates it.
 */

export interface FakeSecurityHubOptions {
    /** Rejects chosen findings (by Id) with this error code and message, as FailedFindings. */
    readonly reject?: (finding: Readonly<Record<string, unknown>>) => { readonly code: string; readonly message: string } | undefined;
    /** The first N requests get a 429 LimitExceededException. */
    readonly throttleFirst?: number;
    /** Requests signed for these regions get 401 InvalidAccessException (Security Hub not enabled there). */
    readonly notEnabledIn?: readonly string[];
}

export interface ImportRequest {
    readonly account: string;
    readonly region: string | undefined;
    /** The request body, as sent. */
    readonly body: string;
    /** Findings in the request (0 when the body could not be read). */
    readonly findings: number;
    readonly status: number;
}

const REQUIRED_STRINGS = ["SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "CreatedAt", "UpdatedAt", "Title", "Description"] as const;
const LIMITS: Readonly<Record<string, number>> = { Id: 512, GeneratorId: 512, Title: 256, Description: 1024, ProductArn: 2048 };
const SEVERITY_LABELS = ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"];
const COMPLIANCE_STATUSES = ["PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"];
const RECORD_STATES = ["ACTIVE", "ARCHIVED"];
const MAX_FINDINGS = 100;
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
const MAX_FINDING_BYTES = 240 * 1024;
/** Security Hub's timestamp formats (API reference, "Timestamps"). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}(:?\d{2})?)$/;

export class FakeSecurityHub {
    /** Every import request, in order (throttled and refused ones too). */
    readonly requests: ImportRequest[] = [];
    /** Imported findings, by `ProductArn|Id`: what Security Hub would now show. */
    readonly stored = new Map<string, Readonly<Record<string, unknown>>>();
    /** How often an Id was imported again (an update, not a new finding). */
    updates = 0;
    /** Every body answered (for leak checks; the bodies received are in `requests`). */
    readonly sentBodies: string[] = [];
    private served = 0;

    constructor(private readonly options: FakeSecurityHubOptions = {}) {}

    /** The handler to mount: `new FakeAws({ services: { securityhub: hub.handler } })`. */
    readonly handler: FakeHandler = (request, response, call) => this.serve(request, response, call);

    /** The bodies of the import requests that reached the API (not throttled), in order. */
    get accepted(): ImportRequest[] {
        return this.requests.filter(item => item.status === 200);
    }

    private async serve(request: IncomingMessage, response: ServerResponse, call: FakeCall): Promise<void> {
        const body = await readBody(request);
        const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
        const record = (status: number, findings: number): void => {
            this.requests.push({ account: call.account, region: call.region, body, findings, status });
        };
        if (request.method !== "POST" || path !== "/findings/import") {
            record(404, 0);
            return this.error(response, 404, "UnknownOperationException", `no fake serves ${request.method ?? ""} ${path}`);
        }
        this.served++;
        if (this.served <= (this.options.throttleFirst ?? 0)) {
            record(429, 0);
            return this.error(response, 429, "LimitExceededException", "Rate exceeded");
        }
        if (call.region !== undefined && (this.options.notEnabledIn ?? []).includes(call.region)) {
            record(401, 0);
            return this.error(response, 401, "InvalidAccessException", `Account ${call.account} is not subscribed to AWS Security Hub`);
        }
        let findings: unknown;
        try {
            findings = (JSON.parse(body) as { Findings?: unknown }).Findings;
        } catch {
            record(400, 0);
            return this.error(response, 400, "InvalidInputException", "Invalid JSON");
        }
        if (!Array.isArray(findings) || findings.length === 0) {
            record(400, 0);
            return this.error(response, 400, "InvalidInputException", "Findings must contain at least 1 finding");
        }
        if (findings.length > MAX_FINDINGS || Buffer.byteLength(body, "utf8") > MAX_REQUEST_BYTES) {
            record(400, findings.length);
            return this.error(response, 400, "InvalidInputException", `The request can contain at most ${MAX_FINDINGS} findings and ${MAX_REQUEST_BYTES} bytes`);
        }
        const expectedProduct = (region: string | undefined) => `securityhub:${region ?? ""}:${call.account}:product/${call.account}/default`;
        for (const finding of findings as Array<Record<string, unknown>>) {
            const product = typeof finding?.ProductArn === "string" ? finding.ProductArn : "";
            if (finding?.AwsAccountId !== call.account || !product.endsWith(expectedProduct(call.region))) {
                record(403, findings.length);
                return this.error(response, 403, "AccessDeniedException",
                    `User: arn:aws:sts::${call.account}:assumed-role/caller is not authorized to perform: securityhub:BatchImportFindings on resource: ${product || "(none)"}`);
            }
        }
        record(200, findings.length);
        const failed: Array<{ Id: string; ErrorCode: string; ErrorMessage: string }> = [];
        for (const finding of findings as Array<Record<string, unknown>>) {
            const id = typeof finding.Id === "string" ? finding.Id : "";
            const problem = asffProblem(finding) ?? (Buffer.byteLength(JSON.stringify(finding), "utf8") > MAX_FINDING_BYTES ? "the finding is larger than 240 KB" : undefined);
            if (problem !== undefined) {
                failed.push({ Id: id, ErrorCode: "InvalidInput", ErrorMessage: `Finding does not adhere to Amazon Finding Format. ${problem}` });
                continue;
            }
            const rejected = this.options.reject?.(finding);
            if (rejected !== undefined) {
                failed.push({ Id: id, ErrorCode: rejected.code, ErrorMessage: rejected.message });
                continue;
            }
            const key = `${String(finding.ProductArn)}|${id}`;
            if (this.stored.has(key)) {
                this.updates++;
            }
            this.stored.set(key, finding);
        }
        this.send(response, 200, { FailedCount: failed.length, SuccessCount: findings.length - failed.length, FailedFindings: failed }, {});
    }

    private error(response: ServerResponse, status: number, type: string, message: string): void {
        this.send(response, status, { Message: message, Code: type }, { "x-amzn-ErrorType": type });
    }

    private send(response: ServerResponse, status: number, payload: unknown, headers: Readonly<Record<string, string>>): void {
        const text = JSON.stringify(payload);
        this.sentBodies.push(text);
        response.writeHead(status, { "content-type": "application/json", "x-amzn-RequestId": `req-${this.requests.length}`, ...headers });
        response.end(text);
    }
}

/**
 * Why a finding is not ASFF (Security Hub's schema check, for the attributes this kit writes), in
 * the words Security Hub uses ("data should have required property 'Title'"), or undefined.
 */
function asffProblem(finding: Readonly<Record<string, unknown>>): string | undefined {
    if (typeof finding !== "object" || finding === null) {
        return "data should be object";
    }
    for (const name of REQUIRED_STRINGS) {
        const value = finding[name];
        if (value === undefined) {
            return `data should have required property '${name}'`;
        }
        if (typeof value !== "string" || !/\S/.test(value)) {
            return `data.${name} should be a non-blank string`;
        }
        if (LIMITS[name] !== undefined && value.length > LIMITS[name]) {
            return `data.${name} should NOT be longer than ${LIMITS[name]} characters`;
        }
    }
    if (finding.SchemaVersion !== "2018-10-08") {
        return "data.SchemaVersion should be equal to one of the allowed values";
    }
    if (!/^\d{12}$/.test(String(finding.AwsAccountId))) {
        return "data.AwsAccountId should match pattern \"^\\d{12}$\"";
    }
    for (const name of ["CreatedAt", "UpdatedAt"]) {
        if (!TIMESTAMP.test(String(finding[name]))) {
            return `data.${name} should match format "date-time"`;
        }
    }
    const types = finding.Types;
    if (!Array.isArray(types) || types.length === 0 || types.length > 50 || types.some(type => typeof type !== "string" || type.split("/").length < 2)) {
        return "data.Types should be an array of 1 to 50 'namespace/category/classifier' strings";
    }
    const severity = finding.Severity as { Label?: unknown } | undefined;
    if (typeof severity !== "object" || severity === null || !SEVERITY_LABELS.includes(String(severity.Label))) {
        return "data.Severity.Label should be equal to one of the allowed values";
    }
    const resources = finding.Resources;
    if (!Array.isArray(resources) || resources.length === 0 || resources.length > 32) {
        return "data should have required property 'Resources' (1 to 32 items)";
    }
    for (const resource of resources as Array<Record<string, unknown>>) {
        if (typeof resource?.Type !== "string" || typeof resource.Id !== "string" || !/\S/.test(resource.Type) || !/\S/.test(resource.Id) || resource.Type.length > 256) {
            return "data.Resources[] should have required properties 'Type' and 'Id'";
        }
    }
    const compliance = finding.Compliance as { Status?: unknown } | undefined;
    if (compliance !== undefined && (typeof compliance !== "object" || compliance === null || (compliance.Status !== undefined && !COMPLIANCE_STATUSES.includes(String(compliance.Status))))) {
        return "data.Compliance.Status should be equal to one of the allowed values";
    }
    if (finding.RecordState !== undefined && !RECORD_STATES.includes(String(finding.RecordState))) {
        return "data.RecordState should be equal to one of the allowed values";
    }
    const text = (finding.Remediation as { Recommendation?: { Text?: unknown } } | undefined)?.Recommendation?.Text;
    if (text !== undefined && (typeof text !== "string" || text.length > 512)) {
        return "data.Remediation.Recommendation.Text should NOT be longer than 512 characters";
    }
    const fields = finding.ProductFields;
    if (fields !== undefined) {
        const entries = typeof fields === "object" && fields !== null ? Object.entries(fields) : [];
        if (entries.length > 50 || entries.some(([key, value]) => key.length > 128 || typeof value !== "string" || value.length > 2048)) {
            return "data.ProductFields should have at most 50 string pairs (keys up to 128, values up to 2048 characters)";
        }
    }
    return undefined;
}

