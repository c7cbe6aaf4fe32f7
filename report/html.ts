import { createHash } from "crypto";
import { Severity } from "apigw-guard/policies/rules/types";
import { FRAMEWORK_TITLES, frameworkView } from "./frameworks";
import { blocksGate, FRAMEWORKS, Report, ReportFinding, ReportInput, SEVERITIES_DESCENDING, WaiverNote } from "./model";
import {
    accountRegionOf, AccountTally, accountTallies, AgeBin, ageBins, countOutcomes, emptyCounts, fileLineOf, KeyAges, keyAges, MAX_AGE_RULE, OUTCOME_LABELS, OUTCOME_TITLES, outcomeOf,
    OutcomeClass, OUTCOMES, resourceOf, RuleTally, ruleTallies,
} from "./digest";
import { Reporter } from "./reporter";

/**
 * One self-contained HTML file for people (auditors, reviewers): a verdict, a summary by outcome
 * and severity, a chart of findings by rule, a histogram of API-key ages against the rotation
 * limit, compliance per control for each framework, and every finding with its resource, source
 * location and remediation.
 *
 * Self-contained means no request at all: no external script, style, font or image. The charts are
 * inline SVG drawn here, not in the browser; the only script is a small filter for the findings
 * table. A strict Content-Security-Policy (`default-src 'none'`) allows exactly the inline style
 * and script below by their SHA-256 hashes, so a message that somehow carried markup could not
 * run anything even if escaping failed. Every string from the report is HTML-escaped.
 */
export class HtmlReporter implements Reporter {
    render(report: Report): string {
        const counts = countOutcomes(report.findings);
        const tallies = accountTallies(report);
        const body = [
            header(report, tallies.length > 0),
            summarySection(report, counts),
            ...(tallies.length > 0 ? [accountSection(tallies)] : []),
            ruleSection(report),
            keyAgeSection(report),
            frameworkSection(report),
            findingsSection(report),
            inputsSection(report),
            `<footer>${esc(report.tool.name)} ${esc(report.tool.version)} · report version ${report.reportVersion} · generated ${esc(report.generatedAt)}</footer>`,
        ].join("\n");
        return [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            `<meta http-equiv="Content-Security-Policy" content="${esc(CONTENT_SECURITY_POLICY)}">`,
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            `<meta name="generator" content="${esc(`${report.tool.name} ${report.tool.version}`)}">`,
            `<title>${esc(report.tool.name)} report · ${esc(report.generatedAt)}</title>`,
            `<style>${STYLE}</style>`,
            "</head>",
            "<body>",
            body,
            `<script>${SCRIPT}</script>`,
            "</body>",
            "</html>",
            "",
        ].join("\n");
    }
}

const STYLE = `
:root { color-scheme: light; --hard: #b3261e; --soft: #c77700; --unknown: #6a3d9a; --suppressed: #56707e; --pass: #2e7d32; --na: #9e9e9e; --line: #d9dde3; --muted: #5f6b7a; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1d232b; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
code { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.meta, .note, footer { color: var(--muted); }
footer { margin-top: 40px; font-size: 12px; }
nav a { margin-right: 14px; }
.verdict { margin: 14px 0; padding: 10px 14px; border-radius: 6px; font-weight: 600; }
.verdict.fail { background: #fdecea; color: var(--hard); border: 1px solid #f3b8b3; }
.verdict.pass { background: #e9f5ea; color: var(--pass); border: 1px solid #b9dcbb; }
.verdict .detail { font-weight: 400; color: #1d232b; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0 16px; }
.card { min-width: 128px; padding: 8px 12px; border: 1px solid var(--line); border-left-width: 6px; border-radius: 6px; }
.card .n { display: block; font-size: 24px; font-weight: 700; }
.card .l { color: var(--muted); font-size: 12.5px; }
.o-hard { border-left-color: var(--hard); } .o-soft { border-left-color: var(--soft); } .o-unknown { border-left-color: var(--unknown); }
.o-suppressed { border-left-color: var(--suppressed); } .o-pass { border-left-color: var(--pass); } .o-not-applicable { border-left-color: var(--na); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
table.by-severity { width: auto; min-width: 60%; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f4f6f8; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.zero { color: #b0b7c0; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; white-space: nowrap; }
.b-hard, .b-fail { background: var(--hard); } .b-soft { background: var(--soft); } .b-unknown { background: var(--unknown); }
.b-suppressed { background: var(--suppressed); } .b-pass { background: var(--pass); } .b-not-applicable { background: var(--na); }
.sev { font-size: 12px; color: var(--muted); }
.fix { margin-top: 4px; color: #2b3440; }
.fix b, .waived b { color: #1d232b; }
.waived { margin-top: 4px; padding: 3px 6px; background: #eef2f4; border-radius: 4px; }
.tag { display: inline-block; margin-left: 4px; padding: 0 5px; border: 1px solid var(--line); border-radius: 4px; font-size: 11.5px; color: var(--muted); }
.chart { width: 100%; height: auto; max-width: 900px; display: block; margin: 8px 0; }
.chart text { font: 11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; fill: #1d232b; }
.chart .axis { stroke: #8a94a3; stroke-width: 1; }
.chart .grid { stroke: #e7eaee; stroke-width: 1; }
table.findings td:nth-child(1) { width: 9em; }
table.findings td:nth-child(2) { width: 17em; }
table.findings td:nth-child(3) { width: 24em; }
.filter { margin: 8px 0 4px; }
.filter input { width: 340px; max-width: 100%; padding: 5px 8px; font: inherit; }
details > summary { cursor: pointer; }
`;

const SCRIPT = `
(function () {
  "use strict";
  var box = document.getElementById("filter");
  var status = document.getElementById("filter-status");
  if (!box || !status) { return; }
  var rows = document.querySelectorAll("tr[data-search]");
  box.addEventListener("input", function () {
    var query = box.value.trim().toLowerCase();
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var hit = query === "" || (rows[i].getAttribute("data-search") || "").indexOf(query) !== -1;
      rows[i].hidden = !hit;
      if (hit) { shown++; }
    }
    status.textContent = query === "" ? "" : shown + " of " + rows.length + " findings match";
  });
})();
`;

function sha256(text: string): string {
    return createHash("sha256").update(text, "utf8").digest("base64");
}

/** Nothing may load; only this file's own style and script (by hash) may apply or run. */
export const CONTENT_SECURITY_POLICY = [
    "default-src 'none'",
    `style-src 'sha256-${sha256(STYLE)}'`,
    `script-src 'sha256-${sha256(SCRIPT)}'`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
].join("; ");

const OUTCOME_COLORS: Readonly<Record<OutcomeClass, string>> = {
    hard: "#b3261e",
    soft: "#c77700",
    unknown: "#6a3d9a",
    suppressed: "#56707e",
    pass: "#2e7d32",
    "not-applicable": "#9e9e9e",
};

function header(report: Report, withAccounts: boolean): string {
    const gate = report.summary.gate;
    const inputs = report.inputs.length;
    const verdict = gate.blocking > 0
        ? `<div class="verdict fail">Gate fails: ${gate.blocking} blocking at --fail-on ${esc(gate.failOn)} <span class="detail">(${gate.blockingMandatory} hard, ${gate.blockingAdvisory} soft)</span></div>`
        : `<div class="verdict pass">Gate passes at --fail-on ${esc(gate.failOn)}</div>`;
    const errors = report.summary.inputs.withErrors > 0
        ? `<div class="verdict fail">${report.summary.inputs.withErrors} of ${inputs} input(s) could not be read in full: the findings are incomplete (see <a href="#inputs">Inputs</a>).</div>`
        : "";
    return [
        "<header>",
        `<h1>${esc(report.tool.name)} report</h1>`,
        `<div class="meta">Generated ${esc(report.generatedAt)} by ${esc(report.tool.name)} ${esc(report.tool.version)} · ${inputs} ${inputs === 1 ? "input" : "inputs"} · ${report.rules.length} rules · ${report.findings.length} findings</div>`,
        verdict,
        errors,
        `<nav><a href="#summary">Summary</a>${withAccounts ? '<a href="#accounts">Accounts</a>' : ""}<a href="#by-rule">By rule</a><a href="#key-ages">API key ages</a><a href="#frameworks">Compliance</a><a href="#findings">Findings</a><a href="#inputs">Inputs</a></nav>`,
        "</header>",
    ].filter(line => line !== "").join("\n");
}

function summarySection(report: Report, counts: Record<OutcomeClass, number>): string {
    const cards = OUTCOMES.map(outcome =>
        `<div class="card o-${outcome}" data-outcome="${outcome}"><span class="n">${counts[outcome]}</span><span class="l">${esc(OUTCOME_TITLES[outcome])}</span></div>`);
    const bySeverity = new Map<Severity, Record<OutcomeClass, number>>(SEVERITIES_DESCENDING.map(severity => [severity, emptyCounts()]));
    for (const finding of report.findings) {
        const row = bySeverity.get(finding.severity);
        if (row) {
            row[outcomeOf(finding)]++;
        }
    }
    const rows = SEVERITIES_DESCENDING.map(severity => {
        const row = bySeverity.get(severity) ?? emptyCounts();
        return `<tr><th scope="row">${severity}</th>${OUTCOMES.map(outcome => numberCell(row[outcome])).join("")}</tr>`;
    });
    const baseline = report.summary.baseline !== undefined
        ? `<p class="note">Baseline: ${report.summary.baseline.new} new failure(s); ${report.summary.baseline.existing} already in the baseline (they do not block).</p>`
        : "";
    return [
        '<section id="summary">',
        "<h2>Summary</h2>",
        `<div class="cards">${cards.join("")}</div>`,
        baseline,
        "<h3>By severity</h3>",
        `<table class="by-severity"><thead><tr><th>severity</th>${OUTCOMES.map(outcome => `<th class="n">${esc(OUTCOME_LABELS[outcome])}</th>`).join("")}</tr></thead>`,
        `<tbody>${rows.join("")}</tbody></table>`,
        "</section>",
    ].filter(line => line !== "").join("\n");
}

function numberCell(value: number): string {
    return `<td class="n${value === 0 ? " zero" : ""}">${value}</td>`;
}

/**
 * The per-account view of an organization audit: one row per account with its outcomes and what
 * could not be read there, and the account's notes under it. The findings filter takes an account
 * id (each finding row is searchable by `account <id>` and its region).
 */
function accountSection(tallies: readonly AccountTally[]): string {
    const rows = tallies.map(tally => accountRow(tally));
    return [
        '<section id="accounts">',
        `<h2>Accounts: ${tallies.length}</h2>`,
        '<p class="note">Findings by account. Type an account id in the findings filter to list that account\'s findings.</p>',
        `<table class="accounts"><thead><tr><th>account</th><th>regions</th>${OUTCOMES.map(outcome => `<th class="n">${esc(OUTCOME_LABELS[outcome])}</th>`).join("")}<th>not read</th></tr></thead>`,
        `<tbody>${rows.join("")}</tbody></table>`,
        "</section>",
    ].join("\n");
}

function accountRow(tally: AccountTally): string {
    const { account, counts } = tally;
    const failing = counts.hard + counts.soft;
    const state = tally.notes > 0 && OUTCOMES.every(outcome => counts[outcome] === 0) ? "not-read" : failing > 0 ? "fail" : counts.unknown > 0 ? "unknown" : "pass";
    const notes = (tally.input.gaps ?? []).map(gap => `${gap.ref !== undefined ? `<code>${esc(gap.ref)}</code>: ` : ""}${esc(gap.message)}`);
    const shownNotes = notes.length === 0 ? "" : notes.length === 1 ? notes[0] : `<details><summary>${notes.length} notes</summary>${notes.join("<br>")}</details>`;
    return `<tr id="account-${esc(account.id)}" data-account="${esc(account.id)}" data-state="${state}"><td><code>${esc(account.id)}</code>${account.name !== undefined ? `<br><span class="sev">${esc(account.name)}</span>` : ""}</td>` +
        `<td>${account.regions.map(region => `<code>${esc(region)}</code>`).join(" ") || "none"}</td>${OUTCOMES.map(outcome => numberCell(counts[outcome])).join("")}<td>${shownNotes}</td></tr>`;
}

function ruleSection(report: Report): string {
    const tallies = ruleTallies(report);
    const rows = tallies.map(tally => {
        const rule = tally.rule;
        return `<tr><td><code>${esc(rule.id)}</code><br><span class="sev">${esc(rule.title)}</span></td><td>${rule.severity}</td><td>${esc(rule.enforcementLevel)}</td>${OUTCOMES.map(outcome => numberCell(tally.counts[outcome])).join("")}</tr>`;
    });
    return [
        '<section id="by-rule">',
        "<h2>Findings by rule</h2>",
        ruleChart(tallies),
        `<table class="by-rule"><thead><tr><th>rule</th><th>severity</th><th>level</th>${OUTCOMES.map(outcome => `<th class="n">${esc(OUTCOME_LABELS[outcome])}</th>`).join("")}</tr></thead>`,
        `<tbody>${rows.join("")}</tbody></table>`,
        "</section>",
    ].join("\n");
}

/** A horizontal stacked bar per rule: one segment per outcome class with findings. */
function ruleChart(tallies: readonly RuleTally[]): string {
    const width = 900;
    const labelWidth = 320;
    const countWidth = 50;
    const rowHeight = 24;
    const barHeight = 16;
    const top = 34;
    const plotWidth = width - labelWidth - countWidth;
    const height = top + tallies.length * rowHeight + 8;
    const total = (tally: RuleTally): number => OUTCOMES.reduce((sum, outcome) => sum + tally.counts[outcome], 0);
    const scale = Math.max(1, ...tallies.map(total));
    const parts: string[] = [];
    parts.push(`<svg class="chart" id="chart-by-rule" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="chart-by-rule-title" data-bars="${tallies.length}">`);
    parts.push('<title id="chart-by-rule-title">Findings by rule, stacked by outcome</title>');
    parts.push(legend(OUTCOMES.map(outcome => [OUTCOME_COLORS[outcome], OUTCOME_LABELS[outcome]] as const), labelWidth, 14));
    tallies.forEach((tally, index) => {
        const y = top + index * rowHeight;
        const n = total(tally);
        const tooltip = `${tally.rule.id}: ${OUTCOMES.map(outcome => `${tally.counts[outcome]} ${OUTCOME_LABELS[outcome]}`).join(", ")}`;
        parts.push(`<g class="bar" data-rule="${esc(tally.rule.id)}" data-total="${n}"><title>${esc(tooltip)}</title>`);
        parts.push(`<text x="${labelWidth - 8}" y="${num(y + barHeight - 4)}" text-anchor="end">${esc(tally.rule.id)}</text>`);
        let x = labelWidth;
        for (const outcome of OUTCOMES) {
            const value = tally.counts[outcome];
            if (value > 0) {
                const w = (value / scale) * plotWidth;
                parts.push(`<rect class="seg" data-outcome="${outcome}" data-count="${value}" x="${num(x)}" y="${y}" width="${num(w)}" height="${barHeight}" fill="${OUTCOME_COLORS[outcome]}"/>`);
                x += w;
            }
        }
        parts.push(`<text x="${num(x + 6)}" y="${num(y + barHeight - 4)}">${n}</text></g>`);
    });
    parts.push("</svg>");
    return parts.join("\n");
}

function legend(entries: ReadonlyArray<readonly [string, string]>, x0: number, y: number): string {
    const parts: string[] = ['<g class="legend">'];
    let x = x0;
    for (const [color, label] of entries) {
        parts.push(`<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${color}"/><text x="${x + 14}" y="${y}">${esc(label)}</text>`);
        x += 24 + label.length * 7;
    }
    parts.push("</g>");
    return parts.join("");
}

function keyAgeSection(report: Report): string {
    const ages = keyAges(report);
    const bins = ageBins(ages);
    const lines = ['<section id="key-ages">', "<h2>API key ages</h2>"];
    if (ages.keys.length === 0) {
        lines.push(`<p class="note">No API key ages in this report (rule <code>${MAX_AGE_RULE}</code> judged no key whose age is known).</p>`);
    } else {
        const limit = ages.maxAgeDays;
        const over = limit !== undefined ? ages.keys.filter(key => key.ageDays > limit).length : 0;
        const limits = [
            ...(limit !== undefined ? [`rotation limit ${limit} days (${over} of ${ages.keys.length} past it)`] : []),
            ...(ages.warnAgeDays !== undefined ? [`warning from ${ages.warnAgeDays} days`] : []),
        ];
        lines.push(`<p class="note">${ages.keys.length} ${ages.keys.length === 1 ? "key" : "keys"} (a key read from several inputs counts once per resource address or URN)${limits.length > 0 ? `; ${esc(limits.join("; "))}` : ""}.</p>`);
        lines.push(ageHistogram(ages, bins));
        const rows = [...ages.keys]
            .sort((a, b) => b.ageDays - a.ageDays || (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0))
            .map(key => `<tr><td><code>${esc(key.resource)}</code></td><td class="n">${key.ageDays}</td><td>${badge(key.outcome)}</td></tr>`);
        lines.push(`<details><summary>Keys by age</summary><table class="key-ages"><thead><tr><th>key</th><th class="n">age (days)</th><th>outcome</th></tr></thead><tbody>${rows.join("")}</tbody></table></details>`);
    }
    if (ages.unknownAge > 0) {
        lines.push(`<p class="note">${ages.unknownAge} key(s) of unknown age (not in the chart).</p>`);
    }
    lines.push("</section>");
    return lines.join("\n");
}

function ageHistogram(ages: KeyAges, bins: readonly AgeBin[]): string {
    const width = 900;
    const height = 290;
    const left = 48;
    const right = 24;
    const top = 46;
    const bottom = 44;
    const plotWidth = width - left - right;
    const plotHeight = height - top - bottom;
    const span = bins.length > 0 ? bins[bins.length - 1].to : 1;
    const maxCount = Math.max(1, ...bins.map(bin => bin.count));
    const xOf = (days: number): number => left + (days / span) * plotWidth;
    const yOf = (value: number): number => top + plotHeight - (value / maxCount) * plotHeight;
    const limit = ages.maxAgeDays;
    const warn = ages.warnAgeDays !== undefined && (limit === undefined || ages.warnAgeDays < limit) ? ages.warnAgeDays : undefined;
    const colorOf = (bin: AgeBin): string =>
        limit !== undefined && bin.from >= limit ? OUTCOME_COLORS.hard : warn !== undefined && bin.to > warn ? OUTCOME_COLORS.soft : OUTCOME_COLORS.pass;
    const parts: string[] = [];
    parts.push(`<svg class="chart" id="chart-key-ages" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="chart-key-ages-title" data-bins="${bins.length}" data-keys="${ages.keys.length}">`);
    parts.push('<title id="chart-key-ages-title">API keys by age (days), against the rotation limit</title>');
    parts.push(legend([[OUTCOME_COLORS.pass, "within limit"], [OUTCOME_COLORS.soft, "warning band"], [OUTCOME_COLORS.hard, "past the limit"]], left, 14));
    const yTicks = maxCount <= 5 ? Array.from({ length: maxCount + 1 }, (_, i) => i) : [0, Math.round(maxCount / 2), maxCount];
    for (const tick of yTicks) {
        const y = num(yOf(tick));
        parts.push(`<line class="grid" x1="${left}" y1="${y}" x2="${width - right}" y2="${y}"/><text x="${left - 6}" y="${num(yOf(tick) + 4)}" text-anchor="end">${tick}</text>`);
    }
    const gap = 2;
    const binWidth = plotWidth / Math.max(1, bins.length);
    bins.forEach((bin, index) => {
        const x = left + index * binWidth + gap / 2;
        const y = yOf(bin.count);
        const h = top + plotHeight - y;
        parts.push(`<rect class="hist-bar" data-from="${bin.from}" data-to="${bin.to}" data-count="${bin.count}" x="${num(x)}" y="${num(y)}" width="${num(binWidth - gap)}" height="${num(h)}" fill="${colorOf(bin)}"><title>${bin.from}–${bin.to - 1} days: ${bin.count} ${bin.count === 1 ? "key" : "keys"}</title></rect>`);
    });
    const labelEvery = Math.max(1, Math.ceil(bins.length / 12));
    bins.forEach((bin, index) => {
        if (index % labelEvery === 0) {
            parts.push(`<text x="${num(xOf(bin.from))}" y="${top + plotHeight + 16}" text-anchor="middle">${bin.from}</text>`);
        }
    });
    parts.push(`<text x="${num(xOf(span))}" y="${top + plotHeight + 16}" text-anchor="middle">${span}</text>`);
    parts.push(`<line class="axis" x1="${left}" y1="${top + plotHeight}" x2="${width - right}" y2="${top + plotHeight}"/>`);
    parts.push(`<text x="${num(left + plotWidth / 2)}" y="${height - 6}" text-anchor="middle">age in days</text>`);
    // The warning label reads leftwards and the limit's rightwards, so the two never overlap.
    if (warn !== undefined) {
        parts.push(limitLine(xOf(warn), top, top + plotHeight, OUTCOME_COLORS.soft, `warn ${warn} d`, "limit-warn", "end"));
    }
    if (limit !== undefined) {
        parts.push(limitLine(xOf(limit), top, top + plotHeight, OUTCOME_COLORS.hard, `rotation limit ${limit} d`, "limit-max", "start"));
    }
    parts.push("</svg>");
    return parts.join("\n");
}

function limitLine(x: number, y1: number, y2: number, color: string, label: string, id: string, anchor: "start" | "end"): string {
    const textX = anchor === "start" ? x + 4 : x - 4;
    return `<g class="${id}"><line x1="${num(x)}" y1="${y1 - 4}" x2="${num(x)}" y2="${y2}" stroke="${color}" stroke-width="2" stroke-dasharray="5 3"/>` +
        `<text x="${num(textX)}" y="${y1 - 8}" text-anchor="${anchor}">${esc(label)}</text></g>`;
}

function frameworkSection(report: Report): string {
    // All three frameworks, whatever `--framework` asked for: the same grouping `--framework` uses.
    const view = frameworkView(FRAMEWORKS, report.rules, report.findings);
    const lines = ['<section id="frameworks">', "<h2>Compliance by framework</h2>",
        '<p class="note">A control fails when any finding of a rule mapped to it fails (advisory ones too) and is not waived; it is unknown when a finding is unknown; it passes when the rest passed or was waived; not applicable when nothing was judged.</p>'];
    for (const framework of view.frameworks) {
        const controls = view.controls.filter(control => control.framework === framework);
        const tally = { pass: 0, fail: 0, unknown: 0, "not-applicable": 0 };
        for (const control of controls) {
            tally[control.status]++;
        }
        lines.push(`<h3 data-framework="${framework}">${esc(FRAMEWORK_TITLES[framework])}: ${tally.fail} failing, ${tally.unknown} unknown, ${tally.pass} passing, ${tally["not-applicable"]} not applicable</h3>`);
        if (controls.length === 0) {
            lines.push('<p class="note">No rule that ran maps to this framework.</p>');
            continue;
        }
        const rows = controls.map(control =>
            `<tr data-control="${esc(control.id)}" data-status="${control.status}"><td><code>${esc(control.id)}</code></td><td>${statusBadge(control.status)}</td><td>${control.rules.map(rule => `<code>${esc(rule)}</code>`).join("<br>")}</td>${numberCell(control.fail)}${numberCell(control.unknown)}${numberCell(control.suppressed)}${numberCell(control.pass)}</tr>`);
        lines.push(`<table class="controls" data-framework="${framework}"><thead><tr><th>control</th><th>status</th><th>rules</th><th class="n">fail</th><th class="n">unknown</th><th class="n">suppressed</th><th class="n">pass</th></tr></thead><tbody>${rows.join("")}</tbody></table>`);
    }
    lines.push("</section>");
    return lines.join("\n");
}

function statusBadge(status: "pass" | "fail" | "unknown" | "not-applicable"): string {
    const label = status === "not-applicable" ? "n/a" : status;
    return `<span class="badge b-${status}">${label}</span>`;
}

function badge(outcome: OutcomeClass): string {
    return `<span class="badge b-${outcome}">${esc(OUTCOME_LABELS[outcome])}</span>`;
}

function findingsSection(report: Report): string {
    const lines = ['<section id="findings">', "<h2>Findings</h2>",
        '<div class="filter"><label>Filter: <input id="filter" type="search" placeholder="rule, resource, file or text" autocomplete="off"></label> <span id="filter-status" class="note"></span></div>'];
    for (const outcome of OUTCOMES) {
        const findings = report.findings.filter(finding => outcomeOf(finding) === outcome);
        const table = findingTable(findings, report, outcome);
        const heading = `${esc(OUTCOME_TITLES[outcome])}: ${findings.length}`;
        if (outcome === "pass" || outcome === "not-applicable") {
            lines.push(`<details class="findings-${outcome}"><summary><h3>${heading}</h3></summary>${table}</details>`);
        } else {
            lines.push(`<h3>${heading}</h3>`);
            if (outcome === "soft" && findings.length > 0) {
                lines.push('<p class="note">Advisory: reported, not enforced at the mandatory level.</p>');
            }
            lines.push(table);
        }
    }
    lines.push("</section>");
    return lines.join("\n");
}

function findingTable(findings: readonly ReportFinding[], report: Report, outcome: OutcomeClass): string {
    if (findings.length === 0) {
        return '<p class="note">None.</p>';
    }
    const rows = findings.map(finding => findingRow(finding, report));
    return `<table class="findings" data-outcome="${outcome}"><thead><tr><th>outcome</th><th>rule</th><th>resource</th><th>finding and remediation</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function findingRow(finding: ReportFinding, report: Report): string {
    const outcome = outcomeOf(finding);
    const where = fileLineOf(finding);
    const resource = resourceOf(finding);
    const tags: string[] = [];
    if (finding.status === "fail" && finding.suppressed === undefined) {
        tags.push(blocksGate(finding, report.summary.gate.failOn) ? "blocking" : "not blocking");
    }
    if (finding.baseline !== undefined) {
        tags.push(finding.baseline === "new" ? "new" : "in baseline");
    }
    if (finding.error === true) {
        tags.push("rule error");
    }
    // The input only when the location does not already name it (an HCL directory's file does not).
    const showInput = report.inputs.length > 1 && !(where ?? "").startsWith(finding.input);
    const accountRegion = accountRegionOf(finding);
    const search = [finding.ruleId, resource, where ?? "", finding.input, ...(accountRegion !== undefined ? [accountRegion] : []), finding.message, outcome].join(" ").toLowerCase();
    const waived = finding.suppressed !== undefined
        ? `<div class="waived"><b>Waived</b> by <code>${esc(finding.suppressed.waiver)}</code> (approved by ${esc(finding.suppressed.approver)}, expires ${esc(finding.suppressed.expires)}): ${esc(finding.suppressed.reason)}</div>`
        : "";
    const fix = finding.status === "fail" || finding.status === "unknown" ? `<div class="fix"><b>Fix:</b> ${esc(finding.remediation)}</div>` : "";
    return `<tr data-search="${esc(search)}" data-outcome="${outcome}">` +
        `<td>${badge(outcome)}${tags.map(tag => `<span class="tag">${esc(tag)}</span>`).join("")}</td>` +
        `<td><code>${esc(finding.ruleId)}</code><br><span class="sev">${finding.severity} · ${esc(finding.enforcementLevel)}</span></td>` +
        `<td><code>${esc(resource)}</code>${where !== undefined ? `<br><span class="sev">${esc(where)}</span>` : ""}${accountRegion !== undefined ? `<br><span class="sev">${esc(accountRegion)}</span>` : showInput ? `<br><span class="sev">input ${esc(finding.input)}</span>` : ""}</td>` +
        `<td>${esc(finding.message)}${waived}${fix}</td></tr>`;
}

function inputsSection(report: Report): string {
    const rows = report.inputs.map(input => inputRow(input));
    const lines = ['<section id="inputs">', "<h2>Inputs</h2>",
        `<table class="inputs"><thead><tr><th>input</th><th>kind</th><th class="n">entities</th><th>problems and notes</th></tr></thead><tbody>${rows.join("")}</tbody></table>`];
    const waivers = report.waivers;
    if (waivers !== undefined) {
        lines.push("<h3>Waivers that need attention</h3>");
        const notes = [...waivers.expired.map(note => waiverRow(note, "expired")), ...waivers.stale.map(note => waiverRow(note, "stale"))];
        lines.push(notes.length === 0
            ? '<p class="note">None: every waiver is current and matches a finding.</p>'
            : `<table class="waivers"><thead><tr><th>waiver</th><th>state</th><th>rule and resource</th><th>approver, expiry and reason</th></tr></thead><tbody>${notes.join("")}</tbody></table>`);
    }
    lines.push("</section>");
    return lines.join("\n");
}

function inputRow(input: ReportInput): string {
    const problems = [
        ...(input.errors ?? []).map(error => {
            const file = error.file ?? input.file;
            return `<span class="badge b-hard">error</span> <code>${esc(error.line !== undefined ? `${file}:${error.line}` : file)}</code>: ${esc(error.message)}`;
        }),
        ...(input.gaps ?? []).map(gap => `<span class="badge b-unknown">note</span> ${gap.ref !== undefined ? `<code>${esc(gap.ref)}</code>: ` : ""}${esc(gap.message)}`),
    ];
    return `<tr><td><code>${esc(input.file)}</code></td><td>${esc(input.kind)}</td><td class="n">${input.entities ?? "-"}</td><td>${problems.join("<br>")}</td></tr>`;
}

function waiverRow(note: WaiverNote, state: "expired" | "stale"): string {
    const what = state === "expired" ? `expired: ${note.matched} matching finding(s) reported again` : "stale: matches no failing or unknown finding";
    const where = note.file !== undefined ? `<br><span class="sev">${esc(note.line !== undefined ? `${note.file}:${note.line}` : note.file)}</span>` : "";
    return `<tr><td><code>${esc(note.waiver)}</code>${where}</td><td>${esc(what)}</td><td><code>${esc(note.rule)}</code><br><code>${esc(note.resource)}</code></td><td>${esc(note.approver)}, expires ${esc(note.expires)}: ${esc(note.reason)}</td></tr>`;
}

/** SVG coordinates with at most two decimals: the same number always prints the same. */
function num(value: number): string {
    return String(Math.round(value * 100) / 100);
}

/** HTML text and attribute values alike. */
export function esc(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
