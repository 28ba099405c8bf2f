/** The toolkit's in-memory revocations: one implementation with the server's, in the base layer. */
export { RevocationState, type RevocationCounts } from '../core/revocation/state.js';
