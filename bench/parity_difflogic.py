"""difflogic's side of scripts/bench-parity: train with difflogic's Python implementation on the
split bench/parity.ts wrote, the way difflogic's own recipes do (real-valued pixels in training,
batches drawn with replacement, Adam, CrossEntropy on GroupSum's scores), then evaluate the
discrete network (eval mode: argmax gates) on thresholded pixels, the encoding gatebench stores.

    python parity_difflogic.py DATA_DIR --widths 4000,4000,4000 --tau 10 --lr 0.01 --batch 128
        --steps 5000 --seed 1 --wiring random --threshold 0.5 [--export OUT.json]

Prints one JSON line: accuracies, wall times, and the exported model when --export is given.
"""
import argparse
import json
import pathlib
import time

import numpy as np
import torch


def load_split(folder, name, meta):
    count = meta[name]
    features = np.fromfile(folder / f'{name}.f32', dtype=np.float32).reshape(count, meta['features'])
    labels = np.fromfile(folder / f'{name}.u8', dtype=np.uint8).astype(np.int64)
    return torch.from_numpy(features), torch.from_numpy(labels)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('data', type=pathlib.Path)
    parser.add_argument('--widths', required=True)
    parser.add_argument('--tau', type=float, required=True)
    parser.add_argument('--lr', type=float, required=True)
    parser.add_argument('--batch', type=int, required=True)
    parser.add_argument('--steps', type=int, required=True)
    parser.add_argument('--seed', type=int, required=True)
    parser.add_argument('--wiring', choices=('random', 'unique'), required=True)
    parser.add_argument('--threshold', type=float, required=True)
    parser.add_argument('--export')
    args = parser.parse_args()

    import difflogic
    meta = json.loads((args.data / 'meta.json').read_text())
    train_x, train_y = load_split(args.data, 'train', meta)
    test_x, test_y = load_split(args.data, 'test', meta)
    torch.manual_seed(args.seed)
    layers, in_dim = [torch.nn.Flatten()], meta['features']
    for width in (int(w) for w in args.widths.split(',')):
        layers.append(difflogic.LogicLayer(in_dim, width, device='cpu', implementation='python', connections=args.wiring))
        in_dim = width
    layers.append(difflogic.GroupSum(meta['classes'], args.tau, device='cpu'))
    model = torch.nn.Sequential(*layers)
    optimiser = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = torch.nn.CrossEntropyLoss()

    started = time.perf_counter()
    model.train()
    for _ in range(args.steps):
        batch = torch.randint(0, len(train_x), (args.batch,))
        loss = loss_fn(model(train_x[batch]), train_y[batch])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    train_seconds = time.perf_counter() - started

    model.eval()
    test_bits = (test_x > args.threshold).float()
    with torch.no_grad():
        discrete = (model(test_bits).argmax(-1) == test_y).float().mean().item()
        train_discrete = (model((train_x > args.threshold).float()).argmax(-1) == train_y).float().mean().item()
    result = {'discreteTestAccuracy': discrete, 'discreteTrainAccuracy': train_discrete, 'trainSeconds': train_seconds,
              'finalLoss': loss.item(), 'torchThreads': torch.get_num_threads(), 'export': None}
    if args.export:
        from gatebench_export import export
        encoding = {'method': 'threshold', 'shape': meta['shape'], 'crop': meta['crop'], 'thresholds': [[args.threshold]]}
        result['export'] = export(model, encoding=encoding, out=args.export, vectors=test_bits, dataset=meta['dataset'])
    print(json.dumps(result))


if __name__ == '__main__':
    main()
