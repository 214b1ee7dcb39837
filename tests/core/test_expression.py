"""Formulas typed by a user: parsed into a whitelisted tree, never run as Python;
differentiated exactly (checked by finite differences); hostile input refused in one line."""

import math

import numpy as np
import pytest

from ravine.core.expression import MAX_LENGTH, derivative, evaluate, parse, source
from ravine.core.params import SceneError

FORMULAS = [
    "x**2 + 10*sin(y)**2",
    "(1 - x)**2 + 100*(y - x**2)**2",
    "-x*y + exp(-(x**2 + y**2)/4)",
    "sqrt(x**2 + y**2 + 1) + log(1 + x**2) - tanh(y)/3",
    "x**y + atan(x - y) + cosh(y/5) - sinh(x/7)",
    "abs(x) + abs(y - 1)",
    "a*x**2 + b*y**2 - 2**x",
    "tan(x/3) * cos(y) / (2 + sin(x*y))",
    "+x - -y",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_gradients_agree_with_finite_differences(text):
    tree = parse(text, ("a", "b"))
    values = {"a": 1.5, "b": 0.25}
    dx, dy = derivative(tree, "x"), derivative(tree, "y")
    rng = np.random.default_rng(1)
    for x, y in rng.uniform(0.2, 1.8, (20, 2)):
        h = 1e-6
        fx = (evaluate(tree, x + h, y, values) - evaluate(tree, x - h, y, values)) / (2 * h)
        fy = (evaluate(tree, x, y + h, values) - evaluate(tree, x, y - h, values)) / (2 * h)
        assert evaluate(dx, x, y, values) == pytest.approx(fx, rel=1e-6, abs=1e-6)
        assert evaluate(dy, x, y, values) == pytest.approx(fy, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("text", FORMULAS)
def test_the_written_code_computes_the_tree(text):
    """source() over x, y and p[i], run as code here (the test's own eval of code that only
    the generator wrote): the same value as the tree."""
    params = ("a", "b")
    tree = parse(text, params)
    p = [1.5, 0.25]
    code = compile(source(tree, params), "<formula>", "eval")
    for x, y in [(0.3, 0.7), (1.2, 1.9), (1.7, 0.4)]:
        assert eval(code, {"math": math, "abs": abs, "p": p, "x": x, "y": y}) == \
            pytest.approx(evaluate(tree, x, y, dict(zip(params, p))), rel=1e-15)


def test_derivatives_stay_small_and_known_parts_fold():
    assert source(derivative(parse("3*x + 7*y"), "x")) == "3.0"
    assert source(derivative(parse("x**2"), "x")) == "(2.0 * x)"
    assert source(derivative(parse("sin(y)"), "x")) == "0.0"


HOSTILE = [
    ("__import__('os').system('echo pwned')", "this call"),
    ("__import__('os')", "calling '__import__'"),
    ("x.__class__", "attribute access"),
    ("(lambda: 1)()", "this call"),
    ("lambda x: x", "a lambda"),
    ("[x for x in range(10**9)]", "a comprehension"),
    ("sum(i for i in range(9))", "calling 'sum'"),
    ("open('/etc/passwd')", "calling 'open'"),
    ("x if y else 1", "if/else"),
    ("x < y", "a comparison"),
    ("x[0]", "indexing"),
    ("'abc'", "the constant"),
    ("True + x", "the constant"),
    ("z + 1", "the name 'z'"),
    ("sin", "sin without an argument"),
    ("sin(x, y)", "sin takes one argument"),
    ("sin(x=1)", "sin takes one argument"),
    ("x // 2", "the operator FloorDiv"),
    ("x % 2", "the operator Mod"),
    ("x @ y", "the operator MatMult"),
    ("(x := 3)", "an assignment"),
    ("x; import os", "not a formula"),
    ("1j * x", "the constant"),
    ("", "must be a formula"),
]


@pytest.mark.parametrize("text, needle", HOSTILE)
def test_hostile_formulas_are_refused_in_one_line(text, needle, capfd):
    with pytest.raises(SceneError) as info:
        parse(text)
    message = str(info.value)
    assert message.startswith("expression: ") and "\n" not in message
    assert needle in message
    assert "pwned" not in capfd.readouterr().out  # nothing ran


def test_positions_and_what_is_allowed_are_named():
    with pytest.raises(SceneError, match=r"position 8: the name 'z' is not allowed \(allowed: numbers, x, y, k, "):
        parse("x**2 + z", ("k",))


def test_huge_and_long_input_is_refused_or_kept_as_a_tree():
    tree = parse("9**9**9**9 + x")  # a tree, never computed
    assert tree.op == "+"
    with pytest.raises(SceneError, match="beyond the float range"):
        parse("1" * 400 + " + x")
    with pytest.raises(SceneError, match=f"at most {MAX_LENGTH} characters \\(got 10,000\\)"):
        parse("x+" * 4999 + "yy")
    assert parse("(" * 150 + "x" + ")" * 150).op == "var"  # deep, but a formula
    assert evaluate(derivative(parse("-" * 399 + "x"), "x"), 0.0, 0.0) == -1.0
    with pytest.raises(SceneError, match="too many nested parentheses"):
        parse("(" * 240 + "x" + ")" * 240)
    with pytest.raises(SceneError, match="more than 400 operations"):
        parse("+".join(["x"] * 240))
