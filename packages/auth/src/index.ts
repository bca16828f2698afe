export { assertOwnerOrAdmin, assertRole, hasRole, isRole, ROLES, type Identity, type Role } from './identity';
export { IDENTITY_HEADER, registerIdentity, requireIdentity } from './request-identity';
export { issueAccessToken, signInternalIdentity, verifyAccessToken, verifyInternalIdentity, type IssuedToken } from './tokens';
