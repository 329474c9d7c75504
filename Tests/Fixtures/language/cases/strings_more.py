text = """Multi
line
string"""
print(text, len(text.splitlines()))
raw = r"C:\new\table"
print(raw, len(raw), "tab\tsep", "uni\u00e9", "\x41\102")
s = "The quick brown fox"
words = s.split()
print(" ".join(reversed(words)), [w[0] for w in words], s.lower().count("o"))
print("a" "b" 'c', "%s=%d" % ("x", 5), "%5.1f|" % 3.14159, "%03d" % 7)
print(str(123) + "!", "abc"[1:], "abc" * 0, "".join([]), "x".join("abc"))
print("CamelCaseString".lower(), "snake_case".replace("_", " ").title(), "  spaces  ".strip().upper())
print("hello world".title(), "hello"[1:4], "hello".find("l", 3), "a-b-c".split("-", 1), "a-b-c".rsplit("-", 1))
print(sorted("banana"), list("hi"), "abc".index("c"), "x,y".partition(","))
print("Hello {0}, you are {1} years".format("Ann", 30), "{:*^10}".format("mid"), "{:.3}".format(3.14159))
print("%(a)s and %(b)s" % {"a": 1, "b": 2}, "tab\\n literal")
