"""``leaddsl lsp``: the language server for editors (the ``lsp`` extra)."""
from __future__ import annotations

import click

from . import main


@main.command("lsp")
@click.option("--stdio", is_flag=True, help="Talk over stdin and stdout (the default and only transport).")
def lsp_cmd(stdio):
    """Run the language server over stdio: diagnostics as you type, hover, go to definition,
    references, completion, outline and quick fixes for .lead files. An editor starts it;
    editors/vscode/ in the source repository holds a VS Code extension that does."""
    try:
        from ..lsp.server import run
    except ImportError as e:  # pygls is an extra
        raise click.ClickException(f"the language server needs pygls ({e}); install it with "
                                   "pip install 'leaddsl[lsp]'") from None
    run()
