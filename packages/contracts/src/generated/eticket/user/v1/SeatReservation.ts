// Original file: proto/eticket/user/v1/user.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ParticipantAck as _eticket_user_v1_ParticipantAck, ParticipantAck__Output as _eticket_user_v1_ParticipantAck__Output } from '../../../eticket/user/v1/ParticipantAck';
import type { PrepareRequest as _eticket_user_v1_PrepareRequest, PrepareRequest__Output as _eticket_user_v1_PrepareRequest__Output } from '../../../eticket/user/v1/PrepareRequest';
import type { PrepareResponse as _eticket_user_v1_PrepareResponse, PrepareResponse__Output as _eticket_user_v1_PrepareResponse__Output } from '../../../eticket/user/v1/PrepareResponse';
import type { ReleaseRequest as _eticket_user_v1_ReleaseRequest, ReleaseRequest__Output as _eticket_user_v1_ReleaseRequest__Output } from '../../../eticket/user/v1/ReleaseRequest';
import type { TransactionRef as _eticket_user_v1_TransactionRef, TransactionRef__Output as _eticket_user_v1_TransactionRef__Output } from '../../../eticket/user/v1/TransactionRef';

export interface SeatReservationClient extends grpc.Client {
  Abort(argument: _eticket_user_v1_TransactionRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  Abort(argument: _eticket_user_v1_TransactionRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  Abort(argument: _eticket_user_v1_TransactionRef, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  Abort(argument: _eticket_user_v1_TransactionRef, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  abort(argument: _eticket_user_v1_TransactionRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  abort(argument: _eticket_user_v1_TransactionRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  abort(argument: _eticket_user_v1_TransactionRef, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  abort(argument: _eticket_user_v1_TransactionRef, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  
  Commit(argument: _eticket_user_v1_TransactionRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  Commit(argument: _eticket_user_v1_TransactionRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  Commit(argument: _eticket_user_v1_TransactionRef, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  Commit(argument: _eticket_user_v1_TransactionRef, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  commit(argument: _eticket_user_v1_TransactionRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  commit(argument: _eticket_user_v1_TransactionRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  commit(argument: _eticket_user_v1_TransactionRef, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  commit(argument: _eticket_user_v1_TransactionRef, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  
  Prepare(argument: _eticket_user_v1_PrepareRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_PrepareResponse__Output>): grpc.ClientUnaryCall;
  Prepare(argument: _eticket_user_v1_PrepareRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_user_v1_PrepareResponse__Output>): grpc.ClientUnaryCall;
  Prepare(argument: _eticket_user_v1_PrepareRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_PrepareResponse__Output>): grpc.ClientUnaryCall;
  Prepare(argument: _eticket_user_v1_PrepareRequest, callback: grpc.requestCallback<_eticket_user_v1_PrepareResponse__Output>): grpc.ClientUnaryCall;
  prepare(argument: _eticket_user_v1_PrepareRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_PrepareResponse__Output>): grpc.ClientUnaryCall;
  prepare(argument: _eticket_user_v1_PrepareRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_user_v1_PrepareResponse__Output>): grpc.ClientUnaryCall;
  prepare(argument: _eticket_user_v1_PrepareRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_PrepareResponse__Output>): grpc.ClientUnaryCall;
  prepare(argument: _eticket_user_v1_PrepareRequest, callback: grpc.requestCallback<_eticket_user_v1_PrepareResponse__Output>): grpc.ClientUnaryCall;
  
  Release(argument: _eticket_user_v1_ReleaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  Release(argument: _eticket_user_v1_ReleaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  Release(argument: _eticket_user_v1_ReleaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  Release(argument: _eticket_user_v1_ReleaseRequest, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  release(argument: _eticket_user_v1_ReleaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  release(argument: _eticket_user_v1_ReleaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  release(argument: _eticket_user_v1_ReleaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  release(argument: _eticket_user_v1_ReleaseRequest, callback: grpc.requestCallback<_eticket_user_v1_ParticipantAck__Output>): grpc.ClientUnaryCall;
  
  Reserve(argument: _eticket_user_v1_PrepareRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_PrepareResponse__Output>): grpc.ClientUnaryCall;
  Reserve(argument: _eticket_user_v1_PrepareRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_user_v1_PrepareResponse__Output>): grpc.ClientUnaryCall;
  Reserve(argument: _eticket_user_v1_PrepareRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_PrepareResponse__Output>): grpc.ClientUnaryCall;
  Reserve(argument: _eticket_user_v1_PrepareRequest, callback: grpc.requestCallback<_eticket_user_v1_PrepareResponse__Output>): grpc.ClientUnaryCall;
  reserve(argument: _eticket_user_v1_PrepareRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_PrepareResponse__Output>): grpc.ClientUnaryCall;
  reserve(argument: _eticket_user_v1_PrepareRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_user_v1_PrepareResponse__Output>): grpc.ClientUnaryCall;
  reserve(argument: _eticket_user_v1_PrepareRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_PrepareResponse__Output>): grpc.ClientUnaryCall;
  reserve(argument: _eticket_user_v1_PrepareRequest, callback: grpc.requestCallback<_eticket_user_v1_PrepareResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface SeatReservationHandlers extends grpc.UntypedServiceImplementation {
  Abort: grpc.handleUnaryCall<_eticket_user_v1_TransactionRef__Output, _eticket_user_v1_ParticipantAck>;
  
  Commit: grpc.handleUnaryCall<_eticket_user_v1_TransactionRef__Output, _eticket_user_v1_ParticipantAck>;
  
  Prepare: grpc.handleUnaryCall<_eticket_user_v1_PrepareRequest__Output, _eticket_user_v1_PrepareResponse>;
  
  Release: grpc.handleUnaryCall<_eticket_user_v1_ReleaseRequest__Output, _eticket_user_v1_ParticipantAck>;
  
  Reserve: grpc.handleUnaryCall<_eticket_user_v1_PrepareRequest__Output, _eticket_user_v1_PrepareResponse>;
  
}

export interface SeatReservationDefinition extends grpc.ServiceDefinition {
  Abort: MethodDefinition<_eticket_user_v1_TransactionRef, _eticket_user_v1_ParticipantAck, _eticket_user_v1_TransactionRef__Output, _eticket_user_v1_ParticipantAck__Output>
  Commit: MethodDefinition<_eticket_user_v1_TransactionRef, _eticket_user_v1_ParticipantAck, _eticket_user_v1_TransactionRef__Output, _eticket_user_v1_ParticipantAck__Output>
  Prepare: MethodDefinition<_eticket_user_v1_PrepareRequest, _eticket_user_v1_PrepareResponse, _eticket_user_v1_PrepareRequest__Output, _eticket_user_v1_PrepareResponse__Output>
  Release: MethodDefinition<_eticket_user_v1_ReleaseRequest, _eticket_user_v1_ParticipantAck, _eticket_user_v1_ReleaseRequest__Output, _eticket_user_v1_ParticipantAck__Output>
  Reserve: MethodDefinition<_eticket_user_v1_PrepareRequest, _eticket_user_v1_PrepareResponse, _eticket_user_v1_PrepareRequest__Output, _eticket_user_v1_PrepareResponse__Output>
}
