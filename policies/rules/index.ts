import { CatalogueRule } from "./types";
import methodApiKeyRequired from "./apigateway-method-api-key-required";
import apiKeyUnused from "./apigateway-api-key-unused";

/** The rule catalogue, in the order the reference lists them. Every front end runs exactly these. */
export const RULES: readonly CatalogueRule[] = [
    methodApiKeyRequired,
    apiKeyUnused,
];

export function ruleById(id: string): CatalogueRule | undefined {
    return RULES.find(rule => rule.id === id);
}

export * from "./types";
