/// The Apus language: lexer, parser, interpreter and bindings (see DESIGN.md, "The language").
public enum Script {}
