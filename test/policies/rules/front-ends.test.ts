/**
 * One compliant and one violating case per rule (test/fixtures/rules/<rule>/<case>/), each put
 * through every front end: Terraform HCL, plan JSON and state JSON, a Pulumi stack export of the
 * case's program, and the CrossGuard pack driven as the Pulumi engine drives it in a preview of
 * that program. Every front end must give the rule's verdict for the case's subject (the resource
 * named `subject` in the HCL and the program): pass for `compliant`, fail for `violating`, except
 * where EXCEPTIONS below says otherwise and why. A front end that disagrees is an adapter bug (or a
 * fixture that does not say what its name says), found here before a user finds it.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Inventory } from "apigw-guard/policies/model/index";
import { runRules } from "apigw-guard/policies/engine/run";
import { CatalogueRule, RULES, Status } from "apigw-guard/policies/rules/index";
import { Diagnostic, PackProcess, repoRoot, runLikeEngine } from "../../../testkit/engine";
import { recordProgram, RecordedResource, toEngineResource } from "../../../testkit/record";
import { stackExportOf } from "../../../testkit/stack-export";
import { inventoryFromStackExport } from "../../../sources/pulumi/stack-export";
import { inventoryFromHcl } from "../../../sources/terraform/hcl";
import { inventoryFromTerraformPlan } from "../../../sources/terraform/plan";
import { inventoryFromTerraformState } from "../../../sources/terraform/state";

const NOW = new Date("2026-06-01T00:00:00Z");
const SOURCE_FIXTURES = path.join(repoRoot(), "test", "fixtures", "rules");
/** The programs, compiled beside this test's own output. */
const COMPILED_FIXTURES = path.join(__dirname, "..", "..", "fixtures", "rules");
const CASES = ["compliant", "violating"] as const;
type CaseName = (typeof CASES)[number];
const FRONT_ENDS = ["HCL", "plan", "state", "stack export", "pack"] as const;
type FrontEnd = (typeof FRONT_ENDS)[number];
const PROJECT = "rules";
const STACK = "fixtures";

/**
 * Where a front end's verdict for a case is not the one its name implies, and why. One place, so a
 * reader sees every exception at once; each names the rule, the case and the front ends it covers.
 */
interface Exception {
    readonly rule: string;
    readonly case: CaseName;
    readonly frontEnds: readonly FrontEnd[];
    readonly expected: Status;
    readonly reason: string;
}
const EXCEPTIONS: readonly Exception[] = [
    {
        rule: "apigateway-api-key-value-secret",
        case: "violating",
        frontEnds: ["state"],
        expected: "pass",
        reason: "Terraform state records a key's value, not how it was set: a value written in the .tf and one API Gateway generated are "
            + "both a sensitive string there, and the state has no configuration to tell them apart. State reads every value as held "
            + "secret (the rule's pass); HCL and the plan, which carry the configuration, see the literal.",
    },
];

/**
 * Rules that judge code against a live account, not code alone: with IaC only, everything the
 * code declares is by definition managed, so every front end must say nothing at all (the pack:
 * silence). Their compliant and violating cases are live ones, in `liveTests`; here each is held
 * to silence over another rule's case whose subject is of a kind the rule looks at.
 */
interface LiveOnly {
    readonly rule: string;
    /** `<rule>/<case>` of the fixture set whose subject this rule is run over. */
    readonly fixture: string;
    /** Where the rule's compliant and violating cases are (a live audit against the fakes). */
    readonly liveTests: string;
    readonly reason: string;
}
const LIVE_ONLY: readonly LiveOnly[] = [
    {
        rule: "apigateway-unmanaged-resource",
        fixture: "apigateway-api-key-max-age/compliant",
        liveTests: "test/cli/audit-managed-by.test.ts",
        reason: "it compares what a live account holds with the code given to `audit --managed-by`; code alone manages all it declares",
    },
];

function liveOnly(rule: string): LiveOnly | undefined {
    return LIVE_ONLY.find(entry => entry.rule === rule);
}

/**
 * A front end known to give the wrong verdict for a case, with the cause: its test is pending
 * (shown as such in every run) until the adapter is fixed. Empty is the goal.
 */
interface Divergence {
    readonly rule: string;
    readonly case: CaseName;
    readonly frontEnd: FrontEnd;
    readonly cause: string;
}
const DIVERGENCES: readonly Divergence[] = [];

function divergence(rule: string, name: CaseName, frontEnd: FrontEnd): Divergence | undefined {
    return DIVERGENCES.find(d => d.rule === rule && d.case === name && d.frontEnd === frontEnd);
}

/** The verdict a case's name implies. */
function impliedVerdict(name: CaseName): Status {
    return name === "compliant" ? "pass" : "fail";
}

/** What a live-only rule must say of the subject in every front end: nothing. */
const SILENT = "0 outcomes on the subject";

function expectedVerdict(rule: string, name: CaseName, frontEnd: FrontEnd): Status | typeof SILENT {
    if (liveOnly(rule) !== undefined) {
        return SILENT;
    }
    return EXCEPTIONS.find(e => e.rule === rule && e.case === name && e.frontEnds.includes(frontEnd))?.expected ?? impliedVerdict(name);
}

function caseDir(rule: string, name: CaseName): string {
    const live = liveOnly(rule);
    return live !== undefined ? path.join(SOURCE_FIXTURES, live.fixture) : path.join(SOURCE_FIXTURES, rule, name);
}

/** The cases a rule is run over: its own two, or for a live-only rule the one borrowed fixture. */
function casesOf(rule: string): readonly CaseName[] {
    return liveOnly(rule) !== undefined ? ["compliant"] : CASES;
}

function readJson(file: string): unknown {
    return JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
}

function program(rule: string, name: CaseName): () => void {
    const live = liveOnly(rule);
    const compiled = live !== undefined ? path.join(COMPILED_FIXTURES, live.fixture, "program.js") : path.join(COMPILED_FIXTURES, rule, name, "program.js");
    return (require(compiled) as { default: () => void }).default;
}

/** A Terraform address or Pulumi URN of the resource named `subject` (not an operation of an API body). */
function isSubject(provenance: { readonly address?: string; readonly urn?: string; readonly operation?: string }): boolean {
    if (provenance.operation !== undefined) {
        return false;
    }
    return provenance.address !== undefined ? /^[a-z0-9_]+\.subject$/.test(provenance.address) : provenance.urn?.endsWith("::subject") === true;
}

/** The rule's verdict on the subject, as `status` (or every status, with messages, when it is not exactly one). */
function verdictOf(inventory: Inventory, rule: CatalogueRule): { readonly status: string; readonly detail: string } {
    const { findings, configErrors } = runRules(inventory, [rule], { now: NOW });
    assert.deepEqual(configErrors, []);
    const onSubject = findings.filter(f => f.entity !== undefined && isSubject(f.entity.provenance));
    const detail = [
        ...inventory.gaps.map(g => `gap: ${g.message}`),
        ...findings.map(f => `${f.status} ${f.entity?.ref ?? "-"}: ${f.message}`),
    ].join("\n    ");
    return { status: onSubject.length === 1 ? onSubject[0].status : `${onSubject.length} outcomes on the subject`, detail };
}

/**
 * What the pack says of the subject: `fail` (a violation), `unknown` (a "cannot tell" note), or
 * silence, which is how CrossGuard shows both pass and not-applicable.
 */
function packVerdict(diagnostics: readonly Diagnostic[], rule: string, subjectUrn: string): "fail" | "unknown" | "silent" {
    const mine = diagnostics.filter(d => d.policyName === rule && d.urn === subjectUrn);
    if (mine.length === 0) {
        return "silent";
    }
    return mine.every(d => /^(cannot tell|cannot evaluate|rule '.*' could not be evaluated)/.test(d.message)) ? "unknown" : "fail";
}

function packExpectation(status: Status | typeof SILENT): "fail" | "unknown" | "silent" {
    return status === "fail" ? "fail" : status === "unknown" ? "unknown" : "silent";
}

describe("every rule gives the same verdict through every front end (test/fixtures/rules)", function () {
    this.timeout(300_000);

    it("every rule in the catalogue has a compliant and a violating case, each in every form", () => {
        const missing: string[] = [];
        for (const rule of RULES.filter(r => liveOnly(r.id) === undefined)) {
            for (const name of CASES) {
                for (const file of ["main.tf", "plan.json", "state.json", "program.ts"]) {
                    if (!fs.existsSync(path.join(caseDir(rule.id, name), file))) {
                        missing.push(`${rule.id}/${name}/${file}`);
                    }
                }
            }
        }
        assert.deepEqual(missing, [], "add the missing fixtures (test/fixtures/rules/README.md says how)");
        // And nothing there that is not a rule (a renamed rule leaves its old cases behind).
        const folders = fs.readdirSync(SOURCE_FIXTURES, { withFileTypes: true }).filter(e => e.isDirectory()).map(e => e.name).sort();
        assert.deepEqual(folders, RULES.filter(r => liveOnly(r.id) === undefined).map(r => r.id).sort());
        // A live-only rule's cases are live tests that exist, over a fixture that exists.
        for (const live of LIVE_ONLY) {
            assert.ok(RULES.some(r => r.id === live.rule), live.rule);
            assert.ok(fs.existsSync(path.join(repoRoot(), live.liveTests)), `${live.rule}: ${live.liveTests}`);
            assert.ok(fs.existsSync(path.join(SOURCE_FIXTURES, live.fixture, "main.tf")), `${live.rule}: ${live.fixture}`);
            assert.match(fs.readFileSync(path.join(repoRoot(), live.liveTests), "utf8"), new RegExp(live.rule), `${live.liveTests} judges ${live.rule}`);
        }
    });

    it("every exception and known divergence names a rule, a case and front ends that exist", () => {
        for (const known of DIVERGENCES) {
            assert.ok(RULES.some(r => r.id === known.rule) && FRONT_ENDS.includes(known.frontEnd), known.rule);
            assert.ok(!EXCEPTIONS.some(e => e.rule === known.rule && e.case === known.case && e.frontEnds.includes(known.frontEnd)), `${known.rule}: an exception or a divergence, not both`);
        }
        for (const exception of EXCEPTIONS) {
            assert.ok(RULES.some(r => r.id === exception.rule), exception.rule);
            assert.ok(exception.frontEnds.length > 0 && exception.frontEnds.every(f => FRONT_ENDS.includes(f)), exception.rule);
            assert.notEqual(exception.expected, impliedVerdict(exception.case), `${exception.rule}: an exception that expects the implied verdict is not one`);
            assert.ok(exception.reason.length > 20, `${exception.rule}: say why`);
        }
    });

    let pack: PackProcess | undefined;
    after(async () => {
        await pack?.close();
    });

    for (const rule of RULES) {
        for (const name of casesOf(rule.id)) {
            const live = liveOnly(rule.id);
            describe(live !== undefined ? `${rule.id} over code alone (${live.fixture}): says nothing, ${live.reason}` : `${rule.id} ${name}`, () => {
                const dir = caseDir(rule.id, name);
                /** `it`, or a pending test naming the cause where the front end is known to diverge. */
                const frontEndIt = (frontEnd: FrontEnd, title: string, body: () => Promise<void> | void) => {
                    const known = divergence(rule.id, name, frontEnd);
                    if (known) {
                        it.skip(`${title}: KNOWN DIVERGENCE, ${known.cause}`, body);
                    } else {
                        it(title, body);
                    }
                };
                const check = (frontEnd: FrontEnd, inventory: Inventory) => {
                    const expected = expectedVerdict(rule.id, name, frontEnd);
                    const { status, detail } = verdictOf(inventory, rule);
                    assert.equal(status, expected, `${frontEnd} front end, rule ${rule.id}, case ${name}: expected ${expected}, got ${status}\n    ${detail}`);
                };

                frontEndIt("HCL", "Terraform HCL", async () => {
                    check("HCL", await inventoryFromHcl(dir));
                });
                frontEndIt("plan", "Terraform plan JSON", () => {
                    const file = path.join(dir, "plan.json");
                    check("plan", inventoryFromTerraformPlan(readJson(file), { file }));
                });
                frontEndIt("state", "Terraform state JSON", () => {
                    const file = path.join(dir, "state.json");
                    check("state", inventoryFromTerraformState(readJson(file), { file }));
                });
                frontEndIt("stack export", "Pulumi stack export (the program after `pulumi up`, under mocks)", async () => {
                    const resources = await recordProgram(program(rule.id, name), { project: PROJECT, stack: STACK, preview: false, now: NOW });
                    const exported = stackExportOf(resources, { project: PROJECT, stack: STACK, time: NOW });
                    // It is read from JSON text, as the CLI reads a file.
                    check("stack export", inventoryFromStackExport(JSON.parse(JSON.stringify(exported)) as unknown));
                });
                frontEndIt("pack", "the pack, in a preview of the program as the engine drives it", async () => {
                    const resources: RecordedResource[] = await recordProgram(program(rule.id, name), { project: PROJECT, stack: STACK, preview: true, now: NOW });
                    const subjects = resources.filter(r => r.urn.endsWith("::subject"));
                    assert.equal(subjects.length, 1, `the program registers one resource named 'subject': ${resources.map(r => r.urn).join(", ")}`);
                    pack ??= await PackProcess.start({ env: { APIGW_GUARD_NOW: NOW.toISOString() }, stack: { stack: STACK, project: PROJECT } });
                    const run = await runLikeEngine(resources.map(toEngineResource), { pack, stack: { stack: STACK, project: PROJECT }, stackResource: true });
                    const expected = packExpectation(expectedVerdict(rule.id, name, "pack"));
                    const got = packVerdict(run.diagnostics, rule.id, subjects[0].urn);
                    const said = run.diagnostics.filter(d => d.policyName === rule.id).map(d => `${d.phase} ${d.urn}: ${d.message}`).join("\n    ");
                    assert.equal(got, expected, `pack front end, rule ${rule.id}, case ${name}: expected ${expected}, got ${got}\n    ${said}`);
                    // Silence must come from a rule that ran: the pack knows the policy and the subject's type reached it.
                    assert.ok(run.info.policies.some(p => p.name === rule.id));
                });
            });
        }
    }
});
