"""Export trained difflogic and torchlogix networks to gatebench model files (see export.py)."""
from .export import EXPORTER_VERSION, ExportError, export, threshold_encoding, thermometer_encoding

__version__ = EXPORTER_VERSION
__all__ = ['EXPORTER_VERSION', 'ExportError', 'export', 'threshold_encoding', 'thermometer_encoding']
