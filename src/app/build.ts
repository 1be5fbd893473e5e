import { buildModel, pipelineOf, type ModelBuild, type ModelBuildOptions } from '../flow/modelBuild.js';
import type { Model } from '../model/modelFile.js';
import { collectProvenance, openStore } from '../store/index.js';

/** Build a model for a board (--pipeline auto: the registers that meet its clock) and store the build with the model (as a sweep cell's build is stored): the TUI's b. */
export async function buildAndStore(o: { model: Model; path: string | null; db: string; board: string; cacheDir?: string; onStage?: ModelBuildOptions['onStage'] }): Promise<ModelBuild & { buildId: number }> {
  const { model, board } = o;
  const built = await buildModel(model.network, { board, pipeline: 'auto', ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}), ...(o.onStage ? { onStage: o.onStage } : {}) });
  const { build } = built;
  const provenance = await collectProvenance({ seeds: { ...(model.training ? { training: model.training.seed } : {}), placement: build.options.seed }, board, modelHash: model.hash });
  const store = openStore(o.db);
  try {
    const buildId = store.atomically(() => {
      store.addModel(model, o.path ? { path: o.path } : {});
      return store.addBuild(build, provenance, { pipeline: pipelineOf(built), headPathNs: built.headPathNs });
    });
    return { ...built, buildId };
  } finally {
    store.close();
  }
}
