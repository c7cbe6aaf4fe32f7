import { EntityRef, Inventory, isUnknown, Link, Maybe, MethodSettingsEntity, StageEntity } from "../model";
import { example } from "../model/examples";
import { stageLabel } from "./apigateway-stage-access-logging";
import { defineRule, Outcome } from "./types";
import { describeUnknown } from "./util";

export type ExecutionLogLevel = "ERROR" | "INFO";

export interface StageExecutionLoggingConfig {
    /** Logging levels accepted for the stage-wide (`*\/*`) method settings. */
    allowedLevels: ExecutionLogLevel[];
    /** The stage-wide settings must turn on CloudWatch metrics. */
    requireMetrics: boolean;
    /** Accept `dataTraceEnabled` (full request/response logging). */
    allowDataTrace: boolean;
}

const STAGE_WIDE = "*/*";

export default defineRule<StageExecutionLoggingConfig>({
    id: "apigateway-stage-execution-logging",
    title: "API Gateway stages write execution logs and metrics",
    description: "Every REST API stage has method settings for */* with loggingLevel ERROR or INFO and CloudWatch metrics on, and no method settings turn on dataTraceEnabled, which logs full requests and responses (headers and bodies that may carry API keys, tokens and personal data). WebSocket stages must set a default route logging level and turn data trace on neither by default nor on any route; HTTP APIs have no execution logs (access logging covers them).",
    severity: "high",
    enforcementLevel: "mandatory",
    scope: "stack",
    appliesTo: ["stage"],
    controls: { awsSecurityHub: ["APIGateway.1"], nist80053: ["AU-2", "AU-12", "SI-4"], pciDssV4: ["10.2.1"] },
    remediation: "Add method settings for the stage with methodPath \"*/*\" (aws.apigateway.MethodSettings / aws_api_gateway_method_settings) and settings { loggingLevel: \"ERROR\" (or \"INFO\"), metricsEnabled: true, dataTraceEnabled: false }. For a WebSocket stage set defaultRouteSettings.loggingLevel and leave dataTraceEnabled off in defaultRouteSettings and every routeSettings entry. Execution logging also needs the account-level CloudWatch role (see apigateway-account-cloudwatch-role).",
    configSchema: {
        type: "object",
        properties: {
            allowedLevels: {
                type: "array",
                items: { type: "string", enum: ["ERROR", "INFO"] },
                minItems: 1,
                uniqueItems: true,
                default: ["ERROR", "INFO"],
                description: "Execution logging levels accepted for the */* method settings (OFF is never accepted).",
            },
            requireMetrics: { type: "boolean", default: true, description: "Require metricsEnabled: true in the */* method settings (per-method CloudWatch metrics)." },
            allowDataTrace: { type: "boolean", default: false, description: "Accept dataTraceEnabled: true (it logs full requests and responses, including headers such as X-API-Key and any personal data in bodies)." },
        },
    },
    examples: {
        compliant: {
            description: "The prod stage logs errors and metrics for every method.",
            entities: [example.stage("prod"), example.methodSettings("prod-all", { loggingLevel: "ERROR", metricsEnabled: true, dataTraceEnabled: false })],
        },
        nonCompliant: {
            description: "The prod stage logs full requests (data trace) and has metrics off.",
            entities: [example.stage("prod"), example.methodSettings("prod-all", { loggingLevel: "INFO", metricsEnabled: false, dataTraceEnabled: true })],
        },
    },
    evaluate(inventory, config) {
        const settingsIndex = new StageMethodSettings(inventory);
        return inventory.ofKind("stage").map(stage => stage.apiVersion === "v1"
            ? judgeRestStage(stage, settingsIndex.of(stage), config)
            : judgeV2Stage(inventory, stage, config));
    },
});

export interface SettingsOfStage {
    /** Method settings that belong to the stage (by link, or by REST API + stage name). */
    readonly settings: readonly MethodSettingsEntity[];
    /** Method settings whose stage cannot be identified yet and that may belong to this one. */
    readonly undecided: readonly MethodSettingsEntity[];
}

/**
 * Joins method settings to REST API stages. Method settings name their stage by REST API +
 * stage name, not by id, so an adapter cannot always link them (a stage created in the same
 * preview, a REST API outside the inventory): fall back to comparing API and name, and keep the
 * settings that could still belong to a stage so a missing link is "unknown", not "no settings".
 * Built once per evaluation so each lookup is a map access.
 */
export class StageMethodSettings {
    private readonly byApiAndName = new Map<string, MethodSettingsEntity[]>();
    private readonly stagesByApiAndName = new Map<string, StageEntity>();
    private readonly unplaced: MethodSettingsEntity[] = [];

    constructor(private readonly inventory: Inventory) {
        for (const stage of inventory.ofKind("stage")) {
            const key = this.apiAndName(stage.restApi, stage.stageName);
            if (stage.apiVersion === "v1" && key !== undefined) {
                this.stagesByApiAndName.set(key, stage);
            }
        }
        for (const settings of inventory.ofKind("method-settings")) {
            if (this.linkedStage(settings)) {
                continue;
            }
            const key = this.apiAndName(settings.restApi, settings.stageName);
            if (key === undefined) {
                this.unplaced.push(settings);
            } else {
                const list = this.byApiAndName.get(key);
                if (list) {
                    list.push(settings);
                } else {
                    this.byApiAndName.set(key, [settings]);
                }
            }
        }
    }

    of(stage: StageEntity): SettingsOfStage {
        const linked = this.inventory.referencing(stage.ref, "method-settings", "stage");
        const key = this.apiAndName(stage.restApi, stage.stageName);
        const byName = key === undefined ? [] : this.byApiAndName.get(key) ?? [];
        const stageApi = this.apiKey(stage.restApi);
        const undecided = this.unplaced.filter(settings => {
            const settingsApi = this.apiKey(settings.restApi);
            const apiDiffers = stageApi !== undefined && settingsApi !== undefined && stageApi !== settingsApi;
            const nameDiffers = typeof stage.stageName === "string" && typeof settings.stageName === "string" && stage.stageName !== settings.stageName;
            return !apiDiffers && !nameDiffers;
        });
        // Settings placed by API + name when this stage's own API or name is unknown cannot be matched either.
        const unmatchable = key === undefined
            ? [...this.byApiAndName.entries()]
                .filter(([settingsKey]) => !this.stagesByApiAndName.has(settingsKey))
                .flatMap(([, list]) => list)
                .filter(settings => typeof stage.stageName !== "string" || settings.stageName === stage.stageName)
            : [];
        return { settings: [...linked, ...byName], undecided: [...undecided, ...unmatchable] };
    }

    /** The REST API stage a method-settings entity belongs to, where it can be identified. */
    stageOf(settings: MethodSettingsEntity): StageEntity | undefined {
        const linked = this.linkedStage(settings);
        if (linked) {
            return linked;
        }
        const key = this.apiAndName(settings.restApi, settings.stageName);
        return key === undefined ? undefined : this.stagesByApiAndName.get(key);
    }

    private linkedStage(settings: MethodSettingsEntity): StageEntity | undefined {
        return settings.stage.kind === "entity" ? this.inventory.resolve(settings.stage, "stage") : undefined;
    }

    /** The same REST API compares equal whether linked as an entity or by an id that names it. */
    private apiKey(link: Link): EntityRef | undefined {
        if (link.kind === "entity") {
            return link.ref;
        }
        if (link.kind === "external") {
            return this.inventory.byId("rest-api", link.id)?.ref ?? `external:${link.id}`;
        }
        return undefined;
    }

    private apiAndName(restApi: Link, stageName: Maybe<string>): string | undefined {
        const api = this.apiKey(restApi);
        return api !== undefined && typeof stageName === "string" ? `${api}\u0000${stageName}` : undefined;
    }
}

function settingsLabel(settings: MethodSettingsEntity): string {
    return typeof settings.methodPath === "string"
        ? `method settings '${settings.name}' (${settings.methodPath})`
        : `method settings '${settings.name}'`;
}

function judgeRestStage(stage: StageEntity, found: SettingsOfStage, config: StageExecutionLoggingConfig): Outcome {
    const { ref } = stage;
    const label = stageLabel(stage);
    const problems: string[] = [];
    const unknowns: string[] = [];
    const stageWide = found.settings.filter(settings => settings.methodPath === STAGE_WIDE);

    for (const settings of stageWide) {
        checkStageWide(settings, config, problems, unknowns);
    }
    if (!config.allowDataTrace) {
        for (const settings of found.settings) {
            if (settings.methodPath !== STAGE_WIDE && settings.dataTraceEnabled === true) {
                problems.push(`${settingsLabel(settings)} turn on dataTraceEnabled, which logs full requests and responses (headers such as X-API-Key, and bodies): turn it off`);
            }
        }
    }
    if (stageWide.length === 0) {
        const maybeStageWide = [
            ...found.settings.filter(settings => isUnknown(settings.methodPath)),
            ...found.undecided.filter(settings => settings.methodPath === STAGE_WIDE || isUnknown(settings.methodPath)),
        ];
        if (maybeStageWide.length > 0) {
            const names = maybeStageWide.map(settings => `'${settings.name}'`).join(", ");
            unknowns.push(`method settings ${names} may be its */* settings, but their stage or method path is not known yet`);
        } else {
            problems.push(`it has no method settings for */*, so execution logging and CloudWatch metrics are off. Add method settings with methodPath "*/*", loggingLevel ${config.allowedLevels.join(" or ")} and metricsEnabled true`);
        }
    }

    if (problems.length > 0) {
        return { ref, status: "fail", message: `${label} does not log execution as required: ${problems.join("; ")}.` };
    }
    if (unknowns.length > 0) {
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} logs execution: ${unknowns.join("; ")}` };
    }
    const levels = [...new Set(stageWide.map(settings => String(settings.loggingLevel).toUpperCase()))].join("/");
    return {
        ref,
        status: "pass",
        message: `${label} logs execution at ${levels} for */*${config.requireMetrics ? " with metrics on" : ""}${config.allowDataTrace ? "" : " and data trace off"}`,
    };
}

function checkStageWide(settings: MethodSettingsEntity, config: StageExecutionLoggingConfig, problems: string[], unknowns: string[]): void {
    const label = settingsLabel(settings);
    const allowed = config.allowedLevels.join(" or ");
    const { loggingLevel, metricsEnabled, dataTraceEnabled } = settings;
    if (isUnknown(loggingLevel)) {
        unknowns.push(`the loggingLevel of ${label} is not known yet (${describeUnknown(loggingLevel)})`);
    } else if (loggingLevel === undefined || !config.allowedLevels.some(level => level === loggingLevel.toUpperCase())) {
        problems.push(`${label} set loggingLevel ${loggingLevel === undefined ? "not at all (so it is OFF)" : `to ${loggingLevel}`}: set it to ${allowed}`);
    }
    if (config.requireMetrics) {
        if (isUnknown(metricsEnabled)) {
            unknowns.push(`whether ${label} turn on metrics is not known yet (${describeUnknown(metricsEnabled)})`);
        } else if (metricsEnabled !== true) {
            problems.push(`${label} have metricsEnabled ${metricsEnabled === undefined ? "unset (off)" : "false"}: set it to true`);
        }
    }
    if (!config.allowDataTrace) {
        if (isUnknown(dataTraceEnabled)) {
            unknowns.push(`whether ${label} turn on data trace is not known yet (${describeUnknown(dataTraceEnabled)})`);
        } else if (dataTraceEnabled === true) {
            problems.push(`${label} turn on dataTraceEnabled, which logs full requests and responses (headers such as X-API-Key, and bodies): turn it off`);
        }
    }
}

function judgeV2Stage(inventory: Inventory, stage: StageEntity, config: StageExecutionLoggingConfig): Outcome {
    const { ref, v2LoggingLevel } = stage;
    const label = stageLabel(stage);
    const api = inventory.resolve(stage.restApi, "v2-api");
    const protocol = api?.protocolType;
    if (isUnknown(protocol)) {
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} belongs to an HTTP or a WebSocket API: ${describeUnknown(protocol)}` };
    }
    if (protocol !== undefined && protocol.toUpperCase() === "HTTP") {
        return { ref, status: "not-applicable", message: `${label} belongs to HTTP API '${api?.name}': HTTP APIs have no execution logs; access logging covers them (apigateway-stage-access-logging)` };
    }
    const isWebSocket = protocol !== undefined && protocol.toUpperCase() === "WEBSOCKET";
    if (!isWebSocket) {
        return judgeV2StageOfUnseenApi(stage, config);
    }
    const allowedText = config.allowedLevels.join(" or ");
    const problems: string[] = [];
    const unknowns: string[] = [];
    if (isUnknown(v2LoggingLevel)) {
        unknowns.push(`its default route logging level is not known yet (${describeUnknown(v2LoggingLevel)})`);
    } else if (v2LoggingLevel === undefined || !config.allowedLevels.some(level => level === v2LoggingLevel.toUpperCase())) {
        problems.push(`${v2LoggingLevel === undefined ? "it sets no execution logging level (so logging is OFF)" : `it logs execution at ${v2LoggingLevel}`}: set defaultRouteSettings.loggingLevel to ${allowedText}`);
    }
    if (!config.allowDataTrace) {
        // As for a REST stage's method settings: data trace on the stage default or on any one route logs full messages.
        const dataTrace = stage.v2DataTraceEnabled;
        if (isUnknown(dataTrace)) {
            unknowns.push(`whether its default route settings turn on data trace is not known yet (${describeUnknown(dataTrace)})`);
        } else if (dataTrace === true) {
            problems.push(`defaultRouteSettings.dataTraceEnabled is on, which logs full messages (headers such as X-API-Key, and bodies): turn it off`);
        }
        const routes = stage.v2RouteSettings;
        if (isUnknown(routes)) {
            unknowns.push(`its route settings are not known yet (${describeUnknown(routes)})`);
        } else {
            for (const route of routes ?? []) {
                const routeLabel = typeof route.routeKey === "string" ? `route '${route.routeKey}'` : "a route";
                if (isUnknown(route.dataTraceEnabled)) {
                    unknowns.push(`whether the route settings of ${routeLabel} turn on data trace is not known yet (${describeUnknown(route.dataTraceEnabled)})`);
                } else if (route.dataTraceEnabled === true) {
                    problems.push(`the route settings of ${routeLabel} turn on dataTraceEnabled, which logs full messages (headers such as X-API-Key, and bodies): turn it off`);
                }
            }
        }
    }
    if (problems.length > 0) {
        return { ref, status: "fail", message: `${label} belongs to WebSocket API '${api?.name}' and does not log execution as required: ${problems.join("; ")}.` };
    }
    if (unknowns.length > 0) {
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} logs execution: ${unknowns.join("; ")}` };
    }
    return {
        ref,
        status: "pass",
        message: `${label} logs execution at ${String(v2LoggingLevel).toUpperCase()} (defaultRouteSettings.loggingLevel)${config.allowDataTrace ? "" : " and data trace off"}`,
    };
}

/** A v2 stage whose API is not in the inventory: only a WebSocket API has execution logs, and which one it is cannot be seen. */
function judgeV2StageOfUnseenApi(stage: StageEntity, config: StageExecutionLoggingConfig): Outcome {
    const { ref, v2LoggingLevel } = stage;
    const label = stageLabel(stage);
    if (v2LoggingLevel === undefined) {
        return {
            ref,
            status: "not-applicable",
            message: `${label}: HTTP APIs have no execution logs; access logging covers them. If its API (not in this inventory) is a WebSocket API, set defaultRouteSettings.loggingLevel to ${config.allowedLevels.join(" or ")}`,
        };
    }
    if (isUnknown(v2LoggingLevel)) {
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} logs execution: its default route logging level is not known yet (${describeUnknown(v2LoggingLevel)})` };
    }
    if (config.allowedLevels.some(level => level === v2LoggingLevel.toUpperCase())) {
        return { ref, status: "pass", message: `${label} logs execution at ${v2LoggingLevel.toUpperCase()} (defaultRouteSettings.loggingLevel)` };
    }
    return { ref, status: "unknown", message: `cannot tell whether ${label} needs execution logging: its API is not in this inventory, and only WebSocket APIs have execution logs (its loggingLevel is ${v2LoggingLevel})` };
}
