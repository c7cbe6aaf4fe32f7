import { locationOf, OutcomeLabel, outcomeLabel, Report, ReportFinding, ReportInput } from "./model";
import { Reporter, ReporterOptions } from "./reporter";

const ANSI = {
    bold: "1",
    dim: "2",
    red: "31",
    green: "32",
    yellow: "33",
    magenta: "35",
    cyan: "36",
} as const;

const LABEL_COLOR: Readonly<Record<OutcomeLabel, keyof typeof ANSI>> = {
    FAIL: "red",
    WARN: "yellow",
    UNKNOWN: "magenta",
    PASS: "green",
    "N/A": "dim",
};

/** The width of the widest label, so rule ids line up. */
const LABEL_WIDTH = 7;

/**
 * For people at a terminal or in a CI log: per input, findings grouped by the resource to change
 * (URN / address / ARN with file:line), then one summary line. Passing and not-applicable
 * findings are counted but listed only with `showPasses`.
 */
export class TextReporter implements Reporter {
    private readonly color: boolean;
    private readonly showPasses: boolean;

    constructor(options: ReporterOptions = {}) {
        this.color = options.color === true;
        this.showPasses = options.showPasses === true;
    }

    render(report: Report): string {
        const lines: string[] = [];
        lines.push(this.paint("bold", `${report.tool.name} ${report.tool.version}`) + this.paint("dim", ` · ${report.generatedAt}`));
        for (const input of report.inputs) {
            lines.push("");
            lines.push(...this.renderInput(input, report.findings.filter(f => f.input === input.file)));
        }
        lines.push("");
        lines.push(this.summaryLine(report));
        return `${lines.join("\n")}\n`;
    }

    private renderInput(input: ReportInput, findings: readonly ReportFinding[]): string[] {
        const lines: string[] = [];
        lines.push(`${this.paint("bold", input.file)} ${this.paint("dim", `(${input.kind}${input.entities !== undefined ? `, ${plural(input.entities, "entity", "entities")}` : ""})`)}`);
        for (const error of input.errors ?? []) {
            const file = error.file ?? input.file;
            const where = error.line !== undefined ? `${file}:${error.line}` : file;
            lines.push(`  ${this.paint("red", "ERROR")}    ${where}: ${error.message}`);
        }
        if (input.entities === undefined) {
            return lines;
        }
        const shown = findings.filter(f => this.showPasses || f.status === "fail" || f.status === "unknown");
        const groups = new Map<string, ReportFinding[]>();
        for (const finding of shown) {
            const key = finding.entity ? `${locationOf(finding)}\u0000${finding.entity.provenance.file ?? ""}` : "";
            const group = groups.get(key);
            if (group) {
                group.push(finding);
            } else {
                groups.set(key, [finding]);
            }
        }
        for (const group of groups.values()) {
            lines.push(`  ${this.paint("cyan", groupHeading(group[0]))}`);
            for (const finding of group) {
                lines.push(...this.renderFinding(finding));
            }
        }
        if (shown.length === 0 && (input.errors ?? []).length === 0) {
            const passed = findings.filter(f => f.status === "pass").length;
            lines.push(`  no failures and nothing unknown (${passed} passed)`);
        }
        for (const gap of input.gaps ?? []) {
            lines.push(`  ${this.paint("yellow", "NOTE")}     ${gap.ref ? `${gap.ref}: ` : ""}${gap.message}`);
        }
        return lines;
    }

    private renderFinding(finding: ReportFinding): string[] {
        const label = outcomeLabel(finding);
        const where = finding.line !== undefined && finding.line !== finding.entity?.provenance.line ? `  line ${finding.line}` : "";
        return [
            `    ${this.paint(LABEL_COLOR[label], label.padEnd(LABEL_WIDTH))}  ${this.paint("bold", finding.ruleId)}  ` +
                this.paint("dim", `${finding.enforcementLevel} · ${finding.severity}${where}`),
            `    ${" ".repeat(LABEL_WIDTH)}  ${finding.message}`,
        ];
    }

    private summaryLine(report: Report): string {
        const s = report.summary;
        const parts: string[] = [];
        parts.push(plural(s.inputs.total, "input", "inputs") + (s.inputs.withErrors > 0 ? ` (${s.inputs.withErrors} with errors)` : ""));
        parts.push(`${s.findings.fail} failed (${s.failures.mandatory} mandatory, ${s.failures.advisory} advisory)`);
        parts.push(`${s.findings.unknown} unknown`);
        parts.push(`${s.findings.pass} passed`);
        parts.push(`${s.findings["not-applicable"]} not applicable`);
        const gate = `${s.gate.blocking} blocking at --fail-on ${s.gate.failOn}`;
        const verdict = s.gate.blocking > 0 ? this.paint("red", gate) : this.paint("green", gate);
        return `${parts.join(" · ")} · ${verdict}`;
    }

    private paint(style: keyof typeof ANSI, text: string): string {
        return this.color ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text;
    }
}

function groupHeading(finding: ReportFinding): string {
    if (!finding.entity) {
        return "(no resource: the rule itself could not run)";
    }
    const p = finding.entity.provenance;
    return p.file ? `${locationOf(finding)} (${p.file}${p.line !== undefined ? `:${p.line}` : ""})` : locationOf(finding);
}

function plural(count: number, one: string, many: string): string {
    return `${count} ${count === 1 ? one : many}`;
}
