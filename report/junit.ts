import { FRAMEWORK_KEYS, FRAMEWORK_TITLES } from "./frameworks";
import { blocksGate, FRAMEWORKS, outcomeLabel, Report, ReportFinding, ReportInput, ReportRule, WaiverNote } from "./model";
import { fileLineOf, lineOf, outcomeOf, resourceOf, ruleTallies } from "./digest";
import { Reporter } from "./reporter";

/**
 * JUnit XML for CI test views (Jenkins, GitLab, GitHub Actions test reporters): one `<testsuite>`
 * per rule, one `<testcase>` per rule × resource (classname = rule id, name = the resource's URN /
 * address / ARN, plus the input when the report has several). A failure is `<failure>` with
 * `type` = its enforcement level (`mandatory` = hard, `advisory` = soft); waived, unknown and
 * not-applicable outcomes are `<skipped>` with the reason. Inputs that could not be read are an
 * `<error>` in a suite of their own, and waivers that need attention (expired, stale) are listed
 * in another, so nothing the report holds is lost.
 */
export class JunitReporter implements Reporter {
    render(report: Report): string {
        const multipleInputs = report.inputs.length > 1;
        const suites: Suite[] = [];
        for (const tally of ruleTallies(report)) {
            const findings = report.findings.filter(finding => finding.ruleId === tally.rule.id);
            suites.push({
                name: tally.rule.id,
                properties: ruleProperties(tally.rule),
                cases: findings.map(finding => findingCase(finding, report, multipleInputs)),
            });
        }
        suites.push({ name: `${report.tool.name} inputs`, properties: [], cases: report.inputs.map(inputCase) });
        if (report.waivers !== undefined) {
            suites.push({
                name: `${report.tool.name} waivers`,
                properties: [],
                cases: [
                    ...report.waivers.expired.map(note => waiverCase(note, "expired")),
                    ...report.waivers.stale.map(note => waiverCase(note, "stale")),
                ],
            });
        }
        const timestamp = junitTimestamp(report.generatedAt);
        const totals = suites.map(count).reduce((a, b) => ({
            tests: a.tests + b.tests, failures: a.failures + b.failures, errors: a.errors + b.errors, skipped: a.skipped + b.skipped,
        }), { tests: 0, failures: 0, errors: 0, skipped: 0 });
        const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
        lines.push(`<testsuites${attributes([
            ["name", `${report.tool.name} ${report.tool.version}`],
            ["tests", totals.tests], ["failures", totals.failures], ["errors", totals.errors], ["skipped", totals.skipped],
            ["time", "0"], ["timestamp", timestamp],
        ])}>`);
        // Not `push(...)`: a suite of ~120k+ lines would overflow the call stack.
        suites.forEach((suite, index) => {
            for (const line of renderSuite(suite, index, timestamp)) {
                lines.push(line);
            }
        });
        lines.push("</testsuites>");
        return `${lines.join("\n")}\n`;
    }
}

interface Case {
    readonly name: string;
    readonly classname: string;
    readonly file?: string;
    readonly line?: number;
    readonly failure?: { readonly message: string; readonly type: string; readonly body: string };
    readonly error?: { readonly message: string; readonly type: string; readonly body: string };
    readonly skipped?: string;
    readonly out?: string;
}

interface Suite {
    readonly name: string;
    readonly properties: readonly (readonly [string, string])[];
    readonly cases: readonly Case[];
}

function count(suite: Suite): { tests: number; failures: number; errors: number; skipped: number } {
    return {
        tests: suite.cases.length,
        failures: suite.cases.filter(c => c.failure !== undefined).length,
        errors: suite.cases.filter(c => c.error !== undefined).length,
        skipped: suite.cases.filter(c => c.skipped !== undefined).length,
    };
}

function renderSuite(suite: Suite, index: number, timestamp: string): string[] {
    const totals = count(suite);
    const lines: string[] = [];
    lines.push(`  <testsuite${attributes([
        ["name", suite.name], ["tests", totals.tests], ["failures", totals.failures], ["errors", totals.errors], ["skipped", totals.skipped],
        ["time", "0"], ["timestamp", timestamp], ["id", index],
    ])}>`);
    if (suite.properties.length > 0) {
        lines.push("    <properties>");
        for (const [name, value] of suite.properties) {
            lines.push(`      <property${attributes([["name", name], ["value", value]])}/>`);
        }
        lines.push("    </properties>");
    }
    for (const testcase of suite.cases) {
        const head = `    <testcase${attributes([
            ["name", testcase.name], ["classname", testcase.classname],
            ...(testcase.file !== undefined ? [["file", testcase.file] as const] : []),
            ...(testcase.line !== undefined ? [["line", testcase.line] as const] : []),
            ["time", "0"],
        ])}`;
        const body: string[] = [];
        if (testcase.failure) {
            body.push(`      <failure${attributes([["message", testcase.failure.message], ["type", testcase.failure.type]])}>${xmlText(testcase.failure.body)}</failure>`);
        }
        if (testcase.error) {
            body.push(`      <error${attributes([["message", testcase.error.message], ["type", testcase.error.type]])}>${xmlText(testcase.error.body)}</error>`);
        }
        if (testcase.skipped !== undefined) {
            body.push(`      <skipped${attributes([["message", testcase.skipped]])}/>`);
        }
        if (testcase.out !== undefined) {
            body.push(`      <system-out>${xmlText(testcase.out)}</system-out>`);
        }
        if (body.length === 0) {
            lines.push(`${head}/>`);
        } else {
            lines.push(`${head}>`, ...body, "    </testcase>");
        }
    }
    lines.push("  </testsuite>");
    return lines;
}

function ruleProperties(rule: ReportRule): Array<readonly [string, string]> {
    const properties: Array<readonly [string, string]> = [
        ["title", rule.title],
        ["severity", rule.severity],
        ["enforcementLevel", rule.enforcementLevel],
    ];
    for (const framework of FRAMEWORKS) {
        const controls = rule.controls[FRAMEWORK_KEYS[framework]];
        if (controls.length > 0) {
            properties.push([`controls.${framework}`, `${FRAMEWORK_TITLES[framework]}: ${controls.join(", ")}`]);
        }
    }
    properties.push(["remediation", rule.remediation]);
    return properties;
}

function findingCase(finding: ReportFinding, report: Report, multipleInputs: boolean): Case {
    const resource = resourceOf(finding);
    const file = finding.entity?.provenance.file;
    const line = lineOf(finding);
    const base = {
        name: multipleInputs ? `${resource} [${finding.input}]` : resource,
        classname: finding.ruleId,
        ...(file !== undefined ? { file } : {}),
        ...(file !== undefined && line !== undefined ? { line } : {}),
    };
    const outcome = outcomeOf(finding);
    if (outcome === "suppressed" && finding.suppressed !== undefined) {
        const s = finding.suppressed;
        return { ...base, skipped: `suppressed by waiver ${s.waiver} (approved by ${s.approver}, expires ${s.expires}): ${s.reason}`, out: details(finding, report) };
    }
    switch (outcome) {
        case "hard":
        case "soft":
            return {
                ...base,
                failure: { message: `${outcomeLabel(finding)}: ${finding.message}`, type: finding.enforcementLevel, body: details(finding, report) },
            };
        case "unknown":
            return { ...base, skipped: `unknown: ${finding.message}`, out: details(finding, report) };
        case "not-applicable":
            return { ...base, skipped: `not applicable: ${finding.message}` };
        default:
            return base;
    }
}

function details(finding: ReportFinding, report: Report): string {
    const where = fileLineOf(finding);
    const lines = [
        finding.message,
        "",
        `resource:    ${resourceOf(finding)}`,
        ...(where !== undefined ? [`location:    ${where}`] : []),
        `input:       ${finding.input}`,
        ...(finding.entity?.provenance.account !== undefined ? [`account:     ${finding.entity.provenance.account}`] : []),
        ...(finding.entity?.provenance.account !== undefined && finding.entity.provenance.region !== undefined ? [`region:      ${finding.entity.provenance.region}`] : []),
        `severity:    ${finding.severity}`,
        `level:       ${finding.enforcementLevel}${finding.status === "fail" ? (finding.enforcementLevel === "mandatory" ? " (hard failure)" : " (soft failure)") : ""}`,
        ...(finding.status === "fail" ? [`blocking:    ${blocksGate(finding, report.summary.gate.failOn) ? "yes" : "no"} (--fail-on ${report.summary.gate.failOn})`] : []),
        ...(finding.baseline !== undefined ? [`baseline:    ${finding.baseline}`] : []),
        `remediation: ${finding.remediation}`,
    ];
    return lines.join("\n");
}

function inputCase(input: ReportInput): Case {
    const base = { name: input.file, classname: "inputs" };
    const gaps = (input.gaps ?? []).map(gap => `note: ${gap.ref !== undefined ? `${gap.ref}: ` : ""}${gap.message}`);
    const out = [`kind: ${input.kind}`, ...(input.entities !== undefined ? [`entities: ${input.entities}`] : []), ...gaps].join("\n");
    const errors = input.errors ?? [];
    if (errors.length === 0) {
        return { ...base, out };
    }
    const describe = (error: NonNullable<ReportInput["errors"]>[number]): string => {
        const file = error.file ?? input.file;
        return `${error.line !== undefined ? `${file}:${error.line}` : file}: ${error.message}`;
    };
    return {
        ...base,
        error: { message: describe(errors[0]), type: "input", body: errors.map(describe).join("\n") },
        out,
    };
}

function waiverCase(note: WaiverNote, state: "expired" | "stale"): Case {
    const what = state === "expired"
        ? `expired on ${note.expires}: it no longer suppresses anything (${note.matched} matching finding(s) are reported again)`
        : "matches no failing or unknown finding: delete it or fix its selector";
    return {
        name: note.waiver,
        classname: "waivers",
        ...(note.file !== undefined ? { file: note.file } : {}),
        ...(note.file !== undefined && note.line !== undefined ? { line: note.line } : {}),
        skipped: `waiver ${state}: ${what}`,
        out: [`rule:     ${note.rule}`, `resource: ${note.resource}`, `approver: ${note.approver}`, `expires:  ${note.expires}`, `reason:   ${note.reason}`].join("\n"),
    };
}

/** `xs:dateTime` without a zone (the Ant JUnit schema's form); the report's clock is UTC. */
function junitTimestamp(iso: string): string {
    return iso.replace(/\.\d+Z$/, "").replace(/Z$/, "");
}

function attributes(pairs: ReadonlyArray<readonly [string, string | number]>): string {
    return pairs.map(([name, value]) => ` ${name}="${xmlAttribute(String(value))}"`).join("");
}

/**
 * Characters XML 1.0 cannot hold at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF)
 * become U+FFFD: escaping cannot save them, and one would make the whole file unparseable.
 */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlText(text: string): string {
    return text.replace(NOT_XML, "\uFFFD").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Attribute values also keep their line breaks and tabs (a parser would fold them to spaces). */
export function xmlAttribute(text: string): string {
    return xmlText(text).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;").replace(/\t/g, "&#9;");
}
