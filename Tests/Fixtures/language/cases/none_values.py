# Places where a Python value of None must really be None (not a missing value).
def bare():
    yield
    yield 1
    x = yield
    yield x


print(list(bare()))
g = bare()
print(next(g), next(g), next(g), g.send("sent"))


def defaults(a, b=2, *, c=3):
    pass


print(defaults.__defaults__, (lambda: 0).__defaults__)
with open("none_values.tmp", "w") as fh:
    print(fh.write("abc"))
print(fh.close())
import os
os.remove("none_values.tmp")
print(__name__, __doc__)
