import { promises as fs } from "fs";
import * as path from "path";
import { Finding, runRules } from "apigw-guard/policies/engine/run";
import { RULES } from "apigw-guard/policies/rules/index";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { readHcl } from "../sources/terraform/hcl";
import { parseJsonWithLines } from "../sources/json-text";
import { inventoryFromTerraformPlan } from "../sources/terraform/plan";
import {
    CHECKOV_MAPPINGS, CheckovDeviation, CheckovMapping, KICS_MAPPINGS, KicsDeviation, KicsMapping, MappingStatus, OurOutcome,
} from "./conformance-mapping";

/**
 * The conformance suite: the kit's rules, through the HCL (and plan) front end, against test
 * fixtures nobody here wrote — KICS's API Gateway queries and Checkov's API Gateway graph checks
 * (`../shared/corpus`). Each mapped positive must fail where the other tool says, each negative
 * must not, and every difference must be one that `conformance-mapping.ts` documents and that
 * still holds. `npm run conformance` exits 1 on any other difference, so CI can gate on it.
 *
 * Usage: node dist/scripts/conformance.js [--corpus DIR] [--write-doc FILE] [--check-doc FILE]
 */

/** Fixed clock: the corpus has no dates, but rules take one. */
const NOW = new Date("2025-01-01T00:00:00Z");

export type ResultKind = "matched" | "deviation" | "mismatch";

export interface ExpectationResult {
    readonly suite: "kics" | "checkov";
    /** Query or check folder. */
    readonly id: string;
    readonly file: string;
    readonly line?: number;
    readonly address?: string;
    /** What the other tool expects: a failure, or none (negative file, Checkov `pass`). */
    readonly expected: "fail" | "no-fail";
    readonly kind: ResultKind;
    /** What the kit did, in a few words. */
    readonly detail: string;
    /** The documented reason (deviations). */
    readonly reason?: string;
    /** Deviations: which kind (a failure found at another place counts as "located-elsewhere"). */
    readonly deviationKind?: KicsDeviation["kind"] | CheckovDeviation["kind"];
}

export interface MappingSummary {
    readonly suite: "kics" | "checkov";
    readonly id: string;
    readonly status: MappingStatus;
    readonly rules: readonly string[];
    readonly expectedFails: number;
    readonly matched: number;
    readonly deviationsOnExpected: number;
    readonly negatives: number;
    readonly falsePositives: number;
    readonly deviationsOnNegatives: number;
    readonly mismatches: number;
}

export interface ReadNote {
    readonly id: string;
    readonly file: string;
    readonly line?: number;
    readonly message: string;
}

export interface ConformanceReport {
    readonly results: readonly ExpectationResult[];
    readonly summaries: readonly MappingSummary[];
    readonly readNotes: readonly ReadNote[];
    readonly totals: {
        readonly expectedFails: number;
        readonly matched: number;
        readonly deviationsOnExpected: number;
        /** Of those deviations: the failure is reported, at another line (or on the entity it configures). */
        readonly locatedElsewhere: number;
        readonly negatives: number;
        readonly falsePositives: number;
        readonly deviationsOnNegatives: number;
        readonly mismatches: number;
    };
}

/** The shared corpus beside the repository (`<repo>/../shared/corpus`), found from the compiled script. */
export function defaultCorpusDir(): string {
    return path.resolve(__dirname, "..", "..", "..", "shared", "corpus");
}

// ---------------------------------------------------------------------------------------------
// Evaluating one fixture file

interface EvaluatedFile {
    /** Findings with the line they point at in this file. */
    readonly findings: ReadonlyArray<{ readonly finding: Finding; readonly line?: number; readonly address?: string }>;
    /** Declared resources, by declaration line, to find the resource that holds a line. */
    readonly resources: ReadonlyArray<{ readonly address: string; readonly line: number }>;
    readonly errors: readonly SourceError[];
}

async function evaluateFile(file: string): Promise<EvaluatedFile> {
    if (file.endsWith(".json")) {
        return evaluatePlan(file);
    }
    const { inventory, records, errors } = await readHcl(file);
    const { findings } = runRules(inventory, RULES, { now: NOW });
    const resources = records
        .filter(record => record.line !== undefined)
        .map(record => ({ address: record.address, line: record.line as number }))
        .sort((a, b) => a.line - b.line);
    return {
        findings: findings.map(finding => ({ finding, line: finding.line, address: finding.entity?.provenance.address })),
        resources,
        errors,
    };
}

/**
 * A plan's findings carry no line; KICS points at the `values` of the resource in
 * `planned_values`, so findings are placed there, by address.
 */
async function evaluatePlan(file: string): Promise<EvaluatedFile> {
    const text = await fs.readFile(file, "utf8");
    const { value, keyLines } = parseJsonWithLines(text);
    const valuesLine = new Map<string, number>();
    const resources: Array<{ address: string; line: number }> = [];
    const walk = (module: unknown): void => {
        if (typeof module !== "object" || module === null) {
            return;
        }
        const { resources: list, child_modules: children } = module as { resources?: unknown; child_modules?: unknown };
        for (const resource of Array.isArray(list) ? list : []) {
            if (typeof resource === "object" && resource !== null) {
                const address = (resource as { address?: unknown }).address;
                const lines = keyLines.get(resource);
                if (typeof address === "string" && lines) {
                    valuesLine.set(address, lines.values ?? lines.address);
                    resources.push({ address, line: lines.address });
                }
            }
        }
        (Array.isArray(children) ? children : []).forEach(walk);
    };
    walk((value as { planned_values?: { root_module?: unknown } }).planned_values?.root_module);
    let findings: Finding[] = [];
    const errors: SourceError[] = [];
    try {
        findings = runRules(inventoryFromTerraformPlan(value, { file }), RULES, { now: NOW }).findings;
    } catch (error) {
        errors.push(error instanceof SourceError ? error : new SourceError(error instanceof Error ? error.message : String(error), file));
    }
    return {
        findings: findings.map(finding => {
            const address = finding.entity?.provenance.address;
            return { finding, address, line: address !== undefined ? valuesLine.get(address) : undefined };
        }),
        resources: resources.sort((a, b) => a.line - b.line),
        errors,
    };
}

function failsOf(evaluated: EvaluatedFile, rules: readonly string[]) {
    return evaluated.findings.filter(({ finding }) => finding.status === "fail" && rules.includes(finding.ruleId));
}

/** The declared resource whose block holds a line: the last one declared at or before it. */
function resourceAt(evaluated: EvaluatedFile, line: number): string | undefined {
    let found: string | undefined;
    for (const resource of evaluated.resources) {
        if (resource.line <= line) {
            found = resource.address;
        }
    }
    return found;
}

/** The outcome(s) a rule gives the entities read from one resource address. */
function outcomesFor(evaluated: EvaluatedFile, rule: string, address: string | undefined): OurOutcome[] | ["fail"] {
    const statuses = evaluated.findings
        .filter(({ finding, address: at }) => finding.ruleId === rule && address !== undefined && at === address)
        .map(({ finding }) => finding.status);
    if (statuses.includes("fail")) {
        return ["fail"];
    }
    return statuses.length === 0 ? ["not-judged"] : [...new Set(statuses)] as OurOutcome[];
}

function describeFound(evaluated: EvaluatedFile, rules: readonly string[], address: string | undefined): string {
    if (address === undefined) {
        return "no resource there";
    }
    return rules.map(rule => `${rule}: ${outcomesFor(evaluated, rule, address).join("/")}`).join("; ") + ` (${address})`;
}

// ---------------------------------------------------------------------------------------------
// KICS

interface KicsExpected {
    readonly file: string;
    readonly line: number;
}

async function listDir(dir: string): Promise<string[]> {
    try {
        return (await fs.readdir(dir)).sort();
    } catch {
        return [];
    }
}

async function readKicsExpected(testDir: string, positives: readonly string[]): Promise<KicsExpected[]> {
    const raw: unknown = JSON.parse(await fs.readFile(path.join(testDir, "positive_expected_result.json"), "utf8"));
    // Entries without a file name belong to the query's main positive file (not the module variant).
    const main = positives.filter(name => !name.includes("_module")).sort()[0] ?? positives[0];
    const out: KicsExpected[] = [];
    for (const entry of Array.isArray(raw) ? raw : []) {
        if (typeof entry !== "object" || entry === null) {
            continue;
        }
        const fields = entry as { line?: unknown; filename?: unknown; fileName?: unknown };
        const file = typeof fields.filename === "string" ? fields.filename : typeof fields.fileName === "string" ? fields.fileName : main;
        if (typeof fields.line === "number" && file !== undefined) {
            out.push({ file, line: fields.line });
        }
    }
    return out;
}

async function runKics(corpus: string, mapping: KicsMapping, results: ExpectationResult[], notes: ReadNote[]): Promise<void> {
    const testDir = path.join(corpus, "kics", mapping.query, "test");
    const names = await listDir(testDir);
    const fixture = (name: string) => (name.endsWith(".tf") || name.endsWith(".json")) && name !== "positive_expected_result.json";
    const positives = names.filter(name => name.startsWith("positive") && fixture(name));
    const negatives = names.filter(name => name.startsWith("negative") && fixture(name));
    const expected = await readKicsExpected(testDir, positives);
    const evaluated = new Map<string, EvaluatedFile>();
    for (const name of [...positives, ...negatives]) {
        const result = await evaluateFile(path.join(testDir, name));
        evaluated.set(name, result);
        for (const error of result.errors) {
            notes.push({ id: mapping.query, file: name, line: error.line, message: error.message });
        }
    }
    const deviations = mapping.deviations ?? [];
    const used = new Set<KicsDeviation>();
    const push = (result: Omit<ExpectationResult, "suite" | "id">) => results.push({ suite: "kics", id: mapping.query, ...result });

    for (const { file, line } of expected) {
        const target = evaluated.get(file);
        if (!target) {
            push({ file, line, expected: "fail", kind: "mismatch", detail: "the expected result names a file that is not in the corpus" });
            continue;
        }
        const atLine = failsOf(target, mapping.rules).filter(f => f.line === line);
        const deviation = deviations.find(d => d.kind !== "extra-fail" && d.file === file && d.line === line);
        if (deviation) {
            used.add(deviation);
        }
        if (atLine.length > 0) {
            push(deviation
                ? { file, line, expected: "fail", kind: "mismatch", detail: `a deviation is documented, but ${atLine[0].finding.ruleId} now fails at this line: update the mapping` }
                : { file, line, expected: "fail", kind: "matched", detail: `${atLine[0].finding.ruleId} fails at line ${line}` });
            continue;
        }
        const holder = resourceAt(target, line);
        if (deviation?.kind === "located-elsewhere") {
            const elsewhere = failsOf(target, mapping.rules).find(f => f.line === deviation.reportedAt);
            push(elsewhere
                ? { file, line, expected: "fail", kind: "deviation", deviationKind: deviation.kind, detail: `${elsewhere.finding.ruleId} fails at line ${deviation.reportedAt}`, reason: deviation.reason }
                : { file, line, expected: "fail", kind: "mismatch", detail: `documented as reported at line ${deviation.reportedAt}, but no failure there; found ${describeFound(target, mapping.rules, holder)}` });
            continue;
        }
        if (deviation?.kind === "not-failed") {
            const outcomes: readonly string[] = outcomesFor(target, deviation.rule, holder);
            push(outcomes.includes(deviation.outcome) && !outcomes.includes("fail")
                ? { file, line, expected: "fail", kind: "deviation", deviationKind: deviation.kind, detail: `${deviation.rule}: ${deviation.outcome}${holder ? ` (${holder})` : ""}`, reason: deviation.reason }
                : { file, line, expected: "fail", kind: "mismatch", detail: `documented as ${deviation.rule}: ${deviation.outcome}, but found ${outcomes.join("/")}` });
            continue;
        }
        push({ file, line, expected: "fail", kind: "mismatch", detail: `no failure at line ${line}; found ${describeFound(target, mapping.rules, holder)}` });
    }

    for (const file of negatives) {
        const target = evaluated.get(file) as EvaluatedFile;
        const fails = failsOf(target, mapping.rules);
        if (fails.length === 0) {
            push({ file, expected: "no-fail", kind: "matched", detail: "no failure" });
            continue;
        }
        for (const fail of fails) {
            const deviation = deviations.find(d => d.kind === "extra-fail" && d.file === file && d.line === fail.line);
            if (deviation) {
                used.add(deviation);
            }
            push({
                file, line: fail.line, address: fail.address, expected: "no-fail",
                kind: deviation ? "deviation" : "mismatch",
                detail: `${fail.finding.ruleId} fails ${fail.address ?? ""} at line ${fail.line ?? "?"}`,
                ...(deviation ? { reason: deviation.reason, deviationKind: deviation.kind } : {}),
            });
        }
    }

    for (const deviation of deviations) {
        if (!used.has(deviation)) {
            push({ file: deviation.file, line: deviation.line, expected: deviation.kind === "extra-fail" ? "no-fail" : "fail", kind: "mismatch", detail: `documented ${deviation.kind} deviation did not occur: update the mapping` });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Checkov

/** `expected.yaml`: `pass:` and `fail:` lists of quoted addresses (the only shape the corpus uses). */
export function parseCheckovExpected(text: string): { pass: string[]; fail: string[] } {
    const out = { pass: [] as string[], fail: [] as string[] };
    let current: "pass" | "fail" | undefined;
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.replace(/#.*$/, "").trimEnd();
        const key = /^(pass|fail):\s*$/.exec(line);
        if (key) {
            current = key[1] as "pass" | "fail";
            continue;
        }
        const item = /^\s*-\s*["']?([^"']+)["']?\s*$/.exec(line);
        if (item && current) {
            out[current].push(item[1].trim());
        }
    }
    return out;
}

async function runCheckov(corpus: string, mapping: CheckovMapping, results: ExpectationResult[], notes: ReadNote[]): Promise<void> {
    const dir = path.join(corpus, "checkov", mapping.check);
    const expected = parseCheckovExpected(await fs.readFile(path.join(dir, "expected.yaml"), "utf8"));
    const target = await evaluateFile(path.join(dir, "main.tf"));
    for (const error of target.errors) {
        notes.push({ id: mapping.check, file: "main.tf", line: error.line, message: error.message });
    }
    const deviations = mapping.deviations ?? [];
    const used = new Set<CheckovDeviation>();
    const push = (result: Omit<ExpectationResult, "suite" | "id" | "file">) => results.push({ suite: "checkov", id: mapping.check, file: "main.tf", ...result });
    const failing = (address: string) => failsOf(target, mapping.rules).filter(f => f.address === address);

    for (const address of expected.fail) {
        const fails = failing(address);
        const deviation = deviations.find(d => d.kind === "not-failed" && d.address === address);
        if (deviation) {
            used.add(deviation);
        }
        if (fails.length > 0) {
            push(deviation
                ? { address, expected: "fail", kind: "mismatch", detail: `a deviation is documented, but ${fails[0].finding.ruleId} now fails it: update the mapping` }
                : { address, expected: "fail", kind: "matched", detail: `${fails[0].finding.ruleId} fails it (line ${fails[0].line ?? "?"})` });
            continue;
        }
        if (deviation?.kind === "not-failed") {
            const outcomes: readonly string[] = outcomesFor(target, deviation.rule, address);
            push(outcomes.includes(deviation.outcome)
                ? { address, expected: "fail", kind: "deviation", deviationKind: deviation.kind, detail: `${deviation.rule}: ${deviation.outcome}`, reason: deviation.reason }
                : { address, expected: "fail", kind: "mismatch", detail: `documented as ${deviation.rule}: ${deviation.outcome}, but found ${outcomes.join("/")}` });
            continue;
        }
        push({ address, expected: "fail", kind: "mismatch", detail: `not failed; found ${describeFound(target, mapping.rules, address)}` });
    }
    for (const address of expected.pass) {
        const fails = failing(address);
        const deviation = deviations.find(d => d.kind === "extra-fail" && d.address === address);
        if (deviation) {
            used.add(deviation);
        }
        if (fails.length === 0) {
            push(deviation
                ? { address, expected: "no-fail", kind: "mismatch", detail: "a deviation is documented, but it no longer fails: update the mapping" }
                : { address, expected: "no-fail", kind: "matched", detail: "no failure" });
            continue;
        }
        push({
            address, line: fails[0].line, expected: "no-fail", kind: deviation ? "deviation" : "mismatch",
            detail: `${fails[0].finding.ruleId} fails it (line ${fails[0].line ?? "?"})`,
            ...(deviation ? { reason: deviation.reason, deviationKind: deviation.kind } : {}),
        });
    }
    for (const deviation of deviations) {
        if (!used.has(deviation)) {
            push({ address: deviation.address, expected: deviation.kind === "extra-fail" ? "no-fail" : "fail", kind: "mismatch", detail: `documented ${deviation.kind} deviation refers to an address the check does not list: update the mapping` });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The run

export async function runConformance(corpus: string = defaultCorpusDir()): Promise<ConformanceReport> {
    const results: ExpectationResult[] = [];
    const notes: ReadNote[] = [];
    const summaries: MappingSummary[] = [];
    const summarise = (suite: "kics" | "checkov", id: string, status: MappingStatus, rules: readonly string[]) => {
        const mine = results.filter(r => r.suite === suite && r.id === id);
        const count = (expected: "fail" | "no-fail", kind: ResultKind) => mine.filter(r => r.expected === expected && r.kind === kind).length;
        summaries.push({
            suite, id, status, rules,
            expectedFails: mine.filter(r => r.expected === "fail").length,
            matched: count("fail", "matched"),
            deviationsOnExpected: count("fail", "deviation"),
            negatives: new Set(mine.filter(r => r.expected === "no-fail").map(r => (suite === "kics" ? r.file : r.address))).size,
            falsePositives: count("no-fail", "mismatch"),
            deviationsOnNegatives: count("no-fail", "deviation"),
            mismatches: mine.filter(r => r.kind === "mismatch").length,
        });
    };
    for (const mapping of KICS_MAPPINGS) {
        if (mapping.status !== "unmapped") {
            await runKics(corpus, mapping, results, notes);
        }
        summarise("kics", mapping.query, mapping.status, mapping.rules);
    }
    for (const mapping of CHECKOV_MAPPINGS) {
        if (mapping.status !== "unmapped") {
            await runCheckov(corpus, mapping, results, notes);
        }
        summarise("checkov", mapping.check, mapping.status, mapping.rules);
    }
    // Corpus folders the mapping does not know: a new query must be mapped (or declared unmapped).
    for (const [suite, known] of [["kics", KICS_MAPPINGS.map(m => m.query)], ["checkov", CHECKOV_MAPPINGS.map(m => m.check)]] as const) {
        for (const name of await listDir(path.join(corpus, suite))) {
            const stat = await fs.stat(path.join(corpus, suite, name));
            if (stat.isDirectory() && !(known as readonly string[]).includes(name)) {
                results.push({ suite, id: name, file: "", expected: "fail", kind: "mismatch", detail: "not in the mapping: map it or declare it unmapped in scripts/conformance-mapping.ts" });
            }
        }
    }
    const sum = (pick: (s: MappingSummary) => number) => summaries.reduce((total, s) => total + pick(s), 0);
    return {
        results,
        summaries,
        readNotes: notes,
        totals: {
            expectedFails: sum(s => s.expectedFails),
            matched: sum(s => s.matched),
            deviationsOnExpected: sum(s => s.deviationsOnExpected),
            locatedElsewhere: results.filter(r => r.deviationKind === "located-elsewhere").length,
            negatives: sum(s => s.negatives),
            falsePositives: sum(s => s.falsePositives),
            deviationsOnNegatives: sum(s => s.deviationsOnNegatives),
            mismatches: results.filter(r => r.kind === "mismatch").length,
        },
    };
}

function where(result: ExpectationResult): string {
    return result.address !== undefined && result.suite === "checkov"
        ? `${result.id}: ${result.address}`
        : `${result.id}/${result.file}${result.line !== undefined ? `:${result.line}` : ""}`;
}

export function scoreLine(report: ConformanceReport): string {
    const t = report.totals;
    return `expected failures matched ${t.matched}/${t.expectedFails} at the expected line or address ` +
        `(${t.deviationsOnExpected} documented deviations, of which ${t.locatedElsewhere} fail at another line); ` +
        `negatives ${t.negatives}, false positives ${t.falsePositives} (${t.deviationsOnNegatives} documented extra failures); ` +
        `undocumented mismatches ${t.mismatches}`;
}

function pad(text: string, width: number): string {
    return text.length >= width ? text : text + " ".repeat(width - text.length);
}

export function renderText(report: ConformanceReport, corpus: string): string {
    const lines: string[] = [`apigw-guard conformance — corpus ${corpus}`, ""];
    const header = `${pad("suite", 8)}${pad("query / check", 66)}${pad("status", 25)}${pad("expected", 9)}${pad("matched", 8)}${pad("dev", 5)}${pad("neg", 5)}${pad("FP", 4)}${pad("dev", 5)}mismatch`;
    lines.push(header, "-".repeat(header.length));
    for (const s of report.summaries) {
        lines.push(s.status === "unmapped"
            ? `${pad(s.suite, 8)}${pad(s.id, 66)}${pad(s.status, 25)}-`
            : `${pad(s.suite, 8)}${pad(s.id, 66)}${pad(s.status, 25)}${pad(String(s.expectedFails), 9)}${pad(String(s.matched), 8)}${pad(String(s.deviationsOnExpected), 5)}` +
              `${pad(String(s.negatives), 5)}${pad(String(s.falsePositives), 4)}${pad(String(s.deviationsOnNegatives), 5)}${s.mismatches}`);
    }
    lines.push("", `Score: ${scoreLine(report)}`);
    const deviations = report.results.filter(r => r.kind === "deviation");
    if (deviations.length > 0) {
        lines.push("", "Documented deviations:");
        for (const result of deviations) {
            lines.push(`  ${where(result)} [expected ${result.expected}] ${result.detail}`, `      why: ${result.reason ?? ""}`);
        }
    }
    if (report.readNotes.length > 0) {
        lines.push("", "Read notes (inputs the HCL reader skipped or rejected; not failures of the suite):");
        for (const note of report.readNotes) {
            lines.push(`  ${note.id}/${note.file}${note.line !== undefined ? `:${note.line}` : ""}: ${note.message}`);
        }
    }
    const mismatches = report.results.filter(r => r.kind === "mismatch");
    if (mismatches.length > 0) {
        lines.push("", "UNDOCUMENTED MISMATCHES:");
        for (const result of mismatches) {
            lines.push(`  ${where(result)} [expected ${result.expected}] ${result.detail}`);
        }
    }
    return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// The reference page

// Prose for markdown: the stage-wide method path (star slash star) must not turn into emphasis.
function md(text: string): string {
    return text.replace(/\*/g, "\\*");
}

function cell(text: string): string {
    return md(text).replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function ruleList(rules: readonly string[]): string {
    return rules.length === 0 ? "—" : rules.map(rule => `\`${rule}\``).join(", ");
}

/** `docs/conformance.md`, generated from the mapping and a run, so page, data and behaviour agree. */
export function renderDoc(report: ConformanceReport): string {
    const out: string[] = [];
    const t = report.totals;
    out.push(
        "# Conformance: KICS and Checkov API Gateway fixtures",
        "",
        "<!-- Generated by `node dist/scripts/conformance.js --write-doc docs/conformance.md` from",
        "     scripts/conformance-mapping.ts and a run over ../shared/corpus. Do not edit by hand. -->",
        "",
        "The Terraform front end is checked against test fixtures nobody here wrote: the Terraform fixtures of",
        "[KICS](https://github.com/Checkmarx/kics)'s API Gateway queries and [Checkov](https://github.com/bridgecrewio/checkov)'s",
        "API Gateway graph checks (Apache-2.0, copied unchanged into `../shared/corpus`). Each fixture file is read as",
        "HCL by `apigw-guard` (no Terraform binary) and every rule runs with its default config.",
        "",
        "- A **mapped** query/check has a rule with the same intent; a **mapped-with-differences** one has a rule with",
        "  the same intent whose semantics differ on purpose (listed below); an **unmapped** one has no rule with that",
        "  intent, and the reason is given.",
        "- For a mapped query, every expected KICS failure (file and line from `positive_expected_result.json`) must be",
        "  a failure of the mapped rule at that line; every negative file must yield no failure of it. For a Checkov",
        "  check, the addresses under `fail` must fail and those under `pass` must not.",
        "- Where the kit disagrees on purpose, the disagreement is a **deviation**, documented with its reason. The",
        "  runner verifies each one (our failure is where the deviation says, or our outcome is the one it says), and",
        "  any disagreement that is not documented makes `npm run conformance` exit 1.",
        "- KICS's `*_module.tf` fixtures call public registry modules (terraform-aws-modules); the kit does not fetch",
        "  remote modules, so they yield no findings (their expected results list none) and appear under Read notes.",
        "",
        "## Score",
        "",
        `- Expected failures matched at the expected line or address: **${t.matched} / ${t.expectedFails}**; documented deviations: ${t.deviationsOnExpected}, of which ${t.locatedElsewhere} are the same failure reported at another line (on the stage that method settings configure, or on the attribute to change), so the kit fails ${t.matched + t.locatedElsewhere} / ${t.expectedFails}.`,
        `- Negative fixtures (KICS negative files and Checkov \`pass\` addresses): ${t.negatives}; false positives: **${t.falsePositives}**; documented extra failures: ${t.deviationsOnNegatives}.`,
        `- Undocumented mismatches: **${t.mismatches}**.`,
        "",
    );

    const table = (suite: "kics" | "checkov") => {
        out.push("| " + (suite === "kics" ? "KICS query" : "Checkov check") + " | status | apigw-guard rule(s) | expected | matched | deviations | negatives | false positives | extra (documented) |", "|---|---|---|---|---|---|---|---|---|");
        for (const s of report.summaries.filter(x => x.suite === suite)) {
            const label = suite === "checkov" ? `${s.id} (${CHECKOV_MAPPINGS.find(m => m.check === s.id)?.checkId ?? ""})` : s.id;
            out.push(s.status === "unmapped"
                ? `| ${label} | unmapped | — | | | | | | |`
                : `| ${label} | ${s.status} | ${ruleList(s.rules)} | ${s.expectedFails} | ${s.matched} | ${s.deviationsOnExpected} | ${s.negatives} | ${s.falsePositives} | ${s.deviationsOnNegatives} |`);
        }
        out.push("");
    };
    out.push("## KICS queries", "");
    table("kics");
    out.push("## Checkov checks", "");
    table("checkov");

    out.push("## Mapping, differences and deviations", "");
    const section = (suite: "kics" | "checkov", id: string, title: string, status: MappingStatus, rules: readonly string[], rationale: string, differences: readonly string[] | undefined) => {
        out.push(`### ${title}`, "", `**${status}** → ${ruleList(rules)}`, "", md(rationale), "");
        if (differences && differences.length > 0) {
            out.push("Differences:", "", ...differences.map(d => `- ${md(d)}`), "");
        }
        const devs = report.results.filter(r => r.suite === suite && r.id === id && r.kind === "deviation");
        if (devs.length > 0) {
            out.push("| fixture | expected | apigw-guard | why |", "|---|---|---|---|");
            for (const d of devs) {
                const fixture = d.suite === "checkov" ? `\`${d.address}\`` : `${d.file}:${d.line ?? ""}`;
                out.push(`| ${fixture} | ${d.expected === "fail" ? "fail" : "no failure"} | ${cell(d.detail)} | ${cell(d.reason ?? "")} |`);
            }
            out.push("");
        }
    };
    for (const m of KICS_MAPPINGS) {
        section("kics", m.query, `KICS \`${m.query}\``, m.status, m.rules, m.rationale, m.differences);
    }
    for (const m of CHECKOV_MAPPINGS) {
        section("checkov", m.check, `Checkov \`${m.check}\` (${m.checkId})`, m.status, m.rules, m.rationale, m.differences);
    }
    if (report.readNotes.length > 0) {
        out.push("## Read notes", "", "What the HCL reader skipped or rejected in the fixtures (reported, never fatal):", "");
        for (const note of report.readNotes) {
            out.push(`- ${note.id}/${note.file}${note.line !== undefined ? `:${note.line}` : ""}: ${cell(note.message)}`);
        }
        out.push("");
    }
    return out.join("\n");
}

async function exists(dir: string): Promise<boolean> {
    try {
        return (await fs.stat(dir)).isDirectory();
    } catch {
        return false;
    }
}

async function main(argv: readonly string[]): Promise<number> {
    const option = (name: string) => {
        const index = argv.indexOf(name);
        return index >= 0 ? argv[index + 1] : undefined;
    };
    const corpus = path.resolve(option("--corpus") ?? defaultCorpusDir());
    if (!(await exists(corpus))) {
        process.stdout.write(`conformance: no corpus at ${corpus} (../shared is not checked out); nothing to check.\n`);
        return 0;
    }
    const report = await runConformance(corpus);
    process.stdout.write(renderText(report, corpus));
    const docOut = option("--write-doc");
    if (docOut) {
        await fs.writeFile(docOut, renderDoc(report));
        process.stdout.write(`wrote ${docOut}\n`);
    }
    const docCheck = option("--check-doc");
    if (docCheck) {
        const current = await fs.readFile(docCheck, "utf8").catch(() => "");
        if (current !== renderDoc(report)) {
            process.stdout.write(`${docCheck} is out of date: run node dist/scripts/conformance.js --write-doc ${docCheck}\n`);
            return 1;
        }
    }
    return report.totals.mismatches > 0 ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        code => {
            process.exitCode = code;
        },
        error => {
            process.stderr.write(`conformance: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exitCode = 2;
        },
    );
}
