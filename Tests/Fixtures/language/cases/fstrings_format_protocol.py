# f-strings, format() and str.format() go through the value's __format__:
# a class's own __format__ is called even with an empty spec, and without one an
# empty spec gives str(value).


class Money:
    def __init__(self, cents):
        self.cents = cents

    def __format__(self, spec):
        if spec == "":
            return f"${self.cents / 100:.2f}"
        if spec == "cents":
            return f"{self.cents}c"
        return format(self.cents / 100, spec)

    def __str__(self):
        return "Money(str)"

    def __repr__(self):
        return "Money(repr)"


m = Money(1234)
print(f"{m}")
print(f"{m:cents}")
print(f"{m:>10.1f}|")
print(f"{m!s} {m!r}")
print(format(m), format(m, "cents"))
print("{} {:cents} {!r}".format(m, m, m))
print(f"{[m]}")


class Plain:
    def __str__(self):
        return "plain text"


p = Plain()
print(f"{p}|{p!s}|{p!r:.8}")
print(format(p), "{}".format(p))
try:
    print(f"{p:>12}")
except TypeError as e:
    print("TypeError:", e)


class Tagged(Money):
    pass


print(f"{Tagged(5)} {Tagged(5):cents}")


class Width:
    def __format__(self, spec):
        return "[" + spec + "]"


w = 7
print(f"{Width():{w}d}", f"{Width()}", f"{Width():}")


class Bad:
    def __format__(self, spec):
        return 42


try:
    f"{Bad()}"
except TypeError as e:
    print("TypeError:", e)


class Err(Exception):
    pass


print(f"{Err('boom')}", f"{ValueError('x', 2)}")
print(f"{None}", f"{True}", f"{3.0}", f"{(1, 'a')}")
