// [: the same program as test, called with a closing ']'.
export { main } from './test.js';
