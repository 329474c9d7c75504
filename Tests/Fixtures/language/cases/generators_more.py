def countdown(n):
    print("start")
    while n > 0:
        yield n
        n -= 1
    print("end")
g = countdown(3)
print("created")
for v in g:
    print(v)
def gen_return():
    yield 1
    return 42
g = gen_return()
print(next(g))
try:
    next(g)
except StopIteration as e:
    print("stop value", e.value)
def closer():
    try:
        yield 1
        yield 2
    except GeneratorExit:
        print("closing")
        raise
c = closer(); print(next(c)); c.close(); print("closed")
def thrower():
    while True:
        try:
            yield "waiting"
        except ValueError as e:
            yield f"handled {e}"
t = thrower(); print(next(t), t.throw(ValueError("boom")), next(t))
def chain(*its):
    for it in its:
        yield from it
print(list(chain([1, 2], "ab", range(2))))
def tree(n):
    if n == 0:
        yield "leaf"
        return
    yield from tree(n - 1)
    yield f"node{n}"
print(list(tree(3)))
gens = [countdown(2) for _ in range(3)]
print([list(g) for g in gens][0])
def infinite():
    i = 0
    while True:
        yield i
        i += 1
for i in infinite():
    if i > 4:
        break
print("broke at", i)
print(sorted(x % 4 for x in range(10)), tuple(c.upper() for c in "ab"), "-".join(str(i) for i in range(4)))
def accumulate():
    total = 0
    while True:
        value = yield total
        if value is None:
            break
        total += value
acc = accumulate(); next(acc)
print(acc.send(5), acc.send(10))
lines = (l.strip() for l in ["  a ", " b"])
print(next(lines), list(lines))
print(list(enumerate(x * 2 for x in range(3))), dict((k, len(k)) for k in ["aa", "b"]))
