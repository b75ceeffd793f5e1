"""A structural check of a TFLite file before the native interpreter sees it.

The TFLite interpreter does not verify the flatbuffer it is given: a truncated
or overwritten ``.tflite`` file can crash the whole process (segmentation fault)
instead of raising an error.  :func:`check_tflite` walks the parts of the model
the interpreter reads (buffers, subgraphs, tensors, operators, operator codes)
and raises :class:`ModelLoadError` when any offset, vector or index points
outside the file or the model, which is what a truncated or damaged download
looks like.  It reads the TFLite schema (``tensorflow/lite/schema/schema.fbs``)
field numbers directly; it is not a full flatbuffer verifier.
"""

from __future__ import annotations

import struct
from pathlib import Path

from moodplayer.errors import ModelLoadError

IDENTIFIER = b"TFL3"

# Field numbers from tensorflow/lite/schema/schema.fbs.
MODEL_OPERATOR_CODES, MODEL_SUBGRAPHS, MODEL_DESCRIPTION, MODEL_BUFFERS = 1, 2, 3, 4
MODEL_METADATA_BUFFER, MODEL_METADATA = 5, 6
OPCODE_CUSTOM_CODE = 1
METADATA_NAME, METADATA_BUFFER = 0, 1
BUFFER_DATA, BUFFER_OFFSET, BUFFER_SIZE = 0, 1, 2
SUBGRAPH_TENSORS, SUBGRAPH_INPUTS, SUBGRAPH_OUTPUTS, SUBGRAPH_OPERATORS = 0, 1, 2, 3
TENSOR_SHAPE, TENSOR_BUFFER, TENSOR_NAME, TENSOR_QUANTIZATION = 0, 2, 3, 4
QUANT_MIN, QUANT_MAX, QUANT_SCALE, QUANT_ZERO_POINT = 0, 1, 2, 3
OPERATOR_OPCODE, OPERATOR_INPUTS, OPERATOR_OUTPUTS, OPERATOR_OPTIONS = 0, 1, 2, 4
OPERATOR_CUSTOM_OPTIONS = 5


class _Broken(Exception):
    pass


class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.size = len(data)

    def need(self, pos: int, length: int) -> None:
        if pos < 0 or length < 0 or pos + length > self.size:
            raise _Broken(f"offset {pos}+{length} is outside the file ({self.size} bytes)")

    def u16(self, pos: int) -> int:
        self.need(pos, 2)
        return struct.unpack_from("<H", self.data, pos)[0]

    def u32(self, pos: int) -> int:
        self.need(pos, 4)
        return struct.unpack_from("<I", self.data, pos)[0]

    def i32(self, pos: int) -> int:
        self.need(pos, 4)
        return struct.unpack_from("<i", self.data, pos)[0]

    def u64(self, pos: int) -> int:
        self.need(pos, 8)
        return struct.unpack_from("<Q", self.data, pos)[0]

    def field(self, table: int, number: int) -> int | None:
        """Absolute position of a table field, or None when the field is absent."""
        vtable = table - self.i32(table)
        vt_size = self.u16(vtable)
        if vt_size < 4 or vt_size % 2:
            raise _Broken("a table header is damaged")
        slot = 4 + 2 * number
        if slot + 2 > vt_size:
            return None
        rel = self.u16(vtable + slot)
        return table + rel if rel else None

    def deref(self, pos: int) -> int:
        target = pos + self.u32(pos)
        self.need(target, 4)
        return target

    def vector(self, table: int, number: int, item_size: int) -> tuple[int, int]:
        """(first element position, count) of a vector field; (0, 0) when absent."""
        pos = self.field(table, number)
        if pos is None:
            return 0, 0
        vec = self.deref(pos)
        count = self.u32(vec)
        self.need(vec + 4, count * item_size)
        return vec + 4, count

    def table(self, table: int, number: int) -> int | None:
        """Position of a sub-table field (its vtable checked), or None when absent."""
        pos = self.field(table, number)
        if pos is None:
            return None
        sub = self.deref(pos)
        self.field(sub, 0)  # reads and checks the vtable header
        return sub

    def tables(self, table: int, number: int) -> list[int]:
        start, count = self.vector(table, number, 4)
        out = [self.deref(start + 4 * i) for i in range(count)]
        for sub in out:
            self.field(sub, 0)  # reads and checks the vtable header
        return out

    def ints(self, table: int, number: int) -> list[int]:
        start, count = self.vector(table, number, 4)
        return [self.i32(start + 4 * i) for i in range(count)]


def _check(data: bytes) -> None:
    r = _Reader(data)
    if r.size < 8 or data[4:8] != IDENTIFIER:
        raise _Broken("it does not start like a TFLite model")
    model = r.deref(0)
    buffers = r.tables(model, MODEL_BUFFERS)
    for buffer in buffers:
        r.vector(buffer, BUFFER_DATA, 1)
        offset_pos = r.field(buffer, BUFFER_OFFSET)
        size_pos = r.field(buffer, BUFFER_SIZE)
        if offset_pos is not None and size_pos is not None:
            offset, size = r.u64(offset_pos), r.u64(size_pos)
            if offset > 1:  # data stored after the flatbuffer (models over 2 GB)
                r.need(offset, size)
    r.vector(model, MODEL_DESCRIPTION, 1)
    for index in r.ints(model, MODEL_METADATA_BUFFER):
        if not 0 <= index < len(buffers):
            raise _Broken("the metadata refers to a buffer that does not exist")
    for metadata in r.tables(model, MODEL_METADATA):
        r.vector(metadata, METADATA_NAME, 1)
    op_codes = r.tables(model, MODEL_OPERATOR_CODES)
    for op_code in op_codes:
        r.vector(op_code, OPCODE_CUSTOM_CODE, 1)
    subgraphs = r.tables(model, MODEL_SUBGRAPHS)
    if not subgraphs:
        raise _Broken("it holds no subgraph")
    for subgraph in subgraphs:
        tensors = r.tables(subgraph, SUBGRAPH_TENSORS)
        for tensor in tensors:
            r.ints(tensor, TENSOR_SHAPE)
            r.vector(tensor, TENSOR_NAME, 1)  # a string: length-prefixed bytes
            quantization = r.table(tensor, TENSOR_QUANTIZATION)
            if quantization is not None:
                for number, size in (
                    (QUANT_MIN, 4),
                    (QUANT_MAX, 4),
                    (QUANT_SCALE, 4),
                    (QUANT_ZERO_POINT, 8),
                ):
                    r.vector(quantization, number, size)
            buffer_pos = r.field(tensor, TENSOR_BUFFER)
            if buffer_pos is not None and r.u32(buffer_pos) >= max(1, len(buffers)):
                raise _Broken("a tensor refers to a buffer that does not exist")

        def valid(index: int, count: int = len(tensors)) -> bool:
            return -1 <= index < count

        for index in r.ints(subgraph, SUBGRAPH_INPUTS) + r.ints(subgraph, SUBGRAPH_OUTPUTS):
            if not valid(index) or index < 0:
                raise _Broken("a subgraph input or output does not exist")
        for operator in r.tables(subgraph, SUBGRAPH_OPERATORS):
            opcode_pos = r.field(operator, OPERATOR_OPCODE)
            opcode = r.u32(opcode_pos) if opcode_pos is not None else 0
            if opcode >= len(op_codes):
                raise _Broken("an operator refers to an unknown operator code")
            r.table(operator, OPERATOR_OPTIONS)
            r.vector(operator, OPERATOR_CUSTOM_OPTIONS, 1)
            for index in r.ints(operator, OPERATOR_INPUTS) + r.ints(operator, OPERATOR_OUTPUTS):
                if not valid(index):
                    raise _Broken("an operator refers to a tensor that does not exist")


def check_tflite(path: Path) -> None:
    """Raise :class:`ModelLoadError` unless ``path`` looks like a whole TFLite model."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ModelLoadError(f"The model {path} cannot be read ({err.strerror}).") from err
    try:
        _check(data)
    except _Broken as err:
        raise ModelLoadError(
            f"The model {path} is damaged or not a TFLite model ({err}). Delete it so "
            "moodplayer downloads it again, or put a fresh copy there."
        ) from err
