import { randomBytes } from "node:crypto";
import { IncomingMessage, ServerResponse } from "node:http";
import { FakeAws, FakeCall, FakeHandler } from "./fake-aws";
import { readBody } from "./local-server";

/**
 * Fakes of the identity side of an organization audit, mounted behind `FakeAws`, each in the wire
 * format its AWS SDK v3 client parses:
 * - STS (awsQuery: a form-encoded POST, XML answers and `<ErrorResponse>` errors): AssumeRole, which
 *   checks the role exists, trusts the caller's account and gets the external id its trust policy
 *   asks for, and registers the credentials it issues with `FakeAws.credentialsFor` so later
 *   requests belong to the role's account; GetCallerIdentity.
 * - Organizations (awsJson1_1, `X-Amz-Target: AWSOrganizationsV20161128.ListAccounts`): the
 *   accounts, paginated by `NextToken`, only to the management account (or a delegated one).
 * - Account (restJson1 `POST /listRegions`): each account's regions and their opt-in status.
 * - `optInRegions`: API Gateway in a region the account has not enabled answers as AWS does, with
 *   `UnrecognizedClientException` ("The security token included in the request is invalid").
 */

export interface FakeRole {
    /** Accounts whose principals the trust policy allows (default: the management account). */
    readonly trusts?: readonly string[];
    /** The `sts:ExternalId` condition of the trust policy. */
    readonly externalId?: string;
}

export interface FakeOrgAccount {
    readonly id: string;
    readonly name: string;
    /** `State` (and the older `Status`, where it has the value): ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED. */
    readonly state?: "ACTIVE" | "SUSPENDED" | "PENDING_CLOSURE" | "CLOSED" | "PENDING_ACTIVATION";
    /** Roles by name. */
    readonly roles?: Readonly<Record<string, FakeRole>>;
    /** Regions and their opt-in status (`ListRegions`); default: the given `defaultRegions`, ENABLED_BY_DEFAULT. */
    readonly regions?: Readonly<Record<string, "ENABLED" | "ENABLED_BY_DEFAULT" | "DISABLED" | "ENABLING" | "DISABLING">>;
    /** The account denies `account:ListRegions` to its audit role. */
    readonly denyListRegions?: boolean;
}

export interface FakeOrgOptions {
    readonly management: string;
    readonly accounts: readonly FakeOrgAccount[];
    /** Accounts (other than the management one) allowed to call ListAccounts: delegated administrators. */
    readonly delegated?: readonly string[];
    /** Accounts per ListAccounts page at most (Organizations serves up to 20). */
    readonly pageSize?: number;
    /** Regions of an account that names none. */
    readonly defaultRegions?: readonly string[];
    /** Regions per ListRegions page at most. */
    readonly regionPageSize?: number;
}

export interface AssumeRoleRecord {
    readonly caller: string;
    readonly roleArn: string;
    readonly sessionName: string;
    readonly durationSeconds: number | undefined;
    readonly externalIdGiven: boolean;
    readonly granted: boolean;
}

const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

export class FakeOrganization {
    readonly assumeRequests: AssumeRoleRecord[] = [];
    readonly listAccountsPages: number[] = [];
    readonly listRegionsCalls: string[] = [];
    /** Every secret access key and session token issued (leak checks). */
    readonly issuedSecrets: string[] = [];
    /** When set, STS answers every request with this error (an STS outage, an SCP denying it). */
    stsFault: { readonly status: number; readonly code: string; readonly type?: "Sender" | "Receiver" } | undefined;
    private issued = 0;

    constructor(private readonly aws: FakeAws, readonly options: FakeOrgOptions) {}

    /** Handlers for `FakeAws`'s `services`: `sts`, `organizations`, `account`. */
    get services(): Record<string, FakeHandler> {
        return { sts: this.sts.bind(this), organizations: this.organizations.bind(this), account: this.account.bind(this) };
    }

    /** Wraps an API Gateway handler: a region the caller's account has not enabled rejects its credentials. */
    optInRegions(handler: FakeHandler): FakeHandler {
        return async (request, response, call) => {
            const account = this.options.accounts.find(a => a.id === call.account);
            const status = account?.regions !== undefined && call.region !== undefined ? account.regions[call.region] : "ENABLED_BY_DEFAULT";
            if (status !== "ENABLED" && status !== "ENABLED_BY_DEFAULT") {
                request.resume();
                response.writeHead(403, { "content-type": "application/json", "x-amzn-ErrorType": "UnrecognizedClientException" });
                response.end(JSON.stringify({ message: "The security token included in the request is invalid." }));
                return;
            }
            return handler(request, response, call);
        };
    }

    private async sts(request: IncomingMessage, response: ServerResponse, call: FakeCall): Promise<void> {
        const form = new URLSearchParams(await readBody(request));
        const action = form.get("Action");
        if (this.stsFault !== undefined) {
            return stsError(response, this.stsFault.status, this.stsFault.code, "fault injected by the test", this.stsFault.type);
        }
        if (form.get("Version") !== "2011-06-15") {
            return stsError(response, 400, "InvalidAction", "Could not find operation for version");
        }
        if (action === "GetCallerIdentity") {
            const role = this.roleOfKey(call.accessKeyId);
            const arn = role ?? `arn:aws:iam::${call.account}:user/auditor`;
            return stsAnswer(response, "GetCallerIdentity", `<Arn>${arn}</Arn><UserId>AIDAFAKEAUDITOR</UserId><Account>${call.account}</Account>`);
        }
        if (action !== "AssumeRole") {
            return stsError(response, 400, "InvalidAction", `Could not find operation ${action ?? ""}`);
        }
        const roleArn = form.get("RoleArn") ?? "";
        const sessionName = form.get("RoleSessionName") ?? "";
        const duration = form.get("DurationSeconds");
        const externalId = form.get("ExternalId");
        const match = ROLE_ARN.exec(roleArn);
        const target = match ? this.options.accounts.find(a => a.id === match[2]) : undefined;
        const role = match && target ? target.roles?.[match[3]] : undefined;
        const trusted = role !== undefined && (role.trusts ?? [this.options.management]).includes(call.account);
        const externalOk = role?.externalId === undefined ? true : role.externalId === externalId;
        const granted = trusted && externalOk && target?.state !== "SUSPENDED" && /^[\w+=,.@-]{2,64}$/.test(sessionName);
        this.assumeRequests.push({ caller: call.account, roleArn, sessionName, durationSeconds: duration !== null ? Number(duration) : undefined, externalIdGiven: externalId !== null, granted });
        if (!match) {
            return stsError(response, 400, "ValidationError", "1 validation error detected: Value at 'roleArn' failed to satisfy constraint");
        }
        if (!granted || target === undefined) {
            return stsError(response, 403, "AccessDenied", `User: arn:aws:iam::${call.account}:user/auditor is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
        }
        this.issued++;
        const accessKeyId = `ASIAFAKE${String(this.issued).padStart(12, "0")}`;
        const secret = randomBytes(30).toString("base64");
        const token = `FwoGZXIvYXdzE${randomBytes(60).toString("base64")}`;
        this.issuedSecrets.push(secret, token);
        this.aws.credentialsFor(accessKeyId, target.id);
        this.roles.set(accessKeyId, `arn:${match[1]}:sts::${target.id}:assumed-role/${match[3]}/${sessionName}`);
        const expiration = new Date(Date.now() + (duration !== null ? Number(duration) : 3600) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
        return stsAnswer(response, "AssumeRole",
            `<AssumedRoleUser><Arn>arn:${match[1]}:sts::${target.id}:assumed-role/${match[3]}/${sessionName}</Arn><AssumedRoleId>AROAFAKE${this.issued}:${sessionName}</AssumedRoleId></AssumedRoleUser>` +
            `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey><SessionToken>${token}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
            "<PackedPolicySize>6</PackedPolicySize>");
    }

    private readonly roles = new Map<string, string>();

    private roleOfKey(accessKeyId: string | undefined): string | undefined {
        return accessKeyId !== undefined ? this.roles.get(accessKeyId) : undefined;
    }

    private async organizations(request: IncomingMessage, response: ServerResponse, call: FakeCall): Promise<void> {
        const body = await readBody(request);
        const target = request.headers["x-amz-target"];
        const json = (status: number, value: unknown) => {
            response.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-RequestId": `org-${this.listAccountsPages.length}` });
            response.end(JSON.stringify(value));
        };
        if (target !== "AWSOrganizationsV20161128.ListAccounts") {
            return json(400, { __type: "UnknownOperationException", Message: `unsupported target ${String(target)}` });
        }
        if (call.account !== this.options.management && !(this.options.delegated ?? []).includes(call.account)) {
            return json(400, { __type: "AccessDeniedException", Message: "You don't have permissions to access this resource." });
        }
        const input = JSON.parse(body === "" ? "{}" : body) as { NextToken?: string; MaxResults?: number };
        const limit = Math.max(1, Math.min(input.MaxResults ?? 20, 20, this.options.pageSize ?? 20));
        const offset = input.NextToken !== undefined ? Number(Buffer.from(input.NextToken, "base64").toString("utf8").replace(/^o:/, "")) : 0;
        if (!Number.isInteger(offset) || offset < 0) {
            return json(400, { __type: "InvalidInputException", Message: "You provided an invalid value for the NextToken parameter.", Reason: "INVALID_NEXT_TOKEN" });
        }
        const page = this.options.accounts.slice(offset, offset + limit);
        this.listAccountsPages.push(offset);
        const next = offset + limit < this.options.accounts.length ? Buffer.from(`o:${offset + limit}`).toString("base64") : undefined;
        return json(200, {
            Accounts: page.map(account => {
                const state = account.state ?? "ACTIVE";
                // `Status` knows no CLOSED or PENDING_ACTIVATION: AWS leaves it out for those.
                const status = state === "ACTIVE" || state === "SUSPENDED" || state === "PENDING_CLOSURE" ? state : undefined;
                return {
                    Id: account.id,
                    Arn: `arn:aws:organizations::${this.options.management}:account/o-fake12345/${account.id}`,
                    Email: `aws+${account.id}@example.com`,
                    Name: account.name,
                    ...(status !== undefined ? { Status: status } : {}),
                    State: state,
                    JoinedMethod: account.id === this.options.management ? "CREATED" : "INVITED",
                    JoinedTimestamp: 1735689600.5,
                };
            }),
            ...(next !== undefined ? { NextToken: next } : {}),
        });
    }

    private async account(request: IncomingMessage, response: ServerResponse, call: FakeCall): Promise<void> {
        const body = await readBody(request);
        const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
        const json = (status: number, value: unknown, errorType?: string) => {
            response.writeHead(status, { "content-type": "application/json", ...(errorType !== undefined ? { "x-amzn-ErrorType": errorType } : {}) });
            response.end(JSON.stringify(value));
        };
        if (request.method !== "POST" || path !== "/listRegions") {
            return json(404, { message: "Not Found" }, "ResourceNotFoundException");
        }
        this.listRegionsCalls.push(call.account);
        const account = this.options.accounts.find(a => a.id === call.account);
        if (account === undefined || account.denyListRegions === true) {
            return json(403, { message: `User: ${this.roleOfKey(call.accessKeyId) ?? "arn:aws:iam::" + call.account + ":user/auditor"} is not authorized to perform: account:ListRegions` }, "AccessDeniedException");
        }
        const input = JSON.parse(body === "" ? "{}" : body) as { NextToken?: string; MaxResults?: number; RegionOptStatusContains?: string[] };
        const all = Object.entries(account.regions ?? Object.fromEntries((this.options.defaultRegions ?? ["us-east-1"]).map(r => [r, "ENABLED_BY_DEFAULT"])))
            .filter(([, status]) => input.RegionOptStatusContains === undefined || input.RegionOptStatusContains.includes(status));
        const limit = Math.max(1, Math.min(input.MaxResults ?? 20, 50, this.options.regionPageSize ?? 50));
        const offset = input.NextToken !== undefined ? Number(input.NextToken) : 0;
        const page = all.slice(offset, offset + limit);
        return json(200, {
            Regions: page.map(([RegionName, RegionOptStatus]) => ({ RegionName, RegionOptStatus })),
            ...(offset + limit < all.length ? { NextToken: String(offset + limit) } : {}),
        });
    }
}

function stsAnswer(response: ServerResponse, action: string, result: string): void {
    const xml = `<${action}Response xmlns="${STS_NAMESPACE}">\n  <${action}Result>${result}</${action}Result>\n  <ResponseMetadata><RequestId>${randomBytes(8).toString("hex")}</RequestId></ResponseMetadata>\n</${action}Response>\n`;
    response.writeHead(200, { "content-type": "text/xml", "content-length": Buffer.byteLength(xml) });
    response.end(xml);
}

function stsError(response: ServerResponse, status: number, code: string, message: string, type: "Sender" | "Receiver" = "Sender"): void {
    const xml = `<ErrorResponse xmlns="${STS_NAMESPACE}">\n  <Error>\n    <Type>${type}</Type>\n    <Code>${code}</Code>\n    <Message>${escapeXml(message)}</Message>\n  </Error>\n  <RequestId>${randomBytes(8).toString("hex")}</RequestId>\n</ErrorResponse>\n`;
    response.writeHead(status, { "content-type": "text/xml", "content-length": Buffer.byteLength(xml) });
    response.end(xml);
}

function escapeXml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
