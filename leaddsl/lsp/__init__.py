"""The language server (``leaddsl lsp``): diagnostics, hover, go to definition, references,
completion, document symbols and quick fixes for ``.lead`` files in an editor.

Needs the ``lsp`` extra (``pip install 'leaddsl[lsp]'``, which brings pygls). The
server uses the front end (parse, load, resolve, check) and the linter, never
the runtime: ``analysis`` checks a document, ``navigate`` answers hover,
definition, references and symbols, ``complete`` completion, ``fixes`` quick
fixes, ``server`` speaks the protocol.
"""
