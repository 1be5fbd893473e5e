import { existsSync } from 'node:fs';
import { UserError } from '../util/errors.js';
import type { Dataset } from './dataset.js';
import { loadIdxFolder } from './idx.js';

/** Where Debian's `dataset-fashion-mnist` (installed by scripts/setup) puts the four IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Zalando's label names, in label order (the dataset's README). */
const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 60,000 training and 10,000 test images of 28 x 28
 * clothing items in 10 classes, the official split; a second benchmark harder than digits.
 */
export function loadFashionMnist(): Dataset {
  if (!existsSync(FASHION_MNIST_DIR)) {
    throw new UserError(`--dataset fashion-mnist: ${FASHION_MNIST_DIR} is missing; Debian's dataset-fashion-mnist provides it (scripts/setup installs it)`);
  }
  const idx = loadIdxFolder(FASHION_MNIST_DIR);
  if (idx.classes !== FASHION_CLASSES.length) throw new UserError(`${FASHION_MNIST_DIR}: expected ${FASHION_CLASSES.length} classes, the labels give ${idx.classes}`);
  return { ...idx, spec: 'fashion-mnist', classNames: FASHION_CLASSES };
}
