import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { GetDecisionRequest as _eticket_order_v1_GetDecisionRequest, GetDecisionRequest__Output as _eticket_order_v1_GetDecisionRequest__Output } from './eticket/order/v1/GetDecisionRequest';
import type { GetDecisionResponse as _eticket_order_v1_GetDecisionResponse, GetDecisionResponse__Output as _eticket_order_v1_GetDecisionResponse__Output } from './eticket/order/v1/GetDecisionResponse';
import type { TransactionCoordinatorClient as _eticket_order_v1_TransactionCoordinatorClient, TransactionCoordinatorDefinition as _eticket_order_v1_TransactionCoordinatorDefinition } from './eticket/order/v1/TransactionCoordinator';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  eticket: {
    order: {
      v1: {
        Decision: EnumTypeDefinition
        GetDecisionRequest: MessageTypeDefinition<_eticket_order_v1_GetDecisionRequest, _eticket_order_v1_GetDecisionRequest__Output>
        GetDecisionResponse: MessageTypeDefinition<_eticket_order_v1_GetDecisionResponse, _eticket_order_v1_GetDecisionResponse__Output>
        TransactionCoordinator: SubtypeConstructor<typeof grpc.Client, _eticket_order_v1_TransactionCoordinatorClient> & { service: _eticket_order_v1_TransactionCoordinatorDefinition }
      }
    }
  }
}

