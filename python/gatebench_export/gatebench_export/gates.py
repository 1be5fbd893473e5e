"""gatebench's 16 gates (src/model/gates.ts): the target of every export.

A gate is known by its truth table, bit (2a + b) being its output for inputs a and b; gate ids
follow difflogic's order. Exporters never trust a framework's gate numbering: they evaluate the
framework's own gate functions on the four input combinations and look the table up here.
"""

GATE_NAMES = (
    'false', 'and', 'a_and_not_b', 'a', 'not_a_and_b', 'b', 'xor', 'or',
    'nor', 'xnor', 'not_b', 'a_or_not_b', 'not_a', 'not_a_or_b', 'nand', 'true',
)

# Relaxation coefficients of c0 + c1*a + c2*b + c3*a*b, as in gates.ts.
GATE_COEFFICIENTS = (
    (0, 0, 0, 0), (0, 0, 0, 1), (0, 1, 0, -1), (0, 1, 0, 0),
    (0, 0, 1, -1), (0, 0, 1, 0), (0, 1, 1, -2), (0, 1, 1, -1),
    (1, -1, -1, 1), (1, -1, -1, 2), (1, 0, -1, 0), (1, 0, -1, 1),
    (1, -1, 0, 0), (1, -1, 0, 1), (1, 0, 0, -1), (1, 0, 0, 0),
)

# The four input combinations in truth-table bit order: index 2a + b.
INPUT_COMBINATIONS = ((0, 0), (0, 1), (1, 0), (1, 1))


def _truth_table(coefficients):
    c0, c1, c2, c3 = coefficients
    return sum(1 << (2 * a + b) for a, b in INPUT_COMBINATIONS if c0 + c1 * a + c2 * b + c3 * a * b == 1)


GATE_TRUTH_TABLES = tuple(_truth_table(c) for c in GATE_COEFFICIENTS)
GATE_BY_TRUTH_TABLE = {table: gate for gate, table in enumerate(GATE_TRUTH_TABLES)}


def truth_table_of(outputs):
    """The truth table of four outputs given in INPUT_COMBINATIONS order (each exactly 0 or 1)."""
    return sum(int(bit) << i for i, bit in enumerate(outputs))
