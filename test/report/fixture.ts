import * as path from "node:path";
import { scanInput } from "../../api/scan";
import { Waiver } from "apigw-guard/policies/engine/config";
import { buildReport, FailOn, FrameworkId, InputResult, Report, reportRules } from "../../report";
import { RULES } from "apigw-guard/policies/rules/index";

/** The repository root (tests run from dist/test/report). */
export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const EXAMPLE_INFRA = "test/fixtures/example-infra";
/** Every key value in the example infrastructure starts with this (see its README). */
export const PLANTED = "PLANTED-apigw-guard-key-";
export const GOLDEN_NOW = new Date("2026-06-01T00:00:00Z");
/** Pinned, so a release does not change the golden files. */
export const GOLDEN_TOOL = { name: "apigw-guard", version: "0.0.0-golden" };
/**
 * What the formats are rendered with in the format tests: ASFF needs an account and a region for
 * IaC findings (the other formats ignore them); passes are included so that they are checked too.
 */
export const FORMAT_OPTIONS = { asff: { account: "123456789012", region: "us-east-1", includePassed: true } } as const;

/**
 * The inputs of the golden report, as paths relative to the repository root (so the report holds
 * no machine-specific path): HCL (file:line locations), a Pulumi export (URNs), a plan with an
 * unknown value, and a file that does not exist (an input error).
 */
export const GOLDEN_INPUTS = [
    `${EXAMPLE_INFRA}/main.tf`,
    `${EXAMPLE_INFRA}/stack-export.json`,
    "test/fixtures/terraform/plan-update.json",
    `${EXAMPLE_INFRA}/missing-plan.json`,
];

export const ALL_EXAMPLE_INPUTS = ["main.tf", "plan.json", "state.json", "stack-export.json"].map(file => `${EXAMPLE_INFRA}/${file}`);

/**
 * Waivers that exercise every waiver state: one suppresses a finding (its reason is hostile to
 * every format's escaping), one has expired, one matches nothing.
 */
export const GOLDEN_WAIVERS: readonly Waiver[] = [
    {
        id: "SEC-101",
        rule: "apigateway-log-group-retention",
        resource: "aws_cloudwatch_log_group.dev_access",
        reason: "dev logs are <b>short-lived</b> | see `RUNBOOK-7` & ask @platform-team [link](http://x.invalid)",
        approver: "security-team",
        expires: "2026-12-31",
        file: "waivers.yaml",
        line: 2,
    },
    {
        id: "SEC-102",
        rule: "apigateway-stage-waf",
        resource: "urn:pulumi:prod::example-infra::**",
        reason: "WAF rollout planned for Q1",
        approver: "platform-team",
        expires: "2026-01-31",
        file: "waivers.yaml",
        line: 8,
    },
    {
        id: "SEC-103",
        rule: "apigateway-domain-tls12",
        resource: "aws_api_gateway_domain_name.retired_domain",
        reason: "legacy clients",
        approver: "security-team",
        expires: "2026-09-30",
        file: "waivers.yaml",
        line: 14,
    },
];

export interface ExampleReportOptions {
    readonly inputs?: readonly string[];
    readonly waivers?: readonly Waiver[];
    /** Failures of these rules in the HCL input make up the baseline (they are `existing`). */
    readonly baselineRules?: readonly string[];
    readonly frameworks?: readonly FrameworkId[];
    readonly failOn?: FailOn;
    /** Reorders each input's findings (and the rules) before the report is built. */
    readonly shuffle?: (items: unknown[]) => void;
}

/** The input results of the real front ends, read relative to the repository root. */
export async function readInputs(inputs: readonly string[]): Promise<InputResult[]> {
    const previous = process.cwd();
    process.chdir(ROOT);
    try {
        const results: InputResult[] = [];
        for (const arg of inputs) {
            results.push(await scanInput(arg, { formatIn: "auto", reader: { readStdin: () => Promise.resolve("") }, config: {}, now: GOLDEN_NOW, report: () => undefined }));
        }
        return results;
    } finally {
        process.chdir(previous);
    }
}

/** A report of the example infrastructure through the real front ends and rules, with a pinned clock. */
export async function exampleReport(options: ExampleReportOptions = {}): Promise<Report> {
    const shuffle = options.shuffle;
    const read = await readInputs(options.inputs ?? GOLDEN_INPUTS);
    const results = shuffle
        ? read.map(result => {
            const findings = [...(result.findings ?? [])];
            shuffle(findings);
            return { ...result, findings };
        })
        : read;
    const rules = reportRules(RULES, rule => rule.enforcementLevel);
    shuffle?.(rules);
    let baseline: { failures: Set<string> } | undefined;
    if (options.baselineRules) {
        const wanted = new Set(options.baselineRules);
        const plain = buildReport({ tool: GOLDEN_TOOL, generatedAt: GOLDEN_NOW, inputs: results, rules, failOn: "mandatory" });
        baseline = {
            failures: new Set(plain.findings.filter(f => f.status === "fail" && wanted.has(f.ruleId) && f.input.endsWith(".tf")).map(f => f.fingerprint)),
        };
    }
    return buildReport({
        tool: GOLDEN_TOOL,
        generatedAt: GOLDEN_NOW,
        inputs: results,
        rules,
        failOn: options.failOn ?? "mandatory",
        ...(options.waivers !== undefined ? { waivers: options.waivers } : {}),
        ...(baseline !== undefined ? { baseline } : {}),
        ...(options.frameworks !== undefined ? { frameworks: options.frameworks } : {}),
    });
}

/** The report every golden file renders: all the optional parts of the model present. */
export function goldenReport(options: Pick<ExampleReportOptions, "shuffle"> = {}): Promise<Report> {
    return exampleReport({
        waivers: GOLDEN_WAIVERS,
        baselineRules: ["apigateway-api-key-max-age", "apigateway-stage-access-logging"],
        frameworks: ["aws-security-hub", "pci-dss-v4"],
        ...options,
    });
}

/** A deterministic shuffle (mulberry32), so a failing order can be replayed from its seed. */
export function seededShuffle(seed: number): (items: unknown[]) => void {
    let state = seed >>> 0;
    const next = (): number => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    return (items: unknown[]) => {
        for (let i = items.length - 1; i > 0; i--) {
            const j = Math.floor(next() * (i + 1));
            [items[i], items[j]] = [items[j], items[i]];
        }
    };
}
