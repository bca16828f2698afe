// Original file: proto/eticket/user/v1/user.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { EventRecord as _eticket_user_v1_EventRecord, EventRecord__Output as _eticket_user_v1_EventRecord__Output } from '../../../eticket/user/v1/EventRecord';
import type { GetEventRequest as _eticket_user_v1_GetEventRequest, GetEventRequest__Output as _eticket_user_v1_GetEventRequest__Output } from '../../../eticket/user/v1/GetEventRequest';
import type { GetUserRequest as _eticket_user_v1_GetUserRequest, GetUserRequest__Output as _eticket_user_v1_GetUserRequest__Output } from '../../../eticket/user/v1/GetUserRequest';
import type { UserRecord as _eticket_user_v1_UserRecord, UserRecord__Output as _eticket_user_v1_UserRecord__Output } from '../../../eticket/user/v1/UserRecord';

export interface UserDirectoryClient extends grpc.Client {
  GetEvent(argument: _eticket_user_v1_GetEventRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_EventRecord__Output>): grpc.ClientUnaryCall;
  GetEvent(argument: _eticket_user_v1_GetEventRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_user_v1_EventRecord__Output>): grpc.ClientUnaryCall;
  GetEvent(argument: _eticket_user_v1_GetEventRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_EventRecord__Output>): grpc.ClientUnaryCall;
  GetEvent(argument: _eticket_user_v1_GetEventRequest, callback: grpc.requestCallback<_eticket_user_v1_EventRecord__Output>): grpc.ClientUnaryCall;
  getEvent(argument: _eticket_user_v1_GetEventRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_EventRecord__Output>): grpc.ClientUnaryCall;
  getEvent(argument: _eticket_user_v1_GetEventRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_user_v1_EventRecord__Output>): grpc.ClientUnaryCall;
  getEvent(argument: _eticket_user_v1_GetEventRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_EventRecord__Output>): grpc.ClientUnaryCall;
  getEvent(argument: _eticket_user_v1_GetEventRequest, callback: grpc.requestCallback<_eticket_user_v1_EventRecord__Output>): grpc.ClientUnaryCall;
  
  GetUser(argument: _eticket_user_v1_GetUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_UserRecord__Output>): grpc.ClientUnaryCall;
  GetUser(argument: _eticket_user_v1_GetUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_user_v1_UserRecord__Output>): grpc.ClientUnaryCall;
  GetUser(argument: _eticket_user_v1_GetUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_UserRecord__Output>): grpc.ClientUnaryCall;
  GetUser(argument: _eticket_user_v1_GetUserRequest, callback: grpc.requestCallback<_eticket_user_v1_UserRecord__Output>): grpc.ClientUnaryCall;
  getUser(argument: _eticket_user_v1_GetUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_UserRecord__Output>): grpc.ClientUnaryCall;
  getUser(argument: _eticket_user_v1_GetUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_user_v1_UserRecord__Output>): grpc.ClientUnaryCall;
  getUser(argument: _eticket_user_v1_GetUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_UserRecord__Output>): grpc.ClientUnaryCall;
  getUser(argument: _eticket_user_v1_GetUserRequest, callback: grpc.requestCallback<_eticket_user_v1_UserRecord__Output>): grpc.ClientUnaryCall;
  
}

export interface UserDirectoryHandlers extends grpc.UntypedServiceImplementation {
  GetEvent: grpc.handleUnaryCall<_eticket_user_v1_GetEventRequest__Output, _eticket_user_v1_EventRecord>;
  
  GetUser: grpc.handleUnaryCall<_eticket_user_v1_GetUserRequest__Output, _eticket_user_v1_UserRecord>;
  
}

export interface UserDirectoryDefinition extends grpc.ServiceDefinition {
  GetEvent: MethodDefinition<_eticket_user_v1_GetEventRequest, _eticket_user_v1_EventRecord, _eticket_user_v1_GetEventRequest__Output, _eticket_user_v1_EventRecord__Output>
  GetUser: MethodDefinition<_eticket_user_v1_GetUserRequest, _eticket_user_v1_UserRecord, _eticket_user_v1_GetUserRequest__Output, _eticket_user_v1_UserRecord__Output>
}
