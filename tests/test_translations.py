"""Every piece of UI text has its Simplified Chinese translation."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.conftest import REPO

TRANSLATIONS = REPO / "quizapp" / "translations"


def test_every_message_is_translated_into_chinese():
    with open(TRANSLATIONS / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    in_code = {
        (message if isinstance(message, str) else message[0])
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(REPO), method_map, options_map, keywords={"_": None, "gettext": None, "_l": None, "msg": None})
    }
    with open(TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po", "rb") as stream:
        catalog = read_po(stream)
    translated = {message.id for message in catalog if message.id and message.string and not message.fuzzy}
    assert sorted(in_code - translated) == []
