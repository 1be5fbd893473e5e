"""The exporter against real difflogic and torchlogix (python -m unittest discover -s tests, in .venv-ml)."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import torch

from gatebench_export import ExportError, export, threshold_encoding
from gatebench_export.export import network_hash
from gatebench_export.frameworks import Difflogic, LogicLayerData, Torchlogix
from gatebench_export.gates import GATE_TRUTH_TABLES

from .small_models import INPUT_BITS, train_small

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def class_sums_of_file(doc, bits):
    """Evaluate an exported model file gate by gate (its own small reference, from the truth tables)."""
    x = bits.to(torch.uint8)
    for layer in doc['network']['layers']:
        a, b = x[:, layer['a']], x[:, layer['b']]
        tables = torch.tensor([GATE_TRUTH_TABLES[int(g, 16)] for g in layer['gates']])
        x = (tables >> (2 * a.long() + b.long())) & 1
    classes = doc['network']['classes']
    return x.reshape(len(x), classes, -1).sum(-1)


class GateOrder(unittest.TestCase):
    def test_difflogic_and_torchlogix_number_their_gates_as_gatebench_does(self):
        # Proven by evaluating each framework's own gate functions on the four input combinations.
        self.assertEqual(Difflogic().gate_order(), list(range(16)))
        self.assertEqual(Torchlogix().gate_order(), list(range(16)))


class ExportTrained(unittest.TestCase):
    def check_framework(self, framework):
        model, bits, labels = train_small(framework)
        with torch.no_grad():
            accuracy = (model(bits).argmax(-1) == labels).float().mean().item()
        self.assertGreater(accuracy, 0.5, 'the brief training should beat chance (0.25) on the two-bit task')
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, 'model.json')
            written = export(model, encoding=threshold_encoding([INPUT_BITS], 0.5), out=out, vectors=bits)
            with open(out) as f:
                doc = json.load(f)
            with open(written['vectors']) as f:
                vectors = json.load(f)
        self.assertEqual(doc['origin']['framework'], framework)
        self.assertEqual(doc['network']['widths'], [256, 256, 200])
        layers = [LogicLayerData(0, layer['a'], layer['b'], [int(g, 16) for g in layer['gates']], '') for layer in doc['network']['layers']]
        self.assertEqual(doc['hash'], network_hash(INPUT_BITS, 4, layers))
        self.assertEqual(vectors['count'], 1000)
        exported_bits = torch.tensor([[int(c) for c in row] for row in vectors['bits']])
        self.assertTrue(torch.equal(exported_bits, bits.to(torch.int64)))
        pytorch_sums = torch.round(torch.tensor(vectors['scores']) * doc['network']['tau']).to(torch.int64)
        self.assertTrue(torch.equal(class_sums_of_file(doc, bits), pytorch_sums))

    def test_difflogic(self):
        self.check_framework('difflogic')

    def test_torchlogix(self):
        self.check_framework('torchlogix')


class Refusals(unittest.TestCase):
    def assert_one_line_error(self, model, *fragments, encoding=None):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(ExportError) as caught:
                export(model, encoding=encoding or threshold_encoding([16], 0.5), out=os.path.join(tmp, 'model.json'))
            self.assertEqual(os.listdir(tmp), [], 'nothing is written for a model that cannot be exported')
        message = str(caught.exception)
        self.assertNotIn('\n', message)
        for fragment in fragments:
            self.assertIn(fragment, message)

    def test_a_convolution_or_pooling_layer_is_named(self):
        from torchlogix.layers import GroupSum, LogicConv2d, LogicDense, OrPooling2d
        conv = LogicConv2d(in_dim=(4, 4), channels=1, num_kernels=2, tree_depth=1, receptive_field_size=2, padding=0)
        self.assert_one_line_error(torch.nn.Sequential(conv, torch.nn.Flatten(), LogicDense(18, 20), GroupSum(2)), 'model[0]', 'LogicConv2d', 'cannot represent')
        self.assert_one_line_error(torch.nn.Sequential(OrPooling2d(2, 2), LogicDense(16, 20), GroupSum(2)), 'model[0]', 'OrPooling2d')

    def test_an_ordinary_torch_layer_is_named(self):
        import difflogic
        model = torch.nn.Sequential(difflogic.LogicLayer(16, 20, device='cpu', implementation='python'), torch.nn.Sequential(torch.nn.Linear(20, 20)), difflogic.GroupSum(2, 1.0, device='cpu'))
        self.assert_one_line_error(model, 'model[1.0]', 'torch.nn.modules.linear.Linear')

    def test_a_custom_module_and_a_missing_group_sum(self):
        import difflogic
        self.assert_one_line_error(torch.nn.Module(), 'torch.nn.Sequential')
        self.assert_one_line_error(torch.nn.Sequential(difflogic.LogicLayer(16, 20, device='cpu', implementation='python')), 'no GroupSum')

    def test_an_encoding_of_the_wrong_width(self):
        import difflogic
        model = torch.nn.Sequential(difflogic.LogicLayer(16, 20, device='cpu', implementation='python'), difflogic.GroupSum(2, 1.0, device='cpu'))
        self.assert_one_line_error(model, 'encoding: produces 25 input bits', 'reads 16', encoding=threshold_encoding([5, 5], 0.5))


class CommandLine(unittest.TestCase):
    def run_cli(self, *args):
        return subprocess.run([sys.executable, '-m', 'gatebench_export', *args], cwd=PACKAGE_ROOT, capture_output=True, text=True)

    def test_exports_a_saved_model_and_refuses_a_layer_in_one_line(self):
        import difflogic
        from torchlogix.layers import GroupSum, OrPooling2d
        torch.manual_seed(3)
        good = torch.nn.Sequential(torch.nn.Flatten(), difflogic.LogicLayer(16, 20, device='cpu', implementation='python'), difflogic.GroupSum(2, 2.0, device='cpu'))
        with tempfile.TemporaryDirectory() as tmp:
            torch.save(good, os.path.join(tmp, 'good.pt'))
            torch.save((torch.rand(30, 16) > 0.5).float(), os.path.join(tmp, 'inputs.pt'))
            done = self.run_cli(os.path.join(tmp, 'good.pt'), '--shape', '4,4', '--threshold', '0.5', '--vectors', os.path.join(tmp, 'inputs.pt'), '--out', os.path.join(tmp, 'm.json'))
            self.assertEqual(done.returncode, 0, done.stderr)
            with open(os.path.join(tmp, 'm.vectors.json')) as f:
                self.assertEqual(json.load(f)['count'], 30)
            torch.save(torch.nn.Sequential(OrPooling2d(2, 2), GroupSum(2)), os.path.join(tmp, 'pool.pt'))
            refused = self.run_cli(os.path.join(tmp, 'pool.pt'), '--shape', '4,4', '--threshold', '0.5', '--out', os.path.join(tmp, 'p.json'))
        self.assertEqual(refused.returncode, 2)
        self.assertEqual(len(refused.stderr.strip().splitlines()), 1, refused.stderr)
        self.assertIn('OrPooling2d', refused.stderr)


if __name__ == '__main__':
    unittest.main()
