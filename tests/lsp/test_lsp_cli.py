"""`leaddsl lsp` on the command line."""
from __future__ import annotations

import builtins
import sys

from leaddsl.cli import main


def test_lsp_is_a_command_with_help(runner):
    result = runner.invoke(main, ["lsp", "--help"])
    assert result.exit_code == 0
    assert "language server" in result.output


def test_without_pygls_it_says_how_to_install_it(runner, monkeypatch):
    real_import = builtins.__import__

    def no_pygls(name, *args, **kwargs):
        if name.startswith(("pygls", "lsprotocol")):
            raise ImportError("No module named 'pygls'")
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_pygls)
    monkeypatch.delitem(sys.modules, "leaddsl.lsp.server", raising=False)  # imported afresh, without pygls
    result = runner.invoke(main, ["lsp"])
    assert result.exit_code == 1
    assert "pip install 'leaddsl[lsp]'" in result.output
