def evens(limit):
    n = 0
    while True:
        n += 1
        if n > limit:
            break
        if n % 2:
            continue
        yield n
    else:
        yield "never"
    yield "after loop"
print(list(evens(7)))
def grid(rows, cols):
    for r in range(rows):
        for c in range(cols):
            if c == r:
                continue
            yield (r, c)
        else:
            yield ("row done", r)
print(list(grid(3, 2)))
def first_match(items, pred):
    for x in items:
        if pred(x):
            yield x
            return
    yield None
print(list(first_match([1, 4, 6], lambda v: v > 3)), list(first_match([], bool)))
def early(n):
    i = 0
    while i < n:
        if i == 3:
            return "stopped"
        yield i
        i += 1
g = early(10)
print(list(g))
def averager():
    total, count = 0.0, 0
    avg = None
    while True:
        value = yield avg
        if value is None:
            return avg
        total += value
        count += 1
        avg = total / count
a = averager()
print(next(a), a.send(10), a.send(20), a.send(0))
try:
    a.send(None)
except StopIteration as e:
    print("returned", e.value)
def with_else(xs):
    for x in xs:
        if x < 0:
            break
        yield x
    else:
        yield "all non-negative"
print(list(with_else([1, 2])), list(with_else([1, -1, 2])))
def branches(xs):
    for x in xs:
        if x == 0:
            yield "zero"
        elif x > 0:
            yield "pos"
            if x > 10:
                yield "big"
        else:
            yield "neg"
print(list(branches([0, 5, 20, -3])))
def raises():
    yield 1
    x = 1 / 0
    yield 2
g = raises()
print(next(g))
try:
    next(g)
except ZeroDivisionError as e:
    print("raised", e)
print(next(g, "exhausted"))
def thrown():
    while True:
        yield "tick"
t = thrown(); next(t)
try:
    t.throw(KeyError("k"))
except KeyError as e:
    print("thrown out", repr(e))
print(next(t, "closed after throw"))
c = thrown(); next(c); c.close(); print(next(c, "closed"))
def pipeline():
    def source():
        for i in range(6):
            yield i
    def square(it):
        for v in it:
            yield v * v
    def keep_odd(it):
        for v in it:
            if v % 2:
                yield v
    return list(keep_odd(square(source())))
print(pipeline())
def counter_closure():
    count = 0
    def inc():
        nonlocal count
        count += 1
        return count
    while count < 3:
        yield inc()
print(list(counter_closure()))
def nested_gen(n):
    for i in range(n):
        yield from range(i)
print(list(nested_gen(4)))
g = evens(4)
print(type(g).__name__, iter(g) is g, next(g), [x for x in g])
