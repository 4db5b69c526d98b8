// Registers the `?raw` shader loader; used as `node --import tsx --import ./src/cli/register-wgsl.js`.
import { register } from 'node:module';

register('./wgsl-hooks.js', import.meta.url);
