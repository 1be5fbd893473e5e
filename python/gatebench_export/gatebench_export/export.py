"""Write a trained difflogic or torchlogix network as a gatebench model file (src/model/modelFile.ts).

export(model, encoding=..., out=..., vectors=...) walks a live model (difflogic keeps its wiring
outside state_dict(), so a saved state dict alone is not enough), takes each neuron's eval-mode gate
and its two inputs, GroupSum's k and tau and the input encoding the user declares, and writes the
model file. With `vectors` (N encoded inputs), it also writes those inputs and PyTorch's eval-mode
class scores, which `gatebench import --vectors` checks against gatebench's reference.
"""
import datetime
import hashlib
import json
import platform
import struct

import torch

from .frameworks import ExportError, GroupSumData, LogicLayerData, load_frameworks

EXPORTER_VERSION = '0.1.0'
MODEL_FORMAT = 'gatebench-lgn'
MODEL_VERSION = 1
VECTORS_FORMAT = 'gatebench-vectors'
VECTORS_VERSION = 1
MIN_CLASSES, MAX_CLASSES = 2, 255
ENCODING_METHODS = ('threshold', 'thermometer')
# Layers that only reshape: the logic layers read a flat vector either way.
PASS_THROUGH = (torch.nn.Flatten, torch.nn.Identity)


def centre_crop(shape, size):
    """gatebench's --crop N: the centre size x size window of a 2-D shape (as makeEncoding does)."""
    height, width = shape
    if not 1 <= size <= min(height, width):
        raise ExportError(f'encoding crop: expected an integer from 1 to {min(height, width)}, got {size}')
    return {'top': (height - size) // 2, 'left': (width - size) // 2, 'height': size, 'width': size}


def threshold_encoding(shape, threshold=0.5, crop=None):
    """One bit per (kept) feature: 1 when the raw value is greater than `threshold`."""
    return {'method': 'threshold', 'shape': list(shape), 'crop': centre_crop(shape, crop) if isinstance(crop, int) else crop, 'thresholds': [[float(threshold)]]}


def thermometer_encoding(shape, thresholds, crop=None):
    """K bits per (kept) feature, bit j is 1 when the raw value is greater than thresholds[j] (ascending)."""
    return {'method': 'thermometer', 'shape': list(shape), 'crop': centre_crop(shape, crop) if isinstance(crop, int) else crop, 'thresholds': [[float(t) for t in thresholds]]}


def encoding_input_bits(encoding):
    """Bits the declared encoding produces, after checking it the way gatebench's loader will."""
    if not isinstance(encoding, dict):
        raise ExportError(f'encoding: expected a dict (threshold_encoding(...) or thermometer_encoding(...)), got {type(encoding).__name__}')
    if encoding.get('method') not in ENCODING_METHODS:
        raise ExportError(f"encoding.method: expected one of {', '.join(ENCODING_METHODS)}, got {encoding.get('method')!r}")
    shape = encoding.get('shape')
    if not isinstance(shape, list) or not shape or not all(isinstance(d, int) and d >= 1 for d in shape):
        raise ExportError(f'encoding.shape: expected a list of positive integers (the raw sample shape), got {shape!r}')
    crop = encoding.get('crop')
    features = 1
    for d in shape:
        features *= d
    if crop is not None:
        if len(shape) != 2:
            raise ExportError(f'encoding.crop: a crop needs a 2-D encoding.shape, got shape {shape}')
        if not (0 <= crop['top'] and 0 <= crop['left'] and crop['top'] + crop['height'] <= shape[0] and crop['left'] + crop['width'] <= shape[1] and crop['height'] >= 1 and crop['width'] >= 1):
            raise ExportError(f'encoding.crop: {crop} does not fit in shape {shape}')
        features = crop['height'] * crop['width']
    thresholds = encoding.get('thresholds')
    if not isinstance(thresholds, list) or not thresholds or len({len(t) for t in thresholds}) != 1 or len(thresholds[0]) == 0 or len(thresholds) not in (1, features):
        raise ExportError(f'encoding.thresholds: expected 1 or {features} lists of thresholds, all of the same non-zero length')
    return features * len(thresholds[0])


def _modules(model):
    """The model's layers in forward order, as (path, module); nested Sequentials are flattened."""
    if not isinstance(model, torch.nn.Sequential):
        raise ExportError(f'model ({type(model).__name__}): expected a torch.nn.Sequential of logic layers ending in GroupSum, whose order is the forward order')
    for name, child in model.named_children():
        if isinstance(child, torch.nn.Sequential):
            yield from ((f'{name}.{inner}', m) for inner, m in _modules(child))
        else:
            yield name, child


def _describe(module):
    kind = type(module)
    return f'{kind.__module__}.{kind.__qualname__}'


def read_network(model):
    """(framework, logic layers, group sum) of a live model; one ExportError naming any layer it cannot represent."""
    frameworks = load_frameworks()
    if not frameworks:
        raise ExportError('neither difflogic nor torchlogix imports here; install them (scripts/setup-ml)')
    layers, group_sum, used = [], None, None
    for path, module in _modules(model):
        where = f'model[{path}] ({_describe(module)})'
        if isinstance(module, PASS_THROUGH):
            if layers:
                raise ExportError(f'{where}: a reshape between logic layers; expected it only before the first logic layer')
            continue
        if group_sum is not None:
            raise ExportError(f'{where}: a layer after GroupSum; GroupSum must be the last layer')
        found = None
        for framework in frameworks:
            found = framework.read(module, where)
            if found is not None:
                break
        if found is None:
            raise ExportError(f'{where}: gatebench cannot represent this layer; it exports Flatten, then difflogic LogicLayer or torchlogix LogicDense layers, then one GroupSum')
        if used is not None and framework is not used:
            raise ExportError(f'{where}: a {framework.name} layer in a {used.name} model; expected one framework')
        used = framework
        if isinstance(found, GroupSumData):
            group_sum = found
            continue
        expected = layers[-1] if layers else None
        if expected is not None and found.in_dim != len(expected.gates):
            raise ExportError(f'{where}: reads {found.in_dim} inputs, the layer before has {len(expected.gates)} neurons')
        layers.append(found)
    if not layers:
        raise ExportError('model: no logic layers (difflogic LogicLayer or torchlogix LogicDense)')
    if group_sum is None:
        raise ExportError('model: no GroupSum at the end; gatebench needs the class grouping (k) and tau')
    if not MIN_CLASSES <= group_sum.k <= MAX_CLASSES or len(layers[-1].gates) % group_sum.k != 0:
        raise ExportError(f'GroupSum: k = {group_sum.k}, expected {MIN_CLASSES} to {MAX_CLASSES} classes dividing the last layer width {len(layers[-1].gates)}')
    if not group_sum.tau > 0:
        raise ExportError(f'GroupSum: tau = {group_sum.tau}, expected a positive number')
    return used, layers, group_sum


def network_hash(input_bits, classes, layers):
    """networkHash() of src/model/network.ts: little-endian u32 header, then per layer width, a, b, gates."""
    h = hashlib.sha256()
    h.update(struct.pack('<4I', 0x4C474E31, input_bits, classes, len(layers)))
    for layer in layers:
        n = len(layer.gates)
        h.update(struct.pack('<I', n))
        h.update(struct.pack(f'<{n}i', *layer.a))
        h.update(struct.pack(f'<{n}i', *layer.b))
        h.update(bytes(layer.gates))
    return h.hexdigest()


def _bits_rows(vectors, input_bits):
    bits = torch.as_tensor(vectors).reshape(len(vectors), -1)
    if bits.shape[1] != input_bits:
        raise ExportError(f'vectors: {bits.shape[1]} values per vector, the model reads {input_bits} input bits')
    if not bool(((bits == 0) | (bits == 1)).all()):
        raise ExportError('vectors: expected encoded inputs (every value 0 or 1), as the declared encoding produces them')
    return bits.to(torch.float32)


def export(model, encoding, out, vectors=None, vectors_out=None, dataset=None):
    """Write `model` as a gatebench model file at `out`; with `vectors` (N x input bits, values 0/1),
    also write them with PyTorch's eval-mode class scores to `vectors_out` (default: out with
    '.vectors.json' in place of '.json'). Returns {'model', 'vectors', 'hash'}."""
    framework, layers, group_sum = read_network(model)
    input_bits = encoding_input_bits(encoding)
    if layers[0].in_dim != input_bits:
        raise ExportError(f'encoding: produces {input_bits} input bits, the first logic layer reads {layers[0].in_dim}')
    model_hash = network_hash(input_bits, group_sum.k, layers)
    gate_order = framework.gate_order()
    doc = {
        'format': MODEL_FORMAT,
        'version': MODEL_VERSION,
        'hash': model_hash,
        'network': {
            'inputBits': input_bits,
            'classes': group_sum.k,
            'tau': group_sum.tau,
            # One mode per model file (a description: the layers carry the wiring itself); a model
            # whose layers were wired differently is described by its first layer's mode.
            'wiring': layers[0].wiring,
            'widths': [len(layer.gates) for layer in layers],
            'layers': [{'a': layer.a, 'b': layer.b, 'gates': ''.join(format(g, 'x') for g in layer.gates)} for layer in layers],
        },
        'encoding': encoding,
        'dataset': None,
        'training': None,
        'metrics': {'relaxedTestAccuracy': None, 'discreteTestAccuracy': None, 'discreteTrainAccuracy': None},
        'origin': {
            'framework': framework.name,
            'frameworkVersion': framework.version,
            'exporter': 'gatebench_export',
            'exporterVersion': EXPORTER_VERSION,
            'torch': torch.__version__,
            'python': platform.python_version(),
            'gateOrder': 'same as gatebench' if gate_order == list(range(16)) else gate_order,
            'dataset': dataset,
            'exportedAt': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
        },
    }
    with open(out, 'w', encoding='utf-8') as f:
        json.dump(doc, f, separators=(',', ':'))
        f.write('\n')
    written = {'model': str(out), 'vectors': None, 'hash': model_hash}
    if vectors is not None:
        bits = _bits_rows(vectors, input_bits)
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                scores = model(bits)
        finally:
            model.train(was_training)
        path = vectors_out or (str(out)[:-5] if str(out).endswith('.json') else str(out)) + '.vectors.json'
        with open(path, 'w', encoding='utf-8') as f:
            json.dump({
                'format': VECTORS_FORMAT,
                'version': VECTORS_VERSION,
                'modelHash': model_hash,
                'count': len(bits),
                'inputBits': input_bits,
                'classes': group_sum.k,
                'tau': group_sum.tau,
                'bits': [''.join('1' if v else '0' for v in row) for row in bits.to(torch.uint8).tolist()],
                'scores': scores.to(torch.float64).tolist(),
            }, f, separators=(',', ':'))
            f.write('\n')
        written['vectors'] = path
    return written
