"""Texts in QGIS's language: Swedish when QGIS runs in Swedish, English otherwise."""
from qgis.core import QgsSettings


def swedish():
    locale = QgsSettings().value("locale/userLocale", "") or ""
    return str(locale).lower().startswith("sv")


def t(english, svenska):
    return svenska if swedish() else english
