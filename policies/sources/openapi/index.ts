export * from "./document";
export * from "./entities";
