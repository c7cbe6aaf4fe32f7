import { FRAMEWORK_TITLES } from "./frameworks";
import { ControlStatus, FrameworkView, locationOf, OutcomeLabel, outcomeLabel, Report, ReportFinding, ReportInput, SEVERITIES_DESCENDING, WaiverNote } from "./model";
import { inertDeep } from "apigw-guard/policies/engine/inert";
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

    render(input: Report): string {
        // Names, messages and values from inputs may hold control characters: shown as visible
        // escapes, never acted on by the terminal (only this reporter's own colors are).
        const report = inertDeep(input);
        const lines: string[] = [];
        lines.push(this.paint("bold", `${report.tool.name} ${report.tool.version}`) + this.paint("dim", ` · ${report.generatedAt}`));
        for (const input of report.inputs) {
            lines.push("");
            // Not `push(...)`: an input with ~120k+ lines would overflow the call stack.
            for (const line of this.renderInput(input, report.findings.filter(f => f.input === input.file))) {
                lines.push(line);
            }
        }
        if (report.waivers && (report.waivers.expired.length > 0 || report.waivers.stale.length > 0)) {
            lines.push("");
            lines.push(...this.renderWaivers(report.waivers.expired, report.waivers.stale));
        }
        if (report.frameworks) {
            lines.push("");
            lines.push(...this.renderFrameworks(report.frameworks));
        }
        lines.push("");
        lines.push(this.summaryLine(report));
        return `${lines.join("\n")}\n`;
    }

    /** Expired waivers are warnings (findings they covered are back); stale ones are notes (delete them). */
    private renderWaivers(expired: readonly WaiverNote[], stale: readonly WaiverNote[]): string[] {
        const lines = [this.paint("bold", "Waivers")];
        for (const note of expired) {
            const covered = note.matched > 0 ? `; ${plural(note.matched, "finding is", "findings are")} reported again` : "";
            lines.push(`  ${this.paint("yellow", "WARNING")}  waiver ${note.waiver}${whereOf(note)} expired on ${note.expires} (${note.rule} · ${note.resource}, approved by ${note.approver})${covered}`);
        }
        for (const note of stale) {
            lines.push(`  ${this.paint("dim", "STALE")}    waiver ${note.waiver}${whereOf(note)} matches no failing finding (${note.rule} · ${note.resource}): fixed, renamed or removed? delete it`);
        }
        return lines;
    }

    private renderFrameworks(view: FrameworkView): string[] {
        const lines: string[] = [];
        for (const framework of view.frameworks) {
            const rows = view.controls.filter(c => c.framework === framework);
            lines.push(this.paint("bold", `Controls: ${FRAMEWORK_TITLES[framework]} (${framework})`));
            const idWidth = Math.max(7, ...rows.map(r => r.id.length));
            lines.push(`  ${"control".padEnd(idWidth)}  ${"status".padEnd(14)}  ${"pass".padStart(5)}  ${"fail".padStart(5)}  ${"unknown".padStart(7)}  ${"waived".padStart(6)}  rules`);
            for (const row of rows) {
                const status = this.paint(CONTROL_COLOR[row.status], row.status.toUpperCase().padEnd(14));
                lines.push(`  ${row.id.padEnd(idWidth)}  ${status}  ${String(row.pass).padStart(5)}  ${String(row.fail).padStart(5)}  ${String(row.unknown).padStart(7)}  ${String(row.suppressed).padStart(6)}  ${row.rules.join(", ")}`);
            }
            if (rows.length === 0) {
                lines.push("  (no rule that ran maps to this framework)");
            }
            const failing = rows.filter(r => r.status === "fail").length;
            lines.push(`  ${plural(rows.length, "control", "controls")}: ${failing} failing, ${rows.filter(r => r.status === "unknown").length} unknown, ${rows.filter(r => r.status === "pass").length} passing, ${rows.filter(r => r.status === "not-applicable").length} not applicable`);
        }
        return lines;
    }

    private renderInput(input: ReportInput, findings: readonly ReportFinding[]): string[] {
        const lines: string[] = [];
        const account = input.account !== undefined
            ? `${input.account.name !== undefined ? `, ${input.account.name}` : ""}, ${input.account.regions.length === 1 ? "region" : "regions"} ${input.account.regions.join(", ") || "none"}`
            : "";
        lines.push(`${this.paint("bold", input.file)} ${this.paint("dim", `(${input.kind}${input.entities !== undefined ? `, ${plural(input.entities, "entity", "entities")}` : ""}${account})`)}`);
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
        const baseline = finding.baseline !== undefined ? ` · ${finding.baseline}` : "";
        // A waived finding keeps its outcome visible but reads as waived: it does not block.
        const shown = finding.suppressed !== undefined ? "WAIVED" : label;
        const color = finding.suppressed !== undefined ? "dim" : LABEL_COLOR[label];
        const lines = [
            `    ${this.paint(color, shown.padEnd(LABEL_WIDTH))}  ${this.paint("bold", finding.ruleId)}  ` +
                this.paint("dim", `${finding.enforcementLevel} · ${finding.severity}${finding.suppressed !== undefined ? ` · ${label.toLowerCase()}` : ""}${baseline}${where}`),
            `    ${" ".repeat(LABEL_WIDTH)}  ${finding.message}`,
        ];
        if (finding.suppressed !== undefined) {
            const s = finding.suppressed;
            lines.push(`    ${" ".repeat(LABEL_WIDTH)}  ${this.paint("dim", `waived: ${s.reason} (${s.approver}, until ${s.expires}; waiver ${s.waiver})`)}`);
        }
        return lines;
    }

    private summaryLine(report: Report): string {
        const s = report.summary;
        const parts: string[] = [];
        parts.push(plural(s.inputs.total, "input", "inputs") + (s.inputs.withErrors > 0 ? ` (${s.inputs.withErrors} with errors)` : ""));
        const waived = s.suppressed !== undefined ? `, ${s.suppressed.fail} waived` : "";
        parts.push(`${s.findings.fail} failed (${s.failures.mandatory} mandatory, ${s.failures.advisory} advisory${waived})`);
        if (s.baseline !== undefined) {
            parts.push(`${s.baseline.new} new, ${s.baseline.existing} in the baseline`);
        }
        if (isSeverityGate(s.gate.failOn)) {
            const bySeverity = SEVERITIES_DESCENDING.filter(severity => s.severities[severity] > 0).map(severity => `${s.severities[severity]} ${severity}`);
            parts.push(`failures by severity: ${bySeverity.length > 0 ? bySeverity.join(", ") : "none"}`);
        }
        if (s.waivers !== undefined && (s.waivers.expired > 0 || s.waivers.stale > 0)) {
            parts.push(`waivers: ${s.waivers.expired} expired, ${s.waivers.stale} stale`);
        }
        parts.push(`${s.findings.unknown} unknown`);
        parts.push(`${s.findings.pass} passed`);
        parts.push(`${s.findings["not-applicable"]} not applicable`);
        // Hard and soft apart whenever soft failures can block (at mandatory, only hard ones do).
        const split = s.gate.failOn !== "mandatory" && s.gate.blocking > 0 ? ` (${s.gate.blockingMandatory} mandatory, ${s.gate.blockingAdvisory} advisory)` : "";
        const gate = `${s.gate.blocking} blocking at --fail-on ${s.gate.failOn}${split}`;
        const verdict = s.gate.blocking > 0 ? this.paint("red", gate) : this.paint("green", gate);
        return `${parts.join(" · ")} · ${verdict}`;
    }

    private paint(style: keyof typeof ANSI, text: string): string {
        return this.color ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text;
    }
}

const CONTROL_COLOR: Readonly<Record<ControlStatus, keyof typeof ANSI>> = {
    fail: "red",
    unknown: "magenta",
    pass: "green",
    "not-applicable": "dim",
};

function isSeverityGate(failOn: string): boolean {
    return failOn === "critical" || failOn === "high" || failOn === "medium" || failOn === "low";
}

function whereOf(note: WaiverNote): string {
    if (note.file === undefined || note.line === undefined) {
        return "";
    }
    // An unnamed waiver is already called after its file (`waivers.yaml#2`): add just the line.
    return note.waiver.startsWith(`${note.file}#`) ? ` (line ${note.line})` : ` (${note.file}:${note.line})`;
}

function groupHeading(finding: ReportFinding): string {
    if (!finding.entity) {
        return "(no resource: the rule itself could not run)";
    }
    const p = finding.entity.provenance;
    if (p.account !== undefined) {
        // A live audit's finding names its account and region on its own line of a CI log.
        return `${locationOf(finding)} (account ${p.account}${p.region !== undefined ? `, ${p.region}` : ""})`;
    }
    return p.file ? `${locationOf(finding)} (${p.file}${p.line !== undefined ? `:${p.line}` : ""})` : locationOf(finding);
}

function plural(count: number, one: string, many: string): string {
    return `${count} ${count === 1 ? one : many}`;
}
