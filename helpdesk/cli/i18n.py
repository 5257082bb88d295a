"""`helpdesk i18n extract`: refresh the console's catalogues from the code (babel.cfg's map)."""

from __future__ import annotations

import click

from helpdesk.i18n import catalogues

i18n = click.Group("i18n", help="The console's translations.")


@i18n.command("extract")
def extract() -> None:
    """Extract every translatable string of the console's templates and Python into
    helpdesk/translations/<lang>/LC_MESSAGES/messages.po, keeping the translations written so far;
    lists how many each language still lacks (then translate them: the catalogue test fails meanwhile)."""
    template = catalogues.extract()
    missing = catalogues.update(template)
    click.echo(f"{len(template)} strings")
    for language, count in missing.items():
        click.echo(f"{language}: {count} without a translation")
