import { AsffReporter } from "./asff";
import { HtmlReporter } from "./html";
import { JsonReporter } from "./json";
import { JunitReporter } from "./junit";
import { MarkdownReporter } from "./markdown";
import { Reporter, ReporterOptions } from "./reporter";
import { SarifReporter } from "./sarif";
import { TextReporter } from "./text";

export * from "./model";
export * from "./reporter";
export { JsonReporter, sortKeys } from "./json";
export { TextReporter } from "./text";
export { SarifReporter, sarifLog, SARIF_FINGERPRINT_KEY } from "./sarif";
export { JunitReporter } from "./junit";
export { MarkdownReporter } from "./markdown";
export { HtmlReporter, CONTENT_SECURITY_POLICY } from "./html";
export { AsffReporter, AsffError, AsffFinding, AsffOptions, asffFindings, asffId, defaultProductArn, ASFF_SCHEMA_VERSION } from "./asff";

/** The output formats, by `--format` name. New formats register here. */
const FACTORIES = {
    text: (options: ReporterOptions): Reporter => new TextReporter(options),
    json: (): Reporter => new JsonReporter(),
    sarif: (): Reporter => new SarifReporter(),
    junit: (): Reporter => new JunitReporter(),
    markdown: (): Reporter => new MarkdownReporter(),
    html: (): Reporter => new HtmlReporter(),
    asff: (options: ReporterOptions): Reporter => new AsffReporter(options.asff),
} as const;

export type ReportFormat = keyof typeof FACTORIES;
export const REPORT_FORMATS = Object.keys(FACTORIES) as ReportFormat[];

export function isReportFormat(name: string): name is ReportFormat {
    return Object.prototype.hasOwnProperty.call(FACTORIES, name);
}

export function createReporter(format: ReportFormat, options: ReporterOptions = {}): Reporter {
    return FACTORIES[format](options);
}
