/**
 * The programmatic API of apigw-guard (`import { scan, renderReport } from "apigw-guard/api"`):
 * the rules over Terraform and Pulumi inputs, as the `apigw-guard scan` command runs them.
 */
import { AsffOptions, createReporter, Report, ReportFormat } from "../report";
import { readManagedBy } from "./managed-by";
import { markManagement } from "../sources/aws/managed";
import type { AuditOptions as AuditOptionsOfAudit } from "../sources/aws/audit";

export { scan, ScanOptions, InputProblem } from "./scan";
export { kitVersion } from "./version";
export { UsageError } from "../cli/errors";
export { Report, ReportFormat, REPORT_FORMATS, FailOn, InputKind, INPUT_KINDS, AsffError, AsffFinding, AsffOptions, asffFindings } from "../report";
export type { ImportSummary, SecurityHubOptions } from "../sources/aws/security-hub";

/**
 * Renders a report in one format (text is never colored here). `asff`: the account and region of
 * findings that name none, and whether passes are written (ASFF throws `AsffError` without them).
 */
export function renderReport(report: Report, format: ReportFormat, options: { readonly showPasses?: boolean; readonly asff?: AsffOptions } = {}): string {
    return createReporter(format, { color: false, showPasses: options.showPasses === true, ...(options.asff !== undefined ? { asff: options.asff } : {}) }).render(report);
}

/**
 * Imports ASFF findings (from `asffFindings`) into AWS Security Hub with `BatchImportFindings`, as
 * `--send-to-security-hub` does. The AWS SDK is loaded on the first call.
 */
export async function sendToSecurityHub(
    findings: readonly import("../report").AsffFinding[],
    options: import("../sources/aws/security-hub").SecurityHubOptions = {},
): Promise<import("../sources/aws/security-hub").ImportSummary> {
    const hub = await import("../sources/aws/security-hub");
    return hub.sendToSecurityHub(findings, options);
}
export { runRules } from "apigw-guard/policies/engine/run";
export { RULES } from "apigw-guard/policies/rules/index";
export type { Inventory } from "apigw-guard/policies/model/index";
export type { AuditOptions } from "../sources/aws/audit";

export { readManagedBy, ManagedByOptions } from "./managed-by";
export { markManagement, ManagedInput } from "../sources/aws/managed";

/** `auditAccount`'s options: the audit's, and the IaC that should manage the account. */
export interface AccountAuditOptions extends AuditOptionsOfAudit {
    /**
     * Inputs as `scan` takes them (plans, state, stack exports, HCL files or directories): every
     * live API key, usage plan, API and stage gets `management`, which
     * `apigateway-unmanaged-resource` judges (`audit --managed-by`). Read before the account.
     */
    readonly managedBy?: readonly string[];
    /** Called for every problem met while reading `managedBy` (what it may hold is then unknown, never unmanaged). */
    readonly onInputProblem?: (problem: import("./scan").InputProblem) => void;
}

/**
 * Reads one account's API Gateway configuration (read-only) into an Inventory for `runRules`, as
 * `apigw-guard audit` does. The AWS SDK is loaded on the first call, not when this module loads.
 */
export async function auditAccount(options: AccountAuditOptions): Promise<import("apigw-guard/policies/model/index").Inventory> {
    const { managedBy, onInputProblem, ...auditOptions } = options;
    const managed = managedBy !== undefined
        ? await readManagedBy(managedBy, onInputProblem !== undefined ? { onInputProblem } : {})
        : undefined;
    const audit = await import("../sources/aws/audit");
    const inventory = await audit.auditAccount(auditOptions);
    return managed !== undefined ? markManagement(inventory, managed.inputs) : inventory;
}
