def count_up(n):
    i = 0
    while i < n:
        yield i
        i += 1
print(list(count_up(5)), sum(count_up(101)))
g = count_up(3)
print(next(g), next(g), next(g), next(g, "done"))
def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b
f = fib()
print([next(f) for _ in range(10)])
def echo():
    received = yield "ready"
    while True:
        received = yield f"got {received}"
e = echo(); print(next(e), e.send(1), e.send("two"))
def inner():
    yield 1
    yield 2
    return "inner done"
def outer():
    r = yield from inner()
    print("inner returned", r)
    yield 3
print(list(outer()))
squares = (x * x for x in range(6) if x % 2 == 0)
print(squares.__class__.__name__, list(squares), list(squares))
print(sum(x for x in range(10)), max(len(w) for w in ["a", "abc", "ab"]), any(x > 3 for x in [1, 5]))
def gen_with_finally():
    try:
        yield 1
        yield 2
    finally:
        print("gen cleanup")
for v in gen_with_finally():
    print("value", v)
def pairs(d):
    for k in sorted(d):
        yield k, d[k]
print(dict(pairs({"b": 2, "a": 1})))
nested = ((i, j) for i in range(3) for j in range(i))
print(list(nested))
def take(n, it):
    for i, v in enumerate(it):
        if i >= n: return
        yield v
print(list(take(4, fib())))
gen = count_up(2)
print(list(zip(gen, "ab")))
