import assert from "node:assert/strict";
import { GuardedUsagePlan, GuardedUsagePlanArgs, RotatingApiKey, SecuredRestApi } from "../../../components";
import { assertArgumentError, dependencyOf, FAKE_LAMBDA, NOW, one, ofType, record, recordFailure, resourceKeys, T } from "../helpers";

const LIMITS = { throttle: { rateLimit: 10, burstLimit: 20 }, quota: { limit: 1000, period: "DAY" as const } };

function orders(name = "orders-api", stageName = "v1"): SecuredRestApi {
    return new SecuredRestApi(name, {
        stageName,
        routes: [
            { path: "/orders", method: "GET", integration: { type: "lambda", function: FAKE_LAMBDA } },
            { path: "/orders", method: "POST", integration: { type: "lambda", function: FAKE_LAMBDA } },
        ],
    });
}

function rotating(name: string): RotatingApiKey {
    return new RotatingApiKey(name, { now: NOW });
}

describe("UsagePlan (GuardedUsagePlan)", () => {
    it("sets throttle, quota and the API stage, linked to the API and its Stage resource", async () => {
        const resources = await record(() => {
            const api = orders();
            new GuardedUsagePlan("partners", {
                ...LIMITS,
                quota: { limit: 1000, period: "WEEK", offset: 10 },
                apiStages: [{ api, methodThrottles: { "POST /orders": { rateLimit: 2, burstLimit: 5 } } }],
            });
        });
        const plan = one(resources, T.usagePlan, "partners");
        assert.equal(plan.parent, one(resources, "apigw-guard:index:UsagePlan", "partners").urn);
        assert.deepEqual(plan.props.throttleSettings, { rateLimit: 10, burstLimit: 20 });
        assert.deepEqual(plan.props.quotaSettings, { limit: 1000, period: "WEEK", offset: 10 });
        const restApi = one(resources, T.restApi, "orders-api");
        assert.deepEqual(plan.props.apiStages, [{ apiId: restApi.id, stage: "v1", throttles: [{ path: "/orders/POST", rateLimit: 2, burstLimit: 5 }] }]);
        const deps = [...(plan.propertyDependencies.apiStages ?? [])].sort();
        assert.deepEqual(deps, [restApi.urn, one(resources, T.stage, "orders-api").urn].sort());
    });

    it("attaches both slots of a rotating key, named after the key", async () => {
        const resources = await record(() => {
            const api = orders();
            new GuardedUsagePlan("partners", { ...LIMITS, apiStages: [{ api }], apiKeys: [rotating("acme")] });
        });
        const attachments = ofType(resources, T.usagePlanKey);
        assert.deepEqual(attachments.map(a => a.name).sort(), ["partners/acme/a", "partners/acme/b"]);
        const a = one(resources, T.usagePlanKey, "partners/acme/a");
        assert.equal(a.props.keyType, "API_KEY");
        assert.equal(dependencyOf(resources, a, "keyId", T.apiKey).name, "acme-a");
        assert.equal(dependencyOf(resources, a, "usagePlanId", T.usagePlan).name, "partners");
        // The provider copies the key value onto the attachment; the component keeps it secret.
        assert.deepEqual(a.options.additionalSecretOutputs, ["value"]);
        assert.ok(a.outputSecretProps.has("value"));
        assert.equal(a.outputs.value, one(resources, T.apiKey, "acme-a").outputs.value);
    });

    it("names attachments by key, so removing or reordering keys leaves the others untouched", async () => {
        const build = (keyNames: string[]) => () => {
            const api = orders();
            new GuardedUsagePlan("partners", { ...LIMITS, apiStages: [{ api }], apiKeys: keyNames.map(rotating) });
        };
        const attachmentNames = async (keyNames: string[]) => (await record(build(keyNames))).filter(r => r.type === T.usagePlanKey).map(r => r.name).sort();
        const all = await attachmentNames(["acme", "globex", "initech"]);
        const withoutMiddle = await attachmentNames(["acme", "initech"]);
        assert.deepEqual(withoutMiddle, all.filter(n => !n.includes("/globex/")));
        assert.deepEqual(await attachmentNames(["initech", "globex", "acme"]), all);
        assert.deepEqual(resourceKeys(await record(build(["globex", "acme"]))), resourceKeys(await record(build(["acme", "globex"]))));
    });

    it("attaches keys added later through attachKey", async () => {
        const resources = await record(() => {
            const plan = new GuardedUsagePlan("partners", { ...LIMITS, apiStages: [{ api: orders() }] });
            plan.attachKey(rotating("late"));
            assert.deepEqual(plan.attachedKeyNames, ["late"]);
        });
        assert.deepEqual(ofType(resources, T.usagePlanKey).map(r => r.name).sort(), ["partners/late/a", "partners/late/b"]);
    });

    it("allows the same key in two plans that serve different stages", async () => {
        const resources = await record(() => {
            const key = rotating("acme");
            new GuardedUsagePlan("dev-partners", { ...LIMITS, apiStages: [{ api: orders("dev-api", "dev") }], apiKeys: [key] });
            new GuardedUsagePlan("prod-partners", { ...LIMITS, apiStages: [{ api: orders("prod-api", "prod") }], apiKeys: [key] });
        });
        assert.equal(ofType(resources, T.usagePlanKey).length, 4);
    });

    describe("one plan per API stage", () => {
        it("refuses a key in two plans that serve the same stage, naming key, plans and stage", async () => {
            let planCount = 0;
            const { error, resources } = await recordFailure(() => {
                const api = orders();
                const key = rotating("acme");
                new GuardedUsagePlan("gold", { ...LIMITS, apiStages: [{ api }], apiKeys: [key] });
                planCount++;
                new GuardedUsagePlan("silver", { ...LIMITS, apiStages: [{ api }], apiKeys: [key] });
                planCount++;
            });
            assert.equal(planCount, 1);
            assert.match(error.message, /API key 'acme'/);
            assert.match(error.message, /usage plans 'gold' and 'silver'/);
            assert.match(error.message, /stage 'v1' of SecuredRestApi 'orders-api'/);
            assert.match(error.message, /argument 'apiKeys\[0\]'/);
            assert.equal(resources.filter(r => r.name === "silver").length, 0, "the refused plan registers nothing");
        });

        it("refuses it through attachKey too, and for stages named by id", async () => {
            const viaAttach = await recordFailure(() => {
                const key = rotating("acme");
                const api = orders();
                new GuardedUsagePlan("gold", { ...LIMITS, apiStages: [{ api }], apiKeys: [key] });
                const silver = new GuardedUsagePlan("silver", { ...LIMITS, apiStages: [{ api }] });
                silver.attachKey(key);
            });
            assert.match(viaAttach.error.message, /usage plans 'gold' and 'silver'/);
            assert.equal(viaAttach.resources.filter(r => r.type === T.usagePlanKey && r.name.startsWith("silver/")).length, 0);

            const external = await recordFailure(() => {
                const key = rotating("acme");
                new GuardedUsagePlan("gold", { ...LIMITS, apiStages: [{ restApiId: "abc123", stageName: "prod" }], apiKeys: [key] });
                new GuardedUsagePlan("silver", { ...LIMITS, apiStages: [{ restApiId: "abc123", stageName: "prod" }, { restApiId: "zzz", stageName: "prod" }], apiKeys: [key] });
            });
            assert.match(external.error.message, /stage 'prod' of REST API 'abc123'/);
        });

        it("refuses the same key twice in one plan", async () => {
            const { error, resources } = await recordFailure(() => {
                const key = rotating("acme");
                new GuardedUsagePlan("gold", { ...LIMITS, apiStages: [{ restApiId: "abc123", stageName: "prod" }], apiKeys: [key, key] });
            });
            assert.match(error.message, /^UsagePlan 'gold': argument 'apiKeys\[1\]' attaches API key 'acme' again \(already apiKeys\[0\]\)/);
            assert.equal(resources.filter(r => r.type === T.usagePlan || r.type === T.usagePlanKey).length, 0);
        });
    });

    describe("invalid arguments", () => {
        const stage = { restApiId: "abc123", stageName: "prod" };
        const cases: { title: string; args: Partial<GuardedUsagePlanArgs> | Record<string, unknown>; argument: string }[] = [
            { title: "no throttle", args: { throttle: undefined }, argument: "throttle" },
            { title: "no quota", args: { quota: undefined }, argument: "quota" },
            { title: "a quota period of a year", args: { quota: { limit: 10, period: "YEAR" } }, argument: "quota.period" },
            { title: "a zero quota", args: { quota: { limit: 0, period: "DAY" } }, argument: "quota.limit" },
            { title: "an offset past the limit", args: { quota: { limit: 10, period: "DAY", offset: 10 } }, argument: "quota.offset" },
            { title: "a throttle without burst", args: { throttle: { rateLimit: 10 } }, argument: "throttle.burstLimit" },
            { title: "no stages", args: { apiStages: [] }, argument: "apiStages" },
            { title: "a stage without an API id", args: { apiStages: [{ stageName: "prod" }] }, argument: "apiStages[0].restApiId" },
            { title: "a stage without a name", args: { apiStages: [{ restApiId: "abc" }] }, argument: "apiStages[0].stageName" },
            { title: "the same stage twice", args: { apiStages: [stage, { ...stage }] }, argument: "apiStages[1]" },
            { title: "a badly written method throttle", args: { apiStages: [{ ...stage, methodThrottles: { "/orders GET": { rateLimit: 1, burstLimit: 1 } } }] }, argument: "apiStages[0].methodThrottles" },
            { title: "keys that are not key sources", args: { apiKeys: ["abc"] }, argument: "apiKeys[0]" },
        ];
        for (const c of cases) {
            it(`refuses ${c.title}, naming '${c.argument}'`, async () => {
                const error = await assertArgumentError(() => new GuardedUsagePlan("plan", { ...LIMITS, apiStages: [stage], ...c.args } as GuardedUsagePlanArgs), c.argument);
                assert.match(error.message, /^UsagePlan 'plan': /);
            });
        }

        it("refuses a method throttle for a route the API does not have", async () => {
            const { error, resources } = await recordFailure(() => {
                const api = orders();
                new GuardedUsagePlan("plan", { ...LIMITS, apiStages: [{ api, methodThrottles: { "DELETE /orders": { rateLimit: 1, burstLimit: 1 } } }] });
            });
            assert.match(error.message, /argument 'apiStages\[0\]\.methodThrottles\["DELETE \/orders"\]' names a route the API does not have/);
            assert.equal(resources.filter(r => r.type === T.usagePlan).length, 0);
        });
    });
});
