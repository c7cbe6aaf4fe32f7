import { FRAMEWORK_KEYS } from "./frameworks";
import { blocksGate, FRAMEWORKS, locationOf, Report, ReportFinding, ReportInput, ReportRule, WaiverNote } from "./model";
import { lineOf, ruleTallies, SECURITY_SEVERITY } from "./digest";
import { Reporter } from "./reporter";

/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. One run for the whole report;
 * the rules that ran are `tool.driver.rules` (with help from the remediation, a numeric
 * `security-severity` and the control ids as tags); failures and unknowns are results (passes
 * and not-applicable outcomes are not: SARIF has no place for them that viewers show).
 *
 * - level: `error` for a mandatory failure, `warning` for an advisory one, `note` for unknown.
 * - locations: always a logical location (URN / Terraform address / ARN, kind `resource`); a
 *   physical one too when the finding has a source file: `file:line` for HCL, and the plan,
 *   state or export file otherwise (line 1: GitHub shows a result only with a file and a line).
 * - partialFingerprints `apigwGuard/v1`: the finding's fingerprint (rule + logical resource), so
 *   GitHub keeps one alert per problem across runs, reordering and unrelated renames.
 * - waived findings carry `suppressions` (kind `external`, the waiver's reason as justification),
 *   which GitHub shows as dismissed rather than open.
 */
export class SarifReporter implements Reporter {
    render(report: Report): string {
        return `${JSON.stringify(sarifLog(report), null, 2)}\n`;
    }
}

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";
/** The key of our fingerprint in `partialFingerprints`; versioned so a new recipe never matches an old one. */
export const SARIF_FINGERPRINT_KEY = "apigwGuard/v1";

type SarifLevel = "error" | "warning" | "note";

interface SarifMessage {
    readonly text: string;
    readonly markdown?: string;
}

interface SarifArtifactLocation {
    readonly uri: string;
}

interface SarifPhysicalLocation {
    readonly artifactLocation: SarifArtifactLocation;
    readonly region?: { readonly startLine: number };
}

interface SarifLogicalLocation {
    readonly fullyQualifiedName: string;
    readonly name?: string;
    readonly kind: string;
}

interface SarifLocation {
    readonly physicalLocation?: SarifPhysicalLocation;
    readonly logicalLocations?: readonly SarifLogicalLocation[];
}

interface SarifRule {
    readonly id: string;
    readonly name: string;
    readonly shortDescription: SarifMessage;
    readonly fullDescription: SarifMessage;
    readonly help: SarifMessage;
    readonly defaultConfiguration: { readonly level: SarifLevel };
    readonly properties: Readonly<Record<string, unknown>>;
}

interface SarifResult {
    readonly ruleId: string;
    readonly ruleIndex: number;
    readonly level: SarifLevel;
    readonly message: SarifMessage;
    readonly locations: readonly SarifLocation[];
    readonly partialFingerprints: Readonly<Record<string, string>>;
    readonly suppressions?: readonly SarifSuppression[];
    readonly baselineState?: "new" | "unchanged";
    readonly properties: Readonly<Record<string, unknown>>;
}

interface SarifSuppression {
    readonly kind: "external";
    readonly status: "accepted";
    readonly justification: string;
    readonly properties: Readonly<Record<string, string>>;
}

interface SarifNotification {
    readonly level: SarifLevel;
    readonly message: SarifMessage;
    readonly locations?: readonly SarifLocation[];
}

/** The SARIF log as an object (tests and `render` use it). */
export function sarifLog(report: Report): Readonly<Record<string, unknown>> {
    const rules = ruleTallies(report).map(tally => tally.rule);
    const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
    const results: SarifResult[] = [];
    for (const finding of report.findings) {
        const level = levelOf(finding);
        if (level !== undefined) {
            results.push(resultOf(finding, level, ruleIndex.get(finding.ruleId) ?? 0, report));
        }
    }
    const executionNotifications = report.inputs.flatMap(inputNotifications);
    const configurationNotifications = waiverNotifications(report);
    const invocation = {
        executionSuccessful: report.summary.inputs.withErrors === 0,
        endTimeUtc: report.generatedAt,
        ...(executionNotifications.length > 0 ? { toolExecutionNotifications: executionNotifications } : {}),
        ...(configurationNotifications.length > 0 ? { toolConfigurationNotifications: configurationNotifications } : {}),
    };
    return {
        $schema: SARIF_SCHEMA_URI,
        version: "2.1.0",
        runs: [
            {
                tool: {
                    driver: {
                        name: report.tool.name,
                        version: report.tool.version,
                        ...(/^\d+\.\d+\.\d+/.test(report.tool.version) ? { semanticVersion: report.tool.version } : {}),
                        rules: rules.map(ruleDescriptor),
                    },
                },
                invocations: [invocation],
                columnKind: "utf16CodeUnits",
                results,
                properties: {
                    reportVersion: report.reportVersion,
                    gate: report.summary.gate,
                },
            },
        ],
    };
}

function levelOf(finding: ReportFinding): SarifLevel | undefined {
    switch (finding.status) {
        case "fail":
            return finding.enforcementLevel === "mandatory" ? "error" : "warning";
        case "unknown":
            return "note";
        default:
            return undefined;
    }
}

function ruleDescriptor(rule: ReportRule): SarifRule {
    const controls = controlTags(rule);
    const level: SarifLevel = rule.enforcementLevel === "advisory" ? "warning" : "error";
    const mapped = controls.length > 0 ? ` Controls: ${controls.map(tag => tag.replace(/^external\//, "")).join(", ")}.` : "";
    return {
        id: rule.id,
        name: pascalCase(rule.id),
        shortDescription: { text: rule.title },
        fullDescription: { text: `${rule.title} (severity ${rule.severity}, enforced as ${rule.enforcementLevel}).${mapped}` },
        help: { text: rule.remediation, markdown: helpMarkdown(rule, controls) },
        defaultConfiguration: { level },
        properties: {
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "problem.severity": level === "error" ? "error" : "warning",
            precision: "very-high",
            severity: rule.severity,
            enforcementLevel: rule.enforcementLevel,
            tags: ["security", "aws-api-gateway", ...controls],
        },
    };
}

/** `external/<framework>/<control>`, in the style of CodeQL's `external/cwe/cwe-079`. */
function controlTags(rule: ReportRule): string[] {
    const tags: string[] = [];
    for (const framework of [...FRAMEWORKS].sort()) {
        for (const control of rule.controls[FRAMEWORK_KEYS[framework]]) {
            tags.push(`external/${framework}/${control}`);
        }
    }
    return tags;
}

function helpMarkdown(rule: ReportRule, controls: readonly string[]): string {
    const lines = [`**${escapeMarkdown(rule.title)}**`, "", escapeMarkdown(rule.remediation)];
    if (controls.length > 0) {
        lines.push("", `Controls: ${controls.map(tag => `\`${tag.replace(/^external\//, "")}\``).join(", ")}`);
    }
    return lines.join("\n");
}

function resultOf(finding: ReportFinding, level: SarifLevel, ruleIndex: number, report: Report): SarifResult {
    const entity = finding.entity;
    const properties: Record<string, unknown> = {
        status: finding.status,
        severity: finding.severity,
        enforcementLevel: finding.enforcementLevel,
        blocking: blocksGate(finding, report.summary.gate.failOn),
        input: finding.input,
        ...(entity ? { resourceKind: entity.kind } : {}),
        ...(entity?.provenance.account !== undefined ? { account: entity.provenance.account } : {}),
        ...(entity?.provenance.account !== undefined && entity.provenance.region !== undefined ? { region: entity.provenance.region } : {}),
        ...(finding.field !== undefined ? { field: finding.field } : {}),
        ...(finding.metrics !== undefined ? { metrics: finding.metrics } : {}),
        ...(finding.error === true ? { ruleError: true } : {}),
    };
    return {
        ruleId: finding.ruleId,
        ruleIndex,
        level,
        message: { text: finding.message },
        locations: [locationOfFinding(finding, report.inputs)],
        partialFingerprints: { [SARIF_FINGERPRINT_KEY]: finding.fingerprint },
        ...(finding.suppressed !== undefined
            ? {
                suppressions: [{
                    kind: "external" as const,
                    status: "accepted" as const,
                    justification: finding.suppressed.reason,
                    properties: { waiver: finding.suppressed.waiver, approver: finding.suppressed.approver, expires: finding.suppressed.expires },
                }],
            }
            : {}),
        ...(finding.baseline !== undefined ? { baselineState: finding.baseline === "new" ? "new" as const : "unchanged" as const } : {}),
        properties,
    };
}

function locationOfFinding(finding: ReportFinding, inputs: readonly ReportInput[]): SarifLocation {
    const entity = finding.entity;
    const file = entity?.provenance.file ?? fileInput(finding.input, inputs);
    const physical: SarifPhysicalLocation | undefined = file !== undefined
        ? { artifactLocation: { uri: fileUri(file) }, region: { startLine: lineOf(finding) ?? 1 } }
        : undefined;
    const account = entity?.provenance.account;
    const logical: SarifLogicalLocation[] = entity
        ? [
            { fullyQualifiedName: locationOf(finding), name: entity.name, kind: "resource" },
            // A live audit's resource lives in an account and region (its ARN names no account).
            ...(account !== undefined
                ? [{ fullyQualifiedName: entity.provenance.region !== undefined ? `${account}/${entity.provenance.region}` : account, name: account, kind: "namespace" }]
                : []),
        ]
        : [{ fullyQualifiedName: finding.ruleId, kind: "rule" }];
    return { ...(physical ? { physicalLocation: physical } : {}), logicalLocations: logical };
}

/** The input as a file, when it is one (not stdin, an AWS account or a deployed stage). */
function fileInput(name: string, inputs: readonly ReportInput[]): string | undefined {
    const input = inputs.find(candidate => candidate.file === name);
    if (!input || input.kind === "aws-account" || input.kind === "api-stage" || name === "<stdin>") {
        return undefined;
    }
    return name;
}

function inputNotifications(input: ReportInput): SarifNotification[] {
    const out: SarifNotification[] = [];
    for (const error of input.errors ?? []) {
        const file = error.file ?? fileInput(input.file, [input]);
        out.push({
            level: "error",
            message: { text: `${input.file}: ${error.message}` },
            ...(file !== undefined
                ? { locations: [{ physicalLocation: { artifactLocation: { uri: fileUri(file) }, ...(error.line !== undefined ? { region: { startLine: error.line } } : {}) } }] }
                : {}),
        });
    }
    for (const gap of input.gaps ?? []) {
        out.push({ level: "warning", message: { text: `${input.file}: ${gap.ref !== undefined ? `${gap.ref}: ` : ""}${gap.message}` } });
    }
    return out;
}

function waiverNotifications(report: Report): SarifNotification[] {
    const notes: SarifNotification[] = [];
    const describe = (note: WaiverNote, what: string): SarifNotification => ({
        level: "warning",
        message: { text: `waiver ${note.waiver} (rule ${note.rule}, resource ${note.resource}, approved by ${note.approver}, expires ${note.expires}) ${what}: ${note.reason}` },
        ...(note.file !== undefined
            ? { locations: [{ physicalLocation: { artifactLocation: { uri: fileUri(note.file) }, ...(note.line !== undefined ? { region: { startLine: note.line } } : {}) } }] }
            : {}),
    });
    for (const note of report.waivers?.expired ?? []) {
        notes.push(describe(note, `has expired and no longer suppresses anything (${note.matched} matching)`));
    }
    for (const note of report.waivers?.stale ?? []) {
        notes.push(describe(note, "matches no failing or unknown finding: delete it or fix its selector"));
    }
    return notes;
}

/**
 * A file path as a SARIF URI: relative paths stay relative (to the repository root, where CI
 * runs the scan), with `/` separators and each segment percent-encoded; absolute ones become
 * `file://` URIs.
 */
export function fileUri(file: string): string {
    // A lone surrogate cannot be percent-encoded (encodeURIComponent throws): U+FFFD instead.
    const slashed = file.replace(/\\/g, "/").replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
    // A colon is kept in absolute paths (`C:`), but not in the first segment of a relative one,
    // where it would read as a URI scheme.
    const encode = (path: string, colons: boolean): string =>
        path.split("/").map((segment, index) => {
            const encoded = encodeURIComponent(segment);
            return colons || index > 0 ? encoded.replace(/%3A/gi, ":") : encoded;
        }).join("/");
    if (/^[A-Za-z]:\//.test(slashed)) {
        return `file:///${encode(slashed, true)}`;
    }
    if (slashed.startsWith("/")) {
        return `file://${encode(slashed, true)}`;
    }
    return encode(slashed.replace(/^(\.\/)+/, ""), false);
}

function pascalCase(id: string): string {
    return id.split(/[^A-Za-z0-9]+/).filter(part => part !== "").map(part => part[0].toUpperCase() + part.slice(1)).join("");
}

function escapeMarkdown(text: string): string {
    return text.replace(/[\\`*_[\]<>|]/g, char => `\\${char}`);
}
