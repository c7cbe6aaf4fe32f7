import { FRAMEWORK_TITLES } from "./frameworks";
import { blocksGate, Report, ReportFinding, WaiverNote } from "./model";
import {
    accountRegionOf, accountTallies, countOutcomes, fileLineOf, groupByResource, OUTCOME_TITLES, outcomeOf, OutcomeClass, resourceOf, RuleTally, ruleTallies,
} from "./digest";
import { inert } from "apigw-guard/policies/engine/inert";
import { Reporter } from "./reporter";

/**
 * A pull-request comment (GitHub-flavoured Markdown): a verdict line and a summary table first
 * (hard failures, soft failures, unknown, suppressed, by rule), then the findings that need a
 * look, separated by class and folded per resource in `<details>` blocks. Passes are counted,
 * not listed.
 *
 * Every string from the report is escaped for where it lands: Markdown text (so a message cannot
 * make a link, a table cell break or an `@mention`), and HTML inside `<summary>` (an HTML block,
 * where Markdown is not processed). A message can never inject raw HTML.
 */
export class MarkdownReporter implements Reporter {
    render(report: Report): string {
        // What needs a person's attention besides findings (unreadable inputs, waivers to renew or
        // delete) goes up front with the summary, never into the part that may be cut.
        const head = [...verdict(report), "", ...summaryTable(report), ...accountTable(report), ...inputNotes(report), ...waiverNotes(report), "", ...ruleTable(report)];
        const tail = ["", footer(report)];
        const sections: string[][] = [];
        for (const outcome of LISTED) {
            const findings = report.findings.filter(finding => outcomeOf(finding) === outcome);
            if (findings.length > 0) {
                sections.push(findingSection(outcome, findings, report));
            }
        }
        if (report.frameworks !== undefined && report.frameworks.controls.length > 0) {
            sections.push(frameworkSection(report));
        }
        return `${fitToComment(head, sections, tail).join("\n")}\n`;
    }
}

/** The classes listed in detail, in order; passes and not-applicable outcomes are only counted. */
const LISTED: readonly OutcomeClass[] = ["hard", "soft", "unknown", "suppressed"];

/**
 * GitHub rejects a comment over 65,536 characters. Details are dropped (whole sections last to
 * first, with a note) before the summary ever is.
 */
export const COMMENT_LIMIT = 65_000;

function fitToComment(head: readonly string[], sections: readonly string[][], tail: readonly string[]): string[] {
    const size = (lines: readonly string[]): number => lines.reduce((total, line) => total + line.length + 1, 0);
    const budget = COMMENT_LIMIT - size(head) - size(tail) - 400;
    const out: string[] = [...head];
    let used = 0;
    let omitted = 0;
    for (const section of sections) {
        const needed = size(section);
        if (omitted === 0 && used + needed <= budget) {
            out.push(...section);
            used += needed;
        } else {
            omitted++;
        }
    }
    if (omitted > 0) {
        out.push("", `> **${omitted} section(s) left out to fit a pull-request comment.** The full report is in the \`json\`, \`sarif\` or \`html\` output of the same run.`);
    }
    out.push(...tail);
    return out;
}

function verdict(report: Report): string[] {
    const gate = report.summary.gate;
    const counts = countOutcomes(report.findings);
    const status = gate.blocking > 0
        ? `❌ **gate fails**: ${gate.blocking} blocking at \`--fail-on ${md(gate.failOn)}\``
        : `✅ **gate passes** at \`--fail-on ${md(gate.failOn)}\``;
    const errors = report.summary.inputs.withErrors > 0 ? ` · ⚠️ ${report.summary.inputs.withErrors} input(s) could not be read in full` : "";
    return [
        `## ${md(report.tool.name)} report`,
        "",
        `${status} · ${counts.hard} hard failure(s) · ${counts.soft} soft failure(s) · ${counts.unknown} unknown · ${counts.suppressed} suppressed${errors}`,
    ];
}

function summaryTable(report: Report): string[] {
    const counts = countOutcomes(report.findings);
    const s = report.summary;
    const rows = [
        "| hard failures (mandatory) | soft failures (advisory) | unknown | suppressed (waived) | passed | not applicable | blocking |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        `| ${counts.hard} | ${counts.soft} | ${counts.unknown} | ${counts.suppressed} | ${counts.pass} | ${counts["not-applicable"]} | ${s.gate.blocking} |`,
    ];
    if (s.baseline !== undefined) {
        rows.push("", `Baseline: ${s.baseline.new} new failure(s), ${s.baseline.existing} already in the baseline (not blocking).`);
    }
    return rows;
}

function ruleTable(report: Report): string[] {
    const tallies = ruleTallies(report);
    const lines = [
        "<details><summary>By rule</summary>",
        "",
        "| rule | severity | level | hard | soft | unknown | suppressed | passed | n/a |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ];
    for (const tally of tallies) {
        lines.push(ruleRow(tally));
    }
    lines.push("", "</details>");
    // Open by default only when it is short: a PR comment should lead with what failed.
    if (tallies.filter(t => t.counts.hard + t.counts.soft + t.counts.unknown + t.counts.suppressed > 0).length <= 8) {
        lines[0] = "<details open><summary>By rule</summary>";
    }
    return lines;
}

function ruleRow(tally: RuleTally): string {
    const c = tally.counts;
    return `| ${code(tally.rule.id)} ${md(tally.rule.title)} | ${tally.rule.severity} | ${tally.rule.enforcementLevel} | ${c.hard} | ${c.soft} | ${c.unknown} | ${c.suppressed} | ${c.pass} | ${c["not-applicable"]} |`;
}

function findingSection(outcome: OutcomeClass, findings: readonly ReportFinding[], report: Report): string[] {
    const lines = ["", `### ${OUTCOME_TITLES[outcome]}: ${findings.length}`];
    if (outcome === "soft") {
        lines.push("", "Advisory: reported, not enforced (they block only with `--fail-on advisory` or a severity threshold they meet).");
    } else if (outcome === "suppressed") {
        lines.push("", "Waived: reported, never blocking.");
    }
    for (const group of groupByResource(findings)) {
        const where = group.where !== undefined ? ` (${html(group.where)})` : "";
        const accountRegion = accountRegionOf(group.findings[0]);
        // A live audit's group names its account and region (the input is then the account: once is enough).
        const inputNote = accountRegion !== undefined ? ` [${html(accountRegion)}]` : report.inputs.length > 1 && group.where === undefined ? ` [${html(group.input)}]` : "";
        lines.push("", `<details><summary><code>${html(group.resource)}</code>${where}${inputNote}: ${group.findings.length} ${plural(group.findings.length, "finding", "findings")}</summary>`, "");
        for (const finding of group.findings) {
            lines.push(...findingItem(finding, report));
        }
        lines.push("", "</details>");
    }
    return lines;
}

function findingItem(finding: ReportFinding, report: Report): string[] {
    const tags: string[] = [finding.severity];
    if (finding.status === "fail" && finding.suppressed === undefined) {
        tags.push(blocksGate(finding, report.summary.gate.failOn) ? "blocking" : "not blocking");
    }
    if (finding.baseline !== undefined) {
        tags.push(finding.baseline === "new" ? "new" : "in baseline");
    }
    const where = fileLineOf(finding);
    const lines = [`- ${code(finding.ruleId)} (${tags.join(", ")})${where !== undefined ? ` at ${code(where)}` : ""}: ${md(finding.message)}`];
    if (finding.suppressed !== undefined) {
        const s = finding.suppressed;
        lines.push(`  - **Waived** by ${code(s.waiver)} (approved by ${md(s.approver)}, expires ${md(s.expires)}): ${md(s.reason)}`);
    }
    if (finding.status === "fail" || finding.status === "unknown") {
        lines.push(`  - **Fix:** ${md(finding.remediation)}`);
    }
    return lines;
}

/** An organization audit's accounts, one row each: what failed where, and which could not be read. */
function accountTable(report: Report): string[] {
    const tallies = accountTallies(report);
    if (tallies.length === 0) {
        return [];
    }
    const lines = ["", "| account | regions | hard | soft | unknown | suppressed | passed | notes |", "|---|---|---:|---:|---:|---:|---:|---:|"];
    for (const tally of tallies) {
        const c = tally.counts;
        const name = tally.account.name !== undefined ? ` ${md(tally.account.name)}` : "";
        lines.push(`| ${code(tally.account.id)}${name} | ${tally.account.regions.map(code).join(" ") || "none"} | ${c.hard} | ${c.soft} | ${c.unknown} | ${c.suppressed} | ${c.pass} | ${tally.notes} |`);
    }
    // What could not be read, per account: an account not audited must not pass unnoticed.
    const notes = tallies.flatMap(tally => (tally.input.gaps ?? []).map(gap => `- ℹ️ ${code(tally.account.id)}: ${gap.ref !== undefined ? `${code(gap.ref)}: ` : ""}${md(gap.message)}`));
    if (notes.length > 0) {
        lines.push("", "<details><summary>Not read, by account</summary>", "", ...notes, "", "</details>");
    }
    return lines;
}

function frameworkSection(report: Report): string[] {
    const view = report.frameworks;
    if (view === undefined) {
        return [];
    }
    const lines = ["", "### Compliance by control", ""];
    for (const framework of view.frameworks) {
        const controls = view.controls.filter(control => control.framework === framework);
        const failing = controls.filter(control => control.status === "fail").length;
        lines.push(`<details><summary>${html(FRAMEWORK_TITLES[framework])}: ${failing} of ${controls.length} control(s) failing</summary>`, "");
        lines.push("| control | status | rules | fail | unknown | suppressed | pass |", "|---|---|---|---:|---:|---:|---:|");
        for (const control of controls) {
            lines.push(`| ${code(control.id)} | ${control.status} | ${control.rules.map(code).join(" ")} | ${control.fail} | ${control.unknown} | ${control.suppressed} | ${control.pass} |`);
        }
        lines.push("", "</details>", "");
    }
    return lines;
}

function inputNotes(report: Report): string[] {
    const lines: string[] = [];
    for (const input of report.inputs) {
        for (const error of input.errors ?? []) {
            const file = error.file ?? input.file;
            lines.push(`- ⚠️ ${code(error.line !== undefined ? `${file}:${error.line}` : file)}: ${md(error.message)}`);
        }
    }
    if (lines.length === 0) {
        return [];
    }
    return ["", "### Inputs that could not be read", "", "The findings above are incomplete:", "", ...lines];
}

function waiverNotes(report: Report): string[] {
    const waivers = report.waivers;
    if (waivers === undefined || waivers.expired.length + waivers.stale.length === 0) {
        return [];
    }
    const line = (note: WaiverNote, what: string): string =>
        `- ${code(note.waiver)} (${code(note.rule)} on ${code(note.resource)}, approved by ${md(note.approver)}, expires ${md(note.expires)}) ${what}: ${md(note.reason)}`;
    return [
        "",
        "### Waivers that need attention",
        "",
        ...waivers.expired.map(note => line(note, `**expired**; ${note.matched} finding(s) it matched are reported again`)),
        ...waivers.stale.map(note => line(note, "**stale**: matches no failing or unknown finding")),
    ];
}

function footer(report: Report): string {
    const inputs = report.inputs.map(input => `${code(input.file)} (${input.kind}${input.entities !== undefined ? `, ${input.entities} entities` : ""})`);
    return `<sub>${md(report.tool.name)} ${md(report.tool.version)} · ${md(report.generatedAt)} · ${inputs.join(", ")}</sub>`;
}

function plural(count: number, one: string, many: string): string {
    return count === 1 ? one : many;
}

/**
 * Text in Markdown (never at the start of a line here): backslash-escapes what Markdown would act
 * on inline (emphasis, code, links, table cells, strikethrough), turns `<`, `>`, `&` into entities (no raw HTML), breaks `@mentions`
 * with a zero-width space, and folds line breaks (a table row or list item is one line).
 */
export function md(text: string): string {
    return inertLinks(inert(text.replace(/\r\n?|\n/g, " "))
        .replace(/[\\`*_[\]|~]/g, char => `\\${char}`)
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/@/g, "@&#8203;"));
}

/**
 * GitHub turns bare `https://…` and `www.…` in text into links: a zero-width space after the
 * scheme or `www` keeps a name from becoming a link (mentions are broken the same way above).
 * Applied to text whose `&` are already entities.
 */
function inertLinks(text: string): string {
    return text.replace(/([A-Za-z][A-Za-z0-9+.-]*)(:\/\/)/g, "$1&#8203;$2").replace(/\b(www)\./gi, "$1&#8203;.");
}

/** Text inside an HTML block (`<summary>`), where Markdown is not processed: entities only. */
export function html(text: string): string {
    return inertLinks(inert(text.replace(/\r\n?|\n/g, " "))
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/@/g, "@&#8203;"));
}

/**
 * A code span that holds any text: the fence is one backtick longer than the longest run inside,
 * and `|` is escaped (GitHub splits table cells on it even inside code).
 */
export function code(text: string): string {
    const flat = inert(text.replace(/\r\n?|\n/g, " "));
    const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map(run => run.length));
    const fence = "`".repeat(longest + 1);
    const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
    return `${fence}${pad}${flat.replace(/\|/g, "\\|")}${pad}${fence}`;
}
