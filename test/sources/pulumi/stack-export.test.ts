import assert from "node:assert/strict";
import { ApiKeyEntity, isUnknown, MethodEntity, StageEntity } from "apigw-guard/policies/model/index";
import { runRules } from "apigw-guard/policies/engine/run";
import { ruleById } from "apigw-guard/policies/rules/index";
import { SourceError } from "apigw-guard/policies/sources/errors";
import { assertNoLeak } from "../../../testkit/leaks";
import { inventoryFromStackExport, recordsFromStackExport } from "../../../sources/pulumi/stack-export";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
const T = {
    api: "aws:apigateway/restApi:RestApi",
    method: "aws:apigateway/method:Method",
    stage: "aws:apigateway/stage:Stage",
    key: "aws:apigateway/apiKey:ApiKey",
    planKey: "aws:apigateway/usagePlanKey:UsagePlanKey",
    random: "random:index/randomPassword:RandomPassword",
};
const PLANTED = "PLANTEDexportKEYvalue0123456789";

const urn = (type: string, name: string) => `urn:pulumi:dev::demo::${type}::${name}`;
const ciphertext = (text: string) => ({ [SIG]: SECRET, ciphertext: Buffer.from(text).toString("base64") });
const plaintext = (value: unknown) => ({ [SIG]: SECRET, plaintext: JSON.stringify(value) });

function resource(type: string, name: string, fields: Record<string, unknown>): Record<string, unknown> {
    return { urn: urn(type, name), custom: true, type, ...fields };
}

function exportOf(resources: unknown[], version = 3): unknown {
    return { version, deployment: { manifest: { time: "2026-01-01T00:00:00Z", magic: "", version: "v3" }, resources } };
}

function keys(json: unknown): Map<string, ApiKeyEntity> {
    return new Map(inventoryFromStackExport(json).ofKind("api-key").map(key => [key.name, key]));
}

function valueSecretOutcomes(json: unknown): Map<string, string> {
    const rule = ruleById("apigateway-api-key-value-secret");
    assert.ok(rule);
    const { findings } = runRules(inventoryFromStackExport(json), [rule]);
    return new Map(findings.filter(f => f.entity?.kind === "api-key").map(f => [f.entity?.name ?? "", `${f.status} ${f.enforcementLevel}`]));
}

describe("sources/pulumi stack export", () => {
    describe("secrets", () => {
        it("keeps a ciphertext opaque: the property is secret, never fingerprinted, its value unreadable", () => {
            const json = exportOf([
                resource(T.key, "a", { id: "k1", outputs: { name: "a", value: ciphertext(PLANTED), tags: { owner: ciphertext("team") } } }),
            ]);
            const records = recordsFromStackExport(json);
            assert.ok(records[0].secretProps?.has("value"));
            assert.ok(records[0].secretProps?.has("tags"), "a secret nested anywhere makes the top-level property secret");
            const key = keys(json).get("a");
            assert.deepEqual(key?.value, { handling: "secret" }, "no fingerprint and no length from a ciphertext");
            const tags = key?.tags;
            assert.ok(tags && !isUnknown(tags) && isUnknown(tags.owner), "an encrypted tag is unknown, not its ciphertext");
            // Not "computed": the export holds it encrypted, and the reason says what lets it be judged.
            const owner = tags.owner;
            assert.match(isUnknown(owner) ? owner.reason ?? "" : "", /^encrypted in the export \(a Pulumi secret\)/);
            assert.ok(!JSON.stringify(records).includes(Buffer.from(PLANTED).toString("base64")), "the ciphertext is not carried into the records");
            assertNoLeak("the records", JSON.stringify(records), PLANTED);
        });

        it("cannot see equal values behind two ciphertexts: no duplicate is claimed", () => {
            // The same value encrypts differently each time; equal ciphertexts would prove nothing.
            const json = exportOf([
                resource(T.key, "a", { outputs: { value: ciphertext(PLANTED) } }),
                resource(T.key, "b", { outputs: { value: { [SIG]: SECRET, ciphertext: `v2:${Buffer.from(PLANTED).toString("base64")}` } } }),
            ]);
            assert.equal(keys(json).get("a")?.value.fingerprint, undefined);
            assert.deepEqual([...valueSecretOutcomes(json).values()], ["pass mandatory", "pass mandatory"]);
        });

        it("fingerprints --show-secrets plaintext the program supplied (JSON-serialised) so duplicates are found, and keeps it secret", () => {
            const supplied = (value: string) => ({ inputs: { value: plaintext(value) }, outputs: { value: plaintext(value) } });
            const json = exportOf([
                resource(T.key, "a", supplied(PLANTED)),
                resource(T.key, "b", supplied(PLANTED)),
                resource(T.key, "c", supplied("anotherValue0123456789xyz")),
            ]);
            const byName = keys(json);
            assert.equal(byName.get("a")?.value.handling, "secret");
            assert.equal(byName.get("a")?.value.length, PLANTED.length, "the decoded value, not its JSON quoting");
            assert.equal(byName.get("a")?.value.fingerprint, byName.get("b")?.value.fingerprint);
            assert.notEqual(byName.get("a")?.value.fingerprint, byName.get("c")?.value.fingerprint);
            const outcomes = valueSecretOutcomes(json);
            assert.equal(outcomes.get("a"), "fail mandatory", "a shared value");
            assert.equal(outcomes.get("b"), "fail mandatory");
            assert.equal(outcomes.get("c"), "fail advisory", "a secret the program supplies: the rule's warning, as under CrossGuard");
        });

        it("keeps a secret the provider produced (no input) for its secret-ness only, even when readable", () => {
            // An API key value AWS generated: pulumi-aws encrypts the output; --show-secrets decrypts it.
            const json = exportOf([
                resource(T.key, "shown", { inputs: { name: "shown" }, outputs: { value: plaintext(PLANTED) } }),
                resource(T.key, "hidden", { inputs: { name: "hidden" }, outputs: { value: ciphertext(PLANTED) } }),
            ]);
            const byName = keys(json);
            assert.deepEqual(byName.get("shown")?.value, { handling: "secret" });
            assert.deepEqual(byName.get("hidden")?.value, { handling: "secret" });
            assert.deepEqual([...valueSecretOutcomes(json).values()], ["pass mandatory", "pass mandatory"], "the same verdict however the export was taken");
        });

        it("takes a plaintext that is not JSON-serialised as the value itself", () => {
            const json = exportOf([resource(T.key, "a", { inputs: { value: { [SIG]: SECRET, plaintext: PLANTED } }, outputs: { value: { [SIG]: SECRET, plaintext: PLANTED } } })]);
            assert.equal(keys(json).get("a")?.value.length, PLANTED.length);
        });

        it("treats a plain string as plain text and a value derived from a generator as generated", () => {
            const password = urn(T.random, "pw");
            const json = exportOf([
                resource(T.random, "pw", { outputs: { result: ciphertext("x") } }),
                resource(T.key, "plain", { outputs: { value: PLANTED } }),
                resource(T.key, "gen", { outputs: { value: ciphertext(PLANTED) }, propertyDependencies: { value: [password] } }),
                resource(T.key, "none", { outputs: { name: "none" } }),
            ]);
            const byName = keys(json);
            assert.equal(byName.get("plain")?.value.handling, "plaintext");
            assert.equal(byName.get("gen")?.value.handling, "generated");
            assert.equal(byName.get("none")?.value.handling, "absent");
            assert.equal(valueSecretOutcomes(json).get("plain"), "fail mandatory");
        });

        it("unwraps output values and resource references, keeping an output's secret flag", () => {
            const outputSig = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
            const refSig = "5cf8f73096256a8f31e491e813e4eb8e";
            const json = exportOf([
                resource(T.api, "api", { id: "a1", outputs: { apiKeySource: "HEADER" } }),
                resource(T.method, "get", {
                    outputs: {
                        restApi: { [SIG]: refSig, urn: urn(T.api, "api"), id: "a1" },
                        httpMethod: { [SIG]: outputSig, value: "GET" },
                        authorization: { [SIG]: outputSig, value: "NONE", secret: true },
                        apiKeyRequired: { [SIG]: outputSig },
                    },
                }),
            ]);
            const records = recordsFromStackExport(json);
            const method = records.find(r => r.type === T.method);
            assert.equal(method?.props.restApi, "a1");
            assert.equal(method?.props.httpMethod, "GET");
            assert.ok(method?.secretProps?.has("authorization"));
            const entity = inventoryFromStackExport(json).ofKind("method")[0] as MethodEntity;
            assert.deepEqual(entity.restApi, { kind: "entity", ref: urn(T.api, "api") });
            assert.ok(isUnknown(entity.apiKeyRequired), "an output value without a value is unknown");
        });
    });

    describe("properties", () => {
        it("takes outputs over inputs, and fills from inputs what outputs lack or leave null", () => {
            const json = exportOf([
                resource(T.stage, "prod", {
                    id: "ags-a1-prod",
                    inputs: { stageName: "input-name", xrayTracingEnabled: true, cacheClusterEnabled: true, webAclArn: "arn:aws:wafv2:acl" },
                    outputs: { stageName: "prod", xrayTracingEnabled: false, cacheClusterEnabled: null },
                }),
            ]);
            const stage = inventoryFromStackExport(json).ofKind("stage")[0] as StageEntity;
            assert.equal(stage.stageName, "prod", "outputs win");
            assert.equal(stage.xrayTracingEnabled, false, "a false output is not 'lacking'");
            assert.equal(stage.cacheClusterEnabled, true, "a null output is filled from inputs");
            assert.equal(stage.webAclArn, "arn:aws:wafv2:acl", "an input-only property is kept");
            assert.equal(stage.id, "ags-a1-prod", "the id comes from the resource");
        });

        it("counts a property as secret only when every copy of it in the state is secret", () => {
            const records = recordsFromStackExport(exportOf([
                resource(T.key, "a", { inputs: { value: ciphertext("x"), name: ciphertext("n"), description: ciphertext("d") }, outputs: { name: "a", description: ciphertext("d") } }),
            ]));
            assert.ok(records[0].secretProps?.has("value"), "a secret input with no output copy is secret");
            assert.ok(records[0].secretProps?.has("description"), "secret in both copies");
            assert.ok(!records[0].secretProps?.has("name"), "a plain output copy makes it plain text in the state (pulumi/pulumi#3772)");
        });

        it("finds a key value written in plain text although the provider encrypts the output (pulumi/pulumi#7910)", () => {
            // pulumi-aws marks ApiKey.value as an additional secret output; the program's plain
            // input is still stored in plain text in the state's inputs.
            const json = exportOf([
                resource(T.key, "a", { inputs: { value: PLANTED }, outputs: { value: ciphertext(PLANTED) } }),
                resource(T.key, "b", { inputs: { value: PLANTED }, outputs: { value: ciphertext(PLANTED) } }),
                resource(T.key, "c", { inputs: { value: ciphertext(PLANTED) }, outputs: { value: ciphertext(PLANTED) } }),
            ]);
            const byName = keys(json);
            assert.equal(byName.get("a")?.value.handling, "plaintext");
            assert.equal(byName.get("a")?.value.fingerprint, byName.get("b")?.value.fingerprint, "the readable input is fingerprinted");
            // Supplied by the program as a secret (pulumi-aws wraps every ApiKey.value input), encrypted:
            // the input copy says the program gave it, as the pack sees in a preview of the same
            // program and as `--show-secrets` shows. It used to pass, so the verdict depended on
            // how the export was taken (test/policies/rules/front-ends.test.ts found it).
            assert.deepEqual(byName.get("c")?.value, { handling: "secret", origin: "program" });
            assert.equal(valueSecretOutcomes(json).get("a"), "fail mandatory");
            assert.equal(valueSecretOutcomes(json).get("c"), "fail advisory");
            const shown = exportOf([resource(T.key, "c", { inputs: { value: { [SIG]: SECRET, plaintext: JSON.stringify(PLANTED) } }, outputs: { value: { [SIG]: SECRET, plaintext: JSON.stringify(PLANTED) } } })]);
            assert.equal(valueSecretOutcomes(shown).get("c"), "fail advisory", "the same verdict with --show-secrets");
            // A value only in the outputs (API Gateway generated it) is not the program's.
            const generatedByAws = exportOf([resource(T.key, "d", { inputs: { name: "d" }, outputs: { name: "d", value: ciphertext(PLANTED) } })]);
            assert.equal(valueSecretOutcomes(generatedByAws).get("d"), "pass mandatory");
        });

        it("keeps parent, dependencies, property dependencies, the id and the file", () => {
            const records = recordsFromStackExport(exportOf([
                resource(T.key, "a", {
                    id: "k1", parent: "urn:pulumi:dev::demo::pulumi:pulumi:Stack::demo-dev",
                    dependencies: [urn(T.random, "pw")], propertyDependencies: { value: [urn(T.random, "pw")] }, outputs: {},
                }),
            ]), { file: "stack.json" });
            assert.deepEqual(records[0], {
                type: T.key, urn: urn(T.key, "a"), name: "a", props: {}, secretProps: new Set(), id: "k1",
                parent: "urn:pulumi:dev::demo::pulumi:pulumi:Stack::demo-dev",
                dependencies: [urn(T.random, "pw")], propertyDependencies: { value: [urn(T.random, "pw")] }, file: "stack.json",
            });
            const key = inventoryFromStackExport(exportOf([resource(T.key, "a", { outputs: {} })]), { file: "stack.json" }).ofKind("api-key")[0];
            assert.equal(key.provenance.file, "stack.json");
            assert.equal(key.provenance.urn, urn(T.key, "a"));
        });

        it("names a resource by the last URN segment (which may contain '::') and reads a missing type from the URN", () => {
            const records = recordsFromStackExport(exportOf([
                { urn: "urn:pulumi:dev::demo::my:component:Api$aws:apigateway/apiKey:ApiKey::odd::name", outputs: {} },
            ]));
            assert.equal(records[0].name, "odd::name");
            assert.equal(records[0].type, T.key);
        });
    });

    describe("what is left out", () => {
        it("skips the stack, providers and pending deletes (the old copy of a replaced resource)", () => {
            const json = exportOf([
                { urn: "urn:pulumi:dev::demo::pulumi:pulumi:Stack::demo-dev", custom: false, type: "pulumi:pulumi:Stack", outputs: { url: "x" } },
                { urn: "urn:pulumi:dev::demo::pulumi:providers:aws::default", custom: true, id: "p", type: "pulumi:providers:aws", inputs: {} },
                resource(T.key, "a", { id: "old", delete: true, outputs: { value: PLANTED, createdDate: "2001-01-01T00:00:00Z" } }),
                resource(T.key, "a", { id: "new", outputs: { value: ciphertext(PLANTED) } }),
            ]);
            const records = recordsFromStackExport(json);
            assert.deepEqual(records.map(r => r.id), ["new"], "the same URN twice is fine when one is a pending delete");
            assert.equal(keys(json).get("a")?.value.handling, "secret");
        });
    });

    describe("document shapes and versions", () => {
        it("reads versions 1 to 3 and the checkpoint form of self-managed backends", () => {
            const resources = [resource(T.key, "a", { outputs: { name: "a" } })];
            for (const version of [1, 2, 3]) {
                assert.equal(inventoryFromStackExport(exportOf(resources, version)).size, 1, `version ${version}`);
            }
            const checkpoint = { version: 3, checkpoint: { stack: "dev", latest: { manifest: {}, resources } } };
            assert.equal(inventoryFromStackExport(checkpoint).size, 1);
        });

        it("reads a stack with no resources (never deployed, or emptied) as an empty inventory", () => {
            assert.equal(inventoryFromStackExport({ version: 3, deployment: { manifest: {} } }).size, 0);
            assert.equal(inventoryFromStackExport({ version: 3, checkpoint: { stack: "dev" } }).size, 0);
            assert.equal(inventoryFromStackExport({ version: 3, checkpoint: { stack: "dev", latest: null } }).size, 0);
            assert.equal(inventoryFromStackExport({ version: 3, deployment: null }).size, 0);
        });

        const refused: Array<[string, unknown, RegExp]> = [
            ["a list", [], /expected a JSON object/],
            ["no version", { deployment: {} }, /'version' is missing/],
            ["a future version", { version: 4, deployment: {} }, /unsupported Pulumi deployment version 4: this tool reads versions 1, 2, 3/],
            ["version 0", { version: 0, deployment: {} }, /unsupported Pulumi deployment version 0/],
            ["no deployment", { version: 3 }, /neither 'deployment' nor 'checkpoint'/],
            ["a deployment that is not an object", { version: 3, deployment: "x" }, /'deployment' is not an object/],
            ["resources that are not a list", { version: 3, deployment: { resources: {} } }, /'deployment.resources' is not a list/],
            ["a resource that is not an object", exportOf([42]), /deployment.resources\[0\] is not an object/],
            ["a resource without urn", exportOf([{ type: T.key }]), /deployment.resources\[0\] has no 'urn'/],
            ["a resource without type", exportOf([{ urn: "urn:pulumi:x" }]), /has no 'type'/],
            ["a URN twice", exportOf([resource(T.key, "a", {}), resource(T.key, "a", {})]), /deployment.resources\[1\]: the URN .* appears twice/],
        ];
        for (const [what, json, message] of refused) {
            it(`refuses ${what} with a SourceError naming the file`, () => {
                assert.throws(() => inventoryFromStackExport(json, { file: "s.json" }), (error: unknown) => {
                    assert.ok(error instanceof SourceError);
                    assert.equal(error.file, "s.json");
                    assert.match(error.message, message);
                    return true;
                });
            });
        }
    });
});
