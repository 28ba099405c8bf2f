import { createMemoryStores } from '../../src/stores/memory/index.js';
import { storeContract } from './contract.js';

storeContract('memory', async () => createMemoryStores());
