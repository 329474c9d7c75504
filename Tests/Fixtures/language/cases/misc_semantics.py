a = [1, 2]
b = a
b.append(3)
print(a, a is b, a == [1, 2, 3], a is [1, 2, 3], None is None)
def mutable_default(x, acc=[]):
    acc.append(x)
    return acc
print(mutable_default(1), mutable_default(2))
x = 5
print(-x ** 2, (-x) ** 2, 2 ** 3 ** 2, 10 - 3 - 2, 2 * 3 + 4, 2 * (3 + 4), 7 // 2 * 2)
print(1 if 0 else 2 if 0 else 3, not 1 == 2, 1 < 2 == 2, "a" < "b" < "c")
i = 0
while True:
    i += 1
    if i > 3: break
print(i)
print(type(1) == int, type(1.0).__name__, int.__name__, str(type([])))
values = [3, "a", 2.5]
print([type(v).__name__ for v in values])
del values[1]; print(values)
t = 1,
print(t, type(t).__name__)
print(..., Ellipsis is ...)
empty = {}
print(empty or "empty", [] or [0], 0 or None)
print(list(map(int, "1 2 3".split())), [int(c) for c in "456"])
print(isinstance([], list), isinstance({}, dict), isinstance((), tuple), isinstance(1.0, float))
