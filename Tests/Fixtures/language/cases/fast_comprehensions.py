# Comprehensions through the fast paths: variable scoping, nesting, conditions, ranges,
# lists mutated while read, dict and set comprehensions with equal keys.
x = "outer"
xs = [x * 2 for x in range(5) if x % 2]
print(xs, x)
print([i for i in range(10, 0, -3)], [i for i in range(0)], [i for i in range(-5, 5, 4)])
print([(a, b) for a in range(3) for b in range(a)])
print([[c * r for c in range(3)] for r in range(3)])
print([a + b for a in "xy" for b in "éz" if a != "y" or b != "z"])
print([v for row in [[1, 2], [3], []] for v in row if v > 1])
print({i: i * i for i in range(6) if i != 3})
print({i % 3: i for i in range(10)})
print({k: v for k, v in [(1, "a"), (1.0, "b"), (True, "c"), (2, "d")]})
print({v % 7 for v in [i * i for i in range(50) if i % 3]})
print({s.upper() for s in ["a", "b", "a"]} == {"A", "B"})
def f(n):
    base = 10
    out = [base + i for i in range(n)]
    fs = [lambda: i for i in range(3)]
    gs = [lambda i=i: i for i in range(3)]
    return out, [h() for h in fs], [h() for h in gs]
print(f(4))
def g():
    total = 0
    for k in range(3):
        ys = [i * i for i in range(5) if i % 2 == k % 2]
        d = {i: i + k for i in range(3)}
        total += len(ys) + d[2] + sum(y for y in ys if y > 0)
    return total
print(g())
lst = [1, 2, 3]
print([lst.append(v) or v for v in lst if v < 3 and len(lst) < 6], lst)
def h():
    i = "kept"
    r = [i for i in range(3)]
    return i, r
print(h())
try:
    [undefined_name for _ in range(2)]
except NameError as e:
    print("NameError", e)
try:
    {[1]: 2 for _ in range(1)}
except TypeError as e:
    print("TypeError", e)
try:
    {[i] for i in range(1)}
except TypeError as e:
    print("TypeError", e)
print([i for i in range(3)] + [j for j in (4, 5)] + [k for k in {7: 1}])
it = iter(range(4))
print([i for i in it], [i for i in it])
print([x for x in (y * 2 for y in range(3))])
