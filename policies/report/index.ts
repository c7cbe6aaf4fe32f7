import { JsonReporter } from "./json";
import { Reporter, ReporterOptions } from "./reporter";
import { TextReporter } from "./text";

export * from "./model";
export * from "./reporter";
export { JsonReporter, sortKeys } from "./json";
export { TextReporter } from "./text";

/** The output formats, by `--format` name. New formats register here. */
const FACTORIES = {
    text: (options: ReporterOptions): Reporter => new TextReporter(options),
    json: (): Reporter => new JsonReporter(),
} as const;

export type ReportFormat = keyof typeof FACTORIES;
export const REPORT_FORMATS = Object.keys(FACTORIES) as ReportFormat[];

export function isReportFormat(name: string): name is ReportFormat {
    return Object.prototype.hasOwnProperty.call(FACTORIES, name);
}

export function createReporter(format: ReportFormat, options: ReporterOptions = {}): Reporter {
    return FACTORIES[format](options);
}
