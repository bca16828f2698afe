import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as OrderProto } from './generated/order';
import type { ProtoGrpcType as UserProto } from './generated/user';

const PROTO_DIR = fileURLToPath(new URL('../proto', import.meta.url));

/**
 * Must match the flags of `npm run generate -w @eticket/contracts`, which
 * produced the types in src/generated from the same .proto files.
 */
const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

export type UserContracts = UserProto['eticket']['user']['v1'];
export type OrderContracts = OrderProto['eticket']['order']['v1'];

let userContracts: UserContracts | undefined;
let orderContracts: OrderContracts | undefined;

export function loadUserContracts(): UserContracts {
  userContracts ??= (grpc.loadPackageDefinition(protoLoader.loadSync('eticket/user/v1/user.proto', LOADER_OPTIONS)) as unknown as UserProto).eticket.user.v1;
  return userContracts;
}

export function loadOrderContracts(): OrderContracts {
  orderContracts ??= (grpc.loadPackageDefinition(protoLoader.loadSync('eticket/order/v1/order.proto', LOADER_OPTIONS)) as unknown as OrderProto).eticket.order.v1;
  return orderContracts;
}
