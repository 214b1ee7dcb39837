"""A surface typed as a formula in x and y: parsed, differentiated and written out as code.

`parse(text, params)` reads a formula such as ``x**2 + 10*sin(y)**2`` with Python's `ast`
module into a small tree of its own, accepting only what a formula needs: numbers, x, y,
the named parameters, + - * / **, unary minus and plus, parentheses and the functions in
FUNCTIONS, each with one argument. Nothing is ever evaluated as Python: the tree is checked
node by node, numbers become floats as they are read (so ``9**9**9**9`` is a tree, not a
computation), and anything else (a name, an attribute, a call of anything else, a lambda, a
comprehension, a string, keyword arguments) is refused with one line naming its position and
what is allowed. `derivative(tree, var)` differentiates the tree exactly, by the rules of
calculus applied to the tree (no strings are evaluated, no computer algebra is needed), and
`source(tree, params)` writes a tree as a Python expression over x, y and p[i], the body of
a generated value or gradient function of the same shape as the built-in surfaces'.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

from ravine.core.params import SceneError, quote

MAX_LENGTH = 500
"""Characters a formula may have (a formula is a line, not a program)."""
MAX_NODES = 400
"""Operations and operands in a formula, after parsing."""

FUNCTIONS = {
    "sin": "math.sin", "cos": "math.cos", "tan": "math.tan", "exp": "math.exp", "log": "math.log",
    "sqrt": "math.sqrt", "abs": "abs", "tanh": "math.tanh", "sinh": "math.sinh", "cosh": "math.cosh",
    "atan": "math.atan",
}
"""The functions a formula may call, one argument each, and the code that computes them."""

_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


@dataclass(frozen=True)
class Node:
    """op: "num" (value), "var" (name: x, y or a parameter), "neg" (a), "+" "-" "*" "/" "**"
    (a, b), or "call" (name, a)."""

    op: str
    a: "Node | None" = None
    b: "Node | None" = None
    value: float = 0.0
    name: str = ""


def num(v: float) -> Node:
    return Node("num", value=float(v))


ZERO, ONE, TWO = num(0.0), num(1.0), num(2.0)


def allowed(params=()) -> str:
    names = ", ".join(["x", "y", *params])
    return f"numbers, {names}, + - * / **, unary -, parentheses and {', '.join(FUNCTIONS)}(...)"


def parse(text: str, params=()) -> Node:
    """The formula `text` as a tree; SceneError (one line: where, what, what is allowed)."""
    if not isinstance(text, str) or not text.strip():
        raise SceneError("expression: must be a formula in x and y, such as \"x**2 + 10*sin(y)**2\"")
    if len(text) > MAX_LENGTH:
        raise SceneError(f"expression: at most {MAX_LENGTH} characters (got {len(text):,})")
    if "\n" in text or "\r" in text:
        raise SceneError("expression: must be one line")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise SceneError(f"expression: not a formula at position {exc.offset or 1} ({exc.msg})") from None
    except (RecursionError, MemoryError, ValueError):  # nesting too deep for the parser, a NUL
        raise SceneError("expression: nested too deeply, or holds a character a formula cannot") from None
    count = [0]
    try:
        return _node(tree.body, tuple(params), count)
    except RecursionError:
        raise SceneError("expression: nested too deeply") from None


def _refuse(node: ast.AST, what: str, params) -> SceneError:
    where = getattr(node, "col_offset", 0) + 1
    return SceneError(f"expression: position {where}: {what} is not allowed (allowed: {allowed(params)})")


def _node(node: ast.AST, params: tuple, count: list) -> Node:
    count[0] += 1
    if count[0] > MAX_NODES:
        raise SceneError(f"expression: more than {MAX_NODES} operations and operands")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise _refuse(node, f"the constant {quote(repr(node.value), 30)}", params)
        try:
            return num(float(node.value))
        except OverflowError:
            raise SceneError(f"expression: position {node.col_offset + 1}: a number beyond the float range") from None
    if isinstance(node, ast.Name):
        if node.id in ("x", "y") or node.id in params:
            return Node("var", name=node.id)
        if node.id in FUNCTIONS:
            raise _refuse(node, f"{node.id} without an argument", params)
        raise _refuse(node, f"the name {quote(node.id, 30)}", params)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return Node(_OPS[type(node.op)], _node(node.left, params, count), _node(node.right, params, count))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _node(node.operand, params, count)
        return Node("neg", inner) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS):
            what = f"calling {quote(node.func.id, 30)}" if isinstance(node.func, ast.Name) else "this call"
            raise _refuse(node, what, params)
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise SceneError(f"expression: position {node.col_offset + 1}: {node.func.id} takes one argument")
        return Node("call", _node(node.args[0], params, count), name=node.func.id)
    kind = {ast.Attribute: "attribute access", ast.Lambda: "a lambda", ast.Subscript: "indexing",
            ast.Compare: "a comparison", ast.BoolOp: "and/or", ast.IfExp: "if/else", ast.Tuple: "a tuple",
            ast.List: "a list", ast.ListComp: "a comprehension", ast.GeneratorExp: "a comprehension",
            ast.SetComp: "a comprehension", ast.DictComp: "a comprehension", ast.Dict: "a table",
            ast.JoinedStr: "a string", ast.NamedExpr: "an assignment", ast.Await: "await",
            ast.Starred: "a starred argument"}.get(type(node))
    if kind is None:
        op = getattr(node, "op", None)
        kind = f"the operator {type(op).__name__}" if op is not None else type(node).__name__
    raise _refuse(node, kind, params)


# ------------------------------------------------------------------ arithmetic on trees,
# folding what is known (0 and 1, numbers with numbers) so that derivatives stay small


def add(a: Node, b: Node) -> Node:
    if a.op == "num" and b.op == "num":
        return num(a.value + b.value)
    if a == ZERO:
        return b
    if b == ZERO:
        return a
    return Node("+", a, b)


def sub(a: Node, b: Node) -> Node:
    if a.op == "num" and b.op == "num":
        return num(a.value - b.value)
    if b == ZERO:
        return a
    if a == ZERO:
        return neg(b)
    return Node("-", a, b)


def mul(a: Node, b: Node) -> Node:
    if a == ZERO or b == ZERO:
        return ZERO
    if a == ONE:
        return b
    if b == ONE:
        return a
    if a.op == "num" and b.op == "num":
        return num(a.value * b.value)
    return Node("*", a, b)


def div(a: Node, b: Node) -> Node:
    if b == ONE:
        return a
    if a == ZERO:
        return ZERO
    return Node("/", a, b)


def neg(a: Node) -> Node:
    if a.op == "num":
        return num(-a.value)
    if a.op == "neg":
        return a.a
    return Node("neg", a)


def power(a: Node, b: Node) -> Node:
    if b == ONE:
        return a
    if b == ZERO:
        return ONE
    return Node("**", a, b)


def call(name: str, a: Node) -> Node:
    return Node("call", a, name=name)


def depends(tree: Node, var: str) -> bool:
    if tree.op == "num":
        return False
    if tree.op == "var":
        return tree.name == var
    return depends(tree.a, var) or (tree.b is not None and depends(tree.b, var))


def derivative(tree: Node, var: str) -> Node:
    """d tree / d var, exactly (the chain, product and quotient rules on the tree)."""
    if not depends(tree, var):
        return ZERO
    op, a, b = tree.op, tree.a, tree.b
    if op == "var":
        return ONE
    if op == "neg":
        return neg(derivative(a, var))
    if op in "+-":
        return (add if op == "+" else sub)(derivative(a, var), derivative(b, var))
    if op == "*":
        return add(mul(derivative(a, var), b), mul(a, derivative(b, var)))
    if op == "/":  # (a' b - a b') / b**2
        return div(sub(mul(derivative(a, var), b), mul(a, derivative(b, var))), power(b, TWO))
    if op == "**":
        if not depends(b, var):  # b a**(b - 1) a'
            return mul(mul(b, power(a, sub(b, ONE))), derivative(a, var))
        # a**b (b' log a + b a' / a)
        return mul(tree, add(mul(derivative(b, var), call("log", a)), div(mul(b, derivative(a, var)), a)))
    da = derivative(a, var)
    outer = {
        "sin": lambda: call("cos", a),
        "cos": lambda: neg(call("sin", a)),
        "tan": lambda: add(ONE, power(call("tan", a), TWO)),
        "exp": lambda: call("exp", a),
        "log": lambda: div(ONE, a),
        "sqrt": lambda: div(ONE, mul(TWO, call("sqrt", a))),
        "abs": lambda: div(a, call("abs", a)),  # sign(a); undefined (NaN) at 0, as |a|' is
        "tanh": lambda: sub(ONE, power(call("tanh", a), TWO)),
        "sinh": lambda: call("cosh", a),
        "cosh": lambda: call("sinh", a),
        "atan": lambda: div(ONE, add(ONE, power(a, TWO))),
    }[tree.name]()
    return mul(outer, da)


def source(tree: Node, params=()) -> str:
    """The tree as a Python expression over x, y and p[i] (parameter i of `params`), fully
    parenthesised, numbers written exactly (repr of the float)."""
    op = tree.op
    if op == "num":
        v = tree.value
        if math.isnan(v):
            return "math.nan"
        if math.isinf(v):
            return "math.inf" if v > 0 else "(-math.inf)"
        return repr(v) if v >= 0 else f"({v!r})"
    if op == "var":
        return tree.name if tree.name in ("x", "y") else f"p[{list(params).index(tree.name)}]"
    if op == "neg":
        return f"(-{source(tree.a, params)})"
    if op == "call":
        return f"{FUNCTIONS[tree.name]}({source(tree.a, params)})"
    return f"({source(tree.a, params)} {op} {source(tree.b, params)})"


def evaluate(tree: Node, x: float, y: float, values: dict[str, float] | None = None) -> float:
    """The tree's value at (x, y) in plain Python floats (for tests and for finding minima on
    the Python side; the kernels use `source`)."""
    op = tree.op
    if op == "num":
        return tree.value
    if op == "var":
        return x if tree.name == "x" else y if tree.name == "y" else float((values or {})[tree.name])
    if op == "neg":
        return -evaluate(tree.a, x, y, values)
    if op == "call":
        fn = abs if tree.name == "abs" else getattr(math, tree.name)
        return fn(evaluate(tree.a, x, y, values))
    a, b = evaluate(tree.a, x, y, values), evaluate(tree.b, x, y, values)
    return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
            "**": lambda: a ** b}[op]()
