# Containers through the fast paths: dict keys equal across int, float and bool, insertion
# order after updates and deletions, list aliasing after appends, sets built with add.
d = {}
d[1] = "int"
d[1.0] = "float"
d[True] = "bool"
print(d, len(d))
d[2.0] = "two"
print(d[2], d.get(2), d.get(2.5, "none"), 2 in d, 2.0 in d)
d[0] = "zero"
print(d.get(False), d.get(0.0), d[False])
counts = {}
for x in [3, 1, 3, 2, 1, 3, 1.0, True, 2.0]:
    counts[x] = counts.get(x, 0) + 1
print(counts)
order = {}
for k in ["b", "a", "c", "a", "b"]:
    order[k] = order.get(k, 0) + 1
del order["a"]
order["a"] = 9
order["d"] = 1
print(order, list(order), list(order.values()))
big = {}
for i in range(100):
    big[i] = i * i
for i in range(0, 100, 3):
    del big[i]
big[0] = "back"
print(len(big), list(big)[:5], list(big)[-3:], big.get(99), big.get(3))
xs = []
ys = xs
for i in range(5):
    xs.append(i * 2)
print(xs, ys, xs is ys)
zs = xs[:]
xs.append(99)
xs[0] = -1
print(xs, ys, zs)
nested = [[]] * 2
nested[0].append(1)
print(nested)
t = (xs, 1)
xs.append("t")
print(t)
total = 0
for i in range(len(xs)):
    if isinstance(xs[i], int):
        total += xs[i]
print(total, xs[-1], xs[-2])
try:
    xs[len(xs)]
except IndexError as e:
    print("IndexError", e)
s = set()
for x in [5, 1, 5, 3, 1.0, True, "a", "a", (1, 2), (1, 2)]:
    s.add(x)
alias = s
s.add(7)
s.discard(5)
s.discard(100)
print(sorted(map(str, s)), len(s), alias is s, len(alias))
try:
    s.remove(100)
except KeyError as e:
    print("KeyError", e)
try:
    s.add([1])
except TypeError as e:
    print("TypeError", e)
try:
    d[[1]] = 2
except TypeError as e:
    print("TypeError", e)
fs = frozenset([1, 2, 3])
print(fs == frozenset([3, 2, 1]), {fs: "x"}[frozenset([2, 3, 1])], frozenset([1, 2]) == frozenset([1, 2, 4]))
g = set(range(40))
for i in range(0, 40, 2):
    g.remove(i)
g.add(0)
print(len(g), 0 in g, 2 in g, 39 in g)
