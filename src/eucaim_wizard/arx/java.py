"""A reader of the Java serialization stream format (Oracle, *Java Object Serialization
Specification*, chapter 6) that only builds plain Python values: no code runs.  ARX keeps its
configuration (``input/config.dat``) and GUI model (``project.dat``) in this form."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from ..errors import ProjectError


# --- the Java serialization stream (read only) -----------------------------------------
class _JObject:
    """A deserialized Java object: its class name and, per class of its chain, fields and
    the data its ``writeObject`` added (``annotation``)."""

    __slots__ = ("cls", "classdata")

    def __init__(self, cls: str):
        self.cls = cls
        self.classdata: list[tuple[str, dict[str, Any], list[Any]]] = []

    def field(self, name: str, default: Any = None) -> Any:
        for _, fields, _ in reversed(self.classdata):  # the most specific class first
            if name in fields:
                return fields[name]
        return default

    def annotation(self) -> list[Any]:
        return [item for _, _, extra in self.classdata for item in extra]


class _JEnum:
    __slots__ = ("cls", "name")

    def __init__(self, cls: str, name: str):
        self.cls, self.name = cls, name


class _JArray(list):
    pass


class _Block(bytes):
    pass


class _ClassDesc:
    __slots__ = ("name", "flags", "fields", "parent")

    def __init__(self, name: str):
        self.name, self.flags, self.fields, self.parent = name, 0, [], None


_END = object()
_PRIMITIVES = {"B": ">b", "C": ">H", "D": ">d", "F": ">f", "I": ">i", "J": ">q", "S": ">h", "Z": ">?"}


class _JavaStream:
    """A reader of the Java serialization stream protocol (version 5) for plain data."""

    def __init__(self, data: bytes):
        if data[:4] != b"\xac\xed\x00\x05":
            raise ValueError("not a Java serialization stream (it must start with AC ED 00 05)")
        self.data, self.pos, self.handles = data, 4, []

    def read_all(self) -> list[Any]:
        items = []
        while self.pos < len(self.data):
            items.append(self._content())
        return items

    def _unpack(self, fmt: str) -> Any:
        value = struct.unpack_from(fmt, self.data, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return value

    def _handle(self) -> Any:
        index = self._unpack(">I") - 0x7E0000  # TC_REFERENCE: a back-reference to a handle
        if not 0 <= index < len(self.handles):
            raise ValueError(f"a reference to an unknown object (handle {index}) at byte {self.pos - 4}")
        return self.handles[index]

    def _text(self, length: int) -> str:
        raw = self.data[self.pos:self.pos + length]
        if len(raw) != length:
            raise ValueError("the stream ends inside a string")
        self.pos += length
        # Java's "modified UTF-8": NUL as C0 80, characters outside the BMP as surrogate pairs
        text = raw.replace(b"\xc0\x80", b"\x00").decode("utf-8", "surrogatepass")
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")

    def _content(self) -> Any:
        code = self.data[self.pos]
        self.pos += 1
        if code == 0x70:  # TC_NULL
            return None
        if code == 0x71:  # TC_REFERENCE
            return self._handle()
        if code == 0x74:  # TC_STRING
            value = self._text(self._unpack(">H"))
            self.handles.append(value)
            return value
        if code == 0x7C:  # TC_LONGSTRING
            value = self._text(self._unpack(">Q"))
            self.handles.append(value)
            return value
        if code in (0x72, 0x7D):  # a class description on its own
            self.pos -= 1
            return self._class_desc()
        if code == 0x73:  # TC_OBJECT
            return self._object()
        if code == 0x75:  # TC_ARRAY
            desc = self._class_desc()
            array = _JArray()
            self.handles.append(array)
            kind = desc.name[1]
            for _ in range(self._unpack(">i")):
                array.append(self._value(kind))
            return array
        if code == 0x7E:  # TC_ENUM
            desc = self._class_desc()
            constant = _JEnum(desc.name, "")
            self.handles.append(constant)
            constant.name = self._content()
            return constant
        if code == 0x76:  # TC_CLASS
            desc = self._class_desc()
            self.handles.append(desc)
            return desc
        if code == 0x77:  # TC_BLOCKDATA
            length = self.data[self.pos]
            self.pos += 1 + length
            return _Block(self.data[self.pos - length:self.pos])
        if code == 0x7A:  # TC_BLOCKDATALONG
            length = self._unpack(">I")
            self.pos += length
            return _Block(self.data[self.pos - length:self.pos])
        if code == 0x78:  # TC_ENDBLOCKDATA
            return _END
        if code == 0x79:  # TC_RESET
            self.handles = []
            return self._content()
        raise ValueError(f"unexpected type code 0x{code:02x} at byte {self.pos - 1}")

    def _object(self) -> _JObject:
        desc = self._class_desc()
        if desc is None:
            raise ValueError("an object without a class")
        obj = _JObject(desc.name)
        self.handles.append(obj)
        chain = []
        while desc is not None:
            chain.append(desc)
            desc = desc.parent
        for desc in reversed(chain):  # superclass data first
            if desc.flags & 0x04:  # Externalizable: only readable when written in block mode
                if not desc.flags & 0x08:
                    raise ValueError(f"{desc.name} is externalized without block data")
                obj.classdata.append((desc.name, {}, self._annotation()))
                continue
            fields = {name: self._value(kind) for kind, name in desc.fields}
            extra = self._annotation() if desc.flags & 0x01 else []
            obj.classdata.append((desc.name, fields, extra))
        return obj

    def _annotation(self) -> list[Any]:
        items = []
        while (item := self._content()) is not _END:
            items.append(item)
        return items

    def _value(self, kind: str) -> Any:
        if kind in "L[":
            return self._content()
        return self._unpack(_PRIMITIVES[kind])

    def _class_desc(self) -> _ClassDesc | None:
        code = self.data[self.pos]
        self.pos += 1
        if code == 0x70:
            return None
        if code == 0x71:
            return self._handle()
        if code == 0x72:  # TC_CLASSDESC
            desc = _ClassDesc(self._text(self._unpack(">H")))
            self.pos += 8  # serialVersionUID
            self.handles.append(desc)
            desc.flags = self.data[self.pos]
            self.pos += 1
            for _ in range(self._unpack(">H")):
                kind = chr(self.data[self.pos])
                self.pos += 1
                name = self._text(self._unpack(">H"))
                if kind in "L[":
                    self._content()  # the field's class name
                desc.fields.append((kind, name))
            self._annotation()
            desc.parent = self._class_desc()
            return desc
        if code == 0x7D:  # TC_PROXYCLASSDESC
            desc = _ClassDesc("proxy")
            self.handles.append(desc)
            for _ in range(self._unpack(">i")):
                self._text(self._unpack(">H"))
            self._annotation()
            desc.parent = self._class_desc()
            return desc
        raise ValueError(f"unexpected type code 0x{code:02x} for a class at byte {self.pos - 1}")


def _java_objects(data: bytes, part: str, source: Path) -> list[Any]:
    try:
        return _JavaStream(data).read_all()
    except (ValueError, IndexError, struct.error, RecursionError, UnicodeDecodeError) as error:
        raise ProjectError(f"{source}: the part {part} cannot be read ({error}); the project file "
                           f"is damaged. Open and save it again in ARX, or re-export it.") from None


def _unbox(value: Any) -> Any:
    """java.lang.Integer/Double/Boolean/Long -> the number; enums -> their name."""
    if isinstance(value, _JObject) and value.cls.startswith("java.lang."):
        return value.field("value")
    if isinstance(value, _JEnum):
        return value.name
    return value


def _java_map(value: Any) -> dict[Any, Any]:
    """A java.util.HashMap/LinkedHashMap/TreeMap as a dict ({} for anything else)."""
    if not isinstance(value, _JObject):
        return {}
    items = [item for item in value.annotation() if not isinstance(item, _Block)]
    return dict(zip(items[0::2], items[1::2]))


def _java_list(value: Any) -> list[Any]:
    """A java.util collection (ArrayList, HashSet, ...) or array as a list."""
    if isinstance(value, _JArray):
        return list(value)
    if isinstance(value, _JObject):
        return [item for item in value.annotation() if not isinstance(item, _Block)]
    return []


def _short(cls: str) -> str:
    return cls.rsplit(".", 1)[-1]
