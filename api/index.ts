/**
 * The programmatic API of apigw-guard (`import { scan, renderReport } from "apigw-guard/api"`):
 * the rules over Terraform and Pulumi inputs, as the `apigw-guard scan` command runs them.
 */
import { createReporter, Report, ReportFormat } from "../report";

export { scan, ScanOptions, InputProblem } from "./scan";
export { kitVersion } from "./version";
export { UsageError } from "../cli/errors";
export { Report, ReportFormat, REPORT_FORMATS, FailOn, InputKind, INPUT_KINDS } from "../report";

/** Renders a report in one format (text is never colored here). */
export function renderReport(report: Report, format: ReportFormat, options: { readonly showPasses?: boolean } = {}): string {
    return createReporter(format, { color: false, showPasses: options.showPasses === true }).render(report);
}
export { runRules } from "apigw-guard/policies/engine/run";
export { RULES } from "apigw-guard/policies/rules/index";
export type { Inventory } from "apigw-guard/policies/model/index";
export type { AuditOptions } from "../sources/aws/audit";

/**
 * Reads one account's API Gateway configuration (read-only) into an Inventory for `runRules`, as
 * `apigw-guard audit` does. The AWS SDK is loaded on the first call, not when this module loads.
 */
export async function auditAccount(options: import("../sources/aws/audit").AuditOptions): Promise<import("apigw-guard/policies/model/index").Inventory> {
    const audit = await import("../sources/aws/audit");
    return audit.auditAccount(options);
}
