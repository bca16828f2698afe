import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { EventRecord as _eticket_user_v1_EventRecord, EventRecord__Output as _eticket_user_v1_EventRecord__Output } from './eticket/user/v1/EventRecord';
import type { GetEventRequest as _eticket_user_v1_GetEventRequest, GetEventRequest__Output as _eticket_user_v1_GetEventRequest__Output } from './eticket/user/v1/GetEventRequest';
import type { GetUserRequest as _eticket_user_v1_GetUserRequest, GetUserRequest__Output as _eticket_user_v1_GetUserRequest__Output } from './eticket/user/v1/GetUserRequest';
import type { NotificationsClient as _eticket_user_v1_NotificationsClient, NotificationsDefinition as _eticket_user_v1_NotificationsDefinition } from './eticket/user/v1/Notifications';
import type { ParticipantAck as _eticket_user_v1_ParticipantAck, ParticipantAck__Output as _eticket_user_v1_ParticipantAck__Output } from './eticket/user/v1/ParticipantAck';
import type { PrepareRequest as _eticket_user_v1_PrepareRequest, PrepareRequest__Output as _eticket_user_v1_PrepareRequest__Output } from './eticket/user/v1/PrepareRequest';
import type { PrepareResponse as _eticket_user_v1_PrepareResponse, PrepareResponse__Output as _eticket_user_v1_PrepareResponse__Output } from './eticket/user/v1/PrepareResponse';
import type { ReleaseRequest as _eticket_user_v1_ReleaseRequest, ReleaseRequest__Output as _eticket_user_v1_ReleaseRequest__Output } from './eticket/user/v1/ReleaseRequest';
import type { SeatReservationClient as _eticket_user_v1_SeatReservationClient, SeatReservationDefinition as _eticket_user_v1_SeatReservationDefinition } from './eticket/user/v1/SeatReservation';
import type { SendNotificationRequest as _eticket_user_v1_SendNotificationRequest, SendNotificationRequest__Output as _eticket_user_v1_SendNotificationRequest__Output } from './eticket/user/v1/SendNotificationRequest';
import type { SendNotificationResponse as _eticket_user_v1_SendNotificationResponse, SendNotificationResponse__Output as _eticket_user_v1_SendNotificationResponse__Output } from './eticket/user/v1/SendNotificationResponse';
import type { TransactionRef as _eticket_user_v1_TransactionRef, TransactionRef__Output as _eticket_user_v1_TransactionRef__Output } from './eticket/user/v1/TransactionRef';
import type { UserDirectoryClient as _eticket_user_v1_UserDirectoryClient, UserDirectoryDefinition as _eticket_user_v1_UserDirectoryDefinition } from './eticket/user/v1/UserDirectory';
import type { UserRecord as _eticket_user_v1_UserRecord, UserRecord__Output as _eticket_user_v1_UserRecord__Output } from './eticket/user/v1/UserRecord';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  eticket: {
    user: {
      v1: {
        EventRecord: MessageTypeDefinition<_eticket_user_v1_EventRecord, _eticket_user_v1_EventRecord__Output>
        GetEventRequest: MessageTypeDefinition<_eticket_user_v1_GetEventRequest, _eticket_user_v1_GetEventRequest__Output>
        GetUserRequest: MessageTypeDefinition<_eticket_user_v1_GetUserRequest, _eticket_user_v1_GetUserRequest__Output>
        Notifications: SubtypeConstructor<typeof grpc.Client, _eticket_user_v1_NotificationsClient> & { service: _eticket_user_v1_NotificationsDefinition }
        ParticipantAck: MessageTypeDefinition<_eticket_user_v1_ParticipantAck, _eticket_user_v1_ParticipantAck__Output>
        ParticipantState: EnumTypeDefinition
        PrepareRequest: MessageTypeDefinition<_eticket_user_v1_PrepareRequest, _eticket_user_v1_PrepareRequest__Output>
        PrepareResponse: MessageTypeDefinition<_eticket_user_v1_PrepareResponse, _eticket_user_v1_PrepareResponse__Output>
        ReleaseRequest: MessageTypeDefinition<_eticket_user_v1_ReleaseRequest, _eticket_user_v1_ReleaseRequest__Output>
        SeatReservation: SubtypeConstructor<typeof grpc.Client, _eticket_user_v1_SeatReservationClient> & { service: _eticket_user_v1_SeatReservationDefinition }
        SendNotificationRequest: MessageTypeDefinition<_eticket_user_v1_SendNotificationRequest, _eticket_user_v1_SendNotificationRequest__Output>
        SendNotificationResponse: MessageTypeDefinition<_eticket_user_v1_SendNotificationResponse, _eticket_user_v1_SendNotificationResponse__Output>
        TransactionRef: MessageTypeDefinition<_eticket_user_v1_TransactionRef, _eticket_user_v1_TransactionRef__Output>
        UserDirectory: SubtypeConstructor<typeof grpc.Client, _eticket_user_v1_UserDirectoryClient> & { service: _eticket_user_v1_UserDirectoryDefinition }
        UserRecord: MessageTypeDefinition<_eticket_user_v1_UserRecord, _eticket_user_v1_UserRecord__Output>
        Vote: EnumTypeDefinition
      }
    }
  }
}

