import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Redis } from 'ioredis';
import type { PrebuiltImage } from '../device/run.js';
import { buildFile, type BuildFiles, type BuildResult } from '../flow/build.js';
import { cached, cacheRoot } from '../util/cache.js';
import { artifactPath, fetchArtifact, republishArtifact, shareArtifact, type ArtifactRef } from './artifacts.js';

/**
 * A run's device bitstream between machines of a distributed sweep: a build worker builds it and
 * shares it, the board host fetches it and flashes (or at the bitstream level simulates) exactly
 * those bytes. It travels as a manifest (the build's record and its files' refs), itself an
 * artifact: one hash names the build and every byte of it, each file checked by hash on arrival.
 */

const IMAGE_FORMAT = 'gatebench-device-image/1';

/** The build files a run takes: the programmer's bitstream for a board; the placed-and-routed design and its pins for icebox_vlog. */
type ImageFile = keyof Pick<BuildFiles, 'bin' | 'asc' | 'designPcf'>;

interface ImageManifest {
  format: typeof IMAGE_FORMAT;
  designHash: string;
  /** The build record as the build worker made it (its `dir` is that machine's). */
  build: BuildResult;
  files: Partial<Record<ImageFile, ArtifactRef>>;
}

/** Share the device build of a run: `virtual` for the virtual board at the bitstream level, else a physical board's. */
export async function shareDeviceImage(redis: Redis, image: { designHash: string; build: BuildResult; virtual: boolean }, cacheDir?: string): Promise<ArtifactRef> {
  const { build } = image;
  const files: ImageManifest['files'] = {};
  for (const name of image.virtual ? (['asc', 'designPcf'] as const) : (['bin'] as const)) {
    const path = buildFile(build, name);
    if (!path) throw new Error(`internal: build ${build.hash} has no ${name} file (status ${build.status}) to hand to the board host`);
    files[name] = await shareArtifact(redis, readFileSync(path), cacheDir);
  }
  const manifest: ImageManifest = { format: IMAGE_FORMAT, designHash: image.designHash, build, files };
  return shareArtifact(redis, Buffer.from(JSON.stringify(manifest)), cacheDir);
}

/** Fetch an image's manifest and files into this machine's artifacts, each checked by hash (the coordinator keeps its copy so). */
export async function keepDeviceImage(redis: Redis, ref: ArtifactRef, cacheDir?: string): Promise<{ manifest: ImageManifest; paths: Partial<Record<ImageFile, string>> }> {
  const manifest = JSON.parse(readFileSync(await fetchArtifact(redis, ref, cacheDir), 'utf8')) as ImageManifest;
  if (manifest.format !== IMAGE_FORMAT) throw new Error(`artifact ${ref.hash} is not a device image (${IMAGE_FORMAT}): format ${String(manifest.format)}`);
  const paths: Partial<Record<ImageFile, string>> = {};
  for (const [name, file] of Object.entries(manifest.files) as [ImageFile, ArtifactRef][]) paths[name] = await fetchArtifact(redis, file, cacheDir);
  return { manifest, paths };
}

/**
 * The image as a run takes it: fetched and checked, its files laid out under the build's own
 * names (a programmer may go by the extension: openFPGALoader's .bin or .bit) in
 * `<cache>/device-images/`, the build record pointing there.
 */
export async function fetchDeviceImage(redis: Redis, ref: ArtifactRef, cacheDir?: string): Promise<PrebuiltImage> {
  const { manifest, paths } = await keepDeviceImage(redis, ref, cacheDir);
  const laidOut = new Map(Object.entries(paths).map(([name, path]) => [name as ImageFile, { path, as: manifest.build.files[name as ImageFile]! }]));
  const entry = await cached(cacheRoot(cacheDir), 'device-images', ref.hash, async (dir) => {
    for (const { path, as } of laidOut.values()) {
      mkdirSync(dirname(join(dir, as)), { recursive: true });
      copyFileSync(path, join(dir, as));
    }
    return { image: ref.hash };
  });
  const fetched = Object.fromEntries([...laidOut].map(([name, { as }]) => [name, as]));
  // Only the fetched files are here: the others are null.
  const files: BuildFiles = { ...manifest.build.files, sources: [], netlist: null, stat: null, report: null, icetime: null, bin: null, asc: null, designPcf: null, ...fetched };
  return { hash: ref.hash, designHash: manifest.designHash, build: { ...manifest.build, dir: entry.dir, files } };
}

/** Put an image kept here (keepDeviceImage) into Redis again, if Redis lost it: its files first, then its manifest. */
export async function republishDeviceImage(redis: Redis, hash: string, cacheDir?: string): Promise<ArtifactRef> {
  const manifest = JSON.parse(readFileSync(artifactPath(hash, cacheDir), 'utf8')) as ImageManifest;
  for (const file of Object.values(manifest.files)) await republishArtifact(redis, file.hash, cacheDir);
  return republishArtifact(redis, hash, cacheDir);
}
