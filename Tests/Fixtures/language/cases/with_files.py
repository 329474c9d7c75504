class Managed:
    def __init__(self, name): self.name = name
    def __enter__(self):
        print("enter", self.name)
        return self
    def __exit__(self, exc_type, exc, tb):
        print("exit", self.name, exc_type.__name__ if exc_type else None)
        return exc_type is KeyError
with Managed("a") as m, Managed("b"):
    print("inside", m.name)
with Managed("suppress"):
    raise KeyError("hidden")
print("after suppress")
try:
    with Managed("propagate"):
        raise ValueError("visible")
except ValueError as e:
    print("caught", e)
path = "/tmp/apus_conformance_test.txt"
with open(path, "w") as f:
    f.write("line one\n")
    f.write("line two\n")
    print("third line", file=f)
with open(path) as f:
    print(repr(f.read()))
with open(path) as f:
    for line in f:
        print(line.rstrip())
with open(path) as f:
    print(f.readline(), f.readlines())
with open(path, "a") as f:
    f.write("appended\n")
print(open(path).read().splitlines())
import os
print(os.path.exists(path), os.path.basename(path), os.path.splitext(path), os.path.join("a", "b", "c.txt"))
os.remove(path)
print(os.path.exists(path))
