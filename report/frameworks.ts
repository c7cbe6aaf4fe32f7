import { ControlMappings } from "apigw-guard/policies/rules/types";
import type { ControlResult, ControlStatus, FrameworkId, FrameworkView, ReportFinding, ReportRule } from "./model";

/** Where each framework's control ids sit in a rule's `controls`. */
export const FRAMEWORK_KEYS: Readonly<Record<FrameworkId, keyof ControlMappings>> = {
    "nist-800-53": "nist80053",
    "pci-dss-v4": "pciDssV4",
    "aws-security-hub": "awsSecurityHub",
};

/** How a framework is named for a person. */
export const FRAMEWORK_TITLES: Readonly<Record<FrameworkId, string>> = {
    "nist-800-53": "NIST SP 800-53 rev. 5",
    "pci-dss-v4": "PCI DSS v4.0",
    "aws-security-hub": "AWS Security Hub (FSBP)",
};

/**
 * Regroups the findings by control: every control a rule that ran maps to gets one row with the
 * counts of that rule's findings. A rule mapped to several controls counts under each.
 */
export function frameworkView(frameworks: readonly FrameworkId[], rules: readonly ReportRule[], findings: readonly ReportFinding[]): FrameworkView {
    const wanted = [...new Set(frameworks)];
    const findingsByRule = new Map<string, ReportFinding[]>();
    for (const finding of findings) {
        const list = findingsByRule.get(finding.ruleId) ?? [];
        list.push(finding);
        findingsByRule.set(finding.ruleId, list);
    }
    const controls: ControlResult[] = [];
    for (const framework of wanted) {
        const rulesByControl = new Map<string, string[]>();
        for (const rule of rules) {
            for (const control of rule.controls[FRAMEWORK_KEYS[framework]]) {
                const list = rulesByControl.get(control) ?? [];
                if (!list.includes(rule.id)) {
                    list.push(rule.id);
                }
                rulesByControl.set(control, list);
            }
        }
        const rows = [...rulesByControl.entries()].map(([id, ruleIds]) => controlResult(framework, id, ruleIds.sort(), findingsByRule));
        rows.sort((a, b) => compareControlIds(a.id, b.id));
        controls.push(...rows);
    }
    return { frameworks: wanted, controls };
}

function controlResult(framework: FrameworkId, id: string, rules: string[], findingsByRule: ReadonlyMap<string, readonly ReportFinding[]>): ControlResult {
    let pass = 0;
    let fail = 0;
    let unknown = 0;
    let suppressed = 0;
    for (const rule of rules) {
        for (const finding of findingsByRule.get(rule) ?? []) {
            if (finding.suppressed !== undefined) {
                suppressed++;
            } else if (finding.status === "pass") {
                pass++;
            } else if (finding.status === "fail") {
                fail++;
            } else if (finding.status === "unknown") {
                unknown++;
            }
        }
    }
    const status: ControlStatus = fail > 0 ? "fail" : unknown > 0 ? "unknown" : pass + suppressed > 0 ? "pass" : "not-applicable";
    return { id, framework, rules, pass, fail, unknown, suppressed, status };
}

/** Numeric-aware: `AC-3` < `AC-12`, `10.2.1` < `10.10.1`, `APIGateway.2` < `APIGateway.10`. */
export function compareControlIds(a: string, b: string): number {
    const left = a.match(/\d+|\D+/g) ?? [];
    const right = b.match(/\d+|\D+/g) ?? [];
    for (let i = 0; i < Math.min(left.length, right.length); i++) {
        const x = left[i];
        const y = right[i];
        const numeric = /^\d/.test(x) && /^\d/.test(y);
        const order = numeric ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
        if (order !== 0) {
            return order;
        }
    }
    return left.length - right.length || (a < b ? -1 : a > b ? 1 : 0);
}
