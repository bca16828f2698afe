// Original file: proto/eticket/user/v1/user.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { SendNotificationRequest as _eticket_user_v1_SendNotificationRequest, SendNotificationRequest__Output as _eticket_user_v1_SendNotificationRequest__Output } from '../../../eticket/user/v1/SendNotificationRequest';
import type { SendNotificationResponse as _eticket_user_v1_SendNotificationResponse, SendNotificationResponse__Output as _eticket_user_v1_SendNotificationResponse__Output } from '../../../eticket/user/v1/SendNotificationResponse';

export interface NotificationsClient extends grpc.Client {
  Send(argument: _eticket_user_v1_SendNotificationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_SendNotificationResponse__Output>): grpc.ClientUnaryCall;
  Send(argument: _eticket_user_v1_SendNotificationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_user_v1_SendNotificationResponse__Output>): grpc.ClientUnaryCall;
  Send(argument: _eticket_user_v1_SendNotificationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_SendNotificationResponse__Output>): grpc.ClientUnaryCall;
  Send(argument: _eticket_user_v1_SendNotificationRequest, callback: grpc.requestCallback<_eticket_user_v1_SendNotificationResponse__Output>): grpc.ClientUnaryCall;
  send(argument: _eticket_user_v1_SendNotificationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_SendNotificationResponse__Output>): grpc.ClientUnaryCall;
  send(argument: _eticket_user_v1_SendNotificationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_eticket_user_v1_SendNotificationResponse__Output>): grpc.ClientUnaryCall;
  send(argument: _eticket_user_v1_SendNotificationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_eticket_user_v1_SendNotificationResponse__Output>): grpc.ClientUnaryCall;
  send(argument: _eticket_user_v1_SendNotificationRequest, callback: grpc.requestCallback<_eticket_user_v1_SendNotificationResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface NotificationsHandlers extends grpc.UntypedServiceImplementation {
  Send: grpc.handleUnaryCall<_eticket_user_v1_SendNotificationRequest__Output, _eticket_user_v1_SendNotificationResponse>;
  
}

export interface NotificationsDefinition extends grpc.ServiceDefinition {
  Send: MethodDefinition<_eticket_user_v1_SendNotificationRequest, _eticket_user_v1_SendNotificationResponse, _eticket_user_v1_SendNotificationRequest__Output, _eticket_user_v1_SendNotificationResponse__Output>
}
