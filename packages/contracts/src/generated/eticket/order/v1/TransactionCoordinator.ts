// Original file: proto/eticket/order/v1/order.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetDecisionRequest as _eticket_order_v1_GetDecisionRequest, GetDecisionRequest__Output as _eticket_order_v1_GetDecisionRequest__Output } from '../../../eticket/order/v1/GetDecisionRequest';
import type { GetDecisionResponse as _eticket_order_v1_GetDecisionResponse, GetDecisionResponse__Output as _eticket_order_v1_GetDecisionResponse__Output } from '../../../eticket/order/v1/GetDecisionResponse';

export interface TransactionCoordinatorClient extends grpc.Client {
  GetDecision(argument: _eticket_order_v1_GetDecisionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_order_v1_GetDecisionResponse__Output>): grpc.ClientUnaryCall;
  GetDecision(argument: _eticket_order_v1_GetDecisionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_order_v1_GetDecisionResponse__Output>): grpc.ClientUnaryCall;
  GetDecision(argument: _eticket_order_v1_GetDecisionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_order_v1_GetDecisionResponse__Output>): grpc.ClientUnaryCall;
  GetDecision(argument: _eticket_order_v1_GetDecisionRequest, callback: grpc.requestCallback<_eticket_order_v1_GetDecisionResponse__Output>): grpc.ClientUnaryCall;
  getDecision(argument: _eticket_order_v1_GetDecisionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_order_v1_GetDecisionResponse__Output>): grpc.ClientUnaryCall;
  getDecision(argument: _eticket_order_v1_GetDecisionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_order_v1_GetDecisionResponse__Output>): grpc.ClientUnaryCall;
  getDecision(argument: _eticket_order_v1_GetDecisionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_order_v1_GetDecisionResponse__Output>): grpc.ClientUnaryCall;
  getDecision(argument: _eticket_order_v1_GetDecisionRequest, callback: grpc.requestCallback<_eticket_order_v1_GetDecisionResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface TransactionCoordinatorHandlers extends grpc.UntypedServiceImplementation {
  GetDecision: grpc.handleUnaryCall<_eticket_order_v1_GetDecisionRequest__Output, _eticket_order_v1_GetDecisionResponse>;
  
}

export interface TransactionCoordinatorDefinition extends grpc.ServiceDefinition {
  GetDecision: MethodDefinition<_eticket_order_v1_GetDecisionRequest, _eticket_order_v1_GetDecisionResponse, _eticket_order_v1_GetDecisionRequest__Output, _eticket_order_v1_GetDecisionResponse__Output>
}
