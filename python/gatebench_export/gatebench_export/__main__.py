"""python -m gatebench_export MODEL.pt --out model.json (--threshold T | --thermometer T1,T2,...) --shape H,W [--crop N] [--vectors inputs.pt]

MODEL.pt is a whole model saved with torch.save(model) (not a state dict: difflogic's wiring is not
in it). inputs.pt is a tensor of encoded inputs (N x input bits, 0/1). Bad input: one line, exit 2.
"""
import argparse
import sys

import torch

from .export import ExportError, export, thermometer_encoding, threshold_encoding


def _ints(text, flag):
    try:
        values = [int(v) for v in text.split(',')]
    except ValueError:
        raise ExportError(f'{flag}: expected comma-separated integers, got {text!r}') from None
    return values


def _floats(text, flag):
    try:
        return [float(v) for v in text.split(',')]
    except ValueError:
        raise ExportError(f'{flag}: expected comma-separated numbers, got {text!r}') from None


def _load(path, flag):
    try:
        return torch.load(path, map_location='cpu')
    except FileNotFoundError:
        raise ExportError(f'{flag}: {path}: no such file') from None
    except Exception as e:  # a pickle of anything: its own message says what went wrong
        raise ExportError(f'{flag}: {path}: cannot be loaded with torch.load ({type(e).__name__}: {e})') from None


def main(argv):
    parser = argparse.ArgumentParser(prog='python -m gatebench_export', description='Export a difflogic or torchlogix model to a gatebench model file.')
    parser.add_argument('model', help='a whole model saved with torch.save(model)')
    parser.add_argument('--out', required=True, help='the gatebench model file to write')
    parser.add_argument('--shape', required=True, help='raw sample shape, e.g. 28,28')
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument('--threshold', help='threshold encoding: bit = value > T')
    group.add_argument('--thermometer', help='thermometer encoding: ascending thresholds T1,T2,...')
    parser.add_argument('--crop', type=int, help='centre crop N x N (2-D shapes)')
    parser.add_argument('--vectors', help='a tensor file of encoded inputs (N x input bits, 0/1)')
    parser.add_argument('--vectors-out', help='where to write the vectors file (default: OUT with .vectors.json)')
    parser.add_argument('--dataset', help='what the model was trained on, recorded in the model file (e.g. mnist)')
    args = parser.parse_args(argv)
    try:
        shape = _ints(args.shape, '--shape')
        if args.threshold is not None:
            encoding = threshold_encoding(shape, _floats(args.threshold, '--threshold')[0], args.crop)
        else:
            encoding = thermometer_encoding(shape, _floats(args.thermometer, '--thermometer'), args.crop)
        model = _load(args.model, 'MODEL')
        vectors = _load(args.vectors, '--vectors') if args.vectors else None
        written = export(model, encoding=encoding, out=args.out, vectors=vectors, vectors_out=args.vectors_out, dataset=args.dataset)
    except ExportError as e:
        print(f'gatebench_export: {e}', file=sys.stderr)
        return 2
    print(f"model {written['hash'][:16]} written to {written['model']}" + (f"; vectors to {written['vectors']}" if written['vectors'] else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
