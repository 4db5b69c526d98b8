// The bench's Dawn part: each matmul kernel the lab ships and a buffer copy on WebGPU in Node, printed as one
// JSON object on stdout. Run through `node --import tsx --import ./src/cli/register-wgsl.js`.
import { requestNodeDevice } from '../src/gpu/dawn';
import { ALL_SHAPES, benchMatmuls, copyBandwidth } from './kernels';

const samples = Number(process.env.BENCH_SAMPLES ?? 2);
const device = await requestNodeDevice();
const adapterInfo = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
const matmuls = await benchMatmuls(device, ALL_SHAPES, samples, 150, (r) => {
  process.stderr.write(`dawn ${r.variant} ${r.shape}: ${r.gflops.toFixed(3)} GFLOP/s\n`);
});
const copyGBs = await copyBandwidth(device, 16 << 20, samples);
process.stdout.write(`${JSON.stringify({
  adapter: adapterInfo ? `${adapterInfo.vendor} ${adapterInfo.architecture} ${adapterInfo.description}`.trim() : 'unknown',
  matmuls,
  copyGBs,
})}\n`);
device.destroy();
