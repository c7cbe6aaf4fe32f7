import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PackProcess, runLikeEngine } from "../../testkit/engine";
import { recordProgram, runProgram, toEngineResource, UNKNOWN } from "../../testkit/record";
import { loadStackConfig } from "../../testkit/stack-config";
import { one, T } from "../components/helpers";

const opts = { project: "rec", stack: "test", preview: false };

function apiWithKey(): void {
    const api = new aws.apigateway.RestApi("api", { apiKeySource: "HEADER" });
    const key = new aws.apigateway.ApiKey("key", { value: pulumi.secret("s3cr3t-value-0123456789") });
    const plan = new aws.apigateway.UsagePlan("plan", { apiStages: [{ apiId: api.id, stage: "prod" }] });
    new aws.apigateway.UsagePlanKey("attach", { keyId: key.id, keyType: "API_KEY", usagePlanId: plan.id });
}

describe("recordProgram", () => {
    it("records type, URN, name, inputs, dependencies and property dependencies", async () => {
        const resources = await recordProgram(apiWithKey, opts);
        assert.deepEqual(resources.map(r => r.type), [T.restApi, T.apiKey, T.usagePlan, T.usagePlanKey]);
        const attach = one(resources, T.usagePlanKey, "attach");
        assert.equal(attach.urn, "urn:pulumi:test::rec::aws:apigateway/usagePlanKey:UsagePlanKey::attach");
        assert.equal(attach.custom, true);
        assert.deepEqual(attach.propertyDependencies.keyId, [one(resources, T.apiKey, "key").urn]);
        assert.deepEqual(attach.propertyDependencies.keyType, []);
        assert.deepEqual([...attach.dependencies].sort(), [one(resources, T.apiKey, "key").urn, one(resources, T.usagePlan, "plan").urn].sort());
        assert.equal(attach.props.keyId, one(resources, T.apiKey, "key").id);
    });

    it("unwraps secrets and remembers which top-level inputs were secret", async () => {
        const resources = await recordProgram(apiWithKey, opts);
        const key = one(resources, T.apiKey, "key");
        assert.equal(key.props.value, "s3cr3t-value-0123456789");
        assert.deepEqual([...key.secretProps], ["value"]);
        assert.deepEqual(key.wireProps.value, { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "s3cr3t-value-0123456789" });
        assert.ok(key.outputSecretProps.has("value"));
        assert.equal(one(resources, T.restApi, "api").secretProps.size, 0);
    });

    it("in a preview, leaves ids and computed outputs unknown, as pulumi preview does for new resources", async () => {
        const resources = await recordProgram(apiWithKey, { ...opts, preview: true });
        const api = one(resources, T.restApi, "api");
        assert.equal(api.id, undefined);
        assert.equal(api.outputs.rootResourceId, UNKNOWN);
        assert.equal(api.outputs.apiKeySource, "HEADER");
        const plan = one(resources, T.usagePlan, "plan");
        assert.deepEqual(plan.props.apiStages, [{ apiId: UNKNOWN, stage: "prod" }]);
        const attach = one(resources, T.usagePlanKey, "attach");
        assert.equal(attach.props.keyId, UNKNOWN);
        assert.deepEqual(attach.propertyDependencies.keyId, [one(resources, T.apiKey, "key").urn]);
    });

    it("records parents and resource options", async () => {
        const resources = await recordProgram(() => {
            const parent = new pulumi.ComponentResource("test:index:Parent", "parent");
            new aws.apigateway.Account("account", {}, { parent, retainOnDelete: true, protect: true, ignoreChanges: ["cloudwatchRoleArn"], deleteBeforeReplace: true });
        }, opts);
        const parent = one(resources, "test:index:Parent", "parent");
        assert.equal(parent.custom, false);
        const account = one(resources, T.account, "account");
        assert.equal(account.parent, parent.urn);
        assert.equal(account.urn, "urn:pulumi:test::rec::test:index:Parent$aws:apigateway/account:Account::account");
        assert.equal(account.options.retainOnDelete, true);
        assert.equal(account.options.protect, true);
        assert.deepEqual(account.options.ignoreChanges, ["cloudwatchRoleArn"]);
        assert.equal(account.options.deleteBeforeReplace, true);
    });

    it("runs recordings one after another without leaking resources or config between them", async () => {
        const configured = await runProgram(() => {
            const value = new pulumi.Config("rec").require("greeting");
            new aws.apigateway.RestApi("first", { description: value });
        }, { ...opts, config: { "rec:greeting": "hello" } });
        assert.equal(one(configured.resources, T.restApi, "first").props.description, "hello");
        const second = await runProgram(() => {
            assert.equal(new pulumi.Config("rec").get("greeting"), undefined);
            new aws.apigateway.RestApi("second", {});
        }, { ...opts, stack: "other" });
        assert.deepEqual(second.resources.map(r => r.name), ["second"]);
        assert.equal(second.resources[0].urn, "urn:pulumi:other::rec::aws:apigateway/restApi:RestApi::second");
    });

    it("serialises concurrent recordings", async () => {
        const [a, b] = await Promise.all([
            recordProgram(async () => {
                new aws.apigateway.RestApi("a1", {});
                await new Promise(resolve => setTimeout(resolve, 20));
                new aws.apigateway.RestApi("a2", {});
            }, opts),
            recordProgram(() => { new aws.apigateway.RestApi("b1", {}); }, { ...opts, preview: true }),
        ]);
        assert.deepEqual(a.map(r => r.name), ["a1", "a2"]);
        assert.deepEqual(b.map(r => r.name), ["b1"]);
        assert.equal(b[0].id, undefined);
        assert.ok(a[0].id);
    });

    it("propagates a program's error, and the next recording still works", async () => {
        await assert.rejects(recordProgram(() => {
            new aws.apigateway.RestApi("before", {});
            throw new Error("boom");
        }, opts), /boom/);
        const after = await recordProgram(() => { new aws.apigateway.RestApi("after", {}); }, opts);
        assert.deepEqual(after.map(r => r.name), ["after"]);
    });

    it("returns exports in wire form (secrets stay wrapped) and captures what the program prints", async () => {
        const recording = await runProgram(() => {
            const key = new aws.apigateway.ApiKey("key", { value: pulumi.secret("s3cr3t-value-0123456789") });
            console.log("hello from the program");
            return { id: key.id, value: key.value, plain: "x" };
        }, opts);
        assert.equal(recording.exports.plain, "x");
        assert.equal(recording.exports.id, one(recording.resources, T.apiKey, "key").id);
        assert.deepEqual(recording.exports.value, { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "s3cr3t-value-0123456789" });
        assert.match(recording.logs, /hello from the program/);
    });
});

describe("loadStackConfig", () => {
    it("flattens a stack file's config, structured values as JSON", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apigw-guard-config-"));
        try {
            const file = path.join(dir, "Pulumi.test.yaml");
            fs.writeFileSync(file, "config:\n  aws:region: eu-west-1\n  p:count: 3\n  p:limits:\n    rate: 5\n");
            assert.deepEqual(loadStackConfig(file), { "aws:region": "eu-west-1", "p:count": "3", "p:limits": "{\"rate\":5}" });
            fs.writeFileSync(file, "config:\n  p:password:\n    secure: AAABAHsz\n");
            assert.throws(() => loadStackConfig(file), /'p:password' is an encrypted value/);
            fs.writeFileSync(file, "encryptionsalt: x\n");
            assert.deepEqual(loadStackConfig(file), {});
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

/**
 * pulumi/examples' API Gateway programs pass resource objects as inputs (`restApi: api`). Under
 * mocks the SDK serializes them as resource references; the engine never sends those to an
 * analyzer (it marshals without keeping resources): a custom resource arrives as its id, unknown
 * until known, a component as its URN.
 */
describe("toEngineResource: resource references as the engine sends them", function () {
    this.timeout(120_000);

    class Holder extends pulumi.ComponentResource {
        constructor(name: string) {
            super("test:index:Holder", name);
            this.registerOutputs({});
        }
    }

    function programWithReferences(): void {
        const api = new aws.apigateway.RestApi("api", { apiKeySource: "HEADER" });
        const holder = new Holder("holder");
        const resource = new aws.apigateway.Resource("orders", { restApi: api, parentId: api.rootResourceId, pathPart: "orders" });
        new aws.apigateway.Method("get", { restApi: api, resourceId: resource.id, httpMethod: "GET", authorization: "NONE", apiKeyRequired: false });
        new aws.apigateway.ApiKey("key", { description: "held", tags: { owner: holder.urn } });
        // A component passed where a value goes: only its URN can reach an analyzer.
        new aws.apigateway.UsagePlan("plan", { apiStages: [], description: holder as unknown as pulumi.Input<string> });
    }

    for (const preview of [false, true]) {
        it(`${preview ? "preview" : "update"}: a reference to a custom resource becomes its id${preview ? " (unknown)" : ""}, to a component its URN, and the pack judges the method`, async () => {
            const resources = await recordProgram(programWithReferences, { project: "rec", stack: "test", preview });
            const method = one(resources, T.method, "get");
            const sig = (method.wireProps.restApi as Record<string, unknown> | undefined)?.["4dabf18193072939515e22adb298388d"];
            assert.equal(sig, "5cf8f73096256a8f31e491e813e4eb8e", "the SDK under mocks sent a resource reference (the case under test)");
            const api = one(resources, T.restApi, "api");
            const sent = toEngineResource(method);
            assert.equal(sent.props.restApi, preview ? UNKNOWN : api.id);
            const plan = toEngineResource(one(resources, T.usagePlan, "plan"));
            assert.equal(plan.props.description, "urn:pulumi:test::rec::test:index:Holder::holder");
            const pack = await PackProcess.start();
            try {
                // Judged as a preview (an update stops at the first mandatory violation, before the
                // stack-wide pass that decides a method with its path).
                const result = await runLikeEngine(resources.filter(r => r.custom).map(toEngineResource), { pack, dryRun: true });
                const messages = result.diagnostics.map(d => d.message);
                assert.ok(messages.every(m => !m.includes("Unrecognized signature")), messages.join("\n"));
                assert.ok(result.diagnostics.some(d => d.policyName === "apigateway-method-api-key-required" && d.urn === method.urn && d.enforcementLevel === "mandatory"), messages.join("\n"));
            } finally {
                await pack.close();
            }
        });
    }
});
