"""The front end: text to a checked program (parse, build the AST, load includes, resolve names, check types)."""
