import assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { recordProgram } from "../../testkit/record";
import { stackExportOf } from "../../testkit/stack-export";
import { recordsFromStackExport } from "../../sources/pulumi/stack-export";
import { T } from "../components/helpers";

const PLANTED = "PLANTED-stack-export-key-0123456789";
const NOW = new Date("2026-06-01T00:00:00Z");

function program(): void {
    const api = new aws.apigateway.RestApi("api", { name: "api" });
    const key = new aws.apigateway.ApiKey("key", { name: "key", value: PLANTED });
    const plan = new aws.apigateway.UsagePlan("plan", { name: "plan", apiStages: [{ apiId: api.id, stage: "prod" }] });
    new aws.apigateway.UsagePlanKey("attach", { keyId: key.id, keyType: "API_KEY", usagePlanId: plan.id }, { additionalSecretOutputs: ["value"] });
}

describe("stackExportOf (testkit): a recording as `pulumi stack export` writes it", () => {
    it("is a version 3 deployment: stack, default provider, then the resources with ids, parents, provider and dependencies", async () => {
        const resources = await recordProgram(program, { project: "p", stack: "s", preview: false, now: NOW });
        const exported = stackExportOf(resources, { project: "p", stack: "s", time: NOW });
        assert.equal(exported.version, 3);
        const [stack, provider, ...rest] = exported.deployment.resources;
        assert.equal(stack.urn, "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s");
        assert.equal(provider.type, "pulumi:providers:aws");
        assert.deepEqual(rest.map(r => r.type), [T.restApi, T.apiKey, T.usagePlan, T.usagePlanKey]);
        for (const resource of rest) {
            assert.equal(resource.parent, stack.urn);
            assert.equal(resource.provider, `${provider.urn}::${provider.id}`);
            assert.ok(typeof resource.id === "string" && resource.id !== "");
            assert.equal(resource.outputs?.id, resource.id);
        }
        const attach = rest[3];
        // A reference is stored as the referenced resource's id, as the engine resolved it.
        assert.equal(attach.inputs?.keyId, rest[1].id);
        assert.deepEqual(attach.propertyDependencies?.keyId, [rest[1].urn]);
        // The reader of real exports takes it.
        assert.deepEqual(recordsFromStackExport(JSON.parse(JSON.stringify(exported))).map(r => r.name), ["api", "key", "plan", "attach"]);
    });

    it("holds secrets only as ciphertext: a planted key value is nowhere in the export", async () => {
        const resources = await recordProgram(program, { project: "p", stack: "s", preview: false, now: NOW });
        assert.ok(JSON.stringify(resources).includes(PLANTED), "the recording saw the value");
        const exported = stackExportOf(resources, { project: "p", stack: "s", time: NOW });
        const text = JSON.stringify(exported);
        assert.ok(!text.includes(PLANTED));
        assert.ok(!text.includes(Buffer.from(PLANTED).toString("base64")));
        const key = exported.deployment.resources.find(r => r.type === T.apiKey);
        const value = key?.inputs?.value as Record<string, unknown>;
        assert.equal(value["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270");
        assert.equal(typeof value.ciphertext, "string");
        assert.equal("value" in value, false);
    });

    it("refuses a preview recording: a preview has no state to export", async () => {
        const resources = await recordProgram(program, { project: "p", stack: "s", preview: true, now: NOW });
        assert.throws(() => stackExportOf(resources, { project: "p", stack: "s", time: NOW }), /has no id: record the program with preview: false/);
    });
});
