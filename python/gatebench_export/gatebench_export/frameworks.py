"""Readers of the layers of each framework: what a logic layer computes in eval mode, as gatebench gates.

Every reader proves its gates on the four input combinations with the framework's own functions
(difflogic's bin_op_s, torchlogix's parametrization forward), so the framework's gate numbering
never has to be trusted; gate_order() records how the framework's ids map to gatebench's.
"""
from dataclasses import dataclass
from importlib import metadata

import torch

from .gates import GATE_BY_TRUTH_TABLE, INPUT_COMBINATIONS, truth_table_of


class ExportError(Exception):
    """A model the exporter cannot write: the message is one line naming the layer or field."""


@dataclass
class LogicLayerData:
    in_dim: int
    a: list
    b: list
    gates: list
    wiring: str


@dataclass
class GroupSumData:
    k: int
    tau: float


def _combinations(width):
    """Inputs a and b of shape (4, width): every neuron sees the four combinations, in table order."""
    a = torch.tensor([float(a) for a, _ in INPUT_COMBINATIONS]).unsqueeze(1).expand(4, width).contiguous()
    b = torch.tensor([float(b) for _, b in INPUT_COMBINATIONS]).unsqueeze(1).expand(4, width).contiguous()
    return a, b


def _gates_from_outputs(outputs, where):
    """gatebench gate ids from a (4, width) tensor of each neuron's outputs on the four combinations."""
    gates = []
    for neuron, column in enumerate(outputs.t().tolist()):
        if any(v not in (0.0, 1.0) for v in column):
            raise ExportError(f'{where}: neuron {neuron} gives {column} on the four input combinations in eval mode, not a logic gate (0 or 1 each)')
        gates.append(GATE_BY_TRUTH_TABLE[truth_table_of(column)])
    return gates


def _indices(tensor):
    return [int(i) for i in tensor.reshape(-1).tolist()]


def _version(distribution):
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


class Difflogic:
    name = 'difflogic'

    def __init__(self):
        import difflogic
        from difflogic import functional
        self.logic_layer = difflogic.LogicLayer
        self.group_sum = difflogic.GroupSum
        self.functional = functional
        self.version = _version('difflogic')

    def gate_order(self):
        """difflogic id -> gatebench id, proven with difflogic's bin_op."""
        a, b = _combinations(1)
        return [GATE_BY_TRUTH_TABLE[truth_table_of(self.functional.bin_op(a, b, i)[:, 0].tolist())] for i in range(16)]

    def read(self, module, where):
        if isinstance(module, self.group_sum):
            return GroupSumData(int(module.k), float(module.tau))
        if not isinstance(module, self.logic_layer):
            return None
        with torch.no_grad():
            # What forward_python does in eval mode: the argmax gate of each neuron, one-hot.
            one_hot = torch.nn.functional.one_hot(module.weights.argmax(-1), 16).to(torch.float32).cpu()
            a, b = _combinations(module.out_dim)
            gates = _gates_from_outputs(self.functional.bin_op_s(a, b, one_hot), where)
        first, second = module.indices
        return LogicLayerData(int(module.in_dim), _indices(first), _indices(second), gates, module.connections)


class Torchlogix:
    name = 'torchlogix'

    def __init__(self):
        import torchlogix  # noqa: F401 (the package's own set-up runs first)
        from torchlogix import functional
        from torchlogix.connections import FixedDenseConnections
        from torchlogix.layers import GroupSum, LogicDense
        self.logic_layer = LogicDense
        self.group_sum = GroupSum
        self.fixed_connections = FixedDenseConnections
        self.functional = functional
        self.version = _version('torchlogix')

    def gate_order(self):
        """torchlogix LUT id -> gatebench id, proven with torchlogix's apply_luts_export_mode."""
        a, b = _combinations(16)
        outputs = self.functional.apply_luts_export_mode(a.bool(), b.bool(), torch.arange(16))
        return [GATE_BY_TRUTH_TABLE[truth_table_of(column)] for column in outputs.t().int().tolist()]

    def read(self, module, where):
        if isinstance(module, self.group_sum):
            if float(module.beta) != 0.0:
                raise ExportError(f'{where}: GroupSum beta is {module.beta}, expected 0 (gatebench class sums have no offset)')
            return GroupSumData(int(module.k), float(module.tau))
        if not isinstance(module, self.logic_layer):
            return None
        if module.lut_rank != 2:
            raise ExportError(f'{where}: LogicDense with lut_rank {module.lut_rank}, expected 2 (gatebench gates have two inputs)')
        connections = module.connections
        if not isinstance(connections, self.fixed_connections):
            raise ExportError(f'{where}: LogicDense connections {type(connections).__name__}, expected FixedDenseConnections (fixed wiring)')
        with torch.no_grad():
            a, b = _combinations(module.out_dim)
            x = torch.stack([a, b], dim=1).to(module.weight.dtype)
            # The layer's own eval-mode path (LogicDense.forward without export mode).
            outputs = module.parametrization.forward(x, module.weight, False, contraction='n,bn->bn')
            gates = _gates_from_outputs(outputs, where)
        wiring = 'unique' if connections.init_method == 'random-unique' else 'random'
        return LogicLayerData(int(module.in_dim), _indices(connections.indices[0]), _indices(connections.indices[1]), gates, wiring)


def load_frameworks():
    """The frameworks installed here (an exporter needs only the one its model uses)."""
    found = []
    for reader in (Difflogic, Torchlogix):
        try:
            found.append(reader())
        except ImportError:
            pass
    return found
