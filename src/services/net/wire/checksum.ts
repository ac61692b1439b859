// The Internet checksum lives in lib/checksum.ts (the NIC's device model cuts large
// segments with it too); the stack's wire formats take it from here.
export { sum, finish, checksum } from '../../../lib/checksum.js';
