/**
 * A seeded account for the audit benchmark: `keys` API keys spread over `plans` usage plans, a
 * few REST APIs, served by the local fake API Gateway (testkit/fake-apigateway.ts). Also
 * the number of requests a page-by-page audit must make, derived from the data and the page
 * size alone: the audit is linear in pages exactly when it makes that many.
 */
import type { FakeApiKey, FakeRegion, FakeResource, FakeRestApi, FakeUsagePlan } from "../testkit/fake-apigateway";
import { deriveSeed, Prng } from "./prng";

export interface AuditAccountShape {
    readonly keys: number;
    readonly plans: number;
    readonly restApis: number;
    readonly resourcesPerApi: number;
    /** Fraction of each plan's keys that GetUsage lists (the others made no request). */
    readonly usedFraction: number;
}

export const DEFAULT_AUDIT_SHAPE: Omit<AuditAccountShape, "keys"> = { plans: 100, restApis: 5, resourcesPerApi: 20, usedFraction: 0.5 };

export function auditRegion(shape: AuditAccountShape, seed = 1): FakeRegion {
    const prng = new Prng(deriveSeed(seed, 0xa0d17));
    const now = Date.parse("2026-06-01T00:00:00Z");
    const restApis: FakeRestApi[] = [];
    for (let a = 0; a < shape.restApis; a++) {
        const resources: FakeResource[] = [{ id: `root${a}`, path: "/" }];
        for (let r = 1; r < shape.resourcesPerApi; r++) {
            resources.push({
                id: `res${a}x${r}`, parentId: `root${a}`, pathPart: `p${r}`, path: `/p${r}`,
                methods: [
                    { httpMethod: "GET", apiKeyRequired: prng.chance(0.95), authorizationType: "NONE" },
                    { httpMethod: "OPTIONS", apiKeyRequired: false, authorizationType: "NONE" },
                ],
            });
        }
        restApis.push({
            id: `api${String(a).padStart(4, "0")}${prng.chars(4)}`,
            name: `svc-${a}`,
            apiKeySource: "HEADER",
            endpointTypes: ["REGIONAL"],
            resources,
            stages: ["prod", "dev"].map(stageName => ({
                stageName,
                accessLogSettings: { destinationArn: `arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/svc-${a}-${stageName}`, format: "{\"requestId\":\"$context.requestId\"}" },
                methodSettings: { "*/*": { loggingLevel: "ERROR", metricsEnabled: true, dataTraceEnabled: false } },
                tracingEnabled: true,
            })),
        });
    }
    const apiKeys: FakeApiKey[] = [];
    for (let k = 0; k < shape.keys; k++) {
        apiKeys.push({
            id: `key${String(k).padStart(6, "0")}${prng.chars(3)}`,
            name: `client-${k}`,
            enabled: prng.chance(0.97),
            createdDate: new Date(now - prng.int(0, 200) * 86_400_000).toISOString(),
            value: prng.chars(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
        });
    }
    const usagePlans: FakeUsagePlan[] = [];
    for (let p = 0; p < shape.plans; p++) {
        const from = Math.floor((p * shape.keys) / shape.plans);
        const to = Math.floor(((p + 1) * shape.keys) / shape.plans);
        const keyIds = apiKeys.slice(from, to).map(key => key.id);
        const usage: Record<string, number[][]> = {};
        keyIds.slice(0, Math.round(keyIds.length * shape.usedFraction)).forEach(id => {
            usage[id] = Array.from({ length: 30 }, () => [prng.int(0, 50), 10_000]);
        });
        usagePlans.push({
            id: `plan${String(p).padStart(4, "0")}`,
            name: `plan-${p}`,
            apiStages: [{ apiId: restApis[p % restApis.length].id, stage: "prod" }],
            throttle: { rateLimit: 50, burstLimit: 100 },
            quota: { limit: 100_000, period: "MONTH" },
            keyIds,
            usage,
        });
    }
    return { restApis, apiKeys, usagePlans, account: { cloudwatchRoleArn: "arn:aws:iam::123456789012:role/apigw-cloudwatch" }, domainNames: [] };
}

/** Requests per route a page-by-page audit makes: one per page of each listing, nothing per key. */
export function expectedAuditRequests(region: FakeRegion, pageSize: number): Record<string, number> {
    const pages = (items: number) => Math.max(1, Math.ceil(items / pageSize));
    return {
        "GET /restapis": pages(region.restApis.length),
        "GET /restapis/{id}/resources": region.restApis.reduce((sum, api) => sum + pages(api.resources.length), 0),
        "GET /restapis/{id}/stages": region.restApis.length,
        "GET /apikeys": pages(region.apiKeys.length),
        "GET /usageplans": pages(region.usagePlans.length),
        "GET /usageplans/{id}/keys": region.usagePlans.reduce((sum, plan) => sum + pages(plan.keyIds.length), 0),
        "GET /usageplans/{id}/usage": region.usagePlans.reduce((sum, plan) => sum + pages(Object.keys(plan.usage ?? {}).length), 0),
        "GET /account": 1,
        "GET /domainnames": pages(region.domainNames?.length ?? 0),
    };
}

/**
 * The requests the audit makes beside API Gateway v1 for one region of this account: one page of
 * HTTP/WebSocket APIs (the fixture has none), and one CloudWatch Logs lookup per distinct log
 * group the stages write to that can be looked up from here: access-log destinations in this
 * region (and this account, when the audit knows it), and the execution-log group of each stage
 * with execution logging on.
 */
export function expectedCompanionRequests(region: FakeRegion, regionName: string, account?: string): { readonly v2: number; readonly logs: number } {
    const names = new Set<string>();
    for (const api of region.restApis) {
        for (const stage of api.stages) {
            const arn = /^arn:[^:]+:logs:([^:]+):(\d{12}):log-group:([^:]+)/.exec(stage.accessLogSettings?.destinationArn ?? "");
            if (arn !== null && arn[1] === regionName && (account === undefined || arn[2] === account)) {
                names.add(arn[3]);
            }
            if (Object.values(stage.methodSettings ?? {}).some(setting => setting.loggingLevel === "ERROR" || setting.loggingLevel === "INFO")) {
                names.add(`API-Gateway-Execution-Logs_${api.id}/${stage.stageName}`);
            }
        }
    }
    return { v2: 1, logs: names.size };
}

/** The route a recorded request belongs to (ids replaced), as in `expectedAuditRequests`. */
export function routeOf(method: string, path: string): string {
    const segments = path.split("/").filter(s => s !== "");
    const shape = segments.map((segment, i) => (i % 2 === 1 ? "{id}" : segment));
    return `${method} /${shape.join("/")}`;
}
