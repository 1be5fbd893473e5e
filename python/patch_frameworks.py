"""Make difflogic 0.1.0 and torchlogix 0.2.2 run on Debian 12 (Python 3.11, CPU torch 1.13).

Run by scripts/setup-ml; every edit is an exact text replacement that must match once, so a changed
upstream file fails the set-up instead of being half-patched. Nothing here changes what a model
computes:

difflogic (sdist, before it is installed):
  - setup.py builds a CUDA extension (difflogic_cuda) that needs nvcc: dropped. The Python
    implementation (LogicLayer(..., implementation='python')) runs on the CPU without it.
  - `import difflogic_cuda` becomes optional (None when absent); only the CUDA paths use it.
  - LogicLayer.forward_python prints the index dtypes on every call (a leftover debug print): removed.
torchlogix (installed wheel):
  - circuit.py (C export) uses Python 3.12 f-string syntax: its import becomes optional
    (torchlogix.Circuit is None on 3.11); the layers do not use it.
  - `@torch.compiler.disable` (torch >= 2.1) falls back to no decorator on torch 1.13.
"""
import pathlib
import sys


def replace_once(path: pathlib.Path, old: str, new: str) -> None:
    text = path.read_text(encoding='utf-8')
    count = text.count(old)
    if count < 1:
        sys.exit(f'patch_frameworks: {path}: expected text not found: {old[:60]!r}')
    path.write_text(text.replace(old, new), encoding='utf-8')


OPTIONAL_CUDA = 'try:\n    import difflogic_cuda\nexcept ImportError:  # CPU-only install (scripts/setup-ml)\n    difflogic_cuda = None\n'


def patch_difflogic(source: pathlib.Path) -> None:
    setup = source / 'setup.py'
    replace_once(setup, 'from torch.utils.cpp_extension import BuildExtension, CUDAExtension\n', '')
    replace_once(
        setup,
        "    ext_modules=[CUDAExtension('difflogic_cuda', [\n"
        "        'difflogic/cuda/difflogic.cpp',\n"
        "        'difflogic/cuda/difflogic_kernel.cu',\n"
        "    ], extra_compile_args={'nvcc': ['-lineinfo']})],\n"
        "    cmdclass={'build_ext': BuildExtension},\n",
        '',
    )
    for name in ('difflogic.py', 'packbitstensor.py'):
        replace_once(source / 'difflogic' / name, 'import difflogic_cuda\n', OPTIONAL_CUDA)
    replace_once(source / 'difflogic' / 'difflogic.py', '            print(self.indices[0].dtype, self.indices[1].dtype)\n', '')


def patch_torchlogix(package: pathlib.Path) -> None:
    replace_once(
        package / '__init__.py',
        'from .circuit import Circuit\n',
        'try:\n    from .circuit import Circuit\nexcept SyntaxError:  # Python < 3.12 (scripts/setup-ml)\n    Circuit = None\n',
    )
    replace_once(
        package / 'parametrization.py',
        '    @torch.compiler.disable\n',
        "    @(torch.compiler.disable if hasattr(torch, 'compiler') else (lambda f: f))  # torch < 2.1 (scripts/setup-ml)\n",
    )


if __name__ == '__main__':
    if len(sys.argv) != 3 or sys.argv[1] not in ('difflogic', 'torchlogix'):
        sys.exit('usage: patch_frameworks.py difflogic SOURCE_DIR | torchlogix INSTALLED_PACKAGE_DIR')
    (patch_difflogic if sys.argv[1] == 'difflogic' else patch_torchlogix)(pathlib.Path(sys.argv[2]))
