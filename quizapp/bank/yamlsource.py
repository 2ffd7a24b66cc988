"""YAML loading that remembers the line of every mapping key and list item.

Validation messages must point at the offending node (``file:line``), which plain ``yaml.safe_load``
forgets. The C parser is used when PyYAML has it: a 10,000-question bank must validate in seconds.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from quizapp.bank.problems import msg

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LocatedDict(dict):
    """A mapping with the line where it starts and the line of each key."""

    line: int = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key_lines: dict[object, int] = {}

    def line_of(self, key: object) -> int:
        return self.key_lines.get(key, self.line)


class LocatedList(list):
    """A sequence with the line where it starts and the line of each item."""

    line: int = 0

    def __init__(self, *args):
        super().__init__(*args)
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _LocatingLoader(_BaseLoader):
    def __init__(self, stream):
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, object]] = []


def _construct_mapping(loader: _LocatingLoader, node: yaml.MappingNode):
    data = LocatedDict()
    data.line = node.start_mark.line + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:  # a list or mapping as a key ([a]: b); reported as PyYAML's own constructor would
            raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                    "found an unhashable key", key_node.start_mark) from None
        line = key_node.start_mark.line + 1
        if key in data:
            loader.duplicate_keys.append((line, key))
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = line


def _construct_sequence(loader: _LocatingLoader, node: yaml.SequenceNode):
    data = LocatedList()
    data.line = node.start_mark.line + 1
    yield data
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.item_lines.append(item.start_mark.line + 1)


_LocatingLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LocatingLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


class YamlSyntaxError(Exception):
    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(message)


def load_located(path: Path) -> tuple[object, list[tuple[int, object]]]:
    """Parse ``path``; return the document and the (line, key) of every duplicated mapping key."""
    with open(path, encoding="utf-8") as stream:
        loader = _LocatingLoader(stream)
        try:
            document = loader.get_single_data()
        except yaml.reader.ReaderError as error:
            # Its text names the file, which for an upload is a temporary path, and spans two lines.
            raise YamlSyntaxError(_line_at(path, error.position), msg(
                "the character {character} is not allowed in YAML", character=_character_name(error.character),
            )) from None
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark else 1
            problem = str(error.problem or error)
            raise YamlSyntaxError(line, msg("YAML syntax error: {problem}", problem=problem)) from None
        except yaml.YAMLError as error:
            raise YamlSyntaxError(1, msg("YAML error: {error}", error=str(error))) from None
        except UnicodeDecodeError as error:
            raise YamlSyntaxError(1, msg("the file is not UTF-8 text ({reason})", reason=error.reason)) from None
        finally:
            loader.dispose()
    return document, loader.duplicate_keys


def _line_at(path: Path, position: int) -> int:
    """The line of a character position in a text file."""
    with open(path, encoding="utf-8", errors="replace") as stream:
        return stream.read(position).count("\n") + 1


def _character_name(character: int | bytes | str) -> str:
    if isinstance(character, int):
        return f"U+{character:04X}"
    return repr(character)
