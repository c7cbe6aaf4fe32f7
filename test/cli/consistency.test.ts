import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { EXAMPLE_INFRA, JsonReport, parseReport, scan, Scratch } from "./helpers";

/**
 * Cross-front-end consistency: the example infrastructure expressed as a Pulumi stack export, a
 * Terraform plan, Terraform state and HCL must give the same verdict — the same (rule, status)
 * for every logical resource. The rules never see which tool the data came from, so any
 * difference is an adapter bug, unless a front end cannot know something at all. Those cases
 * are listed in EXCEPTIONS, each with the reason, and each must actually occur: an exception
 * that no longer happens fails the test, so the list cannot go stale.
 */

type FrontEnd = "pulumi-export" | "terraform-plan" | "terraform-state" | "terraform-hcl";

const FRONT_ENDS: readonly FrontEnd[] = ["pulumi-export", "terraform-plan", "terraform-state", "terraform-hcl"];

/** The front end every other is compared with: deployed state as Pulumi records it. */
const REFERENCE: FrontEnd = "pulumi-export";

/**
 * Logical name of a finding's resource. Pulumi: the last URN segment (`old-key`); Terraform: the
 * resource name of the address without module path or index (`old_key`). The example names its
 * Pulumi resources as the Terraform ones with `-` for `_`, so both map to the snake_case name.
 * The entity kind is part of the key: names are unique per kind, not across kinds.
 */
function logicalKey(finding: JsonReport["findings"][number]): string {
    const entity = finding.entity;
    assert.ok(entity, `a finding without a resource: ${finding.ruleId} ${finding.message}`);
    const { urn, address } = entity.provenance;
    let name: string;
    if (urn !== undefined) {
        name = urn.split("::").slice(3).join("::");
    } else {
        assert.ok(address !== undefined, `no URN and no address on ${entity.ref}`);
        name = address.replace(/\[[^\]]*\]$/, "").split(".").pop() ?? address;
    }
    return `${entity.kind} ${name.replace(/-/g, "_")}`;
}

/** (kind name, rule) → status, for one front end. */
function verdicts(report: JsonReport): Map<string, string> {
    assert.equal(report.inputs[0].errors, undefined, `${report.inputs[0].file} could not be read`);
    assert.ok(report.findings.length > 0, `${report.inputs[0].file}: no findings at all`);
    const out = new Map<string, string>();
    for (const finding of report.findings) {
        const key = `${logicalKey(finding)} ${finding.ruleId}`;
        assert.ok(!out.has(key), `two findings for ${key}: the logical names are not unique`);
        out.set(key, finding.status);
    }
    return out;
}

interface Exception {
    readonly scenario: string;
    readonly frontEnd: FrontEnd;
    /** `<entity kind> <logical name> <rule id>`. */
    readonly finding: string;
    readonly status: string;
    readonly referenceStatus: string;
    readonly why: string;
}

const NO_AGE_BUT_CREATED_DATE = "api-key orphan_key apigateway-api-key-max-age";

/**
 * What a front end legitimately cannot know. Nothing else may differ.
 */
const EXCEPTIONS: readonly Exception[] = [
    {
        scenario: "a key without a rotation tag",
        frontEnd: "terraform-hcl",
        finding: NO_AGE_BUT_CREATED_DATE,
        status: "unknown",
        referenceStatus: "pass",
        why: "HCL is configuration only: `created_date` exists once AWS has created the key, and without the rotation tag nothing in the .tf files gives the key's age.",
    },
    {
        scenario: "the first plan, which creates the key",
        frontEnd: "terraform-hcl",
        finding: NO_AGE_BUT_CREATED_DATE,
        status: "unknown",
        referenceStatus: "pass",
        why: "as above: configuration has no creation date.",
    },
    {
        scenario: "the first plan, which creates the key",
        frontEnd: "terraform-plan",
        finding: NO_AGE_BUT_CREATED_DATE,
        status: "unknown",
        referenceStatus: "pass",
        why: "a plan that creates a key has `created_date` in `after_unknown` (AWS sets it at apply), and the key has no rotation tag; state and the stack export, taken after the apply, know it.",
    },
];

type Inputs = Record<FrontEnd, string>;

interface Scenario {
    readonly name: string;
    /** Writes the four forms of the scenario's infrastructure; returns the path per front end. */
    readonly make: (scratch: Scratch) => Inputs;
}

const ORPHAN_ADDRESS = "aws_api_gateway_api_key.orphan_key";
const ORPHAN_URN_SUFFIX = "::orphan-key";

function read(name: string): string {
    return readFileSync(path.join(EXAMPLE_INFRA, name), "utf8");
}

/** Inside every object that describes the orphan key (by address or URN), drop its tags. */
function dropOrphanTags(value: unknown, inside = false): unknown {
    if (Array.isArray(value)) {
        return value.map(item => dropOrphanTags(item, inside));
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    const record = value as Record<string, unknown>;
    const here = inside || record.address === ORPHAN_ADDRESS || (typeof record.urn === "string" && record.urn.endsWith(ORPHAN_URN_SUFFIX));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) {
        if (here && (key === "tags" || key === "tags_all" || key === "tagsAll")) {
            continue;
        }
        out[key] = dropOrphanTags(item, here);
    }
    return out;
}

function withoutRotationTag(scratch: Scratch, folder: string): Inputs {
    mkdirSync(scratch.path(folder));
    const tf = read("main.tf");
    const untagged = tf.replace(/(resource "aws_api_gateway_api_key" "orphan_key" \{\n[^}]*?)\n\s*tags = \{[^}]*\}\n/, "$1\n");
    assert.notEqual(untagged, tf, "the orphan key's tags block was found in main.tf");
    writeFileSync(scratch.path(`${folder}/main.tf`), untagged);
    const file = (name: string, content: unknown) => scratch.file(`${folder}/${name}`, content as object);
    return {
        "terraform-hcl": scratch.path(folder),
        "terraform-plan": file("plan.json", dropOrphanTags(JSON.parse(read("plan.json")))),
        "terraform-state": file("state.json", dropOrphanTags(JSON.parse(read("state.json")))),
        "pulumi-export": file("stack-export.json", dropOrphanTags(JSON.parse(read("stack-export.json")))),
    };
}

/** The plan of the first apply of the untagged key: AWS has not created it yet. */
function firstPlanOfKey(plan: Record<string, unknown>): Record<string, unknown> {
    const computed = ["arn", "created_date", "id", "last_updated_date"];
    const changes = plan.resource_changes as Array<{ address: string; change: Record<string, unknown> }>;
    const change = changes.find(c => c.address === ORPHAN_ADDRESS)?.change;
    assert.ok(change, "the plan has the orphan key");
    const after = { ...(change.after as Record<string, unknown>) };
    const afterUnknown = { ...(change.after_unknown as Record<string, unknown>) };
    for (const attribute of computed) {
        delete after[attribute];
        afterUnknown[attribute] = true;
    }
    delete after.value;
    afterUnknown.value = true;
    Object.assign(change, { actions: ["create"], before: null, before_sensitive: false, after, after_unknown: afterUnknown });
    const planned = ((plan.planned_values as { root_module: { resources: Array<{ address: string; values: Record<string, unknown> }> } }).root_module.resources)
        .find(r => r.address === ORPHAN_ADDRESS);
    assert.ok(planned);
    for (const attribute of [...computed, "value"]) {
        delete planned.values[attribute];
    }
    const prior = plan.prior_state as { values: { root_module: { resources: Array<{ address: string }> } } } | undefined;
    if (prior) {
        prior.values.root_module.resources = prior.values.root_module.resources.filter(r => r.address !== ORPHAN_ADDRESS);
    }
    return plan;
}

const SCENARIOS: readonly Scenario[] = [
    {
        name: "the example infrastructure",
        make: () => ({
            "terraform-hcl": EXAMPLE_INFRA,
            "terraform-plan": path.join(EXAMPLE_INFRA, "plan.json"),
            "terraform-state": path.join(EXAMPLE_INFRA, "state.json"),
            "pulumi-export": path.join(EXAMPLE_INFRA, "stack-export.json"),
        }),
    },
    {
        name: "a key without a rotation tag",
        make: scratch => withoutRotationTag(scratch, "untagged"),
    },
    {
        name: "the first plan, which creates the key",
        make: scratch => {
            const inputs = withoutRotationTag(scratch, "first-plan");
            const plan = firstPlanOfKey(JSON.parse(readFileSync(inputs["terraform-plan"], "utf8")) as Record<string, unknown>);
            writeFileSync(inputs["terraform-plan"], JSON.stringify(plan, null, 2));
            return inputs;
        },
    },
];

describe("cli: the same infrastructure gives the same findings from every front end", function () {
    this.timeout(120_000);
    let scratch: Scratch;
    before(() => {
        scratch = new Scratch();
    });
    after(() => scratch.cleanup());

    const observed = new Set<Exception>();

    for (const scenario of SCENARIOS) {
        describe(scenario.name, () => {
            let results: Record<FrontEnd, Map<string, string>>;
            before(() => {
                const inputs = scenario.make(scratch);
                const run = scan([...FRONT_ENDS.map(frontEnd => inputs[frontEnd]), "--format", "json"]);
                assert.ok(run.status === 0 || run.status === 1, run.stderr);
                const report = parseReport(run.stdout);
                assert.deepEqual(report.inputs.map(i => i.kind), [...FRONT_ENDS], "each input detected as its kind");
                results = Object.fromEntries(FRONT_ENDS.map(frontEnd => {
                    const file = report.inputs[FRONT_ENDS.indexOf(frontEnd)].file;
                    const single: JsonReport = { ...report, inputs: [report.inputs[FRONT_ENDS.indexOf(frontEnd)]], findings: report.findings.filter(f => f.input === file) };
                    return [frontEnd, verdicts(single)];
                })) as Record<FrontEnd, Map<string, string>>;
            });

            it("the reference is substantial: most rules have a verdict, several fail", () => {
                const reference = results[REFERENCE];
                const rules = new Set([...reference.keys()].map(key => key.split(" ")[2]));
                assert.ok(rules.size >= 15, `only ${rules.size} rules judged anything`);
                assert.ok([...reference.values()].filter(status => status === "fail").length >= 10);
            });

            for (const frontEnd of FRONT_ENDS.filter(f => f !== REFERENCE)) {
                it(`${frontEnd} agrees with ${REFERENCE} on every (resource, rule), except the documented cases`, () => {
                    const reference = results[REFERENCE];
                    const mine = results[frontEnd];
                    const differences: string[] = [];
                    for (const key of new Set([...reference.keys(), ...mine.keys()])) {
                        const expected = reference.get(key) ?? "(none)";
                        const actual = mine.get(key) ?? "(none)";
                        if (expected === actual) {
                            continue;
                        }
                        const exception = EXCEPTIONS.find(e => e.scenario === scenario.name && e.frontEnd === frontEnd && key === e.finding);
                        if (exception && exception.status === actual && exception.referenceStatus === expected) {
                            observed.add(exception);
                            continue;
                        }
                        differences.push(`${key}: ${REFERENCE} ${expected}, ${frontEnd} ${actual}`);
                    }
                    assert.deepEqual(differences, [], `undocumented differences:\n${differences.join("\n")}`);
                });
            }
        });
    }

    // A suite of its own: mocha runs a suite's tests before its child suites, and this must come last.
    describe("documented exceptions", () => {
        it("every one occurred (none is stale), and says why", () => {
            const stale = EXCEPTIONS.filter(e => !observed.has(e)).map(e => `${e.scenario} / ${e.frontEnd} / ${e.finding}`);
            assert.deepEqual(stale, []);
            for (const exception of EXCEPTIONS) {
                assert.ok(exception.why.length > 20, "every exception says why");
            }
        });
    });
});
