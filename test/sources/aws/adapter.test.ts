import assert from "node:assert/strict";
import { runRules } from "apigw-guard/policies/engine/run";
import { ApiKeyEntity, isUnknown } from "apigw-guard/policies/model/index";
import { RULES } from "apigw-guard/policies/rules/index";
import { buildAwsInventory, inventoryFromAwsSnapshots, normaliseMethodPath } from "../../../sources/aws/adapter";
import { ApiGatewayArns, partitionOf } from "../../../sources/aws/arn";
import { usageWindow } from "../../../sources/aws/audit";
import { Listing, ReadResult, RegionSnapshot, UsagePlanSnapshot, usedRequests } from "../../../sources/aws/collect";
import { classify } from "../../../sources/aws/errors";

const NOW = new Date("2026-06-01T00:00:00Z");
const OLD = new Date("2026-01-01T00:00:00Z");

function ok<T>(value: T): ReadResult<T> {
    return { ok: true, value };
}

function listed<T>(items: readonly T[]): ReadResult<Listing<T>> {
    return ok({ items, malformed: [], malformedCount: 0 });
}

function denied<T>(): ReadResult<T> {
    return { ok: false, problem: "access denied (AccessDeniedException)" };
}

function plan(id: string, keyIds: ReadResult<readonly string[]>, usage: ReadResult<ReadonlyMap<string, number>>): UsagePlanSnapshot {
    return {
        plan: { id, name: id, apiStages: [{ apiId: "api1", stage: "prod" }], throttle: undefined, quota: undefined },
        keys: keyIds.ok ? listed(keyIds.value.map(keyId => ({ id: keyId }))) : keyIds,
        usage,
    };
}

function region(plans: ReadResult<Listing<UsagePlanSnapshot>>, keyIds = ["k1"]): RegionSnapshot {
    return {
        region: "us-east-1",
        window: usageWindow(NOW, 30),
        restApis: listed([]),
        apiKeys: listed(keyIds.map(id => ({ id, name: id, enabled: true, createdDate: OLD, tags: undefined }))),
        usagePlans: plans,
        account: ok({ cloudwatchRoleArn: undefined }),
        domainNames: listed([]),
    };
}

function requests(snapshot: RegionSnapshot, keyId = "k1"): ApiKeyEntity["requestsInWindow"] {
    const key = inventoryFromAwsSnapshots([snapshot]).get(`arn:aws:apigateway:us-east-1::/apikeys/${keyId}`) as ApiKeyEntity;
    return key.requestsInWindow;
}

describe("aws audit: from what was read to the Inventory", () => {
    describe("requests in the usage window", () => {
        it("sums the key's requests over every plan it is in", () => {
            const snapshot = region(listed([plan("p1", ok(["k1"]), ok(new Map([["k1", 4]]))), plan("p2", ok(["k1"]), ok(new Map([["k1", 6]])))]));
            assert.equal(requests(snapshot), 10);
        });

        it("is known when one plan's usage is unreadable but another shows requests", () => {
            const snapshot = region(listed([plan("p1", ok(["k1"]), denied()), plan("p2", ok(["k1"]), ok(new Map([["k1", 6]])))]));
            assert.equal(requests(snapshot), 6);
        });

        it("is unknown, not zero, when the plans it could be counted in show none and one is unreadable", () => {
            const snapshot = region(listed([plan("p1", ok(["k1"]), denied()), plan("p2", ok(["k1"]), ok(new Map()))]));
            const value = requests(snapshot);
            assert.ok(isUnknown(value));
            assert.match(value.reason ?? "", /usage of usage plan 'p1' could not be read: access denied/);
        });

        it("is not measured for a key in no plan, or younger than the window", () => {
            assert.equal(requests(region(listed([]))), undefined);
            const young: RegionSnapshot = { ...region(listed([plan("p1", ok(["k1"]), ok(new Map()))])), apiKeys: listed([{ id: "k1", enabled: true, createdDate: new Date("2026-05-20T00:00:00Z"), tags: undefined }]) };
            assert.equal(requests(young), undefined);
        });

        it("reads daily [used, remaining] rows, ignoring rows of another shape", () => {
            assert.equal(usedRequests([[3, 97], [0, 97], [5, 92]]), 8);
            assert.equal(usedRequests([[], [2], [Number.NaN, 1], [-1, 5]]), 2);
            assert.equal(usedRequests(undefined), 0);
        });
    });

    describe("reads that failed", () => {
        it("a usage-plan listing that failed leaves an attachment with an unknown key, so no key looks unattached", () => {
            const inventory = inventoryFromAwsSnapshots([region(denied())]);
            assert.deepEqual(inventory.gaps.map(g => g.message), ["could not list the usage plans in us-east-1: access denied (AccessDeniedException)"]);
            const finding = runRules(inventory, RULES, { now: NOW }).findings.find(f => f.ruleId === "apigateway-api-key-unused");
            assert.equal(finding?.status, "unknown");
        });

        it("gaps carry the ARN of what could not be read", () => {
            const snapshot: RegionSnapshot = { ...region(listed([])), account: denied() };
            const [gap] = inventoryFromAwsSnapshots([snapshot]).gaps;
            assert.deepEqual(gap.provenance, { source: "aws", arn: "arn:aws:apigateway:us-east-1::/account", region: "us-east-1" });
        });
    });

    describe("where each entity lives", () => {
        it("every entity and gap names its region, and its account when the audit knows it", () => {
            const snapshot: RegionSnapshot = { ...region(listed([plan("p1", ok(["k1"]), ok(new Map()))])), account: denied() };
            const { inventory } = buildAwsInventory([snapshot], "123456789012");
            const entities = [...inventory.all()];
            assert.ok(entities.length >= 3);
            for (const item of [...entities, ...inventory.gaps]) {
                assert.equal(item.provenance?.account, "123456789012", item.ref);
                assert.equal(item.provenance?.region, "us-east-1", item.ref);
            }
            const unnamed = buildAwsInventory([snapshot]).inventory;
            assert.ok([...unnamed.all()].every(entity => !("account" in entity.provenance)));
        });
    });

    it("writes method paths as the IaC tools do", () => {
        assert.equal(normaliseMethodPath("*/*"), "*/*");
        assert.equal(normaliseMethodPath("~1orders~1{id}/GET"), "orders/{id}/GET");
        assert.equal(normaliseMethodPath("/orders/GET"), "orders/GET");
    });

    it("builds ARNs in the region's partition", () => {
        assert.equal(partitionOf("cn-north-1"), "aws-cn");
        assert.equal(partitionOf("us-gov-west-1"), "aws-us-gov");
        assert.equal(new ApiGatewayArns("cn-north-1").stage("a1", "prod"), "arn:aws-cn:apigateway:cn-north-1::/restapis/a1/stages/prod");
        assert.equal(new ApiGatewayArns("eu-west-1").usagePlanKey("p1", "k1"), "arn:aws:apigateway:eu-west-1::/usageplans/p1/keys/k1");
    });

    it("computes the usage window as whole UTC days", () => {
        assert.deepEqual({ ...usageWindow(new Date("2026-06-01T23:30:00Z"), 30), start: undefined }, { startDate: "2026-05-02", endDate: "2026-06-01", start: undefined, days: 30 });
    });

    describe("error classification", () => {
        const context = { region: "us-east-1", endpoint: "https://apigateway.us-east-1.amazonaws.com" };
        const sdkError = (name: string, status?: number) => Object.assign(new Error("service text that is not shown"), { name, $metadata: { httpStatusCode: status } });

        it("sorts denials, throttles and missing things into gaps", () => {
            assert.equal(classify(sdkError("AccessDeniedException", 403), context).kind, "denied");
            assert.equal(classify(sdkError("UnauthorizedException", 401), context).kind, "denied");
            assert.equal(classify(sdkError("TooManyRequestsException", 429), context).kind, "throttled");
            assert.equal(classify(sdkError("NotFoundException", 404), context).kind, "not-found");
            assert.deepEqual(classify(sdkError("InternalFailure", 500), context), { kind: "server", phrase: "server error (InternalFailure, HTTP 500) after retries" });
        });

        it("ends the audit on rejected or missing credentials and unreachable endpoints", () => {
            for (const name of ["UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException"]) {
                assert.equal(classify(sdkError(name, 403), context).fatal?.reason, "credentials", name);
            }
            assert.equal(classify(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }), context).fatal?.reason, "credentials");
            const refused = classify(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), context);
            assert.equal(refused.fatal?.message, "cannot reach API Gateway at https://apigateway.us-east-1.amazonaws.com: connection refused");
            const unknownHost = classify(Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }), { ...context, region: "xx-nowhere-1" });
            assert.match(unknownHost.fatal?.message ?? "", /host not found \(is 'xx-nowhere-1' a region where API Gateway exists\?\)/);
        });

        it("never repeats the service's own message text", () => {
            for (const name of ["AccessDeniedException", "TooManyRequestsException", "UnrecognizedClientException", "SomethingElse"]) {
                assert.ok(!classify(sdkError(name, 400), context).phrase.includes("service text"), name);
            }
        });
    });
});
