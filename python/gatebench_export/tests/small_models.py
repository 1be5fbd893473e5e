"""Small difflogic and torchlogix networks, briefly trained on a synthetic task, for the exporter's
tests (python -m unittest here, and test/app/import.test.ts through the command line below).

    python small_models.py difflogic|torchlogix OUT_DIR   writes OUT_DIR/model.json and model.vectors.json
"""
import sys

import torch

INPUT_BITS = 64
CLASSES = 4
WIDTHS = (256, 256, 200)
TAU = 10.0


def synthetic(count, generator):
    """Random bits whose class is written in two of them (2 x bit 0 + bit 1), among 62 distractors."""
    bits = (torch.rand(count, INPUT_BITS, generator=generator) > 0.5).float()
    labels = 2 * bits[:, 0].long() + bits[:, 1].long()
    return bits, labels


def make_model(framework):
    layers = [torch.nn.Flatten()]
    in_dim = INPUT_BITS
    if framework == 'difflogic':
        import difflogic
        for width in WIDTHS:
            layers.append(difflogic.LogicLayer(in_dim, width, device='cpu', implementation='python', connections='random'))
            in_dim = width
        layers.append(difflogic.GroupSum(CLASSES, TAU, device='cpu'))
    elif framework == 'torchlogix':
        from torchlogix.layers import GroupSum, LogicDense
        for width in WIDTHS:
            # Random logits (not torchlogix's default residual ones), so the gates vary from the start.
            layers.append(LogicDense(in_dim, width, parametrization_kwargs={'weight_init': 'random'}))
            in_dim = width
        layers.append(GroupSum(CLASSES, TAU))
    else:
        raise ValueError(framework)
    return torch.nn.Sequential(*layers)


def train_small(framework, seed=1, steps=150):
    """(model, test bits, test labels): trained `steps` Adam steps of 64 samples on the synthetic task."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = make_model(framework)
    train_bits, train_labels = synthetic(4000, generator)
    test_bits, test_labels = synthetic(1000, generator)
    optimiser = torch.optim.Adam(model.parameters(), lr=0.05)
    model.train()
    for step in range(steps):
        batch = torch.randint(0, len(train_bits), (64,), generator=generator)
        loss = torch.nn.functional.cross_entropy(model(train_bits[batch]), train_labels[batch])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    model.eval()
    return model, test_bits, test_labels


if __name__ == '__main__':
    import pathlib

    from gatebench_export import export, threshold_encoding

    framework, out_dir = sys.argv[1], pathlib.Path(sys.argv[2])
    model, bits, labels = train_small(framework)
    with torch.no_grad():
        accuracy = (model(bits).argmax(-1) == labels).float().mean().item()
    written = export(model, encoding=threshold_encoding([INPUT_BITS], 0.5), out=out_dir / 'model.json', vectors=bits, dataset='synthetic two-bit task')
    print(f'{framework}: eval accuracy {accuracy:.4f}, model {written["hash"]}')
