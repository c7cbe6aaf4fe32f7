import { FakeApiGateway, FakeFaults, FakeRegion } from "../../../testkit/fake-apigateway";
import { FakeAws, FakeHandler, perAccount } from "../../../testkit/fake-aws";
import { FakeOrgAccount, FakeOrganization } from "../../../testkit/fake-org";
import { smallAccount } from "./support";
import { FakeApiGatewayV2 } from "../../../testkit/fake-apigatewayv2";
import { FakeLogs } from "../../../testkit/fake-logs";
import { destinationGroups } from "./support";

export const MANAGEMENT = "111111111111";
export const ROLE = "ApigwGuardAudit";
export const EXTERNAL_ID = "ext-7f3a9c2e-planted";

/** One account's API Gateway: the same small estate in each of its regions. */
export function gatewayOf(regions: readonly string[], faults: FakeFaults = {}): FakeApiGateway {
    const data: Record<string, FakeRegion> = {};
    for (const region of regions) {
        data[region] = smallAccount();
    }
    return new FakeApiGateway(data, faults);
}

export interface World {
    readonly aws: FakeAws;
    readonly org: FakeOrganization;
    readonly gateways: Readonly<Record<string, FakeApiGateway>>;
    readonly url: string;
    stop(): Promise<void>;
}

/**
 * An organization behind one FakeAws endpoint: STS, Organizations, Account, and one FakeApiGateway
 * per account (requests attributed by the access key STS issued), opt-in regions enforced.
 */
export async function startWorld(
    accounts: readonly FakeOrgAccount[],
    gateways: Readonly<Record<string, FakeApiGateway>>,
    options: { pageSize?: number; regionPageSize?: number; services?: Readonly<Record<string, FakeHandler>> } = {},
): Promise<World> {
    let org: FakeOrganization | undefined;
    const handlers: Record<string, FakeHandler> = {};
    for (const [account, gateway] of Object.entries(gateways)) {
        handlers[account] = gateway.serve.bind(gateway);
    }
    const lazy = (service: string): FakeHandler => (request, response, call) => (org as FakeOrganization).services[service](request, response, call);
    const apigateway: FakeHandler = (request, response, call) => (org as FakeOrganization).optInRegions(perAccount(handlers))(request, response, call);
    // Each account's HTTP APIs (none) and log groups (the stages' access-log destinations, as after a deployment).
    const v2 = new FakeApiGatewayV2({});
    const logs = new FakeLogs(Object.fromEntries(Object.entries(gateways).map(([account, gateway]) => [account, destinationGroups(gateway.regions)])));
    const aws = new FakeAws({
        services: {
            sts: lazy("sts"), organizations: lazy("organizations"), account: lazy("account"), apigateway,
            apigatewayv2: v2.serve.bind(v2), logs: logs.serve.bind(logs), ...options.services,
        },
        defaultAccount: MANAGEMENT,
        mounted: Object.values(gateways),
    });
    org = new FakeOrganization(aws, { management: MANAGEMENT, accounts, ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}), ...(options.regionPageSize !== undefined ? { regionPageSize: options.regionPageSize } : {}) });
    const url = await aws.start();
    return { aws, org, gateways, url, stop: () => aws.stop() };
}

export function roleIn(externalId?: string): FakeOrgAccount["roles"] {
    return { [ROLE]: externalId !== undefined ? { externalId } : {} };
}
