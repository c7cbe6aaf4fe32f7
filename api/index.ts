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
