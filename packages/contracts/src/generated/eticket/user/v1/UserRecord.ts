// Original file: proto/eticket/user/v1/user.proto


export interface UserRecord {
  'id'?: (string);
  'email'?: (string);
  'roles'?: (string)[];
}

export interface UserRecord__Output {
  'id': (string);
  'email': (string);
  'roles': (string)[];
}
