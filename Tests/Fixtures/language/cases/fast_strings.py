# String building through the fast paths: f-strings, join, len, slicing, upper, with
# non-ASCII text (code points, not bytes or grapheme clusters).
words = ["héllo", "naïve", "日本語", "e\u0301", "😀x", "", "ascii", "ß"]
for w in words:
    s = f"{w}:{len(w)}:{-len(w)}"
    t = s + "!"
    print(s, t, len(t), t[:3], t[-3:], t[1:-1:2], t.upper(), t.lower())
print(",".join(words), len(",".join(words)))
print("".join(words), "-".join([]), "+".join(["only"]))
print("ü".join(["a", "b", "c"]), len("ü".join(["a", "b", "c"])))
print("ß".upper(), "ﬁ".upper(), len("ﬁ".upper()), "İ".lower(), len("İ".lower()))
ints = [0, 7, -7, 10, -10, 99, 100, 123456789, -123456789, 2**61, -2**62, 2**62 - 1]
for i in ints:
    print(f"{i}|{i:5}|{i!r}|{i * 2}", str(i), len(f"{i}"))
m = -2**62 * 2
print(f"{m}", len(f"{m}"), f"{m + 1}", f"{-(m + 1)}")
print(f"{True} {None} {1.5} {1e20} {1e-7} {-0.0} {[1, 'a']} {(1,)} {'x'!r}")
long = "x" * 300 + "é"
built = f"{long}{long}{12345}"
print(len(built), built[-8:], built[295:305])
print(f"", f"{''}", len(f"{'é' * 200}{'z'}"))
parts = []
for i in range(250):
    parts.append(f"item-{i}:{i * 2}")
joined = ",".join(parts)
print(len(joined), joined[:30], joined[-20:])
try:
    ",".join(["a", 1])
except TypeError as e:
    print("TypeError", e)
try:
    ",".join()
except TypeError as e:
    print("TypeError", e)
