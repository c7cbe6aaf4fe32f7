import type { Reporter, ReporterOptions } from "./reporter";

/**
 * The output formats, by `--format` name. New formats register here. A reporter's module is
 * loaded when its format is first asked for (`require`, which is synchronous like
 * `createReporter`): a scan that writes JSON does not load the HTML, SARIF or ASFF writers.
 */
const FACTORIES = {
    text: (options: ReporterOptions): Reporter => new (require("./text") as typeof import("./text")).TextReporter(options),
    json: (): Reporter => new (require("./json") as typeof import("./json")).JsonReporter(),
    sarif: (): Reporter => new (require("./sarif") as typeof import("./sarif")).SarifReporter(),
    junit: (): Reporter => new (require("./junit") as typeof import("./junit")).JunitReporter(),
    markdown: (): Reporter => new (require("./markdown") as typeof import("./markdown")).MarkdownReporter(),
    html: (): Reporter => new (require("./html") as typeof import("./html")).HtmlReporter(),
    asff: (options: ReporterOptions): Reporter => new (require("./asff") as typeof import("./asff")).AsffReporter(options.asff),
} as const;

export type ReportFormat = keyof typeof FACTORIES;
export const REPORT_FORMATS = Object.keys(FACTORIES) as ReportFormat[];

export function isReportFormat(name: string): name is ReportFormat {
    return Object.prototype.hasOwnProperty.call(FACTORIES, name);
}

export function createReporter(format: ReportFormat, options: ReporterOptions = {}): Reporter {
    return FACTORIES[format](options);
}
