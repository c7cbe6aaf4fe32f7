import assert from "node:assert/strict";
import * as path from "node:path";
import {
    ApiKeyEntity, Entity, entityLink, externalLink, Inventory, Management, RestApiEntity, StageEntity, unknown, unknownLink,
    UsagePlanEntity, V2ApiEntity,
} from "apigw-guard/policies/model/index";
import { example } from "apigw-guard/policies/model/examples";
import { ManagedInput, markManagement } from "../../../sources/aws/managed";
import { inventoryFromStackExport } from "../../../sources/pulumi/stack-export";
import { readHcl } from "../../../sources/terraform/hcl";
import { inventoryFromTerraformPlan } from "../../../sources/terraform/plan";
import { inventoryFromTerraformState } from "../../../sources/terraform/state";
import { EXAMPLE_INFRA, readJson } from "../terraform/support";

const ARN = "arn:aws:apigateway:us-east-1::";

/** Live entities as the audit builds them: ref and provenance are the ARN, `name` the AWS name. */
const live = {
    key(id: string, name: string): ApiKeyEntity {
        const arn = `${ARN}/apikeys/${id}`;
        return { ...example.apiKey(name), ref: arn, id, provenance: { source: "aws", arn }, value: { handling: "secret" } };
    },
    plan(id: string, name: string): UsagePlanEntity {
        const arn = `${ARN}/usageplans/${id}`;
        return { ...example.usagePlan(name), ref: arn, id, provenance: { source: "aws", arn }, apiStages: [] };
    },
    restApi(id: string, name: string): RestApiEntity {
        const arn = `${ARN}/restapis/${id}`;
        return { ...example.restApi(name), ref: arn, id, provenance: { source: "aws", arn } };
    },
    v2Api(id: string, name: string): V2ApiEntity {
        const arn = `${ARN}/apis/${id}`;
        return { ...example.v2Api(name), ref: arn, id, provenance: { source: "aws", arn } };
    },
    stage(apiId: string, apiName: string, stageName: string, apiVersion: "v1" | "v2" = "v1"): StageEntity {
        const arn = `${ARN}/${apiVersion === "v1" ? "restapis" : "apis"}/${apiId}/stages/${stageName}`;
        return {
            ...example.stage(stageName), ref: arn, name: `${apiName}/${stageName}`, provenance: { source: "aws", arn }, apiVersion,
            restApi: entityLink(`${ARN}/${apiVersion === "v1" ? "restapis" : "apis"}/${apiId}`), arn,
        };
    },
};

/** Code entities as the Terraform front ends build them: ref and provenance are the address. */
function code<E extends Entity>(entity: E, address: string, fields: Partial<E> = {}): E {
    return { ...entity, ref: address, provenance: { source: "terraform", address, ...(fields.provenance ?? {}) }, ...fields } as E;
}

function managementOf(inventory: Inventory, ref: string): Management | undefined {
    const entity = inventory.get(ref);
    assert.ok(entity, `no entity ${ref}`);
    return (entity as { management?: Management }).management;
}

function input(label: string, entities: readonly Entity[], incomplete?: string): ManagedInput {
    return { label, inventory: new Inventory(entities), ...(incomplete !== undefined ? { incomplete } : {}) };
}

describe("aws audit: which live resources code manages (--managed-by)", () => {
    const keyRef = `${ARN}/apikeys/k1`;

    it("matches by id, and names the input and the address", () => {
        const result = markManagement(new Inventory([live.key("k1", "partner")]), [
            input("state.json", [code(example.apiKey("partner_key"), "aws_api_gateway_api_key.partner", { id: "k1", awsName: "partner" })]),
        ]);
        assert.deepEqual(managementOf(result, keyRef), { state: "managed", match: "id", input: "state.json", location: "aws_api_gateway_api_key.partner" });
    });

    it("does not match an id whose ARN in the input names another region", () => {
        const result = markManagement(new Inventory([live.key("k1", "partner")]), [
            input("state.json", [code(example.apiKey("k"), "aws_api_gateway_api_key.k", { id: "k1", awsName: "other", provenance: { source: "terraform", arn: "arn:aws:apigateway:eu-west-1::/apikeys/k1" } })]),
        ]);
        assert.deepEqual(managementOf(result, keyRef), { state: "unmanaged", inputsCompared: 1 });
    });

    it("matches by ARN when the input knows the ARN but not the id", () => {
        const result = markManagement(new Inventory([live.plan("p1", "gold")]), [
            input("plan.json", [code(example.usagePlan("gold"), "aws_api_gateway_usage_plan.gold", { awsName: unknown("computed"), provenance: { source: "terraform", arn: `${ARN}/usageplans/p1` } })]),
        ]);
        const management = managementOf(result, `${ARN}/usageplans/p1`);
        assert.equal(management?.state, "managed");
        assert.equal(management?.state === "managed" ? management.match : undefined, "arn");
    });

    it("matches by name (and kind) when no id is known, and says so", () => {
        const result = markManagement(new Inventory([live.key("k1", "partner"), live.plan("p1", "partner")]), [
            input("infra", [code(example.apiKey("partner"), "aws_api_gateway_api_key.partner", { awsName: "partner", provenance: { source: "terraform", file: "infra/keys.tf", line: 7 } })]),
        ]);
        assert.deepEqual(managementOf(result, keyRef), { state: "managed", match: "name", input: "infra", location: "aws_api_gateway_api_key.partner (infra/keys.tf:7)" });
        // A usage plan of the same name is another kind: not managed by the key.
        assert.deepEqual(managementOf(result, `${ARN}/usageplans/p1`), { state: "unmanaged", inputsCompared: 1 });
    });

    it("a code resource with a known id is not a name candidate for another live resource", () => {
        const result = markManagement(new Inventory([live.key("k1", "partner"), live.key("k2", "partner-copy")]), [
            input("state.json", [code(example.apiKey("p"), "aws_api_gateway_api_key.p", { id: "k9", awsName: "partner-copy" })]),
        ]);
        assert.deepEqual(managementOf(result, `${ARN}/apikeys/k2`), { state: "unmanaged", inputsCompared: 1 });
    });

    it("is unknown, not unmanaged, when a code resource's name is not known yet", () => {
        const result = markManagement(new Inventory([live.key("k1", "partner")]), [
            input("plan.json", [code(example.apiKey("p"), "aws_api_gateway_api_key.p", { awsName: unknown("known after apply") })]),
        ]);
        const management = managementOf(result, keyRef);
        assert.equal(management?.state, "unknown");
        assert.match(management?.state === "unknown" ? management.reason : "", /aws_api_gateway_api_key\.p has a name not known yet/);
    });

    it("a name not known yet does not hide a known name match", () => {
        const result = markManagement(new Inventory([live.key("k1", "partner")]), [
            input("plan.json", [
                code(example.apiKey("p"), "aws_api_gateway_api_key.p", { awsName: unknown("known after apply") }),
                code(example.apiKey("partner"), "aws_api_gateway_api_key.partner", { awsName: "partner" }),
            ]),
        ]);
        assert.equal(managementOf(result, keyRef)?.state, "managed");
    });

    it("is unknown when two code resources share the name and no id is known", () => {
        const result = markManagement(new Inventory([live.key("k1", "partner")]), [
            input("a", [code(example.apiKey("p"), "module.a.aws_api_gateway_api_key.p", { awsName: "partner" })]),
            input("b", [code(example.apiKey("p"), "module.b.aws_api_gateway_api_key.p", { awsName: "partner" })]),
        ]);
        const management = managementOf(result, keyRef);
        assert.equal(management?.state, "unknown");
        assert.match(management?.state === "unknown" ? management.reason : "", /2 resources in code are named 'partner'/);
    });

    it("is unknown when two live resources share the name one code resource has", () => {
        const result = markManagement(new Inventory([live.key("k1", "partner"), live.key("k2", "partner")]), [
            input("infra", [code(example.apiKey("p"), "aws_api_gateway_api_key.p", { awsName: "partner" })]),
        ]);
        for (const ref of [keyRef, `${ARN}/apikeys/k2`]) {
            const management = managementOf(result, ref);
            assert.equal(management?.state, "unknown", ref);
            assert.match(management?.state === "unknown" ? management.reason : "", /2 live resources of this kind are named 'partner'/);
        }
    });

    it("the same code resource in two inputs (HCL and its state) counts once", () => {
        // The state matched k1 by id; the HCL's copy of the same address must not claim the console copy k2 by name.
        const address = "aws_api_gateway_api_key.partner";
        const result = markManagement(new Inventory([live.key("k1", "partner"), live.key("k2", "partner")]), [
            input("infra", [code(example.apiKey("partner"), address, { awsName: "partner" })]),
            input("state.json", [code(example.apiKey("partner"), address, { id: "k1", awsName: "partner" })]),
        ]);
        assert.deepEqual(managementOf(result, keyRef), { state: "managed", match: "id", input: "state.json", location: address });
        assert.deepEqual(managementOf(result, `${ARN}/apikeys/k2`), { state: "unmanaged", inputsCompared: 2 });
    });

    it("is unknown, not unmanaged, when an input was not read completely", () => {
        const result = markManagement(new Inventory([live.key("k1", "partner"), live.key("k2", "managed")]), [
            { label: "broken.json", incomplete: "it could not be read: invalid JSON" },
            input("state.json", [code(example.apiKey("m"), "aws_api_gateway_api_key.m", { id: "k2" })]),
        ]);
        const management = managementOf(result, keyRef);
        assert.equal(management?.state, "unknown");
        assert.match(management?.state === "unknown" ? management.reason : "", /broken\.json: it could not be read: invalid JSON/);
        assert.equal(managementOf(result, `${ARN}/apikeys/k2`)?.state, "managed", "what an input does hold is still managed");
    });

    it("is unknown for what the audit could not read (a placeholder has no id)", () => {
        const placeholder: ApiKeyEntity = { ...live.key("x", "API keys in us-east-1 (unreadable)"), ref: `${ARN}/apikeys#unreadable`, id: undefined };
        const result = markManagement(new Inventory([placeholder]), [input("state.json", [])]);
        assert.equal(managementOf(result, placeholder.ref)?.state, "unknown");
    });

    describe("stages", () => {
        const apiRef = `${ARN}/restapis/api1`;
        const liveAccount = () => new Inventory([live.restApi("api1", "orders"), live.stage("api1", "orders", "prod"), live.stage("api1", "orders", "dev")]);

        it("by their API's id and their stage name; a stage the code lacks is unmanaged", () => {
            const codeApi = code(example.restApi("orders"), "aws_api_gateway_rest_api.orders", { id: "api1", awsName: "orders" });
            const result = markManagement(liveAccount(), [input("state.json", [
                codeApi,
                code(example.stage("prod"), "aws_api_gateway_stage.prod", { restApi: entityLink(codeApi.ref), arn: undefined }),
            ])]);
            assert.deepEqual(managementOf(result, apiRef), { state: "managed", match: "id", input: "state.json", location: "aws_api_gateway_rest_api.orders" });
            assert.deepEqual(managementOf(result, `${apiRef}/stages/prod`), { state: "managed", match: "id", input: "state.json", location: "aws_api_gateway_stage.prod" });
            assert.deepEqual(managementOf(result, `${apiRef}/stages/dev`), { state: "unmanaged", inputsCompared: 1 });
        });

        it("by their API's name and their stage name (HCL)", () => {
            const codeApi = code(example.restApi("orders_api"), "aws_api_gateway_rest_api.orders_api", { awsName: "orders" });
            const result = markManagement(liveAccount(), [input("infra", [
                codeApi,
                code(example.stage("dev"), "aws_api_gateway_stage.dev", { restApi: entityLink(codeApi.ref), arn: unknown("known after apply") }),
            ])]);
            assert.equal(managementOf(result, `${apiRef}/stages/dev`)?.state, "managed");
            const dev = managementOf(result, `${apiRef}/stages/dev`);
            assert.equal(dev?.state === "managed" ? dev.match : undefined, "name");
        });

        it("by an API id the code names without managing the API (another configuration's API)", () => {
            const result = markManagement(liveAccount(), [input("stages.json", [
                code(example.stage("prod"), "aws_api_gateway_stage.prod", { restApi: externalLink("api1"), arn: undefined }),
            ])]);
            assert.equal(managementOf(result, apiRef)?.state, "unmanaged");
            const prod = managementOf(result, `${apiRef}/stages/prod`);
            assert.equal(prod?.state === "managed" ? prod.match : undefined, "id");
        });

        it("by ARN", () => {
            const result = markManagement(liveAccount(), [input("state.json", [
                code(example.stage("prod"), "aws_api_gateway_stage.prod", { restApi: unknownLink("not set"), arn: `${apiRef}/stages/prod` }),
            ])]);
            const prod = managementOf(result, `${apiRef}/stages/prod`);
            assert.equal(prod?.state === "managed" ? prod.match : undefined, "arn");
        });

        it("a stage of another API of the same stage name does not manage it", () => {
            const otherApi = code(example.restApi("billing"), "aws_api_gateway_rest_api.billing", { id: "api2", awsName: "billing" });
            const result = markManagement(liveAccount(), [input("state.json", [
                otherApi,
                code(example.stage("prod"), "aws_api_gateway_stage.prod", { restApi: entityLink(otherApi.ref), arn: undefined }),
            ])]);
            assert.deepEqual(managementOf(result, `${apiRef}/stages/prod`), { state: "unmanaged", inputsCompared: 1 });
        });

        it("is unknown when a code stage's name is not known yet on the matched API", () => {
            const codeApi = code(example.restApi("orders"), "aws_api_gateway_rest_api.orders", { id: "api1" });
            const result = markManagement(liveAccount(), [input("plan.json", [
                codeApi,
                code(example.stage("s"), "aws_api_gateway_stage.s", { restApi: entityLink(codeApi.ref), stageName: unknown("computed"), arn: undefined }),
            ])]);
            assert.equal(managementOf(result, `${apiRef}/stages/dev`)?.state, "unknown");
        });

        it("is unknown when the API itself cannot be told", () => {
            const result = markManagement(liveAccount(), [
                input("a", [code(example.restApi("o"), "module.a.aws_api_gateway_rest_api.o", { awsName: "orders" })]),
                input("b", [code(example.restApi("o"), "module.b.aws_api_gateway_rest_api.o", { awsName: "orders" })]),
            ]);
            assert.equal(managementOf(result, apiRef)?.state, "unknown");
            const prod = managementOf(result, `${apiRef}/stages/prod`);
            assert.equal(prod?.state, "unknown");
            assert.match(prod?.state === "unknown" ? prod.reason : "", /whether its API is managed cannot be told/);
        });
    });

    it("HTTP APIs (v2): by id, a v1 REST API of the same id is another kind; a v2 stage by its API", () => {
        const v2Ref = `${ARN}/apis/h1`;
        const codeApi = code(example.v2Api("http"), "aws_apigatewayv2_api.http", { id: "h1", awsName: "http" });
        const result = markManagement(new Inventory([live.v2Api("h1", "http"), live.restApi("h1", "http"), live.stage("h1", "http", "$default", "v2")]), [
            input("state.json", [codeApi, code(example.stage("$default"), "aws_apigatewayv2_stage.default", { apiVersion: "v2", restApi: entityLink(codeApi.ref), arn: undefined })]),
        ]);
        assert.deepEqual(managementOf(result, v2Ref), { state: "managed", match: "id", input: "state.json", location: "aws_apigatewayv2_api.http" });
        assert.deepEqual(managementOf(result, `${ARN}/restapis/h1`), { state: "unmanaged", inputsCompared: 1 });
        assert.equal(managementOf(result, `${v2Ref}/stages/$default`)?.state, "managed");
    });

    it("leaves other entities, refs, gaps and links as they were", () => {
        const method = example.method("get");
        const before = new Inventory([live.key("k1", "partner"), method], [{ message: "a gap" }]);
        const after = markManagement(before, []);
        assert.equal(after.size, 2);
        assert.deepEqual(after.get(method.ref), method);
        assert.deepEqual(after.gaps, before.gaps);
        assert.deepEqual(managementOf(after, keyRef), { state: "unmanaged", inputsCompared: 0 });
    });

    describe("the example infrastructure as it is deployed", () => {
        const file = (name: string) => path.join(EXAMPLE_INFRA, name);
        /** The account the example infra's state describes, plus a key made in the console. */
        const account = () => new Inventory([
            live.restApi("a1b2c3d4e5", "bad"), live.stage("a1b2c3d4e5", "bad", "prod"), live.stage("a1b2c3d4e5", "bad", "dev"),
            live.key("0ldk3y0001", "old"), live.key("c0pyk3y002", "copy"), live.key("0rph4nk3y3", "orphan"), live.key("c0ns0l3k3y", "console"),
            live.plan("pl4n4a", "a"), live.plan("pl4n4b", "b"), live.v2Api("h77p4p1abc", "http"),
        ]);
        const managedRefs = [
            `${ARN}/restapis/a1b2c3d4e5`, `${ARN}/restapis/a1b2c3d4e5/stages/prod`, `${ARN}/restapis/a1b2c3d4e5/stages/dev`,
            `${ARN}/apikeys/0ldk3y0001`, `${ARN}/apikeys/c0pyk3y002`, `${ARN}/apikeys/0rph4nk3y3`, `${ARN}/usageplans/pl4n4a`, `${ARN}/usageplans/pl4n4b`,
            `${ARN}/apis/h77p4p1abc`,
        ];

        const cases: Array<[string, () => Promise<Inventory>, Readonly<Record<string, string>>]> = [
            ["state.json", async () => inventoryFromTerraformState(readJson(file("state.json")), { file: "state.json" }), { key: "id", stage: "arn" }],
            ["plan.json", async () => inventoryFromTerraformPlan(readJson(file("plan.json")), { file: "plan.json" }), { key: "id", stage: "arn" }],
            ["stack-export.json", async () => inventoryFromStackExport(readJson(file("stack-export.json")), { file: "stack-export.json" }), { key: "id", stage: "arn" }],
            ["main.tf", async () => (await readHcl(file("main.tf"))).inventory, { key: "name", stage: "name" }],
        ];
        for (const [name, read, expected] of cases) {
            it(`${name}: every resource of the example is managed (keys by ${expected.key}, stages by ${expected.stage}); the console key is not`, async () => {
                const result = markManagement(account(), [{ label: name, inventory: await read() }]);
                for (const ref of managedRefs) {
                    assert.equal(managementOf(result, ref)?.state, "managed", `${name}: ${ref}`);
                }
                const old = managementOf(result, `${ARN}/apikeys/0ldk3y0001`);
                assert.equal(old?.state === "managed" ? old.match : undefined, expected.key);
                const prod = managementOf(result, `${ARN}/restapis/a1b2c3d4e5/stages/prod`);
                assert.equal(prod?.state === "managed" ? prod.match : undefined, expected.stage);
                assert.deepEqual(managementOf(result, `${ARN}/apikeys/c0ns0l3k3y`), { state: "unmanaged", inputsCompared: 1 });
            });
        }
    });
});
