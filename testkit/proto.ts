/**
 * The gRPC stubs and protobuf runtime, loaded exactly as `@pulumi/pulumi`'s generated stubs load them.
 *
 * `analyzer_pb.js` requires `google-protobuf` and `analyzer_grpc_pb.js` requires `@grpc/grpc-js`
 * from @pulumi/pulumi's own location; the generated serializers do `instanceof` checks, so the
 * `Struct`/`Empty` classes and the grpc-js credentials we use must come from those same copies.
 */
import { createRequire } from "module";
import type * as GrpcT from "@grpc/grpc-js";
import type * as AnalyzerPbT from "@pulumi/pulumi/proto/analyzer_pb";
import type * as AnalyzerGrpcPbT from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as PluginPbT from "@pulumi/pulumi/proto/plugin_pb";
import type * as StructPbT from "google-protobuf/google/protobuf/struct_pb";
import type * as EmptyPbT from "google-protobuf/google/protobuf/empty_pb";

const analyzerPbPath = require.resolve("@pulumi/pulumi/proto/analyzer_pb.js");
const analyzerGrpcPbPath = require.resolve("@pulumi/pulumi/proto/analyzer_grpc_pb.js");
const pluginPbPath = require.resolve("@pulumi/pulumi/proto/plugin_pb.js");

/** `require` as seen from @pulumi/pulumi/proto/analyzer_pb.js (google-protobuf). */
const requireFromPb = createRequire(analyzerPbPath);
/** `require` as seen from @pulumi/pulumi/proto/analyzer_grpc_pb.js (@grpc/grpc-js). */
const requireFromGrpcPb = createRequire(analyzerGrpcPbPath);

export const analyzerPb = require(analyzerPbPath) as typeof AnalyzerPbT;
export const analyzerGrpcPb = require(analyzerGrpcPbPath) as typeof AnalyzerGrpcPbT;
export const pluginPb = require(pluginPbPath) as typeof PluginPbT;
export const structPb = requireFromPb("google-protobuf/google/protobuf/struct_pb") as typeof StructPbT;
export const emptyPb = requireFromPb("google-protobuf/google/protobuf/empty_pb") as typeof EmptyPbT;
export const grpc = requireFromGrpcPb("@grpc/grpc-js") as typeof GrpcT;

export type Grpc = typeof GrpcT;
export type AnalyzerClient = AnalyzerGrpcPbT.AnalyzerClient;
