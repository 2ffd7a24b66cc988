"""The bank's taxonomy: roles, industries, topics, special-operation categories and legal sources.

Codes are stable identifiers used by bank files; names are what people read.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db


class TaxonomyTerm:
    """Columns every taxonomy table shares; ``position`` keeps the file's order for display."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    def name_in(self, locale: str) -> str:
        """The name people read in ``locale``: the English one where there is one, else the official Chinese."""
        return self.name_en if locale.startswith("en") and self.name_en else self.name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code}>"


class Role(TaxonomyTerm, db.Model):
    __tablename__ = "roles"
    description: Mapped[str] = mapped_column(Text, default="")


class Industry(TaxonomyTerm, db.Model):
    __tablename__ = "industries"
    description: Mapped[str] = mapped_column(Text, default="")


class Topic(TaxonomyTerm, db.Model):
    __tablename__ = "topics"
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id"))
    parent: Mapped[Topic | None] = relationship(remote_side="Topic.id")


class SpecialOperationCategory(TaxonomyTerm, db.Model):
    """One of the categories of 特种作业目录 (order 30 / catalogue)."""

    __tablename__ = "special_operation_categories"
    number: Mapped[int] = mapped_column(Integer)


class LegalSource(TaxonomyTerm, db.Model):
    """A law, regulation, rule or standard that questions cite; ``name`` is its full title."""

    __tablename__ = "legal_sources"
    kind: Mapped[str] = mapped_column(String(32))
    short_name: Mapped[str] = mapped_column(String(100), default="")
    edition: Mapped[str] = mapped_column(String(200), default="")
    issuer: Mapped[str] = mapped_column(String(200), default="")
    articles: Mapped[int | None] = mapped_column(Integer)
    # The code of the source that replaced this one: active questions may no longer cite it.
    superseded_by: Mapped[str | None] = mapped_column(String(64))


TAXONOMY_MODELS = {
    "roles": Role,
    "industries": Industry,
    "topics": Topic,
    "special_operations": SpecialOperationCategory,
    "sources": LegalSource,
}
