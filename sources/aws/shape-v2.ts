import { Maybe } from "apigw-guard/policies/model/index";
import { AccessLogSummary, Field, isRecord, JsonObject, numberField, Shaped, shaped, stringField, booleanField, wrongType } from "./shape";

/**
 * What the audit keeps of API Gateway v2 (HTTP and WebSocket APIs) and CloudWatch Logs items,
 * checked field by field as in `shape.ts`. The v2 SDK client names members in PascalCase
 * (`ApiId`, `RouteKey`, `AccessLogSettings`), the Logs client in camelCase (`logGroupName`):
 * each is read as its client delivers it. Names and tags are never copied beyond the name a
 * finding shows; descriptions never.
 */

export interface V2ApiSummary {
    readonly id: string;
    readonly name?: string;
    readonly protocolType: Field<string>;
}

export function shapeV2Api(item: unknown): Shaped<V2ApiSummary> {
    return shaped(item, "ApiId", (record, id) => ({ id, ...pascalName(record), protocolType: stringField(record, "ProtocolType") }));
}

export interface V2RouteSummary {
    readonly id: string;
    readonly routeKey: Field<string>;
    readonly authorizationType: Field<string>;
    readonly apiKeyRequired: Field<boolean>;
}

export function shapeV2Route(item: unknown): Shaped<V2RouteSummary> {
    return shaped(item, "RouteId", (record, id) => ({
        id,
        routeKey: stringField(record, "RouteKey"),
        authorizationType: stringField(record, "AuthorizationType"),
        apiKeyRequired: booleanField(record, "ApiKeyRequired"),
    }));
}

export interface V2RouteSettingsSummary {
    readonly routeKey: string;
    readonly loggingLevel: Field<string>;
    readonly dataTraceEnabled: Field<boolean>;
}

export interface V2StageSummary {
    readonly stageName: string;
    readonly accessLogSettings: Field<AccessLogSummary>;
    /** `DefaultRouteSettings.LoggingLevel` (WebSocket APIs; HTTP APIs have no execution logs). */
    readonly loggingLevel: Field<string>;
    readonly dataTraceEnabled: Field<boolean>;
    /** The per-route overrides (`RouteSettings`, keyed by route key); unknown when the map was malformed. */
    readonly routeSettings: Maybe<readonly V2RouteSettingsSummary[]>;
}

export function shapeV2Stage(item: unknown): Shaped<V2StageSummary> {
    return shaped(item, "StageName", (record, stageName) => {
        const access = record.AccessLogSettings;
        const defaults = record.DefaultRouteSettings;
        const routes = record.RouteSettings;
        const defaultsWrong = defaults !== undefined && !isRecord(defaults) ? wrongType("DefaultRouteSettings", "an object", defaults) : undefined;
        return {
            stageName,
            accessLogSettings: access === undefined ? undefined
                : isRecord(access) ? { destinationArn: stringField(access, "DestinationArn"), format: stringField(access, "Format") }
                : wrongType("AccessLogSettings", "an object", access),
            loggingLevel: defaultsWrong ?? (isRecord(defaults) ? stringField(defaults, "LoggingLevel") : undefined),
            dataTraceEnabled: defaultsWrong ?? (isRecord(defaults) ? booleanField(defaults, "DataTraceEnabled") : undefined),
            routeSettings: routes === undefined ? []
                : isRecord(routes) ? Object.entries(routes).map(([routeKey, settings]) => routeSettingsOf(routeKey, settings))
                : wrongType("RouteSettings", "a map", routes),
        };
    });
}

function routeSettingsOf(routeKey: string, settings: unknown): V2RouteSettingsSummary {
    if (!isRecord(settings)) {
        const why = wrongType(`the route settings of '${routeKey}'`, "an object", settings);
        return { routeKey, loggingLevel: why, dataTraceEnabled: why };
    }
    return { routeKey, loggingLevel: stringField(settings, "LoggingLevel"), dataTraceEnabled: booleanField(settings, "DataTraceEnabled") };
}

/** A CloudWatch Logs log group as `DescribeLogGroups` lists it. */
export interface LogGroupSummary {
    readonly logGroupName: string;
    /** Without the `:*` suffix `arn` carries (`logGroupArn` is already without it). */
    readonly arn: Field<string>;
    /** Absent: the group never expires its events. */
    readonly retentionInDays: Field<number>;
}

export function shapeLogGroup(item: unknown): Shaped<LogGroupSummary> {
    return shaped(item, "logGroupName", (record, logGroupName) => {
        const arn = stringField(record, "logGroupArn") ?? stringField(record, "arn");
        return {
            logGroupName,
            arn: typeof arn === "string" ? arn.replace(/:\*$/, "") : arn,
            retentionInDays: numberField(record, "retentionInDays"),
        };
    });
}

function pascalName(record: JsonObject): { name?: string } {
    return typeof record.Name === "string" ? { name: record.Name } : {};
}

/** A CloudWatch Logs log group ARN, `arn:<partition>:logs:<region>:<account>:log-group:<name>[:*]`. */
export interface LogGroupArn {
    readonly partition: string;
    readonly region: string;
    readonly account: string;
    readonly name: string;
}

/** Log group names hold no `:`; anything else (a Firehose stream, a typo) is not a log group ARN. */
const LOG_GROUP_ARN = /^arn:([a-z-]+):logs:([a-z0-9-]+):(\d{12}):log-group:([^:*]+)(?::\*)?$/;

export function parseLogGroupArn(arn: string): LogGroupArn | undefined {
    const match = LOG_GROUP_ARN.exec(arn);
    return match ? { partition: match[1], region: match[2], account: match[3], name: match[4] } : undefined;
}

/**
 * The name of the log group an access-log destination names, when the audit of `region` (and of
 * `account`, when known) can look it up: CloudWatch Logs is read per region and account.
 */
export function lookableLogGroupName(destinationArn: string, region: string, partition: string, account: string | undefined): string | undefined {
    const parsed = parseLogGroupArn(destinationArn);
    if (!parsed || parsed.region !== region || parsed.partition !== partition) {
        return undefined;
    }
    return account === undefined || parsed.account === account ? parsed.name : undefined;
}
