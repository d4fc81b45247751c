import { tier } from './ava.tiers.js';

export default tier('e2e');
