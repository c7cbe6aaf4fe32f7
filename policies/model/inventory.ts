import { Maybe, SecretValue } from "./values";

/**
 * The IaC-neutral model every source adapter produces and every rule reads. Nothing here knows
 * about Pulumi, Terraform or the AWS SDK: adapters translate into it, rules judge it.
 */

/** Where an entity came from, so a finding points at the thing a person must change. */
export interface Provenance {
    readonly source: "pulumi" | "terraform" | "aws" | "example";
    /** Pulumi URN. */
    readonly urn?: string;
    /** Terraform address, e.g. `module.api.aws_api_gateway_method.get["a"]`. */
    readonly address?: string;
    /** AWS ARN (live audit, or known from state). */
    readonly arn?: string;
    /**
     * The AWS account the resource lives in: the live audit knows it; an IaC scan carries the one
     * given by flags (`--account-id`), for formats that need one (Security Hub).
     */
    readonly account?: string;
    /** The AWS region the resource lives in (live audit; an IaC scan's `--region`). */
    readonly region?: string;
    /** Source file and 1-based line (Terraform HCL, or the file a plan/state/export was read from). */
    readonly file?: string;
    readonly line?: number;
    /**
     * HCL only: the line of each attribute that was read, keyed by the entity's field name
     * (e.g. `apiKeyRequired` → the `api_key_required = false` line), so a finding can point at
     * the line to change.
     */
    readonly fieldLines?: Readonly<Record<string, number>>;
    /** The IaC resource type the entity was read from, e.g. `aws:apigateway/method:Method`. */
    readonly resourceType?: string;
    /**
     * Entities read from an API's OpenAPI `body` (the URN/address above is the API's): the
     * operation, e.g. `GET /pets`, and the JSON pointer of its definition in the body, e.g.
     * `/paths/~1pets/get`, which is where a `security` requirement must be added.
     */
    readonly operation?: string;
    readonly pointer?: string;
}

/** Inventory-unique key of an entity (the URN, Terraform address or ARN it came from). */
export type EntityRef = string;

/**
 * A reference from one entity to another. Adapters resolve references when they can: by id/ARN
 * when known, otherwise by dependency (Pulumi `propertyDependencies`, Terraform `configuration`
 * references). `external` means a known id that names something outside the inventory.
 */
export type Link =
    | { readonly kind: "entity"; readonly ref: EntityRef }
    | { readonly kind: "external"; readonly id: string }
    | { readonly kind: "unknown"; readonly reason?: string };

/**
 * Whether code manages a live resource, as `audit --managed-by` found by comparing the account
 * with the given IaC inputs. Set only by that comparison: absent in every IaC scan and in the
 * pack, where the resources are the code. Holds where the match was made, never a value.
 * (`state`, not `kind`: a `{kind: "unknown"}` object would read as a Link.)
 */
export type Management =
    | {
        readonly state: "managed";
        /** How the live resource was found in the input: its cloud id, its ARN, or its name (and kind; a stage: its API, then its stage name). */
        readonly match: "id" | "arn" | "name";
        /** The input's label (its file or directory, as given). */
        readonly input: string;
        /** The Terraform address or Pulumi URN that manages it, with file:line where known. */
        readonly location: string;
    }
    | { readonly state: "unmanaged"; readonly inputsCompared: number }
    | { readonly state: "unknown"; readonly reason: string; readonly inputsCompared: number };

/** The entities `audit --managed-by` compares with code. */
export const MANAGEABLE_KINDS = ["api-key", "usage-plan", "rest-api", "v2-api", "stage"] as const;
export type ManageableKind = (typeof MANAGEABLE_KINDS)[number];

interface Manageable {
    /** Live audit with `--managed-by` only: whether code manages the resource. */
    readonly management?: Management;
}

/**
 * The name the resource has in AWS (Terraform/Pulumi `name`), where the source says; `name` above
 * is the code's name for it. A live resource is matched by it when no id is known (HCL, new
 * resources in a plan). Live entities' `name` is already their AWS name.
 */
interface Named {
    readonly awsName?: Maybe<string | undefined>;
}

interface EntityBase {
    readonly ref: EntityRef;
    /** Human-readable name (logical name, Terraform name, or AWS name). */
    readonly name: string;
    readonly provenance: Provenance;
    /** The cloud id where known (state, live audit, `pulumi up`). */
    readonly id?: Maybe<string>;
    readonly region?: string;
}

export interface RestApiEntity extends EntityBase, Manageable, Named {
    readonly kind: "rest-api";
    /** `HEADER`, `AUTHORIZER`, or undefined when unset (AWS defaults to HEADER). */
    readonly apiKeySource: Maybe<string | undefined>;
    readonly endpointTypes?: Maybe<readonly string[] | undefined>;
}

export interface ApiResourceEntity extends EntityBase {
    readonly kind: "api-resource";
    readonly restApi: Link;
    /** Full path, e.g. `/orders/{id}`; unknown when not derivable. */
    readonly path: Maybe<string>;
}

export interface MethodEntity extends EntityBase {
    readonly kind: "method";
    readonly restApi: Link;
    /** Full resource path of the method, e.g. `/orders`. */
    readonly path: Maybe<string>;
    /** `GET`, `POST`, `OPTIONS`, `ANY`, ... */
    readonly httpMethod: Maybe<string>;
    readonly apiKeyRequired: Maybe<boolean | undefined>;
    /** `NONE`, `AWS_IAM`, `CUSTOM`, `COGNITO_USER_POOLS`. */
    readonly authorizationType: Maybe<string | undefined>;
}

export interface AccessLogSettings {
    readonly destinationArn: Maybe<string | undefined>;
    readonly format: Maybe<string | undefined>;
    /**
     * The log group written to, when the adapter can tell (by ARN, or by dependency while the ARN
     * of a new log group is still computed in a preview).
     */
    readonly destination?: Link;
}

export interface StageEntity extends EntityBase, Manageable {
    readonly kind: "stage";
    /** REST API (v1) or HTTP/WebSocket API (v2). */
    readonly apiVersion: "v1" | "v2";
    readonly restApi: Link;
    readonly stageName: Maybe<string>;
    /** undefined when the stage has no access log settings block. */
    readonly accessLogSettings: Maybe<AccessLogSettings | undefined>;
    readonly xrayTracingEnabled?: Maybe<boolean | undefined>;
    readonly cacheClusterEnabled?: Maybe<boolean | undefined>;
    /** WAF web ACL associated directly on the stage (v1 `webAclArn` output / live audit). */
    readonly webAclArn?: Maybe<string | undefined>;
    readonly arn?: Maybe<string | undefined>;
    /** v2 only: `defaultRouteSettings` logging level (v2 has no separate method settings). */
    readonly v2LoggingLevel?: Maybe<string | undefined>;
    /** v2 only: `defaultRouteSettings.dataTraceEnabled` (full request/response logging, WebSocket APIs). */
    readonly v2DataTraceEnabled?: Maybe<boolean | undefined>;
    /** v2 only: the per-route overrides (`routeSettings`); undefined when there are none. */
    readonly v2RouteSettings?: Maybe<readonly V2RouteSettings[] | undefined>;
}

/** One `routeSettings` entry of a v2 stage: the route's own execution logging settings. */
export interface V2RouteSettings {
    readonly routeKey: Maybe<string>;
    readonly loggingLevel: Maybe<string | undefined>;
    readonly dataTraceEnabled: Maybe<boolean | undefined>;
}

export interface MethodSettingsEntity extends EntityBase {
    readonly kind: "method-settings";
    readonly restApi: Link;
    /** The stage these settings belong to (by dependency or by API id + stage name). */
    readonly stage: Link;
    readonly stageName: Maybe<string>;
    /** `*\/*` or `resource/METHOD`. */
    readonly methodPath: Maybe<string>;
    readonly loggingLevel: Maybe<string | undefined>;
    readonly metricsEnabled: Maybe<boolean | undefined>;
    readonly dataTraceEnabled: Maybe<boolean | undefined>;
    readonly cachingEnabled: Maybe<boolean | undefined>;
    readonly cacheDataEncrypted: Maybe<boolean | undefined>;
}

export interface ApiKeyEntity extends EntityBase, Manageable, Named {
    readonly kind: "api-key";
    readonly enabled: Maybe<boolean | undefined>;
    /** ISO-8601 creation date (state / live). */
    readonly createdDate: Maybe<string | undefined>;
    /** Resource tags; the components write the rotation time into one (see the max-age rule). */
    readonly tags: Maybe<Readonly<Record<string, Maybe<string>>> | undefined>;
    readonly value: SecretValue;
    /** Live audit only: requests seen in the usage window (undefined when not measured). */
    readonly requestsInWindow?: Maybe<number | undefined>;
}

export interface ThrottleSettings {
    readonly rateLimit: Maybe<number | undefined>;
    readonly burstLimit: Maybe<number | undefined>;
}

export interface QuotaSettings {
    readonly limit: Maybe<number | undefined>;
    readonly period: Maybe<string | undefined>;
    readonly offset?: Maybe<number | undefined>;
}

export interface UsagePlanApiStage {
    readonly restApi: Link;
    readonly stageName: Maybe<string>;
    /** The stage entity when it can be resolved. */
    readonly stage: Link;
    /**
     * Set when the adapter can tell that the stage is named by another resource's generated id
     * (a real module writes `stage = aws_api_gateway_deployment.x.id`): the address or URN of that
     * resource. Such a value names no stage, even while the id itself is not known yet.
     */
    readonly stageNameIsIdOf?: string;
    /**
     * Set when the stage is not linked because the plan's API stages refer to several stages and
     * which entry names which cannot be told: those stages, one for each unlinked entry.
     */
    readonly stageCandidates?: readonly EntityRef[];
}

export interface UsagePlanEntity extends EntityBase, Manageable, Named {
    readonly kind: "usage-plan";
    readonly throttle: Maybe<ThrottleSettings | undefined>;
    readonly quota: Maybe<QuotaSettings | undefined>;
    readonly apiStages: Maybe<readonly UsagePlanApiStage[]>;
}

export interface UsagePlanKeyEntity extends EntityBase {
    readonly kind: "usage-plan-key";
    readonly usagePlan: Link;
    readonly apiKey: Link;
    /** The key value copied onto the attachment (Terraform state exposes it). Secret. */
    readonly value?: SecretValue;
}

export interface AccountEntity extends EntityBase {
    readonly kind: "account";
    readonly cloudwatchRoleArn: Maybe<string | undefined>;
}

export interface LogGroupEntity extends EntityBase {
    readonly kind: "log-group";
    readonly logGroupName: Maybe<string>;
    readonly arn?: Maybe<string | undefined>;
    readonly retentionInDays: Maybe<number | undefined>;
    /**
     * Set only by a source that looked the group up instead of reading a declaration of it (the
     * live audit asks CloudWatch Logs for each group a stage names): `false` when CloudWatch Logs
     * has no group of that name, so API Gateway drops the logs meant for it; unknown when the
     * lookup failed. Undefined: the group is declared or was read, so it exists (or will).
     */
    readonly exists?: Maybe<boolean>;
}

export interface DomainNameEntity extends EntityBase {
    readonly kind: "domain-name";
    readonly domainName: Maybe<string>;
    readonly securityPolicy: Maybe<string | undefined>;
}

export interface WebAclAssociationEntity extends EntityBase {
    readonly kind: "web-acl-association";
    /** The associated resource (an API Gateway stage). */
    readonly target: Link;
    readonly resourceArn: Maybe<string>;
    readonly webAclArn: Maybe<string>;
}

export interface V2ApiEntity extends EntityBase, Manageable, Named {
    readonly kind: "v2-api";
    /** `HTTP` or `WEBSOCKET`. */
    readonly protocolType: Maybe<string>;
}

export interface V2RouteEntity extends EntityBase {
    readonly kind: "v2-route";
    readonly api: Link;
    readonly routeKey: Maybe<string>;
    /** `NONE`, `AWS_IAM`, `CUSTOM`, `JWT`. */
    readonly authorizationType: Maybe<string | undefined>;
    readonly apiKeyRequired?: Maybe<boolean | undefined>;
}

export type Entity =
    | RestApiEntity
    | ApiResourceEntity
    | MethodEntity
    | StageEntity
    | MethodSettingsEntity
    | ApiKeyEntity
    | UsagePlanEntity
    | UsagePlanKeyEntity
    | AccountEntity
    | LogGroupEntity
    | DomainNameEntity
    | WebAclAssociationEntity
    | V2ApiEntity
    | V2RouteEntity;

export type EntityKind = Entity["kind"];
export type EntityOfKind<K extends EntityKind> = Extract<Entity, { kind: K }>;

/** Something an adapter could not read (denied API, malformed resource); reported, never dropped. */
export interface InventoryGap {
    readonly ref?: EntityRef;
    readonly message: string;
    readonly provenance?: Provenance;
}
