/// The terminal front-end: line editing, history, completion, inline images.
public enum REPLModule {}
